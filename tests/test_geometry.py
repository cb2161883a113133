"""Detector geometry: volumes, uniform sampling, ray intersections, decay probabilities, BNB pipe.

References are independent of the code under test: closed forms written differently (cones as a
difference of two cones, caps by quadrature of pi (R^2 - z^2), hexagons as six triangles), hit-or-
miss Monte Carlo in the bounding box, brute-force stepping along rays, numerical integration of
the exponential decay law, and the raw BNB table read with numpy.
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from darkbeam.errors import ConfigurationError
from darkbeam.detectors import geometry as g
from darkbeam.detectors.geometry import (
    Box, Clipped, Composite, Cylinder, Frustum, HexagonalPrism, Sphere, SphericalCap,
    decay_probability, sample_decay_distance, shape_from_spec,
)


def shapes():
    return {
        "box": Box([2.0, 3.0, 5.0], center=[1.0, -2.0, 0.5]),
        "sphere": Sphere(2.5, center=[0.3, 0.2, -1.0]),
        "cylinder_z": Cylinder(1.5, 4.0),
        "cylinder_tilted": Cylinder(1.0, 3.0, axis=[1.0, 1.0, 0.5], center=[0.5, 0.0, 1.0]),
        "frustum": Frustum(0.5, 2.0, 4.0, axis=[0.0, 1.0, 1.0], center=[1.0, 0.0, 0.0]),
        "cone": Frustum(0.0, 1.5, 3.0),
        "cap": SphericalCap(3.0, 1.2, axis=[0.0, 0.0, -1.0], center=[0.0, 0.0, 1.0]),
        "big_cap": SphericalCap(2.0, 3.0, axis=[1.0, 0.0, 0.0]),
        "hexprism": HexagonalPrism(1.0, 2.0, center=[0.0, 0.5, 0.0], rotation_deg=17.0),
        "clipped_cyl": Clipped(Cylinder(2.0, 5.0), [0.0, 1.0, 0.0], 1.0),
        "clipped_cap": Clipped(SphericalCap(3.0, 1.5, axis=[0.0, 0.0, 1.0]), [0.0, 1.0, 0.0], 0.5),
        "clipped_box_oblique": Clipped(Box([2.0, 2.0, 2.0]), [1.0, 1.0, 0.0], 0.3),
    }


def microboone_like():
    r, L = 191.61, 1086.49
    rc = 305.250694958
    h = rc * (1 - math.cos(math.radians(38.8816337686)))
    zc = L / 2 + 0.37361008 + h - rc
    clip = dict(normal=[0.0, 1.0, 0.0], offset=0.7 * r)
    return shape_from_spec({
        "shape": "union", "clip": clip, "parts": [
            {"shape": "cylinder", "radius": r, "length": L},
            {"shape": "spherical_cap", "radius": rc, "height": h, "axis": [0, 0, -1], "center": [0, 0, -zc]},
            {"shape": "spherical_cap", "radius": rc, "height": h, "axis": [0, 0, 1], "center": [0, 0, zc]},
        ]})


# ----------------------------------------------------------------------------- volumes
def test_volumes_against_independent_closed_forms():
    assert Box([2, 3, 5]).volume == pytest.approx(30.0, rel=1e-15)
    assert Sphere(2.5).volume == pytest.approx(4 / 3 * math.pi * 2.5**3, rel=1e-14)
    assert Cylinder(1.0, 3.0, axis=[1, 1, 0.5]).volume == pytest.approx(math.pi * 3.0, rel=1e-14)
    # frustum = big cone minus the small cone cut off at its apex side
    r1, r2, H = 0.5, 2.0, 4.0
    Hbig = H * r2 / (r2 - r1)
    cones = math.pi / 3 * (r2**2 * Hbig - r1**2 * (Hbig - H))
    assert Frustum(r1, r2, H).volume == pytest.approx(cones, rel=1e-13)
    # spherical cap by quadrature of the disc areas
    R, h = 3.0, 1.2
    quad, _ = integrate.quad(lambda z: math.pi * (R * R - z * z), R - h, R)
    assert SphericalCap(R, h).volume == pytest.approx(quad, rel=1e-12)
    # hexagon: six equilateral triangles of side 2a/sqrt(3)
    a, L = 1.0, 2.0
    side = 2 * a / math.sqrt(3)
    assert HexagonalPrism(a, L).volume == pytest.approx(6 * side**2 * math.sqrt(3) / 4 * L, rel=1e-14)
    # symmetric cuts through the centre keep exactly half
    assert Clipped(Sphere(2.0), [0.3, -0.2, 1.0], 0.0).volume == pytest.approx(Sphere(2.0).volume / 2, rel=1e-13)
    assert Clipped(Cylinder(2.0, 5.0), [0, 1, 0], 0.0).volume == pytest.approx(Cylinder(2.0, 5.0).volume / 2, rel=1e-13)
    assert Clipped(Box([2, 4, 6]), [0, 0, -1], 1.0).volume == pytest.approx(2 * 4 * 4, rel=1e-14)


@pytest.mark.parametrize("key", list(shapes()))
def test_volume_by_hit_or_miss(key):
    s = shapes()[key]
    rng = np.random.default_rng(11)
    lo, hi = s.bounds()
    n = 400_000
    p = lo + rng.random((n, 3)) * (hi - lo)
    f = s.contains(p).mean()
    box = float(np.prod(hi - lo))
    err = box * math.sqrt(f * (1 - f) / n)
    assert abs(f * box - s.volume) < 4.5 * err + 1e-9


def test_microboone_cryostat_union():
    c = microboone_like()
    assert isinstance(c, Composite) and len(c.parts) == 3
    assert c.overlap_fraction(np.random.default_rng(3), 50_000) == 0.0
    assert c.volume == pytest.approx(sum(p.volume for p in c.parts), rel=1e-15)
    # liquid argon at 1.3954 g/cm^3 in the filled cryostat: DarkNews's 170 t to 0.5%
    assert c.volume * 1.3954e-6 == pytest.approx(170.0, rel=5e-3)
    rng = np.random.default_rng(5)
    lo, hi = c.bounds()
    p = lo + rng.random((400_000, 3)) * (hi - lo)
    f = c.contains(p).mean()
    assert f * np.prod(hi - lo) == pytest.approx(c.volume, rel=0.01)
    assert np.all(c.contains(c.sample(20_000, rng)))


# ----------------------------------------------------------------------------- sampling
@pytest.mark.parametrize("key", list(shapes()))
def test_samples_inside_and_uniform(key):
    s = shapes()[key]
    rng = np.random.default_rng(21)
    pts = s.sample(6000, rng)
    assert pts.shape == (6000, 3) and np.all(s.contains(pts))
    # independent sampler: uniform in the bounding box, keep the inside points
    lo, hi = s.bounds()
    ref = lo + rng.random((60_000, 3)) * (hi - lo)
    ref = ref[s.contains(ref)][:6000]
    for i in range(3):
        if hi[i] - lo[i] > 0:
            assert stats.ks_2samp(pts[:, i], ref[:, i]).pvalue > 1e-4


def test_centroids_closed_forms():
    rng = np.random.default_rng(8)
    r1, r2, H = 0.5, 2.0, 4.0
    zbar = H * (r1**2 + 2 * r1 * r2 + 3 * r2**2) / (4 * (r1**2 + r1 * r2 + r2**2)) - H / 2
    p = Frustum(r1, r2, H).sample(200_000, rng)
    assert p[:, 2].mean() == pytest.approx(zbar, abs=4 * p[:, 2].std() / math.sqrt(len(p)))
    R, h = 3.0, 1.2
    zcap = 3 * (2 * R - h) ** 2 / (4 * (3 * R - h))
    p = SphericalCap(R, h).sample(200_000, rng)
    assert p[:, 2].mean() == pytest.approx(zcap, abs=4 * p[:, 2].std() / math.sqrt(len(p)))
    p = Sphere(1.0).sample(200_000, rng)
    assert np.mean(np.sum(p**2, axis=1)) == pytest.approx(3 / 5, rel=5e-3)  # <r^2> = 3R^2/5


def test_sampling_reproducible_and_zero():
    s = microboone_like()
    a = s.sample(1000, np.random.default_rng(1))
    b = s.sample(1000, np.random.default_rng(1))
    assert np.array_equal(a, b)
    assert s.sample(0, np.random.default_rng(1)).shape == (0, 3)


# ----------------------------------------------------------------------------- rays
def _brute(shape, o, d, tmax, n=60_001):
    """Entry, exit and inside length by stepping along each ray."""
    t = np.linspace(0.0, tmax, n)
    dt = t[1] - t[0]
    l1, l2, length = [], [], []
    for i in range(len(o)):
        inside = shape.contains(o[i] + t[:, None] * d[i])
        idx = np.flatnonzero(inside)
        length.append(inside.sum() * dt)
        l1.append(t[idx[0]] if idx.size else 0.0)
        l2.append(t[idx[-1]] if idx.size else 0.0)
    return np.array(l1), np.array(l2), np.array(length), dt


@pytest.mark.parametrize("key", list(shapes()))
def test_rays_against_stepping(key):
    s = shapes()[key]
    rng = np.random.default_rng(31)
    n = 60
    o = rng.normal(size=(n, 3)) * 3.5
    d = rng.normal(size=(n, 3))
    # add rays along the axes (zero direction components) and rays starting inside
    d[:6] = [[0, 0, 1], [0, 0, -1], [0, 1, 0], [1, 0, 0], [-1, 0, 0], [0, -1, 0]]
    o[6:12] = s.sample(6, rng)
    d = d / np.linalg.norm(d, axis=1)[:, None]
    inter = s.intersect(o, d)
    l1, l2, length, dt = _brute(s, o, d, tmax=25.0)
    tol = 2.5 * dt
    assert np.all(np.isfinite(inter.l1)) and np.all(np.isfinite(inter.l2))
    assert np.all(inter.l1 <= inter.l2)
    assert np.allclose(inter.l1, l1, atol=tol)
    assert np.allclose(inter.l2, l2, atol=tol)
    assert np.allclose(s.path_length(o, d), length, atol=tol)
    assert np.array_equal(inter.hit, length > 0)
    assert np.all(inter.l1[6:12] == 0.0)  # origins inside: l1 clipped at 0


def test_rays_union_and_misses():
    c = microboone_like()
    rng = np.random.default_rng(41)
    o = np.column_stack([rng.uniform(-250, 250, 40), rng.uniform(-250, 250, 40), np.full(40, -900.0)])
    d = np.column_stack([rng.normal(0, 0.05, 40), rng.normal(0, 0.05, 40), np.ones(40)])
    d /= np.linalg.norm(d, axis=1)[:, None]
    _, _, length, dt = _brute(c, o, d, tmax=1800.0, n=90_001)
    assert np.allclose(c.path_length(o, d), length, atol=3 * dt)
    l1, l2 = c.segments(o, d)
    assert l1.shape == (40, 3)
    # a ray pointing away misses: zeros, no NaN
    inter = Sphere(1.0).intersect([[0, 0, -5.0]], [[0, 0, -1.0]])
    assert inter.l1[0] == 0.0 and inter.l2[0] == 0.0 and not inter.hit[0]
    inter = Box([1, 1, 1]).intersect([[5.0, 5.0, -5.0]], [[0, 0, 1.0]])
    assert not inter.hit[0] and inter.l2[0] == 0.0
    # unnormalised directions give distances in cm
    a = Sphere(1.0).intersect([[0, 0, -5.0]], [[0, 0, 7.0]])
    assert a.l1[0] == pytest.approx(4.0) and a.l2[0] == pytest.approx(6.0)


def test_far_rays_precision():
    # a ray from the BNB target 541 m upstream through MiniBooNE: chord 2R exactly
    s = Sphere(574.6)
    inter = s.intersect([[0.0, 0.0, -54100.0]], [[0.0, 0.0, 1.0]])
    assert inter.l1[0] == pytest.approx(54100.0 - 574.6, rel=1e-14)
    assert inter.l2[0] - inter.l1[0] == pytest.approx(2 * 574.6, rel=1e-12)
    f = Frustum(104.736, 1027.5, 47400.0, center=[0, 0, -25020.0])
    inter = f.intersect([[0.0, 0.0, -54100.0]], [[0.0, 0.0, 1.0]])
    assert inter.l1[0] == pytest.approx(54100 - 48720, rel=1e-12)
    assert inter.l2[0] == pytest.approx(54100 - 1320, rel=1e-12)


def test_bad_inputs():
    with pytest.raises(ConfigurationError):
        Sphere(-1.0)
    with pytest.raises(ConfigurationError):
        Box([1, 0, 1])
    with pytest.raises(ConfigurationError):
        Sphere(1.0).intersect([[0, 0, 0]], [[0, 0, 0]])
    with pytest.raises(ConfigurationError):
        shape_from_spec({"shape": "sphere", "radius": 1.0, "colour": "red"})
    with pytest.raises(ConfigurationError):
        shape_from_spec({"shape": "torus", "radius": 1.0})
    with pytest.raises(ConfigurationError):
        Clipped(Sphere(1.0), [0, 0, 1], -2.0)


@pytest.mark.parametrize("spec, needle", [
    ({"shape": "sphere", "radius": 1.0, "colour": "red"}, "vol: unknown key 'colour' (allowed: center, clip,"),
    ({"shape": "sphere", "radius": 1.0, "centre": [0, 0, 0]}, "unknown key 'centre' (did you mean 'center'?"),
    ({"shape": "torus", "radius": 1.0}, "vol: unknown shape 'torus' (use one of box, sphere, cylinder,"),
    ({"shape": "cylindre", "radius": 1.0}, "unknown shape 'cylindre' (did you mean 'cylinder'?"),
    ({"radius": 1.0}, "vol: needs a 'shape'"),
    ({"shape": "box"}, "vol: missing required key 'size'"),
    ({"shape": "box", "size": [1, 0, 1]}, "vol.size: must be three positive numbers (cm), got [1.0, 0.0, 1.0]"),
    ({"shape": "box", "size": [1, 2]}, "vol.size: must be three numbers"),
    ({"shape": "box", "size": [1, 2, "x"]}, "vol.size: must be three finite numbers"),
    ({"shape": "sphere", "radius": -2}, "vol.radius: must be positive, got -2"),
    ({"shape": "sphere", "radius": "big"}, "vol.radius: must be a number or a fraction 'a/b', got 'big'"),
    ({"shape": "cylinder", "radius": 1, "length": 2, "axis": [0, 0, 0]}, "vol.axis: must be a non-zero vector"),
    ({"shape": "frustum", "radius_start": 0, "radius_end": 0, "length": 1}, "positive radius at one end"),
    ({"shape": "spherical_cap", "radius": 1, "height": 3}, "height 3 exceeds the sphere diameter 2"),
    ({"shape": "hexagonal_prism", "apothem": 1, "length": 2, "rotation_deg": "x"}, "vol.rotation_deg: must be a number"),
    ({"shape": "union", "parts": []}, "vol.parts: must not be empty"),
    ({"shape": "union", "parts": [{"shape": "sphere", "radius": 1}, {"shape": "box", "size": [1, -1, 1]}]},
     "vol.parts[1].size: must be three positive numbers"),
    ({"shape": "union", "parts": [{"shape": "union", "parts": [{"shape": "cone"}]}]},
     "vol.parts[0].parts[0]: unknown shape 'cone'"),
    ({"shape": "sphere", "radius": 1, "clip": {"normal": [0, 0, 1]}}, "vol.clip: missing required key 'offset'"),
    ({"shape": "sphere", "radius": 1, "clip": {"normal": [0, 0, 1], "offset": -2}}, "vol: clipping plane removes"),
    ({"shape": "sphere", "radius": 1, "clip": 3}, "vol.clip: must be a table"),
    ("sphere", "vol: must be a table"),
])
def test_bad_shape_tables_one_line(spec, needle):
    with pytest.raises(ConfigurationError) as info:
        shape_from_spec(spec, "vol")
    msg = str(info.value)
    assert needle in msg and "\n" not in msg and "Value error" not in msg, msg


def test_shape_table_defaults_and_fractions():
    # numbers may be fractions in strings; a union's clip applies to each part
    s = shape_from_spec({"shape": "sphere", "radius": "3/2", "center": [0, 0, "1/2"]})
    assert s.radius == 1.5 and list(s.center) == [0, 0, 0.5]
    u = shape_from_spec({"shape": "union", "clip": {"normal": [0, 0, 1], "offset": 0.0},
                         "parts": [{"shape": "sphere", "radius": 1.0}, {"shape": "box", "size": [1, 1, 1], "center": [5, 0, 0]}]})
    assert u.volume == pytest.approx(2 * math.pi / 3 + 0.5, rel=1e-6)
    cyl = shape_from_spec({"shape": "cylinder", "radius": 1.0, "length": 2.0})
    assert list(cyl.axis) == [0, 0, 1] and list(cyl.center) == [0, 0, 0]


# ----------------------------------------------------------------------------- decay law
def test_decay_probability_vs_quadrature():
    l1, l2 = 3.0, 11.0
    for L in [1e-2, 0.3, 1.0, 7.0, 1e2, 1e5, 1e9]:
        ref, _ = integrate.quad(lambda x: math.exp(-x / L) / L, l1, l2, epsabs=0, epsrel=1e-13,
                                points=[l1 + L] if L < l2 - l1 else None)
        assert decay_probability(l1, l2, L) == pytest.approx(ref, rel=1e-10, abs=1e-300)


def test_decay_probability_limits():
    l1, l2 = np.array([0.0, 2.0, 5.0]), np.array([1.0, 3.0, 5.0])
    # L >> l: (l2 - l1)/L (1 - (l1 + l2)/(2L)) to full precision
    L = 1e12
    approx = (l2 - l1) / L * (1 - (l1 + l2) / (2 * L))
    assert np.allclose(decay_probability(l1, l2, L), approx, rtol=1e-12, atol=0)
    assert decay_probability(1.0, 2.0, 1e300) == pytest.approx(1e-300, rel=1e-12, abs=0)
    # L << l1: underflows to exactly 0, never NaN
    p = decay_probability(l1, l2, 1e-6)
    assert p[0] == pytest.approx(1.0) and p[1] == 0.0 and p[2] == 0.0
    assert np.all(np.isfinite(decay_probability(l1, l2, 1e-300)))
    assert np.all(decay_probability(l1, l2, np.inf) == 0.0)
    assert list(decay_probability(l1, l2, 0.0)) == [1.0, 0.0, 0.0]
    with pytest.raises(ConfigurationError):
        decay_probability(2.0, 1.0, 1.0)
    with pytest.raises(ConfigurationError):
        decay_probability(1.0, 2.0, -1.0)


def test_shape_decay_probability_sums_pieces():
    # two disjoint boxes along z: P = P(box 1) + P(box 2)
    c = Composite([Box([1, 1, 2], center=[0, 0, 3]), Box([1, 1, 1], center=[0, 0, 10])])
    L = np.array([0.5, 4.0, 1e6])
    o = np.zeros((3, 3))
    d = np.tile([0.0, 0.0, 1.0], (3, 1))
    # e^-a - e^-b = -e^-a expm1(a - b): no cancellation at L >> l (the plain difference is off by 2e-11 at L = 1e6)
    ref = -np.exp(-2 / L) * np.expm1(-2 / L) - np.exp(-9.5 / L) * np.expm1(-1 / L)
    assert np.allclose(c.decay_probability(o, d, L), ref, rtol=1e-12, atol=0)


def test_decay_positions_exponential_ks():
    rng = np.random.default_rng(2024)
    box = Box([10.0, 10.0, 1000.0], center=[0.0, 0.0, 700.0])  # z from 200 to 1200
    n = 20_000
    o = np.zeros((n, 3))
    d = np.tile([0.0, 0.0, 1.0], (n, 1))
    L = 300.0
    pts, dist, prob = box.sample_decay_points(o, d, L, rng)
    assert np.allclose(prob, np.exp(-200 / L) - np.exp(-1200 / L), rtol=1e-13, atol=0)
    assert np.all(box.contains(pts)) and np.allclose(pts[:, 2], dist)

    def cdf(x):  # truncated exponential on [200, 1200]
        return (np.exp(-200 / L) - np.exp(-x / L)) / (np.exp(-200 / L) - np.exp(-1200 / L))

    assert stats.kstest(dist, cdf).pvalue > 1e-3
    # independent sampler: exponential decays, keep those inside
    ref = rng.exponential(L, size=200_000)
    ref = ref[(ref >= 200) & (ref <= 1200)]
    assert stats.ks_2samp(dist, ref).pvalue > 1e-3


def test_decay_distance_limits():
    u = np.linspace(0, 1, 11)
    assert np.allclose(sample_decay_distance(2.0, 5.0, 1e15, u), 2.0 + 3.0 * u, atol=1e-9)
    assert np.allclose(sample_decay_distance(2.0, 5.0, np.inf, u), 2.0 + 3.0 * u)
    d = sample_decay_distance(2.0, 5.0, 1e-3, u[:-1])  # u in [0, 1)
    assert np.all((d >= 2.0) & (d < 2.05)) and np.all(np.isfinite(d))
    assert sample_decay_distance(2.0, 5.0, 1e-3, 1.0) == 5.0  # u = 1 is the far end, never inf
    assert np.all(sample_decay_distance(3.0, 3.0, 1.0, u) == 3.0)


def test_decay_points_in_union_by_piece():
    c = Composite([Box([1, 1, 2], center=[0, 0, 3]), Box([1, 1, 1], center=[0, 0, 10])])
    n = 40_000
    rng = np.random.default_rng(7)
    L = 4.0
    pts, dist, prob = c.sample_decay_points(np.zeros((n, 3)), np.tile([0, 0, 1.0], (n, 1)), L, rng)
    p1 = math.exp(-2 / L) - math.exp(-4 / L)
    p2 = math.exp(-9.5 / L) - math.exp(-10.5 / L)
    frac = np.mean(dist > 5)
    assert frac == pytest.approx(p2 / (p1 + p2), abs=4 * math.sqrt(frac * (1 - frac) / n))
    assert np.all(c.contains(pts))
    # a ray that misses: probability 0, finite position
    pts, dist, prob = c.sample_decay_points([[5.0, 5.0, 0.0]], [[0, 0, 1.0]], L, rng)
    assert prob[0] == 0.0 and np.all(np.isfinite(pts))


def test_flight_time():
    assert g.flight_time_ns(29.9792458) == pytest.approx(1.0, rel=1e-15)
    assert g.flight_time_ns(29.9792458, beta=0.5) == pytest.approx(2.0, rel=1e-15)


# ----------------------------------------------------------------------------- BNB decay pipe
def test_bnb_table_rows_are_used_per_energy():
    from darkbeam.data import fetch

    raw = np.loadtxt(fetch("BNB_energy_distances", kind="flux"))
    e_c, d_c, w = raw[1:, 0], raw[0, 1:], raw[1:, 1:]
    table = g.BNBProductionTable.load()
    rng = np.random.default_rng(99)
    for ib in (2, 20, 45, 70):
        n = 20_000
        z = table.sample_distance(np.full(n, e_c[ib]), rng)
        mean_ref = 100.0 * np.sum(w[ib] * d_c) / np.sum(w[ib])  # cm
        var_ref = 1e4 * (np.sum(w[ib] * d_c**2) / np.sum(w[ib])) - mean_ref**2
        var_ref += (100.0 * (d_c[1] - d_c[0])) ** 2 / 12  # uniform within the bin
        assert z.mean() == pytest.approx(mean_ref, abs=4 * math.sqrt(var_ref / n))
    # rows without entries (high energy) borrow the nearest non-empty row below
    assert len(table.filled_rows) == int(np.sum(w.sum(axis=1) == 0))
    zhi = table.sample_distance(np.full(5000, 4.2), rng)
    assert np.all((zhi >= 0) & (zhi <= 100.0 * (d_c[-1] + (d_c[1] - d_c[0]) / 2)))


def test_bnb_pipe_points_and_fallback():
    src = g.bnb_production([0.0, 0.0, -54100.0])
    assert isinstance(src, g.DecayPipeSource)
    p = src.sample(np.full(10_000, 0.8), np.random.default_rng(4))
    assert np.all(np.hypot(p[:, 0], p[:, 1]) <= 35.0 + 1e-9)
    assert np.all((p[:, 2] >= -54100.0) & (p[:, 2] <= -54100.0 + 2550.0))
    with pytest.warns(RuntimeWarning, match="point source"):
        fb = g.bnb_production([0.0, 0.0, -54100.0], name="no_such_table")
    assert fb.is_fallback and isinstance(fb, g.PointSource)
    assert np.all(fb.sample(np.ones(3), np.random.default_rng(0)) == [0.0, 0.0, -54100.0])
