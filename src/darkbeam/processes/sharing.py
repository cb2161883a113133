"""How a run's events are shared between its process cases.

The total of a run is the sum over its cases, so its variance is sum_k V_k / N_k, with N_k the
events of case k and V_k its variance per event (the vegas variance of the rate estimate times the
points it used).  For a fixed total N = sum_k N_k this is smallest for N_k proportional to
sqrt(V_k) = sigma_k (Neyman allocation, J. Neyman, J. R. Stat. Soc. 97 (1934) 558, eq. for optimum
allocation in stratified sampling): each case gets events in proportion to its contribution to the
error of the total.  V_k is known after the adaptation: the last adaptation iteration's error times
its number of points.

A case that contributes little to the total's error (a helicity-flipping or antineutrino case at
~1% of the rate) would then get almost no events, and its distributions would be useless.  So every
open case gets at least a **floor** of ``floor`` x (the equal share N / n_cases) events (default
0.2: at ``-n 20000`` every case has at least 4000 events); the rest is shared by Neyman allocation
among the cases above the floor (water-filling: cases whose share falls below the floor are fixed at
it and the others re-shared).  Each case's own error is its stratified vegas error from its own
events whatever its share, so per-case errors stay honest; only their sizes change.

``allocation="equal"`` gives every open case N / n_cases events (the behaviour before issue 10).
"""

from __future__ import annotations

import math

from darkbeam.errors import ConfigurationError

ALLOCATIONS = ("error", "equal")
#: default floor per case, as a fraction of the equal share
DEFAULT_FLOOR = 0.2


def share_events(sigmas: list[float], total: float, *, allocation: str = "error",
                 floor: float = DEFAULT_FLOOR) -> list[float]:
    """Events per case (floats summing to ``total``) from each open case's error per sqrt(event)
    ``sigmas`` (vegas sdev x sqrt(points)); see the module docstring."""
    if allocation not in ALLOCATIONS:
        raise ConfigurationError(f"unknown event allocation '{allocation}' (choose from {', '.join(ALLOCATIONS)})")
    if not 0.0 <= floor <= 1.0:
        raise ConfigurationError(f"the per-case floor must lie in [0, 1] (a fraction of the equal share), not {floor}")
    k = len(sigmas)
    if k == 0:
        return []
    equal = total / k
    sig = [s if math.isfinite(s) and s > 0 else 0.0 for s in sigmas]
    if allocation == "equal" or sum(sig) <= 0.0:
        return [equal] * k
    low = floor * equal
    fixed: set[int] = set()
    while True:
        free = [i for i in range(k) if i not in fixed]
        rest = total - low * len(fixed)
        s = sum(sig[i] for i in free)
        if not free or s <= 0.0:
            share = {i: rest / max(len(free), 1) for i in free}
            break
        share = {i: rest * sig[i] / s for i in free}
        below = {i for i in free if share[i] < low}
        if not below:
            break
        fixed |= below
    return [low if i in fixed else share[i] for i in range(k)]
