"""The decay path's faster numpy kernels (issue 10) against their former formulations, bit for bit.

The references below are the formulations of commit 6dcc0cd (fresh numpy temporaries, C-ordered
daughters), kept here verbatim in substance: the in-place rewrites (scratch rows, out= ufuncs,
component-major daughters) must give the same bits on the same inputs, including the edge cases
(Dalitz-plot corners and flat triangles, B = 0, parents at rest or along the z axis, block edges).
"""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.mc import _dalitz_np as dnp
from darkbeam.mc import fourvec as fv
from darkbeam.mc.phasespace import _blocks, dalitz_limits, sample_cos_linear

_TWO_PI = 2.0 * np.pi


# ------------------------------------------------------------------ references (commit 6dcc0cd)
def _ref_fill_body(M, ma, mb, mc, s_ab, s_bc, out, ia, ib, ic):
    two_m = 2.0 * M
    Ea = (M * M + ma * ma - s_bc) / two_m
    Ec = (M * M + mc * mc - s_ab) / two_m
    Eb = M - Ea - Ec
    pa2 = np.maximum(Ea * Ea - ma * ma, 0.0)
    pb2 = np.maximum(Eb * Eb - mb * mb, 0.0)
    pc2 = np.maximum(Ec * Ec - mc * mc, 0.0)
    pa, pb, pc = np.sqrt(pa2), np.sqrt(pb2), np.sqrt(pc2)
    den = 2.0 * pa * pb
    heron = (pa + pb + pc) * (-pa + pb + pc) * (pa - pb + pc) * (pa + pb - pc)
    with np.errstate(divide="ignore", invalid="ignore"):
        cab = np.minimum(np.maximum((pc2 - pa2 - pb2) / den, -1.0), 1.0)
        sab = np.minimum(np.sqrt(np.maximum(heron, 0.0)) / den, 1.0)
    flat = ~(den > 0.0)
    cab[flat] = 1.0
    sab[flat] = 0.0
    bx, bz = pb * sab, pb * cab
    out[:, ia] = np.stack([Ea, 0 * Ea, 0 * Ea, pa], axis=1)
    out[:, ia, 1:3] = 0.0
    out[:, ib, 0], out[:, ib, 1], out[:, ib, 2], out[:, ib, 3] = Eb, bx, 0.0, bz
    out[:, ic, 0], out[:, ic, 1], out[:, ic, 2], out[:, ic, 3] = Ec, -bx, 0.0, -(pa + bz)


def _ref_orient_plane(k, A, Bx, Bz, h, v, ia, ib, ic):
    n_bad = 0
    for sl in _blocks(A.size):
        a_, bx_, bz_ = A[sl], Bx[sl], Bz[sl]
        Bn = np.sqrt(bx_ * bx_ + bz_ * bz_)
        n_bad += Bn.size - int(np.count_nonzero(Bn <= a_ * (1.0 + dnp._SPIN_TOL)))
        pos = Bn > 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(pos, np.minimum(Bn / a_, 1.0), 0.0)
            bx = np.where(pos, bx_ / Bn, 0.0)
            bz = np.where(pos, bz_ / Bn, 1.0)
        c = sample_cos_linear(v[0, sl], h[sl] * r)
        s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
        phi, psi = _TWO_PI * v[1, sl], _TWO_PI * v[2, sl]
        cf, sf, cp, sp = np.cos(phi), np.sin(phi), np.cos(psi), np.sin(psi)
        d = (s * cf, s * sf, c)
        g = (-sp * (c * cf) - cp * sf, -sp * (c * sf) + cp * cf, sp * s)
        ks = k[sl]
        tot = [None, None, None]
        for i in (ia, ib):
            qx, qz = ks[:, i, 1].copy(), ks[:, i, 3].copy()
            x1 = qx * bx + qz * bz
            x3 = qx * -bz + qz * bx
            for col in range(3):
                q = x1 * d[col] + x3 * g[col]
                ks[:, i, col + 1] = q
                tot[col] = q if tot[col] is None else tot[col] + q
        for col in range(3):
            ks[:, ic, col + 1] = -tot[col]
    return n_bad


