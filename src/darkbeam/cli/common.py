"""Options shared by several commands (model file, --set, --json, --overwrite) and the checks every
command makes before any work: fixed choices, output paths, memory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from darkbeam.errors import ConfigurationError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from darkbeam.models import ModelParameters

# Start-up (docs/startup.md): this module is imported by every command module when the CLI starts,
# also for ``darkbeam --help``; it imports neither numpy nor pydantic nor the physics.  Names
# re-exported from heavier modules are loaded on first use (module ``__getattr__`` below).
_LAZY = {
    "BYTES_PER_EVENT": ("darkbeam.events.memory", "BYTES_PER_EVENT"),
    "available_memory": ("darkbeam.events.memory", "available_memory"),
    "check_memory": ("darkbeam.events.memory", "check_memory"),
    #: --flux-source / --source values (darkbeam.sources.select.flux_for): one list of flux-source choices
    "FLUX_SOURCES": ("darkbeam.sources.select", "SOURCES"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'darkbeam.cli.common' has no attribute {name!r}")


MODEL_OPTION = typer.Option(None, "--model", "-m", help="Model file (TOML). Without it, the built-in default model.")
SET_OPTION = typer.Option(None, "--set", "-s", help="Override a model parameter: key=value (repeatable).")
JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


def model_from_options(model: Optional[Path], sets: Optional[list[str]], notes: Optional[list[str]] = None) -> ModelParameters:
    """The model of --model / --set.  Mass-model warnings go to stderr, one line each; mass-model notes
    (what the downstream code neglects, docs/massmodel.md) are appended to ``notes`` when a list is given
    (the command prints them once in its summary), else written to stderr as notes.  A note on opposite
    CP parities becomes a warning only where it changes results (darkbeam.physics.hnl_parities)."""
    import sys
    import warnings

    from darkbeam.models import load_model, parse_assignments

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        params = load_model(model, parse_assignments(sets or []))
    if caught:  # a warning of a mass model: darkbeam.models.massmodel is loaded (not imported without one)
        from darkbeam.models.massmodel import MassModelNote
    for w in caught:
        if not isinstance(w.message, MassModelNote):
            sys.stderr.write(f"darkbeam: warning: {w.message}\n")
            continue
        if notes is not None:
            notes.append(str(w.message))
        else:
            sys.stderr.write(f"darkbeam: note: {w.message}\n")
        if w.message.signed is not None:
            from darkbeam.physics.hnl_parities import parity_warnings

            for text in parity_warnings(params, w.message.signed):
                sys.stderr.write(f"darkbeam: warning: {text}\n")
    return params


def print_json(obj: Any) -> None:
    import json

    typer.echo(json.dumps(obj, indent=None, allow_nan=False))


class _NoBar:
    """Stands in for a rich ``Progress`` that would be disabled anyway (``--json``): no rich import."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, *args, **kwargs) -> None:
        return None


def progress_bar(*, disable: bool, extra_columns: tuple = ()):
    """The transient progress bar of a long command on stderr (description, bar, done/total, elapsed
    time), shown only on a terminal; ``disable=True`` (``--json``) returns a no-op stand-in without
    importing rich (~0.04 s of CPU, docs/startup.md)."""
    if disable:
        return _NoBar()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    *extra_columns, console=console, transient=True, disable=not console.is_terminal)


OVERWRITE_OPTION = typer.Option(False, "--overwrite", help="Replace existing output files (default: refuse).")


# ----------------------------------------------------------------------------- choices
def check_choice(option: str, value: str, choices) -> str:
    """``value`` if it is one of ``choices``, else a ConfigurationError naming the option, the
    choices and the closest one."""
    import difflib

    choices = list(choices)
    if value in choices:
        return value
    near = difflib.get_close_matches(str(value), choices, n=1)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise ConfigurationError(f"{option}: unknown value '{value}' (choose from {', '.join(choices)}){hint}")


def split_list(option: str, values: Optional[list[str]]) -> Optional[list[str]]:
    """Repeatable option values, each possibly comma-separated; None when the option is absent.  An
    empty value (``--regime ""``) is an error, not the default."""
    if values is None or values == []:
        return None
    out: list[str] = []
    for v in values:
        items = [x.strip() for x in v.split(",")]
        if not v.strip() or any(not x for x in items):
            raise ConfigurationError(f"{option}: empty value in '{v}'")
        out += items
    return out


# ----------------------------------------------------------------------------- output paths
def _is_folder_spec(raw: str) -> bool:
    return raw.endswith(("/", os.sep)) or Path(raw).is_dir()


