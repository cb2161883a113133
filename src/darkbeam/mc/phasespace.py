"""Two- and three-body decay phase space, vectorized, with exact accept-reject sampling.

Everything here is in the parent's rest frame, with the parent's spin axis along +z; the
transformation to the lab is :func:`darkbeam.mc.fourvec.helicity_frame_to_lab`.  Randomness comes
from a numpy Generator passed in.  This module knows nothing of physics: a three-body matrix element
enters as a weight function (see :class:`DalitzSampler`).  Derivations: docs/decay_sampling.md.

Two-body (PDG Review of Particle Physics 2024, ch. 49 "Kinematics", "Two-body decays"):
|p*| = lambda^(1/2)(M^2, m1^2, m2^2) / (2M); daughter 1 at polar angle theta to +z is drawn from
(1 + a cos theta)/2 by inverting its CDF exactly.

Three-body (same review, "Three-body decays"): dGamma = |M|^2 / ((2 pi)^3 32 M^3) dm12^2 dm23^2 for
an unpolarised parent, i.e. flat phase space is uniform in the Dalitz variables; a polarised parent
adds the orientation, uniform in d^3Omega/(8 pi^2) for flat phase space.  The sampler draws one pair
invariant s_out from a piecewise-constant envelope and the other invariant uniformly between its
Dalitz-plot limits, so that |M|^2 peaking at a pair threshold (a photon propagator 1/m_ee^2) is
sampled with a good efficiency.

Kernels: the loops over candidates (generation, acceptance, Dalitz limits, momenta) exist twice, as
vectorized numpy (here, used below the JIT threshold) and as numba-compiled loops
(:mod:`darkbeam.mc._numba_kernels`, used from the threshold on, numba imported only then); both
evaluate the same expressions in the same order and consume the same random numbers, so they agree
to rounding.  The policy is in :mod:`darkbeam.mc._jit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from darkbeam.mc._jit import use_jit

__all__ = [
    "kallen",
    "two_body_momentum",
    "sample_cos_linear",
    "two_body_rest",
    "dalitz_limits",
    "three_body_rest",
    "DalitzSampler",
    "SamplingStats",
]

#: weight(k, s3): |M|^2 of daughters k (m, 3, 4) in the rest frame (spin axis +z) for spin
#: vectors s3 (m, 3) (the rest-frame spatial part of the parent's spin four-vector)
WeightFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]

_TWO_PI = 2.0 * np.pi


def kallen(a, b, c):
    """Kallen function lambda(a, b, c) = a^2 + b^2 + c^2 - 2ab - 2bc - 2ca."""
    return a * a + b * b + c * c - 2.0 * (a * b + b * c + c * a)


def two_body_momentum(M, m1, m2):
    """Daughter momentum |p*| (GeV) in the two-body decay M -> m1 m2 at rest (0 at threshold)."""
    M = np.asarray(M, dtype=np.float64)
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    return np.sqrt(np.maximum(lam, 0.0)) / (2.0 * M)


def sample_cos_linear(u: np.ndarray, slope) -> np.ndarray:
    """cos(theta) distributed as (1 + slope cos theta)/2 on [-1, 1] (|slope| <= 1), from uniforms u.

    Exact inverse of the CDF F(c) = (1 + c)/2 + slope (c^2 - 1)/4: with k = 2 - slope - 4u the root of
    slope c^2 + 2c + k = 0 in [-1, 1] is c = -k / (1 + sqrt(1 - slope k)), written so that it has no
    cancellation and reduces to c = 2u - 1 at slope = 0; 1 - slope k = (1 - slope)^2 + 4 slope u >= 0.
    """
    u = np.asarray(u, dtype=np.float64)
    slope = np.asarray(slope, dtype=np.float64)
    k = 2.0 - slope - 4.0 * u
    c = -k / (1.0 + np.sqrt(np.maximum(1.0 - slope * k, 0.0)))
    return np.clip(c, -1.0, 1.0)


def two_body_rest(rng: np.random.Generator, n: int, M: float, m1: float, m2: float, slope=0.0) -> np.ndarray:
    """n two-body decays at rest, shape (n, 2, 4): daughter 0 at angle theta to +z with density
    (1 + slope cos theta)/2 (``slope`` scalar or (n,)), uniform azimuth; daughter 1 back to back."""
    if M < m1 + m2:
        raise ValueError(f"two-body decay closed: M = {M} < {m1} + {m2}")
    p = float(two_body_momentum(M, m1, m2))
    u = rng.random((2, n))
    c = sample_cos_linear(u[0], slope)
    sn = np.sqrt(np.maximum(1.0 - c * c, 0.0))
    phi = _TWO_PI * u[1]
    out = np.empty((n, 2, 4))
    out[:, 0, 0] = np.sqrt(m1 * m1 + p * p)
    out[:, 1, 0] = np.sqrt(m2 * m2 + p * p)
    out[:, 0, 1] = p * sn * np.cos(phi)
    out[:, 0, 2] = p * sn * np.sin(phi)
    out[:, 0, 3] = p * c
    out[:, 1, 1:] = -out[:, 0, 1:]
    return out


def dalitz_limits(M: float, ma: float, mb: float, mc: float, s_ab):
    """Limits (lo, hi) of s_bc at fixed s_ab (GeV^2) in M -> a b c (PDG Review "Kinematics",
    Dalitz-plot limits of m23^2 at fixed m12^2).

    In the ab rest frame E_b* = (s_ab - ma^2 + mb^2)/(2 m_ab), E_c* = (M^2 - s_ab - mc^2)/(2 m_ab),
    p_b*^2 = lambda(s_ab, ma^2, mb^2)/(4 s_ab), p_c*^2 = lambda(M^2, s_ab, mc^2)/(4 s_ab), and
    s_bc = mb^2 + mc^2 + 2 (E_b* E_c* -+ p_b* p_c*) (p_b*, p_c* (anti)parallel).  The lower limit is
    evaluated as 2 (mb^2 E_c*^2 + mc^2 E_b*^2 - mb^2 mc^2) / (E_b* E_c* + p_b* p_c*), which has no
    cancellation for relativistic daughters (the textbook (E_b*+E_c*)^2 - (p_b* -+ p_c*)^2 loses
    all digits near a massless pair's threshold).
    """
    s_ab = np.ascontiguousarray(s_ab, dtype=np.float64)
    kern = use_jit(s_ab.size)
    if kern is not None:
        return kern.limits_vec(float(M), float(ma), float(mb), float(mc), s_ab)
    if s_ab.size <= _BLOCK:
        return _limits_np(float(M), float(ma), float(mb), float(mc), s_ab)
    lo = np.empty(s_ab.shape)
    hi = np.empty(s_ab.shape)
    flat, flo, fhi = s_ab.reshape(-1), lo.reshape(-1), hi.reshape(-1)
    for sl in _blocks(flat.size):
        flo[sl], fhi[sl] = _limits_np(float(M), float(ma), float(mb), float(mc), flat[sl])
    return lo, hi


#: elements per block of the numpy kernels: their temporaries (64 KiB each) stay in the L2 cache and
#: below glibc's mmap threshold (larger temporaries are mapped and page-faulted afresh each time,
#: which made whole-array numpy ~4x slower per arithmetic operation)
_BLOCK = 8192


def _blocks(m: int):
    """Slices of consecutive blocks of at most :data:`_BLOCK` elements covering range(m)."""
    return [slice(i, min(i + _BLOCK, m)) for i in range(0, m, _BLOCK)]


def _limits_np(M, ma, mb, mc, s_ab):
    """numpy twin of the compiled limits (same expressions in the same order; see dalitz_limits)."""
    s = np.maximum(s_ab, 1e-300)  # s_ab = 0 only for a massless pair (measure zero): avoid 0/0
    mab = np.sqrt(s)
    Eb = (s - ma * ma + mb * mb) / (2.0 * mab)
    Ec = (M * M - s - mc * mc) / (2.0 * mab)
    pb2 = np.maximum((s - (ma + mb) ** 2) * (s - (ma - mb) ** 2), 0.0) / (4.0 * s)
    pc2 = np.maximum((M * M - (mab + mc) ** 2) * (M * M - (mab - mc) ** 2), 0.0) / (4.0 * s)
    pbpc = np.sqrt(pb2 * pc2)
    base = mb * mb + mc * mc
    den = Eb * Ec + pbpc
    hi = base + 2.0 * den
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = base + 2.0 * (mb * mb * Ec * Ec + mc * mc * Eb * Eb - mb * mb * mc * mc) / den
    lo = np.where(den > 0.0, lo, base)
    return lo, hi


#: rows of the scratch space of :func:`_fill_three_body_np`
_FILL_ROWS = 16


def _fill_three_body_np(M, ma, mb, mc, s_ab, s_bc, u0, u1, u2, out, ia, ib, ic, ws=None) -> None:
    """numpy twin of the compiled _fill_three_body: rest-frame momenta of the Dalitz points
    (s_ab, s_bc) (m,), oriented by the uniforms u0, u1, u2 (m,), written into out (m, 3, 4) with
    particle a in column ia, b in ib, c in ic.  Formulas: :func:`three_body_rest`.

    Written with in-place ufuncs on the rows of a scratch array ``ws`` (>= (_FILL_ROWS, m); allocated
    if None), in the compiled kernel's order of operations (only commutations of single products
    and sums, which are exact): allocating ~40 temporaries per call cost twice the arithmetic."""
    m = s_ab.size
    if ws is None:
        ws = np.empty((_FILL_ROWS, m))
    (Ea, Eb, Ec, pa2, pb2, pc2, pa, pb, pc, den, h, t1, t2, cab, ct, st) = (ws[i, :m] for i in range(_FILL_ROWS))
    two_m = 2.0 * M
    # energies: E_a = (M^2 + ma^2 - s_bc)/2M, E_c = (M^2 + mc^2 - s_ab)/2M, E_b = M - E_a - E_c
    np.subtract(M * M + ma * ma, s_bc, out=Ea)
    Ea /= two_m
    np.subtract(M * M + mc * mc, s_ab, out=Ec)
    Ec /= two_m
    np.subtract(M, Ea, out=Eb)
    Eb -= Ec
    out[:, ia, 0] = Ea
    out[:, ib, 0] = Eb
    out[:, ic, 0] = Ec
    # |p|^2 = max(E^2 - m^2, 0), |p|
    for E, m2, p2, p in ((Ea, ma * ma, pa2, pa), (Eb, mb * mb, pb2, pb), (Ec, mc * mc, pc2, pc)):
        np.multiply(E, E, out=p2)
        p2 -= m2
        np.maximum(p2, 0.0, out=p2)
        np.sqrt(p2, out=p)
    # den = 2 |pa| |pb|;  heron = (pa+pb+pc)(-pa+pb+pc)(pa-pb+pc)(pa+pb-pc): sin from Heron's formula
    # (4 x area of the momentum triangle): sqrt(1 - cos^2) would lose half the digits when the
    # triangle is flat (one daughter almost at rest)
    np.multiply(pa, 2.0, out=den)
    den *= pb
    np.add(pa, pb, out=t1)
    np.add(t1, pc, out=h)
    np.subtract(pb, pa, out=t2)
    t2 += pc
    h *= t2
    np.subtract(pa, pb, out=t2)
    t2 += pc
    h *= t2
    t1 -= pc
    h *= t1
    # cos(ab) = clip((pc^2 - pa^2 - pb^2)/den, -1, 1), sin(ab) = min(sqrt(max(heron, 0))/den, 1);
    # (1, 0) where den = 0
    np.subtract(pc2, pa2, out=cab)
    cab -= pb2
    with np.errstate(divide="ignore", invalid="ignore"):
        cab /= den
        np.maximum(h, 0.0, out=h)
        np.sqrt(h, out=h)
        h /= den
    np.clip(cab, -1.0, 1.0, out=cab)
    np.minimum(h, 1.0, out=h)
    flat = ~(den > 0.0)
    if flat.any():
        cab[flat] = 1.0
        h[flat] = 0.0
    # orientation: cos(theta) = 2 u0 - 1, phi = 2 pi u1, psi = 2 pi u2
    cf, sf, w1, w2, nx, ny, ang, wn, pbs = pa2, pb2, pc2, Ea, Eb, Ec, t2, cab, h  # reuse rows
    np.multiply(u0, 2.0, out=ct)
    ct -= 1.0
    np.multiply(ct, ct, out=st)
    np.subtract(1.0, st, out=st)
    np.maximum(st, 0.0, out=st)
    np.sqrt(st, out=st)
    np.multiply(u1, 2.0 * np.pi, out=ang)
    np.cos(ang, out=cf)
    np.sin(ang, out=sf)
    np.multiply(u2, 2.0 * np.pi, out=ang)
    wn *= pb  # wn = |pb| cos(ab)
    pbs *= pb  # |pb| sin(ab)
    np.cos(ang, out=w1)
    w1 *= pbs
    np.sin(ang, out=w2)
    w2 *= pbs
    # p_a along n = (st cf, st sf, ct); p_b = wn n + w1 e1 + w2 e2 with e1 = (ct cf, ct sf, -st), e2 = (-sf, cf, 0)
    np.multiply(st, cf, out=nx)
    np.multiply(st, sf, out=ny)
    w1ct, ax, bx = pbs, t1, pb  # reuse rows (pbs, t1 and pb are no longer needed)
    np.multiply(w1, ct, out=w1ct)
    for col, nq, ta, tb in ((1, nx, cf, sf), (2, ny, sf, cf)):
        np.multiply(pa, nq, out=ax)
        np.multiply(wn, nq, out=bx)  # bx = wn nx + w1ct cf - w2 sf,  by = wn ny + w1ct sf + w2 cf
        np.multiply(w1ct, ta, out=pc)
        bx += pc
        np.multiply(w2, tb, out=pc)
        if col == 1:
            bx -= pc
        else:
            bx += pc
        out[:, ia, col] = ax
        out[:, ib, col] = bx
        ax += bx
        np.negative(ax, out=out[:, ic, col])
    np.multiply(pa, ct, out=ax)
    np.multiply(wn, ct, out=bx)  # bz = wn ct - w1 st
    np.multiply(w1, st, out=pc)
    bx -= pc
    out[:, ia, 3] = ax
    out[:, ib, 3] = bx
    ax += bx
    np.negative(ax, out=out[:, ic, 3])


def three_body_rest(M: float, ma: float, mb: float, mc: float, s_ab, s_bc, u: np.ndarray, perm=(0, 1, 2)) -> np.ndarray:
    """Four-momenta (m, 3, 4) in the rest frame for Dalitz points (s_ab, s_bc) inside the physical
    region, oriented by three uniforms u (3, m): cos(theta) and phi of p_a and the azimuth psi of
    p_b around p_a, which together are a uniformly distributed rotation.  Particle a is stored in
    column perm[0], b in perm[1], c in perm[2].

    Energies: E_a = (M^2 + ma^2 - s_bc)/(2M), E_c = (M^2 + mc^2 - s_ab)/(2M), E_b = M - E_a - E_c;
    the angle between p_a and p_b follows from p_c = -(p_a + p_b):
    cos(ab) = (|p_c|^2 - |p_a|^2 - |p_b|^2) / (2 |p_a| |p_b|), and sin(ab) from Heron's formula.
    """
    s_ab = np.ascontiguousarray(s_ab, dtype=np.float64)
    s_bc = np.ascontiguousarray(s_bc, dtype=np.float64)
    u = np.ascontiguousarray(u, dtype=np.float64)
    out = np.empty((s_ab.size, 3, 4))
    kern = use_jit(s_ab.size)
    if kern is not None:
        kern.three_body_rest(float(M), float(ma), float(mb), float(mc), s_ab, s_bc, u, out, perm[0], perm[1], perm[2])
    else:
        ws = np.empty((_FILL_ROWS, min(s_ab.size, _BLOCK)))
        for sl in _blocks(s_ab.size):
            _fill_three_body_np(float(M), float(ma), float(mb), float(mc), s_ab[sl], s_bc[sl], u[0, sl], u[1, sl], u[2, sl], out[sl], perm[0], perm[1], perm[2], ws)
    return out


def _candidates_np(u, habs, edges, cU, cP, gU, gP, M, ma, mb, mc, ia, ib, ic, k, env, bins) -> None:
    """numpy twin of the compiled candidate generator, in blocks of :data:`_BLOCK` (see
    :func:`_candidates_block`)."""
    ws = np.empty((_FILL_ROWS, min(habs.size, _BLOCK)))
    for sl in _blocks(habs.size):
        _candidates_block(u[:, sl], habs[sl], edges, cU, cP, gU, gP, M, ma, mb, mc, ia, ib, ic, k[sl], env[sl], bins[sl], ws)


def _candidates_block(u, habs, edges, cU, cP, gU, gP, M, ma, mb, mc, ia, ib, ic, k, env, bins, ws=None) -> None:
    """numpy twin of the compiled candidate generator of :class:`DalitzSampler` (same arguments;
    fills k (m, 3, 4), env (m,) and bins (m,)).  Per candidate: u[0] picks the mixture component
    (probability pP of the polarised one) and, rescaled, the bin by inverse CDF (first bin whose
    cumulative integral exceeds it, np.searchsorted side='right' = bisect_right); u[1] places s_out in
    the bin, u[2] s_in between its Dalitz limits, u[3:6] the orientation."""
    nb = edges.size - 1
    IU = cU[nb - 1]
    IP = cP[nb - 1]
    x = u[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        pP = habs * IP / ((1.0 - habs) * IU + habs * IP)
        inP = x < pP
        n_in = np.count_nonzero(inP)
        if n_in == habs.size:  # all polarised (|h| = 1 gives pP = 1): no masked copies
            b = np.searchsorted(cP, (x / pP) * IP, side="right")
        else:
            b = np.empty(habs.size, dtype=np.int64)
            if n_in:
                xs, ps = x[inP], pP[inP]
                b[inP] = np.searchsorted(cP, (xs / ps) * IP, side="right")
            out_ = ~inP
            xs, ps = x[out_], pP[out_]
            b[out_] = np.searchsorted(cU, ((xs - ps) / (1.0 - ps)) * IU, side="right")
    np.minimum(b, nb - 1, out=b)
    e0 = edges[b]
    s_out = e0 + (edges[b + 1] - e0) * u[1]
    lo, hi = _limits_np(M, ma, mb, mc, s_out)
    d = np.maximum(hi - lo, 0.0)
    s_in = lo + d * u[2]
    g = (1.0 - habs) * gU[b] + habs * gP[b]
    with np.errstate(divide="ignore", invalid="ignore"):
        env[:] = np.where(d > 0.0, g / d, np.inf)
    bins[:] = b
    _fill_three_body_np(M, ma, mb, mc, s_out, s_in, u[3], u[4], u[5], k, ia, ib, ic, ws)


def _accept_np(w, env, u_acc, idx, bins, k, out, done, bin_ratio) -> tuple[int, float]:
    """numpy twin of the compiled acceptance: candidate j is accepted for event idx[j] if
    u_acc[j] < w[j]/env[j] and the event has none yet, keeping each event's first accepted candidate
    in generation order (idx must be non-decreasing, as np.repeat(pending, mult) is); accepted
    momenta are copied into out, done is set, and bin_ratio[b] is raised to the largest ratio > 1
    seen in bin b.  Negative or non-finite weights are bad and rejected.  Returns (n_bad, largest
    good weight)."""
    good = (w >= 0.0) & (w < np.inf)
    n_good = int(np.count_nonzero(good))
    n_bad = w.size - n_good
    if n_good == 0:
        return n_bad, 0.0
    if n_bad:
        w = np.where(good, w, 0.0)
    w_max = float(w.max())
    with np.errstate(divide="ignore", invalid="ignore"):
        r = w / env
    over = r > 1.0
    if n_bad:
        over &= good
    if over.any():
        np.maximum.at(bin_ratio, bins[over], r[over])
    acc = u_acc < r
    if n_bad:
        acc &= good
    ja = np.flatnonzero(acc)
    e = idx[ja]
    keep = ~done[e]
    if e.size > 1:
        keep[1:] &= e[1:] != e[:-1]  # first accepted candidate of each event (idx sorted)
    ja = ja[keep]
    e = e[keep]
    done[e] = True
    out[e] = k[ja]
    return n_bad, w_max


@dataclass
class SamplingStats:
    """What an accept-reject run saw: candidates tried, the largest weight/envelope ratio (must be
    <= 1 for the sample to be exact), the largest weight evaluated, the largest ratio per envelope
    bin (0 where no ratio exceeded 1), and the number of negative or non-finite weights (rejected)."""

    n_candidates: int
    max_ratio: float
    max_weight: float
    bin_max_ratio: np.ndarray
    n_bad: int


def _unique_sorted(x: np.ndarray) -> np.ndarray:
    """np.unique of a float array without NaN (the same values, sorted, duplicates dropped), without
    np.unique's import of numpy.ma (~0.02 s of CPU at the first call in a process)."""
    x = np.sort(x)
    keep = np.empty(x.shape, dtype=bool)
    keep[:1] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def _outer_edges(s_min: float, s_max: float, n_lin: int, n_log: int) -> np.ndarray:
    """Bin edges of the outer invariant: uniform, plus geometric clustering towards both ends (down
    to 1e-9 of the range) to resolve threshold peaks and the square-root edges of the Dalitz plot."""
    width = s_max - s_min
    t = np.concatenate([np.linspace(0.0, 1.0, n_lin + 1), np.logspace(-9.0, -0.3, n_log), 1.0 - np.logspace(-9.0, -0.3, n_log)])
    t = _unique_sorted(np.clip(t, 0.0, 1.0))
    edges = s_min + width * t
    edges[0], edges[-1] = s_min, s_max
    return _unique_sorted(edges)


