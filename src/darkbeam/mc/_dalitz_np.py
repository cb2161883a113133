"""numpy kernels of :class:`darkbeam.mc.dalitz.DalitzSampler`: body-frame Dalitz configurations,
candidate generation, acceptance and the exact orientation.

Each is the twin of a numba kernel in :mod:`darkbeam.mc._numba_kernels` (same expressions in the
same order, same random numbers: the same results to rounding; tests/test_phasespace.py).  Formulas:
docs/decay_sampling.md and the docstring of :mod:`darkbeam.mc.dalitz`.
"""

from __future__ import annotations

import numpy as np

from darkbeam.mc.phasespace import _BLOCK, _TRIANGLE_ROWS, _blocks, _limits_np, _momentum_triangle_np, sample_cos_linear

_TWO_PI = 2.0 * np.pi
#: a weight is bad when |B| exceeds A by more than this (relative): |M|^2 < 0 for some spin
_SPIN_TOL = 1e-9


#: rows of the scratch space of :func:`_fill_body_np`
_BODY_ROWS = _TRIANGLE_ROWS


def _fill_body_np(M, ma, mb, mc, s_ab, s_bc, out, ia, ib, ic) -> None:
    """Rest-frame momenta of Dalitz points (s_ab, s_bc) (m,) in the body frame: p_a along +z, p_b in
    the xz plane with p_b,x >= 0, p_c = -(p_a + p_b); particle a in column ia of out (m, 3, 4), b in
    ib, c in ic.  The formulas of :func:`darkbeam.mc.phasespace.three_body_rest` at the orientation
    cos(theta) = 1, phi = psi = 0 (sin(ab) from Heron's formula).  In-place ufuncs on the rows of one
    scratch array, the same expressions in the same order as the compiled kernel (the same bits as
    the former formulation with fresh temporaries: tests/test_decay_path_speed.py)."""
    m = s_ab.size
    ws = np.empty((_BODY_ROWS, m))
    (Ea, Eb, Ec, pa2, pb2, pc2, pa, pb, pc, den, hr, t1, t2, cab) = ws
    _momentum_triangle_np(M, ma, mb, mc, s_ab, s_bc, ws)
    bx, bz = hr, cab
    bx *= pb  # |pb| sin(ab)
    bz *= pb  # |pb| cos(ab)
    out[:, ia, 0] = Ea
    out[:, ia, 1] = 0.0
    out[:, ia, 2] = 0.0
    out[:, ia, 3] = pa
    out[:, ib, 0] = Eb
    out[:, ib, 1] = bx
    out[:, ib, 2] = 0.0
    out[:, ib, 3] = bz
    out[:, ic, 0] = Ec
    np.negative(bx, out=out[:, ic, 1])
    out[:, ic, 2] = 0.0
    pa += bz
    np.negative(pa, out=out[:, ic, 3])


#: buckets of the guide table per envelope cell, and the most cumulative values that one bucket
#: may hold before its candidates fall back to np.searchsorted
_GUIDE_PER_CELL = 4
_GUIDE_DEPTH = 3


def _cell_guide(cum: np.ndarray):
    """Guide table of the inverse-CDF cell search over the non-decreasing cumulative integrals cum:
    np.searchsorted(cum, x, side='right') = #{i: cum[i] <= x} for x in [0, cum[-1]] from a bucket
    g(x) = floor(x scale) (a non-decreasing function of x) and at most _GUIDE_DEPTH comparisons.

    With g_i = g(cum[i]): g_i < g(x) implies cum[i] < x and g_i > g(x) implies cum[i] > x, so only
    the n_g entries with g_i = g(x), which follow the start[g] = #{i: g_i < g} counted ones, need a
    comparison; the entries after them are > x (cum padded with +inf), so the count is
    start[g] + sum_{t < depth} (cum[start[g] + t] <= x), the same integer as the binary search (the
    same comparisons of the same numbers).  Buckets with n_g > _GUIDE_DEPTH are 'hard' (their
    candidates use np.searchsorted).  Returns (scale, start, cum_padded, depth, hard or None), or
    None for an empty or zero total (np.searchsorted then)."""
    ncell = cum.size
    if ncell == 0 or not cum[-1] > 0:
        return None
    nbuck = _GUIDE_PER_CELL * ncell
    scale = nbuck / cum[-1]
    gc = np.minimum((cum * scale).astype(np.int64), nbuck - 1)
    start = np.searchsorted(gc, np.arange(nbuck), side="left")
    counts = np.diff(np.append(start, ncell))
    depth = int(min(counts.max(), _GUIDE_DEPTH))
    hard = counts > _GUIDE_DEPTH
    padded = np.concatenate([cum, np.full(_GUIDE_DEPTH, np.inf)])
    return scale, start, padded, depth, (hard if hard.any() else None)


