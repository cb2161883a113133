"""One-loop (electroweak) radiative corrections to the CEvNS weak charge, flavour dependent.

Derivation, sources and validation: docs/rare_scattering.md, section 3a.  ``CEvNSXsec(radiative="ew")``
replaces the tree-level nucleon couplings g_V^p = 1/2 - 2 s^2, g_V^n = -1/2 by

    g_V^n            = -0.5117                                   (flavour independent),
    g_V^p(nu_l, Q^2) = ghat_V^p - 2 (s^2 - s0^2) + delta_l(Q^2),
    delta_l(Q^2)     = (alpha/3pi) [ln(M_W^2/m_l^2) + 3/2] - (2 alpha/pi) J(Q^2/m_l^2),
    J(r)             = int_0^1 x(1-x) ln(1 + x(1-x) r) dx          (J(0) = 0),

s0^2 = 0.23857 (low-Q^2 MSbar, PDG 2024 eq. 10.21; ``s^2`` is ``--sw2``, default s0^2).

* delta_l(0) is the neutrino charge radius term: -(sqrt2 pi alpha/(3 G_F)) <r^2_{nu_l}> with the Standard
  Model one-loop radius <r^2_{nu_l}> = -(G_F/(2 sqrt2 pi^2)) [3 - 2 ln(m_l^2/M_W^2)] (Bernabeu,
  Papavassiliou, Vidal, PRL 89, 101802 (2002) and Bernabeu et al. PRD 62, 113012 (2000), written in
  the normalisation of Giunti and Studenikin, RMP 87, 531 (2015), whose values -0.83, -0.48, -0.30
  x 1e-32 cm^2 for nu_e, nu_mu, nu_tau it reproduces; Bernabeu et al. quote G_F/(4 sqrt2 pi^2) for
  the form factor normalised to the gamma^mu (1 - g5) vertex, the same physics).  It is the only
  flavour-dependent part: g_V^p(nu_e) - g_V^p(nu_mu) = (alpha/3pi) ln(m_mu^2/m_e^2) = 0.00826.
* Its Q^2 dependence is the charged-lepton loop at space-like q^2 = -Q^2 (the loop that makes the
  charge radius, with m_l^2 -> m_l^2 + x(1-x) Q^2 under the logarithm: Tomalak, Machado, Pandey,
  Plestid, JHEP 02 (2021) 097, arXiv:2011.05960; Atzori Corona et al., JHEP 05 (2024) 271,
  arXiv:2402.16709).  For nu_e at COHERENT recoils (Q ~ 30-100 MeV >> m_e) it removes a third of
  delta_e; for nu_mu and nu_tau it is below 1e-4.
* ghat_V^p = 0.0204 and g_V^n = -0.5117 are the flavour-independent parts (rho, kappa-hat and the WW,
  ZZ boxes at s0^2) of the PDG / Erler-Su low-energy couplings, as tabulated by Cadeddu et al.
  arXiv:2008.05022 (g_V^p(nu_e, nu_mu, nu_tau) = 0.0401, 0.0318, 0.0275 with the charge radius,
  g_V^n = -0.5117): ghat_V^p is the mean of g_V^p(nu_l) - delta_l(0) over the three flavours, which
  agree to 4e-5.  **These four numbers are quoted from memory (not verified in this session)**;
  the independent check of g_V^n is the Barranco-Miranda-Rashba coupling built from the PDG rho,
  kappa, lambda constants in pyCEvNS, -0.5122 (0.1 %).
* Antineutrinos have the same couplings (the charge radius and the NC vector coupling of nubar both
  change sign).  A Z', a scalar or a magnetic moment adds to these couplings as at tree level.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam import constants as C
from darkbeam.models.zprime_charges import _vacpol

#: the choices of ``CEvNSXsec(radiative=...)`` and of ``--radiative`` with ``--process cevns``
CEVNS_RADIATIVE_CHOICES = ("none", "ew")
#: PDG / Erler-Su effective couplings as tabulated by Cadeddu et al. 2008.05022 (from memory, not verified)
GVP_LITERATURE = {0: 0.0401, 1: 0.0318, 2: 0.0275}
GVN = -0.5117
#: s^2 at which GVP_LITERATURE holds (low-Q^2 MSbar, PDG 2024 eq. 10.21)
SW2_REF = C.SW2_LOW_Q2
_LEPTONS = ("e", "mu", "tau")


def charge_radius(flavour: int) -> float:
    """Standard Model <r^2_{nu_l}> in GeV^-2 (negative), Giunti-Studenikin normalisation (module docstring)."""
    m = C.M_LEPTON[_LEPTONS[flavour]]
    return -C.G_F / (2.0 * math.sqrt(2.0) * math.pi**2) * (3.0 - 2.0 * math.log(m**2 / C.M_W**2))


def charge_radius_shift(flavour: int, Q2=0.0) -> np.ndarray:
    """delta_l(Q^2): the neutrino-charge-radius term of g_V^p at Q^2 (GeV^2), module docstring."""
    m = C.M_LEPTON[_LEPTONS[flavour]]
    d0 = -math.sqrt(2.0) * math.pi * C.ALPHA_EM / (3.0 * C.G_F) * charge_radius(flavour)
    return d0 - 2.0 * C.ALPHA_EM / math.pi * _vacpol(np.asarray(Q2, dtype=float), m)


#: flavour-independent part of g_V^p at SW2_REF (mean over the three flavours of GVP - delta_l(0))
GVP_HAT = float(np.mean([GVP_LITERATURE[f] - float(charge_radius_shift(f)) for f in range(3)]))


def gv_proton(flavour: int, Q2=0.0, sw2: float = SW2_REF) -> np.ndarray:
    """g_V^p(nu_l, Q^2) with the one-loop corrections (module docstring), ``sw2`` = low-Q^2 s^2."""
    return GVP_HAT - 2.0 * (sw2 - SW2_REF) + charge_radius_shift(flavour, Q2)


def gv_neutron() -> float:
    """g_V^n with the one-loop corrections (flavour and Q^2 independent)."""
    return GVN


def default_sw2(process: str, radiative: str) -> float:
    """The default sin^2 theta_W of a rare process: MSbar(M_Z) for nu-e with radiative corrections (the
    scheme of BKS), the low-Q^2 value otherwise (tree level, and the CEvNS couplings above)."""
    return C.SW2_MSBAR_MZ if (process == "nu-e" and radiative != "none") else C.SW2_LOW_Q2


def radiative_choices(process: str) -> tuple[str, ...]:
    """The radiative-correction choices of a rare process ('nu-e' or 'cevns')."""
    if process == "nu-e":
        from darkbeam.physics.nu_electron_radiative import RADIATIVE_CHOICES

        return RADIATIVE_CHOICES
    return CEVNS_RADIATIVE_CHOICES


def check_radiative(process: str, radiative: str, option: str = "--radiative") -> None:
    """One clear error for a radiative correction that ``process`` does not have."""
    from darkbeam.errors import ConfigurationError

    if process not in ("nu-e", "cevns"):
        if radiative != "none":
            raise ConfigurationError(f"{option} applies to --process nu-e and cevns only")
        return
    choices = radiative_choices(process)
    if radiative not in choices:
        why = " (QED corrections of the recoil electron: nu-e only)" if process == "cevns" and radiative in ("full", "calorimetric") else ""
        raise ConfigurationError(f"{option} '{radiative}' is not a choice of --process {process} "
                                 f"(choose from {', '.join(choices)}){why}")


def radiative_caveat(process: str, radiative: str) -> list[str]:
    """The stand-ins of a radiative scheme, for the caveats of events and outputs (empty if none)."""
    if process == "cevns" and radiative == "ew":
        return ["CEvNS one-loop couplings: g_V^n = -0.5117 and the g_V^p(nu_l) = 0.0401, 0.0318, 0.0275 that fix "
                "the flavour-independent part of g_V^p are quoted from memory (PDG / Erler-Su as tabulated by "
                "Cadeddu et al. 2008.05022), not verified; docs/rare_scattering.md 3a"]
    if process == "nu-e" and radiative == "calorimetric":
        return ["nu-e electron+photon spectrum: BKS electron spectrum with the final-state photons added back in "
                "the leading-log approximation (exact total; O(alpha/pi) non-log terms not fixed); "
                "docs/rare_scattering.md 2b"]
    return []
