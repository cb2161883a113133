"""Materials for electromagnetic showers: composition, radiation length and electron stopping power.

Data: Particle Data Group, "Atomic and Nuclear Properties of Materials" (pdg.lbl.gov/AtomicNuclearProperties,
2024): atomic masses A (g/mol), densities (g/cm^3), mean excitation energies I (eV) and, for compounds,
the mass fractions ("shielding concrete" is the PDG/NIST ordinary concrete).  The PDG radiation lengths
(g/cm^2) are kept for the test that compares them with :func:`radiation_length`.

Radiation length: Y.S. Tsai, Rev. Mod. Phys. 46 (1974) 815, eq. 3.66 (PDG review "Passage of particles
through matter", eq. 34.26):

    1/X0 = 4 alpha r_e^2 N_A / A { Z^2 [L_rad - f(Z)] + Z L'_rad },

L_rad = ln(184.15 Z^-1/3), L'_rad = ln(1194 Z^-2/3) for Z > 4 (Tsai's table B.2 for Z = 1-4), and the
Coulomb correction f(Z) = a^2 [1/(1+a^2) + 0.20206 - 0.0369 a^2 + 0.0083 a^4 - 0.002 a^6], a = alpha Z
(Davies, Bethe, Maximon 1954; PDG eq. 34.27).  Compounds: 1/X0 = sum_j w_j / X0_j (PDG eq. 34.28).

Collision stopping power of electrons and positrons (ICRU Report 37 (1984) eqs. 2.1-2.3, the
Rohrlich-Carlson formula used by ESTAR, Berger & Seltzer), per unit mass:

    S/rho = (K/2) (Z/A) / beta^2 [ ln( tau^2 (tau+2) / (2 (I/m_e)^2) ) + F(tau) - delta ],
    F-(tau) = 1 - beta^2 + [tau^2/8 - (2 tau + 1) ln 2] / (tau+1)^2,
    F+(tau) = 2 ln 2 - (beta^2/12) [23 + 14/(tau+2) + 10/(tau+2)^2 + 4/(tau+2)^3],

tau = T/m_e, K = 4 pi N_A r_e^2 m_e c^2 = 0.307075 MeV cm^2/mol.  Density effect: the high-energy
limit delta = 2 ln(beta gamma) + 2 ln(hbar omega_p / I) - 1 (PDG eq. 34.6; Sternheimer), clipped at 0,
with hbar omega_p = 28.816 eV sqrt(rho <Z/A>) (PDG eq. 34.5).  This replaces PETITE's single value
2 MeV cm^2/g for every material.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam.constants import ALPHA_EM, M_E
from darkbeam.errors import ConfigurationError
from darkbeam.units import AVOGADRO

#: classical electron radius r_e in cm (CODATA 2018)
R_E_CM = 2.8179403262e-13
#: K = 4 pi N_A r_e^2 m_e c^2 in GeV cm^2/mol (PDG table 34.1: 0.307075 MeV cm^2/mol)
K_BETHE = 0.307075e-3

#: element: (Z, A g/mol, I eV, default density g/cm^3)
ELEMENTS = {
    "H": (1, 1.008, 19.2, 8.376e-5),
    "Be": (4, 9.0121831, 63.7, 1.848),
    "C": (6, 12.0107, 78.0, 2.210),
    "O": (8, 15.999, 95.0, 1.332e-3),
    "Na": (11, 22.98976928, 149.0, 0.971),
    "Mg": (12, 24.305, 156.0, 1.738),
    "Al": (13, 26.9815385, 166.0, 2.699),
    "Si": (14, 28.0855, 173.0, 2.329),
    "K": (19, 39.0983, 190.0, 0.862),
    "Ca": (20, 40.078, 191.0, 1.550),
    "Fe": (26, 55.845, 286.0, 7.874),
    "Cu": (29, 63.546, 322.0, 8.960),
    "W": (74, 183.84, 727.0, 19.30),
    "Pb": (82, 207.2, 823.0, 11.35),
}

#: Tsai's L_rad, L'_rad for Z <= 4 (RMP 46 (1974) 815, table B.2)
_LRAD_LOW = {1: (5.31, 6.144), 2: (4.79, 5.621), 3: (4.74, 5.805), 4: (4.71, 5.924)}


@dataclass(frozen=True)
class ShowerMaterial:
    """A homogeneous material: mass fractions of elements, density (g/cm^3), mean excitation energy
    I (GeV) and the PDG radiation length (g/cm^2, for comparison only)."""

    name: str
    fractions: tuple[tuple[str, float], ...]
    density: float
    I: float
    X0_pdg: float

    @property
    def Z(self) -> np.ndarray:
        return np.array([ELEMENTS[e][0] for e, _ in self.fractions], dtype=np.float64)

    @property
    def A(self) -> np.ndarray:
        return np.array([ELEMENTS[e][1] for e, _ in self.fractions], dtype=np.float64)

    @property
    def w(self) -> np.ndarray:
        w = np.array([f for _, f in self.fractions], dtype=np.float64)
        return w / w.sum()

    @property
    def atoms_per_cm3(self) -> np.ndarray:
        """Number density of each element's atoms, 1/cm^3."""
        return self.density * AVOGADRO * self.w / self.A

    @property
    def electrons_per_cm3(self) -> float:
        return float(np.sum(self.atoms_per_cm3 * self.Z))

    @property
    def Z_over_A(self) -> float:
        return float(np.sum(self.w * self.Z / self.A))

    @property
    def X0_g_cm2(self) -> float:
        """Radiation length in g/cm^2 from Tsai's formula (module docstring)."""
        return 1.0 / float(np.sum(self.w / np.array([radiation_length(z, a) for z, a in zip(self.Z, self.A)])))

    @property
    def X0_cm(self) -> float:
        return self.X0_g_cm2 / self.density

    @property
    def critical_energy(self) -> float:
        """Critical energy E_c (GeV), Rossi's definition fitted by the PDG (eq. 34.25 of the 2024
        review, solids and liquids): E_c = 610 MeV / (Z_eff + 1.24), Z_eff the electron-weighted Z."""
        z_eff = float(np.sum(self.w * self.Z**2 / self.A) / np.sum(self.w * self.Z / self.A))
        return 0.610 / (z_eff + 1.24)

    def dedx_collision(self, T, positron: bool = False) -> np.ndarray:
        """Collision stopping power of an electron (positron) of kinetic energy T (GeV), in GeV/cm."""
        return collision_stopping_power(T, self.Z_over_A, self.I, self.density, positron) * self.density


