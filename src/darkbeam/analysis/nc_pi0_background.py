"""NC pi0 as a background of the dark-matter electron channel: a pi0 whose second photon is lost, or whose
two photons merge, looks like one electromagnetic shower, i.e. like the chi e -> chi e electron
(docs/nc_pi0.md, "Background").

**Misidentification model** (:class:`Pi0Misid`; its numbers are assumptions, not a detector simulation):
the pi0 -> gamma gamma photons of each NC pi0 event (:func:`darkbeam.physics.nc_pi0.sample_pi0`,
:func:`~darkbeam.physics.nc_pi0.pi0_to_photons`) are

* *lost* when below ``e_threshold`` (GeV);
* *merged* when both are above it and their opening angle is below ``merge_angle`` (rad).

One single shower is left when exactly one photon is lost (the shower: the other photon) or the two
merge (the shower: the pi0, energy and direction).  Two resolved showers are recognised as a pi0 and
dropped; so is an event with both photons lost.  A photon shower then passes the electron
identification with probability ``e_like`` (1 where photons and electrons cannot be told apart, as in
a Cherenkov detector; below 1 with a dE/dx measurement at the start of the shower, as in liquid argon).
The single shower's energy is taken as the electron's kinetic energy T and its angle to the neutrino
(the beam) direction as theta, and they go through the same smearing and window as the signal
(:func:`darkbeam.analysis.dm_sensitivity.selected_hist`).  Nuclear de-excitation photons, the recoil
nucleon's activity (a veto) and photons escaping the detector are not modelled.

Defaults per dark-matter setup (:data:`DEFAULT_MISID`, assumed): MiniBooNE (mineral-oil Cherenkov)
e_threshold 0.05 GeV, merge_angle 0.2 rad (two rings overlap), e_like 1; DUNE ND-LAr e_threshold 0.03 GeV
(the electron threshold), merge_angle 0.05 rad (showers that start within ~1 cm of each other after the
~18 cm conversion length), e_like 0.1 (dE/dx rejects ~90 % of photon showers).

**Rate**: events = POT sum over flavours of int dE phi(E) sum over the detector's nuclei
n_nuclei sigma_NC pi0(E) P(single shower passes), by Monte Carlo: E drawn from the flux on [E_th, e_max]
(half of the draws spread evenly over log-E cells) with weight phi(E)/pdf(E), then
:func:`~darkbeam.physics.nc_pi0.sample_pi0` (weighted draws whose mean is sigma(E)).  Same seed, same
draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from darkbeam.errors import ConfigurationError


@dataclass(frozen=True)
class Pi0Misid:
    """Photon-loss / merging model (module docstring); energies in GeV, angle in rad."""

    e_threshold: float = 0.05
    merge_angle: float = 0.2
    e_like: float = 1.0

    def __post_init__(self):
        if not (self.e_threshold >= 0 and self.merge_angle >= 0 and 0.0 <= self.e_like <= 1.0):
            raise ConfigurationError(f"pi0 misidentification model {self}: need e_threshold >= 0, merge_angle >= 0, "
                                     "0 <= e_like <= 1")


#: assumed misidentification models of the dark-matter setups (module docstring)
DEFAULT_MISID = {"miniboone_dump": Pi0Misid(0.05, 0.2, 1.0), "dune_nd": Pi0Misid(0.03, 0.05, 0.1)}


def misid_for(setup_name: str, misid=None) -> Pi0Misid:
    """The model to use: ``misid`` itself (a Pi0Misid), or the setup's default (True / None)."""
    if isinstance(misid, Pi0Misid):
        return misid
    if setup_name not in DEFAULT_MISID:
        raise ConfigurationError(f"no default pi0 misidentification model for setup '{setup_name}' (pass a Pi0Misid; "
                                 f"defaults exist for {', '.join(DEFAULT_MISID)})")
    return DEFAULT_MISID[setup_name]


def single_shower(g1, g2, misid: Pi0Misid):
    """(T, direction (n, 3), passes) of the one shower the photons g1, g2 (n, 4) leave, if any (module
    docstring); ``passes`` False where no single shower is left (its weight to be dropped)."""
    e1, e2 = g1[:, 0], g2[:, 0]
    lost1, lost2 = e1 < misid.e_threshold, e2 < misid.e_threshold
    n1 = g1[:, 1:] / np.linalg.norm(g1[:, 1:], axis=1, keepdims=True)
    n2 = g2[:, 1:] / np.linalg.norm(g2[:, 1:], axis=1, keepdims=True)
    opening = np.arccos(np.clip(np.sum(n1 * n2, axis=1), -1.0, 1.0))
    merged = ~lost1 & ~lost2 & (opening < misid.merge_angle)
    only1, only2 = ~lost1 & lost2, lost1 & ~lost2
    T = np.where(merged, e1 + e2, np.where(only1, e1, np.where(only2, e2, 0.0)))
    p = g1[:, 1:] + g2[:, 1:]
    d = np.where(merged[:, None], p, np.where(only1[:, None], g1[:, 1:], g2[:, 1:]))
    d = d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-300)
    return T, d, merged | only1 | only2


