"""ALP - pi0 mixing from the ALP-gluon coupling, at leading order in chiral perturbation theory.

The gluon coupling L = g_s^2 g_agluon a G Gtilde = (alpha_s/(8 pi)) (a/f_a) G Gtilde with
1/f_a = 32 pi^2 g_agluon is removed by the chiral rotation q -> exp(i kappa_q gamma5 a/(2 f_a)) q,
sum_q kappa_q = 1, kappa_q proportional to 1/m_q so that no a-pi0 mass mixing appears (Georgi, Kaplan,
Randall, Phys. Lett. B 169 (1986) 73; Bauer, Neubert, Thamm 1708.00443 sec. 3).  The ALP is left with
derivative couplings (d_mu a/(2 f_a)) sum_q kappa_q qbar gamma^mu gamma5 q, whose isovector part
(kappa_u - kappa_d) A^3_mu, with <0|A^3_mu|pi0(p)> = i f p_mu (f = f_pi/sqrt2 = 92 MeV), is a kinetic
mixing eps_k d_mu a d^mu pi0, eps_k = -(kappa_u - kappa_d) f/(2 f_a).  Diagonalising
L = (1/2)(d a)^2 + (1/2)(d pi)^2 + eps_k d a.d pi - m_a^2 a^2/2 - m_pi^2 pi^2/2 to first order in eps_k,
the physical ALP carries the pi0 field with amplitude

    theta_api = eps_k m_a^2/(m_pi^2 - m_a^2) = (f/(2 f_a)) delta_I m_a^2/(m_a^2 - m_pi^2),
    delta_I = kappa_u - kappa_d = (1/m_u - 1/m_d)/(1/m_u + 1/m_d + 1/m_s)

(docs/dark_matter.md; tested against the exact diagonalisation).  In BNT's variables f/(2 f_a)
delta_I = f_pi Delta c_ud/(2 sqrt2 Lambda) at leading order in m_{u,d}/m_s.  Near m_a = m_pi the
first-order formula fails (the states mix maximally); :func:`theta_a_pi0_exact` is the exact 2x2 result.
Mixing with eta and eta' (not isospin suppressed, but needing the U(3) treatment of Aloni, Soreq,
Williams 1811.03474) is not included.
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics.mesons import F_PI


def delta_isospin() -> float:
    """kappa_u - kappa_d = (1/m_u - 1/m_d)/(1/m_u + 1/m_d + 1/m_s) with the quark masses of constants.py."""
    iu, idd, is_ = 1.0 / C.M_U, 1.0 / C.M_D, 1.0 / C.M_S
    return (iu - idd) / (iu + idd + is_)


def kinetic_mixing(g_agluon: float) -> float:
    """eps_k = -(kappa_u - kappa_d) f/(2 f_a), 1/f_a = 32 pi^2 g_agluon, f = f_pi/sqrt2."""
    f = F_PI / np.sqrt(2.0)
    return -delta_isospin() * f * 32.0 * np.pi**2 * g_agluon / 2.0


def theta_a_pi0(m_a, g_agluon: float):
    """First-order a-pi0 mixing amplitude eps_k m_a^2/(m_pi0^2 - m_a^2) (module docstring)."""
    m_a = np.asarray(m_a, dtype=float)
    return kinetic_mixing(g_agluon) * m_a**2 / (C.M_PI0**2 - m_a**2)


def theta_a_pi0_exact(m_a: float, g_agluon: float) -> float:
    """The pi0-field component of the mostly-ALP mass eigenstate, from the generalised eigenproblem
    (M - m^2 K) v = 0 with K = [[1, eps_k], [eps_k, 1]], M = diag(m_a^2, m_pi0^2), normalised v^T K v = 1."""
    from scipy.linalg import eigh

    e = kinetic_mixing(g_agluon)
    K = np.array([[1.0, e], [e, 1.0]])
    M = np.diag([m_a**2, C.M_PI0**2])
    w, v = eigh(M, K)  # v^T K v = 1
    i = int(np.argmax(np.abs(v[0])))  # the mostly-ALP state
    vec = v[:, i] * np.sign(v[0, i])
    return float(vec[1])
