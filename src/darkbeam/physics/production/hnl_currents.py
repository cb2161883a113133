"""The V-A trace with a polarised HNL: the kernel of every HNL production channel.

For a charged-current amplitude M = (G/sqrt2) H_mu [ubar_N gamma^mu (1 - gamma5) w], where w is
v_l (an outgoing charged antilepton, P+ -> l+ N) or u_tau (a decaying lepton, tau- -> N pi-) and H is
the hadronic current (f_P p_P for a pseudoscalar, form factors for K_l3), summing over the spin of the
other lepton gives (derivation in docs/production.md, sec. "The HNL trace")

    sum |ubar_N(k, s) gamma^mu (1-g5) w(q)|^2 H_mu H_nu^* = 4 (k - m_N s) . a,
    a = 2 (H.q) H - (H.H) q               (real H; spin-summed vector mesons: a = g_V^2 [q + 2 (p_V.q) p_V / m_V^2])

with s the HNL's spin four-vector (s.k = 0, s.s = -1); summed over the HNL's spin it is 8 k.a.  The
mass of the other lepton drops out of the trace (the (1 - gamma5) on both sides removes it) and enters
only through kinematics.  For an outgoing anti-HNL (N-bar replacing a nu-bar) the projector is
(k-slash - m_N)(1 + gamma5 s-slash)/2 and k - m_N s becomes k + m_N s.

The longitudinal polarisation of the HNL along its momentum (in the frame where s is the helicity
vector) is therefore P = -sign m_N (s_h . a) / (k . a) with s_h = (|k|/m_N, E k_hat/m_N) and sign = +1
for N, -1 for N-bar: P -> -1 (left-handed N) and +1 (right-handed N-bar) as m_N -> 0.
"""

from __future__ import annotations

import numpy as np


def mdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minkowski product (metric +---) over the last axis."""
    return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)


def helicity_vector(k: np.ndarray, m: float) -> np.ndarray:
    """Spin four-vector s = (|k|/m, E k_hat/m) of helicity +1/2 for four-momenta k (..., 4), mass m > 0."""
    p = np.linalg.norm(k[..., 1:], axis=-1)
    safe = np.where(p > 0, p, 1.0)
    s = np.empty_like(k)
    s[..., 0] = p / m
    s[..., 1:] = (k[..., 0] / m / safe)[..., None] * k[..., 1:]
    # at rest: helicity undefined, take +z (never used: a parent at rest emits an HNL with |k| > 0)
    s[..., 3] = np.where(p > 0, s[..., 3], 1.0)
    return s


def a_vector_current(H: np.ndarray, q: np.ndarray) -> np.ndarray:
    """a = 2 (H.q) H - (H.H) q for a real hadronic current H (..., 4) and lepton momentum q."""
    return 2.0 * mdot(H, q)[..., None] * H - mdot(H, H)[..., None] * q


def a_vector_meson(p_v: np.ndarray, q: np.ndarray, m_v: float, g_v: float) -> np.ndarray:
    """a summed over the polarisations of a vector meson of momentum p_v and constant g_V (GeV^2):
    sum eps_mu eps_nu^* = -g_mu nu + p_mu p_nu / m_V^2 gives a = g_V^2 [q + 2 (p_V.q) p_V / m_V^2]."""
    return g_v**2 * (q + 2.0 * mdot(p_v, q)[..., None] * p_v / m_v**2)


def trace_unpolarised(k: np.ndarray, a: np.ndarray) -> np.ndarray:
    """8 k.a: the trace summed over the HNL's spin."""
    return 8.0 * mdot(k, a)


def longitudinal_polarisation(k: np.ndarray, m_n: float, a: np.ndarray, anti: bool = False) -> np.ndarray:
    """P = -sign m_N (s_h.a)/(k.a) (module docstring), clipped to [-1, 1] against rounding."""
    s = helicity_vector(k, m_n)
    sign = -1.0 if anti else 1.0
    ka = mdot(k, a)
    pol = -sign * m_n * mdot(s, a) / np.where(ka != 0, ka, 1.0)
    return np.clip(np.where(ka != 0, pol, 0.0), -1.0, 1.0)
