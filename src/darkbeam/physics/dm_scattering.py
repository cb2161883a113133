"""Elastic scattering of light dark matter chi on electrons, protons and nuclei through the dark photon.

chi (energy E, mass m_chi, lab frame, target at rest with mass M) exchanges an A' (mass m_A', coupling
g_D to chi, e eps Q to the target) and leaves the target with kinetic energy E_R; t = -2 M E_R.
Both currents are conserved, so the spin-averaged |M|^2 is a contraction of two tensors
(docs/dark_matter.md, "Scattering"):

    dsigma/dE_R = pi alpha alpha_D eps^2 (L.H) / (2 M p^2 (m_A'^2 + 2 M E_R)^2),   p^2 = E^2 - m_chi^2,

with, for P = p + p' (chi), K = k + k' (target), q^2 = t, tau = -t/(4M^2):

* chi tensor L: Dirac fermion L = P P + (q^2 g - q q); complex scalar L = P P;
* target tensor H: spin-1/2 with Sachs form factors H = G_M^2 (q^2 g - q q) + (G_E^2 + tau G_M^2)/(1 + tau) K K
  (point-like electron: G_E = G_M = 1); spin-0 nucleus H = Z^2 F(Q^2)^2 K K (coherent, charge form
  factor of :mod:`darkbeam.physics.form_factors`; every target nucleus used is even-even, spin 0);
* contractions: (q^2 g - q q).(q^2 g - q q) = 3 q^4, (q^2 g - q q).P P = q^2 P^2, with P^2 = 4 m_chi^2 - t,
  K^2 = 4 M^2 - t, K.P = 2 M (2E - E_R).

For a point-like electron this is the closed form of de Romeri, Kelly, Machado 1903.10505 eq. 3.1
(and Batell et al. 1405.7049):

    fermion: dsigma/dE_R = 4 pi eps^2 alpha alpha_D [2 m_e E^2 - E_R (m_chi^2 + m_e (2E + m_e)) + m_e E_R^2]
                           / [(E^2 - m_chi^2)(m_A'^2 + 2 m_e E_R)^2]
    scalar:  dsigma/dE_R = 4 pi eps^2 alpha alpha_D [2 m_e E^2 - E_R (m_chi^2 + 2 m_e E)]
                           / [(E^2 - m_chi^2)(m_A'^2 + 2 m_e E_R)^2]

(tested against the tensor form).  Kinematic limit E_R^max = 2 M p^2 / (m_chi^2 + M^2 + 2 M E).

The neutron couples to the A' through its electromagnetic form factors only (charge 0): the same
spin-1/2 tensor with the Galster G_E^n = -mu_n tau G_D/(1 + 5.6 tau) (Galster et al., Nucl. Phys. B 32,
221 (1971)) and the dipole G_M^n = mu_n G_D, mu_n = -1.913 (CODATA 2018), G_D = (1 + Q^2/0.71 GeV^2)^-2
(:class:`darkbeam.physics.form_factors.NucleonFormFactors`).  G_E^n(0) = 0, so chi n / chi p -> 0 as
Q^2 -> 0: to first order in tau the ratio is mu_n^2 tau p^2/E^2 for both chi spins (the G_M^2 t P^2 and
tau G_M^2 (K.P)^2 terms; docs/dark_matter.md "chi-neutron").  Units: energies GeV, cross sections cm^2
(GeV^-2 x HBARC2_GEV2_CM2).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.units import HBARC2_GEV2_CM2


def recoil_max(E, m_chi: float, M: float):
    """Largest kinetic energy (GeV) given to a target of mass M at rest by chi of energy E: 2 M p^2/(m_chi^2 + M^2 + 2 M E)."""
    E = np.asarray(E, dtype=float)
    p2 = np.clip(E**2 - m_chi**2, 0.0, None)
    return 2.0 * M * p2 / (m_chi**2 + M**2 + 2.0 * M * E)


def recoil_cos(E, E_R, m_chi: float, M: float):
    """Cosine of the target's recoil angle to the chi direction: E_R (E + M)/(p sqrt(E_R^2 + 2 M E_R))
    (momentum and energy conservation; for electrons the (E + m_e)/p sqrt(E_R/(E_R + 2 m_e)) behind the
    E_e theta_e^2 < 2 m_e selection).  Meaningful for 0 < E_R <= E_R^max (where it is <= 1)."""
    E = np.asarray(E, dtype=float)
    E_R = np.asarray(E_R, dtype=float)
    p = np.sqrt(np.clip(E**2 - m_chi**2, 0.0, None))
    k = np.sqrt(E_R**2 + 2.0 * M * E_R)
    den = p * k
    return np.where(den > 0, E_R * (E + M) / np.where(den > 0, den, 1.0), 1.0)


def _contraction(E, E_R, m_chi, M, scalar_chi, G_E, G_M, spin0):
    t = -2.0 * M * E_R
    P2 = 4.0 * m_chi**2 - t
    K2 = 4.0 * M**2 - t
    KP = 2.0 * M * (2.0 * E - E_R)
    if spin0:  # H = K K (form factor applied by the caller)
        return KP**2 + (0.0 if scalar_chi else t * K2)
    tau = -t / (4.0 * M**2)
    W = (G_E**2 + tau * G_M**2) / (1.0 + tau)
    if scalar_chi:
        return G_M**2 * t * P2 + W * KP**2
    return G_M**2 * (t * P2 + 3.0 * t**2) + W * (KP**2 + t * K2)


def dsigma_dER(E, E_R, *, m_chi: float, m_aprime: float, eps: float, alpha_d: float, M: float,
               scalar_chi: bool = False, G_E=1.0, G_M=1.0, spin0: bool = False, charge2=1.0):
    """dsigma/dE_R in cm^2/GeV (module docstring) for chi of energy E (GeV) giving kinetic energy E_R
    (GeV) to a target of mass M; zero outside 0 <= E_R <= E_R^max.  ``G_E``, ``G_M`` (spin-1/2 target)
    or ``charge2`` = Z^2 F^2 (``spin0``) may be arrays broadcasting with E_R."""
    E = np.asarray(E, dtype=float)
    E_R = np.asarray(E_R, dtype=float)
    p2 = E**2 - m_chi**2
    ok = (p2 > 0) & (E_R >= 0) & (E_R <= recoil_max(E, m_chi, M))
    p2s = np.where(p2 > 0, p2, 1.0)
    LH = _contraction(E, E_R, m_chi, M, scalar_chi, G_E, G_M, spin0) * (charge2 if spin0 else 1.0)
    den = 2.0 * M * p2s * (m_aprime**2 + 2.0 * M * E_R) ** 2
    val = np.pi * C.ALPHA_EM * alpha_d * eps**2 * LH / den
    return np.where(ok, np.clip(val, 0.0, None), 0.0) * HBARC2_GEV2_CM2


def dsigma_dER_electron(E, E_R, *, m_chi, m_aprime, eps, alpha_d, scalar_chi=False):
    """chi e- -> chi e- (point-like electron at rest), cm^2/GeV."""
    return dsigma_dER(E, E_R, m_chi=m_chi, m_aprime=m_aprime, eps=eps, alpha_d=alpha_d, M=C.M_E, scalar_chi=scalar_chi)


def dsigma_dER_proton(E, E_R, *, m_chi, m_aprime, eps, alpha_d, scalar_chi=False):
    """chi p -> chi p with the proton's Sachs dipole form factors (form_factors.NucleonFormFactors), cm^2/GeV."""
    from darkbeam.physics.form_factors import NucleonFormFactors

    Q2 = 2.0 * C.M_PROTON * np.asarray(E_R, dtype=float)
    gep, gmp, _, _ = NucleonFormFactors().sachs(Q2, C.M_PROTON)
    return dsigma_dER(E, E_R, m_chi=m_chi, m_aprime=m_aprime, eps=eps, alpha_d=alpha_d, M=C.M_PROTON,
                      scalar_chi=scalar_chi, G_E=gep, G_M=gmp)


