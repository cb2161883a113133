"""Scan configuration: a TOML file validated against a schema (docs/scans.md).

::

    [scan]                      # name, experiment, seed, output folder
    [model]                     # the model's other parameters (DarkNews names, as in a model file)
    [generation]                # vegas statistics per case, which cases (optional)
    [x], [y]                    # the two axes: param, min/max/n or values, scale, power, label
    [signal]                    # decay channels counted, efficiency, spectrum variable and bins
    [statistics]                # counting | binned | recast; background, observed, systematics, CL
    [plot]                      # title, labels, overlays of user curves

An axis whose ``param`` is a mass (m4, m5, m6, mzprime, mhprime) is *generated*: one event sample per
value.  Any other parameter is *reweighted*: the events of a mass point are reweighted to every value.
The axis value is ``param ** power`` (``power = 2`` for |U_mu4|^2 or epsilon^2).  Unknown keys,
wrong types and inconsistent values are a :class:`~darkbeam.errors.ConfigurationError` naming the
offending key.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal, Optional, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from darkbeam.errors import ConfigurationError, ParameterError

#: parameters that change masses: their axes are generated, every other axis is reweighted
MASS_PARAMS = ("m4", "m5", "m6", "mzprime", "mhprime")

#: alternative ways of giving one coupling (models/parameters.py)

#: signal spectrum variables (docs/scans.md)
VARIABLES = ("E_vis", "cos_vis", "E_hnl", "E_nu")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScanSection(_Strict):
    name: str = "scan"
    experiment: str = "miniboone_fhc"
    seed: int = Field(1, ge=0)
    output: Optional[str] = None


class GenerationSection(_Strict):
    events: int = Field(4000, ge=100, description="weighted events per process case")
    n_batches: int = Field(1, ge=1)
    nitn_adapt: int = Field(3, ge=1)
    neval_adapt: int = Field(1000, ge=100)
    projectiles: Optional[list[Literal["nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar"]]] = Field(
        None, min_length=1)
    regimes: list[Literal["coherent", "p-el", "n-el", "electron"]] = Field(["coherent", "p-el", "n-el"], min_length=1)
    helicities: list[Literal["conserving", "flipping"]] = Field(["conserving", "flipping"], min_length=1)
    couplings: Literal["darkbeam", "darknews"] = "darkbeam"

    def options(self):
        from darkbeam.processes.upscatter_decay import GenerationOptions

        return GenerationOptions(neval=max(self.events // self.n_batches, 50), n_batches=self.n_batches,
                                 nitn_adapt=self.nitn_adapt, neval_adapt=self.neval_adapt)


class Axis(_Strict):
    param: str
    min: Optional[float] = None
    max: Optional[float] = None
    n: Optional[int] = Field(None, ge=1)
    values: Optional[list[float]] = None
    scale: Literal["log", "linear"] = "log"
    power: float = 1.0
    label: Optional[str] = None
    reference: Optional[float] = None  # axis value at which a reweighted axis is generated

    @model_validator(mode="after")
    def _check(self) -> "Axis":
        if self.values is not None:
            if self.min is not None or self.max is not None or self.n is not None:
                raise ValueError("give either values or min/max/n, not both")
            if len(self.values) < 1:
                raise ValueError("values must not be empty")
            vals = self.values
        else:
            if self.min is None or self.max is None or self.n is None:
                raise ValueError("give values, or min, max and n")
            if not self.max > self.min:
                raise ValueError(f"max ({self.max}) must be larger than min ({self.min})")
            vals = [self.min, self.max]
        if any(not math.isfinite(v) for v in vals):
            raise ValueError("axis values must be finite")
        if self.scale == "log" and any(v <= 0 for v in vals):
            raise ValueError("a log axis needs positive values")
        if not (math.isfinite(self.power) and self.power > 0):
            raise ValueError(f"power must be positive, got {self.power}")
        if self.reference is not None and not (math.isfinite(self.reference) and self.reference > 0):
            raise ValueError("reference must be a positive axis value")
        return self

    @property
    def generated(self) -> bool:
        return self.param in MASS_PARAMS

    def grid(self) -> np.ndarray:
        """Axis values (in the axis quantity, param ** power)."""
        if self.values is not None:
            return np.asarray(self.values, dtype=float)
        if self.scale == "log":
            return np.geomspace(self.min, self.max, self.n)
        return np.linspace(self.min, self.max, self.n)

    def param_value(self, v: float) -> float:
        """The parameter value of axis value ``v`` (positive root for power != 1)."""
        return float(v) if self.power == 1.0 else float(abs(v) ** (1.0 / self.power)) * (1.0 if v >= 0 else -1.0)

    def reference_value(self) -> float:
        if self.reference is not None:
            return float(self.reference)
        g = self.grid()
        if self.scale == "log":
            return float(math.exp(np.mean(np.log(g))))
        return float(np.mean(g)) if np.mean(g) != 0 else float(g[np.argmax(np.abs(g))])

    def axis_label(self) -> str:
        if self.label:
            return self.label
        unit = " [GeV]" if self.param in MASS_PARAMS else (" [GeV^-1]" if self.param.startswith("mu_tr") else "")
        if self.power == 2.0:
            return f"|{self.param}|^2{unit}"
        if self.power != 1.0:
            return f"|{self.param}|^{self.power:g}{unit}"
        return f"{self.param}{unit}"


class SignalSection(_Strict):
    channels: list[str] = ["visible"]  # a limit counts visible decays unless told otherwise
    efficiency: float = Field(1.0, gt=0, le=1)
    variable: Optional[Literal["E_vis", "cos_vis", "E_hnl", "E_nu"]] = None
    bins: Optional[list[float]] = None

    @field_validator("channels")
    @classmethod
    def _chan(cls, v):
        if not v:
            raise ValueError("channels must not be empty (use ['visible'] for every visible decay, ['any'] for every decay)")
        return v

    @model_validator(mode="after")
    def _check(self) -> "SignalSection":
        if (self.variable is None) != (self.bins is None):
            raise ValueError("variable and bins go together")
        if self.bins is not None:
            b = np.asarray(self.bins, dtype=float)
            if b.size < 2 or not np.all(np.diff(b) > 0) or not np.all(np.isfinite(b)):
                raise ValueError("bins must be at least two increasing finite edges")
        return self


class CurveSpec(_Strict):
    file: str
    label: str = ""
    x_scale: float = 1.0
    y_scale: float = 1.0


class StatisticsSection(_Strict):
    method: Literal["counting", "binned", "recast"] = "counting"
    cl: float = Field(0.9, gt=0, lt=1)
    background: Union[float, list[float]] = 0.0
    observed: Optional[Union[float, list[float]]] = None
    sigma_signal: float = Field(0.0, ge=0)
    sigma_background: float = Field(0.0, ge=0)
    limit_method: Literal["cls", "profile", "asymptotic"] = "cls"
    # recast
    limit_curve: Optional[CurveSpec] = None
    limit_events: Optional[float] = Field(None, gt=0)
    reference: Optional[dict[str, Any]] = None

    @model_validator(mode="after")
    def _check(self) -> "StatisticsSection":
        bg = np.atleast_1d(np.asarray(self.background, dtype=float))
        if np.any(bg < 0) or not np.all(np.isfinite(bg)):
            raise ValueError("background must be finite and >= 0")
        if self.observed is not None:
            ob = np.atleast_1d(np.asarray(self.observed, dtype=float))
            if np.any(ob < 0) or ob.shape != bg.shape:
                raise ValueError("observed must be >= 0 and have the shape of background")
        if self.method == "counting" and bg.size != 1:
            raise ValueError("method 'counting' takes one background number")
        if self.method == "recast":
            if self.limit_curve is None:
                raise ValueError("method 'recast' needs limit_curve = {file = ...}")
            if (self.limit_events is None) == (self.reference is None):
                raise ValueError("method 'recast' needs exactly one of limit_events and [statistics.reference]")
        elif self.limit_curve is not None or self.limit_events is not None or self.reference is not None:
            raise ValueError("limit_curve, limit_events and reference belong to method 'recast'")
        return self


class PlotSection(_Strict):
    title: Optional[str] = None
    overlays: list[CurveSpec] = []
    show_grid_points: bool = False


class ScanConfig(_Strict):
    scan: ScanSection = ScanSection()
    model: dict[str, Any] = {}
    generation: GenerationSection = GenerationSection()
    x: Axis
    y: Axis
    signal: SignalSection = SignalSection()
    statistics: StatisticsSection = StatisticsSection()
    plot: PlotSection = PlotSection()
    base_dir: Optional[str] = Field(None, exclude=True)

    @model_validator(mode="after")
    def _check(self) -> "ScanConfig":
        if self.x.param == self.y.param:
            raise ValueError(f"both axes scan {self.x.param}")
        if self.statistics.method == "binned":
            nb = np.atleast_1d(np.asarray(self.statistics.background)).size
            if self.signal.bins is None:
                raise ValueError("method 'binned' needs [signal] variable and bins")
            if nb != len(self.signal.bins) - 1:
                raise ValueError(f"background has {nb} bins, [signal] bins define {len(self.signal.bins) - 1}")
        return self

    # ------------------------------------------------------------------ derived
    def base_model(self):
        """Validated model parameters at the generation reference of both axes."""
        from darkbeam.models.parameters import EQUIVALENT_GROUPS, ModelParameters

        values = dict(self.model)
        for ax in (self.x, self.y):
            for group in EQUIVALENT_GROUPS:  # an axis on epsilon replaces alpha_epsilon2 of [model], etc.
                if ax.param in group:
                    for k in group:
                        values.pop(k, None)
            values[ax.param] = ax.param_value(ax.reference_value() if not ax.generated else ax.grid()[0])
        try:
            return ModelParameters.from_dict(values)
        except ParameterError as exc:
            raise ConfigurationError(f"[model] with the axes: {exc}") from None

    def path(self, name: str) -> Path:
        """A file named in the config, relative to the config's folder."""
        p = Path(name).expanduser()
        return p if p.is_absolute() or self.base_dir is None else Path(self.base_dir) / p

    def fingerprint(self) -> str:
        """Hash of everything that determines per-point results (not output paths, plots or executors)."""
        d = self.model_dump(exclude={"plot", "base_dir", "statistics"})
        d["scan"].pop("output", None)
        d["scan"].pop("name", None)
        st = self.statistics
        d["reference"] = st.reference if st.method == "recast" else None
        if st.method == "recast" and st.reference is not None and st.limit_curve is not None:
            p = self.path(st.limit_curve.file)  # the published curve fixes where references are generated
            d["limit_curve"] = [hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None,
                                st.limit_curve.x_scale, st.limit_curve.y_scale]
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _location(err: dict) -> str:
    loc = [str(x) for x in err.get("loc", ()) if not isinstance(x, int)]
    return ("[" + loc[0] + "]" + ("." + ".".join(loc[1:]) if len(loc) > 1 else "")) if loc else ""


