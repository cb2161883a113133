"""The hadronic half of neutrino trident production: the photon exchanged with a nucleus (coherent) or
with a bound nucleon (diffractive), and its contraction with the leptonic nu gamma* -> nu l l tensor.

Hadronic tensor (unpolarised target of mass M, momentum P -> P' = P - q with q the photon momentum
flowing into the leptons, P~ = (P + P')/2 = P - q/2, P.q = -Q^2/2, tau = Q^2/(4 M^2)):

    H^{mu nu} = W1 (-g^{mu nu} + q^mu q^nu / q^2) + (W2/M^2) P~^mu P~^nu,

* coherent, spin-0 nucleus of charge Z (docs/tridents.md eq. T5):
      W1 = 0,   W2/M^2 = 4 Z^2 e^2 F_ch(Q^2)^2,
  with the nuclear charge form factor of darkbeam.physics.form_factors (Fourier-Bessel data, else
  symmetrized Fermi);
* one nucleon (Rosenbluth; e.g. Ballett et al. 1807.10973 eq. 2.9; derivation in docs/tridents.md):
      W1 = e^2 Q^2 G_M^2,   W2/M^2 = 4 e^2 (G_E^2 + tau G_M^2)/(1 + tau),
  with the Sachs form factors of darkbeam.physics.form_factors.NucleonFormFactors (dipole, Galster
  G_E^n), multiplied for bound nucleons by the Fermi-gas Pauli suppression S(|q|) of
  darkbeam.physics.nuclear_response (the free proton, H1, is not blocked).

Contraction with the azimuthally integrated leptonic tensor L^{mu nu} = L_T T1 + (L_L + L_T) K K / K^2
(K = k1 - (k1.q/q^2) q, K^2 = (k1.q)^2/Q^2; derivation in docs/tridents.md, eq. T4):

    L.H = L_T [2 W1 + (W2/M^2)((k1.P~)^2/K^2 - P~^2)] + L_L [-W1 + (W2/M^2)(k1.P~)^2/K^2],

k1.P~ = M E - (s_hat + Q^2)/4,  P~^2 = M^2 + Q^2/4,  k1.q = (s_hat + Q^2)/2.
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics.form_factors import NuclearFormFactors, NucleonFormFactors
from darkbeam.physics.nuclear import nucleus
from darkbeam.physics.nuclear_response import PauliBlocking

E2_CHARGE = 4.0 * np.pi * C.ALPHA_EM
#: the regimes: scattering on the whole nucleus, or on its protons and neutrons one at a time
REGIMES = ("coherent", "diffractive")
#: upper Q^2 (GeV^2) beyond which the form factors make the integrand negligible
Q2_CUT = {"coherent": 1.0, "diffractive": 4.0}


def s_hat_max(E, M: float):
    """Largest s_hat = (k1 + q)^2 for neutrino energy E on a target of mass M at rest: (sqrt(s) - M)^2."""
    E = np.asarray(E, dtype=float)
    return (np.sqrt(M * M + 2.0 * M * E) - M) ** 2


def q2_range(E, s_hat, M: float):
    """(Q2_min, Q2_max) of nu(E) + T(M, at rest) -> X(s_hat) + T: the 2 -> 2 limits, written without
    cancellation: Q2_min = 2 M^2 (E_b - E_d)^2 / (X + p p'), Q2_max = 2 (X + p p'), X = E_b E_d - M^2,
    with the centre-of-mass target energies E_b, E_d and momenta p, p'."""
    E = np.asarray(E, dtype=float)
    s_hat = np.asarray(s_hat, dtype=float)
    s = M * M + 2.0 * M * E
    rs = np.sqrt(s)
    Eb, Ed = (s + M * M) / (2.0 * rs), (s + M * M - s_hat) / (2.0 * rs)
    p = (s - M * M) / (2.0 * rs)
    lam = np.maximum((s - (np.sqrt(s_hat) + M) ** 2) * (s - (np.sqrt(s_hat) - M) ** 2), 0.0)
    pp = np.sqrt(lam) / (2.0 * rs)
    X = Eb * Ed - M * M
    hi = 2.0 * (X + p * pp)
    lo = 2.0 * M * M * (s_hat / (2.0 * rs)) ** 2 / np.maximum(X + p * pp, 1e-300)
    return lo, hi


