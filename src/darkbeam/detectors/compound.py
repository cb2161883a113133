"""Compound shapes: a convex shape cut by a plane (Clipped), unions of disjoint parts (Composite),
and shapes built from TOML tables (shape_from_spec)."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from darkbeam.detectors.shapes import (
    _INF, Box, ConvexShape, Cylinder, Frustum, HexagonalPrism, Shape, Sphere, SphericalCap, _Axial,
    _rejection_sample, _slab, _unit,
)
from darkbeam.errors import ConfigurationError

__all__ = ["Clipped", "Composite", "shape_from_spec"]


def _segment_area_kept(rho, p):
    """Area of the part of a disc of radius rho (centre at the origin) with x . n <= p, for a unit
    normal n in the disc's plane: pi rho^2 minus the circular segment beyond the chord at distance
    p, rho^2 acos(p/rho) - p sqrt(rho^2 - p^2)."""
    rho = np.asarray(rho, dtype=np.float64)
    full = math.pi * rho * rho
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.clip(p / np.where(rho > 0, rho, 1.0), -1.0, 1.0)
        removed = rho * rho * (np.arccos(x) - x * np.sqrt(1 - x * x))
    return np.where(rho <= 0, 0.0, full - removed)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)


def _adaptive_gauss(f, a: float, b: float, rtol: float = 1e-11, max_intervals: int = 4000) -> float:
    """int_a^b f(z) dz by adaptive bisection with a 16-point Gauss-Legendre rule on each interval
    (an interval is accepted when it agrees with the sum over its two halves to ``rtol`` of the
    running total).  ``f`` takes arrays.  Pure numpy: keeps scipy.integrate out of the start-up."""

    def rule(lo, hi):
        h = 0.5 * (hi - lo)
        return float(h * np.dot(_GL_W, f(lo + h * (_GL_X + 1.0))))

    stack = [(a, b, rule(a, b))]
    total = 0.0
    scale = abs(stack[0][2]) or 1.0
    n = 0
    while stack:
        lo, hi, whole = stack.pop()
        mid = 0.5 * (lo + hi)
        left, right = rule(lo, mid), rule(mid, hi)
        n += 1
        if abs(left + right - whole) <= rtol * scale or n > max_intervals or hi - lo < 1e-12 * (b - a):
            total += left + right
        else:
            stack.append((lo, mid, left))
            stack.append((mid, hi, right))
    return total


class Clipped(ConvexShape):
    """A convex shape cut by a plane: the points of ``shape`` with normal . x <= offset (cm).

    Example: MicroBooNE's cryostat is filled with liquid argon up to y = 0.7 r (DarkNews geom.py:
    85% of the height).  Volumes: exact (closed form or 1-D adaptive quadrature of the
    circular-segment area along the axis) for cylinders, frustums and spherical caps cut parallel to
    their axis, spheres cut by any plane and boxes cut along an axis; otherwise a 1024^2 grid of
    chords (relative accuracy ~1e-4)."""

    def __init__(self, shape: ConvexShape, normal, offset, name: str = ""):
        if not isinstance(shape, ConvexShape):
            raise ConfigurationError("only convex shapes can be clipped (clip each part of a union)")
        self.shape = shape
        self.normal = _unit(normal, "clip normal")
        self.offset = float(offset)
        self.name = name or shape.name
        self._volume = self._compute_volume()
        if self._volume <= 0:
            raise ConfigurationError("clipping plane removes the whole shape")

    def _compute_volume(self) -> float:
        s, n, off = self.shape, self.normal, self.offset
        if isinstance(s, Sphere):
            p = off - n @ s.center  # kept: distance along n <= p
            R = s.radius
            if p >= R:
                return s.volume
            if p <= -R:
                return 0.0
            h = R - p  # removed cap height
            return s.volume - math.pi * h * h * (3 * R - h) / 3
        if isinstance(s, Box) and np.count_nonzero(np.abs(n) > 1e-15) == 1:
            i = int(np.argmax(np.abs(n)))
            cut = off / n[i]
            lo, hi = s.lo[i], s.hi[i]
            keep = (min(max(cut, lo), hi) - lo) if n[i] > 0 else (hi - max(min(cut, hi), lo))
            return float(s.volume * keep / (hi - lo))
        if isinstance(s, _Axial) and abs(n @ s.axis) < 1e-12:
            smin, smax, rho = s.axial_profile()
            p = off - n @ s.center  # the plane's distance from the axis, constant along it
            if isinstance(s, Cylinder):
                return float(s.length * _segment_area_kept(s.radius, p))
            return _adaptive_gauss(lambda z: _segment_area_kept(rho(z), p), smin, smax, rtol=1e-11)
        return _volume_by_chords(self)

    @property
    def volume(self) -> float:
        return self._volume

    def bounds(self):
        return self.shape.bounds()

    def _contains(self, p):
        return self.shape._contains(p) & (p @ self.normal <= self.offset)

    def _sample(self, n, rng):
        eff = self.volume / self.shape.volume
        if eff < 1e-3:
            raise ConfigurationError("clipped shape too small a fraction of its parent to sample")
        return _rejection_sample(n, rng, self.shape._sample, lambda p: p @ self.normal <= self.offset, eff,
                                 "clipped shape")

    def _interval(self, o, d):
        t0, t1 = self.shape._interval(o, d)
        a, b = _slab(o @ self.normal, d @ self.normal, -_INF, self.offset)
        return np.maximum(t0, a), np.minimum(t1, b)


def _volume_by_chords(shape: Shape, n: int = 1024) -> float:
    """Volume as the integral of chord lengths of rays along +z over a midpoint grid (cm^3)."""
    lo, hi = shape.bounds()
    xs = lo[0] + (np.arange(n) + 0.5) * (hi[0] - lo[0]) / n
    ys = lo[1] + (np.arange(n) + 0.5) * (hi[1] - lo[1]) / n
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    o = np.stack([X.ravel(), Y.ravel(), np.full(X.size, lo[2] - 1.0)], axis=1)
    t0, t1 = shape._segments(o, np.broadcast_to([0.0, 0.0, 1.0], o.shape))
    chord = np.clip(t1 - t0, 0.0, None).sum(axis=1)
    return float(chord.sum() * (hi[0] - lo[0]) * (hi[1] - lo[1]) / n**2)


class Composite(Shape):
    """Union of non-overlapping parts (e.g. MicroBooNE's cryostat: a tube and two spherical caps).

    The parts must not overlap (check with :meth:`overlap_fraction`): the volume is the sum of the
    parts' volumes, sampling picks the part with probability proportional to its volume, and the
    decay probability sums over the pieces of the ray in each part."""

    def __init__(self, parts: Sequence[Shape], name: str = ""):
        parts = list(parts)
        if not parts:
            raise ConfigurationError("a union needs at least one part")
        self.parts = parts
        self.name = name

    @property
    def volume(self) -> float:
        return float(sum(p.volume for p in self.parts))

    def bounds(self):
        los, his = zip(*(p.bounds() for p in self.parts))
        return np.min(los, axis=0), np.max(his, axis=0)

    def _contains(self, p):
        out = np.zeros(len(p), dtype=bool)
        for part in self.parts:
            out |= part._contains(p)
        return out

    def _sample(self, n, rng):
        w = np.array([p.volume for p in self.parts])
        counts = rng.multinomial(n, w / w.sum())
        pts = np.concatenate([part._sample(int(c), rng) if c else np.empty((0, 3))
                              for part, c in zip(self.parts, counts)])
        return pts[rng.permutation(n)]

    def _segments(self, o, d):
        pieces = [part._segments(o, d) for part in self.parts]
        return np.concatenate([p[0] for p in pieces], axis=1), np.concatenate([p[1] for p in pieces], axis=1)

    def overlap_fraction(self, rng: np.random.Generator, n: int = 100_000) -> float:
        """Fraction of sampled points that lie in more than one part (0 for a valid union)."""
        pts = self._sample(n, rng)
        count = sum(part._contains(pts).astype(int) for part in self.parts)
        return float(np.mean(count > 1))


# --------------------------------------------------------------------------- TOML specs
def shape_from_spec(spec, where: str = "geometry") -> Shape:
    """Build a shape from a TOML table (docs/experiments.md, "geometry") or from an already validated
    :data:`darkbeam.detectors.schema.ShapeSpec`.

    ``shape`` is one of box, sphere, cylinder, frustum, spherical_cap, hexagonal_prism, union; an
    optional ``clip = {normal = [..], offset = ..}`` keeps normal . x <= offset (applied to every part
    of a union).  The table is validated by the schema (darkbeam.detectors.schema): unknown keys,
    missing or non-positive sizes and unknown shapes are one ConfigurationError naming ``where``."""
    from darkbeam.detectors import schema

    if not isinstance(spec, schema.SHAPE_SPECS):
        spec = schema.validate_shape(spec, where)
    return _build(spec, where)


def _build(spec, where: str, clip=None) -> Shape:
    clip = spec.clip if spec.clip is not None else clip
    name = spec.name
    if spec.shape == "union":
        return Composite([_build(p, f"{where}.parts[{i}]", clip) for i, p in enumerate(spec.parts)], name=name)
    try:
        if spec.shape == "box":
            shape = Box(spec.size, spec.center, name=name)
        elif spec.shape == "sphere":
            shape = Sphere(spec.radius, spec.center, name=name)
        elif spec.shape == "cylinder":
            shape = Cylinder(spec.radius, spec.length, spec.axis, spec.center, name=name)
        elif spec.shape == "frustum":
            shape = Frustum(spec.radius_start, spec.radius_end, spec.length, spec.axis, spec.center, name=name)
        elif spec.shape == "spherical_cap":
            shape = SphericalCap(spec.radius, spec.height, spec.axis, spec.center, name=name)
        else:
            shape = HexagonalPrism(spec.apothem, spec.length, spec.center, spec.rotation_deg, name=name)
        if clip is not None:
            shape = Clipped(shape, clip.normal, clip.offset, name=name)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None
    return shape
