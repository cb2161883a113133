"""Decay kinematics in the lab (darkbeam.processes.decays): conservation laws, reproducibility, the
sampled distributions against closed forms (polarised muon decay: the Michel spectrum) and against
numerical integrals of |M|^2, CP for antiparticles, and the error paths.  Every distribution test has
a control showing that the same statistic rejects a wrong distribution."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.mc import fourvec as fv
from darkbeam.mc import phasespace as ps
from darkbeam.physics.channels import Channel, ThreeBody, TwoBody
from darkbeam.processes import decays as dec


# ----------------------------------------------------------------------------------- helpers
def _parents(rng, n, M, pmax=30.0, at_rest=0):
    """n lab four-momenta of mass M: isotropic directions, |p| log-uniform from 1e-3 to pmax GeV
    (gamma up to pmax/M), the first ``at_rest`` exactly at rest."""
    d = fv.isotropic_directions(rng, n)
    p = 10.0 ** rng.uniform(-3, np.log10(pmax), n)
    p[:at_rest] = 0.0
    return fv.four_vectors(np.sqrt(M * M + p * p), d * p[:, None])


def _chi2_pvalue(counts, expected):
    counts = np.asarray(counts, float).ravel()
    expected = np.asarray(expected, float).ravel()
    chi2 = np.sum((counts - expected) ** 2 / expected)
    return stats.chi2.sf(chi2, counts.size - 1)


def _rest_frame(k, P):
    """Daughters boosted back to the parent's rest frame (generic boost, not the sampler's kernel),
    and the spin axis n_hat = P_vec/|P_vec| (helicity frame)."""
    return fv.boost_to_rest(k, P[:, None, :]), fv.direction(P[:, 1:])


def _mdot(a, b):
    return a[:, 0] * b[:, 0] - a[:, 1] * b[:, 1] - a[:, 2] * b[:, 2] - a[:, 3] * b[:, 3]


def muon_decay_msq(P, k_e, k_nubar, k_nu, s):
    """Polarised mu- -> e- nubar_e nu_mu (V-A), up to the constant 64 G_F^2:
    |M|^2 = ((p - m s).k_nubar) (k_e.k_nu)   (e.g. Okun, "Leptons and Quarks", ch. 4; the p - m s
    follows from u ubar = (pslash + m)(1 + g5 sslash)/2 inside (1 - g5) projectors)."""
    M = np.sqrt(_mdot(P, P))
    return _mdot(P - M[:, None] * s, k_nubar) * _mdot(k_e, k_nu)


MUON = Channel("mu-", ("e-", "nu_e_bar", "nu_mu"), 1.0, ThreeBody(muon_decay_msq), masses=(0.0, 0.0, 0.0))


def michel_bins(x_edges, c_edges, h, rho=0.75, sign=-1.0):
    """Exact bin probabilities of the Michel distribution for massless e (x = 2E/m, c = cos angle
    to the spin), PDG Review "Muon decay parameters" with eta = 0, xi = 1, delta = 3/4:
    d^2Gamma/dx dc ∝ x^2 [3(1 - x) + (2 rho/3)(4x - 3)] + sign h x^2 (2x - 1) / 3 ... normalised,
    sign = -1 for mu-, +1 for mu+ (the lepton follows/opposes the spin).  Antiderivatives exact."""

    def A(x):  # ∫ x^2 [3(1-x) + (2 rho/3)(4x-3)] dx
        return x**3 - 0.75 * x**4 + (2 * rho / 3) * (x**4 - x**3)

    def B(x):  # ∫ x^2 [(1 - x) + (2 delta/3)(4x - 3)] dx with xi = 1, delta = 3/4: x^2 (2x - 1)/2
        return (0.5 * x**4 - x**3 / 3) / 2

    dA = np.diff(A(np.asarray(x_edges)))
    dB = np.diff(B(np.asarray(x_edges)))
    dc = np.diff(np.asarray(c_edges))
    dc2 = np.diff(np.asarray(c_edges) ** 2) / 2
    prob = dA[:, None] * dc[None, :] + sign * h * dB[:, None] * dc2[None, :]
    return prob / prob.sum()


# ----------------------------------------------------------------------------------- conservation
CHANNELS = [
    ("two-body", Channel("N4", ("mu-", "pi+"), 1.0, TwoBody(alpha=-1.0)), 0.5),
    ("two-body massless", Channel("N4", ("nu_mu", "gamma"), 1.0, TwoBody(alpha=0.4)), 0.2),
    ("two-body no kinematics", Channel("zprime", ("e+", "e-"), 1.0), 0.02),
    ("three-body massless", MUON, C.M_MU),
    ("three-body massive", Channel("tau-", ("mu-", "nu_mu_bar", "nu_tau"), 1.0, ThreeBody(muon_decay_msq)), C.M_TAU),
    ("three-body flat", Channel("N4", ("e-", "e+", "nu_e"), 1.0), 0.15),
    ("three-body near threshold", Channel("N4", ("mu-", "mu+", "nu_mu"), 1.0, ThreeBody(muon_decay_msq)), 2 * C.M_MU + 1e-3),
]


@pytest.mark.parametrize("name,channel,M", CHANNELS, ids=[c[0] for c in CHANNELS])
@pytest.mark.parametrize("anti", [False, True])
def test_conservation_and_mass_shell(name, channel, M, anti):
    rng = np.random.default_rng(17)
    n = 4000
    P = _parents(rng, n, M, at_rest=5)
    h = rng.uniform(-1, 1, n)
    k = dec.sample_channel(channel, M, P, h, rng, antiparticle=anti)
    assert k.shape == (n, len(channel.daughters), 4) and np.all(np.isfinite(k))
    E = P[:, 0]
    # energy and momentum conserved to 1e-9 of the parent energy
    assert np.max(np.abs(k.sum(axis=1) - P) / E[:, None]) < 1e-9
    # daughters on shell: |k^2 - m^2| <= 1e-9 E_k^2
    m = np.array(dec.daughter_masses(channel))
    assert np.max(np.abs(fv.msq(k) - m**2) / k[..., 0] ** 2) < 1e-9
    assert np.all(k[..., 0] > 0)


def test_same_seed_same_momenta():
    P = _parents(np.random.default_rng(0), 3000, C.M_MU)
    h = np.linspace(-1, 1, 3000)
    for ch, M in [(MUON, C.M_MU), (CHANNELS[0][1], C.M_MU)]:
        if ch.daughters == ("mu-", "pi+"):
            M = 0.5
            P = _parents(np.random.default_rng(0), 3000, M)
        a = dec.sample_channel(ch, M, P, h, np.random.default_rng(123))
        b = dec.sample_channel(ch, M, P, h, np.random.default_rng(123))
        c = dec.sample_channel(ch, M, P, h, np.random.default_rng(124))
        assert np.array_equal(a, b)
        assert not np.allclose(a, c)


@pytest.mark.parametrize("name,channel,M", CHANNELS, ids=[c[0] for c in CHANNELS])
def test_numpy_and_compiled_paths_agree(name, channel, M):
    """Small batches run the numpy twins of the compiled kernels, large ones the numba kernels
    (darkbeam.mc._jit): with the same seed both give the same lab momenta to rounding (1e-12 of the
    parent energy), for particles and antiparticles, parents at rest and up to gamma ~ 10^2."""
    pytest.importorskip("numba")
    from darkbeam.mc import _jit

    rng = np.random.default_rng(23)
    n = 5000
    P = _parents(rng, n, M, at_rest=5)
    h = rng.uniform(-1, 1, n)
    anti = rng.random(n) < 0.5
    out = []
    for thr in ("never", 0):
        with _jit.threshold_set_to(thr):
            out.append(dec.sample_channel(channel, M, P, h, np.random.default_rng(99), antiparticle=anti))
    assert np.max(np.abs(out[0] - out[1]) / P[:, None, :1]) <= 1e-12


# ----------------------------------------------------------------------------------- distributions
def _michel_histogram(anti: bool, h: float, n: int = 200000, seed: int = 31):
    rng = np.random.default_rng(seed)
    P = _parents(rng, n, C.M_MU, pmax=5.0)
    k = dec.sample_channel(MUON, C.M_MU, P, np.full(n, h), rng, antiparticle=anti)
    rest, n_hat = _rest_frame(k, P)
    e = rest[:, 0]
    x = 2 * e[:, 0] / C.M_MU
    c = np.sum(e[:, 1:] * n_hat, axis=1) / fv.three_momentum(e)
    xe, ce = np.linspace(0, 1, 11), np.linspace(-1, 1, 9)
    return np.histogram2d(x, c, [xe, ce])[0], xe, ce


def test_polarised_muon_decay_matches_michel():
    """mu- with helicity h = 0.8 along its boosted momentum: the electron's (x, cos theta) in the rest
    frame follow the Michel distribution (closed form, independent of the sampler and of |M|^2)."""
    counts, xe, ce = _michel_histogram(False, 0.8)
    n = counts.sum()
    assert _chi2_pvalue(counts, n * michel_bins(xe, ce, 0.8)) > 1e-3
    # controls: the statistic rejects a wrong polarisation sign, a 10% smaller |P|, and rho = 0.70
    assert _chi2_pvalue(counts, n * michel_bins(xe, ce, 0.8, sign=+1.0)) < 1e-6
    assert _chi2_pvalue(counts, n * michel_bins(xe, ce, 0.72)) < 1e-4
    assert _chi2_pvalue(counts, n * michel_bins(xe, ce, 0.8, rho=0.70)) < 1e-6


def test_antimuon_by_cp_follows_spin():
    """mu+ (the CP conjugate, labels e+ nu_e nubar_mu) with h = -0.6: the positron follows the spin,
    d^2Gamma ∝ x^2[(3 - 2x) + h cos(theta)(2x - 1)] (PDG): sign + instead of -."""
    assert dec.daughter_labels(MUON, antiparticle=True) == ("e+", "nu_e", "nu_mu_bar")
    counts, xe, ce = _michel_histogram(True, -0.6, n=150000)
    n = counts.sum()
    assert _chi2_pvalue(counts, n * michel_bins(xe, ce, -0.6, sign=+1.0)) > 1e-3
    assert _chi2_pvalue(counts, n * michel_bins(xe, ce, -0.6, sign=-1.0)) < 1e-6


def _gl(a, b, n):
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (a + b) + 0.5 * (b - a) * x, 0.5 * (b - a) * w


def projection_reference(msq, M, m, pair, edges, n_out=64, n_in=64):
    """Bin probabilities of s_pair = (k_i + k_j)^2 and the asymmetry coefficient <B.p_hat_i>/<A> of
    daughter i's direction relative to the spin, by Gauss-Legendre quadrature of |M|^2 over the
    Dalitz plot.  Configurations are built here from the invariants directly (independent of the
    sampler): in the rest frame p_i along +z, p_j in the xz plane.  A = msq(s = 0),
    B.p_hat_i = msq(s = (0, p_hat_i)) - A (|M|^2 is linear in s)."""
    i, j = pair
    l = 3 - i - j
    mi, mj, ml = m[i], m[j], m[l]
    probs, num_b, den_a = [], 0.0, 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        s_ij, w_out = _gl(a, b, n_out)
        # limits of s_jl at fixed s_ij (PDG Review "Kinematics", Dalitz-plot limits), written out here
        mij = np.sqrt(s_ij)
        Ej = (s_ij - mi**2 + mj**2) / (2 * mij)
        El = (M**2 - s_ij - ml**2) / (2 * mij)
        pj, pl = np.sqrt(np.maximum(Ej**2 - mj**2, 0)), np.sqrt(np.maximum(El**2 - ml**2, 0))
        lo, hi = (Ej + El) ** 2 - (pj + pl) ** 2, (Ej + El) ** 2 - (pj - pl) ** 2
        x, w = np.polynomial.legendre.leggauss(n_in)
        s_jl = (0.5 * (lo + hi))[:, None] + (0.5 * (hi - lo))[:, None] * x[None, :]
        wt = (w_out * 0.5 * (hi - lo))[:, None] * w[None, :]
        S_ij = np.broadcast_to(s_ij[:, None], s_jl.shape).ravel()
        S_jl = s_jl.ravel()
        Ei = (M**2 + mi**2 - S_jl) / (2 * M)
        El_r = (M**2 + ml**2 - S_ij) / (2 * M)
        Ej_r = M - Ei - El_r
        qi, qj, ql = (np.sqrt(np.maximum(e**2 - mm**2, 0)) for e, mm in ((Ei, mi), (Ej_r, mj), (El_r, ml)))
        cij = np.clip((ql**2 - qi**2 - qj**2) / (2 * qi * qj), -1, 1)
        k = np.zeros((S_ij.size, 3, 4))
        k[:, i] = np.stack([Ei, 0 * Ei, 0 * Ei, qi], 1)
        k[:, j] = np.stack([Ej_r, qj * np.sqrt(1 - cij**2), 0 * Ei, qj * cij], 1)
        k[:, l, 0] = El_r
        k[:, l, 1:] = -(k[:, i, 1:] + k[:, j, 1:])
        Pm = np.zeros((S_ij.size, 4))
        Pm[:, 0] = M
        s0 = np.zeros_like(Pm)
        sz = s0.copy()
        sz[:, 3] = 1.0
        A = msq(Pm, k[:, 0], k[:, 1], k[:, 2], s0)
        Bz = msq(Pm, k[:, 0], k[:, 1], k[:, 2], sz) - A
        probs.append(np.sum(wt.ravel() * A))
        num_b += np.sum(wt.ravel() * Bz)
        den_a += np.sum(wt.ravel() * A)
    probs = np.array(probs)
    return probs / probs.sum(), num_b / den_a


def _massive_check(channel, M, pair, h, n=120000, seed=5, msq=None, anti=False):
    """Sample in the lab, boost back, histogram s_pair and cos(theta_i) to the spin; compare with
    projection_reference.  Returns the p-values (s_pair, cos) and of the controls."""
    msq = msq or channel.kinematics.msq
    m = dec.daughter_masses(channel)
    rng = np.random.default_rng(seed)
    P = _parents(rng, n, M)
    k = dec.sample_channel(channel, M, P, np.full(n, h), rng, antiparticle=anti)
    rest, n_hat = _rest_frame(k, P)
    i, j = pair
    s = fv.msq(rest[:, i] + rest[:, j])
    lo, hi = (m[i] + m[j]) ** 2, (M - m[3 - i - j]) ** 2
    edges = np.linspace(lo, hi, 13)
    prob, asym = projection_reference(msq, M, m, pair, edges)
    counts = np.histogram(s, edges)[0]
    p_s = _chi2_pvalue(counts, n * prob)
    c = np.sum(rest[:, i, 1:] * n_hat, axis=1) / fv.three_momentum(rest[:, i])
    ce = np.linspace(-1, 1, 11)
    slope = (-1 if anti else 1) * h * asym
    cexp = n * np.diff((1 + ce) / 2 + slope * (ce**2 - 1) / 4)
    cc = np.histogram(c, ce)[0]
    p_c = _chi2_pvalue(cc, cexp)
    # controls: flat phase space in s_pair; the asymmetry reversed
    flat, _ = projection_reference(lambda P, a, b, c_, s_: np.ones(len(P)), M, m, pair, edges)
    p_flat = _chi2_pvalue(counts, n * flat)
    p_rev = _chi2_pvalue(cc, n * np.diff((1 + ce) / 2 - slope * (ce**2 - 1) / 4))
    return p_s, p_c, p_flat, p_rev, asym


def test_massive_three_body_matches_numerical_projection():
    """tau- -> mu- nubar_mu nu_tau (V-A, massive muon) with h = -0.9: the s(mu nubar) spectrum and the
    muon's angular asymmetry match Gauss-Legendre integrals of |M|^2 over the Dalitz plot."""
    ch = Channel("tau-", ("mu-", "nu_mu_bar", "nu_tau"), 1.0, ThreeBody(muon_decay_msq))
    p_s, p_c, p_flat, p_rev, asym = _massive_check(ch, C.M_TAU, (0, 1), -0.9)
    assert p_s > 1e-3 and p_c > 1e-3
    assert p_flat < 1e-6 and p_rev < 1e-6
    # massless limit of the asymmetry: <x^2(2x-1)>/<x^2(3-2x)> = (1/6)/(1/2) ... with sign -: -1/3
    assert asym == pytest.approx(-1 / 3, abs=0.01)


