"""Kinematics of production: conservation, on-shell daughters, the lab distribution against the
analytic boost, three-body distributions against |M|^2, and the polarisation's frame change."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.mc.fourvec import boost_to_rest
from darkbeam.models import ModelParameters
from darkbeam.physics.particles import mass_of
from darkbeam.physics.production import production_channels
from darkbeam.physics.production.dalitz_quadrature import momenta_from_invariants, s12_limits
from darkbeam.physics.production.hnl_currents import helicity_vector, mdot
from darkbeam.processes.production import lab_polarisation, sample_production


def _chan(name, **kw):
    (ch,) = [c for c in production_channels(ModelParameters.from_dict(kw)) if c.name == name]
    return ch


def _parents(m, n, rng, pmax=20.0):
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    p = pmax * rng.random(n)[:, None] * d
    return np.column_stack([np.sqrt(m * m + (p**2).sum(1)), p])


@pytest.mark.parametrize("name, kw", [
    ("K+ -> mu+ N4", {"m4": 0.2, "Umu4": 1e-3}),
    ("K+ -> pi0 e+ N4", {"m4": 0.2, "Ue4": 1e-3}),
    ("K0_L -> pi+ mu- N4_bar", {"m4": 0.1, "Umu4": 1e-3}),
    ("tau- -> e- nu_e_bar N4", {"m4": 0.5, "Utau4": 1e-3}),
    ("mu- -> e- N4_bar nu_mu", {"m4": 0.03, "Ue4": 1e-3}),
    ("K+ -> pi+ hprime", {"mhprime": 0.2, "theta": 1e-3}),
    ("eta -> gamma zprime", {"mzprime": 0.1, "epsilon": 1e-3}),
])
def test_energy_momentum_conservation_and_mass_shell(name, kw):
    ch = _chan(name, **kw)
    rng = np.random.default_rng(11)
    M = mass_of(ch.parent)
    P = _parents(M, 2000, rng)
    s = sample_production(ch, P, rng)
    assert s.momenta.shape == (2000, len(ch.daughters), 4)
    # rounding of the boost grows with gamma (up to 200 for muons at 20 GeV): 1e-10 of the energy scale
    scale = P[:, 0].max()
    np.testing.assert_allclose(s.momenta.sum(axis=1), P, rtol=0, atol=1e-10 * scale)
    masses = np.array(ch.sampler.masses)
    # on shell: |k.k - m^2| within rounding of E^2 (1e-12 relative)
    m2 = mdot(s.momenta, s.momenta)
    assert np.all(np.abs(m2 - masses**2) <= 1e-12 * s.momenta[..., 0] ** 2 + 1e-15)
    assert np.all(np.abs(s.polarisation) <= 1.0)
    # same seed, same events
    again = sample_production(ch, P, np.random.default_rng(5))
    np.testing.assert_array_equal(again.momenta, sample_production(ch, P, np.random.default_rng(5)).momenta)


def test_lab_energy_is_flat_between_the_boost_limits():
    """Isotropic two-body emission from pions of fixed momentum: E_N uniform on [E-, E+],
    E+- = gamma (E* +- beta p*).  KS test (can fail: a wrong boost or anisotropy shows at n = 20000)."""
    ch = _chan("pi+ -> e+ N4", m4=0.1, Ue4=1e-3)
    rng = np.random.default_rng(2024)
    n, p_pi = 20000, 3.0
    P = np.tile([np.hypot(C.M_PI, p_pi), 0.0, 0.0, p_pi], (n, 1))
    e_n = sample_production(ch, P, rng).momenta[:, 1, 0]
    m_n = 0.1
    p_star = np.sqrt((C.M_PI**2 - (m_n + C.M_E) ** 2) * (C.M_PI**2 - (m_n - C.M_E) ** 2)) / (2 * C.M_PI)
    e_star = np.hypot(m_n, p_star)
    g, bg = P[0, 0] / C.M_PI, p_pi / C.M_PI
    lo, hi = g * e_star - bg * p_star, g * e_star + bg * p_star
    assert e_n.min() >= lo - 1e-12 and e_n.max() <= hi + 1e-12
    assert stats.kstest(e_n, stats.uniform(loc=lo, scale=hi - lo).cdf).pvalue > 1e-3
    # and the test has power: a 2 % wrong boost is rejected
    assert stats.kstest(e_n, stats.uniform(loc=lo * 1.02, scale=(hi - lo) * 1.02).cdf).pvalue < 1e-6


def test_kl3_q2_distribution_follows_the_matrix_element():
    """Binned chi^2 of q^2 = (p_l + p_N)^2 of sampled K+ -> pi0 mu+ N against dGamma/dq^2 from the
    same |M|^2 integrated by quadrature over s_12 (Gauss-Legendre): the sampler's envelope, acceptance
    and momentum construction are tested, not the |M|^2."""
    ch = _chan("K+ -> pi0 mu+ N4", m4=0.15, Umu4=1e-3)
    kin = ch.sampler
    M, (m1, m2, m3) = kin.parent_mass, kin.masses
    rest = kin(40000, np.random.default_rng(7))
    k = rest.momenta
    q2 = mdot(k[:, 1] + k[:, 2], k[:, 1] + k[:, 2])
    edges = np.linspace((m2 + m3) ** 2, (M - m1) ** 2, 21)
    counts, _ = np.histogram(q2, edges)
    x, w = np.polynomial.legendre.leggauss(24)
    expected = []
    for a, b in zip(edges[:-1], edges[1:]):
        s23 = a + (b - a) * (x + 1) / 2
        lo, hi = s12_limits(M, m1, m2, m3, s23)
        S23 = np.repeat(s23, x.size)
        S12 = (lo[:, None] + (hi - lo)[:, None] * ((x + 1) / 2)[None, :]).ravel()
        vals = kin.msq(*momenta_from_invariants(M, m1, m2, m3, S12, S23)).reshape(x.size, x.size)
        expected.append((b - a) / 2 * np.sum(w * (hi - lo) / 2 * (vals @ w)))
    expected = np.array(expected) / np.sum(expected) * counts.sum()
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < stats.chi2.ppf(0.999, df=counts.size - 1)


def test_polarisation_in_the_lab_against_the_particle_rest_frame():
    """P_lab = -S_lab.s_lab against an independent route: boost S to the HNL's rest frame reached from
    the lab and project on the lab direction of flight."""
    rng = np.random.default_rng(4)
    m, n = 0.3, 500
    M = C.M_DS
    P = _parents(M, n, rng, pmax=30.0)
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    p_star = 0.6
    k_rest = np.column_stack([np.full(n, np.hypot(m, p_star)), p_star * d])
    pol = rng.uniform(-1, 1, n)
    got = lab_polarisation(k_rest, pol, P, m)
    from darkbeam.mc.fourvec import boost_from_rest

    S_lab = pol[:, None] * boost_from_rest(helicity_vector(k_rest, m), P)
    k_lab = boost_from_rest(k_rest, P)
    s_rest_frame = boost_to_rest(S_lab, k_lab)
    assert np.abs(s_rest_frame[:, 0]).max() < 1e-9
    n_lab = k_lab[:, 1:] / np.linalg.norm(k_lab[:, 1:], axis=1)[:, None]
    np.testing.assert_allclose(got, np.sum(s_rest_frame[:, 1:] * n_lab, axis=1), rtol=0, atol=1e-9)
    # a parent at rest changes nothing; |P_lab| <= |P|
    at_rest = np.tile([M, 0, 0, 0.0], (n, 1))
    np.testing.assert_allclose(lab_polarisation(k_rest, pol, at_rest, m), pol, rtol=0, atol=1e-12)
    assert np.all(np.abs(got) <= np.abs(pol) + 1e-12)


def test_three_body_polarisation_goes_to_minus_one_for_a_light_hnl():
    """|h + 1| is O((m_N/E_N)^2): below 1e-4 except for the ~3e-4 of decays whose N is slow (E_N down
    to 4 MeV for m_N = 0.1 MeV; 3.1e-4 of 5 x 10^5 decays with the sampler before and after issue 10's
    envelope, so a strict bound on 2000 decays held or failed by the draw of the seed)."""
    ch = _chan("K+ -> pi0 mu+ N4", m4=1e-4, Umu4=1e-3)
    rest = ch.sampler(4000, np.random.default_rng(1))
    anti = _chan("K- -> pi0 mu- N4_bar", m4=1e-4, Umu4=1e-3).sampler(4000, np.random.default_rng(1))
    for pol, h in ((rest.polarisation, -1.0), (anti.polarisation, 1.0)):
        np.testing.assert_allclose(pol, h, rtol=0, atol=1e-2)
        assert np.mean(np.abs(pol - h) > 1e-4) < 0.005
        assert abs(np.mean(pol) - h) < 1e-5


def test_bad_parents_are_clear_errors():
    ch = _chan("K+ -> mu+ N4", m4=0.2, Umu4=1e-3)
    rng = np.random.default_rng(0)
    with pytest.raises(KinematicsError, match="mass shell"):
        sample_production(ch, np.array([[1.0, 0, 0, 0.5]]), rng)
    with pytest.raises(ConfigurationError, match="shape"):
        sample_production(ch, np.zeros((3, 3)), rng)
    with pytest.raises(ConfigurationError, match="unknown parent"):
        production_channels(ModelParameters.from_dict({"m4": 0.2, "Umu4": 1e-3}), parents=["Lambda0"])


def test_production_feeds_the_decay_sampler():
    """The contract with processes.decays: the llp's lab momentum and helicity go to sample_decays,
    'N4_bar' as N4 with antiparticle=True; daughters conserve the HNL's four-momentum."""
    from darkbeam.physics.decays import decay_table
    from darkbeam.physics.production import llp_decay_args
    from darkbeam.processes.decays import sample_decays

    params = ModelParameters.from_dict({"m4": 0.3, "Umu4": 1e-3})
    (ch,) = [c for c in production_channels(params, parents=["K-"]) if c.name == "K- -> mu- N4_bar"]
    rng = np.random.default_rng(9)
    lab = sample_production(ch, _parents(C.M_K, 500, rng), rng)
    name, anti = llp_decay_args(ch.llp)
    assert (name, anti) == ("N4", True)
    k_n = lab.momenta[:, ch.llp_index]
    dec = sample_decays(decay_table(params, name), k_n, lab.polarisation, rng, antiparticle=anti)
    np.testing.assert_allclose(dec.momenta.sum(axis=1), k_n, rtol=0, atol=1e-10 * k_n[:, 0].max())