def _ref_helicity_frame_to_lab(k, P, M, masses):
    px, py, pz = P[:, 1], P[:, 2], P[:, 3]
    pabs = np.sqrt(px * px + py * py + pz * pz)
    g, bg = P[:, 0] / M, pabs / M
    moving = pabs > 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        nx = np.where(moving, px / pabs, 0.0)
        ny = np.where(moving, py / pabs, 0.0)
        nz = np.where(moving, pz / pabs, 1.0)
        rho = np.sqrt(nx * nx + ny * ny)
        cf = np.where(rho > 0.0, nx / rho, 1.0)
        sf = np.where(rho > 0.0, ny / rho, 0.0)
    out = np.empty(k.shape)
    for i in range(k.shape[1]):
        qx, qy = k[:, i, 1], k[:, i, 2]
        qz = g * k[:, i, 3] + bg * k[:, i, 0]
        out[:, i, 0] = np.sqrt(masses[i] * masses[i] + qx * qx + qy * qy + qz * qz)
        out[:, i, 1] = qx * (nz * cf) - qy * sf + qz * nx
        out[:, i, 2] = qx * (nz * sf) + qy * cf + qz * ny
        out[:, i, 3] = qz * nz - qx * rho
    return out


# ------------------------------------------------------------------ helpers
def _layouts(n):
    """An (n, 3, 4) C-ordered array and an (n, 3, 4) view of component-major storage."""
    return np.empty((n, 3, 4)), np.empty((3, 4, n)).transpose(2, 0, 1)


def _bits(a):
    return np.ascontiguousarray(a).tobytes()


MASSES = [(0.15, 0.0, 0.000511, 0.000511), (0.4, 0.1057, 0.1057, 0.0), (1.0, 0.0, 0.0, 0.0), (0.3, 0.1, 0.05, 0.1)]


@pytest.mark.parametrize("M, ma, mb, mc", MASSES)
@pytest.mark.parametrize("perm", [(0, 1, 2), (1, 2, 0), (2, 0, 1)])
def test_fill_body_same_bits(M, ma, mb, mc, perm):
    """In-place body-frame fill = the former formulation, corners of the Dalitz plot included
    (s_ab at both ends, s_bc at its limits: flat triangles, den = 0)."""
    rng = np.random.default_rng(11)
    n = 3000
    s_min, s_max = (ma + mb) ** 2, (M - mc) ** 2
    s_ab = s_min + (s_max - s_min) * rng.random(n)
    s_ab[:4] = [s_min, s_max, s_min + 1e-300, s_max * (1 - 1e-15)]
    lo, hi = dalitz_limits(M, ma, mb, mc, s_ab)
    s_bc = lo + (hi - lo) * rng.random(n)
    s_bc[4:8], s_bc[8:12] = lo[4:8], hi[8:12]
    for ref, new in zip(_layouts(n), _layouts(n)):
        ref[...] = np.nan
        new[...] = np.nan
        _ref_fill_body(M, ma, mb, mc, s_ab, s_bc, ref, *perm)
        dnp._fill_body_np(M, ma, mb, mc, s_ab, s_bc, new, *perm)
        assert _bits(ref) == _bits(new)
    # and the physics: momentum balance in the body frame (independent check that it is not garbage)
    assert np.allclose(new[:, :, 1:].sum(axis=1), 0.0, atol=1e-15 * M)


@pytest.mark.parametrize("n", [1, 5, 8192, 8193, 20000])
def test_orient_in_plane_same_bits(n):
    """The in-place orientation of in-plane decays = the former formulation, over block edges, with
    B = 0 points and |B| > A (bad) points, for C-ordered and component-major daughters."""
    rng = np.random.default_rng(n)
    k0 = rng.normal(size=(n, 3, 4))
    k0[:, :, 2] = 0.0
    A = rng.random(n) + 0.5
    Bx, Bz = 0.4 * rng.normal(size=n), 0.4 * rng.normal(size=n)
    if n > 3:
        Bx[:2] = Bz[:2] = 0.0
        Bx[2] = 5.0
    h = rng.uniform(-1.0, 1.0, n)
    v = rng.random((3, n))
    for perm in [(0, 1, 2), (2, 0, 1)]:
        for ka, kb in zip(_layouts(n), _layouts(n)):
            ka[...] = k0
            kb[...] = k0
            bad_a = _ref_orient_plane(ka, A, Bx, Bz, h, v, *perm)
            bad_b = dnp._orient_np(kb, A, Bx, None, Bz, h, v, *perm)
            assert bad_a == bad_b
            assert _bits(ka) == _bits(kb)
    if n > 3:
        assert bad_b >= 1  # the |B| > A point is counted
    # the rotation keeps the lengths of the two rotated daughters (columns 2 and 0 of the last perm)
    # and the third is minus their sum (independent checks)
    assert np.allclose(np.sum(kb[3:, [2, 0], 1:] ** 2, axis=2), np.sum(k0[3:, [2, 0], 1:] ** 2, axis=2))
    assert np.allclose(kb[:, 1, 1:], -(kb[:, 2, 1:] + kb[:, 0, 1:]), atol=1e-12)


