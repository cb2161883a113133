"""Schema of the searches catalog: published analyses (and sensitivity templates) as data.

A search file (``analysis/searches/entries/*.toml``, or a user's own) names what was looked for
(``particle``: 'hnl', 'scalar', 'dark_photon', 'dark_matter' (chi scattering in the detector, limits on
Y; docs/dark_matter.md)), where it comes from (``beam``, ``parents``,
``parent_mode``), the exposure per beam mode with the experiment-catalog detector it used, the decay
channels, the selection (cuts, with the detector's decay volume), the result (confidence level,
observed events, expected background) and the published curves it is compared with (CSV files in
``analysis/searches/curves/``).  Validation is strict, like the experiment files: a misspelled key,
a negative exposure or a confidence level outside (0, 1) is one ConfigurationError line naming the
file, the table and the key.  docs/searches.md describes every key.

A ``kind = "measurement"`` entry is a measured Standard-Model rate that constrains new physics through
that rate (e.g. the CCFR and CHARM-II neutrino-trident cross sections as sigma/sigma_SM): it has a
``[measurement]`` table (process, channel, quantity, value, error) and no decay channels, selection or
result; ``particle`` names what it constrains ('zprime').
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, Optional

from pydantic import Field, ValidationError, field_validator, model_validator

from darkbeam.detectors.schema import _format
from darkbeam.detectors.schema_fields import NonNegative, Number, Positive, StrList, _Strict
from darkbeam.errors import ConfigurationError

__all__ = ["SearchFile", "MassTable", "validate_search", "PARTICLES", "PARENT_MODES"]

PARTICLES = ("hnl", "scalar", "dark_photon", "zprime", "alp", "dark_matter")
KINDS = ("search", "sensitivity", "measurement")
PARENT_MODES = ("in-flight", "at-rest", "both")
#: the coupling each particle's limits are quoted in (HNLs: one flavour at a time)
PARAMETERS = {"hnl": "|U_{flavour}4|^2", "scalar": "theta", "dark_photon": "epsilon", "zprime": "gX", "alp": "g_agg",
              "dark_matter": "Y"}


class Exposure(_Strict):
    """One beam mode: protons on target at an experiment of the catalog, or (electron beam dumps) electrons on
    target with a beam-dump geometry of :mod:`darkbeam.analysis.beam_dump` (``geometry``)."""

    mode: str
    experiment: Optional[str] = None  # a key of the experiment catalog (required with pot)
    pot: Optional[Positive] = None
    electrons: Optional[Positive] = None  # electrons on target (electron beam dumps)
    geometry: Optional[str] = None  # a beam-dump geometry key (required with electrons)
    note: str = ""

    @model_validator(mode="after")
    def _unit(self):
        if (self.pot is None) == (self.electrons is None):
            raise ValueError("give exactly one exposure unit: pot (protons on target) or electrons (electrons on target)")
        if self.pot is not None and self.experiment is None:
            raise ValueError("experiment: required with pot (a key of the experiment catalog)")
        if self.electrons is not None and self.geometry is None:
            raise ValueError("geometry: required with electrons (a beam-dump geometry, e.g. 'e137')")
        return self


class MassTable(_Strict):
    """A channel's selection tabulated on a mass grid (``[channels.table]``): signal efficiency after the
    cuts and, optionally, the expected background after the cuts (events for the entry's exposure) with
    its error; ``darkbeam limit`` interpolates both linearly in log(mass) and refuses masses outside the
    grid.  ``source`` says where the numbers come from (a publication, or a model such as darkbeam's own
    cut flow)."""

    masses_GeV: list[Positive]
    efficiency: list[float]
    background: Optional[list[NonNegative]] = None
    background_error: Optional[list[NonNegative]] = None
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _grid(self):
        m = self.masses_GeV
        if len(m) < 2 or any(b <= a for a, b in zip(m, m[1:])):
            raise ValueError("masses_GeV: at least two masses, strictly increasing")
        for key in ("efficiency", "background", "background_error"):
            v = getattr(self, key)
            if v is not None and len(v) != len(m):
                raise ValueError(f"{key}: {len(v)} values for {len(m)} masses")
        if any(not 0.0 <= e <= 1.0 for e in self.efficiency):
            raise ValueError("efficiency: every value in [0, 1]")
        if self.background_error is not None and self.background is None:
            raise ValueError("background_error without background")
        return self


class DecayChannel(_Strict):
    decay: str
    final_states: StrList
    efficiency: Optional[float] = None  # flat selection efficiency, if the analysis quotes one
    background: Optional[NonNegative] = None  # expected background after the cuts in this channel, if quoted
    table: Optional[MassTable] = None  # efficiency (and background) on a mass grid
    note: str = ""

    @model_validator(mode="after")
    def _one_efficiency(self):
        if self.table is not None and (self.efficiency is not None or self.background is not None):
            raise ValueError("give either efficiency/background or a [channels.table], not both")
        return self

    @field_validator("efficiency")
    @classmethod
    def _eff(cls, v):
        if v is not None and not 0.0 < v <= 1.0:
            raise ValueError(f"must be in (0, 1], got {v}")
        return v


class Selection(_Strict):
    kind: Literal["cuts", "efficiency"]
    decay_volume: str
    note: str = ""
    cuts: dict[str, Number] = Field(default_factory=dict)


class Result(_Strict):
    cl: float
    observed: Optional[int] = None  # None: a sensitivity (expected limit only)
    background: NonNegative
    background_error: NonNegative = 0.0
    statistics: Literal["poisson"] = "poisson"
    note: str = ""

    @field_validator("cl")
    @classmethod
    def _cl(cls, v):
        if not 0.0 < v < 1.0:
            raise ValueError(f"must be in (0, 1), got {v}")
        return v

    @field_validator("observed")
    @classmethod
    def _obs(cls, v):
        if v is not None and v < 0:
            raise ValueError(f"must be a non-negative number of events, got {v}")
        return v


class Measurement(_Strict):
    """A measured Standard-Model process that constrains new physics through its rate (kind 'measurement'):
    e.g. a neutrino-trident cross section as a ratio to the SM prediction, value +- error (Gaussian)."""

    process: Literal["trident", "nu-e", "cevns"]
    channel: str
    quantity: Literal["sigma/sigma_SM", "events"]
    value: NonNegative
    error: Positive
    target: str = ""
    experiment: Optional[str] = None  # a key of the experiment catalog whose flux the measurement used, if any
    energy_GeV: Optional[tuple[Positive, Positive]] = None  # the neutrino energy range of the measurement
    note: str = ""


class PublishedCurve(_Strict):
    parameter: str
    file: str  # CSV in analysis/searches/curves/: mass_GeV, value
    cl: float
    source: str
    hnl_type: Optional[Literal["dirac", "majorana"]] = None
    note: str = ""


class Recast(_Strict):
    to: Literal["hnl", "scalar", "dark_photon"]
    published: list[PublishedCurve] = Field(default_factory=list)
    note: str = ""


class SearchFile(_Strict):
    name: str
    kind: Literal["search", "sensitivity", "measurement"]
    particle: Literal["hnl", "scalar", "dark_photon", "zprime", "alp", "dark_matter"]
    description: str
    citations: StrList
    caveats: StrList = ()
    masses_GeV: Optional[tuple[Positive, Positive]] = None
    flavours: list[Literal["e", "mu", "tau"]] = Field(default_factory=list)
    beam: str
    parents: StrList = ()
    parent_mode: Optional[Literal["in-flight", "at-rest", "both"]] = None
    exposure: list[Exposure] = Field(default_factory=list)
    channels: list[DecayChannel] = Field(default_factory=list)
    selection: Optional[Selection] = None
    result: Optional[Result] = None
    measurement: Optional[Measurement] = None
    published: list[PublishedCurve] = Field(default_factory=list)
    recast: Optional[Recast] = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.kind == "measurement":
            # a measured SM rate: no decay channels, selection or produced particle; the [measurement] table
            if self.measurement is None:
                raise ValueError("a measurement names what was measured: a [measurement] table (process, channel, "
                                 "quantity, value, error)")
            if self.channels or self.selection is not None or self.result is not None:
                raise ValueError("a measurement has no [[channels]], [selection] or [result] (they describe searches)")
            if self.masses_GeV is not None and not self.masses_GeV[0] < self.masses_GeV[1]:
                raise ValueError(f"masses_GeV must be [min, max] with min < max, got {list(self.masses_GeV)}")
            return self
        if self.measurement is not None:
            raise ValueError("[measurement] belongs to kind = 'measurement' only")
        for key in ("masses_GeV", "parent_mode", "selection"):
            if getattr(self, key) is None:
                raise ValueError(f"{key}: required for a {self.kind}")
        if not self.parents:
            raise ValueError("parents: required for a " + self.kind)
        lo, hi = self.masses_GeV
        if not lo < hi:
            raise ValueError(f"masses_GeV must be [min, max] with min < max, got [{lo}, {hi}]")
        if self.particle == "hnl" and not self.flavours:
            raise ValueError("an HNL search names the mixing flavours it constrains: flavours = ['mu', ...]")
        if not self.exposure:
            raise ValueError("exposure: at least one [[exposure]] table (mode, experiment, pot; or mode, geometry, electrons)")
        if not self.channels:
            raise ValueError("channels: at least one [[channels]] table (decay, final_states)")
        return self


def validate_search(raw: Any, source: str = "<dict>") -> SearchFile:
    """Validate a parsed search file; every problem is one ConfigurationError line naming the file
    (``source``), the table and the key."""
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{source}: a search file is a TOML table")
    try:
        return SearchFile.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigurationError(_format(exc, source)) from None
