"""Flight and decay of long-lived particles from meson decays: forced-direction kinematics and
decay-in-volume rates against independent references (finite differences, brute-force isotropic
sampling, closed forms, one-dimensional quadrature)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from darkbeam.detectors.shapes import Box, Cylinder, Sphere
from darkbeam.mc.fourvec import boost_from_rest
from darkbeam.mc.forced_direction import lab_helicity, lab_momentum_solutions
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.decays import decay_table
from darkbeam.processes.meson_decay import simulate
from darkbeam.units import C_LIGHT_CM_PER_NS
from meson_doubles import M_K, M_MU, experiment_with, k_mu_n, kaons_along_z, kaons_at_rest, two_body_p

M4 = 0.3
PSTAR = two_body_p(M_K, M_MU, M4)
ESTAR = math.hypot(PSTAR, M4)


def _lab_from_rest(P, M, m, pstar, cos_star):
    """Lab |p| and cos(theta) of a daughter emitted at cos(theta*) from a parent moving along z."""
    E, pz = P
    g, bg = E / M, pz / M
    Es = math.hypot(pstar, m)
    sin_star = np.sqrt(1 - cos_star**2)
    plz = g * pstar * cos_star + bg * Es
    plt = pstar * sin_star
    p = np.hypot(plz, plt)
    return p, plz / p


def test_jacobian_against_finite_differences_both_branches():
    """dOmega*/dOmega_lab = |dcos theta*/dcos theta_lab| of the exact forward map, for both roots."""
    pk = 2.0
    P = (math.hypot(pk, M_K), pk)
    cs = np.concatenate([np.linspace(-0.95, 0.95, 39)])
    p, c = _lab_from_rest(P, M_K, M4, PSTAR, cs)
    h = 1e-6
    _, cp = _lab_from_rest(P, M_K, M4, PSTAR, cs + h)
    _, cm = _lab_from_rest(P, M_K, M4, PSTAR, cs - h)
    fd = np.abs(2 * h / (cp - cm))
    u = np.stack([np.sqrt(1 - c**2), np.zeros_like(c), c], axis=1)
    P4 = np.tile([P[0], 0.0, 0.0, P[1]], (len(cs), 1))
    sol = lab_momentum_solutions(P4, M_K, M4, np.full(len(cs), PSTAR), u)
    assert sol.valid.all()  # beta gamma of the kaon (4.05) > p*/m: two roots everywhere in the cone
    pick = np.argmin(np.abs(sol.p - p[:, None]), axis=1)
    rows = np.arange(len(cs))
    np.testing.assert_allclose(sol.p[rows, pick], p, rtol=1e-10, atol=0)
    np.testing.assert_allclose(sol.jacobian[rows, pick], fd, rtol=1e-5, atol=0)
    # on the axis: the textbook forward Jacobian (p/p*)^2
    on = lab_momentum_solutions(P4[:1], M_K, M4, [PSTAR], np.array([[0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(on.jacobian[0], (on.p[0] / PSTAR) ** 2, rtol=1e-12, atol=0)


def test_one_root_when_the_parent_is_slower_and_none_outside_the_cone():
    P4 = np.array([[math.hypot(0.05, M_K), 0.0, 0.0, 0.05]] * 2)  # beta gamma 0.1 < p*/m
    u = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])
    sol = lab_momentum_solutions(P4, M_K, M4, [PSTAR] * 2, u)
    np.testing.assert_array_equal(sol.valid, [[True, False], [True, False]])
    fast = np.array([[math.hypot(3.0, M_K), 0.0, 0.0, 3.0]])
    out = lab_momentum_solutions(fast, M_K, M4, [PSTAR], np.array([[0.6, 0.0, 0.8]]))  # 0.64 rad > theta_max
    assert not out.valid.any()


def test_lab_helicity_against_the_boosted_spin_vector():
    rng = np.random.default_rng(3)
    n = 200
    pP = rng.uniform(0.1, 5.0, n)[:, None] * rng.normal(size=(n, 3))
    P = np.concatenate([np.sqrt(np.sum(pP**2, 1) + M_K**2)[:, None], pP], axis=1)
    nh = rng.normal(size=(n, 3))
    nh /= np.linalg.norm(nh, axis=1)[:, None]
    hs = rng.uniform(-1, 1, n)
    k = np.concatenate([np.full((n, 1), ESTAR), PSTAR * nh], axis=1)
    S = np.concatenate([(hs * PSTAR / M4)[:, None], (hs * ESTAR / M4)[:, None] * nh], axis=1)
    kl, Sl = boost_from_rest(k, P), boost_from_rest(S, P)
    pl = np.linalg.norm(kl[:, 1:], axis=1)
    nL = np.concatenate([(pl / M4)[:, None], (kl[:, :1] / M4) * kl[:, 1:] / pl[:, None]], axis=1)
    explicit = np.sum(Sl[:, 1:] * nL[:, 1:], 1) - Sl[:, 0] * nL[:, 0]
    got = lab_helicity(hs, ESTAR, PSTAR, kl[:, 0], pl, M4, P[:, 0] / M_K)
    np.testing.assert_allclose(got, explicit, rtol=1e-9, atol=1e-12)


def _brute_force(shape, x0, P, ctau, n, rng):
    """Isotropic rest-frame emission, boosted, decay probability summed over the shape: mean, error."""
    c = rng.uniform(-1, 1, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(1 - c * c)
    k = np.zeros((n, 4))
    k[:, 0], k[:, 1], k[:, 2], k[:, 3] = ESTAR, PSTAR * s * np.cos(ph), PSTAR * s * np.sin(ph), PSTAR * c
    lab = boost_from_rest(k, np.broadcast_to(P, (n, 4)))
    p = np.linalg.norm(lab[:, 1:], axis=1)
    pr = shape.decay_probability(np.broadcast_to(x0, (n, 3)), lab[:, 1:], p / M4 * ctau)
    return pr.mean(), pr.std() / math.sqrt(n)


def test_forced_direction_matches_brute_force_isotropic_sampling():
    """Kaons of 2 GeV along z, an LLP with two kinematic roots, a box 20 m away and 80 mrad off axis
    that straddles the edge of the LLP cone (106 mrad), c tau 488 cm (survival matters): the forced
    estimate of the decays in the volume equals brute-force isotropic sampling."""
    params = ModelParameters(m4=M4, Umu4=0.22)
    ctau = decay_table(params, "N4").ctau_cm
    box = Box((400.0, 400.0, 500.0))
    exp = experiment_with(box, baseline=2000.0, angle=0.08, pot=1e20)
    rate, br = 1e-3, 1e-6
    es = simulate(params, exp, [k_mu_n(M4, br)], {"K+": kaons_along_z(100, 2.0, rate)}, n=40_000,
                  rng=np.random.default_rng(11))
    forced = es.w.sum()
    summ = es.meta["summary"][0]  # errors from the per-draw sums (the two roots share a direction)
    assert summ["decays_in_volume"] == pytest.approx(forced, rel=1e-12)
    err_forced = summ["decays_in_volume_err"]
    assert 0 < err_forced < math.sqrt(2.0 * np.sum(es.w**2))
    x0 = exp.source_position  # the kaons decay at the target
    P = np.array([math.hypot(2.0, M_K), 0.0, 0.0, 2.0])
    mean, err = _brute_force(box, x0, P, ctau, 600_000, np.random.default_rng(12))
    scale = exp.pot * rate * br
    assert forced == pytest.approx(scale * mean, abs=4 * math.hypot(err_forced, scale * err), rel=0)
    assert err_forced < 0.02 * forced and err < 0.02 * mean
    # both roots contribute: the slower one is not negligible here
    slow = es.p3("hnl")[:, 2] < 1.2
    assert 0.05 < es.w[slow].sum() / forced < 0.95


def test_point_detector_limit_on_axis():
    """A 5 cm sphere 20 m downstream of kaons along z: sum over both roots of
    (p/p*)^2 V/(4 pi D^2) exp(-D/L)/L (forward Jacobian of the boost)."""
    params = ModelParameters(m4=M4, Umu4=0.22)
    ctau = decay_table(params, "N4").ctau_cm
    R, D, pk = 5.0, 2000.0, 2.0
    exp = experiment_with(Sphere(R), baseline=D, pot=1e20)
    rate, br = 1e-3, 1e-6
    es = simulate(params, exp, [k_mu_n(M4, br)], {"K+": kaons_along_z(10, pk, rate)}, n=4000,
                  rng=np.random.default_rng(5))
    E, g, bg = math.hypot(pk, M_K), math.hypot(pk, M_K) / M_K, pk / M_K
    expected = 0.0
    for sign in (+1, -1):
        p = g * sign * PSTAR + bg * ESTAR
        L = p / M4 * ctau
        expected += (p / PSTAR) ** 2 * (4 / 3 * math.pi * R**3) / (4 * math.pi * D**2) * math.exp(-D / L) / L
    assert es.w.sum() / (exp.pot * rate * br) == pytest.approx(expected, rel=2e-3, abs=0)


def _cylinder_closed_form(R, z1, z2):
    """int over the cylinder (radius R, z1 < z < z2, on the axis of a point at the origin) of d^3x/r^2:
    pi [z ln(1 + R^2/z^2) + 2 R atan(z/R)]_{z1}^{z2}."""
    f = lambda z: math.pi * (z * math.log1p(R * R / (z * z)) + 2 * R * math.atan(z / R))  # noqa: E731
    return f(z2) - f(z1)


def test_cylinder_on_axis_long_lived_closed_form():
    """Kaons at rest, a cylinder on their axis, L >> distances: P = int d^3x/r^2 / (4 pi L)."""
    params = ModelParameters(m4=M4, Umu4=1e-4)
    ctau = decay_table(params, "N4").ctau_cm
    R, Lc, zc = 100.0, 500.0, 800.0
    exp = experiment_with(Cylinder(R, Lc), baseline=zc, pot=1e20)
    rate, br = 1e-3, 1e-6
    es = simulate(params, exp, [k_mu_n(M4, br)], {"K+": kaons_at_rest(10, rate)}, n=20_000,
                  rng=np.random.default_rng(7))
    L = PSTAR / M4 * ctau
    expected = _cylinder_closed_form(R, zc - Lc / 2, zc + Lc / 2) / (4 * math.pi * L)
    got = es.w / (exp.pot * rate * br)
    assert got.sum() == pytest.approx(expected, abs=4 * got.std() * math.sqrt(len(got)), rel=0)
    assert got.std() * math.sqrt(len(got)) < 0.01 * expected


def test_sphere_at_rest_short_lifetime_against_quadrature():
    """Kaons at rest, a sphere (R = 50 cm at D = 300 cm), L = 200 cm: the forced estimate against
    (1/2) int dcos [exp(-l1/L) - exp(-l2/L)] over the cone (scipy quad), and sum(w_rate) against
    the solid-angle fraction (1 - sqrt(1 - R^2/D^2))/2 (both within their MC errors)."""
    from scipy.integrate import quad

    R, D = 50.0, 300.0
    # c tau such that L = (p*/m) c tau = 200 cm: scale the width through Umu4
    ref = ModelParameters(m4=M4, Umu4=0.1)
    ct_ref = decay_table(ref, "N4").ctau_cm
    U = 0.1 * math.sqrt(ct_ref / (200.0 * M4 / PSTAR))
    params = ModelParameters(m4=M4, Umu4=U)
    L = PSTAR / M4 * decay_table(params, "N4").ctau_cm
    assert L == pytest.approx(200.0, rel=1e-9)
    exp = experiment_with(Sphere(R), baseline=D, pot=1e20)
    rate, br = 1e-3, 1e-6
    es = simulate(params, exp, [k_mu_n(M4, br)], {"K+": kaons_at_rest(10, rate)}, n=20_000,
                  rng=np.random.default_rng(8))
    cmax = math.sqrt(1 - R * R / (D * D))

    def integrand(c):
        h = math.sqrt(max(R * R - D * D * (1 - c * c), 0.0))
        return 0.5 * (math.exp(-(D * c - h) / L) - math.exp(-(D * c + h) / L))

    expected = quad(integrand, cmax, 1.0, epsabs=0, epsrel=1e-12)[0]
    got = es.w / (exp.pot * rate * br)
    assert got.sum() == pytest.approx(expected, abs=4 * got.std() * math.sqrt(len(got)), rel=0)
    frac = es["w_rate"] / (exp.pot * rate * br)
    assert frac.sum() == pytest.approx((1 - cmax) / 2, abs=4 * frac.std() * math.sqrt(len(frac)), rel=0)


def test_time_of_flight_and_delay_closed_form():
    """At rest |p| = p*: delay = l (E*/p* - 1)/c, time of the decay t + l E*/(p* c); decay points
    inside the decay volume, at l_decay from the production point."""
    params = ModelParameters(m4=M4, Umu4=0.05)
    box = Box((300.0, 300.0, 300.0))
    exp = experiment_with(box, baseline=1000.0, pot=1e20)
    es = simulate(params, exp, [k_mu_n(M4)], {"K+": kaons_at_rest(10)}, n=2000, rng=np.random.default_rng(9))
    l = es["l_decay"]
    np.testing.assert_allclose(np.linalg.norm(es.p3("hnl"), axis=1), PSTAR, rtol=1e-12, atol=0)
    np.testing.assert_allclose(es.delay(), l * (ESTAR / PSTAR - 1) / C_LIGHT_CM_PER_NS, rtol=1e-10, atol=0)
    np.testing.assert_allclose(es["delay"], es.delay(), rtol=0, atol=0)
    np.testing.assert_allclose(es["t_dec"] - es["t"], l * ESTAR / (PSTAR * C_LIGHT_CM_PER_NS), rtol=1e-10, atol=0)
    vd = es.vertex("decay")[:, :3]
    assert box.contains(vd * (1 - 1e-12)).all()
    np.testing.assert_allclose(np.linalg.norm(vd - np.stack([es["x"], es["y"], es["z"]], 1), axis=1), l,
                               rtol=1e-10, atol=0)
    kin = es.check_kinematics()
    assert max(kin.values()) < 1e-12


def test_survival_from_the_production_point_is_kept():
    """p_decay of every event is exp(-a/L) - exp(-b/L) with a, b measured from the production point:
    moving the detector twice as far at fixed L lowers it by exp(-D/L) beyond the solid angle."""
    params = ModelParameters(m4=M4, Umu4=0.22)
    L = PSTAR / M4 * decay_table(params, "N4").ctau_cm
    es = simulate(params, experiment_with(Box((100.0, 100.0, 100.0)), baseline=1500.0), [k_mu_n(M4)],
                  {"K+": kaons_at_rest(10)}, n=500, rng=np.random.default_rng(1))
    a, b = es["l1"], es["l2"]
    np.testing.assert_allclose(es["p_decay"], np.exp(-a / L) - np.exp(-b / L), rtol=1e-12, atol=0)
    assert (a > 1400).all() and (es["p_decay"] < np.exp(-1400 / L)).all()


def test_same_seed_same_events():
    params = ModelParameters(m4=M4, Umu4=1e-3)
    exp = experiment_with(Box((400.0, 400.0, 500.0)), baseline=11000.0)
    run = lambda s: simulate(params, exp, [k_mu_n(M4)], {"K+": kaons_along_z(50, 3.0)}, n=300,  # noqa: E731
                             rng=np.random.default_rng(s))
    assert run(4).equals(run(4))
    assert not run(4).equals(run(5))


def test_direction_density_integrates_to_one_and_delay_kernel():
    """int q(u) dOmega = 1 for any origin outside a volume (Monte Carlo over isotropic directions),
    and the delay kernel equals l (E/p - 1)/c without cancellation (E/p - 1 = expm1(log1p(m^2/p^2)/2))."""
    from darkbeam.detectors.flight import delay_behind_light, direction_density, time_of_flight
    from darkbeam.mc.fourvec import isotropic_directions

    from darkbeam.detectors.catalog import load_experiment

    vol = load_experiment("nd280_fhc").decay_volume  # three separated boxes
    d = isotropic_directions(np.random.default_rng(1), 400_000)
    a, b = vol.segments(np.broadcast_to([30.0, -20.0, -150.0], d.shape), d)  # between P0D and TPC1
    q = direction_density(a, b, vol.volume)
    assert 4 * math.pi * q.mean() == pytest.approx(1.0, abs=4 * 4 * math.pi * q.std() / math.sqrt(len(q)), rel=0)
    p, m, l = np.array([0.1, 10.0, 1e4]), 0.3, 1000.0
    exact = l * np.expm1(0.5 * np.log1p(m * m / (p * p))) / C_LIGHT_CM_PER_NS  # E/p - 1 = sqrt(1 + m^2/p^2) - 1
    np.testing.assert_allclose(delay_behind_light(l, p, m), exact, rtol=1e-14, atol=0)
    np.testing.assert_allclose(time_of_flight(l, p, m) - l / C_LIGHT_CM_PER_NS, delay_behind_light(l, p, m),
                               rtol=1e-6, atol=0)


def test_nd280_decays_only_inside_the_tpcs():
    """Kaons from the J-PARC target, ND280 at 280 m, 2.5 deg: paths cross up to three TPCs (gap
    columns), every decay vertex lies in a TPC, p_decay sums the segments from the production point."""
    from darkbeam.detectors.catalog import load_experiment

    exp = load_experiment("nd280_fhc")
    params = ModelParameters(m4=M4, Umu4=3e-2)
    es = simulate(params, exp, [k_mu_n(M4)], {"K+": kaons_along_z(20, 2.0, beam="jparc")}, n=3000,
                  rng=np.random.default_rng(6))
    assert es.n_gaps == 2
    vd = es.vertex("decay")[:, :3]
    assert exp.decay_volume.contains(vd).mean() > 0.999  # rounding on the faces aside
    bnd = es.path_bounds()
    L = es.decay_length()
    ref = np.sum(np.exp(-bnd[:, 0::2] / L[:, None]) - np.exp(-bnd[:, 1::2] / L[:, None]), axis=1)
    np.testing.assert_allclose(es["p_decay"], ref, rtol=1e-9, atol=0)
    assert (bnd[:, 0] > 27_000).all()  # the survival over 270 m is in every p_decay
