"""Primakoff ALPs of the target's shower photons (sources/shower/primakoff_shower.py, docs/alps.md "Shower
photons"): the track-length closed form, the thin-target limit, no double counting of the primary photon,
g_agg^2 scaling and the plumbing into simulate_alps and dune_nd_alp."""

import math

import numpy as np
import pytest

from darkbeam.models import ModelParameters

M_A = 0.1


@pytest.fixture(scope="module")
def tables():
    from darkbeam.sources.parents.primakoff import primakoff_tables

    return primakoff_tables("lbnf", M_A)


def _slab(E, L, n, seed, cut=0.03):
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.shower.transport import ShowerSimulator

    sim = ShowerSimulator(shower_material("graphite"), "gamma", E, cut=cut, thickness=L, record_segments=True)
    return sim, sim.run(n, seed=seed)


def test_segments_against_track_length_histogram(tables):
    """n_atoms sum_segments sigma_P(k) l (the source's estimator, primary included) against the closed form of
    benchmarks/alp_shower_photons.py, n_atoms sum_cells T_gamma(E_cell) sigma_P(E_cell) from the transport's
    track-length histogram (same showers): equal up to the energy binning (16 cells per e-fold)."""
    from darkbeam.sources.shower.primakoff_shower import photon_segments

    sim, r = _slab(10.0, 220.0, 6, seed=3)
    d = photon_segments(r.track_segments)
    seg_yield = tables.n_atoms * float(np.sum(tables.sigma(d["k"]) * d["length"])) / r.n
    grid = sim.tables.grid
    hist_yield = tables.n_atoms * float(np.sum(r.track_hist[0] / r.n * tables.sigma(grid.T * math.exp(0.5 * grid.h))))
    assert seg_yield == pytest.approx(hist_yield, rel=0.01, abs=0)
    # a thick target: the shower generations are several times the primary's own flight (docs/alps.md)
    prim = tables.n_atoms * float(np.sum(tables.sigma(d["k"][d["primary"]]) * d["length"][d["primary"]])) / r.n
    assert seg_yield / prim > 3.0
    assert d["primary"].sum() == r.n   # one first flight per shower


def test_thin_target_limit_is_first_generation(tables):
    """L = 0.5 cm of graphite (0.012 X0): the primary flights give PR1, sigma_P/sigma_tot (1 - exp(-L/lambda))
    ~ n sigma_P L, and the shower generations vanish (< 2 % of it)."""
    from darkbeam.sources.shower.primakoff_shower import photon_segments

    E, L = 10.0, 0.5
    _, r = _slab(E, L, 4000, seed=4)
    d = photon_segments(r.track_segments)
    y = tables.n_atoms * tables.sigma(d["k"]) * d["length"]
    per = np.bincount(d["shower"], weights=np.where(d["primary"], y, 0.0), minlength=r.n)
    first = float(tables.sigma(np.array([E]))[0] * tables.n_atoms * tables.lam_cm * -math.expm1(-L / tables.lam_cm))
    assert per.mean() == pytest.approx(first, rel=4 * per.std() / math.sqrt(r.n) / first + 0.02, abs=0)
    assert float(y[~d["primary"]].sum()) / r.n < 0.02 * first


@pytest.fixture(scope="module")
def src(tables):
    from darkbeam.sources.shower.primakoff_shower import primakoff_shower_source

    return primakoff_shower_source("lbnf", M_A, showers=48, seed=2, tables=tables)


def test_primary_flights_excluded_and_equal_to_first_generation(src, tables):
    """No double counting: the source leaves out the primary photons' first flights; with them it grows by
    exactly their yield, which agrees with the first-generation source (PR1) within the shower-to-shower error."""
    from darkbeam.sources.parents.primakoff import primakoff_source
    from darkbeam.sources.shower.primakoff_shower import primakoff_shower_source

    whole = primakoff_shower_source("lbnf", M_A, showers=48, seed=2, tables=tables, include_primary=True)
    info = src.info
    assert whole.decays_per_pot - src.decays_per_pot == pytest.approx(info["primary_flights_per_pot_g1"], rel=1e-9, abs=0)
    first = primakoff_source("lbnf", M_A, n=2**11).decays_per_pot
    assert abs(info["primary_flights_per_pot_g1"] - first) < 3.0 * info["primary_flights_error_g1"] + 0.03 * first
    assert 0 < info["yield_rel_error"] < 0.5 and info["yield_per_pot_g1"] == src.decays_per_pot


