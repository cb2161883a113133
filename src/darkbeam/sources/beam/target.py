"""Mesons leaving a thick target: primary production, absorption and one generation of re-interactions.

Primary generation (per POT): the proton interacts at depth z1 with density exp(-z/lambda_p)/lambda_p
(probability 1 - exp(-L/lambda_p) in a target of length L); mesons follow the thin-target
production spectrum (darkbeam.sources.beam.production) per inelastic interaction.

Re-interactions ("tertiary" production, optional, on by default): secondaries that interact again
further down the target make more, softer mesons.  The model follows one extra generation:

* leading nucleons: one per interaction with a flat x = p/p_beam distribution (the leading-baryon
  spectrum in p+p and p+C is roughly flat in x_F: NA49, Eur. Phys. J. C 65 (2010) 9 and C 73 (2013)
  2364), half protons and half neutrons (pion charges mirrored for neutrons), p_T = 0.3 GeV;
* secondary pi+-: the primary pion spectrum itself;
* parents below 3 GeV are not followed; a parent interacts in the remaining target (to the end or
  to the side, whichever is first) with its interaction length (lambda_I for nucleons,
  lambda_I/0.8 for pions);
* mesons from a parent of momentum p_h follow the proton-induced spectrum at beam momentum p_h
  (pi- parents: charge-mirrored), produced on the axis at the second interaction point, at an
  angle sqrt(theta^2 + theta_h^2) to the beam axis (the parent's direction added in quadrature).

This is an approximation of the hadronic cascade (real thick-target yields need a transport code);
its size and effect on the fluxes are shown in docs/beam_model.md.  All mesons then lose energy by
ionisation and are absorbed on their way out of the target (mean path, lambda_meson).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam.sources.beam.configs import BeamConfig
from darkbeam.sources.beam.materials import material
from darkbeam.sources.beam.production import MASS, PRODUCED, MesonProduction, d2sigma, sample_angle

#: lowest momentum (GeV) of a secondary whose re-interactions are followed
P_PARENT_MIN = 3.0
#: transverse momentum (GeV) given to leading nucleons
PT_LEADING = 0.3
_MIRROR = {"pi+": "pi-", "pi-": "pi+", "K+": "K-", "K-": "K+"}
_LONG_LIVED = ("pi+", "pi-", "K+", "K-", "K0_L")


@dataclass(frozen=True)
class TargetSample:
    """Weighted mesons leaving the target: momentum (GeV), angle (rad), production z (cm), weight per
    POT, generation (1 primary, 2 re-interaction) and spare uniform numbers for later sampling."""

    meson: str
    p: np.ndarray
    theta: np.ndarray
    z0: np.ndarray
    weight: np.ndarray
    generation: np.ndarray
    u: np.ndarray


def _truncated_exp(u, lam, length):
    """Depth in [0, length] with density exp(-z/lam) (inverse CDF) and the probability 1 - exp(-length/lam)."""
    prob = -np.expm1(-np.asarray(length, dtype=np.float64) / lam)
    return -lam * np.log1p(-u * prob), prob


def _exit_path(length_left, radius, theta):
    return np.minimum(length_left / np.maximum(np.cos(theta), 1e-9), radius / np.maximum(np.sin(theta), 1e-12))


def target_mesons(cfg: BeamConfig, meson: str, n: int, *, seed: int = 1, tertiary: bool = True,
                  extra_dims: int = 8) -> TargetSample:
    """``n`` primary (+ ``n`` re-interaction) weighted mesons of one species leaving the target of ``cfg``."""
    from scipy.stats import qmc

    if meson not in PRODUCED:
        raise ValueError(meson)
    mat = material(cfg.target.material)
    lt, rt = cfg.target.length_cm, cfg.target.radius_cm
    lam_p = mat.interaction_length_cm
    prod = MesonProduction(cfg.proton_momentum_GeV, mat, cfg.production_model)
    rng = np.random.default_rng(np.random.SeedSequence([seed, PRODUCED.index(meson), 7]))

    # primary generation
    u = qmc.Sobol(3 + extra_dims, scramble=True, seed=rng).random(n)
    s = prod.sample(meson, n, p_min=cfg.p_min_GeV, theta_max=cfg.theta_max, u=u[:, :2])
    z1, p_int = _truncated_exp(u[:, 2], lam_p, lt)
    parts = [(s.p, s.theta, z1, s.weight * p_int, np.ones(n), u[:, 3:])]

    if tertiary and cfg.proton_momentum_GeV > P_PARENT_MIN + 0.5:
        parts.append(_reinteractions(cfg, meson, n, rng, extra_dims, prod, mat, lam_p))

    p = np.concatenate([x[0] for x in parts])
    th = np.concatenate([x[1] for x in parts])
    z = np.concatenate([x[2] for x in parts])
    w = np.concatenate([x[3] for x in parts])
    gen = np.concatenate([x[4] for x in parts])
    uu = np.concatenate([x[5] for x in parts])

    # leave the target: ionisation loss and absorption along the mean path
    m = MASS[meson]
    path = _exit_path(lt - z, rt, th)
    if meson in _LONG_LIVED:
        w = w * np.exp(-path / mat.absorption_length_cm(meson, p))
        e_out = np.sqrt(p * p + m * m) - mat.dedx_GeV_per_cm * path
        alive = e_out > 1.0001 * m
        w = np.where(alive, w, 0.0)
        p = np.where(alive, np.sqrt(np.maximum(e_out * e_out - m * m, 0.0)), 1e-6)
    return TargetSample(meson, p, th, cfg.target.z_start_cm + z, w, gen, uu)


def _reinteractions(cfg, meson, n, rng, extra_dims, prod, mat, lam_p):
    from scipy.stats import qmc

    lt, rt = cfg.target.length_cm, cfg.target.radius_cm
    pb = cfg.proton_momentum_GeV
    u = qmc.Sobol(7 + extra_dims, scramble=True, seed=rng).random(n)
    z1, p_int = _truncated_exp(u[:, 0], lam_p, lt)
    branch = np.where(u[:, 1] < 0.5, 0, np.where(u[:, 1] < 0.75, 1, 2))  # nucleon, pi+, pi-
    bw = np.where(branch == 0, 2.0, 4.0)

    # parent momentum and angle
    x_min = P_PARENT_MIN / pb
    ph_n = pb * (x_min + (1.0 - x_min) * u[:, 2])
    wh_n = np.full(n, 1.0 - x_min)  # dN/dx = 1 per interaction
    th_n = np.arctan2(PT_LEADING, ph_n)
    ph_pi = P_PARENT_MIN * (pb / P_PARENT_MIN) ** u[:, 2]
    th_pi, jac_th = sample_angle(ph_pi, cfg.theta_max, u[:, 3])
    jac = ph_pi * math.log(pb / P_PARENT_MIN) * jac_th
    wh_pip = prod.d2n("pi+", ph_pi, th_pi) * jac
    wh_pim = prod.d2n("pi-", ph_pi, th_pi) * jac
    ph = np.where(branch == 0, ph_n, ph_pi)
    th_h = np.where(branch == 0, th_n, th_pi)
    wh = np.where(branch == 0, wh_n, np.where(branch == 1, wh_pip, wh_pim))

    # second interaction in the remaining target
    lam_h = np.where(branch == 0, lam_p, lam_p / 0.80)
    l_left = _exit_path(lt - z1, rt, th_h)
    s2, p2 = _truncated_exp(u[:, 4], lam_h, l_left)
    z2 = z1 + s2 * np.cos(th_h)

    # the meson from the parent's interaction (proton-induced spectrum at p_h; pi- parents mirrored;
    # nucleons: average of proton and neutron, the latter mirrored for pions)
    lo = cfg.p_min_GeV
    ok = ph > lo * 1.01
    p = lo * (np.maximum(ph, lo * 1.01) / lo) ** u[:, 5]
    th, jac_th = sample_angle(p, cfg.theta_max, u[:, 6])
    jm = p * np.log(np.maximum(ph, lo * 1.01) / lo) * jac_th
    mirror = _MIRROR.get(meson, meson)
    d_same = d2sigma(meson, p, th, ph, mat, "auto")
    d_mirr = d2sigma(mirror, p, th, ph, mat, "auto") if mirror != meson else d_same
    dn = np.where(branch == 0, 0.5 * (d_same + d_mirr) if meson.startswith("pi") else d_same,
                  np.where(branch == 1, d_same, d_mirr)) / mat.sigma_inel_mb
    w = p_int * bw * wh * p2 * dn * jm / n
    w = np.where(ok & np.isfinite(w), w, 0.0)
    th_tot = np.sqrt(th * th + th_h * th_h)
    return p, th_tot, z2, w, np.full(n, 2.0), u[:, 7:]
