"""Light dark matter: model parameters, A' -> chi chi-bar, meson -> gamma chi chi-bar, chi scattering.

Every check compares with something independent: closed forms written out here, the narrow-width
limit, explicit Dirac traces with numerical gamma matrices, limits and scalings (docs/dark_matter.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.errors import ModelError, ParameterError
from darkbeam.models import ModelParameters
from darkbeam.models.couplings import Couplings
from darkbeam.physics import dm_scattering as S
from darkbeam.physics.decays import decay_table
from darkbeam.physics.production import production_channels
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production.dalitz_quadrature import three_body_width
from darkbeam.physics.production.dark_matter_mesons import br_pseudoscalar_to_gamma_chichi, gamma_chichi_msq
from darkbeam.physics.zprime_decays import dark_photon_to_leptons, vector_to_fermions, vector_to_scalars

ALPHA = C.ALPHA_EM


def model(**kw):
    base = dict(mzprime=0.03, mchi=0.01, epsilon=1e-3, alphaD=0.5)
    base.update(kw)
    return ModelParameters.from_dict(base)


# ------------------------------------------------------------------ parameters
@pytest.mark.parametrize("values, fragment", [
    (dict(mchi=0.01), "mchi needs mzprime"),
    (dict(mzprime=0.1, mchi=-0.01), "mchi = -0.01 GeV"),
    (dict(mzprime=0.1, mchi=0.01, dm_type="vector"), "dm_type"),
    (dict(g_agg=1e-3), "g_agg is set but the ALP has no mass"),
    (dict(ma=0.1, g_aee=float("nan")), "g_aee = nan must be finite"),
    (dict(ma=0.0), "ma = 0.0 GeV"),
])
def test_unphysical_parameters_are_one_line_errors(values, fragment):
    with pytest.raises(ParameterError) as e:
        ModelParameters.from_dict(values)
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_yield_variable_and_particles():
    p = model(mzprime=0.09, mchi=0.03)
    assert Couplings(p).dm_yield == pytest.approx(1e-6 * 0.5 / 81.0, rel=1e-12, abs=0)
    assert p.particles() == ["zprime", "chi"]
    assert model(dm_type="scalar").particles() == ["zprime", "chi_s"]
    # default model untouched: no dark matter, no ALP, and Y = 0
    assert ModelParameters.from_dict({"mzprime": 1.0}).particles() == ["zprime"]
    assert Couplings(ModelParameters.from_dict({"mzprime": 1.0})).dm_yield == 0.0


# ------------------------------------------------------------------ widths
@pytest.mark.parametrize("dm_type", ["fermion", "scalar"])
@pytest.mark.parametrize("mchi", [0.001, 0.01, 0.014])
def test_invisible_width_closed_form(dm_type, mchi):
    p = model(mchi=mchi, dm_type=dm_type)
    lab = p.dm_label
    w = decay_table(p, "zprime").channel(f"{lab} {lab}_bar").width
    m, aD, r = 0.03, 0.5, mchi**2 / 0.03**2
    ref = aD * m / 3 * (1 + 2 * r) * np.sqrt(1 - 4 * r) if dm_type == "fermion" else aD * m / 12 * (1 - 4 * r) ** 1.5
    # the Z' mass eigenstate couples with g_D cos(beta) (Z-Z' mixing angle beta ~ eps s_W, 1 - cos^2 ~ 3e-7)
    cb2 = np.cos(Couplings(p).beta) ** 2
    assert 1 - cb2 < 1e-6
    assert w == pytest.approx(ref * cb2, rel=1e-9, abs=0)


def test_invisible_branching_ratio_and_total_width():
    t = decay_table(model(mzprime=0.3), "zprime")
    inv = sum(ch.width for ch in t.channels if ch.daughters[0] in ("chi", "nu_e", "nu_mu", "nu_tau"))
    # alpha_D = 0.5 >> eps^2 alpha: BR(invisible) -> 1 - O(eps^2 alpha / alpha_D)
    assert inv / t.total_width == pytest.approx(1.0, rel=0, abs=1e-6)
    vis = t.total_width - inv
    ee = float(dark_photon_to_leptons(0.3, 1e-3, C.M_E))
    mumu = float(dark_photon_to_leptons(0.3, 1e-3, C.M_MU))
    # visible part: e+e- and mu+mu- closed forms plus the small hadronic tail (R ratio) at 300 MeV
    assert ee + mumu <= vis <= 1.5 * (ee + mumu)
    assert decay_table(model(), "chi").total_width == 0.0  # stable
    with pytest.raises(ModelError):
        decay_table(model(), "chi_s")


# ------------------------------------------------------------------ production
def _scalar_chi_width(m, mchi, aD):
    return float(vector_to_scalars(m, mchi, np.sqrt(4 * np.pi * aD)))


@pytest.mark.parametrize("scalar", [False, True])
def test_offshell_rate_has_the_narrow_width_limit(scalar):
    """2 m_chi < m_A' < m_pi0 with a narrow A': Br(pi0 -> gamma chi chi) = Br(pi0 -> gamma A') Br(A' -> chi chi)."""
    eps2, aD, ma, mchi = 1e-6, 1e-3, 0.05, 0.01
    g = np.sqrt(4 * np.pi * aD)
    gchi = _scalar_chi_width(ma, mchi, aD) if scalar else float(vector_to_fermions(ma, mchi, mchi, g, g))
    gamma = gchi + float(dark_photon_to_leptons(ma, 1e-3, C.M_E))
    br = br_pseudoscalar_to_gamma_chichi(C.M_PI0, PD.BR_PI0_GG, eps2, aD, ma, gamma, mchi, scalar)
    ref = 2 * eps2 * (1 - ma**2 / C.M_PI0**2) ** 3 * PD.BR_PI0_GG * gchi / gamma
    assert br == pytest.approx(ref, rel=2e-3, abs=0)  # finite-width corrections O(Gamma/m) = 3e-4


@pytest.mark.parametrize("scalar", [False, True])
def test_offshell_rate_equals_dalitz_integral_of_the_matrix_element(scalar):
    """The 1-d Breit-Wigner integral against the 2-d Dalitz integral of |M|^2 with its angular distribution."""
    eps2, aD, ma, mchi, M = 1e-6, 0.5, 0.03, 0.02, C.M_ETA
    gamma = 1e-3
    gam_gg = PD.BR_ETA_GG * PD.total_width("eta")
    br = br_pseudoscalar_to_gamma_chichi(M, PD.BR_ETA_GG, eps2, aD, ma, gamma, mchi, scalar)

    def msq(P, k1, k2, k3):
        return gamma_chichi_msq(P, k1, k2, k3, gamma_gg=gam_gg, eps2=eps2, alpha_d=aD, m_a=ma, gamma_a=gamma,
                                m_chi=mchi, scalar=scalar)

    w = three_body_width(msq, M, (0.0, mchi, mchi), n_outer=96, n_inner=24)
    assert w / PD.total_width("eta") == pytest.approx(br, rel=1e-4, abs=0)


def test_production_channels_list_offshell_dark_matter_and_scale():
    # m_A' = 30 MeV < 2 m_chi = 40 MeV: only the off-shell channels
    chans = [ch for ch in production_channels(model(mchi=0.02)) if "chi" in ch.daughters]
    assert [ch.parent for ch in chans] == ["pi0", "eta", "eta'"]
    assert chans[0].scaling == (("epsilon", 2), ("alphaD", 1))
    # 2 m_chi < m_A' < m_pi0: pi0 -> gamma A' on shell, no double counting; eta too
    assert not [ch for ch in production_channels(model(mchi=0.01)) if "chi" in ch.daughters]
    # eps^2 scaling of the off-shell rate (the A' width changes too, but the pole is outside the range)
    b1 = chans[0].br
    b2 = [ch for ch in production_channels(model(mchi=0.02, epsilon=2e-3)) if ch.parent == "pi0" and "chi" in ch.daughters][0].br
    assert b2 / b1 == pytest.approx(4.0, rel=1e-6, abs=0)


# ------------------------------------------------------------------ scattering
def _closed_form_electron(E, ER, mchi, ma, eps, aD, scalar):
    me = C.M_E
    num = 2 * me * E**2 - ER * (mchi**2 + 2 * me * E) if scalar else \
        2 * me * E**2 - ER * (mchi**2 + me * (2 * E + me)) + me * ER**2
    return 4 * np.pi * eps**2 * ALPHA * aD * num / ((E**2 - mchi**2) * (ma**2 + 2 * me * ER) ** 2) * S.HBARC2_GEV2_CM2


@pytest.mark.parametrize("scalar", [False, True])
def test_chi_electron_closed_form(scalar):
    E, mchi, ma = 2.0, 0.01, 0.03
    ER = np.linspace(0.0, float(S.recoil_max(E, mchi, C.M_E)), 7)
    got = S.dsigma_dER_electron(E, ER, m_chi=mchi, m_aprime=ma, eps=1e-3, alpha_d=0.5, scalar_chi=scalar)
    np.testing.assert_allclose(got, _closed_form_electron(E, ER, mchi, ma, 1e-3, 0.5, scalar), rtol=1e-10, atol=0)
    assert S.dsigma_dER_electron(E, 1.01 * ER[-1], m_chi=mchi, m_aprime=ma, eps=1e-3, alpha_d=0.5) == 0.0


def test_recoil_max_is_backscattering():
    """E_R^max from an explicit boost of the CM backscatter configuration."""
    E, mchi, M = 3.0, 0.05, C.M_E
    p = np.sqrt(E**2 - mchi**2)
    s = mchi**2 + M**2 + 2 * M * E
    beta = p / (E + M)
    gam = 1 / np.sqrt(1 - beta**2)
    pcm = p * M / np.sqrt(s)
    e_t_cm = np.sqrt(pcm**2 + M**2)
    e_t_lab = gam * (e_t_cm + beta * pcm)  # target sent forward
    assert float(S.recoil_max(E, mchi, M)) == pytest.approx(e_t_lab - M, rel=1e-10, abs=0)


@pytest.mark.parametrize("scalar", [False, True])
def test_heavy_mediator_four_fermion_limit(scalar):
    """m_A' >> sqrt(2 m_e E), m_chi -> 0, E >> m_e: sigma = 4 pi eps^2 alpha alpha_D m_e E/m_A'^4 x (4/3 fermion, 1 scalar)."""
    E, ma, eps, aD = 1.0, 10.0, 1e-3, 0.5
    sig = S.sigma_total(S.dsigma_dER_electron, E, M=C.M_E, m_chi=1e-5, n=64, m_aprime=ma, eps=eps, alpha_d=aD,
                        scalar_chi=scalar)
    ref = 4 * np.pi * eps**2 * ALPHA * aD * C.M_E * E / ma**4 * (1.0 if scalar else 4.0 / 3.0) * S.HBARC2_GEV2_CM2
    assert float(sig[0]) == pytest.approx(ref, rel=2e-3, abs=0)  # O(m_e/E) corrections


def test_cross_sections_scale_as_eps2_alphaD_and_respect_thresholds():
    kw = dict(m_chi=0.01, m_aprime=0.03, scalar_chi=False)
    E = np.array([0.5, 2.0])
    f = S.dsigma_dER_electron
    a = S.sigma_total(f, E, M=C.M_E, eps=1e-3, alpha_d=0.5, **kw)
    b = S.sigma_total(f, E, M=C.M_E, eps=3e-3, alpha_d=0.1, **kw)
    np.testing.assert_allclose(b / a, 9 * 0.2, rtol=1e-12, atol=0)
    cut = S.sigma_total(f, E, M=C.M_E, eps=1e-3, alpha_d=0.5, er_min=0.1, **kw)
    assert np.all(cut < a) and np.all(cut > 0)
    assert S.sigma_total(f, np.array([0.5]), M=C.M_E, eps=1e-3, alpha_d=0.5, er_min=10.0, **kw)[0] == 0.0


# explicit Dirac traces -------------------------------------------------------------
_G0 = np.diag([1, 1, -1, -1]).astype(complex)
_SIG = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
_GAM = [_G0] + [np.block([[np.zeros((2, 2)), s], [-s, np.zeros((2, 2))]]).astype(complex) for s in _SIG]
_METRIC = np.diag([1.0, -1.0, -1.0, -1.0])


def _slash(p):
    return sum(_METRIC[m, m] * p[m] * _GAM[m] for m in range(4))


def _sigma_munu(m, n):
    return 0.5j * (_GAM[m] @ _GAM[n] - _GAM[n] @ _GAM[m])


def _tensor(p, pp, mass, F1=1.0, F2=0.0):
    """(1/2) Tr[(pp-slash + m) Gamma^mu (p-slash + m) Gammabar^nu], Gamma^mu = gamma^mu F1 + i sigma^{mu nu} q_nu F2/(2m)."""
    q = pp - p
    qlow = _METRIC @ q
    one = np.eye(4)
    G = [F1 * _GAM[m] + 1j * F2 / (2 * mass) * sum(_sigma_munu(m, n) * qlow[n] for n in range(4)) for m in range(4)]
    Gbar = [_G0 @ g.conj().T @ _G0 for g in G]
    A, B = _slash(pp) + mass * one, _slash(p) + mass * one
    return np.array([[0.5 * np.trace(A @ G[m] @ B @ Gbar[n]) for n in range(4)] for m in range(4)]).real


def _lab_momenta(E, ER, m1, M):
    p1 = np.sqrt(E**2 - m1**2)
    k = np.array([M, 0, 0, 0.0])
    kp_e = M + ER
    kp_p = np.sqrt(kp_e**2 - M**2)
    # momentum balance fixes the recoil angle: p' = p + k - k'
    cos_r = (p1**2 + kp_p**2 - ((E - ER) ** 2 - m1**2)) / (2 * p1 * kp_p)
    kp = np.array([kp_e, kp_p * np.sqrt(1 - cos_r**2), 0, kp_p * cos_r])
    p = np.array([E, 0, 0, p1])
    return p, p + k - kp, k, kp


@pytest.mark.parametrize("scalar", [False, True])
def test_proton_tensor_against_explicit_dirac_traces(scalar):
    """Sachs-form hadron tensor vs the trace with F1 gamma^mu + i sigma q F2/(2M), at arbitrary G_E, G_M."""
    E, ER, mchi, M = 1.5, 0.3, 0.05, C.M_PROTON
    GE, GM = 0.6, 1.9
    Q2 = 2 * M * ER
    tau = Q2 / (4 * M**2)
    F1, F2 = (GE + tau * GM) / (1 + tau), (GM - GE) / (1 + tau)
    p, pp, k, kp = _lab_momenta(E, ER, mchi, M)
    H = _tensor(k, kp, M, F1, F2)
    if scalar:
        P = p + pp
        L = np.outer(P, P)
    else:
        L = _tensor(p, pp, mchi)
    LH = np.einsum("ab,ac,bd,cd->", L, _METRIC, _METRIC, H)
    ma, eps, aD = 0.1, 1e-3, 0.5
    ref = np.pi * ALPHA * aD * eps**2 * LH / (2 * M * (E**2 - mchi**2) * (ma**2 + 2 * M * ER) ** 2) * S.HBARC2_GEV2_CM2
    got = S.dsigma_dER(E, ER, m_chi=mchi, m_aprime=ma, eps=eps, alpha_d=aD, M=M, scalar_chi=scalar, G_E=GE, G_M=GM)
    assert float(got) == pytest.approx(ref, rel=1e-9, abs=0)


@pytest.mark.parametrize("scalar", [False, True])
def test_coherent_nucleus_forward_limit(scalar):
    """E_R -> 0: dsigma/dE_R -> 8 pi eps^2 alpha alpha_D Z^2 M E^2/(p^2 m_A'^4) for every spin (F(0) = 1)."""
    from darkbeam.physics.nuclear import nucleus

    ar = nucleus("Ar40")
    E, mchi, ma = 1.0, 0.01, 0.05
    got = S.dsigma_dER_nucleus(E, 1e-12, "Ar40", m_chi=mchi, m_aprime=ma, eps=1e-3, alpha_d=0.5, scalar_chi=scalar)
    ref = 8 * np.pi * 1e-6 * ALPHA * 0.5 * ar.Z**2 * ar.mass * E**2 / ((E**2 - mchi**2) * ma**4) * S.HBARC2_GEV2_CM2
    assert float(got) == pytest.approx(ref, rel=1e-6, abs=0)
    # the form factor suppresses large recoils: at Q ~ 1/R the coherent rate is well below Z^2 x point
    er = 0.2**2 / (2 * ar.mass)
    pt = S.dsigma_dER(E, er, m_chi=mchi, m_aprime=ma, eps=1e-3, alpha_d=0.5, M=ar.mass, scalar_chi=scalar, spin0=True,
                      charge2=ar.Z**2)
    full = S.dsigma_dER_nucleus(E, er, "Ar40", m_chi=mchi, m_aprime=ma, eps=1e-3, alpha_d=0.5, scalar_chi=scalar)
    assert 0 < float(full) < 0.5 * float(pt)


def test_chi_is_invisible_and_has_its_own_codes():
    from darkbeam.events.visibility import is_visible_labels
    from darkbeam.physics.particles import conjugate, mass_of, pdg_code

    assert not is_visible_labels(["chi", "chi_bar"]) and not is_visible_labels(["chi_s", "chi_s_bar"])
    assert is_visible_labels(["alp"]) is False  # an undecayed ALP escapes like any new particle
    assert (pdg_code("chi"), pdg_code("chi_bar"), pdg_code("chi_s"), pdg_code("alp")) == (5917, -5917, 5904, 5903)
    assert conjugate("chi") == "chi_bar" and conjugate("alp") == "alp"
    assert mass_of("chi_bar", model()) == 0.01


def test_coherent_total_cross_section_with_threshold():
    from darkbeam.physics.nuclear import nucleus

    M = nucleus("Ar40").mass
    kw = dict(M=M, m_chi=0.01, nucleus="Ar40", m_aprime=0.03, eps=1e-3, alpha_d=0.5)
    E = np.array([0.1, 1.0])
    full = S.sigma_total(S.dsigma_dER_nucleus, E, **kw)
    cut = S.sigma_total(S.dsigma_dER_nucleus, E, er_min=1e-4, **kw)
    assert np.all(0 < cut) and np.all(cut < full)
    # above E_R^max nothing is left
    assert S.sigma_total(S.dsigma_dER_nucleus, np.array([0.02]), er_min=1e-3, **kw)[0] == 0.0


def test_recoil_angle_from_momentum_conservation():
    E, mchi = 2.0, 0.02
    for M in (C.M_E, C.M_PROTON):
        for ER in (0.2 * float(S.recoil_max(E, mchi, M)), 0.9 * float(S.recoil_max(E, mchi, M))):
            _, _, _, kp = _lab_momenta(E, ER, mchi, M)
            assert float(S.recoil_cos(E, ER, mchi, M)) == pytest.approx(kp[3] / np.linalg.norm(kp[1:]), rel=1e-9, abs=0)
    # at E_R^max the recoil goes straight forward
    assert float(S.recoil_cos(E, S.recoil_max(E, mchi, C.M_E), mchi, C.M_E)) == pytest.approx(1.0, rel=1e-9, abs=0)


def test_model_level_cross_section():
    from darkbeam.errors import ConfigurationError

    p = model(dm_type="scalar")
    E = np.array([1.0, 4.0])
    c = Couplings(p)
    aD = (c.gD * np.cos(c.beta)) ** 2 / (4 * np.pi)
    ref = S.sigma_total(S.dsigma_dER_electron, E, M=C.M_E, m_chi=0.01, er_min=0.05, m_aprime=0.03, eps=c.epsilon,
                        alpha_d=aD, scalar_chi=True)
    np.testing.assert_allclose(S.cross_section(p, E, "e", er_min=0.05), ref, rtol=1e-12, atol=0)
    assert np.all(S.cross_section(p, E, "p", er_min=0.01) > 0)
    assert np.all(S.cross_section(p, E, "C12", er_min=1e-4) > 0)
    with pytest.raises(ModelError):
        S.cross_section(ModelParameters.from_dict({"mzprime": 0.03}), E)
    with pytest.raises(ConfigurationError):
        S.cross_section(p, E, "Xx12")


def test_offshell_rate_is_stable_for_a_vanishing_width_far_from_the_pole():
    """m_A' = 1 MeV < 2 m_chi: the Breit-Wigner width is irrelevant; 1e-27 GeV must give the 1e-10 GeV result,
    which is the s integral of 2 eps^2 (1 - s/M^2)^3 Br s Gamma_chi(sqrt s)/(pi s^2) done here with scipy."""
    from scipy.integrate import quad

    M, eps2, aD, ma, mchi = C.M_PI0, 1e-6, 0.5, 0.001, 0.01
    a = br_pseudoscalar_to_gamma_chichi(M, PD.BR_PI0_GG, eps2, aD, ma, 1e-10, mchi)
    b = br_pseudoscalar_to_gamma_chichi(M, PD.BR_PI0_GG, eps2, aD, ma, 1e-27, mchi)
    g = np.sqrt(4 * np.pi * aD)

    def f(s):
        width = float(vector_to_fermions(np.sqrt(s), mchi, mchi, g, g))
        return 2 * eps2 * (1 - s / M**2) ** 3 * PD.BR_PI0_GG * np.sqrt(s) * width / (np.pi * (s - ma**2) ** 2)

    ref = quad(f, 4 * mchi**2, M**2, epsabs=0, epsrel=1e-10, limit=200)[0]
    assert a == pytest.approx(ref, rel=1e-6, abs=0) and b == pytest.approx(ref, rel=1e-6, abs=0)
    with pytest.raises(ValueError):
        br_pseudoscalar_to_gamma_chichi(M, PD.BR_PI0_GG, eps2, aD, 0.05, 0.0, mchi)


def test_model_level_meson_branching_ratio_on_shell_matches_production_times_decay():
    from darkbeam.physics.production.dark_matter_mesons import br_meson_to_dark_matter

    p = model(mzprime=0.06, mchi=0.01, alphaD=1e-3)  # narrow A' (Gamma/m ~ 3e-4), chi chi-bar open
    two_body = [ch for ch in production_channels(p) if ch.parent == "pi0"][0]
    t = decay_table(p, "zprime")
    ref = two_body.br * t.branching_ratios["chi chi_bar"]
    assert br_meson_to_dark_matter(p, "pi0") == pytest.approx(ref, rel=2e-3, abs=0)
    assert br_meson_to_dark_matter(ModelParameters.from_dict({"mzprime": 0.06}), "eta") == 0.0


def test_all_dark_matter_channels_on_request_carry_the_full_breit_wigner():
    from darkbeam.physics.production.dark_channels import dark_matter_channels
    from darkbeam.physics.production.dark_matter_mesons import br_meson_to_dark_matter

    p = model(mzprime=0.03, mchi=0.01)  # the benchmark m_A' = 3 m_chi, alpha_D = 0.5: on shell for pi0 and eta
    assert dark_matter_channels(p, 1e-6) == []
    chans = dark_matter_channels(p, Couplings(p).epsilon ** 2, offshell_only=False)
    assert [ch.parent for ch in chans] == ["pi0", "eta", "eta'"]
    assert chans[0].br == pytest.approx(br_meson_to_dark_matter(p, "pi0"), rel=1e-12, abs=0)
