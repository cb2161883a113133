"""Schema of the experiment files: pydantic models of every table and key (docs/experiments.md).

An experiment file (the catalog's ``detectors/experiments/*.toml`` or a user's own) is validated by
:func:`validate_experiment` against :class:`ExperimentFile`; a geometry table alone by
:func:`validate_shape` against :data:`ShapeSpec`.  Both are strict (``extra="forbid"``): a misspelled
key, a wrong type, a missing required key, a non-positive mass, size or exposure, an angle out of
range, an unknown nucleus, flavour or shape is one :class:`~darkbeam.errors.ConfigurationError`
line naming the file, the table and the key (with the closest known key when there is one), e.g.

    my.toml: [exposure]: unknown key 'pott' (did you mean 'pot'?; allowed: note, pot, unit)
    my.toml: [geometry.detector].size: must be three positive numbers (cm), got [100, -1, 100]

Units: masses in tonnes, lengths in cm, energies in GeV, angles in rad (``rotation_deg`` in
degrees), exposure in protons on target unless ``[exposure] unit`` says otherwise.  Numbers may be
written as fractions in strings ("12/13").  Checks that need the data registry (the flux names) or
the file system (a user's flux file) are made by :mod:`darkbeam.detectors.catalog`.  The field
types (numbers, vectors, nuclei) live in :mod:`darkbeam.detectors.schema_fields`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Mapping, Optional, Union

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator

from darkbeam.detectors.schema_fields import (
    Direction, EnergyRange, NonNegative, Number, NucleusTable, Positive, PositiveVec3, StrList, Vec3, _Strict, closest,
    parse_nucleus, suggest, unknown,
)
from darkbeam.errors import ConfigurationError

__all__ = [
    "FLAVOURS", "SHAPES", "SHAPE_SPECS", "GEOMETRY_STATUS", "parse_nucleus", "closest", "suggest", "unknown",
    "ExperimentFile", "FluxSection", "ExposureSection", "BeamSection", "MaterialSection", "GeometrySection", "PlacementSpec", "ClipSpec", "BoxSpec", "SphereSpec",
    "CylinderSpec", "FrustumSpec", "SphericalCapSpec", "HexagonalPrismSpec", "UnionSpec", "ShapeSpec",
    "validate_experiment", "validate_shape",
]

#: flavour labels used for per-flavour flux files (same order as the six-column tables)
FLAVOURS = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")

#: geometry status values (docs/experiments.md, "Catalog")
GEOMETRY_STATUS = ("darknews", "published", "approximate")


# --------------------------------------------------------------------------- shapes
class ClipSpec(_Strict):
    """Keep the points with normal . x <= offset (cm)."""

    normal: Direction
    offset: Number


class _ShapeBase(_Strict):
    name: str = ""
    note: str = ""
    material: Optional[str] = None  # informative
    density: Optional[Positive] = None  # g/cm^3, informative
    clip: Optional[ClipSpec] = None


class BoxSpec(_ShapeBase):
    """Axis-aligned box: full side lengths ``size`` (cm) around ``center``."""

    shape: Literal["box"]
    size: PositiveVec3
    center: Vec3 = (0.0, 0.0, 0.0)


class SphereSpec(_ShapeBase):
    shape: Literal["sphere"]
    radius: Positive
    center: Vec3 = (0.0, 0.0, 0.0)


class CylinderSpec(_ShapeBase):
    shape: Literal["cylinder"]
    radius: Positive
    length: Positive
    axis: Direction = (0.0, 0.0, 1.0)
    center: Vec3 = (0.0, 0.0, 0.0)


class FrustumSpec(_ShapeBase):
    """Truncated cone: ``radius_start`` at the upstream face, ``radius_end`` downstream (either may be 0)."""

    shape: Literal["frustum"]
    radius_start: NonNegative
    radius_end: NonNegative
    length: Positive
    axis: Direction = (0.0, 0.0, 1.0)
    center: Vec3 = (0.0, 0.0, 0.0)

    @model_validator(mode="after")
    def _check(self) -> "FrustumSpec":
        if self.radius_start == 0 and self.radius_end == 0:
            raise ValueError("a frustum needs a positive radius at one end at least")
        return self


class SphericalCapSpec(_ShapeBase):
    """Cap of ``height`` of the ball (``radius``, ``center``) on the side of ``axis``."""

    shape: Literal["spherical_cap"]
    radius: Positive
    height: Positive
    axis: Direction = (0.0, 0.0, 1.0)
    center: Vec3 = (0.0, 0.0, 0.0)

    @model_validator(mode="after")
    def _check(self) -> "SphericalCapSpec":
        if self.height > 2 * self.radius:
            raise ValueError(f"height {self.height:g} exceeds the sphere diameter {2 * self.radius:g}")
        return self


class HexagonalPrismSpec(_ShapeBase):
    """Regular hexagonal prism along z; ``rotation_deg`` about z in degrees."""

    shape: Literal["hexagonal_prism"]
    apothem: Positive
    length: Positive
    center: Vec3 = (0.0, 0.0, 0.0)
    rotation_deg: Number = 0.0


class UnionSpec(_ShapeBase):
    """Non-overlapping parts; a ``clip`` applies to every part."""

    shape: Literal["union"]
    parts: list["ShapeSpec"] = Field(min_length=1)


ShapeSpec = Annotated[
    Union[BoxSpec, SphereSpec, CylinderSpec, FrustumSpec, SphericalCapSpec, HexagonalPrismSpec, UnionSpec],
    Field(discriminator="shape"),
]
UnionSpec.model_rebuild()
SHAPE_SPECS = (BoxSpec, SphereSpec, CylinderSpec, FrustumSpec, SphericalCapSpec, HexagonalPrismSpec, UnionSpec)

#: shape names and their required keys (for messages and docs)
SHAPES = {
    cls.model_fields["shape"].annotation.__args__[0]: tuple(
        k for k, f in cls.model_fields.items() if f.is_required() and k != "shape")
    for cls in SHAPE_SPECS
}


# --------------------------------------------------------------------------- sections
class FluxSection(_Strict):
    """[flux]: exactly one of ``name`` (registered six-column table), ``files`` (registered one-flavour
    files), ``path`` (a user file, relative to the experiment file) or ``model`` (a beam line of
    darkbeam's beam model, run at the [beam] baseline and off-axis angle with horn ``polarity``, where
    no official flux file exists for the position: T2K INGRID on axis)."""

    name: Optional[str] = None
    files: Optional[dict[str, str]] = None
    path: Optional[str] = None
    model: Optional[str] = None
    polarity: Optional[Literal["FHC", "RHC"]] = None
    normalisation: Positive  # file numbers -> nu/cm^2/GeV/POT (total factor)
    energy_range: Optional[EnergyRange] = None  # GeV; absent: the whole file
    energy_range_reason: Optional[str] = None  # required with energy_range: why the file is cut
    note: str = ""
    columns: Optional[StrList] = None
    energy_grid: Literal["points", "centres"] = "points"

    @model_validator(mode="after")
    def _check(self) -> "FluxSection":
        given = [k for k in ("name", "files", "path", "model") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("needs exactly one of 'name', 'files', 'path', 'model'"
                             + (f" (got {', '.join(given)})" if given else ""))
        if self.polarity is not None and self.model is None:
            raise ValueError("'polarity' is the horn polarity of a beam 'model'; a flux file has its own")
        # no silent truncation: the whole file is integrated unless a range is given with its physics reason
        reason = (self.energy_range_reason or "").strip()
        if self.energy_range is None and reason:
            raise ValueError("energy_range_reason given without energy_range")
        if self.energy_range is not None and not reason:
            raise ValueError("energy_range cuts the flux file: give its physics reason in energy_range_reason, "
                             "or drop energy_range to integrate over the whole file")
        return self

    @field_validator("files")
    @classmethod
    def _files(cls, v: Optional[dict[str, str]]) -> Optional[dict[str, str]]:
        if v is not None and not v:
            raise ValueError("must map flavours to registered names, e.g. { nu_mu = 'PS_191_numu_flux' }")
        for k in v or ():
            if k not in FLAVOURS:
                raise ValueError(unknown("flavour", k, FLAVOURS))
        return v

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: Optional[tuple[str, ...]]) -> Optional[tuple[str, ...]]:
        for k in v or ():
            if k not in FLAVOURS:
                raise ValueError(unknown("flavour", k, FLAVOURS))
        return v


class ExposureSection(_Strict):
    pot: Positive  # protons on target (or ``unit``)
    unit: str = "POT"
    note: str = ""


class BeamSection(_Strict):
    baseline: Positive  # cm, neutrino source (proton target) to detector centre
    off_axis_angle: Number = 0.0  # rad
    off_axis_azimuth: Number = 0.0  # rad, direction of the off-axis displacement about z (0: +x, pi/2: +y)
    frame: Optional[str] = None  # beamline whose frame baseline and angles refer to ('bnb', 'numi', 'jparc', ...)
    production: Literal["point", "bnb"] = "point"
    decay_pipe_radius: NonNegative = 35.0  # cm (production = "bnb")
    note: str = ""

    @field_validator("off_axis_angle")
    @classmethod
    def _angle(cls, a: float) -> float:
        if not abs(a) < math.pi / 2:
            hint = f" ({a:g} deg = {math.radians(a):.6g} rad?)" if abs(a) < 90 else ""
            raise ValueError(f"is in rad and must lie within (-pi/2, pi/2), got {a:g}{hint}")
        return a


class MaterialSection(_Strict):
    mass: Positive  # tonnes
    composition: NucleusTable  # mass fractions, sum 1
    density: Optional[Positive] = None  # g/cm^3, informative
    note: str = ""

    @field_validator("composition")
    @classmethod
    def _fractions(cls, c: dict[str, float]) -> dict[str, float]:
        s = sum(c.values())
        if abs(s - 1.0) > 1e-6:
            raise ValueError(f"mass fractions sum to {s:.8g}, not 1")
        return c


class PlacementSpec(_Strict):
    """[placement.<beam>]: the detector in the frame of a beamline (z along the protons, y up, origin
    at the target as :mod:`darkbeam.sources.beam.configs` defines it): ``center`` (cm) is the origin of
    the experiment's geometry frame, ``axes`` the unit vectors of its x, y and z axes in the beam frame
    (rows of a rotation matrix; default: parallel to the beam frame's axes)."""

    center: Vec3
    axes: Optional[tuple[Direction, Direction, Direction]] = None
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "PlacementSpec":
        if self.axes is not None:
            R = [list(a) for a in self.axes]
            for i in range(3):
                for j in range(3):
                    d = sum(R[i][k] * R[j][k] for k in range(3))
                    if abs(d - (1.0 if i == j else 0.0)) > 1e-6:
                        raise ValueError("axes must be three orthonormal unit vectors (rows of a rotation)")
            cx = (R[0][1] * R[1][2] - R[0][2] * R[1][1], R[0][2] * R[1][0] - R[0][0] * R[1][2],
                  R[0][0] * R[1][1] - R[0][1] * R[1][0])
            if sum(a * b for a, b in zip(cx, R[2])) < 0:
                raise ValueError("axes must be right-handed (x cross y = z)")
        return self


_GEOMETRY_META = ("status", "note", "upscattering_decays")


class GeometrySection(_Strict):
    """[geometry]: ``status``, ``note`` and named volumes ([geometry.detector] required)."""

    status: Literal["darknews", "published", "approximate"] = "approximate"
    note: str = ""
    #: where the upscattering generator counts the decays of the N it makes: in [geometry.detector]
    #: (default; DarkNews's convention) or in [geometry.decay_volume] (ND280: made in the P0D and the
    #: FGDs, observed in the gas TPCs)
    upscattering_decays: Literal["detector", "decay_volume"] = "detector"
    volumes: dict[str, ShapeSpec]

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:  # overrides _Strict's: volumes are free names
        if not isinstance(data, Mapping):
            return data
        out: dict[str, Any] = {k: data[k] for k in _GEOMETRY_META if k in data}
        vols = {k: v for k, v in data.items() if k not in _GEOMETRY_META}
        for k, v in vols.items():
            if not isinstance(v, Mapping):
                raise ValueError(f"unknown key '{k}'{suggest(k, _GEOMETRY_META)} (volumes are tables such as "
                                 "[geometry.detector]; other keys: status, note, upscattering_decays)")
        if "detector" not in vols:
            near = closest("detector", vols)
            raise ValueError("needs a [geometry.detector] volume (where decays are observed)"
                             + (f"; is [geometry.{near}] a misspelling?" if near else ""))
        out["volumes"] = vols
        return out


class ExperimentFile(_Strict):
    """One experiment file (docs/experiments.md, "File schema")."""

    name: str = Field(min_length=1)
    description: str = ""
    citations: StrList = ()
    darknews_keyword: Optional[str] = None
    darknews_fixes: StrList = ()
    caveats: StrList = ()
    flux: FluxSection
    exposure: ExposureSection
    beam: BeamSection
    targets: Optional[NucleusTable] = None  # tonnes per nucleus
    material: Optional[MaterialSection] = None
    geometry: GeometrySection
    placement: Optional[dict[str, PlacementSpec]] = None  # detector placements in other beams' frames

    @model_validator(mode="after")
    def _check(self) -> "ExperimentFile":
        if (self.targets is None) == (self.material is None):
            raise ValueError("give exactly one of [targets] (tonnes per nucleus) or [material] (mass and composition)")
        return self


# --------------------------------------------------------------------------- errors
_TABLES = ("flux", "exposure", "beam", "targets", "material", "geometry", "placement")
_TYPE_MESSAGES = {
    "string_type": "must be a string",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
}


def _location(loc: tuple) -> tuple[str, str]:
    """(table header, key path) of a pydantic error location, without pydantic's own pieces
    (the 'volumes' field and the discriminator tags)."""
    parts: list[str] = []
    items = list(loc)
    i = 0
    while i < len(items):
        x = items[i]
        if x == "volumes" and parts == ["geometry"] and i + 1 < len(items):
            parts.append(str(items[i + 1]))
            i += 2
            if i < len(items) and items[i] in SHAPES:
                i += 1
            continue
        if isinstance(x, int):
            if parts:
                parts[-1] += f"[{x}]"
            i += 1
            if parts and parts[-1].startswith("parts[") and i < len(items) and items[i] in SHAPES:
                i += 1
            continue
        if x == "[key]":
            i += 1
            continue
        parts.append(str(x))
        i += 1
    if not parts:
        return "", ""
    if parts[0] == "geometry" and len(parts) > 1 and parts[1] not in _GEOMETRY_META:
        return f"[geometry.{parts[1]}]", ".".join(parts[2:])
    if parts[0] == "placement" and len(parts) > 1:
        return f"[placement.{parts[1]}]", ".".join(parts[2:])
    if parts[0] in _TABLES:
        return f"[{parts[0]}]", ".".join(parts[1:])
    return "", ".".join(parts)


def _message(err: dict) -> str:
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    loc = tuple(err.get("loc", ()))
    if typ == "missing":
        key = str(loc[-1]) if loc else "?"
        if key in _TABLES and len(loc) == 1:
            return f"missing required table [{key}]"
        return f"missing required key '{key}'"
    if typ == "extra_forbidden":  # normally caught by _Strict._known_keys
        return f"unknown key '{loc[-1] if loc else '?'}'"
    if typ == "union_tag_invalid":
        return unknown("shape", ctx.get("tag"), SHAPES)
    if typ == "union_tag_not_found":
        return f"needs a 'shape' (one of {', '.join(SHAPES)})"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if typ in _TYPE_MESSAGES:
        msg = f"{_TYPE_MESSAGES[typ]}, got {err.get('input')!r}"
    elif typ == "literal_error":
        msg = f"must be {ctx.get('expected', msg.removeprefix('Input should be '))}, got {err.get('input')!r}"
    elif typ in ("too_short", "string_too_short"):
        msg = "must not be empty"
    return msg


def _more(errors: list) -> str:
    n = len(errors) - 1
    return f" (and {n} more problem{'s' if n > 1 else ''})" if n else ""


def _loc(err: dict) -> tuple:
    """The location of an error; for a missing key, the table that misses it."""
    loc = tuple(err.get("loc", ()))
    return loc[:-1] if err.get("type") == "missing" else loc


def _format(exc: ValidationError, source: str) -> str:
    errors = exc.errors()
    header, key = _location(_loc(errors[0]))
    where = header + (("." if header else "") + key if key else "")
    return f"{source}: {where + ': ' if where else ''}{_message(errors[0])}{_more(errors)}"


def validate_experiment(raw: Any, source: str = "<dict>") -> ExperimentFile:
    """Validate a parsed experiment file; every problem is one ConfigurationError line naming the
    file (``source``), the table and the key."""
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{source}: an experiment file is a TOML table")
    try:
        return ExperimentFile.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigurationError(_format(exc, source)) from None


_SHAPE_ADAPTER: TypeAdapter = TypeAdapter(ShapeSpec)


def validate_shape(spec: Any, where: str = "geometry") -> Any:
    """Validate one shape table (e.g. ``{"shape": "box", "size": [1, 2, 3]}``); the ConfigurationError
    names ``where``."""
    if not isinstance(spec, Mapping):
        raise ConfigurationError(f"{where}: must be a table")
    try:
        return _SHAPE_ADAPTER.validate_python(dict(spec))
    except ValidationError as exc:
        errors = exc.errors()
        # as if the table were a volume [geometry.<where>]: strips the discriminator tags from the path
        _, key = _location(("geometry", "volumes", "<shape>") + _loc(errors[0]))
        raise ConfigurationError(f"{where}{'.' + key if key else ''}: {_message(errors[0])}{_more(errors)}") from None
