"""Start-up: ``darkbeam --help`` and friends import no heavy library (docs/startup.md).

These tests check which modules a fresh interpreter has imported when ``python -m darkbeam ARGS``
exits (``sys.modules``, written out at exit), not how long it took: the numerical libraries,
pydantic, rich and the physics are loaded only by the command that uses them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

#: top-level packages that a start-up must not import (each costs 0.05-0.5 s)
HEAVY = {"numpy", "scipy", "pydantic", "pydantic_core", "pyarrow", "numba", "vegas", "dask", "distributed",
         "matplotlib", "pandas", "uproot", "pyhepmc", "particle", "pooch", "rich", "concurrent"}

#: runs ``python -m darkbeam ARGS`` (runpy, as -m does) or CODE; at exit writes sys.modules to stderr
_WRAPPER = """
import atexit, json, runpy, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
args, code = json.loads(sys.argv[1])
if code is None:
    sys.argv = ["darkbeam", *args]
    runpy.run_module("darkbeam", run_name="__main__", alter_sys=True)
else:
    exec(code)
"""


def _imported(args: list[str], code: str | None = None) -> tuple[int, str, set[str]]:
    """Exit code, stdout and the modules imported by ``python -m darkbeam ARGS`` (or by ``python -c
    CODE``) in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "100"}
    r = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps([args, code])], capture_output=True, text=True,
                       env=env, timeout=120)
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("MODULES ")]
    assert len(lines) == 1, r.stderr[-2000:]
    modules = set(json.loads(lines[0][len("MODULES "):]))
    assert "darkbeam" in modules  # the list is the interpreter's: the checks below are not vacuous
    return r.returncode, r.stdout, modules


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY or m.startswith("darkbeam.physics")}


@pytest.mark.parametrize("args", [
    ["--help"], ["--version"], [], ["generate", "--help"], ["xsec", "--help"], ["scan", "--help"],
    ["experiments", "list", "--help"], ["fluxes", "show", "--help"],
], ids=lambda a: " ".join(a) or "(no arguments)")
def test_help_imports_no_heavy_library(args):
    code, out, modules = _imported(args)
    assert code == 0
    assert out.strip()  # the help text or the version was printed
    assert "typer" in modules and "darkbeam.cli.main" in modules  # what a start-up does need
    assert not _heavy(modules), sorted(_heavy(modules))


def test_every_command_is_registered_without_heavy_imports():
    """The top-level help lists every command: they are all registered, each module loaded cheaply."""
    code, out, modules = _imported(["--help"])
    module = {"fluxes": "flux"}  # command -> the module of darkbeam.cli that defines it, where they differ
    for name in ("generate", "reweight", "scan", "xsec", "decays", "flux", "fluxes", "experiments", "params"):
        assert re.search(rf"^\s+{name}\s", out, re.M), name
        assert f"darkbeam.cli.{module.get(name, name)}" in modules


def test_a_usage_error_imports_no_heavy_library():
    code, _, modules = _imported(["generate", "--bogus"])
    assert code == 2
    assert not _heavy(modules), sorted(_heavy(modules))


def test_import_darkbeam_and_the_cli_is_light():
    code, _, modules = _imported([], "import darkbeam, darkbeam.cli.main as m; m._register()")
    assert code == 0
    assert "darkbeam.cli.generate" in modules
    assert not _heavy(modules), sorted(_heavy(modules))


def test_a_command_still_loads_what_it_needs():
    """The control: a command that computes imports numpy and pydantic (the test can fail)."""
    code, out, modules = _imported(["decays", "--json"])
    assert code == 0 and '"channels"' in out
    assert {"numpy", "pydantic", "darkbeam.physics.decays"} <= modules


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_generate_json_with_parquet_loads_only_what_it_uses(tmp_path):
    """A `generate --json -o x.parquet` run (docs/startup.md, fixed cost): no rich (the progress bar is
    off with --json), no HepMC/HEPEVT text writer and pyarrow.compute (parquet only), no numpy.ma, no
    numba (batches below the JIT threshold); the control: it did load numpy, vegas and pyarrow.parquet."""
    out = tmp_path / "x.parquet"
    code, stdout, modules = _imported(["generate", "-n", "100", "--projectile", "nu_mu", "--regime", "coherent",
                                       "-o", str(out), "--json"])
    assert code == 0 and '"upscattered"' in stdout and out.exists()
    assert {"numpy", "vegas", "pyarrow.parquet", "darkbeam.processes.generator"} <= modules
    unwanted = {m for m in modules if m.split(".")[0] in ("rich", "numba", "matplotlib", "pandas", "scipy")}
    unwanted |= {m for m in ("darkbeam.events.hepmc", "darkbeam.events._text", "pyarrow.compute", "numpy.ma")
                 if m in modules}
    assert not unwanted, sorted(unwanted)
