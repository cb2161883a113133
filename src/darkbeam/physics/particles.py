"""Particle labels used in channel names: masses (GeV), PDG codes and charge conjugation.

Labels are the keys of :data:`darkbeam.constants.PDG` (plus quark labels for inclusive channels).
New particles (N4, N5, N6, zprime, hprime, the dark matter chi (Dirac fermion) or chi_s (complex
scalar), alp) take their masses from the model parameters.
"""

from __future__ import annotations

from darkbeam import constants as C

#: quark labels for inclusive (partonic) channels, PDG codes 1-5
QUARKS = {"d": 1, "u": 2, "s": 3, "c": 4, "b": 5}

_MASS = {
    "e-": C.M_E, "e+": C.M_E, "mu-": C.M_MU, "mu+": C.M_MU, "tau-": C.M_TAU, "tau+": C.M_TAU,
    "nu_e": 0.0, "nu_mu": 0.0, "nu_tau": 0.0, "nu_e_bar": 0.0, "nu_mu_bar": 0.0, "nu_tau_bar": 0.0,
    "gamma": 0.0, "g": 0.0,
    "pi0": C.M_PI0, "pi+": C.M_PI, "pi-": C.M_PI, "eta": C.M_ETA, "eta'": C.M_ETAP,
    "rho0": C.M_RHO, "rho+": C.M_RHO_CHARGED, "rho-": C.M_RHO_CHARGED, "omega": C.M_OMEGA, "phi": C.M_PHI,
    "K+": C.M_K, "K-": C.M_K, "K0": C.M_K0, "K0_L": C.M_K0, "K0_S": C.M_K0, "K*+": C.M_KSTAR, "K*-": C.M_KSTAR,
    "D+": C.M_D_MESON, "D-": C.M_D_MESON, "D0": C.M_D0, "D0_bar": C.M_D0, "K0_bar": C.M_K0,
    "B+": C.M_B_PLUS, "B-": C.M_B_PLUS, "B0": C.M_B0, "B0_bar": C.M_B0, "D_s+": C.M_DS, "D_s-": C.M_DS,
    "D*+": C.M_DSTAR, "D*-": C.M_DSTAR, "D_s*+": C.M_DSSTAR, "D_s*-": C.M_DSSTAR,
    "eta_c": C.M_ETAC, "J/psi": C.M_JPSI, "p": C.M_PROTON, "n": C.M_NEUTRON,
    "d": C.M_D, "u": C.M_U, "s": C.M_S, "c": C.M_C, "b": C.M_B,
    "d_bar": C.M_D, "u_bar": C.M_U, "s_bar": C.M_S, "c_bar": C.M_C, "b_bar": C.M_B,
}

_NEW = {"N4": "m4", "N5": "m5", "N6": "m6", "zprime": "mzprime", "hprime": "mhprime", "chi": "mchi", "chi_s": "mchi",
        "alp": "ma"}


def hnl_label(i: int) -> str:
    """Label of HNL number ``i`` (0 = N4, 1 = N5, 2 = N6)."""
    return f"N{4 + i}"


def mass_of(label: str, params=None) -> float:
    """Mass in GeV of the particle called ``label``; KeyError if unknown."""
    base = label[:-4] if label.endswith("_bar") and label[:-4] in _NEW else label
    if base in _NEW:
        if params is None or getattr(params, _NEW[base]) is None:
            raise KeyError(label)
        return float(getattr(params, _NEW[base]))
    return _MASS[label]


def pdg_code(label: str) -> int:
    """PDG Monte Carlo code of ``label`` (antiparticles negative)."""
    if label in C.PDG:
        return C.PDG[label]
    if label in QUARKS:
        return QUARKS[label]
    if label.endswith("_bar"):
        return -pdg_code(label[:-4])
    raise KeyError(label)


_CONJ = {"e-": "e+", "mu-": "mu+", "tau-": "tau+", "pi+": "pi-", "K+": "K-", "rho+": "rho-", "K*+": "K*-",
         "D+": "D-", "D_s+": "D_s-", "B+": "B-", "D*+": "D*-", "D_s*+": "D_s*-", "W+": "W-"}
_CONJ.update({v: k for k, v in list(_CONJ.items())})
_SELF = {"g", "gamma", "pi0", "eta", "eta'", "rho0", "omega", "phi", "eta_c", "J/psi", "K0_L", "K0_S", "Z0", "h0",
         "zprime", "hprime", "alp"}


def conjugate(label: str) -> str:
    """Charge conjugate of a label (nu_e <-> nu_e_bar, e- <-> e+, pi+ <-> pi-, u <-> u_bar, ...)."""
    if label in _SELF:
        return label
    if label in _CONJ:
        return _CONJ[label]
    if label.endswith("_bar"):
        return label[:-4]
    return label + "_bar"
