"""Neutrino-electron elastic scattering nu_alpha e -> nu_alpha e (and antineutrinos), SM plus a light Z'.

Tree-level cross section per electron at rest ('t Hooft, Phys. Lett. B 37, 195 (1971); Vogel and
Engel, Phys. Rev. D 39, 3378 (1989), eq. 2; PDG review "Electroweak model", eq. 10.42), T the
electron recoil kinetic energy:

    dsigma/dT = (2 m_e G_F^2 / pi) [C_L^2 + C_R^2 (1 - T/E)^2 - C_L C_R m_e T / E^2],
    0 <= T <= T_max = 2 E^2 / (m_e + 2 E),

for neutrinos; antineutrinos swap C_L and C_R.  Standard Model (neutral current, and for nu_e the
charged current, Fierz-rearranged into the same (V-A)(V-A) form, which adds 1 to C_L):

    C_L = -1/2 + s_W^2 + delta_{alpha e},   C_R = s_W^2,

with the low-Q^2 s_W^2 = 0.23857 (``darkbeam.constants.SW2_LOW_Q2``, PDG 2024 eq. 10.21) by default
(``sw2`` switches it; MSbar(M_Z) 0.23129 raises sigma(nu_mu e) by about 4 %).  One-loop radiative
corrections (Bahcall, Kamionkowski, Sirlin 1995, after Sarantakos, Sirlin, Marciano 1983) are an option,
``radiative`` = "none" (default, tree level), "ew" (effective couplings rho_NC, kappa(T) with ``sw2`` =
MSbar s^2(M_Z), default 0.23129), "full" (plus the QED correction of the electron spectrum) or
"calorimetric" (plus QED, spectrum of the electron + photon energy):
:mod:`darkbeam.physics.nu_electron_radiative`.

A vector mediator V (:class:`~darkbeam.models.zprime_charges.VectorMediator`: couplings g_nu to the
left-handed nu_alpha and g_eL, g_eR to the electron, q^2-dependent through the loop kinetic mixing)
is exchanged in the t channel with propagator 1/(q^2 - m_V^2), q^2 = -2 m_e T.  Matching the
amplitude to the SM four-fermion operator -2 sqrt2 G_F [nubar gamma P_L nu][ebar gamma (C_L P_L +
C_R P_R) e] (derivation in docs/rare_scattering.md, section 2) gives

    C_{L,R}(T) = C_{L,R}^SM + g_nu g_{eL,eR}(q^2) / (2 sqrt2 G_F (m_V^2 + 2 m_e T)).

The same matching with darkbeam's own Z couplings (Couplings.z_fermion) returns C^SM exactly
(tested).  With an L_e - L_mu Z' (g_nu_mu = -gX, g_e = +gX) the shift is negative: |C_L| grows for
nu_mu (constructive, since C_L < 0 dominates sigma) and C_R shrinks for nu_mu_bar, whose sigma is
dominated by C_R (destructive), as stated in 1902.08579.

A scalar phi (:class:`~darkbeam.models.zprime_charges.ScalarMediator`, couplings g_nu, g_e) flips the
neutrino helicity and adds without interference; with the electron trace summed exactly (spin average
2 m_e (2 m_e + T), derivation in docs/rare_scattering.md section 2; the m_e^2 T form of Cerdeno et al.
1604.01025 eq. 2.10 is its T << m_e limit):
dsigma/dT += g_nu^2 g_e^2 m_e T (2 m_e + T) / (8 pi E^2 (m_phi^2 + 2 m_e T)^2).

Neutrino magnetic moment mu_nu (in Bohr magnetons; no interference with the helicity-conserving
amplitudes for massless neutrinos), Vogel and Engel 1989, eq. 3:
dsigma/dT += pi alpha^2 mu_nu^2 / m_e^2 (1/T - 1/E).

sigma(E) = int dsigma/dT dT is a fixed composite Gauss-Legendre quadrature (:func:`recoil_nodes`),
vectorized over energies.  Electrons are free and at rest (binding matters only for T of order keV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.models.zprime_charges import ScalarMediator, VectorMediator
from darkbeam.units import HBARC2_GEV2_CM2

PROJECTILES = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
#: Bohr magneton in GeV^-1, e/(2 m_e)
MU_BOHR = C.E_CHARGE / (2.0 * C.M_E)
#: quadrature in the recoil variable: panels x Gauss-Legendre nodes
N_PANELS = 12
N_NODES = 8
ENERGY_BLOCK = 4096


def parse_projectile(projectile: str) -> tuple[int, bool]:
    """(flavour index 0/1/2, antineutrino?) of 'nu_e' ... 'nu_tau_bar'; ConfigurationError otherwise."""
    if projectile not in PROJECTILES:
        raise ConfigurationError(f"unknown projectile '{projectile}' (choose from {', '.join(PROJECTILES)})")
    return ("e", "mu", "tau").index(projectile.removeprefix("nu_").removesuffix("_bar")), projectile.endswith("_bar")


def check_energies(E) -> np.ndarray:
    """Energies as a float array; ConfigurationError for non-finite or non-positive values."""
    E = np.asarray(E, dtype=float)
    if not np.all(np.isfinite(E)):
        raise ConfigurationError("energies must be finite numbers")
    if np.any(E <= 0):
        raise ConfigurationError(f"neutrino energy {float(E[E <= 0].flat[0]):g} GeV is at or below the threshold 0: "
                                 "energies must be > 0")
    return E


def _gl01(n_panels: int, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    p = np.arange(n_panels)[:, None]
    return ((p + 0.5 * (x[None, :] + 1.0)) / n_panels).ravel(), np.tile(w / (2.0 * n_panels), n_panels)


def recoil_nodes(tmin, tmax, t0: float, n_panels: int = N_PANELS, n_nodes: int = N_NODES):
    """Nodes T and weights for int_{tmin}^{tmax} f(T) dT, vectorized over the limits (shape + (n,)).

    Composite Gauss-Legendre in v = ln(1 + T/t0) (t0 > 0 a mediator scale m_V^2/(2 M), so that
    1/(m_V^2 + 2 M T)^k becomes smooth), in ln T for t0 = 0 (needs tmin > 0; for 1/T), or linear in T for
    t0 = inf.  Zero-width intervals (tmax <= tmin) get zero weights.
    """
    tmin = np.asarray(tmin, dtype=float)[..., None]
    tmax = np.maximum(np.asarray(tmax, dtype=float)[..., None], tmin)
    u, w = _gl01(n_panels, n_nodes)
    if math.isinf(t0):
        return tmin + (tmax - tmin) * u, (tmax - tmin) * w
    if t0 == 0.0:
        lo, hi = np.log(tmin), np.log(tmax)
        v = lo + (hi - lo) * u
        T = np.exp(v)
        return np.clip(T, tmin, tmax), (hi - lo) * w * T
    # v = ln(1 + T/t0): log1p/expm1 keep T exact also when t0 >> T (heavy mediator)
    lo, hi = np.log1p(tmin / t0), np.log1p(tmax / t0)
    v = lo + (hi - lo) * u
    T = t0 * np.expm1(v)
    return np.clip(T, tmin, tmax), (hi - lo) * w * t0 * np.exp(v)

def integrate_recoil(process, E, t_min: float, t_max: float | None, efficiency, quad: tuple[int, int]):
    """sigma(E) = int dT dsigma/dT (x efficiency(T)) over t_min <= T <= min(t_max, T_max(E)) for a
    recoil process (nu-e here, CEvNS in physics/cevns.py): ``process`` has ``t_max(E)``, ``_t0()`` (the
    recoil scale of the node map), ``_dsigma(E, T)`` (cm^2/GeV) and ``magnetic_moment``; ``quad`` =
    (panels, nodes) of :func:`recoil_nodes`.  Energies in blocks of ENERGY_BLOCK; zero below threshold."""
    E = check_energies(E)
    if not (math.isfinite(t_min) and t_min >= 0) or (t_max is not None and not t_max > t_min):
        raise ConfigurationError(f"recoil window [{t_min}, {t_max}] GeV: need 0 <= t_min < t_max")
    if process.magnetic_moment and t_min <= 0:
        raise ConfigurationError("a neutrino magnetic moment needs a recoil threshold t_min > 0 (sigma diverges as ln T)")
    shape = E.shape
    E = E.ravel()
    out = np.zeros(E.shape)
    hi_all = process.t_max(E) if t_max is None else np.minimum(process.t_max(E), t_max)
    idx = np.nonzero(hi_all > t_min)[0]
    t0 = process._t0()
    for lo in range(0, idx.size, ENERGY_BLOCK):
        sel = idx[lo : lo + ENERGY_BLOCK]
        T, w = recoil_nodes(np.full(sel.size, t_min), hi_all[sel], t0, *quad)
        f = process._dsigma(np.broadcast_to(E[sel, None], T.shape), T)
        if efficiency is not None:  # detection efficiency as a function of the recoil T (GeV)
            f = f * np.asarray(efficiency(T), dtype=float)
        out[sel] = np.sum(f * w, axis=-1)
    return out.reshape(shape) if shape else float(out[0])



@dataclass(frozen=True)
class NuElectronXsec:
    """nu_alpha e -> nu_alpha e cross sections per electron (cm^2) for one projectile.

    ``mediator``: a :class:`VectorMediator` (e.g. ``zprime_mediator(params)``) or None (SM);
    ``sw2``: sin^2 theta_W in the SM couplings (None: the low-Q^2 0.23857 at tree level, MSbar(M_Z)
    0.23129 with radiative corrections); ``magnetic_moment``: mu_nu in Bohr magnetons;
    ``scalar``: a :class:`ScalarMediator` (its g_nu and g_e enter); ``radiative``: "none", "ew",
    "full" (electron spectrum) or "calorimetric" (electron + photon energy; T is then that energy)
    (:mod:`darkbeam.physics.nu_electron_radiative`).
    """

    projectile: str = "nu_mu"
    mediator: Optional[VectorMediator] = None
    sw2: Optional[float] = None
    magnetic_moment: float = 0.0
    scalar: Optional[ScalarMediator] = None
    n_panels: int = N_PANELS
    n_nodes: int = N_NODES
    radiative: str = "none"
    flavour: int = field(init=False)
    antineutrino: bool = field(init=False)

    def __post_init__(self):
        from darkbeam.physics.nu_electron_radiative import RADIATIVE_CHOICES

        f, anti = parse_projectile(self.projectile)
        object.__setattr__(self, "flavour", f)
        object.__setattr__(self, "antineutrino", anti)
        if self.radiative not in RADIATIVE_CHOICES:
            raise ConfigurationError(f"unknown radiative correction '{self.radiative}' (choose from "
                                     f"{', '.join(RADIATIVE_CHOICES)})")
        if self.sw2 is None:
            object.__setattr__(self, "sw2", C.SW2_LOW_Q2 if self.radiative == "none" else C.SW2_MSBAR_MZ)
        if not (0.0 < self.sw2 < 1.0):
            raise ConfigurationError(f"sin^2 theta_W = {self.sw2} must lie in (0, 1)")
        if not math.isfinite(self.magnetic_moment):
            raise ConfigurationError("the neutrino magnetic moment must be finite")

    # ------------------------------------------------------------------ couplings
    @property
    def sm_couplings(self) -> tuple[float, float]:
        """(C_L, C_R) of the Standard Model for this flavour (neutrino convention, before the swap)."""
        return -0.5 + self.sw2 + (1.0 if self.flavour == 0 else 0.0), self.sw2

    def chiral_couplings(self, T) -> tuple[np.ndarray, np.ndarray]:
        """(C_L, C_R) at recoil T (GeV), SM plus mediator (module docstring); neutrino convention."""
        T = np.asarray(T, dtype=float)
        if self.radiative == "none":
            cl, cr = self.sm_couplings
            cl, cr = np.full(T.shape, cl), np.full(T.shape, cr)
        else:
            from darkbeam.physics.nu_electron_radiative import ew_couplings

            cl, cr = ew_couplings(self.flavour, T, self.sw2)
        if self.mediator is None:
            return cl, cr
        med = self.mediator
        Q2 = 2.0 * C.M_E * T
        gl, gr = med.electron(Q2)
        k = med.neutrino(self.flavour) / (2.0 * math.sqrt(2.0) * C.G_F * (med.mass**2 + Q2))
        return cl + k * gl, cr + k * gr

    # ------------------------------------------------------------------ kinematics
    @staticmethod
    def t_max(E) -> np.ndarray:
        """Largest electron recoil kinetic energy 2 E^2/(m_e + 2 E), GeV."""
        E = np.asarray(E, dtype=float)
        return 2.0 * E**2 / (C.M_E + 2.0 * E)

    def dsigma_dT(self, E, T) -> np.ndarray:
        """d sigma / d T in cm^2/GeV per electron (0 outside 0 < T <= T_max); broadcasts E and T."""
        E = check_energies(E)
        T = np.asarray(T, dtype=float)
        # no explicit broadcast: couplings and form factors depend on T only and are evaluated on T's shape
        return np.broadcast_to(self._dsigma(E, T), np.broadcast_shapes(E.shape, T.shape)).copy()

    def _dsigma(self, E, T) -> np.ndarray:
        cl, cr = self.chiral_couplings(T)
        a, b = (cr, cl) if self.antineutrino else (cl, cr)
        if self.radiative in ("full", "calorimetric"):
            from darkbeam.physics.nu_electron_radiative import dsigma_bracket, fsr_subtraction

            with np.errstate(divide="ignore", invalid="ignore"):  # outside 0 < T <= T_max: masked below
                out = 2.0 * C.M_E * C.G_F**2 / math.pi * dsigma_bracket(E, T, a, b, qed=True)
            if self.radiative == "calorimetric":  # electron + photon energy: final-state photons added back
                Eb, Tb = np.broadcast_arrays(E, T)

                def tree(Tp, Eb=Eb):
                    cl_, cr_ = self.chiral_couplings(Tp)
                    a_, b_ = (cr_, cl_) if self.antineutrino else (cl_, cr_)
                    return dsigma_bracket(Eb[..., None], Tp, a_, b_, qed=False)

                out = out - 2.0 * C.M_E * C.G_F**2 / math.pi * fsr_subtraction(Tb, tree, self.t_max(Eb))
        else:
            y = T / E
            out = 2.0 * C.M_E * C.G_F**2 / math.pi * (a**2 + b**2 * (1.0 - y) ** 2 - a * b * C.M_E * T / E**2)
        if self.magnetic_moment:
            with np.errstate(divide="ignore"):
                out = out + math.pi * C.ALPHA_EM**2 * (self.magnetic_moment / C.M_E) ** 2 * (1.0 / T - 1.0 / E)
        if self.scalar is not None:
            s = self.scalar
            out = out + (s.g_nu * s.g_e) ** 2 * C.M_E * T * (2.0 * C.M_E + T) / (8.0 * math.pi * E**2 * (s.mass**2 + 2.0 * C.M_E * T) ** 2)
        inside = (T > 0) & (T <= self.t_max(E) * (1 + 1e-12))
        return np.where(inside, out, 0.0) * HBARC2_GEV2_CM2

    def _t0(self) -> float:
        if self.magnetic_moment:
            return 0.0
        masses = [m.mass for m in (self.mediator, self.scalar) if m is not None]
        return min(masses) ** 2 / (2.0 * C.M_E) if masses else math.inf

    def sigma(self, E, t_min: float = 0.0, t_max: float | None = None, efficiency=None) -> np.ndarray:
        """sigma(E) in cm^2 per electron for recoils t_min <= T <= t_max (GeV; default the whole range).

        With a magnetic moment t_min must be > 0 (the 1/T term diverges)."""
        return integrate_recoil(self, E, t_min, t_max, efficiency, (self.n_panels, self.n_nodes))

