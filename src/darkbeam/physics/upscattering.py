"""Neutrino upscattering nu_alpha (nubar_alpha) + T -> N_i (Nbar_i) + T: differential cross sections.

Exchanges: the Z (through the HNL mixing), a Z' (kinetic/mass mixing and dark coupling, any mass, with
Z-Z' interference), a scalar h', the photon through a transition magnetic moment (dipole), and for
nu_e on electrons the W (charged current, Fierzed): every interference term is kept.  Targets: a
spin-0 nucleus (coherent), a spin-1/2 nucleon (elastic on p or n) and an electron.  The formulas and
their derivation are in docs/xsec.md; the physics follows Bertuzzo et al. 1807.09877, Ballett et al.
1808.02915, Magill et al. 1803.03262 (dipole) and the DarkNews paper 2207.04137 (app. A).

Amplitude (neutrino, momenta nu(k1) + T(k2) -> N(k3) + T(k4), q = k1 - k3, t = q^2 = -Q^2):

    M = ubar3 gamma^mu P_L u1 V_mu + ubar3 i sigma^{mu a} q_a P_L u1 T_mu + ubar3 P_L u1 S,

    spin-1/2 target:  V_mu = ubar4 [v1 gamma_mu + v2 i sigma_{mu b} q^b/(2M) + v3 gamma_mu gamma5 + v4 q_mu gamma5/M] u2
                      T_mu = ubar4 [w1 gamma_mu + w2 i sigma_{mu b} q^b/(2M)] u2,   S = s1 ubar4 u2
    spin-0 nucleus:   V_mu = v1 (k2 + k4)_mu,  T_mu = w1 (k2 + k4)_mu,  S = 2 M s1.

The coefficients collect the exchanges (couplings of darkbeam.models.couplings: L ⊃ V fbar gamma
(gV - gA gamma5) f, L ⊃ g V Nbar gamma P_L nu, L = (mu_tr/2) nubar sigma N F + h.c., L = -y h' nubar N
+ h.c., L_EM = -e A J_EM):  v_i = sum_V g_V J_V,i / (t - m_V^2) (unitary-gauge q^mu q^nu/m_V^2 term
included in v4), w_i = e mu_tr J_EM,i / t, s1 = y y_T F_S / (Q^2 + m_h^2).

|M|^2 for a definite N helicity h is sum_{a<=b} c_a c_b (U_ab + h P_ab), with the kernels U, P below:
polynomials in the invariants k12 = k1.k2, k13 = k1.k3, k23 = k2.k3 and in a1 = k1.nbar/(E3 + p3),
a2 = k2.nbar/(E3 + p3), where the helicity vector of N is s = k3/m - m nbar/(E3 + p3), nbar = (1, -p3_hat),
in the chosen frame (lab = target rest frame by default; 'cm' is DarkNews's choice).  They were
obtained by Dirac traces (docs/xsec.md) and are checked against an explicit spinor computation in
tests/test_upscattering.py.  The antineutrino amplitude (vbar1 [gamma P_L, i sigma q P_R, P_R] v3)
equals the neutrino one with h -> -h and (v3, v4, s1) -> -(v3, v4, s1) (parity; proven by the traces
and tested): the vector-axial interference flips sign.  For a massless incoming neutrino of definite
helicity the Majorana and Dirac N amplitudes are identical (the extra Majorana term needs the other
neutrino helicity), so the HNL type does not enter here.

Units: GeV, GeV^2; cross sections in cm^2 (per target particle: one nucleus, nucleon or electron).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError, ModelError
from darkbeam.physics.form_factors import NuclearFormFactors, NucleonFormFactors
from darkbeam.units import HBARC2_GEV2_CM2

# ====================================================================== kinematics
def threshold_energy(m: float, M: float) -> float:
    """Lowest projectile energy (GeV, target at rest) for nu + T -> N + T: E_th = m + m^2/(2M)."""
    return m + m * m / (2.0 * M)


def Q2_limits(E, m: float, M: float) -> tuple[np.ndarray, np.ndarray]:
    """(Q2_min, Q2_max) in GeV^2 for a massless projectile of lab energy E on a target of mass M.

    With s = M^2 + 2ME, lambda = lambda(s, m^2, M^2), A = s - M^2 - m^2 + sqrt(lambda) and
    B = s - M^2 + m^2 + sqrt(lambda):  Q2_min = 4 M^2 m^4 / (A B),  Q2_max = A B / (4 s)
    (free of cancellations; Q2_min Q2_max = m^4 M^2 / s; derivation in docs/xsec.md).  Below threshold
    both are NaN.
    """
    E = np.asarray(E, dtype=float)
    # s - M^2 = 2ME written out: s - M^2 in floating point loses digits when E << M
    two_ME = 2.0 * M * E
    s = M * M + two_ME
    t = two_ME - m * m
    lam = (t - 2.0 * m * M) * (t + 2.0 * m * M)
    ok = (lam >= 0.0) & (E > 0.0)
    if E.ndim and ok.all():  # every E above threshold (the generator's points): the same numbers, no masks
        r = np.sqrt(lam)
        AB = (t + r) * (two_ME + m * m + r)
        with np.errstate(divide="ignore"):
            return 4.0 * M * M * m**4 / AB, AB / (4.0 * s)
    r = np.sqrt(np.where(ok, lam, 0.0))
    A = t + r
    B = two_ME + m * m + r
    with np.errstate(divide="ignore", invalid="ignore"):
        qmin = np.where(ok, 4.0 * M * M * m**4 / np.where(ok, A * B, 1.0), np.nan)
        qmax = np.where(ok, A * B / (4.0 * s), np.nan)
    return qmin, qmax


def helicity_projections(E, Q2, m: float, M: float, frame: str = "lab") -> tuple[np.ndarray, np.ndarray]:
    """(a1, a2) = (k1.nbar, k2.nbar) / (E3 + p3) in the frame where N's helicity is defined.

    frame 'lab': the target rest frame (what a detector sees; the decay of N uses this helicity);
    frame 'cm': the centre-of-momentum frame (DarkNews's definition).  Closed forms in docs/xsec.md.
    """
    E = np.asarray(E, dtype=float)
    Q2 = np.asarray(Q2, dtype=float)
    if frame == "lab":
        E3 = E - Q2 / (2.0 * M)
        p3 = np.sqrt(np.maximum(E3 * E3 - m * m, 0.0))
        # p3 cos(theta) = E3 - (m^2 + Q^2)/(2E);  k1.nbar = E (1 + cos(theta))
        k1n = E + (E * E3 - 0.5 * (m * m + Q2)) / np.where(p3 > 0, p3, 1.0)
        k1n = np.clip(k1n, 0.0, 2.0 * E)
        k2n = M + 0.0 * E3
    elif frame == "cm":
        s = M * M + 2.0 * M * E
        rs = np.sqrt(s)
        p1 = (s - M * M) / (2.0 * rs)
        E2 = (s + M * M) / (2.0 * rs)
        E3 = (s + m * m - M * M) / (2.0 * rs)
        p3 = np.sqrt(np.maximum(E3 * E3 - m * m, 0.0))
        cos = np.clip((2.0 * p1 * E3 - m * m - Q2) / (2.0 * p1 * np.where(p3 > 0, p3, 1.0)), -1.0, 1.0)
        k1n = p1 * (1.0 + cos)
        k2n = E2 - p1 * cos
    else:
        raise ConfigurationError(f"unknown helicity frame '{frame}' (choose 'lab' or 'cm')")
    den = E3 + p3
    return k1n / den, k2n / den


# ====================================================================== vertices
#: nucleon scalar (Higgs-portal) form factor f_N = 2/9 + 7/9 (f_u + f_d + f_s), from the sigma terms
#: sigma_l = 58 MeV, sigma_0 = 55 MeV and the isospin-breaking ratio z = 1.49 (the inputs DarkNews uses,
#: model.py, following Crivellin, Hoferichter, Procura 1312.4951 / 1306.4710), PDG 2024 quark masses.
SIGMA_L = 0.058
SIGMA_0 = 0.055
Z_ISOSPIN = 1.49


def nucleon_higgs_form_factor() -> float:
    """f_N such that the h'-nucleon Yukawa is sin(theta) f_N m_N / v (Shifman-Vainshtein-Zakharov)."""
    y = 1.0 - SIGMA_0 / SIGMA_L
    z = Z_ISOSPIN
    pref = SIGMA_L / C.M_NUCLEON / (C.M_U + C.M_D)
    fu = pref * C.M_U * (2.0 * z + y * (1.0 - z)) / (1.0 + z)
    fd = pref * C.M_D * (2.0 - y * (1.0 - z)) / (1.0 + z)
    fs = pref * C.M_S * y
    return 2.0 / 9.0 + 7.0 / 9.0 * (fu + fd + fs)


@dataclass(frozen=True)
class VectorExchange:
    """A vector boson V exchanged in the t channel.

    ``lepton``: g in L ⊃ g V_mu Nbar gamma^mu P_L nu_alpha + h.c.; ``gV``, ``gA``: target couplings
    L ⊃ V_mu fbar gamma^mu (gV - gA gamma5) f for f = 'u', 'd', 'e'.  On nucleons only the isovector
    axial combination gA_u - gA_d enters (the isoscalar one, gA_u + gA_d, multiplies the poorly known
    Delta u + Delta d + Delta s and is zero for the Z and every Z' of darkbeam's models).
    """

    name: str
    mass: float
    lepton: float
    gV: dict = field(default_factory=dict)
    gA: dict = field(default_factory=dict)

    def nucleon_vector(self) -> tuple[float, float]:
        """(gV_p, gV_n) = (2 gV_u + gV_d, gV_u + 2 gV_d): coherent vector charges per proton, neutron."""
        u, d = self.gV.get("u", 0.0), self.gV.get("d", 0.0)
        return 2.0 * u + d, u + 2.0 * d

    @classmethod
    def from_nucleon_charges(cls, name: str, mass: float, lepton: float, gV_p: float, gV_n: float, gV_e: float = 0.0,
                             gA: dict | None = None) -> "VectorExchange":
        """Build from proton/neutron vector charges (u = (2p - n)/3, d = (2n - p)/3), e.g. DarkNews's."""
        gV = {"u": (2.0 * gV_p - gV_n) / 3.0, "d": (2.0 * gV_n - gV_p) / 3.0, "e": gV_e}
        return cls(name, mass, lepton, gV, dict(gA or {}))


@dataclass(frozen=True)
class ScalarExchange:
    """A scalar exchanged in the t channel: L = -y h' Nbar P_L nu - sum_T y_T h' Tbar T (+ h.c.)."""

    name: str
    mass: float
    lepton: float
    yukawa: dict = field(default_factory=dict)  # keys 'p', 'n', 'e'


@dataclass(frozen=True)
class Vertices:
    """Everything the upscattering amplitude nu_alpha -> N_i needs, in GeV units.

    ``mu_tr``: transition magnetic moment in GeV^-1 (vertex mu_tr sigma^{mu nu} q_nu P_L);
    ``cc``: the Fierzed W exchange on electrons (nu_e only; 0 otherwise) adds cc / (M_W^2 - q_W^2) to the
    coefficient of (Nbar gamma^mu P_L nu)(ebar gamma_mu P_L e) in the amplitude; with a Z lepton
    coupling of sign +(g/2c_W) U (darkbeam's) the SM needs cc = -(g^2/2) U_{e i}.
    """

    m_hnl: float
    vectors: tuple = ()
    scalars: tuple = ()
    mu_tr: float = 0.0
    cc: float = 0.0
    m_W: float = C.M_W

    @property
    def couples(self) -> bool:
        """Whether any coupling of the lepton line (``lepton`` of an exchange, ``mu_tr``, ``cc``) is
        non-zero.  Every coefficient of the amplitude (the targets' ``coefficients``) carries one of them
        as a factor, so without any d sigma/dQ^2 vanishes identically."""
        return bool(any(v.lepton for v in self.vectors) or any(s.lepton for s in self.scalars) or self.mu_tr
                    or self.cc)


def vertices(c, flavour: int, hnl: int) -> Vertices:
    """The :class:`Vertices` of nu_flavour -> N_(4+hnl) for a :class:`~darkbeam.models.couplings.Couplings`.

    Nucleon couplings that Couplings does not provide are built here from the quark couplings: the
    Z/Z' nucleon vector charges (2u + d, u + 2d), the isovector axial coupling (gA_u - gA_d)/2 times
    G_A (the isoscalar and strange axial parts vanish for every Z' of the model: its axial couplings
    come from mixing with the Z and are proportional to T3), and the h'-nucleon Yukawa
    sin(theta) f_N m_N / v (:func:`nucleon_higgs_form_factor`).
    """
    p = c.params
    masses = p.hnl_masses
    if hnl < 0 or hnl >= len(masses):
        raise ModelError(f"the model has no N{4 + hnl} (set m{4 + hnl})")
    fermions = ("u", "d", "e")
    vecs = []
    z = {f: c.z_fermion(f) for f in fermions}
    vecs.append(VectorExchange("Z", C.M_Z, float(c.c_light_heavy[flavour, hnl]), {f: z[f].gV for f in fermions}, {f: z[f].gA for f in fermions}))
    if p.has_zprime:
        zp = {f: c.zprime_fermion(f) for f in fermions}
        vecs.append(VectorExchange("Z'", float(p.mzprime), float(c.d_light_heavy[flavour, hnl]), {f: zp[f].gV for f in fermions}, {f: zp[f].gA for f in fermions}))
    scal = []
    if p.has_hprime:
        yN = np.sin(p.theta) * nucleon_higgs_form_factor() * C.M_NUCLEON / C.VEV
        scal.append(ScalarExchange("h'", float(p.mhprime), float(c.s_light_heavy[flavour, hnl]), {"p": yN, "n": yN, "e": c.hprime_fermion("e")}))
    # W exchange (nu_e only): with the Z coupling c = +(g/2c_W) U of the active part (the sign of
    # Couplings), the SM limit (U = 1, m_N = 0) has g_L -> g_L + 1 in nu_e e if the Fierzed W term is
    # -(g^2/2) U / (M_W^2 - q_W^2); it follows the sign of the active part (Couplings.darknews_signs).
    active_sign = -1.0 if getattr(c, "darknews_signs", False) else 1.0
    cc = -0.5 * c.g_weak**2 * float(c.U[0, hnl]) * active_sign if flavour == 0 else 0.0
    return Vertices(m_hnl=float(masses[hnl]), vectors=tuple(vecs), scalars=tuple(scal), mu_tr=float(c.mu_tr_light_heavy[flavour, hnl]), cc=cc)


# ====================================================================== targets
class _Target:
    spin: float
    mass: float

    def coefficients(self, vx: Vertices, E, Q2, antineutrino: bool) -> dict:
        raise NotImplementedError


def _nonzero(val) -> bool:
    """``np.any(val != 0.0)`` without the temporary array (NaN counts as non-zero in both)."""
    return bool(val.any()) if isinstance(val, np.ndarray) else bool(np.any(val != 0.0))


def _unitary(v: VectorExchange, a3, a4, M: float, Q2):
    """a4 + the q^mu q^nu / m_V^2 part of the massive propagator: a4 - (2 M^2 a3 - a4 Q^2)/m_V^2."""
    return a4 - (2.0 * M * M * a3 - a4 * Q2) / v.mass**2


class CoherentTarget(_Target):
    """A nucleus as a whole: vector, dipole and scalar charges with nuclear form factors.

    ``spin`` 0 (default): the current of a spin-0 nucleus, F (k2 + k4)^mu, right for the even-even
    targets and, up to spin-dependent terms that are not coherent, for all.  ``spin`` 0.5 treats the
    nucleus as a point-like Dirac fermion with F1 = F (DarkNews's choice): the same to O(Q^2/M^2) in
    the helicity-conserving rates, but its Dirac magnetic moment adds helicity flips (0.7% of the
    flipping cross section for C12 with a 30 MeV Z'; docs/xsec_vs_darknews.md).
    """

    def __init__(self, nucleus, form_factors: NuclearFormFactors, spin: float = 0.0):
        if spin not in (0.0, 0.5):
            raise ConfigurationError(f"coherent nucleus spin must be 0 or 0.5, not {spin}")
        self.nucleus = nucleus
        self.mass = nucleus.mass
        self.ff = form_factors
        self.spin = float(spin)

    def coefficients(self, vx, E, Q2, antineutrino):
        Z, N = self.nucleus.Z, self.nucleus.N
        Fp = self.ff.charge(Q2)
        Fn = self.ff.neutron(Q2) if self.ff.neutron_kind != self.ff.charge_kind else Fp
        out = {}
        v1 = 0.0
        for v in vx.vectors:
            if v.lepton:
                gp, gn = v.nucleon_vector()
                v1 = v1 - v.lepton * (Z * gp * Fp + N * gn * Fn) / (Q2 + v.mass**2)
        if _nonzero(v1):
            out["v1"] = v1
        if vx.mu_tr:
            out["w1"] = -C.E_CHARGE * vx.mu_tr * Z * Fp / Q2
        s1 = 0.0
        for sc in vx.scalars:
            if sc.lepton:
                s1 = s1 + sc.lepton * (Z * sc.yukawa.get("p", 0.0) * Fp + N * sc.yukawa.get("n", 0.0) * Fn) / (Q2 + sc.mass**2)
        if _nonzero(s1):
            out["s1"] = s1
        return out


class NucleonTarget(_Target):
    """A proton or neutron (free, or bound and treated as free: impulse approximation)."""

    spin = 0.5

    def __init__(self, kind: str, form_factors: NucleonFormFactors):
        if kind not in ("p", "n"):
            raise ConfigurationError(f"nucleon kind must be 'p' or 'n', not '{kind}'")
        self.kind = kind
        self.mass = C.M_PROTON if kind == "p" else C.M_NEUTRON
        self.ff = form_factors

    def coefficients(self, vx, E, Q2, antineutrino):
        M = self.mass
        F1p, F2p, F1n, F2n = self.ff.dirac_pauli(Q2, M)
        if self.kind == "p":
            tau3, F1u, F1d, F2u, F2d, F1g, F2g = 1.0, 2 * F1p + F1n, F1p + 2 * F1n, 2 * F2p + F2n, F2p + 2 * F2n, F1p, F2p
        else:
            tau3, F1u, F1d, F2u, F2d, F1g, F2g = -1.0, F1p + 2 * F1n, 2 * F1p + F1n, F2p + 2 * F2n, 2 * F2p + F2n, F1n, F2n
        GA = self.ff.axial(Q2)
        rP = self.ff.pseudoscalar_ratio(Q2, M)
        v1 = v2 = v3 = v4 = 0.0
        for v in vx.vectors:
            if not v.lepton:
                continue
            D = -v.lepton / (Q2 + v.mass**2)
            gu, gd = v.gV.get("u", 0.0), v.gV.get("d", 0.0)
            v1 = v1 + D * (gu * F1u + gd * F1d)
            v2 = v2 + D * (gu * F2u + gd * F2d)
            a3 = -0.5 * (v.gA.get("u", 0.0) - v.gA.get("d", 0.0)) * tau3 * GA
            v3 = v3 + D * a3
            v4 = v4 + D * _unitary(v, a3, a3 * rP, M, Q2)
        out = {k: val for k, val in (("v1", v1), ("v2", v2), ("v3", v3), ("v4", v4)) if _nonzero(val)}
        if vx.mu_tr:
            out["w1"] = -C.E_CHARGE * vx.mu_tr * F1g / Q2
            out["w2"] = -C.E_CHARGE * vx.mu_tr * F2g / Q2
        s1 = 0.0
        for sc in vx.scalars:
            if sc.lepton:
                s1 = s1 + sc.lepton * sc.yukawa.get(self.kind, 0.0) * self.ff.dipole(Q2) / (Q2 + sc.mass**2)
        if _nonzero(s1):
            out["s1"] = s1
        return out


class ElectronTarget(_Target):
    """An atomic electron, treated as free and at rest (binding energies neglected)."""

    spin = 0.5
    mass = C.M_E

    def coefficients(self, vx, E, Q2, antineutrino):
        M = self.mass
        v1 = v3 = v4 = 0.0
        for v in vx.vectors:
            if not v.lepton:
                continue
            D = -v.lepton / (Q2 + v.mass**2)
            a3 = -v.gA.get("e", 0.0)
            v1 = v1 + D * v.gV.get("e", 0.0)
            v3 = v3 + D * a3
            v4 = v4 + D * _unitary(v, a3, 0.0, M, Q2)
        if vx.cc:
            # W exchange, Fierzed to (Nbar gamma P_L nu)(ebar gamma P_L e): adds cc / (M_W^2 - q_W^2) to the
            # left-handed electron coupling (g_L -> g_L + 1 in the SM limit).  q_W^2 = u (nu), s (nubar).
            s = M * M + 2.0 * M * np.asarray(E, dtype=float)
            qW2 = s if antineutrino else 2.0 * M * M + vx.m_hnl**2 - s + Q2
            K = vx.cc / (vx.m_W**2 - qW2)
            v1 = v1 + 0.5 * K
            v3 = v3 - 0.5 * K
        out = {k: val for k, val in (("v1", v1), ("v3", v3), ("v4", v4)) if _nonzero(val)}
        if vx.mu_tr:
            out["w1"] = C.E_CHARGE * vx.mu_tr / Q2  # electron charge -1
        s1 = 0.0
        for sc in vx.scalars:
            if sc.lepton:
                s1 = s1 + sc.lepton * sc.yukawa.get("e", 0.0) / (Q2 + sc.mass**2)
        if _nonzero(s1):
            out["s1"] = s1
        return out


# ====================================================================== |M|^2 kernels
# Generated from the Dirac traces described in docs/xsec.md (K_ab + K_ba for a != b; target spins summed,
# not averaged; N spin projector (k3 + m)(1 + gamma5 s)/2).  Tested against explicit spinors.
_KERNELS_SPIN0 = {
    ('v1', 'v1'): (
        lambda k12, k13, k23, a1, a2, m, M: -4*M**2*k13 + 8*k12*k23 - 4*k12*m**2 + k13*m**2,
        lambda k12, k13, k23, a1, a2, m, M: (-4*M**2*a1*m**2 + 4*M**2*k13 + 4*a1*k23*m**2 - a1*m**4 + 8*a2*k12*m**2 - 4*a2*k13*m**2 - 8*k12*k23 +
            k13*m**2),
    ),
    ('v1', 'w1'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*m*(2*M**2*k13 + 2*k12**2 - k12*k13 - 2*k12*k23 + k12*m**2 - k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: (-4*m*(-2*M**2*a1*m**2 + 2*M**2*k13 + 2*a1*k12*k23 - a1*k12*m**2 + 2*a1*k23**2 - 2*a2*k12*k13 + 4*a2*k12*m**2
            - 2*a2*k13*k23 - a2*k13*m**2 + k12*k13 - 4*k12*k23 + k13*k23)),
    ),
    ('v1', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*M*m*(2*k12 - k13),
        lambda k12, k13, k23, a1, a2, m, M: -4*M*m*(2*a1*k23 - a1*m**2 - 2*a2*k13 + k13),
    ),
    ('w1', 'w1'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*(-M**2*k13*m**2 + k12**2*k13 - 2*k12**2*m**2 + 2*k12*k13*k23 + k13*k23**2),
        lambda k12, k13, k23, a1, a2, m, M: (-4*(M**2*a1*m**4 - M**2*k13*m**2 + a1*k12**2*m**2 - a1*k23**2*m**2 + 2*a2*k12*k13*m**2 - 2*a2*k12*m**4 +
            2*a2*k13*k23*m**2 - k12**2*k13 - 2*k12*k13*k23 + 2*k12*k23*m**2 - k13*k23**2)),
    ),
    ('w1', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: 8*M*(k12*k13 - k12*m**2 + k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: -8*M*(a1*k12*m**2 + a2*k13*m**2 - k12*k13 - k13*k23),
    ),
    ('s1', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*M**2*k13,
        lambda k12, k13, k23, a1, a2, m, M: -4*M**2*(a1*m**2 - k13),
    ),
}
_KERNELS_SPIN_HALF = {
    ('v1', 'v1'): (
        lambda k12, k13, k23, a1, a2, m, M: 8*(-M**2*k13 + k12*k13 + 2*k12*k23 - k12*m**2 - k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: 8*(-M**2*a1*m**2 + M**2*k13 + a1*k12*m**2 + 2*a2*k12*m**2 - a2*k13*m**2 - k12*k13 - 2*k12*k23 + k13*k23),
    ),
    ('v1', 'v2'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*k13*(4*k13 - 3*m**2),
        lambda k12, k13, k23, a1, a2, m, M: 4*(4*k13 - m**2)*(a1*m**2 - k13),
    ),
    ('v1', 'v3'): (
        lambda k12, k13, k23, a1, a2, m, M: -16*(k12*k13 - k12*m**2 + k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: -16*(a1*k12*m**2 + a2*k13*m**2 - k12*k13 - k13*k23),
    ),
    ('v1', 'w1'): (
        lambda k12, k13, k23, a1, a2, m, M: 8*m*(2*M**2*k13 + 2*k12**2 - 4*k12*k13 - 2*k12*k23 + k12*m**2 + 2*k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: (-8*m*(-2*M**2*a1*m**2 + 2*M**2*k13 + 2*a1*k12*k23 + 2*a1*k23**2 - a1*k23*m**2 - 2*a2*k12*k13 + 4*a2*k12*m**2
            - 2*a2*k13*k23 - a2*k13*m**2 - 4*k12*k23 + 2*k13*k23)),
    ),
    ('v1', 'w2'): (
        lambda k12, k13, k23, a1, a2, m, M: -12*k13*m*(2*k13 - m**2),
        lambda k12, k13, k23, a1, a2, m, M: -4*m*(2*k13 - m**2)*(a1*m**2 - k13),
    ),
    ('v1', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: 8*M*m*(2*k12 - k13),
        lambda k12, k13, k23, a1, a2, m, M: -8*M*m*(2*a1*k23 - a1*m**2 - 2*a2*k13 + k13),
    ),
    ('v2', 'v2'): (
        lambda k12, k13, k23, a1, a2, m, M: ((4*M**2*k13**2 - 4*M**2*k13*m**2 + 4*k12**2*k13 - 4*k12**2*m**2 - 4*k12*k13**2 + 3*k12*k13*m**2 +
            4*k13**2*k23 + 4*k13*k23**2 - 3*k13*k23*m**2)/M**2),
        lambda k12, k13, k23, a1, a2, m, M: ((4*M**2*a1*k13*m**2 - 4*M**2*k13**2 + 4*a1*k12**2*m**2 - 4*a1*k12*k13*m**2 - 4*a1*k12*k23*m**2 + a1*k12*m**4
            + 4*a1*k13*k23*m**2 - a1*k23*m**4 + 4*a2*k12*k13*m**2 - 4*a2*k12*m**4 + 4*a2*k13*k23*m**2 - 4*k12**2*k13 +
            4*k12*k13**2 - k12*k13*m**2 + 4*k12*k23*m**2 - 4*k13**2*k23 - 4*k13*k23**2 + k13*k23*m**2)/M**2),
    ),
    ('v2', 'v3'): (
        lambda k12, k13, k23, a1, a2, m, M: -16*(k12*k13 - k12*m**2 + k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: -16*(a1*k12*m**2 + a2*k13*m**2 - k12*k13 - k13*k23),
    ),
    ('v2', 'w1'): (
        lambda k12, k13, k23, a1, a2, m, M: -12*k13*m*(2*k13 - m**2),
        lambda k12, k13, k23, a1, a2, m, M: -4*m*(2*k13 - m**2)*(a1*m**2 - k13),
    ),
    ('v2', 'w2'): (
        lambda k12, k13, k23, a1, a2, m, M: (-2*k13*m*(8*M**2*k13 - 4*M**2*m**2 + 4*k12**2 - 6*k12*k13 - 8*k12*k23 + 3*k12*m**2 + 6*k13*k23 + 4*k23**2 -
            3*k23*m**2)/M**2),
        lambda k12, k13, k23, a1, a2, m, M: (-2*m*(4*a1*k12*k13*k23 - 2*a1*k12*k13*m**2 - 4*a1*k12*k23*m**2 + a1*k12*m**4 + 4*a1*k13*k23**2 +
            2*a1*k13*k23*m**2 - a1*k23*m**4 - 4*a2*k12*k13**2 + 8*a2*k12*k13*m**2 - 4*a2*k12*m**4 - 4*a2*k13**2*k23 +
            4*a2*k13*k23*m**2 + 2*k12*k13**2 - 4*k12*k13*k23 - k12*k13*m**2 + 4*k12*k23*m**2 - 2*k13**2*k23 -
            4*k13*k23**2 + k13*k23*m**2)/M**2),
    ),
    ('v2', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: -4*m*(k12*k13 - k12*m**2 + k13*k23)/M,
        lambda k12, k13, k23, a1, a2, m, M: -4*m*(a1*k12*m**2 - 2*a1*k13*k23 + 2*a2*k13**2 - a2*k13*m**2 - k12*k13 + k13*k23)/M,
    ),
    ('v3', 'v3'): (
        lambda k12, k13, k23, a1, a2, m, M: 8*(M**2*k13 + k12*k13 + 2*k12*k23 - k12*m**2 - k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: 8*(M**2*a1*m**2 - M**2*k13 + a1*k12*m**2 + 2*a2*k12*m**2 - a2*k13*m**2 - k12*k13 - 2*k12*k23 + k13*k23),
    ),
    ('v3', 'v4'): (
        lambda k12, k13, k23, a1, a2, m, M: -8*k13*m**2,
        lambda k12, k13, k23, a1, a2, m, M: 8*m**2*(a1*m**2 - k13),
    ),
    ('v3', 'w1'): (
        lambda k12, k13, k23, a1, a2, m, M: 16*m*(k12*k13 - k12*m**2 + k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: 16*k13*m*(a1*k23 - a2*k13 + a2*m**2 - k23),
    ),
    ('v3', 'w2'): (
        lambda k12, k13, k23, a1, a2, m, M: 16*m*(k12*k13 - k12*m**2 + k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: 16*k13*m*(a1*k23 - a2*k13 + a2*m**2 - k23),
    ),
    ('v4', 'v4'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*k13*m**2*(k12 - k23)/M**2,
        lambda k12, k13, k23, a1, a2, m, M: -4*m**2*(k12 - k23)*(a1*m**2 - k13)/M**2,
    ),
    ('w1', 'w1'): (
        lambda k12, k13, k23, a1, a2, m, M: (4*(-2*M**2*k13*m**2 + 2*k12**2*k13 - 4*k12**2*m**2 - 2*k12*k13**2 + 4*k12*k13*k23 + 3*k12*k13*m**2 +
            2*k13**2*k23 + 2*k13*k23**2 - 3*k13*k23*m**2)),
        lambda k12, k13, k23, a1, a2, m, M: (-4*(2*M**2*a1*m**4 - 2*M**2*k13*m**2 + 2*a1*k12**2*m**2 - 2*a1*k12*k13*m**2 - a1*k12*m**4 +
            2*a1*k13*k23*m**2 - 2*a1*k23**2*m**2 + a1*k23*m**4 + 4*a2*k12*k13*m**2 - 4*a2*k12*m**4 + 4*a2*k13*k23*m**2 -
            2*k12**2*k13 + 2*k12*k13**2 - 4*k12*k13*k23 + k12*k13*m**2 + 4*k12*k23*m**2 - 2*k13**2*k23 - 2*k13*k23**2 -
            k13*k23*m**2)),
    ),
    ('w1', 'w2'): (
        lambda k12, k13, k23, a1, a2, m, M: -4*k13*(2*k13 - 3*m**2)*(2*k13 - m**2),
        lambda k12, k13, k23, a1, a2, m, M: 4*(2*k13 - m**2)*(2*k13 + m**2)*(a1*m**2 - k13),
    ),
    ('w1', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: 16*M*(k12*k13 - k12*m**2 + k13*k23),
        lambda k12, k13, k23, a1, a2, m, M: -16*M*(a1*k12*m**2 + a2*k13*m**2 - k12*k13 - k13*k23),
    ),
    ('w2', 'w2'): (
        lambda k12, k13, k23, a1, a2, m, M: (-(8*M**2*k13**3 - 12*M**2*k13**2*m**2 + 4*M**2*k13*m**4 + 4*k12**2*k13*m**2 - 4*k12**2*m**4 - 4*k12*k13**3 -
            16*k12*k13**2*k23 + 8*k12*k13**2*m**2 + 16*k12*k13*k23*m**2 - 3*k12*k13*m**4 + 4*k13**3*k23 -
            8*k13**2*k23*m**2 - 4*k13*k23**2*m**2 + 3*k13*k23*m**4)/M**2),
        lambda k12, k13, k23, a1, a2, m, M: ((8*M**2*a1*k13**2*m**2 - 4*M**2*a1*k13*m**4 - 8*M**2*k13**3 + 4*M**2*k13**2*m**2 + 4*a1*k12**2*m**4 -
            4*a1*k12*k13**2*m**2 - 8*a1*k12*k13*k23*m**2 - 4*a1*k12*k23*m**4 + a1*k12*m**6 + 4*a1*k13**2*k23*m**2 +
            8*a1*k13*k23**2*m**2 - a1*k23*m**6 - 8*a2*k12*k13**2*m**2 + 12*a2*k12*k13*m**4 - 4*a2*k12*m**6 -
            8*a2*k13**2*k23*m**2 + 4*a2*k13*k23*m**4 - 4*k12**2*k13*m**2 + 4*k12*k13**3 + 16*k12*k13**2*k23 -
            8*k12*k13*k23*m**2 - k12*k13*m**4 + 4*k12*k23*m**4 - 4*k13**3*k23 - 4*k13*k23**2*m**2 + k13*k23*m**4)/M**2),
    ),
    ('w2', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: -4*(2*k13 - m**2)*(k12*k13 - k12*m**2 + k13*k23)/M,
        lambda k12, k13, k23, a1, a2, m, M: 4*(2*k13 - m**2)*(a1*k12*m**2 + a2*k13*m**2 - k12*k13 - k13*k23)/M,
    ),
    ('s1', 's1'): (
        lambda k12, k13, k23, a1, a2, m, M: 4*k13*(2*M**2 + k12 - k23),
        lambda k12, k13, k23, a1, a2, m, M: -4*(a1*m**2 - k13)*(2*M**2 + k12 - k23),
    ),
}

_ANTI_FLIP = ("v3", "v4", "s1")


def msq(coefficients: dict, spin: float, k12, k13, k23, a1, a2, m: float, M: float, h: float) -> np.ndarray:
    """|M|^2 for N helicity h = -1 / +1 (in the formula's convention: -1 = helicity conserving).

    ``coefficients``: {'v1': array, ...} as returned by a target's ``coefficients``; target spins are
    summed (not averaged).  For antineutrinos call with h -> -h and v3, v4, s1 -> -v3, -v4, -s1
    (:func:`dsigma_dQ2` does this).
    """
    kernels = _KERNELS_SPIN0 if spin == 0 else _KERNELS_SPIN_HALF
    total = 0.0
    for (a, b), (fu, fp) in kernels.items():
        ca, cb = coefficients.get(a), coefficients.get(b)
        if ca is None or cb is None:
            continue
        u, p = fu(k12, k13, k23, a1, a2, m, M), fp(k12, k13, k23, a1, a2, m, M)
        # h = -1, +1: u - p, u + p are the same numbers as u + h p (x + (-y) is x - y in IEEE 754)
        total = total + ca * cb * (u - p if h == -1.0 else u + p if h == 1.0 else u + h * p)
    return np.asarray(total, dtype=float)


def dsigma_dQ2(vx: Vertices, target: _Target, E, Q2, *, helicity: str = "conserving", antineutrino: bool = False, frame: str = "lab",
               limits=None) -> np.ndarray:
    """d sigma / d Q^2 in cm^2/GeV^2 per target particle for nu (nubar) + target -> N (Nbar) + target.

    ``E`` (lab energy of the projectile, GeV) and ``Q2`` (GeV^2) broadcast against each other.
    ``helicity``: 'conserving' (N helicity -1 for nu, +1 for nubar), 'flipping', or 'both' (summed).
    Outside the physical region (E below threshold, Q2 outside the limits) the result is 0.
    dsigma/dQ^2 = |M|^2 / (16 pi (s - M^2)^2) / (2 s_T + 1).  ``limits``: ``Q2_limits(E, m_N, M)``
    where the caller has computed them already (of E's shape).
    """
    E, Q2 = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(Q2, dtype=float))
    hs = _helicities(helicity)
    m, M = vx.m_hnl, target.mass
    qmin, qmax = Q2_limits(E, m, M) if limits is None else limits
    inside = (Q2 >= qmin * (1 - 1e-12)) & (Q2 <= qmax * (1 + 1e-12)) & (Q2 > 0)
    if not np.any(inside):
        return np.zeros(E.shape)
    if np.all(inside):
        return dsigma_dQ2_inside(vx, target, E, Q2, hs, antineutrino, frame)
    out = np.zeros(E.shape)
    out[inside] = dsigma_dQ2_inside(vx, target, E[inside], Q2[inside], hs, antineutrino, frame)
    return out


def _helicities(helicity: str) -> tuple:
    try:
        return {"conserving": (-1.0,), "flipping": (1.0,), "both": (-1.0, 1.0)}[helicity]
    except KeyError:
        raise ConfigurationError(f"unknown helicity '{helicity}' (choose 'conserving', 'flipping' or 'both')") from None


def dsigma_dQ2_inside(vx: Vertices, target: _Target, E, Q2, hs: tuple, antineutrino: bool, frame: str) -> np.ndarray:
    """:func:`dsigma_dQ2` for points known to be inside the physical region (no checks; hs = (-1,), (1,) or both)."""
    m, M = vx.m_hnl, target.mass
    coef = target.coefficients(vx, E, Q2, antineutrino)
    if antineutrino:
        coef = {k: (-v if k in _ANTI_FLIP else v) for k, v in coef.items()}
    k12 = M * E
    k13 = 0.5 * (m * m + Q2)
    k23 = k12 - 0.5 * Q2
    a1, a2 = helicity_projections(E, Q2, m, M, frame)
    amp2 = msq(coef, target.spin, k12, k13, k23, a1, a2, m, M, hs[0])
    for h in hs[1:]:
        amp2 = amp2 + msq(coef, target.spin, k12, k13, k23, a1, a2, m, M, h)
    norm = HBARC2_GEV2_CM2 / (16.0 * np.pi * (2.0 * target.spin + 1.0)) / (2.0 * M * E) ** 2
    return np.maximum(amp2, 0.0) * norm
