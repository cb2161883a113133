"""One-loop radiative corrections to neutrino-electron elastic scattering (Standard Model).

Source: J. N. Bahcall, M. Kamionkowski, A. Sirlin, "Solar neutrinos: radiative corrections in
neutrino-electron scattering experiments", Phys. Rev. D 51, 6146 (1995) (BKS), Appendix A (electroweak
effective couplings, built on Sarantakos, Sirlin, Marciano, Nucl. Phys. B 217, 84 (1983) and Marciano,
Sirlin PRD 22, 2695 (1980)) and Appendix B (QED corrections to the recoil-electron spectrum, after Lee
and Sirlin 1964 and Ram 1967).  Derivation notes and validation: docs/rare_scattering.md, section 2a.

**Electroweak part** (BKS eq. A1-A3).  The tree couplings C_L = -1/2 + s^2 + delta_{alpha e},
C_R = s^2 (darkbeam's neutrino convention, physics/nu_electron.py) become

    C_L = rho_NC (-1/2 + kappa_alpha(T) s^2) + delta_{alpha e},   C_R = rho_NC kappa_alpha(T) s^2,

with s^2 = sin^2 theta_W(M_Z) in MSbar (``SW2_MSBAR_MZ``; BKS used 0.2317), rho_NC = 1.0126 and

    kappa_e(T) = 0.9791 + 0.0097 I(T)   (nu_e, nu_e_bar: the W box and vertex of the charged current
                                        are folded into kappa),
    kappa_mu(T) = 0.9970 - 0.00037 I(T) (nu_mu, nu_tau and antineutrinos),
    I(T) = (1/6) [1/3 + (3 - x^2) ((x/2) ln((x + 1)/(x - 1)) - 1)],   x = sqrt(1 + 2 m_e/T),

I(T) the q^2 = -2 m_e T dependence of the electron vacuum-polarisation loop (I -> 0 as T -> 0).  The
BKS numbers hold for q^2 << m_mu^2; at GeV recoils (q^2 up to ~0.02 GeV^2 at CHARM-II) the muon and
hadron loops would start to run as well: an O(alpha/pi q^2/m_mu^2 / 15) ~ 1e-4 change of kappa that is
neglected (stated in the docs).

**QED part** (BKS Appendix B): with z = T/E_nu, E_e = T + m_e, l = |p_e|, beta = l/E_e,

    dsigma/dT = (2 G_F^2 m_e/pi) [C_L^2 (1 + (alpha/pi) f_-(z)) + C_R^2 ((1 - z)^2 + (alpha/pi) F_+(z))
                                  - C_L C_R (m_e z/E_nu) (1 + (alpha/pi) f_+-(z))],

F_+ = (1 - z)^2 f_+ (functions :func:`qed_f_minus`, :func:`qed_F_plus`, :func:`qed_f_pm`); for
antineutrinos C_L and C_R swap (the f_- term goes with the coupling of the helicity-conserving
(1 - z)^0 structure).  This is the spectrum in the *electron* energy with real photons integrated
out; the electron-energy logarithms ln(2 E_e/m_e) it carries cancel in the total cross section (KLN,
tested).

**Combined electron + photon energy** (``radiative="calorimetric"``; docs/rare_scattering.md, section
2b).  A calorimeter adds the photons to the electron shower and measures nu = T + k (= E - E', the
neutrino's energy loss).  The O(alpha) spectra differ by the photons radiated by the final electron:
with the final-state (quasi-)collinear emission in the leading-logarithmic approximation the
electron spectrum is the combined one convolved with the electron's fragmentation function,
D(z) = delta(1 - z) + (alpha/2pi) L [P(z)]_+, P(z) = (1 + z^2)/(1 - z), whence

    dsigma_cal/dnu (nu) = dsigma_BKS/dT (T = nu)
                          - (alpha/2pi) int_0^1 dz P(z) [h(nu/z)/z - h(nu)],   h(T') = L(T') dsigma_0/dT(T'),

dsigma_0 the ``ew`` spectrum (zero above T_max) and L = f_0(T') = (E_e/l) ln((E_e + l)/m_e) - 1 at
the energy of the radiating system (BKS's soft-collinear function: L -> ln(2T'/m_e) - 1, the log of
the hard scale 2 m_e T' over m_e^2).  The subtraction integrates to zero over nu for every E (the
change of variables nu/z -> T' and int_0^1 [P]_+ = 0): **the total cross section equals BKS's
exactly** (tested).  It removes BKS's final-state logarithms: what remains is the initial-state
log, the same relative change -(2/3)(alpha/pi) ln E at every nu/E (tested: the shape-independent
mass singularity of a target electron at rest, KLN), plus non-logarithmic O(alpha/pi) terms that the
leading-log subtraction does not fix (docs: the size of a change L -> L + 1).  Passera, PRD 64,
113002 (2001), hep-ph/0011190, computed the combined spectrum exactly; his formulas could not be
read in this session.  Which spectrum: ``full`` for a detector that measures the electron alone,
``calorimetric`` for showers that contain the photons (CHARM-II, MINERvA, LAr TPCs), ``ew`` when
the QED part is not wanted.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import spence

from darkbeam import constants as C

#: the choices of ``NuElectronXsec(radiative=...)`` and ``--radiative``
RADIATIVE_CHOICES = ("none", "ew", "full", "calorimetric")
#: rho_NC of BKS Appendix A (eq. A2)
RHO_NC = 1.0126


def vacuum_polarisation_I(T) -> np.ndarray:
    """I(T) of BKS eq. A3 (dimensionless), T the electron kinetic energy in GeV; I(0) = 0."""
    T = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.sqrt(1.0 + 2.0 * C.M_E / T)
        big = x > 30.0  # T << m_e: series of (x/2) ln((x+1)/(x-1)) - 1 = 1/(3x^2) + 1/(5x^4) + 1/(7x^6)
        u = 1.0 / np.where(big, x, 2.0) ** 2
        ser = (3.0 - 1.0 / u) * (u / 3.0 + u**2 / 5.0 + u**3 / 7.0 + u**4 / 9.0)
        full = (3.0 - x**2) * (0.5 * x * np.log((x + 1.0) / (x - 1.0)) - 1.0)
        out = (1.0 / 3.0 + np.where(big, ser, full)) / 6.0
    return np.where(T > 0, out, 0.0)


def kappa(flavour: int, T) -> np.ndarray:
    """kappa_alpha(T) of BKS eq. A2 for flavour index 0 (nu_e) or 1, 2 (nu_mu, nu_tau)."""
    I = vacuum_polarisation_I(T)
    return 0.9791 + 0.0097 * I if flavour == 0 else 0.9970 - 0.00037 * I


def ew_couplings(flavour: int, T, sw2: float = C.SW2_MSBAR_MZ) -> tuple[np.ndarray, np.ndarray]:
    """(C_L, C_R) with the BKS electroweak corrections, darkbeam's neutrino convention (C_L < 0 for
    nu_mu), at recoil T (GeV); ``sw2`` = MSbar sin^2 theta_W(M_Z)."""
    k = kappa(flavour, T)
    cl = RHO_NC * (-0.5 + k * sw2) + (1.0 if flavour == 0 else 0.0)
    return cl, RHO_NC * k * sw2


def _L(x):
    """BKS's Spence function L(x) = int_0^x ln|1 - t|/t dt = -Li2(x) (scipy: spence(1 - x) = Li2(x))."""
    return -spence(1.0 - x)


