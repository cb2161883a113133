"""Polarised |M|^2 of a fermion three-body decay F(P, s) -> chi(k1) f(k2) fbar(k3), and its width.

One kernel serves every decay of a heavy neutral lepton into a neutral fermion chi (a light neutrino
or a lighter HNL) and a fermion pair f fbar of equal masses (e+e-, mu+mu-, tau+tau-, nu nubar).  The
amplitude, with a common factor i stripped and every coefficient real, is a sum of ten structures
(derivation, conventions and the FORM script that computed the traces: docs/decays_dileptons.md):

    M =   sum_{ij} V_ij(q^2) [ubar_1 gamma^mu P_i u_F] [ubar_2 gamma_mu P_j v_3]      (vector exchange)
        + sum_{ij} S_ij(q^2) [ubar_1 P_i u_F]          [ubar_2 P_j v_3]               (scalar exchange)
        + sum_i    D_i(q^2)  [ubar_1 gamma^mu qslash P_i u_F] [ubar_2 gamma_mu v_3]   (dipole + photon)

with i, j in {L, R}, q = k2 + k3 and q^2 = m_ff^2.  The coefficients depend on q^2 only (propagators
of the exchanged Z, Z', photon, h'; the Fierzed W is a contact term), so at fixed q^2 the
unpolarised |M|^2 is a quadratic polynomial in s13 = (k1 + k3)^2 and a two-point Gauss-Legendre rule
integrates it exactly over the Dalitz line; the q^2 integral uses a fixed exponentially convergent
rule (trapezoid after a logistic change of variable, docs/decays_dileptons.md section 4).

|M|^2 is for a parent in the pure spin state of spin four-vector s (s.P = 0, s.s = -1; s = 0 gives
the spin average), summed over the daughters' spins.  All functions are vectorised numpy (float64).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Mapping

import numpy as np

#: the ten amplitude structures, in the order of the module docstring
STRUCTURES = ("VLL", "VLR", "VRL", "VRR", "SLL", "SLR", "SRL", "SRR", "DL", "DR")

_PI3 = np.pi**3


def mdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minkowski product (metric +---) of arrays of four-vectors with shape (..., 4)."""
    return a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] - a[..., 2] * b[..., 2] - a[..., 3] * b[..., 3]


@dataclass(frozen=True)
class Invariants:
    """Scalar products entering |M|^2 (GeV^2): P.k_i, s.k_i (GeV) and k_i.k_j."""

    Pk1: np.ndarray
    Pk2: np.ndarray
    Pk3: np.ndarray
    sk1: np.ndarray
    sk2: np.ndarray
    sk3: np.ndarray
    k12: np.ndarray
    k13: np.ndarray
    k23: np.ndarray

    @property
    def polarised(self) -> bool:
        return not (np.isscalar(self.sk1) and self.sk1 == 0.0)

    @property
    def spin_shape(self) -> tuple:
        return np.shape(self.sk1)


class LazyInvariants:
    """The invariants of :func:`invariants_from_momenta` (the attributes of :class:`Invariants`),
    with each s.k_i computed on first use (a matrix element whose structures need only some of them
    skips the others; the same numbers).  ``s``: (n, 4), several spin vectors (j, n, 4), or None for
    the spin average."""

    def __init__(self, P, k1, k2, k3, s) -> None:
        self.Pk1, self.Pk2, self.Pk3 = mdot(P, k1), mdot(P, k2), mdot(P, k3)
        self.k12, self.k13, self.k23 = mdot(k1, k2), mdot(k1, k3), mdot(k2, k3)
        self._s, self._k = s, (k1, k2, k3)
        self.polarised = s is not None
        if s is None:
            self.sk1 = self.sk2 = self.sk3 = 0.0
        self.spin_shape = () if s is None else np.shape(s)[:-1]

    def __getattr__(self, name: str):  # only for the s.k_i not computed yet
        if name in ("sk1", "sk2", "sk3") and self.__dict__.get("_s") is not None:
            value = mdot(self._s, self._k[int(name[2]) - 1])
            setattr(self, name, value)
            return value
        raise AttributeError(name)


