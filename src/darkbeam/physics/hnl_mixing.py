"""HNL decays through active-sterile mixing into hadrons and charged-current lepton pairs.

Channels (widths for a Dirac N; a Majorana N has in addition every charge-conjugate final state as a
separate channel with the same width, so Gamma_Maj = 2 Gamma_Dirac; ../shared/PHYSICS.md):

* N -> l_a^- P^+ (pi, K, D, D_s) and N -> l_a^- V^+ (rho, K*)            [1805.08567 sec. 3.2.1]
* N -> nu_a P0 (pi0, eta, eta') and N -> nu_a V0 (rho0, omega, phi)       [1805.08567 sec. 3.2.1;
  omega and phi NC couplings from the quark model, physics/mesons.py]
* N -> l_a^- l_b^+ nu_b, a != b, full lepton masses                       [1805.08567 sec. 3.1.1, I(x, y, z)]
* multi-hadron remainders N -> l_a^- u_i dbar_j and N -> nu_a q qbar: the inclusive partonic widths
  with the QCD correction (1 + a + 5.2 a^2 + 26.4 a^3), a = alpha_s(M)/pi [1805.08567 sec. 3.2], minus the
  exclusive channels of the same quark current, switched on smoothly above a matching mass
  (:func:`hadronic_breakdown`; docs/decays_mixing.md sec. 5).

Formulas, their derivation, the polarisation asymmetries of the two-body channels and the polarised
three-body |M|^2 are in docs/decays_mixing.md.  Everything is vectorized in the HNL mass; W and Z
exchange use the Fermi constant and the SM couplings with sin^2 theta_W = c.sw2 (the Z' and the other
portals enter through physics/hnl_dileptons.py and physics/hnl_dark.py).

Public API: :func:`channels` (c, i) -> list[Channel], :func:`widths_grid` (c, i, masses) -> dict of
widths (GeV), :func:`hadronic_breakdown` and the kernels below (widths per |U|^2 = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ModelError, ParameterError
from darkbeam.models.couplings import Couplings
from darkbeam.physics import mesons, qcd
from darkbeam.physics.channels import Channel, ThreeBody, TwoBody
from darkbeam.physics.particles import conjugate, mass_of

N_C = 3
#: hadronic matching (docs/decays_mixing.md sec. 5): the multi-hadron remainder of a quark current is
#: switched on between M0 = max(MATCH_MASS, lightest multi-hadron threshold) and M0 + MATCH_WIDTH (GeV)
MATCH_MASS = 1.0
MATCH_WIDTH = 0.5

_REF_2BODY = "1805.08567 sec. 3.2.1 (width); alpha: docs/decays_mixing.md sec. 2"
_REF_NV = "1805.08567 sec. 3.2.1 (width), NC couplings kappa_V of the quark model as 2007.03701 (docs/decays_mixing.md sec. 3)"
_REF_3BODY = "1805.08567 sec. 3.1.1 (I(x,y,z)); polarised |M|^2: docs/decays_mixing.md sec. 4"
_REF_QUARK = "1805.08567 secs. 3.1, 3.2 (inclusive quark widths, QCD correction); matching: docs/decays_mixing.md sec. 5"


# =================================================================== kinematic helpers
def kallen(a, b, c):
    """Kallen function lambda(a, b, c) = a^2 + b^2 + c^2 - 2ab - 2ac - 2bc."""
    return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)


def _sqrt_kallen(a, b, c):
    return np.sqrt(np.maximum(kallen(a, b, c), 0.0))


def _open(M, threshold):
    return np.asarray(M, dtype=float) > threshold


# =================================================================== two-body kernels (|U|^2 = 1)
def width_l_pseudoscalar(M, m_l, m_P, f_P, ckm):
    """Gamma(N -> l^- P^+), GeV, for |U|^2 = 1 (Dirac).

    1805.08567 sec. 3.2.1 (single charged pseudoscalar; docs/decays_mixing.md eq. 2.3):
    G_F^2 f^2 |V|^2 M^3/(16 pi) [(1 - x_l^2)^2 - x_P^2 (1 + x_l^2)] lambda^{1/2}(1, x_P^2, x_l^2).
    """
    M = np.asarray(M, dtype=float)
    xl2, xp2 = (m_l / M) ** 2, (m_P / M) ** 2
    w = C.G_F**2 * f_P**2 * ckm**2 * M**3 / (16 * np.pi) * ((1 - xl2) ** 2 - xp2 * (1 + xl2)) * _sqrt_kallen(1.0, xp2, xl2)
    return np.where(_open(M, m_l + m_P), np.maximum(w, 0.0), 0.0)


def width_l_vector(M, m_l, m_V, g_V, ckm):
    """Gamma(N -> l^- V^+), GeV, for |U|^2 = 1 (Dirac); g_V = f_V m_V in GeV^2.

    1805.08567 sec. 3.2.1 (single charged vector; docs/decays_mixing.md eq. 2.6):
    G_F^2 g^2 |V|^2 M^3/(16 pi m_V^2) [(1 - x_l^2)^2 + x_V^2 (1 + x_l^2) - 2 x_V^4] lambda^{1/2}(1, x_V^2, x_l^2).
    """
    M = np.asarray(M, dtype=float)
    xl2, xv2 = (m_l / M) ** 2, (m_V / M) ** 2
    w = (C.G_F**2 * g_V**2 * ckm**2 * M**3 / (16 * np.pi * m_V**2)
         * ((1 - xl2) ** 2 + xv2 * (1 + xl2) - 2 * xv2**2) * _sqrt_kallen(1.0, xv2, xl2))
    return np.where(_open(M, m_l + m_V), np.maximum(w, 0.0), 0.0)


def width_nu_pseudoscalar(M, m_P, f_P):
    """Gamma(N -> nu P0), GeV, |U|^2 = 1 (Dirac): G_F^2 f^2 M^3/(32 pi) (1 - x^2)^2 (1805.08567 sec. 3.2.1)."""
    M = np.asarray(M, dtype=float)
    x2 = (m_P / M) ** 2
    return np.where(_open(M, m_P), C.G_F**2 * f_P**2 * M**3 / (32 * np.pi) * (1 - x2) ** 2, 0.0)


def width_nu_vector(M, m_V, g_V, kappa):
    """Gamma(N -> nu V0), GeV, |U|^2 = 1 (Dirac):
    G_F^2 kappa^2 g^2 M^3/(32 pi m_V^2) (1 + 2x^2)(1 - x^2)^2 (1805.08567 sec. 3.2.1; kappa: mesons.neutral_vector_kappa,
    docs/decays_mixing.md sec. 3)."""
    M = np.asarray(M, dtype=float)
    x2 = (m_V / M) ** 2
    w = C.G_F**2 * kappa**2 * g_V**2 * M**3 / (32 * np.pi * m_V**2) * (1 + 2 * x2) * (1 - x2) ** 2
    return np.where(_open(M, m_V), w, 0.0)


def alpha_l_pseudoscalar(M, m_l, m_P):
    """Polarisation asymmetry of the lepton in N -> l^- P^+ (docs/decays_mixing.md eq. 2.4):

    alpha = -(1 - x_l^2) lambda^{1/2}(1, x_l^2, x_P^2) / [(1 - x_l^2)^2 - x_P^2 (1 + x_l^2)]   (-1 for m_l = 0).
    Closed channels give 0.
    """
    M = np.asarray(M, dtype=float)
    xl2, xp2 = (m_l / M) ** 2, (m_P / M) ** 2
    den = (1 - xl2) ** 2 - xp2 * (1 + xl2)
    ok = _open(M, m_l + m_P) & (den > 0)
    return np.where(ok, -(1 - xl2) * _sqrt_kallen(1.0, xl2, xp2) / np.where(ok, den, 1.0), 0.0)


def alpha_l_vector(M, m_l, m_V):
    """Polarisation asymmetry of the lepton in N -> l^- V^+ (docs/decays_mixing.md eq. 2.7):

    alpha = -(1 - x_l^2 - 2 x_V^2) lambda^{1/2} / [(1 - x_l^2)^2 + x_V^2 (1 + x_l^2) - 2 x_V^4]
    (-(1 - 2x^2)/(1 + 2x^2) for m_l = 0).
    """
    M = np.asarray(M, dtype=float)
    xl2, xv2 = (m_l / M) ** 2, (m_V / M) ** 2
    den = (1 - xl2) ** 2 + xv2 * (1 + xl2) - 2 * xv2**2
    ok = _open(M, m_l + m_V) & (den > 0)
    return np.where(ok, -(1 - xl2 - 2 * xv2) * _sqrt_kallen(1.0, xl2, xv2) / np.where(ok, den, 1.0), 0.0)


# =================================================================== three-body kernels
@lru_cache(maxsize=4)
def _gl_theta(n: int):
    t, w = np.polynomial.legendre.leggauss(n)
    theta = 0.5 * np.pi * (t + 1.0)
    return theta, 0.5 * np.pi * w


def I_integral(x, y, z, n_nodes: int = 64):
    """I(x, y, z) of 1805.08567 sec. 3.1.1 (three-body widths through a W), vectorized (arrays broadcast):

        I = 12 int_{(x+y)^2}^{(1-z)^2} ds/s (s - x^2 - y^2)(1 + z^2 - s) lambda^{1/2}(s, x^2, y^2) lambda^{1/2}(1, s, z^2)

    I(0, 0, 0) = 1.  x, y are the scaled masses of the pair (k_x . k_y) in |M|^2 = (k_x.k_y)(P.k_z)
    (docs/decays_mixing.md sec. 4).  Gauss-Legendre in theta with s = s_min + (s_max - s_min)(1 - cos theta)/2,
    which absorbs both square-root end points.  64 nodes: relative accuracy better than 4e-12 over
    1e-4 <= x, y, z (32 nodes reach only 8e-10 where one mass is ~0.01-0.03: the 1/s factor varies on
    the scale x^2 near s_min); tested against scipy quad and the closed form of muon decay.
    Closed channels (x + y + z >= 1) give 0.
    """
    x, y, z = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(z, float))
    shape = x.shape
    x, y, z = x.ravel(), y.ravel(), z.ravel()
    open_ = x + y + z < 1.0
    out = np.zeros(x.shape)
    if not np.any(open_):
        return out.reshape(shape)
    x, y, z = x[open_, None], y[open_, None], z[open_, None]
    s_lo, s_hi = (x + y) ** 2, (1.0 - z) ** 2
    delta = s_hi - s_lo
    theta, w = _gl_theta(n_nodes)
    s = s_lo + 0.5 * delta * (1.0 - np.cos(theta))
    half_sin = 0.5 * delta * np.sin(theta)  # = sqrt((s - s_lo)(s_hi - s))
    f = ((s - x * x - y * y) / s * (1.0 + z * z - s)
         * np.sqrt(np.maximum(s - (x - y) ** 2, 0.0)) * np.sqrt(np.maximum((1.0 + z) ** 2 - s, 0.0))
         * half_sin * half_sin)
    out[open_] = 12.0 * (f @ w)
    return out.reshape(shape)


def width_cc_leptons(M, m_a, m_b):
    """Gamma(N -> l_a^- l_b^+ nu_b), a != b, GeV, |U_a|^2 = 1 (Dirac):
    G_F^2 M^5/(192 pi^3) I(x_a, 0, x_b) (1805.08567 sec. 3.1.1; docs/decays_mixing.md sec. 4.2)."""
    M = np.asarray(M, dtype=float)
    return C.G_F**2 * M**5 / (192 * np.pi**3) * I_integral(m_a / M, 0.0, m_b / M)


def width_cc_quarks(M, m_l, m_u, m_d, ckm):
    """Partonic Gamma(N -> l^- u dbar), GeV, |U|^2 = 1, no QCD correction:
    N_c |V_ud|^2 G_F^2 M^5/(192 pi^3) I(x_l, x_u, x_d) (1805.08567 secs. 3.1.1, 3.2)."""
    M = np.asarray(M, dtype=float)
    return N_C * ckm**2 * C.G_F**2 * M**5 / (192 * np.pi**3) * I_integral(m_l / M, m_u / M, m_d / M)


def width_nc_quarks(M, m_q, gL, gR):
    """Partonic Gamma(N -> nu q qbar) through the Z, GeV, |U|^2 = 1, no QCD correction.

    1805.08567 sec. 3.1.2 (N -> nu_a f fbar, f != a, times N_c): N_c G_F^2 M^5/(192 pi^3) {C1 [(1 - 14x^2 - 2x^4 - 12x^6)
    sqrt(1 - 4x^2) + 12 x^4 (x^4 - 1) L] + 4 C2 [x^2 (2 + 10x^2 - 12x^4) sqrt(1 - 4x^2) + 6 x^4 (1 - 2x^2 + 2x^4) L]},
    C1 = gL^2 + gR^2, C2 = gL gR (gL = T3 - Q s_W^2, gR = -Q s_W^2), L = ln[(1 - 3x^2 - (1 - x^2) sqrt(1 - 4x^2))/
    (x^2 (1 + sqrt(1 - 4x^2)))], written as L = ln[4 x^4 / ((1 - 3x^2 + (1 - x^2) r)(1 + r))], r = sqrt(1 - 4x^2),
    which is free of the cancellation at small x.
    """
    M = np.asarray(M, dtype=float)
    x2 = (m_q / M) ** 2
    open_ = x2 < 0.25
    r = np.sqrt(np.where(open_, 1.0 - 4.0 * x2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.log(4.0 * x2**2 / ((1.0 - 3.0 * x2 + (1.0 - x2) * r) * (1.0 + r)))
        x4L = np.where(x2 > 0, x2**2 * L, 0.0)
    c1, c2 = gL**2 + gR**2, gL * gR
    f1 = (1 - 14 * x2 - 2 * x2**2 - 12 * x2**3) * r + 12 * (x2**2 - 1) * x4L
    f2 = x2 * (2 + 10 * x2 - 12 * x2**2) * r + 6 * (1 - 2 * x2 + 2 * x2**2) * x4L
    w = N_C * C.G_F**2 * M**5 / (192 * np.pi**3) * (c1 * f1 + 4 * c2 * f2)
    return np.where(open_, np.maximum(w, 0.0), 0.0)


# =================================================================== polarised |M|^2 (docs sec. 4)
def _dot(a, b):
    return a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] - a[..., 2] * b[..., 2] - a[..., 3] * b[..., 3]


def _spin_shifted(P, s):
    """K = P - M s (M = sqrt(P.P)): the polarised N spin density enters V-A amplitudes only through K."""
    M = np.sqrt(np.maximum(_dot(P, P), 0.0))
    return P - M[..., None] * s


def msq_v_minus_a(P, ka, kb, kc, s):
    """|M|^2 / (64 G_F^2 |U|^2 |V|^2) of N -> a (b cbar) through (V-A)x(V-A), for a polarised N:

        (k_a . k_b) ((P - M s) . k_c)

    a: the daughter on the N line (l_a^- or nu), b: the particle and c: the antiparticle of the other
    current (docs/decays_mixing.md eq. 4.3; muon-decay structure).  Arrays (n, 4), metric +---.
    """
    return _dot(ka, kb) * _dot(_spin_shifted(P, s), kc)


def msq_cc_leptons(P, k1, k2, k3, s):
    """|M|^2 (unnormalised) of N -> l_a^- (k1) l_b^+ (k2) nu_b (k3): (k1.k3)((P - M s).k2)."""
    return msq_v_minus_a(P, k1, k3, k2, s)


def msq_cc_quarks(P, k1, k2, k3, s):
    """|M|^2 (unnormalised) of N -> l^- (k1) u (k2) dbar (k3): (k1.k2)((P - M s).k3)."""
    return msq_v_minus_a(P, k1, k2, k3, s)


def make_msq_nc_quarks(gL: float, gR: float, m_q: float) -> Callable:
    """|M|^2 / (64 G_F^2 |U|^2) of N -> nu (k1) q (k2) qbar (k3) through the Z (docs eq. 4.5):

        gL^2 (k1.k2)(K.k3) + gR^2 (k1.k3)(K.k2) + gL gR m_q^2 (k1.K),   K = P - M s.
    """

    def msq(P, k1, k2, k3, s):
        K = _spin_shifted(P, s)
        return gL**2 * _dot(k1, k2) * _dot(K, k3) + gR**2 * _dot(k1, k3) * _dot(K, k2) + gL * gR * m_q**2 * _dot(k1, K)

    return msq


def _conjugate_msq(msq: Callable) -> Callable:
    """CP image for the charge-conjugate channel of a Majorana N: s -> -s (docs sec. 4)."""

    def msq_bar(P, k1, k2, k3, s):
        return msq(P, k1, k2, k3, -np.asarray(s))

    return msq_bar


def _vma_bound(M: float, ma: float, mb: float, mc: float) -> float:
    """Upper bound of (k_a.k_b)((P - M s).k_c) over phase space and |s| <= 1 (rest frame):
    k_a.k_b = (m_ab^2 - m_a^2 - m_b^2)/2 with m_ab^2 = M^2 + m_c^2 - 2 M E_c, and (P - M s).k_c <= M (E_c + p_c)."""
    e_max = (M**2 + mc**2 - (ma + mb) ** 2) / (2 * M)
    if e_max <= mc:
        return 0.0
    e = np.linspace(mc, e_max, 2049)
    p = np.sqrt(np.maximum(e**2 - mc**2, 0.0))
    f = 0.5 * (M**2 + mc**2 - 2 * M * e - ma**2 - mb**2) * M * (e + p)
    return float(f.max() * 1.01 + 1e-300)


# =================================================================== hadronic currents and matching
_CC_CURRENTS = {  # current: (up label, down label, |V|, multi-hadron threshold without the lepton)
    "ud": ("u", "d", C.V_UD, C.M_PI + C.M_PI0),
    "us": ("u", "s", C.V_US, C.M_K + C.M_PI0),
    "ub": ("u", "b", C.V_UB, mesons.M_B_MESON + C.M_PI0),
    "cd": ("c", "d", C.V_CD, C.M_D_MESON + C.M_PI0),
    "cs": ("c", "s", C.V_CS, C.M_DS + C.M_PI0),
    "cb": ("c", "b", C.V_CB, mesons.M_BC + C.M_PI0),
}
_NC_CURRENTS = {  # current: (quarks, lightest hadronic state of the current)
    "light": (("u", "d", "s"), 2 * C.M_PI0),
    "cc": (("c",), C.M_ETAC),
    "bb": (("b",), mesons.M_ETAB),
}


def _smoothstep(M, m0):
    t = np.clip((M - m0) / MATCH_WIDTH, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def matching_weight(M, threshold):
    """Weight of the multi-hadron remainder of a current whose lightest multi-hadron state has mass
    ``threshold`` (including the lepton): 0 below M0 = max(MATCH_MASS, threshold), 1 above
    M0 + MATCH_WIDTH, C^1 smoothstep in between (docs/decays_mixing.md sec. 5)."""
    return _smoothstep(np.asarray(M, dtype=float), max(MATCH_MASS, threshold))


def qcd_factor(M):
    """1 + Delta_QCD(alpha_s(mu)) at mu = max(M, 1 GeV) (qcd.tau_like_qcd_correction; 1805.08567 sec. 3.2)."""
    mu = np.maximum(np.asarray(M, dtype=float), qcd.MU_MIN)
    return 1.0 + qcd.tau_like_qcd_correction(qcd.alpha_s(mu))


@dataclass
class _Spec:
    """One Dirac channel on a mass grid (widths for the actual |U|^2)."""

    daughters: tuple[str, ...]
    width: np.ndarray
    group: str
    reference: str
    alpha: Optional[np.ndarray] = None  # two-body
    msq: Optional[Callable] = None  # three-body
    bound: Optional[Callable[[float], float]] = None  # msq_max(M)


def _lep(a: str) -> str:
    return f"{a}-"


def _nu(a: str) -> str:
    return f"nu_{a}"


def _specs(c: Couplings, i: int, M: np.ndarray, breakdown: Optional[dict] = None) -> list[_Spec]:
    """All Dirac channels of HNL i on the mass array M (closed channels have zero width)."""
    U2 = c.U[:, i] ** 2
    sw2 = c.sw2
    out: list[_Spec] = []
    qf = qcd_factor(M)
    for ia, a in enumerate(C.FLAVOURS):
        if U2[ia] == 0.0:
            continue
        u2 = U2[ia]
        ml = C.M_LEPTON[a]
        lep = _lep(a)
        excl = {k: np.zeros_like(M) for k in _CC_CURRENTS}
        # ---------------------------------------------------------- CC two-body
        for mes in mesons.CHARGED_MESONS:
            mm = mass_of(mes.label)
            if mes.kind == "P":
                w = u2 * width_l_pseudoscalar(M, ml, mm, mes.const, mes.ckm)
                al = alpha_l_pseudoscalar(M, ml, mm)
            else:
                w = u2 * width_l_vector(M, ml, mm, mes.const, mes.ckm)
                al = alpha_l_vector(M, ml, mm)
            excl[mes.current] = excl[mes.current] + w
            out.append(_Spec((lep, mes.label), w, "CC meson", _REF_2BODY, alpha=al))
        # ---------------------------------------------------------- NC two-body
        nu = _nu(a)
        excl_nc = np.zeros_like(M)
        for lab, f in mesons.NEUTRAL_PSEUDOSCALARS.items():
            w = u2 * width_nu_pseudoscalar(M, mass_of(lab), f)
            excl_nc = excl_nc + w
            out.append(_Spec((nu, lab), w, "NC meson", _REF_2BODY, alpha=np.where(w > 0, -1.0, 0.0)))
        for lab, g in mesons.NEUTRAL_VECTOR_G.items():
            mv = mass_of(lab)
            w = u2 * width_nu_vector(M, mv, g, mesons.neutral_vector_kappa(lab, sw2))
            excl_nc = excl_nc + w
            out.append(_Spec((nu, lab), w, "NC meson", _REF_NV, alpha=alpha_l_vector(M, 0.0, mv)))
        # ---------------------------------------------------------- CC three-body leptonic, a != b
        for b in C.FLAVOURS:
            if b == a:
                continue
            mb = C.M_LEPTON[b]
            w = u2 * width_cc_leptons(M, ml, mb)
            out.append(_Spec((lep, f"{b}+", _nu(b)), w, "CC leptonic", _REF_3BODY, msq=msq_cc_leptons,
                             bound=lambda m, ml=ml, mb=mb: _vma_bound(m, ml, 0.0, mb)))
        # ---------------------------------------------------------- CC multi-hadron remainders
        for cur, (qu, qd, ckm, thr) in _CC_CURRENTS.items():
            mu_, md_ = mass_of(qu), mass_of(qd)
            incl = u2 * width_cc_quarks(M, ml, mu_, md_, ckm) * qf
            wgt = matching_weight(M, ml + thr)
            rem = wgt * np.maximum(incl - excl[cur], 0.0)
            if breakdown is not None:
                breakdown[f"{lep} {cur}"] = {"exclusive": excl[cur], "inclusive": incl, "remainder": rem, "weight": wgt}
            out.append(_Spec((lep, qu, f"{qd}_bar"), rem, "CC multi-hadron", _REF_QUARK, msq=msq_cc_quarks,
                             bound=lambda m, ml=ml, mu_=mu_, md_=md_: _vma_bound(m, ml, mu_, md_)))
        # ---------------------------------------------------------- NC multi-hadron remainders
        for cur, (quarks, thr) in _NC_CURRENTS.items():
            parts = {}
            for q in quarks:
                gV, gA = mesons.nc_vector_coupling(q, sw2), mesons.nc_axial_coupling(q)
                gL, gR = 0.5 * (gV + gA), 0.5 * (gV - gA)
                parts[q] = (u2 * width_nc_quarks(M, mass_of(q), gL, gR) * qf, gL, gR)
            incl = sum(p[0] for p in parts.values())
            ex = excl_nc if cur == "light" else np.zeros_like(M)
            wgt = matching_weight(M, thr)
            rem = wgt * np.maximum(incl - ex, 0.0)
            if breakdown is not None:
                breakdown[f"{nu} {cur}"] = {"exclusive": ex, "inclusive": incl, "remainder": rem, "weight": wgt}
            share = np.divide(rem, incl, out=np.zeros_like(M), where=incl > 0)
            for q, (wq, gL, gR) in parts.items():
                mq = mass_of(q)
                out.append(_Spec((nu, q, f"{q}_bar"), share * wq, "NC multi-hadron", _REF_QUARK,
                                 msq=make_msq_nc_quarks(gL, gR, mq),
                                 bound=lambda m, gL=gL, gR=gR, mq=mq: gL**2 * _vma_bound(m, 0.0, mq, mq)
                                 + gR**2 * _vma_bound(m, 0.0, mq, mq) + abs(gL * gR) * mq**2 * m * m))
    return out


def _check_index(c: Couplings, i: int) -> None:
    n = c.params.n_hnl
    if not 0 <= i < n:
        raise ModelError(f"HNL index {i} is out of range: the model has {n} HNL(s)")


def _check_masses(masses) -> np.ndarray:
    M = np.atleast_1d(np.asarray(masses, dtype=float))
    if M.ndim != 1 or not np.all(np.isfinite(M)) or np.any(M <= 0):
        raise ParameterError("HNL masses must be a 1-d array of positive, finite values (GeV)")
    return M


# =================================================================== public API
def widths_grid(c: Couplings, i: int, masses) -> dict[str, np.ndarray]:
    """Width (GeV) of every channel of HNL i on an array of HNL masses (closed channels = 0).

    Keys are channel names (daughters separated by spaces) as in :func:`channels`; for a Majorana
    HNL the charge-conjugate channels are included with the same widths.  Flavours with U = 0 are left out.
    """
    _check_index(c, i)
    M = _check_masses(masses)
    out: dict[str, np.ndarray] = {}
    for sp in _specs(c, i, M):
        out[" ".join(sp.daughters)] = sp.width
        if c.params.majorana:
            out[" ".join(conjugate(d) for d in sp.daughters)] = sp.width
    return out


def hadronic_breakdown(c: Couplings, i: int, masses) -> dict[str, dict[str, np.ndarray]]:
    """Per quark current ('e- ud', 'nu_mu light', ...): exclusive sum, inclusive (QCD-corrected)
    partonic width, multi-hadron remainder and matching weight, on an array of masses (Dirac, GeV)."""
    _check_index(c, i)
    M = _check_masses(masses)
    bd: dict = {}
    _specs(c, i, M, breakdown=bd)
    return bd


def channels(c: Couplings, i: int) -> list[Channel]:
    """Open channels of HNL i (0 = N4) through mixing, with widths in GeV and sampling kinematics.

    Two-body channels carry TwoBody(alpha) (alpha of daughters[0]); three-body channels carry
    ThreeBody(msq) with the polarised |M|^2 of the particle N (docs/decays_mixing.md).  A Majorana HNL
    gets every charge-conjugate channel too (alpha -> -alpha, s -> -s).
    """
    _check_index(c, i)
    m = float(c.params.hnl_masses[i])
    parent = f"N{4 + i}"
    out: list[Channel] = []
    for sp in _specs(c, i, np.array([m])):
        w = float(sp.width[0])
        if not w > 0.0:
            continue
        versions = [(sp.daughters, 1.0)]
        if c.params.majorana:
            versions.append((tuple(conjugate(d) for d in sp.daughters), -1.0))
        for daughters, sign in versions:
            if sp.alpha is not None:
                kin = TwoBody(alpha=sign * float(np.clip(sp.alpha[0], -1.0, 1.0)))
            else:
                f = sp.msq if sign > 0 else _conjugate_msq(sp.msq)
                kin = ThreeBody(msq=f, msq_max=sp.bound(m) if sp.bound is not None else None)
            out.append(Channel(parent=parent, daughters=daughters, width=w, kinematics=kin, reference=sp.reference,
                               group=sp.group, masses=tuple(mass_of(d) for d in daughters)))
    return out
