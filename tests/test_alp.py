"""Axion-like particles: decay widths, the 'alp' decay table and command, the Primakoff cross section.

Independent references: the measured pi0 -> gamma gamma width (the same anomaly vertex), explicit
Dirac traces with numerical gamma matrices, the Dalitz-plot area, and the exact 2 -> 2 Primakoff
cross section of a heavy spin-0 nucleus (the Gram determinant of its three momenta).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.cli.main import main
from darkbeam.errors import ModelError
from darkbeam.models import ModelParameters
from darkbeam.physics import alp_decays as A
from darkbeam.physics import primakoff as P
from darkbeam.physics.decays import decay_table
from darkbeam.physics.mesons import F_PI
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production.dalitz_quadrature import three_body_width
from darkbeam.units import HBARC2_GEV2_CM2, ctau_cm


def test_photon_width_reproduces_the_pi0_anomaly_width():
    """pi0 -> gamma gamma is the same vertex with g = alpha/(pi f), f = f_pi/sqrt2 = 92 MeV:
    Gamma = alpha^2 m^3/(64 pi^3 f^2) = 7.76 eV against the measured 7.72 eV (PDG 2024: 7.81 eV x 98.82 %)."""
    f = F_PI / np.sqrt(2)
    w = float(A.alp_to_photons(C.M_PI0, C.ALPHA_EM / (np.pi * f)))
    assert w == pytest.approx(PD.total_width("pi0") * PD.BR_PI0_GG, rel=0.02, abs=0)


def test_photon_width_scaling_and_lifetime():
    w1 = float(A.alp_to_photons(0.1, 1e-4))
    assert float(A.alp_to_photons(0.2, 3e-4)) / w1 == pytest.approx(8 * 9, rel=1e-12, abs=0)
    # c tau = 64 pi hbar c/(g^2 m^3) = 0.40 cm at m_a = 100 MeV, g = 1e-4 GeV^-1
    assert float(ctau_cm(w1)) == pytest.approx(64 * np.pi * 1.973269804e-14 / (1e-8 * 1e-3), rel=1e-9, abs=0)


_G0 = np.diag([1, 1, -1, -1]).astype(complex)
_SIG = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
_GAM = [_G0] + [np.block([[np.zeros((2, 2)), s], [-s, np.zeros((2, 2))]]).astype(complex) for s in _SIG]
_G5 = 1j * _GAM[0] @ _GAM[1] @ _GAM[2] @ _GAM[3]


def _slash(p):
    return p[0] * _GAM[0] - p[1] * _GAM[1] - p[2] * _GAM[2] - p[3] * _GAM[3]


@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_lepton_width_against_the_dirac_trace(lepton):
    """sum |ubar(k1) (i g gamma5) v(k2)|^2 = g^2 Tr[(k1 + m) gamma5 (k2 - m) (-gamma5)], Gamma = |M|^2 k/(8 pi m_a^2):
    one power of beta (a pseudoscalar; a scalar would give beta^3)."""
    m_a, g, ml = 0.25, 1e-5, C.M_LEPTON[lepton]
    k = np.sqrt(m_a**2 / 4 - ml**2)
    k1, k2 = np.array([m_a / 2, 0, 0, k]), np.array([m_a / 2, 0, 0, -k])
    one = np.eye(4)
    msq = g**2 * np.trace((_slash(k1) + ml * one) @ _G5 @ (_slash(k2) - ml * one) @ (-_G5)).real
    assert float(A.alp_to_leptons(m_a, g, ml)) == pytest.approx(msq * k / (8 * np.pi * m_a**2), rel=1e-12, abs=0)
    assert float(A.alp_to_leptons(1.99 * ml, g, ml)) == 0.0


def test_three_pion_phase_space_functions():
    # g_ab(0) = 1 (the normalisation of 1708.00443) and zero at threshold
    assert float(A.g_three_pion(1e-12, False)) == pytest.approx(1.0, rel=1e-6, abs=0)
    assert float(A.g_three_pion(1e-12, True)) == pytest.approx(1.0, rel=1e-6, abs=0)
    assert float(A.g_three_pion(1 / 9, False)) == 0.0
    # g_00(r) (1 - r)^2 / 2 is the Dalitz-plot area in units of m_a^4: compare with the 2-d quadrature
    m_a, m = 0.6, C.M_PI
    area = three_body_width(lambda P_, k1, k2, k3: np.ones(len(P_)), m_a, (m, m, m)) * 256 * np.pi**3 * m_a**3 / m_a**4
    r = m**2 / m_a**2
    assert float(A.g_three_pion(r, False)) * (1 - r) ** 2 / 2 == pytest.approx(area, rel=1e-5, abs=0)


def test_alp_decay_table_and_command(capsys):
    p = ModelParameters.from_dict(dict(ma=0.5, g_agg=1e-4, g_aee=1e-6, g_amumu=1e-5, g_agluon=1e-5))
    t = decay_table(p, "alp")
    assert set(t.names()) == {"gamma gamma", "e- e+", "mu- mu+", "pi+ pi- pi0", "pi0 pi0 pi0"}
    assert t.channel("gamma gamma").width == pytest.approx(1e-8 * 0.125 / (64 * np.pi), rel=1e-12, abs=0)
    # hadronic widths scale as g_agluon^2
    t2 = decay_table(p.replace(g_agluon=2e-5), "alp")
    assert t2.channel("pi0 pi0 pi0").width / t.channel("pi0 pi0 pi0").width == pytest.approx(4.0, rel=1e-12, abs=0)
    # below 3 m_pi: no hadronic channel; below 2 m_mu: no muons
    light = decay_table(p.replace(ma=0.2), "alp")
    assert set(light.names()) == {"gamma gamma", "e- e+"}
    with pytest.raises(ModelError):
        decay_table(ModelParameters.from_dict({"mzprime": 0.1}), "alp")
    code = main(["decays", "--particle", "alp", "--set", "ma=0.1,g_agg=1e-4", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["channels"][0]["name"] == "gamma gamma" and out["ctau_cm"] == pytest.approx(0.3967, rel=1e-3)
    code = main(["decays", "--set", "g_agg=1e-4"])
    err = capsys.readouterr().err
    assert code != 0 and "set ma" in err and err.count("\n") <= 1


# ------------------------------------------------------------------ Primakoff
def _gram_dsigma_dtheta(E, theta, m_a, g, Z, M):
    """Exact gamma N -> a N for a spin-0 nucleus of mass M at rest (recoil included):
    sum |M|^2 = (g Z e)^2 det Gram(k, q, K)/t^2, K = P + P', dsigma/dt = (1/2) sum|M|^2/(16 pi (s - M^2)^2)."""
    p_in = np.array([E, 0, 0, E])
    Pn = np.array([M, 0, 0, 0.0])
    s = M**2 + 2 * M * E

    def final(th):
        # ALP energy at angle th from 2 -> 2 kinematics with recoil
        c = np.cos(th)
        a_ = (E + M) ** 2 - E**2 * c**2
        b_ = (s + m_a**2 - M**2)  # 2 (E + M) E_a - 2 E p_a c = s + m_a^2 - M^2
        # solve 2(E+M) Ea - 2 E c sqrt(Ea^2 - m_a^2) = b_
        A2 = 4 * a_
        B2 = -4 * (E + M) * b_
        C2 = b_**2 + 4 * E**2 * c**2 * m_a**2
        Ea = (-B2 + np.sqrt(B2**2 - 4 * A2 * C2)) / (2 * A2)
        pa = np.sqrt(Ea**2 - m_a**2)
        return np.array([Ea, pa * np.sin(th), 0, pa * np.cos(th)])

    def dot(x, y):
        return x[0] * y[0] - x[1] * y[1] - x[2] * y[2] - x[3] * y[3]

    pa = final(theta)
    q = p_in - pa
    K = 2 * Pn + q
    vs = [p_in, q, K]
    gram = np.linalg.det(np.array([[dot(u, v) for v in vs] for u in vs]))
    t = dot(q, q)
    msq = g**2 * Z**2 * 4 * np.pi * C.ALPHA_EM * gram / t**2
    dsig_dt = 0.5 * msq / (16 * np.pi * (s - M**2) ** 2)
    h = 1e-6 * theta
    q_plus, q_minus = p_in - final(theta + h), p_in - final(theta - h)
    dt_dth = abs(dot(q_plus, q_plus) - dot(q_minus, q_minus)) / (2 * h)
    return dsig_dt * dt_dth * HBARC2_GEV2_CM2


