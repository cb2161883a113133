"""Proton beam-dump dark-photon projections with the two sources side by side (docs/shower_events.md):
pi0/eta -> gamma A' decays and the dark vectors of the pi0/eta photon showers in the target.

:func:`projection` runs the limit of a catalog search whose parents include 'gamma' (the target's photon
showers; e.g. ``dune_nd_dark_photon``) through :func:`darkbeam.analysis.meson_limits.limit_curve` (one
generation per mass, the epsilon axis by exact reweighting) and solves the same counting for the events of
each source alone: 'total', 'direct' (the meson decays) and 'shower' (the shower channel).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

__all__ = ["projection", "SOURCES"]

SOURCES = ("total", "direct", "shower")


def projection(search: str, masses: Sequence[float], *, n: int = 4000, seed: int = 1, showers: int | None = None) -> dict:
    """Lower and upper epsilon edges per mass of ``search`` for each of SOURCES (module docstring);
    ``showers``: photon showers per mass for the shower sample (default meson_limits.SHOWER_SHOWERS)."""
    from darkbeam.analysis import meson_limits as ML
    from darkbeam.processes.shower_llp import CHANNEL_NAME

    spec = ML.spec_from_search(search)
    old = ML.SHOWER_SHOWERS
    if showers is not None:
        if showers < 2:
            from darkbeam.errors import ParameterError

            raise ParameterError(f"showers must be at least 2, got {showers}")
        ML.SHOWER_SHOWERS = int(showers)
    try:
        out = ML.limit_curve(spec, masses, n=n, seed=seed, keep_events=True)
    finally:
        ML.SHOWER_SHOWERS = old
    kept = out.pop("_events")
    rows = []
    for im, m in enumerate(out["masses_GeV"]):
        row = {"mass_GeV": m, "total": (out["limit"][im], out["limit_upper"][im])}
        evs = [(ev, acc) for mm, _, ev, acc in kept if mm == m]
        c = out["ctau_power"][im]
        for src in ("direct", "shower"):
            curves = []
            for ev, acc in evs:
                names = np.array([cs.name == CHANNEL_NAME for cs in ev.cases])
                is_shower = names[np.asarray(ev["case"])] if len(names) else np.zeros(len(ev), bool)
                sel = is_shower if src == "shower" else ~is_shower
                curves.append((ev, np.asarray(acc, dtype=float) * sel))
            row[src] = _edges(curves, c, out["signal_events_limit"], spec.particle) if curves and c is not None else (None, None)
        rows.append(row)
    out["sources"] = rows
    return out


def _edges(curves, c, n_limit, particle):
    from darkbeam.analysis import meson_limits as ML

    if not math.isfinite(n_limit):
        return None, None
    N = np.zeros_like(ML.Y_GRID)
    for ev, acc in curves:
        N += ML.coupling_curve(ev, acc, ML.Y_GRID, ctau_power=c)
    f = lambda yy: sum(float(ML.coupling_curve(ev, acc, [yy], ctau_power=c)[0]) for ev, acc in curves)  # noqa: E731
    lo, hi = ML.edges(f, ML.Y_GRID, N, n_limit)
    if math.isnan(lo):
        return None, None
    g0 = ML.g_ref(particle)   # the generation's reference coupling (limit_curve's reference_coupling)
    return (float(ML._to_parameter(particle, lo, g0)),
            None if hi >= ML.Y_GRID[-1] else float(ML._to_parameter(particle, hi, g0)))
