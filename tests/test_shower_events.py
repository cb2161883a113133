"""Dark vectors of a proton target's photon showers as events (processes/shower_llp.py), the lateral surface
of the target (sources/shower/proton_dump.py) and the DUNE ND dark-photon projection (docs/shower_events.md)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.cli.main import main
from darkbeam.detectors import load_experiment
from darkbeam.detectors.placement import placement
from darkbeam.models import load_model
from darkbeam.physics.shower.materials import shower_material
from darkbeam.sources.shower.proton_dump import _basis, path_in_target
from darkbeam.sources.shower.transport import ShowerSimulator


def _photons_in_rod(radius, theta, n=600, seed=3):
    sim = ShowerSimulator(shower_material("graphite"), "gamma", 1.0, cut=0.01, thickness=400.0)
    if radius is not None:
        R = _basis(np.array([math.sin(theta), 0.0, math.cos(theta)]))
        sim.boundary = lambda pos, u: path_in_target(pos @ R.T, u @ R.T, -1.0, 402.0, radius)
    return sim, sim.run(n, seed=seed)


def test_lateral_surface_escape_probability_is_the_exponential_law():
    # photons of 1 GeV leaving the axis of a graphite rod at theta: the primary crosses the side after
    # d = R / sin(theta); it leaves with all its energy untouched with probability exp(-Sigma d)
    radius, theta = 0.8, 0.1
    sim, r = _photons_in_rod(radius, theta)
    sigma = float(sim.tables.grid.interp(sim.tables.photon_total, np.array([1.0]))[0])
    p = math.exp(-sigma * radius / math.sin(theta))
    untouched = np.mean(np.isclose(r.escaped, 1.0, rtol=1e-12, atol=0))
    assert untouched == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / r.n))
    # energy ledger still closes; the side takes most of the energy of a shower in a thin rod
    np.testing.assert_allclose(r.deposited + r.below_cut + r.escaped + r.rest_mass, r.T0, rtol=0, atol=1e-10)
    _, wide = _photons_in_rod(None, theta)
    assert r.escaped.mean() > 0.5 > wide.escaped.mean()


def test_far_lateral_surface_changes_nothing():
    sim = ShowerSimulator(shower_material("graphite"), "gamma", 1.0, cut=0.01, thickness=60.0)
    a = sim.run(40, seed=5)
    sim.boundary = lambda pos, u: np.full(len(pos), 1e9)
    b = sim.run(40, seed=5)
    np.testing.assert_array_equal(a.escaped, b.escaped)
    np.testing.assert_array_equal(a.track_length, b.track_length)


@pytest.fixture(scope="module")
def shower_run():
    from darkbeam.processes.shower_llp import run_shower_events

    params = load_model(None, {"mzprime": 0.03, "epsilon": 1e-9}, base={"name": "dp"})
    return run_shower_events(params, "dune_nd_fhc", n=3000, seed=2, showers=8, vectors=20000, min_energy=0.2)


def test_shower_events_weights_count_the_vectors_toward_the_detector(shower_run):
    from darkbeam.processes.shower_llp import CHANNEL_NAME, shower_sample

    ev = shower_run.events
    names = [c.name for c in ev.cases]
    assert names[-1] == CHANNEL_NAME and "pi0 -> gamma zprime" in names
    k = names.index(CHANNEL_NAME)
    sel = np.asarray(ev["case"]) == k
    sample, info = shower_sample("lbnf", 0.03, showers=8, vectors=20000, seed=2, min_energy=0.2)
    assert sample.decays_per_pot == pytest.approx(info["yield_per_pot"], rel=1e-12, abs=0)
    # independent: the fraction of sample vectors whose line crosses the 7 x 3 x 5 m box (slab method)
    exp = load_experiment("dune_nd_fhc")
    pl = placement(exp, "lbnf")
    x0 = pl.points_to_detector(sample.position)
    u = pl.vectors_to_detector(sample.p4[:, 1:])
    u /= np.linalg.norm(u, axis=1)[:, None]
    half = np.array([350.0, 150.0, 250.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (-half - x0) / u, (half - x0) / u
    tin = np.nanmax(np.minimum(t1, t2), axis=1)
    tout = np.nanmin(np.maximum(t1, t2), axis=1)
    frac = np.mean((tout > np.maximum(tin, 0)))
    expected = 1e22 * 1e-18 * sample.decays_per_pot * frac
    got = float(ev["w_rate"][sel].sum())
    assert got == pytest.approx(expected, rel=5 * math.sqrt((1 - frac) / (3000 * frac)), abs=0)


def test_shower_events_reweight_exactly_in_epsilon(shower_run, tmp_path):
    from darkbeam.events import read, write
    from darkbeam.processes.meson_decay import reweight

    ev = shower_run.events
    # long lifetimes at 574 m: N ~ eps^4 (production eps^2, decay probability eps^2)
    up = reweight(ev, {"epsilon": 2e-9})
    assert up.w.sum() / ev.w.sum() == pytest.approx(16.0, rel=1e-3, abs=0)
    # short lifetimes: the survival over 574 m closes the region (upper edge)
    assert reweight(ev, {"epsilon": 1e-4}).w.sum() < 1e-6 * ev.w.sum()
    path = tmp_path / "ev.parquet"
    write(ev, path)
    back = read(path)
    assert back.w.sum() == pytest.approx(ev.w.sum(), rel=1e-12, abs=0)


def test_reweight_command_takes_meson_decay_files(shower_run, tmp_path, capsys):
    from darkbeam.events import write
    from darkbeam.processes.meson_decay import reweight

    ev = shower_run.events
    path = tmp_path / "ev.parquet"
    write(ev, path)
    assert main(["reweight", str(path), "--set", "epsilon=3e-9", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["decays_in_volume_new"] == pytest.approx(float(reweight(ev, {"epsilon": 3e-9}).w.sum()), rel=1e-12, abs=0)
    assert main(["reweight", str(path), "--set", "mzprime=0.05"]) != 0
    err = capsys.readouterr().err
    assert "keeps the masses" in err and len(err.strip().splitlines()) == 1


def test_dune_projection_per_source_and_limit_cli(capsys):
    from darkbeam.analysis.proton_dump import projection

    out = projection("dune_nd_dark_photon", [0.05], n=400, seed=1, showers=6)
    r = out["sources"][0]
    lo = {s: r[s][0] for s in ("total", "direct", "shower", "bremsstrahlung")}
    assert all(v is not None and 1e-10 < v < 1e-6 for v in lo.values())
    # the total signal is the sum of the three: its lower edge lies below each source's alone
    assert lo["total"] <= min(lo["direct"], lo["shower"], lo["bremsstrahlung"]) * (1 + 1e-9)
    assert main(["limit", "dune_nd_dark_photon", "--masses", "0.05", "--events", "400", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["parameter"] == "epsilon" and d["limit"][0] is not None and d["cl"] == 0.9


@pytest.mark.parametrize("argv, message", [
    (["shower", "--experiment", "dune_nd_fhc", "--dark-mass", "0.03"], "--experiment needs --beam"),
    (["shower", "--beam", "lbnf", "--dark-mass", "0.03", "-o", "x.parquet"], "options of the shower events"),
    (["shower", "--beam", "lbnf", "--experiment", "dune_nd_fhc", "--dark-mass", "0.03", "--epsilon", "2"], "--epsilon"),
    (["shower", "--beam", "lbnf", "--experiment", "dune_nd_fhc"], "--dark-mass"),
    (["shower", "--beam", "lbnf", "--experiment", "nosuch", "--dark-mass", "0.03"], "nosuch"),
    (["shower", "--beam", "lbnf", "--experiment", "dune_nd_fhc", "--dark-mass", "0.03", "-f", "root", "-o", "x"], "--format"),
])
def test_shower_events_cli_errors_are_one_line(capsys, argv, message):
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1


E137_TOML = """name = "E137 decay region (test)"
description = "the 3 m x 3 m x 204 m open decay region of SLAC E137 behind its 179 m shield"
citations = ["arXiv:0906.0580"]
[flux]
name = "DUNE_ND_FHC"
normalisation = 1.0
[exposure]
pot = 1.87e20
[beam]
baseline = 28100.0
frame = "e137"
[targets]
He4 = 1.0
[geometry]
status = "approximate"
[geometry.detector]
shape = "box"
size = [300.0, 300.0, 20400.0]
"""


@pytest.mark.parametrize("eps", [1e-7, 3e-6])
def test_shower_channel_events_reproduce_the_e137_signal(tmp_path, eps):
    # independent implementations of the same signal: analysis/beam_dump.signal_events (the analytic sum over
    # vectors, validated against the published E137 band) and the EventSet path (ShowerChannel through
    # meson_decay.simulate, detectors/flight.py segments), on the same electron-dump dark vectors
    from darkbeam.analysis.beam_dump import GEOMETRIES, dark_vector_sample, signal_events
    from darkbeam.processes.meson_decay import simulate
    from darkbeam.processes.shower_llp import ShowerChannel
    from darkbeam.sources.parents.sample import ParentSample

    g, m = GEOMETRIES["e137"], 0.03
    s = dark_vector_sample(g, m, showers=4, vectors=20000, seed=1, min_energy=1.0)
    (tmp_path / "e137.toml").write_text(E137_TOML)
    exp = load_experiment(str(tmp_path / "e137.toml"))
    ps = ParentSample(species="zprime", p4=np.column_stack([s.E, s.p_abs[:, None] * s.direction]), position=s.pos,
                      time=np.zeros(len(s.E)), weight=s.weight, beam="e137", origin="E137 showers")
    params = load_model(None, {"mzprime": m, "epsilon": eps}, base={"name": "dp"})
    ch = ShowerChannel(br=eps**2, scaling=(("epsilon", 2),), mass=m)
    ev = simulate(params, exp, [ch], {ch.sample_key: ps}, n=80000, rng=np.random.default_rng(3))
    # beam_dump's acceptance: V's line crosses the 3 m x 3 m face at 383 m, E_V above 1 GeV
    x0, u = ev.vertex("interaction")[:, :3], ev.p3("hnl")
    xf = x0 + u * ((10200.0 - x0[:, 2]) / u[:, 2])[:, None]
    acc = (np.abs(xf[:, 0]) <= 150) & (np.abs(xf[:, 1]) <= 150) & (ev.energy("hnl") > 1.0)
    w = ev.w * acc
    got = float(w.sum())
    ref = float(signal_events(s, g, [eps], 1.87e20, energy_cut=1.0)[0])  # BR_vis = 1 at 30 MeV
    err = float(np.sqrt(np.sum(w * w))) / got
    assert got == pytest.approx(ref, rel=4 * err + 1e-3, abs=0)
