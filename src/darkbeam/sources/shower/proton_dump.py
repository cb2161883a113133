"""Dark vectors from the electromagnetic showers of pi0 and eta photons in a proton-beam target.

The prompt pi0 and eta of the beam model (``parent_sample(beam, 'pi0'|'eta')``, per POT, made and decaying
in the target) decay to two photons, isotropic in the meson rest frame and boosted to the lab; each photon
showers in the target material (the beam configuration's ``Target``) over its path to the target's surface
along its direction (the cylinder's side or downstream face), with the transport of transport.py, and the
dark-vector yields per POT at eps = 1 are summed by process (docs/showers.md, "Proton beam dumps").

Branching fractions (PDG 2024 RPP): B(pi0 -> gamma gamma) = 0.98823, B(eta -> gamma gamma) = 0.3936.
Other photon sources (pi0 Dalitz, eta -> 3 pi0, omega -> pi0 gamma, ...) are not included.

Importance sampling: ``showers`` photons are drawn with replacement with probability p_i proportional to
w_i E_i (w_i photons per POT); each shower's yield y_j enters with weight w_j / (p_j N), an unbiased
estimate of sum_i w_i y(E_i, L_i), efficient because the yields grow about linearly with the photon energy
(track length ~ E).  Its error is the spread of the N terms.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError, ParameterError
from darkbeam.sources.shower.tables import DarkTables

#: B(M -> gamma gamma), PDG 2024 Review of Particle Physics (pi0: 98.823%, eta: 39.36%)
BR_GAMMA_GAMMA = {"pi0": 0.98823, "eta": 0.3936}
#: meson masses, GeV (PDG 2024)
MESON_MASS = {"pi0": 0.1349768, "eta": 0.547862}


def two_photon_decays(p4: np.ndarray, weight: np.ndarray, mass: float, br: float, rng: np.random.Generator):
    """Two photons per meson (p4 (n, 4) lab, weight (n,) per POT): isotropic in the rest frame, boosted.

    Returns (k4 (2n, 4), weight (2n,), parent index (2n,)); photon 2j and 2j + 1 come from meson j, each with
    weight weight_j * br (photons per POT = 2 br x mesons per POT)."""
    n = p4.shape[0]
    c = 2.0 * rng.random(n) - 1.0
    phi = 2.0 * math.pi * rng.random(n)
    s = np.sqrt(1.0 - c * c)
    k = 0.5 * mass
    kr = np.stack([np.full(n, k), k * s * np.cos(phi), k * s * np.sin(phi), k * c], axis=1)
    out = []
    for sign in (1.0, -1.0):
        q = kr.copy()
        q[:, 1:] *= sign
        out.append(_boost(q, p4, mass))
    k4 = np.empty((2 * n, 4))
    k4[0::2], k4[1::2] = out
    return k4, np.repeat(weight * br, 2), np.repeat(np.arange(n), 2)


def _boost(q: np.ndarray, p4: np.ndarray, mass: float) -> np.ndarray:
    """Lorentz boost of rest-frame four-vectors q to the frame where the parent has p4 (mass ``mass``)."""
    E, p = p4[:, 0], p4[:, 1:]
    bq = (p * q[:, 1:]).sum(axis=1)
    E_lab = (E * q[:, 0] + bq) / mass
    f = (q[:, 0] + E_lab) / (E + mass)
    return np.concatenate([E_lab[:, None], q[:, 1:] + f[:, None] * p], axis=1)


def path_in_target(pos: np.ndarray, u: np.ndarray, z_face: float, length: float, radius: float) -> np.ndarray:
    """Distance (cm) from pos along unit direction u to the surface of the cylinder r < radius,
    z_face < z < z_face + length (0 for points outside)."""
    x, y, z = pos[:, 0], pos[:, 1], pos[:, 2]
    ux, uy, uz = u[:, 0], u[:, 1], u[:, 2]
    z_end = np.where(uz > 0, z_face + length, z_face)
    with np.errstate(divide="ignore", invalid="ignore"):
        dz = np.where(uz != 0, (z_end - z) / uz, np.inf)
        a = ux * ux + uy * uy
        b = x * ux + y * uy
        cc = x * x + y * y - radius * radius
        dr = np.where(a > 0, (-b + np.sqrt(np.maximum(b * b - a * cc, 0.0))) / a, np.inf)
    inside = (cc <= 0) & (z >= z_face) & (z <= z_face + length)
    return np.where(inside, np.maximum(np.minimum(dz, dr), 0.0), 0.0)


def meson_photons(beam, species=("pi0", "eta"), n_mesons: int = 2**13, seed: int = 12345) -> dict:
    """Photons per POT from the two-photon decays of the prompt mesons of ``beam`` (docstring above):
    k4 (n, 4), pos (n, 3) cm, weight (n,) per POT, species (n,) index into ``species``, parent_E (n,)."""
    from darkbeam.sources.parents import parent_sample

    rng = np.random.default_rng(seed)
    parts = {"k4": [], "pos": [], "weight": [], "species": [], "parent_E": []}
    for i, sp in enumerate(species):
        if sp not in BR_GAMMA_GAMMA:
            raise ConfigurationError(f"no two-photon decay for '{sp}' (known: {', '.join(BR_GAMMA_GAMMA)})")
        ps = parent_sample(beam, sp, n=n_mesons, seed=seed + i)
        k4, w, j = two_photon_decays(ps.p4, ps.weight, MESON_MASS[sp], BR_GAMMA_GAMMA[sp], rng)
        parts["k4"].append(k4)
        parts["pos"].append(ps.position[j])
        parts["weight"].append(w)
        parts["species"].append(np.full(w.size, i))
        parts["parent_E"].append(ps.p4[j, 0])
    out = {k: np.concatenate(v) for k, v in parts.items()}
    out["species_names"] = tuple(species)
    return out


def direct_meson_yield(beam, mass: float, species=("pi0", "eta"), n_mesons: int = 2**13, seed: int = 12345) -> dict:
    """Dark vectors per POT at eps = 1 from M -> gamma V directly: B = 2 (1 - m^2/m_M^2)^3 B(M -> gamma gamma)
    (Batell, Pospelov, Ritz, PRD 80, 095024 (2009), arXiv:0906.5614, eq. 9) times the mesons per POT."""
    from darkbeam.sources.parents import parent_sample

    out = {}
    for i, sp in enumerate(species):
        mM = MESON_MASS[sp]
        if mass >= mM:
            out[sp] = 0.0
            continue
        n = parent_sample(beam, sp, n=n_mesons, seed=seed + i).decays_per_pot
        out[sp] = float(n * 2.0 * (1.0 - mass**2 / mM**2) ** 3 * BR_GAMMA_GAMMA[sp])
    return out


def _basis(d: np.ndarray) -> np.ndarray:
    """Rotation matrix (3, 3) whose third column is the unit vector ``d``: shower frame (primary along z) ->
    beam frame."""
    d = d / np.linalg.norm(d)
    a = np.array([1.0, 0.0, 0.0]) if abs(d[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = a - d * (a @ d)
    e1 /= np.linalg.norm(e1)
    return np.column_stack([e1, np.cross(d, e1), d])


#: the slab's faces (cm, both sides of the photon's origin) when the lateral surface bounds the target: the
#: cylinder (``path_in_target``) is then the only boundary that counts
_BACK = 1e6


def pick_shower_photons(ph, tg, e_min: float, showers: int, seed: int, beam: str):
    """The meson photons that start the importance-sampled showers (module docstring): of the photons
    ``ph`` (meson_photons) above ``e_min`` GeV with a path in the target ``tg``, ``showers`` drawn with
    probability ~ w E (rng seeded by ``seed``).  Returns (E, u, L, idx, pick, q): every photon's energy,
    direction and path in the target (cm), the eligible indices, the picked ones and their probabilities."""
    E = ph["k4"][:, 0]
    u = ph["k4"][:, 1:] / E[:, None]
    L = path_in_target(ph["pos"], u, tg.z_start_cm, tg.length_cm, tg.radius_cm)
    idx = np.flatnonzero((E > e_min) & (L > 0))
    if idx.size == 0:
        raise ParameterError(f"no meson photon above {e_min:g} GeV inside the target of '{beam}'")
    p = ph["weight"][idx] * E[idx]
    p = p / p.sum()
    rng = np.random.default_rng(seed)
    pick = idx[rng.choice(idx.size, size=showers, p=p)]
    return E, u, L, idx, pick, p[np.searchsorted(idx, pick)]


def _run_photon_showers(beam, dark_mass, *, showers, n_mesons, seed, cut, brem_model, species, lateral,
                        keep_segments):
    """The importance-sampled photon showers of the module docstring: (summary pieces, per-shower terms by
    process (per POT, eps = 1), kept dark segments in the beam frame with yields per POT, DarkTables)."""
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.shower.transport import ShowerSimulator

    if not (dark_mass > 0 and math.isfinite(dark_mass)):
        raise ParameterError(f"dark-vector mass must be positive, got {dark_mass}")
    if showers < 2:
        raise ParameterError(f"showers must be at least 2 (the error needs two), got {showers}")
    cfg = beam_config(beam)
    tg = cfg.target
    mat = shower_material(tg.material)
    ph = meson_photons(beam, species, n_mesons, seed=12345 + seed)
    E, u, L, idx, pick, q = pick_shower_photons(ph, tg, 2.0 * cut, showers, seed, beam)
    w_all = ph["weight"]
    score = w_all[idx] * E[idx]
    sim = ShowerSimulator(mat, "gamma", float(E[pick].max()), cut=cut, thickness=float(L[pick].max()),
                          dark_mass=dark_mass, brem_model=brem_model, keep_dark_segments=keep_segments)
    seeds = np.random.SeedSequence(seed).generate_state(showers)
    terms = {name: np.zeros(showers) for name in DarkTables.PROCESSES}
    escaped = np.zeros(showers)
    segs = []
    for j, i in enumerate(pick):
        sim.set_primary(float(E[i]), float(L[i]))
        R = _basis(u[i])
        x0 = ph["pos"][i]
        if lateral:
            # the target's cylinder seen from the shower frame is the only boundary: the slab's faces are moved
            # far away on both sides (a plane across the photon's direction would cut particles that turn
            # along the rod)
            sim.bounds = np.array([-_BACK, _BACK])
            sim.thickness = float(sim.bounds[-1])
            sim._select_layer(0)
            sim.boundary = lambda pos, uu, R=R, x0=x0: path_in_target(x0 + pos @ R.T, uu @ R.T, tg.z_start_cm,
                                                                      tg.length_cm, tg.radius_cm)
        r = sim.run(1, seed=int(seeds[j]))
        f = w_all[i] / (q[j] * showers)
        for name in DarkTables.PROCESSES:
            terms[name][j] = r.dark_yield[name][0] * f
        escaped[j] = r.escaped[0] / E[i]
        if keep_segments and r.dark_segments is not None and r.dark_segments["yield"].size:
            d = dict(r.dark_segments)
            d["pos"] = x0 + d["pos"] @ R.T
            d["u"] = d["u"] @ R.T
            d["yield"] = d["yield"] * f
            d["shower"] = np.full(d["yield"].size, j)
            segs.append(d)
    sim.boundary = None
    info = {"cfg": cfg, "mat": mat, "tg": tg, "photons_per_pot": float(w_all.sum()),
            "photon_energy_per_pot_GeV": float((w_all * E).sum()),
            "photon_energy_showered_per_pot_GeV": float((w_all[idx] * E[idx]).sum()),
            "mean_path_X0": float((w_all[idx] * E[idx] * L[idx]).sum() / score.sum() / mat.X0_cm),
            "escaped_fraction": float(np.mean(escaped))}
    kept = None
    if keep_segments:
        keys = ("process", "T0", "T1", "pos", "u", "t", "yield", "shower")
        kept = {k: np.concatenate([s_[k] for s_ in segs]) if segs else np.zeros((0, 3) if k in ("pos", "u") else 0)
                for k in keys}
    return info, terms, kept, sim.dark


def proton_dump_shower_yield(beam, dark_mass: float, *, showers: int = 64, n_mesons: int = 2**13, seed: int = 0,
                             cut: float = 1e-3, brem_model: str = "ww", species=("pi0", "eta"),
                             epsilon: float = 1.0, lateral: bool = True) -> dict:
    """Dark vectors per POT at kinetic mixing ``epsilon`` (every production cross section is ~ eps^2) from the
    showers of the meson photons in the target of ``beam``, by process (DarkTables.PROCESSES), with the
    statistical error of the importance sampling.  ``lateral``: particles leaving the target's cylinder
    sideways stop (default); False: every photon's shower is a slab infinitely wide across its direction."""
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ParameterError(f"epsilon must be positive, got {epsilon}")
    info, terms, _, _ = _run_photon_showers(beam, dark_mass, showers=showers, n_mesons=n_mesons, seed=seed, cut=cut,
                                            brem_model=brem_model, species=species, lateral=lateral,
                                            keep_segments=False)
    cfg, mat, tg = info["cfg"], info["mat"], info["tg"]
    terms = {k: v * epsilon**2 for k, v in terms.items()}
    tot = sum(terms.values())
    by = {k: float(v.sum()) for k, v in terms.items()}
    direct = {k: v * epsilon**2 for k, v in direct_meson_yield(beam, dark_mass, species, n_mesons, seed=12345 + seed).items()}
    return {
        "beam": cfg.name, "dark_mass_GeV": dark_mass,
        "target": {"material": mat.name, "length_cm": tg.length_cm, "radius_cm": tg.radius_cm, "X0_cm": mat.X0_cm},
        "species": list(species), "showers": showers, "mesons_sampled": n_mesons, "seed": seed, "cut_GeV": cut, "epsilon": epsilon,
        "dark_brem_model": brem_model, "lateral": lateral,
        "photons_per_pot": info["photons_per_pot"],
        "photon_energy_per_pot_GeV": info["photon_energy_per_pot_GeV"],
        "photon_energy_showered_per_pot_GeV": info["photon_energy_showered_per_pot_GeV"],
        "mean_path_X0": info["mean_path_X0"],
        "energy_escaped_fraction": info["escaped_fraction"],
        "dark_yield_per_pot": float(tot.sum()),
        "dark_yield_error": float(tot.std(ddof=1) * math.sqrt(showers)),
        "dark_yield_by_process": by,
        "direct_meson_decay_yield_per_pot": direct,
        "note": "yields at epsilon (default 1), ~ eps^2; photons sampled by w E (importance); "
                + ("particles leaving the target's cylinder (side or faces) stop" if lateral else
                   "each photon's shower is a slab infinitely wide across its direction (no lateral leakage)")
                + "; showers leaving the target are not followed",
    }


