"""Four-vectors and phase-space samplers (darkbeam.mc): algebra, closed-form kinematics, and the
sampled distributions against exact bin probabilities (chi^2 tests with controls that must fail)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from darkbeam import constants as C
from darkbeam.mc import fourvec as fv
from darkbeam.mc import phasespace as ps


def _random_p4(rng, n, M, pmax=50.0):
    """n four-momenta of mass M with isotropic directions and |p| log-uniform up to pmax."""
    d = fv.isotropic_directions(rng, n)
    p = 10.0 ** rng.uniform(-3, np.log10(pmax), n)
    return fv.four_vectors(np.sqrt(M * M + p * p), d * p[:, None])


def _assert_close(a, b, scale, tol):
    """|a - b| <= tol * scale elementwise (scale broadcast against a)."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    err = np.abs(a - b) / np.broadcast_to(scale, a.shape)
    assert err.max() <= tol, f"max relative deviation {err.max():.3g} > {tol}"


def _chi2_pvalue(counts, expected):
    counts = np.asarray(counts, float).ravel()
    expected = np.asarray(expected, float).ravel()
    chi2 = np.sum((counts - expected) ** 2 / expected)
    return chi2, stats.chi2.sf(chi2, counts.size - 1)


# ----------------------------------------------------------------------------------- four-vectors
def test_minkowski_products():
    a = np.array([[5.0, 1.0, 2.0, 3.0]])
    b = np.array([[2.0, -1.0, 0.5, 4.0]])
    assert fv.mdot(a, b)[0] == pytest.approx(10.0 + 1.0 - 1.0 - 12.0)
    assert fv.msq(a)[0] == pytest.approx(25.0 - 14.0)
    assert fv.mass(a)[0] == pytest.approx(np.sqrt(11.0))
    assert fv.mass(np.array([1.0, 2.0, 0.0, 0.0])) == 0.0  # space-like -> 0
    assert fv.three_momentum(a)[0] == pytest.approx(np.sqrt(14.0))


def test_boosts_invert_and_preserve_products():
    rng = np.random.default_rng(11)
    P = _random_p4(rng, 500, 0.3)
    q = _random_p4(rng, 500, 0.05, pmax=2.0)
    r = _random_p4(rng, 500, 0.0, pmax=2.0)
    # the parent at rest is boosted to P
    rest = np.zeros((500, 4))
    rest[:, 0] = 0.3
    _assert_close(fv.boost_from_rest(rest, P), P, P[:, :1], 1e-10)
    _assert_close(fv.boost_to_rest(P, P)[:, 1:], 0.0, P[:, :1], 1e-10)
    # round trip and invariance of Minkowski products
    back = fv.boost_to_rest(fv.boost_from_rest(q, P), P)
    np.testing.assert_allclose(back, q, rtol=1e-9, atol=1e-9 * np.abs(q).max())
    lab_q, lab_r = fv.boost_from_rest(q, P), fv.boost_from_rest(r, P)
    np.testing.assert_allclose(fv.mdot(lab_q, lab_r), fv.mdot(q, r), rtol=1e-8)
    # velocity addition along z: a particle at rest in P's frame moves with P's velocity
    vel = fv.boost_from_rest(np.array([1.0, 0, 0, 0]), P)
    np.testing.assert_allclose(vel[:, 1:] / vel[:, :1], P[:, 1:] / P[:, :1], rtol=1e-10, atol=1e-14)


def test_rotation_z_to_direction():
    rng = np.random.default_rng(3)
    n = np.vstack([fv.isotropic_directions(rng, 200), [[0, 0, 1.0], [0, 0, -1.0], [1.0, 0, 0]]])
    e1, e2 = fv.transverse_frame(n)
    for a, b in [(e1, e1), (e2, e2), (n, n)]:
        np.testing.assert_allclose(np.sum(a * b, axis=1), 1.0, atol=1e-14)
    for a, b in [(e1, e2), (e1, n), (e2, n)]:
        np.testing.assert_allclose(np.sum(a * b, axis=1), 0.0, atol=1e-14)
    np.testing.assert_allclose(np.cross(e1, e2), n, atol=1e-14)  # right-handed: a proper rotation
    z = np.broadcast_to([0.0, 0.0, 1.0], n.shape)
    np.testing.assert_allclose(fv.rotate_z_to(z, n), n, atol=1e-15)


