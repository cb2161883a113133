"""Exact tree-level 2 -> 3 dark bremsstrahlung l N -> l N V (l = e or mu, any vector mass), eps = 1.

Bjorken, Essig, Schuster, Toro (BEST), PRD 80 (2009) 075018, arXiv:0906.0580, app. A; Liu, Miller, PRD 96
(2017) 016004, arXiv:1705.01633 (the "exact" result they compare with WW and IWW).  The nucleus (mass M, at rest)
is a spin-0 source with the photon vertex e (P + P')^mu and the squared form factor G2(t) = G2el + G2inel of
Tsai (BEST eqs. A18-A19, dark_xsec.g2_elastic_inelastic), t = -(P - P')^2 > 0.  With q = P - P' absorbed by the
lepton line, p + q = p' + k, the spin-averaged squared amplitude is

    |M|^2 = (1/2) e^6 G2(t)/t^2 L,   L = -g_ab Tr[(p'/ + m)(O^a)(p/ + m)(Obar^b)],
    O^a = g^a (a/ + m) J/ / D1 + J/ (b/ + m) g^a / D2,   a = p' + k, b = p - k, J = P + P',
    D1 = 2 p'.k + m_V^2,  D2 = m_V^2 - 2 p.k

(the k^a k^b / m_V^2 part of the polarisation sum drops: k_a O^a = 0 between on-shell spinors).  The trace is
evaluated numerically with explicit Dirac matrices (vectorised over phase-space points), which keeps the
formula independent of the analytic phi-integrated expressions in the literature.

Phase space (derived in docs/showers.md, "Exact 2 -> 3 dark bremsstrahlung"): lab frame, lepton energy E
along z, V with x = E_V/E at angle theta, recoil momentum q = (-t/(2M), q_vec) with |q_vec|^2 = t + t^2/(4M^2),
its polar angle about V_vec = p_vec - k_vec fixed by the final lepton being on shell,
V_vec.q_vec = D2/2 - t/2 - (E - E_V) t/(2M), and azimuth phi about V_vec:

    dsigma/(dx dcos theta) = E |k| alpha^3 / (32 pi M^2 |p| |V_vec|) int dt dphi G2(t)/t^2 L      (x 2 for phi in [0, pi]).

Quadrature: fixed Gauss-Legendre rules in ln t (between the roots of cos theta_q = -1, capped where the nuclear
form factor has killed the integrand), in phi (clustered at 0 and pi), in ln(E^2 x theta^2) for the angle
and in ln(1 - x) for the energy; tests compare with the WW/IWW forms (dark_xsec), with ordinary
bremsstrahlung in the massless limit and with the Z^2 scaling of the photon flux.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.constants import ALPHA_EM, M_AMU, M_E
from darkbeam.physics.shower.dark_xsec import g2_elastic_inelastic
from darkbeam.units import HBARC2_GEV2_CM2

# Dirac matrices (Dirac representation) and the metric
_I2 = np.eye(2)
_Z2 = np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], dtype=complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], dtype=complex)]
GAMMA = np.array([np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)]
                 + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG])
METRIC = np.array([1.0, -1.0, -1.0, -1.0])
#: upper limit of t (GeV^2): G2/t^2 has fallen by > 10^8 from its plateau for every nucleus
T_CAP = 4.0


def _slash(v):
    """v_mu gamma^mu for four-vectors v (N, 4) -> (N, 4, 4), Dirac representation:
    [[v0, -v.sigma], [v.sigma, -v0]], v.sigma = [[v3, v1 - i v2], [v1 + i v2, -v3]]."""
    v0, v1, v2, v3 = v[:, 0], v[:, 1], v[:, 2], v[:, 3]
    out = np.zeros((len(v), 4, 4), dtype=complex)
    out[:, 0, 0] = out[:, 1, 1] = v0
    out[:, 2, 2] = out[:, 3, 3] = -v0
    vs = ((v3, v1 - 1j * v2), (v1 + 1j * v2, -v3))
    for i in range(2):
        for j in range(2):
            out[:, i, 2 + j] = -vs[i][j]
            out[:, 2 + i, j] = vs[i][j]
    return out


def _dot(a, b):
    return a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] - a[..., 2] * b[..., 2] - a[..., 3] * b[..., 3]


#: the contraction map C(X) = g_aa gamma^a X gamma^a as a (4, 4, 4, 4) tensor: C(X)_ij = C_ijkl X_kl
_CONTRACT = np.einsum("a,aik,alj->ijkl", METRIC, GAMMA, GAMMA).reshape(16, 16).T.copy()


def _contract(Y):
    return (Y.reshape(-1, 16) @ _CONTRACT).reshape(-1, 4, 4)


def _tr(a, b):
    """Re Tr[a b] for stacks of 4x4 matrices."""
    bt = b.transpose(0, 2, 1)
    return (a.real * bt.real - a.imag * bt.imag).reshape(-1, 16).sum(axis=1)


def lepton_trace_numpy(p, pp, k, J, m_l: float):
    """L = -g_ab Tr[(p'/+m) O^a (p/+m) Obar^b] (module docstring) for four-vectors (N, 4).

    With O^a = g^a X1 + X2 g^a, Obar^a = X3 g^a + g^a X4 the sum over a is done with the contraction map
    C(Y) = g_aa g^a Y g^a (C(p/ + m) = -2 p/ + 4 m):
    sum = Tr[Pp C(X1 Pm X3)] + Tr[X4 Pp C(X1 Pm)] + Tr[Pp X2 C(Pm X3)] + Tr[X4 Pp X2 C(Pm)]."""
    one = np.eye(4)
    D1 = 2.0 * _dot(pp, k) + _dot(k, k)
    D2 = _dot(k, k) - 2.0 * _dot(p, k)
    Js = _slash(J)
    A = _slash(pp + k) + m_l * one
    B = _slash(p - k) + m_l * one
    X1 = (A @ Js) / D1[:, None, None]
    X3 = (Js @ A) / D1[:, None, None]
    X2 = (Js @ B) / D2[:, None, None]
    X4 = (B @ Js) / D2[:, None, None]
    Pp = _slash(pp) + m_l * one
    ps = _slash(p)
    Pm = ps + m_l * one
    Y = X1 @ Pm
    Z = Pm @ X3
    X4Pp = X4 @ Pp
    tot = (_tr(Pp, _contract(Y @ X3)) + _tr(X4Pp, _contract(Y))
           + _tr(Pp @ X2, _contract(Z)) + _tr(X4Pp @ X2, -2.0 * ps + 4.0 * m_l * one))
    return -tot


#: phase-space points per call from which the compiled kernel (_dark_brem_jit) is used; below it the numpy
#: twin (same numbers to rounding): loading numba and its cache costs ~1-2 s of CPU per process (a first
#: compilation ~5-20 s), more than the numpy twin spends on the shower's tables (~10^5 points).  Once the
#: kernel is loaded in a process it is used for every size.
JIT_MIN_POINTS = 400_000


def lepton_trace(p, pp, k, J, m_l: float):
    """lepton_trace_numpy, through the compiled kernel for large batches (JIT_MIN_POINTS)."""
    import sys

    if len(p) >= JIT_MIN_POINTS or "darkbeam.physics.shower._dark_brem_jit" in sys.modules:
        try:
            from darkbeam.physics.shower._dark_brem_jit import lepton_trace as jit_trace
        except ImportError:  # numba missing: the numpy twin
            return lepton_trace_numpy(p, pp, k, J, m_l)
        return jit_trace(p, pp, k, J, m_l)
    return lepton_trace_numpy(p, pp, k, J, m_l)


def _gl(n):
    u, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (u + 1.0), 0.5 * w


def nucleus_mass(A: float) -> float:
    return A * M_AMU


def dsigma_dx_dcos(Z: float, A: float, E: float, x, theta, m: float, m_l: float = M_E,
                   n_t: int = 40, n_phi: int = 16, chunk: int = 500000):
    """Exact dsigma/(dx dcos theta) (cm^2 per atom) at arrays x, theta (same shape), lepton total energy E."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float64)).ravel()
    theta = np.broadcast_to(np.asarray(theta, dtype=np.float64), x.shape).ravel()
    out = np.zeros(x.size)
    ok = (x * E > m) & ((1.0 - x) * E > m_l)
    if not np.any(ok):
        return out
    M = nucleus_mass(A)
    p = math.sqrt(E**2 - m_l**2)
    xs, th = x[ok], theta[ok]
    Ek = xs * E
    kk = np.sqrt(Ek**2 - m**2)
    s2h = np.sin(0.5 * th) ** 2
    # p.k = E Ek - p k cos theta, without the cancellation at small angles
    pk = (E**2 * m**2 + m_l**2 * Ek**2 - m_l**2 * m**2) / (E * Ek + p * kk) + 2.0 * p * kk * s2h
    D2 = m**2 - 2.0 * pk
    w0 = E - Ek
    Vx, Vz = -kk * np.sin(th), p - kk * np.cos(th)
    V = np.sqrt(Vx**2 + Vz**2)
    # cos theta_q (t) = (a t + c) / (V |q|), |q|^2 = t + t^2/(4M^2): roots of cos theta_q = -1
    a = -(w0 / (2.0 * M) + 0.5)
    c = 0.5 * D2
    A2 = a**2 - V**2 / (4.0 * M**2)
    Bq = V**2 - 2.0 * a * c
    disc = np.sqrt(np.maximum(Bq**2 - 4.0 * A2 * c**2, 0.0))
    tmin = 2.0 * c**2 / (Bq + disc)
    tmax = np.where(A2 > 0, (Bq + disc) / (2.0 * np.maximum(A2, 1e-300)), np.inf)
    tmax = np.minimum(np.minimum(tmax, 2.0 * M * (w0 - m_l)), T_CAP)
    good = tmax > tmin * (1.0 + 1e-9)
    ut, wt = _gl(n_t)
    uphi, wphi = _gl(n_phi)
    phi = 0.5 * math.pi * (1.0 - np.cos(math.pi * uphi))  # clustered at 0 and pi
    wph = wphi * 0.5 * math.pi**2 * np.sin(math.pi * uphi)
    res = np.zeros(xs.size)
    # points (event, t node, phi node)
    idx = np.nonzero(good)[0]
    per = n_t * n_phi
    step = max(1, chunk // per)
    for s0 in range(0, idx.size, step):
        ii = idx[s0:s0 + step]
        n = ii.size
        lt0, lt1 = np.log(tmin[ii]), np.log(tmax[ii])
        t = np.exp(lt0[:, None] + (lt1 - lt0)[:, None] * ut[None, :])  # (n, n_t)
        jt = t * (lt1 - lt0)[:, None] * wt[None, :]
        qabs = np.sqrt(t + t**2 / (4.0 * M**2))
        cq = np.clip((a[ii, None] * t + c[ii, None]) / (V[ii, None] * qabs), -1.0, 1.0)
        sq = np.sqrt(np.maximum(1.0 - cq**2, 0.0))
        # basis: e_V along V_vec (in the xz plane), e1 in the xz plane, e2 = y
        ev = np.stack([Vx[ii] / V[ii], np.zeros(n), Vz[ii] / V[ii]], axis=1)
        e1 = np.stack([ev[:, 2], np.zeros(n), -ev[:, 0]], axis=1)
        cph, sph = np.cos(phi), np.sin(phi)
        qv = (qabs * cq)[:, :, None, None] * ev[:, None, None, :] + (qabs * sq)[:, :, None, None] * (
            cph[None, None, :, None] * e1[:, None, None, :] + sph[None, None, :, None] * np.array([0.0, 1.0, 0.0]))
        shape = (n, n_t, n_phi)
        q0 = np.broadcast_to((-t / (2.0 * M))[:, :, None], shape)
        q = np.concatenate([q0[..., None], qv], axis=-1).reshape(-1, 4)
        pv = np.broadcast_to(np.array([E, 0.0, 0.0, p]), q.shape)
        kv = np.stack([Ek[ii], kk[ii] * np.sin(th[ii]), np.zeros(n), kk[ii] * np.cos(th[ii])], axis=1)
        kv = np.broadcast_to(kv[:, None, None, :], shape + (4,)).reshape(-1, 4)
        pp = pv - kv + q
        # keep p'^0 from the small numbers (E - E_V) - t/2M
        J0 = np.broadcast_to((2.0 * M + t / (2.0 * M))[:, :, None], shape)
        J = np.concatenate([J0[..., None], -qv], axis=-1).reshape(-1, 4)
        L = lepton_trace(pv, pp, kv, J, m_l).reshape(shape)
        tt = np.broadcast_to(t[:, :, None], shape)
        f = g2_elastic_inelastic(Z, A, tt) / tt**2 * L
        res[ii] = np.einsum("ntp,nt,p->n", f, jt, wph) * 2.0  # phi in [0, pi], doubled
    pref = E * kk * ALPHA_EM**3 / (32.0 * math.pi * M**2 * p * V)
    out[ok] = pref * res * HBARC2_GEV2_CM2
    return out


def theta_nodes(E: float, x, m: float, m_l: float, n_theta: int, span: float = 1e4):
    """Angle nodes and weights in dcos theta: Gauss-Legendre in ln(t_th), t_th = E^2 x theta^2, from
    1e-4 U0 to span U0 (U0 = m^2 (1-x)/x + m_l^2 x, BEST's angular scale) or theta = pi."""
    x = np.atleast_1d(x)
    U0 = m**2 * (1.0 - x) / x + m_l**2 * x
    lo = np.log(1e-4 * U0)
    hi = np.log(np.minimum(span * U0, E**2 * x * math.pi**2))
    u, w = _gl(n_theta)
    lt = lo[:, None] + (hi - lo)[:, None] * u[None, :]
    theta = np.sqrt(np.exp(lt) / (E**2 * x[:, None]))
    # dcos = sin theta dtheta, dtheta = theta/2 d ln t_th
    wc = w[None, :] * (hi - lo)[:, None] * np.sin(theta) * 0.5 * theta
    return theta, wc


def dsigma_dx(Z: float, A: float, E: float, x, m: float, m_l: float = M_E, n_theta: int = 24, n_t: int = 32,
              n_phi: int = 12):
    """Exact dsigma/dx (cm^2 per atom): dsigma/(dx dcos theta) integrated over the angle."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    theta, wc = theta_nodes(E, x, m, m_l, n_theta)
    xx = np.broadcast_to(x[:, None], theta.shape)
    f = dsigma_dx_dcos(Z, A, E, xx.ravel(), theta.ravel(), m, m_l, n_t=n_t, n_phi=n_phi).reshape(theta.shape)
    return (f * wc).sum(axis=1)


def x_nodes(E: float, m: float, m_l: float, n_x: int):
    """x nodes and weights: Gauss-Legendre in ln(1 - x) between x = m/E and 1 - m_l/E."""
    xmin, xmax = m / E, 1.0 - m_l / E
    u, w = _gl(n_x)
    l0, l1 = math.log(1.0 - xmin), math.log(1.0 - xmax)
    omx = np.exp(l0 + (l1 - l0) * u)
    return 1.0 - omx, w * (l0 - l1) * omx


def sigma_total(Z: float, A: float, E: float, m: float, m_l: float = M_E, n_x: int = 24, **kw) -> float:
    """Exact total cross section (cm^2 per atom) for one lepton energy E."""
    if E <= m + m_l:
        return 0.0
    x, w = x_nodes(E, m, m_l, n_x)
    return float((dsigma_dx(Z, A, E, x, m, m_l, **kw) * w).sum())


class ExactBremTable:
    """Exact-to-WW correction and exact angular distributions on a few lepton energies, for the shower.

    At each node E_i (uniform in w = ln(E/E_th - 1), E_th = m + m_l, from E = 1.25 E_th to ``E_hi``: dense near
    threshold, where the ratio to WW changes fastest) the exact dsigma/(dx dcos theta) is
    computed on the nodes (x_j, theta_jk) of the fixed rules above; kept: the total sigma_exact(E_i), the ratios
    R(E_i) = sigma_exact/sigma_WW and r(E_i, u_j) = (dsigma/dx)_exact/(dsigma/dx)_WW at the x-rule abscissae
    u_j (x = 1 - (1-x_min)((1-x_max)/(1-x_min))^u), and the angular weights per (E_i, x_j).  The WW
    forms come from dark_xsec with the same lepton mass.  Element: one (Z, A) (the material's dominant n Z^2;
    the ratios hardly depend on Z, tests check the Z^2 scaling)."""

    def __init__(self, Z: float, A: float, m: float, m_l: float, E_hi: float, n_E: int = 8, n_x: int = 12,
                 n_theta: int = 12, n_t: int = 16, n_phi: int = 6):
        from darkbeam.physics.shower import dark_xsec

        self.Z, self.A, self.m, self.m_l = Z, A, m, m_l
        self.E_th = m + m_l
        E_hi = max(E_hi, self.E_th * 1.9)
        self.w = np.linspace(math.log(0.25), math.log(E_hi / self.E_th - 1.0), n_E)
        self.E = self.E_th * (1.0 + np.exp(self.w))
        u, _ = _gl(n_x)
        self.u = u
        self.sigma = np.zeros(n_E)
        self.ratio = np.ones(n_E)
        self.ratio_x = np.ones((n_E, n_x))
        self.s_nodes = None
        self.ang = np.zeros((n_E, n_x, n_theta))
        table = dark_xsec.ChiTable(Z, A, m, (m**2 / (2.0 * E_hi)) ** 2)
        for i, E in enumerate(self.E):
            x, wx = x_nodes(E, m, m_l, n_x)
            theta, wc = theta_nodes(E, x, m, m_l, n_theta)
            f = dsigma_dx_dcos(Z, A, E, np.broadcast_to(x[:, None], theta.shape).ravel(), theta.ravel(), m, m_l,
                               n_t=n_t, n_phi=n_phi).reshape(theta.shape) * wc
            dsx = f.sum(axis=1)
            self.ang[i] = f / np.maximum(dsx[:, None], 1e-300)
            self.sigma[i] = float((dsx * wx).sum())
            ww = dark_xsec.dark_brem_ww_dsigma_dx(Z, A, E, x, m, chi_table=table, lepton_mass=m_l)
            self.ratio_x[i] = np.where(ww > 0, dsx / np.maximum(ww, 1e-300), 1.0)
            sw = dark_xsec.dark_brem_ww_total(Z, A, np.array([E]), m, lepton_mass=m_l)[0]
            self.ratio[i] = self.sigma[i] / sw if sw > 0 else 1.0
        self.theta_u = _gl(n_theta)[0]

    def _w_of(self, E):
        return np.log(np.maximum(np.asarray(E, dtype=np.float64) / self.E_th - 1.0, 1e-300))

    def total_ratio(self, E):
        """sigma_exact/sigma_WW at lepton energies E, linear in w (constant beyond the nodes)."""
        return np.interp(self._w_of(E), self.w, self.ratio)

    def _u_of(self, E, x):
        xmin, xmax = self.m / E, 1.0 - self.m_l / E
        return np.clip(np.log((1.0 - x) / (1.0 - xmin)) / np.log((1.0 - xmax) / (1.0 - xmin)), 0.0, 1.0)

    def x_ratio(self, E, x):
        """(dsigma/dx)_exact/(dsigma/dx)_WW at (E, x), bilinear in (w, u)."""
        E = np.asarray(E, dtype=np.float64)
        le = np.clip((self._w_of(E) - self.w[0]) / (self.w[1] - self.w[0]), 0.0, len(self.E) - 1.0)
        i = np.minimum(le.astype(np.int64), len(self.E) - 2)
        f = le - i
        u = np.clip(self._u_of(E, x), self.u[0], self.u[-1])  # constant outside the outer nodes
        j = np.clip(np.searchsorted(self.u, u) - 1, 0, len(self.u) - 2)
        g = (u - self.u[j]) / (self.u[j + 1] - self.u[j])
        r0 = self.ratio_x[i, j] * (1.0 - g) + self.ratio_x[i, j + 1] * g
        r1 = self.ratio_x[i + 1, j] * (1.0 - g) + self.ratio_x[i + 1, j + 1] * g
        return r0 * (1.0 - f) + r1 * f

    def sample_theta(self, E, x, rng: np.random.Generator):
        """Angles of V from the exact angular distribution of the nearest node (E_i, x_j), in the scaled
        variable s = ln(E^2 x theta^2 / U0) (U0 = m^2 (1-x)/x + m_l^2 x), uniform within the node's cell."""
        E = np.asarray(E, dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        i = np.clip(np.rint((self._w_of(E) - self.w[0]) / (self.w[1] - self.w[0])).astype(np.int64), 0, len(self.E) - 1)
        u = self._u_of(E, x)
        j = np.clip(np.searchsorted(self.u, u), 0, len(self.u) - 1)
        jm = np.maximum(j - 1, 0)
        j = np.where(np.abs(self.u[jm] - u) < np.abs(self.u[j] - u), jm, j)
        cdf = np.cumsum(self.ang[i, j], axis=1)
        r = rng.random(E.size) * cdf[:, -1]
        k = np.minimum((cdf < r[:, None]).sum(axis=1), cdf.shape[1] - 1)
        # cell edges in the rule's variable: midpoints between nodes
        tu = self.theta_u
        edges = np.concatenate([[0.0], 0.5 * (tu[1:] + tu[:-1]), [1.0]])
        v = edges[k] + rng.random(E.size) * (edges[k + 1] - edges[k])
        U0 = self.m**2 * (1.0 - x) / x + self.m_l**2 * x
        lo = np.log(1e-4 * U0)
        hi = np.log(np.minimum(1e4 * U0, E**2 * x * math.pi**2))
        return np.sqrt(np.exp(lo + (hi - lo) * v) / (E**2 * x))
