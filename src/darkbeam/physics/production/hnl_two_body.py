"""Two-body HNL production: P+ -> l+ N (pi, K, D, D_s), tau- -> N pi-, tau- -> N rho-.

Widths (GeV), with G_F, CKM elements and decay constants of :mod:`darkbeam.constants` and
:mod:`darkbeam.physics.mesons` (FLAG 2021 / PDG 2024):

* P+ -> l+ N (Shrock, PRD 24 (1981) 1232; Bondarenko et al. 1805.08567 sec. 3, eq. 3.1):

      Gamma = G_F^2 f_P^2 |V_qq'|^2 |U_l|^2 m_P^3 / (8 pi) * rho(a, b),
      rho(a, b) = [a + b - (a - b)^2] lambda^(1/2)(1, a, b),  a = m_l^2/m_P^2, b = m_N^2/m_P^2.

  At m_N = 0 this is the Standard-Model width G_F^2 f^2 |V|^2 m_P m_l^2 (1 - m_l^2/m_P^2)^2 / (8 pi)
  times |U|^2 (PDG 2024 review "Leptonic decays of charged pseudoscalar mesons", eq. 72.1, at tree
  level).  The rate is the same for Dirac and Majorana N: the produced state and its amplitude are the
  same (Bondarenko et al. 1805.08567 sec. 3: "production ... does not depend on the nature of the
  HNL"); the two differ in decays only.
* tau- -> N P- and tau- -> N V- (P = pi, K; V = rho, K*), unpolarised tau; derived from the trace of
  :mod:`darkbeam.physics.production.hnl_currents` (docs/production.md eqs. T1, T2), x_i = m_i/m_tau:

      Gamma(N P)  = G_F^2 f_P^2 |V|^2 |U_tau|^2 m_tau^3 / (16 pi) [(1 - x_N^2)^2 - x_P^2 (1 + x_N^2)] lambda^(1/2)
      Gamma(N V)  = G_F^2 g_V^2 |V|^2 |U_tau|^2 m_tau^3 / (16 pi m_V^2) [(1 - x_N^2)^2 + x_V^2 (1 + x_N^2) - 2 x_V^4] lambda^(1/2)

  with lambda = lambda(1, x_X^2, x_N^2); at m_N = 0 they are the Standard-Model widths
  G_F^2 f^2 |V|^2 m_tau^3 (1 - x_P^2)^2 / (16 pi) and G_F^2 g_V^2 |V|^2 m_tau^3 (1 - x_V^2)^2
  (1 + 2 x_V^2) / (16 pi m_V^2) (Tsai, PRD 4 (1971) 2821).

Polarisation of N along its momentum in the parent's rest frame (docs/production.md, sec. "HNL
polarisation in P -> l N"):

      P(P+ -> l+ N) = (m_N^2 - m_l^2) lambda^(1/2)(m_P^2, m_l^2, m_N^2) / [m_P^2 (m_l^2 + m_N^2) - (m_N^2 - m_l^2)^2]

-1 for m_N -> 0 (a left-handed neutrino), +1 for m_l -> 0 at finite m_N.  The charge-conjugate decay
P- -> l- N-bar has the opposite polarisation (CP).  For tau decays it comes from the trace.
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.physics.production.hnl_currents import a_vector_current, a_vector_meson, longitudinal_polarisation


def kallen(a, b, c):
    return a * a + b * b + c * c - 2.0 * (a * b + b * c + c * a)


def shrock_rho(a, b):
    """rho(a, b) = [a + b - (a - b)^2] lambda^(1/2)(1, a, b) (1805.08567 eq. 3.1), 0 where closed."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    lam = kallen(1.0, a, b)
    open_ = (np.sqrt(a) + np.sqrt(b) < 1.0) & (lam > 0)
    return np.where(open_, (a + b - (a - b) ** 2) * np.sqrt(np.where(open_, lam, 0.0)), 0.0)


