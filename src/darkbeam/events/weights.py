"""Weight kernels of the decay-in-volume factor (exponential decay law).

A particle of proper decay length c tau and momentum p (mass m) survives a lab distance l with
probability exp(-l / L), L = beta gamma c tau = (|p| / m) c tau.  The probability to decay between
l1 and l2 along its path is therefore

    P = exp(-l1/L) - exp(-l2/L) = exp(-l1/L) * (-expm1(-(l2 - l1)/L)),

the second form keeping full relative precision when L >> l2 - l1 (long-lived N, the usual case).
The decay position sampled inside [l1, l2] has the truncated-exponential density

    f(l; L) = exp(-(l - l1)/L) / (L * (1 - exp(-(l2 - l1)/L))),

so that an event generated with L_old describes a sample with L_new after multiplying its weight by
P_new/P_old (rate) and f(l; L_new)/f(l; L_old) (position), see :func:`position_factor`.

Paths through a detector of separated parts cross it in several segments [a_j, b_j]; then
P = sum_j exp(-a_j/L) - exp(-b_j/L) and the decay position has the exponential density restricted
to the segments.  The generator and the reweighting share these kernels
(:func:`path_bounds_from_segments`, :func:`path_decay_probability`, :func:`sample_path_decay`,
:func:`path_position_factor`), applied to the same stored segment ends, so that a reweighting to the
generated couplings reproduces the generator's numbers exactly.
"""

from __future__ import annotations

import numpy as np

from darkbeam.detectors.decay import decay_probability as _decay_probability


def decay_length(p_abs, m, ctau):
    """Lab decay length L = (|p|/m) c tau in cm (|p|, m in GeV; ctau in cm; arrays broadcast)."""
    return np.asarray(p_abs, dtype=float) / np.asarray(m, dtype=float) * np.asarray(ctau, dtype=float)


def decay_probability(l1, l2, L):
    """Probability exp(-l1/L) - exp(-l2/L) to decay between l1 and l2 (cm) for decay length L (cm).

    The kernel of :func:`darkbeam.detectors.decay.decay_probability` (one implementation for the
    generator and for reweighting), broadcasting its arguments."""
    l1, l2, L = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (l1, l2, L)))
    return _decay_probability(l1, l2, L)


def truncated_exp_density(l, l1, l2, L):
    """Density in cm^-1 of the decay position l in [l1, l2] for decay length L (0 outside)."""
    l, l1, l2, L = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (l, l1, l2, L)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = np.exp(-(l - l1) / L) / (L * -np.expm1(-(l2 - l1) / L))
    inside = (l >= l1) & (l <= l2) & (l2 > l1) & np.isfinite(f)
    return np.where(inside, f, 0.0)


def position_factor(l, l1, l2, L_old, L_new):
    """f(l; L_new) / f(l; L_old): reweights decay positions sampled with L_old to L_new."""
    num = truncated_exp_density(l, l1, l2, L_new)
    den = truncated_exp_density(l, l1, l2, L_old)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0.0, num / den, 0.0)


# ---------------------------------------------------------------------------- segmented paths
def path_bounds_from_segments(l1s, l2s) -> np.ndarray:
    """Ordered, disjoint segments of paths from a shape's pieces (``Shape.segments``: (n, k) entry and
    exit distances, empty pieces with l1 >= l2): sorted along the path, touching or overlapping pieces
    merged.  Returns (n, 2m) segment ends [a_1, b_1, a_2, b_2, ..., a_m, b_m], m = the largest number
    of segments of any path (at least 1); a path with fewer segments repeats its last exit, a missed
    detector is all zeros."""
    l1s = np.atleast_2d(np.asarray(l1s, dtype=float))
    l2s = np.atleast_2d(np.asarray(l2s, dtype=float))
    n, k = l1s.shape
    hit = l2s > l1s
    if k == 1:  # one piece (a convex detector): the general code below gives exactly this
        has = hit[:, 0] & np.isfinite(l1s[:, 0])
        out = np.zeros((n, 2))
        out[has, 0] = l1s[has, 0]
        out[has, 1] = l2s[has, 0]
        return out
    start = np.where(hit, l1s, np.inf)
    order = np.argsort(start, axis=1, kind="stable")
    a = np.take_along_axis(start, order, axis=1)
    b = np.take_along_axis(np.where(hit, l2s, -np.inf), order, axis=1)
    out_a = np.full((n, k), np.inf)
    out_b = np.full((n, k), -np.inf)
    m = np.zeros(n, dtype=np.int64)  # segments so far
    cur_a, cur_b = a[:, 0].copy(), b[:, 0].copy()
    rows = np.arange(n)
    for j in range(1, k):
        aj, bj = a[:, j], b[:, j]
        valid = np.isfinite(aj)
        new = valid & (aj > cur_b)  # a gap: close the current segment
        out_a[rows[new], m[new]] = cur_a[new]
        out_b[rows[new], m[new]] = cur_b[new]
        m = m + new
        cur_a = np.where(new, aj, cur_a)
        cur_b = np.where(valid, np.maximum(cur_b, bj), cur_b)
    has = np.isfinite(cur_a)
    out_a[rows[has], m[has]] = cur_a[has]
    out_b[rows[has], m[has]] = cur_b[has]
    nseg = m + has
    width = max(int(nseg.max(initial=0)), 1)
    last = np.where(has, cur_b, 0.0)
    fill = (np.arange(width)[None, :] >= nseg[:, None])
    A = np.where(fill, last[:, None], out_a[:, :width])
    B = np.where(fill, last[:, None], out_b[:, :width])
    out = np.empty((n, 2 * width))
    out[:, 0::2], out[:, 1::2] = A, B
    return out


