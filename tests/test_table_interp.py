"""TableInterp (mc/table_interp.py) gives np.interp's numbers bit for bit; the generator's integrand
uses it for the flux and computes the Q^2 limits once (issue 10)."""

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


def test_integrand_equals_the_reference_formula():
    """CaseSetup.point (limits computed once, TableInterp flux) equals the formula written with the
    public calls: flux(E) x dsigma/dQ^2(E, Q^2) x Q^2 ln(Q2max/Q2min) x span x scale."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.models import load_model
    from darkbeam.processes.cases import enumerate_cases
    from darkbeam.processes.generator import RunContext, scheme_xsec_options
    from darkbeam.processes.upscatter_decay import GenerationOptions
    from darkbeam.sources.flux import Flux

    e = np.linspace(0.0, 5.0, 101)
    fl = Flux(e, {"nu_mu": np.exp(-e) * (1 + 0.3 * np.sin(7 * e)), "nu_mu_bar": 0.2 * np.exp(-e)})
    exp = load_experiment("miniboone_fhc")
    model = load_model(None, {})
    specs = enumerate_cases(model, exp, fl, regimes=("p-el",))  # needs no nuclear data files
    assert specs
    ctx = RunContext("t", model, "darkbeam", exp, fl, GenerationOptions(), scheme_xsec_options("darkbeam"), 1, specs)
    x = np.random.default_rng(3).random((5000, 2))
    for s in specs:
        setup = ctx.setup(s.index)
        E, Q2, f = setup.point(x)
        qmin, qmax = setup.xs.Q2_range(E)
        lr = np.log(qmax / qmin)
        ref = fl(E, setup.flavour) * setup.xs.dsigma_dQ2(E, Q2) * (Q2 * lr * setup.span * setup.scale)
        ref = np.where(np.isfinite(ref) & (ref > 0), ref, 0.0)
        assert np.array_equal(f, ref)
        assert np.count_nonzero(f) > 0.9 * f.size
