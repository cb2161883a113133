"""Oscillated fluxes: any :class:`~darkbeam.sources.flux.Flux` of the pipeline seen through 3+N oscillations.

:func:`oscillate_flux` returns the flux at the detector after oscillations,

    Phi'_b(E) = sum_a P(nu_a -> nu_b; E) Phi_a(E)     (neutrinos and antineutrinos separately),

with the probabilities of :mod:`darkbeam.physics.oscillations` for the baseline from the neutrino
source (the proton target) and, for a beam with a decay pipe, the production point averaged
uniformly along the pipe (BNB: 0-50 m, NuMI: 45.7-722.4 m, ... from
:data:`darkbeam.sources.beam.configs.BEAMS`).  The flux's nodes are refined so that the largest
oscillation phase changes by at most :data:`MAX_PHASE_STEP` between nodes (at most
:data:`MAX_SUBDIVISIONS` per segment); each node's probability is averaged over its share of the grid
(uniform in 1/E, the ``bin_rel`` average), so that oscillations faster than the grid average to their
mean instead of aliasing.  Decay-at-rest lines are oscillated at their energy.

The oscillation model (:func:`oscillation_model`): a TOML file with an ``[oscillation]`` table or an
inline ``key=value,...`` string:

* ``dm41``, ``dm51``, ... (eV^2): mass splittings of the sterile states above m_1;
* ``Ue4``, ``Umu4``, ``Utau4``, ``Ue5``, ... : active-sterile mixings (real amplitudes);
* ``pmns`` (default true): the three-flavour PMNS matrix and splittings of NuFIT 5.2 (normal
  ordering) for the active block (false: identity, massless active states);
* ``density`` (g/cm^3, default 0: vacuum), ``ye`` (default 0.5): constant-density matter;
* ``resolution``: relative Gaussian energy resolution to average over (default 0).

A model file with a ``[massmodel]`` table instead oscillates with the model's own mixing matrix and
masses (:func:`massmodel_oscillation`): the same file drives the HNL signals (``generate --model F
--oscillate F``, or ``--oscillate model``).

The full unitary matrix is built by :func:`darkbeam.physics.oscillations.unitary_completion`.
docs/oscillations.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.sources.flux import Flux

MAX_PHASE_STEP = 0.25
MAX_SUBDIVISIONS = 64
_NU = ("nu_e", "nu_mu", "nu_tau")
_NUBAR = ("nu_e_bar", "nu_mu_bar", "nu_tau_bar")
_KEY = re.compile(r"^(dm(\d)1|U(e|mu|tau)(\d))$")


@dataclass(frozen=True)
class OscillationModel:
    """Mixing matrix U (flavour rows e, mu, tau, then sterile), masses squared (eV^2), matter, resolution."""

    U: np.ndarray
    m2: np.ndarray
    density: float = 0.0
    ye: float = 0.5
    resolution: float = 0.0
    label: str = ""


def _parse_inline(text: str) -> dict[str, Any]:
    from darkbeam.models.io import parse_value

    out: dict[str, Any] = {}
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        if "=" not in piece:
            raise ConfigurationError(f"--oscillate expects a TOML file or key=value,... (e.g. dm41=1.3,Ue4=0.1,Umu4=0.15), "
                                     f"got '{piece}'")
        k, v = piece.split("=", 1)
        out[k.strip()] = parse_value(v)
    return out


def oscillation_model(spec: str | Path | Mapping[str, Any]) -> OscillationModel:
    """An :class:`OscillationModel` from a TOML file, an inline string or a mapping (module docstring)."""
    from darkbeam.physics.oscillations import NUFIT52_NO, pmns, unitary_completion

    if isinstance(spec, Mapping):
        table, label = dict(spec), "3+N"
    else:
        text = str(spec).strip()
        if not text:
            raise ConfigurationError("--oscillate is empty")
        if text.endswith(".toml") or Path(text).is_file():
            from darkbeam.models.io import read_toml

            data = read_toml(text)
            mm_table = data.get("massmodel")
            if mm_table is None and isinstance(data.get("model"), Mapping):
                mm_table = data["model"].get("massmodel")
            if mm_table is not None:
                return massmodel_oscillation(mm_table, data.get("oscillation", {}), label=text)
            table = dict(data.get("oscillation", data))
            label = f"{text}"
        else:
            table, label = _parse_inline(text), text
    dms: dict[int, float] = {}
    mix: dict[tuple[str, int], float] = {}
    opts = {"pmns": True, "density": 0.0, "ye": 0.5, "resolution": 0.0}
    for k, v in table.items():
        if k in opts:
            opts[k] = v
            continue
        m = _KEY.match(k)
        if not m:
            raise ConfigurationError(f"oscillation: unknown key '{k}' (dm41, dm51, ..., Ue4, Umu4, Utau4, ..., pmns, "
                                     "density, ye, resolution)")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ConfigurationError(f"oscillation: {k} must be a number, got {v!r}")
        if m.group(2):
            i = int(m.group(2))
            if i < 4:
                raise ConfigurationError(f"oscillation: {k}: sterile splittings are dm41, dm51, ...")
            dms[i] = float(v)
        else:
            i = int(m.group(4))
            if i < 4:
                raise ConfigurationError(f"oscillation: {k}: sterile mixings are U<flavour>4, U<flavour>5, ...")
            if abs(v) >= 1:
                raise ConfigurationError(f"oscillation: |{k}| must be < 1")
            mix[(m.group(3), i)] = float(v)
    if not dms:
        raise ConfigurationError("oscillation: give at least one sterile splitting dm41 (eV^2)")
    states = sorted(dms)
    if states != list(range(4, 4 + len(states))):
        raise ConfigurationError(f"oscillation: sterile states must be numbered 4, 5, ... without gaps, got {states}")
    for (_, i) in mix:
        if i not in dms:
            raise ConfigurationError(f"oscillation: mixing with state {i} but no dm{i}1")
    for k in ("density", "ye", "resolution"):
        v = opts[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ConfigurationError(f"oscillation: {k} must be a number >= 0, got {v!r}")
    if not isinstance(opts["pmns"], bool):
        raise ConfigurationError("oscillation: pmns must be true or false")
    S = np.array([[mix.get((a, i), 0.0) for i in states] for a in ("e", "mu", "tau")])
    if opts["pmns"]:
        nf = NUFIT52_NO
        U3 = pmns(nf["s12sq"], nf["s13sq"], nf["s23sq"], nf["delta_deg"])
        m2 = [0.0, nf["dm21"], nf["dm31"]]
    else:
        U3, m2 = None, [0.0, 0.0, 0.0]
    U = unitary_completion(S, U3)
    return OscillationModel(U, np.array(m2 + [dms[i] for i in states]), float(opts["density"]), float(opts["ye"]),
                            float(opts["resolution"]), label)


_MASSMODEL_OPTIONS = {"density": 0.0, "ye": 0.5, "resolution": 0.0, "max_mass_eV": None}


def massmodel_oscillation(mm_table: Mapping[str, Any], options: Mapping[str, Any] | None = None, *,
                          label: str = "mass model") -> OscillationModel:
    """An :class:`OscillationModel` from a ``[massmodel]`` table: the model's own mixing matrix and
    tree-level masses (:func:`darkbeam.models.massmodel.oscillation_states`); the states heavier than
    ``max_mass_eV`` (default 1 keV, :data:`~darkbeam.models.massmodel.OSCILLATING_MAX_GEV`) are the HNLs and
    are left out (non-unitary active block).  ``options``: an ``[oscillation]`` table with only density,
    ye, resolution, max_mass_eV (docs/oscillations.md)."""
    from darkbeam.errors import ParameterError
    from darkbeam.models.massmodel import OSCILLATING_MAX_GEV, from_table, oscillation_states

    opts = dict(_MASSMODEL_OPTIONS)
    for k, v in dict(options or {}).items():
        if k not in opts:
            raise ConfigurationError(f"oscillation: '{k}' cannot be combined with a [massmodel] (its mixing and "
                                     f"splittings come from the mass matrix); allowed: {', '.join(opts)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ConfigurationError(f"oscillation: {k} must be a number >= 0, got {v!r}")
        opts[k] = float(v)
    max_gev = OSCILLATING_MAX_GEV if opts["max_mass_eV"] is None else opts["max_mass_eV"] * 1e-9
    try:
        mm, _ = from_table(mm_table)
        U, m2, dropped = oscillation_states(mm.spectrum(), max_gev)
    except ParameterError as exc:
        raise ConfigurationError(f"{label}: {exc}") from None
    if opts["density"] and dropped:
        raise ConfigurationError(f"{label}: matter effects need every state to oscillate, but {', '.join(dropped)} "
                                 f"(above {max_gev * 1e9:g} eV) are HNLs; raise max_mass_eV or set density = 0")
    note = f"{label}" + (f", HNLs {', '.join(dropped)} not oscillating" if dropped else "")
    return OscillationModel(U, m2, opts["density"], opts["ye"], opts["resolution"], note)


def _refined_nodes(E: np.ndarray, k: float) -> np.ndarray:
    """Flux nodes plus subdivisions so that the phase k/E changes by <= MAX_PHASE_STEP per segment."""
    out = [E[:1]]
    for a, b in zip(E[:-1], E[1:]):
        dphi = k * (1.0 / max(a, 1e-9) - 1.0 / b) if b > 0 else 0.0
        n = int(min(MAX_SUBDIVISIONS, max(1, math.ceil(dphi / MAX_PHASE_STEP))))
        out.append(np.linspace(a, b, n + 1)[1:])
    return np.concatenate(out)


def _bin_rel(E: np.ndarray) -> np.ndarray:
    """Relative half-width in 1/E of each node's share of the grid."""
    x = 1.0 / np.maximum(E, 1e-9)
    left = np.concatenate(([x[0]], x[:-1]))
    right = np.concatenate((x[1:], [x[-1]]))
    return 0.25 * np.abs(left - right) / x


