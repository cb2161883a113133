"""Decays of the Z' / dark photon: l+ l-, hadrons, nu nubar, N N and nu N.

All two-fermion widths come from one kernel (docs/decays_dark.md eq. V1): for V(m) -> f1(m1) fbar2(m2)
with vertex ubar_1 gamma^mu (a P_L + b P_R) v_2 eps_mu, averaged over the three V polarisations,

    Gamma = k / (24 pi m^2) [ (|a|^2 + |b|^2) (2 k1.k2 + 4 (k1.q)(k2.q)/m^2) + 12 m1 m2 Re(a b*) ],

times N_c for quarks and 1/2 for identical Majorana fermions.  For L ⊃ V fbar gamma (gV - gA gamma5) f
(a = gV + gA, b = gV - gA, m1 = m2) this is the textbook
Gamma = m/(12 pi) beta [gV^2 (1 + 2r) + gA^2 (1 - 4r)], r = m_f^2/m^2, and for a kinetically mixed
dark photon Gamma(A' -> l+ l-) = alpha eps^2 m/3 (1 + 2r) sqrt(1 - 4r) (0906.0580).

Channels (couplings from :class:`darkbeam.models.couplings.Couplings`):

* e- e+, mu- mu+, tau- tau+: Couplings.zprime_fermion (vector and axial, full mass dependence);
* hadrons: (alpha m/3) R_V(m) from :mod:`darkbeam.physics.r_ratio` (vector-meson dominance with
  excited vectors below 2 GeV, perturbative QCD above), split into exclusive final states (pi+ pi-,
  pi+ pi- pi0, pi0 gamma, K+ K-, K0_L K0_S, eta gamma), the multi-hadron states (4 pi, K K pi, ...)
  emitted as quark pairs of their flavour, and quark pairs above 2 GeV, with the quark couplings of
  Couplings.zprime_fermion (B-L and Z-like admixtures included; a coherent sum over the rho, omega and
  phi families, so interference follows the couplings);
* nu_a nu_b_bar: g_ab = g_L(nu_a) delta_ab + g_D cos(beta) (U D U^T)_ab, where g_L = gV + gA of
  Couplings.zprime_fermion (kinetic mixing through the Z, L_mu-L_tau, B-L) and the second term is the
  dark-current coupling that light neutrinos inherit through their mixing with the HNLs (to leading
  order in U; docs/decays_dark.md);
* N_i N_j and nu_a N_i when open: d_heavy, d_light_heavy with the chiral structure of
  :mod:`darkbeam.physics.hnl_dark` (Dirac: N_i N_j_bar and N_j N_i_bar; Majorana: N_i N_j with vertex
  (d, -d*), and N_i N_i with vertex (d, -d) and a factor 1/2).

* chi chi-bar (light dark matter, unit dark charge, coupling g_D cos(beta) of the Z' mass eigenstate
  to the dark current, docs/dark_matter.md): a Dirac chi through the vector kernel V1 with a = b =
  g_D cos(beta), i.e. Gamma = alpha_D' m/3 (1 + 2r) sqrt(1 - 4r); a complex scalar chi through
  :func:`vector_to_scalars`, Gamma = alpha_D' m/12 (1 - 4r)^(3/2), r = m_chi^2/m^2, alpha_D' =
  (g_D cos beta)^2/(4 pi) (e.g. Batell, deNiverville, McKeen, Pospelov, Ritz 1405.7049 and de Romeri,
  Kelly, Machado 1903.10505 sec. 2).  chi is invisible (events/visibility.py: a new-particle code).

Kinematics: TwoBody(alpha=0) (the Z' polarisation is not tracked), ThreeBody for pi+ pi- pi0 with the
vector -> 3 pseudoscalar matrix element |eps_{mu nu rho sigma} eps^mu k1^nu k2^rho k3^sigma|^2
summed over polarisations, i.e. the Gram determinant of (P, k1, k2).
"""

from __future__ import annotations

import numpy as np

