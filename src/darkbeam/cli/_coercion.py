"""Option values of darkbeam's commands without typer's per-option pydantic adapter (docs/startup.md).

typer >= 0.25 turns every option value through a pydantic ``TypeAdapter`` that it builds for each
parameter of the command that runs, even for an option left at its default: 24 adapters for
``darkbeam generate``, and the import of ``typer._adapters`` and pydantic before any of darkbeam's
own code has run (in a run that loads pydantic later anyway, for its models, the adapters themselves
cost ~5 ms; docs/startup.md, "Second pass").  darkbeam's options are
plain ``str``, ``int``, ``float``, ``bool``, ``Path`` and lists of ``str``.  :func:`install` gives
each such parameter a :class:`FastCoercion` that converts the common inputs directly, with the value
typer's adapter gives, and hands everything else (``-n abc``, ``--seed " 7"``, ``1_000``, a value of a
type it does not know) to typer's own coercion, built on first need: results and error messages are
typer's.  tests/test_cli_fast_start.py compares both on a table of inputs.

Nothing happens with a typer that has no ``typer._coercion`` (< 0.25, click's types convert) or for
a parameter with a parser, bounds, choices, a file type or a path type of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: strings whose int() is the value pydantic's lax int gives (no whitespace, '_', exponent, fraction);
#: compiled on first use (re's cache), not when ``darkbeam --help`` imports this module
_INT = r"[+-]?[0-9]{1,18}"
#: strings whose float() is the value pydantic's lax float gives (both parse with correct rounding)
_FLOAT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"


def _str(value: Any) -> Any:
    return value if type(value) is str else _SLOW


def _int(value: Any) -> Any:
    if type(value) is int:
        return value
    if type(value) is str and re.fullmatch(_INT, value):
        return int(value)
    return _SLOW


def _float(value: Any) -> Any:
    if type(value) is float:
        return value
    if type(value) is int and -2**53 <= value <= 2**53:  # a default such as 0: exact as a float
        return float(value)
    if type(value) is str and len(value) <= 64 and re.fullmatch(_FLOAT, value):
        return float(value)
    return _SLOW


def _bool(value: Any) -> Any:
    return value if type(value) is bool else _SLOW


#: marks a value that the fast path leaves to typer's coercion
_SLOW = object()
_LEAVES = {str: _str, int: _int, float: _float, bool: _bool}


def _fast_parser(annotation: Any, info: Any):
    """The converter for one parameter, or None where typer's coercion must do it all."""
    from typer._param_types import file_coercion_annotation, routes_to_path

    if getattr(info, "parser", None) is not None or file_coercion_annotation(annotation) is not None:
        return None
    if annotation in (int, float) and (info.min is not None or info.max is not None or info.clamp):
        return None
    if annotation in _LEAVES:
        return _LEAVES[annotation]
    if annotation is Path and getattr(info, "path_type", None) is None and routes_to_path(annotation, info):
        return _path
    if getattr(annotation, "__origin__", None) is list and len(annotation.__args__) == 1:
        leaf = _fast_parser(annotation.__args__[0], info)
        if leaf is not None and leaf is not _path:
            return lambda value: _list(value, leaf)
    return None


def _list(value: Any, leaf) -> Any:
    if type(value) not in (tuple, list):
        return _SLOW
    out = [leaf(v) for v in value]
    return _SLOW if any(v is _SLOW for v in out) else out


def _path(value: Any) -> Any:
    return _PATH if type(value) is str else _SLOW


#: marks a str of a Path option: typer's own path checks run on Path(value)
_PATH = object()


def _runtime_param_class():
    """:class:`FastCoercion`, built on typer's RuntimeParam (None for a typer without it)."""
    global FastCoercion
    if FastCoercion is not None:
        return FastCoercion
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer._param_types import coerce_cli_path
    except ImportError:  # typer < 0.25: click's parameter types convert the values
        return None

    class _FastCoercion(RuntimeParam):
        """typer's RuntimeParam (None and the iterable check are its own) with a direct conversion of
        the common inputs; any other input goes to the coercion typer itself builds for the parameter."""

        def __init__(self, parameter_info: Any, annotation: Any, parser) -> None:
            super().__init__(parameter_info=parameter_info, annotation=annotation)
            object.__setattr__(self, "_parser", parser)
            object.__setattr__(self, "_typer", None)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            out = self._parser(value)
            if out is _PATH:
                try:  # typer's path checks on the Path that its adapter would have made (pydantic: Path(value))
                    return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
                except Exception:
                    out = _SLOW  # the error message is typer's own, from its own coercion below
            if out is not _SLOW:
                return out
            if self._typer is None:
                object.__setattr__(self, "_typer", build_runtime_param(param.type_descriptor))
            return self._typer._coerce_value(value, param=param, ctx=ctx)

    FastCoercion = _FastCoercion
    return FastCoercion


FastCoercion = None


def install(command: Any) -> Any:
    """Give the parameters of ``command`` (a click command built by typer) that take plain values a
    :class:`FastCoercion`; returns ``command``.  Parameters that typer has already coerced, or that it
    coerces differently, keep typer's own."""
    params = getattr(command, "params", None) or ()
    if not params or getattr(command, "_darkbeam_fast_coercion", False):
        return command
    cls = _runtime_param_class()
    if cls is None:
        return command
    for p in params:
        desc = getattr(p, "type_descriptor", None)
        if desc is None or getattr(p, "_runtime_param", True) is not None:
            continue
        parser = _fast_parser(desc.annotation, desc.parameter_info)
        if parser is not None:
            p._runtime_param = cls(desc.parameter_info, desc.annotation, parser)
    command._darkbeam_fast_coercion = True
    return command
