"""numba-compiled kernels of darkbeam.mc (phase space and the lab transform), for large batches.

This module imports numba at its top and is itself imported only through
:func:`darkbeam.mc._jit.kernels`, i.e. the first time a batch at or above the JIT threshold is
processed: importing darkbeam and running small batches never loads numba (whose initialisation
costs ~0.5-1 s of CPU per process).  Each kernel has a pure-numpy twin in
:mod:`darkbeam.mc.phasespace`, :mod:`darkbeam.mc.dalitz` and :mod:`darkbeam.mc.fourvec` that evaluates the same expressions in
the same order, so that both give the same numbers to rounding (tests/test_phasespace.py checks it).
Formulas and their sources: the docstrings of the numpy twins and docs/decay_sampling.md.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["limits_vec", "three_body_rest", "candidates", "accept", "orient", "helicity_frame_to_lab"]


@njit(cache=True, inline="always")
def _limits_scalar(M, ma, mb, mc, s_ab):  # pragma: no cover - compiled
    """Dalitz-plot limits of s_bc at fixed s_ab (twin: phasespace._limits_np)."""
    s = max(s_ab, 1e-300)  # s_ab = 0 only for a massless pair (measure zero): avoid 0/0
    mab = np.sqrt(s)
    Eb = (s - ma * ma + mb * mb) / (2.0 * mab)
    Ec = (M * M - s - mc * mc) / (2.0 * mab)
    pb2 = max((s - (ma + mb) ** 2) * (s - (ma - mb) ** 2), 0.0) / (4.0 * s)
    pc2 = max((M * M - (mab + mc) ** 2) * (M * M - (mab - mc) ** 2), 0.0) / (4.0 * s)
    pbpc = np.sqrt(pb2 * pc2)
    base = mb * mb + mc * mc
    hi = base + 2.0 * (Eb * Ec + pbpc)
    den = Eb * Ec + pbpc
    if den > 0.0:
        lo = base + 2.0 * (mb * mb * Ec * Ec + mc * mc * Eb * Eb - mb * mb * mc * mc) / den
    else:
        lo = base
    return lo, hi


@njit(cache=True)
def limits_vec(M, ma, mb, mc, s_ab):  # pragma: no cover - compiled
    lo = np.empty(s_ab.shape)
    hi = np.empty(s_ab.shape)
    for j in range(s_ab.size):
        lo.flat[j], hi.flat[j] = _limits_scalar(M, ma, mb, mc, s_ab.flat[j])
    return lo, hi


@njit(cache=True, inline="always")
def _momentum_triangle(M, ma, mb, mc, s_ab, s_bc):  # pragma: no cover - compiled
    """Energies, |p_a|, |p_b| and cos, sin of the angle between p_a and p_b of one Dalitz point at rest
    (twin: phasespace._momentum_triangle_np); shared by _fill_three_body and _fill_body."""
    two_m = 2.0 * M
    Ea = (M * M + ma * ma - s_bc) / two_m
    Ec = (M * M + mc * mc - s_ab) / two_m
    Eb = M - Ea - Ec
    pa2 = max(Ea * Ea - ma * ma, 0.0)
    pb2 = max(Eb * Eb - mb * mb, 0.0)
    pc2 = max(Ec * Ec - mc * mc, 0.0)
    pa = np.sqrt(pa2)
    pb = np.sqrt(pb2)
    pc = np.sqrt(pc2)
    den = 2.0 * pa * pb
    if den > 0.0:
        cab = min(max((pc2 - pa2 - pb2) / den, -1.0), 1.0)
        # sin from Heron's formula (4 x area of the momentum triangle): sqrt(1 - cos^2) would lose
        # half the digits when the triangle is flat (one daughter almost at rest)
        heron = (pa + pb + pc) * (-pa + pb + pc) * (pa - pb + pc) * (pa + pb - pc)
        sab = min(np.sqrt(max(heron, 0.0)) / den, 1.0)
    else:
        cab = 1.0
        sab = 0.0
    return Ea, Eb, Ec, pa, pb, cab, sab


@njit(cache=True, inline="always")
def _fill_three_body(M, ma, mb, mc, s_ab, s_bc, u0, u1, u2, out, j, ia, ib, ic):  # pragma: no cover
    """Rest-frame momenta of one Dalitz point (twin: phasespace._fill_three_body_np)."""
    Ea, Eb, Ec, pa, pb, cab, sab = _momentum_triangle(M, ma, mb, mc, s_ab, s_bc)
    ct = 2.0 * u0 - 1.0
    st = np.sqrt(max(1.0 - ct * ct, 0.0))
    phi = 2.0 * np.pi * u1
    psi = 2.0 * np.pi * u2
    cf = np.cos(phi)
    sf = np.sin(phi)
    w1 = pb * sab * np.cos(psi)
    w2 = pb * sab * np.sin(psi)
    wn = pb * cab
    # p_a along n = (st cf, st sf, ct); p_b = wn n + w1 e1 + w2 e2 with e1 = (ct cf, ct sf, -st), e2 = (-sf, cf, 0)
    nx = st * cf
    ny = st * sf
    nz = ct
    ax = pa * nx
    ay = pa * ny
    az = pa * nz
    bx = wn * nx + w1 * ct * cf - w2 * sf
    by = wn * ny + w1 * ct * sf + w2 * cf
    bz = wn * nz - w1 * st
    out[j, ia, 0] = Ea
    out[j, ia, 1] = ax
    out[j, ia, 2] = ay
    out[j, ia, 3] = az
    out[j, ib, 0] = Eb
    out[j, ib, 1] = bx
    out[j, ib, 2] = by
    out[j, ib, 3] = bz
    out[j, ic, 0] = Ec
    out[j, ic, 1] = -(ax + bx)
    out[j, ic, 2] = -(ay + by)
    out[j, ic, 3] = -(az + bz)


@njit(cache=True)
def three_body_rest(M, ma, mb, mc, s_ab, s_bc, u, out, ia, ib, ic):  # pragma: no cover
    for j in range(s_ab.size):
        _fill_three_body(M, ma, mb, mc, s_ab[j], s_bc[j], u[0, j], u[1, j], u[2, j], out, j, ia, ib, ic)


@njit(cache=True)
def _bisect_right(c, x):  # pragma: no cover - compiled
    """First index i with x < c[i] (c ascending); twin: np.searchsorted(c, x, side='right')."""
    lo = 0
    hi = c.size
    while lo < hi:
        mid = (lo + hi) // 2
        if x < c[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, inline="always")
def _fill_body(M, ma, mb, mc, s_ab, s_bc, out, j, ia, ib, ic):  # pragma: no cover - compiled
    """Body-frame momenta of one Dalitz point (twin: _dalitz_np._fill_body_np)."""
    Ea, Eb, Ec, pa, pb, cab, sab = _momentum_triangle(M, ma, mb, mc, s_ab, s_bc)
    bx = pb * sab
    bz = pb * cab
    out[j, ia, 0] = Ea
    out[j, ia, 1] = 0.0
    out[j, ia, 2] = 0.0
    out[j, ia, 3] = pa
    out[j, ib, 0] = Eb
    out[j, ib, 1] = bx
    out[j, ib, 2] = 0.0
    out[j, ib, 3] = bz
    out[j, ic, 0] = Ec
    out[j, ic, 1] = -bx
    out[j, ic, 2] = 0.0
    out[j, ic, 3] = -(pa + bz)


@njit(cache=True)
def candidates(u, edges, logw, cum, G, nt, M, ma, mb, mc, ia, ib, ic, k, env, cells):  # pragma: no cover
    """Candidates of DalitzSampler (twin: _dalitz_np._candidates_np)."""
    m = u.shape[1]
    ncell = cum.size
    total = cum[ncell - 1]
    for j in range(m):
        c = _bisect_right(cum, u[0, j] * total)
        if c > ncell - 1:
            c = ncell - 1
        b = c // nt
        jj = c - b * nt
        lw = logw[b]
        if lw > 0.0:
            s_out = min(edges[b] * np.exp(lw * u[1, j]), edges[b + 1])
            scale = s_out
        else:
            s_out = edges[b] + (edges[b + 1] - edges[b]) * u[1, j]
            scale = 1.0
        lo, hi = _limits_scalar(M, ma, mb, mc, s_out)
        d = max(hi - lo, 0.0)
        s_in = lo + d * ((jj + u[2, j]) / nt)
        env[j] = G[c] / (d * scale) if d > 0.0 else np.inf
        cells[j] = c
        _fill_body(M, ma, mb, mc, s_out, s_in, k, j, ia, ib, ic)


@njit(cache=True)
def accept(w, env, u_acc, idx, cells, k, out, w_out, done, cell_ratio):  # pragma: no cover - compiled
    """Accept candidate j for event idx[j] if u < w/env and the event has none yet (candidates
    are in generation order, so this keeps each event's first accepted one); its weight goes to
    w_out.  Negative or non-finite weights count as bad and are rejected.  Returns (n_bad, largest
    weight).  Twin: _dalitz_np._accept_np."""
    n_bad = 0
    w_max = 0.0
    for j in range(w.size):
        wj = w[j]
        if not (wj >= 0.0 and wj < np.inf):
            n_bad += 1
            continue
        if wj > w_max:
            w_max = wj
        r = wj / env[j]
        if r > 1.0 and r > cell_ratio[cells[j]]:
            cell_ratio[cells[j]] = r
        e = idx[j]
        if u_acc[j] < r and not done[e]:
            done[e] = True
            w_out[e] = wj
            for a in range(3):
                for c in range(4):
                    out[e, a, c] = k[j, a, c]
    return n_bad, w_max


@njit(cache=True)
def orient(k, A, Bx, By, Bz, h, v, ia, ib, ic):  # pragma: no cover - compiled
    """Exact orientation of body-frame decays from the spin vector B (twin: _dalitz_np._orient_np).
    Returns the number of points with |B| > A (1 + 1e-9)."""
    n_bad = 0
    two_pi = 2.0 * np.pi
    for j in range(A.size):
        a_ = A[j]
        Bn = np.sqrt(Bx[j] * Bx[j] + By[j] * By[j] + Bz[j] * Bz[j])
        if not (Bn <= a_ * (1.0 + 1e-9)):
            n_bad += 1
        if Bn > 0.0:
            r = min(Bn / a_, 1.0)
            bx = Bx[j] / Bn
            by = By[j] / Bn
            bz = Bz[j] / Bn
        else:
            r = 0.0
            bx = 0.0
            by = 0.0
            bz = 1.0
        # cos of d with +z from (1 + slope c)/2 (twin: phasespace.sample_cos_linear)
        slope = h[j] * r
        kk = 2.0 - slope - 4.0 * v[0, j]
        c = -kk / (1.0 + np.sqrt(max(1.0 - slope * kk, 0.0)))
        c = min(max(c, -1.0), 1.0)
        s = np.sqrt(max(1.0 - c * c, 0.0))
        phi = two_pi * v[1, j]
        psi = two_pi * v[2, j]
        cf = np.cos(phi)
        sf = np.sin(phi)
        cp = np.cos(psi)
        sp = np.sin(psi)
        if abs(by) < 0.5:
            tb = by
            e1x = 0.0 - tb * bx
            e1y = 1.0 - tb * by
        else:
            tb = bx
            e1x = 1.0 - tb * bx
            e1y = 0.0 - tb * by
        e1z = -tb * bz
        nrm = np.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
        e1x = e1x / nrm
        e1y = e1y / nrm
        e1z = e1z / nrm
        e2x = by * e1z - bz * e1y
        e2y = bz * e1x - bx * e1z
        e2z = bx * e1y - by * e1x
        dx = s * cf
        dy = s * sf
        dz = c
        fx = cp * c * cf - sp * sf
        fy = cp * c * sf + sp * cf
        fz = -cp * s
        gx = -sp * c * cf - cp * sf
        gy = -sp * c * sf + cp * cf
        gz = sp * s
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for i in (ia, ib):
            qx = k[j, i, 1]
            qy = k[j, i, 2]
            qz = k[j, i, 3]
            x1 = qx * bx + qy * by + qz * bz
            x2 = qx * e1x + qy * e1y + qz * e1z
            x3 = qx * e2x + qy * e2y + qz * e2z
            nx = x1 * dx + x2 * fx + x3 * gx
            ny = x1 * dy + x2 * fy + x3 * gy
            nz = x1 * dz + x2 * fz + x3 * gz
            k[j, i, 1] = nx
            k[j, i, 2] = ny
            k[j, i, 3] = nz
            sx += nx
            sy += ny
            sz += nz
        k[j, ic, 1] = -sx
        k[j, ic, 2] = -sy
        k[j, ic, 3] = -sz
    return n_bad


@njit(cache=True)
def helicity_frame_to_lab(k, P, M, masses, out):  # pragma: no cover - compiled
    """Boost along z, then rotate +z to P_vec/|P_vec| (twin: fourvec._helicity_frame_to_lab_np)."""
    n = k.shape[0]
    nd = k.shape[1]
    for i in range(n):
        px = P[i, 1]
        py = P[i, 2]
        pz = P[i, 3]
        pabs = np.sqrt(px * px + py * py + pz * pz)
        g = P[i, 0] / M
        bg = pabs / M
        if pabs > 0.0:
            nx = px / pabs
            ny = py / pabs
            nz = pz / pabs
        else:
            nx = 0.0
            ny = 0.0
            nz = 1.0
        rho = np.sqrt(nx * nx + ny * ny)
        if rho > 0.0:
            cf = nx / rho
            sf = ny / rho
        else:
            cf = 1.0
            sf = 0.0
        # R q = qx e1 + qy e2 + qz n,  e1 = (nz cf, nz sf, -rho), e2 = (-sf, cf, 0)
        e1x = nz * cf
        e1y = nz * sf
        for d in range(nd):
            qx = k[i, d, 1]
            qy = k[i, d, 2]
            qz = g * k[i, d, 3] + bg * k[i, d, 0]
            out[i, d, 0] = np.sqrt(masses[d] * masses[d] + qx * qx + qy * qy + qz * qz)
            out[i, d, 1] = qx * e1x - qy * sf + qz * nx
            out[i, d, 2] = qx * e1y + qy * cf + qz * ny
            out[i, d, 3] = qz * nz - qx * rho
