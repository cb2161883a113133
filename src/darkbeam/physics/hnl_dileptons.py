"""HNL three-body decays into a neutral lepton and a fermion pair: N_i -> nu_a f fbar, N_i -> N_k f fbar.

Channels (one :class:`Channel` per final state; derivations in docs/decays_dileptons.md):

* N_i -> nu_a l_b^- l_b^+ (l = e, mu, tau) through Z exchange (mixing), the Fierzed W (only b = a:
  the CC+NC interference of Bondarenko et al. 1805.08567 eq. 3.4), an off-shell Z', a virtual photon
  (transition magnetic moment) and an off-shell h', with every interference;
* N_i -> nu_a nu_b nubar_b (invisible) through Z and Z' (identical neutrinos for b = a);
* N_i -> N_k l^- l^+ and N_i -> N_k nu_b nubar_b for several HNLs (c_heavy, d_heavy, mu_tr_heavy,
  s_heavy, and the Fierzed W at order U_ai U_ak).

A Dirac HNL decays into the lepton-number-conserving states listed; a Majorana HNL has in addition
the charge-conjugate state (nu_a_bar l_b^+ l_b^- ...) with the same width, whose |M|^2 is the CP
image (spin vector s -> -s).  N_i -> N_k f fbar with Majorana HNLs is a single (self-conjugate)
channel whose vertices carry both chiralities.

Vertices (the conventions of darkbeam.models.couplings and of hnl_dark):

    Z, Z' : L ⊃ V_mu nbar_a gamma^mu P_L n_b c_ab (d_ab),   V_mu fbar gamma^mu (gV - gA gamma5) f
    photon: L ⊃ (mu_ab/2) nbar_a sigma^{mu nu} P_R n_b F_{mu nu} + h.c.,   e Q_f A_mu fbar gamma^mu f
    h'    : L ⊃ -h' y_ab nbar_a P_R n_b + h.c.,   -h' (sin(theta) m_f / v) fbar f
    W     : L ⊃ (g/sqrt 2) W^+_mu nu_alpha-bar gamma^mu P_L l_alpha + h.c.

(light neutrinos are left-handed, so nbar_alpha = nbar_alpha P_R).  The Z exchange is normalised to
G_F: (g/c_W)^2 / M_Z^2 -> 4 sqrt(2) G_F (factor KAPPA_Z below); the W is a contact interaction
(corrections O(m_N^2 / M_W^2) < 0.4% below 5 GeV).  When the Z' or h' can be on shell
(m_N >= m_daughter + m_X and m_X >= 2 m_f) its exchange is left out of the three-body channel: the
resonant part is the chain N -> nu X (hnl_dark) times X -> f fbar (zprime_decays, scalar_decays) in
the narrow-width approximation (docs/decays_dileptons.md section 5).

Validity: m_N well below M_W (contact W, Z propagator without width).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ParameterError
from darkbeam.models.couplings import FERMIONS, Couplings
from darkbeam.physics import matrix_elements as me
from darkbeam.physics.channels import Channel, ThreeBody
from darkbeam.physics.particles import conjugate
from darkbeam.physics.particles import hnl_label

FLAVOURS = ("e", "mu", "tau")
REFERENCE = "docs/decays_dileptons.md"
#: chiral dipole vertex a = DIPOLE_NORM * mu_tr: ubar_nu sigma^{mu nu} q_nu P_R u_N (from the Lagrangian
#: above; hnl_dark's N -> nu gamma uses the same, Gamma = mu_tr^2 m_N^3 / (16 pi)).
DIPOLE_NORM = 1.0
#: number of q^2 nodes of the width quadrature (matrix_elements.q2_rule)
N_Q2 = 64

_LEPTON_PAIR = {"e": ("e-", "e+"), "mu": ("mu-", "mu+"), "tau": ("tau-", "tau+")}
_RESONANT = ("zprime", "hprime")


@dataclass(frozen=True)
class Exchange:
    """One exchanged boson between the N line (couplings nL, nR on P_L, P_R) and the f line.

    kind 'vector': V_ij += nL/R fL/R norm / (q^2 - mass^2)   (mass None: contact, V_ij += n_i f_j norm)
    kind 'scalar': S_ij += -n_i f_j / (q^2 - mass^2)
    kind 'dipole': D_i  += n_i fL / q^2   (fL = e Q_f; n_i = chiral dipole vertex in GeV^-1)
    """

    kind: str
    label: str
    nL: float
    nR: float
    fL: float
    fR: float
    mass: Optional[float]
    norm: float = 1.0

    @property
    def nonzero(self) -> bool:
        return bool((self.nL != 0 or self.nR != 0) and (self.fL != 0 or self.fR != 0) and self.norm != 0)


@dataclass(frozen=True)
class ChannelSpec:
    """A three-body final state and the exchanges that make it (m1: neutral daughter, mf: f mass)."""

    parent: str
    daughters: tuple[str, str, str]
    m1: float
    mf: float
    exchanges: tuple[Exchange, ...]
    group: str
    identical: bool = False
    cp_conjugate: bool = False
    source: Optional["ChannelSpec"] = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return " ".join(self.daughters)


# --------------------------------------------------------------------------- coefficients
def kappa_z(c: Couplings) -> float:
    """G_F normalisation of Z exchange: kappa = 4 sqrt(2) G_F M_Z^2 / (g/c_W)^2 (= 1 in darkbeam's G_F
    scheme, where Couplings.gz is fixed by G_F; 1.0005 in DarkNews's scheme)."""
    return 4.0 * np.sqrt(2.0) * C.G_F * C.M_Z**2 / c.gz**2


def _keep(spec: ChannelSpec, M: np.ndarray) -> dict[str, np.ndarray]:
    """Narrow-width rule: False where the Z' or h' of this channel can be on shell (docs section 5)."""
    out = {}
    for ex in spec.exchanges:
        if ex.label in _RESONANT and ex.mass is not None:
            out[ex.label] = ~((M - spec.m1 >= ex.mass) & (ex.mass >= 2.0 * spec.mf))
    return out


def _structure_names(exchanges) -> set[str]:
    """Names of the amplitude structures (matrix_elements.STRUCTURES) that the exchanges feed."""
    out = set()
    for ex in exchanges:
        if not ex.nonzero:
            continue
        for i, ni in (("L", ex.nL), ("R", ex.nR)):
            if ni == 0:
                continue
            if ex.kind == "dipole":
                out.add(f"D{i}")
                continue
            for j, fj in (("L", ex.fL), ("R", ex.fR)):
                if fj != 0:
                    out.add(("V" if ex.kind == "vector" else "S") + i + j)
    return out


def _propagator(q2, mass, mask):
    """1/(q^2 - mass^2) where ``mask`` (bool, broadcastable) is True, 0 elsewhere (no inf * 0)."""
    if mask is None:
        return 1.0 / (q2 - mass * mass)
    den = np.where(mask, q2 - mass * mass, 1.0)
    return np.where(mask, 1.0 / den, 0.0)


def _coefficients(exchanges, q2, keep=None) -> dict[str, np.ndarray]:
    """Structure coefficients V, S, D (matrix_elements.STRUCTURES) at q^2 (any shape).

    ``keep`` maps 'zprime'/'hprime' to booleans (broadcastable): False drops that exchange (NWA)."""
    return _apply_plan(_coefficient_plan(exchanges, keep), q2)


def _coefficient_plan(exchanges, keep=None) -> tuple:
    """The q^2-independent part of :func:`_coefficients`: per non-zero exchange (kind, mass, mask,
    norm, ((structure, n_i f_j), ...)); :func:`_apply_plan` does the rest (built once per channel
    for sampling: the same operations per call, without the loops over chiralities)."""
    plan = []
    for ex in exchanges:
        if not ex.nonzero:
            continue
        mask = None if keep is None else keep.get(ex.label)
        chir = (("L", ex.nL), ("R", ex.nR))
        if ex.kind in ("vector", "scalar"):
            head = "V" if ex.kind == "vector" else "S"
            terms = tuple((f"{head}{i}{j}", ni * fj) for i, ni in chir for j, fj in (("L", ex.fL), ("R", ex.fR))
                          if ni != 0 and fj != 0)
        elif ex.kind == "dipole":
            terms = tuple((f"D{i}", ni * ex.fL) for i, ni in chir if ni != 0)
        else:
            continue
        plan.append((ex.kind, ex.mass, mask, ex.norm, terms))
    return tuple(plan)


def _apply_plan(plan, q2) -> dict[str, np.ndarray]:
    """Coefficients at q^2 from a :func:`_coefficient_plan`:

    vector: V_ij += (n_i f_j) norm / (q^2 - mass^2)  (contact: (n_i f_j) norm),
    scalar: S_ij += -(n_i f_j) / (q^2 - mass^2),      dipole: D_i += (n_i e Q_f) / q^2."""
    coef: dict[str, np.ndarray] = {}
    for kind, mass, mask, norm, terms in plan:
        if kind == "dipole":
            for name, c in terms:
                coef[name] = coef.get(name, 0.0) + c / q2
            continue
        if kind == "vector":
            if mass is None:
                prop = norm if mask is None else norm * np.asarray(mask, dtype=float)
            else:
                prop = norm * _propagator(q2, mass, mask)
        else:
            prop = -_propagator(q2, mass, mask)
        for name, c in terms:
            coef[name] = coef.get(name, 0.0) + c * prop
    return coef


def _vector_sum(exchanges, t, keep=None):
    """G(t) = sum of the left-left vector couplings (identical-neutrino channels, pure V-A)."""
    return _coefficients(exchanges, t, keep).get("VLL", 0.0)


# --------------------------------------------------------------------------- channel specs
def _f_couplings(c: Couplings, f: str):
    """(Z gL, gR), (Z' gL, gR), e Q_f, h' Yukawa of SM fermion f ('e', 'nu_mu', ...)."""
    z = c.z_fermion(f)
    zp = c.zprime_fermion(f) if c.params.has_zprime else None
    eq = C.E_CHARGE * FERMIONS[f][0]
    y = c.hprime_fermion(f) if c.params.has_hprime else 0.0
    return (z.gL, z.gR), (None if zp is None else (zp.gL, zp.gR)), eq, y


def _exchanges(c: Couplings, f: str, chiral: dict, w_coef: float) -> tuple[Exchange, ...]:
    """Exchanges for a final state with SM pair f fbar; ``chiral`` gives the N-side (nL, nR) of
    'Z', 'zprime', 'photon', 'hprime'; ``w_coef`` the Fierzed W contact coefficient (GeV^-2)."""
    p = c.params
    (zl, zr), zp, eq, y = _f_couplings(c, f)
    out = []
    if w_coef != 0:
        out.append(Exchange("vector", "W", chiral["W"][0] * w_coef, chiral["W"][1] * w_coef, 1.0, 0.0, None, 1.0))
    nL, nR = chiral["Z"]
    out.append(Exchange("vector", "Z", nL, nR, zl, zr, C.M_Z, kappa_z(c)))
    if zp is not None:
        nL, nR = chiral["zprime"]
        out.append(Exchange("vector", "zprime", nL, nR, zp[0], zp[1], float(p.mzprime)))
    nL, nR = chiral["photon"]
    out.append(Exchange("dipole", "photon", nL, nR, eq, eq, 0.0))
    if p.has_hprime:
        nL, nR = chiral["hprime"]
        out.append(Exchange("scalar", "hprime", nL, nR, y, y, float(p.mhprime)))
    return tuple(ex for ex in out if ex.nonzero)


def _light_specs(c: Couplings, i: int) -> list[ChannelSpec]:
    """N_i -> nu_a f fbar and N_i -> nu_a nu_b nubar_b (particle N; Majorana conjugates added later)."""
    parent = hnl_label(i)
    gf = 2.0 * np.sqrt(2.0) * C.G_F
    out = []
    for a, fa in enumerate(FLAVOURS):
        chiral = {
            "Z": (c.c_light_heavy[a, i], 0.0),
            "zprime": (c.d_light_heavy[a, i], 0.0),
            "photon": (0.0, DIPOLE_NORM * c.mu_tr_light_heavy[a, i]),
            "hprime": (0.0, c.s_light_heavy[a, i]),
            "W": (1.0, 0.0),
        }
        nu = f"nu_{fa}"
        for fb in FLAVOURS:
            # Fierzed W, only for b = a.  With couplings.py's sign of c_light_heavy (+(g/2c_W) U) the
            # contact term is -2 sqrt2 G_F U: the CC and NC amplitudes add (1805.08567 eq. 3.4, C3).
            w = -gf * c.U[a, i] if fb == fa else 0.0
            ex = _exchanges(c, fb, chiral, w)
            if ex:
                lm, lp = _LEPTON_PAIR[fb]
                out.append(ChannelSpec(parent, (nu, lm, lp), 0.0, C.M_LEPTON[fb], ex, "dilepton"))
        for fb in FLAVOURS:
            nub = f"nu_{fb}"
            ex = tuple(e for e in _exchanges(c, nub, chiral, 0.0) if e.kind == "vector")
            if ex:
                out.append(ChannelSpec(parent, (nu, nub, nub + "_bar"), 0.0, 0.0, ex, "invisible", identical=(fb == fa)))
    return out


def _heavy_specs(c: Couplings, i: int, grid: bool) -> list[ChannelSpec]:
    """N_i -> N_k f fbar, N_i -> N_k nu nubar (k != i; k < i only unless ``grid``)."""
    p = c.params
    maj = p.majorana
    parent = hnl_label(i)
    gf = 2.0 * np.sqrt(2.0) * C.G_F
    out = []
    for k in range(p.n_hnl):
        if k == i or (k > i and not grid):
            continue
        mk = float(p.hnl_masses[k])
        cz, cd = c.c_heavy[k, i], c.d_heavy[k, i]
        mu = DIPOLE_NORM * c.mu_tr_heavy[k, i]
        y = c.s_heavy[k, i]
        # chiral N-side vertices (hnl_dark table): vector always P_L (hermitian c, d); dipole and
        # scalar on P_R when the lighter-index state is the daughter, on P_L (h.c. term) otherwise.
        if maj:
            sg = 1.0 if k < i else -1.0
            chiral = {"Z": (cz, -cz), "zprime": (cd, -cd), "W": (1.0, -1.0),
                      "photon": (-sg * mu, sg * mu), "hprime": (y, y)}
        elif k < i:
            chiral = {"Z": (cz, 0.0), "zprime": (cd, 0.0), "W": (1.0, 0.0), "photon": (0.0, mu), "hprime": (0.0, y)}
        else:
            chiral = {"Z": (cz, 0.0), "zprime": (cd, 0.0), "W": (1.0, 0.0), "photon": (mu, 0.0), "hprime": (y, 0.0)}
        for fb in FLAVOURS:
            # W between two HNLs: (g^2/2) U_bi U_bk / (q_W^2 - M_W^2) -> -2 sqrt2 G_F U_bi U_bk, which adds
            # to the Z term (c_heavy = +(g/2c_W) U^T U) as in the light case.
            w = -gf * c.U[FLAVOURS.index(fb), i] * c.U[FLAVOURS.index(fb), k]
            ex = _exchanges(c, fb, chiral, w)
            if ex:
                lm, lp = _LEPTON_PAIR[fb]
                out.append(ChannelSpec(parent, (hnl_label(k), lm, lp), mk, C.M_LEPTON[fb], ex, "heavy"))
        for fb in FLAVOURS:
            nub = f"nu_{fb}"
            ex = tuple(e for e in _exchanges(c, nub, chiral, 0.0) if e.kind == "vector")
            if ex:
                out.append(ChannelSpec(parent, (hnl_label(k), nub, nub + "_bar"), mk, 0.0, ex, "heavy"))
    return out


def specs(c: Couplings, i: int, *, grid: bool = False) -> list[ChannelSpec]:
    """Every three-body channel of HNL number i with non-zero couplings (open or not), including
    the Majorana charge conjugates of the light-neutrino channels."""
    out = _light_specs(c, i) + _heavy_specs(c, i, grid)
    if c.params.majorana:
        conj = []
        for s in out:
            if s.group in ("dilepton", "invisible"):
                conj.append(ChannelSpec(s.parent, tuple(conjugate(d) for d in s.daughters), s.m1, s.mf,
                                        s.exchanges, s.group, s.identical, cp_conjugate=True, source=s))
        out = out + conj
    return out


# --------------------------------------------------------------------------- widths
def _pole_distances(spec_list, M: np.ndarray, keep: dict):
    """Relative distances of kept Z'/h' poles just outside the q^2 range (for matrix_elements.q2_rule)."""
    spec0 = spec_list[0]
    a = (2.0 * spec0.mf) ** 2
    b = np.clip(M - spec0.m1, 0.0, None) ** 2
    w = np.where(b > a, b - a, 1.0)
    x_lo = np.ones_like(M)
    x_hi = np.ones_like(M)
    for spec in spec_list:
        for ex in spec.exchanges:
            if ex.label not in _RESONANT or ex.mass is None:
                continue
            m2 = ex.mass**2
            k = keep.get(ex.label, np.ones_like(M, dtype=bool))
            x_lo = np.where(k & (m2 < a), np.minimum(x_lo, (a - m2) / w), x_lo)
            x_hi = np.where(k & (m2 > b), np.minimum(x_hi, (m2 - b) / w), x_hi)
    return x_lo, x_hi


def spec_width(spec: ChannelSpec, M) -> np.ndarray:
    """Width in GeV of the channel ``spec`` for parent masses M (array); closed channels give 0."""
    return widths([spec], M)[0]


def widths(spec_list, M) -> list[np.ndarray]:
    """Widths (GeV) of several channels on parent masses M: channels with the same daughter masses
    share the q^2 rule and the s13-integrated blocks (matrix_elements.block_integrals)."""
    M = np.atleast_1d(np.asarray(M, dtype=float))
    out: list[Optional[np.ndarray]] = [None] * len(spec_list)
    groups: dict[tuple[float, float], list[int]] = {}
    for k, spec in enumerate(spec_list):
        groups.setdefault((spec.m1, spec.mf), []).append(k)
    for (m1, mf), idx in groups.items():
        keep = _keep_group([spec_list[k] for k in idx], M)
        x_lo, x_hi = _pole_distances([spec_list[k] for k in idx], M, keep)
        names = set()
        for k in idx:
            names |= _structure_names(spec_list[k].exchanges)
        rule = me.q2_rule((2.0 * mf) ** 2, np.clip(M - m1, 0.0, None) ** 2, n=N_Q2, x_lo=x_lo, x_hi=x_hi,
                          log_enhanced=bool(names & {"DL", "DR"}))
        keep2 = {lab: v[:, None] for lab, v in keep.items()}
        blocks = me.block_integrals(M, m1, mf, me.pairs_of(names), rule)
        for k in idx:
            spec = spec_list[k]
            coef = _coefficients(spec.exchanges, rule.q2, keep2)
            w = me.width_from_blocks(coef, blocks) * rule.open
            if spec.identical:
                # |M|^2 = 8 (k1.k2)(P.k3) [G(s23) + G(s13)]^2 with a factor 1/2 for the identical
                # neutrinos: Gamma = I_direct + I_cross (docs section 3.3)
                w = w + _identical_cross(spec, M, keep)
            out[k] = w
    return out


def _keep_group(spec_list, M: np.ndarray) -> dict[str, np.ndarray]:
    keep: dict[str, np.ndarray] = {}
    for spec in spec_list:
        keep.update(_keep(spec, M))
    return keep


def _int_quadratic_over_pole(p0, p1, p2, A, T):
    """int_0^T (p0 + p1 t + p2 t^2)/(t - A) dt for A > T >= 0 (exact; series when T << A)."""
    A = np.asarray(A, dtype=float)
    r = np.minimum(T / A, 0.999)  # A > T where used; the clip only guards masked (resonant) entries
    small = r < 0.05
    # exact: with w = A - t, p(A - w) = pA - pA' w + p2 w^2
    pA = p0 + p1 * A + p2 * A * A
    dpA = p1 + 2.0 * p2 * A
    L = -np.log1p(-np.where(small, 0.0, r))
    exact = -(pA * L - dpA * T + p2 * T * (2.0 * A - T) / 2.0)
    # series: 1/(t - A) = -(1/A) sum_n (t/A)^n, as many terms as the largest small ratio needs
    rmax = float(np.max(np.where(small, r, 0.0))) if np.any(small) else 0.0
    nterms = 1 if rmax == 0.0 else int(min(18, np.ceil(np.log(1e-17) / np.log(rmax))))
    ser = 0.0
    rn = np.ones_like(r)
    T2 = T * T
    for n in range(nterms):
        ser = ser + rn * (p0 * T / (n + 1) + p1 * T2 / (n + 2) + p2 * T2 * T / (n + 3))
        rn = rn * r
    ser = -ser / A
    return np.where(small, ser, exact)


def _identical_cross(spec: ChannelSpec, M: np.ndarray, keep: dict) -> np.ndarray:
    """Interference of the two diagrams of N -> nu_a nu_a nubar_a (massless, V-A):
    I = 1/(256 pi^3 M^3) int ds23 G(s23) int_0^{M^2 - s23} ds13 2 (T - s13)(s23 + s13) G(s13)."""
    keep2 = {k: v[:, None] for k, v in keep.items()}
    rule = me.q2_rule(0.0, M * M, n=N_Q2)
    q2 = rule.q2
    T = rule.bq  # M^2 - q^2
    inner = 0.0
    for ex in spec.exchanges:
        if ex.kind != "vector" or not ex.nonzero or ex.nL == 0 or ex.fL == 0:
            continue
        mask = keep2.get(ex.label, True)
        gX = ex.nL * ex.fL * ex.norm * np.asarray(mask, dtype=float)
        # p(t) = 2 (T - t)(q2 + t) = 2 T q2 + 2 (T - q2) t - 2 t^2
        if ex.mass is None:
            inner = inner + gX * (2.0 * T * T * q2 + (T - q2) * T * T - 2.0 * T**3 / 3.0)
        else:
            val = _int_quadratic_over_pole(2.0 * T * q2, 2.0 * (T - q2), -2.0, ex.mass**2, T)
            inner = inner + gX * np.where(mask, val, 0.0)
    G23 = _vector_sum(spec.exchanges, q2, keep2)
    Ms = np.where(M > 0, M, 1.0)  # M = 0: closed, zero weights
    return np.sum(rule.weight * G23 * inner, axis=-1) / (256.0 * np.pi**3 * Ms**3)


# --------------------------------------------------------------------------- kinematics for sampling
def make_msq(spec: ChannelSpec, M: float):
    """|M|^2(P, k1, k2, k3, s) of the channel for the particle N of mass M (ThreeBody contract).

    Beyond the contract (used by darkbeam.processes.decays, docs/decay_sampling.md): ``s`` may hold
    several spin vectors for the same momenta, shape (j, n, 4), giving (j, n) (``msq.stacked_spins``;
    the invariants P.k_i, k_i.k_j and the q^2-dependent coefficients are computed once, and each row
    is the same number as that spin vector alone), ``msq.spin_average(P, k1, k2, k3)`` is
    msq(P, k1, k2, k3, 0) without the spin terms, and ``msq.at_rest(M, kc, axes)`` is msq at
    P = (M, 0, 0, 0) with daughters kc (3, 4, n) (component-major) and unit spin vectors along the
    axes (1, 2, 3 = x, y, z; None: the spin average) without the products by exact zeros
    (matrix_elements.RestFrameInvariants): the same numbers."""
    # an exchange kept at this mass needs no mask (np.where(True, x, .) is x: the same coefficients)
    keep = {k: False for k, v in _keep(spec, np.array([M])).items() if not v[0]}
    sign = -1.0 if spec.cp_conjugate else 1.0
    exchanges, m1, mf = spec.exchanges, spec.m1, spec.mf

    def evaluate(P, k1, k2, k3, s):
        return of_invariants(me.LazyInvariants(P, k1, k2, k3, None if s is None else sign * np.asarray(s, dtype=float)))

    plan = _coefficient_plan(exchanges, keep)

    def of_invariants(inv):
        q2 = mf * mf * 2.0 + 2.0 * inv.k23
        if spec.identical:
            s13 = 2.0 * inv.k13  # massless neutrinos
            coef = {"VLL": _apply_plan(plan, q2).get("VLL", 0.0) + _apply_plan(plan, s13).get("VLL", 0.0)}
        else:
            coef = _apply_plan(plan, q2)
        return me.msq(inv, M, m1, mf, coef)

    def msq(P, k1, k2, k3, s):
        return evaluate(P, k1, k2, k3, s)

    def spin_average(P, k1, k2, k3):
        return evaluate(P, k1, k2, k3, None)

    def at_rest(M_parent, kc, axes=None):
        return of_invariants(me.RestFrameInvariants(M_parent, kc, axes, sign))

    msq.stacked_spins = True
    msq.spin_average = spin_average
    msq.at_rest = at_rest
    #: every parameter that the function depends on (exact values): two channels with the same
    #: signature have the same |M|^2 to the bit, so they may share a sampler's envelope tables
    msq.signature = (__name__, M, spec.exchanges, m1, mf, spec.identical, spec.cp_conjugate)
    return msq


# --------------------------------------------------------------------------- public interface
def channels(c: Couplings, i: int) -> list[Channel]:
    """Open three-body channels N_i -> (nu or N_k) f fbar of HNL number i (0 = N4), non-zero width."""
    M = float(c.params.hnl_masses[i])
    todo = [s for s in specs(c, i) if M > s.m1 + 2.0 * s.mf]
    base = [s for s in todo if not s.cp_conjugate]
    values = dict(zip((id(s) for s in base), (float(w[0]) for w in widths(base, np.array([M])))))
    out = []
    for spec in todo:
        width = values[id(spec.source if spec.cp_conjugate else spec)]
        if not width > 0.0:
            continue
        out.append(Channel(
            parent=spec.parent, daughters=spec.daughters, width=width,
            kinematics=ThreeBody(make_msq(spec, M)),
            reference=REFERENCE + (" (SM limit: 1805.08567 eqs. 3.4, 3.5)" if spec.group != "heavy" else ""),
            group=spec.group, masses=(spec.m1, spec.mf, spec.mf),
        ))
    return out


def widths_grid(c: Couplings, i: int, masses) -> dict[str, np.ndarray]:
    """Width (GeV) of every three-body channel of HNL i on an array of parent masses (GeV).

    Daughter HNL masses stay at their model values; channels into heavier-index HNLs appear when a
    grid mass exceeds their threshold.  Closed channels are 0."""
    M = np.atleast_1d(np.asarray(masses, dtype=float))
    if M.ndim != 1 or not np.all(np.isfinite(M)) or np.any(M < 0):
        raise ParameterError("widths_grid: parent masses must be a 1-d array of finite values >= 0 GeV")
    all_specs = specs(c, i, grid=True)
    base = [s for s in all_specs if not s.cp_conjugate]
    values = dict(zip((id(s) for s in base), widths(base, M)))
    return {s.name: values[id(s.source if s.cp_conjugate else s)] for s in all_specs}
