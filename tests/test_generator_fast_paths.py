"""Fast paths of the generator give exactly the numbers of the general code they replace."""

import numpy as np

from darkbeam.detectors.production import _uniform_bin
from darkbeam.processes.upscatter_decay import _count_le


def test_uniform_bin_equals_searchsorted():
    rng = np.random.default_rng(7)
    # edges as production tables build them (centres +- half a width: equal widths to rounding)
    centres = 0.0214 + 0.0429 * np.arange(99)
    edges = np.concatenate([[centres[0] - 0.0429 / 2], centres + 0.0429 / 2])
    x = np.concatenate([rng.uniform(-0.5, 5.0, 200_000), edges, np.nextafter(edges, -np.inf),
                        np.nextafter(edges, np.inf), [-1e300, 1e300, 0.0]])
    ref = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    assert np.array_equal(_uniform_bin(edges, x), ref)


def test_count_le_equals_searchsorted():
    rng = np.random.default_rng(8)
    cum = np.cumsum(rng.random(7))
    cum /= cum[-1]
    u = np.concatenate([rng.random(100_000), cum, np.nextafter(cum, 0.0), [0.0]])
    assert np.array_equal(_count_le(cum, u), np.searchsorted(cum, u, side="right"))


def test_single_piece_bounds_equal_general_merge():
    """One piece per path (convex detector) takes a short path; it must give what the general merge
    gives for the same pieces plus an empty one."""
    from darkbeam.events.weights import path_bounds_from_segments

    rng = np.random.default_rng(9)
    n = 50_000
    l1 = np.abs(rng.normal(size=(n, 1))) * 10.0
    l2 = l1 + rng.normal(size=(n, 1)) * 5.0
    l1[::7] = l2[::7] = 0.0
    l1[::11] = np.inf
    l2[::13] = np.nan
    empty = np.zeros((n, 1))
    one = path_bounds_from_segments(l1, l2)
    two = path_bounds_from_segments(np.hstack([l1, empty]), np.hstack([l2, empty]))
    assert one.shape == (n, 2)
    assert np.array_equal(one, two)


def test_norm3_equals_linalg_norm():
    from darkbeam.mc.fourvec import norm3

    v = np.random.default_rng(10).normal(size=(100_000, 3)) * np.array([1.0, 1e-8, 1e8])
    assert np.array_equal(norm3(v), np.linalg.norm(v, axis=1))


def test_production_distance_bins_equal_flat_searchsorted():
    """The row-wise search of the production table gives searchsorted's bins over the flat CDF."""
    from darkbeam.detectors.production import BNBProductionTable, _count_le_in_rows

    rng = np.random.default_rng(11)
    w = rng.random((30, 99)) * (rng.random((30, 99)) < 0.6)  # many empty distance bins
    w[:, 0] = 0.0
    w[5] = 0.0  # an empty energy row (borrowed from the row below)
    table = np.zeros((31, 100))
    table[0, 1:] = 0.1 + 0.2 * np.arange(99)
    table[1:, 0] = 0.05 + 0.1 * np.arange(30)
    table[1:, 1:] = w
    t = BNBProductionTable.from_array(table)
    flat, nd = t._flat_cdf, t.weights.shape[1]
    assert t._flat_sorted
    ib = rng.integers(0, 30, 200_000)
    key = ib + np.concatenate([rng.random(199_000), np.zeros(500), np.nextafter(1.0, 0.0) * np.ones(500)])
    ref = np.clip(np.searchsorted(flat, key, side="right") - ib * nd, 0, nd - 1)
    assert np.array_equal(np.minimum(_count_le_in_rows(flat, nd, ib, key), nd - 1), ref)
    # and the sampler itself: same distances as the plain search with the same random numbers
    e = rng.uniform(0.0, 3.5, 50_000)
    a = t.sample_distance(e, np.random.default_rng(5))
    object.__setattr__(t, "_flat_sorted", False)
    b = t.sample_distance(e, np.random.default_rng(5))
    assert np.array_equal(a, b)
