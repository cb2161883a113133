"""Weighted nu-e and CEvNS events (processes/rare_scatter.py, ``darkbeam generate --process nu-e|cevns``)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.analysis.rare_rates import CHARMII_WINDOW, cevns_events, nu_e_events
from darkbeam.errors import ConfigurationError
from darkbeam.events import read_parquet, write
from darkbeam.models.parameters import ModelParameters
from darkbeam.models.zprime_charges import zprime_mediator
from darkbeam.processes.rare_scatter import recoil_T, reweight, simulate

ZP = {"name": "z", "mzprime": 0.02, "zprime_charge": "Le-Lmu", "gX": 1e-4}
BL = {"name": "bl", "mzprime": 0.01, "zprime_charge": "B-L", "gX": 3e-5}


class _Result:
    def __init__(self, code, out, err):
        self.exit_code, self.output = code, out + err


@pytest.fixture
def run_cli(capsys):
    from darkbeam.cli.main import main

    def run(argv):
        code = main(list(argv))
        out = capsys.readouterr()
        return _Result(code, out.out, out.err)
    return run


def _case_sums(es):
    return np.bincount(es.columns["case"], weights=es.w, minlength=len(es.cases))


def _mc_consistent(es, rate, k=5.0):
    """sum(w) an MC estimate of ``rate``: within k standard errors (error: sqrt(sum w^2 - sum(w)^2/n) per case)."""
    var = 0.0
    for i in range(len(es.cases)):
        w = es.w[es.columns["case"] == i]
        var += w.size * np.var(w, ddof=1)
    assert abs(es.w.sum() - rate) < k * math.sqrt(var), (es.w.sum(), rate, math.sqrt(var))


@pytest.fixture(scope="module")
def charm():
    return simulate("nu-e", "charmii_fhc", n=4000, rng=np.random.default_rng(3), seed=3)


@pytest.mark.requires_data("CHARMII_FHC")
def test_nu_e_vertex_times_are_the_flight_from_the_target(charm):
    """t of nu-e events: the neutrino's flight from the point source at the CHARM-II target, |vertex -
    source|/c (870 m: 2.9 us), as for upscattering events; vertices inside the target volume."""
    from darkbeam.detectors import load_experiment
    from darkbeam.units import C_LIGHT_CM_PER_NS

    exp = load_experiment("charmii_fhc")
    c = charm.columns
    v = np.column_stack([c["x"], c["y"], c["z"]])
    assert exp.target_volume.contains(v).all()
    flight = np.linalg.norm(v - exp.source_position, axis=1) / C_LIGHT_CM_PER_NS
    assert np.allclose(c["t"], flight, rtol=1e-12, atol=0.0)
    assert np.all(np.abs(c["t"] - 87000.0 / C_LIGHT_CM_PER_NS) <= 1800.0 / C_LIGHT_CM_PER_NS)
    assert charm.meta["time_origin"].startswith("t = 0 at the neutrino's production")


@pytest.fixture(scope="module")
def csi():
    return simulate("cevns", "csi_2017", n=3000, rng=np.random.default_rng(4), seed=4)


@pytest.mark.requires_data("CHARMII_FHC")
def test_nu_e_sum_is_the_rate(charm):
    """sum(w) per flavour = analysis/rare_rates.nu_e_events in CHARM-II's 3-24 GeV window (same
    quadrature), and the unnormalised MC estimate agrees within its error."""
    ref = nu_e_events("charmii_fhc", t_min=CHARMII_WINDOW[0], t_max=CHARMII_WINDOW[1])
    sums = _case_sums(charm)
    for c, s in zip(charm.cases, sums):
        assert s == pytest.approx(ref[c.name.split()[0]], rel=1e-12, abs=0)
    assert charm.w.sum() == pytest.approx(ref["total"], rel=1e-12, abs=0)
    for s in charm.meta["summary"]:
        assert abs(s["mc_events"] - s["events"]) < 5 * s["mc_err"]
        assert s["quadrature_err"] < 1e-5 * s["events"]
        assert 0.8 * s["n"] < s["n_eff"] <= s["n"]
    T = recoil_T(charm)
    assert T.min() >= CHARMII_WINDOW[0] and T.max() <= CHARMII_WINDOW[1]


@pytest.mark.requires_data("CHARMII_FHC")
def test_nu_e_kinematics(charm):
    """2 -> 2 kinematics: four-momentum conserved, Q^2 = 2 m_e T, T <= T_max(E) = 2E^2/(m_e + 2E), and
    the electron angle obeys the closed form T theta^2 <= 2 m_e (1 - T/E) (small-angle, T >> m_e);
    vertices inside the detector."""
    k = charm.check_kinematics()
    assert k["primary"] < 1e-9 and k["Q2"] < 1e-9
    E, T = charm.E_nu, recoil_T(charm)
    assert np.all(T <= 2 * E**2 / (C.M_E + 2 * E) * (1 + 1e-12))
    p = charm.p3("recoil")
    theta = np.arctan2(np.hypot(p[:, 0], p[:, 1]), p[:, 2])
    assert np.all(T * theta**2 <= 2 * C.M_E * (1 - T / E) * (1 + 1e-3))
    # exact: cos theta = (E + m) / E sqrt(T / (T + 2m))
    np.testing.assert_allclose(np.cos(theta), (E + C.M_E) / E * np.sqrt(T / (T + 2 * C.M_E)), rtol=1e-9, atol=0)
    from darkbeam.detectors.catalog import load_experiment

    assert load_experiment("charmii_fhc").target_volume.contains(charm.vertex()[:, :3]).all()


def test_cevns_sum_is_the_rate(csi):
    """CsI 2017: sum(w) = cevns_events (threshold and efficiency) to 1e-12; recoils above threshold."""
    ref = cevns_events("csi_2017")
    assert csi.w.sum() == pytest.approx(ref["total"], rel=1e-12, abs=0)
    assert csi.w.sum() == pytest.approx(185.6, rel=1e-3, abs=0)  # docs/rare_scattering.md table
    by_flavour = {}
    for c, s in zip(csi.cases, _case_sums(csi)):
        by_flavour[c.name.split()[0]] = by_flavour.get(c.name.split()[0], 0.0) + s
    for f, v in by_flavour.items():
        assert v == pytest.approx(ref[f], rel=1e-12, abs=0)
    assert recoil_T(csi).min() >= 4.2e-6
    assert csi.check_kinematics()["primary"] < 1e-12


def test_same_seed_same_events(csi):
    again = simulate("cevns", "csi_2017", n=3000, rng=np.random.default_rng(4), seed=4)
    assert again.equals(csi)


def test_cevns_reweight_to_b_minus_l(csi):
    """Reweighting SM events to a B-L Z' (weights x dsigma ratio) estimates the B-L quadrature rate."""
    new = reweight(csi, ModelParameters.from_dict(BL))
    med = zprime_mediator(ModelParameters.from_dict(BL), C.SW2_LOW_Q2)
    ref = cevns_events("csi_2017", mediator=med)["total"]
    assert ref > 1.05 * csi.w.sum()  # constructive (docs section 3)
    _mc_consistent(new, ref)