def config_from_dict(data: dict, source: str = "<dict>", base_dir: str | None = None) -> ScanConfig:
    """Validate a scan configuration; every problem is one ConfigurationError line naming the key."""
    if not isinstance(data, dict):
        raise ConfigurationError(f"{source}: a scan configuration is a TOML table")
    try:
        cfg = ScanConfig(**data, base_dir=base_dir)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _location(err)
        msg = err.get("msg", "invalid value").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        raise ConfigurationError(f"{source}: {where + ': ' if where else ''}{msg}") from None
    except TypeError as exc:
        raise ConfigurationError(f"{source}: {exc}") from None
    from darkbeam.models.parameters import ModelParameters

    for name, ax in (("x", cfg.x), ("y", cfg.y)):
        if ax.param not in ModelParameters.model_fields or ax.param in ("name", "HNLtype", "zprime_charge", "loop_mixing"):
            raise ConfigurationError(f"{source}: [{name}].param: '{ax.param}' is not a numeric model parameter")
    try:  # the model must validate, with the axes' parameters
        cfg.base_model()
    except ConfigurationError as exc:
        raise ConfigurationError(f"{source}: {exc}") from None
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.errors import DarkbeamError

    exp = cfg.scan.experiment
    try:
        experiment = load_experiment(str(cfg.path(exp)) if exp.endswith(".toml") else exp)
    except DarkbeamError as exc:
        raise ConfigurationError(f"{source}: [scan].experiment: {exc}") from None
    from darkbeam.events.memory import check_memory, min_cases

    gen = cfg.generation
    n_cases = min_cases(experiment, gen.regimes, n_helicities=len(gen.helicities), n_hnl=cfg.base_model().n_hnl,
                        n_projectiles=len(gen.projectiles or []))
    try:
        check_memory(gen.events * n_cases, f"{n_cases} process case(s) x {gen.events} events per mass point")
    except ConfigurationError as exc:
        raise ConfigurationError(f"{source}: [generation].events: {str(exc).replace('--events', 'events')}") from None
    _check_channels(cfg, source)
    _check_curves(cfg, source)
    return cfg


