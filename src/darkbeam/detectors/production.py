"""Where the neutrinos are produced: a point source, or the BNB decay pipe (DarkNews's table of the
production distance versus neutrino energy), with a flagged fallback when the table is missing."""

from __future__ import annotations

import functools
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np

from darkbeam.detectors.shapes import _frame, _positive, _unit, _vec3
from darkbeam.errors import DataError

#: production tables by (class, (path, mtime, size)); their arrays are only read
_LOADED: dict = {}

__all__ = ["PointSource", "BNBProductionTable", "DecayPipeSource", "bnb_production"]


class PointSource:
    """All neutrinos come from one point (cm): the fallback when no decay-pipe model is available."""

    is_fallback = False
    samples_rows = True  # sample(..., rows=True) gives (3, n)

    def __init__(self, position, note: str = ""):
        self.position = _vec3(position, "source position")
        self.note = note or "point source"

    def sample(self, energies, rng: np.random.Generator, *, rows: bool = False) -> np.ndarray:
        """Production points (n, 3) for neutrinos of the given energies (GeV): all at the source
        (``rows=True``: the transposed (3, n) array, each coordinate contiguous)."""
        n = len(np.atleast_1d(energies))
        if rows:
            return np.repeat(self.position[:, None], n, axis=1)
        return np.broadcast_to(self.position, (n, 3)).copy()