def _find_cells(cum: np.ndarray, x: np.ndarray, guide) -> np.ndarray:
    """np.searchsorted(cum, x, side='right') for x >= 0 through the guide table of
    :func:`_cell_guide` (the same integers)."""
    if guide is None:
        return np.searchsorted(cum, x, side="right")
    scale, start, padded, depth, hard = guide
    g = (x * scale).astype(np.int64)
    np.minimum(g, start.size - 1, out=g)
    s = start[g]
    c = s.copy()
    for t in range(depth):
        c += padded[s + t] <= x
    if hard is not None:
        h = hard[g]
        if h.any():
            c[h] = np.searchsorted(cum, x[h], side="right")
    return c


def _candidates_np(u, edges, logw, cum, G, nt, M, ma, mb, mc, ia, ib, ic, k, env, cells, guide=None) -> None:
    """numpy twin of the compiled candidate generator (in blocks of _BLOCK): per candidate, u[0] picks
    the envelope cell by inverse CDF (first cell whose cumulative integral exceeds u[0] x total,
    np.searchsorted side='right' = bisect_right), u[1] places s_out in the cell's outer bin
    (log-uniform, s = e_b exp(logw_b u), in bins with logw_b = ln(e_b+1/e_b) > 0; uniform where
    logw_b = 0), u[2] t in its inner interval, s_in = lo + (hi - lo) t.  Fills k (m, 3, 4) (body
    frame), env (m,) the envelope density per unit s_in (G/Delta, over s_out in log bins; inf where
    the inner range is empty) and cells (m,).  ``guide``: :func:`_cell_guide` of cum (the same cells
    as the binary search, faster) or None."""
    total = cum[-1]
    ncell = cum.size
    for sl in _blocks(u.shape[1]):
        c = _find_cells(cum, u[0, sl] * total, guide)
        np.minimum(c, ncell - 1, out=c)
        b = c // nt
        j = c - b * nt
        e0 = edges[b]
        e1 = edges[b + 1]
        lw = logw[b]
        islog = lw > 0.0
        s_out = np.where(islog, np.minimum(e0 * np.exp(lw * u[1, sl]), e1), e0 + (e1 - e0) * u[1, sl])
        lo, hi = _limits_np(M, ma, mb, mc, s_out)
        d = np.maximum(hi - lo, 0.0)
        s_in = lo + d * ((j + u[2, sl]) / nt)
        with np.errstate(divide="ignore", invalid="ignore"):
            env[sl] = np.where(d > 0.0, G[c] / (d * np.where(islog, s_out, 1.0)), np.inf)
        cells[sl] = c
        _fill_body_np(M, ma, mb, mc, s_out, s_in, k[sl], ia, ib, ic)


def _accept_np(w, env, u_acc, idx, cells, k, out, w_out, done, cell_ratio, first=False) -> tuple[int, float]:
    """numpy twin of the compiled acceptance: candidate j is accepted for event idx[j] if
    u_acc[j] < w[j]/env[j] and the event has none yet, keeping each event's first accepted candidate
    in generation order (idx must be non-decreasing, as np.repeat(pending, mult) is); accepted
    momenta are copied into out and their weights into w_out, done is set, and cell_ratio[c] is
    raised to the largest ratio > 1 seen in cell c.  Negative or non-finite weights are bad and
    rejected.  Returns (n_bad, largest good weight).  ``first``: idx is range(len(idx)) and no event
    is done yet (a chunk's first round): every accepted candidate is its event's first, the same
    selection without the look-ups."""
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
        np.maximum.at(cell_ratio, cells[over], r[over])
    acc = u_acc < r
    if n_bad:
        acc &= good
    ja = np.flatnonzero(acc)
    if first:
        done[ja] = True
        out[ja] = k[ja]
        w_out[ja] = w[ja]
        return n_bad, w_max
    e = idx[ja]
    keep = ~done[e]
    if e.size > 1:
        keep[1:] &= e[1:] != e[:-1]  # first accepted candidate of each event (idx sorted)
    ja = ja[keep]
    e = e[keep]
    done[e] = True
    out[e] = k[ja]
    w_out[e] = w[ja]
    return n_bad, w_max