def path_segment_probabilities(bounds, L) -> np.ndarray:
    """(n, m) probabilities exp(-a/L) - exp(-b/L) to decay on each segment of ``bounds`` ((n, 2m)
    ends, :func:`path_bounds_from_segments`) for lab decay lengths ``L`` (n,)."""
    bounds = np.asarray(bounds, dtype=float)
    L = np.asarray(L, dtype=float)
    return decay_probability(bounds[:, 0::2], bounds[:, 1::2], L[:, None])


def path_decay_probability(bounds, L) -> np.ndarray:
    """Probability to decay on the segments ``bounds`` ((n, 2m) ends, :func:`path_bounds_from_segments`)
    for lab decay lengths ``L`` (n,): sum over segments of exp(-a/L) - exp(-b/L)."""
    return path_segment_probabilities(bounds, L).sum(axis=1)


def sample_path_decay(bounds, L, u_segment, u_position, pk=None) -> np.ndarray:
    """Decay distances on the segments ``bounds`` for decay lengths ``L``, given the decay happens on
    them: the segment is chosen with probability proportional to its decay probability (uniform
    ``u_segment``), the distance inside it by inverse transform of the truncated exponential
    (:func:`darkbeam.detectors.decay.sample_decay_distance`, uniform ``u_position``).  Paths with zero
    probability get their first entry l1.  ``pk``: the per-segment probabilities
    (:func:`path_segment_probabilities` of the same bounds and L) if the caller has them."""
    from darkbeam.detectors.decay import sample_decay_distance

    bounds = np.asarray(bounds, dtype=float)
    L = np.asarray(L, dtype=float)
    a, b = bounds[:, 0::2], bounds[:, 1::2]
    if pk is None:
        pk = decay_probability(a, b, L[:, None])
    n, m = pk.shape
    rows = np.arange(n)
    if m == 1:
        j = np.zeros(n, dtype=np.int64)
    else:
        cum = np.cumsum(pk, axis=1)
        j = np.minimum((cum <= (u_segment * cum[:, -1])[:, None]).sum(axis=1), m - 1)
        empty = pk[rows, j] <= 0
        j = np.where(empty & (cum[:, -1] > 0), np.argmax(pk, axis=1), j)
    ptot = pk.sum(axis=1)
    d = sample_decay_distance(a[rows, j], b[rows, j], L, u_position)
    return np.where(ptot > 0, d, a[:, 0])


def path_density(l, bounds, L) -> np.ndarray:
    """Density (cm^-1) of the decay position l restricted to the segments ``bounds``:
    exp(-l/L) / (L P), P = :func:`path_decay_probability`; 0 off the segments."""
    bounds = np.asarray(bounds, dtype=float)
    l = np.asarray(l, dtype=float)
    L = np.asarray(L, dtype=float)
    a, b = bounds[:, 0::2], bounds[:, 1::2]
    on = ((l[:, None] >= a) & (l[:, None] <= b) & (b > a)).any(axis=1)
    P = path_decay_probability(bounds, L)
    # exp(-l/L)/(L P) written relative to the first entry, exp(-(l - l1)/L) / (L P exp(l1/L)), to keep
    # precision: P exp(l1/L) = sum_j exp(-(a_j - l1)/L) - exp(-(b_j - l1)/L)
    l1 = a[:, :1]
    Pr = decay_probability(a - l1, b - l1, L[:, None]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = np.exp(-(l - l1[:, 0]) / L) / (L * Pr)
    return np.where(on & (P > 0) & np.isfinite(f), f, 0.0)


def path_position_factor(l, bounds, L_old, L_new) -> np.ndarray:
    """Ratio of the decay-position densities on the segments, new over old (1 where the path misses
    the detector); reweights positions sampled with L_old to L_new."""
    num = path_density(l, bounds, L_new)
    den = path_density(l, bounds, L_old)
    bounds = np.asarray(bounds, dtype=float)
    miss = ~(bounds[:, -1] > bounds[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(miss, 1.0, np.where(den > 0.0, num / np.where(den > 0, den, 1.0), 0.0))