def dsigma_dER_neutron(E, E_R, *, m_chi, m_aprime, eps, alpha_d, scalar_chi=False):
    """chi n -> chi n through the neutron's Sachs form factors (Galster G_E^n, dipole G_M^n = mu_n G_D;
    module docstring), cm^2/GeV."""
    from darkbeam.physics.form_factors import NucleonFormFactors

    Q2 = 2.0 * C.M_NEUTRON * np.asarray(E_R, dtype=float)
    _, _, gen, gmn = NucleonFormFactors().sachs(Q2, C.M_NEUTRON)
    return dsigma_dER(E, E_R, m_chi=m_chi, m_aprime=m_aprime, eps=eps, alpha_d=alpha_d, M=C.M_NEUTRON,
                      scalar_chi=scalar_chi, G_E=gen, G_M=gmn)


def dsigma_dER_nucleus(E, E_R, nucleus: str, *, m_chi, m_aprime, eps, alpha_d, scalar_chi=False, scheme="default"):
    """Coherent chi A -> chi A on a spin-0 nucleus ('Ar40', 'C12', ...) with Z^2 F_ch(Q^2)^2, cm^2/GeV."""
    from darkbeam.physics.form_factors import NuclearFormFactors
    from darkbeam.physics.nuclear import nucleus as get_nucleus

    nuc = get_nucleus(nucleus)
    Q2 = 2.0 * nuc.mass * np.asarray(E_R, dtype=float)
    F = NuclearFormFactors(nuc.name, nuc.A, scheme).charge(Q2)
    return dsigma_dER(E, E_R, m_chi=m_chi, m_aprime=m_aprime, eps=eps, alpha_d=alpha_d, M=nuc.mass,
                      scalar_chi=scalar_chi, spin0=True, charge2=nuc.Z**2 * F**2)


