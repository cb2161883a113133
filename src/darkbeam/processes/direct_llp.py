"""Long-lived particles made directly in the target (no parent decay): dark photons from proton
bremsstrahlung as a production "channel" of the meson-decay process.

The source (:func:`darkbeam.sources.parents.bremsstrahlung.bremsstrahlung_sample`) gives the A' itself
at its production point, weights = A' per POT at epsilon = 1.  :class:`BremsstrahlungChannel` carries
it through :func:`darkbeam.processes.meson_decay.simulate` with branching ratio ``br`` = epsilon^2 and
its own forced-direction step :meth:`BremsstrahlungChannel.produce`:

**Azimuth resampling** (derivation in docs/meson_decay.md, "Bremsstrahlung dark photons").  The
sample is symmetric under rotations about the beam axis (production points on the axis, azimuth
uniform).  A ray leaving a point of the axis stays in the half-plane of its azimuth phi, so it can
cross the decay volume only if phi lies in the azimuthal extent [phi_lo, phi_lo + Delta] of the
volume about the axis (that of the corners of its bounding box, a convex hull; Delta = 2 pi when the
axis passes through the hull's projection).  Each drawn A' keeps its polar angle and momentum, its
azimuth is redrawn uniformly in that range, and the event is kept if its ray crosses the volume, with
weight Delta / (2 pi): E[weight x hit] = P(hit) exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from darkbeam.errors import ConfigurationError

__all__ = ["DirectChannel", "BremsstrahlungChannel", "bremsstrahlung_channel", "azimuth_range", "CHANNEL_NAME", "SAMPLE_KEY"]

#: the production channel's name in tables and meta
CHANNEL_NAME = "p N -> p N zprime (bremsstrahlung)"
#: key of the bremsstrahlung A' sample in the parents mapping of simulate
SAMPLE_KEY = "zprime (bremsstrahlung)"
SOURCE = ("proton bremsstrahlung, modified Weizsacker-Williams: J. Bluemlein, J. Brunner, PLB 731 (2014) 320, "
          "arXiv:1311.3870, eqs. 2-4 (darkbeam.sources.parents.bremsstrahlung)")


def azimuth_range(corners_beam) -> tuple[float, float]:
    """(phi_lo, Delta): the smallest arc of azimuths about the beam axis (z of the beam frame) that holds
    every point of the convex hull of ``corners_beam`` ((k, 3), beam frame); (0, 2 pi) when the axis
    passes through the hull's projection (or touches a corner)."""
    c = np.asarray(corners_beam, dtype=float)
    r = np.hypot(c[:, 0], c[:, 1])
    if not (r > 0).all():
        return 0.0, 2.0 * math.pi
    phi = np.sort(np.arctan2(c[:, 1], c[:, 0]))
    gaps = np.diff(np.concatenate([phi, phi[:1] + 2.0 * math.pi]))
    j = int(np.argmax(gaps))
    span = 2.0 * math.pi - float(gaps[j])
    if span >= math.pi:  # the origin is inside the projected hull (no half-plane holds every corner)
        return 0.0, 2.0 * math.pi
    return float(phi[(j + 1) % len(phi)]), span


def _corners(vol) -> np.ndarray:
    lo, hi = (np.asarray(v, dtype=float) for v in vol.bounds())
    return np.array([[(lo, hi)[i][0], (lo, hi)[j][1], (lo, hi)[k][2]] for i in (0, 1) for j in (0, 1) for k in (0, 1)])


@dataclass(frozen=True)
class DirectChannel:
    """The common part of the production channels without a parent decay (the LLP made in the target:
    :class:`BremsstrahlungChannel`, :class:`darkbeam.processes.alp_primakoff.PrimakoffChannel`,
    :class:`darkbeam.processes.shower_llp.ShowerChannel`), as :func:`darkbeam.processes.meson_decay.simulate`
    reads them: a subclass gives the defaults of parent, daughters, llp, source, sample_key and notes,
    its ``name`` and a ``produce`` method (the arrays of meson_decay.produce_toward_volume, one branch).

    br: the rate factor at the model's coupling (the sample's weights are at the reference coupling);
    scaling: ((coupling, power),) as for the meson channels; mass: the LLP mass (GeV); sample_key: the
    key of the channel's sample in the parents mapping of simulate; llp_index: the LLP's place in
    ``daughters``."""

    br: float
    scaling: tuple[tuple[str, int], ...]
    mass: float
    parent: str
    daughters: tuple[str, ...]
    llp: str
    width: float = 0.0
    source: str = ""
    sample_key: str = ""
    notes: tuple[str, ...] = ()

    #: the channel's name in tables and meta
    name: ClassVar[str]

    @property
    def llp_index(self) -> int:
        return self.daughters.index(self.llp)


