"""One meson-decay run, end to end: the model's production channels, the parents of every species with
an open channel (beam model, at rest, or a user's dk2nu / table file), :func:`darkbeam.processes.
meson_decay.simulate`, and the run's summary (the JSON of ``darkbeam generate --process meson-decay``).

This module only joins the pieces (docs/meson_decay_limits.md, "Pipeline"): the physics is in
:mod:`darkbeam.physics.production` (channels), :mod:`darkbeam.sources.parents` (parents) and
:mod:`darkbeam.processes.meson_decay` (flight and decay).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from darkbeam.errors import ConfigurationError, ParameterError

__all__ = ["MesonRun", "run_meson_decay", "meson_channels", "meson_parents", "beam_of", "polarity_of",
           "check_new_particles", "direct_sample"]

MODES = ("in-flight", "at-rest")


@dataclass
class MesonRun:
    """Result of :func:`run_meson_decay`: ``events`` (an EventSet, ``meta['process'] == 'meson-decay'``)
    and ``summary`` (a JSON-able dict: :func:`summary_of`)."""

    events: object
    summary: dict = field(default_factory=dict)


def check_new_particles(params) -> None:
    """A ConfigurationError when the model has no new particle that a meson can make (no HNL mass, no
    h', no Z' with kinetic mixing)."""
    if not (params.n_hnl or params.has_hprime or params.has_zprime or params.has_alp):
        raise ConfigurationError("the model has no new particle (set m4, mhprime, mzprime or ma): nothing to make in meson decays")


def beam_of(exp, beam: Optional[str] = None) -> str:
    """The beam frame of a run: ``beam`` if given (the experiment must have a placement in it), else the
    experiment's own [beam] frame.  One ConfigurationError line otherwise."""
    from darkbeam.detectors.placement import placements

    table = placements(exp)
    if beam is None:
        if not exp.beam_frame:
            raise ConfigurationError(f"experiment {exp.keyword} has no [beam] frame: give the beam (--beam) "
                                     f"with a placement of the detector in it (it has: {', '.join(sorted(table)) or 'none'})")
        return str(exp.beam_frame).strip().lower()
    key = str(beam).strip().lower()
    if key not in table:
        raise ConfigurationError(f"experiment {exp.keyword} has no placement in the frame of beam '{beam}' "
                                 f"(it has: {', '.join(sorted(table)) or 'none'})")
    return key


def polarity_of(exp, mode: Optional[str] = None) -> str:
    """Horn polarity of a run: 'RHC' for an exposure mode or experiment keyword naming antineutrino mode
    (``*_rhc``, 'RHC'), else 'FHC'."""
    text = (mode or "") + " " + str(getattr(exp, "keyword", ""))
    return "RHC" if "rhc" in text.lower() else "FHC"


#: the parent label of the Primakoff conversion of the target's shower photons (ALPs; a search entry's
#: ``parents`` may name it, :func:`meson_channels` ``alp_shower``)
ALP_SHOWER_PARENT = "gamma-shower"
#: showers per mass of that source (measured: ~10 % shower-to-shower error, ~2 s per mass; docs/alps.md)
ALP_SHOWERS = 256


