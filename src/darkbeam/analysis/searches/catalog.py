"""The searches catalog: load, list and look up published analyses (docs/searches.md).

Each search is one TOML file in ``darkbeam/analysis/searches/entries/`` (validated by
:mod:`darkbeam.analysis.searches.schema`); the published curves it is compared with are CSV files in
``darkbeam/analysis/searches/curves/`` (columns ``mass_GeV`` and the parameter; comment lines name the
paper, the figure and who digitized it).  A user's own search file of the same schema is loaded by
path.  Every exposure names an experiment of the experiment catalog (or a path to an experiment
file), checked when the search is loaded.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from darkbeam.analysis.searches.schema import SearchFile, validate_search
from darkbeam.errors import ConfigurationError, DataError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Search", "Curve", "load_search", "list_searches", "published_curve"]

_ENTRIES = "entries"
_CURVES = "curves"


@dataclass(frozen=True)
class Curve:
    """A published curve: masses (GeV) and values of ``parameter``, with its provenance."""

    parameter: str
    masses_GeV: np.ndarray
    values: np.ndarray
    cl: float
    source: str
    hnl_type: str | None
    header: tuple[str, ...]  # the file's comment lines (paper, figure, digitizer)

    def at(self, masses) -> np.ndarray:
        """Log-log interpolation at ``masses`` (GeV); NaN outside the published mass range."""
        m = np.asarray(masses, dtype=np.float64)
        inside = (m >= self.masses_GeV.min()) & (m <= self.masses_GeV.max())
        order = np.argsort(self.masses_GeV)
        lx, ly = np.log(self.masses_GeV[order]), np.log(self.values[order])
        out = np.full(m.shape, np.nan)
        out[inside] = np.exp(np.interp(np.log(m[inside]), lx, ly))
        return out


@dataclass(frozen=True)
class Search:
    """A validated search with its catalog key (or file path)."""

    key: str
    spec: SearchFile
    source: str

    @property
    def name(self) -> str:
        return self.spec.name

    def curves(self, parameter: str | None = None, *, recast: bool = False) -> list[Curve]:
        """The published curves (of ``parameter`` if given); ``recast=True``: those of the recast."""
        entries = (self.spec.recast.published if (recast and self.spec.recast) else
                   (() if recast else self.spec.published))
        return [_read_curve(c.file, c.parameter, c.cl, c.source, c.hnl_type)
                for c in entries if parameter is None or c.parameter == parameter]


def _entries_dir():
    return resources.files("darkbeam.analysis.searches").joinpath(_ENTRIES)


def list_searches() -> list[str]:
    """The catalog's search keys, sorted."""
    return sorted(p.name[:-5] for p in _entries_dir().iterdir() if p.name.endswith(".toml"))


def _parse(text: str, source: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{source}: not valid TOML ({exc})") from None


@lru_cache(maxsize=None)
def load_search(name: str) -> Search:
    """A search of the catalog by key (``darkbeam searches`` lists them) or a user's TOML file by
    path.  An unknown key is one ConfigurationError line with the closest key."""
    from darkbeam.detectors.schema import unknown

    path = Path(name)
    if name.endswith(".toml") or path.exists():
        if not path.is_file():
            raise ConfigurationError(f"search file not found: {name}")
        key, source, text = path.stem, str(path), path.read_text()
    else:
        keys = list_searches()
        if name not in keys:
            raise ConfigurationError(unknown("search", name, keys))
        key, source = name, f"searches/{name}.toml"
        text = _entries_dir().joinpath(f"{name}.toml").read_text()
    spec = validate_search(_parse(text, source), source)
    _check_references(spec, source)
    return Search(key=key, spec=spec, source=source)


def _check_references(spec: SearchFile, source: str) -> None:
    """Every exposure's experiment exists; every published curve file ships."""
    from darkbeam.detectors.catalog import list_experiments

    known = set(list_experiments())
    for i, e in enumerate(spec.exposure):
        if e.geometry is not None:
            from darkbeam.analysis.beam_dump import GEOMETRIES

            if e.geometry not in GEOMETRIES:
                raise ConfigurationError(f"{source}: [[exposure]] {i + 1}: unknown beam-dump geometry '{e.geometry}' "
                                         f"(known: {', '.join(sorted(GEOMETRIES))})")
        if e.experiment is None:
            continue
        if e.experiment not in known and not Path(e.experiment).is_file():
            from darkbeam.detectors.schema import unknown

            raise ConfigurationError(f"{source}: [[exposure]] {i + 1}: " + unknown("experiment", e.experiment, sorted(known)))
    m = spec.measurement
    if m is not None and m.experiment is not None and m.experiment not in known and not Path(m.experiment).is_file():
        from darkbeam.detectors.schema import unknown

        raise ConfigurationError(f"{source}: [measurement]: " + unknown("experiment", m.experiment, sorted(known)))
    curves = list(spec.published) + (list(spec.recast.published) if spec.recast else [])
    for c in curves:
        if not _curves_dir().joinpath(c.file).is_file():
            raise ConfigurationError(f"{source}: published curve file '{c.file}' not found in the catalog's curves/")


def _curves_dir():
    return resources.files("darkbeam.analysis.searches").joinpath(_CURVES)


@lru_cache(maxsize=None)
def _read_curve(file: str, parameter: str, cl: float, source: str, hnl_type) -> Curve:
    text = _curves_dir().joinpath(file).read_text()
    lines = text.splitlines()
    header = tuple(l[1:].strip() for l in lines if l.startswith("#"))
    body = [l for l in lines if l.strip() and not l.startswith("#")]
    if not body or not body[0].startswith("mass_GeV,"):
        raise DataError(f"curves/{file}: first non-comment line must be the header 'mass_GeV,<parameter>'")
    try:
        data = np.array([[float(x) for x in l.split(",")[:2]] for l in body[1:]])
    except ValueError as exc:
        raise DataError(f"curves/{file}: malformed number ({exc})") from None
    if data.ndim != 2 or data.shape[0] < 2 or not (np.all(np.isfinite(data)) and np.all(data > 0)):
        raise DataError(f"curves/{file}: need at least two rows of positive, finite numbers")
    return Curve(parameter=parameter, masses_GeV=data[:, 0], values=data[:, 1], cl=cl, source=source,
                 hnl_type=hnl_type, header=header)


def published_curve(search: str, parameter: str) -> Curve:
    """The published curve of ``parameter`` for a search (the recast's if the search has none)."""
    s = load_search(search)
    curves = s.curves(parameter) or s.curves(parameter, recast=True)
    if not curves:
        have = sorted({c.parameter for c in s.spec.published} | ({c.parameter for c in s.spec.recast.published} if s.spec.recast else set()))
        raise ConfigurationError(f"search '{s.key}' has no published curve of {parameter}"
                                 + (f" (it has: {', '.join(have)})" if have else " (it has none)"))
    return curves[0]
