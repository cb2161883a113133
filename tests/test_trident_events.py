"""Weighted trident events (processes/trident_events.py, ``darkbeam generate --process trident``).

Main check: the event weights are an independent Monte Carlo estimate of the rate (vegas maps adapted
here with a tiny budget, the integrand evaluated at each event's own energy), so their sum must agree
with the quadrature of flux x tabulated sigma(E) x nuclei x POT (trident_xsec, built with its own vegas
runs) within the MC error.  Kinematics: exact four-momentum conservation, on-shell masses, and the
stored s_hat, Q^2 equal to the invariants of the lab four-momenta."""

import json

import numpy as np
import pytest

from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.processes.trident_events import simulate_trident

MUMU = "nu_mu -> nu_mu mu+ mu-"
EE = "nu_mu -> nu_mu e+ e-"


def _mass2(p):
    return p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1)


@pytest.fixture(scope="module")
def mumu():
    return simulate_trident("dune_nd_fhc", MUMU, n=3000, rng=np.random.default_rng(7), neval=2000, nitn=4, n_bins=3)


@pytest.mark.requires_data("DUNE_ND_FHC")
@pytest.mark.parametrize("channel, regime", [(MUMU, "coherent"), (EE, "diffractive")])
def test_weight_sum_equals_flux_times_tabulated_sigma(channel, regime):
    res = simulate_trident("dune_nd_fhc", channel, regime=regime, n=3000, rng=np.random.default_rng(3), neval=2000,
                           nitn=4, n_bins=3)
    (s,) = res["summary"]
    assert s["mc_events"] == pytest.approx(float(res["w"].sum()), rel=1e-12, abs=0)
    assert 0 < s["mc_err"] < 0.06 * s["mc_events"]
    # 4 sigma of the events' MC error plus 2% for the table's own vegas error and interpolation
    assert abs(s["mc_events"] - s["events"]) < 4.0 * s["mc_err"] + 0.02 * s["events"]
    assert np.all(res["w"] > 0) and np.all(np.isfinite(res["w"]))


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_kinematics_conserve_four_momentum_and_are_on_shell(mumu):
    M = mumu["targets"][0]["mass"]
    E = mumu["E"]
    pin = mumu["p_nu"] + np.array([M, 0.0, 0.0, 0.0])
    pout = mumu["p_nu_out"] + mumu["p_l1"] + mumu["p_l2"] + mumu["p_recoil"]
    np.testing.assert_allclose((pin - pout) / E[:, None], 0.0, rtol=0, atol=1e-9)
    mmu = 0.1056583755
    np.testing.assert_allclose(np.sqrt(_mass2(mumu["p_l1"])), mmu, rtol=1e-7, atol=0)
    np.testing.assert_allclose(np.sqrt(_mass2(mumu["p_l2"])), mmu, rtol=1e-7, atol=0)
    np.testing.assert_allclose(_mass2(mumu["p_nu_out"]) / E**2, 0.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.sqrt(_mass2(mumu["p_recoil"])), M, rtol=1e-7, atol=0)
    # stored invariants: s_hat = (k2 + p1 + p2)^2, Q^2 = -(p_recoil - P)^2
    X = mumu["p_nu_out"] + mumu["p_l1"] + mumu["p_l2"]
    np.testing.assert_allclose(_mass2(X), mumu["s_hat"], rtol=1e-6, atol=0)
    q = X - mumu["p_nu"]
    np.testing.assert_allclose(-_mass2(q) / E**2, mumu["Q2"] / E**2, rtol=0, atol=1e-9)
    assert np.all(mumu["s_hat"] >= (2 * mmu) ** 2 * (1 - 1e-12))
    # the neutrino beam is along +z: the lepton system keeps a positive longitudinal momentum
    assert np.all(X[:, 3] > 0)


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_same_seed_same_events():
    a = simulate_trident("dune_nd_fhc", MUMU, n=200, rng=np.random.default_rng(5), neval=500, nitn=2, n_bins=2)
    b = simulate_trident("dune_nd_fhc", MUMU, n=200, rng=np.random.default_rng(5), neval=500, nitn=2, n_bins=2)
    c = simulate_trident("dune_nd_fhc", MUMU, n=200, rng=np.random.default_rng(6), neval=500, nitn=2, n_bins=2)
    for k in ("w", "E", "p_l1", "p_recoil"):
        assert np.array_equal(a[k], b[k])
    assert not np.array_equal(a["E"], c["E"])