def oscillate_flux(flux: Flux, model: OscillationModel, baseline_m: float, *, pipe_m: tuple[float, float] = (0.0, 0.0)) -> Flux:
    """The flux ``baseline_m`` from the source after oscillations (module docstring).

    ``pipe_m``: (start, end) of the decay region measured from the source along the beam (m): the
    production point is averaged uniformly over it, i.e. over distances [L - end, L - start].
    """
    from darkbeam.physics.oscillations import PHASE_COEFF, probabilities

    if not (math.isfinite(baseline_m) and baseline_m > 0):
        raise ConfigurationError(f"oscillation baseline must be > 0 m, got {baseline_m}")
    z0, z1 = (float(pipe_m[0]), float(pipe_m[1]))
    if not (0 <= z0 <= z1 < baseline_m):
        raise ConfigurationError(f"decay region {z0:g}-{z1:g} m does not fit in the baseline {baseline_m:g} m")
    L_km = (baseline_m - z0) / 1000.0
    pipe_km = (z1 - z0) / 1000.0
    dm2 = float(np.max(model.m2) - np.min(model.m2))
    k = 2.0 * PHASE_COEFF * dm2 * L_km
    E = _refined_nodes(np.asarray(flux.energies, dtype=float), k)
    Ee = np.maximum(E, 1e-6)
    kw = dict(density=model.density or None, ye=model.ye, pipe_km=pipe_km, resolution=model.resolution)
    values: dict[str, np.ndarray] = {}
    lines: dict[str, list] = {}
    for group, anti in ((_NU, False), (_NUBAR, True)):
        present = [fl for fl in group if fl in flux.values or fl in flux.lines]
        if not present:
            continue
        P = probabilities(model.U, model.m2, L_km, Ee, anti=anti, bin_rel=_bin_rel(E), **kw)
        cols = [flux(E, fl) for fl in group]
        P = np.clip(P, 0.0, 1.0)  # rounding (~1e-16) must not make a flux negative
        for b, fb in enumerate(group):
            values[fb] = sum(P[:, a, b] * cols[a] for a in range(3))
        for a, fa in enumerate(group):
            for e_line, phi in flux.lines.get(fa, ()):
                Pl = np.clip(probabilities(model.U, model.m2, L_km, np.array([e_line]), anti=anti, **kw)[0], 0.0, 1.0)
                for b, fb in enumerate(group):
                    if Pl[a, b] * phi > 0:
                        lines.setdefault(fb, []).append((e_line, float(Pl[a, b] * phi)))
    for fl, v in flux.values.items():  # flavours outside the six (none today) pass unchanged
        values.setdefault(fl, flux(E, fl))
    note = (f"oscillated ({model.label or '3+N'}; L = {baseline_m:g} m"
            + (f", decay region {z0:g}-{z1:g} m" if z1 > z0 else "")
            + (f", matter {model.density:g} g/cm3" if model.density else "")
            + (f", resolution {model.resolution:g}" if model.resolution else "") + ")")
    meta = dict(flux.meta or {})
    meta["oscillation"] = note
    return Flux(E, values, lines=lines, provenance=f"{flux.provenance} [{note}]",
                description=f"{flux.description} (oscillated)" if flux.description else "oscillated flux", meta=meta)


