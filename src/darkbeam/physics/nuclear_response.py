"""Bound nucleons: Pauli blocking of elastic (p-el, n-el) upscattering in a Fermi gas.

A nucleon bound in a nucleus cannot be scattered into an occupied state.  In a Fermi gas of Fermi
momentum k_F, a momentum transfer of magnitude |q| can act only on the nucleons whose final
momentum p + q lies outside the Fermi sphere.  Integrated over the energy transfer (the
closure / sum-rule approximation: the response summed over final states at fixed |q|, which is what
the Coulomb sum rule of the Fermi gas measures), the fraction of the free-nucleon cross section that
survives is one minus the overlap of two Fermi spheres whose centres are |q| apart:

    S(|q|) = 3x/4 - x^3/16   (x = |q|/k_F < 2),     S = 1   (x >= 2),

(derivation in docs/xsec.md, section 6a: the overlap volume of two spheres; the same function is the
energy-integrated (Coulomb sum rule) response of the free Fermi gas, Czyz and Gottfried, Ann. Phys.
21, 47 (1963); de Forest and Walecka, Adv. Phys. 15, 1 (1966)).  S -> 0 as |q| -> 0: the
nucleus then recoils as a whole, which is the coherent regime; the two regimes no longer double count.

Fermi momenta: the electron-scattering fits of Moniz et al., Phys. Rev. Lett. 26, 445 (1971), table I
(:data:`MONIZ_KF_GEV`), interpolated linearly in A between the measured nuclei (clamped outside
6 <= A <= 208), for symmetric matter; protons and neutrons get k_F^p = k_F (2Z/A)^(1/3) and
k_F^n = k_F (2N/A)^(1/3) (equal density of each species, the local Fermi gas scaling, e.g. GENIE's
and NuWro's).  The free proton (H1) is not blocked.

The kinematics stay those of the free nucleon (energy transfer Q^2/(2M)), so
|q|^2 = Q^2 + Q^4/(4M^2); only the strength is suppressed: d sigma/dQ^2 (bound) = S(|q|) d sigma/dQ^2 (free).
"""

from __future__ import annotations

import numpy as np

from darkbeam.errors import ConfigurationError

#: nucleon treatments of the 'p-el' / 'n-el' regimes: 'fermi-gas' (Pauli blocked, default) or 'free'
#: (impulse approximation without blocking, DarkNews's treatment)
NUCLEON_MODELS = ("fermi-gas", "free")

#: Fermi momenta (GeV) from the quasi-elastic electron-scattering fits of Moniz et al., PRL 26, 445
#: (1971), table I: A -> k_F
MONIZ_KF_GEV = {6: 0.169, 12: 0.221, 24: 0.235, 40: 0.251, 58: 0.260, 89: 0.254, 119: 0.260, 181: 0.265, 208: 0.265}


def fermi_momentum(A: int) -> float:
    """k_F (GeV) of symmetric nuclear matter for mass number A (Moniz et al. 1971, interpolated in A)."""
    if A < 2:
        raise ConfigurationError("a Fermi momentum needs a nucleus with A >= 2")
    a = np.array(sorted(MONIZ_KF_GEV))
    k = np.array([MONIZ_KF_GEV[x] for x in a])
    return float(np.interp(A, a, k))


def nucleon_fermi_momentum(Z: int, N: int, kind: str) -> float:
    """k_F (GeV) of the protons (kind 'p') or neutrons ('n'): k_F (2Z/A)^(1/3) or k_F (2N/A)^(1/3)."""
    A = Z + N
    count = {"p": Z, "n": N}.get(kind)
    if count is None:
        raise ConfigurationError(f"nucleon kind must be 'p' or 'n', not '{kind}'")
    return fermi_momentum(A) * (2.0 * count / A) ** (1.0 / 3.0)


def pauli_suppression(q, k_F: float) -> np.ndarray:
    """S(|q|) = 3x/4 - x^3/16 for x = |q|/k_F < 2, else 1 (module docstring); ``q`` in GeV."""
    x = np.asarray(q, dtype=float) / k_F
    return np.where(x < 2.0, 0.75 * x - x**3 / 16.0, 1.0)


def three_momentum_transfer(Q2, M: float) -> np.ndarray:
    """|q| (GeV) of elastic scattering on a nucleon of mass M at rest: sqrt(Q^2 + Q^4/(4 M^2))."""
    Q2 = np.asarray(Q2, dtype=float)
    return np.sqrt(np.maximum(Q2, 0.0) * (1.0 + Q2 / (4.0 * M * M)))


class PauliBlocking:
    """Suppression S(|q(Q^2)|) of elastic scattering on the bound protons or neutrons of one nucleus."""

    def __init__(self, Z: int, N: int, kind: str, M: float):
        self.k_F = nucleon_fermi_momentum(Z, N, kind)
        self.M = M

    def __call__(self, Q2) -> np.ndarray:
        return pauli_suppression(three_momentum_transfer(Q2, self.M), self.k_F)
