"""Charm mesons (D+-, D0, D0_bar, D_s+-) made in the target of a high-energy beam, and the taus from
their leptonic decays, as weighted parent samples (decays per POT).

Normalisation (per proton on target, target of length L and nuclear interaction length lambda_I):

    N_cc / POT = P_int * sigma_cc(pA) / sigma_inel(pA),   P_int = 1 - exp(-L / lambda_I),
    sigma_cc(pA) = sigma_cc(pN) * A^alpha,  alpha = 1,
    N(D) / POT = N_cc / POT * f(c -> D)                   (the same for the charge conjugate),
    N(tau-+) / POT = N(D_s-+) Br(D_s -> tau nu) + N(D-+) Br(D -> tau nu).

(the protons interact at a depth exponential in lambda_I; a fraction sigma_cc/sigma_inel of the
interactions makes a c c_bar pair; sigma_inel(pA) = A / (N_A lambda_I) of darkbeam.sources.beam.materials).

* sigma_cc(pN): the total charm cross section per nucleon, interpolated as a power of sqrt(s) through two
  measurements: 18.1 +- 1.7 ub at 400 GeV (sqrt(s) = 27.4 GeV; the value SHiP uses, from the NA27
  LEBC-EHS pp measurement, M. Aguilar-Benitez et al., Z. Phys. C 40 (1988) 321, as compiled by
  C. Lourenco and H.K. Woehri, Phys. Rept. 433 (2006) 127, hep-ph/0609101) and 49.1 +- 4.6 +- 7.4 ub
  at 920 GeV (sqrt(s) = 41.6 GeV; HERA-B, I. Abt et al., Eur. Phys. J. C 52 (2007) 531,
  arXiv:0708.1443): sigma_cc = 18.1 ub (sqrt(s)/27.4 GeV)^k, k = ln(49.1/18.1)/ln(41.6/27.4) = 2.39.
  At 450 GeV this gives 20.8 ub; at 120 GeV (sqrt(s) = 15.1 GeV) 4.3 ub, an extrapolation below the
  lowest proton measurements used here (expect a factor ~2; NLO QCD falls faster near threshold).
* alpha = 1: open charm scales with the number of nucleons (E789, M.J. Leitch et al., PRL 72 (1994)
  2542: alpha = 1.02 +- 0.03 +- 0.02 for D mesons at 800 GeV).
* Fragmentation fractions f(c -> D0) = 0.6086, f(c -> D+) = 0.2404, f(c -> D_s+) = 0.0802 (combined
  e+e- and ep average, M. Lisovyi, A. Verbytskyi, O. Zenaiev, Eur. Phys. J. C 76 (2016)
  397, arXiv:1509.01061, Table 8); the rest (Lambda_c, ...) is not sampled.  No leading-particle
  asymmetry: a D and its conjugate have the same yield and spectrum.
* Shapes of each D: d sigma / dx_F ~ (1 - |x_F|)^n, d sigma / dp_T^2 ~ exp(-b p_T^2), factorised, x_F
  of the meson in the proton-nucleon centre of mass.  n = 4.9 +- 0.5, b = 1.0 +- 0.1 GeV^-2 at
  400-450 GeV (NA27 pp at 400 GeV, Z. Phys. C 40 (1988) 321); n = 6.1 +- 0.7, b = 0.91 +- 0.05 GeV^-2
  at 120 GeV (the nearest proton measurement: E769, pN at 250 GeV, G.A. Alves et al., PRL 77 (1996)
  2392; both as compiled in Lourenco-Woehri, hep-ph/0609101).
* Br(D_s+ -> tau+ nu) = 5.36 % and Br(D+ -> tau+ nu) = 1.20e-3 (PDG 2024).

Kinematics: the x_F and p_T of each D are sampled from the shapes above and boosted from the pN centre
of mass (sqrt(s) = sqrt(2 m_N E_p + 2 m_N^2), nucleon at rest) to the lab, azimuth uniform.  Production
point: on the beam axis at a depth exponential in lambda_I inside the target; the D then flies
gamma beta c tau Exp(1) (c tau = 312 um for D+, 123 um for D0, 150 um for D_s; about a centimetre at
100 GeV) and decays there: position and time of the entry are those of the decay.  A tau is made in the
D_s (or D) rest frame isotropically with p* = (m_D^2 - m_tau^2)/(2 m_D), boosted to the lab, and decays
after its own flight (c tau = 87 um).  Taus are fully polarised in the parent's frame (helicity -1/2
for tau+, +1/2 for tau-: V-A); ParentSample has no polarisation field, so :func:`charm_taus` returns
the lab longitudinal polarisation beside the sample (:func:`tau_polarisation`).  Times: protons at c
to the production depth, then the flights.

Not included (docs/parents.md): charm made by secondary hadrons in the target (the 'cascade', a factor
~2.3 in a thick SHiP-like dump, less in a 1-2 lambda_I neutrino target), absorption of the D before it
decays (~2 % per cm of graphite), D* feed-down kinematics (f includes it, its kinematics is that
of a direct D).  Below ~100 GeV there is no charm measurement to anchor to: bnb (8.9 GeV, sqrt(s) =
4.2 GeV, below the Lambda_c D_bar p threshold 5.1 GeV), cern_ps (19.2 GeV, sqrt(s) = 6.1 GeV) and jparc
(30.9 GeV, sqrt(s) = 7.7 GeV) are near threshold, where sigma_cc is a few nb at most and this
parametrisation does not apply: they are refused.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.sources.parents.sample import ParentSample

CHARM = ("D+", "D-", "D0", "D0_bar", "D_s+", "D_s-")
TAUS = ("tau+", "tau-")
SPECIES = CHARM + TAUS

#: f(c -> hadron), Lisovyi-Verbytskyi-Zenaiev, arXiv:1509.01061 (module docstring)
FRAGMENTATION = {"D0": 0.6086, "D+": 0.2404, "D_s+": 0.0802}
#: Br(D -> tau nu), PDG 2024
BR_TAU_NU = {"D_s+": 0.0536, "D+": 1.20e-3}
#: (beam momentum GeV/c, sigma_cc ub): NA27 (400 GeV) and HERA-B (920 GeV) anchors of the power law in sqrt(s)
SIGMA_CC_ANCHORS = ((400.0, 18.1), (920.0, 49.1))
#: lowest beam momentum (GeV/c) this parametrisation is used at
P_MIN_GEV = 100.0
#: (beam momentum above which it applies GeV, n, b GeV^-2): x_F and p_T^2 shapes (module docstring)
SHAPES = ((300.0, 4.9, 1.0, "NA27 pp 400 GeV, Z. Phys. C 40 (1988) 321"),
          (0.0, 6.1, 0.91, "E769 pN 250 GeV, PRL 77 (1996) 2392"))
_CONJ = {"D+": "D-", "D0": "D0_bar", "D_s+": "D_s-", "tau+": "tau-"}
_CONJ.update({v: k for k, v in list(_CONJ.items())})


def _base(species: str) -> str:
    """The positive / particle label of a species (D- -> D+, D0_bar -> D0)."""
    return species if species in ("D+", "D0", "D_s+", "tau+") else _CONJ[species]


def sqrt_s(p_beam: float) -> float:
    """Centre-of-mass energy (GeV) of a proton of momentum p_beam on a nucleon at rest."""
    from darkbeam.constants import M_NUCLEON, M_PROTON

    e = math.hypot(p_beam, M_PROTON)
    return math.sqrt(M_PROTON**2 + M_NUCLEON**2 + 2.0 * M_NUCLEON * e)


def sigma_cc_ub(p_beam: float) -> float:
    """Total c c_bar cross section per nucleon (ub) at beam momentum ``p_beam`` (GeV/c): the power law in
    sqrt(s) through the NA27 and HERA-B measurements (module docstring)."""
    (p1, s1), (p2, s2) = SIGMA_CC_ANCHORS
    r1, r2 = sqrt_s(p1), sqrt_s(p2)
    k = math.log(s2 / s1) / math.log(r2 / r1)
    return s1 * (sqrt_s(p_beam) / r1) ** k


def _check_beam(cfg) -> None:
    if cfg.proton_momentum_GeV < P_MIN_GEV:
        raise ConfigurationError(
            f"no charm parents for beam '{cfg.name}' ({cfg.proton_momentum_GeV:g} GeV, sqrt(s) = "
            f"{sqrt_s(cfg.proton_momentum_GeV):.1f} GeV): below or near the charm threshold, where no measured "
            f"cross section anchors the model (charm needs >= {P_MIN_GEV:g} GeV: numi, numi_me, lbnf, sps, wanf)")


def has_charm(beam) -> bool:
    """Whether ``beam`` (a name or BeamConfig) has charm parents here (beam momentum >= P_MIN_GEV)."""
    from darkbeam.sources.beam.configs import beam_config

    return beam_config(beam).proton_momentum_GeV >= P_MIN_GEV


def shape_parameters(p_beam: float) -> tuple[float, float, str]:
    """(n, b GeV^-2, source) of the x_F and p_T^2 shapes at beam momentum ``p_beam``."""
    for p_min, n, b, src in SHAPES:
        if p_beam >= p_min:
            return n, b, src
    raise AssertionError("unreachable")


def charm_pairs_per_pot(beam) -> dict:
    """The normalisation of the charm source of ``beam``: {'P_int', 'sigma_cc_ub', 'sigma_inel_mb', 'A',
    'pairs_per_pot'} (module docstring)."""
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.beam.materials import material

    cfg = beam_config(beam)
    _check_beam(cfg)
    mat = material(cfg.target.material)
    p_int = -math.expm1(-cfg.target.length_cm / mat.interaction_length_cm)
    s_cc = sigma_cc_ub(cfg.proton_momentum_GeV)
    pairs = p_int * s_cc * 1e-3 * mat.A / mat.sigma_inel_mb
    return {"P_int": p_int, "sigma_cc_ub": s_cc, "sigma_inel_mb": mat.sigma_inel_mb, "A": mat.A,
            "pairs_per_pot": pairs}


def charm_yield(beam, species: str) -> float:
    """Decays of ``species`` (a D, D_s or tau label) per POT at ``beam``."""
    if species not in SPECIES:
        raise ConfigurationError(f"'{species}' is not a charm parent (charm parents: {', '.join(SPECIES)})")
    pairs = charm_pairs_per_pot(beam)["pairs_per_pot"]
    b = _base(species)
    if b == "tau+":
        return pairs * sum(FRAGMENTATION[d] * br for d, br in BR_TAU_NU.items())
    return pairs * FRAGMENTATION[b]


def sample_xf_pt(n_events: int, n_shape: float, b_shape: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """x_F from (1 - |x_F|)^n on [-1, 1] and p_T from exp(-b p_T^2), by inversion."""
    u = rng.random((n_events, 3))
    ax = 1.0 - (1.0 - u[:, 0]) ** (1.0 / (n_shape + 1.0))
    xf = np.where(u[:, 1] < 0.5, -ax, ax)
    pt = np.sqrt(-np.log1p(-u[:, 2]) / b_shape)
    return xf, pt


def lab_momenta(xf, pt, mass: float, p_beam: float, phi) -> np.ndarray:
    """(n, 4) lab four-momenta of hadrons of mass ``mass`` with Feynman x ``xf`` and transverse momentum
    ``pt`` in the pN centre of mass (beam momentum p_beam along +z, nucleon at rest)."""
    from darkbeam.constants import M_NUCLEON, M_PROTON

    rs = sqrt_s(p_beam)
    gam = (math.hypot(p_beam, M_PROTON) + M_NUCLEON) / rs
    bg = p_beam / rs
    pl = 0.5 * rs * np.asarray(xf, dtype=np.float64)
    e_cm = np.sqrt(mass * mass + pt * pt + pl * pl)
    p4 = np.empty((pl.size, 4))
    p4[:, 0] = gam * e_cm + bg * pl
    p4[:, 1] = pt * np.cos(phi)
    p4[:, 2] = pt * np.sin(phi)
    p4[:, 3] = gam * pl + bg * e_cm
    return p4


def _flight(p4: np.ndarray, mass: float, ctau_cm: float, rng):
    """Flight vector (cm) and time (ns) of particles of lab four-momenta p4 before they decay."""
    from darkbeam.units import C_LIGHT_CM_PER_NS

    p = np.linalg.norm(p4[:, 1:], axis=1)
    length = (p / mass) * ctau_cm * rng.exponential(size=p.size)
    direction = p4[:, 1:] / np.maximum(p, 1e-300)[:, None]
    beta = p / p4[:, 0]
    return length[:, None] * direction, length / (beta * C_LIGHT_CM_PER_NS)


def two_body_daughter(parent_p4: np.ndarray, m_parent: float, m_daughter: float, m_other: float, rng) -> np.ndarray:
    """Lab four-momenta of a daughter of mass ``m_daughter`` emitted isotropically in the rest frame of each
    parent (two-body decay with a partner of mass ``m_other``)."""
    e_star = (m_parent**2 + m_daughter**2 - m_other**2) / (2.0 * m_parent)
    p_star = math.sqrt(max(e_star**2 - m_daughter**2, 0.0))
    u = rng.random((parent_p4.shape[0], 2))
    cth = 2.0 * u[:, 0] - 1.0
    sth = np.sqrt(1.0 - cth * cth)
    ph = 2.0 * math.pi * u[:, 1]
    k = p_star * np.stack((sth * np.cos(ph), sth * np.sin(ph), cth), axis=1)
    # boost (E*, k) by the parent's velocity
    e_p = parent_p4[:, 0]
    pvec = parent_p4[:, 1:]
    kp = np.einsum("ij,ij->i", k, pvec)
    e_lab = (e_p * e_star + kp) / m_parent
    k_lab = k + pvec * ((kp / (m_parent * (e_p + m_parent))) + e_star / m_parent)[:, None]
    return np.concatenate((e_lab[:, None], k_lab), axis=1)


def _production(cfg, n_events: int, rng):
    """Production depths z0 (cm, beam frame) of n_events c c_bar pairs: exponential in lambda_I in the target."""
    from darkbeam.sources.beam.materials import material

    lam = material(cfg.target.material).interaction_length_cm
    frac = -math.expm1(-cfg.target.length_cm / lam)
    depth = -lam * np.log1p(-rng.random(n_events) * frac)
    return cfg.target.z_start_cm + depth


def _n(n) -> int:
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ConfigurationError(f"n must be a positive integer, got {n!r}")
    return int(n)


def _d_decays(cfg, meson: str, n_events: int, rng):
    """(p4, decay positions, decay times) of n_events mesons ``meson`` produced in the target of cfg."""
    from darkbeam.physics.particles import mass_of
    from darkbeam.physics.production.parents import LIFETIME_S
    from darkbeam.units import C_LIGHT_CM_PER_NS, C_LIGHT_CM_PER_S

    m = mass_of(meson)
    n_sh, b_sh, _ = shape_parameters(cfg.proton_momentum_GeV)
    xf, pt = sample_xf_pt(n_events, n_sh, b_sh, rng)
    phi = 2.0 * math.pi * rng.random(n_events)
    p4 = lab_momenta(xf, pt, m, cfg.proton_momentum_GeV, phi)
    z0 = _production(cfg, n_events, rng)
    fl, dt = _flight(p4, m, LIFETIME_S[meson] * C_LIGHT_CM_PER_S, rng)
    pos = fl.copy()
    pos[:, 2] += z0
    t = (z0 - cfg.target.z_start_cm) / C_LIGHT_CM_PER_NS + dt
    return p4, pos, t


def tau_polarisation(tau_p4: np.ndarray, parent_p4: np.ndarray, species: str) -> np.ndarray:
    """Longitudinal polarisation of taus (2 x helicity, along their lab momentum) made in D(s) -> tau nu.

    In the parent's rest frame the tau has the helicity of the V-A neutrino partner: lambda = -1/2 for
    tau+ (with a left-handed nu_tau), +1/2 for tau- (with a right-handed nu_tau_bar).  Its spin four-vector
    is then, covariantly (p the tau, P the parent momentum, K = sqrt((p.P)^2 - m^2 M^2)),
        S = 2 lambda [ (p.P) p / (m K) - m P / K ],
    and the lab longitudinal polarisation is -S.s_L with s_L = (|p|/m, E p_hat/m) in the lab."""
    from darkbeam.physics.particles import mass_of

    two_lam = -1.0 if species == "tau+" else 1.0
    m = mass_of(species)

    def dot(a, b):
        return a[:, 0] * b[:, 0] - np.einsum("ij,ij->i", a[:, 1:], b[:, 1:])

    pp = dot(tau_p4, parent_p4)
    big_m2 = dot(parent_p4, parent_p4)
    k = np.sqrt(np.maximum(pp * pp - m * m * big_m2, 1e-300))
    s = two_lam * (pp[:, None] * tau_p4 / (m * k[:, None]) - m * parent_p4 / k[:, None])
    p = np.linalg.norm(tau_p4[:, 1:], axis=1)
    hat = tau_p4[:, 1:] / np.maximum(p, 1e-300)[:, None]
    s_l = np.concatenate(((p / m)[:, None], (tau_p4[:, 0] / m)[:, None] * hat), axis=1)
    return np.clip(-dot(s, s_l), -1.0, 1.0)


def charm_taus(beam, species: str, *, n: int = 2**14, seed: int = 12345) -> tuple[ParentSample, np.ndarray]:
    """The taus of :func:`charm_sample` (the same entries for the same seed) and their longitudinal
    polarisation along the lab momentum (:func:`tau_polarisation`), which ParentSample has no field for."""
    if species not in TAUS:
        raise ConfigurationError(f"'{species}' is not a tau (taus: {', '.join(TAUS)})")
    return _charm(beam, species, n, seed)


def charm_sample(beam, species: str, *, n: int = 2**14, seed: int = 12345) -> ParentSample:
    """Decays of the charm meson or tau ``species`` per POT at ``beam`` (numi, numi_me, lbnf, sps, wanf):
    ``n`` entries (per parent meson for taus), equal weights summing to :func:`charm_yield`."""
    return _charm(beam, species, n, seed)[0]


def _charm(beam, species: str, n, seed) -> tuple[ParentSample, np.ndarray | None]:
    from darkbeam.sources.beam.configs import beam_config

    if species not in SPECIES:
        raise ConfigurationError(f"'{species}' is not a charm parent (charm parents: {', '.join(SPECIES)})")
    cfg = beam_config(beam)
    norm = charm_pairs_per_pot(cfg)
    n = _n(n)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 17, SPECIES.index(species)]))
    n_sh, b_sh, src = shape_parameters(cfg.proton_momentum_GeV)
    notes = [f"sigma_cc(pN) = {norm['sigma_cc_ub']:.3g} ub at {cfg.proton_momentum_GeV:g} GeV (power law in sqrt(s) "
             "through NA27 400 GeV and HERA-B 920 GeV), A^1 scaling, sigma_inel(pA) = "
             f"{norm['sigma_inel_mb']:.4g} mb, P_int = {norm['P_int']:.4g}: {norm['pairs_per_pot']:.4g} c c_bar per POT",
             f"(1 - |x_F|)^{n_sh:g} exp(-{b_sh:g} p_T^2) ({src}); f(c -> D) of arXiv:1509.01061",
             "no cascade production, no D absorption (docs/parents.md)"]
    pol = None
    if _base(species) != "tau+":
        p4, pos, t = _d_decays(cfg, species, n, rng)
        w = np.full(n, charm_yield(cfg, species) / n)
        origin = f"charm in the target of '{cfg.name}'"
    else:
        from darkbeam.physics.particles import mass_of
        from darkbeam.physics.production.parents import LIFETIME_S
        from darkbeam.units import C_LIGHT_CM_PER_S

        charge = "+" if species == "tau+" else "-"
        parts = []
        pairs = norm["pairs_per_pot"]
        for d in BR_TAU_NU:
            meson = d if charge == "+" else _CONJ[d]
            dp4, dpos, dt = _d_decays(cfg, meson, n, rng)
            md = mass_of(meson)
            tp4 = two_body_daughter(dp4, md, mass_of(species), 0.0, rng)
            fl, ft = _flight(tp4, mass_of(species), LIFETIME_S[species] * C_LIGHT_CM_PER_S, rng)
            w = np.full(n, pairs * FRAGMENTATION[d] * BR_TAU_NU[d] / n)
            parts.append((tp4, dpos + fl, dt + ft, w, tau_polarisation(tp4, dp4, species)))
        p4, pos, t, w, pol = (np.concatenate(x) for x in zip(*parts))
        origin = f"taus from D_s and D decays in the target of '{cfg.name}'"
        notes.append(f"Br(D_s -> tau nu) = {BR_TAU_NU['D_s+']:g}, Br(D -> tau nu) = {BR_TAU_NU['D+']:g} (PDG 2024); "
                     f"{n} entries from each parent")
        notes.append("taus are polarised (V-A): ParentSample has no field for it, charm_taus() returns the "
                     "longitudinal polarisation along the lab momentum")
    return ParentSample(species=species, p4=p4, position=pos, time=t, weight=w, beam=cfg.name, origin=origin,
                        notes=tuple(notes)), pol