def _grid_models(cfg: ScanConfig) -> list:
    """Model parameters at the extremes of the generated axes (the reference of reweighted ones)."""
    from darkbeam.models.parameters import ModelParameters

    base = cfg.base_model().model_dump(exclude_none=True)
    choices = []
    for ax in (cfg.x, cfg.y):
        g = ax.grid()
        choices.append([(ax.param, ax.param_value(v)) for v in dict.fromkeys((float(g.min()), float(g.max())))]
                       if ax.generated else [None])
    out = []
    for cx in choices[0]:
        for cy in choices[1]:
            d = dict(base)
            d.update(dict(c for c in (cx, cy) if c is not None))
            try:
                out.append(ModelParameters.from_dict(d))
            except ParameterError as exc:
                raise ConfigurationError(f"[model] with the axes: {exc}") from None
    return out


def visible_final_states(cfg: ScanConfig) -> set[tuple[str, ...]]:
    """Visible final states (sorted labels, neutrinos and HNLs dropped) that the model's HNLs can decay
    into at the extremes of the generated axes (intermediate Z' or h' expanded into their decays).
    Channels only open more with mass, so the extremes see every final state of the scan."""
    from darkbeam.errors import DarkbeamError
    from darkbeam.events.visibility import is_visible_label
    from darkbeam.physics.decays import decay_table

    def visible(labels) -> tuple[str, ...]:
        return tuple(sorted(lab for lab in labels if is_visible_label(lab)))

    states: set[tuple[str, ...]] = set()
    for params in _grid_models(cfg):
        sub = {}
        for mediator in ("zprime", "hprime"):
            try:
                sub[mediator] = [n.split() for n in decay_table(params, mediator).names()]
            except DarkbeamError:
                sub[mediator] = []
        for k in range(params.n_hnl):
            try:
                names = decay_table(params, f"N{4 + k}").names()
            except DarkbeamError:
                continue
            for name in names:
                labels = name.split()
                med = [lab for lab in labels if lab in sub]
                if not med:
                    states.add(visible(labels))
                    continue
                rest = [lab for lab in labels if lab not in sub]
                for dec in sub[med[0]] or [[]]:
                    states.add(visible(rest + dec))
    return states


