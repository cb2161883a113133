"""3+N oscillation probabilities: closed forms, unitarity, CPT, MSW resonance, averages, LSND."""

from __future__ import annotations

import math

import numpy as np
import pytest

from darkbeam.errors import ConfigurationError
from darkbeam.physics.oscillations import (MATTER_EV_PER_GCM3, NUFIT52_NO, PHASE_COEFF, pmns, probabilities,
                                           two_flavour, unitary_completion)


def _three_plus_one(ue4=0.12, umu4=0.15, utau4=0.05, dm41=1.3):
    U3 = pmns(NUFIT52_NO["s12sq"], NUFIT52_NO["s13sq"], NUFIT52_NO["s23sq"], NUFIT52_NO["delta_deg"])
    U = unitary_completion([[ue4], [umu4], [utau4]], U3)
    return U, np.array([0.0, NUFIT52_NO["dm21"], NUFIT52_NO["dm31"], dm41])


def test_phase_coefficient():
    # 1.267 of every textbook: Dm^2 L / (4 E) with hbar c = 0.1973269804 GeV fm
    assert PHASE_COEFF == pytest.approx(1.26693, rel=1e-5, abs=0)
    # sqrt(2) G_F N_A (hbar c)^3: 7.63e-14 eV per g/cm^3 (e.g. Akhmedov, hep-ph/0001264, eq. 3.6 gives 7.6e-14 Y_e rho)
    assert MATTER_EV_PER_GCM3 == pytest.approx(7.63e-14, rel=2e-3, abs=0)


def test_two_flavour_closed_form():
    theta, dm2, L = 0.3, 1.0, 0.5
    E = np.array([0.1, 0.5, 1.0, 2.0])
    P = probabilities(two_flavour(theta), [0.0, dm2], L, E)
    closed = math.sin(2 * theta) ** 2 * np.sin(PHASE_COEFF * dm2 * L / E) ** 2
    np.testing.assert_allclose(P[:, 0, 1], closed, rtol=1e-12, atol=0)
    np.testing.assert_allclose(P[:, 0, 0], 1 - closed, rtol=1e-12, atol=0)


def test_three_plus_one_short_baseline_limit():
    """At L/E ~ 1 km/GeV the solar and atmospheric phases are < 3e-3: P(mu->e) = 4 |Ue4|^2 |Umu4|^2 sin^2(...)."""
    U, m2 = _three_plus_one()
    E = np.array([0.3, 0.8, 2.0])
    L = 0.5
    P = probabilities(U, m2, L, E)
    sbl = 4 * abs(U[0, 3]) ** 2 * abs(U[1, 3]) ** 2 * np.sin(PHASE_COEFF * m2[3] * L / E) ** 2
    np.testing.assert_allclose(P[:, 1, 0], sbl, rtol=0.05, atol=2e-5)


@pytest.mark.parametrize("density", [None, 2.8])
def test_unitarity_of_probabilities(density):
    U, m2 = _three_plus_one()
    E = np.geomspace(0.1, 20.0, 30)
    for anti in (False, True):
        P = probabilities(U, m2, 800.0, E, anti=anti, density=density, pipe_km=0.2, resolution=0.1)
        np.testing.assert_allclose(P[..., :3, :].sum(axis=-1), 1.0, rtol=0, atol=1e-12)
        np.testing.assert_allclose(P.sum(axis=-2), 1.0, rtol=0, atol=1e-12)  # and over initial states
        assert np.all(P > -1e-14) and np.all(P < 1 + 1e-12)


def test_non_unitary_rectangular_matrix():
    """Rows of a unitary 4x4 with the heavy column dropped (N = U[:3, :3]): at L -> 0 the amplitude is
    (N N^dag)_ab, so sum_b P(a -> b) = ((N N^dag)^2)_aa < 1 (the zero-distance effect)."""
    U, m2 = _three_plus_one(0.2, 0.1, 0.0)
    N = U[:3, :3]
    P = probabilities(N, m2[:3], 1e-9, np.array([1.0]))[0]
    NN = N @ N.conj().T
    np.testing.assert_allclose(P.sum(axis=-1), np.diag(NN @ NN).real, rtol=1e-9, atol=0)
    assert P[0].sum() == pytest.approx((1 - abs(U[0, 3]) ** 2) ** 2 + abs(U[0, 3] * U[1, 3]) ** 2, rel=1e-9, abs=0)


