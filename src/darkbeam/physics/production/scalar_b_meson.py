"""Dark scalar S = h' from B-meson decays: B -> K S.

The b -> s S vertex is the top loop of K -> pi S with (s, d) -> (b, s) (Batell, Berger, Ismail
1909.11670 eq. 5 generalised as in Winkler 1809.01876 eq. 15 and Boiarska et al. 1904.10447 eq. 3.3):

    xi_bs = 3 sqrt2 G_F m_t^2 V_ts^* V_tb / (16 pi^2),
    |M(B -> K S)| = sin(theta) |xi_bs| (m_B^2 - m_K^2) f_0^{BK}(m_S^2) / (2 v)      (<K| sbar b |B> = (m_B^2 - m_K^2)/(m_b - m_s) f_0,
                                                                                  m_b/(m_b - m_s) ~ 1),
    Gamma = |M|^2 |p_S| / (8 pi m_B^2),

with the light-cone sum-rule form factor f_0^{BK}(q^2) = 0.330/(1 - q^2/37.46 GeV^2) (Ball, Zwicky,
hep-ph/0406232, table 8).  B+ -> K+ S and B0 -> K0 S (the same amplitude by isospin); lifetimes
B+ 1.638e-12 s, B0 1.517e-12 s (PDG 2024).  sin^2(theta) as in :mod:`scalar_kaon`.
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics.production.hnl_two_body import kallen
from darkbeam.physics.production.parents import ckm_matrix

#: Ball-Zwicky f_0^{BK}(q^2) = R2 / (1 - q^2 / M_FIT2)
F0_BK_R2 = 0.330
F0_BK_MFIT2 = 37.46


def xi_bs() -> complex:
    V = ckm_matrix()
    return complex(3.0 * np.sqrt(2.0) * C.G_F * C.M_T**2 * np.conj(V[2, 1]) * V[2, 2] / (16.0 * np.pi**2))


def f0_bk(q2):
    return F0_BK_R2 / (1.0 - np.asarray(q2, dtype=float) / F0_BK_MFIT2)


def width_b_to_kaon_scalar(m_s, sin_theta: float, *, m_b: float = C.M_B_PLUS, m_k: float = C.M_K):
    """Gamma(B -> K S) in GeV (module docstring); 0 where closed."""
    m_s = np.asarray(m_s, dtype=float)
    lam = kallen(m_b**2, m_k**2, m_s**2)
    ok = (m_s + m_k < m_b) & (lam > 0)
    p = np.sqrt(np.where(ok, lam, 0.0)) / (2 * m_b)
    amp = sin_theta * abs(xi_bs()) * (m_b**2 - m_k**2) * f0_bk(m_s**2) / (2 * C.VEV)
    return np.where(ok, amp**2 * p / (8 * np.pi * m_b**2), 0.0)