def meson_channels(params, *, parents: Optional[Iterable[str]] = None, particle: Optional[str] = None,
                   bremsstrahlung: bool = False, alp_shower: bool = False) -> list:
    """Open production channels of the model's new particles (:func:`darkbeam.physics.production.
    production_channels`), optionally only those of ``parents`` and of one LLP family ('hnl', 'scalar',
    'dark_photon', 'alp').  ``bremsstrahlung``: add the dark photons of proton bremsstrahlung for a kinetically
    mixed Z' (:func:`darkbeam.processes.direct_llp.bremsstrahlung_channel`, parent 'p'; not with
    ``parents`` unless it names 'p').  An ALP with ``g_agg`` gets the Primakoff conversion of the target's
    photons (:func:`darkbeam.processes.alp_primakoff.primakoff_channel`, parent 'gamma'; not with ``parents``
    unless it names 'gamma'); with ``alp_shower`` (or ``parents`` naming 'gamma-shower') also that of the
    photons of the showers they start in the target (:func:`darkbeam.processes.alp_primakoff.
    primakoff_shower_channel`, the primary photons' first flights left out).  No open channel is a
    ConfigurationError (closed at this mass)."""
    from darkbeam.physics.production import production_channels

    check_new_particles(params)
    wanted = None if parents is None else list(parents)
    chs = production_channels(params, parents=None if wanted is None else
                              [p for p in wanted if p not in ("p", "gamma", ALP_SHOWER_PARENT)])
    if wanted is None or "gamma" in wanted:
        from darkbeam.processes.alp_primakoff import primakoff_channel

        prim = primakoff_channel(params)
        if prim is not None:
            chs = chs + [prim]
    if alp_shower or (wanted is not None and ALP_SHOWER_PARENT in wanted):
        from darkbeam.processes.alp_primakoff import primakoff_shower_channel

        sh = primakoff_shower_channel(params)
        if sh is not None:
            chs = chs + [sh]
    if wanted is None or "pi0" in wanted:
        from darkbeam.processes.alp_primakoff import mixing_channel

        mix = mixing_channel(params)
        if mix is not None:
            chs = chs + [mix]
    if bremsstrahlung and (wanted is None or "p" in wanted):
        from darkbeam.processes.direct_llp import bremsstrahlung_channel

        brem = bremsstrahlung_channel(params)
        if brem is not None:
            chs = chs + [brem]
    if particle is not None:
        want = {"hnl": "N", "scalar": "hprime", "dark_photon": "zprime", "alp": "alp"}[particle]
        chs = [c for c in chs if c.llp.startswith(want)]
    if not chs:
        what = f" from {', '.join(parents)}" if parents is not None else ""
        raise ConfigurationError(f"no production channel is open{what} for this model (masses "
                                 f"{_masses(params)}): the new particles are too heavy or uncoupled")
    return chs


def _masses(params) -> str:
    out = [f"{k}={getattr(params, k)}" for k in ("m4", "m5", "m6", "mhprime", "mzprime", "ma", "mchi") if getattr(params, k, None)]
    return ", ".join(out) or "none"


def meson_parents(beam: str, species: Iterable[str], *, n: int, seed: int, mode: str = "in-flight",
                  polarity: str = "FHC", parents_file: Optional[str] = None, site: str = "absorber",
                  stopped_per_pot: Optional[float] = None) -> tuple[dict, list[str]]:
    """({species: ParentSample}, notes) for the wanted ``species`` in ``beam``.

    ``parents_file``: a dk2nu / g4numi ROOT file (``.root``) or a parent table (any other suffix) replaces
    the beam model.  ``mode='at-rest'``: pi+ and K+ stopping at ``site`` (default the absorber);
    ``'in-flight'``: the beam model's decays in flight and prompt neutral mesons; charm and taus only
    where the beam reaches the charm threshold (:func:`darkbeam.sources.parents.charm.has_charm`).
    Species without a source are listed in the notes (their channels are skipped by simulate)."""
    from darkbeam.sources import parents as P

    wanted = list(dict.fromkeys(species))
    notes: list[str] = []
    if parents_file is not None:
        path = Path(parents_file)
        if not path.is_file():
            raise ConfigurationError(f"--parents-file {parents_file}: no such file")
        if path.suffix.lower() == ".root":
            got = P.read_dk2nu(path, beam=beam)
        else:
            got = P.read_parent_table(path)
        out = {s: got[s] for s in wanted if s in got}
        notes += [f"{s}: not in {path.name}" for s in wanted if s not in got]
        return out, notes
    out = {}
    if mode == "at-rest":
        for s in wanted:
            if s in P.AT_REST:
                kw = {"site": site, "polarity": polarity}
                if stopped_per_pot is not None:
                    kw["stopped_per_pot"] = stopped_per_pot
                out[s] = P.parent_sample(beam, s, n=n, seed=seed, mode="at-rest", **kw)
            else:
                notes.append(f"{s}: does not decay at rest (at rest: {', '.join(P.AT_REST)})")
        return out, notes
    from darkbeam.sources.parents.charm import has_charm

    charm = None
    for s in wanted:
        if s in P.CHARM:
            if charm is None:
                charm = has_charm(beam)
            if not charm:
                notes.append(f"{s}: the {beam} beam is below the charm threshold")
                continue
            out[s] = P.parent_sample(beam, s, n=n, seed=seed)
        elif s in P.IN_FLIGHT:
            out[s] = P.parent_sample(beam, s, n=n, seed=seed, polarity=polarity)
        elif s in P.PROMPT:
            out[s] = P.parent_sample(beam, s, n=n, seed=seed)
        else:
            notes.append(f"{s}: no source of {s} parents in the beam model")
    return out, notes


