"""The generator's replacements of binary searches give exactly np.searchsorted's integers."""

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
