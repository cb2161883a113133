"""Decays of the axion-like particle 'alp': gamma gamma, l+ l-, and 3 pi through the gluon coupling.

Conventions (docs/dark_matter.md; Bauer, Neubert, Thamm, JHEP 12 (2017) 044, arXiv:1708.00443, "BNT"):

    L = -(g_agg/4) a F Ftilde  -  i g_all a lbar gamma5 l  +  g_s^2 g_agluon a G Gtilde,

so that g_agg = -4 e^2 C_gammagamma^eff/Lambda, g_all = c_ll^eff m_l/Lambda (the chirality flip of the
derivative coupling c_ll/(2 Lambda) d_mu a lbar gamma^mu gamma5 l, BNT eq. 1, on shell) and
g_agluon = C_GG/Lambda.  ``g_agg`` is the effective photon coupling at m_a: the gluon and lepton loop
contributions of BNT eq. 37 are not added (give them in g_agg).

Widths (GeV):

* a -> gamma gamma:  g_agg^2 m_a^3 / (64 pi)                        (BNT eq. 35 with g_agg above)
* a -> l+ l-:        g_all^2 m_a/(8 pi) sqrt(1 - 4 m_l^2/m_a^2)      (BNT eq. 40: m_a m_l^2 |c_ll|^2/(8 pi Lambda^2) beta)
* a -> pi pi pi (leading-order chiral perturbation theory, through the isospin-breaking a-pi0 mixing of
  the gluon coupling; BNT eq. 47, the form quoted by Aloni, Soreq, Williams 1811.03474 for m_a just
  above threshold):

      Gamma(a -> pi^a pi^b pi^0) = (pi/6) m_a m_pi^4 / f_pi^2 [Delta c_ud/(32 pi^2 Lambda)]^2 g_ab(m_pi^2/m_a^2),
      Delta c_ud/Lambda = 32 pi^2 g_agluon (m_d - m_u)/(m_d + m_u)

  with the phase-space functions (normalised to g_ab(0) = 1)

      g_00(r)  = 2/(1-r)^2  int_{4r}^{(1-sqrt r)^2} dz sqrt(1 - 4r/z) lambda^(1/2)(1, z, r),
      g_+-(r)  = 12/(1-r)^2 int_{4r}^{(1-sqrt r)^2} dz sqrt(1 - 4r/z) (z - r)^2 lambda^(1/2)(1, z, r).

  Leading-order chiral perturbation theory breaks down soon above threshold (Di Luzio, Piazza
  2206.04061); above m_a ~ 1 GeV the data-driven rates of 1811.03474 are needed (not in this slice).
  One pion mass (the charged one, as BNT) and f_pi = 130.2 MeV (physics/mesons.py).  Both rates are
  tested against an independent leading-order derivation (docs/dark_matter.md, "a -> 3 pi"):
  M(3 pi0) = (mu^2/f^2) m_a^2/(m_a^2 - m_pi^2), M(pi+ pi- pi0) = (mu^2/f^2)(s_{+-} - m_pi^2)/(m_a^2 - m_pi^2),
  mu^2 = m_pi^2 delta f/(2 f_a), f = f_pi/sqrt2, 1/f_a = 32 pi^2 g_agluon, integrated over the Dalitz
  plot; the (1 - r)^-2 of g_ab is the mixing denominator squared.  The same amplitudes are the
  Dalitz distributions the decay samplers draw (:func:`three_neutral_pion_msq`: flat;
  :func:`charged_three_pion_msq`: (s_{+-} - m_pi^2)^2).
"""

from __future__ import annotations


import numpy as np

from darkbeam import constants as C
from darkbeam.physics.channels import Channel, ThreeBody, TwoBody
from darkbeam.physics.mesons import F_PI

REFERENCE = "Bauer, Neubert, Thamm 1708.00443"


def alp_to_photons(m_a, g_agg):
    """Gamma(a -> gamma gamma) = g_agg^2 m_a^3/(64 pi), GeV (g_agg in GeV^-1)."""
    m_a = np.asarray(m_a, dtype=float)
    return g_agg**2 * m_a**3 / (64.0 * np.pi)


def alp_to_leptons(m_a, g_all, m_l):
    """Gamma(a -> l+ l-) = g_all^2 m_a/(8 pi) sqrt(1 - 4 m_l^2/m_a^2), GeV; 0 below threshold."""
    m_a = np.asarray(m_a, dtype=float)
    b2 = 1.0 - 4.0 * m_l**2 / np.where(m_a > 0, m_a, 1.0) ** 2
    return np.where(b2 > 0, g_all**2 * m_a / (8.0 * np.pi) * np.sqrt(np.clip(b2, 0.0, None)), 0.0)


def _kallen(a, b, c):
    return a * a + b * b + c * c - 2.0 * (a * b + b * c + c * a)


