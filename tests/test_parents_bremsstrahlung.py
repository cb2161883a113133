"""Dark photons from proton bremsstrahlung (darkbeam.sources.parents.bremsstrahlung): the splitting
function's limits, the form factor and pp cross section against their closed forms and data, the
epsilon^2 scaling, the yield against an independent quadrature, the sampled distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from darkbeam.errors import ConfigurationError
from darkbeam.sources.beam import beam_config
from darkbeam.sources.parents import parent_sample
from darkbeam.sources.parents.bremsstrahlung import (bremsstrahlung_sample, dark_photon_yield, density,
                                                     form_factor_sq, scale_epsilon, sigma_pp_mb, splitting)

ALPHA = 1 / 137.035999084
M_P = 0.93827208816


def test_splitting_function_limits():
    """z -> 0: z w -> alpha / (pi (p_T^2 + m^2)) (the 2/z photon-like pole); z = 1: w = alpha / (2 pi
    (p_T^2 + m_p^2)) (every (1 - z) term vanishes)."""
    for m in (0.05, 0.4, 1.2):
        for pt2 in (0.0, 0.01, 0.5):
            z = 1e-7
            assert z * splitting(z, pt2, m) == pytest.approx(ALPHA / (math.pi * (pt2 + m * m)), rel=1e-5, abs=0)
            assert splitting(1.0, pt2, m) == pytest.approx(ALPHA / (2 * math.pi * (pt2 + M_P**2)), rel=1e-12, abs=0)
    # positive everywhere in the sampled region
    zz, tt = np.meshgrid(np.linspace(0.1, 0.9, 41), np.linspace(0.0, 1.0, 41))
    assert np.all(splitting(zz, tt, 0.3) > 0)


def test_form_factor_and_pp_cross_section():
    """|F_1(0)|^2 = |sum f_V m_V/(m_V - i Gamma_V)|^2 written here (f sum to 1); the omega pole; the PDG pp
    fit against the measured total cross sections at the CERN ISR (U. Amaldi et al., Nucl. Phys. B 145
    (1978) 367: 38.94 mb at sqrt(s) = 23.5 GeV, 40.14 mb at 30.6 GeV), within 2 %."""
    poles = ((0.616, 0.77, 0.15), (0.223, 1.25, 0.3), (-0.339, 1.45, 0.5),
             (1.011, 0.77, 0.0085), (-0.881, 1.25, 0.3), (0.369, 1.45, 0.5))
    assert sum(f for f, _, _ in poles) == pytest.approx(1.0, abs=2e-3)
    f0 = sum(f * m / (m - 1j * g) for f, m, g in poles)
    assert form_factor_sq(0.0) == pytest.approx(abs(f0) ** 2, rel=1e-12, abs=0)
    assert form_factor_sq(0.77**2) > 100 * form_factor_sq(0.6**2)
    assert sigma_pp_mb(23.5**2) == pytest.approx(38.94, rel=0.02, abs=0)
    assert sigma_pp_mb(30.6**2) == pytest.approx(40.14, rel=0.02, abs=0)


def test_epsilon_squared_scaling():
    base = bremsstrahlung_sample("numi", 0.3, n=512, seed=1)
    for eps in (1e-3, 0.2):
        np.testing.assert_allclose(scale_epsilon(base, eps).weight, base.weight * eps**2, rtol=1e-15, atol=0)
        direct = bremsstrahlung_sample("numi", 0.3, n=512, seed=1, epsilon=eps)
        np.testing.assert_allclose(direct.weight, base.weight * eps**2, rtol=1e-14, atol=0)
        np.testing.assert_array_equal(direct.p4, base.p4)
        assert dark_photon_yield("numi", 0.3, epsilon=eps) == pytest.approx(
            dark_photon_yield("numi", 0.3) * eps**2, rel=1e-13, abs=0)


def test_yield_against_an_independent_quadrature():
    """N/POT = P_int * int dz int dp_T^2 d2N (scipy dblquad, linear p_T^2), P_int = 1 - exp(-L/lambda_I) of
    the NuMI graphite target (95.4 cm, 85.8/1.78 cm); the Monte Carlo sum agrees within 3 sigma."""
    p_int = 1 - math.exp(-95.4 / (85.8 / 1.78))
    for m in (0.2, 1.0):
        ref, _ = integrate.dblquad(lambda pt2, z: float(density(z, pt2, m, 120.0)), 0.1, 0.9, 0.0, 1.0,
                                   epsabs=0, epsrel=1e-7)
        assert dark_photon_yield("numi", m) == pytest.approx(p_int * ref, rel=1e-5, abs=0)
        s = bremsstrahlung_sample("numi", m, n=8192, seed=3)
        err = s.weight.std() * math.sqrt(len(s))
        assert abs(s.decays_per_pot - p_int * ref) < 3 * err


def test_sampled_kinematics():
    """On the mass shell; z = p_z/P within the cuts; p_T < 1 GeV; the weighted z distribution equals the
    quadrature marginal (weighted KS-like: CDF difference at 9 points within 4 sigma)."""
    m = 0.5
    s = bremsstrahlung_sample("sps", m, n=8192, seed=5)
    mass = np.sqrt(s.p4[:, 0] ** 2 - np.sum(s.p4[:, 1:] ** 2, axis=1))
    np.testing.assert_allclose(mass, m, rtol=1e-9, atol=0)
    z = s.p4[:, 3] / 400.0
    assert z.min() >= 0.1 and z.max() <= 0.9
    assert np.hypot(s.p4[:, 1], s.p4[:, 2]).max() <= 1.0
    total = s.weight.sum()
    marg = lambda zz: integrate.quad(lambda q: float(density(zz, q, m, 400.0)), 0, 1, epsrel=1e-8)[0]
    full = integrate.quad(marg, 0.1, 0.9, epsrel=1e-7)[0]
    for zc in np.linspace(0.15, 0.85, 9):
        cdf_ref = integrate.quad(marg, 0.1, zc, epsrel=1e-7)[0] / full
        ind = z <= zc
        cdf_mc = s.weight[ind].sum() / total
        sig = math.sqrt(np.sum((s.weight * (ind - cdf_mc)) ** 2)) / total
        assert abs(cdf_mc - cdf_ref) < 4 * sig + 1e-12
    cfg = beam_config("sps")
    assert np.all((s.position[:, 2] >= cfg.target.z_start_cm) & (s.position[:, 2] <= cfg.target.z_start_cm + cfg.target.length_cm))
    assert stats.kstest(s.position[:, 2] - cfg.target.z_start_cm, lambda d: -np.expm1(-d / (85.8 / 1.78))
                        / -math.expm1(-200.0 / (85.8 / 1.78))).pvalue > 1e-3


def test_parent_sample_route_and_bad_input():
    s = parent_sample("numi", "zprime", n=64, seed=2, mass=0.2)
    assert s.species == "zprime" and "epsilon = 1" in " ".join(s.notes)
    with pytest.raises(ConfigurationError, match="mass"):
        parent_sample("numi", "zprime", n=64)
    with pytest.raises(ConfigurationError, match="positive"):
        bremsstrahlung_sample("numi", -0.1, n=16)
    with pytest.raises(ConfigurationError, match="z range"):
        bremsstrahlung_sample("numi", 0.1, n=16, z_range=(0.5, 0.2))
    with pytest.raises(ConfigurationError, match="validity"):
        bremsstrahlung_sample("bnb", 7.0, n=16)
    with pytest.raises(ConfigurationError, match="epsilon"):
        scale_epsilon(bremsstrahlung_sample("numi", 0.1, n=16), float("nan"))


def test_cli_charm_and_bremsstrahlung(capsys):
    import json

    from darkbeam.cli.main import main

    assert main(["parents", "--beam", "numi", "--species", "D_s+,tau-,zprime", "--mass", "0.3", "--stats", "64",
                 "--json"]) == 0
    rows = {r["species"]: r for r in json.loads(capsys.readouterr().out)["parents"]}
    assert set(rows) == {"D_s+", "tau-", "zprime"}
    assert rows["zprime"]["llp_per_pot_unit_coupling"] > 0 and "decays_per_pot" not in rows["zprime"]
    assert rows["D_s+"]["decays_per_pot"] > rows["tau-"]["decays_per_pot"]
    for argv, needle in ((("--beam", "bnb", "--species", "D_s+"), "threshold"),
                         (("--beam", "numi", "--species", "zprime"), "--mass"),
                         (("--beam", "numi", "--species", "D+", "--mass", "0.3"), "--mass"),
                         (("--beam", "numi", "--species", "zprime", "--mass", "0"), "positive")):
        code = main(["parents", *argv])
        err = capsys.readouterr().err
        assert code != 0 and needle in err and "Traceback" not in err
