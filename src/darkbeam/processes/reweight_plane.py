"""Vectorized reweighting of one event sample to many coupling points at once (scans, docs/scans.md).

:meth:`darkbeam.processes.reweight.Reweighter.rates` handles one coupling point per call; a scan unit
asks for tens of points of the same mass.  :func:`plane_rates` gives the same numbers for all of them
with array operations:

* cross sections: the coupling-span quadratic forms (:func:`~darkbeam.processes.reweight_xsec.build_span`)
  give d sigma/dQ^2 of every point and event as one einsum, (n_points, n_events);
* decays: when the points differ in one coupling u only, every partial width of every decay table
  (N_i and the intermediates Z'/h' of its cascades) is a polynomial of degree <= 4 in u (amplitudes
  are linear in the mixing and vertex couplings; the widths quadratic in the amplitudes).  The
  polynomial is found from the tables at u = 0, +-h/2, +-h (h = the largest |u|; the even and odd
  parts separately, so that a width proportional to u^2 keeps full relative precision at small u),
  and CHECKED against the exact tables at the smallest and the median |u| of the points (relative
  1e-11 on every branching ratio and c tau).  If the check fails, or the points change several
  couplings, every point gets its exact decay table instead (the per-point path).  Branching ratios
  of cascades are rebuilt as in :func:`darkbeam.processes.upscatter_decay.final_channels`;
* decay probabilities: exp(-a/L) - exp(-b/L) on the stored segments for an (n_points, n_events)
  array of decay lengths, in chunks of bounded memory (in place, two temporaries, when every c tau is
  finite and positive: :func:`_segments_decay_probability`);
* sums and vegas-stratified errors: per cell with one bincount over (point, cell).

Checks as the per-point path: a case switched on from zero (:meth:`Reweighter.check_cases`) is
looked for at one point per pattern of non-zero changed couplings (whether a cross section is zero
depends on which couplings vanish); a decay channel switched on from zero is looked for at every point.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

#: relative agreement the decay-width polynomials must reach at the checked points
POLY_RTOL = 1e-11
#: elements of the largest temporary (n_points x n_events x n_segments) array; the decay-probability
#: kernel is chosen per chunk of this size (:func:`_weights_and_sums`)
CHUNK_ELEMENTS = 2_000_000
#: point x event elements of one block of the weight computation (five buffers of this size, 256 kB
#: each, stay in the processor's cache)
ROW_BLOCK_ELEMENTS = 32_768


def _table_widths(params, particle: str) -> tuple[dict, float]:
    """Partial widths by channel name and c tau (cm) of ``particle``'s decay table."""
    from darkbeam.physics.decays import decay_table

    t = decay_table(params, particle)
    return {ch.name: ch.width for ch in t.channels}, t.ctau_cm


def _parity_fit(vals: np.ndarray, h: float) -> np.ndarray:
    """Coefficients c0..c4 of a degree-4 polynomial from its values at (0, h/2, -h/2, h, -h)."""
    f0, fp1, fm1, fp2, fm2 = vals
    e1, e2 = 0.5 * (fp1 + fm1) - f0, 0.5 * (fp2 + fm2) - f0  # c2 u^2 + c4 u^4 at u = h/2, h
    o1, o2 = 0.5 * (fp1 - fm1), 0.5 * (fp2 - fm2)  # c1 u + c3 u^3
    a, b = h / 2, h
    c4 = (e2 / b**2 - e1 / a**2) / (b**2 - a**2)
    c2 = e1 / a**2 - c4 * a**2
    c3 = (o2 / b - o1 / a) / (b**2 - a**2)
    c1 = o1 / a - c3 * a**2
    return np.array([f0, c1, c2, c3, c4])


def _poly(c: np.ndarray, u: np.ndarray) -> np.ndarray:
    return c[0] + u * (c[1] + u * (c[2] + u * (c[3] + u * c[4])))