def event_output_base(output, default_name: str) -> tuple[Path, Optional[str]]:
    """(base path without format suffix, format named by the suffix or None) of an ``--output``.

    Rules (docs/cli.md): a value ending in '/' or naming an existing folder means a file
    ``<folder>/<default_name>.<suffix>`` inside it; a known event-format suffix (.parquet, .pq,
    .hepmc3, .hepmc, .hepevt) is the format's suffix and is replaced per format; any other dot is part
    of the name (``run_m0.1`` -> ``run_m0.1.parquet``)."""
    from darkbeam.events.writers import SUFFIXES

    raw = str(output)
    if not raw.strip():
        raise ConfigurationError("--output is empty")
    if _is_folder_spec(raw):
        return Path(raw) / default_name, None
    p = Path(raw)
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is not None:
        return p.with_suffix(""), fmt
    return p, None


def with_format_suffix(base: Path, fmt: str, tag: str = "") -> Path:
    """``base`` + ``tag`` + the format's suffix (never replacing a dot in the name)."""
    return base.with_name(base.name + tag + FORMAT_SUFFIX[fmt])


#: the suffix each event format is written with
FORMAT_SUFFIX = {"parquet": ".parquet", "hepmc3": ".hepmc3", "hepevt": ".hepevt"}


def event_files(output, formats: Optional[list[str]], unweighted: Optional[int], overwrite: bool,
                default_name: str = "events") -> tuple[list, list]:
    """The event files of ``--output``/``--format``/``--unweighted`` (generate, every --process), checked
    before any work: ([(format, path)], [(format, path) of the unweighted files]).

    A bad --format, --unweighted without --output or below 1, --format without --output, an --output
    whose suffix names a format not in --format, or a file that cannot be written: one line.  The file
    named with its own format's suffix is written under exactly that name (x.pq, x.hepmc)."""
    fmts = split_list("--format", formats)
    for f in fmts or []:
        check_choice("--format", f, FORMAT_SUFFIX)
    if unweighted is not None:
        if unweighted < 1:
            raise ConfigurationError("--unweighted must be a positive number of events")
        if output is None:
            raise ConfigurationError("--unweighted writes files: give --output too")
    if fmts is not None and output is None:
        raise ConfigurationError("--format chooses the files of --output: give --output too")
    if output is None:
        return [], []
    base, named = event_output_base(output, default_name)
    if fmts is None:
        fmts = [named or "parquet"]
    elif named is not None and named not in fmts:
        raise ConfigurationError(f"--output {output} names a {named} file but --format is {', '.join(fmts)}")
    fmts = list(dict.fromkeys(fmts))
    files = [(f, Path(output) if f == named else with_format_suffix(base, f)) for f in fmts]
    uw_files = [] if unweighted is None else [(f, with_format_suffix(base, f, "_unweighted")) for f in fmts]
    for _, path in files + uw_files:
        check_writable(path, overwrite=overwrite)
    return files, uw_files


def check_writable(path: Path, *, overwrite: bool, what: str = "output") -> None:
    """Refuse, before any work, an output file that cannot be written: an existing file without
    ``--overwrite``, a folder in its place, a file where a parent folder must be, a read-only folder.
    Missing parent folders are fine (they are created when the file is written)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigurationError(f"{what} {path} is a folder")
    if path.exists() or path.is_symlink():
        if not overwrite:
            raise ConfigurationError(f"{what} {path} exists (use --overwrite to replace it)")
    check_folder_creatable(path.parent, what=what)


def check_folder_creatable(folder: Path, *, what: str = "output") -> None:
    """The folder exists and is writable, or can be created (its nearest existing ancestor is a
    writable folder): see :func:`darkbeam.events.writers.check_folder_writable`."""
    from darkbeam.events.writers import check_folder_writable

    try:
        check_folder_writable(folder)
    except DataError as exc:
        raise ConfigurationError(f"{what}: {exc}") from None




class FieldPrinter:
    """The plain text of the ``show`` commands (experiments, searches): a bold title, ``key  value``
    lines (empty values skipped) and bulleted lists, printed without rich markup."""

    def __init__(self, width: int):
        from rich.console import Console

        self.console = Console()
        self.width = width

    def title(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, style="bold")

    def line(self, key: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            self.console.print(f"{key:{self.width}s} {value}", markup=False, highlight=False, soft_wrap=True)

    def bullets(self, heading: str, items) -> None:
        if items:
            self.console.print(f"{heading}:", markup=False, highlight=False)
            for item in items:
                self.console.print(f"  - {item}", markup=False, highlight=False, soft_wrap=True)
