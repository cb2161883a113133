"""Proton beam-dump dark-photon projections with the sources side by side (docs/shower_events.md):
pi0/eta -> gamma A' decays, the dark vectors of the pi0/eta photon showers in the target, and (where the
search's parents name 'p') proton bremsstrahlung.

:func:`projection` runs the limit of a catalog search whose parents include 'gamma' (the target's photon
showers; e.g. ``dune_nd_dark_photon``) through :func:`darkbeam.analysis.meson_limits.limit_curve` (one
generation per mass, the epsilon axis by exact reweighting) and solves the same counting for the events of
each source alone: 'total', 'direct' (the meson decays), 'shower' (the shower channel) and 'bremsstrahlung'
(p N -> p N A', processes/direct_llp.py; None when the search has no 'p' parent).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

__all__ = ["projection", "SOURCES"]

SOURCES = ("total", "direct", "shower", "bremsstrahlung")


def projection(search: str, masses: Sequence[float], *, n: int = 4000, seed: int = 1, showers: int | None = None) -> dict:
    """Lower and upper epsilon edges per mass of ``search`` for each of SOURCES (module docstring);
    ``showers``: photon showers per mass for the shower sample (default meson_limits.SHOWER_SHOWERS)."""
    from darkbeam.analysis import meson_limits as ML
    from darkbeam.processes.direct_llp import CHANNEL_NAME as BREM_NAME
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
        for src in ("direct", "shower", "bremsstrahlung"):
            curves = []
            for ev, acc in evs:
                kind = np.array([("shower" if cs.name == CHANNEL_NAME else "bremsstrahlung" if cs.name == BREM_NAME
                                  else "direct") for cs in ev.cases])
                sel = kind[np.asarray(ev["case"])] == src if len(kind) else np.zeros(len(ev), bool)
                curves.append((ev, np.asarray(acc, dtype=float) * sel))
            have = any(float(np.sum(a)) > 0 for _, a in curves)
            row[src] = (_edges(curves, c, out["signal_events_limit"], spec.particle)
                        if curves and have and c is not None else (None, None))
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