def direct_sample(channel, beam: str, *, mode: str = "in-flight", n: int = 2**14, seed: int = 1):
    """(sample, None) of a direct LLP channel (the bremsstrahlung A' of
    :func:`darkbeam.sources.parents.bremsstrahlung.bremsstrahlung_sample`, default cuts, epsilon = 1) in
    ``beam``, or (None, reason) where the source does not apply: parents at rest, or the beam outside the
    validity of the splitting function (bnb with the default z_max = 0.9)."""
    from darkbeam.sources.parents.bremsstrahlung import bremsstrahlung_sample

    if mode != "in-flight":
        return None, f"{channel.name}: made in flight in the target, not with parents {mode}"
    if channel.llp == "alp":
        from darkbeam.sources.parents.alp_mixing import mixing_source
        from darkbeam.sources.parents.primakoff import primakoff_source
        from darkbeam.sources.shower.primakoff_shower import SAMPLE_KEY, primakoff_shower_source

        if channel.sample_key == SAMPLE_KEY:
            try:
                return primakoff_shower_source(beam, channel.mass, showers=ALP_SHOWERS, seed=seed), None
            except (ConfigurationError, ParameterError) as exc:
                return None, f"{channel.name}: not in the {beam} beam: {exc}"
        make = mixing_source if channel.parent == "pi0" else primakoff_source
        try:
            return make(beam, channel.mass, n=n, seed=seed), None
        except ConfigurationError as exc:
            return None, f"{channel.name}: not in the {beam} beam: {exc}"
    try:
        return bremsstrahlung_sample(beam, channel.mass, n=n, seed=seed), None
    except ConfigurationError as exc:
        return None, f"{channel.name}: not in the {beam} beam: {exc}"


def run_meson_decay(params, experiment, *, n: int = 20_000, seed: int = 1, mode: str = "in-flight",
                    beam: Optional[str] = None, parents_file: Optional[str] = None, n_parents: int = 2**15,
                    pot: Optional[float] = None, polarity: Optional[str] = None, site: str = "absorber",
                    channels=None, parents=None, bremsstrahlung: bool = True, alp_shower: bool = False) -> MesonRun:
    """Meson-decay events of ``params``'s new particles at ``experiment`` (keyword, TOML path or
    Experiment): channels from :func:`meson_channels` (or ``channels``), parents of every species with
    an open channel from the beam frame ``beam`` (default: the experiment's [beam] frame) in ``mode``
    (or ``parents``: {species: ParentSample}, or a ``parents_file``), ``n`` parent decays per channel,
    :func:`darkbeam.processes.meson_decay.simulate`; same seed, same events.  ``bremsstrahlung``: with
    the default channels, include the dark photons of proton bremsstrahlung (kinetically mixed Z'), in
    flight on beams where the source is valid (:func:`direct_sample`; else a parent note).  ``alp_shower``:
    with the default channels, add the Primakoff ALPs of the target's shower photons (docs/alps.md)."""
    from darkbeam.detectors.catalog import Experiment, load_experiment
    from darkbeam.processes.meson_decay import simulate

    if mode not in MODES:
        raise ConfigurationError(f"unknown parent mode '{mode}' (choose from {', '.join(MODES)})")
    if int(n) < 1:
        raise ConfigurationError(f"n must be a positive number of parent decays per channel, got {n}")
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    frame = beam_of(exp, beam)
    chs = meson_channels(params, bremsstrahlung=bremsstrahlung, alp_shower=alp_shower) if channels is None else channels
    notes: list[str] = []
    if parents is None:
        direct = [c for c in chs if hasattr(c, "sample_key")]
        species = [c.parent for c in chs if not hasattr(c, "sample_key")]
        parents, notes = meson_parents(frame, species, n=n_parents, seed=seed, mode=mode,
                                       polarity=polarity or polarity_of(exp), parents_file=parents_file, site=site) \
            if species else ({}, [])
        for c in direct:
            got, why = direct_sample(c, frame, mode=mode, n=n_parents, seed=seed)
            if got is not None:
                parents[c.sample_key] = got
            else:
                notes.append(why)
        if not parents:
            more = f" (and {len(notes) - 1} more like it)" if len(notes) > 1 else ""
            raise ConfigurationError(f"no parents for the open channels ({', '.join(dict.fromkeys(species))}) "
                                     f"in the {frame} beam ({mode}): {notes[0] if notes else 'none'}{more}")
    rng = np.random.default_rng(seed)
    events = simulate(params, exp, chs, parents, n=n, rng=rng, pot=pot, seed=seed)
    events.meta["parent_notes"] = notes
    events.meta["beam"] = frame
    events.meta["parent_mode"] = mode
    return MesonRun(events, summary_of(events))