@pytest.mark.parametrize("n", [1, 7, 8192, 9000])
def test_helicity_frame_to_lab_same_bits(n):
    """The boost to the lab = the former formulation, for parents at rest and along the z axis too,
    from C-ordered and component-major daughters."""
    rng = np.random.default_rng(100 + n)
    M = 0.15
    p = rng.exponential(1.0, (n, 3))
    if n > 3:
        p[0] = 0.0
        p[1, :2] = 0.0
        p[2, :2], p[2, 2] = 0.0, -2.0
    P = np.concatenate([np.sqrt(M * M + (p * p).sum(1))[:, None], p], axis=1)
    k0 = rng.normal(size=(n, 3, 4))
    masses = np.array([0.0, 0.000511, 0.000511])
    ref = _ref_helicity_frame_to_lab(k0, P, M, masses)
    for k in _layouts(n):
        k[...] = k0
        new = fv.helicity_frame_to_lab(k, P, M, masses)
        assert new.flags.c_contiguous
        assert _bits(ref) == _bits(new)
    # on shell with the given masses (independent check)
    assert np.allclose(new[:, :, 0] ** 2 - np.sum(new[:, :, 1:] ** 2, axis=2), masses**2, atol=1e-9)


def _ref_limits(M, ma, mb, mc, s_ab):
    s = np.maximum(s_ab, 1e-300)
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
    return np.where(den > 0.0, lo, base), hi


@pytest.mark.parametrize("M, ma, mb, mc", MASSES + [(0.15, 0.000511, 0.000511, 0.0)])
def test_limits_same_bits(M, ma, mb, mc):
    """In-place Dalitz limits = the former formulation, at and beyond the ends of s_ab too."""
    from darkbeam.mc.phasespace import _limits_np

    rng = np.random.default_rng(7)
    s_min, s_max = (ma + mb) ** 2, (M - mc) ** 2
    s = s_min + (s_max - s_min) * rng.random(5000)
    s[:5] = [s_min, s_max, 0.0, s_max * 1.01, s_min * (1 + 1e-12)]
    with np.errstate(over="ignore", invalid="ignore"):
        lo_r, hi_r = _ref_limits(M, ma, mb, mc, s)
        lo, hi = _limits_np(M, ma, mb, mc, s)
        lo0, hi0 = _limits_np(M, ma, mb, mc, s[6:7].reshape(()))
    assert lo.tobytes() == lo_r.tobytes() and hi.tobytes() == hi_r.tobytes()
    assert lo0.shape == () and float(lo0) == lo[6] and float(hi0) == hi[6]
    inside = slice(5, None)
    assert np.all(lo[inside] <= hi[inside])  # a non-empty inner range inside the plot (independent)


@pytest.mark.parametrize("n", [100, 3000])
def test_first_acceptance_round_same_selection(n):
    """The first round's shortcut of _accept_np (idx = range, nothing done) selects and copies the
    same candidates as the general path."""
    rng = np.random.default_rng(n)
    w = rng.random(n)
    w[:3] = [-1.0, np.inf, np.nan]
    env = rng.random(n) + 0.5
    env[5] = 0.1  # a ratio above 1 (recorded in cell_ratio)
    u_acc = rng.random(n)
    idx = np.arange(n)
    cells = rng.integers(0, 16, n)
    k = rng.normal(size=(n, 3, 4))
    res = []
    for first in (False, True):
        out, A, done, ratio = np.zeros((n, 3, 4)), np.zeros(n), np.zeros(n, dtype=bool), np.zeros(16)
        nb, wm = dnp._accept_np(w, env, u_acc, idx, cells, k, out, A, done, ratio, first=first)
        res.append((nb, wm, out.tobytes(), A.tobytes(), done.tobytes(), ratio.tobytes()))
    assert res[0] == res[1]
    assert res[0][0] == 3 and 0 < np.frombuffer(res[0][4], dtype=bool).sum() < n