from darkbeam import constants as C
from darkbeam.models.couplings import Couplings
from darkbeam.physics import r_ratio
from darkbeam.physics.channels import Channel, ThreeBody, TwoBody
from darkbeam.physics.hnl_dark import two_body_momentum
from darkbeam.physics.particles import hnl_label

FLAVOURS = ("e", "mu", "tau")
REFERENCE = "docs/decays_dark.md"
_QUARKS = ("u", "d", "s", "c", "b")  # top pairs (m > 345 GeV) are outside darkbeam's range
_HADRON_MASS = {"pi+": C.M_PI, "pi-": C.M_PI, "pi0": C.M_PI0, "K+": C.M_K, "K-": C.M_K, "K0_L": C.M_K0, "K0_S": C.M_K0,
                "eta": C.M_ETA, "gamma": 0.0, "u": C.M_U, "u_bar": C.M_U, "d": C.M_D, "d_bar": C.M_D, "s": C.M_S,
                "s_bar": C.M_S, "c": C.M_C, "c_bar": C.M_C, "b": C.M_B, "b_bar": C.M_B, "t": C.M_T, "t_bar": C.M_T}


# ----------------------------------------------------------------------- kernels
def vector_to_fermions(m, m1, m2, a, b, *, n_c: int = 1, identical: bool = False):
    """Width (GeV) of V(m) -> f1(m1) fbar2(m2), vertex ubar_1 gamma^mu (a P_L + b P_R) v_2 (eq. V1).

    ``m`` may be an array; closed channels give 0.  ``identical``: two identical Majorana fermions
    (factor 1/2 of phase space).
    """
    m = np.asarray(m, dtype=float)
    k = two_body_momentum(m, m1, m2)
    aa, bb = np.abs(a) ** 2, np.abs(b) ** 2
    re_ab = np.real(np.asarray(a) * np.conj(b))
    ms = np.where(m > 0, m, 1.0)
    q2 = ms**2
    k1k2 = (q2 - m1**2 - m2**2) / 2.0
    k1q = (q2 + m1**2 - m2**2) / 2.0
    k2q = (q2 - m1**2 + m2**2) / 2.0
    S = (aa + bb) * (2.0 * k1k2 + 4.0 * k1q * k2q / q2) + 12.0 * m1 * m2 * re_ab
    w = np.where(k > 0, n_c * k / (24.0 * np.pi * q2) * S, 0.0)
    if identical:
        w = 0.5 * w
    return np.clip(w, 0.0, None)


def vector_to_scalars(m, m_s, g):
    """Width (GeV) of V(m) -> S S* for a complex scalar of mass m_s with vertex g (k_S - k_S*)^mu:
    g^2 m/(48 pi) (1 - 4 m_s^2/m^2)^(3/2) (the P-wave analogue of eq. V1; docs/dark_matter.md)."""
    m = np.asarray(m, dtype=float)
    ms_ = np.where(m > 0, m, 1.0)
    b2 = np.clip(1.0 - 4.0 * m_s**2 / ms_**2, 0.0, None)
    return np.where(m > 2 * m_s, np.abs(g) ** 2 * m / (48.0 * np.pi) * b2**1.5, 0.0)


def dark_matter_width(c: Couplings, m=None):
    """Width (GeV) of Z' -> chi chi-bar (fermion or scalar by ``dm_type``) at Z' mass(es) m
    (default: mzprime); 0 without chi or below threshold."""
    p = c.params
    m = p.mzprime if m is None else m
    if p.mchi is None:
        return np.zeros_like(np.asarray(m, dtype=float))
    g = c.gD * np.cos(c.beta)
    if p.dm_type == "scalar":
        return vector_to_scalars(m, p.mchi, g)
    return vector_to_fermions(m, p.mchi, p.mchi, g, g)


