"""Meson production by protons on nuclear targets, from published parametrisations.

Public API (also what LLP-production code should consume):

* :class:`MesonProduction` (p_beam, material, model): ``d2sigma(meson, p, theta)`` in mb/(GeV sr) per
  nucleus, ``d2n(meson, p, theta)`` per inelastic p-A interaction, ``multiplicity`` and ``sample``.
* :data:`PRODUCED`: the mesons it knows: pi+, pi-, K+, K-, K0_L, pi0, eta, eta', rho0, omega, phi.

Parametrisations
----------------
Sanford-Wang (8.89 GeV/c p-Be, BNB), MiniBooNE flux paper (A.A. Aguilar-Arevalo et al., PRD 79
(2009) 072002, arXiv:0806.1449, eq. 5 and its tables of fitted parameters, HARP/E910 data):
    d2sigma/dp dOmega = c1 p^c2 (1 - p/(p_B - c9)) exp[-c3 p^c4 / p_B^c5 - c6 theta (p - c7 p_B cos^c8 theta)]
    pi+: 220.7 1.080 1.000 1.978 1.32 5.572 0.0868 9.686 1.0
    pi-: 213.7 0.9379 5.454 1.210 1.284 4.781 0.07338 8.329 1.0
    K0_L: 15.130 1.975 4.084 0.928 0.731 4.362 0.048 13.300 1.278      (mb/(GeV/c sr), p in GeV/c)
Feynman scaling for K+ (same paper, eq. 6, fitted to K+ data at 9-24 GeV):
    d2sigma/dp dOmega = (p^2/E) c1 exp[-c3 |x_F|^c4 - c7 |p_T x_F|^c6 - c2 p_T - c5 p_T^2],
    c1..c7 = 11.70 0.88 4.77 1.51 2.21 2.17 1.51, x_F = p*_L / p*_max with the K+ Lambda p threshold.
BMPT (M. Bonesini, A. Marchionni, F. Pietropaolo, T. Tabarelli de Fatis, Eur. Phys. J. C 20 (2001)
13, hep-ph/0101163, eqs. 5-9 and table 2; fit to NA20 and SPY p-Be data at 400-450 GeV, radial
scaling in x_R = E*/E*_max):
    E d3sigma/dp3 = A (1-x_R)^alpha (1 + B x_R) x_R^-beta (1 + a' p_T + b' p_T^2) exp(-a' p_T),
    a' = a / x_R^gamma, b' = a^2 / (2 x_R^delta);
    pi+: A=62.3 mb/GeV^2, B=1.57, alpha=3.45, beta=0.517, a=6.10/GeV, gamma=0.153, delta=0.478;
    K+:  A=7.74, B=0, alpha=2.45, beta=0.444, a=5.04, gamma=0.121, delta=2 gamma;
    pi+/pi- = 1.05 (1 + x_R)^2.65, K+/K- = 1.15 (1 - x_R)^-3.17, K0_L = (K+ + 3 K-)/4 (quark counting).
    Used for beam momenta >= 20 GeV (radial scaling; validated by BMPT for 100-450 GeV: the 30 GeV
    J-PARC beam is an extrapolation).
Nuclear dependence for targets other than Be: (A/9)^alpha(x_F, p_T),
    alpha = (0.74 - 0.55 x_F + 0.26 x_F^2)(0.98 + 0.21 p_T^2)   (D.S. Barton et al., PRD 27 (1983) 2580,
    the form used by BMPT section 4).
pi0 = (pi+ + pi-)/2 (isospin).  Heavier neutral mesons by m_T scaling from pi0 at equal x_F
(x_R for BMPT): E d3sigma/dp3(M; x, p_T) = R_M E d3sigma/dp3(pi0; x, sqrt(p_T^2 + m_M^2 - m_pi0^2)),
with the high-p_T ratios R = 0.48 (eta), 0.25 (eta'), 0.90 (omega), 1.0 (rho0), 0.40 (phi) used in
PHENIX's hadron cocktail (A. Adare et al., PRC 81 (2010) 034911, arXiv:0912.0244).  This is an
approximation (the ratios are measured at high energy and high p_T); x_F is defined with each
meson's own kinematic limit, so production switches off at threshold.  Charm and beauty are not
included.

All functions take numpy arrays and work per element.  Momenta in GeV, angles in rad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.sources.beam.materials import Material, material

PRODUCED = ("pi+", "pi-", "K+", "K-", "K0_L", "pi0", "eta", "eta'", "rho0", "omega", "phi")

MASS = {"pi+": C.M_PI, "pi-": C.M_PI, "K+": C.M_K, "K-": C.M_K, "K0_L": C.M_K0, "pi0": C.M_PI0,
        "eta": C.M_ETA, "eta'": C.M_ETAP, "rho0": C.M_RHO, "omega": C.M_OMEGA, "phi": C.M_PHI}

#: minimal mass (GeV) of the system recoiling against the meson in p N -> meson X (baryon number,
#: charge and strangeness conservation): used for E*_max and p*_max
RECOIL_MASS = {"pi+": C.M_PROTON + C.M_NEUTRON, "pi-": 2 * C.M_PROTON + C.M_PI, "pi0": 2 * C.M_PROTON,
               "K+": 1.115683 + C.M_PROTON, "K-": 2 * C.M_PROTON + C.M_K, "K0_L": 1.115683 + C.M_PROTON,
               "eta": 2 * C.M_PROTON, "eta'": 2 * C.M_PROTON, "rho0": 2 * C.M_PROTON, "omega": 2 * C.M_PROTON,
               "phi": 2 * C.M_PROTON}

SW_PARAMS = {
    "pi+": (220.7, 1.080, 1.000, 1.978, 1.32, 5.572, 0.0868, 9.686, 1.0),
    "pi-": (213.7, 0.9379, 5.454, 1.210, 1.284, 4.781, 0.07338, 8.329, 1.0),
    "K0_L": (15.130, 1.975, 4.084, 0.928, 0.731, 4.362, 0.048, 13.300, 1.278),
}
FS_KPLUS = (11.70, 0.88, 4.77, 1.51, 2.21, 2.17, 1.51)
BMPT = {
    "pi": {"A": 62.3, "B": 1.57, "alpha": 3.45, "beta": 0.517, "a": 6.10, "gamma": 0.153, "delta": 0.478,
           "r0": 1.05, "r1": 2.65},
    "K": {"A": 7.74, "B": 0.0, "alpha": 2.45, "beta": 0.444, "a": 5.04, "gamma": 0.121, "delta": 0.242,
          "r0": 1.15, "r1": -3.17},
}
#: m_T-scaling factors relative to pi0 (PHENIX cocktail, arXiv:0912.0244)
MT_SCALING = {"eta": 0.48, "eta'": 0.25, "omega": 0.90, "rho0": 1.0, "phi": 0.40}


def _nn_frame(p_beam):
    """(sqrt(s), gamma, gamma*beta) of the proton-nucleon centre of mass (nucleon at rest); arrays allowed."""
    m = C.M_PROTON
    pb = np.asarray(p_beam, dtype=np.float64)
    e = np.sqrt(pb * pb + m * m)
    rs = np.sqrt(2.0 * m * m + 2.0 * m * e)
    return rs, (e + m) / rs, pb / rs


def _cm_kinematics(meson: str, p, theta, p_beam):
    """(E*, p*_L, p_T, E*_max, p*_max) of a meson of lab momentum p at angle theta (p_beam may be an array)."""
    m = MASS[meson]
    rs, g, gb = _nn_frame(p_beam)
    p = np.asarray(p, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    e = np.sqrt(p * p + m * m)
    pl = p * np.cos(theta)
    pt = p * np.sin(theta)
    e_star = g * e - gb * pl
    pl_star = g * pl - gb * e
    mx = RECOIL_MASS[meson]
    e_max = (rs * rs + m * m - mx * mx) / (2.0 * rs)
    p_max = np.sqrt(np.maximum(e_max * e_max - m * m, 0.0))
    return e_star, pl_star, pt, e_max, p_max


def _lab_from_cm(meson: str, pl_star, pt, p_beam):
    """Lab (p, theta) of a meson with c.m. longitudinal momentum pl_star and transverse momentum pt."""
    m = MASS[meson]
    _, g, gb = _nn_frame(p_beam)
    e_star = np.sqrt(pl_star**2 + pt**2 + m * m)
    pl = g * pl_star + gb * e_star
    p = np.hypot(pl, pt)
    return p, np.arctan2(pt, pl)


def _safe_div(a, b):
    b = np.asarray(b, dtype=np.float64)
    return np.where(b > 0, np.asarray(a) / np.where(b > 0, b, 1.0), np.inf)


# --------------------------------------------------------------------------- parametrisations (Be)
def sanford_wang(meson: str, p, theta, p_beam) -> np.ndarray:
    """Sanford-Wang d2sigma/dp dOmega (mb/(GeV sr)) on Be, MiniBooNE parameters (arXiv:0806.1449)."""
    c1, c2, c3, c4, c5, c6, c7, c8, c9 = SW_PARAMS[meson]
    p = np.asarray(p, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    pb = np.asarray(p_beam, dtype=np.float64)
    lin = 1.0 - p / (pb - c9)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        val = c1 * p**c2 * lin * np.exp(-c3 * p**c4 / pb**c5 - c6 * theta * (p - c7 * pb * np.cos(theta) ** c8))
    return np.where((pb > c9) & (lin > 0) & (p > 0) & (theta >= 0) & (theta < 0.5 * np.pi) & np.isfinite(val), val, 0.0)


def feynman_scaling_kplus(p, theta, p_beam) -> np.ndarray:
    """K+ Feynman-scaling d2sigma/dp dOmega (mb/(GeV sr)) on Be, MiniBooNE parameters (arXiv:0806.1449)."""
    c1, c2, c3, c4, c5, c6, c7 = FS_KPLUS
    p = np.asarray(p, dtype=np.float64)
    _, pl_star, pt, _, p_max = _cm_kinematics("K+", p, theta, p_beam)
    xf = _safe_div(pl_star, p_max)
    e = np.sqrt(p * p + MASS["K+"] ** 2)
    with np.errstate(over="ignore", invalid="ignore"):
        val = (p * p / e) * c1 * np.exp(-c3 * np.abs(xf) ** c4 - c7 * np.abs(pt * xf) ** c6 - c2 * pt - c5 * pt * pt)
    return np.where((np.abs(xf) <= 1.0) & np.isfinite(val), val, 0.0)


def bmpt_invariant(kind: str, x_r, pt) -> np.ndarray:
    """BMPT E d3sigma/dp3 (mb/GeV^2) for pi+ ('pi') or K+ ('K') on Be (hep-ph/0101163)."""
    q = BMPT[kind]
    x = np.asarray(x_r, dtype=np.float64)
    pt = np.asarray(pt, dtype=np.float64)
    ok = (x > 0.0) & (x < 1.0)
    xs = np.where(ok, x, 0.5)
    ap = q["a"] / xs ** q["gamma"]
    bp = q["a"] ** 2 / (2.0 * xs ** q["delta"])
    val = (q["A"] * (1.0 - xs) ** q["alpha"] * (1.0 + q["B"] * xs) * xs ** (-q["beta"])
           * (1.0 + ap * pt + bp * pt * pt) * np.exp(-ap * pt))
    return np.where(ok, val, 0.0)


def bmpt_ratio(kind: str, x_r) -> np.ndarray:
    """BMPT positive/negative ratio: pi+/pi- = 1.05 (1+x_R)^2.65, K+/K- = 1.15 (1-x_R)^-3.17."""
    q = BMPT[kind]
    x = np.clip(np.asarray(x_r, dtype=np.float64), 0.0, 1.0 - 1e-12)
    return q["r0"] * (1.0 + x) ** q["r1"] if kind == "pi" else q["r0"] * (1.0 - x) ** q["r1"]


def barton_alpha(x_f, pt) -> np.ndarray:
    """Nuclear-dependence exponent alpha(x_F, p_T) (Barton et al. PRD 27 (1983) 2580)."""
    x = np.abs(np.asarray(x_f, dtype=np.float64))
    pt = np.asarray(pt, dtype=np.float64)
    return (0.74 - 0.55 * x + 0.26 * x * x) * (0.98 + 0.21 * pt * pt)


def _xr(meson: str, p, theta, pb) -> np.ndarray:
    e_star, _, _, e_max, _ = _cm_kinematics(meson, p, theta, pb)
    return _safe_div(e_star, e_max)


def _be_d2sigma(meson: str, p, theta, pb, model: str) -> np.ndarray:
    """d2sigma/dp dOmega (mb/(GeV sr)) on Be for one model; pb may be an array matching p."""
    p = np.asarray(p, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    if meson in MT_SCALING:
        return _mt_scaled(meson, p, theta, pb, model)
    if model == "sanford-wang":
        if meson in SW_PARAMS:
            return sanford_wang(meson, p, theta, pb)
        if meson == "K+":
            return feynman_scaling_kplus(p, theta, pb)
        if meson == "K-":
            return feynman_scaling_kplus(p, theta, pb) / bmpt_ratio("K", _xr("K+", p, theta, pb))
        if meson == "pi0":
            return 0.5 * (sanford_wang("pi+", p, theta, pb) + sanford_wang("pi-", p, theta, pb))
        raise ConfigurationError(f"no production model for '{meson}' (known: {', '.join(PRODUCED)})")
    e_star, _, pt, e_max, _ = _cm_kinematics(meson, p, theta, pb)
    x_r = _safe_div(e_star, e_max)
    jac = p * p / np.sqrt(p * p + MASS[meson] ** 2)  # d2sigma/dp dOmega = (p^2/E) E d3sigma/dp3
    if meson in ("pi+", "pi-", "pi0"):
        inv = bmpt_invariant("pi", x_r, pt)
        if meson == "pi-":
            inv = inv / bmpt_ratio("pi", x_r)
        elif meson == "pi0":
            inv = 0.5 * inv * (1.0 + 1.0 / bmpt_ratio("pi", x_r))
    elif meson in ("K+", "K-", "K0_L"):
        inv = bmpt_invariant("K", x_r, pt)
        if meson == "K-":
            inv = inv / bmpt_ratio("K", x_r)
        elif meson == "K0_L":
            inv = 0.25 * inv * (1.0 + 3.0 / bmpt_ratio("K", x_r))
    else:
        raise ConfigurationError(f"no production model for '{meson}' (known: {', '.join(PRODUCED)})")
    return jac * inv


def _mt_scaled(meson: str, p, theta, pb, model: str) -> np.ndarray:
    """m_T scaling from pi0 at equal x (x_F for SW, x_R for BMPT) and p_T' = sqrt(p_T^2 + m^2 - m_pi0^2)."""
    m = MASS[meson]
    e_star, pl_star, pt, e_max, p_max = _cm_kinematics(meson, p, theta, pb)
    pt_pi = np.sqrt(pt * pt + m * m - C.M_PI0**2)
    _, _, _, e_max_pi, p_max_pi = _cm_kinematics("pi0", np.ones_like(p), np.zeros_like(p), pb)
    if model == "bmpt":
        x = _safe_div(e_star, e_max)
        e_star_pi = x * e_max_pi
        mt_pi = np.sqrt(pt_pi**2 + C.M_PI0**2)
        pl_pi = np.sign(pl_star) * np.sqrt(np.maximum(e_star_pi**2 - mt_pi**2, 0.0))
        valid = (p_max > 0) & (e_star_pi > mt_pi)
    else:
        x = _safe_div(pl_star, p_max)
        pl_pi = np.where(np.isfinite(x), x, 0.0) * p_max_pi
        valid = (p_max > 0) & (np.abs(x) <= 1.0)
    p_pi, th_pi = _lab_from_cm("pi0", pl_pi, pt_pi, pb)
    e_pi = np.sqrt(p_pi**2 + C.M_PI0**2)
    inv_pi = _be_d2sigma("pi0", p_pi, th_pi, pb, model) * e_pi / np.maximum(p_pi**2, 1e-300)
    e = np.sqrt(p * p + m * m)
    return np.where(valid, MT_SCALING[meson] * inv_pi * p**2 / e, 0.0)


