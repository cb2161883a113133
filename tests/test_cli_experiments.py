"""``darkbeam experiments list | show``: the catalog on the command line, a user's file validated,
one-line errors with close matches.

Reference values are read from the TOML files themselves (with tomllib), not from the loader."""

import json
import math

import pytest
from typer.testing import CliRunner

from darkbeam.cli.main import _register, app, main
from darkbeam.detectors import catalog, list_experiments


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def raw(key):
    return catalog.tomllib.loads(catalog._package_dir().joinpath(f"{key}.toml").read_text(encoding="utf-8"))


def test_list_json_covers_the_catalog(capsys):
    code, out, err = run(capsys, "experiments", "list", "--json")
    assert code == 0 and err == ""
    rows = {r["keyword"]: r for r in json.loads(out)["experiments"]}
    assert sorted(rows) == list(list_experiments())
    for key, r in rows.items():
        t = raw(key)
        assert r["name"] == t["name"]
        assert r["baseline_m"] == pytest.approx(t["beam"]["baseline"] / 100, rel=1e-12)
        assert r["exposure"] == pytest.approx(float(t["exposure"]["pot"]), rel=1e-12)
        assert r["geometry_status"] == t["geometry"].get("status", "approximate")
        total = t["material"]["mass"] if "material" in t else sum(t["targets"].values())
        assert r["fiducial_mass_t"] == pytest.approx(total, rel=1e-12)
        assert sum(r["targets_t"].values()) == pytest.approx(total, rel=1e-12)


def test_list_table(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "experiments", "list")
    assert code == 0
    for key in ("miniboone_fhc", "microboone", "ps191", "charmii_fhc"):
        assert key in out
    assert "targets [t]" in out and "darknews" in out


def test_show_json_microboone(capsys):
    code, out, _ = run(capsys, "experiments", "show", "microboone", "--json")
    assert code == 0
    d = json.loads(out)
    t = raw("microboone")
    assert d["keyword"] == "microboone" and d["name"] == t["name"]
    assert d["citations"] == t["citations"] and d["darknews_fixes"] == t["darknews_fixes"]
    assert [x["nucleus"] for x in d["targets"]] == ["Ar40"]
    ar = d["targets"][0]
    assert (ar["Z"], ar["A"], ar["mass_t"]) == (18, 40, 170.0)
    assert ar["n_nuclei"] == pytest.approx(170e6 * 6.02214076e23 / 40, rel=1e-12)  # N = M N_A / A
    assert d["exposure"] == {"value": t["exposure"]["pot"], "unit": "POT", "note": t["exposure"].get("note")}
    assert d["flux"]["name"] == "MicroBooNE_BNB_fullflux" and d["flux"]["normalisation"] == 20.0
    assert d["flux"]["energy_range_GeV"] == t["flux"].get("energy_range", [0.0, None])
    assert d["flux"]["energy_range_reason"] == t["flux"].get("energy_range_reason")
    assert [f["name"] for f in d["flux"]["registered_files"]] == ["MicroBooNE_BNB_fullflux"]
    assert d["beam"]["baseline_m"] == 470.0 and d["beam"]["production"] == "bnb"
    assert set(d["placements"]) == {"bnb", "numi", "numi_me"} and d["beam"]["frame"] == "bnb"  # numi_me: the numi frame
    assert d["placements"]["numi"]["distance_m"] == pytest.approx(684.022, rel=1e-6)
    vols = d["geometry"]["volumes"]
    assert set(vols) == {"detector", "tpc", "decay_volume"} and d["geometry"]["status"] == "darknews"
    assert vols["tpc"]["volume_cm3"] == pytest.approx(256 * 232 * 1040, rel=1e-12)
    assert [p["type"] for p in vols["detector"]["parts"]] == ["Clipped"] * 3


def test_show_text_and_caveats(capsys):
    code, out, _ = run(capsys, "experiments", "show", "charmii_rhc")
    assert code == 0
    pot = f"{raw('charmii_rhc')['exposure']['pot']:.4g} POT"
    for needle in ("CHARM-II, antineutrino beam", "Si28", "O16", pot, "CHARMII_RHC", "caveats:",
                   "Phys. Lett. B 335, 246", "status approximate"):
        assert needle in out