@pytest.mark.parametrize("theta", [1e-4, 1e-3, 1e-2])
def test_primakoff_against_the_exact_two_to_two_cross_section(theta):
    E, m_a, g, Z, M = 5.0, 0.05, 1e-4, 26, 1.0e4  # a very heavy nucleus: recoil negligible
    got = float(P.dsigma_dtheta(E, theta, m_a=m_a, g_agg=g, Z=Z))
    assert got == pytest.approx(_gram_dsigma_dtheta(E, theta, m_a, g, Z, M), rel=3e-4, abs=0)  # measured 5e-5 (recoil)


def test_primakoff_scaling_and_form_factor():
    from darkbeam.physics.form_factors import NuclearFormFactors

    ff = NuclearFormFactors("Fe56", 56).charge
    s1 = P.sigma(np.array([2.0, 10.0]), m_a=0.05, g_agg=1e-4, Z=26, form_factor=ff)
    s2 = P.sigma(np.array([2.0, 10.0]), m_a=0.05, g_agg=3e-4, Z=26, form_factor=ff)
    np.testing.assert_allclose(s2 / s1, 9.0, rtol=1e-12, atol=0)
    assert np.all(s1 > 0) and s1[1] > s1[0]  # rises with energy towards its plateau
    # the form factor only removes large-|t| production
    bare = P.sigma(np.array([10.0]), m_a=0.05, g_agg=1e-4, Z=26)
    assert s1[1] < bare[0]
    assert P.sigma(np.array([0.04]), m_a=0.05, g_agg=1e-4, Z=26)[0] == 0.0


