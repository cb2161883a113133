"""Decay-at-rest spectra against closed forms, independent integrations and published numbers."""

import math

import numpy as np
import pytest
from scipy import integrate

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.sources import spectra as S
from darkbeam.sources.dar import PI_PER_K, dar_config, dar_flux, kaon_dar_spectrum, pion_dar_spectrum

MMU, ME = C.M_MU, C.M_E


def test_two_body_lines():
    # closed forms with PDG masses: 29.79 MeV, 69.79 MeV, 235.53 MeV
    assert S.E_PI_MUNU == pytest.approx((C.M_PI**2 - MMU**2) / (2 * C.M_PI), rel=1e-15)
    assert S.E_PI_MUNU * 1e3 == pytest.approx(29.792, abs=2e-3)
    assert S.E_PI_ENU * 1e3 == pytest.approx(69.785, abs=2e-3)
    assert S.E_K_MUNU * 1e3 == pytest.approx(235.53, abs=1e-2)


@pytest.mark.parametrize("nu", ["nu_e", "nu_mu_bar", "nu_e_bar", "nu_mu"])
def test_muon_spectra_normalised_and_endpoint(nu):
    emax = S.muon_endpoint()
    norm, _ = integrate.quad(lambda e: S.muon_decay_spectrum(e, nu), 0.0, emax, points=[emax * (1 - 1e-4)], limit=200)
    assert norm == pytest.approx(1.0, abs=2e-6)
    assert S.muon_decay_spectrum(np.array([emax * 1.0001, -1e-3]), nu) == pytest.approx([0.0, 0.0])
    assert emax == pytest.approx((MMU**2 - ME**2) / (2 * MMU), rel=1e-15)


def test_michel_closed_forms_massless_limit():
    e = np.linspace(0.0, MMU / 2, 50)
    x = 2 * e / MMU
    assert S.muon_decay_spectrum(e, "nu_e", m_e=0.0) == pytest.approx(12 * x**2 * (1 - x) * 2 / MMU, rel=1e-12, abs=1e-12)
    expect = 2 * x**2 * (3 - 2 * x) * 2 / MMU
    assert S.muon_decay_spectrum(e, "nu_mu_bar", m_e=0.0) == pytest.approx(expect, rel=1e-12, abs=1e-12)


def test_mean_energies():
    emax = S.muon_endpoint()
    for nu, expect in (("nu_e", 0.6), ("nu_mu_bar", 0.7)):
        mean, _ = integrate.quad(lambda e: e * S.muon_decay_spectrum(e, nu), 0.0, emax, limit=200)
        # massless Michel: <x> = 3/5 and 7/10; electron-mass corrections are O(m_e^2/m_mu^2) ~ 2e-5
        assert mean / (MMU / 2) == pytest.approx(expect, abs=1e-4)


def _dalitz_muon_spectrum(e_nu, which):
    """Independent: integrate |M|^2 = (p_mu.p_nue)(p_e.p_numubar) over the Dalitz plot (dE_e dE_nu flat)
    at fixed neutrino energy, with all invariants from momentum conservation (massive electron)."""
    out = []
    for en in e_nu:
        # the third particle: if 'which' is nu_e, the observed is nu_e and the other neutrino is numubar
        q2 = MMU**2 - 2 * MMU * en  # invariant mass^2 of the (e, other nu) pair
        if q2 <= ME**2:
            out.append(0.0)
            continue
        # E_e range at fixed observed neutrino energy
        rs = math.sqrt(q2)
        ee_star = (q2 + ME**2) / (2 * rs)
        pe_star = math.sqrt(ee_star**2 - ME**2)
        g, gb = (MMU - en) / rs, en / rs
        lo, hi = g * ee_star - gb * pe_star, g * ee_star + gb * pe_star

        def m2(ee):
            eo = MMU - en - ee  # energy of the other neutrino
            if which == "nu_e":  # observed nu_e pairs with the muon: (p_mu.p_nue)(p_e.p_numubar)
                p_e_other = (q2 - ME**2) / 2
                return (MMU * en) * p_e_other
            # observed numubar pairs with the electron: (p_mu.p_nue)(p_e.p_numubar), p_nue = other
            p_e_obs = (MMU**2 - 2 * MMU * eo - ME**2) / 2
            return (MMU * eo) * p_e_obs

        val, _ = integrate.quad(m2, lo, hi)
        out.append(val)
    out = np.array(out)
    return out


