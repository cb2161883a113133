"""The generator's per-event glue (issue 10, "cut the per-event CPU"): every fast path gives the same
bits as the composition of general code it replaces.  Each reference below is the code the generator
ran before (6dcc0cd), written out here; inputs include the edge cases (zero transverse momentum,
a neutrino along the axis, rays that miss, paths of zero length, -0.0)."""

from types import SimpleNamespace

import numpy as np
import pytest

from darkbeam.detectors.production import (
    BNBProductionTable,
    DecayPipeSource,
    PointSource,
    _count_le_in_padded_rows,
    _count_le_in_rows,
)
from darkbeam.detectors.shapes import Sphere, _quadratic_roots, _unit_quadratic_roots
from darkbeam.events.weights import path_bounds_from_segments, path_segment_probabilities, sample_path_decay
from darkbeam.mc.fourvec import norm3, transverse_frame
from darkbeam.processes import upscatter_decay as ud
from darkbeam.processes.event_columns import DAUGHTER_ROW, MAX_DAUGHTERS, P3_ROW, ROWS, VERTEX_ROW, EventColumns
from darkbeam.processes.kinematics import upscattering_lab
from darkbeam.units import C_LIGHT_CM_PER_NS


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _table(rng, rows=30, cols=99) -> BNBProductionTable:
    w = rng.random((rows, cols)) * (rng.random((rows, cols)) < 0.6)
    w[:, 0] = 0.0
    w[3] = 0.0  # an empty energy row (borrowed from its neighbour)
    t = np.zeros((rows + 1, cols + 1))
    t[0, 1:] = 0.1288 + 0.2575 * np.arange(cols)
    t[1:, 0] = 0.0214 + 0.0429 * np.arange(rows)
    t[1:, 1:] = w
    return BNBProductionTable.from_array(t)


def _kinematics_inputs(rng, n=20_000):
    m, M = 0.42, 11.17
    E = rng.uniform(0.5, 5.0, n)
    # Q^2 from the lower limit (pN along the beam: zero transverse momentum) up the physical range
    Q2 = rng.uniform(0.0, 0.3, n)
    Q2[::97] = 0.0
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    return E, Q2, m, M, phi


def test_lab_kinematics_components_equal_four_vectors():
    E, Q2, m, M, phi = _kinematics_inputs(np.random.default_rng(1))
    k, pn, rec = upscattering_lab(E, Q2, m, M, phi)
    EN, px, py, pz, qx, qy, qz = upscattering_lab(E, Q2, m, M, phi, components=True)
    for got, ref in ((EN, pn[:, 0]), (px, pn[:, 1]), (py, pn[:, 2]), (pz, pn[:, 3]), (qx, rec[:, 1]),
                     (qy, rec[:, 2]), (qz, rec[:, 3])):
        assert _same(got, np.ascontiguousarray(ref))


def test_padded_row_search_equals_row_search():
    rng = np.random.default_rng(2)
    for cols in (99, 64, 63, 5, 1):
        t = _table(rng, cols=cols) if cols > 1 else None
        if t is None:
            continue
        flat = t._flat_cdf
        pad, width = t._padded_cdf
        assert width > cols and width & (width - 1) == 0
        nrow, nd = t.weights.shape
        ib = rng.integers(0, nrow, 50_000)
        key = ib + rng.random(ib.size)
        # keys that equal table entries exactly, and their neighbours
        j = rng.integers(0, nd, 2000)
        r = rng.integers(0, nrow, 2000)
        exact = flat[r * nd + j]
        ib = np.concatenate([ib, r, r, r])
        key = np.concatenate([key, exact, np.nextafter(exact, -np.inf), np.nextafter(exact, np.inf)])
        assert np.array_equal(_count_le_in_padded_rows(pad, width, ib, key), _count_le_in_rows(flat, nd, ib, key))


def test_production_rows_equal_points():
    rng = np.random.default_rng(3)
    src = DecayPipeSource((1.0, -2.0, -5000.0), _table(rng), radius=35.0, axis=(0.01, 0.0, 0.99995))
    e = rng.uniform(0.0, 2.0, 10_000)
    pts = src.sample(e, np.random.default_rng(4))
    rows = src.sample(e, np.random.default_rng(4), rows=True)
    assert pts.shape == (e.size, 3) and pts.flags.c_contiguous
    assert _same(np.ascontiguousarray(rows.T), pts)
    ps = PointSource((0.0, 0.0, -54100.0))
    assert _same(ps.sample(e, rng, rows=True), np.ascontiguousarray(ps.sample(e, rng).T))


