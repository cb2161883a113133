"""Axion-like particle from charged-kaon decays through its gluon coupling: K+- -> pi+- a.

Bauer, Neubert, Renner, Schnubel, Thamm, "Consistent treatment of axions in the weak chiral
Lagrangian", Phys. Rev. Lett. 127 (2021) 081803, arXiv:2102.13112 ("BNRST"; also 2110.10698 sec. 7),
their K- -> pi- a amplitude: at leading order in
the octet weak chiral Lagrangian (the Delta I = 1/2 operator with coupling N_8; 27-plet and
electroweak-penguin terms dropped), with only the ALP-gluon coupling c_GG (quark couplings c_qq = 0,
so the flavour-changing s -> d a term of that equation vanishes),

    A(K- -> pi- a) = -(N_8/(4 f)) 16 c_GG (m_K^2 - m_pi^2)(m_K^2 - m_a^2)/(4 m_K^2 - m_pi^2 - 3 m_a^2),
    N_8 = -(G_F/sqrt2) V_ud^* V_us g_8 f_pi^2,                 (f_pi = 130.2 MeV, physics/mesons.py)
    Gamma(K- -> pi- a) = |A|^2/(16 pi m_K) lambda^(1/2)(1, m_pi^2/m_K^2, m_a^2/m_K^2).

The result is independent of the chiral-rotation parameters kappa_q (the point of BNRST); the
denominator is 3 (m_eta^2 - m_a^2) with the Gell-Mann-Okubo eta mass (a-eta mixing).  The BNRST
coupling L = c_GG (alpha_s/(4 pi)) (a/f) G Gtilde is darkbeam's g_s^2 g_agluon a G Gtilde with
c_GG/f = 16 pi^2 g_agluon (docs/dark_matter.md), so

    |A| = 64 pi^2 |N_8| |g_agluon| (m_K^2 - m_pi^2)(m_K^2 - m_a^2)/(4 m_K^2 - m_pi^2 - 3 m_a^2)

and Gamma is exactly proportional to g_agluon^2.  g_8 = 5.1: the lowest-order fit of the octet coupling
to K -> pi pi (Cirigliano, Ecker, Neufeld, Pich, Portoles, Rev. Mod. Phys. 84 (2012) 399,
arXiv:1107.6001 sec. 4; the O(p^4) fit gives 3.6, i.e. a factor 2 in the rate: the leading-order
uncertainty of this channel).  The CP-conjugate K+ -> pi+ a has the same width.

Not included (docs/dark_matter.md "What is missing"): K_L -> pi0 a, which with CP-conserving ALP
couplings is CP violating (a CP-odd a and pi0 in an s wave are CP even) and enters only through
epsilon_K or Im N_8; the W/top loops of a photon- or quark-coupled ALP (Izaguirre, Lin, Shuve
1611.09355 eq. 8), which need the ALP's SU(2)xU(1) or quark couplings above the electroweak scale that
the low-energy couplings g_agg, g_aee, g_amumu do not fix (the lepton couplings give no s -> d a at one
loop).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics.mesons import F_PI
from darkbeam.physics.production.hnl_two_body import kallen
from darkbeam.physics.production.parents import ckm_matrix

#: octet weak chiral coupling |g_8| at lowest order (1107.6001 sec. 4)
G8 = 5.1
REFERENCE = "Bauer, Neubert, Renner, Schnubel, Thamm 2102.13112, A(K- -> pi- a), c_GG term (octet g_8 = 5.1)"


def n8() -> float:
    """|N_8| = (G_F/sqrt2) |V_ud V_us| g_8 f_pi^2 (dimensionless; module docstring)."""
    V = ckm_matrix()
    return float(C.G_F / np.sqrt(2.0) * abs(V[0, 0] * V[0, 1]) * G8 * F_PI**2)


def amplitude_kaon_to_pion_alp(m_a, g_agluon: float, *, m_k: float = C.M_K, m_pi: float = C.M_PI):
    """|A(K- -> pi- a)| in GeV from the gluon coupling g_agluon (GeV^-1), module docstring."""
    m_a2 = np.asarray(m_a, dtype=float) ** 2
    return (64.0 * np.pi**2 * n8() * abs(g_agluon) * (m_k**2 - m_pi**2) * (m_k**2 - m_a2)
            / (4.0 * m_k**2 - m_pi**2 - 3.0 * m_a2))


def width_kaon_to_pion_alp(m_a, g_agluon: float, *, m_k: float = C.M_K, m_pi: float = C.M_PI):
    """Gamma(K- -> pi- a) = Gamma(K+ -> pi+ a) in GeV; 0 where m_a >= m_K - m_pi."""
    m_a = np.asarray(m_a, dtype=float)
    lam = kallen(1.0, m_pi**2 / m_k**2, m_a**2 / m_k**2)
    ok = (m_a >= 0) & (m_a + m_pi < m_k) & (lam > 0)
    amp = amplitude_kaon_to_pion_alp(np.where(ok, m_a, 0.0), g_agluon, m_k=m_k, m_pi=m_pi)
    return np.where(ok, amp**2 / (16.0 * np.pi * m_k) * np.sqrt(np.where(ok, lam, 0.0)), 0.0)
