"""Exact 2 -> 3 dark bremsstrahlung and muons in the shower (docs/showers.md, "Exact 2 -> 3 dark
bremsstrahlung" and "Muons")."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.constants import ALPHA_EM, M_E, M_MU
from darkbeam.physics.shower import dark_brem_exact as X
from darkbeam.physics.shower import dark_xsec as D
from darkbeam.physics.shower import muon
from darkbeam.physics.shower.materials import R_E_CM, shower_material

FAST = dict(n_theta=12, n_t=16, n_phi=6)


def test_trace_gauge_invariance_and_kernels():
    """L(J) = L(J + lambda q), q = p' + k - p (current conservation of the lepton line), and the compiled kernel
    equals the numpy one."""
    rng = np.random.default_rng(4)
    n, m_l, m = 64, 0.1, 0.3

    def onshell(mass, scale):
        v = rng.normal(size=(n, 3)) * scale
        return np.column_stack([np.sqrt(mass**2 + (v**2).sum(1)), v])

    p, pp, k = onshell(m_l, 2.0), onshell(m_l, 1.0), onshell(m, 1.0)
    q = pp + k - p
    J = rng.normal(size=(n, 4))
    a = X.lepton_trace_numpy(p, pp, k, J, m_l)
    b = X.lepton_trace_numpy(p, pp, k, J + 3.7 * q, m_l)
    np.testing.assert_allclose(b, a, rtol=1e-8, atol=0)
    pytest.importorskip("numba")
    from darkbeam.physics.shower._dark_brem_jit import lepton_trace as jit_trace

    np.testing.assert_allclose(jit_trace(p, pp, k, J, m_l), a, rtol=1e-10, atol=0)


@pytest.mark.parametrize("Z, A", [(82.0, 207.2), (6.0, 12.011)])
def test_massless_limit_is_tsai_bremsstrahlung(Z, A):
    """m_V -> 0: the exact dsigma/dx is ordinary bremsstrahlung, Tsai's complete-screening formula (RMP 46 (1974)
    815 eq. 3.83 without the Coulomb correction, with L_rad = ln(184.15 Z^-1/3), L'_rad = ln(1194 Z^-2/3))."""
    x = np.array([0.2, 0.5, 0.8])
    ex = X.dsigma_dx(Z, A, 10.0, x, 1e-6, n_theta=12, n_t=32, n_phi=6)
    cs = 4 * ALPHA_EM * R_E_CM**2 / x * ((4 / 3 - 4 / 3 * x + x**2) * (Z**2 * math.log(184.15 * Z ** (-1 / 3))
                                                                      + Z * math.log(1194 * Z ** (-2 / 3)))
                                        + (1 - x) * (Z**2 + Z) / 9)
    np.testing.assert_allclose(ex, cs, rtol=0.02, atol=0)


def test_exact_against_ww_and_z_scaling():
    """m_V << E: the exact total is within 15% of WW (Liu & Miller 1705.01633: WW good to ~10-20% for light
    vectors); the Z dependence follows the WW photon flux (Z^2 with screening) to 3%."""
    al = X.sigma_total(13.0, 26.98, 20.0, 0.01, n_x=10, **FAST)
    ww_al = D.dark_brem_ww_total(13.0, 26.98, np.array([20.0]), 0.01)[0]
    assert al / ww_al == pytest.approx(1.0, rel=0.15, abs=0)
    pb = X.sigma_total(82.0, 207.2, 20.0, 0.01, n_x=10, **FAST)
    ww_pb = D.dark_brem_ww_total(82.0, 207.2, np.array([20.0]), 0.01)[0]
    assert pb / al == pytest.approx(ww_pb / ww_al, rel=0.03, abs=0)
    assert 0.5 * (82 / 13) ** 2 < pb / al < (82 / 13) ** 2


def test_threshold_and_mass_dependence():
    """Closed below threshold and vanishing at it; the fall with m_V follows WW's (BEST eqs. A16-A17: 1/m_V^2
    times the flux chi(t_min ~ m_V^4/4E^2)) to 15% between 0.1 and 0.3 GeV."""
    assert X.sigma_total(13.0, 26.98, 0.05, 0.05) == 0.0
    near = X.sigma_total(13.0, 26.98, 1.02 * (0.1 + M_E), 0.1, n_x=10, **FAST)
    above = X.sigma_total(13.0, 26.98, 2.0 * (0.1 + M_E), 0.1, n_x=10, **FAST)
    assert 0.0 < near < 0.05 * above
    s1 = X.sigma_total(13.0, 26.98, 20.0, 0.1, n_x=10, **FAST)
    s3 = X.sigma_total(13.0, 26.98, 20.0, 0.3, n_x=10, **FAST)
    w = D.dark_brem_ww_total(13.0, 26.98, np.array([20.0]), 0.1)[0] / D.dark_brem_ww_total(13.0, 26.98, np.array([20.0]), 0.3)[0]
    assert s1 / s3 == pytest.approx(w, rel=0.15, abs=0)
    assert s1 / s3 > 9.0