class HadronicTarget:
    """The photon source of one regime on one nucleus: ``W(Q2) -> (W1, W2/M^2)`` per nucleus, and
    the mass M of the scatterer (the nucleus, or a nucleon)."""

    def __init__(self, target: str, regime: str, form_factor_scheme: str = "default", pauli_blocking: bool = True):
        if regime not in REGIMES:
            raise ConfigurationError(f"unknown trident regime '{regime}' (choose from {', '.join(REGIMES)})")
        self.nucleus = nucleus(target)
        self.regime = regime
        self.free_proton = self.nucleus.is_free_proton
        if regime == "coherent" and self.free_proton:
            raise ConfigurationError("coherent trident production needs a nucleus (A > 1); use --regime diffractive for H1")
        Z, N = self.nucleus.Z, self.nucleus.N
        if regime == "coherent":
            self.M = self.nucleus.mass
            self._ff = NuclearFormFactors(self.nucleus.name, self.nucleus.A, form_factor_scheme)
        else:
            self.M = C.M_NUCLEON if not self.free_proton else C.M_PROTON
            self._nff = NucleonFormFactors()
            self._block = None
            if pauli_blocking and not self.free_proton:
                self._block = (PauliBlocking(Z, N, "p", self.M), PauliBlocking(Z, N, "n", self.M) if N > 0 else None)
        self.pauli_blocking = pauli_blocking
        self.q2_cut = Q2_CUT[regime]

    def structure(self, Q2, nucleon: str | None = None):
        """(W1, W2/M^2) summed over the scatterers of the nucleus (units: GeV^2 and 1); ``nucleon`` =
        ``"p"`` or ``"n"`` (diffractive only): the protons' or the neutrons' part of the sum alone."""
        Q2 = np.asarray(Q2, dtype=float)
        if self.regime == "coherent":
            if nucleon is not None:
                raise ConfigurationError("the coherent regime has no proton and neutron parts")
            F = self._ff.charge(Q2)
            return np.zeros_like(Q2), 4.0 * E2_CHARGE * self.nucleus.Z**2 * F * F
        Z, N = self.nucleus.Z, self.nucleus.N
        if nucleon not in (None, "p", "n"):
            raise ConfigurationError(f"nucleon must be 'p' or 'n', not {nucleon!r}")
        Z, N = (Z, 0) if nucleon == "p" else (0, N) if nucleon == "n" else (Z, N)
        tau = Q2 / (4.0 * self.M**2)
        gep, gmp, gen, gmn = self._nff.sachs(Q2, self.M)
        sp = sn = 1.0
        if self._block is not None:
            sp = self._block[0](Q2)
            sn = self._block[1](Q2) if self._block[1] is not None else 0.0
        W1 = E2_CHARGE * Q2 * (Z * sp * gmp**2 + N * sn * gmn**2)
        W2 = 4.0 * E2_CHARGE * (Z * sp * (gep**2 + tau * gmp**2) + N * sn * (gen**2 + tau * gmn**2)) / (1.0 + tau)
        return W1, W2


def contraction_coefficients(E, s_hat, Q2, M: float, W1, W2M2):
    """(c_T, c_L) with L.H = c_T L_T + c_L L_L (module docstring)."""
    kq = 0.5 * (s_hat + Q2)
    kP = M * E - 0.5 * kq
    P2 = M * M + 0.25 * Q2
    ratio = kP * kP * Q2 / (kq * kq)  # (k1.P~)^2 / K^2
    cT = 2.0 * W1 + W2M2 * (ratio - P2)
    cL = -W1 + W2M2 * ratio
    return cT, cL
