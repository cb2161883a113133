"""The API functions of the newer commands (darkbeam/api.py): each gives the numbers of the command's
``--json`` output on a small case (production, parents, shower, plane, ccqe, massmodel, searches,
xsec/generate --process nu-e|cevns; trident: the wiring only, its tables take ~17 s)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import darkbeam
from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError, ParameterError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def cli_json(capsys, *argv):
    code = main(list(argv) + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_production_channels(capsys):
    ref = cli_json(capsys, "production", "--set", "m4=0.2", "--set", "Umu4=1e-3", "--parent", "K+,D_s+")
    got = darkbeam.production_channels({"m4": 0.2, "Umu4": 1e-3}, parents=["K+", "D_s+"])
    assert [c.name for c in got] == [c["channel"] for c in ref["channels"]] and len(got) >= 2
    assert [c.br for c in got] == [c["br"] for c in ref["channels"]]
    assert [c.width for c in got] == [c["width_GeV"] for c in ref["channels"]]


def test_parent_samples(capsys):
    ref = cli_json(capsys, "parents", "--beam", "bnb", "--species", "pi+,K+", "--stats", "64", "--seed", "3")
    got = darkbeam.parent_samples("bnb", ["pi+", "K+"], n=64, seed=3)
    assert list(got) == ["pi+", "K+"]
    for row in ref["parents"]:
        ps = got[row["species"]]
        assert ps.decays_per_pot == row["decays_per_pot"] > 0 and len(ps) == row["entries"]
        p = np.linalg.norm(ps.p4[:, 1:], axis=1)
        assert float(np.average(p, weights=ps.weight)) == row["mean_p_GeV"]
    one = darkbeam.parent_samples("bnb", "K+", n=64, seed=3)
    assert list(one) == ["K+"] and one["K+"].decays_per_pot == got["K+"].decays_per_pot


def test_shower(capsys):
    ref = cli_json(capsys, "shower", "--material", "water", "--energy", "0.3", "--showers", "3", "--seed", "2",
                   "--dark-mass", "0.005", "--thickness", "5")
    r = darkbeam.shower("water", "e-", 0.3, 3, seed=2, dark_mass=0.005, thickness_x0=5)
    assert float((r.track_length[1] + r.track_length[2]).mean()) == ref["track_length_cm"]["e+-"] > 0
    assert float(sum(r.dark_yield.values()).mean()) == ref["dark_yield_per_primary"] > 0
    assert float(r.escaped.mean()) == ref["energy_escaped_GeV"]
    with pytest.raises(ParameterError, match="thickness_x0 must be positive"):
        darkbeam.shower("water", thickness_x0=0)
    from darkbeam.physics.shower.materials import shower_material

    layered = darkbeam.shower([(shower_material("lead"), 0.5), (shower_material("water"), float("inf"))], energy=0.3,
                              showers=2)
    ref = cli_json(capsys, "shower", "--layers", "lead:0.5,water:inf", "--energy", "0.3", "--showers", "2")
    assert float(layered.escaped.mean()) == ref["energy_escaped_GeV"]
    with pytest.raises(ParameterError, match="not both"):
        darkbeam.shower([(shower_material("lead"), 0.5)], thickness_x0=2)


def test_beam_dump_limit(capsys):
    ref = cli_json(capsys, "shower", "--search", "e137_dark_photon", "--dark-mass", "0.05", "--showers", "2",
                   "--vectors", "500", "--seed", "1")
    got = darkbeam.beam_dump_limit("e137_dark_photon", 0.05, showers=2, vectors=500, seed=1)
    assert json.loads(json.dumps(got)) == ref


def test_plane_limit(capsys):
    ref = cli_json(capsys, "plane", "-x", "coherent_csi_2017", "--masses", "0.01", "0.1", "--charge", "B-L")
    got = darkbeam.plane_limit("coherent_csi_2017", [0.01, 0.1], charge="B-L")
    assert got.to_dict() == ref and all(v > 0 for v in ref["limit_gX"])


def test_ccqe(capsys):
    ref = cli_json(capsys, "ccqe", "-E", "0.5", "2", "--projectile", "nu_mu_bar", "--target", "O16")
    assert darkbeam.ccqe_xsec([0.5, 2], "nu_mu_bar", "O16").tolist() == ref["sigma_per_nucleus_cm2"]
    assert darkbeam.ccqe_xsec([0.5, 2], "nu_mu_bar", free=True).tolist() == ref["sigma_free_nucleon_cm2"]
    ref = cli_json(capsys, "ccqe", "-e", "miniboone_fhc", "--oscillate", "dm41=1.3,Ue4=0.12,Umu4=0.15")
    got = darkbeam.ccqe_events("miniboone_fhc", "dm41=1.3,Ue4=0.12,Umu4=0.15")
    assert got == {"events": ref["events"], "events_oscillated": ref["events_oscillated"]}
    assert darkbeam.ccqe_events("miniboone_fhc") == ref["events"]


def test_mass_model(capsys):
    path = EXAMPLES / "massmodel_minimal.toml"
    ref = cli_json(capsys, "massmodel", "--model", str(path))
    got = darkbeam.mass_model(path)
    assert got["spectrum"].masses.tolist() == ref["masses_GeV"]
    assert {k: getattr(got["parameters"], k) for k in ref["parameters"]} == ref["parameters"]
    with pytest.warns(UserWarning, match="opposite CP parities"):  # load_model warns; mass_model returns the notes
        assert got["parameters"] == darkbeam.load_model(path)
    assert any("opposite CP parities" in str(n) for n in got["notes"])
    with pytest.raises(ConfigurationError, match="no \\[massmodel\\] table"):
        darkbeam.mass_model(EXAMPLES / "oscillation_3p1.toml")


def test_searches(capsys):
    ref = cli_json(capsys, "searches")
    assert darkbeam.list_searches() == [s["key"] for s in ref["searches"]]
    assert darkbeam.load_search("e137_dark_photon").spec.name == next(
        s["name"] for s in ref["searches"] if s["key"] == "e137_dark_photon")


def test_rare_xsec(capsys):
    ref = cli_json(capsys, "xsec", "--process", "cevns", "--target", "Ar40", "--energies", "0.03", "0.05",
                   "--set", "mzprime=0.01,zprime_charge=B-L,gX=1e-4")
    got = darkbeam.rare_xsec("cevns", [0.03, 0.05], "Ar40", model={"mzprime": 0.01, "gX": 1e-4,
                                                                   "zprime_charge": "B-L"})
    assert got.tolist() == ref["sigma_cm2"]
    sm = cli_json(capsys, "xsec", "--process", "nu-e", "--energies", "1", "10", "--projectile", "nu_mu_bar")
    assert darkbeam.rare_xsec("nu-e", [1, 10], projectile="nu_mu_bar").tolist() == sm["sigma_cm2"]
    assert not np.allclose(got, darkbeam.rare_xsec("cevns", [0.03, 0.05], "Ar40"), rtol=1e-3, atol=0)
    with pytest.raises(ConfigurationError, match="unknown rare process 'trident'"):
        darkbeam.rare_xsec("trident", [1.0])


def test_simulate_rare(capsys):
    ref = cli_json(capsys, "generate", "--process", "cevns", "-e", "coherent_csi_2017", "-n", "200", "--seed", "4")
    ev = darkbeam.simulate_rare("cevns", "coherent_csi_2017", n=200, seed=4)
    assert len(ev) == ref["events"] and ev.meta["total_events"] == ref["total_events"]
    assert json.loads(json.dumps(ev.meta["summary"])) == ref["cases"]


def test_simulate_trident_wiring(monkeypatch):
    import darkbeam.processes.trident_events as te

    seen = {}

    def fake(experiment, channel, **kw):
        seen.update(experiment=experiment.keyword, channel=channel, **kw)
        return {"summary": {}}

    monkeypatch.setattr(te, "simulate_trident", fake)
    assert darkbeam.simulate_trident("dune_nd_fhc", n=100, seed=7, neval=500) == {"summary": {}}
    assert seen["experiment"] == "dune_nd_fhc" and seen["channel"] == "nu_mu -> nu_mu mu+ mu-"
    assert seen["n"] == 100 and seen["seed"] == 7 and seen["neval"] == 500 and seen["regime"] == "coherent"
    assert seen["rng"].random() == np.random.default_rng(7).random()


def test_trident_xsec_wiring(monkeypatch):
    """The arguments reach physics.trident.trident_xsec as ``darkbeam xsec --process trident`` passes them
    (the cross section itself is tested in tests/test_trident*.py; its table takes ~17 s)."""
    import darkbeam.physics.trident as tr
    from darkbeam import constants as C
    from darkbeam.physics.trident_channels import channel, zprime_for_channel

    seen = {}

    def fake(E, **kw):
        seen.update(E=E, **kw)
        return np.ones(len(E))

    monkeypatch.setattr(tr, "trident_xsec", fake)
    model = {"mzprime": 0.1, "gX": 1e-3, "zprime_charge": "Lmu-Ltau"}
    out = darkbeam.trident_xsec("nu_mu -> nu_mu mu+ mu-", [1.0, 10.0], "Fe56", model=model)
    assert out.tolist() == [1.0, 1.0] and seen["E"] == [1.0, 10.0] and seen["target"] == "Fe56"
    assert seen["channel"] == "nu_mu -> nu_mu mu+ mu-" and seen["regime"] == "coherent" and seen["sw2"] == C.SW2_LOW_Q2
    assert seen["zprime"] == zprime_for_channel(channel("nu_mu -> nu_mu mu+ mu-"), "Lmu-Ltau", 1e-3, 0.1)
    darkbeam.trident_xsec(energies=[2.0])
    assert seen["zprime"] is None and seen["form_factor_scheme"] == "default"
    with pytest.raises(ConfigurationError, match="tridents take a Z' of"):
        darkbeam.trident_xsec(energies=[2.0], model={"mzprime": 0.1, "gX": 1e-3, "zprime_charge": "B-L"})
