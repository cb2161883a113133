"""Three-body HNL production: K -> pi l N (K_l3 with form factors) and l -> l' nu N (tau, mu).

|M|^2 functions take four-momenta (n, 4) in the order of the channel's daughters and return |M|^2
summed over the spins of the final state (the HNL's included) and averaged over the parent's; a
second function gives the HNL's longitudinal polarisation per configuration.  Widths are their
Dalitz integrals (:mod:`dalitz_quadrature`).  Traces: :mod:`hnl_currents`, docs/production.md.

* K_l3 (K -> pi l+ N, daughters (pi, l+, N)): H^mu = C_K [f_+(t) (P + p_pi) + f_-(t) (P - p_pi)],
  t = (P - p_pi)^2, with C_K^2 = 1/2 for K+ -> pi0 (pi0 = (u ubar - d dbar)/sqrt2) and for each charge
  mode of K_L (K_L ~ (K0 - K0bar)/sqrt2); f_+(0) |V_us| and the linear slopes of
  :mod:`parents`.  |M|^2 = (G_F^2/2) |V_us f_+(0)|^2 |U_l|^2 S_EW (1 + delta_SU2)^2 8 k.a with
  a = 2 (H.q_l) H - (H.H) q_l (Cirigliano et al., Rev. Mod. Phys. 84 (2012) 399, eqs. 98-103, for the
  hadronic matrix element, normalisation and corrections; the lepton tensor with both masses is the
  trace of hnl_currents).  m_N -> 0 reproduces the Standard-Model K_l3 rate (tested against PDG 2024).
* D -> K l+ N (D+ -> K0bar, D0 -> K-; C = 1): the same with |V_cs| f_+^{DK}(0) and pole form factors
  (:mod:`parents`); m_N -> 0 is tested against the PDG 2024 D_e3 rates.
* l -> l' nu N (muon-decay matrix element, Michel; e.g. PDG 2024 review "Muon decay parameters";
  unpolarised parent, spin-averaged):
  N replacing the neutrino of the parent's flavour (U_parent), daughters (l', nubar_l', N):
      |M|^2 = 64 G_F^2 |U|^2 (P.p_nubar)(p_l'.k_N),  polarised: k_N -> (k_N - m_N s)/2;
  N-bar replacing the antineutrino of the daughter's flavour (U_l'), daughters (l', N-bar, nu_l):
      |M|^2 = 64 G_F^2 |U|^2 (P.k_N)(p_l'.p_nu),     polarised: k_N -> (k_N + m_N s)/2.
  m_N -> 0 gives G_F^2 m^5/(192 pi^3) f(m_l'^2/m^2) (tested).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics.production import parents as PD
from darkbeam.physics.production.hnl_currents import a_vector_current, helicity_vector, longitudinal_polarisation, mdot


# --------------------------------------------------------------------------- K_l3 and D -> K l N
#: semileptonic parents: (C_K^2 x corrections, |V f_+(0)|, form factors)
def _semileptonic(parent: str):
    if parent in ("K+", "K-"):
        return 0.5 * PD.S_EW * (1.0 + PD.DELTA_SU2_KPLUS) ** 2, PD.VUS_FPLUS0, PD.kl3_form_factors
    if parent == "K0_L":
        return 0.5 * PD.S_EW, PD.VUS_FPLUS0, PD.kl3_form_factors
    if parent in ("D+", "D-", "D0", "D0_bar"):
        return 1.0, C.V_CS * PD.FPLUS0_DK, PD.dk_form_factors
    raise KeyError(parent)


def semileptonic_norm(parent: str) -> float:
    """(G_F^2/2) |V f_+(0)|^2 C^2 (corrections): C^2 = 1/2 for K+ -> pi0 and each charge mode of K_L,
    with S_EW (1 + delta_SU2)^2 for K+ and S_EW for K_L (module docstring); 1 for D -> K."""
    c2, vf, _ = _semileptonic(parent)
    return 0.5 * C.G_F**2 * vf**2 * c2


def kl3_norm(parent: str) -> float:
    """:func:`semileptonic_norm` of a kaon (kept for the name used in docs)."""
    return semileptonic_norm(parent)


def semileptonic_a(P: np.ndarray, k_h: np.ndarray, q_l: np.ndarray, parent: str, m_parent: float, m_h: float) -> np.ndarray:
    """The vector a of the trace for P -> h l N (module docstring), without the normalisation."""
    q = P - k_h
    t = mdot(q, q)
    fp, fm = _semileptonic(parent)[2](t, m_parent, m_h)
    H = fp[..., None] * (P + k_h) + fm[..., None] * q
    return a_vector_current(H, q_l)


def kl3_msq(P, k_pi, q_l, k_n, *, parent: str, m_parent: float, m_pi: float):
    """|M|^2 of K -> pi l N or D -> K l N per |U_l|^2 (spins summed), daughters (meson, l, N)."""
    return semileptonic_norm(parent) * 8.0 * mdot(k_n, semileptonic_a(P, k_pi, q_l, parent, m_parent, m_pi))


def kl3_polarisation(P, k_pi, q_l, k_n, *, parent: str = "K+", m_n: float, m_parent: float, m_pi: float, anti: bool):
    """Longitudinal polarisation of N (N-bar if anti) along its momentum in K -> pi l N (D -> K l N)."""
    return longitudinal_polarisation(k_n, m_n, semileptonic_a(P, k_pi, q_l, parent, m_parent, m_pi), anti)


# --------------------------------------------------------------------------- l -> l' nu N
def leptonic_msq(P, k_l, k_2, k_3, *, hnl_as: str):
    """|M|^2 per |U|^2 of l -> l' X Y (spin-averaged parent, spins summed).

    hnl_as='nu' (U of the parent's flavour): daughters (l', nubar_l', N): 64 G_F^2 (P.k_2)(k_l.k_3);
    hnl_as='nubar' (U of the daughter lepton's flavour): daughters (l', N-bar, nu_l): 64 G_F^2 (P.k_2)(k_l.k_3)
    as well (k_2 = N-bar, k_3 = nu): the same expression with the roles named by the daughter order.
    """
    del hnl_as  # the same bilinear form in daughter order, kept for readability at call sites
    return 64.0 * C.G_F**2 * mdot(P, k_2) * mdot(k_l, k_3)


def leptonic_polarisation(P, k_l, k_2, k_3, *, hnl_as: str, m_n: float, anti_parent: bool):
    """Longitudinal polarisation of the HNL in l -> l' nu N (module docstring); the CP-conjugate parent
    (l+) flips it."""
    if hnl_as == "nu":  # N = k_3, paired with k_l: P = -m (s.k_l)/(k.k_l)
        k, other, sign = k_3, k_l, 1.0
    else:  # N-bar = k_2, paired with the parent: P = +m (s.P)/(k.P)
        k, other, sign = k_2, P, -1.0
    s = helicity_vector(k, m_n)
    ko = mdot(k, other)
    pol = -sign * m_n * mdot(s, other) / np.where(ko != 0, ko, 1.0)
    if anti_parent:
        pol = -pol
    return np.clip(pol, -1.0, 1.0)