def sigma_total(dsigma, E, *, M: float, m_chi: float, er_min: float = 0.0, er_max: float = np.inf, n: int = 200, **kw):
    """Cross section (cm^2) of ``dsigma(E, E_R, m_chi=m_chi, **kw)`` integrated over er_min <= E_R <= min(er_max,
    E_R^max(E)) (detector thresholds), for an array of chi energies E (GeV).  Gauss-Legendre in
    log(E_R) when er_min > 0, in E_R otherwise."""
    E = np.atleast_1d(np.asarray(E, dtype=float))
    hi = np.minimum(recoil_max(E, m_chi, M), er_max)
    x, w = np.polynomial.legendre.leggauss(n)
    u = 0.5 * (x + 1.0)
    out = np.zeros_like(E)
    ok = hi > er_min
    if not np.any(ok):
        return out
    if er_min > 0:
        a, b = np.log(er_min), np.log(hi[ok])
        er = np.exp(a + (b - a)[:, None] * u[None, :])
        jac = (b - a)[:, None] * er * 0.5 * w[None, :]
    else:
        er = hi[ok][:, None] * u[None, :]
        jac = hi[ok][:, None] * 0.5 * w[None, :]
    vals = dsigma(E[ok][:, None], er, m_chi=m_chi, **kw)
    out[ok] = np.sum(vals * jac, axis=1)
    return out


def cross_section(params, E, target: str = "e", *, er_min: float = 0.0, er_max: float = np.inf, n: int = 200):
    """sigma(E) in cm^2 per target for the chi of a model (``mchi``, ``dm_type``, ``mzprime``,
    kinetic mixing, ``gD``/``alphaD``): ``target`` 'e' (per electron), 'p' (per proton), 'n' (per neutron) or a nucleus
    ('Ar40', 'C12': coherent, per nucleus), with a recoil window er_min <= E_R <= er_max (GeV).

    Couplings: e eps Q to the target (light A', m_A' << m_Z) and g_D cos(beta) to chi, as in the A'
    decay table (docs/dark_matter.md)."""
    from darkbeam.errors import ModelError
    from darkbeam.models.couplings import Couplings

    if not params.has_dm:
        raise ModelError("the model has no dark matter (set mchi and mzprime)")
    c = Couplings(params)
    alpha_d = (c.gD * np.cos(c.beta)) ** 2 / (4.0 * np.pi)
    kw = dict(m_aprime=float(params.mzprime), eps=float(c.epsilon), alpha_d=float(alpha_d),
              scalar_chi=params.dm_type == "scalar")
    m_chi = float(params.mchi)
    if target == "e":
        return sigma_total(dsigma_dER_electron, E, M=C.M_E, m_chi=m_chi, er_min=er_min, er_max=er_max, n=n, **kw)
    if target == "p":
        return sigma_total(dsigma_dER_proton, E, M=C.M_PROTON, m_chi=m_chi, er_min=er_min, er_max=er_max, n=n, **kw)
    if target == "n":
        return sigma_total(dsigma_dER_neutron, E, M=C.M_NEUTRON, m_chi=m_chi, er_min=er_min, er_max=er_max, n=n, **kw)
    from darkbeam.physics.nuclear import nucleus

    M = nucleus(target).mass
    return sigma_total(dsigma_dER_nucleus, E, M=M, m_chi=m_chi, er_min=er_min, er_max=er_max, n=n, nucleus=target, **kw)