def test_bad_input_is_one_clear_error():
    with pytest.raises(ConfigurationError, match="unknown trident channel"):
        simulate_trident("dune_nd_fhc", "nu_mu -> nu_mu tau+ tau-", rng=np.random.default_rng(1))
    with pytest.raises(ConfigurationError, match="at least 2"):
        simulate_trident("dune_nd_fhc", MUMU, n=1, rng=np.random.default_rng(1))
    with pytest.raises(ConfigurationError, match="neval"):
        simulate_trident("dune_nd_fhc", MUMU, neval=0, rng=np.random.default_rng(1))


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_cli_json(capsys):
    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", "--channel", MUMU,
                         "-n", "100", "--seed", "3", "--json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert (d["process"], d["channel"], d["regime"], d["events"]) == ("trident", MUMU, "coherent", 100)
    (s,) = d["cases"]
    assert abs(s["mc_events"] - s["events"]) < 5.0 * s["mc_err"] + 0.02 * s["events"]
    assert d["caveats"] == [] and d["model"]["name"] == "standard_model"  # no stand-ins left (vertex, recoil)


@pytest.mark.parametrize("argv, message", [
    ([], "needs --channel"),
    (["--channel", "nu_mu -> mu+ mu-"], "unknown trident channel"),
    (["--channel", MUMU, "--regime", "coherent", "--regime", "diffractive"], "one --regime"),
    (["--channel", MUMU, "--regime", "p-el"], "one --regime"),
    (["--channel", MUMU, "-n", "10"], "at least 100"),
    (["--channel", MUMU, "-f", "hepmc3"], "give --output too"),
    (["--channel", MUMU, "-o", "{tmp}/x.parquet", "-f", "root"], "--format"),
    (["--channel", MUMU, "--set", "mzprime=0.1,zprime_charge=B-L,gX=1e-4"], "tridents take a Z' of"),
    (["--channel", "nu_mu -> mu- e+ nu_e", "--set", "mzprime=0.1,zprime_charge=Lmu-Ltau,gX=1e-4"],
     "does not contribute to the charged-current channel"),
])
def test_cli_bad_input(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert code != 0 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.parquet").exists()


def test_cli_channel_needs_trident(capsys):
    code, out, err = run(capsys, "generate", "--process", "nu-e", "--channel", MUMU)
    assert code != 0 and "--channel is an option of --process trident" in err


def test_map_sampling_at_one_energy_reproduces_sigma_and_its_t_spectrum():
    """The sampling entry points alone (physics/trident_integral.py): points x from an adapted vegas map,
    weighted by integrand x dx/dy at E = 10 GeV, average to the tabulated sigma(10 GeV), and their
    |t| = -(k1 - k2)^2 spectrum matches the binned pieces of an independent vegas integration."""
    from darkbeam.physics.trident import trident_pieces, trident_xsec
    from darkbeam.physics.trident_channels import channel
    from darkbeam.physics.trident_hadronic import HadronicTarget
    from darkbeam.physics.trident_integral import (T_EDGES_LOG10, EnergyArraySampler, PointSampler, adapted_map,
                                                   sample_map)
    from darkbeam.units import HBARC2_GEV2_CM2

    ch, tgt, E, n = channel(MUMU), HadronicTarget("Ar40", "coherent"), 10.0, 40000
    rng = np.random.default_rng(2)
    amap = adapted_map(PointSampler(E, ch.m1, ch.m2, False, tgt), 2000, 4, rng)
    x, jac = sample_map(amap, n, rng)
    pieces, s_hat, Q2, pt = EnergyArraySampler(np.full(n, E), ch.m1, ch.m2, False, tgt).evaluate_points(x)
    cv, ca = ch.sm_couplings()
    s = (cv * cv * pieces[0] + ca * ca * pieces[1] + 2 * cv * ca * pieces[2]) * jac * HBARC2_GEV2_CM2
    mean, err = s.mean(), s.std(ddof=1) / np.sqrt(n)
    ref = trident_xsec(E, channel=MUMU, target="Ar40")
    assert abs(mean - ref) < 4 * err + 0.02 * ref
    # |t| spectrum in four wide bins (decades of the table's log10 |t| edges) against trident_pieces
    h, _ = trident_pieces(E, channel_name=MUMU, target="Ar40", neval=4000, seed=9)
    hsm = cv * cv * h[0] + ca * ca * h[1] + 2 * cv * ca * h[2]
    wide = T_EDGES_LOG10[[0, 262, 275, 287, -1]]  # -12, -1.52, -1, -0.52, 4: edges of the table bins
    centres = 0.5 * (T_EDGES_LOG10[1:] + T_EDGES_LOG10[:-1])
    ref_frac = np.array([hsm[(centres > a) & (centres < b)].sum() for a, b in zip(wide[:-1], wide[1:])]) / hsm.sum()
    lt = np.log10(np.maximum(-np.asarray(pt["t"]), 1e-300))
    frac = np.array([s[(lt > a) & (lt < b)].sum() for a, b in zip(wide[:-1], wide[1:])]) / s.sum()
    assert ref_frac.min() > 0.03  # every wide bin holds a real share
    np.testing.assert_allclose(frac, ref_frac, rtol=0, atol=0.015)


def _p4(q):
    return np.array([q.momentum.e, q.momentum.px, q.momentum.py, q.momentum.pz])


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_cli_writes_event_files_that_read_back(capsys, tmp_path):
    """``-o`` writes parquet, HepMC3 and HEPEVT (docs/events.md, "Scattering events"): the outgoing
    neutrino, l-, l+ and the recoil are final-state particles of one vertex (no stand-in decay).  Parquet
    reads back equal to the events of the same seed; pyhepmc reads the HepMC3 file with four-momentum
    conservation at the vertex, statuses 4, 20, 1, 1, 1, 1, the pair's invariant mass^2 + neutrino =
    s_hat, a trident NuHepMC process ID (850-899), and the HEPEVT file with the same particles."""
    import pyhepmc

    from darkbeam.events import ScatterEvents, read_parquet
    from darkbeam.processes.trident_events import to_eventset

    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", "--channel", MUMU,
                         "-n", "100", "--seed", "4", "-o", str(tmp_path / "tri"), "-f", "parquet", "-f", "hepmc3",
                         "-f", "hepevt", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert len(d["files"]) == 3
    res = simulate_trident("dune_nd_fhc", MUMU, n=100, rng=np.random.default_rng(4), seed=4)
    ev = to_eventset(res)
    assert isinstance(ev, ScatterEvents) and ev.has_pair and len(ev) == d["events"]
    k = ev.check_kinematics()
    assert max(k["primary"], k["Q2"]) < 1e-9
    X = ev.p4("scattered") + ev.p4("pair1") + ev.p4("pair2")
    np.testing.assert_allclose(_mass2(X), res["s_hat"], rtol=1e-6, atol=0)
    back = read_parquet(tmp_path / "tri.parquet")
    assert back.equals(ev)
    with pyhepmc.open(tmp_path / "tri.hepmc3") as f:
        events = list(f)
    assert len(events) == len(ev)
    for i, e in enumerate(events):
        assert len(e.vertices) == 1 and [q.status for q in e.particles] == [4, 20, 1, 1, 1, 1]
        assert [q.pid for q in e.particles] == [14, ev.cases[0].target, 14, 13, -13, ev.cases[0].recoil]
        assert 850 <= int(e.attributes["signal_process_id"].astype(int)) < 900
        v = e.vertices[0]
        pin = sum(_p4(q) for q in v.particles_in)
        pout = sum(_p4(q) for q in v.particles_out)
        np.testing.assert_allclose((pin - pout) / pin[0], 0.0, rtol=0, atol=1e-12)
        x = sum(_p4(q) for q in e.particles[2:5])
        assert x[0] ** 2 - x[1:] @ x[1:] == pytest.approx(res["s_hat"][i], rel=1e-6, abs=0)
        assert e.weights[0] == ev.w[i]
    with pyhepmc.open(tmp_path / "tri.hepevt", format="hepevt") as f:
        hepevt = list(f)
    assert [q.pid for q in hepevt[0].particles] == [14, ev.cases[0].target, 14, 13, -13, ev.cases[0].recoil]
    # an existing file is refused before any work
    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", "--channel", MUMU,
                         "-n", "100", "-o", str(tmp_path / "tri.parquet"))
    assert code != 0 and "exists" in err and "Traceback" not in err


