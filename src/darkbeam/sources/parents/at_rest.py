"""Parent mesons that stop and decay at rest in an absorber or in the material around the decay region.

The beam model (darkbeam.sources.beam.model.meson_decays) follows each pi+ and K+ to the end of the
decay region; the part of its weight that has not decayed there, exp(-s_max/lambda), leaves the region
undecayed (:class:`~darkbeam.sources.beam.model.RegionExits`): into the **absorber** at the end of the
decay pipe (``at_end``) or into the **walls** (target hall, horn, collimator and decay-pipe walls,
shielding).  There it slows down by ionisation and either interacts (absorbed) or stops and decays at
rest.  With a constant stopping power dE/dx (the material's minimum-ionisation value) this is closed
form:

    range          R = T / (dE/dx),                 T = E - m
    slowing time   t_s = p / ((dE/dx) c)             (dt = dE / ((dE/dx) beta c), integral of E/p dE = p)
    no absorption  P_abs = exp(-R / lambda_abs)      (lambda_abs: darkbeam.sources.beam.materials)
    no decay in flight while slowing down
                   P_dif = ((E + p)/m)^(-m / ((dE/dx) c tau))   (integral of dt/(gamma tau) = m/((dE/dx) c tau) acosh(E/m))

so the mesons stopped per POT are sum(w exp(-s_max/lambda) P_abs P_dif), and each stops at its exit
point plus R along its direction (no multiple scattering, no range straggling) and decays there after
a further exponential time with the lifetime tau.  p4 = (m, 0, 0, 0).

**Protons that cross the target without interacting** (a fraction exp(-L/lambda_p) of the POT: 0.18 at
BNB, 0.14 at NuMI LE) hit the absorber at the end of the decay pipe.  Their first interaction there is
added to the 'absorber' site: mesons from the production model of the beam line at the proton momentum
on the absorber material (ABSORBER_MATERIAL: aluminium core at NuMI, iron elsewhere; p-A production
scaled from Be as in darkbeam.sources.beam.production), the interaction depth exponential in the
proton interaction length, each meson stopping with the same P_abs P_dif at its range along its
production direction (forward hemisphere only, as the production model).

Approximations (docs/parents.md): the minimum-ionisation dE/dx overestimates the range of slow mesons
(by up to ~1.5 below 0.3 GeV/c), so P_abs and the stopped fraction are lower estimates; the absorption
length is taken at the entry momentum; only mesons that leave the beam model's decay region count --
mesons made by interactions in the absorber or the shielding (the hadronic cascade of the protons that
do not interact in the target, the main source of KDAR at the NuMI absorber) and mesons ranged out in
the target are not included, so the numbers are a **lower bound**.  Give ``stopped_per_pot`` to
normalise the sample to a published number; the positions and times are kept.

Only positive mesons decay at rest: a stopped pi- or K- is captured by a nucleus (nuclear capture,
see e.g. the JSNS2 proposal arXiv:1310.1437), and a K0_L is neutral (it does not range out).
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.sources.parents.sample import ParentSample

AT_REST = ("pi+", "K+")
SITES = ("all", "absorber", "walls", "target")
#: material in which the protons that cross the target interact at the end of the decay pipe (assumed:
#: the NuMI hadron absorber has an aluminium core, NIM A 806 (2016) 279; steel elsewhere)
ABSORBER_MATERIAL = {"numi": "Al", "numi_me": "Al"}


def stopping(p, mass: float, ctau_cm: float, dedx: float, lam_abs):
    """(range cm, slowing-down time ns, P_abs, P_dif) of mesons of momentum ``p`` stopping in a material
    of stopping power ``dedx`` (GeV/cm) and absorption length ``lam_abs`` (cm) (module docstring)."""
    from darkbeam.units import C_LIGHT_CM_PER_NS

    p = np.asarray(p, dtype=np.float64)
    e = np.sqrt(p * p + mass * mass)
    rng = (e - mass) / dedx
    t_slow = p / (dedx * C_LIGHT_CM_PER_NS)
    p_abs = np.exp(-rng / lam_abs)
    p_dif = ((e + p) / mass) ** (-mass / (dedx * ctau_cm))
    return rng, t_slow, p_abs, p_dif


def at_rest(beam, species: str, *, n: int = 2**14, seed: int = 12345, site: str = "all", polarity="FHC",
            material: str = "Fe", stopped_per_pot: float | None = None, tertiary: bool | None = None) -> ParentSample:
    """pi+ or K+ that stop and decay at rest at ``site`` ('absorber': the end of the decay pipe;
    'walls': around the decay region, from the target hall on; 'target': the part of 'walls' in the
    target station, up to the end of the last horn or collimator; 'all') of ``beam``, per POT.

    ``material``: stopping material (default iron: steel shielding and absorber; a darkbeam.sources.beam
    material name), ``stopped_per_pot``: normalise the sample to this number of stopped mesons per POT
    (e.g. a published one); default: the beam model's own (a lower bound, module docstring)."""
    from darkbeam.sources import spectra as S
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.beam.materials import material as get_material
    from darkbeam.sources.beam.model import _polarity, meson_decays
    from darkbeam.sources.beam.production import MASS
    from darkbeam.sources.parents.in_flight import _n_points
    from darkbeam.units import C_LIGHT_CM_PER_NS

    if species not in AT_REST:
        raise ConfigurationError(f"'{species}' does not decay at rest here (at rest: {', '.join(AT_REST)}; "
                                 "pi- and K- are captured by nuclei, K0_L does not range out)")
    if site not in SITES:
        raise ConfigurationError(f"unknown stopping site '{site}' (known: {', '.join(SITES)})")
    if stopped_per_pot is not None and not (math.isfinite(stopped_per_pot) and stopped_per_pot > 0):
        raise ConfigurationError(f"stopped_per_pot must be a positive number, got {stopped_per_pot}")
    cfg = beam_config(beam)
    mat = get_material(material)
    pol = _polarity(polarity)
    npts = _n_points(n)
    md = meson_decays(cfg, species, pol, npts, int(seed), tertiary)
    ex = md.exits
    sel = ex.weight > 0
    if site == "absorber":
        sel &= ex.at_end
    elif site == "walls":
        sel &= ~ex.at_end
    elif site == "target":
        sel &= ~ex.at_end & (ex.position[:, 2] <= _target_station_end(cfg))
    m = MASS[species]
    ctau = S.CTAU_CM[species]
    p = ex.p[sel]
    rng_cm, t_slow, p_abs, p_dif = stopping(p, m, ctau, mat.dedx_GeV_per_cm, mat.absorption_length_cm(species, p))
    w = ex.weight[sel] * p_abs * p_dif
    keep = w > 0
    w, rng_cm, t_slow = w[keep], rng_cm[keep], t_slow[keep]
    pos = ex.position[sel][keep] + rng_cm[:, None] * ex.direction[sel][keep]
    t = ex.time[sel][keep] + t_slow
    from_protons = 0.0
    if site in ("all", "absorber"):
        cw, cpos, ct = _absorber_protons(cfg, species, npts, int(seed))
        from_protons = float(cw.sum())
        w, pos, t = np.concatenate((w, cw)), np.concatenate((pos, cpos)), np.concatenate((t, ct))
    gen = np.random.default_rng(np.random.SeedSequence([int(seed), 11, AT_REST.index(species)]))
    t = t + (ctau / C_LIGHT_CM_PER_NS) * gen.exponential(size=w.size)
    p4 = np.zeros((w.size, 4))
    p4[:, 0] = m
    derived = float(w.sum())
    where = {"all": "absorber and walls", "absorber": "absorber at the end of the decay pipe",
             "walls": "walls and shielding around the decay region",
             "target": f"target station (walls up to z = {_target_station_end(cfg):g} cm)"}[site]
    notes = [f"stopped in the {where} of '{cfg.name}' ({mat.name}): the beam model's undecayed mesons leaving the decay "
             f"region, ranged out before absorption (constant dE/dx = {mat.dedx_GeV_per_cm * 1e3:.2f} MeV/cm); "
             f"{derived:.4g} stopped per POT" + (f", of which {from_protons:.3g} from the first interaction in the absorber "
                                                  "of the protons that cross the target" if site != "walls" else "")
             + " (a lower bound: no further cascade, docs/parents.md)"]
    if stopped_per_pot is not None:
        if derived <= 0:
            raise ConfigurationError(f"no {species} stop at the {where} of '{cfg.name}' in the beam model: "
                                     "cannot normalise to stopped_per_pot")
        w = w * (float(stopped_per_pot) / derived)
        notes.append(f"normalised to {stopped_per_pot:g} stopped {species} per POT (given); positions and times "
                     "from the beam model")
    return ParentSample(species=species, p4=p4, position=pos, time=t, weight=w, beam=cfg.name,
                        origin=f"at rest: {cfg.name} {site}", notes=tuple(notes))


