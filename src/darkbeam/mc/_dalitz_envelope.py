"""Envelope helpers of :class:`darkbeam.mc.dalitz.DalitzSampler`: the outer bin edges, their
log-uniform measure, and the rotations of the set-up check (split from dalitz.py; formulas in
docs/decay_sampling.md, "Three-body phase space and the sampler")."""

from __future__ import annotations

import numpy as np

_TWO_PI = 2.0 * np.pi


def _unique_sorted(x: np.ndarray) -> np.ndarray:
    """np.unique of a float array without NaN (the same values, sorted, duplicates dropped), without
    np.unique's import of numpy.ma (~0.02 s of CPU at the first call in a process)."""
    x = np.sort(x)
    keep = np.empty(x.shape, dtype=bool)
    keep[:1] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


#: offsets of the extra outer edges around a declared pole, in units of m Gamma (the Breit-Wigner's
#: half width in s): fine across the peak, geometric in the tails out to 2^16 half widths
_POLE_OFFSETS = np.concatenate([[0.0], np.array([0.125, 0.25, 0.375, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]),
                                2.0 ** np.arange(2, 17, 0.5)])


def _outer_edges(s_min: float, s_max: float, n_lin: int, n_log: int, poles=()) -> np.ndarray:
    """Bin edges of the outer invariant: uniform, plus geometric clustering towards both ends (down
    to 1e-9 of the range) to resolve threshold peaks and the square-root edges of the Dalitz plot, plus
    edges clustered around each declared pole (mass, width) of the outer pair (a narrow resonance that
    a uniform grid would straddle)."""
    width = s_max - s_min
    t = np.concatenate([np.linspace(0.0, 1.0, n_lin + 1), np.logspace(-9.0, -0.3, n_log), 1.0 - np.logspace(-9.0, -0.3, n_log)])
    t = _unique_sorted(np.clip(t, 0.0, 1.0))
    edges = s_min + width * t
    # the width on a grid of 2^(1/4) steps: an O(eps^2) change of the width (the A' visible share) leaves
    # the edges, hence the events of a seed, unchanged (exact coupling rescaling at a fixed seed)
    extra = [m * m + m * 2.0 ** (round(4.0 * np.log2(g)) / 4.0) * np.concatenate([-_POLE_OFFSETS[::-1], _POLE_OFFSETS])
             for m, g in poles if m > 0 and g > 0]
    if extra:
        e = np.concatenate(extra)
        edges = np.concatenate([edges, e[(e > s_min) & (e < s_max)]])
    edges = _unique_sorted(edges)
    edges[0], edges[-1] = s_min, s_max
    return _unique_sorted(edges)


def _log_widths(edges: np.ndarray) -> np.ndarray:
    """ln(e_b+1 / e_b) of each bin with e_b > 0 (s_out log-uniform there: a 1/s peak, the photon
    propagator at a light pair's threshold, is then flat in the bin), 0 for a bin starting at s = 0."""
    lo, hi = edges[:-1], edges[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lo > 0.0, np.log(hi / np.where(lo > 0.0, lo, 1.0)), 0.0)


def _bin_measure(edges: np.ndarray, logw: np.ndarray) -> np.ndarray:
    """Integral over each bin of the envelope's s_out dependence: ln(e_b+1/e_b) (1/s, log bins) or the
    width (uniform bins)."""
    return np.where(logw > 0.0, logw, np.diff(edges))


def _rotation_columns(u: np.ndarray) -> np.ndarray:
    """Rotations (m, 3, 3) that take the body frame of :func:`_fill_body_np` to the orientation of
    :func:`darkbeam.mc.phasespace.three_body_rest` for uniforms u (3, m): z -> n, x -> cos(psi) e1 +
    sin(psi) e2, y -> -sin(psi) e1 + cos(psi) e2 (columns: images of x, y, z)."""
    ct = 2.0 * u[0] - 1.0
    st = np.sqrt(np.maximum(1.0 - ct * ct, 0.0))
    phi, psi = _TWO_PI * u[1], _TWO_PI * u[2]
    cf, sf, cp, sp = np.cos(phi), np.sin(phi), np.cos(psi), np.sin(psi)
    n = np.stack([st * cf, st * sf, ct], axis=1)
    e1 = np.stack([ct * cf, ct * sf, -st], axis=1)
    e2 = np.stack([-sf, cf, np.zeros_like(cf)], axis=1)
    R = np.empty((ct.size, 3, 3))
    R[:, :, 0] = cp[:, None] * e1 + sp[:, None] * e2
    R[:, :, 1] = -sp[:, None] * e1 + cp[:, None] * e2
    R[:, :, 2] = n
    return R
