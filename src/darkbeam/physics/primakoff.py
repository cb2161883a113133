"""Primakoff production of an axion-like particle on a nucleus: gamma N -> a N through the Coulomb field.

With L = -(g_agg/4) a F Ftilde and a spin-0 nucleus of charge Z and charge form factor F, neglecting
the nuclear recoil (Tsai, Phys. Rev. D 34, 1326 (1986); the form of Dobrich, Jaeckel, Kahlhoefer,
Ringwald, Spray, JHEP 02 (2016) 018, arXiv:1512.03069, eq. 2.1):

    dsigma/dtheta = (1/4) g_agg^2 alpha Z^2 F(|t|)^2 |p_a|^4 sin^3(theta) / t^2,
    |t| = 2 E (E - |p_a| cos(theta)) - m_a^2,   |p_a| = sqrt(E^2 - m_a^2),

theta the angle between the ALP and the photon in the lab, E the photon energy (E_a = E).  It is
tested against the exact 2 -> 2 cross section of a heavy spin-0 nucleus (the Gram determinant of
(k, q, K), docs/dark_matter.md).  Atomic screening (important for m_a -> 0 at small |t|) is not
included: F is the nuclear charge form factor only (:mod:`darkbeam.physics.form_factors`).
Units: GeV, g_agg in GeV^-1, cross sections in cm^2.
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.units import HBARC2_GEV2_CM2


def momentum_transfer(E, m_a: float, theta):
    """|t| (GeV^2) of gamma(E) -> a(theta) with no recoil: 2 E (E - p_a cos theta) - m_a^2."""
    E = np.asarray(E, dtype=float)
    p = np.sqrt(np.clip(E**2 - m_a**2, 0.0, None))
    return 2.0 * E * (E - p * np.cos(theta)) - m_a**2


def dsigma_dtheta(E, theta, *, m_a: float, g_agg: float, Z: int, form_factor=None):
    """dsigma/dtheta (cm^2/rad) of gamma N -> a N (module docstring); ``form_factor(Q2)`` -> F (None: 1)."""
    E = np.asarray(E, dtype=float)
    theta = np.asarray(theta, dtype=float)
    p2 = E**2 - m_a**2
    t = momentum_transfer(E, m_a, theta)
    F2 = 1.0 if form_factor is None else np.asarray(form_factor(t), dtype=float) ** 2
    ts = np.where(t > 0, t, 1.0)
    val = 0.25 * g_agg**2 * C.ALPHA_EM * Z**2 * F2 * np.clip(p2, 0.0, None) ** 2 * np.sin(theta) ** 3 / ts**2
    return np.where((p2 > 0) & (t > 0), val, 0.0) * HBARC2_GEV2_CM2


def sigma(E, *, m_a: float, g_agg: float, Z: int, form_factor=None, n: int = 400) -> np.ndarray:
    """Total Primakoff cross section (cm^2) for photon energies E (GeV): dsigma/dtheta integrated over
    0 < theta < pi in the variable log(theta) (the integrand peaks at theta ~ m_a^2/(2 E^2))."""
    E = np.atleast_1d(np.asarray(E, dtype=float))
    x, w = np.polynomial.legendre.leggauss(n)
    out = np.zeros_like(E)
    for i, e in enumerate(E):
        if e <= m_a:
            continue
        th0 = max(1e-3 * max(m_a, 1e-6) ** 2 / (2 * e * e), 1e-12)
        a, b = np.log(th0), np.log(np.pi)
        th = np.exp(a + (b - a) * 0.5 * (x + 1.0))
        out[i] = np.sum(w * 0.5 * (b - a) * th * dsigma_dtheta(e, th, m_a=m_a, g_agg=g_agg, Z=Z, form_factor=form_factor))
    return out