def _absorber_protons(cfg, species: str, n: int, seed: int):
    """Mesons of ``species`` stopping in the absorber after the first interaction of the protons that
    cross the target without interacting (module docstring): weights per POT, positions, times (ns,
    before the decay at rest)."""
    from scipy.stats import qmc

    from darkbeam.sources import spectra as S
    from darkbeam.sources.beam.materials import material as get_material
    from darkbeam.sources.beam.production import MASS, MesonProduction
    from darkbeam.units import C_LIGHT_CM_PER_NS

    tmat = get_material(cfg.target.material)
    f_pass = math.exp(-cfg.target.length_cm / tmat.interaction_length_cm)
    amat = get_material(ABSORBER_MATERIAL.get(cfg.name, "Fe"))
    prod = MesonProduction(cfg.proton_momentum_GeV, amat, cfg.production_model)
    gen = np.random.default_rng(np.random.SeedSequence([seed, 13, AT_REST.index(species)]))
    u = qmc.Sobol(4, scramble=True, seed=gen).random(n)
    s = prod.sample(species, n, p_min=0.01, theta_max=0.5 * math.pi, u=u[:, :2])
    m = MASS[species]
    rng_cm, t_slow, p_abs, p_dif = stopping(s.p, m, S.CTAU_CM[species], amat.dedx_GeV_per_cm,
                                            amat.absorption_length_cm(species, s.p))
    w = f_pass * s.weight * p_abs * p_dif
    w = np.where(np.isfinite(w), w, 0.0)
    depth = -amat.interaction_length_cm * np.log1p(-u[:, 2])
    phi = 2.0 * math.pi * u[:, 3]
    st, ct = np.sin(s.theta), np.cos(s.theta)
    z_face = cfg.decay.z_end_cm
    pos = np.stack((rng_cm * st * np.cos(phi), rng_cm * st * np.sin(phi), z_face + depth + rng_cm * ct), axis=1)
    t = (z_face + depth - cfg.target.z_start_cm) / C_LIGHT_CM_PER_NS + t_slow
    keep = w > 0
    return w[keep], pos[keep], t[keep]


def _target_station_end(cfg) -> float:
    """z (cm) of the end of the target station: the last horn or collimator, at least the target's end."""
    ends = [h.z_end_cm for h in cfg.horns] + [c[1] for c in cfg.decay.collimators]
    return max(ends + [cfg.target.z_start_cm + cfg.target.length_cm])
