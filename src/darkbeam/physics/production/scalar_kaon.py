"""Dark (Higgs-mixed) scalar S = h' from kaon decays: K+ -> pi+ S and K_L -> pi0 S.

Batell, Berger, Ismail 1909.11670 eq. 5 (the top-loop s -> d S vertex; also Leutwyler, Shifman,
Nucl. Phys. B343 (1990) 369; Winkler 1809.01876 eq. 14):

    Gamma(K+ -> pi+ S) = sin^2(theta) |xi_sd|^2 (m_K^2 - m_pi^2)^2 / (64 pi m_K v^2) * lambda^(1/2)(1, m_pi^2/m_K^2, m_S^2/m_K^2),
    xi_sd = 3 sqrt2 G_F m_t^2 V_td V_ts^* / (16 pi^2),

i.e. |M| = sin(theta) |xi_sd| (m_K^2 - m_pi^2) / (2 v) with <pi| sbar d |K> = (m_K^2 - m_pi^2)/(m_s - m_d)
and the scalar form factor set to 1 (f_0 rises by lambda_0 m_S^2/m_pi^2, +6 % at m_S = 0.3 GeV: not
included, as in 1909.11670).  K_L ~ (K0 - K0bar)/sqrt2 and pi0 = (u ubar - d dbar)/sqrt2 give
Gamma(K_L -> pi0 S) by |xi_sd|^2 -> (Im xi_sd)^2 with the neutral masses (1909.11670 below eq. 5).
The h' couples as sin(theta) m_f / v in darkbeam (models/couplings.py), so sin^2(theta) replaces the
paper's theta^2; the reweighting scaling ('theta', 2) is then exact to O(theta^2)
(sin^2 theta / theta^2 = 1 - theta^2/3).  m_t: the pole mass of constants.py; the MSbar m_t(m_t) =
163 GeV would give 11 % less (the scheme uncertainty of a leading-order loop).  CKM from
:func:`darkbeam.physics.production.parents.ckm_matrix`.
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics.production.hnl_two_body import kallen
from darkbeam.physics.production.parents import ckm_matrix


def xi_sd() -> complex:
    """xi_sd = 3 sqrt2 G_F m_t^2 V_td V_ts^* / (16 pi^2) (module docstring)."""
    V = ckm_matrix()
    return complex(3.0 * np.sqrt(2.0) * C.G_F * C.M_T**2 * V[2, 0] * np.conj(V[2, 1]) / (16.0 * np.pi**2))


def width_kaon_to_pion_scalar(m_s, sin_theta: float, *, neutral: bool = False):
    """Gamma(K+ -> pi+ S) (neutral=False) or Gamma(K_L -> pi0 S) (neutral=True) in GeV."""
    xi = xi_sd()
    coup2 = (xi.imag if neutral else abs(xi)) ** 2
    m_k, m_pi = (C.M_K0, C.M_PI0) if neutral else (C.M_K, C.M_PI)
    x = np.asarray(m_s, dtype=float) ** 2 / m_k**2
    lam = kallen(1.0, m_pi**2 / m_k**2, x)
    ok = (np.asarray(m_s) + m_pi < m_k) & (lam > 0)
    return np.where(ok, sin_theta**2 * coup2 * (m_k**2 - m_pi**2) ** 2 / (64 * np.pi * m_k * C.VEV**2)
                    * np.sqrt(np.where(ok, lam, 0.0)), 0.0)