def test_cpt_and_cp_violation():
    U, m2 = _three_plus_one()
    E = np.array([0.4, 1.0, 3.0])
    P = probabilities(U, m2, 1300.0, E)
    Pbar = probabilities(U, m2, 1300.0, E, anti=True)
    # CPT: P(a -> b) = P(bbar -> abar)
    np.testing.assert_allclose(P, np.swapaxes(Pbar, -1, -2), rtol=0, atol=1e-13)
    # and CP is violated (delta = 232 deg), so the test above is not trivially true
    assert np.max(np.abs(P[:, 1, 0] - Pbar[:, 1, 0])) > 1e-3


def test_msw_resonance_two_flavour():
    """nu_e - nu_mu in matter: sin^2 2theta_m = sin^2 2theta / ((cos 2theta - A/Dm^2)^2 + sin^2 2theta),
    A = 2 sqrt(2) G_F n_e E; at resonance (A = Dm^2 cos 2theta) the mixing is maximal for neutrinos and not
    for antineutrinos."""
    theta, dm2, rho, ye = 0.15, 2.5e-3, 3.0, 0.5
    U = two_flavour(theta)
    # the two-flavour e-mu system with the neutral current common to both: only the CC part matters
    Vcc = MATTER_EV_PER_GCM3 * rho * ye
    E_res = dm2 * math.cos(2 * theta) / (2 * Vcc) * 1e-9  # GeV
    for E in (0.5 * E_res, E_res, 2.0 * E_res):
        a = 2 * Vcc * E * 1e9
        s22m = math.sin(2 * theta) ** 2 / ((math.cos(2 * theta) - a / dm2) ** 2 + math.sin(2 * theta) ** 2)
        dm2m = dm2 * math.sqrt((math.cos(2 * theta) - a / dm2) ** 2 + math.sin(2 * theta) ** 2)
        L = 2900.0
        P = probabilities(U, [0.0, dm2], L, np.array([E]), density=rho, ye=ye)[0, 0, 1]
        assert P == pytest.approx(s22m * math.sin(PHASE_COEFF * dm2m * L / E) ** 2, rel=1e-10, abs=1e-14)
    # at resonance, at the first oscillation maximum, P = 1 for nu and well below for nubar
    dm2m = dm2 * math.sin(2 * theta)
    L_max = math.pi / 2 * E_res / (PHASE_COEFF * dm2m)
    P = probabilities(U, [0.0, dm2], L_max, np.array([E_res]), density=rho, ye=ye)[0, 0, 1]
    Pbar = probabilities(U, [0.0, dm2], L_max, np.array([E_res]), density=rho, ye=ye, anti=True)[0, 0, 1]
    assert P == pytest.approx(1.0, rel=1e-10, abs=0)
    assert Pbar < 0.1


def test_pipe_average_against_quadrature_and_fast_limit():
    U = two_flavour(0.4)
    E = np.array([0.3, 0.7, 1.5])
    L, pipe = 0.54, 0.05
    P = probabilities(U, [0.0, 7.0], L, E, pipe_km=pipe)[:, 0, 1]
    Ls = L - pipe + pipe * (np.arange(4000) + 0.5) / 4000
    brute_fine = np.mean(math.sin(0.8) ** 2 * np.sin(PHASE_COEFF * 7.0 * Ls[:, None] / E[None, :]) ** 2, axis=0)
    np.testing.assert_allclose(P, brute_fine, rtol=1e-6, atol=0)  # midpoint rule error ~3e-8
    # fast oscillations average to sin^2 2theta / 2
    fast = probabilities(U, [0.0, 5000.0], L, E, pipe_km=pipe, resolution=0.2)[:, 0, 1]
    np.testing.assert_allclose(fast, 0.5 * math.sin(0.8) ** 2, rtol=2e-3, atol=0)


def test_resolution_average_against_direct_integral():
    U = two_flavour(0.4)
    E0, r = 0.8, 0.15
    P = probabilities(U, [0.0, 2.0], 0.5, np.array([E0]), resolution=r)[0, 0, 1]
    x = np.linspace(-8, 8, 20001)
    Ex = E0 * (1 + r * x)
    g = np.exp(-0.5 * x * x) * (Ex > 0)
    direct = np.sum(g * math.sin(0.8) ** 2 * np.sin(PHASE_COEFF * 2.0 * 0.5 / np.where(Ex > 0, Ex, 1)) ** 2) / g.sum()
    assert P == pytest.approx(direct, rel=1e-4, abs=0)


