"""Light dark matter from neutral vector mesons through kinetic mixing: V -> A'* -> chi chi-bar for
V = rho0, omega, phi (docs/dark_matter.md, "Vector mesons", eq. DMV).

In vector-meson dominance the meson V turns into a photon through the vertex e m_V^2/g_V of the
electromagnetic current; the kinetically mixed A' couples to the same current with eps e, so V mixes
with the A' with the same vertex times eps.  The decay V -> e+ e- is V -> gamma* -> e+ e- (propagator
1/m_V^2, electron vertex e); V -> chi chi-bar is V -> A'* -> chi chi-bar (propagator
1/(m_V^2 - m_A'^2 + i m_A' Gamma_A'), dark vertex g_D).  Both currents are conserved, so the q^mu q^nu
parts of the propagators drop out, and the two decays have the same Lorentz structure at the same
invariant mass m_V: their widths differ by the couplings, the propagators and the final-state phase
space only.  Hence, with the measured Br(V -> e+ e-),

    Br(V -> chi chi-bar) = Br(V -> e+ e-) eps^2 [Gamma_D(m_V) / Gamma_ee(m_V)]
                           m_V^4 / [(m_V^2 - m_A'^2)^2 + m_A'^2 Gamma_A'^2],                 (DMV)

Gamma_D(m) the width of a vector of mass m into chi chi-bar with the dark coupling g_D (DM1 fermion,
DM2 scalar of docs/dark_matter.md) and Gamma_ee(m) = alpha m (1 + 2 m_e^2/m^2) sqrt(1 - 4 m_e^2/m^2)/3 that of
a vector with coupling e into e+ e-.  For m_e -> 0 this is

    Br(V -> chi chi-bar) = 3 eps^2 Br(V -> e+ e-) m_V^3 Gamma_D(m_V) / (alpha [(m_V^2 - m_A'^2)^2 + m_A'^2 Gamma_A'^2]),

the form coded in BdNMC (deNiverville et al., github pgdeniverville/BdNMC, src/branchingratios.cpp,
functions bromega_to_V and brphi_to_V, there with Gamma_D taken at m_A' rather than m_V: the on-shell
A' of V -> A' mixing), the simulation behind the MiniBooNE-DM analysis (arXiv:1807.06137); the same
VMD mixing is the basis of deNiverville, Pospelov, Ritz PRD 84 (2011) 075020 (arXiv:1107.4580) and
deNiverville, Chen, Pospelov, Ritz PRD 95 (2017) 035006 (arXiv:1609.01770) (the equation numbers of
those papers were not checked here: the derivation above is the reference).

Narrow V: the meson is taken at its pole mass (the beam model makes it there); the rho's own width
(149 MeV) is not folded in (BdNMC multiplies its rho term by an empirical line shape instead), so
near m_A' ~ m_rho this is the rho-pole value.  Checks (tests/test_dark_matter_sources.py): a massless
A' with alpha_D = alpha and chi of the electron's mass gives Br = eps^2 Br(V -> e+ e-) exactly; the
m_e -> 0 form above; the four-fermion limit m_A' >> m_V.
"""

from __future__ import annotations

import math

from darkbeam import constants as C
from darkbeam.physics.zprime_decays import vector_to_fermions, vector_to_scalars

#: the vector mesons that mix with the A' in the beam model (sources/beam/production.PRODUCED)
VECTOR_MESONS = ("rho0", "omega", "phi")
#: Br(V -> e+ e-), PDG 2024: rho0 4.72e-5 (from memory, not verified against the 2024 listing; the value
#: BdNMC also uses), omega 7.38e-5 and phi 2.979e-4 (the values of physics/vmd.py)
BR_EE = {"rho0": 4.72e-5, "omega": 7.38e-5, "phi": 2.979e-4}
#: pole masses (GeV), darkbeam.constants
MASS = {"rho0": C.M_RHO, "omega": C.M_OMEGA, "phi": C.M_PHI}
REFERENCE = ("V -> A'* -> chi chi-bar by vector-meson dominance mixing, Br = Br(V -> e+ e-) eps^2 Gamma_D/Gamma_ee "
             "m_V^4/|m_V^2 - m_A'^2 + i m_A' Gamma_A'|^2 (docs/dark_matter.md eq. DMV; the m_e -> 0 form as in "
             "BdNMC src/branchingratios.cpp, the MiniBooNE-DM simulation, arXiv:1807.06137)")


def dark_width(m, m_chi: float, g: float, scalar: bool = False):
    """Width (GeV) of a vector of mass m into chi chi-bar with the dark coupling g (DM1 fermion, DM2 scalar)."""
    if scalar:
        return vector_to_scalars(m, m_chi, g)
    return vector_to_fermions(m, m_chi, m_chi, g, g)


def br_vector_to_chichi(m_v: float, br_ee: float, eps2: float, alpha_d: float, m_a: float, gamma_a: float,
                        m_chi: float, scalar: bool = False) -> float:
    """Br(V -> A'* -> chi chi-bar) of eq. DMV (module docstring) for a vector meson of mass m_v with
    Br(V -> e+ e-) = br_ee; alpha_d = g_D^2/(4 pi); m_a, gamma_a the A' mass and total width.  0 when
    2 m_chi >= m_v or a coupling vanishes."""
    if 2.0 * m_chi >= m_v or eps2 == 0.0 or alpha_d == 0.0:
        return 0.0
    g_d = math.sqrt(4.0 * math.pi * alpha_d)
    e = math.sqrt(4.0 * math.pi * C.ALPHA_EM)
    ratio = float(dark_width(m_v, m_chi, g_d, scalar)) / float(vector_to_fermions(m_v, C.M_E, C.M_E, e, e))
    den = (m_v**2 - m_a**2) ** 2 + (m_a * gamma_a) ** 2
    if not den > 0.0:
        raise ValueError("V -> A'* -> chi chi-bar at m_A' = m_V needs the A' width > 0")
    return br_ee * eps2 * ratio * m_v**4 / den


def br_vector_meson_to_dark_matter(params, parent: str, *, sw2=None) -> float:
    """Br(parent -> chi chi-bar) of a model for parent 'rho0', 'omega' or 'phi' (eq. DMV with the model's
    eps, alpha_D = (g_D cos beta)^2/(4 pi) as the other dark-matter channels, and total A' width).  0
    without dark matter or a kinetically mixed A'."""
    if parent not in VECTOR_MESONS:
        from darkbeam.errors import ConfigurationError

        raise ConfigurationError(f"unknown vector meson '{parent}' for V -> chi chi-bar (choose from "
                                 f"{', '.join(VECTOR_MESONS)})")
    if not params.has_dm or params.zprime_charge != "dark":
        return 0.0
    from darkbeam.physics.production.dark_matter_mesons import dark_photon_inputs

    eps2, alpha_d, gamma_a = dark_photon_inputs(params, sw2)
    return br_vector_to_chichi(MASS[parent], BR_EE[parent], eps2, alpha_d, float(params.mzprime),
                               gamma_a, float(params.mchi), params.dm_type == "scalar")