def g_three_pion(r, charged: bool, n: int = 200):
    """The phase-space function g_+-(r) (``charged``) or g_00(r) of the module docstring, for an array of
    r: n-point Gauss-Legendre in z = lo + (hi - lo) sin^2 t, which absorbs the square-root edges at both
    ends (0 where the channel is closed)."""
    r = np.asarray(r, dtype=float)
    x, w = np.polynomial.legendre.leggauss(n)
    lo, hi = 4.0 * r[..., None], (1.0 - np.sqrt(r[..., None])) ** 2
    t = 0.25 * np.pi * (x + 1.0)
    z = lo + (hi - lo) * np.sin(t) ** 2
    jac = (hi - lo) * 2.0 * np.sin(t) * np.cos(t) * 0.25 * np.pi
    rr = r[..., None]
    f = np.sqrt(np.clip(1.0 - 4.0 * rr / z, 0.0, None)) * np.sqrt(np.clip(_kallen(1.0, z, rr), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):  # closed channels (r >= 1/9) are set to 0 below
        if charged:
            out = 12.0 / (1.0 - r) ** 2 * np.sum(w * jac * f * (z - rr) ** 2, axis=-1)
        else:
            out = 2.0 / (1.0 - r) ** 2 * np.sum(w * jac * f, axis=-1)
    return np.where(hi[..., 0] > lo[..., 0], out, 0.0)


def delta_c_ud_over_lambda(g_agluon: float) -> float:
    """Delta c_ud/Lambda = 32 pi^2 g_agluon (m_d - m_u)/(m_d + m_u) in GeV^-1 (module docstring)."""
    return 32.0 * np.pi**2 * g_agluon * (C.M_D - C.M_U) / (C.M_D + C.M_U)


def alp_to_three_pions(m_a, g_agluon: float, charged: bool):
    """Gamma(a -> pi+ pi- pi0) (``charged``) or Gamma(a -> 3 pi0), GeV (module docstring)."""
    m_a = np.asarray(m_a, dtype=float)
    m_pi = C.M_PI
    r = m_pi**2 / np.where(m_a > 0, m_a, 1.0) ** 2
    dc = delta_c_ud_over_lambda(g_agluon)
    w = np.pi / 6.0 * m_a * m_pi**4 / F_PI**2 * (dc / (32.0 * np.pi**2)) ** 2 * g_three_pion(r, charged)
    return np.where(m_a > 3 * m_pi, w, 0.0)


def three_neutral_pion_msq(P, k1, k2, k3, s):
    """|M|^2 of a -> 3 pi0, unnormalised: the leading-order amplitude M(3 pi0) is constant over the
    Dalitz plot (module docstring), so the decay is flat in phase space.  Arrays (n, 4)."""
    return np.ones(np.shape(P)[0])


def charged_three_pion_msq(P, k1, k2, k3, s):
    """|M|^2 of a -> pi+ pi- pi0 (daughters in that order), unnormalised: (s_{+-} - m_pi^2)^2 with
    s_{+-} = (k_{pi+} + k_{pi-})^2, the square of the leading-order amplitude of the module docstring
    (m_pi the charged mass, as in the width).  Arrays (n, 4), metric +---."""
    q = k1 + k2
    s_pm = q[:, 0] ** 2 - q[:, 1] ** 2 - q[:, 2] ** 2 - q[:, 3] ** 2
    return (s_pm - C.M_PI**2) ** 2


def channels(params) -> list[Channel]:
    """Open ALP decay channels with non-zero width (module docstring)."""
    if not params.has_alp:
        return []
    m = float(params.ma)
    out = []
    w = float(alp_to_photons(m, params.g_agg))
    if w > 0:
        out.append(Channel("alp", ("gamma", "gamma"), w, TwoBody(0.0), f"{REFERENCE} eq. 35", "photons", (0.0, 0.0)))
    for f, g in (("e", params.g_aee), ("mu", params.g_amumu)):
        ml = C.M_LEPTON[f]
        w = float(alp_to_leptons(m, g, ml))
        if w > 0:
            out.append(Channel("alp", (f"{f}-", f"{f}+"), w, TwoBody(0.0), f"{REFERENCE} eq. 40", "leptons", (ml, ml)))
    if params.g_agluon:
        for daughters, charged, msq in ((("pi+", "pi-", "pi0"), True, charged_three_pion_msq),
                                        (("pi0", "pi0", "pi0"), False, three_neutral_pion_msq)):
            w = float(alp_to_three_pions(m, params.g_agluon, charged))
            if w > 0:
                masses = tuple(C.M_PI0 if d == "pi0" else C.M_PI for d in daughters)
                out.append(Channel("alp", daughters, w, ThreeBody(msq), f"{REFERENCE} eq. 47", "hadrons", masses))
    return out
