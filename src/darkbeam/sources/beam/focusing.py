"""An approximate magnetic-horn focusing model.

A horn is a coaxial pulsed conductor: between the inner conductor (radius r_in(z)) and the outer
conductor (r_out) the field is toroidal, B_phi = mu0 I / (2 pi r) (Ampere's law; S. van der Meer,
CERN-61-07 (1961); NuMI, P. Adamson et al., NIM A 806 (2016) 279, arXiv:1507.06690, sec. 5).  A
particle of charge q and momentum p crossing a length dl of field at radius r receives a
transverse kick toward (or away from) the axis

    dp_T = q * 0.299792458 [GeV/(T m)] * (2e-7 T m/A) * I[A] * dl / r.

Charged mesons leave the target from the axis, so their motion stays in one meridional plane; the
model follows each meson's signed radius r and slope dr/dz through every horn in small z steps
(straight lines with a kick per step, the kick computed at the step's end point; the momentum
magnitude is unchanged, conductor material is ignored).  Outside the field region (inside the
inner conductor, beyond the outer conductor, between horns) the tracks are straight.  Mesons
produced inside a horn (targets inserted into horn 1) are followed from their production point.

What this leaves out: the 3D beam spot, multiple scattering and energy loss in the target and in
the conductors, absorption in the conductors, skin-depth currents, field errors.  See
docs/beam_model.md for the effect on the fluxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: 0.299792458 GeV/(T m) x mu0/(2 pi) = 2e-7 T m / A  ->  kick constant per ampere (GeV per A)
KICK_PER_AMPERE = 0.299792458 * 2.0e-7
#: batches of at least this many tracks are stepped by the numba twin (darkbeam.sources.beam._numba_trace)
JIT_THRESHOLD = 4096


@dataclass(frozen=True)
class Horn:
    """A horn: z of its upstream end and length (cm), current (kA, + focuses positive particles in
    forward-horn-current mode), inner-conductor outer radius profile r_in(z) as points
    (z relative to the horn start, r) in cm, and the outer conductor's inner radius (cm)."""

    name: str
    z_start_cm: float
    length_cm: float
    current_kA: float
    inner_profile_cm: tuple[tuple[float, float], ...]
    r_out_cm: float
    n_steps: int = 80
    #: inner-conductor wall thickness (cm) and its material, for absorption of mesons crossing it
    wall_cm: float = 0.0
    wall_material: str = "Al"

    def r_in(self, z_cm) -> np.ndarray:
        """Inner-conductor radius (cm) at absolute z (cm)."""
        zr = np.asarray(z_cm, dtype=np.float64) - self.z_start_cm
        pts = np.asarray(self.inner_profile_cm, dtype=np.float64)
        return np.interp(zr, pts[:, 0], pts[:, 1])

    @property
    def z_end_cm(self) -> float:
        return self.z_start_cm + self.length_cm


@dataclass
class Tracks:
    """Meridional-plane tracks: production z, signed radius r (cm) at z_ref, slope dr/dz, momentum,
    charge, and the probability ``survival`` not to be absorbed in the horn inner-conductor walls."""

    z0: np.ndarray
    r: np.ndarray
    slope: np.ndarray
    p: np.ndarray
    charge: np.ndarray
    z_ref: float
    survival: np.ndarray