@dataclass(frozen=True)
class BremsstrahlungChannel(DirectChannel):
    """A' from proton bremsstrahlung as a production channel of :func:`simulate` (module docstring).

    br: epsilon^2 (the sample's weights are at epsilon = 1); scaling: ((coupling, power),) as for the
    meson channels; mass: the A' mass (GeV).  The parents mapping of simulate holds the sample under
    :data:`SAMPLE_KEY`."""

    name: ClassVar[str] = CHANNEL_NAME
    parent: str = "p"
    daughters: tuple[str, ...] = ("p", "zprime")
    llp: str = "zprime"
    source: str = SOURCE
    sample_key: str = SAMPLE_KEY
    notes: tuple[str, ...] = field(default=("no parent decay: the A' is made in the target; its polarisation is "
                                            "not modelled (unpolarised decays); the stored parent is the beam "
                                            "proton, the companion the proton after the emission (P - k)",))

    def produce(self, ps, place, vol, params, n: int, rng, pot: float) -> dict | None:
        """Azimuth-resampled A' toward the decay volume: the arrays of meson_decay.produce_toward_volume (one branch)."""
        from darkbeam.events.weights import path_bounds_from_segments
        from darkbeam.sources.beam.configs import beam_config

        W = np.asarray(ps.weight, dtype=float)
        tot = float(W.sum())
        if not (len(ps) and tot > 0):
            return None
        pos = np.asarray(ps.position, dtype=float)
        if np.any(pos[:, :2] != 0.0):
            raise ConfigurationError(f"{CHANNEL_NAME}: the A' sample must start on the beam axis (x = y = 0) "
                                     "for the azimuth resampling")
        phi_lo, delta = azimuth_range(place.points_to_beam(_corners(vol)))
        idx = rng.choice(len(ps), size=n, p=W / tot)
        k4 = np.asarray(ps.p4, dtype=float)[idx]
        pt = np.hypot(k4[:, 1], k4[:, 2])
        phi = phi_lo + delta * rng.random(n)
        k_beam = np.column_stack([pt * np.cos(phi), pt * np.sin(phi), k4[:, 3]])
        p3 = place.vectors_to_detector(k_beam)
        x0 = place.points_to_detector(pos[idx])
        pabs = np.linalg.norm(p3, axis=1)
        u = p3 / pabs[:, None]
        a, b = vol.segments(x0, u)
        hit = np.flatnonzero((b > a).any(axis=1) if a.ndim == 2 else b > a)
        if hit.size == 0:
            return None
        m = float(self.mass)
        from darkbeam.constants import M_PROTON

        cfg = beam_config(ps.beam)
        P = float(cfg.proton_momentum_GeV)
        P4 = np.zeros((hit.size, 4))
        P4[:, 0] = math.hypot(P, M_PROTON)
        P4[:, 1:] = place.vectors_to_detector(np.tile([0.0, 0.0, P], (hit.size, 1)))
        lab = np.zeros((hit.size, 2, 4))
        lab[:, 1, 0] = np.sqrt(pabs[hit] ** 2 + m * m)
        lab[:, 1, 1:] = p3[hit]
        lab[:, 0] = P4 - lab[:, 1]  # the proton after the emission (slightly off shell; it then interacts)
        w_rate = np.full(hit.size, pot * (tot / n) * self.br * delta / (2.0 * math.pi))
        bounds = path_bounds_from_segments(a[hit], b[hit])
        return {"P4": P4, "x0": x0[hit], "t0": np.asarray(ps.time, dtype=float)[idx][hit], "lab": lab,
                "h": np.zeros(hit.size), "w_rate": w_rate, "bounds": bounds,
                "branch": np.zeros(hit.size, dtype=np.int64), "draw": hit}


def bremsstrahlung_channel(params, *, sw2=None) -> BremsstrahlungChannel | None:
    """The bremsstrahlung channel of a model with a kinetically mixed Z' (zprime_charge 'dark', epsilon
    != 0), else None.  br = epsilon^2 of :class:`darkbeam.models.couplings.Couplings`."""
    from darkbeam import constants as C
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics.production.dark_channels import _epsilon_scaling

    if not params.has_zprime or params.zprime_charge != "dark":
        return None
    eps = Couplings(params, C.SW2 if sw2 is None else sw2).epsilon
    if eps == 0.0:
        return None
    return BremsstrahlungChannel(br=float(eps) ** 2, scaling=_epsilon_scaling(params), mass=float(params.mzprime))


def bremsstrahlung_source(params, beam: str | None = None) -> dict | None:
    """The proton-bremsstrahlung A' of a kinetically mixed Z' as a production source beside the meson
    decays (``darkbeam production``): None for other models; else ``{"source", "parent", "llp",
    "scaling", "reference", "beam", "per_pot", "note"}`` with ``per_pot`` = A' per POT at the model's
    epsilon in the target of ``beam`` (:func:`darkbeam.sources.parents.bremsstrahlung.dark_photon_yield`,
    default cuts 0.1 < z < 0.9, p_T < 1 GeV), None without a beam or outside the source's validity (the
    note says why).  Not a branching ratio: the yield depends on the beam and its target."""
    ch = bremsstrahlung_channel(params)
    if ch is None:
        return None
    row = {"source": CHANNEL_NAME, "parent": ch.parent, "llp": ch.llp, "scaling": dict(ch.scaling),
           "reference": SOURCE, "beam": beam, "per_pot": None, "note": ""}
    if beam is None:
        row["note"] = "per-POT yield depends on the beam: give --beam"
        return row
    from darkbeam.sources.parents.bremsstrahlung import dark_photon_yield

    try:
        row["per_pot"] = dark_photon_yield(beam, ch.mass) * ch.br
    except ConfigurationError as exc:
        row["note"] = f"not in the {beam} beam: {exc}"
    return row
