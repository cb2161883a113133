"""Coherent elastic neutrino-nucleus scattering nu A -> nu A (CEvNS), SM plus light mediators.

Standard Model (Freedman, Phys. Rev. D 9, 1389 (1974); Drukier and Stodolsky, Phys. Rev. D 30, 2295
(1984); the form used by COHERENT, Science 357, 1123 (2017), arXiv:1708.01294, eq. 1), for a spin-0
nucleus of mass M, recoil kinetic energy T, Q^2 = 2 M T:

    dsigma/dT = (G_F^2 M / pi) Q_V(Q^2)^2 [1 - T/E - M T / (2 E^2)],
    Q_V = Z g_V^p F_p(Q^2) + N g_V^n F_n(Q^2),  g_V^p = 1/2 - 2 s_W^2,  g_V^n = -1/2,

i.e. at F = 1 the familiar (G_F^2 M / 4 pi) Q_W^2 (1 - T/E - M T/(2E^2)) with the weak charge
Q_W = N - (1 - 4 s_W^2) Z = -2 Q_V(0); s_W^2 = 0.23857 (low-Q^2 MSbar, PDG 2024 eq. 10.21) by default.
Freedman's original keeps 1 - M T/(2 E^2) only; T/E <= 2E/M is below 1e-3 for CsI at pi-DAR energies.
``radiative="ew"`` replaces g_V^p and g_V^n by the one-loop couplings, g_V^p flavour and Q^2 dependent
through the neutrino charge radius (:mod:`darkbeam.physics.cevns_radiative`; default "none", tree
level).  The axial (spin-dependent) part is not included.

Form factors (``form_factor``, :class:`~darkbeam.physics.form_factors.NuclearFormFactors` schemes):
'helm' (default: Helm with the Lewin-Smith radius for protons and neutrons, the usual CEvNS choice),
'fourier-bessel' (the de Vries measured charge density for both, symmetrized Fermi where there is no
table), 'fermi', 'default' (darkbeam's upscattering choice), or 'none' (F = 1).

A vector mediator V (:class:`~darkbeam.models.zprime_charges.VectorMediator`) adds to Q_V, from the
same matching as for nu-e (docs/rare_scattering.md, section 3):

    Q_V -> Q_V + g_nu [Z g_p(Q^2) F_p + N g_n F_n] / (sqrt2 G_F (m_V^2 + Q^2)),

g_p = 2 g_u + g_d and g_n = g_u + 2 g_d vector couplings (with the loop kinetic mixing, -e eps(q^2)
on the proton).  This covers B-L (constructive: g_nu = -gX, g_p = g_n = +gX against Q_V < 0),
L_mu - L_tau via the loop mixing, and a dark photon (whose neutrino coupling comes from Z-Z' mixing).

A scalar mediator phi (:class:`~darkbeam.models.zprime_charges.ScalarMediator`) flips the neutrino
helicity and adds incoherently (Cerdeno, Fairbairn, Jubb, Machado, Vincent, Boehm 1604.01025, eq. 2.8):

    dsigma/dT += g_nu^2 Q_phi^2 M^2 T / (4 pi E^2 (m_phi^2 + 2 M T)^2),  Q_phi = Z g_p F_p + N g_n F_n.

A neutrino magnetic moment mu_nu (Bohr magnetons) adds incoherently (Vogel and Engel, Phys. Rev. D 39,
3378 (1989), eq. 3 with the charge Z F_p of the nucleus; COHERENT-style recasts, e.g. Cadeddu et al.
2008.05022 eq. 5):  dsigma/dT += (pi alpha^2 mu_nu^2 / m_e^2) Z^2 F_p^2 (1/T - 1/E).

Neutrinos and antineutrinos have the same cross section here (vector couplings to a spin-0 nucleus).
sigma(E) is a fixed Gauss-Legendre quadrature in the recoil (``nu_electron.recoil_nodes``).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.models.zprime_charges import ScalarMediator, VectorMediator
from darkbeam.physics import nuclear
from darkbeam.physics.form_factors import NUCLEAR_SCHEMES, NuclearFormFactors
from darkbeam.physics.nu_electron import check_energies, integrate_recoil, parse_projectile
from darkbeam.units import HBARC2_GEV2_CM2

FORM_FACTORS = ("helm",) + tuple(s for s in NUCLEAR_SCHEMES if s != "helm") + ("none",)
N_PANELS = 12
N_NODES = 8


class CEvNSXsec:
    """CEvNS cross sections per nucleus (cm^2) for one target nucleus and projectile.

    ``target``: nucleus name ('Cs133', 'Ar40', ...); ``mediator``: vector (e.g. ``zprime_mediator``),
    ``scalar``: :class:`ScalarMediator`; ``magnetic_moment``: mu_nu in Bohr magnetons; ``sw2``;
    ``form_factor``: one of :data:`FORM_FACTORS`; ``radiative``: "none" (tree level) or "ew" (one-loop
    nucleon couplings, :mod:`darkbeam.physics.cevns_radiative`).
    """

    def __init__(self, target: str, projectile: str = "nu_mu", *, mediator: Optional[VectorMediator] = None,
                 scalar: Optional[ScalarMediator] = None, magnetic_moment: float = 0.0, sw2: float = C.SW2_LOW_Q2,
                 form_factor: str = "helm", n_panels: int = N_PANELS, n_nodes: int = N_NODES,
                 radiative: str = "none"):
        from darkbeam.physics.cevns_radiative import CEVNS_RADIATIVE_CHOICES

        self.flavour, self.antineutrino = parse_projectile(projectile)
        self.projectile = projectile
        self.nucleus = nuclear.nucleus(target)
        if self.nucleus.A < 2:
            raise ConfigurationError(f"CEvNS needs a nucleus with A > 1; {self.nucleus.name} is a single proton")
        if form_factor not in FORM_FACTORS:
            raise ConfigurationError(f"unknown CEvNS form factor '{form_factor}' (choose from {', '.join(FORM_FACTORS)})")
        if radiative not in CEVNS_RADIATIVE_CHOICES:
            hint = " ('full' and 'calorimetric' are QED corrections of nu-e)" if radiative in ("full", "calorimetric") else ""
            raise ConfigurationError(f"unknown CEvNS radiative correction '{radiative}' (choose from "
                                     f"{', '.join(CEVNS_RADIATIVE_CHOICES)}){hint}")
        if not (0.0 < sw2 < 1.0):
            raise ConfigurationError(f"sin^2 theta_W = {sw2} must lie in (0, 1)")
        if not math.isfinite(magnetic_moment):
            raise ConfigurationError("the neutrino magnetic moment must be finite")
        self.form_factor = form_factor
        self._ff = None if form_factor == "none" else NuclearFormFactors(self.nucleus.name, self.nucleus.A, form_factor)
        self.mediator, self.scalar = mediator, scalar
        self.magnetic_moment = float(magnetic_moment)
        self.sw2 = float(sw2)
        self.radiative = radiative
        self._quad = (n_panels, n_nodes)

    @property
    def mass(self) -> float:
        return self.nucleus.mass

    @property
    def weak_charge(self) -> float:
        """Q_W = N - (1 - 4 s_W^2) Z at tree level; -2 (Z g_V^p + N g_V^n) at Q^2 = 0 with ``radiative="ew"``."""
        if self.radiative == "none":
            return self.nucleus.N - (1.0 - 4.0 * self.sw2) * self.nucleus.Z
        gp, gn = self.nucleon_couplings(0.0)
        return float(-2.0 * (self.nucleus.Z * gp + self.nucleus.N * gn))

    def nucleon_couplings(self, Q2) -> tuple[np.ndarray, float]:
        """(g_V^p(Q^2), g_V^n) of the Standard Model: tree level or one loop (``radiative``)."""
        Q2 = np.asarray(Q2, dtype=float)
        if self.radiative == "none":
            return np.full(Q2.shape, 0.5 - 2.0 * self.sw2), -0.5
        from darkbeam.physics.cevns_radiative import gv_neutron, gv_proton

        return gv_proton(self.flavour, Q2, self.sw2), gv_neutron()

    def form_factors(self, Q2) -> tuple[np.ndarray, np.ndarray]:
        """(F_p, F_n) at Q^2 (GeV^2)."""
        Q2 = np.asarray(Q2, dtype=float)
        if self._ff is None:
            return np.ones(Q2.shape), np.ones(Q2.shape)
        return self._ff.charge(Q2), self._ff.neutron(Q2)

    def t_max(self, E) -> np.ndarray:
        """Largest recoil kinetic energy 2 E^2/(M + 2 E), GeV."""
        E = np.asarray(E, dtype=float)
        return 2.0 * E**2 / (self.mass + 2.0 * E)

    def vector_charge(self, Q2) -> np.ndarray:
        """Q_V(Q^2) (module docstring), SM plus vector mediator, form factors included."""
        Q2 = np.asarray(Q2, dtype=float)
        Z, N = self.nucleus.Z, self.nucleus.N
        fp, fn = self.form_factors(Q2)
        gvp, gvn = self.nucleon_couplings(Q2)
        qv = Z * gvp * fp + N * gvn * fn
        med = self.mediator
        if med is not None:
            gp, gn = med.nucleons(Q2)
            qv = qv + med.neutrino(self.flavour) * (Z * gp * fp + N * gn * fn) / (math.sqrt(2.0) * C.G_F * (med.mass**2 + Q2))
        return qv

    def dsigma_dT(self, E, T) -> np.ndarray:
        """d sigma / d T in cm^2/GeV per nucleus (0 outside 0 < T <= T_max); broadcasts E and T."""
        E = check_energies(E)
        T = np.asarray(T, dtype=float)
        # no explicit broadcast: couplings and form factors depend on T only and are evaluated on T's shape
        return np.broadcast_to(self._dsigma(E, T), np.broadcast_shapes(E.shape, T.shape)).copy()

    def _dsigma(self, E, T) -> np.ndarray:
        M = self.mass
        Q2 = 2.0 * M * T
        kin = 1.0 - T / E - M * T / (2.0 * E**2)
        out = C.G_F**2 * M / math.pi * self.vector_charge(Q2) ** 2 * kin
        if self.scalar is not None or self.magnetic_moment:
            fp, fn = self.form_factors(Q2)
            if self.scalar is not None:
                s = self.scalar
                qs = self.nucleus.Z * s.g_p * fp + self.nucleus.N * s.g_n * fn
                out = out + s.g_nu**2 * qs**2 * M**2 * T / (4.0 * math.pi * E**2 * (s.mass**2 + Q2) ** 2)
            if self.magnetic_moment:
                with np.errstate(divide="ignore"):
                    out = out + (math.pi * C.ALPHA_EM**2 * (self.magnetic_moment / C.M_E) ** 2
                                 * (self.nucleus.Z * fp) ** 2 * (1.0 / T - 1.0 / E))
        inside = (T > 0) & (kin >= 0)
        return np.where(inside, out, 0.0) * HBARC2_GEV2_CM2

    def _t0(self) -> float:
        if self.magnetic_moment:
            return 0.0
        masses = [m.mass for m in (self.mediator, self.scalar) if m is not None]
        return min(masses) ** 2 / (2.0 * self.mass) if masses else math.inf

    def sigma(self, E, t_min: float = 0.0, t_max: float | None = None, efficiency=None) -> np.ndarray:
        """sigma(E) in cm^2 per nucleus for nuclear recoils t_min <= T <= t_max (GeV)."""
        return integrate_recoil(self, E, t_min, t_max, efficiency, self._quad)