def d2sigma(meson: str, p, theta, p_beam, target: str | Material = "Be", model: str = "auto") -> np.ndarray:
    """d2sigma/dp dOmega (mb/(GeV sr)) per nucleus for proton momenta ``p_beam`` (array or scalar).

    With model 'auto' each element uses Sanford-Wang below 20 GeV and BMPT above; targets other
    than Be are scaled with (A/9)^alpha(x_F, p_T).
    """
    if meson not in PRODUCED:
        raise ConfigurationError(f"unknown meson '{meson}' (known: {', '.join(PRODUCED)})")
    mat = material(target)
    p = np.asarray(p, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    pb = np.broadcast_to(np.asarray(p_beam, dtype=np.float64), np.broadcast(p, theta).shape)
    if model == "auto":
        low = pb < 20.0
        be = np.zeros(pb.shape)
        if np.any(low):
            be = np.where(low, _be_d2sigma(meson, p, theta, np.where(low, pb, 10.0), "sanford-wang"), be)
        if np.any(~low):
            be = np.where(~low, _be_d2sigma(meson, p, theta, np.where(low, 100.0, pb), "bmpt"), be)
    else:
        be = _be_d2sigma(meson, p, theta, pb, model)
    if mat.name == "Be":
        return be
    _, pl_star, pt, _, p_max = _cm_kinematics(meson, p, theta, pb)
    xf = np.clip(np.where(p_max > 0, pl_star / np.where(p_max > 0, p_max, 1.0), 0.0), -1.0, 1.0)
    # the exponent is measured for p_T < ~2 GeV; it is frozen beyond (where yields vanish anyway)
    alpha = barton_alpha(xf, np.minimum(pt, 2.0))
    return np.where(be > 0, be * (mat.A / 9.0122) ** alpha, 0.0)


# --------------------------------------------------------------------------- sampling
#: scale (GeV) of the transverse-momentum importance density used to sample production angles
PT_SCALE_GEV = 0.25


def sample_angle(p, theta_max: float, u):
    """Production angle theta < theta_max from uniform ``u``, importance-sampled in transverse momentum.

    Hadron production falls off with p_T on a scale of a few hundred MeV at every momentum, so the
    angle is drawn through p_T = p sin(theta) with the density g(p_T) = b p_T / (p_T^2 + b^2)^(3/2)
    (b = PT_SCALE_GEV; CDF 1 - b/sqrt(p_T^2 + b^2), inverted in closed form), truncated at
    p sin(theta_max).  Returns theta and the weight 2 pi sin(theta) |dtheta/du| such that
    sum(f(theta) * weight) / N estimates the integral of f over the solid angle (theta < theta_max).
    This only changes the variance of the estimate, not its expectation.
    """
    p = np.asarray(p, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    b = PT_SCALE_GEV
    tmax = min(float(theta_max), 0.5 * math.pi)
    pt_max = p * math.sin(tmax)
    f_max = 1.0 - b / np.sqrt(pt_max * pt_max + b * b)   # CDF at the truncation
    v = u * f_max
    pt = b * np.sqrt(np.maximum(1.0 / (1.0 - v) ** 2 - 1.0, 0.0))
    sin_t = np.clip(pt / p, 0.0, math.sin(tmax))
    th = np.arcsin(sin_t)
    g = b * pt / (pt * pt + b * b) ** 1.5 / np.maximum(f_max, 1e-300)  # density of p_T
    cos_t = np.cos(th)
    # dOmega = 2 pi sin(theta) dtheta = 2 pi (p_T / p) dp_T / (p cos(theta))
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(pt > 0, 2.0 * math.pi * pt / (p * p * np.maximum(cos_t, 1e-12)) / g, 0.0)
    return th, weight


# --------------------------------------------------------------------------- the model
def _auto_model(p_beam: float) -> str:
    return "sanford-wang" if p_beam < 20.0 else "bmpt"


@dataclass(frozen=True)
class MesonSample:
    """Sampled mesons: momentum (GeV), polar angle (rad) and weight (mesons per interaction)."""

    meson: str
    p: np.ndarray
    theta: np.ndarray
    weight: np.ndarray


class MesonProduction:
    """Meson production by protons of momentum ``p_beam`` (GeV) on ``target`` (thin target).

    ``model``: 'sanford-wang' (MiniBooNE SW + K+ Feynman scaling; for p_beam < 20 GeV), 'bmpt'
    (p_beam >= 20 GeV) or 'auto'.  Cross sections are per target nucleus; ``d2n`` divides by the
    inelastic p-A cross section of the material to give mesons per inelastic interaction.
    """

    def __init__(self, p_beam: float, target: str | Material = "Be", model: str = "auto"):
        if not (math.isfinite(p_beam) and p_beam > 2.0):
            raise ConfigurationError(f"proton momentum must be > 2 GeV, got {p_beam}")
        self.p_beam = float(p_beam)
        self.material = material(target)
        model = model.lower()
        if model == "auto":
            model = _auto_model(self.p_beam)
        if model not in ("sanford-wang", "bmpt"):
            raise ConfigurationError(f"unknown production model '{model}' (sanford-wang, bmpt or auto)")
        self.model = model

    def __repr__(self) -> str:  # pragma: no cover
        return f"MesonProduction(p_beam={self.p_beam} GeV, target={self.material.name}, model={self.model})"

    # -- public ---------------------------------------------------------------------------------
    def d2sigma(self, meson: str, p, theta) -> np.ndarray:
        """d2sigma/dp dOmega in mb/(GeV sr) per target nucleus, at lab momentum p (GeV) and angle theta (rad)."""
        return d2sigma(meson, p, theta, self.p_beam, self.material, self.model)

    def d2n(self, meson: str, p, theta) -> np.ndarray:
        """Mesons per inelastic p-A interaction per GeV per sr: d2sigma / sigma_inel."""
        return self.d2sigma(meson, p, theta) / self.material.sigma_inel_mb

    def multiplicity(self, meson: str, p_min: float = 0.0, p_max: Optional[float] = None,
                     theta_max: float = 0.5 * math.pi, n: int = 200) -> float:
        """Mesons per inelastic interaction with p in [p_min, p_max], theta < theta_max (tensor Gauss-Legendre)."""
        p_hi = self.p_beam if p_max is None else min(p_max, self.p_beam)
        lo = max(p_min, 1e-3)
        x, w = np.polynomial.legendre.leggauss(n)
        # log-spaced in p, sqrt-spaced in theta
        lp = np.log(lo) + 0.5 * (x + 1.0) * (np.log(p_hi) - np.log(lo))
        p = np.exp(lp)
        wp = 0.5 * w * (np.log(p_hi) - np.log(lo)) * p
        u = 0.5 * (x + 1.0)
        th = theta_max * u * u
        wt = 0.5 * w * 2.0 * theta_max * u
        P, T = np.meshgrid(p, th, indexing="ij")
        f = self.d2n(meson, P, T) * 2.0 * np.pi * np.sin(T)
        return float(np.einsum("i,ij,j->", wp, f, wt))

    def sample(self, meson: str, n: int, *, seed: int = 1, p_min: float = 0.1, theta_max: float = 0.5,
               u: np.ndarray | None = None) -> MesonSample:
        """Weighted sample of ``n`` mesons (quasi-random Sobol points unless ``u`` (n x 2) is given).

        Weights are mesons per inelastic interaction, so that sum(weight * f(p, theta)) estimates the
        integral of f over the production spectrum (p_min < p < p_beam, theta < theta_max).
        """
        if u is None:
            from scipy.stats import qmc

            u = qmc.Sobol(2, scramble=True, seed=seed).random(n)
        u = np.asarray(u, dtype=np.float64)
        lo, hi = max(p_min, 1e-3), self.p_beam
        p = lo * (hi / lo) ** u[:, 0]
        th, jac_th = sample_angle(p, theta_max, u[:, 1])
        jac = p * math.log(hi / lo) * jac_th
        w = self.d2n(meson, p, th) * jac / len(p)
        return MesonSample(meson, p, th, w)
