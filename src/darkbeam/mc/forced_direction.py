"""Forced-direction kinematics of a particle made in the decay of a moving parent.

A parent of mass M and lab four-momentum P (velocity beta, Lorentz factor gamma) decays; one daughter
(the long-lived particle, mass m) has momentum p* in the parent's rest frame.  For a chosen LAB
direction u (towards a point of a detector) the lab momentum |p| along u follows from the inverse
boost E* = gamma (E - beta |p| cos theta), theta the angle between u and the parent's velocity:

    A p^2 - 2 B p + C = 0,   A = 1 - beta^2 cos^2 theta,  B = (E*/gamma) beta cos theta,
                             C = m^2 - E*^2/gamma^2,
    discriminant D = B^2 - A C = p*^2/gamma^2 - m^2 beta^2 sin^2 theta.

There are two physical solutions (both p > 0 with E*/gamma + beta p cos theta > 0) when the parent
is faster than the daughter in its rest frame, beta gamma > p*/m, inside the cone
sin theta <= p*/(beta gamma m); otherwise one.  The solid-angle Jacobian of each solution is

    dOmega*/dOmega_lab = p^2 / (gamma p* |p - beta E cos theta|),

derived in docs/meson_decay.md from the invariance of d^3p/E (it is (p/p*)^2 on the parent's
axis; Byckling and Kajantie, Particle Kinematics (Wiley 1973), sec. 4.5).  The polarisation of the
daughter along its lab momentum follows from its polarisation h* along its momentum in the parent
frame by the invariant product of the two longitudinal spin vectors (docs/meson_decay.md):

    h_lab = h* (E* E - m^2 gamma) / (p* |p|).

Arrays: n events; four-vectors (E, px, py, pz), GeV.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from darkbeam.mc.fourvec import boost_from_rest, boost_to_rest, rotate_z_to, transverse_frame

__all__ = ["LabSolutions", "lab_momentum_solutions", "solid_angle_jacobian", "align_rest_frame",
           "lab_helicity", "rest_frame_direction"]


class LabSolutions(NamedTuple):
    """p: (n, 2) lab momenta |p| (GeV) of the two roots (+, -); valid: (n, 2) physical roots;
    jacobian: (n, 2) dOmega*/dOmega_lab of each root (0 where invalid)."""

    p: np.ndarray
    valid: np.ndarray
    jacobian: np.ndarray


def _parent_velocity(P: np.ndarray, M: float):
    E = P[:, 0]
    pv = P[:, 1:]
    pabs = np.sqrt(np.einsum("ij,ij->i", pv, pv))
    beta = pabs / E
    gamma = E / M
    with np.errstate(invalid="ignore", divide="ignore"):
        bhat = np.where(pabs[:, None] > 0, pv / np.where(pabs > 0, pabs, 1.0)[:, None], 0.0)
    return beta, gamma, bhat


def solid_angle_jacobian(p, pstar, m, beta, gamma, cos_theta) -> np.ndarray:
    """dOmega*/dOmega_lab = p^2 / (gamma p* |p - beta E cos theta|) (module docstring)."""
    p = np.asarray(p, dtype=float)
    E = np.sqrt(p * p + np.asarray(m, dtype=float) ** 2)
    den = gamma * pstar * np.abs(p - beta * E * cos_theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, p * p / np.where(den > 0, den, 1.0), 0.0)


def lab_momentum_solutions(P, M: float, m: float, pstar, u) -> LabSolutions:
    """Lab momenta along the unit directions ``u`` (n, 3) of a daughter of mass ``m`` with rest-frame
    momentum ``pstar`` (n,) from parents of mass ``M`` and lab four-momenta ``P`` (n, 4); both roots
    of the quadratic of the module docstring with their validity and Jacobians.  Parents at rest
    give the single root p = p* with Jacobian 1."""
    P = np.asarray(P, dtype=float)
    u = np.asarray(u, dtype=float)
    pstar = np.broadcast_to(np.asarray(pstar, dtype=float), (P.shape[0],))
    beta, gamma, bhat = _parent_velocity(P, M)
    c = np.clip(np.einsum("ij,ij->i", bhat, u), -1.0, 1.0)
    s2 = np.maximum(1.0 - c * c, 0.0)
    Estar = np.sqrt(pstar * pstar + m * m)
    A = 1.0 - beta * beta * c * c
    B = Estar / gamma * beta * c
    C = m * m - (Estar / gamma) ** 2
    D = pstar * pstar / (gamma * gamma) - m * m * beta * beta * s2
    sq = np.sqrt(np.maximum(D, 0.0))
    # cancellation-free roots: q = B + sign(B) sqrt(D); roots q/A and C/q
    q = B + np.copysign(sq, B)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = q / A
        r2 = np.where(q != 0.0, C / np.where(q != 0.0, q, 1.0), 0.0)
    hi = np.maximum(r1, r2)
    lo = np.minimum(r1, r2)
    p = np.stack([hi, lo], axis=1)
    ok_d = D >= 0.0
    valid = ok_d[:, None] & (p > 0.0) & ((Estar / gamma)[:, None] + beta[:, None] * p * c[:, None] > 0.0)
    # a double root (D = 0) is one solution, not two
    valid[:, 1] &= sq > 0.0
    jac = solid_angle_jacobian(p, pstar[:, None], m, beta[:, None], gamma[:, None], c[:, None])
    jac = np.where(valid, jac, 0.0)
    p = np.where(valid, p, 0.0)
    return LabSolutions(p, valid, jac)


def rest_frame_direction(p_lab4: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Unit direction (n, 3) in the parent's rest frame of daughters with lab four-momenta p_lab4."""
    k = boost_to_rest(p_lab4, P)[:, 1:]
    return k / np.linalg.norm(k, axis=1)[:, None]


