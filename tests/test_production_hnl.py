"""HNL production in decays: widths against closed forms and PDG rates, the polarisation against an
explicit-spinor computation, exact coupling scaling (docs/production.md, validation table)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.models import ModelParameters
from darkbeam.physics import mesons
from darkbeam.physics.production import hnl_three_body as T
from darkbeam.physics.production import hnl_two_body as H
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production import production_channels
from darkbeam.physics.production.dalitz_quadrature import momenta_from_invariants, s12_limits, three_body_width
from darkbeam.physics.production.hnl_currents import mdot

MESONS = {"pi+": (C.M_PI, mesons.F_PI, C.V_UD), "K+": (C.M_K, mesons.F_K, C.V_US),
          "D+": (C.M_D_MESON, mesons.F_D, C.V_CD), "D_s+": (C.M_DS, mesons.F_DS, C.V_CS)}


def _lam(a, b, c):
    return a * a + b * b + c * c - 2 * (a * b + b * c + c * a)


# ------------------------------------------------------------------ two-body widths
@pytest.mark.parametrize("parent", list(MESONS))
@pytest.mark.parametrize("m_l", [C.M_E, C.M_MU, C.M_TAU])
def test_shrock_width_equals_independent_closed_form(parent, m_l):
    """Gamma = G^2 f^2 V^2 U^2 [M^2 (m_l^2 + m_N^2) - (m_l^2 - m_N^2)^2] lambda^1/2(M^2, m_l^2, m_N^2) / (8 pi M^3)."""
    M, f, V = MESONS[parent]
    for m_n in np.linspace(0.01, M, 9)[:-1]:
        if m_l + m_n >= M:
            assert H.width_meson_to_lepton_hnl(M, f, V, m_l, m_n) == 0.0
            continue
        ref = (C.G_F**2 * f**2 * V**2 * (M**2 * (m_l**2 + m_n**2) - (m_l**2 - m_n**2) ** 2)
               * np.sqrt(_lam(M**2, m_l**2, m_n**2)) / (8 * np.pi * M**3))
        assert H.width_meson_to_lepton_hnl(M, f, V, m_l, m_n) == pytest.approx(ref, rel=1e-12, abs=0)


@pytest.mark.parametrize("parent, m_l, br_pdg, tol", [
    # tree level against PDG 2024: the measured rates include radiative corrections of +1..2.5 %
    ("pi+", C.M_MU, 0.9998770, 0.03),
    ("K+", C.M_MU, 0.6356, 0.03),
    # D_s: f_Ds (lattice) and |V_cs| carry ~2 % each, the measurement ~3 %
    ("D_s+", C.M_MU, 5.35e-3, 0.05),
    ("D_s+", C.M_TAU, 5.36e-2, 0.06),
])
def test_massless_limit_is_the_pdg_standard_model_rate(parent, m_l, br_pdg, tol):
    M, f, V = MESONS[parent]
    u2 = 3.7e-5
    br = H.width_meson_to_lepton_hnl(M, f, V, m_l, 1e-9, u2) / PD.total_width(parent)
    assert br / u2 == pytest.approx(br_pdg, rel=tol, abs=0)


def test_massive_hnl_enhancement_matches_the_known_ratio():
    """Gamma(K -> e N)/Gamma(K -> e nu) = rho(a, b)/[a (1 - a)^2]: chirality lifting (Shrock 1981)."""
    M, f, V = MESONS["K+"]
    a = C.M_E**2 / M**2
    for m_n in (0.05, 0.2, 0.4):
        b = m_n**2 / M**2
        ratio = H.width_meson_to_lepton_hnl(M, f, V, C.M_E, m_n) / H.width_meson_to_lepton_hnl(M, f, V, C.M_E, 0.0)
        assert ratio == pytest.approx((a + b - (a - b) ** 2) * np.sqrt(_lam(1, a, b)) / (a * (1 - a) ** 2), rel=1e-10, abs=0)
        assert ratio > 1e3


# ------------------------------------------------------------------ polarisation: explicit spinors
_S = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
_I2 = np.eye(2)
_G0 = np.block([[_I2, 0 * _I2], [0 * _I2, -_I2]])
_GI = [np.block([[0 * _I2, s], [-s, 0 * _I2]]) for s in _S]
_G5 = np.block([[0 * _I2, _I2], [_I2, 0 * _I2]])


def _slash(p):
    return p[0] * _G0 - sum(p[i + 1] * _GI[i] for i in range(3))


def _sigma_dot(p3):
    return sum(p3[i] * _S[i] for i in range(3))


def _u(p, m, chi):
    E = p[0]
    return np.concatenate([np.sqrt(E + m) * chi, _sigma_dot(p[1:]) @ chi / np.sqrt(E + m)])


def _v(p, m, eta):
    E = p[0]
    return np.concatenate([_sigma_dot(p[1:]) @ eta / np.sqrt(E + m), np.sqrt(E + m) * eta])


def _helicity_spinor(p3, h):
    w, vecs = np.linalg.eigh(_sigma_dot(p3 / np.linalg.norm(p3)))
    return vecs[:, np.argmin(np.abs(w - h))]


def _spinor_polarisation(k, m_n, q, m_l, Hvec, incoming=False):
    """(|A(+)|^2 - |A(-)|^2)/sum for A = ubar_N(k, h) H-slash (1 - g5) w(q), summed over the spin of
    the other lepton: w = v_l (outgoing l+) or u_tau (incoming=True, a decaying tau-)."""
    amp = {}
    spinor = _u if incoming else _v
    for h in (+1, -1):
        u = _u(k, m_n, _helicity_spinor(k[1:], h))
        amp[h] = sum(abs(u.conj() @ _G0 @ _slash(Hvec) @ (np.eye(4) - _G5) @ spinor(q, m_l, eta)) ** 2
                     for eta in (np.array([1, 0], complex), np.array([0, 1], complex)))
    return (amp[1] - amp[-1]) / (amp[1] + amp[-1])


@pytest.mark.parametrize("m_n", [0.01, 0.5, 1.2])
def test_tau_polarisation_against_explicit_spinors(m_n):
    """tau- -> N pi- at rest, unpolarised tau: H = f p_pi, w = u_tau."""
    k, p_pi = H.rest_frame_pair(C.M_TAU, m_n, C.M_PI)
    ref = _spinor_polarisation(k, m_n, np.array([C.M_TAU, 0, 0, 0.0]), C.M_TAU, p_pi, incoming=True)
    assert H.polarisation_tau_to_hnl(m_n, C.M_PI) == pytest.approx(ref, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("m_n", [0.001, 0.05, 0.2, 0.35])
def test_two_body_polarisation_against_explicit_spinors(m_n):
    M, m_l = C.M_K, C.M_MU
    k, q = H.rest_frame_pair(M, m_n, m_l)
    ref = _spinor_polarisation(k, m_n, q, m_l, np.array([M, 0, 0, 0.0]))
    assert H.polarisation_meson_to_lepton_hnl(M, m_l, m_n) == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_two_body_polarisation_limits():
    # m_N -> 0: a left-handed neutrino; m_l -> 0 at finite m_N: helicity +1 (angular momentum)
    assert H.polarisation_meson_to_lepton_hnl(C.M_K, C.M_MU, 1e-6) == pytest.approx(-1.0, rel=0, abs=1e-9)
    assert H.polarisation_meson_to_lepton_hnl(C.M_K, 1e-7, 0.3) == pytest.approx(1.0, rel=0, abs=1e-9)
    # it changes sign where m_N = m_l
    assert H.polarisation_meson_to_lepton_hnl(C.M_K, C.M_MU, C.M_MU) == 0.0


def test_kl3_polarisation_against_explicit_spinors():
    M, m_pi, m_l, m_n = C.M_K, C.M_PI0, C.M_MU, 0.15
    rng = np.random.default_rng(3)
    s23 = (m_l + m_n) ** 2 + rng.random(6) * ((M - m_pi) ** 2 - (m_l + m_n) ** 2)
    lo, hi = s12_limits(M, m_pi, m_l, m_n, s23)
    s12 = lo + rng.random(6) * (hi - lo)
    P, kpi, ql, kn = momenta_from_invariants(M, m_pi, m_l, m_n, s12, s23)
    pol = T.kl3_polarisation(P, kpi, ql, kn, m_n=m_n, m_parent=M, m_pi=m_pi, anti=False)
    for j in range(6):
        t = mdot(P[j] - kpi[j], P[j] - kpi[j])
        fp, fm = PD.kl3_form_factors(t, M, m_pi)
        Hv = fp * (P[j] + kpi[j]) + fm * (P[j] - kpi[j])
        assert pol[j] == pytest.approx(_spinor_polarisation(kn[j], m_n, ql[j], m_l, Hv), rel=1e-8, abs=1e-10)


# ------------------------------------------------------------------ tau decays
@pytest.mark.parametrize("m_n", [0.0, 0.3, 1.0, 1.5])
def test_tau_two_body_closed_forms_against_the_trace(m_n):
    """eqs. T1/T2 against |p|/(8 pi M^2) x (spin-averaged) G^2/2 V^2 8 k.a / 2 from the trace kernel."""
    from darkbeam.physics.production.hnl_currents import a_vector_current, a_vector_meson

    Pt = np.array([C.M_TAU, 0, 0, 0.0])
    for m_x, f, g in ((C.M_PI, mesons.F_PI, None), (C.M_RHO_CHARGED, None, mesons.G_RHO)):
        if m_n + m_x >= C.M_TAU:
            continue
        k, p_x = H.rest_frame_pair(C.M_TAU, max(m_n, 1e-9), m_x)
        a = a_vector_current(f * p_x, Pt) if g is None else a_vector_meson(p_x, Pt, m_x, g)
        msq = 0.5 * C.G_F**2 * C.V_UD**2 * 8 * mdot(k, a) / 2
        ref = k[3] / (8 * np.pi * C.M_TAU**2) * msq
        got = (H.width_tau_to_hnl_pseudoscalar(m_n, f, C.V_UD, m_x) if g is None
               else H.width_tau_to_hnl_vector(m_n, g, C.V_UD, m_x))
        assert got == pytest.approx(ref, rel=1e-9, abs=0)


@pytest.mark.parametrize("kind, br_pdg, tol", [
    ("pi", 0.1082, 0.03),  # tree level, radiative corrections ~2 %
    ("rho", 0.2549, 0.05),  # PDG tau -> pi pi0 nu: rho dominance, zero width
])
def test_tau_massless_limit_is_the_pdg_rate(kind, br_pdg, tol):
    if kind == "pi":
        w = H.width_tau_to_hnl_pseudoscalar(0.0, mesons.F_PI, C.V_UD, C.M_PI)
    else:
        w = H.width_tau_to_hnl_vector(0.0, mesons.G_RHO, C.V_UD, C.M_RHO_CHARGED)
    assert w / PD.total_width("tau-") == pytest.approx(br_pdg, rel=tol, abs=0)


# ------------------------------------------------------------------ three-body
@pytest.mark.parametrize("parent, m_l, br_pdg", [
    ("K+", C.M_E, 0.0507), ("K+", C.M_MU, 0.03352), ("K0_L", C.M_E, 0.4055), ("K0_L", C.M_MU, 0.2704)])
def test_kl3_massless_limit_is_the_pdg_rate(parent, m_l, br_pdg):
    """m_N -> 0 against PDG 2024 BRs (K_L: both charge modes).  Tolerance 2 %: the long-distance
    electromagnetic corrections (delta_EM = 0.1-1.2 % by mode) and the quadratic term of f_+ are
    not included."""
    M, m_pi = (C.M_K, C.M_PI0) if parent == "K+" else (C.M_K0, C.M_PI)
    w = three_body_width(partial(T.kl3_msq, parent=parent, m_parent=M, m_pi=m_pi), M, (m_pi, m_l, 1e-9))
    modes = 1 if parent == "K+" else 2
    assert modes * w / PD.total_width(parent) == pytest.approx(br_pdg, rel=0.02, abs=0)


@pytest.mark.parametrize("parent, daughter, m_l, br_pdg", [
    ("D+", "K0_bar", C.M_E, 0.0872), ("D+", "K0_bar", C.M_MU, 0.0876), ("D0", "K-", C.M_E, 0.03549), ("D0", "K-", C.M_MU, 0.0341)])
def test_d_semileptonic_massless_limit_is_the_pdg_rate(parent, daughter, m_l, br_pdg):
    """D -> K l nu at m_N -> 0 against PDG 2024; 3 %: lattice f_+(0) (0.6 %), |V_cs| (1 %), the
    single-pole shape and the missing electroweak/EM corrections (~2 %)."""
    M, m_k = (C.M_D_MESON, C.M_K0) if parent == "D+" else (C.M_D0, C.M_K)
    w = three_body_width(partial(T.kl3_msq, parent=parent, m_parent=M, m_pi=m_k), M, (m_k, m_l, 1e-9))
    assert w / PD.total_width(parent) == pytest.approx(br_pdg, rel=0.03, abs=0)


@pytest.mark.parametrize("parent, m", [("mu-", C.M_MU), ("tau-", C.M_TAU)])
@pytest.mark.parametrize("hnl_as", ["nu", "nubar"])
def test_leptonic_massless_limit_is_the_muon_width(parent, m, hnl_as):
    """G_F^2 m^5/(192 pi^3) (1 - 8x + 8x^3 - x^4 - 12 x^2 ln x), x = m_e^2/m^2 (PDG 2024 muon review)."""
    x = C.M_E**2 / m**2
    ref = C.G_F**2 * m**5 / (192 * np.pi**3) * (1 - 8 * x + 8 * x**3 - x**4 - 12 * x**2 * np.log(x))
    masses = (C.M_E, 0.0, 1e-9) if hnl_as == "nu" else (C.M_E, 1e-9, 0.0)
    assert three_body_width(partial(T.leptonic_msq, hnl_as=hnl_as), m, masses) == pytest.approx(ref, rel=1e-6, abs=0)


def test_leptonic_tau_rate_against_pdg():
    w = three_body_width(partial(T.leptonic_msq, hnl_as="nu"), C.M_TAU, (C.M_E, 0.0, 0.0))
    assert w / PD.total_width("tau-") == pytest.approx(0.1782, rel=0.01, abs=0)  # radiative corrections -0.4 %


# ------------------------------------------------------------------ channels
def _params(**kw):
    return ModelParameters.from_dict(kw)


def test_scaling_is_exact_and_dirac_equals_majorana():
    base = production_channels(_params(m4=0.1, Umu4=1e-3, Ue4=2e-3, Utau4=1e-2))
    doubled = production_channels(_params(m4=0.1, Umu4=2e-3, Ue4=4e-3, Utau4=2e-2))
    maj = production_channels(_params(m4=0.1, Umu4=1e-3, Ue4=2e-3, Utau4=1e-2, HNLtype="majorana"))
    assert [c.name for c in base] == [c.name for c in doubled]
    for a, b, c in zip(base, doubled, maj):
        (key, power), = a.scaling
        assert power == 2 and key in ("Umu4", "Ue4", "Utau4")
        assert b.br == pytest.approx(4.0 * a.br, rel=1e-12, abs=0)
        assert c.br == pytest.approx(a.br, rel=1e-12, abs=0)
        assert c.llp == "N4" and a.llp in ("N4", "N4_bar")


def test_channel_list_opens_and_closes_with_the_mass():
    light = {c.name for c in production_channels(_params(m4=0.02, Umu4=1e-3, Ue4=1e-3))}
    assert {"pi+ -> mu+ N4", "pi- -> mu- N4_bar", "K+ -> pi0 mu+ N4", "K0_L -> pi+ e- N4_bar",
            "mu- -> e- nu_e_bar N4", "mu- -> e- N4_bar nu_mu", "D_s+ -> mu+ N4"} <= light
    heavy = {c.name for c in production_channels(_params(m4=0.45, Umu4=1e-3))}
    assert "K+ -> mu+ N4" not in heavy and "D_s+ -> mu+ N4" in heavy and not any(n.startswith("pi") for n in heavy)
    assert {"D+ -> K0_bar mu+ N4", "D- -> K0 mu- N4_bar", "D0 -> K- mu+ N4", "D0_bar -> K+ mu- N4_bar"} <= heavy
    assert production_channels(_params(m4=2.5, Umu4=1e-3)) == []
    for c in production_channels(_params(m4=0.2, Umu4=1e-3, Utau4=1e-3)):
        assert 0 < c.br < 1 and c.width == pytest.approx(c.br * PD.total_width(c.parent), rel=1e-12, abs=0)


def test_parent_species_lists_parents_with_an_open_channel():
    from darkbeam.physics.production import parent_species

    sp = parent_species(_params(m4=0.2, Umu4=1e-3))
    assert sp[:3] == ["K+", "K-", "K0_L"] and "pi+" not in sp and "D0" in sp and "tau-" in sp and "mu-" not in sp
    assert parent_species(_params(mzprime=0.2, epsilon=1e-3)) == ["eta", "eta'", "omega"]