def test_muon_dark_brem_exact_vs_ww_and_lepton_mass():
    """mu N -> mu N V with m_l = m_mu: exact within 15% of WW (same formulas, muon mass); for m_V >> m_mu and x
    away from 1 the lepton mass drops out of dsigma/dx (U0 = m_V^2 (1-x)/x + m_l^2 x), for m_V << m_mu the muon is
    suppressed (1/m_mu^2 instead of 1/m_V^2 at small x)."""
    Z, A = 26.0, 55.845
    mu = X.sigma_total(Z, A, 20.0, 0.03, m_l=M_MU, n_x=10, **FAST)
    ww = D.dark_brem_ww_total(Z, A, np.array([20.0]), 0.03, lepton_mass=M_MU)[0]
    assert mu / ww == pytest.approx(1.0, rel=0.15, abs=0)
    e = X.sigma_total(Z, A, 20.0, 0.03, m_l=M_E, n_x=10, **FAST)
    assert mu / e < 0.1
    x = np.array([0.3, 0.5, 0.7])
    np.testing.assert_allclose(X.dsigma_dx(Z, A, 20.0, x, 1.5, m_l=M_MU, **FAST),
                               X.dsigma_dx(Z, A, 20.0, x, 1.5, m_l=M_E, **FAST), rtol=0.03, atol=0)


@pytest.mark.parametrize("name, ref", [("iron", 1.451), ("lead", 1.122), ("aluminium", 1.615), ("water", 1.992)])
def test_muon_minimum_ionisation(name, ref):
    """Minimum of the muon dE/dx against the PDG tables (Atomic and Nuclear Properties, MeV cm^2/g)."""
    mat = shower_material(name)
    T = np.geomspace(0.05, 5.0, 300)
    assert muon.muon_stopping_power(T, mat).min() / mat.density * 1e3 == pytest.approx(ref, rel=0.025, abs=0)


def test_muon_range_and_transport():
    """CSDA range: PDG review fig. 34.4 example, R/M = 396 g cm^-2 GeV^-1 at beta gamma = 1.42 in lead (read from
    the figure: 3%); a muon primary's track length in the shower equals the CSDA range (continuous loss only)."""
    lead = shower_material("lead")
    T = M_MU * (math.sqrt(1 + 1.42**2) - 1)
    assert muon.csda_range(T, lead)[0] * lead.density / M_MU == pytest.approx(396.0, rel=0.03, abs=0)
    from darkbeam.sources.shower.transport import ShowerSimulator

    iron = shower_material("iron")
    r = ShowerSimulator(iron, "mu-", 3.0, cut=0.01).run(2, seed=1)
    rng_cm = (muon.csda_range(3.0 - M_MU, iron) - muon.csda_range(0.01, iron))[0]
    np.testing.assert_allclose(r.track_length[3], rng_cm, rtol=0.01, atol=0)
    assert r.track_length[:3].sum() == 0.0
    np.testing.assert_allclose(r.deposited + r.below_cut, 3.0 - M_MU, rtol=1e-9, atol=0)


def test_cli_muon_primary_and_exact_default(capsys):
    from darkbeam.cli.main import main

    assert main(["shower", "--material", "iron", "--particle", "mu+", "--energy", "2", "--showers", "2",
                 "--dark-mass", "0.02", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dark_brem_model"] == "exact"
    assert out["dark_yield_by_process"]["brem_mu"] > 0
    assert out["dark_yield_per_primary"] == pytest.approx(out["dark_yield_by_process"]["brem_mu"], rel=1e-12, abs=0)
    assert out["track_length_cm"]["mu+-"] > 0
    assert main(["shower", "--dark-mass", "0.02", "--dark-brem", "exakt", "--showers", "2"]) != 0
    assert "unknown dark-bremsstrahlung model" in capsys.readouterr().err


def test_exact_angle_sampling_matches_the_cross_section():
    """Angles sampled by ExactBremTable (nearest node, scaled variable) against the median of the exact
    dsigma/(dx dcos theta) on an independent fine angle grid at that node's (E, x)."""
    tab = X.ExactBremTable(13.0, 26.98, 0.05, M_E, 4.0, n_E=2, **FAST, n_x=8)
    E, j = float(tab.E[-1]), 5
    x = 1.0 - (1.0 - 0.05 / E) * ((M_E / E) / (1.0 - 0.05 / E)) ** tab.u[j]
    th = tab.sample_theta(np.full(4000, E), np.full(4000, x), np.random.default_rng(2))
    grid = np.geomspace(1e-5, 0.5, 160)
    f = X.dsigma_dx_dcos(13.0, 26.98, E, np.full(grid.size, x), grid, 0.05, n_t=16, n_phi=6) * np.sin(grid)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(grid))])
    median = np.interp(0.5, cdf / cdf[-1], grid)
    assert np.median(th) == pytest.approx(median, rel=0.08, abs=0)


def test_shower_samples_muon_and_exact_vectors():
    """A muon primary's dark vectors (exact model): E_V below the muon energy, forward, weights = yield."""
    from darkbeam.sources.shower.dark import sample_dark_vectors
    from darkbeam.sources.shower.tables import DarkTables
    from darkbeam.sources.shower.transport import ShowerSimulator

    sim = ShowerSimulator(shower_material("iron"), "mu-", 1.5, cut=0.05, dark_mass=0.05, keep_dark_segments=True,
                          brem_model="exact")
    r = sim.run(2, seed=3)
    v = sample_dark_vectors(r, sim.dark, 500, np.random.default_rng(1))
    assert set(v["process"].tolist()) == {DarkTables.ALL_PROCESSES.index("brem_mu")}
    assert np.all(v["E"] < 1.5) and np.all(v["E"] > 0.05)
    assert np.median(v["p"][:, 2] / np.linalg.norm(v["p"], axis=1)) > 0.99
    assert v["weight"].sum() == pytest.approx(float(r.dark_yield["brem_mu"].mean()), rel=1e-12, abs=0)
