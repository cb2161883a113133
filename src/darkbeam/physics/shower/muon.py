"""Muons in a thick target: mean ionisation loss and multiple scattering with the muon mass.

Stopping power: the Bethe equation for a heavy particle of charge 1 (PDG review "Passage of particles through
matter", eq. 34.5), per unit mass,

    -dE/dx = K (Z/A) / beta^2 [ (1/2) ln(2 m_e beta^2 gamma^2 W_max / I^2) - beta^2 - delta/2 ],
    W_max = 2 m_e beta^2 gamma^2 / (1 + 2 gamma m_e/M + (m_e/M)^2)          (PDG eq. 34.4),

K = 0.307075 MeV cm^2/mol.  Density effect: the general formula of Sternheimer and Peierls, Phys. Rev. B 3
(1971) 3681 (as in the Geant4 Physics Reference Manual, "density effect"): with X = log10(beta gamma),
C = 1 + 2 ln(I / hbar omega_p), hbar omega_p = 28.816 eV sqrt(rho <Z/A>),

    delta = 0 (X < X0),   4.606 X - C + a (X1 - X)^3 (X0 <= X <= X1),   4.606 X - C (X > X1),
    a = 4.606 (C/4.606 - X0) / (X1 - X0)^3,
    I < 100 eV: X1 = 2, X0 = 0.2 if C <= 3.681 else 0.326 C - 1.0;
    I >= 100 eV: X1 = 3, X0 = 0.2 if C <= 5.215 else 0.326 C - 1.5   (condensed media).  No shell or Barkas corrections: the formula is meant for
beta gamma > 0.1 (muon kinetic energy > ~0.5 MeV); below that the range is a negligible ~0.01 g/cm^2.

Radiative losses (bremsstrahlung, pair production, photonuclear: b(E) E in Groom, Mokhov, Striganov, At. Data
Nucl. Data Tables 78 (2001) 183) are neglected: the muon critical energy is ~350 GeV in iron, ~140 GeV in lead and
~600 GeV or more in graphite, aluminium and water, so b E is a few percent of the ionisation at 10-100 GeV in
lead and below ~1% at 10 GeV in light materials.  Knock-on electrons are part of the continuous loss (not
transported); muon decay in flight (c tau gamma = 660 m gamma) is neglected in a target.

Multiple scattering: Highland's width (PDG eq. 34.16) with the muon momentum and velocity.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.constants import M_E, M_MU
from darkbeam.physics.shower.materials import K_BETHE, ShowerMaterial


def muon_stopping_power(T, material: ShowerMaterial, mass: float = M_MU) -> np.ndarray:
    """Mean ionisation loss -dE/dx (GeV/cm) of a muon of kinetic energy T (GeV) (module docstring)."""
    T = np.asarray(T, dtype=np.float64)
    gam = 1.0 + T / mass
    bg2 = gam**2 - 1.0
    beta2 = bg2 / gam**2
    wmax = 2.0 * M_E * bg2 / (1.0 + 2.0 * gam * M_E / mass + (M_E / mass) ** 2)
    I = material.I
    delta = density_effect(np.log10(bg2) / 2.0, material)
    brk = 0.5 * np.log(2.0 * M_E * bg2 * wmax / I**2) - beta2 - 0.5 * delta
    return K_BETHE * material.Z_over_A / beta2 * np.maximum(brk, 1e-3) * material.density


def density_effect(X, material: ShowerMaterial) -> np.ndarray:
    """Sternheimer-Peierls delta(X = log10 beta gamma) for a condensed material (module docstring)."""
    I = material.I
    hw = 28.816e-9 * math.sqrt(material.density * material.Z_over_A)
    C = 1.0 + 2.0 * math.log(I / hw)
    if I < 100e-9:
        X1, X0 = 2.0, (0.2 if C <= 3.681 else 0.326 * C - 1.0)
    else:
        X1, X0 = 3.0, (0.2 if C <= 5.215 else 0.326 * C - 1.5)
    a = 4.606 * (C / 4.606 - X0) / (X1 - X0) ** 3
    X = np.asarray(X, dtype=np.float64)
    return np.where(X < X0, 0.0, np.where(X > X1, 4.606 * X - C, 4.606 * X - C + a * np.maximum(X1 - X, 0.0) ** 3))


def csda_range(T, material: ShowerMaterial, mass: float = M_MU, n: int = 2000) -> np.ndarray:
    """Continuous-slowing-down range (cm) of muons of kinetic energy T (GeV): int_0^T dT'/S(T'), from 1 keV."""
    T = np.atleast_1d(np.asarray(T, dtype=np.float64))
    out = np.empty_like(T)
    for i, t in enumerate(T):
        g = np.geomspace(1e-6, t, n)
        inv = 1.0 / muon_stopping_power(g, material, mass)
        out[i] = np.trapezoid(inv * g, np.log(g))
    return out


def highland_theta0(p, beta, x_over_X0):
    """Highland's plane-projected width (PDG eq. 34.16), momentum p (GeV), for any particle of charge 1."""
    xr = np.maximum(x_over_X0, 1e-12)
    return 0.0136 / (beta * p) * np.sqrt(xr) * np.maximum(1.0 + 0.038 * np.log(xr / beta**2), 0.0)