@pytest.mark.requires_data("CHARMII_FHC")
def test_nu_e_reweight_coupling():
    """At fixed m_Z': reweighting gX 1e-4 -> 4e-4 gives w ratios = dsigma ratios (from the cross-section
    class) and a sum consistent with the new quadrature rate; back to 1e-4 restores the weights; a new
    mass is refused."""
    from darkbeam.physics.nu_electron import NuElectronXsec

    es = simulate("nu-e", "charmii_fhc", ZP, n=3000, rng=np.random.default_rng(5))
    new = reweight(es, {"gX": 4e-4})
    p_new = ModelParameters.from_dict({**ZP, "gX": 4e-4})
    ref = nu_e_events("charmii_fhc", mediator=zprime_mediator(p_new, C.SW2_LOW_Q2), t_min=3.0, t_max=24.0)
    _mc_consistent(new, ref["total"])
    E, T = es.E_nu, recoil_T(es)
    sel = es.columns["case"] == 0
    f = es.cases[0].name.split()[0]
    ratio = (NuElectronXsec(f, zprime_mediator(p_new, C.SW2_LOW_Q2)).dsigma_dT(E[sel], T[sel])
             / NuElectronXsec(f, zprime_mediator(ModelParameters.from_dict(ZP), C.SW2_LOW_Q2)).dsigma_dT(E[sel], T[sel]))
    np.testing.assert_allclose(new.w[sel] / es.w[sel], ratio, rtol=1e-12, atol=0)
    np.testing.assert_allclose(reweight(new, {"gX": 1e-4}).w, es.w, rtol=1e-12, atol=0)
    with pytest.raises(ConfigurationError, match="mediator masses"):
        reweight(es, {"mzprime": 0.03})


