"""Dark-scalar and dark-photon production in meson decays against the formulas of 1909.11670 and
0906.5614/1801.04847 written out independently (docs/production.md, validation table)."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.models import ModelParameters
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production import production_channels
from darkbeam.physics.production.scalar_kaon import width_kaon_to_pion_scalar, xi_sd

TAU_K = 1.2380e-8  # s, PDG 2024
HBAR = 6.582119569e-25  # GeV s


def _params(**kw):
    return ModelParameters.from_dict(kw)


def test_k_to_pi_scalar_against_batell_berger_ismail_eq5():
    """Br(K+ -> pi+ S)/theta^2 with |V_td| = 8.6e-3, |V_ts| = 41.5e-3 (PDG 2024 magnitudes, not the
    Wolfenstein route of the code) and m_t = 172.57 GeV; 3 % covers the two CKM routes."""
    vtd_vts = 8.6e-3 * 41.5e-3
    xi = 3 * np.sqrt(2) * C.G_F * C.M_T**2 * vtd_vts / (16 * np.pi**2)
    for m_s in (0.0, 0.1, 0.25, 0.35):
        lam = (1 - (C.M_PI + m_s) ** 2 / C.M_K**2) * (1 - (C.M_PI - m_s) ** 2 / C.M_K**2)
        gamma = xi**2 * (C.M_K**2 - C.M_PI**2) ** 2 / (64 * np.pi * C.M_K * C.VEV**2) * np.sqrt(lam)
        br_ref = gamma / (HBAR / TAU_K)
        br = width_kaon_to_pion_scalar(m_s, 1.0) / PD.total_width("K+")
        assert br == pytest.approx(br_ref, rel=0.03, abs=0)


def test_k_long_uses_the_imaginary_part():
    """Gamma(K_L -> pi0 S)/Gamma(K+ -> pi+ S) = (Im xi/|xi|)^2 x phase space; Im(V_td V_ts^*) =
    A^2 lambda^5 etabar at leading Wolfenstein order (PDG 2024 eq. 12.4)."""
    w = PD.WOLFENSTEIN
    im_ref = w["A"] ** 2 * w["lambda"] ** 5 * w["etabar"]
    im = xi_sd().imag / (3 * np.sqrt(2) * C.G_F * C.M_T**2 / (16 * np.pi**2))
    assert abs(im) == pytest.approx(im_ref, rel=0.03, abs=0)
    m_s = 1e-6
    r = width_kaon_to_pion_scalar(m_s, 1.0, neutral=True) / width_kaon_to_pion_scalar(m_s, 1.0)
    ps = ((C.M_K0**2 - C.M_PI0**2) ** 2 / C.M_K0 * (1 - C.M_PI0**2 / C.M_K0**2)) / (
        (C.M_K**2 - C.M_PI**2) ** 2 / C.M_K * (1 - C.M_PI**2 / C.M_K**2))
    assert r == pytest.approx((xi_sd().imag / abs(xi_sd())) ** 2 * ps, rel=1e-6, abs=0)


def test_scalar_channels_scale_with_sin2_theta_and_close():
    a = {c.name: c for c in production_channels(_params(mhprime=0.2, theta=1e-4, m4=None))}
    b = {c.name: c for c in production_channels(_params(mhprime=0.2, theta=2e-4))}
    assert set(a) >= {"K+ -> pi+ hprime", "K- -> pi- hprime", "K0_L -> pi0 hprime"}
    for name, ch in a.items():
        if ch.llp == "hprime":
            assert ch.scaling == (("theta", 2),)
            assert b[name].br / ch.br == pytest.approx((np.sin(2e-4) / np.sin(1e-4)) ** 2, rel=1e-12, abs=0)
            assert ch.sampler.polarisation == 0.0
    assert not [c for c in production_channels(_params(mhprime=0.36, theta=1e-4)) if c.parent == "K+"]


@pytest.mark.parametrize("parent, m_p, br_gg", [("pi0", C.M_PI0, 0.98823), ("eta", C.M_ETA, 0.3936), ("eta'", C.M_ETAP, 0.02307)])
def test_pseudoscalar_to_gamma_dark_photon(parent, m_p, br_gg):
    for m_a in (0.001, 0.05, 0.12, 0.4, 0.9):
        chans = [c for c in production_channels(_params(mzprime=m_a, epsilon=1e-3)) if c.parent == parent]
        if m_a >= m_p:
            assert not chans
            continue
        (ch,) = chans
        assert ch.name == f"{parent} -> gamma zprime" and ch.scaling == (("epsilon", 2),)
        ref = 2 * (C.E_CHARGE * 1e-3 / C.E_CHARGE) ** 2 * (1 - m_a**2 / m_p**2) ** 3 * br_gg
        assert ch.br == pytest.approx(ref, rel=1e-6, abs=0)  # epsilon of the exact Z-Z' diagonalisation: 1e-6 at m << m_Z


def test_omega_to_pi0_dark_photon_and_scaling_keys():
    m_a = 0.2
    (ch,) = [c for c in production_channels(_params(mzprime=m_a, epsilon2=1e-6)) if c.parent == "omega"]
    mw, mp = C.M_OMEGA, C.M_PI0
    p = np.sqrt((mw**2 - (mp + m_a) ** 2) * (mw**2 - (mp - m_a) ** 2)) / (2 * mw)
    p0 = (mw**2 - mp**2) / (2 * mw)
    assert ch.br == pytest.approx(1e-6 * 0.0835 * (p / p0) ** 3, rel=1e-6, abs=0)
    assert ch.scaling == (("epsilon2", 1),)
    # no eta' -> pi0 A' (C-forbidden), no production for a gauged B-L or Lmu-Ltau Z' here
    assert not [c for c in production_channels(_params(mzprime=m_a, epsilon2=1e-6)) if c.name.startswith("eta' -> pi0")]
    assert [c for c in production_channels(_params(mzprime=m_a, zprime_charge="B-L", gX=1e-4)) if c.llp == "zprime"] == []


def test_b_to_kaon_scalar_against_the_closed_form():
    """Gamma(B+ -> K+ S) = sin^2 |xi_bs|^2 (m_B^2 - m_K^2)^2 f_0^2 |p|/(32 pi m_B^2 v^2) with |V_ts| =
    41.5e-3, |V_tb| = 0.999 (PDG 2024 fit magnitudes) and f_0 = 0.330/(1 - q^2/37.46) (Ball-Zwicky);
    3 % covers the CKM route."""
    from darkbeam.physics.production.scalar_b_meson import width_b_to_kaon_scalar

    xi = 3 * np.sqrt(2) * C.G_F * C.M_T**2 * 41.5e-3 * 0.999 / (16 * np.pi**2)
    m_b, m_k = C.M_B_PLUS, C.M_K
    for m_s in (0.1, 1.0, 3.0, 4.7):
        p = np.sqrt((m_b**2 - (m_k + m_s) ** 2) * (m_b**2 - (m_k - m_s) ** 2)) / (2 * m_b)
        f0 = 0.330 / (1 - m_s**2 / 37.46)
        ref = xi**2 * (m_b**2 - m_k**2) ** 2 * f0**2 * p / (32 * np.pi * m_b**2 * C.VEV**2)
        assert width_b_to_kaon_scalar(m_s, 1.0) == pytest.approx(ref, rel=0.03, abs=0)
    assert width_b_to_kaon_scalar(4.8, 1.0) == 0.0
    names = {c.name for c in production_channels(_params(mhprime=1.0, theta=1e-4))}
    assert {"B+ -> K+ hprime", "B- -> K- hprime", "B0 -> K0 hprime", "B0_bar -> K0_bar hprime"} <= names