def dark_photon_to_leptons(m, eps, m_l):
    """Closed form alpha eps^2 m/3 (1 + 2r) sqrt(1 - 4r), r = m_l^2/m^2 (0906.0580), GeV."""
    m = np.asarray(m, dtype=float)
    r = m_l**2 / np.where(m > 0, m, 1.0) ** 2
    return np.where(m > 2 * m_l, C.ALPHA_EM * eps**2 * m / 3.0 * (1 + 2 * r) * np.sqrt(np.clip(1 - 4 * r, 0, None)), 0.0)


def vector_to_three_pseudoscalars_msq(P, k1, k2, k3, s):
    """|M|^2 of V -> P1 P2 P3 through eps_{mu nu rho sigma} eps^mu k1^nu k2^rho k3^sigma (unnormalised).

    Summed over the V polarisations this is the Gram determinant of (P, k1, k2) = M^2 |p1 x p2|^2 in
    the rest frame (docs/decays_dark.md eq. V3).  Arrays of shape (n, 4), metric +---; the spin
    four-vector ``s`` is ignored (the Z' polarisation is not tracked).
    """

    def dot(x, y):
        return x[:, 0] * y[:, 0] - x[:, 1] * y[:, 1] - x[:, 2] * y[:, 2] - x[:, 3] * y[:, 3]

    g11, g12, g13 = dot(P, P), dot(P, k1), dot(P, k2)
    g22, g23, g33 = dot(k1, k1), dot(k1, k2), dot(k2, k2)
    gram = g11 * (g22 * g33 - g23**2) - g12 * (g12 * g33 - g23 * g13) + g13 * (g12 * g23 - g22 * g13)
    return np.clip(gram, 0.0, None)


# ----------------------------------------------------------------------- couplings
def neutrino_couplings(c: Couplings) -> np.ndarray:
    """Z' coupling matrix g_ab of nubar_a gamma^mu P_L nu_b between light flavours (module docstring)."""
    gl = np.array([c.zprime_fermion(f"nu_{f}").gL for f in FLAVOURS])
    g = np.diag(gl).astype(float)
    if c.params.n_hnl:
        UUD = c.U @ c.UD  # (U U_D)_a
        g = g + c.gD * np.cos(c.beta) * np.outer(UUD, UUD)
    return g


def _specs(c: Couplings) -> list[tuple]:
    """(daughters, m1, m2, a, b, n_c, identical, eq) for every non-hadronic Z' channel."""
    p = c.params
    out = []
    for f in FLAVOURS:
        cf = c.zprime_fermion(f)
        ml = C.M_LEPTON[f]
        out.append(((f"{f}-", f"{f}+"), ml, ml, cf.gL, cf.gR, 1, False, "V1"))
    g = neutrino_couplings(c)
    for a_, fa in enumerate(FLAVOURS):
        for b_, fb in enumerate(FLAVOURS):
            if g[a_, b_] != 0.0:
                out.append(((f"nu_{fa}", f"nu_{fb}_bar"), 0.0, 0.0, g[a_, b_], 0.0, 1, False, "V1"))
    if p.n_hnl:
        ms = p.hnl_masses
        dlh, dhh = c.d_light_heavy, c.d_heavy
        for i in range(p.n_hnl):
            Ni = hnl_label(i)
            for a_, fa in enumerate(FLAVOURS):
                d = dlh[a_, i]
                if d == 0.0:
                    continue
                if p.majorana:
                    out.append(((f"nu_{fa}", Ni), 0.0, ms[i], d, 0.0, 1, False, "V1"))
                    out.append(((Ni, f"nu_{fa}_bar"), ms[i], 0.0, np.conj(d), 0.0, 1, False, "V1"))
                else:
                    out.append(((f"nu_{fa}", Ni + "_bar"), 0.0, ms[i], d, 0.0, 1, False, "V1"))
                    out.append(((Ni, f"nu_{fa}_bar"), ms[i], 0.0, np.conj(d), 0.0, 1, False, "V1"))
            for j in range(i, p.n_hnl):
                d = dhh[i, j]
                if d == 0.0:
                    continue
                Nj = hnl_label(j)
                if p.majorana:
                    out.append(((Ni, Nj), ms[i], ms[j], d, -np.conj(d), 1, i == j, "V1"))
                elif i == j:
                    out.append(((Ni, Ni + "_bar"), ms[i], ms[i], d, 0.0, 1, False, "V1"))
                else:
                    out.append(((Ni, Nj + "_bar"), ms[i], ms[j], d, 0.0, 1, False, "V1"))
                    out.append(((Nj, Ni + "_bar"), ms[j], ms[i], np.conj(d), 0.0, 1, False, "V1"))
    return out