def test_files_round_trip(csi, tmp_path):
    """Scattering-event layout (docs/events.md): parquet columns named for the roles and equal on reading
    back; HepMC3 and HEPEVT read back by pyhepmc: neutrino in (status 4), target (20), scattered
    neutrino and nucleus out (status 1), one vertex (no decay), the CEvNS NuHepMC process IDs (150-199),
    momenta and weights as stored."""
    import pyarrow.parquet as pq
    import pyhepmc

    from darkbeam.events import ScatterEvents

    small = csi.select(np.arange(40))
    write(small, tmp_path / "e.parquet")
    back = read_parquet(tmp_path / "e.parquet")
    assert isinstance(back, ScatterEvents) and back.equals(small) and back.meta["process"] == "cevns"
    names = pq.read_schema(tmp_path / "e.parquet").names
    assert {"w", "projectile_px", "scattered_pz", "recoil_py"} <= set(names)
    assert not any(k.startswith(("hnl", "d1", "ctau", "br", "p_decay")) for k in names)
    write(small, tmp_path / "e.hepmc3")
    write(small, tmp_path / "e.hepevt")
    with pyhepmc.open(tmp_path / "e.hepmc3") as f:
        events = list(f)
    assert len(events) == 40
    for i, ev in enumerate(events[:5]):
        pids = [p.pid for p in ev.particles]
        assert pids[0] == 12 and pids.count(1000551330) == 2  # nu_e on Cs133: target and recoil
        final = [p for p in ev.particles if p.status == 1]
        assert sorted(p.pid for p in final) == [12, 1000551330] and len(ev.vertices) == 1
        assert [p.status for p in ev.particles] == [4, 20, 1, 1]
        assert 150 <= int(ev.attributes["signal_process_id"].astype(int)) < 200
        rec = [p for p in final if p.pid != 12][0].momentum
        np.testing.assert_allclose([rec.px, rec.py, rec.pz], small.p3("recoil")[i], rtol=0, atol=0)
        assert ev.weights[0] == small.w[i]
    with pyhepmc.open(tmp_path / "e.hepevt", format="hepevt") as f:
        ev = f.read()
    assert [p.pid for p in ev.particles][:2] == [12, 1000551330]


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigurationError, match="unknown rare process"):
        simulate("trident", "csi_2017", rng=rng)
    with pytest.raises(ConfigurationError, match="unknown CEvNS detector"):
        simulate("cevns", "csi_2099", rng=rng)
    with pytest.raises(ConfigurationError, match="empty recoil window"):
        simulate("nu-e", "charmii_fhc", t_min=5.0, t_max=4.0, rng=rng)
    with pytest.raises(ConfigurationError, match="no recoil window option"):
        simulate("cevns", "csi_2017", t_min=1e-5, rng=rng)
    with pytest.raises(ConfigurationError, match="unknown projectile"):
        simulate("cevns", "csi_2017", projectiles=["nu_x"], rng=rng)
    with pytest.raises(ConfigurationError, match="no flux of nu_tau"):
        simulate("cevns", "csi_2017", projectiles=["nu_tau"], rng=rng)


@pytest.mark.parametrize("args, msg", [
    (["--process", "nu-x"], "unknown value 'nu-x'"),
    (["--process", "trident"], "needs --channel"),
    (["--process", "cevns", "-e", "csi_2099"], "unknown CEvNS detector"),
    (["--process", "nu-e", "--regime", "coherent"], "--regime applies to --process upscattering only"),
    (["--process", "cevns", "-e", "csi_2017", "-n", "10"], "at least 100"),
    (["--process", "cevns", "-e", "csi_2017", "--projectile", "nu_q"], "--projectile"),
    (["--process", "cevns", "-e", "csi_2017", "--format", "root", "-o", "x"], "--format"),
])
def test_cli_errors(run_cli, args, msg):
    r = run_cli(["generate", *args])
    assert r.exit_code != 0 and msg in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_cli_json_and_files(run_cli, tmp_path):
    out = tmp_path / "ev"
    r = run_cli(["generate", "--process", "cevns", "-e", "ar_2020", "-n", "200", "--json", "-o", str(out),
                 "-f", "parquet", "-f", "hepmc3"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["total_events"] == pytest.approx(cevns_events("ar_2020")["total"], rel=1e-12, abs=0)
    es = read_parquet(tmp_path / "ev.parquet")
    assert es.w.sum() == pytest.approx(d["total_events"], rel=1e-12, abs=0)
    assert (tmp_path / "ev.hepmc3").exists() and len(d["files"]) == 2
    r = run_cli(["generate", "--process", "cevns", "-e", "ar_2020", "-n", "200", "-o", str(out)])
    assert r.exit_code != 0 and "exists" in r.output  # no --overwrite: refused before any work


def test_cli_cevns_default_detector_is_csi_2017(run_cli):
    """Without --experiment, --process cevns runs at COHERENT CsI 2017 (the upscattering default,
    miniboone_fhc, is no CEvNS detector); coherent_csi_2017, plane's key, names the same detector."""
    r = run_cli(["generate", "--process", "cevns", "-n", "200", "--json"])
    assert r.exit_code == 0, r.output
    r2 = run_cli(["generate", "--process", "cevns", "-e", "coherent_csi_2017", "-n", "200", "--json"])
    assert r2.exit_code == 0, r2.output
    total = cevns_events("csi_2017")["total"]
    assert json.loads(r.output)["total_events"] == pytest.approx(total, rel=1e-12, abs=0)
    assert json.loads(r2.output)["total_events"] == pytest.approx(total, rel=1e-12, abs=0)


def test_cli_reweight(run_cli, tmp_path, csi):
    """``darkbeam reweight`` of a CEvNS file (and EventSet.reweight): the same weights as
    rare_scatter.reweight; B-L adds events (constructive)."""
    small = csi.select(np.arange(0, len(csi), 10))
    write(small, tmp_path / "c.parquet")
    r = run_cli(["reweight", str(tmp_path / "c.parquet"), "--set", "mzprime=0.01,zprime_charge=B-L,gX=3e-5",
                 "--json", "-o", str(tmp_path / "rw")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    direct = small.reweight(ModelParameters.from_dict(BL))
    assert d["total_events"] == pytest.approx(direct.w.sum(), rel=1e-12, abs=0)
    assert d["total_events"] > d["total_events_before"]
    np.testing.assert_allclose(read_parquet(tmp_path / "rw.parquet").w, direct.w, rtol=1e-15, atol=0)
