"""Meson-decay events: exact coupling reweighting, event files (parquet, NuHepMC, HEPEVT), three-body
production (second companion), placements in beam frames, decay volumes, bad input."""

from __future__ import annotations


import numpy as np
import pytest

from darkbeam.detectors.catalog import experiment_from_dict, load_experiment
from darkbeam.detectors.placement import placement
from darkbeam.detectors.shapes import Box
from darkbeam.errors import ConfigurationError
from darkbeam.events import EventSet, read_parquet, write
from darkbeam.models.parameters import ModelParameters
from darkbeam.processes.meson_decay import llp_is_antiparticle, rescale, simulate
from meson_doubles import experiment_with, k_mu_n, k_pi0_mu_n, kaons_along_z

M4 = 0.3


@pytest.fixture(scope="module")
def exp():
    return experiment_with(Box((400.0, 400.0, 500.0)), baseline=11000.0, pot=1e20)


def _gen(exp, U, seed=2, n=400, channels=None, m4=M4):
    params = ModelParameters(m4=m4, Umu4=U)
    return simulate(params, exp, channels or [k_mu_n(m4, br=1e-6 * (U / 1e-3) ** 2)],
                    {"K+": kaons_along_z(40, 3.0)}, n=n, rng=np.random.default_rng(seed))


