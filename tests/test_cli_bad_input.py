"""Bad command lines: one clear line on stderr, a non-zero exit, no traceback, nothing left behind.

Each case runs ``darkbeam`` in-process (darkbeam.cli.main.main) in an empty temporary folder, after an
optional setup that creates files there; the folder must hold exactly the same files afterwards.
Every case is refused before any work starts, so the table stays fast.  Also here: the output-path
rules of ``-o``, ``--overwrite``, the memory estimate, SIGTERM cleanup, stale ``.part`` files of
killed runs, and scans that fail without leaving ``scan.json``.
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from darkbeam.cli.main import main

SCAN = """
[scan]
name = "tiny"
experiment = "miniboone_fhc"
[model]
HNLtype = "dirac"
mzprime = 0.03
alphaD = 0.25
alpha_epsilon2 = 2e-10
UD4 = 1.0
[generation]
events = 400
projectiles = ["nu_mu"]
regimes = ["coherent"]
helicities = ["conserving"]
[x]
param = "m4"
min = 0.08
max = 0.4
n = 2
[y]
param = "Umu4"
power = 2
min = 1e-10
max = 1e-6
n = 3
[signal]
channels = ["e+ e-"]
[statistics]
background = 400.0
"""


def _scan(edit=None, extra=""):
    def setup(d):
        text = SCAN if edit is None else SCAN.replace(*edit)
        (d / "s.toml").write_text(text + extra)
    return setup


def _touch(*names):
    def setup(d):
        for n in names:
            p = d / n
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("x")
    return setup


def _mkdir(*names):
    def setup(d):
        for n in names:
            (d / n).mkdir(parents=True)
    return setup


def _both(*setups):
    def setup(d):
        for s in setups:
            s(d)
    return setup


G = ("generate", "-n", "100")
F = ("flux", "--beam", "miniboone")

# (argv, setup, needle in the error line)
CASES = [
    # generate: fixed choices
    (G + ("--format", "xyz"), None, "--format: unknown value 'xyz'"),
    (G + ("-o", "x", "--format", "parquet,xyz"), None, "unknown value 'xyz'"),
    (G + ("-o", "x", "--format", ""), None, "--format: empty value"),
    (G + ("--regime", "bogus"), None, "--regime: unknown value 'bogus'"),
    (G + ("--regime", ""), None, "--regime: empty value"),
    (G + ("--regime", "coherent,"), None, "--regime: empty value"),
    (G + ("--regime", "coherant"), None, "did you mean 'coherent'"),
    (G + ("--projectile", "nu_x"), None, "--projectile: unknown value 'nu_x'"),
    (G + ("--projectile", ""), None, "--projectile: empty value"),
    (G + ("--couplings", "dn"), None, "--couplings: unknown value 'dn'"),
    (G + ("--flux-source", "xx"), None, "--flux-source: unknown value 'xx'"),
    (G + ("--flux-source", "File"), None, "did you mean 'file'"),
    (G + ("--experiment", "nowhere"), None, "unknown experiment 'nowhere'"),
    (G + ("--experiment", "nowhere.toml"), None, "not found"),
    # generate: numbers
    (("generate", "-n", "99"), None, "at least 100"),
    (("generate", "-n", "-5"), None, "at least 100"),
    (("generate", "-n", "abc"), None, "--events"),
    (("generate", "-n", "100000000000000"), None, "GB of memory"),
    (G + ("--workers", "0"), None, "--workers must be at least 1"),
    (G + ("--unweighted", "0"), None, "--unweighted must be a positive"),
    (G + ("--unweighted", "10"), None, "give --output too"),
    (G + ("--format", "hepmc3"), None, "give --output too"),
    (G + ("--seed", "-1"), None, "seed must be a non-negative"),
    (G + ("--set", "m4=nan"), None, "positive and finite"),
    (G + ("--set", "m4"), None, "key=value"),
    (G + ("--set", "Umu4=2"), None, "|U| <= 1"),
    (G + ("--model", "missing.toml"), None, "file not found"),
    (G + ("--model", "bad.toml"), lambda d: (d / "bad.toml").write_text("garbage [[["), "not valid TOML"),
    (G + ("--bogus",), None, "No such option"),
    (G + ("extra",), None, "unexpected extra argument"),
    # generate: output files
    (G + ("-o", ""), None, "--output is empty"),
    (G + ("-o", "x"), _touch("x.parquet"), "x.parquet exists (use --overwrite"),
    (G + ("-o", "x.parquet"), _touch("x.parquet"), "x.parquet exists"),
    (G + ("-o", "x", "-f", "parquet", "-f", "hepmc3"), _touch("x.hepmc3"), "x.hepmc3 exists"),
    (G + ("-o", "x", "--unweighted", "10"), _touch("x_unweighted.parquet"), "x_unweighted.parquet exists"),
    (G + ("-o", "od"), _touch("od/events.parquet"), "od/events.parquet exists"),
    (G + ("-o", "od/"), _touch("od/events.parquet"), "od/events.parquet exists"),
    (G + ("-o", "run_m0.1"), _touch("run_m0.1.parquet"), "run_m0.1.parquet exists"),
    (G + ("-o", "x"), _mkdir("x.parquet"), "output x.parquet is a folder"),
    (G + ("-o", "x.hepmc3", "--format", "parquet"), None, "names a hepmc3 file but --format is parquet"),
    (G + ("-o", "f/x"), _touch("f"), "f is not a folder"),
    (G + ("-o", "/proc/darkbeam_x"), None, "cannot write in /proc"),
    (G + ("-o", "x", "--plots", "pl"), _touch("pl"), "--plots needs a folder, pl is a file"),
    (G + ("--plots", "pl"), _touch("pl/E_nu.png"), "pl/E_nu.png exists"),
    (G + ("--plots", ""), None, "--plots is empty"),
    (G + ("--plots", "/proc/darkbeam_x"), None, "cannot write in /proc"),
    # decays
    (("decays", "--particle", "xx"), None, "unknown particle 'xx'"),
    (("decays", "--particle", ""), None, "unknown particle ''"),
    (("decays", "--channel", "xx yy"), None, "no decay channel 'xx yy'"),
    (("decays", "--set", "m4=0"), None, "positive and finite"),
    (("decays", "--set", "epsilon=2"), None, "|epsilon| < 1"),
    (("decays", "--set", "HNLtype=xx"), None, "HNLtype"),
    (("decays", "-m", "dd"), _mkdir("dd"), "dd"),
    (("decays", "-m", "m.toml"), lambda d: (d / "m.toml").write_bytes(b"\xff\xfe"), "m.toml"),
    (("decays", "extra"), None, "unexpected extra argument"),
    # xsec
    (("xsec",), None, "at least one energy"),
    (("xsec", "-E", "abc"), None, "not an energy"),
    (("xsec", "-E", "-1"), None, "energies must be >= 0"),
    (("xsec", "-E", "nan"), None, "finite"),
    (("xsec", "-E", "1", "--target", "Xx12"), None, "not an element symbol"),
    (("xsec", "-E", "1", "--target", "C"), None, "mass number"),
    (("xsec", "-E", "1", "--regime", "xx"), None, "unknown regime 'xx'"),
    (("xsec", "-E", "1", "--helicity", "xx"), None, "unknown helicity 'xx'"),
    (("xsec", "-E", "1", "--projectile", "xx"), None, "unknown projectile 'xx'"),
    (("xsec", "-E", "1", "--hnl", "N9"), None, "unknown HNL 'N9'"),
    (("xsec", "-E", "1", "--form-factor", "xx"), None, "form-factor"),
    (("xsec", "-E", "1", "--bogus"), None, "no such option: --bogus"),
    # flux
    (("flux",), None, "Missing option '--beam'"),
    (("flux", "--beam", "xx"), None, "unknown flux source 'xx'"),
    (("flux", "--beam", ""), None, "unknown flux source ''"),
    (F + ("--source", "xx"), None, "--source: unknown value 'xx'"),
    (F + ("--mode", "xx"), None, "unknown horn polarity 'xx'"),
    (F + ("--emin", "5", "--emax", "1"), None, "empty energy range"),
    (F + ("--emin", "-1"), None, "--emin must be a finite energy"),
    (F + ("--emax", "inf"), None, "--emax must be a finite energy"),
    (F + ("--points", "1"), None, "--points must be at least 2"),
    (F + ("--stats", "0"), None, "--stats must be at least 16"),
    (F + ("--seed", "-1"), None, "--seed must be a non-negative"),
    (F + ("--off-axis", "-1"), None, "--off-axis must be a finite angle"),
    (F + ("--distance", "-5", "--source", "model"), None, "distance must be positive"),
    (F + ("--plot", "x.xyz"), None, "unknown plot format '.xyz' (choose from"),
    (F + ("--plot", "x"), None, "give a file suffix"),
    (F + ("--plot", ""), None, "--plot is empty"),
    (F + ("--plot", "x.png"), _touch("x.png"), "x.png exists (use --overwrite"),
    (F + ("--plot", "x.png"), _mkdir("x.png"), "is a folder"),
    (F + ("--plot", "f/x.png"), _touch("f"), "f is not a folder"),
    (F + ("--plot", "/proc/darkbeam_x.png"), None, "cannot write in /proc"),
    (("flux", "--beam", "coherent", "--parent", "xx"), None, "--parent: unknown value 'xx'"),
    (F + ("--parent", "xx"), None, "--parent: unknown value 'xx'"),
    (("flux", "--beam", "coherent", "--stopped-per-pot", "-1"), None, "stopped parents per POT"),
    (("flux", "--beam", "charmii_fhc", "--source", "model"), None, "'charmii_fhc' has no beam model"),
    # fluxes
    (("fluxes",), None, "needs a command (list, show, fetch)"),
    (("fluxes", "show"), None, "Missing argument"),
    (("fluxes", "show", "xx"), None, "unknown flux data file 'xx'"),
    (("fluxes", "fetch", "xx"), None, "unknown flux data file 'xx'"),
    (("fluxes", "bogus"), None, "No such command"),
    # reweight
    (("reweight",), None, "Missing argument"),
    (("reweight", "missing.parquet"), None, "no such event file"),
    (("reweight", "x.parquet"), lambda d: (d / "x.parquet").write_text("hi"), "not a readable parquet file"),
    (("reweight", "d"), _mkdir("d"), "d is a folder"),
    (("reweight", "missing.parquet", "--positions", "xx"), None, "--positions: unknown value 'xx'"),
    (("reweight", "missing.parquet", "--seed", "-1"), None, "--seed must be a non-negative"),
    (("reweight", "missing.parquet", "-o", "x.hepmc3"), None, "writes parquet files only"),
    (("reweight", "missing.parquet", "-o", ""), None, "--output is empty"),
    (("reweight", "missing.parquet", "-o", "x"), _touch("x.parquet"), "x.parquet exists"),
    (("reweight", "missing.parquet", "-o", "f/x"), _touch("f"), "f is not a folder"),
    # scan
    (("scan",), None, "Missing argument"),
    (("scan", "missing.toml"), None, "file not found"),
    (("scan", "d"), _mkdir("d"), "d is a folder"),
    (("scan", "s.toml", "--executor", "xx"), _scan(), "unknown executor 'xx'"),
    (("scan", "s.toml", "--workers", "0"), _scan(), "workers must be >= 1"),
    (("scan", "s.toml", "--scheduler", "tcp://x:1", "--executor", "serial"), _scan(), "needs the dask executor"),
    (("scan", "s.toml", "-o", ""), _scan(), "--output is empty"),
    (("scan", "s.toml", "-o", "out"), _both(_scan(), _touch("out")), "is not a folder"),
    (("scan", "s.toml", "-o", "out"), _both(_scan(), _touch("out/x")), "not empty and holds no scan"),
    (("scan", "s.toml", "-o", "/proc/darkbeam_x"), _scan(), "cannot write in /proc"),
    (("scan", "s.toml"), _scan(('"e+ e-"', '"e+ e_"')), "'e+ e_' is not a visible final state"),
    (("scan", "s.toml"), _scan(('"e+ e-"', '"e- e+ "')), None),  # order and spaces do not matter: it must run
    (("scan", "s.toml"), _scan(('"e+ e-"', '"gamma"')), "'gamma' is not a visible final state"),
    (("scan", "s.toml"), _scan(('"e+ e-"', '""')), "empty channel name"),
    (("scan", "s.toml"), _scan(('param = "Umu4"', 'param = "m4"')), "both axes scan m4"),
    (("scan", "s.toml"), _scan(('"coherent"', '"cohrent"')), "[generation].regimes"),
    (("scan", "s.toml"), _scan(('["nu_mu"]', '["nu_x"]')), "[generation].projectiles"),
    (("scan", "s.toml"), _scan(('["conserving"]', '["both"]')), "[generation].helicities"),
    (("scan", "s.toml"), _scan(("events = 400", "events = 100000000000000")), "GB of memory"),
    (("scan", "s.toml"), _scan(None, '[plot]\noverlays = [{file = "nope.csv"}]\n'), "file not found"),
    (("scan", "s.toml"), _both(_scan(None, '[plot]\noverlays = [{file = "c.csv"}]\n'), _touch("c.csv")),
     "needs at least two points"),
    (("scan", "s.toml"), _scan(("miniboone_fhc", "nowhere")), "unknown experiment 'nowhere'"),
    # params, root
    (("params", "extra"), None, "unexpected extra argument"),
    (("params", "--bogus"), None, "No such option"),
    (("bogus",), None, "No such command"),
    (("--bogus",), None, "No such option"),
]
# the "order does not matter" scan case is a valid input: checked in test_signal_channel_order below
CASES = [c for c in CASES if c[2] is not None]


def _files(d: Path) -> set:
    return {str(p.relative_to(d)) for p in d.rglob("*")}


def run_in(tmp_path, monkeypatch, capsys, argv, setup=None):
    monkeypatch.chdir(tmp_path)
    if setup is not None:
        setup(tmp_path)
    capsys.readouterr()
    before = _files(tmp_path)
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err, _files(tmp_path) - before, before - _files(tmp_path)


@pytest.mark.parametrize("argv, setup, needle", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_command_line(tmp_path, monkeypatch, capsys, argv, setup, needle):
    code, out, err, created, removed = run_in(tmp_path, monkeypatch, capsys, argv, setup)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("darkbeam: error: "), err
    assert needle in err, err
    assert "Traceback" not in err + out and "internal error" not in err
    assert not created and not removed


def test_signal_channel_order_and_spaces(tmp_path):
    from darkbeam.scan.config import load_config

    _scan(('"e+ e-"', '"e- e+ "'))(tmp_path)
    assert load_config(tmp_path / "s.toml").signal.channels == ["e- e+ "]


# ------------------------------------------------------------------ output-path rules (no generation)
@pytest.mark.parametrize("raw, base, fmt", [
    ("run_m0.1", "run_m0.1", None),          # any other dot is part of the name
    ("run_m0.2", "run_m0.2", None),
    ("x.parquet", "x", "parquet"),           # known suffixes select the format
    ("x.PQ", "x", "parquet"),
    ("x.hepmc", "x", "hepmc3"),
    ("x.hepevt", "x", "hepevt"),
    ("out/uboone", "out/uboone", None),
    ("od/", "od/events", None),              # a trailing slash: a folder
])
def test_output_base(raw, base, fmt):
    from darkbeam.cli.common import event_output_base, with_format_suffix

    b, f = event_output_base(raw, "events")
    assert (str(b), f) == (base, fmt)
    assert with_format_suffix(b, "parquet").name == Path(base).name + ".parquet"
    assert with_format_suffix(b, "hepmc3", "_unweighted").name == Path(base).name + "_unweighted.hepmc3"


def test_output_existing_folder_means_inside(tmp_path):
    from darkbeam.cli.common import event_output_base

    (tmp_path / "od").mkdir()
    assert event_output_base(tmp_path / "od", "events") == (tmp_path / "od" / "events", None)


def test_memory_estimate_refuses_before_work(tmp_path, monkeypatch, capsys):
    import darkbeam.events.memory as mem

    monkeypatch.setattr(mem, "available_memory", lambda: 10 * mem.BYTES_PER_EVENT * 1000)
    code, _, err, created, _ = run_in(tmp_path, monkeypatch, capsys, G[:2] + ("20000", "-o", "x"))
    assert code == 2 and "GB of memory" in err and "more than the" in err and not created
    assert mem.available_memory() > 0


def test_real_available_memory_is_known():
    from darkbeam.events.memory import available_memory

    m = available_memory()
    assert m is None or m > 1e6


# ------------------------------------------------------------------ leftovers of killed runs
def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_next_write_removes_parts_of_dead_processes(tmp_path):
    from darkbeam.events.writers import _HOST, atomic_output

    target = tmp_path / "x.parquet"
    dead = tmp_path / f".x.parquet.{_HOST}.{_dead_pid()}.0badc0de.part"
    old_style = tmp_path / f".x.parquet.{_dead_pid()}.0badc0de.part"  # before host names were added
    alive = tmp_path / f".x.parquet.{_HOST}.{os.getppid()}.0badc0de.part"
    other_host = tmp_path / f".x.parquet.{_HOST}-elsewhere.{_dead_pid()}.0badc0de.part"
    other_file = tmp_path / f".y.parquet.{_HOST}.{_dead_pid()}.0badc0de.part"
    for p in (dead, old_style, alive, other_host, other_file):
        p.write_bytes(b"x" * 10)
    with atomic_output(target) as tmp:
        assert tmp.name.startswith(f".x.parquet.{_HOST}.{os.getpid()}.") and tmp.name.endswith(".part")
        tmp.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert not dead.exists() and not old_style.exists()
    assert alive.exists() and other_host.exists() and other_file.exists()


def test_sigterm_removes_the_part_file(tmp_path):
    from darkbeam.cli._signals import Terminated, signals_as_exceptions
    from darkbeam.events.writers import atomic_output

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated) as info:
        with signals_as_exceptions():
            with atomic_output(tmp_path / "x.parquet") as tmp:
                tmp.write_bytes(b"half")
                os.kill(os.getpid(), signal.SIGTERM)
    assert info.value.signum == signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_mid_command_exits_143_with_one_line(tmp_path):
    """The darkbeam command turns SIGTERM into one line and exit code 128 + 15, and removes its .part."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import darkbeam.cli.decays as d\n"
        "from darkbeam.events.writers import atomic_output\n"
        "def killed(*a, **k):\n"
        "    with atomic_output(Path('x.parquet')) as tmp:\n"
        "        tmp.write_bytes(b'half')\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "d.decay_table = killed\n"
        "from darkbeam.cli.main import main\n"
        "sys.exit(main(['decays']))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 143
    assert r.stderr == "darkbeam: error: terminated by SIGTERM\n"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ failed scans leave nothing
