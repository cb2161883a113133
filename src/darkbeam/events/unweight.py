"""Accept-reject unweighting of an EventSet.

Each event is kept with probability a_i = min(1, w_i / w_max) (von Neumann acceptance-rejection):
the kept events are distributed as the weighted sample, each appears at most once (no resampling
with replacement -- the defect of DarkNews's unweighting), and the result is reproducible for a given
numpy Generator.  When more events survive than requested, a uniformly random subset of the
survivors is kept (taking the first ones would bias towards whatever the event order encodes, e.g.
process cases).

Output weights: all kept events carry W / N_kept (W = sum of input weights), so the total is
preserved exactly.  With a user ``w_max`` below the largest weight, events with w_i > w_max are kept
with probability 1 and carry the extra factor w_i / w_max (normalised so that the total is still W).
The factor multiplies ``w_rate``; ``br``, ``q_channel``, ``w_decay`` and ``p_decay`` are unchanged, so
later reweighting of couplings or lifetimes (ratios of components) stays exact.  An unweighted set
stands for the weight it was unweighted on (by default the decays in the detector), so the sum of its
``w_rate`` is no longer the upscattered total (``meta["unweighting"]`` says so).
"""

from __future__ import annotations

import warnings

import numpy as np

from darkbeam.errors import ConfigurationError, DarkbeamError, DataError


class UnweightingError(DarkbeamError, ValueError):
    """Fewer events survive accept-reject than were requested."""

    exit_code = 6

    def __init__(self, message: str, n_accepted: int, n_requested: int, n_needed_estimate: int):
        super().__init__(message)
        self.n_accepted = n_accepted
        self.n_requested = n_requested
        self.n_needed_estimate = n_needed_estimate


def _prepare(events, weight, w_max):
    w = events.weight(weight)
    if w.size == 0:
        raise DataError("cannot unweight an empty event set")
    if not np.isfinite(w).all() or (w < 0).any():
        raise DataError("cannot unweight: NaN, infinite or negative weights")
    wmax_data = float(w.max())
    if wmax_data <= 0.0:
        raise DataError("cannot unweight: every weight is zero")
    if w_max is None:
        w_max = wmax_data
    w_max = float(w_max)
    if not w_max > 0.0 or not np.isfinite(w_max):
        raise ConfigurationError(f"w_max must be positive and finite, got {w_max}")
    return w, w_max


def expected_accepted(events, weight="w", w_max=None) -> float:
    """Expected number of events surviving accept-reject, sum_i min(1, w_i / w_max)."""
    w, w_max = _prepare(events, weight, w_max)
    return float(np.minimum(w / w_max, 1.0).sum())


def unweight(events, n: int | None = None, *, rng, weight="w", w_max=None, on_shortfall: str = "raise"):
    """Unweighted events by accept-reject.

    Parameters
    ----------
    events : EventSet or ScatterEvents (whose ``w`` and amplitude parts take the factor)
    n : number of events wanted; None keeps every survivor
    rng : numpy Generator (or a seed for ``np.random.default_rng``)
    weight : the weight to unweight (default the full weight ``"w"``; ``"w_rate"`` for upscattering
        events irrespective of decay; an array proportional to w_rate)
    w_max : acceptance normalisation (default: the largest weight)
    on_shortfall : if fewer than ``n`` survive, ``"raise"`` UnweightingError (with an estimate of
        how many weighted events would be needed) or ``"return"`` the survivors with a warning

    Returns an EventSet whose ``meta["unweighting"]`` records n_input, n_requested, n_accepted, w_max,
    efficiency and n_overweight.
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    if on_shortfall not in ("raise", "return"):
        raise ConfigurationError("on_shortfall must be 'raise' or 'return'")
    if n is not None and (int(n) != n or n < 1):
        raise ConfigurationError(f"n must be a positive integer, got {n!r}")
    w, w_max = _prepare(events, weight, w_max)
    a = np.minimum(w / w_max, 1.0)
    keep = np.flatnonzero(rng.random(w.size) < a)
    n_acc = int(keep.size)
    if n is not None and n_acc < n:
        per_event = a.sum() / w.size
        needed = int(np.ceil(n / per_event)) if per_event > 0 else -1
        msg = (f"only {n_acc} of {w.size} weighted events survive unweighting, {n} requested "
               f"(efficiency {per_event:.3g}); generate about {needed} weighted events")
        if on_shortfall == "raise":
            raise UnweightingError(msg, n_acc, int(n), needed)
        warnings.warn(msg, stacklevel=2)
    elif n is not None and n_acc > n:
        keep = np.sort(rng.choice(keep, size=int(n), replace=False))
    if keep.size == 0:
        raise UnweightingError("no event survived unweighting", 0, int(n or 0), -1)
    total = float(w.sum())
    r = np.maximum(w[keep] / w_max, 1.0)
    target = total * r / r.sum()
    out = events.select(keep)
    cols = dict(out.columns)
    scatter = getattr(events, "layout", None) == "scattering"
    # scattering events (no decay): the factor multiplies w and its amplitude parts, so that trident
    # reweighting stays exact
    for k in (("w", "w_vv", "w_aa", "w_va") if scatter else ("w_rate",)):
        if k in cols:
            cols[k] = cols[k] * (target / w[keep])
    info = {"n_input": int(w.size), "n_requested": None if n is None else int(n), "n_accepted": n_acc,
            "n_output": int(keep.size), "w_max": w_max, "efficiency": n_acc / w.size,
            "n_overweight": int(np.count_nonzero(w > w_max)),
            "weight": weight if isinstance(weight, str) else "array"}
    if scatter:
        return type(events)(cols, out.cases, {**events.meta, "unweighting": info})
    from darkbeam.events.eventset import EventSet

    return EventSet(cols, out.cases, out.channels, {**events.meta, "unweighting": info})