def _quark_couplings(c: Couplings) -> tuple[dict, dict]:
    e = C.E_CHARGE
    gv, ga = {}, {}
    for q in _QUARKS:
        cq = c.zprime_fermion(q)
        gv[q], ga[q] = cq.gV / e, cq.gA / e
    return gv, ga


def hadronic_widths(c: Couplings, m) -> dict[tuple, np.ndarray]:
    """Hadronic partial widths (GeV) by final state at Z' mass(es) m, through the R ratio."""
    gv, ga = _quark_couplings(c)
    m = np.asarray(m, dtype=float)
    rch = r_ratio.hadronic_r_channels(m, gv, ga)
    return {f: C.ALPHA_EM * m / 3.0 * r for f, r in rch.items()}


# ----------------------------------------------------------------------- public API
def channels(c: Couplings) -> list[Channel]:
    """Open decay channels of the Z' with non-zero width (module docstring)."""
    p = c.params
    if not p.has_zprime:
        return []
    m = float(p.mzprime)
    out = []
    for daughters, m1, m2, a, b, nc, ident, eq in _specs(c):
        w = float(vector_to_fermions(m, m1, m2, a, b, n_c=nc, identical=ident))
        if w > 0.0:
            out.append(Channel("zprime", daughters, w, TwoBody(0.0), f"{REFERENCE} eq. {eq}", "zprime", (m1, m2)))
    if p.has_dm:
        w = float(dark_matter_width(c, m))
        if w > 0.0:
            lab = p.dm_label
            out.append(Channel("zprime", (lab, lab + "_bar"), w, TwoBody(0.0),
                               "docs/dark_matter.md eq. DM1" if p.dm_type == "fermion" else "docs/dark_matter.md eq. DM2",
                               "dark matter", (p.mchi, p.mchi)))
    # below the lightest hadronic state (pi0 gamma) every hadronic width vanishes: skip the R ratio
    hadrons = hadronic_widths(c, m).items() if m > C.M_PI0 else ()
    for f, w in hadrons:
        w = float(w)
        if w <= 0.0:
            continue
        masses = tuple(_HADRON_MASS[d] for d in f)
        if len(f) == 3:
            kin = ThreeBody(vector_to_three_pseudoscalars_msq)
            ref = f"{REFERENCE} eq. V3 (R ratio, r_ratio.py)"
        else:
            kin = TwoBody(0.0)
            ref = f"{REFERENCE} eq. V2 (R ratio, r_ratio.py)"
        out.append(Channel("zprime", tuple(f), w, kin, ref, "hadrons", masses))
    return out


def widths_grid(c: Couplings, masses) -> dict[str, np.ndarray]:
    """Width (GeV) of every Z' channel on an array of Z' masses (couplings of ``c``); closed = 0."""
    m = np.asarray(masses, dtype=float)
    out: dict[str, np.ndarray] = {}
    for daughters, m1, m2, a, b, nc, ident, _ in _specs(c):
        out[" ".join(daughters)] = vector_to_fermions(m, m1, m2, a, b, n_c=nc, identical=ident)
    if c.params.has_dm:
        lab = c.params.dm_label
        out[f"{lab} {lab}_bar"] = dark_matter_width(c, m)
    for f, w in hadronic_widths(c, m).items():
        out[" ".join(f)] = np.asarray(w, dtype=float)
    return out