class DalitzSampler:
    """Exact accept-reject sampler of three-body decays M -> m0 m1 m2 at rest with density
    proportional to weight(k, s3) over flat phase space, for parents with polarisation h along +z.

    Envelope: one pair invariant s_out (the pair chosen to maximise the efficiency) has a piecewise-
    constant envelope g(s_out) >= margin * max_inner |M|^2 * Delta(s_out), where Delta is the length of
    the other invariant's range (Dalitz-plot limits); the other invariant is uniform in its range.  The weight
    is assumed linear in the spin vector (true for a spin-1/2 parent: |M|^2 = A + B.s), so the
    envelope of a parent with polarisation |h| is (1 - |h|) g_A + |h| g_{A+|B|}, where g_A bounds the
    unpolarised weight and g_{A+|B|} the fully polarised one (|B| from three spin directions).
    The bounds come from a deterministic scan (bin edges and mid-points x 33 inner points, at a fixed
    orientation) and a random one (``n_refine`` configurations per bin with random orientations,
    from a fixed internal seed), times ``margin``.  A declared upper bound ``msq_max`` caps this
    envelope at msq_max * Delta (it is never looser than the declared bound), and
    :meth:`use_declared_bound` falls back to the declared bound alone.
    Candidates whose ratio weight/envelope exceeds 1 are reported in :class:`SamplingStats`, and
    :meth:`enlarge` raises the envelope.
    """

    def __init__(
        self,
        M: float,
        masses,
        weight: Optional[WeightFunction] = None,
        msq_max: Optional[float] = None,
        *,
        margin: float = 1.2,
        n_lin: int = 48,
        n_log: int = 24,
        n_inner: int = 33,
        n_refine: int = 128,
    ) -> None:
        masses = tuple(float(m) for m in masses)
        if len(masses) != 3:
            raise ValueError("three daughter masses expected")
        if M <= sum(masses):
            raise ValueError(f"three-body decay closed: M = {M} <= sum of masses {sum(masses)}")
        self.M = float(M)
        self.masses = masses
        self.weight = weight
        self.msq_max = msq_max
        self.margin = float(margin)
        best = None
        perms = [(0, 1, 2)] if weight is None else [(0, 1, 2), (1, 2, 0), (2, 0, 1)]
        for perm in perms:
            env = self._build(perm, n_lin, n_log, n_inner)
            if best is None or env["eff"] > best["eff"]:
                best = env
        self._polarise(best, n_inner)
        self.perm = best["perm"]
        self.edges = best["edges"]
        self.gU = best["gU"]
        self.gP = best["gP"]
        self._dmax = best["dmax"]
        #: largest weight seen by the scans (any spin direction)
        self.scan_max = best["wmax"]
        self.efficiency_estimate = best["eff"]
        if weight is not None:
            self._refine(n_refine)
        if msq_max is not None:
            if self.scan_max > float(msq_max) * (1.0 + 1e-9):
                raise ValueError(f"|M|^2 exceeds its declared msq_max by a factor {self.scan_max / float(msq_max):.6g}")
            cap = float(msq_max) * self._dmax
            self.gU = np.minimum(self.gU, cap)
            self.gP = np.minimum(self.gP, cap)
        if not self.gU.sum() > 0:
            raise ValueError("the three-body weight vanishes on the whole Dalitz plot")
        self._update_cumulative()

    # ------------------------------------------------------------------ envelope
    def _weights_on(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unpolarised weight A and fully polarised max A + |B| at rest-frame configurations k."""
        A = self._weight_unpolarised(k)
        return A, self._weight_polarised_max(k, A)

    def _weight_unpolarised(self, k: np.ndarray) -> np.ndarray:
        """Unpolarised weight A = weight(k, 0) at rest-frame configurations k (1 for flat phase space)."""
        m = k.shape[0]
        if self.weight is None:
            return np.ones(m)
        return np.asarray(self.weight(k, np.zeros((m, 3))), dtype=np.float64)

    def _weight_polarised_max(self, k: np.ndarray, A: np.ndarray) -> np.ndarray:
        """Fully polarised maximum A + |B| (|M|^2 = A + B.s is linear in s: B from three spin
        directions)."""
        m = k.shape[0]
        if self.weight is None:
            return A
        B2 = np.zeros(m)
        for j in range(3):
            s3 = np.zeros((m, 3))
            s3[:, j] = 1.0
            B2 += (np.asarray(self.weight(k, s3), dtype=np.float64) - A) ** 2
        return A + np.sqrt(B2)

    def _build(self, perm, n_lin, n_log, n_inner) -> dict:
        """Envelope candidate for the outer pair perm[:2]: the unpolarised bound gU and the
        efficiency estimate (from the unpolarised weight only: the choice of pair needs no more);
        :meth:`_polarise` completes the chosen one."""
        M = self.M
        ma, mb, mc = (self.masses[i] for i in perm)
        s_min, s_max = (ma + mb) ** 2, (M - mc) ** 2
        edges = _outer_edges(s_min, s_max, n_lin, n_log)
        nb = edges.size - 1
        mids = 0.5 * (edges[:-1] + edges[1:])
        pts = np.concatenate([edges, mids])  # edges: 0..nb, mids: nb+1..2nb
        # a massless pair: evaluate the s_out = 0 edge just inside (1e-12 of the range)
        pts = np.maximum(pts, s_min + 1e-12 * (s_max - s_min))
        lo, hi = dalitz_limits(M, ma, mb, mc, pts)
        delta = np.maximum(hi - lo, 0.0)
        t = 0.5 * (1.0 - np.cos(np.pi * np.arange(n_inner) / (n_inner - 1)))
        s_out = np.repeat(pts, n_inner)
        s_in = (lo[:, None] + (hi - lo)[:, None] * t[None, :]).ravel()
        u = np.zeros((3, s_out.size))
        u[0] = 1.0  # p_a along +z, p_b in the xz plane: any fixed orientation will do
        k = three_body_rest(M, ma, mb, mc, s_out, s_in, u, perm)
        A = self._weight_unpolarised(k)
        _check_weights(A, A)
        A = A.reshape(pts.size, n_inner)
        amax = A.max(axis=1)
        # largest inner range in each bin: 17 points per bin (Delta is smooth inside the region and
        # monotonic near its square-root ends); 1 + 1e-4 covers the spacing (relative error
        # ~ (bin width / range)^2 / 1000 at an interior maximum)
        tb = np.linspace(0.0, 1.0, 17)
        fine = (edges[:-1, None] + np.diff(edges)[:, None] * tb[None, :]).ravel()
        flo, fhi = dalitz_limits(M, ma, mb, mc, np.maximum(fine, s_min + 1e-12 * (s_max - s_min)))
        dmax = (1.0 + 1e-4) * np.maximum(fhi - flo, 0.0).reshape(nb, tb.size).max(axis=1)
        gU = self._bin_bound(amax, dmax)
        width = np.diff(edges)
        # integral of the unpolarised |M|^2 over the Dalitz plot (trapezoid in s_in, midpoint in s_out)
        wt = _inner_quadrature_weights(t)
        integ = np.sum(width * (A[nb + 1:] @ wt) * delta[nb + 1:])
        env = np.sum(width * gU)
        eff = float(integ / env) if env > 0 else 0.0
        return {"perm": perm, "edges": edges, "gU": gU, "eff": eff, "dmax": dmax, "k": k, "A": A.ravel()}

    def _bin_bound(self, wmax_at_points: np.ndarray, dmax: np.ndarray) -> np.ndarray:
        """Envelope per bin from the largest weight at each scan point (edges 0..nb, mid-points
        nb+1..2nb): margin x max(left edge, right edge, mid-point) x max Delta in the bin."""
        nb = dmax.size
        w = wmax_at_points
        # a constant weight (flat phase space) is bounded exactly
        fac = 1.0 if self.weight is None else self.margin
        return fac * np.maximum(np.maximum(w[:nb], w[1 : nb + 1]), w[nb + 1 : 2 * nb + 1]) * dmax

    def _polarise(self, env: dict, n_inner: int) -> None:
        """The polarised bound gP and the largest scanned weight for the chosen envelope ``env``."""
        A = env["A"]
        PA = self._weight_polarised_max(env["k"], A)
        _check_weights(A, PA)
        pmax = PA.reshape(-1, n_inner).max(axis=1)
        env["gP"] = self._bin_bound(pmax, env["dmax"])
        env["wmax"] = float(PA.max())

    def _refine(self, n_per_bin: int) -> None:
        """Raise the envelope to cover the weights at ``n_per_bin`` random configurations per bin
        (random orientation, so features that the fixed-orientation grid cannot see are probed).
        The random numbers come from a fixed internal seed: the envelope is deterministic."""
        rng = np.random.default_rng(0x5EED)
        nb = self.edges.size - 1
        b = np.repeat(np.arange(nb), n_per_bin)
        u = rng.random((5, b.size))
        s_out = self.edges[b] + (self.edges[b + 1] - self.edges[b]) * u[0]
        ma, mb, mc = (self.masses[i] for i in self.perm)
        lo, hi = dalitz_limits(self.M, ma, mb, mc, s_out)
        s_in = lo + np.maximum(hi - lo, 0.0) * u[1]
        k = three_body_rest(self.M, ma, mb, mc, s_out, s_in, u[2:], self.perm)
        A, PA = self._weights_on(k)
        _check_weights(A, PA)
        amax = np.zeros(nb)
        pmax = np.zeros(nb)
        np.maximum.at(amax, b, A)
        np.maximum.at(pmax, b, PA)
        self.scan_max = max(self.scan_max, float(pmax.max(initial=0.0)))
        self.gU = np.maximum(self.gU, self.margin * amax * self._dmax)
        self.gP = np.maximum(self.gP, self.margin * pmax * self._dmax)

    def _update_cumulative(self) -> None:
        width = np.diff(self.edges)
        self.cU = np.cumsum(self.gU * width)
        self.cP = np.cumsum(self.gP * width)

    def use_declared_bound(self) -> None:
        """Envelope = msq_max * Delta (the declared bound alone), after the scanned envelope, capped
        at it, was exceeded by a weight that the declared bound still covers."""
        if self.msq_max is None:
            raise ValueError("no declared bound")
        self.gU = float(self.msq_max) * self._dmax
        self.gP = self.gU.copy()
        self._update_cumulative()

    def enlarge(self, factor: float) -> None:
        """Multiply the envelope by ``factor`` everywhere (after a weight exceeded it: a feature the
        scans missed may be anywhere, so every bin is raised; exact at the cost of efficiency)."""
        self.gU = self.gU * factor
        self.gP = self.gP * factor
        self._update_cumulative()

    # ------------------------------------------------------------------ sampling
    def _candidates(self, u: np.ndarray, habs: np.ndarray, kern=None):
        """Candidates for parents with |h| = habs from uniforms u (>= 6, m): daughters (m, 3, 4) at
        rest, the envelope density at each point (inf where the inner range is empty) and its bin.
        ``kern``: the compiled kernels (darkbeam.mc._jit.kernels()) or None for the numpy twin."""
        m = habs.size
        k = np.empty((m, 3, 4))
        env = np.empty(m)
        bins = np.empty(m, dtype=np.int64)
        ma, mb, mc = (self.masses[i] for i in self.perm)
        fn = _candidates_np if kern is None else kern.candidates
        fn(u, habs, self.edges, self.cU, self.cP, self.gU, self.gP, self.M, ma, mb, mc,
           self.perm[0], self.perm[1], self.perm[2], k, env, bins)
        return k, env, bins

    #: events per chunk: bounds the memory of the candidate arrays and keeps them in cache
    chunk = 1 << 16

    def sample(self, rng: np.random.Generator, h) -> tuple[np.ndarray, SamplingStats]:
        """Daughter four-momenta (n, 3, 4) at rest (spin axis +z) for parents with polarisations h
        (n,), |h| <= 1 (negative h: spin along -z), and the run's :class:`SamplingStats`.

        Events are processed in chunks of :attr:`chunk`; within a chunk every pending event gets one
        candidate per round (several when few are left) until all are accepted.  A batch of n >=
        darkbeam.mc._jit.threshold() parents uses the compiled kernels, a smaller one their numpy
        twins (same random numbers, same results to rounding).
        """
        h = np.asarray(h, dtype=np.float64).ravel()
        n = h.size
        kern = use_jit(n)
        out = np.empty((n, 3, 4))
        bin_ratio = np.zeros(self.edges.size - 1)
        n_cand = 0
        n_bad = 0
        w_max = 0.0
        for start in range(0, n, self.chunk):
            stop = min(start + self.chunk, n)
            c, b, wm = self._sample_chunk(rng, h[start:stop], out[start:stop], bin_ratio, kern)
            n_cand += c
            w_max = max(w_max, wm)
            n_bad += b
        stats = SamplingStats(n_candidates=n_cand, max_ratio=float(bin_ratio.max(initial=0.0)), max_weight=w_max,
                              bin_max_ratio=bin_ratio, n_bad=n_bad)
        return out, stats

    def _sample_chunk(self, rng, h, out, bin_ratio, kern=None) -> tuple[int, int, float]:
        n = h.size
        pending = np.arange(n)
        done = np.zeros(n, dtype=np.bool_)
        n_cand = 0
        n_bad = 0
        w_max = 0.0
        eff = max(self.efficiency_estimate, 1e-4)
        while pending.size:
            mult = 1 if pending.size > 4096 else int(min(max(np.ceil(2.0 / eff), 1), 2000))
            idx = np.repeat(pending, mult) if mult > 1 else pending
            hc = h[idx]
            u = rng.random((7, idx.size))
            k, env, b = self._candidates(u, np.abs(hc), kern)
            if self.weight is None:
                w = np.ones(idx.size)
            else:
                s3 = np.zeros((idx.size, 3))
                s3[:, 2] = hc
                w = np.ascontiguousarray(self.weight(k, s3), dtype=np.float64)
            nbad, wm = (_accept_np if kern is None else kern.accept)(w, env, u[6], idx, b, k, out, done, bin_ratio)
            n_bad += nbad
            w_max = max(w_max, wm)
            n_cand += idx.size
            pending = pending[~done[pending]]
        return n_cand, n_bad, w_max


def _check_weights(A: np.ndarray, PA: np.ndarray) -> None:
    """Scanned weights must be finite and non-negative for every spin: A - |B| = 2A - (A + |B|) >= 0
    (to rounding, 1e-9 of the largest)."""
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(PA))):
        raise ValueError("the three-body weight is not finite on the Dalitz plot")
    if PA.size and np.min(2.0 * A - PA) < -1e-9 * np.max(np.abs(PA)):
        raise ValueError("the three-body weight is negative on the Dalitz plot (for some spin direction)")


def _inner_quadrature_weights(t: np.ndarray) -> np.ndarray:
    """Trapezoid weights on [0, 1] for the (non-uniform) nodes t."""
    w = np.zeros_like(t)
    dt = np.diff(t)
    w[:-1] += 0.5 * dt
    w[1:] += 0.5 * dt
    return w