def _orient_np(k, A, Bx, By, Bz, h, v, ia, ib, ic, Bn=None) -> int:
    """numpy twin of the compiled orientation: rotate the body-frame decays k (n, 3, 4) in place by
    the rotation R whose image d of B/|B| has density (1 + a d_z)/2 in d_z, a = h |B|/A (v[0], exact
    inverse CDF), azimuth 2 pi v[1], and twist 2 pi v[2] about d.  B = 0 gives a uniform rotation.
    The body basis is (b, e1, e2 = b x e1), e1 the unit part of y (of x when |b_y| >= 1/2)
    orthogonal to b; the lab basis (d, f, g = d x f), f = cos(psi) theta_hat + sin(psi) phi_hat of d.
    ``By = None``: B and the momenta lie in the body's xz plane (B_y = k_y = 0), where e1 = y and
    the terms in e1 vanish (the same numbers as the general formulas, which add exact zeros).
    Returns the number of points with |B| > A (1 + 1e-9) (negative |M|^2 for some spin).
    ``Bn``: sqrt(Bx Bx + Bz Bz) where the caller has it (``By = None`` only; the same numbers)."""
    if By is None:
        return _orient_plane_np(k, A, Bx, Bz, h, v, ia, ib, ic, Bn)
    n_bad = 0
    for sl in _blocks(A.size):
        a_, bx_, bz_ = A[sl], Bx[sl], Bz[sl]
        by_ = None if By is None else By[sl]
        Bn2 = bx_ * bx_
        if by_ is not None:
            Bn2 += by_ * by_
        Bn2 += bz_ * bz_
        Bn = np.sqrt(Bn2)
        n_bad += Bn.size - int(np.count_nonzero(Bn <= a_ * (1.0 + _SPIN_TOL)))
        pos = Bn > 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            if pos.all():  # the usual case: the np.where below would select every first value
                r = np.minimum(Bn / a_, 1.0)
                bx = bx_ / Bn
                bz = bz_ / Bn
                by = None if by_ is None else by_ / Bn
            else:
                r = np.where(pos, np.minimum(Bn / a_, 1.0), 0.0)
                bx = np.where(pos, bx_ / Bn, 0.0)
                bz = np.where(pos, bz_ / Bn, 1.0)
                by = None if by_ is None else np.where(pos, by_ / Bn, 0.0)
        c = sample_cos_linear(v[0, sl], h[sl] * r)
        s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
        phi = _TWO_PI * v[1, sl]
        psi = _TWO_PI * v[2, sl]
        cf = np.cos(phi)
        sf = np.sin(phi)
        cp = np.cos(psi)
        sp = np.sin(psi)
        if by is None:
            e1x = e1y = e1z = None
            e2x, e2y, e2z = -bz, None, bx
        else:
            usey = np.abs(by) < 0.5
            tb = np.where(usey, by, bx)
            e1x = np.where(usey, 0.0, 1.0) - tb * bx
            e1y = np.where(usey, 1.0, 0.0) - tb * by
            e1z = -tb * bz
            nrm = np.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
            e1x = e1x / nrm
            e1y = e1y / nrm
            e1z = e1z / nrm
            e2x = by * e1z - bz * e1y
            e2y = bz * e1x - bx * e1z
            e2z = bx * e1y - by * e1x
        ccf = c * cf
        csf = c * sf
        d = (s * cf, s * sf, c)
        # f only enters through e1 (B off the xz plane); -sp is an exact negation, formed once
        f = None if by is None else (cp * ccf - sp * sf, cp * csf + sp * cf, -cp * s)
        msp = -sp
        g = (msp * ccf - cp * sf, msp * csf + cp * cf, sp * s)
        ks = k[sl]
        tot = [None, None, None]
        for i in (ia, ib):
            qx = ks[:, i, 1]
            qz = ks[:, i, 3]
            if by is None:
                x1 = qx * bx + qz * bz
                x3 = qx * e2x + qz * e2z
                for col in range(3):
                    q = x1 * d[col] + x3 * g[col]
                    ks[:, i, col + 1] = q
                    tot[col] = q if tot[col] is None else tot[col] + q
            else:
                qy = ks[:, i, 2]
                x1 = qx * bx + qy * by + qz * bz
                x2 = qx * e1x + qy * e1y + qz * e1z
                x3 = qx * e2x + qy * e2y + qz * e2z
                for col in range(3):
                    q = x1 * d[col] + x2 * f[col] + x3 * g[col]
                    ks[:, i, col + 1] = q
                    tot[col] = q if tot[col] is None else tot[col] + q
        for col in range(3):
            np.negative(tot[col], out=ks[:, ic, col + 1])
    return n_bad


#: rows of the scratch space of :func:`_orient_plane_np`
_ORIENT_ROWS = 20


