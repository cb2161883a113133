"""Light dark matter from neutral-meson decays through an on- or off-shell dark photon:
P -> gamma A'(*) -> gamma chi chi-bar for P = pi0, eta, eta'.

The A' couples to conserved currents on both sides (the meson's electromagnetic transition and the
dark current of chi), so the q^mu q^nu part of its propagator drops out and the three-body rate
factorises exactly into the two-body rate at the pair mass sqrt(s) (docs/dark_matter.md eq. DM3; the
form used by de Romeri, Kelly, Machado 1903.10505 sec. 2 and Batell et al. 1405.7049):

    dBr/ds = Br(P -> gamma A'; m_A'^2 -> s) * sqrt(s) Gamma(A' -> chi chi-bar; m_A' -> sqrt(s))
             / (pi [(s - m_A'^2)^2 + m_A'^2 Gamma_A'^2]),
    Br(P -> gamma A'; s) = 2 eps^2 (1 - s/m_P^2)^3 Br(P -> gamma gamma)      (0906.5614 eq. 13),

s from 4 m_chi^2 to m_P^2, Gamma_A' the total width of the A' (visible and invisible channels).  In the
narrow-width limit (2 m_chi < m_A' < m_P) it is Br(P -> gamma A') Br(A' -> chi chi-bar) (tested).

The matrix element for the samplers (daughters gamma, chi, chi-bar; s = (k_chi + k_chibar)^2,
theta the angle between chi and the photon's line of flight in the pair rest frame,
cos(theta) = (u - t)/((M^2 - s) beta), u = (k_gamma + k_chi)^2, t = (k_gamma + k_chibar)^2,
beta^2 = 1 - 4 m_chi^2/s), normalised so that its Dalitz integral is the width:

    fermion:  |M|^2 = 128 pi^2 eps^2 alpha_D Gamma(P -> gamma gamma)/M^3 (M^2 - s)^2 s
                      [1 + cos^2 + (4 m_chi^2/s) sin^2] / D(s)
    scalar:   |M|^2 =  64 pi^2 eps^2 alpha_D Gamma(P -> gamma gamma)/M^3 (M^2 - s)^2 s beta^2 sin^2 / D(s)

(the Kroll-Wada angular distributions of a vector decaying to fermion and scalar pairs;
D(s) = (s - m_A'^2)^2 + m_A'^2 Gamma_A'^2).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from darkbeam.physics.zprime_decays import vector_to_fermions, vector_to_scalars


def _dm_width(m, m_chi: float, g: float, scalar: bool):
    if scalar:
        return vector_to_scalars(m, m_chi, g)
    return vector_to_fermions(m, m_chi, m_chi, g, g)


@lru_cache(maxsize=4)
def _nodes(n: int):
    return np.polynomial.legendre.leggauss(n)


def br_pseudoscalar_to_gamma_chichi(m_p: float, br_gg: float, eps2: float, alpha_d: float, m_a: float,
                                    gamma_a: float, m_chi: float, scalar: bool = False, *, n: int = 400) -> float:
    """Br(P -> gamma chi chi-bar) through the A' of mass m_a and total width gamma_a (module docstring),
    alpha_d = g^2/(4 pi) of the A'-chi coupling.  0 where closed.  With the pole inside the range the s
    integral runs in theta = atan((s - m_a^2)/(m_a Gamma)) (flat across the Breit-Wigner peak) on each
    side of the pole; without, directly in s."""
    lo, hi = 4.0 * m_chi**2, m_p**2
    if hi <= lo or eps2 == 0.0 or alpha_d == 0.0:
        return 0.0
    g = np.sqrt(4.0 * np.pi * alpha_d)
    mg = m_a * gamma_a
    x, w = _nodes(n)
    ph = 0.25 * np.pi * (x + 1.0)
    sin2, jac_u = np.sin(ph) ** 2, 2.0 * np.sin(ph) * np.cos(ph) * 0.25 * np.pi * w  # u = sin^2(phi) in [0, 1]

    def dbr_ds(s):
        rs = np.sqrt(np.clip(s, 0.0, None))
        two_body = 2.0 * eps2 * np.clip(1.0 - s / m_p**2, 0.0, None) ** 3 * br_gg
        return two_body * rs * _dm_width(rs, m_chi, g, scalar) / np.pi

    if lo < m_a**2 < hi and not mg > 0.0:
        raise ValueError("P -> gamma chi chi-bar with the A' pole inside the phase space needs the A' width > 0")
    if not lo < m_a**2 < hi:
        # no pole inside: integrate in s directly (u = sin^2 absorbs the threshold and end-point edges)
        s = lo + (hi - lo) * sin2
        return float(np.sum(jac_u * (hi - lo) * dbr_ds(s) / ((s - m_a**2) ** 2 + mg**2)))
    # a pole inside: theta = atan((s - m_a^2)/(m_a Gamma)) on each side of it, ds/D(s) = dtheta/(m_a Gamma)
    total = 0.0
    for a, b in ((np.arctan((lo - m_a**2) / mg), 0.0), (0.0, np.arctan((hi - m_a**2) / mg))):
        th = a + (b - a) * sin2
        total += float(np.sum(jac_u * (b - a) * dbr_ds(m_a**2 + mg * np.tan(th)) / mg))
    return total


def _mdot(a, b):
    return a[:, 0] * b[:, 0] - a[:, 1] * b[:, 1] - a[:, 2] * b[:, 2] - a[:, 3] * b[:, 3]


def gamma_chichi_msq(P, k_gamma, k_chi, k_chibar, *, gamma_gg: float, eps2: float, alpha_d: float, m_a: float,
                     gamma_a: float, m_chi: float, scalar: bool = False):
    """|M|^2 of P -> gamma chi chi-bar (module docstring), spins summed; arrays (n, 4), metric +---;
    gamma_gg = Gamma(P -> gamma gamma) in GeV."""
    M2 = _mdot(P, P)
    q = k_chi + k_chibar
    s = _mdot(q, q)
    u = _mdot(k_gamma + k_chi, k_gamma + k_chi)
    t = _mdot(k_gamma + k_chibar, k_gamma + k_chibar)
    beta2 = np.clip(1.0 - 4.0 * m_chi**2 / s, 0.0, None)
    den = (M2 - s) * np.sqrt(beta2)
    c = np.clip((u - t) / np.where(den > 0, den, 1.0), -1.0, 1.0)
    s2 = 1.0 - c * c
    D = (s - m_a**2) ** 2 + (m_a * gamma_a) ** 2
    M = np.sqrt(M2)
    if scalar:
        norm = 64.0 * np.pi**2 * eps2 * alpha_d * gamma_gg / M**3
        ang = beta2 * s2
    else:
        norm = 128.0 * np.pi**2 * eps2 * alpha_d * gamma_gg / M**3
        ang = 1.0 + c * c + 4.0 * m_chi**2 / s * s2
    return norm * (M2 - s) ** 2 * s * ang / D


def dark_photon_inputs(params, sw2=None) -> tuple[float, float, float]:
    """(eps^2, alpha_D, Gamma_A') of a model for the dark-matter production channels: the kinetic mixing
    eps of :class:`darkbeam.models.couplings.Couplings`, alpha_D = (g_D cos beta)^2/(4 pi) (the A'-chi
    coupling after Z-Z' mixing) and the total A' width of the decay library (visible and invisible)."""
    import math

    from darkbeam import constants as C
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics.decays import decay_table

    sw2 = C.SW2 if sw2 is None else sw2
    c = Couplings(params, sw2)
    alpha_d = (c.gD * math.cos(c.beta)) ** 2 / (4.0 * math.pi)
    return float(c.epsilon) ** 2, float(alpha_d), float(decay_table(params, "zprime", sw2=sw2).total_width)


def br_meson_to_dark_matter(params, parent: str, *, sw2=None) -> float:
    """Br(parent -> gamma chi chi-bar) of a model for parent 'pi0', 'eta' or "eta'", on or off shell
    (the full Breit-Wigner integral with the model's A' width; in the on-shell window it equals
    Br(P -> gamma A') Br(A' -> chi chi-bar) up to O(Gamma/m)).  0 without dark matter."""

    from darkbeam.physics.particles import mass_of
    from darkbeam.physics.production import parents as PD

    br_gg = {"pi0": PD.BR_PI0_GG, "eta": PD.BR_ETA_GG, "eta'": PD.BR_ETAP_GG}
    if parent not in br_gg:
        from darkbeam.errors import ConfigurationError

        raise ConfigurationError(f"unknown parent '{parent}' for P -> gamma chi chi-bar (choose from pi0, eta, eta')")
    if not params.has_dm or params.zprime_charge != "dark":
        return 0.0
    eps2, alpha_d, gamma_a = dark_photon_inputs(params, sw2)
    return br_pseudoscalar_to_gamma_chichi(mass_of(parent), br_gg[parent], eps2, alpha_d, float(params.mzprime),
                                           gamma_a, float(params.mchi), params.dm_type == "scalar")
