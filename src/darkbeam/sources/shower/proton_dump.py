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


def proton_dump_shower_yield(beam, dark_mass: float, *, showers: int = 64, n_mesons: int = 2**13, seed: int = 0,
                             cut: float = 1e-3, brem_model: str = "ww", species=("pi0", "eta"),
                             epsilon: float = 1.0) -> dict:
    """Dark vectors per POT at kinetic mixing ``epsilon`` (every production cross section is ~ eps^2) from the showers of the meson photons in the target of
    ``beam``, by process (DarkTables.PROCESSES), with the statistical error of the importance sampling."""
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.shower.transport import ShowerSimulator

    if not (dark_mass > 0 and math.isfinite(dark_mass)):
        raise ParameterError(f"dark-vector mass must be positive, got {dark_mass}")
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ParameterError(f"epsilon must be positive, got {epsilon}")
    if showers < 2:
        raise ParameterError(f"showers must be at least 2 (the error needs two), got {showers}")
    cfg = beam_config(beam)
    tg = cfg.target
    mat = shower_material(tg.material)
    ph = meson_photons(beam, species, n_mesons, seed=12345 + seed)
    k4 = ph["k4"]
    E = k4[:, 0]
    u = k4[:, 1:] / E[:, None]
    L = path_in_target(ph["pos"], u, tg.z_start_cm, tg.length_cm, tg.radius_cm)
    ok = (E > 2.0 * cut) & (L > 0)
    w_all = ph["weight"]
    photons_per_pot = float(w_all.sum())
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        raise ParameterError(f"no meson photon above twice the cut ({cut} GeV) inside the target of '{beam}'")
    score = w_all[idx] * E[idx]
    p = score / score.sum()
    rng = np.random.default_rng(seed)
    pick = idx[rng.choice(idx.size, size=showers, p=p)]
    q = p[np.searchsorted(idx, pick)]
    sim = ShowerSimulator(mat, "gamma", float(E[pick].max()), cut=cut, thickness=float(L[pick].max()),
                          dark_mass=dark_mass, brem_model=brem_model)
    seeds = np.random.SeedSequence(seed).generate_state(showers)
    terms = {name: np.zeros(showers) for name in DarkTables.PROCESSES}
    for j, i in enumerate(pick):
        sim.set_primary(float(E[i]), float(L[i]))
        r = sim.run(1, seed=int(seeds[j]))
        for name in DarkTables.PROCESSES:
            terms[name][j] = r.dark_yield[name][0] * w_all[i] / (q[j] * showers)
    terms = {k: v * epsilon**2 for k, v in terms.items()}
    tot = sum(terms.values())
    by = {k: float(v.sum()) for k, v in terms.items()}
    direct = {k: v * epsilon**2 for k, v in direct_meson_yield(beam, dark_mass, species, n_mesons, seed=12345 + seed).items()}
    return {
        "beam": cfg.name, "dark_mass_GeV": dark_mass,
        "target": {"material": mat.name, "length_cm": tg.length_cm, "radius_cm": tg.radius_cm, "X0_cm": mat.X0_cm},
        "species": list(species), "showers": showers, "mesons_sampled": n_mesons, "seed": seed, "cut_GeV": cut, "epsilon": epsilon,
        "dark_brem_model": brem_model,
        "photons_per_pot": photons_per_pot,
        "photon_energy_per_pot_GeV": float((w_all * E).sum()),
        "photon_energy_showered_per_pot_GeV": float((w_all[idx] * E[idx]).sum()),
        "mean_path_X0": float((w_all[idx] * E[idx] * L[idx]).sum() / score.sum() / mat.X0_cm),
        "dark_yield_per_pot": float(tot.sum()),
        "dark_yield_error": float(tot.std(ddof=1) * math.sqrt(showers)),
        "dark_yield_by_process": by,
        "direct_meson_decay_yield_per_pot": direct,
        "note": "yields at epsilon (default 1), ~ eps^2; photons sampled by w E (importance); lateral leakage of the shower's e+- ignored; target only (showers leaving the target are not followed)",
    }

