"""numba-compiled twin of the horn stepping loop of :func:`darkbeam.sources.beam.focusing.trace`.

Imported only by ``focusing.trace`` for batches of at least ``focusing.JIT_THRESHOLD`` tracks, so
that importing darkbeam and running small batches never loads numba.  The kernel evaluates the same
expressions in the same order as the numpy loop (one particle at a time instead of one z step at a
time), so both give the same numbers to rounding; tests/test_beam_model.py checks it.  Physics and
sources: the docstring of darkbeam.sources.beam.focusing.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def horn_steps(z0, zs, r, slope, p, q, surv, edges, rin, r_out, k, wall_cm, length_cm, absorption_cm, wall_dedx,
               mass):  # pragma: no cover - compiled
    """Step every track through one horn (in place), up to its z_stop ``zs``: straight segments with a
    toroidal kick per step."""
    n = z0.shape[0]
    ns = edges.shape[0] - 1
    do_wall = wall_cm > 0.0 and absorption_cm > 0.0
    for i in range(n):
        ri, si, pi, su = r[i], slope[i], p[i], surv[i]
        for j in range(ns):
            z_a, z_b = edges[j], edges[j + 1]
            if z_a >= zs[i]:
                break
            dz = min(z_b, zs[i]) - max(z_a, z0[i])
            if dz <= 0.0:
                continue
            if dz > z_b - z_a:
                dz = z_b - z_a
            r_before = abs(ri)
            ri += si * dz
            absr = abs(ri)
            if do_wall:
                ra, rb = rin[j], rin[j + 1]
                if (r_before - ra) * (absr - rb) < 0.0:
                    grazing = abs(abs(si) - (rb - ra) / (z_b - z_a))
                    path = min(wall_cm * np.sqrt(1.0 + grazing * grazing) / max(grazing, 1e-12), length_cm)
                    su = su * np.exp(-path / absorption_cm)
                    if wall_dedx > 0.0:
                        e_new = np.sqrt(pi * pi + mass * mass) - wall_dedx * path
                        if e_new > mass * 1.0001:
                            pi = np.sqrt(max(e_new * e_new - mass * mass, 0.0))
                        else:
                            pi = 1e-6
            if absr > rin[j + 1] and absr < r_out:
                dl = dz * np.sqrt(1.0 + si * si)
                kick = q[i] * k * dl / ri
                pt = pi * si / np.sqrt(1.0 + si * si) - kick
                lim = 0.999 * pi
                if pt > lim:
                    pt = lim
                elif pt < -lim:
                    pt = -lim
                si = pt / np.sqrt(pi * pi - pt * pt)
            elif absr >= r_out and ri * si >= 0.0:
                # outside the outer conductor and moving outward: straight to the end of the horn (or the stop)
                ri += si * max(min(edges[ns], zs[i]) - max(z_b, z0[i]), 0.0)
                break
        r[i], slope[i], p[i], surv[i] = ri, si, pi, su
