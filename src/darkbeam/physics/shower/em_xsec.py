"""Standard-model cross sections of an electromagnetic shower (GeV, cm^2 per atom or per electron).

Bremsstrahlung and pair production with atomic screening: Y.S. Tsai, Rev. Mod. Phys. 46 (1974) 815,
eqs. 3.9 (bremsstrahlung) and 3.16 (pair production), with the Thomas-Fermi screening functions of
eqs. 3.38-3.41 (the same parametrisation as Geant4's G4eBremsstrahlungRelModel without LPM):

    phi1(g) = 20.863 - 2 ln[1 + (0.55846 g)^2] - 4 [1 - 0.6 exp(-0.9 g) - 0.4 exp(-1.5 g)],
    phi2(g) = phi1(g) - (2/3) / (1 + 6.5 g + 6 g^2),
    psi1(e) = 28.340 - 2 ln[1 + (3.621 e)^2] - 4 [1 - 0.7 exp(-8 e) - 0.3 exp(-29.2 e)],
    psi2(e) = psi1(e) - (2/3) / (1 + 40 e + 400 e^2),

g = 100 m_e k / (E E' Z^1/3), e = 100 m_e k / (E E' Z^2/3) (E, E' the lepton energies).  With
y = k/E (bremsstrahlung),

    dsigma/dk = alpha r_e^2 / k { (4/3 - 4/3 y + y^2) [Z^2 (phi1 - 4/3 ln Z - 4 f) + Z (psi1 - 8/3 ln Z)]
                                  + (2/3)(1 - y) [Z^2 (phi1 - phi2) + Z (psi1 - psi2)] },

and with x = E+/k (pair production),

    dsigma/dx = alpha r_e^2 { (x^2 + (1-x)^2) [Z^2 (phi1 - 4/3 ln Z - 4 f) + Z (psi1 - 8/3 ln Z)]
                             + (2/3) x (1-x) [Z^2 (phi2 - 4/3 ln Z - 4 f) + Z (psi2 - 8/3 ln Z)] }.

At complete screening (g, e -> 0) these reduce to Tsai's eqs. 3.83 and 3.84 (PDG eqs. 34.29, 34.31),
which the tests check.  The Coulomb correction f(Z) is applied at all energies (it overestimates
the correction below ~50 MeV; a few per cent there) and the LPM effect is neglected (it matters
above ~TeV in lead).

Compton scattering on free electrons: Klein-Nishina.  Positron annihilation in flight e+ e- -> 2 gamma on
electrons at rest: Heitler, The Quantum Theory of Radiation (1954), as written in the Geant4 Physics
Reference Manual (G4eeToTwoGammaModel).  Photoelectric absorption and Rayleigh scattering are neglected:
above the 1 MeV default cut they are below 2% of the attenuation except in W and Pb (photoelectric
~25% at 1 MeV, ~5% at 3 MeV), where they matter only for the last MeV of the shower.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.constants import ALPHA_EM, M_E
from darkbeam.physics.shower.materials import R_E_CM, coulomb_correction

_AR2 = ALPHA_EM * R_E_CM**2


def screening_functions(gam, eps):
    """Tsai's (phi1, phi2, psi1, psi2), RMP 46 (1974) 815 eqs. 3.38-3.41."""
    gam = np.asarray(gam, dtype=np.float64)
    eps = np.asarray(eps, dtype=np.float64)
    phi1 = 20.863 - 2.0 * np.log1p((0.55846 * gam) ** 2) - 4.0 * (1.0 - 0.6 * np.exp(-0.9 * gam) - 0.4 * np.exp(-1.5 * gam))
    phi2 = phi1 - (2.0 / 3.0) / (1.0 + 6.5 * gam + 6.0 * gam**2)
    psi1 = 28.340 - 2.0 * np.log1p((3.621 * eps) ** 2) - 4.0 * (1.0 - 0.7 * np.exp(-8.0 * eps) - 0.3 * np.exp(-29.2 * eps))
    psi2 = psi1 - (2.0 / 3.0) / (1.0 + 40.0 * eps + 400.0 * eps**2)
    return phi1, phi2, psi1, psi2