@dataclass(frozen=True)
class BNBProductionTable:
    """Distribution of the neutrino production distance along the BNB decay pipe versus E_nu.

    File layout (DarkNews include/fluxes/BNB_energy_distances.dat, read by DarkNews geom.py):
    row 0 = [0, distance bin centres in m], then one row per energy bin [E bin centre in GeV,
    weights per distance bin].  Bins are uniform (99 x 99 in the distributed file: 0-4.246 GeV,
    0-25.49 m from the target)."""

    energy_edges: np.ndarray  # GeV
    distance_edges: np.ndarray  # cm
    weights: np.ndarray  # (n_energy, n_distance), rows normalised; empty rows filled (see load)
    filled_rows: tuple[int, ...]  # energy bins without entries, borrowed from the nearest bin below

    @classmethod
    def from_array(cls, table: np.ndarray, what: str = "table") -> "BNBProductionTable":
        t = np.asarray(table, dtype=np.float64)
        if t.ndim != 2 or t.shape[0] < 3 or t.shape[1] < 3 or not np.all(np.isfinite(t)):
            raise DataError(f"{what}: expected a finite 2-D table with a header row and column")
        e_c, d_c, w = t[1:, 0], t[0, 1:], t[1:, 1:]
        if np.any(w < 0):
            raise DataError(f"{what}: negative weights")
        e_edges = _edges_from_centres(e_c, what + " energies")
        d_edges = _edges_from_centres(d_c, what + " distances") * 100.0  # m -> cm
        sums = w.sum(axis=1)
        nonzero = np.flatnonzero(sums > 0)
        if nonzero.size == 0:
            raise DataError(f"{what}: all weights are zero")
        filled = []
        rows = np.empty_like(w)
        for i in range(len(w)):
            if sums[i] > 0:
                rows[i] = w[i] / sums[i]
            else:  # nearest non-empty energy bin (below first, else above)
                below = nonzero[nonzero < i]
                j = below[-1] if below.size else nonzero[0]
                rows[i] = w[j] / sums[j]
                filled.append(i)
        return cls(e_edges, d_edges, rows, tuple(filled))

    @classmethod
    def load(cls, name: str = "BNB_energy_distances", *, download: bool | None = None) -> "BNBProductionTable":
        """Read the registered table through darkbeam.data.fetch (DataError if unavailable)."""
        from darkbeam.data import fetch

        path = fetch(name, kind="flux", download=download)
        try:
            st = os.stat(path)
            key = (str(path), st.st_mtime_ns, st.st_size)
            if (cls, key) in _LOADED:  # built once per process and file version (a scan asks per mass)
                return _LOADED[(cls, key)]
            table = np.loadtxt(path)
        except (ValueError, OSError) as exc:
            raise DataError(f"{path}: cannot read BNB production table ({type(exc).__name__})") from None
        out = _LOADED[(cls, key)] = cls.from_array(table, str(path))
        return out

    @functools.cached_property
    def _flat_cdf(self) -> np.ndarray:
        """Cumulative weights of every energy row, row r shifted into (r, r + 1] and flattened."""
        cdf = np.cumsum(self.weights, axis=1)
        cdf[:, -1] = 1.0
        return (cdf + np.arange(cdf.shape[0])[:, None]).ravel()

    @functools.cached_property
    def _padded_cdf(self) -> tuple[np.ndarray, int]:
        """``_flat_cdf`` with every row padded by +inf to a power-of-two width P > row width (for
        :func:`_count_le_in_padded_rows`): (flattened (rows x P) array, P)."""
        cdf = self._flat_cdf.reshape(self.weights.shape)
        width = 1 << int(cdf.shape[1]).bit_length()
        pad = np.full((cdf.shape[0], width), np.inf)
        pad[:, : cdf.shape[1]] = cdf
        return pad.ravel(), width

    @functools.cached_property
    def _flat_sorted(self) -> bool:
        return bool(np.all(np.diff(self._flat_cdf) >= 0.0))

    def sample_distance(self, energies, rng: np.random.Generator) -> np.ndarray:
        """Production distance from the target (cm) for each neutrino energy (GeV).

        Each neutrino's energy bin selects its own row (the fix of DarkNews's MicroBooNE sampler,
        which drew event i from the row of event e_bins[i]); the distance is uniform within the
        chosen bin (DarkNews uses the bin centre).  Energies above the table use the last bin."""
        e = np.atleast_1d(np.asarray(energies, dtype=np.float64))
        ib = _uniform_bin(self.energy_edges, e)
        flat = self._flat_cdf
        nd = self.weights.shape[1]
        u = rng.random(len(e))
        if self._flat_sorted:
            # searchsorted(flat, ib + u, "right") - ib nd, clipped to [0, nd - 1]: every entry of the
            # rows before ib is <= ib <= ib + u and every entry after row ib is >= ib + 1 >= ib + u,
            # so it is the count within row ib (capped at nd - 1), found by a search of that row alone
            pad, width = self._padded_cdf
            j = np.minimum(_count_le_in_padded_rows(pad, width, ib, ib + u), nd - 1)
        else:  # a row whose rounded cumulative sum decreases somewhere: the plain search
            j = np.clip(np.searchsorted(flat, ib + u, side="right") - ib * nd, 0, nd - 1)
        lo = self.distance_edges[j]
        hi = self.distance_edges[j + 1]
        return lo + rng.random(len(e)) * (hi - lo)