@pytest.mark.parametrize(
    "label,changes,anti",
    [
        ("default model: Z' (off shell) + W/Z", {}, False),
        ("Ue4 = Umu4 = Utau4 = 1e-2, Majorana, 0.4 GeV", dict(Ue4=1e-2, Umu4=1e-2, Utau4=1e-2, m4=0.4, HNLtype="majorana"), True),
        ("dipole: virtual photon, peaked at m_ee -> 2 m_e", dict(mu_tr_mu4=1e-6, m4=0.3, UD4=0.0, Umu4=0.0), False),
    ],
)
def test_real_channel_nu_ee(label, changes, anti):
    """N4 -> nu e+ e- from darkbeam.physics.hnl_dileptons: the s(e- e+) spectrum and the e- angular
    asymmetry of sampled decays (h = 1; CP conjugate for the Majorana case) match Gauss-Legendre
    integrals of the channel's own |M|^2 over the Dalitz plot; flat phase space and the reversed
    asymmetry are rejected."""
    hd = pytest.importorskip("darkbeam.physics.hnl_dileptons")
    from darkbeam.models import couplings, default_model

    params = default_model().replace(**changes)
    M = params.hnl_masses[0]
    chans = [ch for ch in hd.channels(couplings(params), 0) if isinstance(ch.kinematics, ThreeBody) and {"e+", "e-"} <= set(ch.daughters)]
    assert chans, "no N4 -> nu e+ e- channel"
    ch = max(chans, key=lambda c: c.width)
    pair = (ch.daughters.index("e-"), ch.daughters.index("e+"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", dec.BoundExceededWarning)
        p_s, p_c, p_flat, p_rev, asym = _massive_check(ch, M, pair, 1.0, n=60000, anti=anti)
    assert p_s > 1e-3 and p_c > 1e-3
    assert p_flat < 1e-6 and p_rev < 1e-6
    assert abs(asym) > 0.1


def test_two_body_polarisation_and_cp():
    """dGamma/dcos = (1 + alpha h cos)/2 for daughters[0] relative to the lab momentum direction,
    reversed for the antiparticle (CP)."""
    ch = Channel("N4", ("mu-", "pi+"), 1.0, TwoBody(alpha=-0.8))
    M, n = 0.5, 100000
    rng = np.random.default_rng(8)
    P = _parents(rng, n, M)
    h = rng.choice([-1.0, 0.5, 1.0], n)
    ce = np.linspace(-1, 1, 21)
    for anti in (False, True):
        k = dec.sample_channel(ch, M, P, h, rng, antiparticle=anti)
        rest, n_hat = _rest_frame(k, P)
        c = np.sum(rest[:, 0, 1:] * n_hat, axis=1) / fv.three_momentum(rest[:, 0])
        sign = -1.0 if anti else 1.0
        for hv in (-1.0, 0.5, 1.0):
            sel = h == hv
            slope = sign * (-0.8) * hv
            cnt = np.histogram(c[sel], ce)[0]
            assert _chi2_pvalue(cnt, sel.sum() * np.diff((1 + ce) / 2 + slope * (ce**2 - 1) / 4)) > 1e-3
            assert _chi2_pvalue(cnt, sel.sum() * np.diff((1 + ce) / 2 - slope * (ce**2 - 1) / 4)) < 1e-6
        # momentum of the pair in the rest frame: closed form
        np.testing.assert_allclose(fv.three_momentum(rest[:, 0]), ps.two_body_momentum(M, C.M_MU, C.M_PI), rtol=1e-9)


# ----------------------------------------------------------------------------------- decay tables
class _Table:
    """Minimal stand-in with the DecayTable interface used by sample_decays."""

    def __init__(self, particle, mass, channels):
        self.particle, self.mass, self.channels = particle, mass, tuple(channels)


def test_sample_decays_branching_ratios_and_padding():
    M = 0.4
    chans = [
        Channel("N4", ("nu_mu", "pi0"), 3.0, TwoBody(0.0)),
        Channel("N4", ("nu_e", "e+", "e-"), 1.0),
        Channel("N4", ("mu-", "pi+"), 6.0, TwoBody(-1.0)),
    ]
    table = _Table("N4", M, chans)
    rng = np.random.default_rng(2)
    n = 30000
    P = _parents(rng, n, M)
    res = dec.sample_decays(table, P, rng.uniform(-1, 1, n), rng)
    counts = np.bincount(res.index, minlength=3)
    assert _chi2_pvalue(counts, n * np.array([0.3, 0.1, 0.6])) > 1e-3
    assert _chi2_pvalue(counts, n * np.array([0.32, 0.1, 0.58])) < 1e-4  # control: 2% shift seen
    assert res.momenta.shape == (n, 3, 4)
    assert np.array_equal(res.n_daughters, np.array([2, 3, 2])[res.index])
    two = res.n_daughters == 2
    assert np.all(res.momenta[two, 2] == 0)
    assert np.max(np.abs(res.momenta.sum(axis=1) - P) / P[:, :1]) < 1e-9
    # reproducible
    rng2 = np.random.default_rng(2)
    P2 = _parents(rng2, n, M)
    res2 = dec.sample_decays(table, P2, rng2.uniform(-1, 1, n), rng2)
    assert np.array_equal(res.index, res2.index) and np.array_equal(res.momenta, res2.momenta)


# ----------------------------------------------------------------------------------- errors
def test_errors():
    rng = np.random.default_rng(0)
    P = _parents(rng, 10, 0.1)
    with pytest.raises(KinematicsError, match="closed"):
        dec.sample_channel(Channel("N4", ("mu-", "pi+"), 1.0, TwoBody()), 0.1, P, 0.0, rng)
    with pytest.raises(ConfigurationError, match="helicity"):
        dec.sample_channel(MUON, 0.1, P, 1.5, rng)
    with pytest.raises(KinematicsError, match="mass shell"):
        dec.sample_channel(MUON, 0.11, P, 0.0, rng)
    with pytest.raises(ConfigurationError, match="shape"):
        dec.sample_channel(MUON, 0.1, P[:, :3], 0.0, rng)
    with pytest.raises(KinematicsError, match="no sampler"):
        dec.sample_channel(Channel("N4", ("nu_e", "nu_e", "nu_e", "nu_e"), 1.0), 0.1, P, 0.0, rng)
    with pytest.raises(KinematicsError, match="no open decay"):
        dec.sample_decays(_Table("N4", 0.1, []), P, 0.0, rng)
    neg = Channel("N4", ("nu_e", "e+", "e-"), 1.0, ThreeBody(lambda P, a, b, c, s: _mdot(a, b) - 1e-3))
    with pytest.raises(KinematicsError, match="negative"):
        dec.sample_channel(neg, 0.1, P, 0.0, rng)
    promise = Channel("N4", ("nu_e", "e+", "e-"), 1.0, ThreeBody(muon_decay_msq, msq_max=1e-9))
    with pytest.raises(KinematicsError, match="msq_max"):
        dec.sample_channel(promise, 0.1, P, 0.0, rng)
    zero = Channel("N4", ("nu_e", "e+", "e-"), 1.0, ThreeBody(lambda P, a, b, c, s: np.zeros(len(P))))
    with pytest.raises(KinematicsError, match="vanishes"):
        dec.sample_channel(zero, 0.1, P, 0.0, rng)


def _central(P, a, b, c, s):
    """|M|^2 = 1 + 20 where all three (massless) daughters have energies within 0.05 of M/3 at rest
    (M = 1): p = 24 x 0.05^2 = 0.06 of phase space (tests/test_phasespace.py); spin-independent."""
    E = np.stack([a[:, 0], b[:, 0], c[:, 0]], axis=1)
    return 1.0 + 20.0 * np.all(np.abs(E - 1.0 / 3.0) < 0.05, axis=1)


#: fraction of decays in the feature: 21 p / (1 + 20 p)
_P_CENTRAL = 24 * 0.05**2
_FRAC_CENTRAL = 21 * _P_CENTRAL / (1 + 20 * _P_CENTRAL)


@pytest.fixture
def coarse_scan(monkeypatch):
    """Samplers built with a scan too coarse to see the central feature (inner ends of the Dalitz plot
    at a few outer points, no random points)."""
    import functools

    from darkbeam.mc import dalitz

    monkeypatch.setattr(dec, "DalitzSampler", functools.partial(dalitz.DalitzSampler, n_lin=4, n_log=1, n_cells=1, n_sub=1, n_refine=0))


def _in_central(k):
    return np.all(np.abs(k[:, :, 0] - 1.0 / 3.0) < 0.05, axis=1)


def test_declared_bound_backs_up_the_scan(coarse_scan):
    """With msq_max declared (and right), a feature the scans miss needs no warning: the sampler
    falls back to the declared bound and the result is exact."""
    ch = Channel("X", ("nu_e", "nu_mu", "nu_tau"), 1.0, ThreeBody(_central, msq_max=21.0), masses=(0.0, 0.0, 0.0))
    M, n = 1.0, 20000
    P = np.tile([M, 0.0, 0.0, 0.0], (n, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = dec.sample_channel(ch, M, P, 0.5, np.random.default_rng(3))
    frac = np.mean(_in_central(k))
    assert abs(frac - _FRAC_CENTRAL) < 5 * np.sqrt(_FRAC_CENTRAL * (1 - _FRAC_CENTRAL) / n)


def test_missed_feature_is_repaired_with_a_warning(coarse_scan):
    """A weight with a feature the envelope scans cannot see: the glue warns, raises the envelope and
    resamples, and the fraction of decays in the feature is then right (21 p / (1 + 20 p))."""
    ch = Channel("X", ("nu_e", "nu_mu", "nu_tau"), 1.0, ThreeBody(_central), masses=(0.0, 0.0, 0.0))
    M, n = 1.0, 20000
    P = np.tile([M, 0.0, 0.0, 0.0], (n, 1))  # at rest: the rest frame is the lab, +z the spin axis
    with pytest.warns(dec.BoundExceededWarning):
        k = dec.sample_channel(ch, M, P, 0.5, np.random.default_rng(3))
    frac = np.mean(_in_central(k))
    assert abs(frac - _FRAC_CENTRAL) < 5 * np.sqrt(_FRAC_CENTRAL * (1 - _FRAC_CENTRAL) / n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dec.sample_channel(ch, M, P, 0.5, np.random.default_rng(4))  # the raised envelope is kept


def test_weight_not_of_spin_half_form_is_an_error():
    """A weight that is not A + B.s (it jumps at |s| = 1/2) is refused with a clear error (the exact
    orientation sampling relies on the linear spin dependence of a spin-1/2 |M|^2)."""

    def odd(P, a, b, c, s):
        half = np.abs(np.sqrt(np.sum(s[:, 1:] ** 2, axis=1)) - 0.5) < 0.1
        return 1.0 + 20.0 * half * (a[:, 2] > 0.9 * np.sqrt(np.sum(a[:, 1:] ** 2, axis=1)))

    ch = Channel("X", ("nu_e", "nu_mu", "nu_tau"), 1.0, ThreeBody(odd))
    P = np.tile([1.0, 0.0, 0.0, 0.0], (10, 1))
    with pytest.raises(KinematicsError, match="spin-1/2 or spinless"):
        dec.sample_channel(ch, 1.0, P, 0.5, np.random.default_rng(3))
