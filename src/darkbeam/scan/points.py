"""The work of one unit: generate the events of a mass point once, reweight them to every coupling
point, and return the predicted signal (and spectrum) per point."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from darkbeam.errors import KinematicsError
from darkbeam.scan.grid import UnitResult, UnitTask

#: per process: (experiment name, data environment) -> (Experiment, stamp of a user flux file, Flux)
_FLUXES: dict = {}
_DATA_ENV = ("DARKBEAM_DATA_DIR", "DARKBEAM_CACHE_DIR", "DARKBEAM_OFFLINE", "DARKBEAM_NO_PACKAGED_DATA")


def experiment_and_flux(name: str):
    """The experiment ``name`` and the flux the generator would read for it (``experiment_flux(exp,
    "auto")``), read once per process: every mass point of a scan uses the same ones, and reading and
    checking the flux file cost ~4 ms of CPU per unit.  The flux is read again when the experiment
    (reloaded every time: a TOML file may change), its user flux file or the data settings
    (DARKBEAM_DATA_DIR, ..., docs/data.md) changed."""
    import os

    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.processes.cases import experiment_flux

    exp = load_experiment(name)
    path = getattr(exp.flux, "path", None)
    stamp = None
    if path is not None:
        try:
            st = Path(path).stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
    key = (name, tuple(os.environ.get(k) for k in _DATA_ENV))
    hit = _FLUXES.get(key)
    if hit is not None and hit[1] == stamp and _same_experiment(hit[0], exp):
        return hit[0], hit[2]
    fl = experiment_flux(exp, "auto")
    if len(_FLUXES) >= 8:
        _FLUXES.pop(next(iter(_FLUXES)))
    _FLUXES[key] = (exp, stamp, fl)
    return exp, fl


def _same_experiment(a, b) -> bool:
    if a is b:  # a catalog keyword: load_experiment returns its cached object
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - fields that do not compare (arrays): read the flux again
        return False


def _invisible(pdg: np.ndarray) -> np.ndarray:
    """Neutrinos, empty slots and undecayed new particles are invisible (:mod:`darkbeam.events.visibility`)."""
    from darkbeam.events.visibility import visible_pdg_mask

    return ~visible_pdg_mask(pdg)


def visible_system(events) -> tuple[np.ndarray, np.ndarray]:
    """Energy (GeV) and lab four-momentum sum of the visible daughters (charged particles, photons,
    hadrons) of every event."""
    E = np.zeros(len(events))
    p = np.zeros((len(events), 3))
    for k in range(1, 5):
        vis = ~_invisible(events.pdg(f"d{k}"))
        p4 = events.p4(f"d{k}")
        E += np.where(vis, p4[:, 0], 0.0)
        p += np.where(vis[:, None], p4[:, 1:], 0.0)
    return E, p


def variable_values(events, name: str) -> np.ndarray:
    """Per-event value of a spectrum variable: ``E_vis`` (GeV), ``cos_vis`` (angle of the visible
    momentum to the beam axis z), ``E_hnl`` (GeV), ``E_nu`` (GeV)."""
    if name == "E_vis":
        return visible_system(events)[0]
    if name == "cos_vis":
        _, p = visible_system(events)
        n = np.linalg.norm(p, axis=1)
        return np.where(n > 0, p[:, 2] / np.where(n > 0, n, 1.0), 0.0)
    if name == "E_hnl":
        return events.energy("hnl")
    if name == "E_nu":
        return events.E_nu
    raise ValueError(f"unknown variable {name!r}")


def channel_selector(channels) -> Optional[Callable]:
    """Predicate on final-state labels for the [signal] channels: ``"any"`` (every decay, invisible
    ones included: None), ``"visible"`` (the default: at least one visible final daughter,
    :mod:`darkbeam.events.visibility`) or visible final states such as ``"e+ e-"`` and ``"gamma"`` (the
    visible daughters, in any order)."""
    from darkbeam.events.visibility import is_visible_label

    specs = [c.strip() for c in channels]
    if "any" in specs:
        return None
    wanted = [tuple(sorted(s.split())) for s in specs if s != "visible"]
    any_visible = "visible" in specs

    def select(labels) -> bool:
        vis = tuple(sorted(lab for lab in labels if is_visible_label(lab)))
        return (any_visible and bool(vis)) or vis in wanted

    return select


def run_unit(task: UnitTask, vectorized: bool = True) -> UnitResult:
    """Generate one mass point (seed ``task.seed``) and reweight to ``task.points`` (module docstring).
    ``vectorized``: all points as one array operation (:func:`darkbeam.processes.reweight_plane.plane_rates`,
    used without a spectrum) or one :meth:`Reweighter.rates` call per point (the reference it is tested
    against).  A darkbeam error names the mass point (same exception type)."""
    from darkbeam.errors import DarkbeamError
    from darkbeam.scan.grid import describe

    try:
        return _run_unit(task, vectorized)
    except DarkbeamError as exc:
        raise type(exc)(f"mass point {describe(task)}: {exc}") from None


def _run_unit(task: UnitTask, vectorized: bool = True) -> UnitResult:
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.generator import generate
    from darkbeam.processes.upscatter_decay import GenerationOptions

    t0 = time.perf_counter()
    n = len(task.points)
    sig = task.signal
    bins = None if sig.get("bins") is None else np.asarray(sig["bins"], dtype=float)
    res = UnitResult(task.index, np.asarray(task.point_ids, dtype=np.int64), np.zeros(n), np.zeros(n), np.zeros(n),
                     np.zeros(n), np.full(n, np.nan), None if bins is None else np.zeros((n, bins.size - 1)))
    select = channel_selector(sig["channels"])
    opts = GenerationOptions(**task.options)
    kw = dict(options=opts, workers=1, projectiles=task.projectiles, regimes=tuple(task.regimes),
              helicities=tuple(task.helicities), couplings_scheme=task.couplings)
    try:
        exp, flux = experiment_and_flux(task.experiment)
        run = generate(ModelParameters.from_dict(task.model), exp, seed=task.seed, flux=flux, **kw)
    except KinematicsError as exc:  # closed at this mass: no signal anywhere on this unit
        res.status = f"closed: {exc}"
        res.seconds = time.perf_counter() - t0
        return _with_reference(res, task, kw, select)
    rw = Reweighter(run.events)
    res.n_events = len(run.events)
    x = None if bins is None else variable_values(run.events, sig["variable"])
    use_span = n > 2
    if vectorized and use_span and bins is None:  # all points as one array operation (reweight_plane.py)
        from darkbeam.processes.reweight_plane import plane_rates

        r = plane_rates(rw, task.points, select=select, efficiency=sig.get("efficiency", 1.0))
        res.signal[:], res.signal_err[:] = r["signal"], r["signal_err"]
        res.decay_in_detector[:], res.upscattered[:] = r["decay_in_detector"], r["upscattered"]
        res.ctau_cm[:] = r["ctau_cm"].get("N4", np.full(n, np.inf))
        res.seconds = time.perf_counter() - t0
        return _with_reference(res, task, kw, select)
    span = rw.prepare(task.points) if use_span else None
    for i, change in enumerate(task.points):
        r = rw.rates(None if use_span else change, span=span, point=i + 1 if use_span else None, select=select,
                     efficiency=sig.get("efficiency", 1.0), bins=bins, variable=x)
        res.signal[i], res.signal_err[i] = r["signal"], r["signal_err"]
        res.decay_in_detector[i], res.upscattered[i] = r["decay_in_detector"], r["upscattered"]
        ct = r["ctau_cm"].get("N4")
        res.ctau_cm[i] = np.inf if ct is None else ct
        if bins is not None:
            res.spectrum[i] = r["spectrum"]
    res.seconds = time.perf_counter() - t0
    return _with_reference(res, task, kw, select)


def _with_reference(res: UnitResult, task: UnitTask, kw: dict, select) -> UnitResult:
    """Recast: the reference model's signal at this mass on the published curve."""
    if task.reference is None:
        return res
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.generator import generate

    t0 = time.perf_counter()
    try:
        exp, flux = experiment_and_flux(task.experiment)
        run = generate(ModelParameters.from_dict(task.reference), exp, seed=task.reference_seed, flux=flux, **kw)
        res.reference_signal = Reweighter(run.events).rates(select=select,
                                                           efficiency=task.signal.get("efficiency", 1.0))["signal"]
    except KinematicsError:
        res.reference_signal = 0.0
    res.seconds += time.perf_counter() - t0
    return res
