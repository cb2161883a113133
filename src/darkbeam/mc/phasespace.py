"""Two- and three-body decay phase space, vectorized: momenta, Dalitz-plot limits, configurations.

Everything here is in the parent's rest frame, with the parent's spin axis along +z; the
transformation to the lab is :func:`darkbeam.mc.fourvec.helicity_frame_to_lab`.  Randomness comes
from a numpy Generator passed in.  This module knows nothing of physics.  The exact sampler of
three-body decays from a matrix element is :class:`darkbeam.mc.dalitz.DalitzSampler` (also reachable
as ``phasespace.DalitzSampler``).  Derivations: docs/decay_sampling.md.

Two-body (PDG Review of Particle Physics 2024, ch. 49 "Kinematics", "Two-body decays"):
|p*| = lambda^(1/2)(M^2, m1^2, m2^2) / (2M); daughter 1 at polar angle theta to +z is drawn from
(1 + a cos theta)/2 by inverting its CDF exactly.

Three-body (same review, "Three-body decays"): dGamma = |M|^2 / ((2 pi)^3 32 M^3) dm12^2 dm23^2 for
an unpolarised parent, i.e. flat phase space is uniform in the Dalitz variables; a polarised parent
adds the orientation, uniform in d^3Omega/(8 pi^2) for flat phase space.

Kernels: the loops over points (Dalitz limits, momenta) exist twice, as
vectorized numpy (here, used below the JIT threshold) and as numba-compiled loops
(:mod:`darkbeam.mc._numba_kernels`, used from the threshold on, numba imported only then); both
evaluate the same expressions in the same order and consume the same random numbers, so they agree
to rounding.  The policy is in :mod:`darkbeam.mc._jit`.
"""

from __future__ import annotations

import numpy as np

from darkbeam.mc._jit import use_jit

__all__ = [
    "kallen",
    "two_body_momentum",
    "sample_cos_linear",
    "two_body_rest",
    "dalitz_limits",
    "three_body_rest",
]

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
    """numpy twin of the compiled limits (same expressions in the same order; see dalitz_limits),
    as in-place ufuncs on a few scratch rows (the same bits as the formulation with fresh
    temporaries: tests/test_decay_path_speed.py).  Returns (lo, hi), new arrays."""
    m = np.size(s_ab)
    ws = np.empty((6, m))
    s, mab, Eb, Ec, t, u = ws
    lo = np.empty(np.shape(s_ab))
    hi = np.empty(np.shape(s_ab))
    lo_, hi_ = lo.reshape(-1), hi.reshape(-1)
    np.maximum(np.ravel(s_ab), 1e-300, out=s)  # s_ab = 0 only for a massless pair (measure zero): avoid 0/0
    np.sqrt(s, out=mab)
    # E_b* = (s - ma^2 + mb^2)/(2 m_ab), E_c* = (M^2 - s - mc^2)/(2 m_ab)
    np.multiply(mab, 2.0, out=u)
    np.subtract(s, ma * ma, out=Eb)
    Eb += mb * mb
    Eb /= u
    np.subtract(M * M, s, out=Ec)
    Ec -= mc * mc
    Ec /= u
    # p_b*^2 = max((s - (ma+mb)^2)(s - (ma-mb)^2), 0)/(4 s)
    pb2 = lo_
    np.subtract(s, (ma + mb) ** 2, out=pb2)
    np.subtract(s, (ma - mb) ** 2, out=t)
    pb2 *= t
    np.maximum(pb2, 0.0, out=pb2)
    np.multiply(s, 4.0, out=s)  # 4 s (s is not needed any more)
    pb2 /= s
    # p_c*^2 = max((M^2 - (m_ab+mc)^2)(M^2 - (m_ab-mc)^2), 0)/(4 s)
    pc2 = hi_
    np.add(mab, mc, out=t)
    np.square(t, out=t)
    np.subtract(M * M, t, out=pc2)
    np.subtract(mab, mc, out=t)
    np.square(t, out=t)
    np.subtract(M * M, t, out=t)
    pc2 *= t
    np.maximum(pc2, 0.0, out=pc2)
    pc2 /= s
    # den = E_b* E_c* + sqrt(p_b*^2 p_c*^2)
    den = u
    np.multiply(pb2, pc2, out=t)
    np.sqrt(t, out=t)
    np.multiply(Eb, Ec, out=den)
    den += t
    base = mb * mb + mc * mc
    # hi = base + 2 den
    np.multiply(den, 2.0, out=hi_)
    np.add(base, hi_, out=hi_)
    # lo = base + 2 (mb^2 Ec^2 + mc^2 Eb^2 - mb^2 mc^2)/den, base where den <= 0
    np.multiply(mb * mb, Ec, out=t)
    t *= Ec
    np.multiply(mc * mc, Eb, out=mab)
    mab *= Eb
    t += mab
    t -= mb * mb * mc * mc
    t *= 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        t /= den
    np.add(base, t, out=lo_)
    ok = np.greater(den, 0.0, out=np.empty(m, dtype=np.bool_))
    if not ok.all():
        lo_[~ok] = base
    return lo, hi


#: rows of the scratch space of :func:`_momentum_triangle_np`
_TRIANGLE_ROWS = 14


def _momentum_triangle_np(M, ma, mb, mc, s_ab, s_bc, ws) -> None:
    """The momentum triangle of the Dalitz points (s_ab, s_bc) at rest, into the first 14 rows of ws:
    (Ea, Eb, Ec, pa2, pb2, pc2, pa, pb, pc, den, h, t1, t2, cab), of which the energies, |p|^2, |p|,
    den = 2 |pa| |pb|, h = sin(ab) and cab = cos(ab) (the angle between p_a and p_b) are the results and
    t1, t2 scratch.  Formulas: :func:`three_body_rest`.  In-place ufuncs in the compiled kernels' order
    of operations; shared by :func:`_fill_three_body_np` and ``_dalitz_np._fill_body_np``."""
    (Ea, Eb, Ec, pa2, pb2, pc2, pa, pb, pc, den, h, t1, t2, cab) = ws[:_TRIANGLE_ROWS]
    two_m = 2.0 * M
    # energies: E_a = (M^2 + ma^2 - s_bc)/2M, E_c = (M^2 + mc^2 - s_ab)/2M, E_b = M - E_a - E_c
    np.subtract(M * M + ma * ma, s_bc, out=Ea)
    Ea /= two_m
    np.subtract(M * M + mc * mc, s_ab, out=Ec)
    Ec /= two_m
    np.subtract(M, Ea, out=Eb)
    Eb -= Ec
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
    ws = ws[:_FILL_ROWS, :m]
    (Ea, Eb, Ec, pa2, pb2, pc2, pa, pb, pc, den, h, t1, t2, cab, ct, st) = ws
    _momentum_triangle_np(M, ma, mb, mc, s_ab, s_bc, ws)
    out[:, ia, 0] = Ea
    out[:, ib, 0] = Eb
    out[:, ic, 0] = Ec
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


def __getattr__(name: str):
    """The sampler moved to :mod:`darkbeam.mc.dalitz`; ``phasespace.DalitzSampler`` and
    ``phasespace.SamplingStats`` still resolve (imported on first access: dalitz imports this module)."""
    if name in ("DalitzSampler", "SamplingStats"):
        from darkbeam.mc import dalitz

        return getattr(dalitz, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
