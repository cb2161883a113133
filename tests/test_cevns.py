"""CEvNS: Freedman's formula, closed-form totals, Z' / scalar / magnetic-moment limits, COHERENT rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.models import ModelParameters
from darkbeam.models.zprime_charges import ScalarMediator, zprime_mediator
from darkbeam.physics.cevns import CEvNSXsec
from darkbeam.physics.form_factors import helm
from darkbeam.physics.nuclear import nucleus

GEV2_CM2 = 1.973269804e-14**2  # (hbar c)^2, GeV^2 cm^2
S2 = 0.23857


def test_weak_charge_numbers():
    # Q_W = N - (1 - 4 s^2) Z with s^2 = 0.23857: Cs133 78 - 0.04572 x 55, Ar40 22 - 0.04572 x 18
    assert CEvNSXsec("Cs133").weak_charge == pytest.approx(78 - 0.04572 * 55, rel=1e-12, abs=0)
    assert CEvNSXsec("Ar40").weak_charge == pytest.approx(22 - 0.04572 * 18, rel=1e-12, abs=0)


@pytest.mark.parametrize("target", ["Cs133", "I127", "Ar40", "Ge72"])
def test_freedman_formula_with_helm(target):
    """dsigma/dT = G_F^2 M Q_W^2/(4 pi) (1 - M T/(2 E^2)) F^2 (Freedman 1974) with the Helm form factor:
    the code keeps also -T/E (exact spin-0 kinematics), below 2E/M ~ 1e-3 here."""
    nuc = nucleus(target)
    M, Qw = nuc.mass, nuc.N - (1 - 4 * S2) * nuc.Z
    E = 0.03
    T = np.linspace(1e-7, 0.5 * 2 * E**2 / (M + 2 * E), 7)  # kinematic factor >= 1/2: relative T/E term <= 2 E/M
    ref = C.G_F**2 * M * Qw**2 / (4 * math.pi) * (1 - M * T / (2 * E**2)) * helm(2 * M * T, nuc.A) ** 2 * GEV2_CM2
    got = CEvNSXsec(target).dsigma_dT(E, T)
    np.testing.assert_allclose(got, ref, rtol=2.5 * E / M, atol=0)
    np.testing.assert_allclose(got * (1 - M * T / (2 * E**2)) / (1 - T / E - M * T / (2 * E**2)), ref, rtol=1e-12, atol=0)


@pytest.mark.parametrize("target", ["Cs133", "Ar40"])
def test_total_without_form_factor_closed_form(target):
    x = CEvNSXsec(target, form_factor="none")
    M, Qw = x.mass, x.weak_charge
    E = np.array([0.005, 0.03, 0.05, 0.3])
    tm = 2 * E**2 / (M + 2 * E)
    ref = C.G_F**2 * M * Qw**2 / (4 * math.pi) * (tm - tm**2 / (2 * E) - M * tm**2 / (4 * E**2)) * GEV2_CM2
    np.testing.assert_allclose(x.sigma(E), ref, rtol=1e-12, atol=0)
    # leading behaviour G_F^2 Q_W^2 E^2 / (4 pi) for E << M
    assert x.sigma(0.01) == pytest.approx(C.G_F**2 * Qw**2 * 1e-4 / (4 * math.pi) * GEV2_CM2, rel=4 * 0.01 / M, abs=0)


def test_neutrinos_and_antineutrinos_alike_and_form_factor_choices():
    E = np.array([0.02, 0.05])
    s = CEvNSXsec("Cs133", "nu_mu").sigma(E)
    np.testing.assert_allclose(CEvNSXsec("Cs133", "nu_mu_bar").sigma(E), s, rtol=1e-15, atol=0)
    np.testing.assert_allclose(CEvNSXsec("Cs133", "nu_e").sigma(E), s, rtol=1e-15, atol=0)
    fb = CEvNSXsec("Ar40", form_factor="fourier-bessel").sigma(0.05)  # measured Ar40 charge density
    assert fb == pytest.approx(CEvNSXsec("Ar40").sigma(0.05), rel=0.02, abs=0)  # Helm within 2 %


def test_matching_with_darkbeams_own_z_doubles_the_weak_charge():
    """A vector 'mediator' with the couplings of darkbeam's Z (Couplings.z_fermion for u, d, nu) adds Q_V
    once more: sigma x 4.  Checks the sign and normalisation of the Z' term independently of the SM code."""
    from darkbeam.models.couplings import Couplings
    from darkbeam.models.zprime_charges import VectorMediator

    c = Couplings(ModelParameters.from_dict({}), S2)
    nu = c.z_fermion("nu_mu").gL
    z = VectorMediator(mass=C.M_Z, g_nu=(nu, nu, nu), g_u=c.z_fermion("u").gV, g_d=c.z_fermion("d").gV)
    r = CEvNSXsec("Cs133", mediator=z).sigma(0.03) / CEvNSXsec("Cs133").sigma(0.03)
    assert r == pytest.approx(4.0, rel=1e-6, abs=0)


