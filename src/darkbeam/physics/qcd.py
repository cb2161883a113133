"""The running strong coupling alpha_s(mu) in the MSbar scheme, and QCD corrections to hadronic widths.

Running (vectorized in mu):

    d alpha_s / d ln(mu^2) = - sum_{i=0}^{loops-1} b_i alpha_s^{i+2},   b_i = beta_i / (4 pi)^{i+1}

with the MSbar beta-function coefficients (normalisation a = alpha_s/(4 pi), da/dln mu^2 = -sum beta_i a^{i+2})

    beta_0 = 11 - 2/3 nf,           beta_1 = 102 - 38/3 nf,
    beta_2 = 2857/2 - 5033/18 nf + 325/54 nf^2,
    beta_3 = (149753/6 + 3564 z3) - (1078361/162 + 6508/27 z3) nf + (50065/162 + 6472/81 z3) nf^2 + 1093/729 nf^3

(PDG 2024 review "Quantum chromodynamics", sec. 9.2.1 on the running coupling, for b_0..b_2; van
Ritbergen, Vermaseren, Larin, hep-ph/9701390, for beta_3).  The equation is integrated numerically (RK4 in
ln mu^2, 64 steps per evaluation, vectorized), not through the truncated 1/ln expansion.

Flavour thresholds at mu = m_q(m_q) (MSbar masses of constants.M_C, M_B, M_T).  Decoupling, from nf to
nf - 1 active flavours, at mu = m_h(m_h) (Chetyrkin, Kniehl, Steinhauser, hep-ph/9706430, Nucl. Phys.
B510 (1998) 61; numerically 1 + 0.1528 a^2 + (0.9721 - 0.0847 n_l) a^3, as in RunDec, hep-ph/0004189):

    alpha^(nf-1) = alpha^(nf) [1 + c2 a^2 + c3 a^3],   a = alpha^(nf)/pi,
    c2 = 11/72,   c3 = 564731/124416 - 82043/27648 zeta3 - 2633/31104 (nf - 1)

applied at order consistent with the number of loops (c2 from 3 loops on, c3 from 4 loops on); with
loops <= 2 the matching is continuous.  The 3-loop/4-loop jumps are small (0.37 % of alpha_s at m_c, 0.1 % at m_b).

alpha_s(mu) is evaluated for mu >= MU_MIN = 1 GeV; below, perturbation theory is not trusted and a
:class:`~darkbeam.errors.KinematicsError` is raised.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import KinematicsError

ZETA3 = 1.2020569031595942
#: lowest scale (GeV) at which alpha_s is evaluated
MU_MIN = 1.0
_N_STEPS = 64


def beta_coefficients(nf: int, loops: int = 4) -> np.ndarray:
    """b_i (i < loops) of d alpha/d ln mu^2 = -sum b_i alpha^{i+2} for nf active flavours (module docstring)."""
    nf = float(nf)
    beta = [
        11.0 - 2.0 / 3.0 * nf,
        102.0 - 38.0 / 3.0 * nf,
        2857.0 / 2.0 - 5033.0 / 18.0 * nf + 325.0 / 54.0 * nf**2,
        (149753.0 / 6.0 + 3564.0 * ZETA3)
        - (1078361.0 / 162.0 + 6508.0 / 27.0 * ZETA3) * nf
        + (50065.0 / 162.0 + 6472.0 / 81.0 * ZETA3) * nf**2
        + 1093.0 / 729.0 * nf**3,
    ]
    if not 1 <= loops <= 4:
        raise ValueError(f"loops = {loops}: alpha_s running is implemented at 1 to 4 loops")
    return np.array([beta[k] / (4.0 * np.pi) ** (k + 1) for k in range(loops)])


def _rhs(alpha: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros_like(alpha)
    for k in range(len(b) - 1, -1, -1):  # Horner: -(b0 a^2 + b1 a^3 + ...)
        out = out * alpha + b[k]
    return -out * alpha**2


def _run(alpha0, t0, t1, nf: int, loops: int, n_steps: int = _N_STEPS):
    """RK4 solution of the RGE from t0 = ln mu0^2 to t1 (arrays broadcast), fixed nf."""
    b = beta_coefficients(nf, loops)
    a = np.asarray(alpha0, dtype=float) * np.ones(np.broadcast(t0, t1).shape)
    h = (np.asarray(t1, dtype=float) - np.asarray(t0, dtype=float)) / n_steps
    for _ in range(n_steps):
        k1 = _rhs(a, b)
        k2 = _rhs(a + 0.5 * h * k1, b)
        k3 = _rhs(a + 0.5 * h * k2, b)
        k4 = _rhs(a + h * k3, b)
        a = a + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return a


def _run_scalar(alpha0: float, t0: float, t1: float, nf: int, loops: int, n_steps: int) -> float:
    """:func:`_run` for one scale, in Python floats: the same RK4 steps and operations (the threshold
    table's 768 steps cost ~10 ms on 0-d arrays, ~1 ms on floats; tests/test_hnl_mixing.py compares)."""
    b = [float(x) for x in beta_coefficients(nf, loops)][::-1]

    def rhs(a: float) -> float:
        out = 0.0
        for bk in b:  # Horner, as _rhs
            out = out * a + bk
        return -out * (a * a)

    a = float(alpha0)
    h = (float(t1) - float(t0)) / n_steps
    for _ in range(n_steps):
        k1 = rhs(a)
        k2 = rhs(a + 0.5 * h * k1)
        k3 = rhs(a + 0.5 * h * k2)
        k4 = rhs(a + h * k3)
        a = a + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return a


def _decouple_factor(alpha_heavy: float, n_light: int, loops: int) -> float:
    """alpha^(nl) / alpha^(nl+1) at mu = m_h(m_h) (module docstring)."""
    a = alpha_heavy / np.pi
    c2 = 11.0 / 72.0 if loops >= 3 else 0.0
    c3 = (564731.0 / 124416.0 - 82043.0 / 27648.0 * ZETA3 - 2633.0 / 31104.0 * n_light) if loops >= 4 else 0.0
    return 1.0 + c2 * a**2 + c3 * a**3


@lru_cache(maxsize=16)
def _threshold_table(alpha_mz: float, loops: int) -> tuple:
    """Segments (mu_lo, mu_hi, nf, mu_ref, alpha_ref) covering [MU_MIN, inf)."""
    tz = np.log(C.M_Z**2)
    tb, tc, tt = np.log(C.M_B**2), np.log(C.M_C**2), np.log(C.M_T**2)
    steps = 4 * _N_STEPS
    a5_mb = _run_scalar(alpha_mz, tz, tb, 5, loops, steps)
    a4_mb = a5_mb * _decouple_factor(a5_mb, 4, loops)
    a4_mc = _run_scalar(a4_mb, tb, tc, 4, loops, steps)
    a3_mc = a4_mc * _decouple_factor(a4_mc, 3, loops)
    a5_mt = _run_scalar(alpha_mz, tz, tt, 5, loops, steps)
    # upward decoupling: solve a5 = a6 * factor(a6) for a6 (Newton, converges in a few steps)
    a6 = a5_mt
    for _ in range(30):
        f = a6 * _decouple_factor(a6, 5, loops) - a5_mt
        eps = 1e-7 * a6
        df = ((a6 + eps) * _decouple_factor(a6 + eps, 5, loops) - (a6 - eps) * _decouple_factor(a6 - eps, 5, loops)) / (2 * eps)
        a6 -= f / df
    return (
        (MU_MIN, C.M_C, 3, C.M_C, a3_mc),
        (C.M_C, C.M_B, 4, C.M_B, a4_mb),
        (C.M_B, C.M_T, 5, C.M_Z, alpha_mz),
        (C.M_T, np.inf, 6, C.M_T, a6),
    )


def alpha_s(mu, *, loops: int = 4, alpha_mz: float = C.ALPHA_S_MZ):
    """MSbar strong coupling at the scale ``mu`` (GeV, scalar or array), running from alpha_s(M_Z).

    ``loops``: order of the beta function (1-4, default 4); thresholds and matching in the module
    docstring.  Raises :class:`KinematicsError` for mu < MU_MIN = 1 GeV.
    """
    if np.size(mu) == 1:  # one scale: cached (every decay table of a mass asks for it)
        m = float(np.asarray(mu, dtype=float).reshape(-1)[0])
        if np.isfinite(m) and m >= MU_MIN:
            a = _alpha_s_scalar(m, int(loops), float(alpha_mz))
            return a if np.ndim(mu) == 0 else np.full(np.shape(mu), a)
    return _alpha_s(mu, loops, alpha_mz)


@lru_cache(maxsize=1024)
def _alpha_s_scalar(mu: float, loops: int, alpha_mz: float) -> float:
    return float(_alpha_s(mu, loops, alpha_mz))


def _alpha_s(mu, loops: int, alpha_mz: float):
    mu_arr = np.asarray(mu, dtype=float)
    if np.any(~np.isfinite(mu_arr)) or np.any(mu_arr < MU_MIN):
        raise KinematicsError(f"alpha_s(mu) is evaluated for finite mu >= {MU_MIN} GeV (perturbative QCD); got min {np.nanmin(mu_arr):.4g} GeV")
    out = np.empty(mu_arr.shape)
    t = np.log(mu_arr**2)
    for lo, hi, nf, mref, aref in _threshold_table(float(alpha_mz), int(loops)):
        sel = (mu_arr >= lo) & (mu_arr < hi)
        if np.any(sel):
            out[sel] = _run(aref, np.log(mref**2), t[sel], nf, loops)
    return out if out.ndim else float(out)


def tau_like_qcd_correction(alpha):
    """Delta_QCD = a + 5.2 a^2 + 26.4 a^3 with a = alpha_s/pi (alpha_s scalar or array).

    The hadronic width of a heavy fermion decaying through a V-A current is the partonic width times
    (1 + Delta_QCD): 1805.08567 (Bondarenko et al.) sec. 3.2 (multi-hadron final states, widths of
    N -> l u dbar and N -> nu q qbar with QCD loop corrections), which takes the
    3-loop coefficients of the hadronic tau width for nf = 3 (Gorishny, Kataev, Larin, Phys. Lett. B259
    (1991) 144; Baikov, Chetyrkin, Kuehn 0801.1821, eq. 3: 1 + a + 5.20 a^2 + 26.37 a^3).
    """
    a = np.asarray(alpha, dtype=float) / np.pi
    return a + 5.2 * a**2 + 26.4 * a**3