class RestFrameInvariants:
    """The invariants of a decay at rest, P = (M, 0, 0, 0), with spin vectors along coordinate axes:
    the numbers of ``LazyInvariants(P, k1, k2, k3, s)`` without the products by exact zeros.

    ``kc`` (3, 4, n): component c (E, px, py, pz) of daughter i in the contiguous row kc[i, c];
    ``axes``: None (spin average) or a sequence of axes a (1 = x, 2 = y, 3 = z), the spin vector of
    row j being sign * e_{axes[j]} (s.k_i then (len(axes), n)).  P.k_i = M E_i, s.k_i =
    -sign k_i[a], and k_i.k_j drops the p_y terms when every p_y is zero (daughters in the xz plane,
    the sampler's body frame): mdot adds or subtracts exact zeros there (a +-0 product), which leaves
    every non-zero number unchanged (an exact zero may change sign)."""

    def __init__(self, M, kc, axes=None, sign: float = 1.0) -> None:
        self.Pk1, self.Pk2, self.Pk3 = M * kc[0, 0], M * kc[1, 0], M * kc[2, 0]
        planar = not kc[:, 2].any()
        self.k12, self.k13, self.k23 = (_row_dot(kc[i], kc[j], planar) for i, j in ((0, 1), (0, 2), (1, 2)))
        self.polarised = axes is not None
        if axes is None:
            self.sk1 = self.sk2 = self.sk3 = 0.0
            self.spin_shape = ()
        else:
            self._axes, self._neg, self._kc = tuple(axes), -float(sign), kc
            self.spin_shape = (len(self._axes), kc.shape[2])

    def __getattr__(self, name: str):  # only for the s.k_i not computed yet
        if name in ("sk1", "sk2", "sk3") and "_axes" in self.__dict__:
            ki = self._kc[int(name[2]) - 1]
            value = np.empty(self.spin_shape)
            for row, a in enumerate(self._axes):
                np.multiply(self._neg, ki[a], out=value[row])
            setattr(self, name, value)
            return value
        raise AttributeError(name)


def _row_dot(a, b, planar: bool):
    """mdot of two component-major four-vectors a, b (4, n) in mdot's order, without the p_y term
    when ``planar`` (every p_y zero)."""
    if planar:
        return a[0] * b[0] - a[1] * b[1] - a[3] * b[3]
    return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3]


def invariants_from_momenta(P, k1, k2, k3, s) -> Invariants:
    """Invariants of four-momenta (n, 4) of the parent and daughters and the spin vector s (n, 4).

    ``s`` may also hold several spin vectors for the same momenta, shape (j, n, 4): the s.k_i are
    then (j, n) and every other invariant is computed once (each row of s.k_i is the same number as
    with that row alone).  ``s = None``: the spin average (s.k_i = 0, as for s = 0)."""
    if s is None:
        sk1 = sk2 = sk3 = 0.0
    else:
        sk1, sk2, sk3 = mdot(s, k1), mdot(s, k2), mdot(s, k3)
    return Invariants(
        mdot(P, k1), mdot(P, k2), mdot(P, k3), sk1, sk2, sk3,
        mdot(k1, k2), mdot(k1, k3), mdot(k2, k3),
    )


def invariants_unpolarised(M, m1, mf, s23, s13) -> Invariants:
    """Invariants of an unpolarised decay at Dalitz point (s23 = q^2, s13), masses in GeV.

    s12 = M^2 + m1^2 + 2 mf^2 - s23 - s13 is implied."""
    M2 = M * M
    return Invariants(
        Pk1=0.5 * (M2 + m1 * m1 - s23),
        Pk2=0.5 * (M2 + mf * mf - s13),
        Pk3=0.5 * (s23 + s13 - m1 * m1 - mf * mf),
        sk1=0.0, sk2=0.0, sk3=0.0,
        k12=0.5 * (M2 + mf * mf - s23 - s13),
        k13=0.5 * (s13 - m1 * m1 - mf * mf),
        k23=0.5 * s23 - mf * mf,
    )


