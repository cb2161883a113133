"""Reading model files (TOML) and ``--set key=value`` overrides.

A model file is a flat TOML table of parameters, optionally under a ``[model]`` table::

    name = "light Z' benchmark"
    m4 = 0.15
    HNLtype = "dirac"
    mzprime = 1.25
    epsilon = 1e-3
    gD = 1.0
    Umu4 = 1e-3
    UD4 = 1.0

A model given by its mass matrix has a ``[massmodel]`` table (docs/massmodel.md): the masses m4..m6,
the mixings U<alpha><i>, UD<i> and HNLtype are then derived from it (and may not be written in the
file, nor overridden with ``--set``), the other parameters (gD, mzprime, epsilon, mhprime, ...) are
read as usual::

    name = "minimal dark-neutrino model"
    gD = 1.0
    mzprime = 1.25
    epsilon = 1e-3
    [massmodel]
    preset = "minimal"        # Ballett, Hostert, Pascoli 1903.07589
    flavour = "mu"
    mD = 1e-3                 # GeV
    mu_prime = 0.05
    Lambda = 0.2
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable, Mapping

from darkbeam.errors import ConfigurationError
from darkbeam.models.parameters import DARKNEWS_DEFAULT, ModelParameters, apply_overrides

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; a missing or malformed file is a :class:`ConfigurationError`."""
    p = Path(path)
    if not p.is_file():
        raise ConfigurationError(f"file not found: {p}")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{p}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{p}: not a text (TOML) file") from None


def parse_value(text: str) -> Any:
    """Interpret the right-hand side of ``key=value``: number, bool, or string."""
    t = text.strip()
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null", ""):
        return None
    try:
        return int(t) if t.lstrip("+-").isdigit() else float(t)
    except ValueError:
        return t.strip("'\"")


def parse_assignments(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``["m4=0.1", "Umu4=1e-3"]`` into a dict; malformed items raise ConfigurationError."""
    out: dict[str, Any] = {}
    for item in items:
        for piece in item.split(","):
            piece = piece.strip()
            if not piece:
                continue
            if "=" not in piece:
                raise ConfigurationError(f"--set expects key=value, got '{piece}'")
            k, v = piece.split("=", 1)
            k = k.strip()
            if not k:
                raise ConfigurationError(f"--set expects key=value, got '{piece}'")
            out[k] = parse_value(v)
    return out


def model_dict_from_toml(path: str | Path) -> dict[str, Any]:
    """The parameters of a model file; with a ``[massmodel]`` table (top level or inside ``[model]``)
    the derived masses and mixings are filled in (:func:`darkbeam.models.massmodel.model_values`) and
    its warnings issued as :class:`~darkbeam.models.massmodel.MassModelWarning`."""
    values, _ = _read_model_file(path)
    return values


def split_massmodel(data: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(the ``[massmodel]`` table or None, the model's other keys) of a model file's contents: the keys at
    the top level or under ``[model]`` (a top-level ``[massmodel]`` first); a mass model's ``[oscillation]``
    options (for ``--oscillate``, docs/massmodel.md) are not model keys and are dropped."""
    data = dict(data)
    mm = data.pop("massmodel", None)
    if "model" in data and isinstance(data["model"], dict):
        data = dict(data["model"])
        if mm is None:
            mm = data.pop("massmodel", None)
    if mm is not None:
        data.pop("oscillation", None)
    return mm, data


def _read_model_file(path: str | Path) -> tuple[dict[str, Any], bool]:
    mm, data = split_massmodel(read_toml(path))
    if mm is None:
        return data, False
    import warnings

    from darkbeam.errors import ParameterError
    from darkbeam.models.massmodel import MassModelWarning, model_values

    try:
        values, _, notes = model_values(mm, data)
    except ParameterError as exc:
        raise ParameterError(f"{path}: {exc}") from None
    for note in notes:  # strings: warnings; MassModelNote: information (printed as a note)
        warnings.warn(note if isinstance(note, Warning) else MassModelWarning(note), stacklevel=3)
    return values, True


def load_model(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    base: Mapping[str, Any] | None = None,
) -> ModelParameters:
    """Build validated model parameters.

    With a ``path`` the model file is read (and validated as written: two forms of one parameter in
    the file are an error) and ``overrides`` applied on top; without one the built-in default
    (DarkNews's default model) is the starting point.  ``base`` replaces that default when given.
    Overrides follow :func:`darkbeam.models.parameters.apply_overrides`: an explicit value replaces
    the base's equivalent parameter (``alphaD`` replaces ``gD``, ``alpha_epsilon2`` replaces
    ``epsilon``, ...), two conflicting overrides are an error, and the model's name records them
    ("darknews_default + m4=0.1").
    """
    if path is not None:
        values, derived = _read_model_file(path)
        ModelParameters.from_dict(values)  # the file on its own must be a valid model
        if derived:
            from darkbeam.errors import ParameterError
            from darkbeam.models.massmodel import DERIVED_KEYS

            clash = [k for k in (overrides or {}) if k in DERIVED_KEYS]
            if clash:
                raise ParameterError(f"{clash[0]} is derived from the [massmodel] table of {path}: change the mass "
                                     "matrix instead of overriding it")
    else:
        values = dict(DARKNEWS_DEFAULT if base is None else base)
    return ModelParameters.from_dict(apply_overrides(values, dict(overrides or {})))