ZP = {"name": "z", "zprime_charge": "Lmu-Ltau", "mzprime": 0.1, "gX": 6e-4}


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_zprime_reweighting_is_exact_and_matches_the_zprime_quadrature():
    """docs/tridents.md, "Reweighting": the sampling does not depend on the model, so generating with an
    L_mu - L_tau Z' and reweighting the SM events of the same seed to it (from the stored w_vv, w_aa,
    w_va, t_nu) give the same weights (1e-12); the Z' events back to gX = 0 give the SM weights; and
    the reweighted sum agrees with the independent quadrature of flux x trident_xsec with the Z'
    (t-binned table pieces, physics/trident.py) within 4 MC errors + 2%, 1.4 times the SM rate."""
    from darkbeam.processes.trident_events import reweight, to_eventset

    kw = dict(n=1500, neval=800, nitn=3, n_bins=2)
    sm = simulate_trident("dune_nd_fhc", MUMU, rng=np.random.default_rng(5), **kw)
    zp = simulate_trident("dune_nd_fhc", MUMU, rng=np.random.default_rng(5), params=ZP, **kw)
    es, ez = to_eventset(sm), to_eventset(zp)
    assert es.has_amplitudes and np.array_equal(es.E_nu, ez.E_nu)
    np.testing.assert_allclose(reweight(es, ZP).w, ez.w, rtol=1e-12, atol=0)
    np.testing.assert_allclose(es.reweight({"gX": 6e-4, "mzprime": 0.1, "zprime_charge": "Lmu-Ltau"}).w, ez.w,
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(reweight(ez, {"gX": 0.0}).w, es.w, rtol=1e-12, atol=0)
    (s,) = zp["summary"]
    assert abs(ez.w.sum() - s["events"]) < 4.0 * s["mc_err"] + 0.02 * s["events"]
    assert s["events"] > 1.3 * sm["summary"][0]["events"]
    # SM + interference (~gX^2) + Z'^2 (~gX^4) at fixed m_Z': a quadratic in u = (gX/3e-4)^2 through
    # u = 0, 1, 4 predicts u = 9 (gX = 9e-4)
    w0, w1, w4 = es.w, reweight(es, {**ZP, "gX": 3e-4}).w, ez.w
    c = (w4 - 4 * w1 + 3 * w0) / 12
    b = w1 - w0 - c
    np.testing.assert_allclose(reweight(es, {**ZP, "gX": 9e-4}).w, w0 + 9 * b + 81 * c, rtol=1e-9, atol=0)


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_cli_reweight_trident_file(capsys, tmp_path):
    """``darkbeam reweight`` of a trident parquet file: the weights of ScatterEvents.reweight; ``--unweighted``
    writes equal-weight events of the same total."""
    from darkbeam.events import read_parquet

    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", "--channel", MUMU,
                         "-n", "100", "--seed", "2", "-o", str(tmp_path / "t.parquet"), "--unweighted", "20",
                         "--json")
    assert code == 0, err
    es = read_parquet(tmp_path / "t.parquet")
    uw = read_parquet(tmp_path / "t_unweighted.parquet")  # --unweighted: equal weights, the same total
    assert 0 < len(uw) <= 20 and uw.w.sum() == pytest.approx(float(es.w.sum()), rel=1e-12, abs=0)
    np.testing.assert_allclose(uw.reweight({"gX": 0.0}).w, uw.w, rtol=1e-12, atol=0)  # parts scaled with w
    code, out, err = run(capsys, "reweight", str(tmp_path / "t.parquet"), "--set",
                         "mzprime=0.1,zprime_charge=Lmu-Ltau,gX=6e-4", "--json", "-o", str(tmp_path / "rw"))
    assert code == 0, err
    d = json.loads(out)
    direct = es.reweight(ZP)
    assert d["total_events"] == pytest.approx(float(direct.w.sum()), rel=1e-12, abs=0)
    assert d["total_events"] > d["total_events_before"]
    np.testing.assert_array_equal(read_parquet(tmp_path / "rw.parquet").w, direct.w)
    import darkbeam

    np.testing.assert_array_equal(darkbeam.reweight(tmp_path / "t.parquet", ZP).w, direct.w)  # the Python API


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_vertices_fill_the_target_volume_uniformly(mumu):
    """Interaction vertices uniform in the experiment's target volume (DUNE ND: a 700 x 300 x 500 cm
    box): all inside, and per axis the mean of x and of x^2 those of a uniform distribution, 0 and
    (L/2)^2/3, within 5 standard errors.  Times: the neutrino's flight from the point source at the
    target, |vertex - source|/c (574 m: 1.9 us)."""
    from darkbeam.detectors import load_experiment
    from darkbeam.units import C_LIGHT_CM_PER_NS

    exp = load_experiment("dune_nd_fhc")
    box = exp.target_volume
    v = mumu["vertex"]
    assert v.shape == (mumu["w"].size, 4)
    flight = np.linalg.norm(v[:, :3] - exp.source_position, axis=1) / C_LIGHT_CM_PER_NS
    assert np.allclose(v[:, 3], flight, rtol=1e-12, atol=0.0)
    assert abs(np.median(v[:, 3]) - exp.baseline / C_LIGHT_CM_PER_NS) < 300 / C_LIGHT_CM_PER_NS
    assert mumu["meta"]["time_origin"].startswith("t = 0 at the neutrino's production")
    assert box.contains(v[:, :3]).all()
    n = v.shape[0]
    for j in range(3):
        a = box.size[j] / 2
        u = v[:, j] - box.center[j]
        assert abs(u.mean()) < 5 * a / np.sqrt(3 * n)
        assert abs(np.mean(u * u) - a * a / 3) < 5 * a * a * np.sqrt(1 / 5 - 1 / 9) / np.sqrt(n)


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_diffractive_recoil_is_a_proton_or_a_neutron():
    """Diffractive events pick the struck nucleon with probability w_p/(w_p + w_n) at each point: the
    protons' and neutrons' pieces (evaluated apart) add up to the whole to 1e-12; both occur, protons
    more often than Z/A (the neutron couples through its magnetic moment only); the case table and the
    events carry 2212 / 2112; the stored parts give the event weight."""
    from darkbeam.physics.trident_channels import channel
    from darkbeam.physics.trident_hadronic import HadronicTarget
    from darkbeam.physics.trident_integral import EnergyArraySampler
    from darkbeam.processes.trident_events import to_eventset

    rng = np.random.default_rng(2)
    E = rng.uniform(1.0, 20.0, 400)
    x = rng.random((400, 6))
    s = EnergyArraySampler(E, 0.000511, 0.000511, False, HadronicTarget("Ar40", "diffractive"))
    whole, pp, pn = s.evaluate_points(x)[0], s.evaluate_points(x, "p")[0], s.evaluate_points(x, "n")[0]
    np.testing.assert_allclose(pp + pn, whole, rtol=1e-12, atol=1e-300)
    res = simulate_trident("dune_nd_fhc", EE, regime="diffractive", n=600, rng=np.random.default_rng(3), neval=500,
                           nitn=2, n_bins=2)
    es = to_eventset(res)
    protons = res["nucleon"] == 2212
    assert 18 / 40 < protons.mean() < 1.0 and set(np.unique(res["nucleon"])) == {2212, 2112}
    np.testing.assert_array_equal(es.pdg("recoil"), res["nucleon"])
    np.testing.assert_array_equal(es.pdg("target"), res["nucleon"])
    cv, ca = channel(EE).sm_couplings()
    sm = cv * cv * es["w_vv"] + ca * ca * es["w_aa"] + 2 * cv * ca * es["w_va"]
    np.testing.assert_allclose(sm, es.w, rtol=1e-12, atol=0)