def _present(x) -> bool:
    return not (np.isscalar(x) and x == 0)


class _Kin:
    """Combinations of invariants shared by the blocks (p_L = P - M s, p_R = P + M s).  For a
    polarised parent each is computed when a block first reads it (the blocks of a given set of
    structures read only some), by the same expression."""

    def __init__(self, inv: Invariants, M, m1, mf):
        self.M, self.m1, self.m, self.m2 = M, m1, mf, mf * mf
        self.k12, self.k13, self.k23 = inv.k12, inv.k13, inv.k23
        self._inv = inv
        if not inv.polarised:
            self.L1 = self.R1 = inv.Pk1
            self.L2 = self.R2 = inv.Pk2
            self.L3 = self.R3 = inv.Pk3
            self.A12 = self.A13 = self.A23 = 0.0

    # polarised (instance attributes above shadow these for the spin average)
    Ms1 = cached_property(lambda self: self.M * self._inv.sk1)
    Ms2 = cached_property(lambda self: self.M * self._inv.sk2)
    Ms3 = cached_property(lambda self: self.M * self._inv.sk3)
    L1 = cached_property(lambda self: self._inv.Pk1 - self.Ms1)
    L2 = cached_property(lambda self: self._inv.Pk2 - self.Ms2)
    L3 = cached_property(lambda self: self._inv.Pk3 - self.Ms3)
    R1 = cached_property(lambda self: self._inv.Pk1 + self.Ms1)
    R2 = cached_property(lambda self: self._inv.Pk2 + self.Ms2)
    R3 = cached_property(lambda self: self._inv.Pk3 + self.Ms3)
    A12 = cached_property(lambda self: self._inv.Pk1 * self._inv.sk2 - self._inv.Pk2 * self._inv.sk1)
    A13 = cached_property(lambda self: self._inv.Pk1 * self._inv.sk3 - self._inv.Pk3 * self._inv.sk1)
    A23 = cached_property(lambda self: self._inv.Pk2 * self._inv.sk3 - self._inv.Pk3 * self._inv.sk2)


# Each block is the coefficient of c_A c_B (A <= B) in |M|^2; FORM output reorganised with
# p_L, p_R and A_ab = (P.k_a)(s.k_b) - (P.k_b)(s.k_a) (docs/decays_dileptons.md, table 1).
def _dd(p1, p2, p3, k: _Kin):
    m2 = k.m2
    return 16.0 * (p2 * (k.k12 * k.k23 + 2.0 * k.k12 * m2 + k.k13 * m2)
                   + p3 * (k.k13 * k.k23 + 2.0 * k.k13 * m2 + k.k12 * m2)
                   - p1 * m2 * (k.k23 + m2))


