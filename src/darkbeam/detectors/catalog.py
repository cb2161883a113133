"""The experiment catalog: TOML definitions of detectors, targets, exposure, flux and geometry.

Each experiment is one TOML file, validated by the pydantic models of :mod:`darkbeam.detectors.schema`
(docs/experiments.md, "File schema"); the catalog ships one per
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
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.detectors import schema
from darkbeam.detectors.geometry import Shape, bnb_production, PointSource, shape_from_spec
from darkbeam.detectors.schema import FLAVOURS, parse_nucleus, unknown
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
    "close_experiments",
    "unknown_experiment_message",
    "FLAVOURS",
]

_PACKAGE_DIR = "experiments"


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
    with the registry's normalisation.  ``energy_range`` is (0, inf) when the file does not restrict
    it (the whole file is integrated); a restriction carries its ``energy_range_reason``."""

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
    #: a beam line of darkbeam's beam model (sources/beam) run at the experiment's position, where no
    #: official file exists (``[flux] model``); None: a file
    model: str | None = None
    #: horn polarity of the beam model ('FHC' or 'RHC')
    polarity: str = "FHC"

    @property
    def label(self) -> str:
        """Short description: the file name(s), the user file or the beam model."""
        if self.model:
            return f"beam model '{self.model}' ({self.polarity})"
        return self.name or " + ".join((self.files or {}).values()) or str(self.path)

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
    #: 'detector' or 'decay_volume': the [geometry] volume in which upscattered N decays are counted
    upscattering_decays: str = "detector"
    darknews_keyword: str | None = None
    darknews_fixes: tuple[str, ...] = ()
    source_file: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    beam_frame: str | None = None  # beamline whose frame [beam] refers to (detectors.placement)
    off_axis_azimuth: float = 0.0  # rad, direction of the off-axis displacement about the beam axis
    placements: Mapping[str, Any] = field(default_factory=dict)  # explicit [placement.<beam>] tables

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
    def decay_volume(self) -> Shape:
        """The fiducial volume in which decays of long-lived particles are counted: [geometry.decay_volume]
        when the file has one (ND280's gas TPCs, MicroBooNE's TPC), else the detector."""
        return self.geometry.get("decay_volume", self.geometry["detector"])

    @property
    def upscattering_decay_region(self) -> Shape:
        """Where the upscattering generator counts decays: [geometry.detector], or the decay volume
        where the file says ``upscattering_decays = "decay_volume"`` (ND280: N made anywhere in the
        UA1 volume, P0D and FGDs included, decaying in the three gas TPCs, with survival from the
        vertex)."""
        return self.decay_volume if self.upscattering_decays == "decay_volume" else self.detector

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
            "flux": self.flux.name or dict(self.flux.files or {}) or (self.flux.label if self.flux.model
                                                                       else str(self.flux.path)),
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
            "upscattering_decays": self.upscattering_decays,
        }


# --------------------------------------------------------------------------- building
def _registry_entry(name: str, src: str, where: str = "[flux].name"):
    from darkbeam.data import entries, lookup
    from darkbeam.errors import DataError

    for r in entries("retired_flux"):  # a retired file says why (registry description) instead of "unknown"
        if r.name.lower() == str(name).lower():
            raise ConfigurationError(f"{src}: {where}: flux file {r.name} is retired: {r.description}")
    try:
        return lookup(name, kind="flux")
    except DataError:
        known = sorted(e.name for e in entries("flux"))
        raise ConfigurationError(f"{src}: {where}: {unknown('flux', name, known, 'registered:')}") from None