def _model(kind, m, gX, **kw):
    return zprime_mediator(ModelParameters.from_dict({"mzprime": m, "zprime_charge": kind, "gX": gX, **kw}), S2)


def test_heavy_b_minus_l_four_fermion_limit_is_constructive():
    """Delta Q_V = g_nu g_N A /(sqrt2 G_F m^2) with g_nu = -gX, g_N = +gX, against Q_V = -Q_W/2 < 0."""
    m, gX, E = 50.0, 0.1, 0.03
    x = CEvNSXsec("Ar40", mediator=_model("B-L", m, gX), form_factor="none")
    qv = -x.weak_charge / 2
    dq = -gX * gX * 40 / (math.sqrt(2) * C.G_F * m**2)
    assert dq * qv > 0  # same sign: constructive
    ratio = x.sigma(E) / CEvNSXsec("Ar40", form_factor="none").sigma(E)
    assert ratio == pytest.approx(((qv + dq) / qv) ** 2, rel=1e-6, abs=0)


def test_lmu_ltau_acts_through_the_loop_mixing_only():
    """L_mu - L_tau: no tree coupling to quarks; the loop gives the proton -e eps(0) (eps < 0): the shift
    gX (-e eps) Z/(sqrt2 G_F m^2) is positive, destructive against Q_V < 0; off without loop mixing."""
    m, gX, E = 5.0, 0.05, 0.005  # Q^2 <= (2E)^2 = 1e-4 GeV^2 << m_mu^2: eps(q^2) = eps(0) within 1 %
    eps0 = -(C.E_CHARGE * gX / (6 * math.pi**2)) * math.log(C.M_TAU / C.M_MU)
    x = CEvNSXsec("Cs133", "nu_mu", mediator=_model("Lmu-Ltau", m, gX), form_factor="none")
    qv = -x.weak_charge / 2
    dq = gX * (-C.E_CHARGE * eps0) * 55 / (math.sqrt(2) * C.G_F * m**2)
    r = x.sigma(E) / CEvNSXsec("Cs133", form_factor="none").sigma(E)
    assert dq * qv < 0
    assert r - 1 == pytest.approx(((qv + dq) / qv) ** 2 - 1, rel=0.02, abs=0)
    nu_e = CEvNSXsec("Cs133", "nu_e", mediator=_model("Lmu-Ltau", m, gX), form_factor="none").sigma(E)
    assert nu_e == pytest.approx(CEvNSXsec("Cs133", form_factor="none").sigma(E), rel=1e-14, abs=0)
    off = CEvNSXsec("Cs133", mediator=_model("Lmu-Ltau", m, gX, loop_mixing=False), form_factor="none").sigma(E)
    assert off == pytest.approx(CEvNSXsec("Cs133", form_factor="none").sigma(E), rel=1e-14, abs=0)


def test_scalar_mediator_closed_form():
    """Cerdeno et al. 1604.01025 eq. 2.8 integrated by hand (F = 1):
    int_0^Tm M^2 T/(4 pi E^2 (m^2 + 2 M T)^2) dT = M^2/(4 pi E^2 b^2)[ln((a + b Tm)/a) + a/(a + b Tm) - 1]."""
    s = ScalarMediator(mass=0.01, g_nu=1e-5, g_p=2e-6, g_n=3e-6)
    x = CEvNSXsec("Ge72", scalar=s, form_factor="none")
    E = 0.04
    M, tm = x.mass, float(x.t_max(E))
    a, b = s.mass**2, 2 * M
    q = 32 * 2e-6 + 40 * 3e-6
    ref = s.g_nu**2 * q**2 * M**2 / (4 * math.pi * E**2 * b**2) * (math.log((a + b * tm) / a) + a / (a + b * tm) - 1) * GEV2_CM2
    sm = CEvNSXsec("Ge72", form_factor="none").sigma(E)
    assert x.sigma(E) - sm == pytest.approx(ref, rel=1e-8, abs=0)


def test_magnetic_moment_vogel_engel():
    mu, E, t1 = 1e-8, 0.03, 5e-6
    x = CEvNSXsec("Ar40", magnetic_moment=mu, form_factor="none")
    tm = float(x.t_max(E))
    ref = math.pi * C.ALPHA_EM**2 * mu**2 / C.M_E**2 * 18**2 * (math.log(tm / t1) - (tm - t1) / E) * GEV2_CM2
    sm = CEvNSXsec("Ar40", form_factor="none").sigma(E, t_min=t1)
    assert x.sigma(E, t_min=t1) - sm == pytest.approx(ref, rel=1e-8, abs=0)


