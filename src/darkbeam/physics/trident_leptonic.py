"""The leptonic half of neutrino trident production: nu(k1) + gamma*(q) -> nu(k2) + l1-(p1) + l2+(p2).

Amplitude (photon polarisation epsilon; the hadron current and its charge sit in the hadronic
tensor, trident_hadronic.py):

    M(eps) = (G_F/sqrt2) e J_a  ubar(p1) [ eps-slash S1 Gamma^a + Gamma^a S2 eps-slash ] v(p2),
    J^a = ubar(k2) gamma^a (1 - gamma5) u(k1),   Gamma^a = gamma^a (C_V - C_A gamma5),
    S1 = (p1-slash - q-slash + m1)/D1,  D1 = (p1 - q)^2 - m1^2 = -2 p1.q - Q^2,
    S2 = (q-slash - p2-slash + m2)/D2,  D2 = (q - p2)^2 - m2^2 = -2 p2.q - Q^2,

the two diagrams with the photon on the l1 or on the l2 line of the effective four-fermion vertex
(trident_channels.py; Ballett et al. 1807.10973 fig. 1 and eq. 2.1; Lovseth and Radomiski 1971).
The square is evaluated numerically with explicit Weyl-basis spinors (Peskin-Schroeder conventions,
eq. 3.53: u = (sqrt(p.sigma) xi, sqrt(p.sigmabar) xi), v = (sqrt(p.sigma) eta, -sqrt(p.sigmabar) eta),
sqrt(p.sigma) = (p.sigma + m)/sqrt(2(E+m))), summed over the charged-lepton spins; the neutrino is
left-handed (antineutrino: J -> ubar(k1) gamma^a (1 - gamma5) u(k2), the crossed current, same spin sum).
The couplings enter as |C_V M_V + C_A M_A|^2 = C_V^2 |M_V|^2 + C_A^2 |M_A|^2 + 2 C_V C_A Re M_V M_A*, and the
three pieces are returned separately so that a Z' (a t-dependent C_V) can be applied afterwards.

Frame and variables: the rest frame of k1 + q (invariant mass^2 s_hat), photon along +z, incoming
neutrino along -z.  Polarisations: eps_x, eps_y (transverse) and eps_L = (|q|, 0, 0, q0)/Q.  The
transverse and longitudinal "cross sections" of docs/tridents.md, eq. (T3), are

    L_T = (|M(eps_x)|^2 + |M(eps_y)|^2)/2,   L_L = |M(eps_L)|^2,

integrated over the three-body phase space (the azimuth of the outgoing neutrino about the photon
axis is integrated analytically: a factor 2 pi).  Three-body phase space (PDG kinematics, eq. 49.21,
with the pair l1 l2 of invariant mass m12 as an intermediate system):

    dPhi_3 = dm12^2 dcos(theta_nu) dc dphi * E2 p* / (256 pi^4 sqrt(s_hat) m12),

where E2 is the outgoing-neutrino energy, p* the lepton momentum in the pair rest frame and (c, phi)
the lepton direction there, measured from the photon direction.  The collinear peaks of 1/(D1 D2) are
flattened exactly by c -> y = ln((a2 + c)/(a1 - c)) (D1 ~ (a1 - c), D2 ~ (a2 + c)).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from darkbeam import constants as C


# --------------------------------------------------------------------------- Dirac algebra
class _Slash:
    """p-slash for a (possibly complex) four-vector p = (p0, p1, p2, p3) (contravariant components),
    acting on Weyl spinors stored as 4-tuples: p-slash psi = ((p.sigma) psi_R, (p.sigmabar) psi_L)."""

    __slots__ = ("pm", "pp", "pc", "pcc")

    def __init__(self, p0, p1, p2, p3):
        self.pm, self.pp = p0 - p3, p0 + p3
        self.pc, self.pcc = p1 - 1j * p2, p1 + 1j * p2

    def __call__(self, psi, mass=None):
        a, b, c, d = psi
        r = ((self.pm * c - self.pc * d), (-self.pcc * c + self.pp * d), (self.pp * a + self.pc * b), (self.pcc * a + self.pm * b))
        if mass is not None:
            r = (r[0] + mass * a, r[1] + mass * b, r[2] + mass * c, r[3] + mass * d)
        return r


def _gamma5(psi):
    a, b, c, d = psi
    return (-a, -b, c, d)


def _add(x, y, scale=None):
    if scale is None:
        return tuple(xi + yi for xi, yi in zip(x, y))
    return tuple((xi + yi) * scale for xi, yi in zip(x, y))


def _scale(x, s):
    return tuple(xi * s for xi in x)


def _spinors(p, m, kind):
    """The two u (kind 'u') or v spinors of momentum p = (E, px, py, pz), mass m, spin basis xi = e1, e2."""
    E, px, py, pz = p
    norm = 1.0 / np.sqrt(2.0 * (E + m))
    pm, pp, pc, pcc = E - pz, E + pz, px - 1j * py, px + 1j * py
    # columns of (p.sigma + m) and (p.sigmabar + m)
    up = (((pm + m) * norm, -pcc * norm), (-pc * norm, (pp + m) * norm))
    lo = (((pp + m) * norm, pcc * norm), (pc * norm, (pm + m) * norm))
    sign = 1.0 if kind == "u" else -1.0
    return [(up[s][0], up[s][1], sign * lo[s][0], sign * lo[s][1]) for s in range(2)]


def _ubar_dot(u, psi):
    """ubar psi = u^dagger gamma0 psi (gamma0 swaps the chiral halves)."""
    return np.conj(u[0]) * psi[2] + np.conj(u[1]) * psi[3] + np.conj(u[2]) * psi[0] + np.conj(u[3]) * psi[1]


# --------------------------------------------------------------------------- kinematics
def leptonic_point(s_hat, Q2, u, m1: float, m2: float):
    """Phase-space point of nu gamma* -> nu l1 l2 in the nu-gamma* rest frame from four uniform numbers.

    ``s_hat``, ``Q2``: arrays (GeV^2); ``u``: array (4, n) in [0, 1).  Returns a dict of four-vectors
    (tuples of arrays) k1, k2, q, p1, p2, the propagator denominators D1, D2, the phase-space weight
    (dPhi_3 times the Jacobian, GeV^2; zero outside the physical region) and t = (k1 - k2)^2.
    """
    s_hat = np.asarray(s_hat, dtype=float)
    Q2 = np.asarray(Q2, dtype=float)
    W = np.sqrt(s_hat)
    th = (m1 + m2) ** 2
    E1 = (s_hat + Q2) / (2.0 * W)
    q0 = (s_hat - Q2) / (2.0 * W)
    # pair invariant mass: logarithmic in m12^2 between threshold and s_hat
    lnr = np.log(s_hat / th)
    m12sq = th * np.exp(u[0] * lnr)
    jac = m12sq * lnr
    m12 = np.sqrt(m12sq)
    E2 = (s_hat - m12sq) / (2.0 * W)
    cth = 2.0 * u[1] - 1.0
    jac = jac * 2.0
    sth = np.sqrt(np.maximum(1.0 - cth * cth, 0.0))
    k1 = (E1, 0.0 * E1, 0.0 * E1, -E1)
    k2 = (E2, E2 * sth, 0.0 * E2, E2 * cth)
    q = (q0, 0.0 * q0, 0.0 * q0, E1)
    # pair system X = (W - E2, -k2) and the boost to its rest frame
    X0 = W - E2
    bx, bz = -E2 * sth / X0, -E2 * cth / X0
    gam = X0 / m12

    def to_rest(v):  # boost by -beta
        bp = bx * v[1] + bz * v[3]
        t = gam * (v[0] - bp)
        f = (gam - 1.0) * bp / np.maximum(bx * bx + bz * bz, 1e-300) - gam * v[0]
        return t, v[1] + f * bx, v[2], v[3] + f * bz

    def to_lab(v):  # boost by +beta
        bp = bx * v[1] + bz * v[3]
        t = gam * (v[0] + bp)
        f = (gam - 1.0) * bp / np.maximum(bx * bx + bz * bz, 1e-300) + gam * v[0]
        return t, v[1] + f * bx, v[2] + 0.0 * t, v[3] + f * bz

    qX = to_rest(q)
    qdir = np.sqrt(qX[1] ** 2 + qX[3] ** 2)
    nx, nz = qX[1] / qdir, qX[3] / qdir  # photon direction in the pair frame (in the x-z plane)
    # photon energy and momentum in the pair frame from invariants (no cancellation in the boost):
    # q.X = (s_hat - Q^2)/2 - q.k2,  q.k2 = E2 (E1 (1 - cos) - Q^2/W)
    qk2 = E2 * (E1 * 2.0 * (1.0 - u[1]) - Q2 / W)
    q0X = (0.5 * (s_hat - Q2) - qk2) / m12
    qXabs = np.sqrt(q0X * q0X + Q2)
    lam = np.maximum((m12sq - th) * (m12sq - (m1 - m2) ** 2), 0.0)
    pst = np.sqrt(lam) / (2.0 * m12)
    e1s = (m12sq + m1 * m1 - m2 * m2) / (2.0 * m12)
    e2s = (m12sq + m2 * m2 - m1 * m1) / (2.0 * m12)
    den = 2.0 * pst * qXabs
    a1 = np.maximum((2.0 * e1s * q0X + Q2) / den, 1.0 + 1e-12)
    a2 = np.maximum((2.0 * e2s * q0X + Q2) / den, 1.0 + 1e-12)
    ylo, yhi = np.log((a2 - 1.0) / (a1 + 1.0)), np.log((a2 + 1.0) / (a1 - 1.0))
    y = ylo + u[2] * (yhi - ylo)
    sp, sm = expit(y), expit(-y)
    aa = a1 + a2
    c = a1 * sp - a2 * sm
    one_minus = aa * sm  # a1 - c
    one_plus = aa * sp  # a2 + c
    jac = jac * (yhi - ylo) * one_minus * one_plus / aa
    phi = 2.0 * np.pi * u[3]
    jac = jac * 2.0 * np.pi
    s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
    # direction of l1: c n + s (cos phi e1 + sin phi e2), e1 = n x y-hat (in-plane), e2 = y-hat
    e1x, e1z = -nz, nx
    dx = c * nx + s * np.cos(phi) * e1x
    dy = s * np.sin(phi)
    dz = c * nz + s * np.cos(phi) * e1z
    p1 = to_lab((e1s, pst * dx, pst * dy, pst * dz))
    p2 = to_lab((e2s, -pst * dx, -pst * dy, -pst * dz))
    D1 = -den * one_minus
    D2 = -den * one_plus
    weight = jac * E2 * pst / (256.0 * np.pi**4 * W * m12)
    weight = np.where((lam > 0) & (E2 > 0) & np.isfinite(weight), weight, 0.0)
    t = -2.0 * E1 * E2 * (1.0 + cth)  # (k1 - k2)^2, k1 along -z
    return {"k1": k1, "k2": k2, "q": q, "p1": p1, "p2": p2, "D1": D1, "D2": D2, "weight": weight, "t": t,
            "E1": E1, "E2": E2, "cth": cth, "q0": q0}


# --------------------------------------------------------------------------- matrix element
def neutrino_current(pt, antineutrino: bool):
    """J^a = ubar(k2) gamma^a (1 - gamma5) u(k1) for the left-handed neutrino (k1 along -z, k2 in the
    x-z plane): with helicity spinors chi1 = (-1, 0), chi2 = (-sin(theta/2), cos(theta/2)),
    J = 4 sqrt(E1 E2) (-a2, b2, i b2, a2).  The antineutrino current is its complex conjugate."""
    E1, E2, cth = pt["E1"], pt["E2"], pt["cth"]
    half = np.sqrt(np.maximum(0.5 * (1.0 - cth), 0.0)), np.sqrt(np.maximum(0.5 * (1.0 + cth), 0.0))
    a2, b2 = -half[0], half[1]
    c = 4.0 * np.sqrt(E1 * E2)
    J = (-c * a2 + 0j, c * b2 + 0j, 1j * c * b2, c * a2 + 0j)
    if antineutrino:
        J = tuple(np.conj(x) for x in J)
    return J


def polarisations(pt, Q2):
    """Real photon polarisation vectors eps_x, eps_y, eps_L in the nu-gamma* frame."""
    Q = np.sqrt(Q2)
    z = 0.0 * Q
    q0, qz = pt["q"][0], pt["q"][3]
    return ((z, z + 1.0, z, z), (z, z, z + 1.0, z), (qz / Q, z, z, q0 / Q))


def squared_amplitudes(pt, Q2, m1: float, m2: float, antineutrino: bool = False, eps=None):
    """Spin-summed |M(eps)|^2 pieces at phase-space points ``pt`` (from :func:`leptonic_point`).

    Returns an array (2, 3, n): [T or L][VV, AA, VA] with T = (|M_x|^2 + |M_y|^2)/2, L = |M_L|^2 and
    the coupling structure |C_V M_V + C_A M_A|^2 = C_V^2 VV + C_A^2 AA + 2 C_V C_A VA (GeV^-2 units:
    G_F^2 and the lepton's photon coupling e^2 included; the target's charge is in the hadronic tensor).
    With ``eps`` (a list of real four-vectors, tuples of arrays): the array (len(eps), 3, n) of
    |M(eps_i)|^2 pieces instead (used by the tests to check the T/L decomposition).
    """
    J = _Slash(*neutrino_current(pt, antineutrino))
    q, p1, p2 = pt["q"], pt["p1"], pt["p2"]
    S1 = _Slash(*(p1[i] - q[i] for i in range(4)))
    S2 = _Slash(*(q[i] - p2[i] for i in range(4)))
    inv1, inv2 = 1.0 / pt["D1"], 1.0 / pt["D2"]
    custom = eps is not None
    eps = [_Slash(*e) for e in (eps if custom else polarisations(pt, Q2))]
    ubars = _spinors(p1, m1, "u")
    vs = _spinors(p2, m2, "v")
    n = np.shape(pt["D1"])[0]
    acc = np.zeros((len(eps), 3, n))  # [x, y, L][VV, AA, VA]
    for v in vs:
        s1J = _scale(S1(J(v), m1), inv1)  # S1 J v
        s1Jg5 = _scale(S1(J(_gamma5(v)), m1), inv1)  # S1 J gamma5 v
        for ie, e in enumerate(eps):
            s2e = _scale(S2(e(v), m2), inv2)  # S2 eps v
            OV = _add(e(s1J), J(s2e))
            OA = _scale(_add(e(s1Jg5), J(_gamma5(s2e))), -1.0)
            for ub in ubars:
                aV, aA = _ubar_dot(ub, OV), _ubar_dot(ub, OA)
                acc[ie, 0] += aV.real**2 + aV.imag**2
                acc[ie, 1] += aA.real**2 + aA.imag**2
                acc[ie, 2] += (aV * np.conj(aA)).real
    pref = 0.5 * C.G_F**2 * 4.0 * np.pi * C.ALPHA_EM  # (G_F/sqrt2)^2 e^2
    if custom:
        return pref * acc
    return pref * np.stack([0.5 * (acc[0] + acc[1]), acc[2]])
