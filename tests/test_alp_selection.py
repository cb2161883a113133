"""darkbeam's modelled DUNE ND ALP selection (analysis/alp_selection.py, docs/alps.md "A modelled selection"):
cut efficiencies against closed forms, the NC pi0 background's scaling, the tabulated selection of the
searches catalog in the limit (spec_at_mass).  No data files needed."""

import math

import numpy as np
import pytest

from darkbeam.analysis import alp_selection as sel
from darkbeam.errors import ConfigurationError


def test_pointing_smearing_is_rayleigh():
    # Gaussian sigma in two transverse directions: P(theta < x) = 1 - exp(-x^2 / 2 sigma^2)
    rng = np.random.default_rng(3)
    n, sigma = 200_000, 0.02
    u = np.tile([0.3, -0.2, 0.93], (n, 1))
    u /= np.linalg.norm(u[0])
    v = sel.smear_directions(u, sigma, rng)
    th = np.arccos(np.clip(np.sum(u * v, axis=1), -1, 1))
    for x in (0.01, 0.02, 0.04):
        p = 1.0 - math.exp(-x * x / (2 * sigma * sigma))
        assert abs(np.mean(th < x) - p) < 5 * math.sqrt(p * (1 - p) / n) + 2e-3


def test_two_body_opening_angle_closed_form():
    # spin 0 -> two massless daughters, isotropic in the rest frame: 1 - cos(theta_open) =
    # 2 / (gamma^2 (1 - beta^2 c*^2)) with c* uniform, so P(theta_open < x) = c_x, c_x^2 = (1 - 2/(gamma^2 (1 - cos x)))/beta^2
    rng = np.random.default_rng(5)
    n, M, p = 200_000, 0.1, 2.0
    parent = np.tile([math.hypot(M, p), 0.0, 0.0, p], (n, 1))
    d1, d2 = sel.two_body_decay(parent, 0.0, rng)
    assert np.max(np.abs(d1 + d2 - parent)) < 1e-12
    assert np.max(np.abs(d1[:, 0] ** 2 - np.sum(d1[:, 1:] ** 2, axis=1))) < 1e-10
    cos = np.sum(d1[:, 1:] * d2[:, 1:], axis=1) / (np.linalg.norm(d1[:, 1:], axis=1) * np.linalg.norm(d2[:, 1:], axis=1))
    th = np.arccos(np.clip(cos, -1, 1))
    g = math.hypot(M, p) / M
    b = p / math.hypot(M, p)
    assert abs(th.min() - math.acos(1 - 2 / g**2)) < 1e-4   # theta_min = 2 arcsin(1/gamma)
    for x in (0.11, 0.15, 0.3, 1.0):
        cx = math.sqrt(max(0.0, 1 - 2 / (g * g * (1 - math.cos(x))))) / b
        assert abs(np.mean(th < x) - cx) < 5 * math.sqrt(cx * (1 - cx) / n) + 1e-3


def _gg_sample(n, m, E, rng):
    parent = np.tile([E, 0.0, 0.0, math.sqrt(E * E - m * m)], (n, 1))
    d1, d2 = sel.two_body_decay(parent, 0.0, rng)
    return np.full((n, 2), 22), np.stack([d1, d2], axis=1), np.tile([0.0, 0.0, 1.0], (n, 1))


def test_mass_window_on_gaussian_resolution_is_erf():
    # photon energies smeared by 1 % (constant term only), no angular smearing, no threshold: m ~ sqrt(E1 E2)
    # is Gaussian with sigma ~ m 0.01/sqrt 2; a window of +-k sigma keeps erf(k / sqrt 2)
    rng = np.random.default_rng(7)
    n, m = 100_000, 0.3
    codes, p4, d = _gg_sample(n, m, 5.0, rng)
    res = sel.Resolution(photon_stochastic=0, photon_constant=0.01, photon_angle_stochastic=0,
                         photon_angle_constant=0, photon_threshold=0)
    sig = m * 0.01 / math.sqrt(2)
    for k in (1.0, 2.0):
        cuts = sel.ChannelCuts(min_opening_rad=0.0, window_sigmas=k, max_pointing_rad=1.0)
        cf = sel.channel_cutflow(codes, p4, d, np.ones(n), cuts, res, rng, window=(m, sig))
        assert abs(cf["efficiency"] - math.erf(k / math.sqrt(2))) < 0.006
        # the window measured on the signal (median, half the 16-84 % interval): the same within its error
        cf2 = sel.channel_cutflow(codes, p4, d, np.ones(n), cuts, res, rng)
        assert abs(cf2["mass_resolution_GeV"] / sig - 1) < 0.03 and abs(cf2["window_centre_GeV"] / m - 1) < 1e-3
        assert abs(cf2["efficiency"] - math.erf(k / math.sqrt(2))) < 0.01


