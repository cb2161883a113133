"""ALP production in K+- -> pi+- a (gluon coupling) and the a -> 3 pi Dalitz sampling, against
independent references (docs/dark_matter.md, validation table)."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.errors import ModelError
from darkbeam.models import ModelParameters
from darkbeam.physics.decays import decay_table
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production import production_channels
from darkbeam.physics.production.alp_kaon import G8, width_kaon_to_pion_alp
from darkbeam.processes import decays as dec

F_PI = 0.1302


def _gamma_bnrst(m_a, c_gg, f):
    """Gamma(K- -> pi- a) written in the variables of 2102.13112 (c_GG, f, N_8 with the PDG 2024 CKM
    global-fit magnitudes |V_ud| = 0.97435, |V_us| = 0.22501) and the two-body rate |A|^2 p/(8 pi m_K^2)."""
    mk, mp = C.M_K, C.M_PI
    n8 = C.G_F / np.sqrt(2) * 0.97435 * 0.22501 * G8 * F_PI**2
    amp = n8 / (4 * f) * 16 * c_gg * (mk**2 - mp**2) * (mk**2 - m_a**2) / (4 * mk**2 - mp**2 - 3 * m_a**2)
    p = np.sqrt((mk**2 - (mp + m_a) ** 2) * (mk**2 - (mp - m_a) ** 2)) / (2 * mk)
    return amp**2 * p / (8 * np.pi * mk**2)


@pytest.mark.parametrize("m_a", [0.0, 0.05, 0.2, 0.3])
def test_k_to_pi_alp_against_bnrst_variables(m_a):
    """c_GG = 1, f = 1 TeV <-> g_agluon = c_GG/(16 pi^2 f); 1e-3 covers the CKM routes (Wolfenstein parameters vs global-fit magnitudes)."""
    f = 1000.0
    g = 1.0 / (16 * np.pi**2 * f)
    assert float(width_kaon_to_pion_alp(m_a, g)) == pytest.approx(_gamma_bnrst(m_a, 1.0, f), rel=1e-3, abs=0)


def test_k_to_pi_alp_limits():
    g = 1e-6
    # exactly quadratic in the coupling
    assert float(width_kaon_to_pion_alp(0.1, 3 * g)) == pytest.approx(9 * float(width_kaon_to_pion_alp(0.1, g)), rel=1e-12, abs=0)
    # m_a -> 0: the closed form 64 pi^2 N_8 g (m_K^2 - m_pi^2) m_K^2/(4 m_K^2 - m_pi^2), p = (m_K^2 - m_pi^2)/(2 m_K)
    mk, mp = C.M_K, C.M_PI
    n8 = C.G_F / np.sqrt(2) * 0.97435 * 0.22501 * G8 * F_PI**2
    a0 = 64 * np.pi**2 * n8 * g * (mk**2 - mp**2) * mk**2 / (4 * mk**2 - mp**2)
    g0 = a0**2 * (mk**2 - mp**2) / (2 * mk) / (8 * np.pi * mk**2)
    assert float(width_kaon_to_pion_alp(1e-6, g)) == pytest.approx(g0, rel=1e-3, abs=0)
    # phase space closes at m_K - m_pi like p ~ sqrt(m_K - m_pi - m_a)
    top = mk - mp
    assert float(width_kaon_to_pion_alp(top, g)) == 0.0 and float(width_kaon_to_pion_alp(top + 0.01, g)) == 0.0
    r = float(width_kaon_to_pion_alp(top - 1e-6, g)) / float(width_kaon_to_pion_alp(top - 4e-6, g))
    assert r == pytest.approx(0.5, rel=1e-3, abs=0)


def test_alp_production_channels():
    p = ModelParameters.from_dict({"ma": 0.1, "g_agluon": 1e-5, "Umu4": 0.0})
    chans = [ch for ch in production_channels(p) if ch.llp == "alp"]
    assert [ch.name for ch in chans] == ["K+ -> pi+ alp", "K- -> pi- alp"]
    ref = float(width_kaon_to_pion_alp(0.1, 1e-5))
    for ch in chans:
        assert ch.scaling == (("g_agluon", 2),)
        assert ch.br == pytest.approx(ref / PD.total_width(ch.parent), rel=1e-12, abs=0)
        s = ch.sampler(500, np.random.default_rng(1))
        tot = s.momenta.sum(axis=1)
        np.testing.assert_allclose(tot, np.tile([C.M_K, 0, 0, 0], (500, 1)), rtol=0, atol=1e-12)
        m2 = s.momenta[:, 1, 0] ** 2 - np.sum(s.momenta[:, 1, 1:] ** 2, axis=1)
        np.testing.assert_allclose(m2, 0.01, rtol=1e-9, atol=0)
    # scaling declared exact: Br(2 g)/Br(g) = 4
    p2 = ModelParameters.from_dict({"ma": 0.1, "g_agluon": 2e-5, "Umu4": 0.0})
    b2 = [ch.br for ch in production_channels(p2) if ch.llp == "alp"]
    np.testing.assert_allclose(b2, [4 * ch.br for ch in chans], rtol=1e-12, atol=0)
    # no gluon coupling, or closed: no channel
    for kw in ({"ma": 0.1, "g_agg": 1e-4}, {"ma": 0.36, "g_agluon": 1e-5}):
        assert not [ch for ch in production_channels(ModelParameters.from_dict({**kw, "Umu4": 0.0})) if ch.llp == "alp"]


def _dalitz_mean_s12(M, m1, m2, m3, weight):
    """<s12> over the Dalitz plot with |M|^2 = weight(s12): flat in (s12, s23), the s23 range at fixed s12
    being lambda^(1/2)(s12, m1^2, m2^2) lambda^(1/2)(M^2, s12, m3^2)/s12 (PDG kinematics review eq. 49.23)."""
    lo, hi = (m1 + m2) ** 2, (M - m3) ** 2
    x, w = np.polynomial.legendre.leggauss(400)
    t = 0.25 * np.pi * (x + 1)
    s = lo + (hi - lo) * np.sin(t) ** 2
    jac = (hi - lo) * 2 * np.sin(t) * np.cos(t) * 0.25 * np.pi * w

    def lam(a, b, c):
        return a * a + b * b + c * c - 2 * (a * b + b * c + c * a)

    width = np.sqrt(np.clip(lam(s, m1**2, m2**2), 0, None) * np.clip(lam(M**2, s, m3**2), 0, None)) / s
    f = jac * width * weight(s)
    return float(np.sum(f * s) / np.sum(f))


@pytest.mark.parametrize("m_a", [0.6, 0.9])
def test_alp_three_pion_sampling(m_a):
    """a -> pi+ pi- pi0 and 3 pi0 sampled with the leading-order amplitudes: energy-momentum conservation,
    on-shell pions, and <s12> against the Dalitz quadrature of (s12 - m_pi^2)^2 (charged) or of a constant
    (neutral) within 5 standard errors; the charged sample is many sigma away from flat (the test can fail)."""
    p = ModelParameters.from_dict({"ma": m_a, "g_agluon": 1e-4})
    table = decay_table(p, "alp")
    chans = {ch.daughters: ch for ch in table.channels}
    n = 20000
    rng = np.random.default_rng(7)
    P = np.zeros((n, 4))
    P[:, 0] = np.sqrt(m_a**2 + 4.0)
    P[:, 3] = 2.0
    for daughters, flat in ((("pi+", "pi-", "pi0"), False), (("pi0", "pi0", "pi0"), True)):
        ch = chans[daughters]
        k = dec.sample_channel(ch, m_a, P, 0.0, rng)
        np.testing.assert_allclose(k.sum(axis=1), P, rtol=0, atol=1e-9 * P[0, 0])
        masses = np.array(ch.masses)
        m2 = k[..., 0] ** 2 - np.sum(k[..., 1:] ** 2, axis=-1)
        np.testing.assert_allclose(m2, np.broadcast_to(masses**2, m2.shape), rtol=1e-6, atol=1e-9)
        q = k[:, 0] + k[:, 1]
        s12 = q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1)
        se = s12.std() / np.sqrt(n)
        ref_flat = _dalitz_mean_s12(m_a, *masses, lambda s: np.ones_like(s))
        if flat:
            assert abs(s12.mean() - ref_flat) < 5 * se
        else:
            ref = _dalitz_mean_s12(m_a, *masses, lambda s: (s - C.M_PI**2) ** 2)
            assert abs(s12.mean() - ref) < 5 * se
            assert abs(s12.mean() - ref_flat) > 20 * se


def test_alp_channel_needs_alp():
    with pytest.raises(ModelError):
        decay_table(ModelParameters.from_dict({"m4": 0.1, "Umu4": 1e-3}), "alp")


def test_alp_from_kaons_at_rest_reaches_microboone_and_reweights():
    """The real K+ -> pi+ a channel through the meson-decay process: monoenergetic ALPs
    E = (M_K^2 + m_a^2 - m_pi^2)/(2 M_K) from kaons at rest, decaying to gamma gamma in MicroBooNE;
    weights x4 for g_agluon x2 (production scaling, same decay BRs), and a mass change is refused."""
    from meson_doubles import M_K, kaons_at_rest

    from darkbeam.errors import ConfigurationError
    from darkbeam.processes.meson_decay import reweight, simulate

    m_a = 0.3
    params = ModelParameters.from_dict({"ma": m_a, "g_agluon": 1e-5, "g_agg": 1e-7})
    chans = [ch for ch in production_channels(params, parents=["K+"]) if ch.llp == "alp"]
    es = simulate(params, "microboone", chans, {"K+": kaons_at_rest(10, beam="numi", at=(0.0, 0.0, 72500.0))}, n=300,
                  rng=np.random.default_rng(3))
    np.testing.assert_allclose(es.energy("hnl"), (M_K**2 + m_a**2 - C.M_PI**2) / (2 * M_K), rtol=1e-12, atol=0)
    assert {ch.name for ch in es.channels} == {"alp -> gamma gamma"} and es.w.sum() > 0
    es2 = reweight(es, {"g_agluon": 2e-5})
    np.testing.assert_allclose(es2.w, 4 * es.w, rtol=1e-12, atol=0)
    with pytest.raises(ConfigurationError, match="ma changed"):
        reweight(es, {"ma": 0.31})
