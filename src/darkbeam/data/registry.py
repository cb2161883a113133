"""The registry of external data files, the few that ship inside the package, and the cache.

Each entry of ``registry.toml`` (next to this file) names a file by (kind, name) and gives its path
inside a mirror, a pinned URL, its sha256, file format, units, normalisation to internal units and
citation.  The file is validated by a pydantic model (:class:`RegistryEntry`): an unknown key, a
wrong type or a malformed sha256 is one :class:`~darkbeam.errors.DataError` naming the entry.

:func:`fetch` returns a local path, looking in this order:

1. the local mirror named by the environment variable ``DARKBEAM_DATA_DIR`` (tests and CI point it at
   ../shared/data);
2. the copy shipped inside the package (entries with ``packaged = true``: the few small published
   tables the built-in default job needs, so that it computes the same numbers offline as online;
   docs/data.md lists them).  ``DARKBEAM_NO_PACKAGED_DATA=1`` ignores these copies (to test the
   fallbacks, or to check that a mirror is complete);
3. the cache (``DARKBEAM_CACHE_DIR``, default: the user cache directory given by pooch);
4. a download from the pinned URL into the cache with ``pooch`` (only if downloads are allowed:
   ``DARKBEAM_OFFLINE=1`` forbids them).

Every file is checked against its sha256 wherever it comes from, the packaged copies included; a
mismatch, a missing file or a failed download is one :class:`~darkbeam.errors.DataError`.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Optional

from darkbeam.errors import DataError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENV_DATA_DIR = "DARKBEAM_DATA_DIR"
ENV_CACHE_DIR = "DARKBEAM_CACHE_DIR"
ENV_OFFLINE = "DARKBEAM_OFFLINE"
ENV_NO_PACKAGED = "DARKBEAM_NO_PACKAGED_DATA"
#: the kinds of registered file
KINDS = ("flux", "retired_flux", "nuclear", "darknews_experiment")
#: the file formats the readers know (sources/files.py, physics/nuclear.py, physics/form_factors.py, ...)
FORMATS = ("table", "two-column", "binned-table", "root", "globes", "csv", "ame-fixed-width",
           "bnb-energy-distance", "darknews-experiment")
#: folder (inside the darkbeam.data package) that holds the shipped copies, at their registry paths
PACKAGED_DIR = "packaged"
_TRUE = ("1", "true", "yes")


@dataclass(frozen=True)
class DataFile:
    """One registered external file."""

    kind: str
    name: str
    path: str
    sha256: str
    format: str
    units: str
    normalisation: float
    description: str
    citation: str
    url: Optional[str] = None
    # Optional layout details (flux files); the defaults describe the common 7-column table.
    #: column names after the energy column ("E nu_e nu_mu nu_tau nu_e_bar nu_mu_bar nu_tau_bar")
    columns: tuple[str, ...] = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
    #: "centres": energies are histogram bin centres; "points": sample points of a density;
    #: "per-bin": ROOT histograms holding per-bin contents (divided by the bin width)
    energy_grid: str = "points"
    #: False for files that are not per proton on target (per fb^-1, arbitrary normalisation)
    per_pot: bool = True
    #: detector distance from the target (m) that the file refers to, where known
    baseline_m: Optional[float] = None
    #: off-axis angle of the detector (mrad), where known
    off_axis_mrad: float = 0.0
    #: beam line name of darkbeam's beam model that describes this file ("bnb", "numi", ...)
    beam: Optional[str] = None
    #: horn polarity of the file: "FHC" or "RHC"
    mode: Optional[str] = None
    #: ROOT files: "flavour:histogram path" for each flavour
    histograms: tuple[str, ...] = ()
    #: True for the few small tables that ship inside the package (darkbeam/data/packaged/<path>)
    packaged: bool = False

    def __post_init__(self) -> None:
        for name in ("columns", "histograms"):  # TOML arrays arrive as lists; keep the dataclass hashable
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.name}"


def _entry_model():
    """The pydantic model of one registry entry (built on first use: pydantic is not imported eagerly)."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class RegistryEntry(BaseModel):
        """One ``[kind."name"]`` table of registry.toml; field meanings as in :class:`DataFile`."""

        model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

        path: str = Field(min_length=1)
        sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
        format: Literal[FORMATS]  # type: ignore[valid-type]  (the tuple FORMATS above)
        units: str = Field(min_length=1)
        normalisation: float
        description: str = Field(min_length=1)
        citation: str = Field(min_length=1)
        url: Optional[str] = Field(default=None, pattern=r"^https://\S+$")
        columns: list[str] = Field(default=list(DataFile.columns), min_length=1)
        energy_grid: Literal["points", "centres", "per-bin"] = "points"
        per_pot: bool = True
        baseline_m: Optional[float] = Field(default=None, gt=0)
        off_axis_mrad: float = Field(default=0.0, ge=0)
        beam: Optional[str] = None
        mode: Optional[Literal["FHC", "RHC"]] = None
        histograms: list[str] = []
        packaged: bool = False

        @field_validator("path")
        @classmethod
        def _relative(cls, v: str) -> str:
            p = PurePosixPath(v)
            if p.is_absolute() or ".." in p.parts or "\\" in v:
                raise ValueError("must be a relative path inside the mirror (forward slashes, no '..')")
            return v

        @field_validator("normalisation")
        @classmethod
        def _positive(cls, v: float) -> float:
            if not (math.isfinite(v) and v > 0):
                raise ValueError("must be a finite positive number")
            return v

    return RegistryEntry