_BLOCKS: dict[tuple[str, str], Callable[[_Kin], np.ndarray]] = {
    # vector x vector
    ("VLL", "VLL"): lambda k: 8.0 * k.k12 * k.L3,
    ("VLR", "VLR"): lambda k: 8.0 * k.k13 * k.L2,
    ("VRL", "VRL"): lambda k: 8.0 * k.k13 * k.R2,
    ("VRR", "VRR"): lambda k: 8.0 * k.k12 * k.R3,
    ("VLL", "VLR"): lambda k: 8.0 * k.m2 * k.L1,
    ("VRL", "VRR"): lambda k: 8.0 * k.m2 * k.R1,
    ("VLL", "VRL"): lambda k: 8.0 * k.m1 * (k.A23 - k.M * k.k23),
    ("VLR", "VRR"): lambda k: -8.0 * k.m1 * (k.A23 + k.M * k.k23),
    ("VLL", "VRR"): lambda k: -16.0 * k.M * k.m1 * k.m2,
    ("VLR", "VRL"): lambda k: -16.0 * k.M * k.m1 * k.m2,
    # scalar x scalar
    ("SLL", "SLL"): lambda k: 2.0 * k.k23 * k.L1,
    ("SLR", "SLR"): lambda k: 2.0 * k.k23 * k.L1,
    ("SRL", "SRL"): lambda k: 2.0 * k.k23 * k.R1,
    ("SRR", "SRR"): lambda k: 2.0 * k.k23 * k.R1,
    ("SLL", "SLR"): lambda k: -4.0 * k.m2 * k.L1,
    ("SRL", "SRR"): lambda k: -4.0 * k.m2 * k.R1,
    ("SLL", "SRL"): lambda k: 4.0 * k.M * k.m1 * k.k23,
    ("SLR", "SRR"): lambda k: 4.0 * k.M * k.m1 * k.k23,
    ("SLL", "SRR"): lambda k: -4.0 * k.M * k.m1 * k.m2,
    ("SLR", "SRL"): lambda k: -4.0 * k.M * k.m1 * k.m2,
    # vector x scalar
    ("VLL", "SLL"): lambda k: 4.0 * k.m1 * k.m * k.L3,
    ("VLL", "SLR"): lambda k: -4.0 * k.m1 * k.m * k.L2,
    ("VLL", "SRL"): lambda k: 4.0 * k.m * (k.M * k.k13 - k.A13),
    ("VLL", "SRR"): lambda k: 4.0 * k.m * (k.A12 - k.M * k.k12),
    ("VLR", "SLL"): lambda k: -4.0 * k.m1 * k.m * k.L2,
    ("VLR", "SLR"): lambda k: 4.0 * k.m1 * k.m * k.L3,
    ("VLR", "SRL"): lambda k: 4.0 * k.m * (k.A12 - k.M * k.k12),
    ("VLR", "SRR"): lambda k: 4.0 * k.m * (k.M * k.k13 - k.A13),
    ("VRL", "SLL"): lambda k: 4.0 * k.m * (k.A13 + k.M * k.k13),
    ("VRL", "SLR"): lambda k: -4.0 * k.m * (k.A12 + k.M * k.k12),
    ("VRL", "SRL"): lambda k: 4.0 * k.m1 * k.m * k.R3,
    ("VRL", "SRR"): lambda k: -4.0 * k.m1 * k.m * k.R2,
    ("VRR", "SLL"): lambda k: -4.0 * k.m * (k.A12 + k.M * k.k12),
    ("VRR", "SLR"): lambda k: 4.0 * k.m * (k.A13 + k.M * k.k13),
    ("VRR", "SRL"): lambda k: -4.0 * k.m1 * k.m * k.R2,
    ("VRR", "SRR"): lambda k: 4.0 * k.m1 * k.m * k.R3,
    # dipole x dipole
    ("DL", "DL"): lambda k: _dd(k.L1, k.L2, k.L3, k),
    ("DR", "DR"): lambda k: _dd(k.R1, k.R2, k.R3, k),
    ("DL", "DR"): lambda k: -32.0 * k.M * k.m1 * (k.k23 + k.m2) * (k.k23 + 2.0 * k.m2),
    # vector x dipole
    ("VLL", "DL"): lambda k: -8.0 * k.m1 * (k.m2 * k.L2 + (2.0 * k.k23 + 3.0 * k.m2) * k.L3),
    ("VLR", "DL"): lambda k: -8.0 * k.m1 * ((2.0 * k.k23 + 3.0 * k.m2) * k.L2 + k.m2 * k.L3),
    ("VRL", "DR"): lambda k: -8.0 * k.m1 * ((2.0 * k.k23 + 3.0 * k.m2) * k.R2 + k.m2 * k.R3),
    ("VRR", "DR"): lambda k: -8.0 * k.m1 * (k.m2 * k.R2 + (2.0 * k.k23 + 3.0 * k.m2) * k.R3),
    ("VLL", "DR"): lambda k: (8.0 * k.m2 * (k.A12 + k.A13) - 16.0 * k.k12 * k.A23
                              + 8.0 * k.M * (2.0 * k.k12 * k.k23 + 3.0 * k.k12 * k.m2 + k.k13 * k.m2)),
    ("VLR", "DR"): lambda k: (8.0 * k.m2 * (k.A12 + k.A13) + 16.0 * k.k13 * k.A23
                              + 8.0 * k.M * (k.k12 * k.m2 + 2.0 * k.k13 * k.k23 + 3.0 * k.k13 * k.m2)),
    ("VRL", "DL"): lambda k: (-8.0 * k.m2 * (k.A12 + k.A13) - 16.0 * k.k13 * k.A23
                              + 8.0 * k.M * (k.k12 * k.m2 + 2.0 * k.k13 * k.k23 + 3.0 * k.k13 * k.m2)),
    ("VRR", "DL"): lambda k: (-8.0 * k.m2 * (k.A12 + k.A13) + 16.0 * k.k12 * k.A23
                              + 8.0 * k.M * (2.0 * k.k12 * k.k23 + 3.0 * k.k12 * k.m2 + k.k13 * k.m2)),
    # scalar x dipole
    ("SLL", "DL"): lambda k: 8.0 * k.m * (k.L2 * k.k13 - k.L3 * k.k12),
    ("SLR", "DL"): lambda k: 8.0 * k.m * (k.L2 * k.k13 - k.L3 * k.k12),
    ("SRL", "DR"): lambda k: 8.0 * k.m * (k.R2 * k.k13 - k.R3 * k.k12),
    ("SRR", "DR"): lambda k: 8.0 * k.m * (k.R2 * k.k13 - k.R3 * k.k12),
    ("SLL", "DR"): lambda k: -8.0 * k.m1 * k.m * k.A23,
    ("SLR", "DR"): lambda k: -8.0 * k.m1 * k.m * k.A23,
    ("SRL", "DL"): lambda k: 8.0 * k.m1 * k.m * k.A23,
    ("SRR", "DL"): lambda k: 8.0 * k.m1 * k.m * k.A23,
}