def summary_of(events) -> dict:
    """JSON summary of a meson-decay EventSet: total LLP decays in the decay volume with the MC error
    (from the per-draw sums of meta['summary'] where there; sqrt(sum w^2) otherwise), its visible and
    invisible parts (:mod:`darkbeam.events.visibility`), per production channel and per LLP decay channel."""
    m = events.meta
    w = events.w
    vis = events.visible()
    per_case = m.get("summary") or []
    total = float(w.sum())
    err = math.sqrt(sum(c.get("decays_in_volume_err", 0.0) ** 2 for c in per_case)) if per_case else \
        float(np.sqrt(np.sum(w * w)))

    def part(mask):
        s = float(w[mask].sum())
        e = float(np.sqrt(np.sum(w[mask] ** 2)))
        return s, e

    sv, ev = part(vis)
    si, ei = part(~vis)
    _, cs, ce = events.sum_weights("channel")
    prod = {p["case"]: p for p in m.get("production", [])}
    chans = []
    for c in per_case:
        p = prod.get(c["case"], {})
        chans.append({"channel": c["case"], "parent": p.get("parent"), "llp": p.get("llp"), "br": p.get("br"),
                      "llps_produced": c["llps_produced"], "llps_toward_volume": c["llps_toward_volume"],
                      "llps_toward_volume_err": c["llps_toward_volume_err"],
                      "decays_in_volume": c["decays_in_volume"], "decays_in_volume_err": c["decays_in_volume_err"],
                      "notes": list(p.get("notes") or []),
                      **({"source_info": p["source_info"]} if "source_info" in p else {})})
    return {
        "process": m.get("process", "meson-decay"), "experiment": m.get("experiment"), "beam": m.get("beam"),
        "parent_mode": m.get("parent_mode"), "seed": m.get("seed"), "exposure_pot": m.get("exposure_pot"),
        "model": m.get("model", {}).get("name"), "n_events": len(events),
        "decay_in_volume": {"total": total, "error": err, "visible": sv, "visible_error": ev,
                            "invisible": si, "invisible_error": ei},
        "errors": "MC errors: totals from the per-parent-draw sums (both kinematic roots of a draw together); "
                  "visible/invisible and decay channels sqrt(sum w^2)",
        "channels": chans,
        "decay_channels": [{"channel": ch.name, "decays_in_volume": float(s), "error": float(e)}
                           for ch, s, e in zip(events.channels, cs, ce)],
        "ctau_cm": {c.name: float(np.asarray(events["ctau"])[np.asarray(events["case"]) == i][0])
                    for i, c in enumerate(events.cases) if np.any(np.asarray(events["case"]) == i)},
        "parents": {p["parent"]: ({"origin": p.get("parents_origin"), "decays_per_pot": p["parent_decays_per_pot"]}
                                  if "parent_decays_per_pot" in p else
                                  {"origin": p.get("parents_origin"),
                                   "llp_per_pot_unit_coupling": p.get("llp_per_pot_unit_coupling")})
                    for p in m.get("production", [])},
        "skipped": list(m.get("skipped", [])),
        "parent_notes": list(m.get("parent_notes", [])),
        "files": [],
    }