@pytest.mark.parametrize("nu", ["nu_e", "nu_mu_bar"])
def test_massive_electron_spectrum_against_dalitz_integration(nu):
    emax = S.muon_endpoint()
    e = np.linspace(0.01, 0.999, 25) * emax
    ref = _dalitz_muon_spectrum(e, nu)
    mine = S.muon_decay_spectrum(e, nu)
    # shapes agree (normalisation differs by the constant factors of |M|^2 and phase space)
    ratio = mine / ref
    assert np.ptp(ratio) / np.mean(ratio) < 1e-9


def _kl3_trace(e_pi, e_l, mode):
    """Independent |M|^2 of K -> pi l nu from the trace 2(H.p_l)(H.p_nu) - H^2 (p_l.p_nu),
    H = f+ (p_K + p_pi) + f- (p_K - p_pi), with invariants from momentum conservation."""
    mk, mpi, ml = S.kl3_masses(mode)
    lp, l0 = S.KL3_SLOPES[mode]
    enu = mk - e_pi - e_l
    t = mk**2 + mpi**2 - 2 * mk * e_pi
    fp, f0 = 1 + lp * t / mpi**2, 1 + l0 * t / mpi**2
    fm = (f0 - fp) * (mk**2 - mpi**2) / t
    pkl, pkn, pln = mk * e_l, mk * enu, (t - ml**2) / 2
    ppn = (mk**2 - 2 * mk * e_l + ml**2 - mpi**2) / 2
    ppl = (mk**2 - 2 * mk * enu - mpi**2 - ml**2) / 2
    hl = fp * (pkl + ppl) + fm * (pkl - ppl)
    hn = fp * (pkn + ppn) + fm * (pkn - ppn)
    h2 = fp**2 * (2 * mk**2 + 2 * mpi**2 - t) + 2 * fp * fm * (mk**2 - mpi**2) + fm**2 * t
    return 2 * hl * hn - h2 * pln


@pytest.mark.parametrize("mode", ["K+e3", "K+mu3", "K0Le3", "K0Lmu3"])
def test_kl3_dalitz_density_equals_trace(mode):
    mk, mpi, ml = S.kl3_masses(mode)
    rng = np.random.default_rng(7)
    epi = rng.uniform(mpi, mk, 40000)
    el = rng.uniform(ml, mk, 40000)
    enu = mk - epi - el
    ppi, pl = np.sqrt(np.maximum(epi**2 - mpi**2, 0)), np.sqrt(np.maximum(el**2 - ml**2, 0))
    cos = (enu**2 - ppi**2 - pl**2) / (2 * ppi * pl + 1e-300)
    ok = (enu > 0) & (np.abs(cos) < 1)
    r = S.kl3_dalitz_density(epi[ok], el[ok], mode) / _kl3_trace(epi[ok], el[ok], mode)
    assert ok.sum() > 2000 and np.ptp(r) / np.mean(r) < 1e-8


@pytest.mark.parametrize("mode", ["K+e3", "K+mu3", "K0Lmu3"])
def test_kl3_spectrum_normalised_with_endpoint(mode):
    mk, mpi, ml = S.kl3_masses(mode)
    emax = (mk**2 - (mpi + ml) ** 2) / (2 * mk)
    assert S.kl3_endpoint(mode) == pytest.approx(emax)
    norm, _ = integrate.quad(lambda e: S.kl3_spectrum(e, mode), 0.0, emax, limit=200)
    assert norm == pytest.approx(1.0, abs=1e-6)
    assert S.kl3_spectrum(np.array([emax * 1.001]), mode)[0] == 0.0


def test_ke3_massless_symmetry():
    # for m_l -> 0 and f- irrelevant, rho is symmetric under E_l <-> E_nu (A = m_K(2 E_l E_nu - m_K E'_pi))
    mk, mpi, _ = S.kl3_masses("K+e3")
    epi = np.full(5, 0.3)
    el = np.linspace(0.05, 0.15, 5)
    enu = mk - epi - el
    a = S.kl3_dalitz_density(epi, el, "K+e3")
    b = S.kl3_dalitz_density(epi, enu, "K+e3")
    assert a == pytest.approx(b, rel=1e-4)