def msq(inv: Invariants, M, m1, mf, coef: Mapping[str, object]) -> np.ndarray:
    """|M|^2 (GeV^... : coefficients times GeV^4) for the structures in ``coef``.

    ``coef`` maps names of :data:`STRUCTURES` to real coefficients (floats or arrays broadcastable
    with the invariants); missing names or exact zeros are skipped.  With ``inv.sk* = 0`` the result
    is the spin average.  Units: V, S in GeV^-2 and D in GeV^-3 give a dimensionless |M|^2.

    Invariants of several spin vectors on the same momenta (s.k_i of shape (j, n), the rest (n,):
    :func:`invariants_from_momenta`) give (j, n): the spin-independent products (coefficients,
    k_i.k_j terms) are formed once and broadcast, and every row is the same floating-point
    operations, in the same order, as that spin vector alone, so the same numbers.
    """
    names = [n for n in STRUCTURES if n in coef and _present(coef[n])]
    kin = _Kin(inv, M, m1, mf)
    out = 0.0
    for a_i, a in enumerate(names):
        ca = coef[a]
        for b in names[a_i:]:
            f = _BLOCKS.get((a, b))
            if f is not None:
                out = out + ca * coef[b] * f(kin)
    shape = np.broadcast_shapes(np.shape(inv.k23), inv.spin_shape)
    if isinstance(out, np.ndarray) and out.shape == shape:
        return out  # = out * 1 (every block had the full shape)
    return out * np.ones(shape)


# --------------------------------------------------------------------------- the q^2 quadrature
@dataclass(frozen=True)
class Q2Rule:
    """Nodes q^2 (shape (n_mass, n)) and weights (GeV^2) for integrals over q^2 in [a, b].

    ``qa = q^2 - a`` and ``bq = b - q^2`` are computed without cancellation near the ends."""

    q2: np.ndarray
    qa: np.ndarray
    bq: np.ndarray
    weight: np.ndarray
    open: np.ndarray


