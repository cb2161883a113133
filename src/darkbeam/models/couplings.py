"""Couplings derived from :class:`ModelParameters`: coupling algebra only, no widths.

Conventions (derivation in docs/couplings.md):

* A vector boson V couples to a charged fermion f as  L ⊃ V_mu fbar gamma^mu (gV - gA gamma5) f,
  and to neutral leptons as  L ⊃ V_mu nubar_a gamma^mu P_L nu_b * c_ab  (Z) or  d_ab  (Z').
* Kinetic and mass mixing of a U(1)_X boson with hypercharge are diagonalised exactly at tree level
  (Babu, Kolda, March-Russell hep-ph/9710441, eqs. 2-12; DarkNews 2207.04137 app. A).  With
  t = tan(chi), r = m_Z'^2/m_Z^2 and mass-mixing parameter epsZ:

      tan 2 beta = (s_W sin 2chi + 2 epsZ cos chi) / (cos^2 chi - s_W^2 sin^2 chi - r - 2 epsZ s_W sin chi)

  and beta is taken on the principal branch |beta| < pi/4, so that the state called Z' stays the
  mostly-X state also for m_Z' > m_Z (DarkNews picks the other branch there: its issue 40).
  The physical Z' = cos(beta) X - sin(beta) Z0 couples to

      c_beta (-t e c_W) J_EM + (g/c_W) (c_beta t s_W - s_beta) J_Z + c_beta g_D J_D + c_beta g_X J_X

  with J_Z = fbar gamma (T3 P_L - Q s_W^2) f.  For m_Z' << m_Z this is e epsilon Q_f with
  epsilon = chi c_W (up to a sign convention that has no observable effect); for m_Z' >> m_Z the Z'
  couples to hypercharge.
* Comparing with DarkNews 0.4.8: ``darknews_couplings(params)`` reproduces its numbers (s_W^2 =
  0.22343, g = sqrt(8 G_F M_W^2/sqrt 2)); its light-Z' coupling is then e*epsilon*1.019 (g s_W is
  not e(alpha(0))).  Its quark couplings duV, ddV (and so dprotonV, dneutronV) carry the opposite
  overall sign to ours: darkbeam's Z' couplings are proportional to Q_f for every fermion at small
  m_Z' (the electron and the proton couple with opposite signs), DarkNews's electron and proton
  couple with the same sign.  This only matters where a Z' amplitude on quarks interferes with
  another amplitude (Z-Z' interference in upscattering).
* Neutral leptons: the light neutrinos are kept in the flavour basis (e, mu, tau) and the HNLs in the
  mass basis, as in DarkNews (2207.04137 eqs. 2.4-2.8): with C = U_a^T U_a (active) and D = U_D U_D^T,

      c_{alpha i} = +(g/2c_W) k_Z U_{alpha i} - g_D s_beta (U D)_{alpha i},
      d_{alpha i} = +(g/2c_W) k_X U_{alpha i} - g_D c_beta (U D)_{alpha i} + c_beta g_X Q_alpha U_{alpha i},
      c_{ij} = (g/2c_W) k_Z C_ij + g_D s_beta D_ij,
      d_{ij} = (g/2c_W) k_X C_ij + g_D c_beta D_ij + c_beta g_X sum_alpha Q_alpha U_{alpha i} U_{alpha j},

  where k_Z = c_beta + t s_W s_beta and k_X = c_beta t s_W - s_beta.  The light-heavy couplings are
  those of the low-energy flavour state nu_alpha = sum over light mass states, obtained from unitarity
  (sum over ALL mass states k of U_alpha k X_k i = U_alpha i for the active current, 0 for the dark
  one since nu_alpha and nu_D are orthogonal): the active part is +U_alpha i, the dark part
  -(U D)_alpha i, of opposite sign.  DarkNews 0.4.8 gives the active (Z) part the sign of the dark
  part (it subtracts the light-state sum instead of the heavy one), which flips the sign of Z-Z'
  interference in its nu - N couplings; darkbeam follows the unitarity derivation.
* Transition magnetic moments mu_tr (GeV^-1): L = (mu_tr/2) nubar sigma^{mu nu} N F_{mu nu} + h.c.
* Scalar h': L = -sum_f sin(theta) (m_f/v) h' fbar f - sum y_ab h' nubar_a N_b + h.c.
  (Batell, Berger, Ismail 1909.11670 eq. 2 for the Higgs-portal part).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from darkbeam import constants as C
from darkbeam.models.parameters import ACTIVE, HNL_INDICES, ModelParameters
from darkbeam.models.zprime_charges import x_charge

#: electric charge Q, weak isospin T3 (of the left-handed component), B - L charge, colour factor
FERMIONS: dict[str, tuple[float, float, float, int]] = {
    "e": (-1.0, -0.5, -1.0, 1),
    "mu": (-1.0, -0.5, -1.0, 1),
    "tau": (-1.0, -0.5, -1.0, 1),
    "nu_e": (0.0, 0.5, -1.0, 1),
    "nu_mu": (0.0, 0.5, -1.0, 1),
    "nu_tau": (0.0, 0.5, -1.0, 1),
    "u": (2.0 / 3.0, 0.5, 1.0 / 3.0, 3),
    "c": (2.0 / 3.0, 0.5, 1.0 / 3.0, 3),
    "t": (2.0 / 3.0, 0.5, 1.0 / 3.0, 3),
    "d": (-1.0 / 3.0, -0.5, 1.0 / 3.0, 3),
    "s": (-1.0 / 3.0, -0.5, 1.0 / 3.0, 3),
    "b": (-1.0 / 3.0, -0.5, 1.0 / 3.0, 3),
}
#: L_mu - L_tau charges
_LMU_LTAU = {"mu": 1.0, "nu_mu": 1.0, "tau": -1.0, "nu_tau": -1.0}

#: fermion masses used in couplings to the scalar (GeV)
FERMION_MASS = {
    "e": C.M_E, "mu": C.M_MU, "tau": C.M_TAU,
    "u": C.M_U, "d": C.M_D, "s": C.M_S, "c": C.M_C, "b": C.M_B, "t": C.M_T,
    "nu_e": 0.0, "nu_mu": 0.0, "nu_tau": 0.0,
}


@dataclass(frozen=True)
class VectorCoupling:
    """L ⊃ V_mu fbar gamma^mu (gV - gA gamma5) f.  For neutrinos gV = gA (left-handed only)."""

    gV: float
    gA: float

    @property
    def gL(self) -> float:
        """coefficient of gamma^mu P_L: gV + gA"""
        return self.gV + self.gA

    @property
    def gR(self) -> float:
        """coefficient of gamma^mu P_R: gV - gA"""
        return self.gV - self.gA


@dataclass(frozen=True)
class Couplings:
    """All couplings of a model, computed once from a :class:`ModelParameters`.

    Attributes are numpy arrays indexed by flavour (0 = e, 1 = mu, 2 = tau) and HNL (0 = N4, ...).
    """

    params: ModelParameters
    sw2: float = field(default=C.SW2)
    #: SU(2) coupling override.  None: the G_F scheme (W and Z exchange normalised to G_F, e = e(alpha(0))
    #: in the photon-like couplings).  DarkNews uses g = sqrt(8 G_F M_W^2/sqrt 2) with s_W^2 = 0.22343
    #: for everything, also e = g s_W (its light-Z' coupling is then e*epsilon*1.019):
    #: :func:`darknews_couplings` sets this.
    g_weak_override: float | None = None
    #: reproduce DarkNews 0.4.8's sign of the active (Z-like) part of the nu_alpha - N couplings
    #: (opposite to the unitarity derivation, see the module docstring); for side-by-side checks only
    darknews_signs: bool = False

    # ---------------------------------------------------------- gauge sector
    @cached_property
    def sw(self) -> float:
        return float(np.sqrt(self.sw2))

    @cached_property
    def cw(self) -> float:
        return float(np.sqrt(1.0 - self.sw2))

    @cached_property
    def g_weak(self) -> float:
        """SU(2) coupling normalised to the Fermi constant, g^2/(8 M_W^2) = G_F/sqrt(2) (0.6528), unless
        overridden.  Used for W exchange."""
        if self.g_weak_override is not None:
            return float(self.g_weak_override)
        return C.G_WEAK

    @cached_property
    def gz(self) -> float:
        """Z coupling normalisation g/c_W, fixed by G_F: (g/c_W)^2/(8 M_Z^2) = G_F/sqrt(2) (rho = 1), so
        that low-energy neutral currents are G_F-normalised while T3 - Q s_W^2 uses ``sw2`` (the
        effective-coupling scheme of 1805.08567 and of the PDG's low-energy NC review).  With an
        overridden g (DarkNews's scheme) it is g/c_W."""
        if self.g_weak_override is not None:
            return float(self.g_weak_override) / self.cw
        return float(np.sqrt(4.0 * np.sqrt(2.0) * C.G_F) * C.M_Z)

    @cached_property
    def gz_mix(self) -> float:
        """g/c_W in the Z' couplings from kinetic mixing: the tree-level e/(s_W c_W), so that the mixing
        algebra (hypercharge coupling g' = e/c_W) is exact and a heavy Z' couples to g' chi Y.  With an
        overridden g (DarkNews's scheme) it is g/c_W."""
        if self.g_weak_override is not None:
            return float(self.g_weak_override) / self.cw
        return self.e / (self.sw * self.cw)

    @cached_property
    def e(self) -> float:
        """Electric charge in the Z' couplings: e(alpha(0)), or g s_W when g is overridden (DarkNews)."""
        if self.g_weak_override is not None:
            return float(self.g_weak_override) * self.sw
        return C.E_CHARGE

    @cached_property
    def gD(self) -> float:
        p = self.params
        if p.alphaD is not None:
            return float(np.sqrt(4.0 * np.pi * p.alphaD))
        return float(p.gD) if p.gD is not None else 0.0

    @cached_property
    def alphaD(self) -> float:
        return self.gD**2 / (4.0 * np.pi)

    @cached_property
    def dm_yield(self) -> float:
        """The yield variable Y = epsilon^2 alpha_D (m_chi/m_A')^4 of light dark matter (Izaguirre, Krnjaic,
        Schuster, Toro 1505.00011 eq. 3): the combination that fixes the relic abundance and, for
        m_A' >> m_chi, the rate of chi production times scattering.  0 without chi."""
        p = self.params
        if p.mchi is None or p.mzprime is None:
            return 0.0
        return float(self.epsilon**2 * self.alphaD * (p.mchi / p.mzprime) ** 4)

    @cached_property
    def chi(self) -> float:
        """Hypercharge kinetic-mixing parameter chi (epsilon = chi * c_W)."""
        p = self.params
        if p.chi is not None:
            return float(p.chi)
        if p.epsilon is not None:
            return float(p.epsilon) / self.cw
        if p.epsilon2 is not None:
            return float(np.sqrt(p.epsilon2)) / self.cw
        if p.alpha_epsilon2 is not None:
            return float(np.sqrt(p.alpha_epsilon2 / C.ALPHA_EM)) / self.cw
        return 0.0

    @cached_property
    def epsilon(self) -> float:
        """Effective kinetic mixing epsilon = chi * c_W (coupling e*epsilon*Q_f for m_Z' << m_Z)."""
        return self.chi * self.cw

    @cached_property
    def beta(self) -> float:
        """Z-Z' mixing angle on the principal branch (module docstring)."""
        p = self.params
        if p.mzprime is None:
            return 0.0
        chi_angle = np.arctan(self.chi)  # tan(chi_angle) = chi
        s, c = np.sin(chi_angle), np.cos(chi_angle)
        r = (p.mzprime / C.M_Z) ** 2
        num = self.sw * np.sin(2 * chi_angle) + 2 * p.epsilonZ * c
        den = c**2 - self.sw2 * s**2 - r - 2 * p.epsilonZ * self.sw * s
        if num == 0.0:
            return 0.0
        return float(0.5 * np.arctan(num / den))

    @cached_property
    def _kZ(self) -> float:
        return float(np.cos(self.beta) + self.chi * self.sw * np.sin(self.beta))

    @cached_property
    def _kX(self) -> float:
        return float(np.cos(self.beta) * self.chi * self.sw - np.sin(self.beta))

    def zprime_fermion(self, f: str) -> VectorCoupling:
        """Z' coupling to SM fermion ``f`` (a key of :data:`FERMIONS`)."""
        Q, T3, BL, _ = FERMIONS[f]
        cb = np.cos(self.beta)
        gz = self.gz_mix
        neutrino = f.startswith("nu")
        # J_Z part: (g/c_W) k_X (T3 P_L - Q s_W^2); P_L = (1 - g5)/2
        gV = gz * self._kX * (T3 / 2.0 - Q * self.sw2)
        gA = gz * self._kX * (T3 / 2.0)
        # J_EM part: c_beta (-t e c_W) Q   (t = chi)
        gV += -cb * self.chi * self.e * self.cw * Q
        # gauged U(1)_X part
        qx = self.charge_X(f)
        if qx:
            if neutrino:  # only the left-handed neutrino exists
                gV += cb * self.params.gX * qx / 2.0
                gA += cb * self.params.gX * qx / 2.0
            else:
                gV += cb * self.params.gX * qx
        return VectorCoupling(float(gV), float(gA))

    def z_fermion(self, f: str) -> VectorCoupling:
        """Z coupling to SM fermion ``f``, including the (tiny) shift from Z-Z' mixing."""
        Q, T3, _, _ = FERMIONS[f]
        sb = np.sin(self.beta)
        gz = self.gz
        gV = gz * self._kZ * (T3 / 2.0 - Q * self.sw2) - sb * self.chi * self.e * self.cw * Q
        gA = gz * self._kZ * (T3 / 2.0)
        return VectorCoupling(float(gV), float(gA))

    def charge_X(self, f: str) -> float:
        """Charge of fermion ``f`` under a gauged U(1)_X ('Le-Lmu', ..., 'B-3Ltau': the table of
        :mod:`darkbeam.models.zprime_charges`); 0 for 'dark'."""
        kind = self.params.zprime_charge
        if kind == "B-L":
            return FERMIONS[f][2]
        if kind == "Lmu-Ltau":
            return _LMU_LTAU.get(f, 0.0)
        return x_charge(kind, f)

    # ---------------------------------------------------------- neutral leptons
    @cached_property
    def U(self) -> np.ndarray:
        """Active-heavy mixing U_{alpha i}, shape (3, n_hnl)."""
        p = self.params
        return np.array([[getattr(p, f"U{a}{i}") for i in HNL_INDICES[: p.n_hnl]] for a in ACTIVE], dtype=float).reshape(3, p.n_hnl)

    @cached_property
    def UD(self) -> np.ndarray:
        """Dark-heavy mixing U_{D i}, shape (n_hnl,)."""
        p = self.params
        return np.array([getattr(p, f"UD{i}") for i in HNL_INDICES[: p.n_hnl]], dtype=float)

    @cached_property
    def _C(self) -> np.ndarray:
        return self.U.T @ self.U

    @cached_property
    def _D(self) -> np.ndarray:
        return np.outer(self.UD, self.UD)

    @cached_property
    def _QX(self) -> np.ndarray:
        """U(1)_X charges of the three neutrino flavours (zero for a purely dark Z')."""
        return np.array([self.charge_X(f"nu_{a}") for a in ACTIVE])

    @cached_property
    def c_light_heavy(self) -> np.ndarray:
        """Z coupling between nu_alpha (flavour) and N_i, shape (3, n) (module docstring)."""
        v = self.gz / 2 * (-1.0 if self.darknews_signs else 1.0)
        return v * self._kZ * self.U - self.gD * np.sin(self.beta) * (self.U @ self._D)

    @cached_property
    def d_light_heavy(self) -> np.ndarray:
        """Z' coupling between nu_alpha (flavour) and N_i, shape (3, n) (module docstring)."""
        v = self.gz_mix / 2 * (-1.0 if self.darknews_signs else 1.0)
        gx = np.cos(self.beta) * self.params.gX * self._QX[:, None] * self.U
        return v * self._kX * self.U - self.gD * np.cos(self.beta) * (self.U @ self._D) + gx

    @cached_property
    def c_heavy(self) -> np.ndarray:
        """Z coupling between N_i and N_j, shape (n, n)."""
        v = self.gz / 2
        return v * self._kZ * self._C + self.gD * np.sin(self.beta) * self._D

    @cached_property
    def d_heavy(self) -> np.ndarray:
        """Z' coupling between N_i and N_j, shape (n, n)."""
        v = self.gz_mix / 2
        gx = np.cos(self.beta) * self.params.gX * (self.U.T @ (self._QX[:, None] * self.U))
        return v * self._kX * self._C + self.gD * np.cos(self.beta) * self._D + gx

    def _pair_matrix(self, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        p = self.params
        n = p.n_hnl
        lh = np.array([[getattr(p, f"{prefix}{a}{i}") for i in HNL_INDICES[:n]] for a in ACTIVE], dtype=float).reshape(3, n)
        hh = np.zeros((n, n))
        for a in range(n):
            for b in range(a, n):
                hh[a, b] = hh[b, a] = getattr(p, f"{prefix}{HNL_INDICES[a]}{HNL_INDICES[b]}")
        return lh, hh

    @cached_property
    def mu_tr_light_heavy(self) -> np.ndarray:
        """Transition magnetic moments nu_alpha - N_i in GeV^-1, shape (3, n)."""
        return self._pair_matrix("mu_tr_")[0]

    @cached_property
    def mu_tr_heavy(self) -> np.ndarray:
        """Transition magnetic moments N_i - N_j in GeV^-1, symmetric, shape (n, n)."""
        return self._pair_matrix("mu_tr_")[1]

    @cached_property
    def s_light_heavy(self) -> np.ndarray:
        """h' Yukawa couplings nu_alpha - N_i, shape (3, n)."""
        return self._pair_matrix("s_")[0]

    @cached_property
    def s_heavy(self) -> np.ndarray:
        """h' Yukawa couplings N_i - N_j, symmetric, shape (n, n)."""
        return self._pair_matrix("s_")[1]

    def hprime_fermion(self, f: str) -> float:
        """Yukawa coupling of h' to SM fermion f: sin(theta) m_f / v (1909.11670 eq. 2)."""
        return float(np.sin(self.params.theta) * FERMION_MASS[f] / C.VEV)


def couplings(params: ModelParameters, sw2: float = C.SW2) -> Couplings:
    """The :class:`Couplings` of a parameter set, for a chosen sin^2 theta_W scheme."""
    return Couplings(params, sw2)


def darknews_couplings(params: ModelParameters, signs: bool = False) -> Couplings:
    """Couplings in DarkNews 0.4.8's electroweak scheme (s_W^2 = 0.22343 on shell, g from G_F and
    M_W), for side-by-side comparisons; darkbeam's physics default is :func:`couplings`.

    ``signs=True`` also takes DarkNews's sign of the Z part of the nu - N couplings.  In upscattering
    on nuclei and nucleons DarkNews's two sign conventions (this one and its quark Z' couplings) cancel,
    so the physical Z-Z' interference agrees with darkbeam's default signs; in N -> nu l+ l- they do
    not cancel, and ``signs=True`` reproduces DarkNews's decay widths."""
    return Couplings(params, C.SW2_DARKNEWS, C.G_WEAK, darknews_signs=signs)
