"""Target materials for the beam model: A, density and nuclear interaction length.

Values: Particle Data Group, "Atomic and Nuclear Properties of Materials" (pdg.lbl.gov/AtomicNuclearProperties,
2024 tables): atomic mass A (g/mol), density rho (g/cm^3) and nuclear interaction length lambda_I
(g/cm^2).  The proton-nucleus inelastic cross section is taken as sigma_inel = A / (N_A lambda_I),
e.g. 192 mb for Be, 232 mb for C (the PDG lambda_I are defined from high-energy inelastic cross
sections; at 8-400 GeV p-A inelastic cross sections vary by a few per cent).

Minimum-ionisation stopping powers dE/dx (MeV cm^2/g) are from the same PDG tables; the beam model
subtracts the mean ionisation loss of a meson along its path in the target and horn walls.

Meson absorption lengths are lambda_I scaled by sigma(p A) / sigma(meson A): 1/0.80 for pions and
1/0.70 for kaons, the ratio of absorption cross sections measured on light nuclei at 60-200 GeV/c
(A.S. Carroll et al., Phys. Lett. B 80 (1979) 319), rounded.

Charged pions in beryllium and aluminium (the BNB target and horn) at 0.5-11 GeV/c: the
momentum-dependent cross sections of the MiniBooNE flux simulation (A.A. Aguilar-Arevalo et al.,
PRD 79 (2009) 072002, arXiv:0806.1449, sec. V: fits to pi-Be and pi-Al data; parameters as
distributed with the BNB Geant4 simulation, SBNSoftware/G4BNB ``input/production.in``, functional
forms in its ``BooNEHadronCrossSections``):

    sigma(p) = N (m Gamma)^2 / ((M0^2 - m^2)^2 + (m Gamma)^2)                 (Breit-Wigner, m = sqrt(s) of pi N)
             + 1/2 [1 + tanh(s (p - p0))] (A + B p^n + C ln^2 p + D ln p)     (Regge term with threshold),

for the inelastic cross section sigma_INE (which contains the quasi-elastic part) and the
quasi-elastic one sigma_QE.  A pion is **absorbed** (removed) with sigma_INE - sigma_QE; a
quasi-elastic scatter leaves a pion of nearly the same momentum and is not counted as a loss
(its angular kick is neglected).  Outside 0.5-11 GeV/c (the range the MiniBooNE simulation uses them
in) the value at 0.5 GeV/c is used below and the constant-ratio rule (Carroll et al., 60-200 GeV/c)
above 11 GeV/c.  For pi+ Be: 82 mb at 0.5 GeV/c, 170 mb at 1 GeV/c, 159 mb at
3 GeV/c, 149 mb at 8 GeV/c (the constant-ratio rule gives 154 mb).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.units import AVOGADRO


@dataclass(frozen=True)
class Material:
    """A target material: name, Z, A (g/mol), density (g/cm^3), lambda_I (g/cm^2)."""

    name: str
    Z: int
    A: float
    density: float
    lambda_I: float
    dedx_min: float = 0.0  # MeV cm^2 / g

    @property
    def dedx_GeV_per_cm(self) -> float:
        """Minimum-ionisation energy loss in GeV/cm."""
        return self.dedx_min * self.density * 1e-3

    @property
    def interaction_length_cm(self) -> float:
        """Proton nuclear interaction length in cm."""
        return self.lambda_I / self.density

    @property
    def sigma_inel_mb(self) -> float:
        """Proton-nucleus inelastic cross section in mb: A / (N_A lambda_I)."""
        return self.A / (AVOGADRO * self.lambda_I) * 1.0e27

    def absorption_length_cm(self, meson: str, p=None):
        """Absorption length (cm) of a meson in this material (see module docstring).

        With the meson momentum ``p`` (GeV/c, array allowed), charged pions in Be and Al use the
        momentum-dependent MiniBooNE cross sections; otherwise the constant ratio to lambda_I."""
        ratio = 0.70 if meson.startswith("K") else 0.80
        rule = self.interaction_length_cm / ratio
        if p is not None and meson in ("pi+", "pi-") and self.name in _PION_XS:
            p = np.asarray(p, dtype=np.float64)
            n_per_cm3 = self.density * AVOGADRO / self.A
            fit = 1.0 / (n_per_cm3 * pion_absorption_mb(self.name, meson, p) * 1.0e-27)
            return np.where(p <= _PION_XS_RANGE[1], fit, rule)
        return rule


# MiniBooNE pion-nucleus cross sections (arXiv:0806.1449 sec. V; G4BNB input/production.in):
# (N, M0, Gamma, p0, s, A, B, n, C, D) for sigma_INE and sigma_QE, mb, p in GeV/c
_PION_XS = {
    "Be": {"pi+": ((850.6, 1.2006, 0.3752, 0.400, 5.142, 162.32, -99.89, -2.406, -0.4202, 0.0),
                   (379.9, 1.2006, 0.557, 0.634, 3.784, -2.377, -81.84, -2.703, 3.173, 0.0)),
           "pi-": ((371.5, 1.2006, 0.2327, 0.600, 2.874, 92.66, 112.2, -0.4861, 7.500, 0.0),
                   (188.97, 1.2006, 0.1851, 0.626, 2.504, -1.559, 46.41, -0.633, 1.874, 0.0))},
    "Al": {"pi+": ((510.6, 1.1888, 0.185, 0.295, 2.3067, 1545.7, -1117.7, 0.0565, 14.37, 0.0),
                   (229.4, 1.1888, 0.1886, 0.698, 2.134, 40.38, 89.20, -1.574, 0.335, 0.0)),
           "pi-": ((446.8, 1.1888, 0.305, 0.706, 1.685, 997.8, -457.8, 0.611, 233.4, 0.0),
                   (129.12, 1.1888, 0.305, 0.633, 2.199, 32.52, 85.15, -1.225, 1.383, 0.0))},
}
_PION_XS_RANGE = (0.5, 11.0)  # GeV/c


def _bw_regge(p, par):
    from darkbeam import constants as C

    n_bw, m0, gam, p0, s, a, b, n, c, d = par
    e = np.sqrt(C.M_PI**2 + p * p)
    m2 = (e + C.M_PROTON) ** 2 - p * p
    bw = n_bw * m2 * gam * gam / ((m0 * m0 - m2) ** 2 + m2 * gam * gam)
    lp = np.log(p)
    return bw + 0.5 * (1.0 + np.tanh(s * (p - p0))) * (a + b * p**n + c * lp * lp + d * lp)


def pion_absorption_mb(material_name: str, meson: str, p):
    """sigma_INE - sigma_QE (mb) of pi+ or pi- on Be or Al at momentum p (GeV/c), MiniBooNE parametrisation."""
    ine, qel = _PION_XS[material_name][meson]
    pp = np.clip(np.asarray(p, dtype=np.float64), *_PION_XS_RANGE)
    return _bw_regge(pp, ine) - _bw_regge(pp, qel)


MATERIALS: dict[str, Material] = {
    "Be": Material("Be", 4, 9.0122, 1.848, 77.8, 1.595),
    "C": Material("C", 6, 12.011, 2.210, 85.8, 1.742),
    "graphite": Material("graphite", 6, 12.011, 1.78, 85.8, 1.742),  # NuMI/LBNF target graphite density
    "Al": Material("Al", 13, 26.982, 2.699, 107.2, 1.615),
    "Fe": Material("Fe", 26, 55.845, 7.874, 132.1, 1.451),
    "Cu": Material("Cu", 29, 63.546, 8.960, 137.3, 1.403),
    "Mo": Material("Mo", 42, 95.95, 10.22, 152.9, 1.329),
    "W": Material("W", 74, 183.84, 19.30, 191.9, 1.145),
    "Pb": Material("Pb", 82, 207.2, 11.35, 199.6, 1.122),
}


def material(name: str | Material) -> Material:
    """A material by name (Be, C, graphite, Al, Fe, Cu, Mo, W, Pb) or the Material itself."""
    if isinstance(name, Material):
        return name
    for key, m in MATERIALS.items():
        if key.lower() == str(name).lower():
            return m
    raise ConfigurationError(f"unknown target material '{name}' (known: {', '.join(MATERIALS)})")
