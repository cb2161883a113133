"""Limits of the catalog's meson-decay searches (darkbeam limit, darkbeam recast): one generation per mass
at a reference coupling, the coupling axis by exact reweighting.

For a new particle whose production and decays all go through ONE coupling g (|U_a4| of one flavour,
theta, epsilon), write y = (g/g0)^2 against the reference g0 of the generation.  Every event's weight
is then exactly

    w_i(y) = a_i y^(k_i) P_i(y),   P_i(y) = sum_j exp(-y^c b_ij / L_i) - exp(-y^c b'_ij / L_i)

with a_i = w_i(1)/P_i(1) (production BR x parents x selection, the decay BR fixed since every partial
width scales alike), k_i = (power of g in the channel's BR)/2 (1: BR ~ g^2), L_i the lab decay length at
the reference and c tau ~ y^-c (c = 1: Gamma ~ g^2; c is measured from the decay library at two
couplings and checked to be a power law, docs/meson_decay_limits.md).  N(y) = sum_i w_i(y) sel_i is the
selected signal; the limit is where N(y) = N_lim, the Poisson upper limit of the search's counting
(analysis.statistics.upper_limit at its CL, observed and background).  Long lifetimes:
P ~ y (l2 - l1)/L so N ~ y^2 (|U|^4); short lifetimes: the survival exp(-y l1/L) closes the region
from above (the upper edge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = ["spec_at_mass", "track_cut_acceptance", "check_cuts", "TRACK_CUTS", "LimitSpec", "spec_from_search", "recast_spec", "coupling_curve", "solve_edges", "selection_weights",
           "search_limit", "recast_limit", "final_state_key", "edges", "limit_curve"]

#: reference couplings of the generation (|g|, so that y = 1 there)
G_REF = 1e-3
#: the dark photon's reference epsilon: its decay length at 1e-3 is sub-mm below ~0.1 GeV, so the grid of y
#: (12 decades below the reference) starts at epsilon = 1e-12 and ends at 1e-3
G_REF_PARTICLE = {"dark_photon": 1e-6}


def g_ref(particle: str) -> float:
    """The reference coupling of the generation for ``particle`` (G_REF unless G_REF_PARTICLE says)."""
    return G_REF_PARTICLE.get(particle, G_REF)


#: y = (g/g0)^2 grid of the coupling scan, 4 points per decade, up to the physical end g = 1 (the
#: crossings are then refined on the exact N(y) by brentq)
Y_GRID = np.logspace(-12.0, 6.0, 73)
_NU = {12, 14, 16}
_LABEL = {11: "e-", -11: "e+", 13: "mu-", -13: "mu+", 15: "tau-", -15: "tau+", 211: "pi+", -211: "pi-", 111: "pi0",
          22: "gamma", 321: "K+", -321: "K-", 2212: "p", -2212: "p~"}
_CHARGED = {11, 13, 15, 211, 321, 2212}


def final_state_key(labels_or_codes) -> tuple:
    """Sorted final state with every neutrino written 'nu' (the catalog's 'nu e+ e-' form)."""
    out = []
    for x in labels_or_codes:
        if isinstance(x, (int, np.integer)):
            if int(x) == 0:
                continue
            out.append("nu" if abs(int(x)) in _NU else _LABEL.get(int(x), str(int(x))))
        else:
            out.append("nu" if str(x).startswith("nu") else str(x))
    return tuple(sorted(out))


@dataclass
class LimitSpec:
    """What a limit needs: the particle and coupling, the exposures (experiment, POT, polarity), the
    beam and parent mode, the final states, the cuts and the counting."""

    key: str
    particle: str                  # 'hnl', 'scalar', 'dark_photon'
    beam: str
    parent_mode: str
    parents: tuple
    exposures: list                # (mode, experiment, pot)
    final_states: tuple            # of final_state_key tuples
    cuts: dict
    cl: float
    observed: Optional[int]
    background: float
    background_error: float = 0.0
    published: list = field(default_factory=list)   # analysis.searches Curve objects
    notes: list = field(default_factory=list)
    efficiencies: dict = field(default_factory=dict)  # final_state_key -> flat efficiency of its channel
    tables: dict = field(default_factory=dict)  # channel decay -> (final_state_keys, MassTable) of [channels.table]


def spec_from_search(search) -> LimitSpec:
    """The LimitSpec of a catalog search (``analysis.searches.load_search``)."""
    from darkbeam.analysis.searches import load_search

    s = load_search(search) if isinstance(search, str) else search
    sp = s.spec
    if sp.kind == "measurement":
        raise ConfigurationError(f"'{s.key}' is a measurement of a Standard-Model rate, not a meson-decay search "
                                 "(its Z' constraints: darkbeam plane; docs/rare_limits.md)")
    if any(e.electrons is not None for e in sp.exposure):
        raise ConfigurationError(f"'{s.key}' is an electron beam-dump search: its limit comes from the shower "
                                 "simulation (analysis.beam_dump.search_limit; darkbeam limit routes it there)")
    res = sp.result
    mode = "at-rest" if sp.parent_mode == "at-rest" else "in-flight"
    notes = [f"catalog caveat: {c}" for c in sp.caveats]  # what the search entry has not verified or transcribed
    if sp.parent_mode == "both":
        notes.append("parent_mode 'both': only the parents in flight are simulated")
    finals = tuple(final_state_key(f.split()) for ch in sp.channels for f in ch.final_states)
    effs = {final_state_key(f.split()): float(ch.efficiency) for ch in sp.channels if ch.efficiency is not None
            for f in ch.final_states}
    tables = {ch.decay: (tuple(final_state_key(f.split()) for f in ch.final_states), ch.table)
              for ch in sp.channels if ch.table is not None}
    return LimitSpec(key=s.key, particle=sp.particle, beam=sp.beam, parent_mode=mode, parents=tuple(sp.parents),
                     exposures=[(e.mode, e.experiment, float(e.pot)) for e in sp.exposure], final_states=finals,
                     cuts=dict(sp.selection.cuts), cl=float(res.cl) if res else 0.9,
                     observed=None if res is None or res.observed is None else int(res.observed),
                     background=float(res.background) if res else 0.0,
                     background_error=float(res.background_error) if res else 0.0,
                     published=list(s.curves()), notes=notes, efficiencies=effs, tables=tables)


#: masses (GeV, PDG 2024) of final-state labels, for the thresholds of tabulated channels
_FS_MASS = {"e-": 0.00051099895, "e+": 0.00051099895, "mu-": 0.1056583755, "mu+": 0.1056583755, "pi+": 0.13957039,
            "pi-": 0.13957039, "pi0": 0.1349768, "gamma": 0.0}


def _log_interp(m: float, grid, values) -> float:
    return float(np.interp(math.log(m), np.log(np.asarray(grid, dtype=float)), np.asarray(values, dtype=float)))


def spec_at_mass(spec: LimitSpec, mass: float) -> tuple[LimitSpec, float, float]:
    """(spec with the efficiencies of its ``[channels.table]`` at ``mass``, background, background error) at
    that mass: the tables interpolated linearly in log(mass), the tabulated backgrounds added to the
    spec's (their errors in quadrature); a mass outside a table's grid is one ConfigurationError line."""
    import dataclasses

    if not spec.tables:
        return spec, spec.background, spec.background_error
    effs, b, e2 = dict(spec.efficiencies), spec.background, spec.background_error**2
    for decay, (finals, t) in spec.tables.items():
        lo, hi = t.masses_GeV[0], t.masses_GeV[-1]
        if all(sum(_FS_MASS.get(x, 0.0) for x in f) >= mass for f in finals):
            continue   # kinematically closed at this mass: no events, no efficiency needed
        if not lo * (1 - 1e-9) <= mass <= hi * (1 + 1e-9):
            raise ConfigurationError(f"search {spec.key}: m = {mass:g} GeV is outside the tabulated selection of "
                                     f"'{decay}' ({lo:g}-{hi:g} GeV)")
        eff = _log_interp(mass, t.masses_GeV, t.efficiency)
        for f in finals:
            effs[f] = eff
        if t.background is not None:
            b += _log_interp(mass, t.masses_GeV, t.background)
            if t.background_error is not None:
                e2 += _log_interp(mass, t.masses_GeV, t.background_error) ** 2
    return dataclasses.replace(spec, efficiencies=effs), b, math.sqrt(e2)


def recast_spec(search: str, to: str, flavour: str) -> LimitSpec:
    """The scalar search ``search`` recast into an HNL limit (Kelly and Machado, arXiv:2106.06548): HNLs
    from K+ -> l+ N of the same parents, N -> nu e+ e- (three-body), the search's cuts and counting, at
    the CL of the recast's published curve (90% for Kelly-Machado)."""
    from darkbeam.analysis.searches import load_search

    s = load_search(search)
    rc = s.spec.recast
    if rc is None or rc.to != to:
        raise ConfigurationError(f"search '{s.key}' has no recast to '{to}' in the catalog"
                                 + (f" (it has: {rc.to})" if rc is not None else ""))
    if s.spec.particle != "scalar" or to != "hnl":
        raise ConfigurationError("only the scalar -> HNL recast is implemented (microboone_kdar_scalar --to hnl)")
    spec = spec_from_search(s)
    spec.particle = "hnl"
    spec.final_states = (final_state_key(["nu", "e+", "e-"]),)
    spec.published = list(s.curves(recast=True))
    cls = {c.cl for c in rc.published}
    if cls:
        spec.cl = float(sorted(cls)[0])
    spec.notes.append("recast (Kelly-Machado 2106.06548): N -> nu e+ e- with the scalar search's cuts; per-mass "
                      "efficiencies of the scalar search are not in the catalog, so only the cuts are applied")
    return spec


# --------------------------------------------------------------------------- selection
def _smear(p3: np.ndarray, sigma: float, rng) -> np.ndarray:
    """Directions smeared by a Gaussian of ``sigma`` (rad) in each of two transverse directions."""
    p = np.linalg.norm(p3, axis=-1, keepdims=True)
    u = np.divide(p3, p, out=np.zeros_like(p3), where=p > 0)
    a = np.where(np.abs(u[..., 2:3]) < 0.9, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    e1 = np.cross(u, a)
    e1 /= np.maximum(np.linalg.norm(e1, axis=-1, keepdims=True), 1e-300)
    e2 = np.cross(u, e1)
    g = rng.normal(0.0, sigma, u.shape[:-1] + (2,))
    v = u + g[..., :1] * e1 + g[..., 1:] * e2
    nv = np.linalg.norm(v, axis=-1, keepdims=True)
    v = np.divide(v, nv, out=np.zeros_like(v), where=nv > 0)
    return np.where(p > 0, v * p, p3)


#: the cuts of the searches catalog that act on the final-state particles
TRACK_CUTS = ("angular_smearing_deg", "min_track_energy_GeV", "min_opening_angle_deg")
KNOWN_CUTS = set(TRACK_CUTS) | {"min_delay_ns"}


def check_cuts(cuts: dict, key: str) -> None:
    """A ConfigurationError line for a cut of the catalog that is not implemented."""
    unknown = sorted(set(cuts) - KNOWN_CUTS)
    if unknown:
        raise ConfigurationError(f"search {key}: cut '{unknown[0]}' is not implemented (known: {', '.join(sorted(KNOWN_CUTS))})")


def track_cut_acceptance(codes, p3, m, cuts: dict, rng) -> np.ndarray:
    """(n,) 0/1 acceptance of the track cuts (``TRACK_CUTS``) for final states ``codes`` (n, k) (0:
    none), momenta ``p3`` (n, k, 3) and masses ``m`` (n, k): the same kernel for the signal
    (:func:`selection_weights`) and for generator backgrounds (:mod:`darkbeam.analysis.backgrounds`)."""
    codes = np.asarray(codes)
    p3 = np.asarray(p3, dtype=float)
    m = np.asarray(m, dtype=float)
    acc = np.ones(codes.shape[0], dtype=bool)
    E = np.sqrt(np.einsum("ijk,ijk->ij", p3, p3) + m * m)
    charged = np.isin(np.abs(codes), list(_CHARGED))
    if "angular_smearing_deg" in cuts:
        p3 = _smear(p3, math.radians(float(cuts["angular_smearing_deg"])), rng)
    if "min_track_energy_GeV" in cuts:
        acc &= np.all(~charged | (E > float(cuts["min_track_energy_GeV"])), axis=1)
    if "min_opening_angle_deg" in cuts:
        # the two leading charged tracks
        Ec = np.where(charged, E, -1.0)
        order = np.argsort(-Ec, axis=1)[:, :2]
        r = np.arange(codes.shape[0])
        a, b = p3[r, order[:, 0]], p3[r, order[:, 1]]
        two = charged[r, order[:, 1]]
        cosang = np.einsum("ij,ij->i", a, b) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-300)
        ang = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))
        acc &= two & (ang > float(cuts["min_opening_angle_deg"]))
    return acc.astype(float)