def test_unit_quadratic_roots_equal_general():
    rng = np.random.default_rng(5)
    b = np.concatenate([rng.normal(size=50_000) * 100, [0.0, -0.0, 0.0, 3.0, -3.0, 1e200, np.nan]])
    c = np.concatenate([rng.normal(size=50_000) * 1e4, [0.0, 0.0, -0.0, 9.0, 9.0, 1.0, 1.0]])
    c[:50_000:5] = b[:50_000:5] ** 2  # disc = 0
    with np.errstate(all="ignore"):  # b = 1e200, nan: overflow and invalid, the same in both
        ref = _quadratic_roots(np.ones_like(b), b, c)
        got = _unit_quadratic_roots(b, c)
    for g, r in zip(got, ref):
        assert _same(g, r)


def _old_upscatter(setup, E, Q2, rng, out, s):
    """The generator's _upscatter at 6dcc0cd: (n, 4) kinematics, (n, 3) vectors, transverse_frame."""
    n = E.size
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    k, pN, prec = upscattering_lab(E, Q2, setup.m, setup.M, phi)
    vtx = setup.target_volume.sample(n, rng)
    prod = setup.production.sample(E, rng)
    d_nu = vtx - prod
    flight = norm3(d_nu)
    n_hat = d_nu / flight[:, None]
    f = out.f
    f[VERTEX_ROW:VERTEX_ROW + 3, s] = vtx.T
    f[VERTEX_ROW + 3, s] = flight / C_LIGHT_CM_PER_NS
    e1, e2 = transverse_frame(n_hat)
    rn, rr, rh = P3_ROW["nu"], P3_ROW["recoil"], P3_ROW["hnl"]
    px, py, pz = pN[:, 1].copy(), pN[:, 2].copy(), pN[:, 3].copy()
    qx, qy, qz = prec[:, 1], prec[:, 2], prec[:, 3]
    for c in range(3):
        e1c, e2c, nc = e1[:, c], e2[:, c], n_hat[:, c]
        f[rn + c, s] = E * nc
        f[rr + c, s] = qx * e1c + qy * e2c + qz * nc
        pN[:, 1 + c] = f[rh + c, s] = px * e1c + py * e2c + pz * nc
    return pN, vtx


@pytest.mark.parametrize("source", ["pipe", "point", "on_axis"])
def test_upscatter_equals_general_composition(source):
    rng = np.random.default_rng(6)
    E, Q2, m, M, _ = _kinematics_inputs(rng, 12_000)
    if source == "pipe":
        prod = DecayPipeSource((0.0, 0.0, -54100.0), _table(rng), radius=35.0)
    elif source == "point":
        prod = PointSource((10.0, -3.0, -54100.0))
    else:  # the neutrino along +z through the vertex: rho = 0 (the frame's special case)
        prod = PointSource((0.0, 0.0, -54100.0))
    target = Sphere(610.0) if source != "on_axis" else SimpleNamespace(
        sample=lambda n, r: np.column_stack([np.zeros(n), np.zeros(n), r.uniform(-600, 600, n)]))
    setup = SimpleNamespace(m=m, M=M, target_volume=target, production=prod)
    s = slice(5, 5 + E.size)
    outs = []
    for fn in (_old_upscatter, ud._upscatter):
        out = EventColumns(E.size + 5)
        out.f[:] = 0.0
        r = np.random.default_rng(7)
        pN, vtx = fn(setup, E, Q2, r, out, s)
        outs.append((out.f.copy(), pN, vtx, r.random()))
    (f0, p0, v0, u0), (f1, p1, v1, u1) = outs
    assert _same(f0, f1) and _same(p0, p1) and _same(v0, v1) and u0 == u1


