"""``darkbeam scan``: outputs (contour data as parquet and CSV, a PNG, the grid), resumption, restart,
a recast through a reference model, and one-line errors for bad input."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from darkbeam.cli.main import main

TINY = """
[scan]
name = "cli"
experiment = "miniboone_fhc"
seed = 5

[model]
HNLtype = "dirac"
mzprime = 0.03
alphaD = 0.25
alpha_epsilon2 = 2e-10
UD4 = 1.0

[generation]
events = 300
nitn_adapt = 2
neval_adapt = 300
projectiles = ["nu_mu"]
regimes = ["coherent"]
helicities = ["conserving"]

[x]
param = "m4"
min = 0.08
max = 0.3
n = 3
label = "m_4 [GeV]"

[y]
param = "Umu4"
power = 2
min = 1e-11
max = 1e-7
n = 5
label = "|U_mu4|^2"
"""

COUNTING = """
[signal]
channels = ["e+ e-"]

[statistics]
background = 25.0
sigma_background = 0.1

[plot]
overlays = [{file = "other.csv", label = "another experiment"}]
"""


def _write(tmp_path, body):
    p = tmp_path / "scan.toml"
    p.write_text(TINY + body)
    return p


def test_scan_writes_contours_grid_and_plot_and_resumes(tmp_path, capsys):
    (tmp_path / "other.csv").write_text("# m4, |U|^2\n0.08, 3e-9\n0.3, 1e-8\n")
    cfg = _write(tmp_path, COUNTING)
    out = tmp_path / "out"
    assert main(["scan", str(cfg), "--output", str(out), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["computed_units"] == 3 and s["reused_units"] == 0 and s["grid"] == [3, 5]
    for name in ("grid.parquet", "grid.csv", "contour.parquet", "contour.csv", "contour.png", "summary.json"):
        assert (out / name).is_file(), name
    assert (out / "contour.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    grid = pq.read_table(out / "grid.parquet").to_pydict()
    assert len(grid["x"]) == 15 and set(grid) >= {"x", "y", "signal", "signal_err", "ratio", "excluded"}
    contour = pq.read_table(out / "contour.parquet").to_pydict()
    assert len(contour["x"]) >= 3 and np.all(np.asarray(contour["y"]) > 0)
    assert (out / "contour.csv").read_text().splitlines()[0] == "segment,x,y"
    # rerun: everything from checkpoints; --restart recomputes
    assert main(["scan", str(cfg), "--output", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["computed_units"] == 0
    assert main(["scan", str(cfg), "--output", str(out), "--restart", "--json", "--no-plot"]) == 0
    assert json.loads(capsys.readouterr().out)["computed_units"] == 3
    # the human-readable summary
    assert main(["scan", str(cfg), "--output", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sensitivity at 90% CL" in text and "contour.png" in text


def test_recast_through_a_reference_model(tmp_path, capsys):
    """The published curve |U|^2 = 1e-9 is taken for a reference model with twice alpha*epsilon^2.  The
    light-Z' upscattering rate is proportional to epsilon^2 (the Z' exchange dominates the Z by ~100)
    and to |U|^2, so the recast limit for the scanned model is twice the published one."""
    (tmp_path / "published.csv").write_text("m4 coupling\n0.05 1e-9\n0.5 1e-9\n")
    body = """
[signal]
channels = ["e+ e-"]

[statistics]
method = "recast"
limit_curve = {file = "published.csv", label = "published (reference model)"}
reference = {alpha_epsilon2 = 4e-10}
"""
    out = tmp_path / "recast"
    assert main(["scan", str(_write(tmp_path, body)), "--output", str(out), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    n_lim = s["limit"]["events_at_published_limit"]
    assert len(n_lim) == 3 and all(v > 0 for v in n_lim)
    contour = pq.read_table(out / "contour.parquet").to_pydict()
    y = np.asarray(contour["y"])
    # y = 1e-9 x 2 x N_reference / N_scanned, two independent samples: its relative error is about
    # sqrt(2) x that of one sample's signal (3-4% here); a factor 2 off would be 25 such errors
    grid = pq.read_table(out / "grid.parquet").to_pydict()
    rel = float(np.max(np.asarray(grid["signal_err"]) / np.asarray(grid["signal"])))
    assert 0.0 < rel < 0.06
    assert np.allclose(y, 2e-9, rtol=3.0 * np.sqrt(2.0) * rel, atol=0), (y, rel)


@pytest.mark.parametrize("text,needle", [
    ("[scan\nname = 1", "not valid TOML"),
    (TINY + "\n[signal]\nchannels = ['e+ e-']\ncolour = 'red'\n", "[signal].colour: unknown key"),
    (TINY.replace("n = 5", "n = 0"), "[y].n"),
    (TINY + "\n[statistics]\nmethod = 'binned'\nbackground = [1.0, 2.0]\n", "needs [signal] variable and bins"),
    (TINY.replace('experiment = "miniboone_fhc"', 'experiment = "nowhere"'), "nowhere"),
])
def test_bad_configurations_give_one_error_line(tmp_path, capsys, text, needle):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    code = main(["scan", str(p), "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and err.startswith("darkbeam: error:") and "\n" not in err and needle in err, err


def test_missing_file_and_foreign_output_folder(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "none.toml")]) != 0
    assert "file not found" in capsys.readouterr().err
    out = tmp_path / "o"
    out.mkdir()
    (out / "scan.json").write_text(json.dumps({"fingerprint": "0123"}))
    (tmp_path / "other.csv").write_text("0.08 3e-9\n0.3 1e-8\n")
    assert main(["scan", str(_write(tmp_path, COUNTING)), "--output", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different scan" in err and "--restart" in err


def test_binned_spectrum_scan(tmp_path, capsys):
    """method = 'binned': per point the asymptotic CLs limit on the strength of the predicted E_vis
    spectrum (shape factors of the decay included); ratio = 1/mu_up."""
    from darkbeam.analysis.statistics import Binned
    from darkbeam.scan.checkpoint import read_unit

    body = """
[signal]
channels = ["e+ e-"]
variable = "E_vis"
bins = [0.0, 0.3, 0.6, 1.0, 3.0]

[statistics]
method = "binned"
background = [50.0, 80.0, 40.0, 20.0]
sigma_background = 0.1
"""
    out = tmp_path / "binned"
    assert main(["scan", str(_write(tmp_path, body)), "--output", str(out), "--json", "--no-plot"]) == 0
    capsys.readouterr()
    grid = pq.read_table(out / "grid.parquet").to_pydict()
    unit, _ = read_unit(out / "points" / "unit_00001.parquet")
    i, k = int(unit.point_ids[3]), 3
    mu = Binned((50.0, 80.0, 40.0, 20.0), sigma_background=0.1).upper_limit(unit.spectrum[k])
    assert grid["mu_up"][i] == pytest.approx(mu, rel=1e-12) and grid["ratio"][i] == pytest.approx(1 / mu, rel=1e-12)
    assert unit.spectrum[k].sum() == pytest.approx(unit.signal[k], rel=0.05)