def selection_weights(events, spec: LimitSpec, rng=None) -> np.ndarray:
    """Per-event acceptance (0..1) of the search's selection: the final state is one of the search's,
    times the channel's flat efficiency where the catalog gives one, then the cuts the catalog gives
    (docs/meson_decay_limits.md, "Selection"):
    ``angular_smearing_deg`` (Gaussian, before the angle cuts), ``min_track_energy_GeV`` (every charged
    track), ``min_opening_angle_deg`` (the two leading charged tracks), ``min_delay_ns``: the decay
    must come after a spill of that length ends, for production uniform in the spill: acceptance
    min(1, delay/T) (MicroBooNE's trigger opened after the 1.6 us BNB spill)."""
    rng = np.random.default_rng(12345) if rng is None else rng
    ch_ok = np.array([final_state_key(c.daughters) in spec.final_states for c in events.channels], dtype=bool)
    acc = ch_ok[np.asarray(events["channel"])].astype(float) if len(ch_ok) else np.zeros(len(events))
    if spec.efficiencies and len(ch_ok):   # the channels' flat efficiencies (searches catalog)
        eff = np.array([spec.efficiencies.get(final_state_key(c.daughters), 1.0) for c in events.channels])
        acc = acc * eff[np.asarray(events["channel"])]
    cuts = dict(spec.cuts)
    check_cuts(cuts, spec.key)
    if any(k in cuts for k in TRACK_CUTS):
        codes = np.stack([events.pdg(f"d{k}") for k in range(1, 5)], axis=1)
        p3 = np.stack([events.p3(f"d{k}") for k in range(1, 5)], axis=1)
        m = np.stack([events.mass(f"d{k}") for k in range(1, 5)], axis=1)
        acc = acc * track_cut_acceptance(codes, p3, m, cuts, rng)
    if "min_delay_ns" in cuts:
        T = float(cuts["min_delay_ns"])
        acc = acc * np.clip(events.delay() / T, 0.0, 1.0)
    return acc


