"""Compiled (numba) kernel of the lepton trace of dark_brem_exact: the same Dirac algebra as
dark_brem_exact.lepton_trace_numpy, point by point with 4x4 complex matrices on the stack (the numpy version
costs ~30 us per phase-space point on stacked matrices, this one ~1 us).  Loaded only when the exact
cross section is evaluated (numba's start-up is paid then, and cached on disk)."""

from __future__ import annotations

import numpy as np
from numba import njit

from darkbeam.physics.shower.dark_brem_exact import _CONTRACT, GAMMA, METRIC


@njit(cache=True, inline="always")
def _mm(a, b, out):
    for i in range(4):
        for j in range(4):
            s = 0j
            for k in range(4):
                s += a[i, k] * b[k, j]
            out[i, j] = s


@njit(cache=True, inline="always")
def _slash(v, m, gam, metric, out):
    for i in range(4):
        for j in range(4):
            s = 0j
            for mu in range(4):
                s += metric[mu] * v[mu] * gam[mu, i, j]
            out[i, j] = s + (m if i == j else 0.0)


@njit(cache=True, inline="always")
def _contract(y, C, out):
    for a in range(16):
        s = 0j
        for b in range(16):
            s += y[b // 4, b % 4] * C[b, a]
        out[a // 4, a % 4] = s


@njit(cache=True, inline="always")
def _tr(a, b):
    s = 0.0
    for i in range(4):
        for j in range(4):
            s += (a[i, j] * b[j, i]).real
    return s


@njit(cache=True)
def lepton_trace_jit(p, pp, k, J, m_l, gam, metric, C):
    n = p.shape[0]
    out = np.empty(n)
    Js = np.empty((4, 4), np.complex128)
    A = np.empty((4, 4), np.complex128)
    B = np.empty((4, 4), np.complex128)
    Pp = np.empty((4, 4), np.complex128)
    Pm = np.empty((4, 4), np.complex128)
    X1 = np.empty((4, 4), np.complex128)
    X2 = np.empty((4, 4), np.complex128)
    X3 = np.empty((4, 4), np.complex128)
    X4 = np.empty((4, 4), np.complex128)
    Y = np.empty((4, 4), np.complex128)
    Z = np.empty((4, 4), np.complex128)
    T1 = np.empty((4, 4), np.complex128)
    T2 = np.empty((4, 4), np.complex128)
    T3 = np.empty((4, 4), np.complex128)
    a4 = np.empty(4)
    b4 = np.empty(4)
    zero = np.zeros(4)
    for i in range(n):
        kk = metric[0] * k[i, 0] ** 2 + metric[1] * k[i, 1] ** 2 + metric[2] * k[i, 2] ** 2 + metric[3] * k[i, 3] ** 2
        ppk = 0.0
        pk = 0.0
        for mu in range(4):
            ppk += metric[mu] * pp[i, mu] * k[i, mu]
            pk += metric[mu] * p[i, mu] * k[i, mu]
            a4[mu] = pp[i, mu] + k[i, mu]
            b4[mu] = p[i, mu] - k[i, mu]
        D1 = 2.0 * ppk + kk
        D2 = kk - 2.0 * pk
        _slash(J[i], 0.0, gam, metric, Js)
        _slash(a4, m_l, gam, metric, A)
        _slash(b4, m_l, gam, metric, B)
        _slash(pp[i], m_l, gam, metric, Pp)
        _slash(p[i], m_l, gam, metric, Pm)
        _mm(A, Js, X1)
        _mm(Js, A, X3)
        _mm(Js, B, X2)
        _mm(B, Js, X4)
        for r in range(4):
            for c in range(4):
                X1[r, c] /= D1
                X3[r, c] /= D1
                X2[r, c] /= D2
                X4[r, c] /= D2
        tot = 0.0
        _mm(X1, Pm, Y)  # Y = X1 Pm
        _mm(Y, X3, T1)
        _contract(T1, C, T2)
        tot += _tr(Pp, T2)  # Tr[Pp C(X1 Pm X3)]
        _contract(Y, C, T2)
        _mm(X4, Pp, T1)  # T1 = X4 Pp
        tot += _tr(T1, T2)  # Tr[X4 Pp C(X1 Pm)]
        _mm(Pm, X3, Z)
        _contract(Z, C, T2)
        _mm(Pp, X2, T3)
        tot += _tr(T3, T2)  # Tr[Pp X2 C(Pm X3)]
        _mm(T1, X2, T3)  # X4 Pp X2
        _slash(p[i], 0.0, gam, metric, T2)
        for r in range(4):
            for c in range(4):
                T2[r, c] = -2.0 * T2[r, c] + (4.0 * m_l if r == c else 0.0)
        tot += _tr(T3, T2)  # Tr[X4 Pp X2 C(Pm)], C(p/ + m) = -2 p/ + 4 m
        out[i] = -tot
    return out


def lepton_trace(p, pp, k, J, m_l: float):
    c = np.ascontiguousarray
    return lepton_trace_jit(c(p, dtype=np.float64), c(pp, dtype=np.float64), c(k, dtype=np.float64),
                            c(J, dtype=np.float64), float(m_l), GAMMA, METRIC, _CONTRACT)
