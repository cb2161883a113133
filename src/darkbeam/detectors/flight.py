"""Flight of a long-lived particle from its production point to a detector's decay volume.

Pure, vectorized kernels (cm, ns, GeV):

* :func:`ray_segments`: the pieces [a_j, b_j] of each ray (origin, unit direction) inside a volume
  (a :class:`~darkbeam.detectors.shapes.Shape`: one piece for a convex volume, several for a union
  such as ND280's three TPCs); distances from the ORIGIN (the production point), so that the decay
  probability sum_j exp(-a_j/L) - exp(-b_j/L) includes the survival from production to each piece;
* :func:`segments_decay_probability`: that sum (exponential decay law);
* :func:`direction_density`: the density in solid angle of the direction towards a point drawn
  uniformly in the volume, q(u) = sum_j (b_j^3 - a_j^3) / (3 V) (sr^-1), used by forced-direction
  sampling (docs/meson_decay.md: d^3x = l^2 dl dOmega);
* :func:`time_of_flight` and :func:`delay_behind_light`: the flight time l / (beta c) and the delay
  l (1/beta - 1)/c behind a light-speed particle (a neutrino) leaving the same point at the same time.
"""

from __future__ import annotations

import numpy as np

from darkbeam.detectors.decay import decay_probability
from darkbeam.detectors.shapes import Shape
from darkbeam.units import C_LIGHT_CM_PER_NS

__all__ = ["ray_segments", "segments_decay_probability", "direction_density", "time_of_flight",
           "delay_behind_light", "beta_of"]


def ray_segments(shape: Shape, origins, directions) -> tuple[np.ndarray, np.ndarray]:
    """Entry and exit distances (n, k) from ``origins`` along ``directions`` of every piece of the
    forward rays inside ``shape`` (missed pieces 0/0; the origin inside a piece gives a = 0)."""
    return shape.segments(origins, directions)


def segments_decay_probability(a, b, L) -> np.ndarray:
    """Probability sum_j exp(-a_j/L) - exp(-b_j/L) to decay on the pieces (a, b) (n, k) for lab decay
    lengths L (n,) cm.  Source: exponential decay law dP/dl = exp(-l/L)/L from the production point."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    L = np.asarray(L, dtype=float)
    return decay_probability(a, b, L[:, None] if L.ndim == 1 else L).sum(axis=1)


def direction_density(a, b, volume: float) -> np.ndarray:
    """Solid-angle density (sr^-1) of the direction from the ray origin to a point uniform in a volume
    of ``volume`` cm^3 whose pieces along the ray are (a, b) (n, k): sum_j (b_j^3 - a_j^3)/(3 V).
    Zero for rays that miss (pieces must not overlap)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.sum(b**3 - a**3, axis=1) / (3.0 * float(volume))


def beta_of(p_abs, m) -> np.ndarray:
    """Velocity |p|/E of a particle of momentum |p| and mass m (GeV)."""
    p_abs = np.asarray(p_abs, dtype=float)
    return p_abs / np.sqrt(p_abs * p_abs + np.asarray(m, dtype=float) ** 2)


def time_of_flight(distance, p_abs, m) -> np.ndarray:
    """Flight time (ns) over ``distance`` (cm) at velocity beta = |p|/E: l E / (|p| c)."""
    p_abs = np.asarray(p_abs, dtype=float)
    E = np.sqrt(p_abs * p_abs + np.asarray(m, dtype=float) ** 2)
    return np.asarray(distance, dtype=float) * E / (p_abs * C_LIGHT_CM_PER_NS)


def delay_behind_light(distance, p_abs, m) -> np.ndarray:
    """Delay (ns) of a particle of momentum |p| and mass m behind light over ``distance`` (cm):
    l (E/|p| - 1)/c = l m^2 / (|p| (E + |p|) c), the second form free of cancellation for
    ultra-relativistic particles."""
    p_abs = np.asarray(p_abs, dtype=float)
    m = np.asarray(m, dtype=float)
    E = np.sqrt(p_abs * p_abs + m * m)
    return np.asarray(distance, dtype=float) * m * m / (p_abs * (E + p_abs) * C_LIGHT_CM_PER_NS)
