"""Coupling algebra against closed forms, limits and DarkNews's numbers."""

import math

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.models import ModelParameters, couplings
from darkbeam.models.couplings import darknews_couplings


def model(**kw):
    base = {"m4": 0.15, "mzprime": 1.25, "epsilon": 1e-3, "gD": 1.0, "Umu4": 1e-3, "UD4": 1.0}
    base.update(kw)
    return ModelParameters.from_dict(base)


def test_light_dark_photon_couples_to_charge():
    c = couplings(model(mzprime=0.01))
    e = c.zprime_fermion("e")
    # e*epsilon*Q with Q_e = -1 and our sign convention: +e*epsilon; corrections O(m_Z'^2/m_Z^2)
    assert e.gV == pytest.approx(C.E_CHARGE * 1e-3, rel=1e-5)
    assert abs(e.gA) < 1e-8 * abs(e.gV) * 1e4
    for f, q in (("u", 2 / 3), ("d", -1 / 3), ("mu", -1), ("tau", -1)):
        assert c.zprime_fermion(f).gV / e.gV == pytest.approx(q / -1, rel=1e-5)
    assert abs(c.zprime_fermion("nu_e").gV) < 1e-7 * abs(e.gV)


def test_heavy_zprime_couples_to_hypercharge():
    # for m_Z' >> m_Z the Z' couples to g' chi Y: electron gA/gV = (Y_L - Y_R)/(Y_L + Y_R) = -1/3,
    # neutrino/electron vector ratio 1/3, magnitude |gV(e)| = (3/4) (e/c_W) chi
    c = couplings(model(mzprime=2.0e4, epsilon=1e-4))
    e, nu = c.zprime_fermion("e"), c.zprime_fermion("nu_mu")
    assert e.gA / e.gV == pytest.approx(-1 / 3, rel=1e-4)
    assert nu.gV / e.gV == pytest.approx(1 / 3, rel=1e-4)
    assert nu.gA == pytest.approx(nu.gV)
    assert abs(e.gV) == pytest.approx(0.75 * C.E_CHARGE / c.cw * c.chi, rel=1e-4)
    # the mixing angle stays on the principal branch (DarkNews issue 40)
    assert abs(c.beta) < 1e-4


def test_z_couplings_are_standard_model_without_mixing():
    c = couplings(model(epsilon=0.0))
    gz = c.gz
    # G_F normalisation of W and Z exchange at low energy (rho = 1)
    assert gz**2 / (8 * C.M_Z**2) == pytest.approx(C.G_F / math.sqrt(2), rel=1e-12, abs=0)
    assert c.g_weak**2 / (8 * C.M_W**2) == pytest.approx(C.G_F / math.sqrt(2), rel=1e-12, abs=0)
    for f, (q, t3) in {"e": (-1, -0.5), "u": (2 / 3, 0.5), "d": (-1 / 3, -0.5), "nu_e": (0, 0.5)}.items():
        z = c.z_fermion(f)
        assert z.gV == pytest.approx(gz * (t3 / 2 - q * C.SW2))
        assert z.gA == pytest.approx(gz * t3 / 2)
        assert c.zprime_fermion(f).gV == 0.0


def test_kinetic_mixing_inputs_are_equivalent():
    ref = couplings(model(epsilon=2e-3)).epsilon
    for kw in ({"epsilon2": 4e-6}, {"alpha_epsilon2": C.ALPHA_EM * 4e-6}, {"chi": 2e-3 / math.sqrt(1 - C.SW2)}):
        p = {"m4": 0.15, "mzprime": 1.25, **kw}
        assert couplings(ModelParameters.from_dict(p)).epsilon == pytest.approx(ref, rel=1e-12, abs=0)
    assert couplings(model(gD=None, alphaD=0.25)).gD == pytest.approx(math.sqrt(math.pi))


def test_lmu_minus_ltau():
    p = ModelParameters.from_dict({"m4": 0.1, "mzprime": 0.02, "zprime_charge": "Lmu-Ltau", "gX": 5e-4})
    c = couplings(p)
    assert c.zprime_fermion("mu").gV == pytest.approx(5e-4) and c.zprime_fermion("mu").gA == 0
    assert c.zprime_fermion("tau").gV == pytest.approx(-5e-4)
    assert c.zprime_fermion("nu_mu").gV == pytest.approx(2.5e-4) == c.zprime_fermion("nu_mu").gA
    assert c.zprime_fermion("e").gV == 0 and c.zprime_fermion("nu_e").gV == 0