def test_opening_and_threshold_cuts_against_closed_forms():
    rng = np.random.default_rng(9)
    n, m, E = 100_000, 0.1, 2.0
    codes, p4, d = _gg_sample(n, m, E, rng)
    exact = sel.Resolution(0, 0, 0, 0, 0, 0, photon_threshold=0, track_threshold=0)
    g, b = E / m, math.sqrt(1 - (m / E) ** 2)
    x = 0.15   # the opening-angle cut keeps 1 - c_x (previous test's closed form)
    cx = math.sqrt(1 - 2 / (g * g * (1 - math.cos(x)))) / b
    cf = sel.channel_cutflow(codes, p4, d, np.ones(n), sel.ChannelCuts(x, 10.0, 1.0), exact, rng, window=(m, 1e-6))
    assert abs(cf["seen_and_resolved"] - (1 - cx)) < 0.01
    assert cf["efficiency"] == pytest.approx(cf["seen_and_resolved"])       # exact m, exact pointing
    # photon energies flat in [E(1-b)/2, E(1+b)/2]: both above T with probability 1 - 2 (T - E(1-b)/2)/(E b)
    T = 0.5
    res = sel.Resolution(0, 0, 0, 0, 0, 0, photon_threshold=T, track_threshold=0)
    cf = sel.channel_cutflow(codes, p4, d, np.ones(n), sel.ChannelCuts(0, 10.0, 1.0), res, rng, window=(m, 1.0))
    assert abs(cf["seen_and_resolved"] - (1 - 2 * (T - E * (1 - b) / 2) / (E * b))) < 0.01


class _FlatFlux:
    flavours = ("nu_mu",)

    def __call__(self, E, flavour):
        return np.where((np.asarray(E) > 0.5) & (np.asarray(E) < 5.0), 1e-9, 0.0)


def test_nc_pi0_background_scales_with_pot_and_is_pi0_mass():
    kw = {"windows": [(0.135, 0.02), (0.5, 0.02)], "n": 4000, "seed": 3, "e_max": 5.0}
    a = sel.nc_pi0_background(_FlatFlux(), [("C12", 1e28)], pot=1e20, **kw)
    b = sel.nc_pi0_background(_FlatFlux(), [("C12", 1e28)], pot=3e20, **kw)
    assert a["produced"] > 0
    assert b["events"] == pytest.approx([3 * x for x in a["events"]], rel=1e-12)
    assert b["produced"] == pytest.approx(3 * a["produced"], rel=1e-12)
    # perfect resolution: every pi0 reconstructs at m_pi0, so the pi0 window holds all that point, the other none
    exact = sel.Resolution(0, 0, 0, 0, 0, 0, photon_threshold=0, track_threshold=0)
    c = sel.nc_pi0_background(_FlatFlux(), [("C12", 1e28)], pot=1e20, res=exact,
                              cuts=sel.ChannelCuts(0.0, 2.0, 0.3), **kw)
    assert c["events"][0] == pytest.approx(c["pointing"], rel=1e-12) and c["events"][1] == 0.0
    assert 0 < c["pointing"] < c["produced"]
    with pytest.raises(ConfigurationError):
        sel.nc_pi0_background(_FlatFlux(), [("C12", 1e28)], pot=0.0, **kw)


