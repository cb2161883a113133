"""TableInterp (mc/table_interp.py) gives np.interp's numbers bit for bit (issue 10: the generator's
integrand interpolates the flux with it)."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.mc.table_interp import TableInterp


def _same(a, b) -> bool:
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("grid", ["uniform", "bin_centres", "random", "two_nodes", "clustered"])
def test_equals_np_interp(grid):
    rng = np.random.default_rng(7)
    if grid == "uniform":
        xp = np.linspace(0.05, 3.0, 200)
    elif grid == "bin_centres":  # a flux read from bin centres: 0, then 0.025, 0.075, ...
        xp = np.concatenate(([0.0], 0.025 + 0.05 * np.arange(200)))
    elif grid == "random":
        xp = np.sort(rng.uniform(-2.0, 5.0, 300))
    elif grid == "two_nodes":
        xp = np.array([0.3, 0.7])
    else:  # nodes bunched near one end: many nodes per index cell
        xp = np.concatenate((np.geomspace(1e-4, 1e-2, 120), np.linspace(0.02, 1.0, 10)))
    fp = rng.uniform(0.0, 2.0, xp.size) * np.exp(-xp)
    fp[xp.size // 3] = 0.0
    t = TableInterp(xp, fp, left=0.0, right=0.0)
    assert t.exact
    lo, hi = xp[0], xp[-1]
    x = np.concatenate([rng.uniform(lo, hi, 200_000), xp, np.nextafter(xp, np.inf), np.nextafter(xp, -np.inf),
                        rng.uniform(lo - 1.0, hi + 1.0, 1000), [np.nan, np.inf, -np.inf, lo, hi]])
    rng.shuffle(x)
    assert _same(t(x), np.interp(x, xp, fp, left=0.0, right=0.0))
    t2 = TableInterp(xp, fp, left=-1.5, right=2.5)
    assert _same(t2(x), np.interp(x, xp, fp, left=-1.5, right=2.5))


def test_tables_it_cannot_reproduce_go_to_np_interp():
    xp = np.array([0.0, 1.0, 1.0, 2.0])  # repeated node
    fp = np.array([0.0, 1.0, 3.0, 2.0])
    t = TableInterp(xp, fp)
    assert not t.exact
    x = np.linspace(-0.5, 2.5, 101)
    assert _same(t(x), np.interp(x, xp, fp, left=0.0, right=0.0))
    t = TableInterp([1.0], [2.0])
    assert not t.exact
    assert _same(t(x), np.interp(x, [1.0], [2.0], left=0.0, right=0.0))
