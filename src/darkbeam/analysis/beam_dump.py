"""Electron beam-dump searches for visibly decaying dark photons (docs/showers.md, "E137").

A dump of ``electrons`` on a thick target makes dark vectors V in the electromagnetic shower
(:mod:`darkbeam.sources.shower`; weights at eps = 1 that scale with eps^2).  V flies through a shield of
length ``shield_cm`` and decays in an open region of length ``decay_cm`` in front of a detector of
``width_cm`` x ``height_cm``.  The signal events (derivation in docs/showers.md)

    N(m, eps) = N_e eps^2 sum_i w_i [exp(-a_i/L_i) - exp(-b_i/L_i)] BR_vis A_i theta(E_i > E_cut),

with w_i the sampled vector weights per electron at eps = 1, a_i, b_i the distances from the production
point to the start and end planes of the decay region along V's direction, L_i = (|p_i|/m) c tau(eps) the
lab decay length, c tau(eps) = c tau(1)/eps^2 (every dark-photon width is proportional to eps^2), BR_vis
the branching fraction to visible final states (events/visibility.py) and A_i = 1 when V's line crosses the
detector face (the acceptance of the decay products is approximated by V's direction; the e+e- opening
angle ~ 2m/E is neglected, docs/showers.md).  The exponential decay law from the production point
includes the survival through the shield, exp(-a/L) (``survival=False`` drops it, for tests only).

One shower sample per mass: the eps dependence is analytic, so the excluded band
[eps_lower, eps_upper] per mass is found on a log grid in eps refined by bisection.  With zero observed
events and no background the 95% CL limit is N > 2.996 (classical Poisson upper limit, -ln 0.05; PDG
Review of Particle Physics, "Statistics", Table 40.3).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from darkbeam.constants import M_E
from darkbeam.errors import ConfigurationError, ParameterError

__all__ = ["BeamDumpGeometry", "GEOMETRIES", "beam_dump_geometry", "DarkVectorSample", "dark_vector_sample",
           "dark_photon_decay", "signal_events", "excluded_band", "search_limit", "ACCEPTANCES"]


@dataclass(frozen=True)
class BeamDumpGeometry:
    """An electron beam dump, its shield, decay region and detector (cm, GeV); ``sources`` names where
    each number comes from."""

    name: str
    material: str
    beam_energy_GeV: float
    shield_cm: float
    decay_cm: float
    width_cm: float
    height_cm: float
    energy_cut_GeV: float
    sources: dict = field(default_factory=dict)


#: SLAC E137 (docs/showers.md, "E137"): numbers and their sources
GEOMETRIES = {
    "e137": BeamDumpGeometry(
        name="SLAC E137", material="aluminium", beam_energy_GeV=20.0, shield_cm=17900.0, decay_cm=20400.0,
        width_cm=300.0, height_cm=300.0, energy_cut_GeV=1.0,
        sources={
            "beam": "20 GeV electrons, 1.87e20 electrons (~30 C): J.D. Bjorken et al., PRD 38, 3375 (1988); "
                    "Bjorken, Essig, Schuster, Toro, PRD 80, 075018 (2009), arXiv:0906.0580, sec. on E137",
            "dump": "aluminium plates cooled by water (arXiv:0906.0580); modelled as infinitely thick aluminium",
            "shield": "179 m of earth (a hill) between the dump and the decay region (arXiv:0906.0580; DarkCast's "
                      "E137_Bjorken2009mm uses the ratio 204/179)",
            "decay": "204 m of open decay region in front of the detector (arXiv:0906.0580; DarkCast 204/179)",
            "detector": "about 3 m x 3 m electromagnetic calorimeter face (brief of issue 13 after arXiv:0906.0580; "
                        "not re-read in PRD 38 3375: the two runs had different detector areas)",
            "energy_cut": "shower energy above 1 GeV (arXiv:0906.0580 quotes 1-3 GeV thresholds; 1 GeV default, "
                          "3 GeV shown in docs/showers.md)",
        }),
}


def beam_dump_geometry(name: str) -> BeamDumpGeometry:
    """A beam-dump geometry by key (``GEOMETRIES``); an unknown key is one ConfigurationError line."""
    if name not in GEOMETRIES:
        raise ConfigurationError(f"unknown beam-dump geometry '{name}' (known: {', '.join(sorted(GEOMETRIES))})")
    return GEOMETRIES[name]


@dataclass
class DarkVectorSample:
    """Weighted dark vectors of one mass from a shower run (eps = 1): weight per electron, |p|, energy,
    direction (n, 3) and production point (n, 3, cm)."""

    mass: float
    weight: np.ndarray
    E: np.ndarray
    p_abs: np.ndarray
    direction: np.ndarray
    pos: np.ndarray
    yield_per_electron: float
    showers: int
    process: np.ndarray = None  # index into ``processes``
    processes: tuple = ()

    def only(self, processes) -> "DarkVectorSample":
        """The same sample with the weights of vectors from other processes set to zero (names of
        DarkTables.PROCESSES, e.g. ('brem_e-', 'brem_e+'))."""
        bad = [p for p in processes if p not in self.processes]
        if bad:
            raise ConfigurationError(f"unknown dark process '{bad[0]}' (known: {', '.join(self.processes)})")
        codes = [self.processes.index(p) for p in processes]
        return dataclasses.replace(self, weight=np.where(np.isin(self.process, codes), self.weight, 0.0))


def dark_vector_sample(geometry: BeamDumpGeometry, mass: float, *, showers: int = 20, vectors: int = 50000,
                       seed: int = 0, brem_model: str = "ww", energy: float | None = None,
                       min_energy: float = 0.0) -> DarkVectorSample:
    """Run ``showers`` primary-electron showers in the dump with dark mass ``mass`` and sample ``vectors``
    weighted dark vectors (weights sum to the yield per electron at eps = 1).

    ``min_energy`` (GeV): sample only from track segments whose parent energy can give a vector above it
    (T_start + 2 m_e >= min_energy; in every process E_V <= E_parent + m_e); the weights then sum to the
    yield of those segments, so that the vectors below the cut are not sampled at all (unbiased for
    E_V > min_energy, and much less noise when the resonant yield at E_V = m^2/2m_e dominates)."""
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.shower.dark import sample_dark_vectors
    from darkbeam.sources.shower.transport import ShowerSimulator

    if not (mass > 0 and math.isfinite(mass)):
        raise ParameterError(f"dark-photon mass must be positive, got {mass}")
    E0 = geometry.beam_energy_GeV if energy is None else energy
    sim = ShowerSimulator(shower_material(geometry.material), "e-", E0, dark_mass=mass, keep_dark_segments=True,
                          brem_model=brem_model)
    res = sim.run(showers, seed=seed)
    seg = res.dark_segments
    if min_energy > 0 and seg is not None and seg["yield"].size:
        keep = seg["T0"] + 2.0 * M_E >= min_energy
        res = dataclasses.replace(res, dark_segments={k: v[keep] for k, v in seg.items()})
        if not np.any(keep):
            raise ParameterError(f"no dark vector above {min_energy} GeV can be made (mass {mass} GeV)")
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    v = sample_dark_vectors(res, sim.dark, vectors, rng)
    p_abs = np.linalg.norm(v["p"], axis=1)
    direction = v["p"] / np.maximum(p_abs, 1e-300)[:, None]
    return DarkVectorSample(mass=mass, weight=v["weight"], E=v["E"], p_abs=p_abs, direction=direction, pos=v["pos"],
                            yield_per_electron=float(v["weight"].sum()), showers=showers, process=v["process"],
                            processes=tuple(v["processes"]))


def dark_photon_decay(mass: float) -> tuple[float, float]:
    """(c tau at eps = 1 in cm, visible branching fraction) of a kinetically mixed dark photon, from
    darkbeam's decay table (physics/decays.py, 'zprime') evaluated at eps = 1e-3 and scaled by eps^2
    (every width is proportional to eps^2)."""
    from darkbeam.events.visibility import is_visible_labels
    from darkbeam.models import ModelParameters
    from darkbeam.physics.decays import decay_table

    eps0 = 1e-3
    table = decay_table(ModelParameters(mzprime=mass, epsilon=eps0), "zprime")
    if not table.total_width > 0:
        raise ParameterError(f"a dark photon of mass {mass} GeV has no open decay channel")
    vis = sum(ch.width for ch in table.channels if is_visible_labels(ch.daughters)) / table.total_width
    return float(table.ctau_cm) * eps0**2, float(vis)


ACCEPTANCES = ("direction", "daughters")
#: strata of the decay region for the daughters' acceptance
STRATA = 8


def _kinematic_factors(sample: DarkVectorSample, geometry: BeamDumpGeometry, energy_cut: float,
                       acceptance: str = "direction", seed: int = 12345):
    """Per vector i and stratum j of the decay region: (w_i, a_ij, b_ij, acc_ij, |p_i|/m).

    'direction': one stratum, acc = 1 if V's line of flight crosses the detector face and E_V > cut.
    'daughters': STRATA equal strata; in each, V decays at the stratum's midpoint into two daughters of mass
    m_e, isotropic in V's rest frame (one sample per vector and stratum, fixed ``seed``), boosted along V;
    acc = 1 if the daughters that cross the detector face carry more than the cut in energy."""
    if acceptance not in ACCEPTANCES:
        raise ConfigurationError(f"unknown acceptance '{acceptance}' (known: {', '.join(ACCEPTANCES)})")
    keep = (sample.direction[:, 2] > 0) & (sample.E > energy_cut) & (sample.weight > 0)
    pos, u, E, p = sample.pos[keep], sample.direction[keep], sample.E[keep], sample.p_abs[keep]
    w, bg = sample.weight[keep], p / sample.mass
    z0, uz = pos[:, 2], u[:, 2]
    z_face = geometry.shield_cm + geometry.decay_cm
    a = (geometry.shield_cm - z0) / uz
    b = (z_face - z0) / uz
    half_w, half_h = 0.5 * geometry.width_cm, 0.5 * geometry.height_cm

    def on_face(start, d):
        ok = d[:, 2] > 0
        s_ = np.where(ok, (z_face - start[:, 2]) / np.where(ok, d[:, 2], 1.0), 0.0)
        x = start[:, 0] + d[:, 0] * s_
        y = start[:, 1] + d[:, 1] * s_
        return ok & (np.abs(x) <= half_w) & (np.abs(y) <= half_h)

    if acceptance == "direction":
        acc = on_face(pos, u)[:, None].astype(float)
        return w, a[:, None], b[:, None], acc, bg
    from darkbeam.sources.shower.transport import _rotate

    rng = np.random.default_rng(seed)
    f = np.arange(STRATA + 1) / STRATA
    aj = a[:, None] + (b - a)[:, None] * f[None, :-1]
    bj = a[:, None] + (b - a)[:, None] * f[None, 1:]
    m = sample.mass
    e_star = 0.5 * m
    p_star = math.sqrt(max(e_star**2 - M_E**2, 0.0))
    gam = E / m
    acc = np.zeros(aj.shape)
    for j in range(STRATA):
        point = pos + u * (0.5 * (aj[:, j] + bj[:, j]))[:, None]
        c = 2.0 * rng.random(len(E)) - 1.0
        phi = 2.0 * math.pi * rng.random(len(E))
        vis = np.zeros(len(E))
        for sign, dphi in ((1.0, 0.0), (-1.0, math.pi)):
            pl = gam * p_star * sign * c + bg * e_star
            pt = p_star * np.sqrt(1.0 - c * c)
            ed = gam * e_star + bg * p_star * sign * c
            cos_t = pl / np.sqrt(pl * pl + pt * pt)
            d = _rotate(u, cos_t, phi + dphi)
            vis += np.where(on_face(point, d), ed, 0.0)
        acc[:, j] = vis > energy_cut
    return w, aj, bj, acc, bg


def signal_events(sample: DarkVectorSample, geometry: BeamDumpGeometry, eps, electrons: float, *,
                  energy_cut: float | None = None, survival: bool = True, decay: tuple[float, float] | None = None,
                  acceptance: str = "direction", factors=None):
    """N(m, eps) for an array ``eps`` (module docstring).  ``survival=False`` drops the survival factor
    exp(-a/L) through the shield (decay probability 1 - exp(-(b - a)/L) instead): for tests only.
    ``acceptance``: 'direction' (V's line of flight) or 'daughters' (see _kinematic_factors)."""
    eps = np.atleast_1d(np.asarray(eps, dtype=float))
    if np.any(~(eps > 0)) or not electrons > 0:
        raise ParameterError("eps and the number of electrons must be positive")
    ctau1, br_vis = dark_photon_decay(sample.mass) if decay is None else decay
    cut = geometry.energy_cut_GeV if energy_cut is None else energy_cut
    w, a, b, acc, bg = _kinematic_factors(sample, geometry, cut, acceptance) if factors is None else factors
    out = np.empty(eps.shape)
    for k, e in enumerate(eps):
        L = (bg * ctau1 / e**2)[:, None]
        if survival:
            p = np.exp(-a / L) - np.exp(-b / L)
        else:
            p = -np.expm1(-(b - a) / L)
        out[k] = electrons * e**2 * br_vis * float(np.sum(w[:, None] * acc * p))
    return out


def excluded_band(sample: DarkVectorSample, geometry: BeamDumpGeometry, electrons: float, n_limit: float, *,
                  energy_cut: float | None = None, eps_range=(1e-10, 1e-2), points: int = 161,
                  acceptance: str = "direction") -> tuple[float, float]:
    """(eps_lower, eps_upper) where N(m, eps) > ``n_limit``; (nan, nan) if nowhere.  A log grid of
    ``points`` in ``eps_range`` brackets the crossings, bisection (in log eps) refines them to 0.1%."""
    decay = dark_photon_decay(sample.mass)
    cut = geometry.energy_cut_GeV if energy_cut is None else energy_cut
    fac = _kinematic_factors(sample, geometry, cut, acceptance)
    grid = np.geomspace(*eps_range, points)
    n = signal_events(sample, geometry, grid, electrons, energy_cut=cut, decay=decay, factors=fac)
    above = n > n_limit
    if not np.any(above):
        return math.nan, math.nan
    i_lo = int(np.argmax(above))
    i_hi = int(len(above) - 1 - np.argmax(above[::-1]))

    def f(e):
        return float(signal_events(sample, geometry, [e], electrons, energy_cut=cut, decay=decay, factors=fac)[0]) - n_limit

    def bisect(lo, hi):
        flo = f(lo)
        while hi / lo > 1.001:
            mid = math.sqrt(lo * hi)
            fm = f(mid)
            if (fm > 0) == (flo > 0):
                lo, flo = mid, fm
            else:
                hi = mid
        return math.sqrt(lo * hi)

    lower = grid[0] if i_lo == 0 else bisect(grid[i_lo - 1], grid[i_lo])
    upper = grid[-1] if i_hi == len(grid) - 1 else bisect(grid[i_hi], grid[i_hi + 1])
    return float(lower), float(upper)


def search_limit(search: str, masses, *, showers: int = 20, vectors: int = 50000, seed: int = 0,
                 energy_cut: float | None = None, brem_model: str = "ww", processes=None,
                 acceptance: str = "direction") -> dict:
    """The excluded eps band per mass of an electron beam-dump search of the searches catalog (e.g.
    'e137_dark_photon'), with the published band where the catalog has one.  ``processes``: only these
    production processes (e.g. ('brem_e-', 'brem_e+'), as in arXiv:0906.0580); default all."""
    from darkbeam.analysis.searches import load_search
    from darkbeam.analysis.statistics import upper_limit

    s = load_search(search)
    sp = s.spec
    exposures = [e for e in sp.exposure if e.electrons is not None]
    if acceptance not in ACCEPTANCES:
        raise ConfigurationError(f"unknown acceptance '{acceptance}' (known: {', '.join(ACCEPTANCES)})")
    if sp.particle != "dark_photon" or not exposures:
        raise ConfigurationError(f"search '{s.key}' is not an electron beam-dump dark-photon search "
                                 "(particle 'dark_photon' and an [[exposure]] with electrons)")
    if sp.result is None:
        raise ConfigurationError(f"search '{s.key}' has no [result]: no limit to compute")
    exp = exposures[0]
    geometry = beam_dump_geometry(exp.geometry)
    n_limit = float(upper_limit(sp.result.background, sp.result.observed, cl=sp.result.cl))
    published = {c.parameter: c for c in s.curves()}
    rows = []
    for m in masses:
        m = float(m)
        cut = geometry.energy_cut_GeV if energy_cut is None else energy_cut
        sample = dark_vector_sample(geometry, m, showers=showers, vectors=vectors, seed=seed, brem_model=brem_model,
                                    min_energy=cut)
        if processes:
            sample = sample.only(processes)
        lo, hi = excluded_band(sample, geometry, exp.electrons, n_limit, energy_cut=energy_cut, acceptance=acceptance)
        row = {"mass_GeV": m, "eps_lower": None if math.isnan(lo) else lo, "eps_upper": None if math.isnan(hi) else hi,
               "yield_above_cut_per_electron_eps1": sample.yield_per_electron}
        for key, name in (("eps_lower", "epsilon_lower"), ("eps_upper", "epsilon_upper")):
            if name in published:
                pub = float(published[name].at([m])[0])
                row[f"published_{key}"] = None if math.isnan(pub) else pub
                row[f"ratio_{key}"] = None if (math.isnan(pub) or row[key] is None) else row[key] / pub
        rows.append(row)
    return {"search": s.key, "geometry": geometry.name, "electrons": exp.electrons, "cl": sp.result.cl,
            "observed": sp.result.observed, "n_limit": n_limit, "showers": showers, "vectors": vectors,
            "energy_cut_GeV": geometry.energy_cut_GeV if energy_cut is None else energy_cut,
            "brem_model": brem_model, "processes": list(processes) if processes else "all",
            "acceptance": acceptance, "rows": rows}
