"""Standard-model charged-current quasi-elastic scattering: nu_l n -> l^- p and nubar_l p -> l^+ n.

Free nucleons: the Llewellyn Smith cross section (C.H. Llewellyn Smith, Phys. Rep. 3, 261 (1972),
eq. 3.18; in the notation of Formaggio and Zeller, Rev. Mod. Phys. 84, 1307 (2012), eqs. 57-58):

    d sigma / d Q^2 = M^2 G_F^2 |V_ud|^2 / (8 pi E^2) [A + s B (s-u)/M^2 + C (s-u)^2/M^4],
    s = +1 (nu), -1 (nubar),  s - u = 4 M E - Q^2 - m^2,  tau = Q^2 / 4M^2,

    A = (m^2 + Q^2)/M^2 [(1+tau) F_A^2 - (1-tau) F_1^2 + tau (1-tau) F_2^2 + 4 tau F_1 F_2
                         - m^2/(4M^2) ((F_1 + F_2)^2 + (F_A + 2 F_P)^2 - 4 (1+tau) F_P^2)],
    B = Q^2/M^2 F_A (F_1 + F_2),     C = (F_A^2 + F_1^2 + tau F_2^2) / 4,

with the isovector form factors F_1 = F_1^p - F_1^n, F_2 = F_2^p - F_2^n (CVC, from the nucleon
electromagnetic form factors of :class:`darkbeam.physics.form_factors.NucleonFormFactors`: dipole
Sachs with Galster G_E^n), the dipole axial F_A = g_A (1 + Q^2/M_A^2)^-2 (g_A = 1.2754, M_A = 1.026 GeV,
Bernard, Elouadrhiri and Meissner, J. Phys. G 28, R1 (2002)) and the pion-pole F_P = 2 M^2 F_A /
(m_pi^2 + Q^2).  In this sign convention (F_A > 0, hadronic current V - A like the leptonic one) the
neutrino has the + sign of B.  M is the average nucleon mass in the formula; the limits of Q^2 use the
physical initial and final nucleon masses (threshold of nubar_e p -> e^+ n at 1.806 MeV).  The
formula is checked in tests/test_ccqe.py against a direct numerical evaluation of the Dirac traces
of the same currents.

Nuclei (``nucleon_model='fermi-gas'``, the default; 'rfg' adds Fermi motion and exact kinematic
blocking, :mod:`darkbeam.physics.ccqe_rfg`): the neutrons (nu) or protons (nubar) of the nucleus scatter
as free nucleons, Pauli blocked in a Fermi gas in the closure approximation of
:mod:`darkbeam.physics.nuclear_response`, generalised to different initial and final Fermi momenta
(k_i: the struck species, k_f: the produced one): the unblocked fraction is one minus the overlap of
the initial Fermi sphere with the final one displaced by |q|,

    S(|q|) = 1 - V_lens(k_i, k_f, |q|) / (4 pi k_i^3 / 3),

V_lens the volume of intersection of two spheres (for k_i = k_f this is 3x/4 - x^3/16,
x = |q|/k_F; docs/oscillations.md).  Not included: Fermi motion smearing of the kinematics, binding
energy, RPA, 2p2h (MEC) and final-state interactions; 'free' keeps the impulse approximation without
blocking.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics.form_factors import NucleonFormFactors
from darkbeam.physics.nuclear_response import NUCLEON_MODELS, nucleon_fermi_momentum

#: GeV^-2 -> cm^2
GEV2_TO_CM2 = 0.3893793721e-27
PROJECTILES = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
_LEPTON = {"e": C.M_E, "mu": C.M_MU, "tau": C.M_TAU}
#: nucleon treatments for CCQE on nuclei: 'fermi-gas' (Pauli blocking in the closure approximation,
#: below), 'rfg' (relativistic Fermi gas with Fermi motion and kinematic blocking,
#: :mod:`darkbeam.physics.ccqe_rfg`) and 'free'
CCQE_NUCLEON_MODELS = NUCLEON_MODELS[:1] + ("rfg",) + NUCLEON_MODELS[1:]
#: CCQE form factors: darkbeam's nucleon form factors with the pion-pole pseudoscalar
FORM_FACTORS = NucleonFormFactors()


def _parse(projectile: str) -> tuple[float, bool]:
    if projectile not in PROJECTILES:
        raise ConfigurationError(f"unknown projectile '{projectile}' (choose from {', '.join(PROJECTILES)})")
    anti = projectile.endswith("_bar")
    flav = projectile.removeprefix("nu_").removesuffix("_bar")
    return _LEPTON[flav], anti


def nucleon_masses(anti: bool) -> tuple[float, float]:
    """(initial, final) nucleon masses: n -> p for neutrinos, p -> n for antineutrinos."""
    return (C.M_PROTON, C.M_NEUTRON) if anti else (C.M_NEUTRON, C.M_PROTON)


def q2_range(E, m_lepton: float, Mi: float, Mf: float) -> tuple[np.ndarray, np.ndarray]:
    """(Q^2_min, Q^2_max) of nu + N_i -> l + N_f at lab energy E (NaN below threshold)."""
    E = np.asarray(E, dtype=float)
    s = Mi * Mi + 2.0 * Mi * E
    rs = np.sqrt(s)
    open_ = rs > m_lepton + Mf
    s_ = np.where(open_, s, (m_lepton + Mf + 1e-9) ** 2)
    rs_ = np.sqrt(s_)
    e_nu = (s_ - Mi * Mi) / (2.0 * rs_)
    e_l = (s_ + m_lepton**2 - Mf * Mf) / (2.0 * rs_)
    p_l = np.sqrt(np.maximum(e_l * e_l - m_lepton**2, 0.0))
    lo = -m_lepton**2 + 2.0 * e_nu * (e_l - p_l)
    hi = -m_lepton**2 + 2.0 * e_nu * (e_l + p_l)
    return np.where(open_, lo, np.nan), np.where(open_, hi, np.nan)


def isovector_form_factors(Q2, ff: NucleonFormFactors = FORM_FACTORS) -> tuple[np.ndarray, ...]:
    """(F_1^V, F_2^V, F_A, F_P) at Q^2 (module docstring)."""
    f1p, f2p, f1n, f2n = ff.dirac_pauli(Q2)
    FA = ff.axial(Q2)
    FP = FA * ff.pseudoscalar_ratio(Q2)
    return f1p - f1n, f2p - f2n, FA, FP


def dsigma_dq2(E, Q2, projectile: str = "nu_mu", *, ff: NucleonFormFactors = FORM_FACTORS) -> np.ndarray:
    """Llewellyn Smith d sigma/dQ^2 (cm^2/GeV^2) on a free nucleon (module docstring); 0 outside the
    kinematic range."""
    m, anti = _parse(projectile)
    E = np.asarray(E, dtype=float)
    Q2 = np.asarray(Q2, dtype=float)
    M = C.M_NUCLEON
    F1, F2, FA, FP = isovector_form_factors(Q2, ff)
    tau = Q2 / (4.0 * M * M)
    m2 = m * m
    A = (m2 + Q2) / M**2 * ((1 + tau) * FA**2 - (1 - tau) * F1**2 + tau * (1 - tau) * F2**2 + 4 * tau * F1 * F2
                            - m2 / (4 * M * M) * ((F1 + F2) ** 2 + (FA + 2 * FP) ** 2 - 4 * (1 + tau) * FP**2))
    B = Q2 / M**2 * FA * (F1 + F2)
    Cc = 0.25 * (FA**2 + F1**2 + tau * F2**2)
    su = 4.0 * M * E - Q2 - m2
    sign = -1.0 if anti else 1.0
    Es = np.where(E > 0, E, 1.0)
    d = M * M * C.G_F**2 * C.V_UD**2 / (8.0 * math.pi * Es * Es) * (A + sign * B * su / M**2 + Cc * su**2 / M**4)
    Mi, Mf = nucleon_masses(anti)
    lo, hi = q2_range(E, m, Mi, Mf)
    inside = np.isfinite(lo) & (Q2 >= lo) & (Q2 <= hi) & (E > 0)
    return np.where(inside, np.maximum(d, 0.0), 0.0) * GEV2_TO_CM2


def _gauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _integrate(E, projectile, weight, n: int) -> np.ndarray:
    m, anti = _parse(projectile)
    E = np.atleast_1d(np.asarray(E, dtype=float))
    if np.any(~np.isfinite(E)) or np.any(E < 0):
        raise ConfigurationError("neutrino energies must be finite and >= 0 GeV")
    Mi, Mf = nucleon_masses(anti)
    lo, hi = q2_range(E, m, Mi, Mf)
    ok = np.isfinite(lo) & (E > 0)  # nu_e n -> e- p is open at E -> 0 (M_n > M_p + m_e): E = 0 itself gets 0
    out = np.zeros(E.shape)
    if not np.any(ok):
        return out
    x, w = _gauss(n)
    # substitution Q^2 = lo + (hi - lo) x^2 ... keeps the low-Q^2 region (Pauli blocking) resolved
    Eo, l, h = E[ok], lo[ok], hi[ok]
    u = x[None, :]
    Q2 = l[:, None] + (h - l)[:, None] * u * u
    jac = 2.0 * (h - l)[:, None] * u
    f = dsigma_dq2(Eo[:, None], Q2, projectile) * weight(Q2, anti)
    out[ok] = np.sum(f * jac * w[None, :], axis=1)
    return out


def sigma_free(E, projectile: str = "nu_mu", *, n: int = 96) -> np.ndarray:
    """Total CCQE cross section (cm^2) per free target nucleon (a neutron for nu, a proton for nubar)."""
    return _integrate(E, projectile, lambda Q2, anti: 1.0, n)


def lens_volume(r1: float, r2: float, d) -> np.ndarray:
    """Volume of the intersection of spheres of radii r1, r2 with centres d apart."""
    d = np.asarray(d, dtype=float)
    full = 4.0 / 3.0 * math.pi * min(r1, r2) ** 3
    dd = np.where(d > 0, d, 1.0)
    lens = (math.pi * (r1 + r2 - dd) ** 2 * (dd * dd + 2 * dd * r2 - 3 * r2 * r2 + 2 * dd * r1 + 6 * r1 * r2 - 3 * r1 * r1)
            / (12.0 * dd))
    return np.where(d >= r1 + r2, 0.0, np.where(d <= abs(r1 - r2), full, lens))


def pauli_factor(q, k_i: float, k_f: float) -> np.ndarray:
    """Unblocked fraction 1 - V_lens(k_i, k_f, |q|) / V(k_i) (module docstring); ``q`` in GeV."""
    return 1.0 - lens_volume(k_i, k_f, q) / (4.0 / 3.0 * math.pi * k_i**3)


def sigma_nucleus(E, projectile: str = "nu_mu", target: str = "C12", *, nucleon_model: str = "fermi-gas",
                  n: int = 96) -> np.ndarray:
    """CCQE cross section per target nucleus (cm^2): N (nu) or Z (nubar) nucleons, Pauli blocked in a
    Fermi gas (``nucleon_model='fermi-gas'``), in the relativistic Fermi gas ('rfg') or free; the free
    proton (H1) is never blocked."""
    from darkbeam.physics.nuclear import nucleus

    if nucleon_model not in CCQE_NUCLEON_MODELS:
        raise ConfigurationError(f"unknown nucleon model '{nucleon_model}' (choose from {', '.join(CCQE_NUCLEON_MODELS)})")
    if nucleon_model == "rfg":
        from darkbeam.physics.ccqe_rfg import sigma_rfg

        return sigma_rfg(E, projectile, target)
    nuc = nucleus(target)
    _, anti = _parse(projectile)
    count = nuc.Z if anti else nuc.N
    if count == 0:
        return np.zeros(np.shape(np.atleast_1d(E)))
    if nucleon_model == "free" or nuc.A < 2:
        return count * sigma_free(E, projectile, n=n)
    k_i = nucleon_fermi_momentum(nuc.Z, nuc.N, "p" if anti else "n")
    k_f = nucleon_fermi_momentum(nuc.Z, nuc.N, "n" if anti else "p")
    Mi, Mf = nucleon_masses(anti)

    def blocked(Q2, anti_):
        nu = (Q2 + Mf * Mf - Mi * Mi) / (2.0 * Mi)
        q = np.sqrt(np.maximum(Q2 + nu * nu, 0.0))
        return pauli_factor(q, k_i, k_f)

    return count * _integrate(E, projectile, blocked, n)
