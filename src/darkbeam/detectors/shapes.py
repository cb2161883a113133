"""Geometric shapes: volumes, uniform sampling, ray intersections, decay-in-volume probabilities.

Conventions (docs/experiments.md): lengths in cm; the beam travels along +z; each experiment puts
its detector centre at the origin.  Every shape provides

* ``volume`` (cm^3) and ``bounds()`` (axis-aligned bounding box);
* ``contains(points)`` for points of shape (n, 3);
* ``sample(n, rng)``: n points uniformly distributed inside, from the numpy Generator ``rng``;
* ``segments(origins, directions)``: for n rays, the entry and exit distances ``l1 <= l2`` (cm,
  along the unit direction) of every piece of the ray inside the shape, as arrays of shape (n, k)
  (k = 1 for convex shapes, the number of parts for a union).  Only the forward half-line counts:
  ``l1`` is clipped at 0 when the origin is inside; a piece that is missed (or lies behind the
  origin) has ``l1 = l2 = 0``.  Never NaN.
* ``intersect(origins, directions)``: the first entry and last exit (``l1``, ``l2``) and a ``hit``
  mask; for convex shapes this is the exact chord;
* ``path_length`` and ``decay_probability``: summed over the pieces.

Directions need not be normalised: they are normalised here, so distances are always in cm.

The probability that a particle with lab decay length L = beta gamma c tau, moving along the ray,
decays between l1 and l2 is exp(-l1/L) - exp(-l2/L) (exponential decay law); see
:func:`decay_probability` for the numerically stable form.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Callable, NamedTuple

import numpy as np

from darkbeam.detectors.decay import decay_probability, sample_decay_distance
from darkbeam.errors import ConfigurationError
from darkbeam.mc.fourvec import norm3

__all__ = ["Intersection", "Shape", "ConvexShape", "Box", "Sphere", "Cylinder", "Frustum", "SphericalCap",
           "HexagonalPrism"]

_INF = np.inf


class Intersection(NamedTuple):
    """Entry and exit distances (cm) along rays; ``hit`` is False where the ray misses."""

    l1: np.ndarray
    l2: np.ndarray
    hit: np.ndarray


# --------------------------------------------------------------------------- helpers
def _vec3(v, what: str) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    if a.shape != (3,) or not np.all(np.isfinite(a)):
        raise ConfigurationError(f"{what} must be three finite numbers, got {v!r}")
    return a


def _unit(v, what: str) -> np.ndarray:
    a = _vec3(v, what)
    n = float(np.linalg.norm(a))
    if n == 0.0:
        raise ConfigurationError(f"{what} must be a non-zero vector")
    return a / n


def _positive(x, what: str, allow_zero: bool = False) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{what} must be a number, got {x!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ConfigurationError(f"{what} must be {'non-negative' if allow_zero else 'positive'}, got {x!r}")
    return v


def _points(points) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 1:
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] != 3:
        raise ConfigurationError(f"points must have shape (n, 3), got {np.shape(points)}")
    return p


def _rays(origins, directions) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast origins and directions to (n, 3) and normalise the directions."""
    o = np.asarray(origins, dtype=np.float64)
    d = np.asarray(directions, dtype=np.float64)
    if o.shape[-1:] != (3,) or d.shape[-1:] != (3,) or o.ndim > 2 or d.ndim > 2:
        raise ConfigurationError(f"ray origins and directions must have shape (n, 3), got {o.shape} and {d.shape}")
    o, d = np.broadcast_arrays(np.atleast_2d(o), np.atleast_2d(d))
    norm = np.sqrt(np.einsum("ij,ij->i", d, d))
    if not np.all(np.isfinite(norm)) or np.any(norm == 0.0) or not np.all(np.isfinite(o)):
        raise ConfigurationError("ray origins must be finite and directions finite, non-zero vectors")
    return np.array(o), _divide_rows(d, norm)


def _divide_rows(v: np.ndarray, a: np.ndarray) -> np.ndarray:
    """v / a[:, None] for v (n, 3), one component at a time (the same numbers: numpy's (n, 3) by
    (n, 1) broadcast runs its inner loop over the 3 components, ~3x slower)."""
    out = np.empty(v.shape)
    for c in range(v.shape[1]):
        np.divide(v[:, c], a, out=out[:, c])
    return out