def _one_line(exc, where: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"] if not isinstance(x, int)) or "entry"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "string_pattern_mismatch" and loc == "sha256":
            msg = "must be 64 lowercase hexadecimal digits"
        parts.append(f"{loc}: {msg}")
    return f"{where} " + "; ".join(parts)


def parse_registry(text: str, source: str = "registry.toml") -> dict[str, DataFile]:
    """Validate the text of a registry file; every entry keyed by ``kind/name``.

    Any defect (TOML syntax, an unknown kind or key, a wrong type, a malformed sha256) is one
    :class:`DataError` that names ``source`` and the entry."""
    from pydantic import ValidationError

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{source}: not valid TOML ({exc})") from None
    model = _entry_model()
    out: dict[str, DataFile] = {}
    for kind, table in raw.items():
        if kind not in KINDS:
            raise DataError(f"{source}: unknown kind of data file [{kind}] (known: {', '.join(KINDS)})")
        if not isinstance(table, dict):
            raise DataError(f"{source}: '{kind}' must be a table of [{kind}.\"name\"] entries")
        for name, e in table.items():
            where = f"{source}: [{kind}.\"{name}\"]"
            if not isinstance(e, dict):
                raise DataError(f"{where}: must be a table of fields")
            try:
                valid = model.model_validate(e)
            except ValidationError as exc:
                raise DataError(_one_line(exc, where)) from None
            out[f"{kind}/{name}"] = DataFile(kind=kind, name=name, **valid.model_dump())
    return out


@lru_cache(maxsize=1)
def registry() -> dict[str, DataFile]:
    """All registered files, keyed by ``kind/name`` (validated; see :func:`parse_registry`)."""
    text = resources.files("darkbeam.data").joinpath("registry.toml").read_text()
    return parse_registry(text)


def entries(kind: str | None = None) -> list[DataFile]:
    """Registered files, optionally of one kind ('flux', 'nuclear', 'darknews_experiment')."""
    return [e for e in registry().values() if kind is None or e.kind == kind]


def lookup(name: str, kind: str | None = None) -> DataFile:
    """Find a registered file by ``kind/name`` or by bare name (unique among kinds)."""
    reg = registry()
    if name in reg:
        return reg[name]
    if kind is not None and f"{kind}/{name}" in reg:
        return reg[f"{kind}/{name}"]
    matches = [e for e in reg.values() if e.name == name and (kind is None or e.kind == kind)]
    if not matches:
        matches = [e for e in reg.values() if e.name.lower() == name.lower() and (kind is None or e.kind == kind)]
    if len(matches) == 1:
        return matches[0]
    what = f"{kind} " if kind else ""
    known = ", ".join(sorted(e.name for e in reg.values() if kind is None or e.kind == kind))
    raise DataError(f"unknown {what}data file '{name}' (known: {known})")


def data_dir() -> Path | None:
    """The local mirror named by DARKBEAM_DATA_DIR, or None."""
    d = os.environ.get(ENV_DATA_DIR)
    return Path(d).expanduser() if d else None


def packaged_dir() -> Path:
    """The folder of the copies shipped inside the package (whether or not they are in use)."""
    return Path(str(resources.files("darkbeam.data").joinpath(PACKAGED_DIR)))


def packaged_enabled() -> bool:
    """False when DARKBEAM_NO_PACKAGED_DATA=1 asks to ignore the shipped copies."""
    return os.environ.get(ENV_NO_PACKAGED, "").lower() not in _TRUE


def cache_dir() -> Path:
    """Where downloaded files are kept (DARKBEAM_CACHE_DIR or the user cache directory)."""
    d = os.environ.get(ENV_CACHE_DIR)
    if d:
        return Path(d).expanduser()
    import pooch

    return Path(pooch.os_cache("darkbeam"))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(entry: DataFile, path: Path) -> Path:
    got = sha256_of(path)
    if got != entry.sha256:
        raise DataError(
            f"checksum mismatch for {entry.key} at {path}: sha256 {got[:12]}..., expected {entry.sha256[:12]}..."
        )
    return path


def resolve(entry: DataFile) -> tuple[Path, str] | None:
    """A verified local copy of ``entry`` and where it was found ('mirror', 'packaged' or 'cache');
    None if there is none.  Order: mirror, packaged copy, cache."""
    mirror = data_dir()
    if mirror is not None and (mirror / entry.path).is_file():
        return _verified(entry, mirror / entry.path), "mirror"
    if entry.packaged and packaged_enabled():
        shipped = packaged_dir() / entry.path
        if not shipped.is_file():
            raise DataError(f"darkbeam is installed without its packaged data file {entry.key} "
                            f"(expected at {shipped}): reinstall darkbeam")
        return _verified(entry, shipped), "packaged"
    cached = cache_dir() / entry.path
    if cached.is_file():
        return _verified(entry, cached), "cache"
    return None


def locate(entry: DataFile) -> Path | None:
    """A local copy of ``entry`` (mirror, then packaged copy, then cache), verified; None if there is none."""
    found = resolve(entry)
    return None if found is None else found[0]


def status(entry: DataFile) -> str:
    """Whether ``entry`` is at hand here: 'ok', 'checksum mismatch', 'not fetched' (a download would get
    it) or 'missing' (no URL to download from)."""
    try:
        path = locate(entry)
    except DataError:
        return "checksum mismatch"
    if path is None:
        return "missing" if entry.url is None else "not fetched"
    return "ok"


def origin(name: str, kind: str | None = None) -> str | None:
    """Where :func:`fetch` would read a registered file from without downloading: 'mirror',
    'packaged', 'cache', or None when no local copy exists."""
    found = resolve(lookup(name, kind))
    return None if found is None else found[1]


def fetch(name: str, kind: str | None = None, *, download: bool | None = None) -> Path:
    """Local path of a registered file, downloading it into the cache if needed and allowed."""
    entry = lookup(name, kind)
    path = locate(entry)
    if path is not None:
        return path
    if download is None:
        download = os.environ.get(ENV_OFFLINE, "").lower() not in _TRUE
    where = f"{ENV_DATA_DIR}={data_dir()}" if data_dir() else f"{ENV_DATA_DIR} is not set"
    if not download or not entry.url:
        reason = "downloads are disabled" if entry.url else "it has no public URL (mirror only)"
        raise DataError(f"data file {entry.key} not found locally ({where}) and {reason}")
    import pooch

    pooch.get_logger().setLevel("WARNING")  # no "Downloading ..." chatter on stderr
    target = cache_dir() / entry.path
    try:
        fname = pooch.retrieve(
            entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise DataError(f"checksum mismatch downloading {entry.key}: {exc}") from None
    except Exception as exc:  # network errors of every kind
        raise DataError(f"could not download {entry.key} from {entry.url}: {type(exc).__name__}") from None
    return Path(fname)