def test_weights_scale_exactly_with_the_coupling(exp):
    """Reweighting |U_mu4| 1e-3 -> 3e-3 reproduces generation at 3e-3 (same seed: same kinematics):
    w_rate by (U'/U)^2 exactly, p_decay over the stored segments with the new c tau."""
    a, b = _gen(exp, 1e-3), _gen(exp, 3e-3)
    r = a.reweight({"Umu4": 3e-3}, positions=False)
    np.testing.assert_allclose(r["w_rate"], b["w_rate"], rtol=1e-13, atol=0)
    np.testing.assert_allclose(r["p_decay"], b["p_decay"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(r["ctau"], b["ctau"], rtol=1e-13, atol=0)
    np.testing.assert_allclose(r.w, b.w, rtol=1e-12, atol=0)
    assert r.meta["model"]["Umu4"] == 3e-3
    assert r.meta["production"][0]["br"] == pytest.approx(9e-6, rel=1e-13)
    # with the positions reweighted too, the total is the same and the decay points keep theirs
    rp = a.reweight({"Umu4": 3e-3})
    assert rp.w.sum() == pytest.approx(b.w.sum(), rel=0.05)
    np.testing.assert_array_equal(rp["l_decay"], a["l_decay"])
    # long-lived regime: w ~ U^2 (production) x U^2 (1/L)
    assert r.w.sum() / a.w.sum() == pytest.approx(81.0, rel=1e-3)


def test_rescale_production_and_ctau(exp):
    a = _gen(exp, 1e-3)
    r = rescale(a, production={"K+ -> mu+ N4": 2.0}, ctau=a["ctau"][0] / 4, positions=False)
    np.testing.assert_allclose(r["w_rate"], 2 * a["w_rate"], rtol=1e-15, atol=0)
    L = np.linalg.norm(a.p3("hnl"), axis=1) / M4 * a["ctau"][0] / 4
    ref = -np.exp(-a["l1"] / L) * np.expm1(-(a["l2"] - a["l1"]) / L)  # exp(-l1/L) - exp(-l2/L), no cancellation
    np.testing.assert_allclose(r["p_decay"], ref, rtol=1e-12, atol=0)
    with pytest.raises(ConfigurationError):
        rescale(a, production={"K- -> mu- N4": 2.0})
    with pytest.raises(ConfigurationError, match="masses"):
        a.reweight({"m4": 0.31})


def test_files_round_trip(exp, tmp_path, monkeypatch):
    """parquet equal; HepMC3 (both writer paths, same bytes) and HEPEVT read back by pyhepmc with the
    parent (status 4), its decay point, N (status 2) and its decay vertex."""
    import pyhepmc

    import darkbeam.events.hepmc as H

    es = _gen(exp, 1e-3, n=30)
    write(es, tmp_path / "e.parquet")
    assert read_parquet(tmp_path / "e.parquet").equals(es)
    texts = []
    for jit_min in (float("inf"), 0):
        monkeypatch.setattr(H, "JIT_MIN_EVENTS", jit_min)
        write(es, tmp_path / "e.hepmc3")
        texts.append((tmp_path / "e.hepmc3").read_bytes())
    assert texts[0] == texts[1]
    write(es, tmp_path / "e.hepevt")
    vd = es.vertex("decay")
    with pyhepmc.open(tmp_path / "e.hepmc3") as f:
        events = list(f)
    assert len(events) == len(es)
    for i, ev in enumerate(events[:5]):
        parts = ev.particles
        assert [p.pid for p in parts[:3]] == [321, 5914, -13] and [p.status for p in parts[:3]] == [4, 2, 1]
        v1, v2 = ev.vertices[0], ev.vertices[1]
        assert [v1.position.x, v1.position.y, v1.position.z] == [es["x"][i], es["y"][i], es["z"][i]]
        np.testing.assert_allclose([v2.position.x, v2.position.y, v2.position.z], vd[i, :3], rtol=0, atol=0)
        assert v2.particles_in[0].pid == 5914 and ev.weights[0] == es.w[i]
        p = parts[1].momentum
        np.testing.assert_allclose([p.px, p.py, p.pz], es.p3("hnl")[i], rtol=0, atol=0)
    with pyhepmc.open(tmp_path / "e.hepevt", format="hepevt") as f:
        ev = f.read()
    assert [p.pid for p in ev.particles][:3] == [321, 5914, -13]
    assert ev.particles[3].production_vertex.position.z == pytest.approx(vd[0, 2] * 10, rel=1e-15)  # mm


def test_three_body_production_keeps_both_companions(exp, tmp_path):
    es3 = _gen(exp, 1e-3, n=200, channels=[k_pi0_mu_n(0.2)], m4=0.2)
    assert es3.has_recoil2
    assert es3.check_kinematics()["primary"] < 1e-12
    assert (es3.pdg("recoil2") == -13).all() and (es3.pdg("recoil") == 111).all()
    es2 = _gen(exp, 1e-3, n=50, m4=0.2)
    both = EventSet.concat([es2, es3], meta=es3.meta)
    assert both.has_recoil2 and not both.p3("recoil2")[: len(es2)].any()
    write(both, tmp_path / "b.parquet")
    assert read_parquet(tmp_path / "b.parquet").equals(both)
    import pyhepmc

    write(es3, tmp_path / "b.hepmc3")
    with pyhepmc.open(tmp_path / "b.hepmc3") as f:
        ev = f.read()
    assert [p.pid for p in ev.particles[:4]] == [321, 5914, 111, -13]
    assert len(ev.vertices[0].particles_out) == 3


def test_antiparticle_rule():
    from darkbeam.physics.production.channel import ProductionChannel

    dirac, maj = ModelParameters(m4=M4, Umu4=1e-3), ModelParameters(m4=M4, Umu4=1e-3, HNLtype="majorana")
    kp = k_mu_n(M4)
    km = ProductionChannel("K-", ("mu-", "N4"), "N4", 1e-20, 1e-6, (("Umu4", 2),), kp.sampler)
    assert not llp_is_antiparticle(kp, dirac) and llp_is_antiparticle(km, dirac)
    assert not llp_is_antiparticle(km, maj)


def test_microboone_in_the_numi_frame_maps_the_numi_target():
    """The NuMI origin, seen from MicroBooNE, lies at (-31387.58, -3316.40, -60100.24) cm in MicroBooNE
    coordinates (the TPC corner): independent numbers of MicroBooNE's NuMI tools."""
    p = placement("microboone", "numi")
    tpc_centre = np.array([128.175, 0.0, 518.4])
    np.testing.assert_allclose(p.points_to_detector([[0.0, 0.0, 0.0]])[0] + tpc_centre,
                               [-31387.58422, -3316.402543, -60100.2414], rtol=0, atol=1e-2)
    np.testing.assert_allclose(p.axes @ p.axes.T, np.eye(3), rtol=0, atol=1e-15)
    assert p.distance == pytest.approx(68402.2, rel=1e-6)
    with pytest.raises(ConfigurationError, match="no placement in the frame of beam 'jparc'"):
        placement("microboone", "jparc")


def test_default_placement_agrees_with_the_source_position():
    for key in ("nd280_fhc", "ps191", "microboone"):
        exp = load_experiment(key)
        own = placement(exp, exp.beam_frame)
        np.testing.assert_allclose(own.points_to_detector([[0.0, 0.0, 0.0]])[0], exp.source_position,
                                   rtol=1e-13, atol=1e-9)
        assert own.angle == pytest.approx(exp.off_axis_angle, rel=1e-12, abs=1e-15)


def test_nd280_decays_only_in_its_three_tpcs():
    exp = load_experiment("nd280_fhc")
    vol = exp.decay_volume
    a, b = vol.segments(np.array([[0.0, 0.0, -2000.0]]), np.array([[0.0, 0.0, 1.0]]))
    hit = b > a
    assert hit.sum() == 3 and np.sum((b - a)[hit]) == pytest.approx(3 * 72.0, rel=1e-12)
    assert vol.volume == pytest.approx(3 * 174.0 * 204.0 * 72.0, rel=1e-12) and vol.volume < 0.1 * exp.detector.volume
    for key in ("ps191", "microboone", "sbnd", "icarus", "nd280_rhc"):
        assert "decay_volume" in load_experiment(key).geometry


def test_bad_input(exp):
    params = ModelParameters(m4=M4, Umu4=1e-3)
    with pytest.raises(ConfigurationError, match="n must be"):
        simulate(params, exp, [k_mu_n(M4)], {"K+": kaons_along_z(5, 3.0)}, n=0, rng=np.random.default_rng(0))
    with pytest.raises(ConfigurationError, match="beam 'numi'"):
        simulate(params, exp, [k_mu_n(M4)], {"K+": kaons_along_z(5, 3.0, beam="numi")}, n=5,
                 rng=np.random.default_rng(0))
    raw = {"name": "x", "flux": {"path": __file__, "normalisation": 1.0}, "exposure": {"pot": 1.0},
           "beam": {"baseline": 100.0, "frame": "bnb"}, "targets": {"Ar40": 1.0},
           "geometry": {"detector": {"shape": "box", "size": [1, 1, 1]}},
           "placement": {"numi": {"center": [0, 0, 1], "axes": [[1, 0, 0], [0, 1, 0], [0, 1, 0]]}}}
    with pytest.raises(ConfigurationError, match=r"x.toml: \[placement.numi\]: axes must be three orthonormal"):
        experiment_from_dict(raw, "x", "x.toml")
    raw["placement"]["numi"]["axes"] = [[1, 0, 0], [0, 1, 0], [0, 0, -1]]
    with pytest.raises(ConfigurationError, match="right-handed"):
        experiment_from_dict(raw, "x", "x.toml")
    raw["placement"]["numi"] = {"centre": [0, 0, 1]}
    with pytest.raises(ConfigurationError, match="unknown key 'centre'"):
        experiment_from_dict(raw, "x", "x.toml")


def test_kaon_decay_at_rest_in_the_numi_absorber_reaches_microboone():
    """K+ -> pi+ h' at rest 725 m down the NuMI axis, MicroBooNE placed in the NuMI frame: monoenergetic
    scalars, E = (M_K^2 + m_S^2 - m_pi^2)/(2 M_K), arriving from the absorber's direction ~100 m away."""
    from darkbeam.physics.particles import mass_of
    from darkbeam.physics.production.channel import ProductionChannel
    from meson_doubles import M_K, kaons_at_rest, two_body_sampler

    mS, mpi = 0.2, mass_of("pi+")
    params = ModelParameters(mhprime=mS, theta=1e-4)
    ch = ProductionChannel("K+", ("pi+", "hprime"), "hprime", 1e-20, 1e-9, (("theta", 2),),
                           two_body_sampler(M_K, mpi, mS), "test double")
    absorber = (0.0, 0.0, 72500.0)
    es = simulate(params, "microboone", [ch], {"K+": kaons_at_rest(10, beam="numi", at=absorber)}, n=500,
                  rng=np.random.default_rng(2))
    np.testing.assert_allclose(es.energy("hnl"), (M_K**2 + mS**2 - mpi**2) / (2 * M_K), rtol=1e-12, atol=0)
    src = placement("microboone", "numi").points_to_detector([absorber])[0]
    np.testing.assert_allclose(np.stack([es["x"], es["y"], es["z"]], 1), np.broadcast_to(src, (len(es), 3)),
                               rtol=0, atol=1e-9)
    assert 100e2 < np.linalg.norm(src) < 106e2
    mean_dir = es.p3("hnl").sum(0) / np.linalg.norm(es.p3("hnl").sum(0))
    assert mean_dir @ (-src / np.linalg.norm(src)) > 0.999
    assert es.channels[0].name == "hprime -> e- e+" and es.w.sum() > 0