def _kin(E, T):
    Ee = T + C.M_E
    l = np.sqrt(T * (T + 2.0 * C.M_E))
    z = T / E
    beta = l / Ee
    f0 = Ee / l * np.log((Ee + l) / C.M_E) - 1.0
    # ln(1 - z - m_e/(E_e + l)) -> -inf at the kinematic endpoint (integrable); clip at the last ulp
    arg = np.maximum(1.0 - z - C.M_E / (Ee + l), 1e-300)
    return z, beta, f0, np.log(arg), np.log1p(-z), np.log(z)


def qed_f_minus(E, T) -> np.ndarray:
    """f_-(z) of BKS Appendix B (coefficient of C_L^2 alpha/pi for neutrinos)."""
    z, beta, f0, lg, l1z, lz = _kin(E, T)
    return (f0 * (2.0 * lg - l1z - 0.5 * lz - 5.0 / 12.0) + 0.5 * (_L(z) - _L(beta)) - 0.5 * l1z**2
            - (11.0 / 12.0 + 0.5 * z) * l1z + z * (lz + 0.5 * np.log(2.0 * E / C.M_E))
            - (31.0 / 18.0 + lz / 12.0) * beta - 11.0 / 12.0 * z + z**2 / 24.0)


def qed_F_plus(E, T) -> np.ndarray:
    """(1 - z)^2 f_+(z) of BKS Appendix B (coefficient of C_R^2 alpha/pi for neutrinos)."""
    z, beta, f0, lg, l1z, lz = _kin(E, T)
    w = (1.0 - z) ** 2
    return (f0 * (w * (2.0 * lg - l1z - 0.5 * lz - 2.0 / 3.0) - 0.5 * (z**2 * lz + 1.0 - z))
            - 0.5 * w * (l1z**2 + beta * (_L(1.0 - z) - lz * l1z))
            + l1z * (0.5 * z**2 * lz + (1.0 - z) / 3.0 * (2.0 * z - 0.5))
            - 0.5 * z**2 * _L(1.0 - z) - z * (1.0 - 2.0 * z) / 3.0 * lz - z * (1.0 - z) / 6.0
            - beta / 12.0 * (lz + (1.0 - z) * (115.0 - 109.0 * z) / 6.0))


