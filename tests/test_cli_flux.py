"""``darkbeam flux`` and ``darkbeam fluxes list|show|fetch``: output, JSON, plots, one-line errors."""

import importlib
import json
import math
import shutil

import pytest

import darkbeam.cli.main as cli_main

reg = importlib.import_module("darkbeam.data.registry")
_SHARED = reg.data_dir()


@pytest.fixture(autouse=True)
def only_flux_commands(monkeypatch):
    """Register this module's commands only, so that these tests do not depend on other commands."""
    monkeypatch.setattr(cli_main, "_register", lambda: importlib.import_module("darkbeam.cli.flux"))


def run(capsys, *argv):
    code = cli_main.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fluxes_list_json(capsys):
    code, out, _ = run(capsys, "fluxes", "list", "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)["fluxes"]}
    assert rows["MiniBooNE_FHC"]["beam"] == "bnb" and rows["MiniBooNE_FHC"]["units"] == "nu/cm2/GeV/POT"
    if _SHARED is not None:
        assert rows["MiniBooNE_FHC"]["status"] == "ok"


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_fluxes_show_and_fetch(capsys):
    code, out, _ = run(capsys, "fluxes", "show", "MiniBooNE_FHC", "--json")
    info = json.loads(out)
    assert code == 0 and info["summary"]["nu_mu"]["integral"] == pytest.approx(5.19e-10, rel=0.005)
    code, out, _ = run(capsys, "fluxes", "fetch", "MiniBooNE_FHC")
    assert code == 0 and out.strip().endswith("fluxes/MiniBooNE_FHC.dat")


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_flux_json_from_official_file(capsys):
    code, out, _ = run(capsys, "flux", "--beam", "bnb", "--distance", "541", "--json")
    d = json.loads(out)
    assert code == 0 and d["unit"] == "nu/cm2/GeV/POT" and "official file" in d["provenance"]
    assert len(d["energies_GeV"]) == len(d["flux"]["nu_mu"])
    assert set(d["flux"]) >= {"nu_e", "nu_mu", "nu_e_bar", "nu_mu_bar"}


def test_flux_dar_json_has_lines(capsys):
    code, out, _ = run(capsys, "flux", "--beam", "pi-dar", "--distance", "20", "--stopped-per-pot", "0.1", "--json")
    d = json.loads(out)
    geo = 0.1 / (4 * math.pi * 2000.0**2)
    assert code == 0 and d["lines"]["nu_mu"][0][1] == pytest.approx(geo * (1 - 1.230e-4), rel=1e-6, abs=0)
    assert d["integrals"]["nu_mu_bar"] == pytest.approx(geo * (1 - 1.230e-4), rel=1e-4, abs=0)


def test_flux_table_model_and_plot(capsys, tmp_path):
    png = tmp_path / "bnb.png"
    code, out, _ = run(capsys, "flux", "--beam", "bnb", "--distance", "600", "--stats", "2048", "--points", "5",
                       "--plot", str(png))
    assert code == 0
    assert "provenance: darkbeam beam model 'bnb'" in out and "no official flux file" in out
    assert "nu_mu" in out and png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "argv, needle, exit_code",
    [
        (("flux", "--beam", "nonsense"), "unknown flux source 'nonsense'", 2),
        (("flux", "--beam", "bnb"), "needs a distance", 2),
        (("flux", "--beam", "bnb", "--distance", "-3"), "distance must be positive", 2),
        (("flux", "--beam", "bnb", "--distance", "500", "--mode", "XYZ"), "unknown horn polarity", 2),
        (("flux", "--beam", "bnb", "--distance", "500", "--polarity", "XYZ"), "unknown horn polarity", 2),
        (("flux", "--beam", "k-dar", "--distance", "100"), "stopped parents per POT", 2),
        (("fluxes", "fetch", "Nope"), "unknown flux data file 'Nope'", 5),
        (("fluxes", "show"), "Missing argument", 2),
        (("flux", "--beam", "bnb", "--distance", "500", "--source", "filez"), "--source: unknown value 'filez'", 2),
        (("flux", "--beam", "charmii_fhc", "--source", "model"), "'charmii_fhc' has no beam model", 5),
        (("fluxes", "show", "ND280_FHC"), "ND280_FHC is retired", 5),
        (("flux", "--beam", "ND280_FHC"), "use T2K_ND280_2020_plus250kA for FHC", 5),
        (("flux", "--bogus"), "No such option", 2),
    ],
)
def test_bad_input_one_line(capsys, argv, needle, exit_code):
    code, out, err = run(capsys, *argv)
    assert code == exit_code
    assert needle in err and err.count("\n") == 1 and err.startswith("darkbeam: error:")


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_checksum_mismatch_is_one_line(capsys, monkeypatch, tmp_path):
    entry = reg.lookup("MiniBooNE_FHC")
    target = tmp_path / "mirror" / entry.path
    target.parent.mkdir(parents=True)
    shutil.copy(reg.locate(entry), target)
    target.write_bytes(target.read_bytes() + b"\n")
    monkeypatch.setenv(reg.ENV_DATA_DIR, str(tmp_path / "mirror"))
    monkeypatch.setenv(reg.ENV_CACHE_DIR, str(tmp_path / "cache"))
    code, _, err = run(capsys, "fluxes", "fetch", "MiniBooNE_FHC")
    assert code == 5 and "checksum mismatch" in err and err.count("\n") == 1
    code, _, err = run(capsys, "flux", "--beam", "miniboone", "--source", "file")
    assert code == 5 and "checksum mismatch" in err and err.count("\n") == 1


def test_missing_file_offline_is_one_line(capsys, monkeypatch, tmp_path):
    from darkbeam.sources.beam import validation

    monkeypatch.delenv(reg.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(reg.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(reg.ENV_OFFLINE, "1")
    code, _, err = run(capsys, "fluxes", "fetch", "DUNE_ND_FHC")
    assert code == 5 and "not found locally" in err and err.count("\n") == 1
    # the beam model is not validated at the DUNE ND: stop, naming the file and how to provide it
    monkeypatch.setattr(validation, "VALIDATED", {})
    code, _, err = run(capsys, "flux", "--beam", "dune_nd", "--stats", "1024", "--json")
    assert code == 5 and err.count("\n") == 1 and "DUNE_ND_FHC" in err and "DARKBEAM_DATA_DIR" in err
    # where it is validated, the model stands in and says so: provenance, JSON 'fallbacks', printed FALLBACK line
    monkeypatch.setattr(validation, "VALIDATED", {"lbnf": [(574.0, 0.0, "FHC", "test")]})
    code, out, _ = run(capsys, "flux", "--beam", "dune_nd", "--stats", "1024", "--json")
    d = json.loads(out)
    assert code == 0 and "beam model 'lbnf'" in d["provenance"] and "FALLBACK" in d["provenance"]
    assert len(d["fallbacks"]) == 1 and "DUNE_ND_FHC" in d["fallbacks"][0]
    code, out, _ = run(capsys, "flux", "--beam", "dune_nd", "--stats", "1024", "--points", "3")
    assert code == 0 and "FALLBACK: flux: beam model 'lbnf'" in out