def _count_le_in_rows(flat: np.ndarray, width: int, rows: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The number of entries <= key[i] in row rows[i] of ``flat`` (rows of ``width`` sorted entries,
    flattened): a branch-free binary search of every row at once (log2(width) vectorised steps; one
    np.searchsorted over all rows with unsorted keys cost ~170 ns per key)."""
    base = rows * width - 1
    cnt = np.zeros(key.size, dtype=np.intp)
    step = 1 << (int(width).bit_length() - 1)
    while step:
        nxt = cnt + step
        ok = nxt <= width
        take = ok & (flat[base + np.where(ok, nxt, 0)] <= key)
        cnt += step * take
        step >>= 1
    return cnt


def _count_le_in_padded_rows(pad: np.ndarray, width: int, rows: np.ndarray, key: np.ndarray) -> np.ndarray:
    """:func:`_count_le_in_rows` on rows padded by +inf to a power-of-two ``width`` larger than the
    row's entries (the padding is never <= a finite key, so the counts are the same integers): every
    step of the binary search stays inside the row, so it needs no bounds check and runs in place."""
    pos = rows * width - 1  # the last entry known to be <= key (one before the row: none yet)
    base = pos.copy()
    step = width >> 1
    while step:
        np.add(pos, step * (pad[pos + step] <= key), out=pos)
        step >>= 1
    return np.subtract(pos, base, out=pos)


def _uniform_bin(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    """clip(searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2) for nearly uniform edges
    (bins of equal width to rounding): a guess from the width, then moved until it is that bin
    (the same integers as the binary search, ~10x faster for unsorted x; x must not be NaN)."""
    last = len(edges) - 2
    w = (edges[-1] - edges[0]) / (last + 1)
    with np.errstate(invalid="ignore", over="ignore"):
        g = np.clip(np.floor((x - edges[0]) / w), 0, last).astype(np.intp)
    while True:
        down = (g > 0) & (x < edges[g])
        up = (g < last) & (x >= edges[np.minimum(g + 1, last)])
        if not (down.any() or up.any()):
            return g
        g = g - down + up


def _edges_from_centres(c: np.ndarray, what: str) -> np.ndarray:
    w = np.diff(c)
    if len(c) < 2 or np.any(w <= 0) or not np.allclose(w, w[0], rtol=1e-6):
        raise DataError(f"{what}: bin centres must be uniform and increasing")
    return np.concatenate([[c[0] - w[0] / 2], c + w[0] / 2])


class DecayPipeSource:
    """Neutrino production along a decay pipe that starts at ``target`` and runs along ``axis``.

    The distance from the target follows :class:`BNBProductionTable` for each neutrino energy; the
    transverse position is uniform in a disc of ``radius`` (DarkNews geom.py uses 35 cm)."""

    is_fallback = False
    samples_rows = True  # sample(..., rows=True) gives (3, n)

    def __init__(self, target, table: BNBProductionTable, radius: float = 35.0, axis=(0.0, 0.0, 1.0)):
        self.target = _vec3(target, "target position")
        self.table = table
        self.radius = _positive(radius, "decay pipe radius", allow_zero=True)
        self.axis = _unit(axis, "decay pipe axis")
        self._e1, self._e2 = _frame(self.axis)
        self.note = (f"BNB decay pipe: production distance from the table vs E_nu, radius {self.radius:g} cm")

    @property
    def position(self) -> np.ndarray:
        return self.target

    def sample(self, energies, rng: np.random.Generator, *, rows: bool = False) -> np.ndarray:
        """Production points (n, 3), cm, for neutrinos of the given energies (GeV) (``rows=True``:
        the same numbers as a (3, n) array, each coordinate contiguous)."""
        z = self.table.sample_distance(energies, rng)
        r = self.radius * np.sqrt(rng.random(len(z)))
        phi = 2 * math.pi * rng.random(len(z))
        rc, rs = r * np.cos(phi), r * np.sin(phi)
        # target + z axis + rc e1 + rs e2, component by component (same sums in the same order)
        out = np.empty((3, len(z)))
        for c in range(3):
            out[c] = self.target[c] + z * self.axis[c] + rc * self._e1[c] + rs * self._e2[c]
        return out if rows else out.T.copy()


def bnb_production(target, radius: float = 35.0, *, name: str = "BNB_energy_distances",
                   download: bool | None = None, warn: bool = True):
    """The BNB decay-pipe production model, or a point source at the target if the table is missing.

    The fallback is flagged (``is_fallback = True``, ``note`` says why) and a RuntimeWarning is
    issued: with it, production-point-dependent quantities (flux direction, 1/r^2 over the pipe,
    arrival times) are those of a point source at the target."""
    try:
        table = BNBProductionTable.load(name, download=download)
    except DataError as exc:
        src = PointSource(target, note=f"point source at the target (BNB production table unavailable: {exc})")
        src.is_fallback = True
        if warn:
            warnings.warn(src.note, RuntimeWarning, stacklevel=2)
        return src
    return DecayPipeSource(target, table, radius)