def _old_geometry_tail(bounds, L, rng, out, s):
    n = L.size
    pk = path_segment_probabilities(bounds, L)
    p_dec = pk.sum(axis=1)
    out.f[ROWS["l_decay"], s] = sample_path_decay(bounds, L, rng.random(n), rng.random(n), pk=pk)
    out.f[ROWS["p_decay"], s] = p_dec
    out.set_bounds(s, bounds)
    return p_dec


@pytest.mark.parametrize("gap_rows", [0, 2])
def test_one_segment_geometry_equals_general(gap_rows):
    rng = np.random.default_rng(8)
    n = 20_000
    det = Sphere(500.0, center=(0.0, 0.0, 100.0))
    vtx = rng.normal(size=(n, 3)) * 400.0
    d = rng.normal(size=(n, 3))
    d /= norm3(d)[:, None]
    l1s, l2s = det.segments(vtx, d)
    assert l1s.shape == (n, 1) and (l2s > l1s).any() and not (l2s > l1s).all()
    L = np.exp(rng.uniform(-3.0, 12.0, n))
    L[::101] = np.inf  # stable: p = 0
    s = slice(3, 3 + n)
    outs = []
    for one in (False, True):
        out = EventColumns(n + 3)
        out.f[:] = 0.0
        out.gaps = np.zeros((gap_rows, n + 3))
        r = np.random.default_rng(9)
        if one:
            p = ud._geometry_one_segment(l1s[:, 0], l2s[:, 0], L, n, r, out, s)
        else:
            p = _old_geometry_tail(path_bounds_from_segments(l1s, l2s), L, r, out, s)
        outs.append((out.f.copy(), out.gaps.copy(), p, r.random()))
    (f0, g0, p0, u0), (f1, g1, p1, u1) = outs
    assert _same(f0, f1) and _same(g0, g1) and _same(p0, p1) and u0 == u1


def _fake_sample_channel(ch, m, pN, helicity, rng, anti):
    """Stand-in for processes.decays.sample_channel: (len(pN), k, 4) numbers from rng."""
    pN = np.asarray(pN)
    return rng.normal(size=(pN.shape[0], len(ch.daughters), 4)) + pN[:, :1, None] * 0.0


def _old_decay_rows(setup, pN, rng, out, s):
    """The daughter columns as the generator wrote them at 6dcc0cd: zero all slots, scatter each
    channel's daughters into its events."""
    n = pN.shape[0]
    ch = np.minimum(ud._count_le(setup.cum, rng.random(n)), len(setup.finals) - 1)
    f = out.f
    f[ROWS["br"], s] = setup.br[ch]
    f[ROWS["q_channel"], s] = setup.q[ch]
    f[ROWS["w_decay"], s] = 1.0
    f[ROWS["ctau"], s] = setup.table.ctau_cm
    dau = f[DAUGHTER_ROW:DAUGHTER_ROW + 3 * MAX_DAUGHTERS, s]
    dau[...] = 0.0

    def put(sel, d, first, k):
        for i in range(k):
            for c in range(3):
                dau[3 * (first + i) + c, sel] = d[:, i, 1 + c]

    for j, fc in enumerate(setup.finals):
        sel = np.flatnonzero(ch == j)
        if sel.size == 0:
            continue
        d1 = ud.sample_channel(fc.first, setup.m, pN[sel], setup.helicity, rng, False)
        if fc.second is None:
            put(sel, d1, 0, d1.shape[1])
            continue
        nd = d1.shape[1] - 1
        d2 = ud.sample_channel(fc.second, setup.intermediate_mass[j], d1[:, -1], 0.0, rng, False)
        put(sel, d1, 0, nd)
        put(sel, d2, nd, d2.shape[1])
    return ch