def test_helicity_frame_to_lab_is_rotation_then_pure_boost():
    """The compiled kernel equals rotate(+z -> P_hat) followed by the generic boost of Jackson 11.19."""
    rng = np.random.default_rng(5)
    M = 0.4
    P = _random_p4(rng, 300, M, pmax=200.0)
    P[0] = [M, 0, 0, 0]  # at rest: +z axis
    masses = np.array([0.1, 0.0, 0.02])
    k = np.zeros((300, 3, 4))
    d = fv.isotropic_directions(rng, 900).reshape(300, 3, 3)
    pk = rng.uniform(0.0, 0.1, (300, 3))
    k[..., 1:] = d * pk[..., None]
    k[..., 0] = np.sqrt(masses**2 + pk**2)
    lab = fv.helicity_frame_to_lab(k, P, M, masses)
    n_hat = fv.direction(P[:, 1:])
    rot = k.copy()
    rot[..., 1:] = fv.rotate_z_to(k[..., 1:], n_hat[:, None, :])
    ref = fv.boost_from_rest(rot, P[:, None, :])
    _assert_close(lab, ref, P[:, None, :1], 1e-10)
    _assert_close(fv.msq(lab), masses**2, lab[..., 0] ** 2, 1e-13)


def test_isotropic_directions_uniform():
    rng = np.random.default_rng(7)
    d = fv.isotropic_directions(rng, 40000)
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0, atol=1e-14)
    assert stats.kstest(d[:, 2], stats.uniform(-1, 2).cdf).pvalue > 1e-3
    assert stats.kstest(np.arctan2(d[:, 1], d[:, 0]), stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue > 1e-3
    # control: the KS test sees a 5% anisotropy
    skew = ps.sample_cos_linear(rng.random(40000), 0.05)
    assert stats.kstest(skew, stats.uniform(-1, 2).cdf).pvalue < 1e-3


# ----------------------------------------------------------------------------------- two-body
def test_two_body_momentum_closed_forms():
    # pi+ -> mu+ nu: p* = (m_pi^2 - m_mu^2) / (2 m_pi) = 29.79 MeV (PDG)
    assert ps.two_body_momentum(C.M_PI, C.M_MU, 0.0) == pytest.approx((C.M_PI**2 - C.M_MU**2) / (2 * C.M_PI), rel=1e-14)
    assert ps.two_body_momentum(C.M_PI, C.M_MU, 0.0) == pytest.approx(0.029792, abs=2e-6)
    # equal masses: p* = (M/2) sqrt(1 - 4 m^2/M^2)
    assert ps.two_body_momentum(1.0, 0.3, 0.3) == pytest.approx(0.5 * np.sqrt(1 - 0.36), rel=1e-14)
    assert ps.two_body_momentum(1.0, 0.5, 0.5) == 0.0
    assert ps.kallen(1.0, 0.09, 0.09) == pytest.approx(1 - 0.36)


@pytest.mark.parametrize("slope", [-1.0, -0.35, 0.0, 0.6, 1.0])
def test_sample_cos_linear_matches_density(slope):
    rng = np.random.default_rng(21)
    c = ps.sample_cos_linear(rng.random(100000), slope)
    assert c.min() >= -1 and c.max() <= 1
    edges = np.linspace(-1, 1, 21)
    cdf = (1 + edges) / 2 + slope * (edges**2 - 1) / 4
    _, p = _chi2_pvalue(np.histogram(c, edges)[0], 1e5 * np.diff(cdf))
    assert p > 1e-3
    # control: the same statistic rejects a slope off by 0.05
    wrong = (1 + edges) / 2 + (slope - 0.05 * np.sign(slope + 0.5)) * (edges**2 - 1) / 4
    _, p_wrong = _chi2_pvalue(np.histogram(c, edges)[0], 1e5 * np.diff(wrong))
    assert p_wrong < 1e-4


def test_two_body_rest_kinematics():
    rng = np.random.default_rng(2)
    k = ps.two_body_rest(rng, 1000, C.M_K, C.M_MU, 0.0, slope=0.3)
    np.testing.assert_allclose(k.sum(axis=1), np.tile([C.M_K, 0, 0, 0], (1000, 1)), atol=1e-15)
    np.testing.assert_allclose(fv.msq(k), np.tile([C.M_MU**2, 0.0], (1000, 1)), atol=1e-15)
    with pytest.raises(ValueError):
        ps.two_body_rest(rng, 10, 0.1, C.M_MU, 0.0)


# ----------------------------------------------------------------------------------- Dalitz plot
def _in_region(M, m, s12, s23):
    """Physical region by the triangle inequality of the rest-frame momenta (independent of
    dalitz_limits): |p1|, |p2|, |p3| from the energies must close a triangle."""
    s13 = M * M + sum(x * x for x in m) - s12 - s23
    E = [(M * M + m[0] ** 2 - s23) / (2 * M), (M * M + m[1] ** 2 - s13) / (2 * M), (M * M + m[2] ** 2 - s12) / (2 * M)]
    p = [np.sqrt(np.maximum(e * e - mm * mm, 0)) for e, mm in zip(E, m)]
    ok = (E[0] >= m[0]) & (E[1] >= m[1]) & (E[2] >= m[2])
    return ok & (p[0] <= p[1] + p[2]) & (p[1] <= p[0] + p[2]) & (p[2] <= p[0] + p[1])


def test_dalitz_limits_against_triangle_inequality():
    M, m = 1.0, (0.1, 0.2, 0.3)
    s12 = np.linspace((m[0] + m[1]) ** 2, (M - m[2]) ** 2, 57)[1:-1]
    lo, hi = ps.dalitz_limits(M, *m, s12)
    eps = 1e-9
    assert np.all(_in_region(M, m, s12, lo * (1 + eps))) and np.all(_in_region(M, m, s12, hi * (1 - eps)))
    assert not np.any(_in_region(M, m, s12, lo * (1 - 1e-6))) and not np.any(_in_region(M, m, s12, hi * (1 + 1e-6)))


def test_three_body_rest_reproduces_invariants():
    rng = np.random.default_rng(8)
    M, m = 1.2, (0.105, 0.0, 0.5)
    for perm in [(0, 1, 2), (2, 0, 1)]:
        ma, mb, mc = (m[i] for i in perm)
        s_ab = rng.uniform((ma + mb) ** 2, (M - mc) ** 2, 2000)
        lo, hi = ps.dalitz_limits(M, ma, mb, mc, s_ab)
        s_bc = lo + (hi - lo) * rng.random(2000)
        k = ps.three_body_rest(M, ma, mb, mc, s_ab, s_bc, rng.random((3, 2000)), perm)
        a, b, c = (k[:, i] for i in perm)
        np.testing.assert_allclose(k.sum(axis=1), np.tile([M, 0, 0, 0], (2000, 1)), atol=1e-14)
        np.testing.assert_allclose(fv.msq(a + b), s_ab, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(fv.msq(b + c), s_bc, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(fv.msq(k), np.tile(np.array(m), (2000, 1)) ** 2, atol=1e-13)


def _flat_bin_probabilities(M, m, e12, e23, nq=400):
    """Exact-to-quadrature probability of each (s12, s23) bin under flat phase space: the area of the
    bin inside the Dalitz region (Gauss-Legendre in s12 with the s23 range clipped to each bin)."""
    x, w = np.polynomial.legendre.leggauss(nq)
    out = np.zeros((e12.size - 1, e23.size - 1))
    for i in range(e12.size - 1):
        s = 0.5 * (e12[i] + e12[i + 1]) + 0.5 * (e12[i + 1] - e12[i]) * x
        ws = 0.5 * (e12[i + 1] - e12[i]) * w
        # s23 limits from the triangle inequality: bisection-free closed form of the region's edge
        Ea_b = (s - m[0] ** 2 + m[1] ** 2) / (2 * np.sqrt(s))
        Ec_b = (M * M - s - m[2] ** 2) / (2 * np.sqrt(s))
        pb, pc = np.sqrt(np.maximum(Ea_b**2 - m[1] ** 2, 0)), np.sqrt(np.maximum(Ec_b**2 - m[2] ** 2, 0))
        lo, hi = (Ea_b + Ec_b) ** 2 - (pb + pc) ** 2, (Ea_b + Ec_b) ** 2 - (pb - pc) ** 2
        for j in range(e23.size - 1):
            out[i, j] = np.sum(ws * np.clip(np.minimum(hi, e23[j + 1]) - np.maximum(lo, e23[j]), 0, None))
    return out / out.sum()


def test_flat_dalitz_sampling_is_uniform():
    M, m = 1.0, (0.1, 0.2, 0.3)
    sampler = ps.DalitzSampler(M, m)
    rng = np.random.default_rng(4)
    n = 60000
    k, st = sampler.sample(rng, np.zeros(n))
    assert st.max_ratio <= 1.0 and st.n_bad == 0
    s12 = fv.msq(k[:, 0] + k[:, 1])
    s23 = fv.msq(k[:, 1] + k[:, 2])
    assert np.all(_in_region(M, m, s12 * (1 - 1e-12) + 1e-15, s23))
    e12 = np.linspace((m[0] + m[1]) ** 2, (M - m[2]) ** 2, 9)
    e23 = np.linspace((m[1] + m[2]) ** 2, (M - m[0]) ** 2, 9)
    prob = _flat_bin_probabilities(M, m, e12, e23)
    counts = np.histogram2d(s12, s23, [e12, e23])[0]
    keep = prob > 5.0 / n
    _, p = _chi2_pvalue(counts[keep], n * prob[keep] / prob[keep].sum() * counts[keep].sum() / n)
    assert p > 1e-3
    # orientation is isotropic for an unpolarised parent
    assert stats.kstest(k[:, 0, 3] / fv.three_momentum(k[:, 0]), stats.uniform(-1, 2).cdf).pvalue > 1e-3
    # control: a density tilted linearly by 12% from end to end in s12 is rejected
    t = (0.5 * (e12[1:] + e12[:-1]) - e12[0]) / (e12[-1] - e12[0])
    tilt = prob * (1 + 0.12 * (t - 0.5))[:, None]
    _, p_wrong = _chi2_pvalue(counts[keep], tilt[keep] / tilt[keep].sum() * counts[keep].sum())
    assert p_wrong < 1e-4


def test_peaked_weight_sampled_efficiently_and_exactly():
    """A photon-propagator-like weight 1/s_23 peaked at the e+e- threshold (max/mean ~ 1e4): the
    envelope must adapt (efficiency > 0.2) and the s23 spectrum must follow the exact projection,
    dGamma/ds23 ∝ Delta_12(s23) / s23 (the inner range of s12 at fixed s23), by quadrature."""
    M, m = 0.15, (0.0, C.M_E, C.M_E)

    def weight(k, s3):
        return 1.0 / fv.msq(k[:, 1] + k[:, 2])

    sampler = ps.DalitzSampler(M, m, weight)
    assert sampler.perm == (1, 2, 0)  # the e+e- pair (1, 2) is the outer variable
    rng = np.random.default_rng(9)
    n = 50000
    k, st = sampler.sample(rng, np.zeros(n))
    assert st.max_ratio <= 1.0
    assert n / st.n_candidates > 0.2
    s23 = fv.msq(k[:, 1] + k[:, 2])
    edges = np.geomspace(4 * C.M_E**2, M**2, 16)
    x, w = np.polynomial.legendre.leggauss(200)
    prob = []
    for a, b in zip(edges[:-1], edges[1:]):
        # log-substitution s = exp(y) for the 1/s peak
        y = 0.5 * (np.log(a) + np.log(b)) + 0.5 * (np.log(b) - np.log(a)) * x
        s = np.exp(y)
        lo, hi = ps.dalitz_limits(M, m[1], m[2], m[0], s)  # s_23 outer, s_30 inner
        prob.append(np.sum(0.5 * (np.log(b) - np.log(a)) * w * (hi - lo)))  # (1/s) ds = dy
    prob = np.array(prob) / np.sum(prob)
    _, p = _chi2_pvalue(np.histogram(s23, edges)[0], n * prob)
    assert p > 1e-3


def _central_feature(k, s3):
    """1 + 20 where every daughter's energy is within 0.05 of M/3 = 1/3 (massless daughters, M = 1):
    a hexagon of area 3 delta^2 in the (E1, E2) Dalitz triangle of area 1/8, i.e. p = 24 delta^2 = 0.06
    of phase space; spin-independent and rotation invariant."""
    E = k[:, :, 0]
    return 1.0 + 20.0 * np.all(np.abs(E - 1.0 / 3.0) < 0.05, axis=1)


#: a scan that sees only the Dalitz plot's inner ends at a few outer points (no random points): it
#: misses the central feature
_COARSE = dict(n_lin=4, n_log=1, n_cells=1, n_sub=1, n_refine=0)


def test_sampler_reports_a_missed_feature():
    """A feature the envelope scans miss is reported (max_ratio > 1, per cell; the glue then raises
    the envelope and resamples: tests/test_decay_sampling.py), and after :meth:`enlarge` the sample is
    exact: the fraction of decays in the feature is 21 p / (1 + 20 p) with p = 0.06."""
    M, m = 1.0, (0.0, 0.0, 0.0)
    sampler = ps.DalitzSampler(M, m, _central_feature, **_COARSE)
    _, st = sampler.sample(np.random.default_rng(1), np.full(5000, 0.5))
    assert st.max_ratio > 1.0
    assert np.all(st.bin_max_ratio >= 0) and st.bin_max_ratio.max() == st.max_ratio
    assert st.bin_max_ratio.size == sampler.G.size
    sampler.enlarge(st.max_ratio * 1.25)
    n = 40000
    k, st = sampler.sample(np.random.default_rng(2), np.full(n, 0.5))
    assert st.max_ratio <= 1.0
    frac = np.mean(_central_feature(k, None) > 1.0)
    p = 24 * 0.05**2
    expect = 21 * p / (1 + 20 * p)
    assert abs(frac - expect) < 5 * np.sqrt(expect * (1 - expect) / n)


def test_sampler_refuses_weights_that_are_not_spin_half():
    """The orientation is drawn from |M|^2 = A + B.s, so a weight not of that form (here: it jumps at
    |s| = 1/2 for one orientation; or not rotation invariant) is refused at set-up, not sampled wrong."""

    def jump(k, s3):
        half = np.abs(np.linalg.norm(s3, axis=1) - 0.5) < 0.1
        return 1.0 + 20.0 * half * (k[:, 0, 2] > 0.9 * fv.three_momentum(k[:, 0]))

    def along_x(k, s3):  # prefers daughter 0 along +x whatever the spin: not rotation invariant
        return 2.0 + k[:, 0, 1] / fv.three_momentum(k[:, 0])

    for w in (jump, along_x):
        with pytest.raises(ValueError, match="spin-1/2 or spinless"):
            ps.DalitzSampler(1.0, (0.1, 0.1, 0.1), w)
    # the spin-1/2 weight of these tests passes, with B in the decay plane
    sampler = ps.DalitzSampler(1.0, (0.0, 0.01, 0.01), _polarised_weight)
    assert sampler.spin_dependent and sampler.in_plane


def test_sampler_rejects_closed_decays():
    with pytest.raises(ValueError):
        ps.DalitzSampler(0.2, (0.1, 0.1, 0.0))


# ----------------------------------------------------------------------------------- numpy and compiled kernels
# Every numba kernel has a numpy twin (darkbeam.mc._jit chooses by batch size).  The twins evaluate
# the same expressions in the same order, so the same inputs must give the same numbers to rounding
# (here: 1e-12 of the momentum scale; the selections and comparisons must agree exactly).
from darkbeam.errors import ConfigurationError  # noqa: E402
from darkbeam.mc import _jit  # noqa: E402
from darkbeam.mc import _dalitz_np as dnp  # noqa: E402


def _compiled():
    pytest.importorskip("numba")
    kern = _jit.kernels()
    assert kern is not None
    return kern


def _both_paths(fn):
    """fn() evaluated with the numpy twins forced and with the compiled kernels forced."""
    _compiled()
    with _jit.threshold_set_to("never"):
        a = fn()
    with _jit.threshold_set_to(0):
        b = fn()
    return a, b


def _polarised_weight(k, s3):
    """A polarised V-A-like weight with a threshold peak: ((p - m s).k_1)(k_0.k_2) / s_12 at rest
    (any smooth positive function of the momenta and the spin will do here)."""
    M = 1.0
    pk1 = M * k[:, 1, 0] - M * np.sum(s3 * k[:, 1, 1:], axis=1)  # (p - M s).k1 with p = (M, 0), s = (0, s3)
    return pk1 * fv.mdot(k[:, 0], k[:, 2]) / np.maximum(fv.msq(k[:, 1] + k[:, 2]), 1e-300)


# masses with massless pairs (s = 0 edges), light e+e- pairs, massive and near-threshold daughters
_KERNEL_CASES = [(1.0, (0.0, 0.0, 0.0)), (0.15, (0.0, C.M_E, C.M_E)), (1.2, (0.105, 0.0, 0.5)), (0.2125, (C.M_MU, C.M_MU, 0.0))]


@pytest.mark.parametrize("M,m", _KERNEL_CASES)
def test_limits_and_configurations_agree_between_paths(M, m):
    rng = np.random.default_rng(41)
    n = 3000
    for perm in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        ma, mb, mc = (m[i] for i in perm)
        s_min, s_max = (ma + mb) ** 2, (M - mc) ** 2
        # random points plus both ends of the outer range and points 1e-12 inside
        s_ab = np.concatenate([rng.uniform(s_min, s_max, n), [s_min, s_max, s_min + 1e-12 * (s_max - s_min), s_max * (1 - 1e-12)]])
        (lo_a, hi_a), (lo_b, hi_b) = _both_paths(lambda: ps.dalitz_limits(M, ma, mb, mc, s_ab))
        _assert_close(lo_a, lo_b, M * M, 1e-12)
        _assert_close(hi_a, hi_b, M * M, 1e-12)
        # inner invariant: random, and exactly at both limits (collinear configurations)
        t = np.concatenate([rng.random(n), [0.0, 1.0, 0.5, 0.0]])
        t[:10] = 0.0
        t[10:20] = 1.0
        s_bc = lo_a + (hi_a - lo_a) * t
        u = rng.random((3, s_ab.size))
        u[:, :3] = [[0.0, 1.0, 0.5]] * 3  # poles of the orientation
        k_a, k_b = _both_paths(lambda: ps.three_body_rest(M, ma, mb, mc, s_ab, s_bc, u, perm))
        assert np.all(np.isfinite(k_a)) and np.all(np.isfinite(k_b))
        _assert_close(k_a, k_b, M, 1e-12)
        # and the numpy twin keeps four-momentum conservation (checked for the compiled one above)
        _assert_close(k_a.sum(axis=1), np.array([M, 0.0, 0.0, 0.0]), M, 1e-12)


def test_candidates_agree_between_paths():
    """The candidate generator of DalitzSampler (cell choice by inverse CDF of the envelope, Dalitz
    point, body-frame configuration, envelope density) agrees between the paths; the body frame has
    p_a along +z and p_b in the xz plane; the cells are drawn with the envelope's probabilities."""
    kern = _compiled()
    sampler = ps.DalitzSampler(1.0, (0.0, 0.01, 0.01), _polarised_weight)
    rng = np.random.default_rng(5)
    m = 20000
    u = rng.random((4, m))
    k_a, env_a, c_a = sampler._candidates(u, None)
    k_b, env_b, c_b = sampler._candidates(u, kern)
    np.testing.assert_array_equal(c_a, c_b)
    assert np.all(env_a > 0) and np.array_equal(np.isinf(env_a), np.isinf(env_b))
    fin = np.isfinite(env_a)
    np.testing.assert_allclose(env_a[fin], env_b[fin], rtol=1e-12, atol=0)
    _assert_close(k_a, k_b, 1.0, 1e-12)
    ia, ib, _ = sampler.perm
    assert np.all(k_a[:, :, 2] == 0.0) and np.all(k_a[:, ia, 1] == 0.0) and np.all(k_a[:, ib, 1] >= 0.0)
    _assert_close(k_a.sum(axis=1), np.array([1.0, 0.0, 0.0, 0.0]), 1.0, 1e-12)
    prob = np.diff(np.concatenate([[0.0], sampler._cum])) / sampler._cum[-1]
    keep = prob * m > 20
    counts = np.bincount(c_a, minlength=prob.size)
    _, p = _chi2_pvalue(np.append(counts[keep], counts[~keep].sum()), m * np.append(prob[keep], prob[~keep].sum()))
    assert p > 1e-3


def test_acceptance_agrees_between_paths():
    """Acceptance: first accepted candidate per event (its weight kept), bad weights (negative, NaN,
    inf) rejected and counted, the largest ratio above 1 per cell, already-finished events untouched."""
    kern = _compiled()
    rng = np.random.default_rng(6)
    n_ev, mult = 3000, 4
    pending = np.sort(rng.choice(n_ev, 2500, replace=False))
    idx = np.repeat(pending, mult)
    m = idx.size
    w = rng.exponential(1.0, m)
    bad = rng.permutation(m)[:90]
    w[bad[:30]] = -1.0
    w[bad[30:60]] = np.nan
    w[bad[60:]] = np.inf
    env = rng.uniform(0.5, 4.0, m)
    env[rng.choice(m, 50, replace=False)] = np.inf  # empty inner range
    env[rng.choice(m, 200, replace=False)] = 0.05  # ratios above 1
    u_acc = rng.random(m)
    cells = rng.integers(0, 40, m)
    k = rng.normal(size=(m, 3, 4))
    res = []
    for fn in (dnp._accept_np, kern.accept):
        out = np.full((n_ev, 3, 4), -7.0)
        w_out = np.full(n_ev, -7.0)
        done = np.zeros(n_ev, dtype=bool)
        done[pending[:100]] = True  # finished earlier: must stay untouched
        ratio = np.zeros(40)
        n_bad, w_max = fn(w, env, u_acc, idx, cells, k, out, w_out, done, ratio)
        res.append((out, w_out, done, ratio, n_bad, w_max))
    (out_a, wo_a, done_a, br_a, nb_a, wm_a), (out_b, wo_b, done_b, br_b, nb_b, wm_b) = res
    np.testing.assert_array_equal(done_a, done_b)
    np.testing.assert_array_equal(out_a, out_b)
    np.testing.assert_array_equal(wo_a, wo_b)
    np.testing.assert_array_equal(br_a, br_b)
    assert nb_a == nb_b == 90 and wm_a == wm_b
    # independent check of the rule: each event's first candidate with u < w/env (bad weights never)
    with np.errstate(invalid="ignore"):
        ok = (w >= 0) & np.isfinite(w) & (u_acc < w / env)
    first = {}
    for j in np.flatnonzero(ok):
        first.setdefault(idx[j], j)
    expect_done = np.zeros(n_ev, dtype=bool)
    expect_done[pending[:100]] = True
    for e, j in first.items():
        if e not in set(pending[:100]):
            expect_done[e] = True
            np.testing.assert_array_equal(out_a[e], k[j])
            assert wo_a[e] == w[j]
    np.testing.assert_array_equal(done_a, expect_done)
    assert np.all(out_a[pending[:100]] == -7.0)


def test_orientation_agrees_between_paths():
    """The exact orientation: numpy (general and in-plane forms) and compiled agree; it is a rotation
    (lengths and the angles between daughters kept, momentum conserved); |B| > A is counted as bad."""
    kern = _compiled()
    rng = np.random.default_rng(7)
    sampler = ps.DalitzSampler(1.0, (0.0, 0.01, 0.01), _polarised_weight)
    n = 6000
    k0, _, _ = sampler._candidates(rng.random((4, n)), None)
    A = rng.uniform(0.5, 2.0, n)
    B = rng.normal(size=(n, 3))
    B *= (A * rng.uniform(0.0, 1.0, n) / np.linalg.norm(B, axis=1))[:, None]
    B[:300] = 0.0  # no spin dependence
    B[300:600] = [0.0, 1.0, 0.0] * A[300:600, None]  # along the normal: the e1 = x branch
    B[600:620] *= 1.5 * A[600:620, None] / np.linalg.norm(B[600:620], axis=1)[:, None]  # |B| > A: bad
    h = rng.uniform(-1, 1, n)
    v = rng.random((3, n))
    ia, ib, ic = sampler.perm
    ka, kb = k0.copy(), k0.copy()
    bad_a = dnp._orient_np(ka, A, B[:, 0], B[:, 1], B[:, 2], h, v, ia, ib, ic)
    bad_b = kern.orient(kb, A, B[:, 0].copy(), B[:, 1].copy(), B[:, 2].copy(), h, v, ia, ib, ic)
    assert bad_a == bad_b == 20
    _assert_close(ka, kb, 1.0, 1e-12)
    np.testing.assert_allclose(np.linalg.norm(ka[:, :, 1:], axis=2), np.linalg.norm(k0[:, :, 1:], axis=2), rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.einsum("ni,ni->n", ka[:, 0, 1:], ka[:, 1, 1:]), np.einsum("ni,ni->n", k0[:, 0, 1:], k0[:, 1, 1:]), atol=1e-14)
    _assert_close(ka.sum(axis=1), np.array([1.0, 0.0, 0.0, 0.0]), 1.0, 1e-12)
    # in-plane form (B_y = 0 and body momenta in the xz plane) = the general one with B_y = 0
    Bp = B.copy()
    Bp[:, 1] = 0.0
    kp, kg = k0.copy(), k0.copy()
    dnp._orient_np(kp, A, Bp[:, 0], None, Bp[:, 2], h, v, ia, ib, ic)
    dnp._orient_np(kg, A, Bp[:, 0], Bp[:, 1], Bp[:, 2], h, v, ia, ib, ic)
    np.testing.assert_array_equal(kp, kg)


def test_lab_transform_agrees_between_paths():
    rng = np.random.default_rng(8)
    M = 0.4
    P = _random_p4(rng, 5000, M, pmax=400.0)  # gamma up to 1e3
    P[0] = [M, 0, 0, 0]
    P[1] = [np.hypot(M, 2.0), 0, 0, 2.0]  # along +z and -z: no azimuth
    P[2] = [np.hypot(M, 2.0), 0, 0, -2.0]
    masses = np.array([0.1, 0.0, C.M_E])
    d = fv.isotropic_directions(rng, 15000).reshape(5000, 3, 3)
    pk = rng.uniform(0.0, 0.15, (5000, 3))
    k = fv.four_vectors(np.sqrt(masses**2 + pk**2), d * pk[..., None])
    a, b = _both_paths(lambda: fv.helicity_frame_to_lab(k, P, M, masses))
    _assert_close(a, b, P[:, None, :1], 1e-12)


def test_sampler_agrees_between_paths():
    """Whole accept-reject runs with the same seed: the same candidates are accepted, so the momenta
    agree to rounding and the statistics exactly."""
    sampler = ps.DalitzSampler(1.0, (0.0, 0.01, 0.01), _polarised_weight)
    h = np.random.default_rng(2).uniform(-1, 1, 70000)  # more than one chunk
    (k_a, st_a), (k_b, st_b) = _both_paths(lambda: sampler.sample(np.random.default_rng(9), h))
    _assert_close(k_a, k_b, 1.0, 1e-12)
    assert st_a.n_candidates == st_b.n_candidates and st_a.n_bad == st_b.n_bad == 0
    assert st_a.max_weight == pytest.approx(st_b.max_weight, rel=1e-12)
    np.testing.assert_allclose(st_a.bin_max_ratio, st_b.bin_max_ratio, rtol=1e-12)
    # deterministic in each path
    with _jit.threshold_set_to("never"):
        again, _ = sampler.sample(np.random.default_rng(9), h)
    assert np.array_equal(again, k_a)


def test_batch_size_selects_the_path(monkeypatch):
    """Below the threshold the numpy twins run (the compiled ones are not even called), at and above
    it the compiled ones."""
    kern = _compiled()
    calls = []
    orig = kern.three_body_rest
    monkeypatch.setattr(kern, "three_body_rest", lambda *a: (calls.append(a[4].size), orig(*a))[1])
    M, m = 1.0, (0.1, 0.2, 0.3)
    s_ab = np.full(100, 0.3)
    lo, hi = ps.dalitz_limits(M, m[0], m[1], m[2], s_ab)
    with _jit.threshold_set_to(101):
        ps.three_body_rest(M, *m, s_ab, 0.5 * (lo + hi), np.full((3, 100), 0.5))
    assert calls == []
    with _jit.threshold_set_to(100):
        ps.three_body_rest(M, *m, s_ab, 0.5 * (lo + hi), np.full((3, 100), 0.5))
        assert calls == [100]
        # inside an enclosing batch of 100 (split into smaller calls) a call of 10 follows the batch
        with _jit.outer_batch(100):
            ps.three_body_rest(M, *m, s_ab[:10], 0.5 * (lo + hi)[:10], np.full((3, 10), 0.5))
        assert calls == [100, 10]
        with _jit.outer_batch(99):
            ps.three_body_rest(M, *m, s_ab[:10], 0.5 * (lo + hi)[:10], np.full((3, 10), 0.5))
        ps.three_body_rest(M, *m, s_ab[:10], 0.5 * (lo + hi)[:10], np.full((3, 10), 0.5))
        assert calls == [100, 10]


def test_threshold_configuration(monkeypatch):
    old = _jit.set_threshold("never")
    try:
        assert _jit.threshold() == np.inf and _jit.use_jit(10**12) is None
        with _jit.threshold_set_to(5):
            assert _jit.threshold() == 5.0
        assert _jit.threshold() == np.inf
        with pytest.raises(ConfigurationError):
            _jit.set_threshold(-1)
        with pytest.raises(ConfigurationError):
            _jit.set_threshold("often")
        monkeypatch.setenv("DARKBEAM_JIT_THRESHOLD", "12345")
        _jit.set_threshold(None)
        assert _jit.threshold() == 12345.0
        monkeypatch.setenv("DARKBEAM_JIT_THRESHOLD", "never")
        _jit.set_threshold(None)
        assert _jit.threshold() == np.inf
        monkeypatch.delenv("DARKBEAM_JIT_THRESHOLD")
        _jit.set_threshold(None)
        assert _jit.threshold() == _jit.DEFAULT_THRESHOLD
    finally:
        _jit.set_threshold(old)
        _jit.set_threshold(None)


_SMALL_RUN = """
import sys
import numpy as np
import darkbeam
from darkbeam.mc import fourvec, phasespace
from darkbeam.physics.channels import Channel
from darkbeam.processes import decays
P = np.tile([1.0, 0.0, 0.0, np.sqrt(1.0 - 0.15**2)], (2000, 1))
decays.sample_channel(Channel("N4", ("nu_e", "e+", "e-"), 1.0), 0.15, P, 0.5, np.random.default_rng(0))
decays.sample_channel(Channel("N4", ("nu_e", "gamma"), 1.0), 0.15, P, 0.5, np.random.default_rng(0))
print("numba" in sys.modules)
"""


def test_small_batches_never_load_numba():
    """Importing darkbeam and decaying a small batch does not import numba; with the threshold at 0
    (control) the same run does."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DARKBEAM_JIT_THRESHOLD"}
    out = subprocess.run([sys.executable, "-c", _SMALL_RUN], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "False"
    _compiled()
    env["DARKBEAM_JIT_THRESHOLD"] = "0"
    out = subprocess.run([sys.executable, "-c", _SMALL_RUN], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "True"
