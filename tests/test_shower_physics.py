"""Shower physics kernels against independent references: PDG radiation lengths, ESTAR stopping powers,
Tsai's complete-screening closed forms, Klein-Nishina and Heitler closed forms, the narrow-width
resonance, and limits of the dark-vector cross sections (docs/showers.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from darkbeam.constants import ALPHA_EM, M_E
from darkbeam.errors import ConfigurationError
from darkbeam.physics.shower import dark_xsec, em_xsec
from darkbeam.physics.shower.materials import MATERIALS, shower_material
from darkbeam.units import HBARC2_GEV2_CM2


@pytest.mark.parametrize("name", ["graphite", "beryllium", "aluminium", "iron", "copper", "tungsten", "lead", "water", "concrete"])
def test_radiation_length_tsai_vs_pdg(name):
    """Tsai's eq. 3.66 (with the compound rule) reproduces the PDG tables' X0 to 0.1%."""
    m = MATERIALS[name]
    assert m.X0_g_cm2 == pytest.approx(m.X0_pdg, rel=1e-3, abs=0)


def test_unknown_material_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="unknown material"):
        shower_material("unobtainium")


@pytest.mark.parametrize("T, estar", [(1e-3, 1.849), (1e-2, 1.968), (1e-1, 2.197)])
def test_collision_stopping_power_water_vs_estar(T, estar):
    """ICRU 37 with the asymptotic density effect vs NIST ESTAR (water, MeV cm^2/g) within 3%."""
    w = MATERIALS["water"]
    got = float(w.dedx_collision(T)) / w.density * 1e3
    assert got == pytest.approx(estar, rel=0.03, abs=0)


@pytest.mark.parametrize("Z", [6, 29, 82])
def test_brem_and_pair_reach_complete_screening(Z):
    """At 10 TeV the screened cross sections equal Tsai's complete-screening closed forms (eqs. 3.83-3.84)."""
    k = 1e4
    x = np.linspace(1e-7, 1 - 1e-7, 100001)
    pair = np.trapezoid(em_xsec.pair_dsigma_dx(Z, k, x), x)
    assert pair == pytest.approx(em_xsec.complete_screening_pair_total(Z), rel=1e-3, abs=0)
    E = 1e4
    kk = np.geomspace(1e-3 * E, E, 100001)
    brem = np.trapezoid(em_xsec.brem_dsigma_dk(Z, E, kk), kk)
    assert brem == pytest.approx(em_xsec.complete_screening_brem_total(Z, E, 1e-3 * E), rel=1e-3, abs=0)


def test_pair_total_gives_seven_ninths_of_x0():
    """High-energy pair attenuation length = 9/7 X0 (PDG eq. 34.32) up to the small (Z^2+Z)/54 term."""
    m = MATERIALS["lead"]
    sig = em_xsec.complete_screening_pair_total(82.0) * m.atoms_per_cm3[0]
    assert 1.0 / sig == pytest.approx(9.0 / 7.0 * m.X0_cm, rel=0.02, abs=0)


@pytest.mark.parametrize("k", [1e-3, 1e-2, 1.0])
def test_klein_nishina_differential_integrates_to_closed_form(k):
    e0 = 1.0 / (1.0 + 2.0 * k / M_E)
    eps = np.geomspace(e0, 1.0, 200001)
    total = np.trapezoid(em_xsec.klein_nishina_dsigma_deps(k, eps), eps)
    assert total == pytest.approx(float(em_xsec.klein_nishina_total(k)), rel=1e-5, abs=0)


def test_klein_nishina_thomson_limit():
    """sigma_KN = sigma_T (1 - 2a + 26 a^2/5) at small a = k/m_e (Thomson limit and its first corrections)."""
    from darkbeam.physics.shower.materials import R_E_CM

    k = 1e-6
    a = k / M_E
    ref = 8 * math.pi * R_E_CM**2 / 3 * (1 - 2 * a + 26 * a**2 / 5)
    assert float(em_xsec.klein_nishina_total(k)) == pytest.approx(ref, rel=1e-6, abs=0)


@pytest.mark.parametrize("E", [2e-3, 1e-2, 1.0])
def test_heitler_differential_integrates_to_closed_form(E):
    a, b = em_xsec.heitler_eps_range(E)
    eps = np.linspace(a, b, 400001)
    total = 0.5 * np.trapezoid(em_xsec.heitler_dsigma_deps(E, eps), eps)
    assert total == pytest.approx(float(em_xsec.heitler_total(E)), rel=1e-5, abs=0)