def test_show_user_file(tmp_path, capsys):
    p = tmp_path / "my_detector.toml"
    p.write_text('name = "my detector"\n[flux]\nname = "MiniBooNE_FHC"\nnormalisation = 1.0\n'
                 '[exposure]\npot = 1e20\n[beam]\nbaseline = 20000.0\noff_axis_angle = 0.01\n'
                 '[targets]\nAr40 = 10.0\n[geometry.detector]\nshape = "box"\nsize = [100.0, 100.0, 200.0]\n')
    code, out, err = run(capsys, "experiments", "show", str(p), "--json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert d["keyword"] == "my_detector" and d["source_file"] == str(p.resolve())
    assert d["flux"]["energy_range_GeV"] == [0.0, None]  # no range: the whole file
    assert d["beam"]["off_axis_mrad"] == pytest.approx(10.0) and d["geometry"]["status"] == "approximate"
    assert d["geometry"]["volumes"]["detector"]["volume_cm3"] == pytest.approx(2e6)
    code, out, _ = run(capsys, "experiments", "show", str(p))
    assert code == 0 and "whole file" in out and "my detector" in out


@pytest.mark.parametrize("argv, needle", [
    (("experiments", "show", "minibone_fhc"), "unknown experiment 'minibone_fhc' (did you mean miniboone_fhc"),
    (("experiments", "show", "nd280_xhc"), "(did you mean nd280_"),
    (("experiments", "show", "xyzzy"), "unknown experiment 'xyzzy' (catalog: charmii_fhc, "),
    (("experiments", "show", "nothere.toml"), "experiment file not found: nothere.toml"),
    (("experiments", "show"), "Missing argument"),
    (("experiments", "lst"), "No such command 'lst'"),
    (("experiments", "list", "--bogus"), "No such option"),
])
def test_bad_input_one_line(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and err.startswith("darkbeam: error:")


@pytest.mark.parametrize("text, needle", [
    ("name = [", "not valid TOML"),
    ('name = "x"\n[flux]\nname = "MiniBooNE_FHC"\nnormalisation = 1.0\n[exposure]\npot = 1e20\n[beam]\nbaseline = 1.0\n'
     '[targets]\nAr40 = 1.0\n[geometry.detector]\nshape = "cube"\nsize = [1.0, 1.0, 1.0]\n',
     "[geometry.detector]: unknown shape 'cube'"),
    ('name = "x"\n[flux]\nname = "MiniBooNE_FHC"\nnormalisation = 1.0\n[exposure]\npot = 1e20\n[beam]\nbaseline = 1.0\n'
     '[targets]\nAr40 = 1.0\n[geometry.detector]\nshape = "box"\nsize = [1.0, -1.0, 1.0]\n',
     "[geometry.detector].size: must be three positive numbers"),
    ('name = "x"\n[flux]\nname = "MiniBooNE_FHC"\nnormalisation = 1.0\n[exposure]\npot = "lots"\n[beam]\nbaseline = 1.0\n'
     '[targets]\nAr40 = 1.0\n[geometry.detector]\nshape = "box"\nsize = [1.0, 1.0, 1.0]\n',
     "[exposure].pot: must be a number or a fraction"),
    ('name = "x"\n[flux]\nname = "MiniBooNE_FHC"\nnormalisation = 1.0\n[beam]\nbaseline = 1.0\n'
     '[targets]\nAr40 = 1.0\n[geometry.detector]\nshape = "box"\nsize = [1.0, 1.0, 1.0]\n',
     "missing required table [exposure]"),
])
def test_malformed_user_file_via_cli(tmp_path, capsys, text, needle):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    code, out, err = run(capsys, "experiments", "show", str(p))
    assert code == 2 and out == ""
    assert err.startswith(f"darkbeam: error: {p}: ") and needle in err and err.count("\n") == 1


def test_with_typer_runner():
    """The same commands through typer's CliRunner (the app object, without main's error handling)."""
    _register()
    res = CliRunner().invoke(app, ["experiments", "show", "ps191", "--json"])
    assert res.exit_code == 0
    d = json.loads(res.stdout)
    assert d["flux"]["files"] == {"nu_mu": "PS_191_numu_flux", "nu_e": "PS_191_nue_flux"}
    assert d["beam"]["off_axis_mrad"] == pytest.approx(math.radians(2.3) * 1e3, rel=1e-9)
    res = CliRunner().invoke(app, ["experiments", "--help"])
    assert res.exit_code == 0 and "list" in res.stdout and "show" in res.stdout
