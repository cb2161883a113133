"""CCQE on nuclei in the relativistic Fermi gas: Fermi motion and kinematic Pauli blocking.

The struck nucleons (neutrons for nu, protons for nubar) fill a Fermi sphere |p| < k_i and are on
shell, E_p = sqrt(M_i^2 + p^2) (Smith and Moniz, Nucl. Phys. B 43, 605 (1972), without their binding
energy unless ``binding`` is given).  Each scatters with the free Llewellyn Smith cross section
(:func:`darkbeam.physics.ccqe.dsigma_dq2`, a function of invariants) evaluated in its rest frame,
E* = k.P / M_i, weighted by the Lorentz-invariant flux factor of a moving target,

    sigma_A(E) = count * < (k.P)/(E E_p) * int dQ^2 dphi/(2 pi) dsigma/dQ^2(E*, Q^2) theta(|p'| - k_f) >_sphere,

and the final nucleon is Pauli blocked exactly: its lab momentum p' (from the rest-frame kinematics at
(Q^2, phi) boosted back) must lie outside the final species' Fermi sphere k_f.  Fermi momenta as in
:func:`darkbeam.physics.nuclear_response.nucleon_fermi_momentum`.  ``binding`` (GeV) is removed from
the neutrino energy (E -> E - eps_b), the simplest form of the Smith-Moniz separation energy; 0 by
default.  Quadrature: Gauss-Legendre in (p/k_i)^3, cos theta_p, Q^2 (with Q^2 = Q^2_min + (Q^2_max -
Q^2_min) u^2) and phi.  Not included: RPA, 2p2h, final-state interactions, a spectral function.
"""

from __future__ import annotations

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.physics.ccqe import _parse, dsigma_dq2, nucleon_masses, q2_range
from darkbeam.physics.nuclear_response import nucleon_fermi_momentum

#: quadrature points: |p|, cos theta_p, Q^2, phi
POINTS = (8, 12, 24, 12)
_CHUNK = 16


def _gl(n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return a + (b - a) * 0.5 * (x + 1.0), 0.5 * (b - a) * w


def _boost(vec, energy, beta_vec, sign):
    """Boost 4-vectors (energy, vec) by velocity ``sign * beta_vec`` (sign -1: into the frame moving
    with beta_vec)."""
    b2 = np.sum(beta_vec * beta_vec, axis=-1, keepdims=True)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta_vec * vec, axis=-1, keepdims=True)
    coef = np.where(b2 > 0, (gamma - 1.0) * bp / np.where(b2 > 0, b2, 1.0), 0.0)
    new_vec = vec + coef * beta_vec + sign * gamma * energy[..., None] * beta_vec
    new_e = gamma[..., 0] * (energy + sign * bp[..., 0])
    return new_vec, new_e


