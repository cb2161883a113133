"""Start-up of a darkbeam command (docs/startup.md): its options convert their values without typer's
pydantic adapters, with typer's results (darkbeam/cli/_coercion.py), and only the command that runs is
registered and built (darkbeam.cli.main.COMMAND_MODULES).

The reference is typer's own coercion of the same parameter (``typer._coercion.build_runtime_param``,
a pydantic TypeAdapter): for every input of a table and of a random sample of number-like strings,
:class:`FastCoercion` must give the same value of the same type, or the same error message."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

pytest.importorskip("typer._coercion", reason="typer < 0.25 converts with click's types: nothing to check")

import typer  # noqa: E402
from typer._click import Context  # noqa: E402
from typer._click.exceptions import BadParameter  # noqa: E402
from typer._coercion import build_runtime_param  # noqa: E402

from darkbeam.cli import _coercion  # noqa: E402
from darkbeam.cli.main import DarkbeamTyper, LazyHelpCommand, LazyHelpGroup  # noqa: E402

_toy = DarkbeamTyper(add_completion=False)


@_toy.command("toy")
def _toy_command(
    s: Optional[str] = typer.Option(None, "--s"),
    i: int = typer.Option(3, "--i"),
    f: Optional[float] = typer.Option(None, "--f"),
    f0: float = typer.Option(0, "--f0"),
    b: bool = typer.Option(False, "--b"),
    p: Optional[Path] = typer.Option(None, "--p"),
    ls: Optional[list[str]] = typer.Option(None, "--ls"),
    li: Optional[list[int]] = typer.Option(None, "--li"),
    bounded: int = typer.Option(1, "--bounded", min=0, max=10),
    name: str = typer.Argument("x"),
) -> None:
    """A command with one option of each kind darkbeam uses."""


def _params():
    cmd = typer.main.get_command(_toy)
    return cmd, {p.name: p for p in cmd.params}


def _outcome(runtime, value, param, ctx):
    try:
        out = runtime._coerce_value(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return ("error", exc.format_message())
    return ("value", type(out), out if not (isinstance(out, float) and out != out) else "nan")


def _check(name, values):
    cmd, params = _params()
    param = params[name]
    ctx = Context(cmd)
    desc = param.type_descriptor
    parser = _coercion._fast_parser(desc.annotation, desc.parameter_info)
    assert parser is not None, name
    fast = _coercion._runtime_param_class()(desc.parameter_info, desc.annotation, parser)
    slow = build_runtime_param(desc)
    for v in values:
        assert _outcome(fast, v, param, ctx) == _outcome(slow, v, param, ctx), (name, v)


_NUMBERS = ["0", "7", "-0", "+5", "007", "12.0", "1.5", "-.5e-3", "1.", ".5", "1e3", "1E5", "1e400", "-1e-400",
            "99999999999999999999999", "123456789012345678", "1234567890123456789", "0.1000000000000000055511151231257827",
            "1" * 400, "0." + "1" * 400, "1" * 30 + "e300", "1" * 5000, " 12 ", "1_000", "0x10", "", "inf", "-inf", "nan", "abc", "1e", "e5", "--1", "+", ".", "1.5.2", "١٢", "\udcff",
            0, 1, -3, 2**53, 2**60, 1.5, True, None]


@pytest.mark.parametrize("name", ["i", "f", "f0", "bounded"])
def test_numbers_as_typer_converts_them(name):
    if name == "bounded":  # bounds: not taken over, typer's own coercion stays
        _, params = _params()
        d = params["bounded"].type_descriptor
        assert _coercion._fast_parser(d.annotation, d.parameter_info) is None
        return
    _check(name, [v for v in _NUMBERS if v is not None])


def test_random_number_strings_as_typer_converts_them():
    rng = random.Random(10)
    values = ["".join(rng.choice("0123456789+-.eE_ ") for _ in range(rng.randint(1, 9))) for _ in range(3000)]
    values += [f"{rng.uniform(-1, 1)!r}e{rng.randint(-330, 330)}" for _ in range(1000)]
    values += [repr(rng.uniform(-1e6, 1e6)) for _ in range(500)]
    values += [str(rng.randint(-10**19, 10**19)) for _ in range(300)]
    _check("i", values)
    _check("f", values)


def test_strings_paths_flags_and_lists_as_typer_converts_them(tmp_path):
    strings = ["", "a", " a b ", "\udcff", "é", "-", "x.parquet", 5, 1.5, b"bytes"]
    _check("s", strings)
    _check("name", strings)
    unreadable = tmp_path / "locked"
    unreadable.write_text("x")
    unreadable.chmod(0)
    _check("p", ["", ".", "a/b", str(tmp_path), str(unreadable), "-", "\udcff", Path("x"), 3])
    _check("b", [True, False, "true", "no", 1, "x"])
    _check("ls", [(), ("a",), ("a", "b"), ["a"], ("a", 3)])
    _check("li", [(), ("1", "2"), ("1", "x"), ("1_0",), (4,)])


def test_the_common_inputs_are_converted_without_typer():
    """The inputs of ordinary command lines never build typer's adapter (the point of the change)."""
    cmd, params = _params()
    ctx = Context(cmd)
    for name, values in {"s": ["a", ""], "i": ["7", "-3", 3], "f": ["1.5", "2e-3", "4", 0.5], "f0": [0],
                         "p": ["x.toml"], "ls": [("a", "b")], "name": ["x"]}.items():
        d = params[name].type_descriptor
        fast = _coercion._runtime_param_class()(d.parameter_info, d.annotation,
                                                _coercion._fast_parser(d.annotation, d.parameter_info))
        for v in values:
            fast.coerce(v, param=params[name], ctx=ctx)
        assert fast._typer is None, name


def test_every_darkbeam_command_and_group_takes_the_plain_options():
    import darkbeam.cli.main as m

    m._register()

    def walk(cmd, path):
        assert isinstance(cmd, (LazyHelpGroup, LazyHelpCommand)), path
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(m.app), ["darkbeam"])


_CODE = """
import sys, json
from darkbeam.cli.main import main
rc = main(sys.argv[1:])
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(rc)
"""


def test_a_command_with_options_builds_no_typer_adapter():
    """``darkbeam generate`` with options of int, str and list types (and 20 more at their
    defaults), refused by darkbeam's own check after every value has been converted."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = ["generate", "-n", "50", "--seed", "7", "--regime", "coherent", "--nucleon-model", "free", "-o", "x.parquet"]
    r = subprocess.run([sys.executable, "-c", _CODE, *args], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "--events must be at least 100 per case, got 50" in r.stderr
    modules = set(json.loads(r.stderr.split("MODULES ")[-1]))
    assert "darkbeam.cli.generate" in modules and "typer" in modules
    assert "typer._adapters" not in modules


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
