"""Axion-like particles from Primakoff conversion of the photons of the electromagnetic showers in a
proton-beam target (the shower generations of the 1904.02091 mechanism; docs/alps.md, "Shower photons").

The prompt pi0 and eta of the beam model decay to photons (:func:`darkbeam.sources.shower.proton_dump.
meson_photons`), each photon showers in the target over its path to the cylinder's surface, with the
transport of :mod:`darkbeam.sources.shower.transport` and the lateral boundary of proton_dump.py (particles
leaving the rod stop).  Every photon track segment of the shower (energy k, length l, start point, direction
u; ``record_segments``) converts to an ALP with the expected number

    dN_a = n_atoms sigma_P(k) l                                                             (PRS)

(track-length estimator; first order in g_agg^2: the photon's flight is not shortened by the conversion,
sigma_P/sigma_pair ~ 1e-4 (g_agg / GeV^-1)^2), so the shower's ALP yield is n_atoms sum T_gamma sigma_P over
the photon track lengths T_gamma, the quantity of benchmarks/alp_shower_photons.py.  The conversion point is
uniform along the segment (the photon's energy is constant on it), the ALP has the photon's energy (no
nuclear recoil) and leaves at the angle theta to u drawn from dsigma_P/dtheta (uniform azimuth), the tables
of :func:`darkbeam.sources.parents.primakoff.primakoff_tables` (Tsai PRD 34 (1986) 1326; Dobrich et al.
arXiv:1512.03069 eq. 2.1, nuclear charge form factor).

**No double counting.**  The primary photon's first flight (from the meson's decay point to its first
interaction or out of the target) is the first-generation source (PR1) of sources/parents/primakoff.py and
is LEFT OUT here: this source holds the shower generations only (the Compton-scattered primary, the
bremsstrahlung and annihilation photons).  PR1 absorbs the photon with sigma_pair only, the transport with
sigma_pair + sigma_Compton, so PR1's flight runs on through a Compton vertex that this source also counts:
an overlap of sigma_C/sigma_tot ~ 2 % at 1 GeV in carbon (less above), not corrected.

**Sampling.**  Photons are drawn by importance ~ w E among those above max(m_a, 2 cut) (only these can make
a photon above threshold), as proton_dump.py does; shower j enters with weight f_j = w_j/(p_j N) (photons
per POT it stands for).  The energy cut of the transport is at most m_a/2 (``_cut``): a photon or lepton
below it cannot make a photon above m_a (exact, but for e+ annihilation in flight below the cut, whose
photons can exceed T by 2 m_e), so the cut changes nothing but the speed.  The yield's statistical error is
the spread of the N showers' terms (shower to shower).  The photon segments (float32) are cached per
(beam, showers, seed, cut): masses with the same cut share one transport run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from darkbeam.errors import ParameterError

__all__ = ["PrimakoffShowerSource", "primakoff_shower_source", "shower_photon_segments", "photon_segments", "SAMPLE_KEY", "CUTS_GEV"]

#: key of the source in the parents mapping of meson_decay.simulate
SAMPLE_KEY = "alp (Primakoff, target shower)"
#: energy cuts of the transport (GeV): the largest not above m_a/2 is used (at least the first)
CUTS_GEV = (1e-3, 3e-3, 0.01, 0.03, 0.1)


def _cut(mass: float) -> float:
    """The transport cut for ALP mass ``mass``: the largest of CUTS_GEV not above mass/2 (module docstring)."""
    ok = [c for c in CUTS_GEV if c <= 0.5 * mass]
    return ok[-1] if ok else CUTS_GEV[0]


def _unit(v: np.ndarray) -> np.ndarray:
    """Rows of v normalised (the transport stores directions in float32)."""
    return v / np.linalg.norm(v, axis=1)[:, None]


def photon_segments(seg: dict) -> dict:
    """The photon segments of a photon-primary run's ``track_segments`` (ShowerSimulator with
    record_segments), in the shower frame: ``k`` energy (GeV), ``start`` (m, 3) cm, ``length`` cm, ``u``
    direction, ``shower`` index, ``primary`` (the primary's first flight: the first segment recorded of each
    shower, the primaries being stepped first)."""
    first = np.zeros(seg["species"].size, dtype=bool)
    first[np.unique(seg["shower"], return_index=True)[1]] = True
    g = np.flatnonzero(seg["species"] == 0)
    st = seg["start"][g].astype(float)
    return {"k": seg["T_start"][g].astype(float), "start": st,
            "length": np.linalg.norm(seg["end"][g].astype(float) - st, axis=1),
            "u": _unit(seg["direction"][g].astype(float)), "shower": seg["shower"][g].astype(np.int64),
            "primary": first[g]}


@lru_cache(maxsize=8)
def shower_photon_segments(beam: str, *, showers: int = 64, seed: int = 1, cut: float = 1e-3,
                           min_energy: float = 0.0, n_mesons: int = 2**13, species=("pi0", "eta"),
                           lateral: bool = True) -> dict:
    """The photon track segments of ``showers`` importance-sampled meson-photon showers in ``beam``'s target
    (module docstring), in the beam frame: ``k`` energy (GeV), ``start`` (m, 3), ``length`` (cm), ``u``
    direction (m, 3), ``f`` photons per POT that the segment's shower stands for, ``shower`` index,
    ``primary`` (the primary photon's first flight).  ``min_energy``: only photons above it start showers.
    Also: photons_per_pot, mean_path_X0, n_atoms, material, cut.  Cached (read-only arrays)."""
    from darkbeam.physics.shower.materials import shower_material
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.parents.primakoff import target_material_name
    from darkbeam.sources.shower.proton_dump import (
        _BACK,
        _basis,
        meson_photons,
        path_in_target,
        pick_shower_photons,
    )
    from darkbeam.sources.shower.transport import ShowerSimulator

    if showers < 2:
        raise ParameterError(f"showers must be at least 2 (the error needs two), got {showers}")
    cfg = beam_config(beam)
    tg = cfg.target
    mat = shower_material(target_material_name(tg.material))
    ph = meson_photons(beam, tuple(species), n_mesons, seed=12345 + seed)
    E, u, L, idx, pick, q = pick_shower_photons(ph, tg, max(2.0 * cut, min_energy), showers, seed, beam)
    w = ph["weight"]
    sim = ShowerSimulator(mat, "gamma", float(E[pick].max()), cut=cut, thickness=float(L[pick].max()),
                          record_segments=True)
    seeds = np.random.SeedSequence(seed).generate_state(showers)
    parts = []
    for j, i in enumerate(pick):
        sim.set_primary(float(E[i]), float(L[i]))
        R = _basis(u[i])
        x0 = ph["pos"][i]
        if lateral:   # the cylinder is the only boundary (as proton_dump._run_photon_showers)
            sim.bounds = np.array([-_BACK, _BACK])
            sim.thickness = float(sim.bounds[-1])
            sim._select_layer(0)
            sim.boundary = lambda pos, uu, R=R, x0=x0: path_in_target(x0 + pos @ R.T, uu @ R.T, tg.z_start_cm,
                                                                      tg.length_cm, tg.radius_cm)
        d = photon_segments(sim.run(1, seed=int(seeds[j])).track_segments)
        d["start"] = x0 + d["start"] @ R.T
        d["u"] = _unit(d["u"] @ R.T)
        d["f"] = np.full(d["k"].size, w[i] / (q[j] * showers))
        d["shower"] = np.full(d["k"].size, j)
        parts.append(d)
    sim.boundary = None
    out = {k: np.concatenate([d[k] for d in parts]) for k in parts[0]}
    for v in out.values():
        v.setflags(write=False)
    out.update({"photons_per_pot": float(w.sum()), "showers": showers, "cut_GeV": cut, "material": mat.name,
                "n_atoms": float(mat.atoms_per_cm3[0]), "lateral": lateral,
                "mean_path_X0": float((w[idx] * E[idx] * L[idx]).sum() / (w[idx] * E[idx]).sum() / mat.X0_cm)})
    return out


@dataclass
class PrimakoffShowerSource:
    """ALPs from the shower photons of ``beam``'s target at ALP mass ``mass`` (module docstring): the photon
    segments above threshold (primary flights left out) with their ALP yields per POT at g_agg = G_REF
    (``yields``), the Primakoff tables (``tables``, a PrimakoffSource); ``decays_per_pot``: their sum (ALPs per
    POT at G_REF), ``info``: the yield, its shower-to-shower error, the primary flights' yield (PR1 by the
    track length, for comparison) and the run's settings.  ``draw(m, rng)`` gives ALPs (the interface of
    PrimakoffSource.draw)."""

    beam: str
    mass: float
    tables: object
    k: np.ndarray
    start: np.ndarray
    length: np.ndarray
    u: np.ndarray
    yields: np.ndarray
    decays_per_pot: float
    info: dict
    notes: tuple = field(default=())
    origin: str = "Primakoff conversion of the photons of the target's pi0/eta-photon showers (primary flights excluded)"

    def __len__(self) -> int:
        return int(self.yields.size)

    def draw(self, m: int, rng) -> dict:
        """``m`` ALPs: segments drawn by yield, conversion point uniform on the segment, the Primakoff angle;
        k4 (m, 4), pos (m, 3), weight (m,) ALPs per POT at G_REF (sum = decays_per_pot), draw index."""
        from darkbeam.sources.parents.primakoff import _alp_momenta

        m = int(m)
        if m < 1 or self.decays_per_pot <= 0:
            return {"k4": np.zeros((0, 4)), "pos": np.zeros((0, 3)), "weight": np.zeros(0),
                    "draw": np.zeros(0, dtype=np.int64)}
        i = rng.choice(self.yields.size, size=m, p=self.yields / self.yields.sum())
        E, u = self.k[i], self.u[i]
        pos = self.start[i] + (rng.random(m) * self.length[i])[:, None] * u
        th = self.tables.sample_theta(E, rng)
        phi = rng.uniform(0.0, 2.0 * math.pi, m)
        return {"k4": _alp_momenta(E, u, th, phi, self.mass), "pos": pos,
                "weight": np.full(m, self.decays_per_pot / m), "draw": np.arange(m, dtype=np.int64)}


def primakoff_shower_source(beam: str, mass: float, *, showers: int = 64, seed: int = 1, n_mesons: int = 2**13,
                            lateral: bool = True, tables=None, include_primary: bool = False) -> PrimakoffShowerSource:
    """The shower-photon Primakoff source of ``beam`` at ALP mass ``mass`` (GeV; module docstring).
    ``tables``: a PrimakoffSource of the same beam and mass to reuse (else built).  ``include_primary``: keep the
    primary photons' first flights too (the whole shower; for validation against the first-generation
    source: never beside it, that would count them twice)."""
    from darkbeam.sources.parents.primakoff import primakoff_tables

    tab = primakoff_tables(beam, mass) if tables is None else tables
    cut = _cut(float(mass))
    seg = shower_photon_segments(str(beam).strip().lower(), showers=int(showers), seed=int(seed), cut=cut,
                                 min_energy=float(mass), n_mesons=int(n_mesons), lateral=bool(lateral))
    y_all = seg["n_atoms"] * tab.sigma(seg["k"]) * seg["length"] * seg["f"]
    keep = (include_primary | ~seg["primary"]) & (y_all > 0)
    per = np.bincount(seg["shower"][keep], weights=y_all[keep], minlength=showers)
    first = np.bincount(seg["shower"][seg["primary"]], weights=y_all[seg["primary"]], minlength=showers)
    tot = float(per.sum())
    err = float(per.std(ddof=1) * math.sqrt(showers))
    info = {"yield_per_pot_g1": tot, "yield_error_g1": err, "yield_rel_error": err / tot if tot > 0 else float("nan"),
            "primary_flights_per_pot_g1": float(first.sum()),
            "primary_flights_error_g1": float(first.std(ddof=1) * math.sqrt(showers)),
            "showers": int(showers), "cut_GeV": cut, "lateral": bool(lateral), "mean_path_X0": seg["mean_path_X0"],
            "note": "ALPs per POT at g_agg = 1 GeV^-1 (~ g_agg^2) from the shower photons, the primary photons' first "
                    "flights excluded (they are the first-generation source); the error is shower to shower and is "
                    "not in the channel's decays_in_volume_err"}
    src = PrimakoffShowerSource(
        beam=str(beam).strip().lower(), mass=float(mass), tables=tab, k=seg["k"][keep], start=seg["start"][keep],
        length=seg["length"][keep], u=seg["u"][keep], yields=y_all[keep], decays_per_pot=tot, info=info,
        notes=(f"{showers} importance-sampled photon showers (cut {cut:g} GeV), yield {tot:.4g} ALPs per POT at "
               f"g_agg = 1 GeV^-1, relative error {info['yield_rel_error']:.2g} (shower to shower)",
               "primary photons' first flights excluded (first-generation source); photons leaving the target "
               "are not followed"))
    return src