def pi0_misid_events(flux, targets, *, pot: float, misid: Pi0Misid, e_max: float = 20.0, n: int = 40_000,
                     seed: int = 5, flavours=None, pi0_survival: float | None = None):
    """Single-shower events from NC pi0 production: arrays (T, theta, weight, kind) of Monte Carlo draws,
    weight = events (for ``pot``), theta = angle to the neutrino direction, kind 0 coherent / 1 resonant;
    ``targets``: iterable of (nucleus name, number of nuclei) (module docstring).  Draws without a single
    shower keep weight 0."""
    from darkbeam.physics.nc_pi0 import E_THRESHOLD, pi0_to_photons, sample_pi0

    rng = np.random.default_rng(seed)
    lo, hi = E_THRESHOLD * 1.001, float(e_max)
    if not hi > lo:
        raise ConfigurationError(f"e_max {e_max} GeV must exceed the NC pi0 threshold {E_THRESHOLD:.3f} GeV")
    flav = [f for f in (flavours or flux.flavours)]
    targets = list(targets)
    if not flav or not targets or n < 1:
        return np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=int)
    m = max(1, int(n) // (len(flav) * len(targets)))
    Ts, ths, ws, ks = [], [], [], []
    for f in flav:
        for name, count in targets:
            E, wE = _draw_energies(flux, f, lo, hi, m, rng)
            p, w, kind = sample_pi0(E, rng, name, f, pi0_survival)
            g1, g2 = pi0_to_photons(p, rng)
            T, d, ok = single_shower(g1, g2, misid)
            Ts.append(T)
            ths.append(np.arccos(np.clip(d[:, 2], -1.0, 1.0)))
            ws.append(np.where(ok, wE * w * float(count) * pot * misid.e_like, 0.0))
            ks.append(kind)
    return np.concatenate(Ts), np.concatenate(ths), np.concatenate(ws), np.concatenate(ks)


def _draw_energies(flux, flavour: str, lo: float, hi: float, m: int, rng: np.random.Generator):
    """m energies drawn from the flux itself (piecewise constant on 400 log cells between lo and hi, cell
    chosen by its share of the flux, uniform inside) and weights phi(E)/pdf(E)/m, so that sum w g(E) estimates
    int phi g dE; log-uniform where the flux vanishes on the range."""
    edges = np.geomspace(lo, hi, 401)
    mid = np.sqrt(edges[:-1] * edges[1:])
    cell = np.clip(flux(mid, flavour), 0.0, None) * np.diff(edges)
    if not cell.sum() > 0:
        E = np.exp(rng.uniform(math.log(lo), math.log(hi), m))
        return E, flux(E, flavour) * E * math.log(hi / lo) / m
    prob = 0.5 * cell / cell.sum() + 0.5 / cell.size  # half the draws flat in the cells: no empty corners
    i = rng.choice(cell.size, size=m, p=prob)
    E = edges[i] + (edges[i + 1] - edges[i]) * rng.random(m)
    pdf = prob[i] / (edges[i + 1] - edges[i])
    return E, flux(E, flavour) / pdf / m


def experiment_targets(experiment) -> list:
    """(nucleus name, nuclei) of a catalog experiment's targets (its fiducial mass)."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.physics import nuclear

    exp = load_experiment(experiment) if isinstance(experiment, str) else experiment
    return [(nuclear.canonical_name(t.Z, t.A), t.n_nuclei) for t in exp.targets]


def misid_background(setup="dune_nd", flux=None, *, misid=None, bins=None, variable: str = "T", n: int = 40_000,
                     seed: int = 5, offset_m: float = 0.0, with_nue: bool = True) -> dict:
    """NC pi0 single-shower background of a dark-matter setup next to its nu e background: totals after
    smearing and the setup's window, their ratio, the coherent share and the Monte Carlo's relative error.  ``flux`` default: the LBNF beam
    model at the DUNE position (:func:`darkbeam.analysis.dm_sensitivity.dune_flux`); any setup needs a
    flux (darkbeam has no neutrino flux of MiniBooNE's beam-dump mode: pass e.g. the on-target file
    'MiniBooNE_FHC' as a proxy of its shape)."""
    from darkbeam.analysis import dm_sensitivity as dm
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.processes.dark_matter import setup_of

    st = setup_of(setup)
    mis = misid_for(st.name, misid)
    exp = load_experiment(st.experiment)
    if flux is None and st.name != "dune_nd":
        raise ConfigurationError(f"setup '{st.name}': pass a neutrino flux (the default is the LBNF flux at DUNE ND)")
    fl = dm.dune_flux(offset_m) if flux is None else flux
    if bins is None:
        bins = np.geomspace(st.t_min, st.t_max or 20.0, 13)
    T, th, w, kind = pi0_misid_events(fl, experiment_targets(exp), pot=st.pot, misid=mis, n=n, seed=seed)
    h = dm.selected_hist(T, th, w, st, bins, variable, np.random.default_rng(seed + 1))
    hc = dm.selected_hist(T, th, np.where(kind == 0, w, 0.0), st, bins, variable, np.random.default_rng(seed + 1))
    h2 = dm.selected_hist(T, th, w * w, st, bins, variable, np.random.default_rng(seed + 1))
    out = {"setup": st.name, "misid": {"e_threshold": mis.e_threshold, "merge_angle": mis.merge_angle,
                                       "e_like": mis.e_like},
           "pi0_misid": float(h.sum()), "pi0_misid_mc_rel_error": float(math.sqrt(h2.sum()) / h.sum()) if h.sum() > 0 else 0.0,
           "pi0_misid_coherent": float(hc.sum()), "pi0_misid_spectrum": h.tolist(),
           "bins": np.asarray(bins, dtype=float).tolist()}
    if with_nue:
        electrons = sum(t.n_nuclei * t.Z for t in exp.targets)
        Tb, thb, wb = dm.nue_background_grid(fl, electrons=electrons, pot=st.pot, t_min=0.5 * st.t_min)
        b = dm.selected_hist(Tb, thb, wb, st, bins, variable, np.random.default_rng(seed + 11))
        out["nue"] = float(b.sum())
        out["ratio_pi0_to_nue"] = out["pi0_misid"] / out["nue"] if out["nue"] > 0 else math.inf
    return out
