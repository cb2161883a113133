"""The experiment catalog: TOML definitions of detectors, targets, exposure, flux and geometry.

Each experiment is one TOML file (schema in docs/experiments.md); the catalog ships one per
DarkNews 0.4.8 keyword in ``darkbeam/detectors/experiments/`` plus CHARM-II and PS191.  A user adds
an experiment by writing a file of the same schema and passing its path to
:func:`load_experiment`.  Every user mistake (unknown key, negative mass, unknown nucleus or flux
name, malformed TOML) is one :class:`~darkbeam.errors.ConfigurationError` with a one-line message
naming the file.

Units: masses in tonnes, lengths in cm, energies in GeV, exposure in protons on target (POT) unless
``exposure.unit`` says otherwise (FASERnu: 150 fb^-1).
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.detectors.geometry import Shape, bnb_production, PointSource, shape_from_spec
from darkbeam.units import AVOGADRO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Target",
    "FluxSpec",
    "Experiment",
    "parse_nucleus",
    "load_experiment",
    "list_experiments",
    "experiment_from_dict",
    "FLAVOURS",
]

#: flavour labels used for per-flavour flux files (same order as the six-column tables)
FLAVOURS = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")

# chemical symbols, Z = 1..118 (IUPAC)
_ELEMENTS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm "
    "Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No "
    "Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og"
).split()
_Z_OF = {s: i + 1 for i, s in enumerate(_ELEMENTS)}
_NUCLEUS_RE = re.compile(r"^([A-Z][a-z]?)(\d{1,3})$")

_PACKAGE_DIR = "experiments"


def parse_nucleus(name: str) -> tuple[int, int]:
    """(Z, A) of a nucleus named like 'C12', 'Ar40', 'H1', 'Pb208'.

    A must satisfy Z <= A <= 3 Z + 10 (every known nuclide does); anything else is a
    ConfigurationError."""
    m = _NUCLEUS_RE.match(str(name).strip())
    if not m or m.group(1) not in _Z_OF:
        raise ConfigurationError(f"unknown nuclear target '{name}' (write symbol + mass number, e.g. C12, Ar40, H1)")
    Z, A = _Z_OF[m.group(1)], int(m.group(2))
    if not (Z <= A <= 3 * Z + 10):
        raise ConfigurationError(f"unknown nuclear target '{name}': mass number {A} impossible for Z = {Z}")
    return Z, A


@dataclass(frozen=True)
class Target:
    """A nuclear target species with its (fiducial) mass in tonnes."""

    name: str
    Z: int
    A: int
    mass: float  # tonnes

    @property
    def n_nuclei(self) -> float:
        """Number of nuclei N = M / (A m_u) = M[g] N_A / A (the approximation A m_u for the atomic mass
        is good to 0.8% for H1 and 0.1% for heavier nuclei)."""
        return self.mass * 1.0e6 * AVOGADRO / self.A


@dataclass(frozen=True)
class FluxSpec:
    """The neutrino flux an experiment uses.

    ``name`` is a registered six-column table (darkbeam.data registry, kind 'flux'); ``files`` maps
    flavours to registered one-flavour (two-column) files; ``path`` is a user file (relative paths
    are resolved against the experiment file).  ``normalisation`` is the TOTAL factor that turns the
    numbers in the file into nu/cm^2/GeV/POT (or per exposure unit), independent of the registry;
    ``registry_normalisation`` is what the registry applies by default, so that
    ``scale = normalisation / registry_normalisation`` is the factor to apply on top of a flux read
    with the registry's normalisation."""

    name: str | None
    files: Mapping[str, str] | None
    path: Path | None
    normalisation: float
    registry_normalisation: float
    #: GeV; (0, inf) = the whole file (the default); a narrower range needs ``energy_range_reason``
    energy_range: tuple[float, float]
    note: str = ""
    columns: tuple[str, ...] = FLAVOURS
    energy_grid: str = "points"
    #: the physics reason for a narrower energy range (empty: the whole file is used)
    energy_range_reason: str = ""

    @property
    def scale(self) -> float:
        """Factor on top of the registry's normalisation (1 for most experiments)."""
        return self.normalisation / self.registry_normalisation

    @property
    def names(self) -> tuple[str, ...]:
        """All registry names the flux needs."""
        if self.name:
            return (self.name,)
        if self.files:
            return tuple(self.files.values())
        return ()


