"""Dark photons from proton bremsstrahlung, p + N -> A' + X, in the target of a proton beam.

**This is an LLP sample, not a parent to decay.**  :func:`bremsstrahlung_sample` returns a
:class:`ParentSample` with species 'zprime' whose ``p4`` is the dark photon itself (lab, at its production
point) and whose ``weight`` is the number of dark photons per POT **at epsilon = 1**: the yield scales
exactly with epsilon^2 at fixed mass, so multiply the weights by epsilon^2 (:func:`scale_epsilon`).
The meson-decay process takes it as a production-channel-free source (no parent decay, branching ratio 1).

Modified Weizsacker-Williams (J. Bluemlein and J. Brunner, Phys. Lett. B 731 (2014) 320,
arXiv:1311.3870, eqs. 2-4): the proton of momentum P radiates an A' of mass m with momentum fraction
z = p_{A',z}/P and transverse momentum p_T, then interacts inelastically at the reduced
s' = 2 m_p (E_p - E_A'):

    d^2N / dz dp_T^2 = sigma_pp(s') / sigma_pp(s) |F_1(m^2)|^2 w(z, p_T^2),
    w(z, p_T^2) = eps^2 alpha / (2 pi H) { (1 + (1 - z)^2)/z
                  - 2 z (1 - z) [ (2 m_p^2 + m^2)/H - z^2 2 m_p^4/H^2 ]
                  + 2 z (1 - z) [ 1 + (1 - z)^2 ] m_p^2 m^2/H^2 + 2 z (1 - z)^2 m^4/H^2 },
    H = p_T^2 + (1 - z) m^2 + z^2 m_p^2,

per inelastic interaction of the proton (s = 2 m_p E_p as in the paper).  Limits (closed forms, tested):
z w -> eps^2 alpha / (pi (p_T^2 + m^2)) as z -> 0, and w -> eps^2 alpha / (2 pi (p_T^2 + m_p^2)) at z = 1.

* |F_1(m^2)|^2: the timelike proton form factor with the rho and omega families (vector-meson
  dominance; A. Faessler, M.I. Krivoruchenko, B.V. Martemyanov, PRC 82 (2010) 038201, arXiv:0910.5589;
  in the form of P. deNiverville, C.-Y. Chen, M. Pospelov, A. Ritz, PRD 95 (2017) 035006,
  arXiv:1609.01770, eq. 2.10): F_1(q^2) = sum_V f_V m_V^2 / (m_V^2 - q^2 - i m_V Gamma_V) with
  (f, m GeV, Gamma GeV) = rho (0.616, 0.77, 0.15), rho' (0.223, 1.25, 0.3), rho'' (-0.339, 1.45, 0.5),
  omega (1.011, 0.77, 0.0085), omega' (-0.881, 1.25, 0.3), omega'' (0.369, 1.45, 0.5); sum f_V = 1, so |F_1(0)|^2 = 1.02 (the widths).
  The narrow omega pole (8.5 MeV wide, put at 0.77 GeV in this parametrisation) makes |F_1|^2 ~ 9e3 at
  m = 0.77 GeV and a few hundred within +-0.02 GeV of it: yields near the omega are very sensitive to
  the mass (and to this form factor).
* sigma_pp(s): the PDG fit of the total pp cross section, sigma = Z + B ln^2(s/s_M) + Y1 (s_M/s)^eta1
  - Y2 (s_M/s)^eta2, s_M = (2 m_p + M)^2, Z = 34.41 mb, B = pi (hbar c)^2/M^2 = 0.2720 mb, Y1 = 13.07 mb,
  Y2 = 7.394 mb, eta1 = 0.4473, eta2 = 0.5486, M = 2.1206 GeV (K.A. Olive et al. (PDG), Chin. Phys. C 38
  (2014) 090001, "Plots of cross sections and related quantities", eq. 50.2 and its table of fit
  parameters); 39.1 mb at sqrt(s) = 20 GeV.

Validity (1311.3870: E_p, E_A', E_p - E_A' >> m_p, m, p_T): the sample is restricted to
z_min < z < z_max, p_T < p_T,max, by default 0.1 < z < 0.9 and p_T < 1 GeV, the cuts commonly used
with this formula (e.g. the SHiP dark-photon study, C. Ahdida et al., Eur. Phys. J. C 81 (2021) 451,
arXiv:2011.05115); outside them the result is not a prediction.  Change them with the
keywords and quote them.

Per POT: N = P_int * integral of d^2N/dz dp_T^2 over the cuts, P_int = 1 - exp(-L/lambda_I) of the beam
configuration's target (the paper's yield per interacting proton; the p-nucleus interaction is assumed
to reduce the pp ratio sigma(s')/sigma(s) unchanged).  Production point on the beam axis at a depth
exponential in lambda_I; t = depth / c.  Sampling: z uniform in [z_min, z_max] and p_T^2 from
dp_T^2 / H (by inversion), weighted by the density over that proposal (weights sum to N per POT).
Not included: A' from secondary protons and from the beam's own nucleons beyond the first interaction;
the Pauli form factor and non-zero momentum transfer corrections of D. Gorbunov and E. Kriukova
(arXiv:2306.15800, 2409.11386), which change the yield by tens of per cent above 0.4 GeV.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.sources.parents.sample import ParentSample

#: (f_V, m_V GeV, Gamma_V GeV) of the timelike proton form factor, arXiv:0910.5589 / 1609.01770
VMD_POLES = ((0.616, 0.77, 0.15), (0.223, 1.25, 0.3), (-0.339, 1.45, 0.5),
             (1.011, 0.77, 0.0085), (-0.881, 1.25, 0.3), (0.369, 1.45, 0.5))
#: PDG 2014 total pp cross-section fit (mb, GeV): Z, Y1, Y2, eta1, eta2, M
PDG_PP = {"Z": 34.41, "Y1": 13.07, "Y2": 7.394, "eta1": 0.4473, "eta2": 0.5486, "M": 2.1206}
#: default validity cuts (module docstring)
Z_RANGE = (0.1, 0.9)
PT_MAX_GEV = 1.0


def form_factor_sq(m2) -> np.ndarray:
    """|F_1(q^2)|^2 of the proton at timelike q^2 = m2 (GeV^2), vector-meson dominance (module docstring)."""
    q2 = np.asarray(m2, dtype=np.float64)
    f = np.zeros(q2.shape, dtype=np.complex128)
    for fv, mv, gv in VMD_POLES:
        f = f + fv * mv * mv / (mv * mv - q2 - 1j * mv * gv)
    return np.abs(f) ** 2


def sigma_pp_mb(s) -> np.ndarray:
    """Total pp cross section (mb) at Mandelstam s (GeV^2), PDG 2014 fit (module docstring)."""
    from darkbeam.constants import M_PROTON
    from darkbeam.units import HBARC_GEV_CM

    p = PDG_PP
    b = math.pi * (HBARC_GEV_CM**2) * 1e27 / p["M"] ** 2
    s_m = (2.0 * M_PROTON + p["M"]) ** 2
    r = np.asarray(s, dtype=np.float64) / s_m
    return p["Z"] + b * np.log(r) ** 2 + p["Y1"] * r ** (-p["eta1"]) - p["Y2"] * r ** (-p["eta2"])


def splitting(z, pt2, mass: float) -> np.ndarray:
    """w(z, p_T^2) / eps^2 of Bluemlein-Brunner (arXiv:1311.3870 eq. 4), GeV^-2 per unit z."""
    from darkbeam.constants import ALPHA_EM, M_PROTON

    z = np.asarray(z, dtype=np.float64)
    pt2 = np.asarray(pt2, dtype=np.float64)
    mp2, m2 = M_PROTON**2, mass * mass
    h = pt2 + (1.0 - z) * m2 + z * z * mp2
    omz = 1.0 - z
    bracket = ((1.0 + omz**2) / z
               - 2.0 * z * omz * ((2.0 * mp2 + m2) / h - z * z * 2.0 * mp2 * mp2 / h**2)
               + 2.0 * z * omz * (1.0 + omz**2) * mp2 * m2 / h**2
               + 2.0 * z * omz**2 * m2 * m2 / h**2)
    return ALPHA_EM / (2.0 * math.pi * h) * bracket


def density(z, pt2, mass: float, p_beam: float) -> np.ndarray:
    """d^2N/dz dp_T^2 per interacting proton at eps = 1 (GeV^-2): sigma ratio x |F_1|^2 x w."""
    from darkbeam.constants import M_PROTON

    z = np.asarray(z, dtype=np.float64)
    pt2 = np.asarray(pt2, dtype=np.float64)
    e_p = math.hypot(p_beam, M_PROTON)
    e_v = np.sqrt(mass * mass + pt2 + (z * p_beam) ** 2)
    s = 2.0 * M_PROTON * e_p
    s_red = 2.0 * M_PROTON * np.maximum(e_p - e_v, 0.0)
    ratio = np.where(s_red > (2.0 * M_PROTON) ** 2, sigma_pp_mb(np.maximum(s_red, 1e-300)) / sigma_pp_mb(s), 0.0)
    return ratio * form_factor_sq(mass * mass) * splitting(z, pt2, mass)


def _check(mass, p_beam, z_range, pt_max):
    z0, z1 = (float(v) for v in z_range)
    if not (math.isfinite(mass) and mass > 0):
        raise ConfigurationError(f"the dark-photon mass must be a positive number of GeV, got {mass}")
    if not (0.0 < z0 < z1 < 1.0):
        raise ConfigurationError(f"z range must satisfy 0 < z_min < z_max < 1, got ({z0}, {z1})")
    if not (math.isfinite(pt_max) and pt_max > 0):
        raise ConfigurationError(f"pt_max must be a positive number of GeV, got {pt_max}")
    from darkbeam.constants import M_PROTON

    if math.hypot(z1 * p_beam, mass) >= math.hypot(p_beam, M_PROTON) - M_PROTON:
        raise ConfigurationError(f"a {mass:g} GeV dark photon at z = {z1:g} takes the whole {p_beam:g} GeV beam energy: "
                                 "outside the validity of the splitting function (lower z_max or the mass)")
    return z0, z1


def _interaction(beam):
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.beam.materials import material

    cfg = beam_config(beam)
    lam = material(cfg.target.material).interaction_length_cm
    return cfg, lam, -math.expm1(-cfg.target.length_cm / lam)


def dark_photon_yield(beam, mass: float, *, epsilon: float = 1.0, z_range=Z_RANGE, pt_max: float = PT_MAX_GEV,
                      n_z: int = 200, n_pt: int = 200) -> float:
    """A' per POT from proton bremsstrahlung in the target of ``beam`` (Gauss-Legendre quadrature in z and
    in ln H over the cuts), times epsilon^2."""
    from darkbeam.constants import M_PROTON

    cfg, _, p_int = _interaction(beam)
    p_beam = cfg.proton_momentum_GeV
    z0, z1 = _check(mass, p_beam, z_range, pt_max)
    xz, wz = np.polynomial.legendre.leggauss(n_z)
    xt, wt = np.polynomial.legendre.leggauss(n_pt)
    z = 0.5 * (z1 - z0) * (xz + 1.0) + z0
    h0 = (1.0 - z) * mass * mass + z * z * M_PROTON**2
    # p_T^2 = h0 (exp(u) - 1), u in [0, ln(1 + pt_max^2/h0)]: dp_T^2 = h0 exp(u) du = H du
    umax = np.log1p(pt_max**2 / h0)
    u = 0.5 * umax[:, None] * (xt[None, :] + 1.0)
    pt2 = h0[:, None] * np.expm1(u)
    f = density(z[:, None], pt2, mass, p_beam) * (pt2 + h0[:, None])
    inner = 0.5 * umax * (f * wt[None, :]).sum(axis=1)
    return float(p_int * 0.5 * (z1 - z0) * np.sum(wz * inner) * epsilon**2)


def bremsstrahlung_sample(beam, mass: float, *, n: int = 2**14, seed: int = 12345, epsilon: float = 1.0,
                          z_range=Z_RANGE, pt_max: float = PT_MAX_GEV) -> ParentSample:
    """Dark photons of mass ``mass`` (GeV) from proton bremsstrahlung in the target of ``beam``: a
    ParentSample of species 'zprime' (the A' itself; weights = A' per POT, at epsilon = 1 unless
    ``epsilon`` is given; module docstring)."""
    from darkbeam.constants import M_PROTON
    from darkbeam.units import C_LIGHT_CM_PER_NS

    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ConfigurationError(f"n must be a positive integer, got {n!r}")
    cfg, lam, p_int = _interaction(beam)
    p_beam = cfg.proton_momentum_GeV
    z0, z1 = _check(float(mass), p_beam, z_range, pt_max)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 19, int(round(mass * 1e6))]))
    u = rng.random((int(n), 4))
    z = z0 + (z1 - z0) * u[:, 0]
    h0 = (1.0 - z) * mass * mass + z * z * M_PROTON**2
    umax = np.log1p(pt_max**2 / h0)
    pt2 = h0 * np.expm1(u[:, 1] * umax)
    # proposal density q = 1/(z1 - z0) * 1/(H umax)
    w = density(z, pt2, mass, p_beam) * (z1 - z0) * (pt2 + h0) * umax * p_int / n * epsilon**2
    pt = np.sqrt(pt2)
    phi = 2.0 * math.pi * u[:, 2]
    pz = z * p_beam
    p4 = np.stack((np.sqrt(mass * mass + pt2 + pz * pz), pt * np.cos(phi), pt * np.sin(phi), pz), axis=1)
    depth = -lam * np.log1p(-u[:, 3] * p_int)
    pos = np.stack((np.zeros(n), np.zeros(n), cfg.target.z_start_cm + depth), axis=1)
    t = depth / C_LIGHT_CM_PER_NS
    eps_note = "weights: A' per POT at epsilon = 1 (scale by epsilon^2)" if epsilon == 1.0 else \
        f"weights: A' per POT at epsilon = {epsilon:g}"
    return ParentSample(
        species="zprime", p4=p4, position=pos, time=t, weight=w, beam=cfg.name,
        origin=f"proton bremsstrahlung in the target of '{cfg.name}' (m = {mass:g} GeV)",
        notes=("LLP sample: p4 is the dark photon itself, not a parent to decay",
               eps_note,
               f"Bluemlein-Brunner arXiv:1311.3870 with the VMD timelike form factor |F_1|^2 = "
               f"{float(form_factor_sq(mass * mass)):.3g}; cuts {z0:g} < z < {z1:g}, p_T < {pt_max:g} GeV; "
               f"P_int = {p_int:.4g}"))


def scale_epsilon(sample: ParentSample, epsilon: float) -> ParentSample:
    """The same dark photons with weights multiplied by epsilon^2 (from a sample at epsilon = 1)."""
    from dataclasses import replace

    if not (math.isfinite(epsilon) and epsilon >= 0):
        raise ConfigurationError(f"epsilon must be a non-negative number, got {epsilon}")
    return replace(sample, weight=sample.weight * epsilon**2,
                   notes=tuple(n for n in sample.notes if not n.startswith("weights:"))
                   + (f"weights: A' per POT at epsilon = {epsilon:g}",))
