"""3+N neutrino oscillations: exact vacuum and constant-density matter probabilities, averaged over
the decay-pipe length, the width of an energy bin and a Gaussian energy resolution.

Conventions (docs/oscillations.md).  Flavour states nu_alpha = sum_i U_alpha i nu_i (the mixing
matrix of :mod:`darkbeam.models.massmodel`, rows = flavours, columns = mass states), amplitude

    A(nu_a -> nu_b) = sum_i U^*_ai U_bi exp(-i m_i^2 L / 2E),
    P(nu_a -> nu_b) = sum_ij U^*_ai U_bi U_aj U^*_bj exp(-i Dm_ij^2 L / 2E),

Dm^2 L/(4E) = 1.26693 Dm^2[eV^2] L[km] / E[GeV] (:data:`PHASE_COEFF`, from hbar c).  Antineutrinos:
U -> U^*.  Any number of states.  ``U`` may be rectangular (the flavour rows that are produced and
detected, the mass states that propagate) or otherwise non-unitary (e.g. heavy states dropped because
they are not produced): the formula is then used as it stands, without renormalisation, so that
sum_b P(a -> b) < 1 measures the non-unitarity (the 'zero-distance' effect; Antusch et al., JHEP 10
(2006) 084, hep-ph/0607020, eq. (9) before normalisation).

Matter of constant density (:func:`probabilities` with ``density``): in the flavour basis
H = [U diag(m^2) U^dag + diag(A_a)] / 2E with A_a = 2E V_a, V_e = sqrt(2) G_F (n_e - n_n/2),
V_mu = V_tau = -sqrt(2) G_F n_n / 2 (charged and neutral currents), V_s = 0 for sterile rows;
antineutrinos: V -> -V, U -> U^* (Wolfenstein 1978; Mikheyev-Smirnov 1985; for 3+1: e.g. Dentler et al.,
JHEP 08 (2018) 010, arXiv:1803.10661, Sec. 2).  H is diagonalised numerically (Hermitian eigensystem
per energy), its eigenvectors and eigenvalues replace U and m^2 in the formula above.  Needs a square
unitary U whose first rows are e, mu, tau (the others sterile).

Averages (:func:`probabilities` keywords), each applied to every interference term:

* ``pipe_km``: the production point uniform along a decay pipe of that length ending ``L`` before the
  detector (L in [L - pipe, L]): exactly, <exp(-i phi L'/L_c)> = exp(-i phi) sin(x)/x with
  x = phi pipe / (2 L_c), L_c = L - pipe/2;
* ``bin_rel``: uniform in 1/E over a relative half-width (the piecewise-linear flux nodes): sin(y)/y,
  y = phi bin_rel (exact for a uniform 1/E window at fixed L; the two windows combined as a product,
  exact when either is zero);
* ``resolution``: a Gaussian E' ~ N(E, (resolution E)^2) truncated at E' > 0, by Gauss-Hermite
  quadrature (:data:`HERMITE_POINTS` points).
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam import constants as C
from darkbeam import units
from darkbeam.errors import ConfigurationError

#: Dm^2 L / (4E) = PHASE_COEFF * Dm^2[eV^2] * L[km] / E[GeV]  (= 1e-18 GeV^2 * 1e5 cm / (4 GeV hbar c) = 1.26693)
PHASE_COEFF = 1e-18 * units.km / (4.0 * units.HBARC_GEV_CM)
#: sqrt(2) G_F n_e in eV for 1 g/cm^3 of electrons per nucleon (Y_e = 1): sqrt(2) G_F N_A (hbar c)^3
MATTER_EV_PER_GCM3 = math.sqrt(2.0) * C.G_F * units.AVOGADRO * units.HBARC_GEV_CM**3 * 1e9
#: Gauss-Hermite points of the energy-resolution average
HERMITE_POINTS = 24
FLAVOUR_ROWS = ("e", "mu", "tau")


def _sinc(x: np.ndarray) -> np.ndarray:
    return np.sinc(np.asarray(x) / np.pi)


def matter_potentials_eV(density_gcm3: float, ye: float = 0.5, n_rows: int = 3) -> np.ndarray:
    """V_a (eV) for the flavour rows e, mu, tau, then sterile (module docstring); neutrons per nucleon 1 - Y_e."""
    if not (math.isfinite(density_gcm3) and density_gcm3 >= 0):
        raise ConfigurationError(f"matter density must be >= 0 g/cm^3, got {density_gcm3}")
    if not 0.0 <= ye <= 1.0:
        raise ConfigurationError(f"Y_e must lie in [0, 1], got {ye}")
    vcc = MATTER_EV_PER_GCM3 * density_gcm3 * ye
    vnc = -0.5 * MATTER_EV_PER_GCM3 * density_gcm3 * (1.0 - ye)
    V = np.zeros(n_rows)
    V[: min(3, n_rows)] = vnc
    V[0] += vcc
    return V


def _check(U, m2) -> tuple[np.ndarray, np.ndarray]:
    U = np.asarray(U, dtype=complex)
    m2 = np.asarray(m2, dtype=float)
    if U.ndim != 2 or m2.shape != (U.shape[1],):
        raise ConfigurationError(f"mixing matrix {U.shape} and masses squared {m2.shape} do not match")
    if not (np.all(np.isfinite(U)) and np.all(np.isfinite(m2))):
        raise ConfigurationError("non-finite mixing matrix or masses squared")
    return U, m2


def _effective(U, m2, E, density, ye, anti):
    """(U_eff (nE, nf, n), m2_eff (nE, n)) in vacuum or in matter."""
    Uc = U.conj() if anti else U
    nE = E.size
    if density is None or density == 0:
        return np.broadcast_to(Uc, (nE,) + Uc.shape), np.broadcast_to(m2, (nE, m2.size))
    n = U.shape[1]
    if U.shape[0] != n or not np.allclose(U.conj().T @ U, np.eye(n), rtol=0, atol=1e-10):
        raise ConfigurationError("matter effects need the full square unitary mixing matrix")
    V = matter_potentials_eV(density, ye, n) * (-1.0 if anti else 1.0)
    A = 2.0 * (E[:, None] * 1e9) * V[None, :]  # eV^2
    H = (Uc * m2[None, :]) @ Uc.conj().T
    H = H[None, :, :] + A[:, :, None] * np.eye(n)[None, :, :]
    mu, W = np.linalg.eigh(H)
    return W, mu


#: energies per block of the pairwise sum (bounds the memory to ~ BLOCK * n_flavour^2 * n^2 complex numbers)
BLOCK = 2048


def _pair_prob(Ue, m2e, L_km, E, damp) -> np.ndarray:
    """P[e, a, b] from effective mixings (nE, nf, n) and masses (nE, n); damp(phi_ij, block) multiplies
    each term (``block``: the slice of energies)."""
    nE, nf = E.size, Ue.shape[1]
    P = np.empty((nE, nf, nf))
    for lo in range(0, nE, BLOCK):
        sl = slice(lo, min(lo + BLOCK, nE))
        m2 = m2e[sl]
        phi = 2.0 * PHASE_COEFF * (m2[:, :, None] - m2[:, None, :]) * L_km / E[sl, None, None]  # Dm_ij^2 L / 2E
        f = np.exp(-1j * phi) * damp(phi, sl)
        # P_ab = sum_ij U*_ai U_bi U_aj U*_bj f_ij
        X = np.einsum("eai,ebi->eabi", Ue[sl].conj(), Ue[sl])  # U*_ai U_bi
        P[sl] = np.einsum("eabi,eabj,eij->eab", X, X.conj(), f).real
    return P


def probabilities(U, m2_eV2, L_km: float, E_GeV, *, anti: bool = False, density: float | None = None,
                  ye: float = 0.5, pipe_km: float = 0.0, bin_rel: float = 0.0, resolution: float = 0.0) -> np.ndarray:
    """P[..., a, b] = P(nu_a -> nu_b) at energies ``E_GeV`` (array, GeV) and baseline ``L_km``.

    ``m2_eV2``: masses squared of the columns of ``U`` (eV^2; only differences matter), ``anti``:
    antineutrinos, ``density`` (g/cm^3) and ``ye``: constant-density matter, ``pipe_km``,
    ``bin_rel`` (a number or one per energy), ``resolution``: averages (module docstring).
    """
    U, m2 = _check(U, m2_eV2)
    E = np.atleast_1d(np.asarray(E_GeV, dtype=float))
    shape = E.shape
    E = E.ravel()
    if np.any(~np.isfinite(E)) or np.any(E <= 0):
        raise ConfigurationError("oscillation energies must be positive and finite")
    for name, v in (("L_km", L_km), ("pipe_km", pipe_km), ("resolution", resolution)):
        if not (math.isfinite(v) and v >= 0):
            raise ConfigurationError(f"{name} must be finite and >= 0, got {v}")
    br = np.broadcast_to(np.asarray(bin_rel, dtype=float), shape).ravel()
    if not np.all(np.isfinite(br) & (br >= 0)):
        raise ConfigurationError("bin_rel must be finite and >= 0")
    if pipe_km > L_km:
        raise ConfigurationError(f"decay pipe ({pipe_km} km) longer than the baseline ({L_km} km)")
    Lc = L_km - 0.5 * pipe_km

    def damp_for(rel):
        def damp(phi, sl):
            d = np.ones_like(phi)
            if pipe_km > 0 and Lc > 0:
                d = d * _sinc(phi * pipe_km / (2.0 * Lc))
            r = rel[sl]
            if np.any(r > 0):
                d = d * _sinc(phi * r[:, None, None])
            return d
        return damp

    if resolution > 0:
        t, w = np.polynomial.hermite.hermgauss(HERMITE_POINTS)
        Eq = E[:, None] * (1.0 + resolution * math.sqrt(2.0) * t[None, :])
        wq = np.where(Eq > 0, w[None, :], 0.0)
        wq = wq / wq.sum(axis=1, keepdims=True)
        Eq = np.where(Eq > 0, Eq, E[:, None])
        flat = Eq.ravel()
        Ue, m2e = _effective(U, m2, flat, density, ye, anti)
        P = _pair_prob(Ue, m2e, Lc, flat, damp_for(np.repeat(br, HERMITE_POINTS)))
        P = P.reshape(E.size, HERMITE_POINTS, U.shape[0], U.shape[0])
        P = np.einsum("eqab,eq->eab", P, wq)
    else:
        Ue, m2e = _effective(U, m2, E, density, ye, anti)
        P = _pair_prob(Ue, m2e, Lc, E, damp_for(br))
    return P.reshape(shape + P.shape[-2:])


# ------------------------------------------------------------------ mixing matrices
#: NuFIT 5.2 (2022, www.nu-fit.org; Esteban et al., JHEP 09 (2020) 178) normal-ordering best fit with
#: Super-Kamiokande atmospheric data: sin^2 theta_12, sin^2 theta_13, sin^2 theta_23, delta_CP (deg),
#: Dm21^2, Dm31^2 (eV^2).  Checked against OscProb's test/Utils.h SetNominalPars ("NuFIT 5.2 values (NO
#: w/ SK)", github.com/joaoabcoelho/OscProb), which gave sin^2 theta_13 = 0.02225 (0.02203, entered from
#: memory before, was wrong)
NUFIT52_NO = {"s12sq": 0.303, "s13sq": 0.02225, "s23sq": 0.451, "delta_deg": 232.0, "dm21": 7.41e-5, "dm31": 2.507e-3}


def pmns(s12sq: float, s13sq: float, s23sq: float, delta_deg: float) -> np.ndarray:
    """The PDG parametrisation U = R23 U13(delta) R12 (PDG review 'Neutrino mixing', eq. 14.33)."""
    s12, s13, s23 = math.sqrt(s12sq), math.sqrt(s13sq), math.sqrt(s23sq)
    c12, c13, c23 = math.sqrt(1 - s12sq), math.sqrt(1 - s13sq), math.sqrt(1 - s23sq)
    e = np.exp(1j * math.radians(delta_deg))
    return np.array([
        [c12 * c13, s12 * c13, s13 / e],
        [-s12 * c23 - c12 * s23 * s13 * e, c12 * c23 - s12 * s23 * s13 * e, s23 * c13],
        [s12 * s23 - c12 * c23 * s13 * e, -c12 * s23 - s12 * c23 * s13 * e, c23 * c13],
    ])


def unitary_completion(U_active_sterile, active_block=None) -> np.ndarray:
    """The full (3+N) x (3+N) unitary matrix with the given active-sterile block S (3 x N): the active rows
    [(1 - S S^dag)^(1/2) U_3, S] (U_3: ``active_block``, default the identity) and N sterile rows
    completing them (their phases and rotations among themselves are unobservable, docs/oscillations.md)."""
    S = np.atleast_2d(np.asarray(U_active_sterile, dtype=complex))
    if S.shape[0] != 3:
        raise ConfigurationError("the active-sterile block needs 3 rows (e, mu, tau)")
    G = np.eye(3) - S @ S.conj().T
    w, V = np.linalg.eigh(G)
    if np.any(w <= 0):
        raise ConfigurationError("active-sterile mixings too large: sum_i |U_alpha i|^2 over the sterile states "
                                 "must stay below 1 for every flavour (and the rows must allow a unitary completion)")
    A = (V * np.sqrt(w)) @ V.conj().T @ (np.eye(3) if active_block is None else np.asarray(active_block, dtype=complex))
    top = np.hstack([A, S])
    _, _, Vh = np.linalg.svd(top)
    return np.vstack([top, Vh[3:]])


def two_flavour(theta: float) -> np.ndarray:
    """[[cos, sin], [-sin, cos]]: two-flavour mixing."""
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, s], [-s, c]])
