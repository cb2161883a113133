"""Exact sampler of polarised three-body decays at rest: a tabulated Dalitz envelope for the
spin-averaged |M|^2 and the exact orientation from its linear spin dependence.

Derivations and measurements: docs/decay_sampling.md ("Three-body phase space and the sampler").  The
target density over a decay at rest, for a spin-1/2 parent with polarisation h along +z, is
|M|^2(k, h z) over flat phase space, which is uniform in two pair invariants and in a rotation R of
the decay (PDG Review of Particle Physics 2024, ch. 49 "Kinematics", "Three-body decays").  For a
spin-1/2 (or spinless) parent |M|^2 = A + B.s is linear in the spin vector s (the spin density matrix
(1 + gamma5 sslash)/2 is), A and B are a rotation-invariant scalar and a vector carried along with the
daughters.  With the daughters in a fixed body frame k0 and k = R k0,

    |M|^2(R k0, h z) = A(k0) + h (R B(k0)).z,

and its average over rotations is A.  So the sampler

1. draws the Dalitz point (s_out, s_in) by accept-reject against a piecewise-constant envelope of
   A x Delta on a grid of cells in (s_out, t), t = (s_in - lo)/(hi - lo) the fractional position
   between the Dalitz-plot limits (one |M|^2 evaluation per candidate, spin 0);
2. evaluates B in the body frame of each accepted point (two more evaluations, spin along two axes of
   the decay plane, or three when the scan found B out of the plane);
3. draws the orientation exactly: the direction d = R B/|B| has density (1 + h |B|/A d_z)/2 in d_z
   (inverse CDF, :func:`darkbeam.mc.phasespace.sample_cos_linear`), uniform azimuth, and a uniform
   twist about d (a uniform rotation given d).

The acceptance is that of the spin-averaged envelope whatever the polarisation (the former envelope of
A + |B| accepted 1/(1 + |B|/A) of the orientations at |h| = 1 on top).  The assumptions (A and B
rotation-covariant, |M|^2 linear in s) are checked at set-up on random configurations, and every
accepted point is checked for A >= |B| (|M|^2 >= 0 for every spin).

Kernels: candidate generation, acceptance and orientation exist as vectorized numpy
(:mod:`darkbeam.mc._dalitz_np`) and as
numba-compiled loops (:mod:`darkbeam.mc._numba_kernels`), chosen by batch size
(:mod:`darkbeam.mc._jit`); they evaluate the same expressions in the same order on the same random
numbers, so they agree to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from darkbeam.mc._dalitz_envelope import _bin_measure, _log_widths, _outer_edges, _rotation_columns
from darkbeam.mc._dalitz_np import _accept_np, _candidates_np, _cell_guide, _fill_body_np, _orient_np
from darkbeam.mc._jit import use_jit
from darkbeam.mc.phasespace import _blocks, dalitz_limits

__all__ = ["DalitzSampler", "SamplingStats"]

#: weight(k, s3): |M|^2 of daughters k (m, 3, 4) in the rest frame (spin axis +z) for spin
#: vectors s3 (m, 3) (the rest-frame spatial part of the parent's spin four-vector).  Optional hooks
#: (attributes of the function), used when present, each giving the plain calls' numbers:
#: spin_average(k) = weight(k, 0); axes(k, axes) (len(axes), m), row a = weight(k, e_axes[a]) for
#: body axes 0, 1, 2 = x, y, z; spins(k, s3s) with s3s (j, m, 3) gives (j, m), row a = weight(k, s3s[a])
WeightFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]

_TWO_PI = 2.0 * np.pi
#: relative tolerance of the set-up check that the weight is A + B.s with A, B rotation-covariant
_MODEL_TOL = 1e-7


@dataclass
class SamplingStats:
    """What an accept-reject run saw: candidates tried, the largest weight/envelope ratio (must be
    <= 1 for the sample to be exact), the largest weight of an accepted decay at its polarisation
    (and of any spin-averaged candidate), the largest ratio per envelope cell (0 where no ratio
    exceeded 1; cells in row-major order (outer bin, inner cell)), and the number of negative or
    non-finite weights (candidates rejected for it, accepted points with |B| > A)."""

    n_candidates: int
    max_ratio: float
    max_weight: float
    bin_max_ratio: np.ndarray
    n_bad: int


# ----------------------------------------------------------------------------------- the sampler
class DalitzSampler:
    """Exact accept-reject sampler of three-body decays M -> m0 m1 m2 at rest with density
    proportional to weight(k, s3) over flat phase space, for parents with polarisation h along +z
    (module docstring).

    Envelope of the spin-averaged weight A: one pair invariant s_out (the pair chosen to maximise the
    efficiency) has bins (uniform plus geometric clustering to both ends); each bin is split into
    ``n_cells`` equal intervals of t = (s_in - lo)/Delta, Delta = hi - lo the inner range; a cell's
    bound is margin x (largest A scanned in the cell) x (largest Delta in the bin).  The scans: a
    deterministic grid (bin edges and mid-points x ``n_sub`` + 1 points per inner interval, shared
    ends) and ``n_refine`` random points per bin (fixed internal seed: the envelope is
    deterministic and the user's random stream untouched).  A declared upper bound ``msq_max`` caps
    the cells at msq_max x Delta, and :meth:`use_declared_bound` falls back to it alone.  Candidates
    whose ratio A/envelope exceeds 1 are reported in :class:`SamplingStats`, and :meth:`enlarge`
    raises the envelope.

    ``n_check`` random configurations verify at set-up that the weight is A + B.s with A invariant
    and B turning with the daughters (else ValueError), and whether B lies in the decay plane (then
    two evaluations give it, else three).
    """

    #: events per chunk: bounds the memory of the candidate arrays and keeps them in cache
    chunk = 1 << 16

    def __init__(
        self,
        M: float,
        masses,
        weight: Optional[WeightFunction] = None,
        msq_max: Optional[float] = None,
        *,
        margin: float = 1.05,
        n_lin: int = 48,
        n_log: int = 24,
        n_cells: int = 8,
        n_sub: int = 4,
        n_refine: int = 128,
        n_check: int = 1024,
        poles=(),
    ) -> None:
        masses = tuple(float(m) for m in masses)
        if len(masses) != 3:
            raise ValueError("three daughter masses expected")
        if M <= sum(masses):
            raise ValueError(f"three-body decay closed: M = {M} <= sum of masses {sum(masses)}")
        self.M = float(M)
        self.masses = masses
        self.weight = weight
        #: the daughters' arrays are kept component-major ((3, 4, m) storage viewed as (m, 3, 4)) for a
        #: weight with hooks (processes.decays._msq_weight: it reads any layout through copies or the
        #: rest-frame path, the same values); a plain weight function gets C-ordered (m, 3, 4) arrays
        self._component_major = weight is not None and getattr(weight, "spin_average", None) is not None
        self.msq_max = msq_max
        self.margin = float(margin)
        self.nt = 1 if weight is None else int(n_cells)
        self._n_sub = 1 if weight is None else int(n_sub)
        best = None
        perms = [(0, 1, 2)] if weight is None else [(0, 1, 2), (1, 2, 0), (2, 0, 1)]
        #: declared resonances (i, j, mass, width) of the daughter pair (i, j): the outer invariant is
        #: then that pair's, with edges clustered across the peak (module docstring)
        self.poles = tuple((int(i), int(j), float(m), float(g)) for i, j, m, g in poles)
        if self.poles and weight is not None:
            pair = {self.poles[0][0], self.poles[0][1]}
            perms = [p for p in perms if {p[0], p[1]} == pair]
            if not perms:
                raise ValueError(f"pole pair {sorted(pair)} is not a pair of the three daughters")
        for perm in perms:
            env = self._build(perm, n_lin, n_log)
            if best is None or env["eff"] > best["eff"]:
                best = env
        self.perm = best["perm"]
        self.edges = best["edges"]
        self.G = best["G"]
        self._logw = best["logw"]
        self._dmax = best["dmax"]
        #: largest weight seen by the scans (any spin direction where probed)
        self.scan_max = best["amax"]
        self.efficiency_estimate = best["eff"]
        #: B lies in the decay plane (two evaluations per decay), B vanishes (none)
        self.in_plane = True
        self.spin_dependent = False
        if weight is not None:
            self._refine(n_refine)
            self._check_spin_model(n_check)
        if msq_max is not None:
            if self.scan_max > float(msq_max) * (1.0 + 1e-9):
                raise ValueError(f"|M|^2 exceeds its declared msq_max by a factor {self.scan_max / float(msq_max):.6g}")
            self.G = np.minimum(self.G, float(msq_max) * (self._dmax * self._log_scale())[:, None])
        if not self.G.sum() > 0:
            raise ValueError("the three-body weight vanishes on the whole Dalitz plot")
        self._update_cumulative()

    # ------------------------------------------------------------------ envelope
    def _weight_unpolarised(self, k: np.ndarray) -> np.ndarray:
        """Spin-averaged weight A = weight(k, 0) (1 for flat phase space; the weight's hook
        ``spin_average(k)`` where it has one: the same numbers)."""
        m = k.shape[0]
        if self.weight is None:
            return np.ones(m)
        average = getattr(self.weight, "spin_average", None)
        if average is None:
            return self._weight_at(k, np.zeros((m, 3)))
        out = np.empty(m)
        for i in range(0, m, self.weight_block):
            j = min(i + self.weight_block, m)
            out[i:j] = np.broadcast_to(np.asarray(average(k[i:j]), dtype=np.float64), (j - i,))
        return out

    #: points per call of the weight: a matrix element's temporaries (~20 arrays of this length) stay
    #: below glibc's default mmap threshold; whole 65536-point chunks made |M|^2 2.5x slower per point
    #: in a process without darkbeam's allocator tuning (242 vs 96 ns for N4 -> nu e e)
    weight_block = 1 << 14

    def _weight_at(self, k: np.ndarray, s3: np.ndarray) -> np.ndarray:
        m = k.shape[0]
        if m <= self.weight_block:
            return np.ascontiguousarray(np.broadcast_to(np.asarray(self.weight(k, s3), dtype=np.float64), (m,)))
        out = np.empty(m)
        for i in range(0, m, self.weight_block):
            j = min(i + self.weight_block, m)
            out[i:j] = np.broadcast_to(np.asarray(self.weight(k[i:j], s3[i:j]), dtype=np.float64), (j - i,))
        return out

    def _weights_at(self, k: np.ndarray, s3: np.ndarray) -> np.ndarray:
        """Weights (j, m) of the daughters k (m, 3, 4) at j spin vectors s3 (j, m, 3): row a is
        weight(k, s3[a]).  Through the weight's hook ``spins(k, s3)`` where it has one (one call for
        all j, sharing the spin-independent work; the same numbers), else one call per row."""
        j, m = s3.shape[0], k.shape[0]
        spins = getattr(self.weight, "spins", None)
        if spins is None:
            out = np.empty((j, m))
            for a in range(j):
                out[a] = self._weight_at(k, s3[a])
            return out
        if j * m <= self.weight_block:
            return np.ascontiguousarray(np.broadcast_to(np.asarray(spins(k, s3), dtype=np.float64), (j, m)))
        out = np.empty((j, m))
        step = max(self.weight_block // j, 1)  # temporaries of j x step <= weight_block values
        for i in range(0, m, step):
            e = min(i + step, m)
            out[:, i:e] = np.broadcast_to(np.asarray(spins(k[i:e], s3[:, i:e]), dtype=np.float64), (j, e - i))
        return out

    def _axes_weights(self, k: np.ndarray, axes) -> np.ndarray:
        """Weights (len(axes), m) of the daughters k (m, 3, 4) with the unit spin vector along each
        body axis in ``axes`` (0 = x, 1 = y, 2 = z): through the weight's hook ``axes(k, axes)``
        where it has one (the same numbers), else :meth:`_weights_at`."""
        j, m = len(axes), k.shape[0]
        hook = getattr(self.weight, "axes", None)
        if hook is None:
            s3 = np.zeros((j, m, 3))
            for row, a in enumerate(axes):
                s3[row, :, a] = 1.0
            return self._weights_at(k, s3)
        out = np.empty((j, m))
        step = max(self.weight_block // j, 1)  # temporaries of j x step <= weight_block values
        for i in range(0, m, step):
            e = min(i + step, m)
            out[:, i:e] = np.broadcast_to(np.asarray(hook(k[i:e], axes), dtype=np.float64), (j, e - i))
        return out

    def _daughters_buffer(self, m: int) -> np.ndarray:
        """An empty (m, 3, 4) array of daughters: component-major storage where
        :attr:`_component_major`, else C-ordered."""
        return np.empty((3, 4, m)).transpose(2, 0, 1) if self._component_major else np.empty((m, 3, 4))

    def _body(self, perm, s_out, s_in) -> np.ndarray:
        ma, mb, mc = (self.masses[i] for i in perm)
        k = self._daughters_buffer(s_out.size)
        for sl in _blocks(s_out.size):
            _fill_body_np(self.M, ma, mb, mc, s_out[sl], s_in[sl], k[sl], perm[0], perm[1], perm[2])
        return k

    def _build(self, perm, n_lin, n_log) -> dict:
        """Envelope candidate for the outer pair perm[:2]: cell bounds G (nb, nt), the largest inner
        range per bin and the efficiency estimate (integral of A over the envelope's)."""
        M, nt, ns = self.M, self.nt, self._n_sub
        ma, mb, mc = (self.masses[i] for i in perm)
        s_min, s_max = (ma + mb) ** 2, (M - mc) ** 2
        poles = [(m, g) for i, j, m, g in self.poles if {i, j} == {perm[0], perm[1]}]
        edges = _outer_edges(s_min, s_max, n_lin, n_log, poles)
        nb = edges.size - 1
        mids = 0.5 * (edges[:-1] + edges[1:])
        pts = np.concatenate([edges, mids])  # edges: 0..nb, mids: nb+1..2nb
        # a massless pair: evaluate the s_out = 0 edge just inside (1e-12 of the range)
        pts = np.maximum(pts, s_min + 1e-12 * (s_max - s_min))
        lo, hi = dalitz_limits(M, ma, mb, mc, pts)
        delta = np.maximum(hi - lo, 0.0)
        t = np.linspace(0.0, 1.0, nt * ns + 1)
        s_out = np.repeat(pts, t.size)
        s_in = (lo[:, None] + delta[:, None] * t[None, :]).ravel()
        A = self._weight_unpolarised(self._body(perm, s_out, s_in))
        _check_finite_nonnegative(A)
        A = A.reshape(pts.size, t.size)
        # largest A of each inner interval (its ns + 1 points, ends shared), then of the bin's rows
        cols = ns * np.arange(nt)[:, None] + np.arange(ns + 1)[None, :]
        Acell = A[:, cols].max(axis=2)  # (npts, nt)
        # each bin is uniform or log-uniform in s_out (possible where s > 0 at its lower edge; the
        # envelope then bounds A x s), whichever gives the smaller envelope integral: log-uniform
        # bins absorb a 1/s peak (the photon propagator at a light pair's threshold)
        rows = (Acell[:nb], Acell[1:nb + 1], Acell[nb + 1:])
        srow = (pts[:nb, None], pts[1:nb + 1, None], pts[nb + 1:, None])
        amax_uni = np.maximum(np.maximum(rows[0], rows[1]), rows[2])
        amax_log = np.maximum(np.maximum(rows[0] * srow[0], rows[1] * srow[1]), rows[2] * srow[2])
        logw = _log_widths(edges) if self.weight is not None else np.zeros(nb)
        logw = np.where(logw * amax_log.sum(axis=1) < np.diff(edges) * amax_uni.sum(axis=1), logw, 0.0)
        amax_cell = np.where((logw > 0.0)[:, None], amax_log, amax_uni)
        # largest inner range in each bin: 17 points per bin (Delta is smooth inside the region and
        # monotonic near its square-root ends); 1 + 1e-4 covers the spacing
        tb = np.linspace(0.0, 1.0, 17)
        fine = (edges[:-1, None] + np.diff(edges)[:, None] * tb[None, :]).ravel()
        flo, fhi = dalitz_limits(M, ma, mb, mc, np.maximum(fine, s_min + 1e-12 * (s_max - s_min)))
        dmax = (1.0 + 1e-4) * np.maximum(fhi - flo, 0.0).reshape(nb, tb.size).max(axis=1)
        fac = 1.0 if self.weight is None else self.margin  # a constant weight is bounded exactly
        G = fac * amax_cell * dmax[:, None]
        width = np.diff(edges)
        # integral of A over the Dalitz plot (trapezoid in t, mid-point in s_out) and of the envelope
        wt = np.full(t.size, 1.0 / (t.size - 1))
        wt[0] = wt[-1] = 0.5 / (t.size - 1)
        integ = np.sum(width * (A[nb + 1:] @ wt) * delta[nb + 1:])
        env = np.sum(_bin_measure(edges, logw)[:, None] * G) / nt
        eff = float(integ / env) if env > 0 else 0.0
        return {"perm": perm, "edges": edges, "logw": logw, "G": G, "eff": eff, "dmax": dmax, "amax": float(A.max())}

    def _refine(self, n_per_bin: int) -> None:
        """Raise the cells to cover A at ``n_per_bin`` random points per bin (spread evenly over its
        cells), from a fixed internal seed."""
        nb, nt = self.G.shape
        per = max(int(np.ceil(n_per_bin / nt)), 1)
        rng = np.random.default_rng(0x5EED)
        c = np.repeat(np.arange(nb * nt), per)
        b, j = c // nt, c % nt
        u = rng.random((2, c.size))
        s_out = self.edges[b] + (self.edges[b + 1] - self.edges[b]) * u[0]
        ma, mb, mc = (self.masses[i] for i in self.perm)
        lo, hi = dalitz_limits(self.M, ma, mb, mc, s_out)
        s_in = lo + np.maximum(hi - lo, 0.0) * ((j + u[1]) / nt)
        A = self._weight_unpolarised(self._body(self.perm, s_out, s_in))
        _check_finite_nonnegative(A)
        amax = np.zeros(nb * nt)
        np.maximum.at(amax, c, A * np.where(self._logw[b] > 0.0, s_out, 1.0))
        self.scan_max = max(self.scan_max, float(A.max(initial=0.0)))
        self.G = np.maximum(self.G, self.margin * amax.reshape(nb, nt) * self._dmax[:, None])

    def _check_spin_model(self, n: int) -> None:
        """At ``n`` random configurations (random Dalitz point under the envelope's bins, random
        orientation R, random unit spin s): weight(R k0, s) and weight(R k0, s/2) must equal
        A + B.(R^T s) and A + B.(R^T s)/2 with A, B from the body frame k0 (relative 1e-7), and
        A >= |B|.  Sets :attr:`spin_dependent` (B not zero) and :attr:`in_plane` (B_y = 0 in the
        body frame, where the decay plane is xz)."""
        rng = np.random.default_rng(0xC0FFEE)
        nb = self.G.shape[0]
        u = rng.random((8, n))
        b = np.minimum((u[0] * nb).astype(np.int64), nb - 1)
        s_out = self.edges[b] + (self.edges[b + 1] - self.edges[b]) * u[1]
        ma, mb, mc = (self.masses[i] for i in self.perm)
        lo, hi = dalitz_limits(self.M, ma, mb, mc, s_out)
        s_in = lo + np.maximum(hi - lo, 0.0) * u[2]
        k0 = self._body(self.perm, s_out, s_in)
        A = self._weight_unpolarised(k0)
        B = np.ascontiguousarray((self._axes_weights(k0, (0, 1, 2)) - A).T)
        Bn = np.sqrt(np.sum(B * B, axis=1))
        scale = A + Bn
        self.scan_max = max(self.scan_max, float(scale.max(initial=0.0)))
        if not (np.all(np.isfinite(scale)) and np.all(A >= -1e-9 * scale.max(initial=0.0))):
            raise ValueError("the three-body weight is negative or not finite on the Dalitz plot")
        if np.any(Bn > A * (1.0 + 1e-6) + 1e-12 * scale.max()):
            raise ValueError("the three-body weight is negative on the Dalitz plot (for some spin direction)")
        R = _rotation_columns(u[3:6])
        k = np.empty_like(k0)
        k[:, :, 0] = k0[:, :, 0]
        k[:, :, 1:] = np.einsum("nij,nkj->nki", R, np.ascontiguousarray(k0)[:, :, 1:])
        cz = 2.0 * u[6] - 1.0
        sz = np.sqrt(np.maximum(1.0 - cz * cz, 0.0))
        s = np.stack([sz * np.cos(_TWO_PI * u[7]), sz * np.sin(_TWO_PI * u[7]), cz], axis=1)
        s_body = np.einsum("nji,nj->ni", R, s)  # R^T s
        tol = _MODEL_TOL * scale + 1e-12 * scale.max()
        w = self._weights_at(k, np.stack([s, 0.5 * s]))
        for row, f in enumerate((1.0, 0.5)):
            model = A + f * np.sum(B * s_body, axis=1)
            if np.any(np.abs(w[row] - model) > tol):
                raise ValueError("the three-body weight is not A + B.s with A invariant and B turning with the "
                                 "daughters under rotations (not the |M|^2 of a spin-1/2 or spinless parent)")
        self.spin_dependent = bool(np.any(Bn > 1e-12 * scale.max()))
        self.in_plane = bool(np.all(np.abs(B[:, 1]) <= 1e-9 * scale))

    def _log_scale(self) -> np.ndarray:
        """Largest s_out of each bin where it is log-uniform (the envelope bounds A x s there), 1 else."""
        return np.where(self._logw > 0.0, self.edges[1:], 1.0)

    def _update_cumulative(self) -> None:
        measure = _bin_measure(self.edges, self._logw)
        self._Gflat = np.ascontiguousarray(self.G.ravel())
        self._cum = np.cumsum((self.G * (measure[:, None] / self.nt)).ravel())
        self._guide = _cell_guide(self._cum)

    def use_declared_bound(self) -> None:
        """Envelope = msq_max * Delta (the declared bound alone), after the scanned envelope, capped
        at it, was exceeded by a weight that the declared bound still covers."""
        if self.msq_max is None:
            raise ValueError("no declared bound")
        self.G = np.repeat(float(self.msq_max) * (self._dmax * self._log_scale())[:, None], self.nt, axis=1)
        self._update_cumulative()

    def enlarge(self, factor: float) -> None:
        """Multiply the envelope by ``factor`` everywhere (after a weight exceeded it: a feature the
        scans missed may be anywhere, so every cell is raised; exact at the cost of efficiency)."""
        self.G = self.G * factor
        self._update_cumulative()

    # ------------------------------------------------------------------ sampling
    def _candidates(self, u: np.ndarray, kern=None):
        """Candidates from uniforms u (>= 3, m): body-frame daughters (m, 3, 4), the envelope density
        per unit s_in at each (inf where the inner range is empty) and its cell.  ``kern``: the
        compiled kernels (darkbeam.mc._jit.kernels()) or None for the numpy twin."""
        m = u.shape[1]
        # numpy twin: k may be a (m, 3, 4) view of component-major storage (3, 4, m): the kernel
        # writes contiguous rows and the weight reads them without a transposed copy (the same values)
        k = np.empty((m, 3, 4)) if kern is not None else self._daughters_buffer(m)
        env = np.empty(m)
        cells = np.empty(m, dtype=np.int64)
        ma, mb, mc = (self.masses[i] for i in self.perm)
        args = (u, self.edges, self._logw, self._cum, self._Gflat, self.nt, self.M, ma, mb, mc,
                self.perm[0], self.perm[1], self.perm[2], k, env, cells)
        if kern is None:
            _candidates_np(*args, guide=self._guide)
        else:
            kern.candidates(*args)
        return k, env, cells

    def spin_vector(self, k: np.ndarray, A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """B (three (n,) arrays) of body-frame decays k with spin-averaged weights A: weight(k, axis)
        - A along x and z, and y unless B lies in the decay plane (then None for B_y = 0)."""
        if self.in_plane:
            w = self._axes_weights(k, (0, 2))
            return w[0] - A, None, w[1] - A
        w = self._axes_weights(k, (0, 1, 2))
        return w[0] - A, w[1] - A, w[2] - A

    def sample(self, rng: np.random.Generator, h) -> tuple[np.ndarray, SamplingStats]:
        """Daughter four-momenta (n, 3, 4) at rest (spin axis +z) for parents with polarisations h
        (n,), |h| <= 1 (negative h: spin along -z), and the run's :class:`SamplingStats`.

        Events are processed in chunks of :attr:`chunk`; within a chunk every pending event gets one
        candidate per round (several when few are left) until all are accepted, then every event its
        orientation.  A batch of n >= darkbeam.mc._jit.threshold() parents uses the compiled kernels,
        a smaller one their numpy twins (same random numbers, same results to rounding).  On the
        numpy path the array may be a view of component-major storage (flat phase space or a weight
        with hooks; the same values): use np.ascontiguousarray where C order matters.
        """
        h = np.ascontiguousarray(h, dtype=np.float64).ravel()
        n = h.size
        kern = use_jit(n)
        # numpy kernels, flat phase space or a weight with hooks (which reads any layout to the same
        # numbers): component-major storage (3, 4, n) viewed as (n, 3, 4), so that the orientation and
        # the boost to the lab read and write contiguous rows (the same values); a plain weight
        # function gets the accepted daughters C-ordered, as before (its arithmetic may depend on the layout)
        cm = kern is None and (self.weight is None or self._component_major)
        out = np.empty((3, 4, n)).transpose(2, 0, 1) if cm else np.empty((n, 3, 4))
        cell_ratio = np.zeros(self._cum.size)
        n_cand = 0
        n_bad = 0
        w_max = 0.0
        for start in range(0, n, self.chunk):
            stop = min(start + self.chunk, n)
            c, b, wm = self._sample_chunk(rng, h[start:stop], out[start:stop], cell_ratio, kern)
            n_cand += c
            w_max = max(w_max, wm)
            n_bad += b
        stats = SamplingStats(n_candidates=n_cand, max_ratio=float(cell_ratio.max(initial=0.0)), max_weight=w_max,
                              bin_max_ratio=cell_ratio, n_bad=n_bad)
        return out, stats

    def _sample_chunk(self, rng, h, out, cell_ratio, kern=None) -> tuple[int, int, float]:
        n = h.size
        pending = np.arange(n)
        done = np.zeros(n, dtype=np.bool_)
        A = np.zeros(n)
        n_cand = 0
        n_bad = 0
        w_max = 0.0
        eff = max(self.efficiency_estimate, 1e-4)
        while pending.size:
            # one candidate per pending event; several for the last few (fewer rounds)
            mult = 1 if pending.size > 256 else int(min(max(np.ceil(2.0 / eff), 1), 2000))
            idx = np.repeat(pending, mult) if mult > 1 else pending
            u = rng.random((4, idx.size))
            k, env, cells = self._candidates(u, kern)
            w = np.ones(idx.size) if self.weight is None else self._weight_unpolarised(k)
            if kern is None:
                nbad, wm = _accept_np(w, env, u[3], idx, cells, k, out, A, done, cell_ratio,
                                      first=n_cand == 0 and mult == 1)
            else:
                nbad, wm = kern.accept(w, env, u[3], idx, cells, k, out, A, done, cell_ratio)
            n_bad += nbad
            w_max = max(w_max, wm)
            n_cand += idx.size
            pending = pending[~done[pending]]
        v = rng.random((3, n))
        Bn = None
        if self.weight is not None and self.spin_dependent and n and np.any(h != 0.0):
            Bx, By, Bz = self.spin_vector(out, A)
            B2 = Bx * Bx + Bz * Bz if By is None else Bx * Bx + By * By + Bz * Bz
            Bn = np.sqrt(B2)
            w_max = max(w_max, float(np.max(A + np.abs(h) * Bn)))
        else:
            Bx, By, Bz = np.zeros(n), None, np.zeros(n)
        ia, ib, ic = self.perm
        if kern is None:
            # |B| of in-plane decays passed on (the orientation's own sqrt(Bx^2 + Bz^2): the same numbers)
            n_bad += _orient_np(out, A, Bx, By, Bz, h, v, ia, ib, ic, Bn if By is None else None)
        else:
            n_bad += kern.orient(out, A, Bx, np.zeros(n) if By is None else By, Bz, h, v, ia, ib, ic)
        return n_cand, n_bad, w_max


def _check_finite_nonnegative(A: np.ndarray) -> None:
    """Scanned spin-averaged weights must be finite and non-negative."""
    if not np.all(np.isfinite(A)):
        raise ValueError("the three-body weight is not finite on the Dalitz plot")
    if A.size and np.min(A) < -1e-9 * np.max(np.abs(A)):
        raise ValueError("the three-body weight is negative on the Dalitz plot")