@pytest.mark.parametrize("m", [1e-3, 0.02, 0.3])
def test_light_mediator_quadrature_against_adaptive(m):
    x = CEvNSXsec("Cs133", mediator=_model("B-L", m, 3e-5))
    for E in (0.01, 0.05):
        tm = float(x.t_max(E))
        ref = quad(lambda t: float(x.dsigma_dT(E, t)), 0, tm, points=[min(m**2 / (2 * x.mass), tm / 2)], epsabs=0,
                   epsrel=1e-11, limit=400)[0]
        assert x.sigma(E) == pytest.approx(ref, rel=1e-6, abs=0)


@pytest.mark.parametrize("kw, needle", [
    ({"target": "H1"}, "A > 1"),
    ({"target": "Xx12"}, "not an element symbol"),
    ({"target": "Cs133", "form_factor": "gauss"}, "unknown CEvNS form factor 'gauss'"),
    ({"target": "Cs133", "projectile": "nu_s"}, "unknown projectile"),
])
def test_bad_input(kw, needle):
    with pytest.raises(ConfigurationError, match=needle):
        CEvNSXsec(**kw)
    with pytest.raises(ConfigurationError, match="threshold"):
        CEvNSXsec("Cs133").sigma([0.03, 0.0])


@pytest.mark.parametrize("det, tol", [("csi_2017", 0.15), ("ar_2020", 0.15)])
def test_coherent_rates_match_published_predictions(det, tol):
    """COHERENT's Standard-Model predictions (CsI 2017: 173 +- 48, arXiv:1708.01294; Ar 2020: 128 +- 17,
    arXiv:2003.10630) from the pi-DAR source, quenching, threshold and efficiency: within their errors,
    and within ``tol`` of the central values (docs/rare_scattering.md lists the differences)."""
    from darkbeam.analysis.rare_rates import cevns_events
    from darkbeam.detectors.cevns_detectors import cevns_detector

    d = cevns_detector(det)
    n = cevns_events(d)["total"]
    val, err = d.predicted
    assert abs(n - val) < err
    assert n == pytest.approx(val, rel=tol, abs=0)


def test_recoil_spectrum_integrates_to_the_folded_cross_section():
    """int dN/dT dT over the recoil range equals the flux-folded sigma (pi-DAR at 20 m, Ar40)."""
    from darkbeam.analysis.rare_rates import recoil_spectrum
    from darkbeam.sources.dar import dar_flux

    fl = dar_flux("pi", 20.0, 0.1)
    x = CEvNSXsec("Ar40")
    tmax = float(x.t_max(0.0529))  # Michel end point ~ 52.8 MeV
    T = np.linspace(1e-8, tmax, 400)
    spec = recoil_spectrum(fl, T, lambda f: CEvNSXsec("Ar40", f))
    total = sum(fl.fold(lambda E: np.where(E > 0, x.sigma(np.maximum(E, 1e-9)), 0.0), f) for f in fl.flavours)
    assert np.trapezoid(spec, T) == pytest.approx(total, rel=2e-3, abs=0)
    with pytest.raises(ConfigurationError, match="recoil energies"):
        recoil_spectrum(fl, [0.0], lambda f: x)


def test_universal_quark_vector_against_cerdeno_et_al():
    """Light vector coupled to every quark with g_q and to nu with g_nu: dsigma/dT = dsigma_SM/dT x G_V^2,
    G_V = 1 - sqrt2 Q'/(G_F Q_W (q^2 + m^2)), Q' = 3 A g_nu g_q (Cerdeno et al. 1604.01025 eqs. 2.5-2.6, as
    coded independently in B. Kavanagh's CEvNS.py): same sign and normalisation as our matching."""
    from darkbeam.models.zprime_charges import VectorMediator

    g_nu, g_q, m = 2e-5, 3e-5, 0.015
    med = VectorMediator(mass=m, g_nu=(g_nu,) * 3, g_u=g_q, g_d=g_q)
    x, sm = CEvNSXsec("Ge72", mediator=med, form_factor="none"), CEvNSXsec("Ge72", form_factor="none")
    E = 0.03
    T = np.linspace(1e-7, 0.9 * float(sm.t_max(E)), 9)
    q2 = 2 * x.mass * T
    gv = 1 - math.sqrt(2) * 3 * 72 * g_nu * g_q / (C.G_F * x.weak_charge * (q2 + m**2))
    np.testing.assert_allclose(x.dsigma_dT(E, T) / sm.dsigma_dT(E, T), gv**2, rtol=1e-12, atol=0)


def test_cevns_detector_names_match_the_plane_and_searches_keys():
    """``coherent_csi_2017`` (darkbeam plane's key) names the same detector as ``csi_2017``; an unknown
    name is one ConfigurationError."""
    from darkbeam.detectors.cevns_detectors import cevns_detector

    assert cevns_detector("coherent_csi_2017") is cevns_detector("csi_2017")
    assert cevns_detector("COHERENT-ar-2020") is cevns_detector("ar_2020")
    with pytest.raises(ConfigurationError, match="unknown CEvNS detector 'coherent_nope'"):
        cevns_detector("coherent_nope")