def _screened_terms(Z, k, E1, E2):
    """[Z^2 (phi_i - 4/3 lnZ - 4f) + Z (psi_i - 8/3 lnZ)] for i = 1, 2, and the differences."""
    lnZ = math.log(Z)
    delta = 100.0 * M_E * k / (E1 * E2)
    phi1, phi2, psi1, psi2 = screening_functions(delta * Z ** (-1.0 / 3.0), delta * Z ** (-2.0 / 3.0))
    f = float(coulomb_correction(Z))
    t1 = Z**2 * (phi1 - 4.0 / 3.0 * lnZ - 4.0 * f) + Z * (psi1 - 8.0 / 3.0 * lnZ)
    t2 = Z**2 * (phi2 - 4.0 / 3.0 * lnZ - 4.0 * f) + Z * (psi2 - 8.0 / 3.0 * lnZ)
    return np.maximum(t1, 0.0), np.maximum(t2, 0.0)


def brem_dsigma_dk(Z: float, E, k):
    """Bremsstrahlung e N -> e N gamma: dsigma/dk (cm^2/GeV per atom) for a lepton of total energy E
    emitting a photon of energy k (Tsai eq. 3.9, module docstring)."""
    E = np.asarray(E, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    E2 = E - k
    ok = (k > 0) & (E2 > M_E)
    E2s = np.where(ok, E2, 1.0)
    ks = np.where(ok, k, 1.0)
    y = ks / E
    t1, t2 = _screened_terms(Z, ks, E, E2s)
    val = _AR2 / ks * ((4.0 / 3.0 - 4.0 / 3.0 * y + y**2) * t1 + (2.0 / 3.0) * (1.0 - y) * (t1 - t2))
    return np.where(ok, np.maximum(val, 0.0), 0.0)


def pair_dsigma_dx(Z: float, k, x):
    """Pair production gamma N -> e+ e- N: dsigma/dx (cm^2 per atom), x = E+/k (Tsai eq. 3.16)."""
    k = np.asarray(k, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    Ep, Em = x * k, (1.0 - x) * k
    ok = (Ep > M_E) & (Em > M_E)
    t1, t2 = _screened_terms(Z, k, np.where(ok, Ep, 1.0), np.where(ok, Em, 1.0))
    val = _AR2 * ((x**2 + (1.0 - x) ** 2) * t1 + (2.0 / 3.0) * x * (1.0 - x) * t2)
    return np.where(ok, np.maximum(val, 0.0), 0.0)


def klein_nishina_dsigma_deps(k, eps):
    """Klein-Nishina dsigma/d(eps) per electron (cm^2), eps = k'/k in [1/(1+2 kappa), 1], kappa = k/m_e:
    dsigma/deps = pi r_e^2 / kappa [1/eps + eps - sin^2 theta], cos theta = 1 - (1-eps)/(kappa eps)
    (Klein & Nishina 1929; Geant4 Physics Reference Manual, G4KleinNishinaCompton)."""
    kappa = np.asarray(k, dtype=np.float64) / M_E
    eps = np.asarray(eps, dtype=np.float64)
    cos = 1.0 - (1.0 - eps) / (kappa * eps)
    val = math.pi * R_E_CM**2 / kappa * (1.0 / eps + eps - 1.0 + cos**2)
    return np.where(eps * (1.0 + 2.0 * kappa) >= 1.0 - 1e-12, val, 0.0)


def klein_nishina_total(k):
    """Klein-Nishina total cross section per electron (cm^2), closed form (e.g. PDG; Heitler 1954):
    sigma = 2 pi r_e^2 { (1+a)/a^2 [2(1+a)/(1+2a) - ln(1+2a)/a] + ln(1+2a)/(2a) - (1+3a)/(1+2a)^2 }."""
    a = np.asarray(k, dtype=np.float64) / M_E
    L = np.log1p(2.0 * a)
    return 2.0 * math.pi * R_E_CM**2 * ((1 + a) / a**2 * (2 * (1 + a) / (1 + 2 * a) - L / a) + L / (2 * a)
                                        - (1 + 3 * a) / (1 + 2 * a) ** 2)


def heitler_eps_range(E):
    """Range [eps_min, eps_max] of the photon energy fraction eps = k1/(E + m_e) in e+ e- -> 2 gamma for a
    positron of total energy E on an electron at rest."""
    g = np.asarray(E, dtype=np.float64) / M_E
    emin = 0.5 * (1.0 - np.sqrt((g - 1.0) / (g + 1.0)))
    return emin, 1.0 - emin


def heitler_dsigma_deps(E, eps):
    """Heitler's e+ e- -> 2 gamma dsigma/d(eps) per electron (cm^2), E the positron total energy:
    pi r_e^2 / ((g+1)(g^2-1)) [S(eps) + S(1-eps)], S(e) = -(g+1)^2 + (g^2+4g+1)/e - 1/e^2 (Geant4 PRM,
    G4eeToTwoGammaModel).  eps and 1-eps describe the same pair of photons: integrated over the full
    range [eps_min, eps_max] this is twice the cross section, so the total is half its integral."""
    g = np.asarray(E, dtype=np.float64) / M_E
    eps = np.asarray(eps, dtype=np.float64)

    def S(e):
        return -((g + 1.0) ** 2) + (g**2 + 4 * g + 1) / e - 1.0 / e**2

    return math.pi * R_E_CM**2 / ((g + 1.0) * (g**2 - 1.0)) * (S(eps) + S(1.0 - eps))


def heitler_total(E):
    """Heitler total annihilation cross section per electron (cm^2), positron total energy E:
    pi r_e^2/(g+1) [ (g^2+4g+1)/(g^2-1) ln(g + sqrt(g^2-1)) - (g+3)/sqrt(g^2-1) ]."""
    g = np.asarray(E, dtype=np.float64) / M_E
    r = np.sqrt(g**2 - 1.0)
    return math.pi * R_E_CM**2 / (g + 1.0) * ((g**2 + 4 * g + 1) / (g**2 - 1) * np.log(g + r) - (g + 3) / r)


def complete_screening_brem_total(Z: float, E, kmin):
    """Tsai's complete-screening bremsstrahlung integrated over kmin < k < E (cm^2 per atom), with
    L_rad = ln(184.15 Z^-1/3), L'_rad = ln(1194 Z^-2/3) (RMP 46 eq. 3.83 integrated analytically):
    4 alpha r_e^2 { [Z^2 (L_rad - f) + Z L'_rad] (4/3 ln(E/kmin) - 4/3 (1-r) + (1-r^2)/2)
                    + (Z^2+Z)/9 (ln(E/kmin) - (1-r)) },  r = kmin/E."""
    E = np.asarray(E, dtype=np.float64)
    r = kmin / E
    L = math.log(184.15 * Z ** (-1.0 / 3.0))
    Lp = math.log(1194.0 * Z ** (-2.0 / 3.0))
    A = Z**2 * (L - float(coulomb_correction(Z))) + Z * Lp
    lg = np.log(1.0 / r)
    return 4.0 * _AR2 * (A * (4.0 / 3.0 * lg - 4.0 / 3.0 * (1.0 - r) + 0.5 * (1.0 - r**2)) + (Z**2 + Z) / 9.0 * (lg - (1.0 - r)))


def complete_screening_pair_total(Z: float):
    """Tsai's complete-screening pair cross section per atom (cm^2), RMP 46 eq. 3.84 integrated over x:
    4 alpha r_e^2 { 7/9 [Z^2 (L_rad - f) + Z L'_rad] - (Z^2 + Z)/54 }."""
    L = math.log(184.15 * Z ** (-1.0 / 3.0))
    Lp = math.log(1194.0 * Z ** (-2.0 / 3.0))
    A = Z**2 * (L - float(coulomb_correction(Z))) + Z * Lp
    return 4.0 * _AR2 * (7.0 / 9.0 * A - (Z**2 + Z) / 54.0)