def _orient_plane_np(k, A, Bx, Bz, h, v, ia, ib, ic, Bn_all=None) -> int:
    """:func:`_orient_np` for B and the momenta in the body's xz plane (``By = None``): the same
    expressions in the same order on the same operands (hence the same bits), written as in-place
    ufuncs on the rows of one scratch array per call instead of ~40 fresh temporaries per block
    (tests/test_decay_path_speed.py pins it to the former formulation).  cos and sin are still
    evaluated into fresh arrays (the same calls as before)."""
    n_bad = 0
    m0 = min(A.size, _BLOCK)
    ws = np.empty((_ORIENT_ROWS, m0))
    tol = 1.0 + _SPIN_TOL
    for sl in _blocks(A.size):
        m = sl.stop - sl.start
        (Bn, r, bx, bz, kk, c, s, t, ccf, csf, g0, g1, g2, x1, x3, q) = (ws[i, :m] for i in range(16))
        a_, bx_, bz_ = A[sl], Bx[sl], Bz[sl]
        # |B| = sqrt(bx^2 + bz^2); bad where |B| > A (1 + tol)
        if Bn_all is None:
            np.multiply(bx_, bx_, out=Bn)
            np.multiply(bz_, bz_, out=t)
            Bn += t
            np.sqrt(Bn, out=Bn)
        else:
            Bn[...] = Bn_all[sl]
        np.multiply(a_, tol, out=t)
        n_bad += m - int(np.count_nonzero(np.less_equal(Bn, t, out=np.empty(m, dtype=np.bool_))))
        with np.errstate(divide="ignore", invalid="ignore"):
            if bool(np.all(Bn > 0.0)):
                np.divide(Bn, a_, out=r)
                np.minimum(r, 1.0, out=r)
                np.divide(bx_, Bn, out=bx)
                np.divide(bz_, Bn, out=bz)
            else:
                pos = Bn > 0.0
                np.divide(Bn, a_, out=r)
                np.minimum(r, 1.0, out=r)
                r[~pos] = 0.0
                np.divide(bx_, Bn, out=bx)
                bx[~pos] = 0.0
                np.divide(bz_, Bn, out=bz)
                bz[~pos] = 1.0
        # c = sample_cos_linear(v0, h r): slope = h r, k = 2 - slope - 4 u,
        # c = clip(-k / (1 + sqrt(max(1 - slope k, 0))), -1, 1)
        slope = r
        np.multiply(h[sl], r, out=slope)
        np.subtract(2.0, slope, out=kk)
        np.multiply(v[0, sl], 4.0, out=t)
        kk -= t
        np.multiply(slope, kk, out=t)
        np.subtract(1.0, t, out=t)
        np.maximum(t, 0.0, out=t)
        np.sqrt(t, out=t)
        np.add(1.0, t, out=t)
        np.negative(kk, out=c)
        c /= t
        np.clip(c, -1.0, 1.0, out=c)
        # s = sqrt(max(1 - c^2, 0))
        np.multiply(c, c, out=s)
        np.subtract(1.0, s, out=s)
        np.maximum(s, 0.0, out=s)
        np.sqrt(s, out=s)
        phi = _TWO_PI * v[1, sl]
        psi = _TWO_PI * v[2, sl]
        cf = np.cos(phi)
        sf = np.sin(phi)
        cp = np.cos(psi)
        sp = np.sin(psi)
        np.multiply(c, cf, out=ccf)
        np.multiply(c, sf, out=csf)
        # g = (-sp ccf - cp sf, -sp csf + cp cf, sp s); d = (s cf, s sf, c)
        np.negative(sp, out=t)
        np.multiply(t, ccf, out=g0)
        np.multiply(t, csf, out=g1)
        np.multiply(cp, sf, out=x1)
        g0 -= x1
        np.multiply(cp, cf, out=x1)
        g1 += x1
        np.multiply(sp, s, out=g2)
        d0, d1 = ccf, csf  # reuse rows: s cf and s sf
        np.multiply(s, cf, out=d0)
        np.multiply(s, sf, out=d1)
        d = (d0, d1, c)
        g = (g0, g1, g2)
        ks = k[sl]
        # e2 = (-bz, ., bx); -bz formed once (exact)
        mbz = t
        np.negative(bz, out=mbz)
        tot = (ws[16, :m], ws[17, :m], ws[18, :m])
        w = ws[19, :m]
        for i in (ia, ib):
            qx = ks[:, i, 1]
            qz = ks[:, i, 3]
            # x1 = qx bx + qz bz, x3 = qx (-bz) + qz bx
            np.multiply(qx, bx, out=x1)
            np.multiply(qz, bz, out=q)
            x1 += q
            np.multiply(qx, mbz, out=x3)
            np.multiply(qz, bx, out=q)
            x3 += q
            for col in range(3):
                # q = x1 d + x3 g (the first daughter's q is the running total's first term)
                dst = tot[col] if i == ia else q
                np.multiply(x1, d[col], out=dst)
                np.multiply(x3, g[col], out=w)
                dst += w
                ks[:, i, col + 1] = dst
                if i != ia:
                    np.add(tot[col], q, out=tot[col])
        for col in range(3):
            np.negative(tot[col], out=ks[:, ic, col + 1])
    return n_bad