def width_meson_to_lepton_hnl(m_p: float, f_p: float, ckm: float, m_l: float, m_n, u2: float = 1.0):
    """Gamma(P+ -> l+ N) in GeV (module docstring), for |U_l|^2 = u2."""
    return C.G_F**2 * f_p**2 * ckm**2 * u2 * m_p**3 / (8.0 * np.pi) * shrock_rho(m_l**2 / m_p**2, np.asarray(m_n, dtype=float) ** 2 / m_p**2)


def polarisation_meson_to_lepton_hnl(m_p: float, m_l: float, m_n):
    """Polarisation of N along its momentum in P+ -> l+ N at rest (module docstring)."""
    m_n = np.asarray(m_n, dtype=float)
    lam = np.sqrt(np.maximum(kallen(m_p**2, m_l**2, m_n**2), 0.0))
    den = m_p**2 * (m_l**2 + m_n**2) - (m_n**2 - m_l**2) ** 2
    return np.where(den > 0, (m_n**2 - m_l**2) * lam / np.where(den > 0, den, 1.0), 0.0)


def width_tau_to_hnl_pseudoscalar(m_n, f_p: float, ckm: float, m_p: float, u2: float = 1.0, m_tau: float = C.M_TAU):
    """Gamma(tau- -> N P-) in GeV (module docstring, eq. T1)."""
    xn2, xp2 = np.asarray(m_n, dtype=float) ** 2 / m_tau**2, m_p**2 / m_tau**2
    lam = kallen(1.0, xp2, xn2)
    ok = (np.sqrt(xn2) + np.sqrt(xp2) < 1.0) & (lam > 0)
    body = ((1 - xn2) ** 2 - xp2 * (1 + xn2)) * np.sqrt(np.where(ok, lam, 0.0))
    return np.where(ok, C.G_F**2 * f_p**2 * ckm**2 * u2 * m_tau**3 / (16 * np.pi) * body, 0.0)


def width_tau_to_hnl_vector(m_n, g_v: float, ckm: float, m_v: float, u2: float = 1.0, m_tau: float = C.M_TAU):
    """Gamma(tau- -> N V-) in GeV (module docstring, eq. T2)."""
    xn2, xv2 = np.asarray(m_n, dtype=float) ** 2 / m_tau**2, m_v**2 / m_tau**2
    lam = kallen(1.0, xv2, xn2)
    ok = (np.sqrt(xn2) + np.sqrt(xv2) < 1.0) & (lam > 0)
    body = ((1 - xn2) ** 2 + xv2 * (1 + xn2) - 2 * xv2**2) * np.sqrt(np.where(ok, lam, 0.0))
    return np.where(ok, C.G_F**2 * g_v**2 * ckm**2 * u2 * m_tau**3 / (16 * np.pi * m_v**2) * body, 0.0)


def rest_frame_pair(M: float, m1: float, m2: float) -> tuple[np.ndarray, np.ndarray]:
    """Four-momenta of M -> 1 2 at rest with daughter 1 along +z (deterministic; for evaluating traces)."""
    p = np.sqrt(max(kallen(M**2, m1**2, m2**2), 0.0)) / (2 * M)
    return np.array([np.hypot(m1, p), 0, 0, p]), np.array([np.hypot(m2, p), 0, 0, -p])


def polarisation_tau_to_hnl(m_n: float, m_x: float, g_v: float | None = None, m_tau: float = C.M_TAU) -> float:
    """Polarisation of N along its momentum in tau- -> N X- at rest (X a pseudoscalar, or a vector with
    constant g_v), from the trace of :mod:`hnl_currents` with q = p_tau (unpolarised tau)."""
    k, p_x = rest_frame_pair(m_tau, m_n, m_x)
    P = np.array([m_tau, 0.0, 0.0, 0.0])
    a = a_vector_current(p_x, P) if g_v is None else a_vector_meson(p_x, P, m_x, g_v)
    return float(longitudinal_polarisation(k, m_n, a))