def _cfg(tmp_path):
    from darkbeam.scan.config import load_config

    _scan()(tmp_path)
    return load_config(tmp_path / "s.toml")


def _failing_unit(task):
    from darkbeam.errors import KinematicsError

    raise KinematicsError("boom")


@pytest.mark.parametrize("existing", [False, True])
def test_failed_scan_leaves_no_manifest(tmp_path, existing):
    from darkbeam.errors import KinematicsError
    from darkbeam.scan.runner import run_scan

    cfg = _cfg(tmp_path)
    out = tmp_path / "deep" / "out"
    if existing:
        out.mkdir(parents=True)
    with pytest.raises(KinematicsError, match="boom"):
        run_scan(cfg, out, point_fn=_failing_unit)
    assert (out.is_dir() and not any(out.iterdir())) if existing else not (tmp_path / "deep").exists()


def test_scan_failing_after_a_unit_keeps_its_checkpoint(tmp_path):
    """Finished units are checkpoints for a resume: a later failure keeps them and the manifest."""
    import numpy as np

    from darkbeam.errors import KinematicsError
    from darkbeam.scan.grid import UnitResult
    from darkbeam.scan.runner import run_scan

    def first_only(task):
        if task.index > 0:
            raise KinematicsError("boom")
        n = len(task.points)
        return UnitResult(task.index, np.asarray(task.point_ids), np.ones(n), np.ones(n), np.ones(n), np.ones(n),
                          np.ones(n))

    out = tmp_path / "out"
    with pytest.raises(KinematicsError):
        run_scan(_cfg(tmp_path), out, point_fn=first_only)
    assert (out / "scan.json").is_file() and len(list((out / "points").glob("unit_*.parquet"))) == 1


def test_host_name_has_no_separator():
    from darkbeam.events.writers import _HOST

    assert _HOST and os.sep not in _HOST and "." not in _HOST
    assert _HOST == (socket.gethostname().split(".")[0] or "host").replace(os.sep, "_")
