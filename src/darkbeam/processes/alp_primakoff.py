"""Axion-like particles made by Primakoff conversion of target photons, as a direct production "channel"
of the meson-decay process (like the bremsstrahlung dark photons of :mod:`darkbeam.processes.direct_llp`).

The source (:func:`darkbeam.sources.parents.primakoff.primakoff_source`) draws ALPs at their conversion
points with weights = ALPs per POT at g_agg = 1 GeV^-1; :class:`PrimakoffChannel` carries them through
:func:`darkbeam.processes.meson_decay.simulate` with branching ratio ``br`` = g_agg^2 (scaling
``(("g_agg", 2),)``: exact reweighting in g_agg at fixed m_a, docs/alps.md).

**Direction: hit or miss with a pilot.**  The ALP keeps its photon's direction to within
theta ~ sqrt(|t|)/E, so no forced direction applies; an ALP counts if its straight ray crosses the
decay volume.  A pilot of ``n`` meson draws measures the fraction f of ALP weight that hits; the run
then uses N = min(cap, n / f_hits) FRESH draws (independent of the pilot, so that sum(w)/N is unbiased)
and keeps the hits, each with weight pot x w / N.  The effective sample is limited by the parent pool
only through the mesons' momenta (the photons' decay angles are redrawn every time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from darkbeam.processes.direct_llp import DirectChannel
from darkbeam.sources.parents.primakoff import G_REF, SAMPLE_KEY

__all__ = ["PrimakoffChannel", "primakoff_channel", "MixingChannel", "mixing_channel", "ShowerPrimakoffChannel",
           "primakoff_shower_channel", "CHANNEL_NAME", "SHOWER_CHANNEL_NAME", "SAMPLE_KEY", "MAX_DRAWS"]

CHANNEL_NAME = "gamma N -> alp N (Primakoff)"
#: the channel of the target's shower photons (sources/shower/primakoff_shower.py)
SHOWER_CHANNEL_NAME = "gamma(pi0, eta) shower, gamma N -> alp N (Primakoff)"
SOURCE = ("Primakoff conversion of the target's pi0/eta photons: Tsai PRD 34 (1986) 1326; Dobrich et al. "
          "arXiv:1512.03069 eq. 2.1 (darkbeam.sources.parents.primakoff)")
#: at most this many meson draws per run (the rarest hits then come with fewer than n events)
MAX_DRAWS = 2**23
_BATCH = 2**18


@dataclass(frozen=True)
class PrimakoffChannel(DirectChannel):
    """ALPs from Primakoff conversion as a production channel of :func:`simulate` (module docstring).
    br: (g_agg / G_REF)^2; the parents mapping of simulate holds the source under :data:`SAMPLE_KEY`."""

    name: ClassVar[str] = CHANNEL_NAME
    parent: str = "gamma"
    daughters: tuple[str, ...] = ("alp",)
    llp: str = "alp"
    source: str = SOURCE
    sample_key: str = SAMPLE_KEY
    notes: tuple[str, ...] = field(default=("no parent decay: the ALP is made on a target nucleus; the stored "
                                            "parent is the converting photon, no companion (the nucleus is not stored); "
                                            "first-generation meson photons (their shower photons: the channel "
                                            f"'{SHOWER_CHANNEL_NAME}')",))

    def _hits(self, src, place, vol, n_draws: int, rng):
        out = {"k4": [], "pos": [], "w": [], "a": [], "b": [], "draw": []}
        done = 0
        while done < n_draws:
            m = min(_BATCH, n_draws - done)
            d = src.draw(m, rng)
            if d["weight"].size:
                p3 = place.vectors_to_detector(d["k4"][:, 1:])
                x0 = place.points_to_detector(d["pos"])
                u = p3 / np.linalg.norm(p3, axis=1)[:, None]
                a, b = vol.segments(x0, u)
                hit = np.flatnonzero((b > a).any(axis=1) if a.ndim == 2 else b > a)
                k4 = np.concatenate([d["k4"][hit, :1], p3[hit]], axis=1)
                for key, val in (("k4", k4), ("pos", x0[hit]), ("w", d["weight"][hit] * m / n_draws),
                                 ("a", a[hit]), ("b", b[hit]), ("draw", done + d["draw"][hit])):
                    out[key].append(val)
            done += m
        return {k: np.concatenate(v) if v else np.zeros(0) for k, v in out.items()}

    def produce(self, src, place, vol, params, n: int, rng, pot: float) -> dict | None:
        """ALPs whose rays cross the decay volume: the arrays of meson_decay.produce_toward_volume (one branch)."""
        from darkbeam.events.weights import path_bounds_from_segments

        pilot = self._hits(src, place, vol, max(int(n), 4096), rng)
        n_hit = pilot["w"].size
        if n_hit == 0:
            n_draws = MAX_DRAWS
        else:
            n_draws = int(min(MAX_DRAWS, max(n, math.ceil(n * max(int(n), 4096) / n_hit))))
        h = self._hits(src, place, vol, n_draws, rng)
        if h["w"].size == 0:
            return None
        k = h["w"].size
        P4 = np.zeros((k, 4))
        P4[:, 0] = h["k4"][:, 0]
        P4[:, 1:] = h["k4"][:, 1:] * (h["k4"][:, :1] / np.maximum(np.linalg.norm(h["k4"][:, 1:], axis=1), 1e-300)[:, None])
        lab = h["k4"][:, None, :]   # the ALP; P4 (the stored parent) is the converting photon, along the ALP
        draws = np.asarray(h["draw"], dtype=np.int64)
        # per-draw index 0..n-1 for the error estimate of meson_decay._case_summary (draws grouped mod n)
        return {"P4": P4, "x0": h["pos"], "t0": np.zeros(k), "lab": lab, "h": np.zeros(k),
                "w_rate": pot * self.br * h["w"], "bounds": path_bounds_from_segments(h["a"], h["b"]),
                "branch": np.zeros(k, dtype=np.int64), "draw": draws % max(int(n), 1)}


def primakoff_channel(params) -> PrimakoffChannel | None:
    """The Primakoff channel of a model with an ALP coupled to photons (``ma`` and ``g_agg`` != 0), else
    None.  br = (g_agg / G_REF)^2."""
    if not params.has_alp or not params.g_agg:
        return None
    return PrimakoffChannel(br=(float(params.g_agg) / G_REF) ** 2, scaling=(("g_agg", 2),), mass=float(params.ma))


MIXING_NAME = "pi0 -> alp (a-pi0 mixing)"
MIXING_SOURCE = ("a-pi0 mixing at leading order in chiral perturbation theory (darkbeam.physics.alp_mixing; Georgi, "
                 "Kaplan, Randall PLB 169 (1986) 73); ALP spectrum = prompt pi0 spectrum (darkbeam.sources.parents.alp_mixing)")
#: no mixing channel within this distance (GeV) of the pi0 mass, where the first-order angle fails
MIXING_GAP_GEV = 0.01


@dataclass(frozen=True)
class MixingChannel(PrimakoffChannel):
    """ALPs from a-pi0 mixing as a production channel (br = theta_api^2, scaling g_agluon^2); the same
    hit-or-miss direction as :class:`PrimakoffChannel`, from the source of
    :func:`darkbeam.sources.parents.alp_mixing.mixing_source`."""

    name: ClassVar[str] = MIXING_NAME
    parent: str = "pi0"
    source: str = MIXING_SOURCE
    sample_key: str = "alp (pi0 mixing)"
    notes: tuple[str, ...] = field(default=("the ALP takes the prompt pi0's momentum (mixing), at the pi0's production "
                                            "point; eta/eta' mixing not included; first order in g_agluon",))


def mixing_channel(params) -> MixingChannel | None:
    """The a-pi0 mixing channel of an ALP with ``g_agluon`` (first order; none within MIXING_GAP_GEV of the
    pi0 mass), else None."""
    from darkbeam import constants as C
    from darkbeam.physics.alp_mixing import theta_a_pi0

    if not params.has_alp or not params.g_agluon or abs(float(params.ma) - C.M_PI0) < MIXING_GAP_GEV:
        return None
    th = float(theta_a_pi0(float(params.ma), float(params.g_agluon)))
    return MixingChannel(br=th * th, scaling=(("g_agluon", 2),), mass=float(params.ma))


SHOWER_SOURCE = ("Primakoff conversion of the photons of the electromagnetic showers started by the target's pi0/eta "
                 "photons (track-length estimator over the shower transport of darkbeam.sources.shower; the primary "
                 "photons' first flights excluded); sigma_P: Tsai PRD 34 (1986) 1326, Dobrich et al. arXiv:1512.03069 "
                 "eq. 2.1 (darkbeam.sources.shower.primakoff_shower)")


@dataclass(frozen=True)
class ShowerPrimakoffChannel(PrimakoffChannel):
    """ALPs from the Primakoff conversion of the target's shower photons (br = (g_agg/G_REF)^2, scaling
    g_agg^2), with the hit-or-miss direction of :class:`PrimakoffChannel` on the source of
    :func:`darkbeam.sources.shower.primakoff_shower.primakoff_shower_source` (parents key
    :data:`darkbeam.sources.shower.primakoff_shower.SAMPLE_KEY`).  Beside :class:`PrimakoffChannel`, not in its
    place: the primary photons' first flights are that channel's and are left out of this one."""

    name: ClassVar[str] = SHOWER_CHANNEL_NAME
    source: str = SHOWER_SOURCE
    sample_key: str = "alp (Primakoff, target shower)"
    notes: tuple[str, ...] = field(default=("no parent decay: the ALP is made on a target nucleus by a photon of a "
                                            "shower; the stored parent is that photon, along the ALP; the source's "
                                            "yield has a shower-to-shower error (source_info), not in "
                                            "decays_in_volume_err",))


def primakoff_shower_channel(params) -> ShowerPrimakoffChannel | None:
    """The shower-photon Primakoff channel of a model with an ALP coupled to photons, else None."""
    if not params.has_alp or not params.g_agg:
        return None
    return ShowerPrimakoffChannel(br=(float(params.g_agg) / G_REF) ** 2, scaling=(("g_agg", 2),), mass=float(params.ma))