def sigma_rfg_k(E, projectile: str, count: int, k_i: float, k_f: float, *, binding: float = 0.0,
                points: tuple[int, int, int, int] = POINTS) -> np.ndarray:
    """sigma (cm^2) of ``count`` nucleons in a Fermi sphere k_i with final-state Fermi sphere k_f (GeV)."""
    m, anti = _parse(projectile)
    Mi, Mf = nucleon_masses(anti)
    E = np.atleast_1d(np.asarray(E, dtype=float))
    if np.any(~np.isfinite(E)) or np.any(E < 0):
        raise ConfigurationError("neutrino energies must be finite and >= 0 GeV")
    if k_i < 0 or k_f < 0 or binding < 0:
        raise ConfigurationError("Fermi momenta and binding energy must be >= 0")
    n_p, n_c, n_q, n_f = points
    u, wu = _gl(n_p, 0.0, 1.0)
    p = k_i * np.cbrt(u)
    c, wc = _gl(n_c, -1.0, 1.0)
    wc = wc / 2.0
    x, wx = _gl(n_q, 0.0, 1.0)
    phi, wphi = _gl(n_f, 0.0, 2.0 * np.pi)
    wphi = wphi / (2.0 * np.pi)
    out = np.zeros(E.shape)
    Eeff_all = np.maximum(E - binding, 0.0)
    for lo in range(0, E.size, _CHUNK):
        Ev = Eeff_all[lo:lo + _CHUNK][:, None, None]  # (e, p, c)
        pp = p[None, :, None]
        cc = c[None, None, :]
        sp = np.sqrt(np.maximum(1.0 - cc * cc, 0.0))
        Ep = np.sqrt(Mi * Mi + pp * pp)
        kP = Ev * (Ep - pp * cc)
        Estar = kP / Mi
        ql, qh = q2_range(Estar, m, Mi, Mf)
        live = np.isfinite(ql) & (Ev > 0)
        Estar = np.where(live, Estar, 1.0)  # closed points: any positive value, masked below
        ql = np.where(live, ql, 0.0)
        qh = np.where(live, qh, 0.0)
        # Q^2 nodes
        Q2 = ql[..., None] + (qh - ql)[..., None] * x * x  # (e, p, c, q)
        jac = 2.0 * (qh - ql)[..., None] * x * wx
        ds = dsigma_dq2(np.broadcast_to(Estar[..., None], Q2.shape), Q2, projectile)
        # rest-frame kinematics: nucleon velocity beta = p/E_p (in the x-z plane)
        beta = np.stack(np.broadcast_arrays(pp * sp / Ep, 0.0 * pp, pp * cc / Ep), axis=-1)  # (e?, p, c, 3)
        beta = np.broadcast_to(beta, Ev.shape[:1] + beta.shape[1:])
        kvec = np.broadcast_to(np.array([0.0, 0.0, 1.0]) * Ev[..., None], beta.shape)
        kstar, _ = _boost(kvec, np.broadcast_to(Ev, beta.shape[:-1]), beta, -1.0)
        kmag = np.linalg.norm(kstar, axis=-1, keepdims=True)
        ehat = kstar / np.where(kmag > 0, kmag, 1.0)
        # a unit vector orthogonal to ehat, and the third one
        trial = np.where(np.abs(ehat[..., :1]) < 0.9, np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
        e1 = trial - np.sum(trial * ehat, axis=-1, keepdims=True) * ehat
        e1 /= np.linalg.norm(e1, axis=-1, keepdims=True)
        e2 = np.cross(ehat, e1)
        nu_star = (Q2 + Mf * Mf - Mi * Mi) / (2.0 * Mi)
        El = Estar[..., None] - nu_star
        pl = np.sqrt(np.maximum(El * El - m * m, 0.0))
        cos_t = np.clip((2.0 * Estar[..., None] * El - m * m - Q2) / np.where(pl > 0, 2.0 * Estar[..., None] * pl, 1.0),
                        -1.0, 1.0)
        sin_t = np.sqrt(1.0 - cos_t * cos_t)
        # final nucleon in the rest frame: p'* = k* - k'*, E'* = M_i + nu*; then for each phi, boosted to the lab
        cphi, sphi = np.cos(phi), np.sin(phi)
        lep = (pl * cos_t)[..., None, None] * ehat[..., None, None, :] \
            + (pl * sin_t)[..., None, None] * (cphi[:, None] * e1[..., None, None, :] + sphi[:, None] * e2[..., None, None, :])
        pnuc = kstar[..., None, None, :] - lep  # (e, p, c, q, f, 3)
        Enuc = np.broadcast_to((Mi + nu_star)[..., None], pnuc.shape[:-1])
        plab, _ = _boost(pnuc, Enuc, beta[..., None, None, :], +1.0)
        unblocked = np.linalg.norm(plab, axis=-1) > k_f
        ang = np.sum(unblocked * wphi, axis=-1)  # (e, p, c, q)
        inner = np.sum(ds * jac * ang, axis=-1)  # (e, p, c)
        flux = kP / (np.where(Ev > 0, Ev, 1.0) * Ep)
        val = np.where(live, inner * flux, 0.0)
        out[lo:lo + _CHUNK] = np.einsum("epc,p,c->e", val, wu, wc)
    return count * out


def sigma_rfg(E, projectile: str = "nu_mu", target: str = "C12", *, binding: float = 0.0,
              points: tuple[int, int, int, int] = POINTS) -> np.ndarray:
    """CCQE sigma per nucleus (cm^2) in the relativistic Fermi gas (module docstring)."""
    from darkbeam.physics.ccqe import sigma_free
    from darkbeam.physics.nuclear import nucleus

    nuc = nucleus(target)
    _, anti = _parse(projectile)
    count = nuc.Z if anti else nuc.N
    if count == 0:
        return np.zeros(np.shape(np.atleast_1d(E)))
    if nuc.A < 2:
        return count * sigma_free(E, projectile)
    k_i = nucleon_fermi_momentum(nuc.Z, nuc.N, "p" if anti else "n")
    k_f = nucleon_fermi_momentum(nuc.Z, nuc.N, "n" if anti else "p")
    return sigma_rfg_k(E, projectile, count, k_i, k_f, binding=binding, points=points)