def _flux_spec(f: schema.FluxSection, src: str, base: Path | None) -> FluxSpec:
    name = files = path = None
    reg_norm = 1.0
    if f.model is not None:
        from darkbeam.sources.beam.configs import BEAMS, _ALIASES

        key = _ALIASES.get(f.model.lower(), f.model.lower())
        if key not in BEAMS:
            raise ConfigurationError(f"{src}: [flux].model: {unknown('beam line', f.model, sorted(BEAMS))}")
        energy_range = tuple(f.energy_range) if f.energy_range is not None else (0.0, math.inf)
        return FluxSpec(None, None, None, f.normalisation, 1.0, energy_range, f.note,
                        tuple(f.columns) if f.columns is not None else FLAVOURS, f.energy_grid,
                        energy_range_reason=(f.energy_range_reason or "").strip(), model=key,
                        polarity=f.polarity or "FHC")
    if f.name is not None:
        name = f.name
        reg_norm = float(_registry_entry(name, src).normalisation)
    elif f.files is not None:
        norms = {float(_registry_entry(v, src, f"[flux].files.{k}").normalisation) for k, v in f.files.items()}
        if len(norms) != 1:
            raise ConfigurationError(f"{src}: [flux].files: the files have different registry normalisations")
        reg_norm = norms.pop()
        files = dict(f.files)
    else:
        p = Path(f.path).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        if not p.is_file():
            raise ConfigurationError(f"{src}: [flux].path: flux file {p} not found")
        path = p
    energy_range = tuple(f.energy_range) if f.energy_range is not None else (0.0, math.inf)
    return FluxSpec(name, files, path, f.normalisation, reg_norm, energy_range, f.note,
                    tuple(f.columns) if f.columns is not None else FLAVOURS, f.energy_grid,
                    energy_range_reason=(f.energy_range_reason or "").strip())


def _targets(spec: schema.ExperimentFile, src: str) -> tuple[Target, ...]:
    """Targets in tonnes; every nucleus must be a nuclide of the mass table (AME2020, or the particle
    package's table offline) that the physics uses."""
    from darkbeam.physics.nuclear import nucleus

    if spec.targets is not None:
        where, masses = "[targets]", dict(spec.targets)
    else:
        where = "[material].composition"
        masses = {nuc: spec.material.mass * fr for nuc, fr in spec.material.composition.items()}
    for nuc in masses:
        try:
            nucleus(nuc)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{src}: {where}.{nuc}: {exc}") from None
    return tuple(Target(nuc, *parse_nucleus(nuc), m) for nuc, m in masses.items())


def experiment_from_dict(raw: Mapping, keyword: str, source: str = "<dict>", base: Path | None = None) -> Experiment:
    """Validate a parsed TOML table against the schema (:mod:`darkbeam.detectors.schema`) and build
    the :class:`Experiment`; every problem is one ConfigurationError line naming ``source``."""
    src = source
    spec = schema.validate_experiment(raw, src)
    flux = _flux_spec(spec.flux, src, base)
    g = spec.geometry
    shapes = {vol: shape_from_spec(v, f"{src}: [geometry.{vol}]") for vol, v in g.volumes.items()}
    extra: dict[str, Any] = {"geometry_note": g.note, "beam_note": spec.beam.note, "exposure_note": spec.exposure.note}
    if spec.material is not None:
        extra["material_note"] = spec.material.note
        extra["composition"] = dict(spec.material.composition)
        if spec.material.density is not None:
            extra["density"] = spec.material.density
    return Experiment(
        keyword=keyword,
        name=spec.name,
        description=spec.description,
        citations=tuple(spec.citations),
        flux=flux,
        targets=_targets(spec, src),
        exposure=spec.exposure.pot,
        exposure_unit=spec.exposure.unit,
        baseline=spec.beam.baseline,
        off_axis_angle=spec.beam.off_axis_angle,
        production=spec.beam.production,
        decay_pipe_radius=spec.beam.decay_pipe_radius,
        geometry=MappingProxyType(shapes),
        geometry_status=g.status,
        caveats=tuple(spec.caveats),
        upscattering_decays=g.upscattering_decays,
        darknews_keyword=spec.darknews_keyword,
        darknews_fixes=tuple(spec.darknews_fixes),
        extra=MappingProxyType(extra),
        beam_frame=spec.beam.frame,
        off_axis_azimuth=spec.beam.off_axis_azimuth,
        placements=MappingProxyType(dict(spec.placement or {})),
    )


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


def close_experiments(name: str, n: int = 3) -> list[str]:
    """Catalog keywords close to ``name`` (difflib ratio >= 0.6, best first)."""
    import difflib

    return difflib.get_close_matches(str(name).strip().lower(), list_experiments(), n=n, cutoff=0.6)


def unknown_experiment_message(name: str) -> str:
    """One line for an unknown catalog keyword: the close matches, else the whole catalog."""
    close = close_experiments(name)
    if close:
        return (f"unknown experiment '{name}' (did you mean {', '.join(close)}? 'darkbeam experiments list' "
                "shows the catalog; or give the path of a TOML file)")
    return (f"unknown experiment '{name}' (catalog: {', '.join(list_experiments())}; "
            "or give the path of a TOML file)")


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
        raise ConfigurationError(unknown_experiment_message(s))
    return _load_builtin(key)