def proton_dump_dark_sample(beam, dark_mass: float, *, showers: int = 64, vectors: int = 20000, n_mesons: int = 2**13,
                            seed: int = 0, cut: float = 1e-3, brem_model: str = "ww", species=("pi0", "eta"),
                            lateral: bool = True, min_energy: float = 0.0):
    """Weighted dark vectors from the meson-photon showers of ``beam``'s target as a
    :class:`~darkbeam.sources.parents.sample.ParentSample` of species 'zprime' (the LLP itself, as the
    bremsstrahlung sample): four-momenta and production points in the beam frame, weights = vectors per POT
    at eps = 1 (they sum to the yield per POT of the segments kept).  ``min_energy`` (GeV): only the track
    segments that can make a vector above it (T_start + 2 m_e >= min_energy; E_V <= E_parent + m_e in every
    process) are sampled, so that a search with an energy threshold does not spend vectors below it.
    Returns (sample, info): info has the yield per POT (eps = 1) of the sampled segments, its statistical error
    from the spread of the importance-sampled showers, and the yield by process."""
    from darkbeam.constants import M_E
    from darkbeam.sources.parents.sample import ParentSample
    from darkbeam.sources.shower.dark import sample_dark_vectors
    from darkbeam.sources.shower.transport import ShowerResult

    if vectors < 1:
        raise ParameterError(f"vectors must be at least 1, got {vectors}")
    if not (min_energy >= 0 and math.isfinite(min_energy)):
        raise ParameterError(f"min_energy must be >= 0, got {min_energy}")
    info, terms, seg, dark = _run_photon_showers(beam, dark_mass, showers=showers, n_mesons=n_mesons, seed=seed, cut=cut,
                                                 brem_model=brem_model, species=species, lateral=lateral,
                                                 keep_segments=True)
    keep = seg["T0"] + 2.0 * M_E >= min_energy
    seg = {k: v[keep] for k, v in seg.items()}
    if seg["yield"].size == 0:
        raise ParameterError(f"no dark vector above {min_energy} GeV from the photon showers of '{beam}' (mass {dark_mass} GeV)")
    res = ShowerResult(n=1, E0=0.0, T0=0.0, segments=None, track_length=None, deposited=None, below_cut=None,
                       escaped=None, rest_mass=None, profile=None, track_hist=None, dark_segments=seg)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])
    v = sample_dark_vectors(res, dark, vectors, rng)
    p4 = np.column_stack([v["E"], v["p"]])
    by = {name: float(seg["yield"][seg["process"] == k].sum()) for k, name in enumerate(DarkTables.PROCESSES)}
    per_shower = np.bincount(seg["shower"].astype(np.int64), weights=seg["yield"], minlength=showers)
    out = {"yield_per_pot": float(per_shower.sum()), "yield_error": float(per_shower.std(ddof=1) * math.sqrt(showers)),
            "by_process": by, "showers": showers, "min_energy_GeV": min_energy, "lateral": lateral}
    cfg = info["cfg"]
    sample = ParentSample(
        species="zprime", p4=p4, position=v["pos"], time=v["t"], weight=v["weight"], beam=cfg.name,
        origin=f"showers of pi0/eta photons in the target of '{cfg.name}' (m = {dark_mass:g} GeV)",
        notes=("LLP sample: p4 is the dark vector itself, not a parent to decay",
               "weights are dark vectors per POT at epsilon = 1 (production ~ epsilon^2)",
               f"{showers} importance-sampled photon showers (sources/shower/proton_dump.py), E_V above "
               f"{min_energy:g} GeV possible, " + ("lateral leakage of the target's cylinder included" if lateral else
                                                   "no lateral leakage")))
    return sample, out