def align_rest_frame(k: np.ndarray, index: int, n_star: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Rotate rest-frame decay products k (n, kd, 4) so that daughter ``index`` points along the
    unit vectors ``n_star`` (n, 3), turned by the azimuths ``phi`` (n,) about that axis (free for an
    unpolarised parent).  Energies and invariant masses are unchanged."""
    k = np.asarray(k, dtype=float)
    v = k[:, :, 1:]
    d = k[:, index, 1:]
    dh = d / np.linalg.norm(d, axis=1)[:, None]
    e1, e2 = transverse_frame(dh)
    # into the frame where daughter ``index`` is along +z
    loc = np.stack([np.einsum("nkj,nj->nk", v, e1), np.einsum("nkj,nj->nk", v, e2),
                    np.einsum("nkj,nj->nk", v, dh)], axis=-1)
    cphi, sphi = np.cos(phi)[:, None], np.sin(phi)[:, None]
    x = cphi * loc[..., 0] - sphi * loc[..., 1]
    y = sphi * loc[..., 0] + cphi * loc[..., 1]
    loc = np.stack([x, y, loc[..., 2]], axis=-1)
    out = np.empty_like(k)
    out[:, :, 0] = k[:, :, 0]
    out[:, :, 1:] = rotate_z_to(loc, n_star[:, None, :])
    return out


def boost_daughters(k: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Rest-frame four-momenta k (n, kd, 4) boosted to the lab of parents P (n, 4)."""
    return boost_from_rest(k, P[:, None, :])


def lab_helicity(h_star, E_star, p_star, E_lab, p_lab, m: float, gamma) -> np.ndarray:
    """Polarisation along the lab momentum of a daughter whose polarisation along its momentum in the
    parent's rest frame is ``h_star``: h* (E* E - m^2 gamma) / (p* |p|) (module docstring), clipped
    to [-1, 1] against rounding."""
    num = np.asarray(E_star) * np.asarray(E_lab) - m * m * np.asarray(gamma)
    den = np.asarray(p_star) * np.asarray(p_lab)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
    return np.clip(np.asarray(h_star, dtype=float) * r, -1.0, 1.0)