@pytest.mark.parametrize("E", [3.0, 10.0, 30.0])
def test_primakoff_total_against_the_gaussian_form_factor_closed_form(E):
    """Total sigma_P with a Gaussian charge form factor F = exp(-t R^2/6) (carbon, R = 2.47 fm) against the
    small-angle closed form (docs/alps.md, audit): x = E^2 theta^2, t0 = (m^2/2E)^2, a = 3/R^2,
    sigma = (g^2 alpha Z^2/8) int_0^inf x e^{-(t0+x)/a} dx/(t0+x)^2
          = (g^2 alpha Z^2/8) [(1 + t0/a) E1(t0/a) - e^{-t0/a}]."""
    from scipy.special import exp1

    m_a, g, Z, R = 0.1, 1e-4, 6, 2.47 / 0.1973269804
    a, t0 = 3.0 / R**2, (m_a * m_a / (2 * E)) ** 2
    got = float(P.sigma(np.array([E]), m_a=m_a, g_agg=g, Z=Z, form_factor=lambda t: np.exp(-t * R * R / 6.0))[0])
    c = t0 / a
    want = g * g * C.ALPHA_EM * Z * Z / 8.0 * ((1 + c) * exp1(c) - np.exp(-c)) * HBARC2_GEV2_CM2
    assert got == pytest.approx(want, rel=2e-3, abs=0)


@pytest.mark.parametrize("m_a", [0.03, 0.3, 1.0])
def test_alp_pi0_mixing_first_order_against_exact_diagonalisation(m_a):
    from darkbeam.physics import alp_mixing as X

    g = 1e-6
    assert float(X.theta_a_pi0(m_a, g)) == pytest.approx(X.theta_a_pi0_exact(m_a, g), rel=1e-9, abs=0)  # O(eps_k^2)
    # linear in g_agluon; above m_pi the pi0 admixture has the sign of delta_I
    assert float(X.theta_a_pi0(m_a, 2 * g)) / float(X.theta_a_pi0(m_a, g)) == pytest.approx(2.0, rel=1e-12, abs=0)
    assert (float(X.theta_a_pi0(m_a, g)) > 0) == (m_a > C.M_PI0)
    # BNT's variables at leading order in m_ud/m_s: f_pi Delta c_ud/(2 sqrt2 Lambda) x m_a^2/(m_a^2 - m_pi^2)
    bnt = F_PI * A.delta_c_ud_over_lambda(g) / (2 * np.sqrt(2)) * m_a**2 / (m_a**2 - C.M_PI0**2)
    assert float(X.theta_a_pi0(m_a, g)) == pytest.approx(bnt, rel=0.02, abs=0)  # 1/m_s terms: -1.6 %


@pytest.mark.parametrize("m_a", [0.45, 0.6, 0.9])
def test_three_pion_widths_against_a_leading_order_derivation(m_a):
    """a -> 3 pi at leading order in two-flavour chiral perturbation theory (docs/dark_matter.md): with the
    gluon coupling rotated into the quark mass matrix (kappa_u = kappa_d = 1/2) the ALP enters only
    (f^2 B/2) Tr[M e^{-i a/(2 f_a)} U^dag + h.c.], giving a-pi0 mass mixing mu^2 = m_pi^2 delta f/(2 f_a)
    and an a pi0 (pi.pi) contact term; with the four-pion vertex of the exponential parametrisation
    (off-shell pi0*) the sum is M(3 pi0) = (mu^2/f^2) m_a^2/(m_a^2 - m_pi^2) and
    M(pi+ pi- pi0) = (mu^2/f^2)(s_{+-} - m_pi^2)/(m_a^2 - m_pi^2).  Dalitz integrals, 1/3! for 3 pi0."""
    g, m = 1e-5, C.M_PI
    f = F_PI / np.sqrt(2)
    delta = (C.M_D - C.M_U) / (C.M_D + C.M_U)
    mu2 = m**2 * delta * f * 32 * np.pi**2 * g / 2
    neutral = (mu2 / f**2 * m_a**2 / (m_a**2 - m**2)) ** 2

    def charged(P_, k1, k2, k3):
        q = k1 + k2  # pi+ pi-
        s = q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1)
        return (mu2 / f**2 * (s - m**2) / (m_a**2 - m**2)) ** 2

    ref0 = three_body_width(lambda P_, k1, k2, k3: np.full(len(P_), neutral), m_a, (m, m, m)) / 6.0
    ref1 = three_body_width(charged, m_a, (m, m, m))
    assert float(A.alp_to_three_pions(m_a, g, charged=False)) == pytest.approx(ref0, rel=1e-5, abs=0)
    assert float(A.alp_to_three_pions(m_a, g, charged=True)) == pytest.approx(ref1, rel=1e-5, abs=0)