def test_tabulated_selection_in_the_limit_spec():
    from darkbeam.analysis.meson_limits import spec_at_mass, spec_from_search
    from darkbeam.analysis.searches import load_search
    from darkbeam.analysis.searches.schema import validate_search

    s = load_search("dune_ndgar_alp_selected")
    spec = spec_from_search("dune_ndgar_alp_selected")
    gg = next(ch.table for ch in s.spec.channels if ch.decay == "a -> gamma gamma")
    i = gg.masses_GeV.index(0.1)
    m = math.sqrt(gg.masses_GeV[i] * gg.masses_GeV[i + 1])   # log-midpoint: the mean of the two
    sm, bkg, err = spec_at_mass(spec, m)
    assert sm.efficiencies[("gamma", "gamma")] == pytest.approx(0.5 * (gg.efficiency[i] + gg.efficiency[i + 1]))
    assert bkg == pytest.approx(0.5 * (gg.background[i] + gg.background[i + 1]))
    assert ("mu+", "mu-") not in sm.efficiencies                   # closed at 0.14 GeV: no table needed
    sm, bkg, _ = spec_at_mass(spec, 0.3)
    assert sm.efficiencies[("mu+", "mu-")] > 0 and bkg == pytest.approx(gg.background[gg.masses_GeV.index(0.3)])
    with pytest.raises(ConfigurationError, match="outside the tabulated selection"):
        spec_at_mass(spec, 2.0)
    # the template without tables is unchanged
    t = spec_from_search("dune_nd_alp")
    assert spec_at_mass(t, 0.1)[0] is t
    raw = {"name": "x", "kind": "sensitivity", "particle": "alp", "description": "d", "citations": ["c"],
           "masses_GeV": [0.01, 1.0], "beam": "lbnf", "parents": ["gamma"], "parent_mode": "in-flight",
           "exposure": [{"mode": "FHC", "experiment": "dune_ndgar_fhc", "pot": 1e21}],
           "selection": {"kind": "cuts", "decay_volume": "v"},
           "channels": [{"decay": "a", "final_states": ["gamma gamma"],
                         "table": {"masses_GeV": [0.1, 0.05], "efficiency": [0.5, 0.5], "source": "s"}}]}
    with pytest.raises(ConfigurationError, match="increasing"):
        validate_search(raw)
    raw["channels"][0]["table"] = {"masses_GeV": [0.05, 0.1], "efficiency": [0.5, 1.5], "source": "s"}
    with pytest.raises(ConfigurationError, match="efficiency"):
        validate_search(raw)


def test_darkbeam_limit_uses_the_tabulated_selection():
    """Same events as the template (same seed, detector, exposure): every gamma gamma event's acceptance is the
    table's efficiency at that mass, the signal-count limit is the Poisson one of the table's background
    (its error as a Gaussian uncertainty), and the edges move inward: efficiency only, then background."""
    import dataclasses

    from darkbeam.analysis.meson_limits import limit_curve, spec_at_mass, spec_from_search
    from darkbeam.analysis.statistics import upper_limit

    kw = {"n": 400, "n_parents": 2**10, "seed": 2, "keep_events": True}
    # the template with the selected entry's source (first-generation photons; dune_nd_alp also has the shower's)
    base = limit_curve(dataclasses.replace(spec_from_search("dune_nd_alp"), parents=("gamma",)), [0.1], **kw)
    sel = spec_from_search("dune_ndgar_alp_selected")
    no_bkg = dataclasses.replace(sel, tables={d: (f, t.model_copy(update={"background": None, "background_error": None}))
                                              for d, (f, t) in sel.tables.items()})
    eff_only = limit_curve(no_bkg, [0.1], **kw)
    full = limit_curve(sel, [0.1], **{**kw, "keep_events": False})
    sm, b, db = spec_at_mass(sel, 0.1)
    eff = sm.efficiencies[("gamma", "gamma")]
    (_, _, ev0, acc0), = base["_events"]
    (_, _, ev1, acc1), = eff_only["_events"]
    assert len(ev0) == len(ev1) and np.allclose(acc1, eff * acc0, rtol=1e-12, atol=0)
    assert eff_only["signal_events_expected_per_mass"][0] == pytest.approx(-math.log(0.05), rel=1e-6)
    assert full["signal_events_expected_per_mass"][0] == pytest.approx(
        upper_limit(b, None, cl=0.95, sigma_background=db / b), rel=1e-9)
    assert base["expected"][0] < eff_only["expected"][0] < full["expected"][0]
    # long lifetimes: N ~ g^4, so the lower edge moves by about eff^(-1/4)
    assert eff_only["expected"][0] / base["expected"][0] == pytest.approx(eff ** -0.25, rel=0.08)