def coulomb_correction(Z) -> np.ndarray:
    """f(Z) of Davies, Bethe and Maximon (PDG eq. 34.27)."""
    a2 = (ALPHA_EM * np.asarray(Z, dtype=np.float64)) ** 2
    return a2 * (1.0 / (1.0 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2**2 - 0.002 * a2**3)


def lrad(Z: float) -> tuple[float, float]:
    """Tsai's (L_rad, L'_rad) (module docstring)."""
    z = int(round(Z))
    if z in _LRAD_LOW:
        return _LRAD_LOW[z]
    return math.log(184.15 * z ** (-1.0 / 3.0)), math.log(1194.0 * z ** (-2.0 / 3.0))


def radiation_length(Z: float, A: float) -> float:
    """Radiation length (g/cm^2) of an element, Tsai RMP 46 (1974) 815 eq. 3.66."""
    L, Lp = lrad(Z)
    inv = 4.0 * ALPHA_EM * R_E_CM**2 * AVOGADRO / A * (Z**2 * (L - float(coulomb_correction(Z))) + Z * Lp)
    return 1.0 / inv


def collision_stopping_power(T, Z_over_A: float, I: float, density: float, positron: bool = False) -> np.ndarray:
    """Mass collision stopping power (GeV cm^2/g) of e- or e+ of kinetic energy T (GeV); ICRU 37
    eqs. 2.1-2.3 with the asymptotic density effect (module docstring)."""
    T = np.asarray(T, dtype=np.float64)
    tau = T / M_E
    gam = tau + 1.0
    beta2 = 1.0 - 1.0 / gam**2
    if positron:
        y = 1.0 / (tau + 2.0)
        F = 2.0 * math.log(2.0) - beta2 / 12.0 * (23.0 + 14.0 * y + 10.0 * y**2 + 4.0 * y**3)
    else:
        F = 1.0 - beta2 + (tau**2 / 8.0 - (2.0 * tau + 1.0) * math.log(2.0)) / (tau + 1.0) ** 2
    hw = 28.816e-9 * math.sqrt(density * Z_over_A)
    delta = np.maximum(0.0, np.log(beta2 * gam**2) + 2.0 * math.log(hw / I) - 1.0)
    brk = np.log(tau**2 * (tau + 2.0) / (2.0 * (I / M_E) ** 2)) + F - delta
    return 0.5 * K_BETHE * Z_over_A / beta2 * brk


def _m(name, fractions, density, I_eV, X0_pdg):
    return ShowerMaterial(name, tuple(fractions), density, I_eV * 1e-9, X0_pdg)


#: the materials of issue 13 (PDG atomic and nuclear properties; X0_pdg in g/cm^2)
MATERIALS = {
    m.name: m
    for m in (
        _m("graphite", [("C", 1.0)], 2.210, 78.0, 42.70),
        _m("beryllium", [("Be", 1.0)], 1.848, 63.7, 65.19),
        _m("aluminium", [("Al", 1.0)], 2.699, 166.0, 24.01),
        _m("iron", [("Fe", 1.0)], 7.874, 286.0, 13.84),
        _m("copper", [("Cu", 1.0)], 8.960, 322.0, 12.86),
        _m("tungsten", [("W", 1.0)], 19.30, 727.0, 6.76),
        _m("lead", [("Pb", 1.0)], 11.35, 823.0, 6.37),
        _m("water", [("H", 0.111894), ("O", 0.888106)], 1.000, 75.0, 36.08),
        _m("concrete", [("H", 0.010000), ("C", 0.001000), ("O", 0.529107), ("Na", 0.016000), ("Mg", 0.002000),
                        ("Al", 0.033872), ("Si", 0.337021), ("K", 0.013000), ("Ca", 0.044000), ("Fe", 0.014000)],
           2.300, 135.2, 26.57),
    )
}
MATERIALS["aluminum"] = MATERIALS["aluminium"]
#: the element symbols that the beam configurations name their targets by (sources/beam/configs.py: "Be", "Fe")
for _sym, _name in (("be", "beryllium"), ("c", "graphite"), ("al", "aluminium"), ("fe", "iron"), ("cu", "copper"),
                    ("w", "tungsten"), ("pb", "lead")):
    MATERIALS[_sym] = MATERIALS[_name]


def shower_material(name: str) -> ShowerMaterial:
    """The material called ``name`` (case-insensitive); ConfigurationError for an unknown one."""
    key = name.strip().lower()
    if key not in MATERIALS:
        known = ", ".join(k for k, m in MATERIALS.items() if k == m.name)
        raise ConfigurationError(f"unknown material '{name}' (known: {known})")
    return MATERIALS[key]