def test_gamma_v_annihilation_reduces_to_heitler():
    """e+ e- -> gamma V at m -> 0, halved for identical photons, is Heitler's cross section at high energy."""
    E = np.array([1.0, 10.0])
    got = 0.5 * dark_xsec.annihilation_gamma_v_total(E, 0.0, 0.0)
    np.testing.assert_allclose(got, em_xsec.heitler_total(E), rtol=0.005, atol=0)


def test_dark_compton_reduces_to_klein_nishina():
    """gamma e -> V e at m -> 0 is the high-energy Klein-Nishina cross section."""
    k = np.array([1.0, 10.0])
    np.testing.assert_allclose(dark_xsec.dark_compton_total(k, 1e-6), em_xsec.klein_nishina_total(k), rtol=0.002, atol=0)


@pytest.mark.parametrize("x", [0.3, 0.9, 0.99])
def test_dark_brem_angular_integral(x):
    """The closed-form angle integral of BEST's dsigma/(dx dcos) equals the numerical integral."""
    E, m = 10.0, 0.03
    chi = float(dark_xsec.chi_flux(6, 12.0, [E], m)[0])
    th = np.geomspace(1e-9, 0.5, 40001)
    num = np.trapezoid(dark_xsec.dark_brem_double_differential(E, x, th, m, chi) * np.sin(th), th)
    assert num == pytest.approx(float(dark_xsec.dark_brem_dsigma_dx(6, 12.0, E, x, m, chi=chi)), rel=2e-3, abs=0)


def test_dark_brem_heavy_vector_limit():
    """For m >> m_e the IWW dsigma/dx is 4 alpha^3 chi x (1 - x + x^2/3) / (m^2 (1-x)) (BEST eq. A16)."""
    E, m, x = 10.0, 0.1, np.array([0.2, 0.5, 0.8])
    chi = float(dark_xsec.chi_flux(74, 183.84, [E], m)[0])
    beta = np.sqrt(1 - m**2 / (x * E) ** 2)
    ref = 4 * ALPHA_EM**3 * chi * beta * x * (1 - x + x**2 / 3) / (m**2 * (1 - x)) * HBARC2_GEV2_CM2
    np.testing.assert_allclose(dark_xsec.dark_brem_dsigma_dx(74, 183.84, E, x, m, chi=chi), ref, rtol=2e-3, atol=0)


@pytest.mark.parametrize("eps", [1.0, 1e-3])
def test_resonant_strength_is_narrow_width_breit_wigner(eps):
    """int sigma dE+ = 6 pi^2 Gamma(V -> e e) / (m m_e) (spin-1 Breit-Wigner, narrow width) = eps^2 2 pi^2 alpha / m_e,
    with Gamma from darkbeam's dark-photon width (physics/zprime_decays.py): checks the eps^2 scaling too."""
    from darkbeam.physics.zprime_decays import dark_photon_to_leptons

    m = 0.03
    gam = float(dark_photon_to_leptons(m, eps, M_E))
    bw = 6 * math.pi**2 * gam / (m * M_E) * HBARC2_GEV2_CM2
    assert bw == pytest.approx(eps**2 * dark_xsec.resonant_strength(), rel=2e-3, abs=0)
    assert dark_xsec.resonant_energy(m) + M_E == pytest.approx(m**2 / (2 * M_E), rel=1e-3, abs=0)


#: exact tree-level dark-bremsstrahlung totals tabulated by PETITE (Blinov et al. 2401.06843; its
#: data/dark_xsec.pkl, GeV^-2 per atom): (material Z, A, m_V GeV, E GeV) -> sigma
PETITE_EXACT = {
    (6, 12.0, 0.01, 10.336445411775378): 13.19193616806411,
    (6, 12.0, 0.03, 9.918212334267599): 1.3853935666639416,
    (6, 12.0, 0.03, 100.0): 2.2089380286014046,
    (82, 207.0, 0.03, 9.918212334267599): 216.9745621282352,
    (82, 207.0, 0.1, 10.068834358755351): 11.719720700002629,
}


@pytest.mark.parametrize("key", list(PETITE_EXACT))
def test_dark_brem_ww_and_iww_vs_exact(key):
    """WW (angle-dependent flux) lies above the exact 2 -> 3 result by at most 60% and is closer to it than
    IWW, which overestimates more (Liu and Miller 1705.01633); at m = 10 MeV WW is within 15%."""
    Z, A, m, E = key
    exact = PETITE_EXACT[key] * HBARC2_GEV2_CM2
    ww = float(dark_xsec.dark_brem_ww_total(Z, A, [E], m)[0])
    iww = float(dark_xsec.dark_brem_total(Z, A, [E], m)[0])
    assert 1.0 <= ww / exact <= 1.6
    assert iww / exact > ww / exact
    if m <= 0.01:
        assert ww == pytest.approx(exact, rel=0.15, abs=0)
