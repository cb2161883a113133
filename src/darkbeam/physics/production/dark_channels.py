"""Production channels of the dark scalar h' (K -> pi h') and of the dark photon zprime (meson -> gamma/pi0 A').

Formulas: :mod:`scalar_kaon`, :mod:`scalar_b_meson` and :mod:`dark_photon_mesons`.  Both new particles are bosons produced by
spinless (pi0, eta, eta', K) parents or an unpolarised omega: polarisation 0 (the A' from P -> gamma
A' is transversely polarised; its decays to lepton pairs are treated as unpolarised in
processes.decays, so nothing is lost there).
"""

from __future__ import annotations

import math

from darkbeam.physics.particles import mass_of
from darkbeam.physics.production import dark_photon_mesons as DP
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production.channel import ProductionChannel
from darkbeam.physics.production.kinematics import ThreeBodyKinematics, TwoBodyKinematics
from darkbeam.physics.production.scalar_b_meson import width_b_to_kaon_scalar
from darkbeam.physics.production.scalar_kaon import width_kaon_to_pion_scalar

SRC_SCALAR = "Batell, Berger, Ismail 1909.11670 eq. 5 (K_L: Im(V_td V_ts*))"
SRC_B = "top loop as 1909.11670 eq. 5 with (b, s); f_0^BK of Ball, Zwicky hep-ph/0406232 (Winkler 1809.01876 eq. 15)"
SRC_PGAMMA = "2 eps^2 (1 - m^2/m_P^2)^3 Br(P -> gamma gamma): Batell, Pospelov, Ritz 0906.5614; Ilten et al. 1801.04847"
SRC_DM = ("P -> gamma A'* -> gamma chi chi-bar, factorised Breit-Wigner rate: docs/dark_matter.md eq. DM3 "
          "(de Romeri, Kelly, Machado 1903.10505 sec. 2; 0906.5614 eq. 13)")
SRC_OMEGA = "eps^2 Br(omega -> pi0 gamma) x (p/p_0)^3: Ilten et al. 1801.04847 sec. 2"


def _channel(parent, daughters, llp, m_llp, width, br, scaling, source) -> ProductionChannel:
    masses = tuple(mass_of(d) if d != llp else m_llp for d in daughters)
    kin = TwoBodyKinematics(parent_mass=mass_of(parent), masses=masses, llp_index=daughters.index(llp), polarisation=0.0)
    return ProductionChannel(parent=parent, daughters=tuple(daughters), llp=llp, width=float(width), br=float(br),
                             scaling=scaling, sampler=kin, source=source)


def scalar_channels(params) -> list[ProductionChannel]:
    """K+ -> pi+ h', K- -> pi- h', K_L -> pi0 h', B -> K h' (h' mass ``mhprime``, mixing ``theta``)."""
    if not params.has_hprime or params.theta == 0.0:
        return []
    m_s = float(params.mhprime)
    st = math.sin(params.theta)
    out = []
    for parent, pion, neutral in (("K+", "pi+", False), ("K-", "pi-", False), ("K0_L", "pi0", True)):
        w = float(width_kaon_to_pion_scalar(m_s, st, neutral=neutral))
        if w > 0:
            out.append(_channel(parent, (pion, "hprime"), "hprime", m_s, w, w / PD.total_width(parent), (("theta", 2),), SRC_SCALAR))
    for parent, kaon in (("B+", "K+"), ("B-", "K-"), ("B0", "K0"), ("B0_bar", "K0_bar")):
        w = float(width_b_to_kaon_scalar(m_s, st, m_b=mass_of(parent), m_k=mass_of(kaon)))
        if w > 0:
            out.append(_channel(parent, (kaon, "hprime"), "hprime", m_s, w, w / PD.total_width(parent), (("theta", 2),), SRC_B))
    return out


def _epsilon_scaling(params) -> tuple[tuple[str, int], ...]:
    for key, power in (("epsilon", 2), ("epsilon2", 1), ("alpha_epsilon2", 1), ("chi", 2)):
        if getattr(params, key) is not None:
            return ((key, power),)
    return ()


def dark_photon_channels(params, eps2: float) -> list[ProductionChannel]:
    """pi0, eta, eta' -> gamma A' and omega -> pi0 A' for a kinetically mixed zprime (epsilon^2 = eps2)."""
    if not params.has_zprime or params.zprime_charge != "dark" or eps2 == 0.0:
        return []
    m_a = float(params.mzprime)
    scaling = _epsilon_scaling(params)
    out = []
    for parent, br_gg in (("pi0", PD.BR_PI0_GG), ("eta", PD.BR_ETA_GG), ("eta'", PD.BR_ETAP_GG)):
        br = float(DP.br_pseudoscalar_to_gamma_aprime(m_a, mass_of(parent), br_gg, eps2))
        if br > 0:
            out.append(_channel(parent, ("gamma", "zprime"), "zprime", m_a, br * PD.total_width(parent), br, scaling, SRC_PGAMMA))
    br = float(DP.br_vector_to_pseudoscalar_aprime(m_a, mass_of("omega"), mass_of("pi0"), PD.BR_OMEGA_PI0G, eps2))
    if br > 0:
        out.append(_channel("omega", ("pi0", "zprime"), "zprime", m_a, br * PD.total_width("omega"), br, scaling, SRC_OMEGA))
    return out