def test_pion_dar_flux_normalisation():
    L, n = 20.0, 0.1
    f = dar_flux("pi-dar", L, n)
    geo = n / (4 * math.pi * (L * 100) ** 2)
    assert f.integrate("nu_mu") == pytest.approx(geo * S.BR_PI_MUNU, rel=1e-12, abs=0)  # the line
    assert f.integrate("nu_mu_bar") == pytest.approx(geo * S.BR_PI_MUNU, rel=2e-5, abs=0)
    assert f.integrate("nu_e") == pytest.approx(geo, rel=2e-5, abs=0)  # Michel + pi -> e nu line
    assert f.lines["nu_mu"][0][0] == pytest.approx(S.E_PI_MUNU)
    assert f.mean_energy("nu_mu_bar") == pytest.approx(0.7 * MMU / 2, rel=2e-4)
    assert f.energy_range[1] == pytest.approx(S.E_PI_ENU)


def test_kaon_dar_yields_per_stopped_kaon():
    spec = kaon_dar_spectrum()
    br = S.BR_K
    n_pi = br["pi+ pi0"] + 2 * br["pi+ pi+ pi-"] + br["pi+ pi0 pi0"]
    assert PI_PER_K == pytest.approx(n_pi)
    n_mu = br["mu nu"] + br["pi0 mu nu"] + n_pi * S.BR_PI_MUNU
    assert spec.yield_of("nu_mu") == pytest.approx(br["mu nu"] + br["pi0 mu nu"] + n_pi * S.BR_PI_MUNU)
    assert spec.yield_of("nu_mu_bar") == pytest.approx(n_mu)
    assert spec.yield_of("nu_e") == pytest.approx(br["pi0 e nu"] + n_mu + n_pi * S.BR_PI_ENU)
    bare = kaon_dar_spectrum(secondaries=False)
    assert bare.yield_of("nu_mu") == pytest.approx(br["mu nu"] + br["pi0 mu nu"])
    f = dar_flux("k-dar", 100.0, 1.0, secondaries=False)
    geo = 1.0 / (4 * math.pi * 1e4**2)
    assert f.integrate("nu_mu") == pytest.approx(geo * (br["mu nu"] + br["pi0 mu nu"]), rel=1e-5, abs=0)
    assert f.lines["nu_mu"][0] == pytest.approx((S.E_K_MUNU, geo * br["mu nu"]), rel=1e-6, abs=0)


def test_configurations_reproduce_published_numbers():
    # COHERENT: 0.08 nu/flavour/POT at 19.3 m
    f = dar_config("coherent").flux("pi")
    assert f.integrate("nu_mu") == pytest.approx(0.08 / (4 * math.pi * 1930.0**2), rel=1e-3)
    # JSNS2: measured nu_e flux (6.7 +- 2.3) 1e-9 /cm^2/POT at 24 m (arXiv:2412.18509)
    g = dar_config("jsns2").flux("mu")
    assert g.integrate("nu_e") == pytest.approx(6.7e-9, rel=0.02)
    assert "2412.18509" in g.provenance


def test_dar_errors():
    with pytest.raises(ConfigurationError):
        dar_flux("pi", -1.0, 0.1)
    with pytest.raises(ConfigurationError):
        dar_flux("tau", 10.0, 0.1)
    with pytest.raises(ConfigurationError, match="stopped_per_pot"):
        dar_config("microboone_numi_absorber").flux("k")
    f = dar_config("microboone_numi_absorber").flux("k", stopped_per_pot=1e-3)
    assert [e for e, _ in f.lines["nu_mu"]] == pytest.approx([S.E_PI_MUNU, S.E_K_MUNU])


def test_pion_rest_spectrum_yields():
    spec = pion_dar_spectrum()
    assert spec.yield_of("nu_mu") + spec.yield_of("nu_e") - spec.yield_of("nu_mu_bar") == pytest.approx(1.0)
