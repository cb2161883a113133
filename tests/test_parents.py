"""Parent mesons from the beam model (darkbeam.sources.parents): normalisation, kinematics, the
neutrino-flux cross-check, prompt neutral mesons and decays at rest."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from darkbeam.errors import ConfigurationError
from darkbeam.sources.beam import beam_config, beam_flux, meson_decays, target_mesons
from darkbeam.sources.parents import parent_sample, parent_samples

N = 2**10
M_PI, M_MU, M_K = 0.13957039, 0.1056583755, 0.493677  # PDG 2024, GeV
C_CM_NS = 29.9792458


def _mass2(s):
    return s.p4[:, 0] ** 2 - np.einsum("ij,ij->i", s.p4[:, 1:], s.p4[:, 1:])


def test_decays_plus_exits_conserve_the_mesons_without_wall_absorption():
    """With no absorption in the horn walls, every meson leaving the target either decays in the decay
    region (inside or after the horns) or leaves it: sum(decays) + sum(exits) = mesons per POT."""
    cfg = beam_config("bnb")
    cfg = replace(cfg, horns=tuple(replace(h, wall_cm=0.0) for h in cfg.horns))
    for meson in ("pi+", "K+"):
        md = meson_decays(cfg, meson, 1, N, 7)
        ts = target_mesons(cfg, meson, N, seed=7, tertiary=cfg.tertiary)
        total = md.weight.sum() + md.exits.weight.sum()
        assert total == pytest.approx(ts.weight.sum(), rel=1e-9, abs=0)


def test_in_flight_weights_are_the_straight_line_decay_probability():
    """No horns and no collimator: the decays per POT are sum w (1 - exp(-s_max/lambda)) with s_max the
    straight path from the production point to the end or the side of the decay pipe (written here)."""
    cfg = beam_config("bnb")
    cfg = replace(cfg, horns=(), decay=replace(cfg.decay, collimators=()))
    ps = parent_sample(cfg, "pi+", n=N, seed=3, tertiary=False)
    ts = target_mesons(cfg, "pi+", N, seed=3, tertiary=False)
    th = ts.theta
    s_max = np.minimum((cfg.decay.z_end_cm - ts.z0) / np.cos(th),
                       np.where(th > 0, cfg.decay.radius_cm / np.maximum(np.sin(th), 1e-300), np.inf))
    lam = ts.p / M_PI * 780.45  # c tau(pi+) = 7.8045 m (PDG)
    expected = np.sum(ts.weight * -np.expm1(-s_max / lam))
    assert ps.decays_per_pot == pytest.approx(expected, rel=1e-9, abs=0)
    # and the decay points lie on those straight lines, inside the pipe
    r = np.hypot(ps.position[:, 0], ps.position[:, 1])
    assert np.all(r <= cfg.decay.radius_cm * (1 + 1e-9)) and np.all(ps.position[:, 2] <= cfg.decay.z_end_cm + 1e-6)


def test_sum_of_weights_is_the_beam_models_decays_per_pot():
    for beam, sp in (("bnb", "K+"), ("numi", "pi-"), ("cern_ps", "K0_L")):
        ps = parent_sample(beam, sp, n=N, seed=5)
        md = meson_decays(beam_config(beam), sp, 1, N, 5)
        assert ps.decays_per_pot == pytest.approx(md.weight.sum(), rel=1e-12, abs=0)
        assert len(ps) == int(np.count_nonzero(md.weight > 0))


def _nu_from_pions(ps, det, edges):
    """nu_mu of pi+ -> mu+ nu_mu (BR 0.999877, PDG) sent to a point: E = E*/(gamma (1 - beta cos a)),
    weight BR / (4 pi d^2) / (gamma (1 - beta cos a))^2 (isotropic in the pion rest frame)."""
    e_star = (M_PI**2 - M_MU**2) / (2 * M_PI)
    e, p3 = ps.p4[:, 0], ps.p4[:, 1:]
    p = np.linalg.norm(p3, axis=1)
    gamma, beta = e / M_PI, p / e
    d = det - ps.position
    dist = np.linalg.norm(d, axis=1)
    cos_a = np.einsum("ij,ij->i", d, p3) / (dist * p)
    k = gamma * (1 - beta * cos_a)
    h, _ = np.histogram(e_star / k, bins=edges, weights=ps.weight * 0.999877 / (4 * math.pi * dist**2) / k**2)
    return h / np.diff(edges)


def test_parents_reproduce_the_beam_model_nu_mu_flux():
    """Neutrinos sent from the exported pi+ (independent two-body kinematics) give the beam model's
    pi+ -> nu_mu flux: bin by bin for the same sample, and within the MC error for another seed."""
    edges = beam_config("bnb").edges()
    det = np.array([0.0, 0.0, 470.0e2])
    centres = 0.5 * (edges[1:] + edges[:-1])
    ref = beam_flux("bnb", 470.0, parents=("pi+",), include_muons=False, detector_volume=None, n=2**12, seed=21)
    model = ref.by_parent["pi+"].dphi_de(centres, "nu_mu")
    same = _nu_from_pions(parent_sample("bnb", "pi+", n=2**12, seed=21), det, edges)
    big = model > 0.05 * model.max()
    np.testing.assert_allclose(same[big], model[big], rtol=1e-6, atol=0)
    other = _nu_from_pions(parent_sample("bnb", "pi+", n=2**12, seed=22), det, edges)
    width = np.diff(edges)
    assert np.sum(other * width) == pytest.approx(np.sum(model * width), rel=0.05, abs=0)


@pytest.mark.parametrize("beam", ["bnb", "numi", "numi_me", "jparc", "lbnf", "wanf", "cern_ps"])
def test_mass_shell_positions_and_times(beam):
    for sp, m in (("pi+", M_PI), ("K-", M_K)):
        ps = parent_sample(beam, sp, n=64, seed=1)
        assert ps.species == sp and ps.beam == beam_config(beam).name
        # E^2 - p^2 loses digits at high energy: the tolerance is relative to E^2
        assert np.all(np.abs(_mass2(ps) - m * m) <= 1e-13 * ps.p4[:, 0] ** 2 + 1e-12 * m * m)
        assert np.all(ps.weight > 0) and np.all(np.isfinite(ps.time))
        # causality: a decay at z happens after light from the target face would get there
        z0 = beam_config(beam).target.z_start_cm
        assert np.all(ps.time >= (ps.position[:, 2] - z0) / C_CM_NS * (1 - 1e-9))


def test_reproducible_with_seed_and_polarity_selects_the_charge():
    a, b = parent_sample("bnb", "pi+", n=256, seed=4), parent_sample("bnb", "pi+", n=256, seed=4)
    np.testing.assert_array_equal(a.p4, b.p4)
    np.testing.assert_array_equal(a.weight, b.weight)
    c = parent_sample("bnb", "pi+", n=256, seed=5)
    assert not np.array_equal(a.weight[:10], c.weight[:10])
    rhc = parent_sample("bnb", "pi+", n=256, seed=4, polarity="RHC")
    # focused pi+ decay more (longer straight paths in the pipe) in FHC than defocused ones in RHC
    assert a.decays_per_pot > 1.5 * rhc.decays_per_pot


def test_prompt_pi0_is_the_isospin_average_and_decays_in_the_target():
    from darkbeam.sources.beam import MesonProduction, material

    cfg = beam_config("bnb")
    pi0 = parent_sample("bnb", "pi0", n=2**14, seed=2, tertiary=False)
    prod = MesonProduction(cfg.proton_momentum_GeV, cfg.target.material, cfg.production_model)
    lam = material(cfg.target.material).interaction_length_cm
    p_int = -math.expm1(-cfg.target.length_cm / lam)
    mult = 0.5 * sum(prod.multiplicity(s, p_min=cfg.p_min_GeV, theta_max=0.5 * math.pi) for s in ("pi+", "pi-"))
    assert pi0.decays_per_pot == pytest.approx(p_int * mult, rel=0.03, abs=0)
    assert np.all(pi0.position[:, :2] == 0)
    assert np.all((pi0.position[:, 2] >= 0) & (pi0.position[:, 2] <= cfg.target.length_cm))
    np.testing.assert_allclose(pi0.time, pi0.position[:, 2] / C_CM_NS, rtol=1e-12, atol=0)
    np.testing.assert_allclose(_mass2(pi0), 0.1349768**2, rtol=1e-9, atol=0)
    eta = parent_sample("bnb", "eta", n=2**12, seed=2)
    np.testing.assert_allclose(_mass2(eta), 0.547862**2, rtol=1e-9, atol=0)
    assert 0 < eta.decays_per_pot < 0.48 * pi0.decays_per_pot  # m_T scaling below the high-p_T ratio


def test_stopping_closed_forms_against_numerical_integration():
    """Range, slowing-down time and survival against decay in flight for constant dE/dx, against a
    direct integration over the energy."""
    from scipy.integrate import quad

    from darkbeam.sources.parents.at_rest import stopping

    dedx, ctau, lam = 0.01143, 371.12, 25.0
    for p in (0.1, 0.5, 2.0):
        e0 = math.hypot(p, M_K)
        rng, t, p_abs, p_dif = stopping(np.array([p]), M_K, ctau, dedx, lam)
        t_num = quad(lambda e: e / math.sqrt(e * e - M_K**2) / (dedx * C_CM_NS), M_K, e0)[0]
        # decay rate in the lab 1/(gamma tau): integral of dt / (gamma tau)
        l_num = quad(lambda e: M_K / math.sqrt(e * e - M_K**2) / (dedx * ctau), M_K, e0)[0]
        assert rng[0] == pytest.approx((e0 - M_K) / dedx, rel=1e-12, abs=0)
        assert t[0] == pytest.approx(t_num, rel=1e-7, abs=0)
        assert p_dif[0] == pytest.approx(math.exp(-l_num), rel=1e-7, abs=0)
        assert p_abs[0] == pytest.approx(math.exp(-rng[0] / lam), rel=1e-12, abs=0)


def test_at_rest_sites_and_normalisation():
    cfg = beam_config("numi")
    ab = parent_sample("numi", "K+", n=2**11, seed=1, mode="at-rest", site="absorber")
    walls = parent_sample("numi", "K+", n=2**11, seed=1, mode="at-rest", site="walls")
    both = parent_sample("numi", "K+", n=2**11, seed=1, mode="at-rest", site="all")
    assert both.decays_per_pot == pytest.approx(ab.decays_per_pot + walls.decays_per_pot, rel=1e-9, abs=0)
    station = parent_sample("numi", "K+", n=2**11, seed=1, mode="at-rest", site="target")
    assert 0 < station.decays_per_pot < walls.decays_per_pot
    assert np.all(ab.position[:, 2] >= cfg.decay.z_end_cm)
    assert np.all(ab.p4[:, 1:] == 0) and np.all(ab.p4[:, 0] == M_K)
    # the decays at rest come later than the protons reach the absorber
    assert np.all(ab.time > (cfg.decay.z_end_cm - cfg.target.z_start_cm) / C_CM_NS)
    norm = parent_sample("numi", "K+", n=2**11, seed=1, mode="at-rest", site="absorber", stopped_per_pot=1e-3)
    assert norm.decays_per_pot == pytest.approx(1e-3, rel=1e-12, abs=0)
    np.testing.assert_array_equal(norm.position, ab.position)


def test_absorber_protons_against_quadrature():
    """The absorber part from the protons that cross the target: exp(-L/lambda_p) x the production
    spectrum on the absorber times the probability to stop, integrated by Gauss-Legendre here."""
    from darkbeam.sources.beam import MesonProduction, material
    from darkbeam.sources.parents.at_rest import _absorber_protons, stopping

    cfg = beam_config("bnb")
    w, pos, t = _absorber_protons(cfg, "pi+", 2**14, 3)
    f_pass = math.exp(-71.12 / (77.8 / 1.848))  # Be: lambda_I = 77.8 g/cm^2, 1.848 g/cm^3 (PDG)
    fe = material("Fe")
    prod = MesonProduction(cfg.proton_momentum_GeV, fe, cfg.production_model)
    x, wx = np.polynomial.legendre.leggauss(160)
    lp = np.log(0.01) + 0.5 * (x + 1) * (np.log(8.89) - np.log(0.01))
    p, wp = np.exp(lp), 0.5 * wx * (np.log(8.89) - np.log(0.01)) * np.exp(lp)
    th, wt = 0.25 * math.pi * (x + 1), 0.25 * math.pi * wx
    P, T = np.meshgrid(p, th, indexing="ij")
    _, _, p_abs, p_dif = stopping(P, M_PI, 780.45, fe.dedx_GeV_per_cm, fe.absorption_length_cm("pi+", P))
    f = prod.d2n("pi+", P, T) * 2 * math.pi * np.sin(T) * p_abs * p_dif
    expected = f_pass * np.einsum("i,ij,j->", wp, f, wt)
    assert w.sum() == pytest.approx(expected, rel=0.03, abs=0)


def test_parent_errors():
    with pytest.raises(ConfigurationError, match="unknown beam"):
        parent_sample("nobeam", "pi+", n=64)
    with pytest.raises(ConfigurationError, match="does not decay in flight"):
        parent_sample("bnb", "B+", n=64)
    with pytest.raises(ConfigurationError, match="threshold"):  # charm: high-energy beams only
        parent_sample("bnb", "D_s+", n=64)
    with pytest.raises(ConfigurationError, match="unknown parent mode"):
        parent_sample("bnb", "pi+", n=64, mode="sideways")
    with pytest.raises(ConfigurationError, match="captured"):
        parent_sample("bnb", "pi-", n=64, mode="at-rest")
    with pytest.raises(ConfigurationError, match="site"):
        parent_sample("bnb", "K+", n=64, mode="at-rest", site="roof")
    with pytest.raises(ConfigurationError, match="stopped_per_pot"):
        parent_sample("bnb", "K+", n=64, mode="at-rest", stopped_per_pot=-1.0)
    with pytest.raises(ConfigurationError, match="does not take theta_max"):
        parent_sample("bnb", "pi+", n=64, theta_max=0.1)
    with pytest.raises(ConfigurationError, match="positive integer"):
        parent_sample("bnb", "pi+", n=0)
    assert set(parent_samples("bnb", n=64, mode="at-rest")) == {"pi+", "K+"}


def test_cern_ps_beam_follows_ps191():
    cfg = beam_config("cern_ps")
    assert cfg.name == "cern_ps" and cfg.proton_momentum_GeV == 19.2 and cfg.target.material == "Be"
    dist, angle = cfg.detectors["ps191"]
    assert dist == 128.0 and angle == pytest.approx(math.radians(2.3) * 1e3, abs=0.01)
