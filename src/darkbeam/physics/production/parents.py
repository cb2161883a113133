"""Data of the decaying parents of the meson-decay wing: lifetimes (total widths), the Standard-Model
branching ratios that normalise some channels, the CKM matrix and the K_l3 form factors.

Sources (all PDG 2024 = S. Navas et al. (Particle Data Group), Phys. Rev. D 110, 030001 (2024),
summary tables, unless stated):

* mean lives: pi+- 2.6033e-8 s, B+- 1.638e-12 s, B0 1.517e-12 s, K+- 1.2380e-8 s, K_L 5.116e-8 s, D+- 1.033e-12 s, D_s+- 5.01e-13 s,
  tau 2.903e-13 s, mu 2.1969811e-6 s; total widths of the short-lived neutral mesons: pi0 7.81 eV
  (tau = 8.43e-17 s), eta 1.31 keV, eta' 0.188 MeV, omega 8.68 MeV.  Gamma = hbar / tau.
* Br(pi0 -> gamma gamma) = 98.823 %, Br(eta -> gamma gamma) = 39.36 %, Br(eta' -> gamma gamma) = 2.307 %,
  Br(omega -> pi0 gamma) = 8.35 %.
* CKM: Wolfenstein parameters lambda = 0.22501, A = 0.826, rhobar = 0.1591, etabar = 0.3523 (PDG 2024
  review "CKM quark-mixing matrix", eq. 12.26), turned into the standard parametrisation exactly by
  that review's eqs. 12.2-12.5 (:func:`ckm_matrix`); the complex V_td V_ts^* enters K -> pi S.
* K_l3: |V_us| f_+(0) = 0.21654 (PDG 2024 review "V_ud, V_us, the Cabibbo angle and CKM unitarity",
  from the FlaviaNet-style K_l3 average), i.e. f_+^{K0 pi-}(0); the K+ pi0 form factor is larger by
  the isospin-breaking 1 + delta_SU(2)^{K+} = 1.0252 (same review; Cirigliano et al., Rev. Mod. Phys.
  84 (2012) 399, with the lattice update quoted there); the short-distance electroweak correction
  S_EW = 1.0232 (Sirlin, Nucl. Phys. B196 (1982) 83) multiplies every semileptonic rate.  Linear
  slopes lambda_+ = 0.0282 (K_e3) and lambda_0 = 0.0138 (K_mu3) of f_+(t) = f_+(0)(1 + lambda_+
  t/m_pi+^2), f_0(t) = f_+(0)(1 + lambda_0 t/m_pi+^2) (PDG 2024 K_L form factors, linear fits;
  the K+ values agree within their errors and are not used separately).
* D -> K: f_+^{DK}(0) = 0.7385 (FLAG 2021, Aoki et al. 2111.09849, N_f = 2+1+1) with |V_cs| of
  constants.py; single-pole shapes f_+(t) = f_+(0)/(1 - t/m_pole^2) with the measured m_pole = 1.921
  GeV (BESIII, PRD 92 (2015) 072012, D0 -> K- e+ nu; the vector-dominance m_{D_s*} = 2.112 GeV gives
  rates 5-8 % below the PDG ones) and f_0(t) = f_+(0)/(1 - t/m_{D_s0*}^2), m_{D_s0*(2317)} = 2.3178
  GeV (PDG 2024; f_0 matters only through m_l^2 and m_N^2); no S_EW for D (tree level).  D0 mean
  life 4.103e-13 s (PDG 2024).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.units import HBAR_GEV_S

#: mean lives in s (PDG 2024)
LIFETIME_S: dict[str, float] = {
    "pi+": 2.6033e-8, "pi-": 2.6033e-8,
    "K+": 1.2380e-8, "K-": 1.2380e-8, "K0_L": 5.116e-8,
    "D+": 1.033e-12, "D-": 1.033e-12, "D_s+": 5.01e-13, "D_s-": 5.01e-13,
    "D0": 4.103e-13, "D0_bar": 4.103e-13,
    "B+": 1.638e-12, "B-": 1.638e-12, "B0": 1.517e-12, "B0_bar": 1.517e-12,
    "tau-": 2.903e-13, "tau+": 2.903e-13, "mu-": 2.1969811e-6, "mu+": 2.1969811e-6,
}
#: total widths in GeV of short-lived parents (PDG 2024)
_TOTAL_WIDTH_GEV: dict[str, float] = {"pi0": 7.81e-9, "eta": 1.31e-6, "eta'": 0.188e-3, "omega": 8.68e-3}

#: Standard-Model branching ratios used to normalise dark-photon production (PDG 2024)
BR_PI0_GG = 0.98823
BR_ETA_GG = 0.3936
BR_ETAP_GG = 0.02307
BR_OMEGA_PI0G = 0.0835

#: K_l3 normalisation and form-factor slopes (module docstring)
VUS_FPLUS0 = 0.21654
DELTA_SU2_KPLUS = 0.0252
S_EW = 1.0232
LAMBDA_PLUS = 0.0282
LAMBDA_ZERO = 0.0138

#: D -> K form factor (module docstring)
FPLUS0_DK = 0.7385
M_POLE_DK = 1.921
M_DS0STAR = 2.3178

#: Wolfenstein parameters (PDG 2024, eq. 12.26)
WOLFENSTEIN = {"lambda": 0.22501, "A": 0.826, "rhobar": 0.1591, "etabar": 0.3523}


def total_width(parent: str) -> float:
    """Total width (GeV) of a parent label ('K+', 'pi0', 'tau-', ...); KeyError if unknown."""
    if parent in _TOTAL_WIDTH_GEV:
        return _TOTAL_WIDTH_GEV[parent]
    return HBAR_GEV_S / LIFETIME_S[parent]


def ckm_matrix() -> np.ndarray:
    """The complex 3x3 CKM matrix (rows u, c, t; columns d, s, b) from the Wolfenstein parameters,
    exact to all orders (PDG 2024 CKM review eqs. 12.2-12.5)."""
    lam, A, rb, eb = (WOLFENSTEIN[k] for k in ("lambda", "A", "rhobar", "etabar"))
    s12 = lam
    s23 = A * lam**2
    rho_eta = rb + 1j * eb
    s13e = A * lam**3 * rho_eta * np.sqrt(1 - A**2 * lam**4) / (np.sqrt(1 - lam**2) * (1 - A**2 * lam**4 * rho_eta))
    s13 = abs(s13e)
    e_id = s13e / s13  # e^{i delta}
    c12, c23, c13 = np.sqrt(1 - s12**2), np.sqrt(1 - s23**2), np.sqrt(1 - s13**2)
    e_mid = np.conj(e_id)
    return np.array([
        [c12 * c13, s12 * c13, s13 * e_mid],
        [-s12 * c23 - c12 * s23 * s13 * e_id, c12 * c23 - s12 * s23 * s13 * e_id, s23 * c13],
        [s12 * s23 - c12 * c23 * s13 * e_id, -c12 * s23 - s12 * c23 * s13 * e_id, c23 * c13],
    ])


def kl3_form_factors(t, m_parent: float, m_daughter: float):
    """(f_+(t), f_-(t)) / f_+(0) of K -> pi l nu in the linear parametrisation (module docstring);
    f_- = (f_0 - f_+)(m_K^2 - m_pi^2)/t (PDG 2024 K+- form-factor note)."""
    t = np.asarray(t, dtype=float)
    fp = 1.0 + LAMBDA_PLUS * t / C.M_PI**2
    f0 = 1.0 + LAMBDA_ZERO * t / C.M_PI**2
    # (f0 - fp)/t is a constant for linear form factors: no 0/0 at t = 0
    fm = (LAMBDA_ZERO - LAMBDA_PLUS) / C.M_PI**2 * (m_parent**2 - m_daughter**2) * np.ones_like(t)
    return fp, fm


def dk_form_factors(t, m_parent: float, m_daughter: float):
    """(f_+(t), f_-(t)) / f_+(0) of D -> K l nu, single poles (module docstring).  f_- = (f_0 - f_+)
    (m_D^2 - m_K^2)/t is written without the 0/0 at t = 0: f_0 - f_+ = b/(b - t) - a/(a - t) =
    t (a - b)/((a - t)(b - t)) with a = m_pole^2, b = m_{D_s0*}^2."""
    t = np.asarray(t, dtype=float)
    a, b = M_POLE_DK**2, M_DS0STAR**2
    return a / (a - t), (a - b) * (m_parent**2 - m_daughter**2) / ((a - t) * (b - t))