def _check_channels(cfg: ScanConfig, source: str) -> None:
    """[signal].channels: 'any', 'visible' or visible final states the model's HNLs decay into."""
    import difflib

    wanted = [c.strip() for c in cfg.signal.channels]
    if any(not c for c in wanted):
        raise ConfigurationError(f"{source}: [signal].channels: empty channel name")
    wanted = [c for c in wanted if c not in ("any", "visible")]
    if not wanted:
        return
    states = visible_final_states(cfg)
    known = sorted(" ".join(s) for s in states if s)
    if not known:
        raise ConfigurationError(f"{source}: [signal].channels: the model's HNLs have no visible decay on this grid "
                                 f"(no open channel, or only invisible ones), so '{wanted[0]}' is never seen")
    for c in wanted:
        if tuple(sorted(c.split())) in states:
            continue
        near = difflib.get_close_matches(" ".join(sorted(c.split())), known, n=1, cutoff=0.5)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise ConfigurationError(f"{source}: [signal].channels: '{c}' is not a visible final state of the model's "
                                 f"decays on this grid (any, visible, {', '.join(known)}){hint}")


def _check_curves(cfg: ScanConfig, source: str) -> None:
    """Overlay and published-limit curves are read now, not after the scan has run."""
    from darkbeam.analysis.contours import read_curve
    from darkbeam.errors import DarkbeamError

    specs = [("[plot].overlays", ov) for ov in cfg.plot.overlays]
    if cfg.statistics.limit_curve is not None:
        specs.append(("[statistics].limit_curve", cfg.statistics.limit_curve))
    for where, spec in specs:
        p = cfg.path(spec.file)
        if not p.is_file():
            raise ConfigurationError(f"{source}: {where}: file not found: {p}")
        try:
            read_curve(p, x_scale=spec.x_scale, y_scale=spec.y_scale)
        except DarkbeamError as exc:
            raise ConfigurationError(f"{source}: {where}: {exc}") from None


def load_config(path) -> ScanConfig:
    """Read and validate a scan TOML file."""
    from darkbeam.models.io import read_toml

    p = Path(path)
    data = read_toml(p)
    return config_from_dict(data, str(p), str(p.resolve().parent))