def q2_rule(a, b, n: int = 64, x_lo=None, x_hi=None, log_enhanced: bool = False) -> Q2Rule:
    """Fixed quadrature rule for q^2 from a to b (arrays over parent masses, GeV^2).

    q^2 = a + (b - a) x with x = 1/(1 + exp(-z)) and the trapezoid rule in z on [-z_lo, z_hi].  The
    map turns the square-root end points of phase space into exponential tails (x^(3/2) ~ e^(1.5 z)
    at a massive-pair threshold, x ~ e^z for massless pairs, (1 - x)^(3/2) at the top) and spreads
    logarithmic features (the photon pole, propagators peaking at an end point) over O(1) in z; the
    integrand is analytic in the strip |Im z| < pi, so the error falls exponentially with 1/h
    (1e-9 to 1e-11 with n = 64; docs/decays_dileptons.md section 4).

    ``x_lo``/``x_hi``: smallest relative distances (in units of b - a) of propagator poles just below
    a / above b; ``log_enhanced``: the integrand has a 1/q^2 plateau down to q^2 ~ a (photon).
    """
    a = np.atleast_1d(np.asarray(a, dtype=float))
    b = np.atleast_1d(np.asarray(b, dtype=float))
    a, b = np.broadcast_arrays(a, b)
    width = b - a
    is_open = width > 0
    w = np.where(is_open, width, 1.0)
    ln_a = np.log(np.where(a > 0, w / np.where(a > 0, a, 1.0), 1.0)).clip(0.0)  # ln((b-a)/a)
    if log_enhanced:
        z_lo = np.where(a > 0, 14.0 + ln_a, 23.0)
    else:
        z_lo = np.where(a > 0, np.minimum(23.0, 14.0 + ln_a), 23.0)
    if x_lo is not None:
        z_lo = np.maximum(z_lo, 14.0 + np.log(1.0 / np.clip(x_lo, 1e-40, 1.0)))
    z_hi = np.full_like(w, 14.0)
    if x_hi is not None:
        z_hi = np.maximum(z_hi, 14.0 + np.log(1.0 / np.clip(x_hi, 1e-40, 1.0)))
    t = np.linspace(0.0, 1.0, n)
    z = -z_lo[:, None] + (z_lo + z_hi)[:, None] * t[None, :]
    h = ((z_lo + z_hi) / (n - 1))[:, None]
    x = 0.5 * (1.0 + np.tanh(0.5 * z))          # 1/(1+e^-z), overflow-free
    xc = 0.5 * (1.0 - np.tanh(0.5 * z))         # 1 - x, accurate as x -> 1
    qa = w[:, None] * x
    bq = w[:, None] * xc
    q2 = a[:, None] + qa
    weight = h * w[:, None] * x * xc
    weight = np.where(is_open[:, None], weight, 0.0)
    return Q2Rule(q2=q2, qa=qa, bq=bq, weight=weight, open=is_open)


@dataclass(frozen=True)
class DalitzNodes:
    """Two Gauss-Legendre nodes in s13 per q^2 node, and the factor that turns the sum of |M|^2 at
    the two nodes into dGamma/dq^2 x (q^2 weight): Gamma = sum(factor * (msq(t_plus) + msq(t_minus)))."""

    q2: np.ndarray
    t_plus: np.ndarray
    t_minus: np.ndarray
    factor: np.ndarray
    half_range: np.ndarray
    mid: np.ndarray