def _lsnd_probability(dm2, sin2_2theta):
    """P(nubar_mu -> nubar_e) at LSND: L uniform in 26-34 m (detector centre 29.8 m from the source), E from
    the mu+ decay-at-rest spectrum x^2 (3 - 2x) (E_max = 52.8 MeV) above 20 MeV, weighted by the inverse
    beta-decay cross section ~ E_e p_e (E_e = E - 1.293 MeV)."""
    u = (sin2_2theta / 4) ** 0.25  # |Ue4| = |Umu4|: sin^2 2theta_mue = 4 |Ue4|^2 |Umu4|^2
    U = unitary_completion([[u], [u], [0.0]])
    E = np.linspace(0.020, 0.0528, 400)
    x = E / 0.0528
    Ee = E - 0.001293
    w = x * x * (3 - 2 * x) * Ee * np.sqrt(Ee * Ee - 0.000511**2)
    P = probabilities(U, [0, 0, 0, dm2], 0.034, E, anti=True, pipe_km=0.008)[:, 1, 0]
    return float(np.sum(P * w) / np.sum(w))


def test_lsnd_probability_from_best_fits():
    """LSND: P = (0.264 +- 0.067 +- 0.045) % (Aguilar et al., PRD 64, 112007 (2001), hep-ex/0104049).
    Its best fit (Dm^2, sin^2 2theta) = (1.2 eV^2, 0.003) gives it within 1 sigma; MiniBooNE's 2020 best fit
    (0.043 eV^2, 0.807; PRD 103, 052002 (2021), arXiv:2006.16883) within 2 sigma (it lies at the low-Dm^2
    edge of the LSND region)."""
    p_lsnd, err = 0.264e-2, math.hypot(0.067e-2, 0.045e-2)
    assert abs(_lsnd_probability(1.2, 0.003) - p_lsnd) < err
    assert abs(_lsnd_probability(0.043, 0.807) - p_lsnd) < 2 * err


def test_bad_inputs():
    U = two_flavour(0.3)
    with pytest.raises(ConfigurationError):
        probabilities(U, [0.0, 1.0], 0.5, np.array([0.0]))
    with pytest.raises(ConfigurationError):
        probabilities(U, [0.0, 1.0, 2.0], 0.5, np.array([1.0]))
    with pytest.raises(ConfigurationError, match="longer"):
        probabilities(U, [0.0, 1.0], 0.05, np.array([1.0]), pipe_km=0.1)
    with pytest.raises(ConfigurationError, match="too large"):
        unitary_completion([[0.9], [0.9], [0.0]])
    with pytest.raises(ConfigurationError, match="square unitary"):
        probabilities(U[:1], [0.0, 1.0], 0.5, np.array([1.0]), density=2.0)


def test_sterile_neutral_current_potential():
    """nu_mu - nu_s in matter: only the neutral current separates them, V_mu - V_s = -sqrt(2) G_F n_n / 2;
    the two-flavour matter formula with A = 2E (V_mu - V_s) (e.g. Dentler et al. 1803.10661, Sec. 2)."""
    theta, dm2, rho, ye, L = 0.2, 0.5, 3.0, 0.5, 3000.0
    c, s = math.cos(theta), math.sin(theta)
    U = np.eye(4)
    U[1, 1], U[1, 3], U[3, 1], U[3, 3] = c, s, -s, c
    m2 = [0.0, 0.0, 0.0, dm2]
    vnc = -0.5 * MATTER_EV_PER_GCM3 * rho * (1 - ye)
    for E, anti in ((5.0, False), (20.0, False), (20.0, True)):
        a = 2 * E * 1e9 * vnc * (-1 if anti else 1)
        s22m = math.sin(2 * theta) ** 2 / ((math.cos(2 * theta) - a / dm2) ** 2 + math.sin(2 * theta) ** 2)
        dm2m = dm2 * math.sqrt((math.cos(2 * theta) - a / dm2) ** 2 + math.sin(2 * theta) ** 2)
        P = probabilities(U, m2, L, np.array([E]), density=rho, ye=ye, anti=anti)[0, 1, 1]
        assert P == pytest.approx(1 - s22m * math.sin(PHASE_COEFF * dm2m * L / E) ** 2, rel=1e-9, abs=1e-12)