def decay_region_m(beam: str | None) -> tuple[float, float]:
    """(start, end) of a beam line's decay region from its target (m); (0, 0) for none / unknown."""
    if not beam:
        return 0.0, 0.0
    from darkbeam.sources.beam.configs import BEAMS

    cfg = BEAMS.get(str(beam).lower())
    if cfg is None:
        return 0.0, 0.0
    return cfg.decay.z_start_cm / 100.0, cfg.decay.z_end_cm / 100.0


def experiment_beam(exp) -> str | None:
    """The beam line of an experiment's flux: its registered flux file's beam, else the beam of the
    experiment that file belongs to (:data:`darkbeam.sources.select.EXPERIMENTS`), else 'bnb' for BNB
    production, else None (no decay-pipe average)."""
    spec = exp.flux
    if getattr(spec, "model", None):
        return spec.model
    names = ([spec.name] if spec.name else []) + list(spec.names or [])
    for n in names:
        try:
            from darkbeam.sources.files import flux_entry

            beam = flux_entry(n).beam
        except Exception:  # noqa: BLE001 - a user file or unregistered name: no beam known
            beam = None
        if beam:
            return beam
        from darkbeam.sources.select import EXPERIMENTS

        for beam_, fhc, rhc, _, _ in EXPERIMENTS.values():  # the beam line that makes this file
            if n in (fhc, rhc):
                return beam_
    return "bnb" if exp.production == "bnb" else None


def oscillate_for_experiment(flux: Flux, exp, model: OscillationModel) -> Flux:
    """:func:`oscillate_flux` with the experiment's baseline and its beam's decay region."""
    return oscillate_flux(flux, model, exp.baseline / 100.0, pipe_m=decay_region_m(experiment_beam(exp)))


def oscillated_source_flux(flux: Flux, model: OscillationModel, name: str, distance_m: float | None,
                           off_axis_mrad: float | None, mode: str = "FHC") -> Flux:
    """:func:`oscillate_flux` for a flux made by :func:`darkbeam.sources.select.flux_for` from ``name``:
    the distance it stands for and, for a beam line, its decay region."""
    from darkbeam.sources.select import resolve

    r = resolve(name, distance_m, off_axis_mrad, mode)
    dist = r.distance_m if r.distance_m is not None else (flux.meta or {}).get("distance_m")
    if dist is None:
        raise ConfigurationError(f"'{name}' has no distance to oscillate over: give --distance")
    pipe = decay_region_m(r.beam) if r.kind in ("file", "beam") else (0.0, 0.0)
    return oscillate_flux(flux, model, float(dist), pipe_m=pipe)
