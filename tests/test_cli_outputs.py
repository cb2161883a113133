"""Where ``darkbeam generate`` writes: parent folders created, folders and dotted names, --overwrite.

Small runs (one flavour, coherent scattering, 100 events per case), in-process.
"""

import json

import pytest

from darkbeam.cli.main import main

SMALL = ("generate", "-n", "100", "--regime", "coherent", "--projectile", "nu_mu", "--json")


def gen(capsys, *argv):
    code = main(list(SMALL + argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_readme_layout_in_a_fresh_folder(tmp_path, monkeypatch, capsys):
    """The README's first example writes into out/, which does not exist yet; dotted names stay whole;
    a second run refuses to overwrite, --overwrite replaces every file."""
    monkeypatch.chdir(tmp_path)
    code, out, err = gen(capsys, "-o", "out/run_m0.1", "-f", "parquet", "-f", "hepmc3", "--plots", "out/plots")
    assert code == 0, err
    files = json.loads(out)["files"]
    assert files[:2] == ["out/run_m0.1.parquet", "out/run_m0.1.hepmc3"]
    assert (tmp_path / "out" / "plots" / "E_nu.png").is_file()
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob(".*tmp"))
    first = (tmp_path / "out" / "run_m0.1.parquet").read_bytes()

    code, out, err = gen(capsys, "-o", "out/run_m0.2")
    assert code == 0, err
    assert json.loads(out)["files"] == ["out/run_m0.2.parquet"]
    assert (tmp_path / "out" / "run_m0.1.parquet").read_bytes() == first  # not overwritten by m0.2

    code, _, err = gen(capsys, "-o", "out/run_m0.1", "-f", "parquet", "--seed", "2")
    assert code == 2 and err == "darkbeam: error: output out/run_m0.1.parquet exists (use --overwrite to replace it)\n"
    code, _, err = gen(capsys, "-o", "out/run_m0.1", "-f", "parquet", "--seed", "2", "--overwrite")
    assert code == 0, err
    assert (tmp_path / "out" / "run_m0.1.parquet").read_bytes() != first


@pytest.mark.parametrize("target", ["od/", "od"])
def test_folder_output_writes_inside(tmp_path, monkeypatch, capsys, target):
    monkeypatch.chdir(tmp_path)
    if target == "od":
        (tmp_path / "od").mkdir()  # an existing folder, named without a slash
    code, out, err = gen(capsys, "-o", target, "-f", "hepevt")
    assert code == 0, err
    assert json.loads(out)["files"] == ["od/events.hepevt"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["events.hepevt", "od"]


def test_known_suffix_is_kept_and_selects_the_format(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = gen(capsys, "-o", "x.hepmc", "--unweighted", "5")
    assert code == 0, err
    assert json.loads(out)["files"] == ["x.hepmc", "x_unweighted.hepmc3"]
    assert (tmp_path / "x.hepmc").read_text().startswith("HepMC::Version")