def dalitz_nodes(M, m1, mf, rule: Q2Rule) -> DalitzNodes:
    """Exact s13 integration nodes for N(M) -> chi(m1) f(mf) fbar(mf) at the q^2 nodes of ``rule``.

    At fixed q^2 = s23, s13 spans mid +- R with mid = (M^2 + m1^2 - q^2)/2 + mf^2 and
    R = sqrt((q^2 - 4mf^2)(b - q^2)((M+m1)^2 - q^2)/q^2)/2 (b = (M - m1)^2); the two-point
    Gauss-Legendre rule is exact for the quadratic |M|^2.  Gamma = 1/(256 pi^3 M^3) int ds23 ds13 |M|^2
    (PDG review "Kinematics", eq. 49.22)."""
    M = np.asarray(M, dtype=float)[..., None] * np.ones((1, 1))
    M = np.where(M > 0, M, 1.0)  # closed channels (zero weight) only
    q2 = rule.q2
    safe_q2 = np.where(q2 > 0, q2, 1.0)
    R = 0.5 * np.sqrt(np.clip(rule.qa * rule.bq * ((M + m1) ** 2 - q2), 0.0, None) / safe_q2)
    mid = 0.5 * (M * M + m1 * m1 - q2) + mf * mf
    d = R / np.sqrt(3.0)
    factor = rule.weight * R / (256.0 * _PI3 * M**3)
    return DalitzNodes(q2=q2, t_plus=mid + d, t_minus=mid - d, factor=factor, half_range=R, mid=mid)


@dataclass(frozen=True)
class Blocks:
    """Unpolarised blocks summed over the two s13 nodes, at the q^2 nodes of a rule, and the factor
    (Dalitz measure x q^2 weight) that turns them into a width: see :func:`width_from_blocks`."""

    pairs: dict
    factor: np.ndarray


def block_integrals(M, m1, mf, pairs, rule: Q2Rule) -> Blocks:
    """Unpolarised blocks integrated exactly over s13, at the q^2 nodes of ``rule``, for each
    structure pair (A, B) (A before B in :data:`STRUCTURES`): Gamma = sum over nodes of factor x
    sum over pairs of c_A(q^2) c_B(q^2) pairs[(A, B)]."""
    M = np.atleast_1d(np.asarray(M, dtype=float))
    nodes = dalitz_nodes(M, m1, mf, rule)
    Mb = M[:, None]
    out: dict[tuple[str, str], np.ndarray] = {}
    for t in (nodes.t_plus, nodes.t_minus):
        kin = _Kin(invariants_unpolarised(Mb, m1, mf, nodes.q2, t), Mb, m1, mf)
        for pair in pairs:
            out[pair] = out.get(pair, 0.0) + _BLOCKS[pair](kin)
    return Blocks(out, nodes.factor)


def pairs_of(names) -> list[tuple[str, str]]:
    """All structure pairs (A, B), A before B, among the structure ``names``."""
    names = [n for n in STRUCTURES if n in set(names)]
    return [(a, b) for k, a in enumerate(names) for b in names[k:]]


def width_from_blocks(coef: Mapping[str, object], blocks: Blocks) -> np.ndarray:
    """Gamma(M) (GeV) from q^2-dependent coefficients and :func:`block_integrals`."""
    tot = 0.0
    for (a, b), blk in blocks.pairs.items():
        ca, cb = coef.get(a, 0.0), coef.get(b, 0.0)
        if _present(ca) and _present(cb):
            tot = tot + ca * cb * blk
    return np.sum(blocks.factor * tot, axis=-1)


def three_body_width(M, m1, mf, coef_fn: Callable[[np.ndarray], Mapping[str, object]], *, n: int = 64,
                     x_lo=None, x_hi=None, log_enhanced: bool = True) -> np.ndarray:
    """Width (GeV) of F(M) -> chi(m1) f(mf) fbar(mf) for coefficients that depend on q^2 only.

    ``coef_fn(q2)`` returns the structure coefficients (module docstring) at an array of q^2 of
    shape (n_mass, n).  M is an array of parent masses; closed channels give 0.
    """
    M = np.atleast_1d(np.asarray(M, dtype=float))
    rule = q2_rule((2.0 * mf) ** 2, np.clip(M - m1, 0.0, None) ** 2, n=n, x_lo=x_lo, x_hi=x_hi,
                   log_enhanced=log_enhanced)
    coef = coef_fn(rule.q2)
    blocks = block_integrals(M, m1, mf, pairs_of([k for k, v in coef.items() if _present(v)]), rule)
    return width_from_blocks(coef, blocks) * rule.open