def _minus_point(v: np.ndarray, p: np.ndarray) -> np.ndarray:
    """v - p for points v (n, 3) and one point p (3,), one component at a time (the same numbers)."""
    out = np.empty(v.shape)
    for c in range(v.shape[1]):
        np.subtract(v[:, c], p[c], out=out[:, c])
    return out


def _frame(axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors e1, e2 such that (e1, e2, axis) is right-handed and orthonormal."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(axis[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(helper, axis)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(axis, e1)
    return e1, e2


def _slab(p: np.ndarray, v: np.ndarray, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """Interval of t with lo <= p + t v <= hi (empty when t0 > t1); handles v == 0 exactly."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (lo - p) / v
        b = (hi - p) / v
    t0 = np.minimum(a, b)
    t1 = np.maximum(a, b)
    par = v == 0.0
    if np.any(par):
        inside = (p >= lo) & (p <= hi)
        t0 = np.where(par, np.where(inside, -_INF, _INF), t0)
        t1 = np.where(par, np.where(inside, _INF, -_INF), t1)
    return t0, t1


def _quadratic_roots(a: np.ndarray, b: np.ndarray, c: np.ndarray):
    """Roots r_lo <= r_hi of a t^2 + 2 b t + c = 0 (where disc = b^2 - a c >= 0), cancellation-free.

    Uses q = -(b + sign(b) sqrt(disc)), roots q/a and c/q (Numerical Recipes, sec. 5.6)."""
    disc = b * b - a * c
    sq = np.sqrt(np.maximum(disc, 0.0))
    q = -(b + np.copysign(sq, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = np.where(a != 0.0, q / np.where(a != 0.0, a, 1.0), _INF)
        r2 = np.where(q != 0.0, c / np.where(q != 0.0, q, 1.0), 0.0)
    r1 = np.where((q == 0.0) & (a != 0.0), 0.0, r1)
    return disc, np.minimum(r1, r2), np.maximum(r1, r2)


def _unit_quadratic_roots(b: np.ndarray, c: np.ndarray):
    """:func:`_quadratic_roots` with a = 1: the same numbers (1 x c = c and q / 1 = q exactly, so
    the a != 0 branches reduce to r1 = q, or 0 where q = 0) without the arrays of a."""
    disc = b * b - c
    sq = np.sqrt(np.maximum(disc, 0.0))
    q = -(b + np.copysign(sq, b))
    nz = q != 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(nz, c / np.where(nz, q, 1.0), 0.0)
    r1 = np.where(nz, q, 0.0)
    return disc, np.minimum(r1, r2), np.maximum(r1, r2)


def _ball_interval(w: np.ndarray, d: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """t-interval of the ray w + t d (|d| = 1) inside the ball |x| <= radius (w relative to centre)."""
    b = np.einsum("ij,ij->i", w, d)
    c = np.einsum("ij,ij->i", w, w) - radius * radius
    disc, lo, hi = _unit_quadratic_roots(b, c)
    miss = disc < 0.0
    return np.where(miss, _INF, lo), np.where(miss, -_INF, hi)


def _rejection_sample(n: int, rng: np.random.Generator, propose: Callable, accept: Callable,
                      efficiency: float, what: str) -> np.ndarray:
    """n points from ``propose(m, rng)`` that pass ``accept``; vectorized in rounds."""
    out = np.empty((n, 3))
    filled = 0
    rounds = 0
    while filled < n:
        m = int((n - filled) / max(efficiency, 1e-3) * 1.1) + 32
        pts = propose(m, rng)
        pts = pts[accept(pts)]
        take = min(len(pts), n - filled)
        out[filled:filled + take] = pts[:take]
        filled += take
        rounds += 1
        if rounds > 1000:  # pragma: no cover - only for absurd shapes
            raise ConfigurationError(f"cannot sample points inside {what}: acceptance too small")
    return out


# --------------------------------------------------------------------------- base class
class Shape(ABC):
    """A region of space (cm).  Subclasses implement the convex interval or the pieces."""

    name: str = ""

    @property
    @abstractmethod
    def volume(self) -> float:
        """Volume in cm^3."""

    @abstractmethod
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Axis-aligned bounding box (lo, hi), cm."""

    @abstractmethod
    def _contains(self, p: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...

    @abstractmethod
    def _segments(self, o: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unclipped pieces (t0, t1) of shape (n, k); empty pieces have t0 > t1."""

    # -- public API
    def contains(self, points) -> np.ndarray:
        """Boolean mask (n,) of points (n, 3) inside the shape (boundary counts as inside)."""
        return self._contains(_points(points))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n points (n, 3) uniformly distributed in the volume, drawn from ``rng``."""
        n = int(n)
        if n < 0:
            raise ConfigurationError("number of points must be non-negative")
        if n == 0:
            return np.empty((0, 3))
        return self._sample(n, rng)

    def segments(self, origins, directions) -> tuple[np.ndarray, np.ndarray]:
        """Entry/exit distances (n, k) of every piece of each forward ray inside the shape (cm)."""
        o, d = _rays(origins, directions)
        t0, t1 = self._segments(o, d)
        l1 = np.maximum(t0, 0.0)
        hit = t1 > l1
        return np.where(hit, l1, 0.0), np.where(hit, t1, 0.0)

    def intersect(self, origins, directions) -> Intersection:
        """First entry l1 and last exit l2 (cm) of each forward ray, and the hit mask."""
        l1, l2 = self.segments(origins, directions)
        hit = l2 > l1
        big = np.where(hit, l1, _INF)
        first = big.min(axis=1)
        last = np.where(hit, l2, 0.0).max(axis=1)
        any_hit = hit.any(axis=1)
        return Intersection(np.where(any_hit, first, 0.0), np.where(any_hit, last, 0.0), any_hit)

    def path_length(self, origins, directions) -> np.ndarray:
        """Length (cm) of each forward ray inside the shape (summed over pieces)."""
        l1, l2 = self.segments(origins, directions)
        return (l2 - l1).sum(axis=1)

    def decay_probability(self, origins, directions, decay_length) -> np.ndarray:
        """Probability that a particle leaving ``origins`` along ``directions`` with lab decay length
        ``decay_length`` (cm, scalar or (n,)) decays inside the shape: sum over the pieces of
        exp(-l1/L) - exp(-l2/L)."""
        l1, l2 = self.segments(origins, directions)
        L = np.asarray(decay_length, dtype=np.float64)
        if L.ndim == 1:
            L = L[:, None]
        return decay_probability(l1, l2, L).sum(axis=1)

    def sample_decay_points(self, origins, directions, decay_length, rng: np.random.Generator):
        """Decay positions inside the shape, conditional on decaying inside.

        Returns (points (n, 3), distance (n,), probability (n,)).  The piece is chosen with
        probability proportional to its decay probability, the distance inside it by inverse
        transform (:func:`sample_decay_distance`).  Rays with zero probability get the first entry
        point (or the origin) and probability 0, never NaN.
        """
        o, d = _rays(origins, directions)
        l1, l2 = self.segments(o, d)
        L = np.asarray(decay_length, dtype=np.float64)
        Lk = L[:, None] if L.ndim == 1 else L
        pk = decay_probability(l1, l2, Lk)
        ptot = pk.sum(axis=1)
        n, k = pk.shape
        u1 = rng.random(n)
        u2 = rng.random(n)
        if k == 1:
            j = np.zeros(n, dtype=np.int64)
        else:
            cum = np.cumsum(pk, axis=1)
            target = u1 * ptot
            j = np.minimum((cum <= target[:, None]).sum(axis=1), k - 1)
            # never pick an empty piece when the total is positive
            empty = pk[np.arange(n), j] <= 0
            if np.any(empty & (ptot > 0)):
                j = np.where(empty & (ptot > 0), np.argmax(pk, axis=1), j)
        rows = np.arange(n)
        a, b = l1[rows, j], l2[rows, j]
        Lj = np.broadcast_to(L, (n,)) if L.ndim <= 1 else L[rows, j]
        dist = sample_decay_distance(a, b, Lj, u2)
        dist = np.where(ptot > 0, dist, a)
        return o + dist[:, None] * d, dist, ptot

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"{type(self).__name__}(volume={self.volume:.6g} cm^3)"


class ConvexShape(Shape):
    """A convex shape: the ray meets it in one interval."""

    @abstractmethod
    def _interval(self, o: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def _segments(self, o, d):
        t0, t1 = self._interval(o, d)
        return t0[:, None], t1[:, None]


# --------------------------------------------------------------------------- shapes
class Box(ConvexShape):
    """Axis-aligned box with full side lengths ``size`` = (dx, dy, dz) cm around ``center``."""

    def __init__(self, size, center=(0.0, 0.0, 0.0), name: str = ""):
        s = _vec3(size, "box size")
        if np.any(s <= 0):
            raise ConfigurationError(f"box size must be positive, got {list(size)}")
        self.size = s
        self.center = _vec3(center, "box center")
        self.lo = self.center - s / 2
        self.hi = self.center + s / 2
        self.name = name

    @property
    def volume(self) -> float:
        return float(np.prod(self.size))

    def bounds(self):
        return self.lo.copy(), self.hi.copy()

    def _contains(self, p):
        return np.all((p >= self.lo) & (p <= self.hi), axis=1)

    def _sample(self, n, rng):
        u = rng.random((n, 3))  # lo + u size, one component at a time (the same numbers)
        for c in range(3):
            col = u[:, c]
            np.multiply(col, self.size[c], out=col)
            np.add(self.lo[c], col, out=col)
        return u

    def _interval(self, o, d):
        t0 = np.full(len(o), -_INF)
        t1 = np.full(len(o), _INF)
        for i in range(3):
            a, b = _slab(o[:, i], d[:, i], self.lo[i], self.hi[i])
            t0 = np.maximum(t0, a)
            t1 = np.minimum(t1, b)
        return t0, t1


class Sphere(ConvexShape):
    """Ball of ``radius`` cm around ``center``."""

    def __init__(self, radius, center=(0.0, 0.0, 0.0), name: str = ""):
        self.radius = _positive(radius, "sphere radius")
        self.center = _vec3(center, "sphere center")
        self.name = name

    @property
    def volume(self) -> float:
        return 4.0 / 3.0 * math.pi * self.radius**3

    def bounds(self):
        return self.center - self.radius, self.center + self.radius

    def _contains(self, p):
        w = p - self.center
        return np.einsum("ij,ij->i", w, w) <= self.radius**2

    def _sample(self, n, rng):
        v = rng.standard_normal((n, 3))
        nrm = norm3(v)  # = np.linalg.norm(v, axis=1), faster
        r = self.radius * np.cbrt(rng.random(n))
        # center + (v / |v|) r, one component at a time (numpy's (n, 3) x (n, 1) broadcasts run their
        # inner loop over the 3 components: twice the time for the same numbers)
        out = np.empty((n, 3))
        for c in range(3):
            col = out[:, c]
            np.divide(v[:, c], nrm, out=col)
            np.multiply(col, r, out=col)
            np.add(self.center[c], col, out=col)
        return out

    def _interval(self, o, d):
        return _ball_interval(_minus_point(o, self.center), d, self.radius)


class _Axial(ConvexShape):
    """Common code of shapes with a symmetry axis (cylinder, frustum, spherical cap)."""

    def _setup_axis(self, axis, center):
        self.axis = _unit(axis, f"{type(self).__name__} axis")
        self.center = _vec3(center, f"{type(self).__name__} center")
        self._e1, self._e2 = _frame(self.axis)

    def _local(self, o, d):
        """Axial and transverse components of the ray relative to the centre."""
        w = o - self.center
        wa = w @ self.axis
        da = d @ self.axis
        wp = w - wa[:, None] * self.axis
        dp = d - da[:, None] * self.axis
        return w, wa, da, wp, dp

    def _to_global(self, s, r, phi):
        """center + s axis + r cos(phi) e1 + r sin(phi) e2 (n, 3), summed left to right one component
        at a time (the same numbers as the (n, 3) broadcasts, about twice as fast)."""
        rc, rs = r * np.cos(phi), r * np.sin(phi)
        out = np.empty((len(s), 3))
        tmp = np.empty(len(s))
        for c in range(3):
            col = out[:, c]
            np.multiply(s, self.axis[c], out=tmp)
            np.add(self.center[c], tmp, out=col)
            np.add(col, np.multiply(rc, self._e1[c], out=tmp), out=col)
            np.add(col, np.multiply(rs, self._e2[c], out=tmp), out=col)
        return out

    def axial_profile(self):
        """(smin, smax, rho(s)) of the circular cross-section along the axis (for clipped volumes)."""
        raise NotImplementedError


class Cylinder(_Axial):
    """Solid cylinder of ``radius`` and ``length`` (cm) along ``axis`` (any direction), centred at
    ``center``."""

    def __init__(self, radius, length, axis=(0.0, 0.0, 1.0), center=(0.0, 0.0, 0.0), name: str = ""):
        self.radius = _positive(radius, "cylinder radius")
        self.length = _positive(length, "cylinder length")
        self._setup_axis(axis, center)
        self.name = name

    @property
    def volume(self) -> float:
        return math.pi * self.radius**2 * self.length

    def bounds(self):
        # half-extent of a disc of radius R with normal a along x_i is R sqrt(1 - a_i^2)
        ext = self.radius * np.sqrt(np.clip(1 - self.axis**2, 0, 1)) + 0.5 * self.length * np.abs(self.axis)
        return self.center - ext, self.center + ext

    def axial_profile(self):
        R = self.radius
        return -self.length / 2, self.length / 2, lambda s: np.full_like(np.asarray(s, float), R)

    def _contains(self, p):
        w = p - self.center
        s = w @ self.axis
        perp = w - s[:, None] * self.axis
        return (np.abs(s) <= self.length / 2) & (np.einsum("ij,ij->i", perp, perp) <= self.radius**2)

    def _sample(self, n, rng):
        s = (rng.random(n) - 0.5) * self.length
        r = self.radius * np.sqrt(rng.random(n))
        phi = 2 * math.pi * rng.random(n)
        return self._to_global(s, r, phi)

    def _interval(self, o, d):
        w, wa, da, wp, dp = self._local(o, d)
        a = np.einsum("ij,ij->i", dp, dp)
        b = np.einsum("ij,ij->i", wp, dp)
        c = np.einsum("ij,ij->i", wp, wp) - self.radius**2
        disc, lo, hi = _quadratic_roots(a, b, c)
        par = a == 0.0
        lo = np.where(par, np.where(c <= 0, -_INF, _INF), np.where(disc < 0, _INF, lo))
        hi = np.where(par, np.where(c <= 0, _INF, -_INF), np.where(disc < 0, -_INF, hi))
        s0, s1 = _slab(wa, da, -self.length / 2, self.length / 2)
        return np.maximum(lo, s0), np.minimum(hi, s1)


class Frustum(_Axial):
    """Truncated cone along ``axis``: radius ``radius_start`` at the upstream face (centre - axis
    length/2) and ``radius_end`` at the downstream face.  Used for DarkNews's dirt cones."""

    def __init__(self, radius_start, radius_end, length, axis=(0.0, 0.0, 1.0), center=(0.0, 0.0, 0.0),
                 name: str = ""):
        self.r1 = _positive(radius_start, "frustum radius_start", allow_zero=True)
        self.r2 = _positive(radius_end, "frustum radius_end", allow_zero=True)
        if self.r1 == 0 and self.r2 == 0:
            raise ConfigurationError("frustum needs a positive radius at one end at least")
        self.length = _positive(length, "frustum length")
        self._setup_axis(axis, center)
        self._k = (self.r2 - self.r1) / self.length
        self._rho0 = 0.5 * (self.r1 + self.r2)
        self.name = name

    @property
    def volume(self) -> float:
        return math.pi * self.length * (self.r1**2 + self.r1 * self.r2 + self.r2**2) / 3.0

    def bounds(self):
        rmax = max(self.r1, self.r2)
        ext = rmax * np.sqrt(np.clip(1 - self.axis**2, 0, 1)) + 0.5 * self.length * np.abs(self.axis)
        return self.center - ext, self.center + ext

    def radius_at(self, s):
        """Radius (cm) at axial coordinate s (cm, measured from the centre)."""
        return self._rho0 + self._k * np.asarray(s, dtype=np.float64)

    def axial_profile(self):
        return -self.length / 2, self.length / 2, self.radius_at

    def _contains(self, p):
        w = p - self.center
        s = w @ self.axis
        perp = w - s[:, None] * self.axis
        rho = self.radius_at(s)
        return (np.abs(s) <= self.length / 2) & (np.einsum("ij,ij->i", perp, perp) <= rho * rho)

    def _sample(self, n, rng):
        # density along the axis ~ rho(s)^2 with rho linear: invert CDF (rho^3 - r1^3)/(r2^3 - r1^3)
        u = rng.random(n)
        if abs(self.r2 - self.r1) <= 1e-12 * max(self.r1, self.r2):
            s = (u - 0.5) * self.length
        else:
            rho = np.cbrt(self.r1**3 + u * (self.r2**3 - self.r1**3))
            s = (rho - self._rho0) / self._k
        r = self.radius_at(s) * np.sqrt(rng.random(n))
        phi = 2 * math.pi * rng.random(n)
        return self._to_global(s, r, phi)

    def _interval(self, o, d):
        # |x_perp|^2 <= (rho0 + k s)^2 : quadratic A t^2 + 2 B t + C <= 0 (A of either sign)
        w, wa, da, wp, dp = self._local(o, d)
        k, rho0 = self._k, self._rho0
        g = rho0 + k * wa  # rho at the origin's axial coordinate
        A = np.einsum("ij,ij->i", dp, dp) - (k * da) ** 2
        B = np.einsum("ij,ij->i", wp, dp) - k * da * g
        C = np.einsum("ij,ij->i", wp, wp) - g * g
        s0, s1 = _slab(wa, da, -self.length / 2, self.length / 2)
        disc, r_lo, r_hi = _quadratic_roots(A, B, C)
        pos, neg, zero = A > 0, A < 0, A == 0
        # piece 1 and piece 2 of the double-cone interior along the ray
        lo1 = np.full(len(o), _INF)
        hi1 = np.full(len(o), -_INF)
        lo2 = np.full(len(o), _INF)
        hi2 = np.full(len(o), -_INF)
        ok = pos & (disc >= 0)
        lo1 = np.where(ok, r_lo, lo1)
        hi1 = np.where(ok, r_hi, hi1)
        allin = neg & (disc < 0)
        lo1 = np.where(allin, -_INF, lo1)
        hi1 = np.where(allin, _INF, hi1)
        two = neg & (disc >= 0)
        lo1 = np.where(two, -_INF, lo1)
        hi1 = np.where(two, r_lo, hi1)
        lo2 = np.where(two, r_hi, lo2)
        hi2 = np.where(two, _INF, hi2)
        if np.any(zero):  # 2 B t + C <= 0
            with np.errstate(divide="ignore", invalid="ignore"):
                t = -C / (2 * B)
            lo1 = np.where(zero, np.where(B > 0, -_INF, np.where(B < 0, t, np.where(C <= 0, -_INF, _INF))), lo1)
            hi1 = np.where(zero, np.where(B > 0, t, np.where(B < 0, _INF, np.where(C <= 0, _INF, -_INF))), hi1)
        # the other nappe lies outside the slab (radii >= 0 on the whole slab), so intersecting
        # with the slab leaves a single interval (the frustum is convex)
        a1, b1 = np.maximum(lo1, s0), np.minimum(hi1, s1)
        a2, b2 = np.maximum(lo2, s0), np.minimum(hi2, s1)
        e1 = b1 >= a1
        e2 = b2 >= a2
        lo = np.where(e1, a1, np.where(e2, a2, _INF))
        hi = np.where(e2, b2, np.where(e1, b1, -_INF))
        lo = np.where(e1 & e2, np.minimum(a1, a2), lo)
        hi = np.where(e1 & e2, np.maximum(b1, b2), hi)
        return lo, hi


class SphericalCap(_Axial):
    """The part of the ball (``radius``, centre ``center``) with (x - centre).axis >= radius - height:
    a cap of ``height`` h on the side of ``axis``.  Volume pi h^2 (3R - h)/3."""

    def __init__(self, radius, height, axis=(0.0, 0.0, 1.0), center=(0.0, 0.0, 0.0), name: str = ""):
        self.radius = _positive(radius, "spherical cap radius")
        self.height = _positive(height, "spherical cap height")
        if self.height > 2 * self.radius:
            raise ConfigurationError("spherical cap height must not exceed the sphere diameter")
        self._setup_axis(axis, center)
        self._plane = self.radius - self.height
        self.name = name

    @property
    def volume(self) -> float:
        h, R = self.height, self.radius
        return math.pi * h * h * (3 * R - h) / 3.0

    @property
    def base_radius(self) -> float:
        """Radius of the cap's flat face (cm)."""
        return math.sqrt(max(self.radius**2 - self._plane**2, 0.0))

    def _rmax(self) -> float:
        return self.radius if self._plane < 0 else self.base_radius

    def bounds(self):
        lo_s, hi_s = self._plane, self.radius
        mid = self.center + 0.5 * (lo_s + hi_s) * self.axis
        ext = self._rmax() * np.sqrt(np.clip(1 - self.axis**2, 0, 1)) + 0.5 * (hi_s - lo_s) * np.abs(self.axis)
        return mid - ext, mid + ext

    def axial_profile(self):
        R = self.radius
        return self._plane, R, lambda s: np.sqrt(np.clip(R * R - np.asarray(s, float) ** 2, 0.0, None))

    def _contains(self, p):
        w = p - self.center
        return (np.einsum("ij,ij->i", w, w) <= self.radius**2) & (w @ self.axis >= self._plane)

    def _sample(self, n, rng):
        rmax = self._rmax()
        lo_s, hi_s = self._plane, self.radius

        def propose(m, rng):
            s = lo_s + (hi_s - lo_s) * rng.random(m)
            r = rmax * np.sqrt(rng.random(m))
            phi = 2 * math.pi * rng.random(m)
            return self._to_global(s, r, phi)

        eff = self.volume / (math.pi * rmax**2 * (hi_s - lo_s))
        return _rejection_sample(n, rng, propose, self._contains, eff, "spherical cap")

    def _interval(self, o, d):
        w = o - self.center
        lo, hi = _ball_interval(w, d, self.radius)
        s0, s1 = _slab(w @ self.axis, d @ self.axis, self._plane, _INF)
        return np.maximum(lo, s0), np.minimum(hi, s1)


class HexagonalPrism(ConvexShape):
    """Regular hexagonal prism along z: ``apothem`` (centre-to-side distance) and ``length`` cm,
    rotated by ``rotation_deg`` about z (0: two sides parallel to the x axis).  Volume
    2 sqrt(3) a^2 L."""

    def __init__(self, apothem, length, center=(0.0, 0.0, 0.0), rotation_deg=0.0, name: str = ""):
        self.apothem = _positive(apothem, "hexagonal prism apothem")
        self.length = _positive(length, "hexagonal prism length")
        self.center = _vec3(center, "hexagonal prism center")
        self.rotation_deg = float(rotation_deg)
        ang = np.deg2rad(self.rotation_deg + 90.0 + np.array([0.0, 60.0, 120.0]))
        self._normals = np.stack([np.cos(ang), np.sin(ang), np.zeros(3)], axis=1)  # 3 slab normals
        self.name = name

    @property
    def volume(self) -> float:
        return 2.0 * math.sqrt(3.0) * self.apothem**2 * self.length

    def bounds(self):
        R = 2 * self.apothem / math.sqrt(3.0)  # circumradius
        ext = np.array([R, R, self.length / 2])
        return self.center - ext, self.center + ext

    def _contains(self, p):
        w = p - self.center
        proj = np.abs(w @ self._normals.T)
        return np.all(proj <= self.apothem, axis=1) & (np.abs(w[:, 2]) <= self.length / 2)

    def _sample(self, n, rng):
        lo, hi = self.bounds()
        return _rejection_sample(n, rng, lambda m, r: lo + r.random((m, 3)) * (hi - lo), self._contains,
                                 self.volume / float(np.prod(hi - lo)), "hexagonal prism")

    def _interval(self, o, d):
        w = o - self.center
        t0, t1 = _slab(w[:, 2], d[:, 2], -self.length / 2, self.length / 2)
        for nvec in self._normals:
            a, b = _slab(w @ nvec, d @ nvec, -self.apothem, self.apothem)
            t0 = np.maximum(t0, a)
            t1 = np.minimum(t1, b)
        return t0, t1