def test_draw_kinematics(src):
    d = src.draw(5000, np.random.default_rng(1))
    assert d["weight"].sum() == pytest.approx(src.decays_per_pot, rel=1e-12, abs=0)
    k4 = d["k4"]
    m2 = k4[:, 0] ** 2 - np.einsum("ij,ij->i", k4[:, 1:], k4[:, 1:])
    np.testing.assert_allclose(m2, M_A**2, rtol=1e-8, atol=1e-10)
    assert np.all(k4[:, 0] > M_A)
    tg = src.tables.target   # conversion points inside the target's cylinder
    r = np.hypot(d["pos"][:, 0], d["pos"][:, 1])
    assert np.all(r <= tg.radius_cm * (1 + 1e-6))
    assert np.all((d["pos"][:, 2] >= tg.z_start_cm - 1e-6) & (d["pos"][:, 2] <= tg.z_start_cm + tg.length_cm + 1e-6))


def test_simulate_alps_shower_channel_and_g2_scaling():
    """simulate_alps(shower=True) adds the shower channel beside the first-generation one, with its source_info
    (yield, shower-to-shower error); doubling g_agg multiplies its production by 4 exactly (br = g^2) and
    reweighting reproduces the rates."""
    import darkbeam
    from darkbeam.processes.alp_primakoff import CHANNEL_NAME, SHOWER_CHANNEL_NAME
    from darkbeam.processes.meson_decay import reweight

    runs = [darkbeam.simulate_alps({"ma": M_A, "g_agg": g}, "dune_nd_fhc", n=300, seed=5, n_parents=2**10)
            for g in (1e-5, 2e-5)]
    rows = [{c["channel"]: c for c in r.summary["channels"]} for r in runs]
    assert set(rows[0]) == {CHANNEL_NAME, SHOWER_CHANNEL_NAME}
    sh = rows[0][SHOWER_CHANNEL_NAME]
    assert sh["source_info"]["yield_rel_error"] > 0 and sh["llps_produced"] > 0
    assert rows[1][SHOWER_CHANNEL_NAME]["llps_produced"] == pytest.approx(4 * sh["llps_produced"], rel=1e-12, abs=0)
    ev0 = runs[0].events
    case = np.asarray(ev0["case"])
    i = [c.name for c in ev0.cases].index(SHOWER_CHANNEL_NAME)
    new = reweight(ev0, {"g_agg": 2e-5}, positions=False)
    np.testing.assert_allclose(np.asarray(new["w_rate"])[case == i], 4 * np.asarray(ev0["w_rate"])[case == i], rtol=1e-12)
    off = darkbeam.simulate_alps({"ma": M_A, "g_agg": 1e-5}, "dune_nd_fhc", n=300, seed=5, n_parents=2**10, shower=False)
    assert [c["channel"] for c in off.summary["channels"]] == [CHANNEL_NAME]


def test_dune_nd_alp_names_the_shower_source():
    from darkbeam.analysis.meson_limits import spec_from_search
    from darkbeam.processes.alp_primakoff import SHOWER_CHANNEL_NAME
    from darkbeam.processes.meson_run import ALP_SHOWER_PARENT, meson_channels

    spec = spec_from_search("dune_nd_alp")
    assert ALP_SHOWER_PARENT in spec.parents
    p = ModelParameters.from_dict({"ma": M_A, "g_agg": 1e-6})
    names = [c.name for c in meson_channels(p, parents=list(spec.parents), particle="alp")]
    assert names.count(SHOWER_CHANNEL_NAME) == 1 and len(names) == 2
