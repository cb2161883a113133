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


def test_event_files_is_the_one_output_plan_of_every_generate_process(tmp_path):
    """cli.common.event_files (generate, --process meson-decay, nu-e, cevns): names and refusals."""
    from darkbeam.cli.common import event_files
    from darkbeam.errors import ConfigurationError

    files, uw = event_files(str(tmp_path / "run.hepmc"), ["hepmc3", "parquet"], 5, False)
    assert files == [("hepmc3", tmp_path / "run.hepmc"), ("parquet", tmp_path / "run.parquet")]
    assert uw == [("hepmc3", tmp_path / "run_unweighted.hepmc3"), ("parquet", tmp_path / "run_unweighted.parquet")]
    assert event_files(None, None, None, False) == ([], [])
    assert event_files(str(tmp_path) + "/", None, None, False)[0] == [("parquet", tmp_path / "events.parquet")]
    for args, msg in (((None, ["parquet"], None), "give --output too"), (("x", ["root"], None), "--format"),
                      (("x", None, 0), "--unweighted must be a positive"), (("x.hepevt", ["parquet"], None), "names a hepevt")):
        with pytest.raises(ConfigurationError, match=msg):
            event_files(*args, False)