@dataclass(frozen=True)
class Experiment:
    """One experiment: targets, exposure, flux, baseline and geometry.  Load with
    :func:`load_experiment`.  Coordinates: beam along +z, detector centre at the origin (cm)."""

    keyword: str
    name: str
    description: str
    citations: tuple[str, ...]
    flux: FluxSpec
    targets: tuple[Target, ...]
    exposure: float
    exposure_unit: str
    baseline: float  # cm, neutrino source (proton target) to detector centre
    off_axis_angle: float  # rad
    production: str  # 'point' or 'bnb'
    decay_pipe_radius: float  # cm
    geometry: Mapping[str, Shape]
    geometry_status: str
    caveats: tuple[str, ...] = ()
    darknews_keyword: str | None = None
    darknews_fixes: tuple[str, ...] = ()
    source_file: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    # -- derived quantities
    @property
    def fiducial_mass(self) -> float:
        """Total target mass (tonnes)."""
        return float(sum(t.mass for t in self.targets))

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    @property
    def masses(self) -> dict[str, float]:
        """Mass per nucleus (tonnes)."""
        return {t.name: t.mass for t in self.targets}

    def n_targets(self) -> dict[str, float]:
        """Number of nuclei per target species (N = M / (A m_u))."""
        return {t.name: t.n_nuclei for t in self.targets}

    @property
    def energy_range(self) -> tuple[float, float]:
        return self.flux.energy_range

    @property
    def pot(self) -> float:
        return self.exposure

    @property
    def detector(self) -> Shape:
        """The active volume in which decays are observed."""
        return self.geometry["detector"]

    @property
    def target_volume(self) -> Shape:
        """The volume in which the upscattering vertices lie (the dirt for *_dirt experiments)."""
        return self.geometry.get("target", self.geometry["detector"])

    @property
    def source_position(self) -> np.ndarray:
        """Position (cm) of the neutrino source (proton target) in detector coordinates: the detector
        centre seen from the source at ``off_axis_angle`` from the beam axis (+z), in the x-z plane."""
        th = self.off_axis_angle
        return -self.baseline * np.array([math.sin(th), 0.0, math.cos(th)]) + 0.0  # + 0.0: no -0.0

    def production_model(self, *, warn: bool = True):
        """Where the neutrinos are produced: the BNB decay-pipe model (falls back to a point source
        at the target, with a RuntimeWarning, if its table is unavailable) or a point source."""
        if self.production == "bnb":
            return bnb_production(self.source_position, self.decay_pipe_radius, warn=warn)
        return PointSource(self.source_position, note="point source at the proton target (no decay-pipe model)")

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly summary (for docs and the CLI)."""
        return {
            "keyword": self.keyword,
            "name": self.name,
            "flux": self.flux.name or dict(self.flux.files or {}) or str(self.flux.path),
            "flux_normalisation": self.flux.normalisation,
            "energy_range_GeV": (list(self.energy_range) if self.flux.energy_range_reason else "whole flux file"),
            "targets_t": self.masses,
            "fiducial_mass_t": self.fiducial_mass,
            "exposure": self.exposure,
            "exposure_unit": self.exposure_unit,
            "baseline_m": self.baseline / 100.0,
            "off_axis_mrad": self.off_axis_angle * 1e3,
            "production": self.production,
            "geometry": {k: f"{type(v).__name__} {v.volume:.6g} cm^3" for k, v in self.geometry.items()},
            "geometry_status": self.geometry_status,
        }


# --------------------------------------------------------------------------- parsing
_TOP = {"name", "description", "citations", "darknews_keyword", "darknews_fixes", "caveats", "flux", "exposure",
        "beam", "targets", "material", "geometry"}
_FLUX = {"name", "files", "path", "normalisation", "note", "energy_range", "energy_range_reason", "columns",
         "energy_grid"}
_EXPOSURE = {"pot", "unit", "note"}
_BEAM = {"baseline", "off_axis_angle", "production", "decay_pipe_radius", "note"}
_MATERIAL = {"mass", "composition", "density", "note"}
_GEOMETRY_META = {"status", "note"}


def _check_keys(table: Any, allowed: set[str], where: str, src: str) -> Mapping:
    if not isinstance(table, Mapping):
        raise ConfigurationError(f"{src}: [{where}] must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigurationError(f"{src}: unknown key(s) {unknown} in [{where}] (allowed: {sorted(allowed)})")
    return table


def _number(x: Any, what: str, src: str, *, positive: bool = False, nonneg: bool = False) -> float:
    if isinstance(x, bool):
        raise ConfigurationError(f"{src}: {what} must be a number, got {x!r}")
    if isinstance(x, str):
        try:
            v = float(Fraction(x.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            raise ConfigurationError(f"{src}: {what} must be a number or a fraction 'a/b', got {x!r}") from None
    else:
        try:
            v = float(x)
        except (TypeError, ValueError):
            raise ConfigurationError(f"{src}: {what} must be a number, got {x!r}") from None
    if not math.isfinite(v):
        raise ConfigurationError(f"{src}: {what} must be finite, got {x!r}")
    if positive and v <= 0:
        raise ConfigurationError(f"{src}: {what} must be positive, got {x!r}")
    if nonneg and v < 0:
        raise ConfigurationError(f"{src}: {what} must not be negative, got {x!r}")
    return v


def _str_list(x: Any, what: str, src: str) -> tuple[str, ...]:
    if isinstance(x, str):
        return (x,)
    if not isinstance(x, list) or not all(isinstance(i, str) for i in x):
        raise ConfigurationError(f"{src}: {what} must be a string or a list of strings")
    return tuple(x)


def _registry_entry(name: str, src: str):
    from darkbeam.data import lookup
    from darkbeam.errors import DataError
    from darkbeam.data import entries as _entries

    for r in _entries("retired_flux"):  # a retired file says why (registry description) instead of "unknown"
        if r.name.lower() == str(name).lower():
            raise ConfigurationError(f"{src}: flux file {r.name} is retired: {r.description}")
    try:
        return lookup(name, kind="flux")
    except DataError:
        from darkbeam.data import entries

        known = ", ".join(sorted(e.name for e in entries("flux")))
        raise ConfigurationError(f"{src}: unknown flux '{name}' (registered fluxes: {known})") from None


def _parse_flux(t: Mapping, src: str, base: Path | None) -> FluxSpec:
    _check_keys(t, _FLUX, "flux", src)
    given = [k for k in ("name", "files", "path") if k in t]
    if len(given) != 1:
        raise ConfigurationError(f"{src}: [flux] needs exactly one of 'name', 'files', 'path'")
    if "normalisation" not in t:
        raise ConfigurationError(f"{src}: [flux] needs 'normalisation' (factor from file numbers to nu/cm^2/GeV/POT)")
    norm = _number(t["normalisation"], "flux normalisation", src, positive=True)
    # No silent truncation: the whole file is integrated unless a range is given WITH its physics reason
    reason = str(t.get("energy_range_reason", "")).strip()
    if "energy_range" not in t:
        if reason:
            raise ConfigurationError(f"{src}: [flux] energy_range_reason given without energy_range")
        emin, emax = 0.0, math.inf
    else:
        er = t["energy_range"]
        if not isinstance(er, list) or len(er) != 2:
            raise ConfigurationError(f"{src}: flux energy_range must be [Emin, Emax] (GeV)")
        emin = _number(er[0], "energy_range[0]", src, nonneg=True)
        emax = _number(er[1], "energy_range[1]", src, positive=True)
        if emax <= emin:
            raise ConfigurationError(f"{src}: flux energy_range must have Emin < Emax, got {er}")
        if not reason:
            raise ConfigurationError(f"{src}: [flux] energy_range cuts the flux file: give its physics reason in "
                                     f"energy_range_reason, or drop energy_range to integrate over the whole file")
    note = str(t.get("note", ""))
    name = files = path = None
    reg_norm = 1.0
    if "name" in t:
        name = str(t["name"])
        entry = _registry_entry(name, src)
        reg_norm = float(entry.normalisation)
    elif "files" in t:
        f = t["files"]
        if not isinstance(f, Mapping) or not f:
            raise ConfigurationError(f"{src}: flux files must be a table flavour = 'registered name'")
        bad = sorted(set(f) - set(FLAVOURS))
        if bad:
            raise ConfigurationError(f"{src}: unknown flavour(s) {bad} in flux files (use {', '.join(FLAVOURS)})")
        norms = {float(_registry_entry(str(v), src).normalisation) for v in f.values()}
        if len(norms) != 1:
            raise ConfigurationError(f"{src}: flux files have different registry normalisations")
        reg_norm = norms.pop()
        files = {k: str(v) for k, v in f.items()}
    else:
        p = Path(str(t["path"])).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        if not p.is_file():
            raise ConfigurationError(f"{src}: flux file {p} not found")
        path = p
    columns = _str_list(t.get("columns", list(FLAVOURS)), "flux columns", src)
    bad = sorted(set(columns) - set(FLAVOURS))
    if bad:
        raise ConfigurationError(f"{src}: unknown flavour(s) {bad} in flux columns")
    grid = str(t.get("energy_grid", "points"))
    if grid not in ("points", "centres"):
        raise ConfigurationError(f"{src}: flux energy_grid must be 'points' or 'centres'")
    return FluxSpec(name, files, path, norm, reg_norm, (emin, emax), note, columns, grid, reason)


def _parse_targets(raw: Mapping, src: str) -> tuple[Target, ...]:
    has_t, has_m = "targets" in raw, "material" in raw
    if has_t == has_m:
        raise ConfigurationError(f"{src}: give exactly one of [targets] (tonnes per nucleus) or [material] "
                                 "(mass and composition)")
    out = []
    if has_t:
        t = raw["targets"]
        if not isinstance(t, Mapping) or not t:
            raise ConfigurationError(f"{src}: [targets] must map nuclei to masses in tonnes, e.g. Ar40 = 86.19")
        for nuc, m in t.items():
            Z, A = parse_nucleus(nuc)
            out.append(Target(nuc, Z, A, _number(m, f"mass of {nuc}", src, positive=True)))
    else:
        mat = _check_keys(raw["material"], _MATERIAL, "material", src)
        if "mass" not in mat or "composition" not in mat:
            raise ConfigurationError(f"{src}: [material] needs 'mass' (tonnes) and 'composition' (mass fractions)")
        total = _number(mat["mass"], "material mass", src, positive=True)
        comp = mat["composition"]
        if not isinstance(comp, Mapping) or not comp:
            raise ConfigurationError(f"{src}: material composition must map nuclei to mass fractions")
        fr = {nuc: _number(v, f"mass fraction of {nuc}", src, positive=True) for nuc, v in comp.items()}
        s = sum(fr.values())
        if abs(s - 1.0) > 1e-6:
            raise ConfigurationError(f"{src}: material mass fractions sum to {s:.8g}, not 1")
        for nuc, f in fr.items():
            Z, A = parse_nucleus(nuc)
            out.append(Target(nuc, Z, A, total * f))
    return tuple(out)


def experiment_from_dict(raw: Mapping, keyword: str, source: str = "<dict>", base: Path | None = None) -> Experiment:
    """Validate a parsed TOML table and build the :class:`Experiment` (ConfigurationError if invalid)."""
    src = source
    _check_keys(raw, _TOP, "top level", src)
    for key in ("name", "flux", "exposure", "beam", "geometry"):
        if key not in raw:
            raise ConfigurationError(f"{src}: missing required '{key}'")
    try:
        flux = _parse_flux(raw["flux"], src, base)
        targets = _parse_targets(raw, src)
        ex = _check_keys(raw["exposure"], _EXPOSURE, "exposure", src)
        if "pot" not in ex:
            raise ConfigurationError(f"{src}: [exposure] needs 'pot'")
        pot = _number(ex["pot"], "exposure pot", src, positive=True)
        beam = _check_keys(raw["beam"], _BEAM, "beam", src)
        if "baseline" not in beam:
            raise ConfigurationError(f"{src}: [beam] needs 'baseline' (cm, source to detector centre)")
        baseline = _number(beam["baseline"], "beam baseline", src, positive=True)
        angle = _number(beam.get("off_axis_angle", 0.0), "beam off_axis_angle", src)
        if abs(angle) >= math.pi / 2:
            raise ConfigurationError(f"{src}: beam off_axis_angle is in rad and must be below pi/2")
        production = str(beam.get("production", "point"))
        if production not in ("point", "bnb"):
            raise ConfigurationError(f"{src}: beam production must be 'point' or 'bnb', got {production!r}")
        radius = _number(beam.get("decay_pipe_radius", 35.0), "decay_pipe_radius", src, nonneg=True)
        g = raw["geometry"]
        if not isinstance(g, Mapping):
            raise ConfigurationError(f"{src}: [geometry] must be a table of volumes")
        if "detector" not in g:
            raise ConfigurationError(f"{src}: [geometry] needs a 'detector' volume")
        shapes = {}
        for vol, spec in g.items():
            if vol in _GEOMETRY_META:
                continue
            shapes[vol] = shape_from_spec(spec, f"{src}: geometry.{vol}")
        status = str(g.get("status", "approximate"))
        if status not in ("darknews", "published", "approximate"):
            raise ConfigurationError(f"{src}: geometry status must be darknews, published or approximate")
        extra = {"geometry_note": str(g.get("note", "")), "beam_note": str(beam.get("note", "")),
                 "exposure_note": str(ex.get("note", ""))}
        if "material" in raw:
            extra["material_note"] = str(raw["material"].get("note", ""))
            if "density" in raw["material"]:
                extra["density"] = _number(raw["material"]["density"], "material density", src, positive=True)
        return Experiment(
            keyword=keyword,
            name=str(raw["name"]),
            description=str(raw.get("description", "")),
            citations=_str_list(raw.get("citations", []), "citations", src),
            flux=flux,
            targets=targets,
            exposure=pot,
            exposure_unit=str(ex.get("unit", "POT")),
            baseline=baseline,
            off_axis_angle=angle,
            production=production,
            decay_pipe_radius=radius,
            geometry=MappingProxyType(shapes),
            geometry_status=status,
            caveats=_str_list(raw.get("caveats", []), "caveats", src),
            darknews_keyword=raw.get("darknews_keyword"),
            darknews_fixes=_str_list(raw.get("darknews_fixes", []), "darknews_fixes", src),
            extra=MappingProxyType(extra),
        )
    except ConfigurationError as exc:
        msg = str(exc)
        raise ConfigurationError(msg if msg.startswith(src) else f"{src}: {msg}") from None


def _package_dir():
    return resources.files("darkbeam.detectors").joinpath(_PACKAGE_DIR)


@lru_cache(maxsize=1)
def list_experiments() -> tuple[str, ...]:
    """Keywords of the experiments shipped with darkbeam (sorted)."""
    return tuple(sorted(p.name[:-5] for p in _package_dir().iterdir() if p.name.endswith(".toml")))


def _load_text(text: str, keyword: str, source: str, base: Path | None, file: Path | None) -> Experiment:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{source}: not valid TOML ({exc})") from None
    exp = experiment_from_dict(raw, keyword, source, base)
    return replace(exp, source_file=file)


@lru_cache(maxsize=64)
def _load_builtin(keyword: str) -> Experiment:
    res = _package_dir().joinpath(f"{keyword}.toml")
    return _load_text(res.read_text(encoding="utf-8"), keyword, f"{keyword}.toml", None, Path(str(res)))


def load_experiment(name_or_path: str | Path) -> Experiment:
    """An experiment by catalog keyword (see :func:`list_experiments`) or by the path of a TOML file.

    A string that names an existing file, or ends in '.toml', is read as a file; anything else must
    be a catalog keyword (case-insensitive).  Errors are one-line ConfigurationErrors."""
    s = str(name_or_path)
    p = Path(s).expanduser()
    if isinstance(name_or_path, Path) or p.suffix == ".toml" or p.is_file():
        if not p.is_file():
            raise ConfigurationError(f"experiment file not found: {p}")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{p}: cannot read ({type(exc).__name__})") from None
        return _load_text(text, p.stem, str(p), p.resolve().parent, p.resolve())
    key = s.strip().lower()
    if key not in list_experiments():
        raise ConfigurationError(f"unknown experiment '{s}' (catalog: {', '.join(list_experiments())}; "
                                 "or give the path of a TOML file)")
    return _load_builtin(key)
