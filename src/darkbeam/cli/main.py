"""The ``darkbeam`` command: a thin shell over the Python API.

Every command parses its options, calls the API and prints.  Errors that a user can cause are
:class:`darkbeam.errors.DarkbeamError`; :func:`main` turns them (and click's usage errors) into one
line on stderr and a non-zero exit code.  Set DARKBEAM_DEBUG=1 to see tracebacks.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.core import TyperCommand, TyperGroup

from darkbeam import __version__
from darkbeam.errors import DarkbeamError


class _PlainOptions:
    """A help flag whose value is False (not None) when not given.

    typer >= 0.25 turns every option value that is not already a bool through a pydantic adapter, and
    its help flag defaults to None: without this, ``darkbeam generate --help`` would import pydantic
    (0.1 s) for the group's unused help flag.  The help texts and the behaviour are unchanged.  (A
    direct conversion of the plain option values, skipping typer's adapters, saved ~5 ms per command
    and rested on typer's private API: not kept; docs/startup.md.)"""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None and getattr(option, "default", False) is None:
            option.default = False
        return option


class LazyHelpGroup(_PlainOptions, TyperGroup):
    """typer's command group with :class:`_PlainOptions`."""


class LazyHelpCommand(_PlainOptions, TyperCommand):
    """typer's command with :class:`_PlainOptions`."""


class DarkbeamTyper(typer.Typer):
    """``typer.Typer`` whose group is a :class:`LazyHelpGroup` and whose commands are
    :class:`LazyHelpCommand` unless told otherwise (every group and command of ``darkbeam``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("cls", LazyHelpGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args, **kwargs):
        if kwargs.get("cls") is None:
            kwargs["cls"] = LazyHelpCommand
        return super().command(*args, **kwargs)


app = DarkbeamTyper(
    name="darkbeam",
    help="darkbeam: new physics at accelerator neutrino experiments and beam dumps.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"darkbeam {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """darkbeam: new physics at accelerator neutrino experiments and beam dumps."""


#: command or group name -> the module of this package that registers it on ``app`` (a name missing
#: here still works: every module is then imported; tests/test_cli_fast_start.py checks the table)
COMMAND_MODULES = {
    "ccqe": "ccqe", "decays": "decays", "experiments": "experiments", "flux": "flux", "fluxes": "flux",
    "generate": "generate", "limit": "limit", "recast": "limit", "massmodel": "massmodel", "params": "params",
    "parents": "parents", "plane": "plane", "production": "production", "reweight": "reweight", "scan": "scan",
    "searches": "searches", "shower": "shower", "xsec": "xsec",
}


def _register_command(name: str) -> bool:
    """Import only the module that registers the command (or group) ``name`` on ``app``, so that typer
    builds that command alone (~0.03 s less than building all 22); False for an option or an
    unknown name (then :func:`_register` imports every module)."""
    module = COMMAND_MODULES.get(name)
    if module is None:
        return False
    import importlib

    importlib.import_module(f"darkbeam.cli.{module}")
    return True


def _register() -> None:
    """Import every command module of this package; each registers its commands on ``app``."""
    import importlib
    import pkgutil

    import darkbeam.cli as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name not in ("main", "common") and not info.name.startswith("_"):
            importlib.import_module(f"darkbeam.cli.{info.name}")


def _click_exception_types() -> dict[str, tuple[type, ...]]:
    """click's exception classes: typer >= 0.25 vendors click as typer._click, older typer uses click.

    Only the modules already imported count (an exception of a class never imported cannot have been
    raised): importing the separate click package just to compare with it would cost start-up time."""
    names = ("typer._click.exceptions", "click.exceptions")
    mods = [sys.modules[n] for n in names if n in sys.modules]
    if not mods:  # pragma: no cover (typer imports one of them)
        for name in names:
            try:
                mods.append(__import__(name, fromlist=["UsageError"]))
            except ImportError:
                continue
    return {k: tuple(getattr(m, k) for m in mods if hasattr(m, k)) for k in ("Exit", "Abort", "UsageError", "ClickException")}


class _LazyClickExceptions(dict):
    """:func:`_click_exception_types`, looked up when an exception is matched: the expression of an
    ``except`` clause is evaluated only when an exception reaches it, so after the command ran."""

    def __missing__(self, key: str) -> tuple[type, ...]:
        self.update(_click_exception_types())
        return self[key]


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"darkbeam: error: {message}\n")
    return code


def _usage_line(exc) -> str:
    """One line for a usage error; a command group called without its command names its commands."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        names = ", ".join(getattr(ctx.command, "commands", {}) or ())
        return f"'{ctx.command_path}' needs a command ({names}); see '{ctx.command_path} --help'"
    return exc.format_message().replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``darkbeam`` console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]
    if not _register_command(args[0]):  # --help, --version, an unknown command: all of them
        _register()
    command = typer.main.get_command(app)
    debug = os.environ.get("DARKBEAM_DEBUG", "") not in ("", "0")
    ck = _LazyClickExceptions()
    from darkbeam.cli._signals import Terminated, signals_as_exceptions

    try:
        with signals_as_exceptions():
            rv = command.main(args=args, prog_name="darkbeam", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except ck["Exit"] as exc:
        code = exc.exit_code
    except ck["Abort"]:
        code = _fail("aborted", 130)
    except ck["UsageError"] as exc:
        code = _fail(_usage_line(exc), 2)
    except ck["ClickException"] as exc:
        code = _fail(exc.format_message().replace("\n", " "), exc.exit_code or 1)
    except DarkbeamError as exc:
        if debug:
            raise
        code = _fail(str(exc).replace("\n", " "), exc.exit_code)
    except KeyboardInterrupt:
        code = _fail("interrupted", 130)
    except Terminated as exc:
        code = _fail(f"terminated by {exc}", 128 + exc.signum)
    except Exception as exc:  # an internal error: still one line, the traceback on request
        if debug:
            raise
        code = _fail(f"internal error: {type(exc).__name__}: {exc} (set DARKBEAM_DEBUG=1 for a traceback)", 70)
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    # run through the imported module, on which the command modules register themselves
    from darkbeam.cli.main import main as _main

    _main()