def _dark_coupling_scaling(params) -> tuple[tuple[str, int], ...]:
    if params.alphaD is not None:
        return (("alphaD", 1),)
    if params.gD is not None:
        return (("gD", 2),)
    return ()


def dark_matter_channels(params, eps2: float, *, sw2: float | None = None,
                         offshell_only: bool = True) -> list[ProductionChannel]:
    """pi0, eta, eta' -> gamma chi chi-bar through an off-shell A' (docs/dark_matter.md eq. DM3).

    ``offshell_only`` (the default, what :func:`production_channels` lists): only where the A' cannot
    be made on shell and decay to chi chi-bar (i.e. unless 2 m_chi < m_A' < m_P): there P -> gamma A'
    (:func:`dark_photon_channels`) followed by the A' decay table's chi chi-bar channel is the same
    physics in the narrow-width approximation, and listing both would count it twice.  The scaling
    eps^2 alpha_D is then exact up to the width term of the Breit-Wigner, negligible away from the pole.
    ``offshell_only=False``: every open P -> gamma chi chi-bar with the full Breit-Wigner, for a chi
    flux that must not also take chi from A' decays (the narrow-width approximation is off by up to
    ~25 % at alpha_D = 0.5, m_A' = 3 m_chi: docs/dark_matter.md); its scaling is then approximate.
    """
    if not params.has_zprime or not params.has_dm or params.zprime_charge != "dark" or eps2 == 0.0:
        return []
    from functools import partial

    from darkbeam.physics.production.dark_matter_mesons import (br_pseudoscalar_to_gamma_chichi, dark_photon_inputs,
                                                                gamma_chichi_msq)

    _, alpha_d, gamma_a = dark_photon_inputs(params, sw2)
    if alpha_d == 0.0:
        return []
    m_a, m_chi = float(params.mzprime), float(params.mchi)
    scalar = params.dm_type == "scalar"
    lab = params.dm_label
    scaling = _epsilon_scaling(params) + _dark_coupling_scaling(params)
    out = []
    for parent, br_gg in (("pi0", PD.BR_PI0_GG), ("eta", PD.BR_ETA_GG), ("eta'", PD.BR_ETAP_GG)):
        m_p = mass_of(parent)
        if 2 * m_chi >= m_p or (offshell_only and 2 * m_chi < m_a < m_p):
            continue
        br = br_pseudoscalar_to_gamma_chichi(m_p, br_gg, eps2, alpha_d, m_a, gamma_a, m_chi, scalar)
        if br <= 0:
            continue
        msq = partial(gamma_chichi_msq, gamma_gg=br_gg * PD.total_width(parent), eps2=eps2, alpha_d=alpha_d, m_a=m_a,
                      gamma_a=gamma_a, m_chi=m_chi, scalar=scalar)
        kin = ThreeBodyKinematics(parent_mass=m_p, masses=(0.0, m_chi, m_chi), llp_index=1, msq=msq,
                                  key=("gamma chi chi", parent, m_a, gamma_a, m_chi, scalar),
                                  poles=((1, 2, m_a, gamma_a),))
        out.append(ProductionChannel(parent=parent, daughters=("gamma", lab, lab + "_bar"), llp=lab,
                                     width=br * PD.total_width(parent), br=br, scaling=scaling, sampler=kin, source=SRC_DM))
    return out


def alp_channels(params) -> list[ProductionChannel]:
    """K+ -> pi+ a and K- -> pi- a through the ALP-gluon coupling ``g_agluon`` (ALP mass ``ma``;
    :mod:`alp_kaon`).  The width is exactly proportional to g_agluon^2."""
    if not params.has_alp or not params.g_agluon:
        return []
    from darkbeam.physics.production.alp_kaon import REFERENCE, width_kaon_to_pion_alp

    m_a = float(params.ma)
    out = []
    for parent, pion in (("K+", "pi+"), ("K-", "pi-")):
        w = float(width_kaon_to_pion_alp(m_a, params.g_agluon))
        if w > 0:
            out.append(_channel(parent, (pion, "alp"), "alp", m_a, w, w / PD.total_width(parent), (("g_agluon", 2),), REFERENCE))
    return out
