"""Backgrounds of a catalog search from a neutrino-generator sample (NuHepMC: GENIE, NuWro, NEUT, GiBUU):
the same final-state matching and cuts as the signal, per channel of the search.

Detector response (assumptions, docs/alps.md "Backgrounds"): a final-state particle is seen if it is
not a neutrino, a neutron or a nucleus (|PDG| > 1e9) and its kinetic energy is above the threshold of its
kind (``thresholds``, GeV; defaults :data:`DEFAULT_THRESHOLDS_GEV`, round numbers, not a published
detector).  An event falls in a channel of the search when its seen particles are exactly one of the
channel's final states (:func:`darkbeam.analysis.meson_limits.final_state_key`), a pi0 counting either as
pi0 or as its two photons (an unresolved pi0 -> gamma gamma, the NC pi0 background of a gamma gamma
search); it then passes the search's track cuts with the kernel the signal uses
(:func:`darkbeam.analysis.meson_limits.track_cut_acceptance`) and the channel's flat efficiency.  The
count is normalised by :func:`darkbeam.events.nuhepmc_read.expected_events`.
"""

from __future__ import annotations

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = ["background_counts", "visible_mask", "DEFAULT_THRESHOLDS_GEV"]

#: kinetic-energy thresholds (GeV) of the default detector response: an assumption of this module
DEFAULT_THRESHOLDS_GEV = {"gamma": 0.03, "e": 0.03, "mu": 0.03, "pi": 0.03, "p": 0.05, "other": 0.03}
_INVISIBLE = {12, 14, 16, 2112}
_KIND = {22: "gamma", 11: "e", 13: "mu", 211: "pi", 111: "pi", 2212: "p"}


def visible_mask(codes, p4, mass, thresholds=None) -> np.ndarray:
    """(n, k) bool: the particles the detector sees (module docstring)."""
    th = {**DEFAULT_THRESHOLDS_GEV, **(thresholds or {})}
    unknown = sorted(set(th) - set(DEFAULT_THRESHOLDS_GEV))
    if unknown:
        raise ConfigurationError(f"unknown threshold kind '{unknown[0]}' (known: {', '.join(DEFAULT_THRESHOLDS_GEV)})")
    codes = np.asarray(codes)
    a = np.abs(codes)
    T = np.asarray(p4)[..., 0] - np.asarray(mass)
    cut = np.full(codes.shape, th["other"])
    for code, kind in _KIND.items():
        cut = np.where(a == code, th[kind], cut)
    return (codes != 0) & ~np.isin(a, list(_INVISIBLE)) & (a < 1_000_000_000) & (T > cut)


def _keys(codes_row) -> list[tuple]:
    """The final-state keys of one event's seen particles: as they are, and with every pi0 -> gamma gamma."""
    from darkbeam.analysis.meson_limits import final_state_key

    labels = [int(c) for c in codes_row if c != 0]
    out = [final_state_key(labels)]
    if 111 in labels:
        out.append(final_state_key([c for c in labels if c != 111] + [22, 22] * labels.count(111)))
    return out


def background_counts(sample, search, *, thresholds=None, flux_per_cm2=None, targets=None, pot=None,
                      seed: int = 12345) -> dict:
    """Expected background per channel of ``search`` (a catalog key or LimitSpec) from a generator sample
    (a :class:`~darkbeam.events.nuhepmc_read.GeneratorSample` or a NuHepMC path): {'channels': [{'decay',
    'final_states', 'events', 'selected_samples'}], 'total', 'normalisation', 'notes'}; the normalisation
    arguments as in :func:`darkbeam.events.nuhepmc_read.expected_events`."""
    from darkbeam.analysis.meson_limits import (TRACK_CUTS, LimitSpec, check_cuts, final_state_key,
                                                spec_from_search, track_cut_acceptance)
    from darkbeam.analysis.searches import load_search
    from darkbeam.events.nuhepmc_read import GeneratorSample, expected_events, read_nuhepmc

    gs = sample if isinstance(sample, GeneratorSample) else read_nuhepmc(sample)
    spec = search if isinstance(search, LimitSpec) else spec_from_search(search)
    if isinstance(search, LimitSpec):   # one channel: every final state of the spec
        from types import SimpleNamespace

        channels = [SimpleNamespace(decay="selected", final_states=[" ".join(k) for k in spec.final_states],
                                    efficiency=None, background=None)]
    else:
        channels = load_search(spec.key).spec.channels
    cuts = {k: v for k, v in spec.cuts.items() if k in TRACK_CUTS}
    check_cuts(spec.cuts, spec.key)
    vis = visible_mask(gs.codes, gs.p4, gs.mass, thresholds)
    codes = np.where(vis, gs.codes, 0)
    keys = [_keys(row) for row in codes]
    p3 = np.where(vis[..., None], gs.p4[..., 1:], 0.0)
    m = np.where(vis, gs.mass, 0.0)
    rng = np.random.default_rng(seed)
    track = track_cut_acceptance(codes, p3, m, cuts, rng) if cuts else np.ones(len(gs))
    out, total = [], 0.0
    for ch in channels:
        finals = {final_state_key(f.split()) for f in ch.final_states}
        match = np.array([any(k in finals for k in ks) for ks in keys], dtype=float)
        eff = float(ch.efficiency) if getattr(ch, "efficiency", None) is not None else 1.0
        sel = match * track * eff
        n = expected_events(gs, sel, flux_per_cm2=flux_per_cm2, targets=targets, pot=pot)
        total += n
        out.append({"decay": ch.decay, "final_states": list(ch.final_states), "events": n,
                    "selected_samples": int(np.count_nonzero(sel)),
                    # the catalog's published background of the channel, where transcribed (for comparison)
                    "published_background": getattr(ch, "background", None)})
    return {"search": spec.key, "source": gs.source, "samples": len(gs), "channels": out, "total": total,
            "normalisation": ("cross section x flux x targets" if flux_per_cm2 is not None else "POT exposure"),
            "thresholds_GeV": {**DEFAULT_THRESHOLDS_GEV, **(thresholds or {})}, "notes": list(gs.notes)}
