"""The vectorized reweighting of a scan unit (processes/reweight_plane.py) gives the per-point
reweighting's numbers: grid values and limits of a small plane to 1e-10 relative."""

from functools import partial

import numpy as np
import pytest

import darkbeam.processes.reweight_plane as rp

from darkbeam.processes.reweight_plane import _parity_fit, _poly
from darkbeam.scan.config import config_from_dict
from darkbeam.scan.points import run_unit
from darkbeam.scan.runner import run_scan

SMALL = {
    "scan": {"name": "small", "experiment": "miniboone_fhc", "seed": 11},
    "model": {"HNLtype": "dirac", "mzprime": 0.03, "alphaD": 0.25, "alpha_epsilon2": 2e-10, "UD4": 1.0},
    "generation": {"events": 300, "projectiles": ["nu_mu", "nu_mu_bar"], "regimes": ["coherent", "p-el"],
                   "nitn_adapt": 2, "neval_adapt": 300},
    "x": {"param": "m4", "min": 0.06, "max": 0.5, "n": 3},
    "y": {"param": "Umu4", "power": 2, "min": 1e-12, "max": 1e-4, "n": 7},
    "signal": {"channels": ["e+ e-"], "efficiency": 0.3},
    "statistics": {"background": 400.0, "sigma_background": 0.1},
}


def test_parity_fit_recovers_a_quartic_to_rounding_at_small_argument():
    c = np.array([0.0, 3e-3, 2.0, -1e2, 5e3])
    h = 0.01
    f = _parity_fit(np.array([_poly(c, np.array(v)) for v in (0.0, h / 2, -h / 2, h, -h)]), h)
    u = np.array([1e-6, 1e-4, 3e-3, h])
    assert np.allclose(_poly(f, u), _poly(c, u), rtol=1e-12, atol=0.0)


@pytest.fixture(scope="module")
def planes(tmp_path_factory):
    cfg = config_from_dict(SMALL)
    d = tmp_path_factory.mktemp("vec")
    used = []
    orig = rp.decay_family

    def spy(*a, **k):
        out = orig(*a, **k)
        used.append(out is not None)
        return out

    rp.decay_family = spy
    try:
        fast = run_scan(cfg, d / "fast", executor="serial", plot=False)
    finally:
        rp.decay_family = orig
    assert used == [True, True, True]  # the width polynomials passed their check at every mass
    slow = run_scan(cfg, d / "slow", executor="serial", plot=False, point_fn=partial(run_unit, vectorized=False))
    return fast, slow


def test_vectorized_plane_equals_per_point_reweighting(planes):
    fast, slow = planes
    assert np.all(slow.signal > 0)  # a plane with signal everywhere: the comparison means something
    for a, b in ((fast.signal, slow.signal), (fast.signal_err, slow.signal_err), (fast.ratio, slow.ratio)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=0.0)
    assert fast.limit == slow.limit


def test_vectorized_grid_table_equals_per_point(planes, tmp_path):
    import pyarrow.parquet as pq

    fast, slow = planes
    tf = pq.read_table([f for f in fast.files if str(f).endswith("grid.parquet")][0]).to_pydict()
    ts = pq.read_table([f for f in slow.files if str(f).endswith("grid.parquet")][0]).to_pydict()
    for k in ("signal", "signal_err", "decay_in_detector", "upscattered", "ctau_cm", "ratio"):
        np.testing.assert_allclose(tf[k], ts[k], rtol=1e-10, atol=0.0, err_msg=k)
    assert tf["excluded"] == ts["excluded"]


def test_exact_decay_tables_when_the_polynomials_are_refused(planes, tmp_path, monkeypatch):
    """If the width polynomials fail their check, every point gets its exact tables: same numbers."""
    _, slow = planes
    monkeypatch.setattr(rp, "decay_family", lambda *a, **k: None)
    fast = run_scan(config_from_dict(SMALL), tmp_path / "exact", executor="serial", plot=False)
    np.testing.assert_allclose(fast.signal, slow.signal, rtol=1e-10, atol=0.0)
    np.testing.assert_allclose(fast.signal_err, slow.signal_err, rtol=1e-10, atol=0.0)


def test_decay_family_refuses_widths_that_are_not_quartic(monkeypatch):
    """The check against the exact tables catches a dependence the polynomial cannot follow."""
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.generator import generate
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.processes.upscatter_decay import GenerationOptions

    model = ModelParameters.from_dict({**SMALL["model"], "m4": 0.2, "Umu4": 1e-3})
    opts = GenerationOptions(neval=100, n_batches=1, nitn_adapt=1, neval_adapt=100)
    run = generate(model, "miniboone_fhc", seed=1, options=opts, workers=1, projectiles=["nu_mu"],
                   regimes=("coherent",), helicities=("conserving",))
    rw = Reweighter(run.events)
    names = list(rw.channel_names)
    vals = list(np.geomspace(1e-6, 1e-2, 6))
    br, ctau = rp.decay_family(rw, "Umu4", vals, names)
    for i, v in enumerate(vals):
        st = rw.decay_state(rw.resolve({"Umu4": v}))
        # probabilities: 1e-10 relative, or 1e-15 absolute for branching ratios near rounding
        assert np.allclose(br[i], [st.br.get(nm, 0.0) for nm in names], rtol=1e-10, atol=1e-15)
        assert ctau[i, 0] == pytest.approx(st.ctau[4], rel=1e-10)
    # widths seen through a non-polynomial distortion: the check refuses them
    real = rp._table_widths

    def distorted(params, particle):
        w, ct = real(params, particle)
        return {k: v * (1.0 + abs(params.Umu4) ** 0.5) for k, v in w.items()}, ct

    monkeypatch.setattr(rp, "_table_widths", distorted)
    assert rp.decay_family(rw, "Umu4", vals, names) is None


def test_vectorized_plane_in_a_kinetic_mixing_axis(tmp_path):
    """Another reweighted coupling (alpha epsilon^2, which cannot be negative at the polynomial's
    nodes): the vectorized unit still equals the per-point one."""
    d = {**SMALL, "x": {**SMALL["x"], "n": 2}, "model": {**SMALL["model"], "Umu4": 1e-4},
         "y": {"param": "alpha_epsilon2", "min": 1e-12, "max": 1e-8, "n": 4}}
    cfg = config_from_dict(d)
    fast = run_scan(cfg, tmp_path / "fast", executor="serial", plot=False)
    slow = run_scan(cfg, tmp_path / "slow", executor="serial", plot=False, point_fn=partial(run_unit, vectorized=False))
    assert np.all(slow.signal > 0)
    np.testing.assert_allclose(fast.signal, slow.signal, rtol=1e-10, atol=0.0)
    np.testing.assert_allclose(fast.signal_err, slow.signal_err, rtol=1e-10, atol=0.0)