def trace(horns: Sequence[Horn], z0, slope0, p, charge, *, polarity: int = 1, absorption_cm: float | None = None,
          wall_dedx: float = 0.0, mass: float = 0.0, z_stop=None, _force_numpy: bool = False) -> Tracks:
    """Follow mesons produced on the axis at z0 (cm) with slope tan(theta) through ``horns``.

    ``charge``: +1/-1 (0: not deflected); ``polarity``: +1 forward horn current (focuses
    positives), -1 reverse.  ``absorption_cm``: the mesons' absorption length in the horn wall
    material; a track crossing an inner-conductor wall of thickness t at a grazing angle a
    survives with exp(-t / (sin(a) lambda)) (path capped at the horn length).  Returns the tracks
    at the downstream end of the last horn (straight extrapolation of particles produced further
    downstream).  ``wall_dedx`` (GeV/cm) and ``mass`` (GeV): mean ionisation loss in the walls.
    ``z_stop`` (cm, per track, optional): stop each track there instead; tracks that stop before the
    end of the last horn are returned at their own z_stop (radius, slope, momentum and survival
    there), the others at the end of the last horn as usual.
    Vectorised over mesons (numpy loop over z steps; numba loop for large batches).
    """
    z0 = np.asarray(z0, dtype=np.float64)
    zs = np.full_like(z0, np.inf) if z_stop is None else np.broadcast_to(np.asarray(z_stop, dtype=np.float64), z0.shape)
    slope = np.array(slope0, dtype=np.float64, copy=True)
    p = np.array(p, dtype=np.float64, copy=True)
    q = np.asarray(charge, dtype=np.float64) * polarity
    r = np.zeros_like(z0)
    surv = np.ones_like(z0)
    horns = sorted(horns, key=lambda h: h.z_start_cm)
    z = float(np.min(z0)) if z0.size else 0.0
    if horns:
        z = min(z, horns[0].z_start_cm)
    for h in horns:
        # straight from the current plane to the horn start (for particles already produced)
        dz = (np.clip(np.minimum(h.z_start_cm, zs) - np.maximum(z, z0), 0.0, None) if h.z_start_cm > z
              else np.zeros_like(z0))
        r += slope * dz
        z = max(z, h.z_start_cm)
        edges = np.linspace(h.z_start_cm, h.z_end_cm, h.n_steps + 1)
        k = KICK_PER_AMPERE * h.current_kA * 1e3  # GeV per (dl/r)
        if z0.size >= JIT_THRESHOLD and not _force_numpy:
            from darkbeam.sources.beam._numba_trace import horn_steps

            horn_steps(z0, np.ascontiguousarray(zs), r, slope, p, q, surv, edges, h.r_in(edges), float(h.r_out_cm), float(k), float(h.wall_cm),
                       float(h.length_cm), float(absorption_cm or 0.0), float(wall_dedx), float(mass))
        else:
            r, slope, p, surv = _horn_steps_numpy(h, edges, k, z0, zs, r, slope, p, q, surv, absorption_cm, wall_dedx,
                                                  mass)
        z = h.z_end_cm
    # particles produced downstream of the last horn: the straight line through (z0, 0), seen at z
    r = np.where(z0 > z, slope * (z - z0), r)
    return Tracks(z0=z0, r=r, slope=slope, p=p, charge=np.asarray(charge, dtype=np.float64), z_ref=z, survival=surv)


def _horn_steps_numpy(h, edges, k, z0, zs, r, slope, p, q, surv, absorption_cm, wall_dedx, mass):
    """The stepping loop of :func:`trace` through one horn, vectorised over tracks (numpy twin of
    darkbeam.sources.beam._numba_trace.horn_steps)."""
    for z_a, z_b in zip(edges[:-1], edges[1:]):
        dz = np.clip(np.minimum(z_b, zs) - np.maximum(z_a, z0), 0.0, z_b - z_a)
        r_before = np.abs(r)
        r += slope * dz
        absr = np.abs(r)
        if h.wall_cm > 0 and absorption_cm:
            ra, rb = h.r_in(z_a), h.r_in(z_b)
            crossed = (dz > 0) & ((r_before - ra) * (absr - rb) < 0)
            if np.any(crossed):
                grazing = np.abs(np.abs(slope) - (rb - ra) / (z_b - z_a))
                path = np.minimum(h.wall_cm * np.sqrt(1.0 + grazing**2) / np.maximum(grazing, 1e-12), h.length_cm)
                surv = np.where(crossed, surv * np.exp(-path / absorption_cm), surv)
                if wall_dedx > 0:
                    e_new = np.sqrt(p * p + mass * mass) - np.where(crossed, wall_dedx * path, 0.0)
                    p = np.where(e_new > mass * 1.0001, np.sqrt(np.maximum(e_new * e_new - mass * mass, 0.0)), 1e-6)
        infield = (dz > 0) & (absr > h.r_in(z_b)) & (absr < h.r_out_cm)
        if np.any(infield):
            dl = dz * np.sqrt(1.0 + slope * slope)
            kick = np.where(infield, q * k * dl / np.where(absr > 0, r, 1.0), 0.0)  # dp_T (GeV), toward axis for q>0
            pt = p * slope / np.sqrt(1.0 + slope * slope) - kick
            pt = np.clip(pt, -0.999 * p, 0.999 * p)
            slope = pt / np.sqrt(p * p - pt * pt)
    return r, slope, p, surv