# --------------------------------------------------------------------------- coupling axis
def coupling_curve(events, accept, y=Y_GRID, *, production_power=None, ctau_power: float = 1.0) -> np.ndarray:
    """N(y): the selected signal at couplings g = g0 sqrt(y) (module docstring), summed over events, for
    the grid ``y``; ``production_power``: per-case exponent k of y in the production BR (default from
    meta['production'] scaling: power/2 of the one coupling); c tau ~ y^-ctau_power."""
    y = np.asarray(y, dtype=float)
    # a_i = w_i / P_i at the reference: the channel weight (w without p_decay), which stays finite where the
    # reference decay probability underflows (short decay lengths far from the target)
    w = events.channel_weight() * np.asarray(accept, dtype=float)
    keep = w > 0
    if not keep.any():
        return np.zeros_like(y)
    a = w[keep]
    case = np.asarray(events["case"])[keep]
    if production_power is None:
        prod = {p["case"]: p for p in events.meta.get("production", [])}
        powers = []
        for c in events.cases:
            sc = prod.get(c.name, {}).get("scaling", [["g", 2]])
            powers.append(sum(float(pw) for _, pw in sc) / 2.0)
        production_power = np.array(powers)
    k = np.broadcast_to(np.asarray(production_power, dtype=float), (len(events.cases),))[case]
    L0 = events.decay_length()[keep]
    bounds = events.path_bounds()[keep]
    # segments [bounds[2j], bounds[2j+1]] in units of the reference decay length, empty ones dropped
    lo, hi = bounds[:, 0::2] / L0[:, None], bounds[:, 1::2] / L0[:, None]
    used = np.any(hi > lo, axis=0)
    lo, hi = lo[:, used], hi[:, used]
    out = np.empty_like(y)
    chunk = max(1, 2_000_000 // max(1, a.size * lo.shape[1]))
    for j0 in range(0, y.size, chunk):
        t = y[j0:j0 + chunk] ** ctau_power                       # 1/L scales as y^c
        x0 = t[:, None, None] * lo[None]                          # (y, event, segment)
        dx = t[:, None, None] * (hi - lo)[None]
        P = np.sum(np.exp(-x0) * -np.expm1(-dx), axis=2)          # sum_j e^(-a_j/L) - e^(-b_j/L), no cancellation
        out[j0:j0 + chunk] = (P * a[None] * y[j0:j0 + chunk, None] ** k[None]).sum(axis=1)
    return out


def solve_edges(y, N, n_limit: float) -> tuple[float, float]:
    """(lower, upper) y where N(y) crosses n_limit (log-log interpolation between grid points of
    :func:`coupling_curve`, refined by the caller if needed); NaN when N stays below n_limit."""
    y = np.asarray(y, dtype=float)
    N = np.asarray(N, dtype=float)
    above = N >= n_limit
    if not above.any():
        return math.nan, math.nan
    i = int(np.argmax(above))
    j = len(N) - 1 - int(np.argmax(above[::-1]))

    def cross(i0, i1):
        n0, n1 = max(N[i0], 1e-300), max(N[i1], 1e-300)
        t = (math.log(n_limit) - math.log(n0)) / (math.log(n1) - math.log(n0))
        return math.exp(math.log(y[i0]) + t * (math.log(y[i1]) - math.log(y[i0])))

    lo = y[0] if i == 0 else cross(i - 1, i)
    hi = y[-1] if j == len(N) - 1 else cross(j, j + 1)
    return lo, hi


def edges(f, y, N, n_limit: float) -> tuple[float, float]:
    """(lower, upper) y with f(y) = n_limit: the grid crossings of :func:`solve_edges` refined on f
    (the exact N(y)); the grid ends where N stays above n_limit there; NaN when it never reaches it."""
    lo, hi = solve_edges(y, N, n_limit)
    if math.isnan(lo):
        return lo, hi
    step = math.log(y[1] / y[0])
    lo = _refine(f, lo, n_limit, step) if lo > y[0] else lo
    hi = _refine(f, hi, n_limit, step) if hi < y[-1] else hi
    return lo, hi


def _refine(f, y0: float, n_limit: float, grid_step: float) -> float:
    """Root of log f(y) = log n_limit near y0 (bracket y0 / step .. y0 * step), by brentq in log y."""
    from scipy.optimize import brentq

    g = lambda t: math.log(max(f(math.exp(t)), 1e-300)) - math.log(n_limit)  # noqa: E731
    a, b = math.log(y0) - grid_step, math.log(y0) + grid_step
    try:
        if g(a) * g(b) < 0:
            return math.exp(brentq(g, a, b, xtol=1e-7, rtol=1e-9))
    except ValueError:
        pass
    return y0


# --------------------------------------------------------------------------- the driver
_COUPLING = {"hnl": None, "scalar": ("mhprime", "theta"), "dark_photon": ("mzprime", "epsilon"), "alp": ("ma", "g_agg")}
#: the LLP label of each particle in the decay library
_LLP = {"hnl": "N4", "scalar": "hprime", "dark_photon": "zprime", "alp": "alp"}
#: ALPs: the reference coupling of each mass is the one whose lab decay length at E_TYPICAL_GEV equals the
#: experiment's baseline (so that p_decay does not underflow at the reference, whatever the mass)
E_TYPICAL_GEV = 10.0
#: parents that are not meson species: sources made in the target (built per mass)
_DIRECT = ("gamma", "p", "gamma-shower")   # 'gamma-shower': meson_run.ALP_SHOWER_PARENT


def parameter_name(particle: str, flavour: str = "mu") -> str:
    """The quoted parameter: |U_a4|^2 for HNLs, theta for the scalar (theta, not theta^2, as
    MicroBooNE quotes it), epsilon for the dark photon, g_agg (GeV^-1) for the ALP."""
    return {"hnl": f"|U_{flavour}4|^2", "scalar": "theta", "dark_photon": "epsilon", "alp": "g_agg"}[particle]


def _to_parameter(particle: str, y, g_ref: float = G_REF):
    y = np.asarray(y, dtype=float)
    return y * g_ref**2 if particle == "hnl" else np.sqrt(y) * g_ref


def _alp_reference(mass: float, baseline_cm: float, overrides: dict) -> float:
    """g_agg whose lab decay length at E_TYPICAL_GEV is ``baseline_cm`` (c tau ~ g_agg^-2, exact for a
    photon-only ALP; the decay library is asked at G_REF)."""
    from darkbeam.models import load_model
    from darkbeam.physics.decays import decay_table

    p = load_model(None, {**overrides, "ma": mass, "g_agg": G_REF}, base={"name": "alp (g_agg)"})
    ctau = decay_table(p, "alp").ctau_cm
    gamma_beta = math.sqrt(max(E_TYPICAL_GEV**2 - mass**2, 1e-12)) / mass
    return G_REF * math.sqrt(ctau * gamma_beta / baseline_cm)


def _model(particle: str, mass: float, flavour: str, hnl_type: str, overrides: dict, g_ref: float = G_REF):
    from darkbeam.models import load_model

    if particle == "hnl":
        base = {"name": f"HNL mixing with nu_{flavour} only", "HNLtype": hnl_type}
        fixed = {"m4": mass, f"U{flavour}4": G_REF}
    else:
        mkey, gkey = _COUPLING[particle]
        base = {"name": f"{particle} ({gkey})"}
        fixed = {mkey: mass, gkey: g_ref}
    clash = sorted(set(overrides) & set(fixed))
    if clash:
        raise ConfigurationError(f"--set {clash[0]}: the mass and the coupling are set by --masses and the scan")
    return load_model(None, {**overrides, **fixed}, base=base)


def _ctau_power(params, particle: str, flavour: str) -> float:
    """c of c tau ~ y^-c from the decay library at g0 and 2 g0 (1 when every width ~ g^2)."""
    from darkbeam.physics.decays import decay_table

    llp = _LLP[particle]
    key = f"U{flavour}4" if particle == "hnl" else _COUPLING[particle][1]
    g0 = float(getattr(params, key))
    t1 = decay_table(params, llp).ctau_cm
    t2 = decay_table(params.model_copy(update={key: 2.0 * g0}), llp).ctau_cm
    return -math.log(t2 / t1) / math.log(4.0)


def _placement_center(exp, beam: str) -> np.ndarray:
    from darkbeam.detectors.placement import placement

    return np.asarray(placement(exp, beam).center, dtype=float)


def limit_curve(spec: LimitSpec, masses: Sequence[float], *, flavour: str = "mu", n: int = 4000, n_parents: int = 2**15,
                seed: int = 1, hnl_type: Optional[str] = None, overrides: Optional[dict] = None,
                keep_events: bool = False, stopped_per_pot: Optional[float] = None, workers: int = 1) -> dict:
    """Limits of ``spec`` at ``masses`` (GeV): the JSON of ``darkbeam limit`` (module docstring).
    ``workers``: processes over the masses (fork; the parents are made once, before)."""
    from darkbeam.analysis.statistics import upper_limit
    from darkbeam.detectors import load_experiment
    from darkbeam.processes.meson_run import meson_channels, meson_parents, polarity_of

    if spec.particle == "hnl":
        if flavour not in ("e", "mu", "tau"):
            raise ConfigurationError(f"--flavour: unknown value '{flavour}' (choose from e, mu, tau)")
    if int(workers) < 1:
        raise ConfigurationError(f"--workers must be at least 1, got {workers}")
    masses = [float(m) for m in masses]
    if not masses or any(not (m > 0 and math.isfinite(m)) for m in masses):
        raise ConfigurationError("--masses: give positive masses in GeV")
    if hnl_type is None:
        types = [c.hnl_type for c in spec.published if c.hnl_type]
        hnl_type = types[0] if types else "dirac"
    overrides = dict(overrides or {})

    def counts(b: float, db: float) -> tuple[float, float]:
        rel = db / b if b > 0 else 0.0
        n_o = upper_limit(b, spec.observed, cl=spec.cl, sigma_background=rel) if spec.observed is not None else math.nan
        return n_o, upper_limit(b, None, cl=spec.cl, sigma_background=rel)

    n_obs, n_exp = counts(spec.background, spec.background_error)
    per_mass = [spec_at_mass(spec, m) for m in masses]  # tabulated selections ([channels.table]); checks the range
    n_limits = [counts(b, db) for _, b, db in per_mass] if spec.tables else [(n_obs, n_exp)] * len(masses)
    exps = [(mode, load_experiment(e), pot) for mode, e, pot in spec.exposures]
    if spec.particle == "alp":   # a reference coupling per mass (E_TYPICAL_GEV)
        base_cm = min(float(np.linalg.norm(_placement_center(ex, spec.beam))) for _, ex, _ in exps)
        g_refs = [_alp_reference(m, base_cm, overrides) for m in masses]
    else:
        g_refs = [g_ref(spec.particle)] * len(masses)
    models = [_model(spec.particle, m, flavour, hnl_type, overrides, g) for m, g in zip(masses, g_refs)]
    open_at = []
    gkey = f"U{flavour}4" if spec.particle == "hnl" else _COUPLING[spec.particle][1]
    for params in models:  # every check before any work: no channel open at any mass is one line
        try:
            chs = meson_channels(params, parents=_decay_parents(spec), particle=spec.particle,
                                 bremsstrahlung="p" in spec.parents)
            open_at.append(True)
        except ConfigurationError:
            open_at.append(bool(_shower_channels(spec, params)))
            continue
        for ch in chs:  # the coupling axis assumes one coupling: BR ~ g^2 in every channel
            if [tuple(x) for x in ch.scaling] != [(gkey, 2)]:
                raise ConfigurationError(f"{ch.name} scales as {' '.join(f'{k}^{p}' for k, p in ch.scaling) or 'nothing'}: "
                                         f"a limit on {gkey} needs a model with {gkey} as the only coupling (--set of "
                                         "another coupling is not supported)")
    if not any(open_at):
        raise ConfigurationError(f"no production channel of {spec.particle if spec.particle != 'hnl' else 'an HNL mixing with nu_' + flavour} "
                                 f"from {', '.join(spec.parents)} is open at the masses {', '.join(f'{m:g}' for m in masses)} GeV")
    parents, notes = {}, list(spec.notes)
    for mode, exp, _ in exps:
        pol = polarity_of(exp, mode)
        if pol not in parents:
            kw = {"site": "absorber", "stopped_per_pot": stopped_per_pot} if spec.parent_mode == "at-rest" else {}
            species = [x for x in spec.parents if x not in _DIRECT]   # direct sources: per mass, in _one_mass
            parents[pol], nn = meson_parents(spec.beam, species, n=n_parents, seed=seed, mode=spec.parent_mode,
                                             polarity=pol, **kw) if species else ({}, [])
            notes += [f"{pol}: {x}" for x in nn]
    out = {"search": spec.key, "parameter": parameter_name(spec.particle, flavour), "masses_GeV": masses,
           "limit": [], "expected": [], "limit_upper": [], "expected_upper": [],
           "signal_events_limit": n_obs, "signal_events_expected": n_exp, "cl": spec.cl,
           "observed": spec.observed, "background": spec.background, "hnl_type": hnl_type if spec.particle == "hnl" else None,
           "reference_coupling": g_refs if spec.particle == "alp" else g_refs[0], "events_per_channel": n, "seed": seed,
           "exposures": [{"mode": mo, "experiment": ex.keyword, "pot": pot} for mo, ex, pot in exps],
           "ctau_power": [], "notes": notes}
    if spec.tables:
        out["background_per_mass"] = [b for _, b, _ in per_mass]
        out["background_error_per_mass"] = [db for _, _, db in per_mass]
        out["signal_events_limit_per_mass"] = [a if math.isfinite(a) else None for a, _ in n_limits]
        out["signal_events_expected_per_mass"] = [c for _, c in n_limits]
        out["efficiency_per_mass"] = [{" ".join(k): v for k, v in sm.efficiencies.items()} for sm, _, _ in per_mass]
        out["signal_events_limit"] = out["signal_events_expected"] = None
        out["background"] = None
    state = {"spec": spec, "masses": masses, "specs": [sm for sm, _, _ in per_mass], "n_limits": n_limits, "models": models, "exps": exps, "parents": parents, "n": n, "seed": seed,
             "g_refs": g_refs, "n_parents": n_parents,
             "flavour": flavour, "n_obs": n_obs, "n_exp": n_exp, "keep_events": keep_events}
    if workers > 1 and len(masses) > 1 and not keep_events:
        import multiprocessing as mp

        _STATE.update(state)   # inherited by the forked workers (parents are not pickled)
        try:
            with mp.get_context("fork").Pool(min(workers, len(masses))) as pool:
                results = pool.map(_mass_job, range(len(masses)), chunksize=1)
        finally:
            _STATE.clear()
    else:
        results = [_one_mass(state, im) for im in range(len(masses))]
    kept = []
    for res, c, nn, kk in results:
        for key in ("limit", "expected", "limit_upper", "expected_upper"):
            out[key].append(res.get(key))
        if res.get("sources"):   # LLPs made in the target, per source (per mass)
            out.setdefault("sources", [None] * len(masses))[len(out["limit"]) - 1] = res["sources"]
        out["ctau_power"].append(c)
        notes += nn
        kept += kk
    if spec.observed is None:
        notes.append(f"search {spec.key} has no [result] (observed events): no observed limit, 'expected' only")
    if keep_events:
        out["_events"] = kept
    return out


_STATE: dict = {}

#: the parent label of a search entry that adds the dark vectors of the target's pi0/eta photon showers
#: (processes/shower_llp.py) to the meson decays; photon showers per mass for the sample
SHOWER_PARENT = "gamma"
SHOWER_SHOWERS = 64


def _decay_parents(spec) -> list:
    """The parents of ``spec`` handed to meson_channels: all of them, except 'gamma' of a dark-photon
    search, which names the photon showers (:func:`_shower_channels`; for an ALP search 'gamma' is the
    Primakoff source of meson_channels)."""
    return [p for p in spec.parents if not (spec.particle == "dark_photon" and p == SHOWER_PARENT)]


def _shower_channels(spec, params) -> list:
    """[the shower channel] for a dark-photon search whose parents name 'gamma' (photon showers in the
    target), else []."""
    if spec.particle != "dark_photon" or SHOWER_PARENT not in spec.parents:
        return []
    from darkbeam.processes.shower_llp import shower_channel

    ch = shower_channel(params)
    return [] if ch is None else [ch]


def _mass_job(im: int):
    return _one_mass(_STATE, im)


def _one_mass(st: dict, im: int):
    """(results, ctau power, notes, kept events) of mass number ``im``: generation, selection, coupling
    axis and edges.  Random numbers from (seed, mass index, exposure index): same seed, same limits for
    any number of workers."""
    from darkbeam.errors import DarkbeamError
    from darkbeam.processes.meson_decay import simulate
    from darkbeam.processes.meson_run import direct_sample, meson_channels, polarity_of

    spec, m, params, seed = st["specs"][im], st["masses"][im], st["models"][im], st["seed"]
    notes, kept = [], []
    try:
        chs = meson_channels(params, parents=_decay_parents(spec), particle=spec.particle,
                                 bremsstrahlung="p" in spec.parents)
    except ConfigurationError as exc:
        chs = []
        if not _shower_channels(spec, params):
            return {}, None, [f"m = {m} GeV: {exc}"], []
    shower = _shower_channels(spec, params)
    extra = {}
    if shower:  # the dark vectors of the target's photon showers (processes/shower_llp.py): one sample per mass
        from darkbeam.processes.shower_llp import shower_sample

        cut = float(spec.cuts.get("min_track_energy_GeV", 0.0))
        sample, info = shower_sample(spec.beam, m, showers=SHOWER_SHOWERS, vectors=max(4 * st["n"], 20000), seed=seed,
                                     min_energy=2.0 * cut)
        extra[shower[0].sample_key] = sample
        chs = chs + shower
        notes.append(f"m = {m} GeV: target photon showers, dark vectors per POT at epsilon = 1 that can pass the "
                     f"energy cut: {info['yield_per_pot']:.4g} +- {info['yield_error']:.2g} ("
                     + ", ".join(f"{k} {v:.3g}" for k, v in info["by_process"].items()) + ")")
    c = _ctau_power(params, spec.particle, st["flavour"])
    direct = {}
    for ch in chs:   # LLPs made in the target (Primakoff ALPs, bremsstrahlung A'): a source per mass
        if hasattr(ch, "sample_key") and ch.sample_key not in extra:   # (the shower sample is made above)
            got, why = direct_sample(ch, spec.beam, mode=spec.parent_mode, n=st.get("n_parents", 2**14), seed=seed)
            if got is not None:
                direct[ch.sample_key] = got
                info = getattr(got, "info", None)
                if isinstance(info, dict) and "yield_rel_error" in info:   # the shower Primakoff ALPs
                    notes.append(f"m = {m} GeV: {ch.name}: {got.decays_per_pot:.4g} ALPs per POT at g_agg = 1 GeV^-1, "
                                 f"relative error {info['yield_rel_error']:.2g} (shower to shower, {info['showers']} "
                                 "showers; not in the limit's MC error)")
            else:
                notes.append(f"m = {m} GeV: {why}")
    curves = []
    for ie, (mode, exp, pot) in enumerate(st["exps"]):
        rng = np.random.default_rng([seed, im, ie])
        try:
            ev = simulate(params, exp, chs, {**st["parents"][polarity_of(exp, mode)], **direct, **extra}, n=st["n"], rng=rng, pot=pot, seed=seed,
                          keep=lambda labels: final_state_key(labels) in spec.final_states)
        except DarkbeamError as exc:  # a mass without events: no limit there, said in the notes
            notes.append(f"m = {m} GeV, {exp.keyword}: {exc}")
            continue
        acc = selection_weights(ev, spec, np.random.default_rng([seed, im, ie, 7]))
        curves.append((ev, acc))
        if st["keep_events"]:
            kept.append((m, exp.keyword, ev, acc))
    f = lambda yy: sum(float(coupling_curve(ev, acc, [yy], ctau_power=c)[0]) for ev, acc in curves)  # noqa: E731
    N = np.zeros_like(Y_GRID)
    for ev, acc in curves:
        N += coupling_curve(ev, acc, Y_GRID, ctau_power=c)
    res = {"sources": _source_shares(chs, direct, curves, st, im, c)}
    for tag, nl in zip(("limit", "expected"), st["n_limits"][im]):
        res[tag], res[tag + "_upper"] = None, None
        if not math.isfinite(nl):
            continue
        lo, hi = edges(f, Y_GRID, N, nl)
        if math.isnan(lo):
            continue
        g0 = st["g_refs"][im]
        res[tag] = float(_to_parameter(spec.particle, lo, g0))
        # the short-lifetime edge: None when the region stays open to the end of the scan
        res[tag + "_upper"] = None if hi >= Y_GRID[-1] else float(_to_parameter(spec.particle, hi, g0))
    return res, c, notes, kept


def _source_shares(chs, direct, curves, st, im, c) -> dict:
    """Per production channel made in the target (Primakoff ALPs of the first-generation and of the shower
    photons): its LLPs per POT at unit coupling, the source's own relative error where it has one (the shower
    to shower spread), and its share of the selected signal at the expected lower edge."""
    out = {}
    for ch in chs:
        ps = direct.get(getattr(ch, "sample_key", None))
        if ps is None:
            continue
        info = getattr(ps, "info", None) or {}
        out[ch.name] = {"llp_per_pot_unit_coupling": float(ps.decays_per_pot),
                        "source_rel_error": info.get("yield_rel_error")}
    n_exp = st["n_limits"][im][1]  # this mass's expected signal-count limit (per-mass tables)
    if not out or not curves or not math.isfinite(n_exp):
        return out
    N = np.zeros_like(Y_GRID)
    for ev, acc in curves:
        N += coupling_curve(ev, acc, Y_GRID, ctau_power=c)
    lo, _ = solve_edges(Y_GRID, N, n_exp)
    if math.isnan(lo):
        return out
    tot = sum(float(coupling_curve(ev, acc, [lo], ctau_power=c)[0]) for ev, acc in curves)
    for name in out:
        part = 0.0
        for ev, acc in curves:
            ids = [i for i, cs in enumerate(ev.cases) if cs.name == name]
            if ids:
                sel = np.isin(np.asarray(ev["case"]), ids)
                part += float(coupling_curve(ev, np.asarray(acc, dtype=float) * sel, [lo], ctau_power=c)[0])
        out[name]["share_at_expected_lower_edge"] = part / tot if tot > 0 else None
    return out


def search_limit(search: str, masses: Sequence[float], **options) -> dict:
    """:func:`limit_curve` of a catalog search (``darkbeam limit SEARCH``)."""
    return limit_curve(spec_from_search(search), masses, **options)


def recast_limit(search: str, masses: Sequence[float], *, to: str = "hnl", flavour: str = "mu", **options) -> dict:
    """:func:`limit_curve` of the recast of ``search`` (``darkbeam recast SEARCH --to hnl``)."""
    out = limit_curve(recast_spec(search, to, flavour), masses, flavour=flavour, **options)
    out["recast_of"] = search
    out["recast_to"] = to
    return out