def test_neutral_lepton_couplings_match_darknews():
    # Reference values printed by DarkNews 0.4.8 (ThreePortalModel(m4=0.15, mzprime=1.25,
    # epsilon=1e-3, gD=1, Umu4=1e-3, Ue4=2e-3, UD4=1): m.deV, m.ceV, m.ceA, m.d_aj[:3,3],
    # m.c_aj[:3,3], m.d_aj[3,3], m.c_aj[3,3], m.sbeta), DarkNews run in its own environment.
    c = darknews_couplings(model(Ue4=2e-3), signs=True)
    # M_W differs (PDG 2020 80.37912 in DarkNews, PDG 2024 80.3692 here): 1e-4 effects
    assert c.zprime_fermion("e").gV == pytest.approx(3.08620096e-4, rel=3e-4)
    assert c.zprime_fermion("e").gA == pytest.approx(1.86728786e-08, rel=3e-4)
    assert c.z_fermion("e").gV == pytest.approx(-0.0196855794, rel=3e-4)
    assert c.z_fermion("e").gA == pytest.approx(-0.1852253012, rel=3e-4)
    assert np.allclose(c.d_light_heavy[:, 0], [-0.0019999999, -0.001, 0.0], rtol=3e-4)
    # documented sign difference (docs/couplings.md): the active (Z) part of the nu_alpha - N coupling
    # is +(g/2c_W) U by unitarity; DarkNews gives it the sign of the dark part
    # (DarkNews: -z - dark; darkbeam: +z - dark, with dark = g_D sin(beta) (U D)); darknews_couplings
    # reproduces DarkNews's sign, the default follows unitarity
    dn = np.array([-0.0007419742, -0.0003709871, 0.0])
    assert np.allclose(c.c_light_heavy[:, 0], dn, rtol=3e-4)
    ours = couplings(model(Ue4=2e-3), sw2=C.SW2_DARKNEWS)
    dark = ours.gD * math.sin(ours.beta) * (ours.U @ np.outer(ours.UD, ours.UD))[:, 0]
    assert np.allclose(ours.c_light_heavy[:, 0], (-dn - 2 * dark) * ours.gz / c.gz, rtol=3e-4)
    assert c.d_heavy[0, 0] == pytest.approx(0.99999999999, rel=1e-6)
    assert c.c_heavy[0, 0] == pytest.approx(5.383429282e-4, rel=3e-4)
    assert math.sin(c.beta) == pytest.approx(5.364906752e-4, rel=3e-4)
    # documented sign difference: DarkNews's quark couplings have the opposite sign (duV = +2.0575e-4)
    assert c.zprime_fermion("u").gV == pytest.approx(-2.057529551e-4, rel=3e-4)


def test_dipole_and_scalar_matrices():
    p = ModelParameters.from_dict({"m4": 0.1, "m5": 0.2, "mu_tr_mu4": 1e-6, "mu_tr_45": 2e-6, "s_e5": 0.1, "s_45": 0.3})
    c = couplings(p)
    assert c.mu_tr_light_heavy.shape == (3, 2) and c.mu_tr_light_heavy[1, 0] == 1e-6
    assert c.mu_tr_heavy[0, 1] == c.mu_tr_heavy[1, 0] == 2e-6
    assert c.s_light_heavy[0, 1] == 0.1 and c.s_heavy[1, 0] == 0.3
    q = ModelParameters.from_dict({"mhprime": 0.3, "theta": 1e-3})
    assert couplings(q).hprime_fermion("mu") == pytest.approx(math.sin(1e-3) * C.M_MU / C.VEV)


def test_light_heavy_couplings_follow_unitarity():
    # Build the full 5x5 orthogonal mixing (3 active, 1 dark, 1 HNL) numerically and compute the
    # coupling of the normalised low-energy flavour state nu_alpha (its light-mass-state part) to N4
    # for the active (Z) and dark (Z') currents directly; compare with couplings.py.
    from scipy.linalg import expm

    Ue4, Umu4, UD4 = 0.02, 0.03, 0.6
    # generator of rotations mixing the heavy state (index 4) with e, mu and D (index 3)
    A = np.zeros((5, 5))
    for j, v in ((0, Ue4), (1, Umu4), (3, UD4)):
        A[j, 4], A[4, j] = v, -v
    U = expm(A)  # orthogonal; rows = flavours (e, mu, tau, D, s), columns = mass states
    Ue4, Umu4, UD4 = U[0, 4], U[1, 4], U[3, 4]
    p = ModelParameters.from_dict({"m4": 0.1, "mzprime": 0.5, "gD": 1.0, "Ue4": Ue4, "Umu4": Umu4, "UD4": UD4})
    c = couplings(p)
    v = c.gz / 2
    light = [0, 1, 2, 3]
    act = U[:3, :]  # active rows
    Cmat = act.T @ act  # active current in the mass basis
    Dmat = np.outer(U[3], U[3])  # dark current in the mass basis
    for a in range(2):
        z = sum(U[a, k] * Cmat[k, 4] for k in light)  # flavour state's light part -> N4
        d = sum(U[a, k] * Dmat[k, 4] for k in light)
        # first order in small mixings; U D^2 corrections are O(U^3)
        assert c.c_light_heavy[a, 0] / v == pytest.approx(z, rel=2e-3)
        assert c.d_light_heavy[a, 0] == pytest.approx(v * c._kX * U[a, 4] + c.gD * np.cos(c.beta) * d, rel=2e-3)
        assert np.sign(d) == -np.sign(U[a, 4])  # dark part opposite to the active part