@pytest.mark.parametrize("kinds", [(3, 2, 3, "c"), (3,), (2, 2), ("c", 2), (3, 3, 3, 3, 2, 0)])
def test_decay_rows_equal_scatter(monkeypatch, kinds):
    """Daughter rows gathered from a channel-ordered buffer = zero-then-scatter; channels of 2 and 3
    daughters, cascades ('c': N -> nu X, X -> 2), and channels that no event picks (q = 0)."""
    monkeypatch.setattr(ud, "sample_channel", _fake_sample_channel)
    finals = []
    for k in kinds:
        if k == "c":
            finals.append(ud.FinalChannel("c", 0.2, SimpleNamespace(daughters=("nu", "X")),
                                          SimpleNamespace(daughters=("e-", "e+"))))
        else:
            finals.append(ud.FinalChannel(str(k), 0.0 if k == 0 else 0.3,
                                          SimpleNamespace(daughters=("a",) * max(k, 2))))
    br = np.array([fc.br for fc in finals])
    q = br / br.sum()
    setup = SimpleNamespace(finals=finals, br=br, q=q, cum=np.cumsum(q), table=SimpleNamespace(ctau_cm=12.5),
                            antiparticle=False, m=0.4, helicity=-1.0, intermediate_mass=[0.1] * len(finals),
                            n_daughters=[len(fc.daughters()) for fc in finals])
    n = 7_000
    pN = np.random.default_rng(10).normal(size=(n, 4))
    s = slice(2, 2 + n)
    outs = []
    for fn in (_old_decay_rows, ud._decay):
        out = EventColumns(n + 2)
        out.f[:] = 7.0  # stale values must not survive in empty slots
        r = np.random.default_rng(11)
        ch = fn(setup, pN, r, out, s)
        outs.append((out.f.copy(), ch, r.random()))
    (f0, c0, u0), (f1, c1, u1) = outs
    assert _same(f0, f1) and np.array_equal(c0, c1) and u0 == u1


def _old_to_global(shape, s, r, phi):
    return (shape.center + s[:, None] * shape.axis
            + (r * np.cos(phi))[:, None] * shape._e1 + (r * np.sin(phi))[:, None] * shape._e2)


def test_shape_sampling_equals_broadcast_formulas():
    """Vertices in a sphere, a box and the axial shapes: component by component = the (n, 3)
    broadcasts the shapes used before (6dcc0cd)."""
    from darkbeam.detectors.shapes import Box, Cylinder, Frustum

    n = 10_000
    sph = Sphere(610.0, center=(1.5, -2.0, 3.25))
    r0 = np.random.default_rng(12)
    v = r0.standard_normal((n, 3))
    v /= norm3(v)[:, None]
    ref = sph.center + v * (sph.radius * np.cbrt(r0.random(n)))[:, None]
    assert _same(sph.sample(n, np.random.default_rng(12)), ref)

    box = Box((100.0, 30.0, 7.0), center=(0.0, -1.0, 2.0))
    ref = box.lo + np.random.default_rng(13).random((n, 3)) * box.size
    assert _same(box.sample(n, np.random.default_rng(13)), ref)

    for shape in (Cylinder(300.0, 1000.0, axis=(0.1, 0.2, 0.97), center=(5.0, 0.0, -3.0)),
                  Frustum(100.0, 250.0, 800.0, axis=(0.0, 0.0, 1.0), center=(0.0, 2.0, 0.0))):
        r1 = np.random.default_rng(14)
        s = r1.uniform(-400, 400, n)
        rr = r1.uniform(0, 300, n)
        phi = r1.uniform(0, 2 * np.pi, n)
        assert _same(shape._to_global(s, rr, phi), _old_to_global(shape, s, rr, phi))


def test_component_helpers_equal_broadcasts():
    from darkbeam.detectors.shapes import _divide_rows, _minus_point, _rays

    rng = np.random.default_rng(15)
    p = rng.normal(size=(5000, 4)) * np.array([1.0, 1e-3, 1.0, 1e5])
    p[::17, 1:] = -0.0
    a = np.abs(rng.normal(size=5000)) + 1e-300
    assert _same(_divide_rows(p[:, 1:], a), p[:, 1:] / a[:, None])
    c = np.array([3.0, -0.0, 1e3])
    assert _same(_minus_point(p[:, 1:], c), p[:, 1:] - c)
    o, d = _rays(p[:, 1:], p[:, :3] + 0.5)
    ref = p[:, :3] + 0.5
    assert _same(d, ref / np.sqrt(np.einsum("ij,ij->i", ref, ref))[:, None])
    # a single direction broadcast against many origins
    o, d = _rays(p[:, 1:], np.array([0.0, 0.6, 0.8]))
    assert d.shape == (5000, 3) and _same(d[0], np.array([0.0, 0.6, 0.8]) / 1.0)