def qed_f_pm(E, T) -> np.ndarray:
    """f_+-(z) of BKS Appendix B (coefficient of the C_L C_R m_e z/E term)."""
    _, _, f0, lg, _, _ = _kin(E, T)
    return 2.0 * f0 * lg


def fsr_log(T) -> np.ndarray:
    """L(T) = f_0 of BKS at electron kinetic energy T (GeV): (E_e/l) ln((E_e + l)/m_e) - 1 (0 at T = 0)."""
    T = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        l = np.sqrt(T * (T + 2.0 * C.M_E))
        # (E_e + l)/m_e = 1 + (T + l)/m_e: log1p keeps T << m_e accurate
        f = (T + C.M_E) / l * np.log1p((T + l) / C.M_E) - 1.0
    return np.where(T > 0, f, 0.0)


#: Gauss-Legendre nodes for the final-state convolution in u = ln z (two panels of 4: within 4e-7 of
#: 2 x 24 nodes at recoils >= 0.01 T_max, tested; the integrand is smooth in ln z)
_U_NODES, _U_WEIGHTS = np.polynomial.legendre.leggauss(4)


def fsr_subtraction(T, tree_spectrum, t_max) -> np.ndarray:
    """(alpha/2pi) int_0^1 dz P(z) [h(T/z)/z - h(T)] of the module docstring, h = fsr_log x
    ``tree_spectrum``, h = 0 above ``t_max``.  ``tree_spectrum(T')`` takes T' of shape T.shape + (n,);
    ``t_max`` broadcasts with T.  In u = ln z on [ln z0, 0], z0 = T/t_max (dz/z = du); the part
    z < z0, where h(T/z) = 0, is closed: -h(T) [-2 ln(1 - z0) - z0 - z0^2/2]."""
    T = np.asarray(T, dtype=float)
    T, tmax = np.broadcast_arrays(T, np.asarray(t_max, dtype=float))
    inside = (T > 0) & (T < tmax)
    Ts = np.where(inside, T, 0.5 * tmax)  # keep the arithmetic finite outside; masked at the end
    z0 = Ts / tmax
    h0 = fsr_log(Ts) * tree_spectrum(Ts[..., None])[..., 0]
    lo = np.log(z0)
    acc = np.zeros(Ts.shape)
    for a, b in ((lo, 0.5 * lo), (0.5 * lo, np.zeros(Ts.shape))):
        half, mid = 0.5 * (b - a), 0.5 * (b + a)
        u = mid[..., None] + half[..., None] * _U_NODES
        z = np.exp(u)
        Tp = np.minimum(Ts[..., None] / z, tmax[..., None])
        hp = fsr_log(Tp) * tree_spectrum(Tp)
        P = (1.0 + z**2) / -np.expm1(u)
        acc = acc + half * np.sum(_U_WEIGHTS * P * (hp - z * h0[..., None]), axis=-1)
    closed = -h0 * (-2.0 * np.log1p(-z0) - z0 - 0.5 * z0**2)
    return np.where(inside, C.ALPHA_EM / (2.0 * math.pi) * (acc + closed), 0.0)


def dsigma_bracket(E, T, a, b, qed: bool) -> np.ndarray:
    """The bracket [a^2 (1 + .. f_-) + b^2 ((1-z)^2 + .. F_+) - a b (m_e z/E)(1 + .. f_+-)] (a, b the
    couplings after the antineutrino swap); without ``qed`` the tree-level bracket."""
    y = T / E
    if not qed:
        return a**2 + b**2 * (1.0 - y) ** 2 - a * b * C.M_E * T / E**2
    k = C.ALPHA_EM / math.pi
    return (a**2 * (1.0 + k * qed_f_minus(E, T)) + b**2 * ((1.0 - y) ** 2 + k * qed_F_plus(E, T))
            - a * b * C.M_E * T / E**2 * (1.0 + k * qed_f_pm(E, T)))
