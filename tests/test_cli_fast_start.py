"""Start-up of a darkbeam command (docs/startup.md): only the command that runs is registered and built
(darkbeam.cli.main.COMMAND_MODULES)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer

_CODE = """
import sys, json
from darkbeam.cli.main import main
rc = main(sys.argv[1:])
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(rc)
"""


def test_the_command_table_names_the_module_of_every_command():
    """COMMAND_MODULES against the registrations written in the command modules, and against the
    commands of the whole app."""
    import re

    import darkbeam.cli.main as m

    found = {}
    for path in sorted(Path(m.__file__).parent.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r'@app\.command\(\s*"([\w-]+)"', text) + re.findall(r'app\.add_typer\(\w+, name="([\w-]+)"', text):
            found[name] = path.stem
    assert found == m.COMMAND_MODULES
    m._register()
    assert set(typer.main.get_command(m.app).commands) == set(m.COMMAND_MODULES)


def test_a_command_imports_only_its_own_module():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run([sys.executable, "-c", _CODE, "params", "--json"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    commands = {m for m in json.loads(r.stderr.split("MODULES ")[-1])
                if m.startswith("darkbeam.cli.") and not m.split(".")[2].startswith("_")}
    assert commands == {"darkbeam.cli.main", "darkbeam.cli.common", "darkbeam.cli.params"}
