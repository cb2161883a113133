"""HNL decays through mixing (physics/hnl_mixing.py, mesons.py, qcd.py) against independent references.

References used here, none of them the code under test: scipy quadrature, the muon-decay closed form,
explicit Dirac-matrix/spinor amplitudes, Shrock's P -> l N width (crossed), numerical Dalitz-plot
integration, the quark-model isospin relation with the Z couplings of models/couplings.py, measured
e+e- and tau widths (PDG 2024), and an independent RGE integration for alpha_s.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp

from darkbeam import constants as C
from darkbeam.errors import KinematicsError, ModelError, ParameterError
from darkbeam.models.couplings import Couplings
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics import hnl_mixing as H
from darkbeam.physics import mesons, qcd
from darkbeam.physics.channels import Channel, ThreeBody, TwoBody
from darkbeam.physics.particles import conjugate, mass_of

GF = C.G_F


def couplings(m4=1.0, htype="dirac", **mix):
    mix = mix or {"Ue4": 1e-3, "Umu4": 2e-3, "Utau4": 3e-3}
    return Couplings(ModelParameters.from_dict({"m4": m4, "HNLtype": htype, **mix}))


# ===================================================================== explicit Dirac algebra (test-only)
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
GAM = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
G5 = np.block([[_Z2, _I2], [_I2, _Z2]]).astype(complex)
ONE = np.eye(4)
ETA = np.array([1.0, -1.0, -1.0, -1.0])
_XI = (np.array([1, 0], complex), np.array([0, 1], complex))


def slash(p):
    return GAM[0] * p[0] - GAM[1] * p[1] - GAM[2] * p[2] - GAM[3] * p[3]


def _sp(v):
    return sum(v[i] * _SIG[i] for i in range(3))


def u_spinors(p, m):
    """Dirac-representation u(p, xi) for xi = up, down (ubar u = 2m)."""
    E, s = p[0], _sp(p[1:])
    return [np.concatenate([np.sqrt(E + m) * xi, s @ xi / np.sqrt(E + m)]) for xi in _XI]


def v_spinors(p, m):
    E, s = p[0], _sp(p[1:])
    return [np.concatenate([s @ xi / np.sqrt(E + m), np.sqrt(E + m) * xi]) for xi in _XI]


def bar(u):
    return u.conj() @ GAM[0]


def u_rest(M, n):
    """N at rest with spin +1/2 along the unit vector n: eigenvector of sigma.n."""
    w, v = np.linalg.eigh(_sp(n))
    return np.sqrt(2 * M) * np.concatenate([v[:, np.argmax(w)], np.zeros(2)])


def pstar(M, a, b):
    return np.sqrt(max((M * M - (a + b) ** 2) * (M * M - (a - b) ** 2), 0.0)) / (2 * M)


def boost(k, beta):
    b2 = beta @ beta
    g = 1 / np.sqrt(1 - b2)
    bp = beta @ k[1:]
    return np.concatenate([[g * (k[0] + bp)], k[1:] + ((g - 1) * bp / b2 + g * k[0]) * beta])


def unit(rng):
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def random_three_body(rng, M, m1, m2, m3):
    m23 = rng.uniform(m2 + m3, M - m1)
    p1, n1 = pstar(M, m1, m23), unit(rng)
    k1 = np.concatenate([[np.hypot(p1, m1)], p1 * n1])
    k23 = np.concatenate([[M - k1[0]], -p1 * n1])
    q, n2 = pstar(m23, m2, m3), unit(rng)
    beta = k23[1:] / k23[0]
    k2 = boost(np.concatenate([[np.hypot(q, m2)], q * n2]), beta)
    k3 = boost(np.concatenate([[np.hypot(q, m3)], -q * n2]), beta)
    return k1, k2, k3


def test_dirac_toolkit_spin_sums():
    p = np.array([0.0, 0.3, -0.2, 0.5])
    m = 0.2
    p[0] = np.sqrt(m * m + p[1:] @ p[1:])
    assert np.allclose(sum(np.outer(u, bar(u)) for u in u_spinors(p, m)), slash(p) + m * ONE, atol=1e-14)
    assert np.allclose(sum(np.outer(v, bar(v)) for v in v_spinors(p, m)), slash(p) - m * ONE, atol=1e-14)
    # the spin-up rest spinor is the projector of the trace formula (P/ + M)(1 + g5 s/)/2
    M, n = 1.3, np.array([0.6, 0.0, 0.8])
    u = u_rest(M, n)
    s = np.concatenate([[0.0], n])
    assert np.allclose(np.outer(u, bar(u)), (slash([M, 0, 0, 0]) + M * ONE) @ (ONE + G5 @ slash(s)) / 2, atol=1e-13)


# ===================================================================== two-body: widths and alpha
def _two_body_numeric(M, ml, mX, vector, theta):
    """Sum over lepton spins (and V polarisations) of |ubar_l Gamma (1 - g5) u_N|^2, N spin along +z."""
    uN = u_rest(M, np.array([0.0, 0.0, 1.0]))
    p = pstar(M, ml, mX)
    n = np.array([np.sin(theta), 0.0, np.cos(theta)])
    kl = np.concatenate([[np.hypot(p, ml)], p * n])
    q = np.array([M, 0, 0, 0]) - kl
    if vector:
        e1 = np.array([0.0, np.cos(theta), 0.0, -np.sin(theta)])
        e2 = np.array([0.0, 0.0, 1.0, 0.0])
        eL = np.concatenate([[p / mX], q[0] * (-n) / mX])
        ops = [slash(e) for e in (e1, e2, eL)]
    else:
        ops = [slash(q)]
    return sum(abs(bar(u) @ op @ (ONE - G5) @ uN) ** 2 for u in u_spinors(kl, ml) for op in ops)


@pytest.mark.parametrize("vector,M,ml,mX", [(False, 0.6, C.M_MU, C.M_PI), (False, 2.5, C.M_TAU, C.M_PI),
                                            (True, 1.3, C.M_MU, C.M_RHO), (True, 3.0, C.M_TAU, C.M_KSTAR),
                                            (True, 1.5, 0.0, C.M_PHI)])
def test_two_body_width_and_alpha_against_dirac_matrices(vector, M, ml, mX):
    w0, wpi, w60 = (_two_body_numeric(M, ml, mX, vector, t) for t in (0.0, np.pi, np.pi / 3))
    alpha_num = (w0 - wpi) / (w0 + wpi)
    avg = 0.5 * (w0 + wpi)
    assert w60 == pytest.approx(avg * (1 + alpha_num * 0.5), rel=1e-12)  # linear in cos(theta)
    const, ckm = (0.162, 0.97) if vector else (0.130, 0.97)
    gamma_num = GF**2 / 2 * ckm**2 * const**2 * avg * pstar(M, ml, mX) / (8 * np.pi * M**2)
    if vector:
        assert H.alpha_l_vector(M, ml, mX) == pytest.approx(alpha_num, rel=1e-12, abs=1e-14)
        assert H.width_l_vector(M, ml, mX, const, ckm) == pytest.approx(gamma_num, rel=1e-12, abs=0)
    else:
        assert H.alpha_l_pseudoscalar(M, ml, mX) == pytest.approx(alpha_num, rel=1e-12, abs=1e-14)
        assert H.width_l_pseudoscalar(M, ml, mX, const, ckm) == pytest.approx(gamma_num, rel=1e-12, abs=0)


def test_massless_lepton_alpha_limits():
    M = np.array([0.5, 1.0, 3.0])
    assert np.allclose(H.alpha_l_pseudoscalar(M, 0.0, C.M_PI0), -1.0)
    x2 = (C.M_RHO / M[1:]) ** 2
    assert np.allclose(H.alpha_l_vector(M[1:], 0.0, C.M_RHO), -(1 - 2 * x2) / (1 + 2 * x2))


def test_charged_pseudoscalar_width_is_crossed_shrock_width():
    """Gamma(N -> l P) from the spin-summed |M|^2 of P -> l N (Shrock 1981; 1805.08567 sec. 2.1)."""

    def shrock_msq_summed(mP, ml, mN, f, V):  # 2 G_F^2 f^2 V^2 m_P^4 [x_l^2 + x_N^2 - (x_l^2 - x_N^2)^2]
        return 2 * GF**2 * f**2 * V**2 * (mP**2 * (ml**2 + mN**2) - (ml**2 - mN**2) ** 2)

    for M, ml, mP, f, V in [(0.8, C.M_E, C.M_PI, mesons.F_PI, C.V_UD), (1.2, C.M_MU, C.M_K, mesons.F_K, C.V_US),
                            (4.0, C.M_TAU, C.M_DS, mesons.F_DS, C.V_CS)]:
        crossed = -shrock_msq_summed(mP, ml, M, f, V) / 2  # fermion crossing sign; average over the N spin
        gamma = crossed * pstar(M, ml, mP) / (8 * np.pi * M**2)
        assert H.width_l_pseudoscalar(M, ml, mP, f, V) == pytest.approx(gamma, rel=1e-12, abs=0)


def test_neutral_two_body_is_charged_with_isospin_factor():
    M = np.linspace(0.2, 5, 50)
    assert np.allclose(H.width_nu_pseudoscalar(M, C.M_PI0, 0.13), H.width_l_pseudoscalar(M, 0.0, C.M_PI0, 0.13, 1.0) / 2, rtol=1e-13, atol=0)
    k = 0.7
    assert np.allclose(H.width_nu_vector(M, C.M_RHO, 0.162, k), k**2 / 2 * H.width_l_vector(M, 0.0, C.M_RHO, 0.162, 1.0), rtol=1e-13, atol=0)


def test_helicity_ratio_e_over_mu_pion_and_thresholds():
    M = np.array([0.3, 0.5, 1.0, 2.0])
    r = H.width_l_pseudoscalar(M, C.M_E, C.M_PI, 0.13, 1) / H.width_l_pseudoscalar(M, C.M_MU, C.M_PI, 0.13, 1)

    def bracket(ml):
        xl, xp = (ml / M) ** 2, (C.M_PI / M) ** 2
        return ((1 - xl) ** 2 - xp * (1 + xl)) * np.sqrt(H.kallen(1, xp, xl))

    assert np.allclose(r, bracket(C.M_E) / bracket(C.M_MU), rtol=1e-13, atol=0)
    assert r[-1] == pytest.approx(1.0, abs=0.02) and r[0] > 2  # no helicity suppression for M >> m_l
    thr = C.M_MU + C.M_PI
    w = H.width_l_pseudoscalar(np.array([thr * (1 - 1e-9), thr * (1 + 1e-9)]), C.M_MU, C.M_PI, 0.13, 1)
    assert w[0] == 0.0 and 0 < w[1] < 1e-4 * H.width_l_pseudoscalar(0.5, C.M_MU, C.M_PI, 0.13, 1)


# ===================================================================== three-body: I(x,y,z), |M|^2
def _I_quad(x, y, z):
    def f(s):
        return ((s - x * x - y * y) * (1 + z * z - s) * np.sqrt(max(H.kallen(s, x * x, y * y), 0))
                * np.sqrt(max(H.kallen(1, s, z * z), 0)) / s)

    return 12 * quad(f, (x + y) ** 2, (1 - z) ** 2, epsabs=0, epsrel=1e-12, limit=400)[0]


def test_I_integral_against_quad_and_closed_forms():
    cases = [(0.0005, 0.0, 0.1), (0.1, 0.0, 0.0005), (0.5, 0.002, 0.004), (0.3, 0.3, 0.3), (0.9, 0.0, 0.05),
             (0.05, 0.0, 0.9), (0.2, 0.6, 0.1), (0.06, 0.001, 0.7)]
    got = H.I_integral(*np.array(cases).T)
    ref = np.array([_I_quad(*c) for c in cases])
    assert np.allclose(got, ref, rtol=1e-8, atol=0)
    assert H.I_integral(0.0, 0.0, 0.0) == pytest.approx(1.0, rel=1e-13)
    x = np.array([0.01, 0.2, 0.5, 0.8])
    f_muon = 1 - 8 * x**2 + 8 * x**6 - x**8 - 24 * x**4 * np.log(x)  # muon decay with a massive daughter
    for args in [(x, 0, 0), (0, x, 0), (0, 0, x)]:
        assert np.allclose(H.I_integral(*args), f_muon, rtol=1e-10, atol=0)
    assert np.all(H.I_integral([0.5, 0.3], [0.5, 0.3], [0.0, 0.5]) == 0.0)  # closed
    # I is symmetric under all permutations of its arguments (Fierz + crossing of the V-A structure)
    base = H.I_integral(0.1, 0.3, 0.45)
    for perm in [(0.1, 0.45, 0.3), (0.3, 0.1, 0.45), (0.3, 0.45, 0.1), (0.45, 0.1, 0.3), (0.45, 0.3, 0.1)]:
        assert H.I_integral(*perm) == pytest.approx(base, rel=1e-12)
        assert _I_quad(*perm) == pytest.approx(base, rel=1e-8)


def test_massless_three_body_width():
    M = np.array([0.5, 2.0])
    assert np.allclose(H.width_cc_leptons(M, 0.0, 0.0), GF**2 * M**5 / (192 * np.pi**3), rtol=1e-13, atol=0)
    assert np.allclose(H.width_cc_quarks(M, 0, 0, 0, 1.0), 3 * GF**2 * M**5 / (192 * np.pi**3), rtol=1e-13, atol=0)


def _spinor_sum_three_body(M, masses, k, n, current2):
    """sum over final spins |[ubar_1 g^mu (1-g5) u_N][ubar_2 g_mu current2 v_3]|^2, N spin along n."""
    uN = u_rest(M, n)
    tot = 0.0
    for u1 in u_spinors(k[0], masses[0]):
        left = [bar(u1) @ GAM[mu] @ (ONE - G5) @ uN for mu in range(4)]
        for u2 in u_spinors(k[1], masses[1]):
            for v3 in v_spinors(k[2], masses[2]):
                tot += abs(sum(ETA[mu] * left[mu] * (bar(u2) @ GAM[mu] @ current2 @ v3) for mu in range(4))) ** 2
    return tot


def _as_batch(*vs):
    return [np.asarray(v, float)[None, :] for v in vs]


def test_polarised_cc_three_body_msq_against_dirac_matrices():
    rng = np.random.default_rng(7)
    M, ma, mb = 2.5, C.M_MU, C.M_TAU  # N -> mu- tau+ nu_tau
    for _ in range(4):
        k_a, k_nu, k_b = random_three_body(rng, M, ma, 0.0, mb)
        n = unit(rng)
        num = _spinor_sum_three_body(M, (ma, 0.0, mb), (k_a, k_nu, k_b), n, ONE - G5)
        P, s = np.array([M, 0, 0, 0.0]), np.concatenate([[0.0], n])
        # channel order (l_a^-, l_b^+, nu_b)
        msq = H.msq_cc_leptons(*_as_batch(P, k_a, k_b, k_nu, s))[0]
        assert num == pytest.approx(128 * msq, rel=1e-11)
        assert H.msq_cc_leptons(*_as_batch(P, k_a, k_b, k_nu, -s))[0] == pytest.approx(
            _spinor_sum_three_body(M, (ma, 0.0, mb), (k_a, k_nu, k_b), -n, ONE - G5) / 128, rel=1e-11)


def test_polarised_nc_quark_msq_against_dirac_matrices():
    rng = np.random.default_rng(3)
    M, mq = 2.0, 0.45
    for q in ("u", "d"):
        gV, gA = mesons.nc_vector_coupling(q, 0.23), mesons.nc_axial_coupling(q)
        msq = H.make_msq_nc_quarks(0.5 * (gV + gA), 0.5 * (gV - gA), mq)
        for _ in range(3):
            k = random_three_body(rng, M, 0.0, mq, mq)
            n = unit(rng)
            num = _spinor_sum_three_body(M, (0.0, mq, mq), k, n, gV * ONE - gA * G5)
            assert num == pytest.approx(128 * msq(*_as_batch([M, 0, 0, 0], *k, np.concatenate([[0.0], n])))[0], rel=1e-11)


def _dalitz_integral(msq, M, m1, m2, m3, n_out=96, n_in=8):
    """int dm12^2 dm23^2 msq(P, k1, k2, k3, s = 0), Gauss-Legendre (m12^2 with a cos substitution)."""
    t, w = np.polynomial.legendre.leggauss(n_out)
    th, wt = 0.5 * np.pi * (t + 1), 0.5 * np.pi * w
    lo, hi = (m1 + m2) ** 2, (M - m3) ** 2
    m12 = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
    jac = 0.5 * (hi - lo) * np.sin(th) * wt
    r12 = np.sqrt(m12)
    E2, E3 = (m12 - m1**2 + m2**2) / (2 * r12), (M**2 - m12 - m3**2) / (2 * r12)
    p2, p3 = np.sqrt(np.maximum(E2**2 - m2**2, 0)), np.sqrt(np.maximum(E3**2 - m3**2, 0))
    a, b = (E2 + E3) ** 2 - (p2 + p3) ** 2, (E2 + E3) ** 2 - (p2 - p3) ** 2
    u, v = np.polynomial.legendre.leggauss(n_in)
    m23 = (0.5 * (a + b))[:, None] + (0.5 * (b - a))[:, None] * u[None, :]
    wj = ((0.5 * (b - a) * jac)[:, None] * v[None, :]).ravel()
    m12b, m23 = np.broadcast_to(m12[:, None], m23.shape).ravel(), m23.ravel()
    E1, E3r = (M**2 + m1**2 - m23) / (2 * M), (M**2 + m3**2 - m12b) / (2 * M)
    P1, P3 = np.sqrt(np.maximum(E1**2 - m1**2, 0)), np.sqrt(np.maximum(E3r**2 - m3**2, 0))
    m13 = M**2 + m1**2 + m2**2 + m3**2 - m12b - m23
    c13 = np.clip((E1 * E3r - 0.5 * (m13 - m1**2 - m3**2)) / np.where(P1 * P3 > 0, P1 * P3, 1), -1, 1)
    n = m23.size
    k1, k3, P = np.zeros((n, 4)), np.zeros((n, 4)), np.zeros((n, 4))
    k1[:, 0], k1[:, 3] = E1, P1
    k3[:, 0], k3[:, 1], k3[:, 3] = E3r, P3 * np.sqrt(1 - c13**2), P3 * c13
    P[:, 0] = M
    return float(np.sum(msq(P, k1, P - k1 - k3, k3, np.zeros((n, 4))) * wj))


def test_three_body_widths_from_dalitz_integration_of_msq():
    norm = 64 * GF**2 / (256 * np.pi**3)  # Gamma = 1/(256 pi^3 M^3) int |M|^2, |M|^2 = 64 G_F^2 msq
    for M, ma, mb in [(2.5, C.M_MU, C.M_TAU), (2.5, C.M_TAU, C.M_E), (0.3, C.M_E, C.M_MU)]:
        num = norm / M**3 * _dalitz_integral(H.msq_cc_leptons, M, ma, mb, 0.0)
        assert H.width_cc_leptons(M, ma, mb) == pytest.approx(num, rel=1e-8, abs=0)
    M, ml, mu, md, V = 1.5, C.M_MU, 0.3, 0.5, 0.97
    num = 3 * V**2 * norm / M**3 * _dalitz_integral(H.msq_cc_quarks, M, ml, mu, md)
    assert H.width_cc_quarks(M, ml, mu, md, V) == pytest.approx(num, rel=1e-8, abs=0)
    # the 1805.08567 closed form of N -> nu f fbar (C1, C2) against the integrated |M|^2 of eq. 4.5
    for mq in (0.001, 0.1, 0.6, 0.95):
        for q in ("u", "s"):
            gV, gA = mesons.nc_vector_coupling(q, C.SW2), mesons.nc_axial_coupling(q)
            gL, gR = 0.5 * (gV + gA), 0.5 * (gV - gA)
            num = 3 * norm / 2.0**3 * _dalitz_integral(H.make_msq_nc_quarks(gL, gR, mq), 2.0, 0.0, mq, mq)
            assert H.width_nc_quarks(2.0, mq, gL, gR) == pytest.approx(num, rel=1e-7, abs=0)


def test_nc_quark_massless_limit():
    for q in ("u", "d"):
        gV, gA = mesons.nc_vector_coupling(q, C.SW2), mesons.nc_axial_coupling(q)
        c1 = 0.25 * (gV + gA) ** 2 + 0.25 * (gV - gA) ** 2
        assert H.width_nc_quarks(3.0, 0.0, 0.5 * (gV + gA), 0.5 * (gV - gA)) == pytest.approx(
            3 * c1 * GF**2 * 3.0**5 / (192 * np.pi**3), rel=1e-13, abs=0)
    # 1805.08567 C1 for up quarks: (1 - 8/3 s^2 + 32/9 s^4)/4
    s2 = C.SW2
    gV, gA = mesons.nc_vector_coupling("u", s2), 0.5
    assert 0.25 * ((gV + gA) ** 2 + (gV - gA) ** 2) == pytest.approx((1 - 8 / 3 * s2 + 32 / 9 * s2**2) / 4, rel=1e-13)


# ===================================================================== mesons: normalisations, omega convention
def test_omega_rho_isospin_relation_uses_quark_model_z_couplings():
    c = couplings()
    zu, zd = c.z_fermion("u"), c.z_fermion("d")  # L = Z fbar gamma (gV - gA g5) f, any normalisation
    ratio_qm = ((zu.gV + zd.gV) / (zu.gV - zd.gV)) ** 2
    M, m, g = np.array([1.5, 3.0]), C.M_RHO, 0.16  # equal constants and masses: isospin limit
    w = {v: H.width_nu_vector(M, m, g, mesons.neutral_vector_kappa(v, c.sw2)) for v in ("rho0", "omega", "phi")}
    assert np.allclose(w["omega"] / w["rho0"], ratio_qm, rtol=1e-12, atol=0)
    assert ratio_qm == pytest.approx((2 / 3 * c.sw2) ** 2 / (1 - 2 * c.sw2) ** 2, rel=1e-12)
    # 1805.08567 writes kappa_omega = 4/3 s_W^2: a factor 4 larger, which the relation excludes
    assert (4 / 3 * c.sw2) ** 2 / (1 - 2 * c.sw2) ** 2 == pytest.approx(4 * ratio_qm)

    # absolute: relative to l^- rho^+ (V = 1, m_l = 0) the NC width is |sum_q c_q g_V^q|^2 with g_V^q in the
    # normalisation -(G_F/sqrt2)[nubar..][qbar gamma (g_V - g_A g5) q], i.e. g_V = 2 gV_Z c_W / g
    def gpdg(q):
        return 2 * c.z_fermion(q).gV / c.gz

    content = {"rho0": (gpdg("u") - gpdg("d")) / np.sqrt(2), "omega": (gpdg("u") + gpdg("d")) / np.sqrt(2), "phi": gpdg("s")}
    charged = H.width_l_vector(M, 0.0, m, g, 1.0)
    for v, amp in content.items():
        assert np.allclose(w[v] / charged, amp**2, rtol=1e-12, atol=0), v


def test_vector_constants_reproduce_ee_widths():
    """Gamma(V -> e+e-) = 4 pi alpha^2 g_V^2/(3 m_V^3) (sum_q c_q Q_q)^2 vs PDG 2024 (isospin normalisation)."""
    Q = {"u": 2 / 3, "d": -1 / 3, "s": -1 / 3}
    pdg_keV = {"rho0": 7.04, "omega": 0.60, "phi": 1.27}
    tol = {"rho0": 0.12, "omega": 0.05, "phi": 0.05}  # rho: isospin breaking tau vs e+e- f_rho (docs sec. 3)
    for lab, gam in pdg_keV.items():
        cv = sum(cq * Q[q] for q, cq in mesons.NEUTRAL_VECTOR_CONTENT[lab].items()) ** 2
        m = {"rho0": C.M_RHO, "omega": C.M_OMEGA, "phi": C.M_PHI}[lab]
        width_keV = 4 * np.pi * C.ALPHA_EM**2 * mesons.NEUTRAL_VECTOR_G[lab] ** 2 / (3 * m**3) * cv * 1e6
        assert width_keV == pytest.approx(gam, rel=tol[lab])


def test_kstar_constant_from_tau_decay():
    """Gamma(tau -> K* nu) = G_F^2 |V_us|^2 f^2 m_tau^3/(16 pi) (1 - x^2)^2 (1 + 2x^2); PDG 2024 BR = 1.20 %."""
    x2 = (C.M_KSTAR / C.M_TAU) ** 2
    gamma_tau = 6.582119569e-25 / 290.3e-15
    pred = GF**2 * C.V_US**2 * mesons.F_KSTAR**2 * C.M_TAU**3 / (16 * np.pi) * (1 - x2) ** 2 * (1 + 2 * x2)
    assert pred / gamma_tau == pytest.approx(0.0120, rel=0.06)


# ===================================================================== alpha_s
def test_alpha_s_reference_values():
    assert qcd.alpha_s(C.M_Z) == pytest.approx(C.ALPHA_S_MZ, rel=1e-14)
    a_tau = qcd.alpha_s(C.M_TAU)
    assert 0.31 < a_tau < 0.34  # ~0.32 for alpha_s(M_Z) = 0.118 at 4 loops (PDG: 0.314 +- 0.014 from tau decays)
    assert 0.08 < qcd.alpha_s(1000.0) < 0.095
    with pytest.raises(KinematicsError):
        qcd.alpha_s(0.5)


def test_alpha_s_against_independent_rge_integration():
    """scipy solve_ivp of da/dln mu^2 = -sum beta_i a^{i+2}, a = alpha/(4 pi), van Ritbergen et al. normalisation."""
    z3 = 1.2020569031595942

    def rhs(t, a, nf):
        b = [11 - 2 / 3 * nf, 102 - 38 / 3 * nf, 2857 / 2 - 5033 / 18 * nf + 325 / 54 * nf**2,
             149753 / 6 + 3564 * z3 - (1078361 / 162 + 6508 / 27 * z3) * nf + (50065 / 162 + 6472 / 81 * z3) * nf**2 + 1093 / 729 * nf**3]
        return [-sum(bi * a[0] ** (i + 2) for i, bi in enumerate(b))]

    def run(a0, mu0, mu1, nf):
        sol = solve_ivp(rhs, (np.log(mu0**2), np.log(mu1**2)), [a0 / (4 * np.pi)], args=(nf,), rtol=1e-12, atol=1e-15)
        return sol.y[0, -1] * 4 * np.pi

    def dec(a, nl):  # alpha^(nl) = alpha^(nl+1) (1 + 0.152778 x^2 + (0.972057 - 0.0846515 nl) x^3), x = alpha/pi
        x = a / np.pi
        return a * (1 + 0.152778 * x**2 + (0.972057 - 0.0846515 * nl) * x**3)

    a5 = run(C.ALPHA_S_MZ, C.M_Z, C.M_B, 5)
    a4 = run(dec(a5, 4), C.M_B, C.M_C, 4)
    ref = {3.0: run(dec(a5, 4), C.M_B, 3.0, 4), C.M_TAU: run(dec(a5, 4), C.M_B, C.M_TAU, 4),
           1.2: run(dec(a4, 3), C.M_C, 1.2, 3), 1.0: run(dec(a4, 3), C.M_C, 1.0, 3), 20.0: run(C.ALPHA_S_MZ, C.M_Z, 20.0, 5)}
    got = qcd.alpha_s(np.array(list(ref)))
    assert np.allclose(got, list(ref.values()), rtol=2e-5)


def test_alpha_s_one_loop_closed_form():
    mu = np.array([5.0, 20.0, 91.0, 150.0])
    b0 = (33 - 2 * 5) / (12 * np.pi)
    exact = C.ALPHA_S_MZ / (1 + b0 * C.ALPHA_S_MZ * np.log(mu**2 / C.M_Z**2))
    assert np.allclose(qcd.alpha_s(mu, loops=1), exact, rtol=1e-9, atol=0)


# ===================================================================== channels, grid, Majorana, BRs
def test_channels_match_grid_and_brs_sum_to_one():
    for m4 in (0.3, 1.0, 1.8, 4.0):
        c = couplings(m4)
        chans = H.channels(c, 0)
        grid = H.widths_grid(c, 0, [m4])
        assert {ch.name for ch in chans} == {k for k, v in grid.items() if v[0] > 0}
        for ch in chans:
            assert isinstance(ch, Channel) and ch.width == pytest.approx(grid[ch.name][0], rel=1e-13, abs=0)
        tot = sum(ch.width for ch in chans)
        brs = np.array([ch.width / tot for ch in chans])
        assert brs.sum() == pytest.approx(1.0, abs=1e-12) and np.all((brs > 0) & (brs <= 1))


def test_majorana_is_twice_dirac_with_conjugate_kinematics():
    m4 = 2.6
    dirac, major = couplings(m4, "dirac"), couplings(m4, "majorana")
    cd, cm = H.channels(dirac, 0), H.channels(major, 0)
    assert len(cm) == 2 * len(cd)
    assert sum(ch.width for ch in cm) == pytest.approx(2 * sum(ch.width for ch in cd), rel=1e-13, abs=0)
    by_name = {ch.name: ch for ch in cm}
    rng = np.random.default_rng(1)
    for ch in cd:
        bar_ch = by_name[" ".join(conjugate(d) for d in ch.daughters)]
        assert bar_ch.width == ch.width
        if isinstance(ch.kinematics, TwoBody):
            assert bar_ch.kinematics.alpha == -ch.kinematics.alpha
        else:
            k = random_three_body(rng, m4, *ch.masses)
            P = np.array([m4, 0, 0, 0.0])
            s = np.concatenate([[0.0], unit(rng)])
            assert bar_ch.kinematics.msq(*_as_batch(P, *k, s))[0] == pytest.approx(ch.kinematics.msq(*_as_batch(P, *k, -s))[0], rel=1e-13, abs=0)
    gd, gm = H.widths_grid(dirac, 0, [m4]), H.widths_grid(major, 0, [m4])
    assert sum(v[0] for v in gm.values()) == pytest.approx(2 * sum(v[0] for v in gd.values()), rel=1e-13, abs=0)


def test_three_body_msq_max_bounds_polarised_msq():
    rng = np.random.default_rng(11)
    c = couplings(4.5)
    for ch in H.channels(c, 0):
        if not isinstance(ch.kinematics, ThreeBody):
            continue
        P = np.array([4.5, 0, 0, 0.0])
        vals = []
        for _ in range(200):
            k = random_three_body(rng, 4.5, *ch.masses)
            s = np.concatenate([[0.0], unit(rng)])
            vals.append(ch.kinematics.msq(*_as_batch(P, *k, s))[0])
        vals = np.array(vals)
        assert np.all(vals >= -1e-12 * ch.kinematics.msq_max), ch.name
        assert vals.max() <= ch.kinematics.msq_max, ch.name
        assert vals.max() > 0.2 * ch.kinematics.msq_max, ch.name  # the bound is not uselessly loose


def test_widths_scale_with_mixing_and_flavours():
    M = np.linspace(0.2, 5, 40)
    g1 = H.widths_grid(couplings(1.0, Umu4=1e-3), 0, M)
    g2 = H.widths_grid(couplings(1.0, Umu4=2e-3), 0, M)
    assert set(g1) == set(g2) and all(k.split()[0] in ("mu-", "nu_mu") for k in g1)
    for k in g1:
        assert np.allclose(g2[k], 4 * g1[k], rtol=1e-12, atol=0)


def test_every_channel_opens_at_threshold_and_grid_is_finite():
    M = np.concatenate([np.geomspace(1e-3, 5.0, 1500), [5.0]])
    grid = H.widths_grid(couplings(), 0, M)
    for name, w in grid.items():
        assert np.all(np.isfinite(w)) and np.all(w >= 0), name
    for name in ("e- pi+", "mu- K+", "tau- pi+", "e- D+", "mu- D_s+", "nu_e eta'", "nu_tau phi", "e- K*+",
                 "mu- tau+ nu_tau", "e- mu+ nu_mu"):
        thr = sum(mass_of(d) for d in name.split())
        w = grid[name]
        assert np.all(w[M <= thr] == 0) and np.all(w[M > thr * 1.001] > 0), name
    assert all(v[0] == 0 for v in grid.values())  # at 1 MeV nothing of this module is open


# ===================================================================== hadronic matching
def _critical_masses():
    """Masses where something switches: two-body and partonic thresholds, matching windows, alpha_s thresholds."""
    pts = [H.MATCH_MASS, H.MATCH_MASS + H.MATCH_WIDTH, C.M_ETAC, C.M_ETAC + H.MATCH_WIDTH, C.M_C, C.M_B, 2 * C.M_C]
    for ml in C.M_LEPTON.values():
        for mX in (C.M_PI, C.M_K, C.M_D_MESON, C.M_DS, C.M_RHO_CHARGED, C.M_KSTAR):
            pts.append(ml + mX)
        for multi in (C.M_PI + C.M_PI0, C.M_K + C.M_PI0, C.M_D_MESON + C.M_PI0, C.M_DS + C.M_PI0):
            m0 = max(H.MATCH_MASS, ml + multi)
            pts += [m0, m0 + H.MATCH_WIDTH]
        pts += [ml + C.M_C + C.M_S, ml + C.M_C + C.M_D, ml + C.M_S + C.M_U]
    pts += [C.M_PI0, C.M_ETA, C.M_ETAP, C.M_RHO, C.M_OMEGA, C.M_PHI]
    return np.array(sorted(p for p in pts if 0.3 < p < 5.0))


def test_total_hadronic_width_is_continuous_and_tends_to_inclusive():
    c = couplings(1.0, Ue4=0.5, Umu4=0.3, Utau4=0.2)
    crit = _critical_masses()
    M = np.unique(np.concatenate([np.linspace(0.3, 5.0, 2001), crit]))
    d = 1e-10
    bdl, bdh = H.hadronic_breakdown(c, 0, M - d), H.hadronic_breakdown(c, 0, M + d)
    bdr = H.hadronic_breakdown(c, 0, M + 0.01)  # scale: the width 10 MeV above (thresholds open like sqrt)
    alpha_thr = (np.abs(M - C.M_C) < 1e-6) | (np.abs(M - C.M_B) < 1e-6)
    for key in bdl:
        lo = bdl[key]["exclusive"] + bdl[key]["remainder"]
        hi = bdh[key]["exclusive"] + bdh[key]["remainder"]
        ref = bdr[key]["exclusive"] + bdr[key]["remainder"]
        jump = np.where(ref > 0, np.abs(hi - lo) / np.where(ref > 0, ref, 1.0), np.abs(hi - lo))
        assert np.all(jump[~alpha_thr] < 3e-4), (key, M[np.argmax(np.where(alpha_thr, 0, jump))])
        assert np.all(jump < 3e-3), key  # alpha_s decoupling at m_c, m_b (docs sec. 5)
    for key in ("e- ud", "nu_e light"):  # incl > excl where the window opens: without it R would jump there
        w = H.hadronic_breakdown(c, 0, [H.MATCH_MASS])[key]
        assert w["inclusive"][0] > 1.05 * w["exclusive"][0]
    bd = H.hadronic_breakdown(c, 0, M)
    for key, v in bd.items():
        total = v["exclusive"] + v["remainder"]
        below = M < H.MATCH_MASS
        assert np.all(v["remainder"][below] == 0), key  # exclusive only below 1 GeV
        above = v["weight"] == 1.0
        assert np.allclose(total[above], np.maximum(v["inclusive"], v["exclusive"])[above], rtol=1e-13, atol=0), key
    ud = bd["e- ud"]
    at5 = -1
    assert ud["remainder"][at5] > 0 and (ud["exclusive"] + ud["remainder"])[at5] == pytest.approx(ud["inclusive"][at5], rel=1e-13, abs=0)
    ratio = ud["exclusive"] / ud["inclusive"]
    sel = M > 2.0
    assert np.all(np.diff(ratio[sel]) < 0) and ratio[-1] < 0.15  # exclusive share falls like 1/M^2


def test_multi_hadron_channels_sum_to_remainders():
    c = couplings(3.5, Umu4=1e-2)
    grid = H.widths_grid(c, 0, [3.5])
    bd = H.hadronic_breakdown(c, 0, [3.5])
    nc = sum(grid[f"nu_mu {q} {q}_bar"][0] for q in "uds")
    assert nc == pytest.approx(bd["nu_mu light"]["remainder"][0], rel=1e-13, abs=0)
    assert grid["mu- c s_bar"][0] == pytest.approx(bd["mu- cs"]["remainder"][0], rel=1e-13, abs=0)
    qf = H.qcd_factor(np.array([3.5]))[0]
    assert qf == pytest.approx(1 + qcd.tau_like_qcd_correction(qcd.alpha_s(3.5)), rel=1e-14)
    assert 1.05 < qf < 1.2


def test_bad_input_is_a_typed_error():
    with pytest.raises(ModelError):
        H.channels(couplings(), 1)
    with pytest.raises(ModelError):
        H.widths_grid(couplings(), 3, [1.0])
    for bad in ([1.0, -0.5], [0.0], [np.nan], [[1.0, 2.0]]):
        with pytest.raises(ParameterError):
            H.widths_grid(couplings(), 0, bad)


def test_alpha_s_scalar_rk4_is_the_array_rk4():
    """qcd._run_scalar (Python floats, used for the threshold table) takes the same RK4 steps as the array
    solver _run: the same numbers to the bit, for every flavour number, order and direction."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        a0 = rng.uniform(0.1, 0.13)  # alpha_s near M_Z, run to 1 GeV ... 1 TeV: no Landau pole
        t0, t1 = np.log(91.19**2), rng.uniform(0.0, 14.0)
        nf, loops, steps = int(rng.integers(3, 7)), int(rng.integers(1, 5)), int(rng.integers(1, 300))
        a = qcd._run_scalar(a0, t0, t1, nf, loops, steps)
        assert np.isfinite(a) and a == float(qcd._run(a0, t0, t1, nf, loops, steps))