def decay_family(rw, key: str, values: Sequence[float], names: Sequence[str]):
    """Branching ratios (n_points, len(names)) and c tau (n_points, len(rw.hnls)) at the coupling
    ``key`` = ``values`` (other couplings as ``rw.current``) from degree-4 width polynomials (module
    docstring); None if the polynomials do not reproduce the exact tables."""
    from darkbeam.errors import DarkbeamError
    from darkbeam.processes.reweight import apply_changes

    u = np.asarray(values, dtype=float)
    h = float(np.max(np.abs(u))) if u.size else 0.0
    if not (h > 0 and np.all(np.isfinite(u))):
        return None
    nodes = [0.0, h / 2, -h / 2, h, -h]
    order = np.argsort(np.abs(u))
    checked = sorted({int(order[len(order) // 2]), int(order[0])}, key=lambda i: -abs(u[i]))
    try:
        node_params = [apply_changes(rw.current, {key: v}) for v in nodes]
        states = {i: rw.decay_state(apply_changes(rw.current, {key: float(u[i])})) for i in checked}
    except (DarkbeamError, ArithmeticError, ValueError):  # e.g. a coupling that must be positive: exact path
        return None
    ref = states[checked[0]]  # the channel structure, at the larger checked |u|
    # the structure of each final channel: (hnl, first channel, intermediate, its channel)
    struct = {}
    for nm in names:
        fc = ref.channels.get(nm)
        if fc is None:
            return None
        parent = nm.split(" -> ")[0].split("_")[0]
        x = None if fc.second is None else fc.first.daughters[-1]
        struct[nm] = (parent, fc.first.name, x, None if fc.second is None else fc.second.name)
    particles = sorted({s[0] for s in struct.values()} | {s[2] for s in struct.values() if s[2]}
                       | {f"N{h_}" for h_ in rw.hnls})
    try:
        tabs_ct = [{p: _table_widths(par, p) for p in particles} for par in node_params]
    except (DarkbeamError, ArithmeticError, ValueError):
        return None
    tabs = [{p: w for p, (w, _) in t.items()} for t in tabs_ct]
    coef = {}
    for p in particles:
        chans = sorted(set().union(*(t[p] for t in tabs)))
        for ch in chans:
            coef[(p, ch)] = _parity_fit(np.array([t[p].get(ch, 0.0) for t in tabs]), h)
    W = {p: sum(_poly(coef[(q, ch)], u) for (q, ch) in coef if q == p) for p in particles}
    br = np.zeros((u.size, len(names)))
    for j, nm in enumerate(names):
        parent, first, x, second = struct[nm]
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(W[parent] > 0, _poly(coef[(parent, first)], u) / W[parent], 0.0)
            if x is not None:
                b = b * np.where(W[x] > 0, _poly(coef[(x, second)], u) / W[x], 0.0)
        br[:, j] = b
    # c tau = hbar c / Gamma: its inverse is a polynomial too (fitted from the tables' c tau)
    ict = []
    for h_ in rw.hnls:
        vals = []
        for t in tabs_ct:
            ct = t[f"N{h_}"][1]
            vals.append(0.0 if not math.isfinite(ct) or ct <= 0 else 1.0 / ct)
        g = _poly(_parity_fit(np.array(vals), h), u)
        with np.errstate(divide="ignore"):
            ict.append(np.where(g > 0, 1.0 / np.where(g > 0, g, 1.0), np.inf))
    ctau = np.stack(ict, axis=1) if ict else np.zeros((u.size, 0))
    # check against the exact tables at the smallest and the median |u|
    for i, st in states.items():
        exact = np.array([st.br.get(nm, 0.0) for nm in names])
        if not np.allclose(br[i], exact, rtol=POLY_RTOL, atol=POLY_RTOL * 1e-6):
            return None
        ect = np.array([st.ctau[h_] for h_ in rw.hnls], dtype=float)
        if not np.all((ect == ctau[i]) | np.isclose(ctau[i], ect, rtol=POLY_RTOL, atol=0.0)):
            return None
    return br, ctau


def _exact_decays(rw, params: list, names):
    states = [rw.decay_state(p) for p in params]
    br = np.array([[s.br.get(nm, 0.0) for nm in names] for s in states]).reshape(len(params), len(names))
    ctau = np.array([[s.ctau[h] for h in rw.hnls] for s in states], dtype=float).reshape(len(params), len(rw.hnls))
    return br, ctau


def _cell_variance(w: np.ndarray, cell: np.ndarray, ncell: int) -> np.ndarray:
    """Row-wise :func:`~darkbeam.processes.stratified.stratified_variance`, summed over cells: (P,)."""
    P = w.shape[0]
    idx = (cell[None, :] + ncell * np.arange(P)[:, None]).ravel()
    s1 = np.bincount(idx, weights=w.ravel(), minlength=P * ncell).reshape(P, ncell)
    s2 = np.bincount(idx, weights=(w * w).ravel(), minlength=P * ncell).reshape(P, ncell)
    return _variance_from_sums(s1, s2, cell, ncell)


def _variance_from_sums(s1: np.ndarray, s2: np.ndarray, cell: np.ndarray, ncell: int) -> np.ndarray:
    """:func:`_cell_variance` from the per-cell sums of w (``s1``) and w^2 (``s2``), (P, ncell)."""
    n = np.bincount(cell, minlength=ncell).astype(float)[None, :]
    v = np.where(n > 1, (n * s2 - s1 * s1) / np.maximum(n - 1.0, 1.0), s2)
    return np.maximum(v, 0.0).sum(axis=1)


def _segments_decay_probability(inv_bg: np.ndarray, ct: np.ndarray, a: np.ndarray, b: np.ndarray,
                                out: np.ndarray) -> None:
    """out[p, i] = sum over segments j of exp(-a_ij/L_pi) - exp(-b_ij/L_pi), L = c tau_pi / inv_bg_i
    (c tau finite and > 0, m/|p| = ``inv_bg`` finite and > 0): the kernel of
    :func:`darkbeam.detectors.decay.decay_probability` (-exp(-a/L) expm1(-(b - a)/L), the same formula)
    without its checks and limit cases, which cannot occur here, in place on (points, events) arrays
    (a scan unit's largest arrays: a third of the passes over them)."""
    g = np.divide(inv_bg[None, :], ct)  # 1/L
    t = np.empty_like(g)
    u = np.empty_like(g)
    out[...] = 0.0
    for j in range(a.shape[1]):
        np.multiply(g, -a[:, j], out=t)
        np.exp(t, out=t)
        np.multiply(g, a[:, j] - b[:, j], out=u)
        np.expm1(u, out=u)
        t *= u
        out -= t


def plane_rates(rw, points: Sequence[Mapping], *, select=None, efficiency: float = 1.0, strict: bool = True) -> dict:
    """For every coupling point (change mappings to ``rw.current``): ``signal``, ``signal_err``,
    ``decay_in_detector``, ``upscattered`` (arrays) and ``ctau_cm`` ({"N4": array, ...}), equal to
    :meth:`Reweighter.rates` point by point (module docstring)."""
    from darkbeam.processes.reweight import ReweightingError
    from darkbeam.processes.reweight_decays import final_state
    from darkbeam.processes.reweight_xsec import build_span

    P = len(points)
    params = [rw.resolve(p) for p in points]
    names = list(rw.channel_names)
    pred = select if callable(select) or select is None else (lambda labels: False)
    if strict:
        seen = set()
        for p, ch in zip(params, points):
            pattern = tuple(sorted((k, bool(v)) for k, v in ch.items()))
            if pattern not in seen:
                seen.add(pattern)
                rw.check_cases(p)
    keys = set().union(*(set(p) for p in points)) if points else set()
    fam = None
    if len(keys) == 1 and P > 2:
        key = next(iter(keys))
        vals = [p.get(key) for p in points]
        if all(isinstance(v, (int, float)) for v in vals):
            fam = decay_family(rw, key, vals, names)
    br, ctau = fam if fam is not None else _exact_decays(rw, params, names)
    if strict:  # a decay channel closed at generation that opens somewhere: the per-point check raises
        gen = rw.decay_state(rw.generated)
        seen = set()
        for p, ch, row in zip(params, points, br):
            pattern = tuple(sorted((k, bool(v)) for k, v in ch.items()))
            opened = any(b > 0 and gen.br.get(nm, 0.0) <= 0 and (pred is None or pred(final_state(nm)))
                         for nm, b in zip(names, row))
            if opened or fam is None or pattern not in seen:
                seen.add(pattern)
                rw.check_channels(p, pred)
    # cross sections: one einsum per case
    allp = [rw.current] + params  # as Reweighter.prepare(points), without resolving the points again
    span = build_span(rw.groups, [rw.vertices(p) for p in allp], allp)
    n = len(rw.events)
    up = np.zeros((P, n))
    for k, g in enumerate(rw.groups):
        if g.idx.size == 0:
            continue
        a = span.alpha[k][1:]
        new = np.maximum(np.einsum("pj,pjn->pn", a, np.tensordot(a, span.forms[k], axes=(1, 0))), 0.0)
        den = span.dsigma(k, 0)
        ok = den > 0.0
        if ok.all():  # the common case: no event of zero current weight, nothing to check or mask
            i0, i1 = int(g.idx[0]), int(g.idx[-1]) + 1
            if i1 - i0 == g.idx.size:  # the events of a case are contiguous (the generator writes them so)
                np.divide(new, den[None, :], out=up[:, i0:i1])
            else:
                up[:, g.idx] = new / den[None, :]
            continue
        bad = (den <= 0.0)[None, :] & (new > 0.0)
        if np.any(bad):
            from darkbeam.processes.cases import case_label

            raise ReweightingError(f"case '{case_label(g.case)}': {int(bad.any(axis=0).sum())} events have zero weight "
                                   f"at the current couplings but not at the new ones: generate new events")
        up[:, g.idx] = np.where(ok[None, :], new / np.where(ok, den, 1.0)[None, :], 0.0)
    return _weights_and_sums(rw, up, br, ctau, rw.channel_mask(select), float(efficiency))


def _weights_and_sums(rw, up: np.ndarray, br: np.ndarray, ctau: np.ndarray, chmask, efficiency: float) -> dict:
    """From the cross-section factors ``up`` (points, events; multiplied by w_base here, in place), the
    branching ratios ``br`` (points, channels) and c tau (points, HNLs): the weights of every point and
    event and their sums (:func:`plane_rates`).

    Blocks of about ``ROW_BLOCK_ELEMENTS`` point x event elements (a few points at a time) go through
    every step -- w_base, br/q_channel, decay probability, product, channel selection, row sums, per-cell
    sums for the errors -- in five reused buffers that stay in the processor's cache, instead of a fresh
    (points, events) array per step.  Every element undergoes the same floating-point operations in the
    same order as in the whole-array form (which :func:`_segments_decay_probability` and
    :func:`_cell_variance` keep as the reference), every row is summed by the same numpy reduction of the
    same contiguous row, and bincount adds a row's weights in event order either way: the numbers are
    bit for bit the same (tests/test_scan_plane_speed.py).  The decay-probability kernel is chosen per
    chunk of ``CHUNK_ELEMENTS`` as before: the in-place one where every c tau of the chunk is finite and
    positive, :func:`darkbeam.detectors.decay.decay_probability` (limit cases) otherwise."""
    from darkbeam.detectors.decay import decay_probability
    from darkbeam.events.weights import decay_length

    P, n = up.shape
    ncell = rw._ncell
    cell = rw._cells
    signal, dec_sum, up_sum = np.zeros(P), np.zeros(P), np.zeros(P)
    s1, s2 = np.zeros((P, ncell)), np.zeros((P, ncell))
    ct_out = {f"N{h}": ctau[:, j] for j, h in enumerate(rw.hnls)}
    if n == 0 or P == 0:
        return {"signal": signal, "signal_err": np.sqrt(_variance_from_sums(s1, s2, cell, ncell)),
                "decay_in_detector": dec_sum, "upscattered": up_sum, "ctau_cm": ct_out}
    w_base, channel_of, slot = rw.w_base, rw.channel_of, rw.hnl_slot
    qpos = rw.q > 0
    q_safe = np.where(qpos, rw.q, 1.0)
    q_zero = None if np.all(qpos) else ~qpos
    keep = None if chmask is None else chmask[channel_of]
    slots = np.unique(slot)
    a_seg, b_seg = rw.bounds[:, 0::2], rw.bounds[:, 1::2]
    nseg = a_seg.shape[1]
    minus_a = [np.ascontiguousarray(-a_seg[:, j]) for j in range(nseg)]
    a_minus_b = [np.ascontiguousarray(a_seg[:, j] - b_seg[:, j]) for j in range(nseg)]
    starts_at_zero = [not np.any(a_seg[:, j]) for j in range(nseg)]  # a = 0: exp(-a/L) = 1 exactly
    fast = bool(np.all(np.isfinite(rw.p_abs) & (rw.p_abs > 0)) and np.all(np.isfinite(rw.m_hnl) & (rw.m_hnl > 0)))
    inv_bg = rw.m_hnl / rw.p_abs if fast else None
    inv_bg_max = float(inv_bg.max()) if fast else math.nan
    step = max(1, CHUNK_ELEMENTS // max(1, a_seg.size))
    rows = max(1, min(step, ROW_BLOCK_ELEMENTS // n))
    buf = np.empty((5, min(rows, P), n))
    for c0 in range(0, P, step):
        c1 = min(P, c0 + step)
        ct_used = ctau[c0:c1][:, slots]
        use_fast = fast and bool(np.all(np.isfinite(ct_used) & (ct_used > 0)))
        # 1/L finite for every event: then exp(-a/L) * x = x where a = 0
        skip_zero = use_fast and math.isfinite(inv_bg_max / float(ct_used.min()))
        for s in range(c0, c1, rows):
            e = min(c1, s + rows)
            k = e - s
            U = up[s:e]
            R, D, G, T, V = buf[0, :k], buf[1, :k], buf[2, :k], buf[3, :k], buf[4, :k]
            U *= w_base[None, :]
            with np.errstate(divide="ignore", invalid="ignore"):  # br / q_channel (0 where q = 0)
                np.divide(br[s:e][:, channel_of], q_safe[None, :], out=R)
            if q_zero is not None:
                R[:, q_zero] = 0.0
            if use_fast:  # the kernel of _segments_decay_probability
                ct = ctau[s:e][:, slots[0]][:, None] if slots.size == 1 else ctau[s:e][:, slot]
                np.divide(inv_bg[None, :], ct, out=G)
                D[...] = 0.0
                for j in range(nseg):
                    np.multiply(G, a_minus_b[j][None, :], out=V)
                    np.expm1(V, out=V)
                    if starts_at_zero[j] and skip_zero:
                        D -= V
                        continue
                    np.multiply(G, minus_a[j][None, :], out=T)
                    np.exp(T, out=T)
                    T *= V
                    D -= T
            else:
                L = decay_length(rw.p_abs[None, :], rw.m_hnl[None, :], ctau[s:e][:, slot])
                D[...] = decay_probability(a_seg[None], b_seg[None], L[:, :, None]).sum(axis=2)
            R *= U  # decays in the detector: up * (br / q) * p_decay
            R *= D
            if keep is None:  # the signal: selected channels x efficiency
                np.multiply(R, efficiency, out=T)
            else:
                T[...] = 0.0
                np.copyto(T, R, where=keep[None, :])
                T *= efficiency
            signal[s:e] = T.sum(axis=1)
            dec_sum[s:e] = R.sum(axis=1)
            up_sum[s:e] = U.sum(axis=1)
            np.multiply(T, T, out=V)
            for i in range(k):
                s1[s + i] = np.bincount(cell, weights=T[i], minlength=ncell)
                s2[s + i] = np.bincount(cell, weights=V[i], minlength=ncell)
    return {"signal": signal, "signal_err": np.sqrt(_variance_from_sums(s1, s2, cell, ncell)),
            "decay_in_detector": dec_sum, "upscattered": up_sum, "ctau_cm": ct_out}
