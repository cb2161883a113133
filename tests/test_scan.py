"""Parameter scans: configuration, per-unit seeds, identical results for any scheduling (1 vs 2 local
processes, Dask), resumption without recomputation, a Dask worker dying mid-scan, contours."""

import os
import sys
from functools import partial
from pathlib import Path

import cloudpickle
import numpy as np
import pytest

from darkbeam.errors import ConfigurationError
from darkbeam.scan.checkpoint import finished_units
from darkbeam.scan.config import config_from_dict, load_config
from darkbeam.scan.grid import UnitResult, build_units, unit_seed
from darkbeam.scan.runner import run_scan

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # Dask workers get the test's functions by value

TINY = {
    "scan": {"name": "tiny", "experiment": "miniboone_fhc", "seed": 3},
    "model": {"HNLtype": "dirac", "mzprime": 0.03, "alphaD": 0.25, "alpha_epsilon2": 2e-10, "UD4": 1.0},
    "generation": {"events": 400, "projectiles": ["nu_mu"], "regimes": ["coherent"], "helicities": ["conserving"],
                   "nitn_adapt": 2, "neval_adapt": 300},
    "x": {"param": "m4", "min": 0.08, "max": 0.4, "n": 3},
    "y": {"param": "Umu4", "power": 2, "min": 1e-10, "max": 1e-6, "n": 5},
    "signal": {"channels": ["e+ e-"]},
    "statistics": {"background": 400.0},
}


def _cfg(**changes):
    d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in TINY.items()}
    for k, v in changes.items():
        d[k] = {**d.get(k, {}), **v} if isinstance(v, dict) else v
    return config_from_dict(d)


# ---------------------------------------------------------------- a cheap, deterministic unit function
def fake_unit(task, calls=None, kill_marker=None):
    """Signal from the unit's seed and points only (deterministic); optionally counts its calls in a
    file, or kills its worker process the first time it sees unit 1."""
    if calls is not None:
        with open(calls, "a") as fh:
            fh.write(f"{task.index}\n")
    if kill_marker is not None and task.index == 1 and not os.path.exists(kill_marker):
        Path(kill_marker).touch()
        os._exit(1)  # the worker process dies mid-scan
    n = len(task.points)
    s = (task.seed % 997 + 1.0) * np.arange(1, n + 1, dtype=float)
    return UnitResult(task.index, np.asarray(task.point_ids), s, np.sqrt(s), 2 * s, 3 * s, np.full(n, 1.0))


class Interrupt(Exception):
    pass


def interrupted_unit(task, after):
    if task.index >= after:
        raise Interrupt()
    return fake_unit(task)


def _calls(path):
    return [int(v) for v in Path(path).read_text().split()] if Path(path).exists() else []


# ---------------------------------------------------------------- configuration
def test_configuration_errors_name_the_key(tmp_path):
    bad = [({"x": {"param": "m4", "min": 0.1, "max": 1.0, "n": 3, "colour": "red"}}, "[x].colour: unknown key"),
           ({"stats": {}}, "[stats]: unknown key"),
           ({"y": {"param": "Umu4", "min": 0.0, "max": 1.0, "n": 3}}, "log axis"),
           ({"y": {"param": "Umu4", "min": 1e-3, "max": 1e-4, "n": 3, "scale": "linear"}}, "larger than min"),
           ({"y": {"param": "Umu5", "min": 1e-3, "max": 1e-2, "n": 3}}, "N5 has no mass"),
           ({"y": {"param": "HNLtype"}}, "[y].param: 'HNLtype' is not a numeric"),
           ({"statistics": {"method": "binned", "background": [1.0, 2.0]}}, "needs [signal] variable and bins"),
           ({"statistics": {"method": "recast"}}, "limit_curve"),
           ({"statistics": {"background": [1.0, 2.0]}}, "one background number"),
           ({"statistics": {"method": "fancy"}}, "[statistics].method"),
           ({"generation": {"events": "many"}}, "[generation].events"),
           ({"model": {"mzprime": -1.0}}, "mzprime")]
    for change, text in bad:
        with pytest.raises(ConfigurationError) as exc:
            _cfg(**change)
        assert text in str(exc.value) and "\n" not in str(exc.value), (change, str(exc.value))
    p = tmp_path / "broken.toml"
    p.write_text("[scan]\nname = 'unterminated\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_config(p)


def test_units_seeds_and_generation_model():
    cfg = _cfg()
    units = build_units(cfg)
    assert len(units) == 3 and all(len(u.points) == 5 for u in units)
    assert [u.seed for u in units] == [unit_seed(3, k) for k in range(3)] and len({u.seed for u in units}) == 3
    assert units[1].point_ids == list(range(5, 10))
    ref = np.sqrt(np.exp(np.mean(np.log(np.geomspace(1e-10, 1e-6, 5)))))  # generated at the axis' geometric mean
    assert units[0].model["Umu4"] == pytest.approx(ref) and units[2].model["m4"] == pytest.approx(0.4)
    assert units[0].points[4] == {"Umu4": pytest.approx(1e-3)}
    both_couplings = _cfg(x={"param": "epsilon", "min": 1e-5, "max": 1e-3, "n": 4}, model={"m4": 0.1})
    assert len(build_units(both_couplings)) == 1 and len(build_units(both_couplings)[0].points) == 20
    both_masses = _cfg(y={"param": "mzprime", "min": 0.01, "max": 0.05, "n": 2, "power": 1}, model={"Umu4": 1e-3})
    assert len(build_units(both_masses)) == 6
    assert _cfg().fingerprint() == _cfg(scan={"name": "other"}).fingerprint()  # names do not change results
    assert _cfg().fingerprint() != _cfg(scan={"seed": 4}).fingerprint()


# ---------------------------------------------------------------- real units, any scheduling
@pytest.fixture(scope="module")
def serial_run(tmp_path_factory):
    return run_scan(_cfg(), tmp_path_factory.mktemp("serial"), workers=1)


def test_one_and_two_worker_processes_give_identical_results(serial_run, tmp_path):
    two = run_scan(_cfg(), tmp_path, executor="processes", workers=2)
    assert two.executor == "processes"
    assert np.array_equal(two.signal, serial_run.signal) and np.array_equal(two.ratio, serial_run.ratio)
    assert serial_run.signal.max() > 0


def test_contour_of_a_prompt_signal(serial_run):
    """N -> nu Z' -> nu e+ e- is prompt here (c tau < 0.2 cm) and every nu_mu-N coupling is proportional
    to U_mu4, so the signal is |U_mu4|^2 times a function of m4 (to the decay-in-volume probability,
    < 1e-3 off), the excluded signal is the CLs closed form for n = b, and the traced contour crosses
    each mass node where log r, linear in log y between grid nodes, reaches zero."""
    from darkbeam.analysis.statistics import poisson_cls_limit

    r = serial_run
    k = r.signal / r.y[None, :]
    assert np.allclose(k, k[:, -1:], rtol=2e-3)
    s_up = r.limit["signal_events_excluded"]
    assert s_up == pytest.approx(poisson_cls_limit(400, 400.0), rel=1e-6)
    seg = np.concatenate(r.lines)
    for i, xv in enumerate(r.x):
        hit = np.isclose(seg[:, 0], xv, rtol=1e-12, atol=0)
        assert hit.any()
        lr = np.log(r.ratio[i])
        j = int(np.flatnonzero(lr >= 0)[0])
        ly = np.interp(0.0, [lr[j - 1], lr[j]], np.log(r.y[[j - 1, j]]))
        assert seg[hit, 1][0] == pytest.approx(np.exp(ly), rel=1e-9, abs=0)
        assert seg[hit, 1][0] == pytest.approx(s_up / k[i, -1], rel=2e-3, abs=0)


def test_dask_local_cluster_with_two_workers(serial_run, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        res = run_scan(_cfg(), tmp_path, scheduler=cluster.scheduler_address, workers=2, plot=False)
    assert res.executor == "dask"
    assert np.array_equal(res.signal, serial_run.signal)


# ---------------------------------------------------------------- resumption and faults
def test_resume_recomputes_no_finished_unit(tmp_path):
    cfg = _cfg(x={"param": "m4", "min": 0.08, "max": 0.4, "n": 5})
    with pytest.raises(Interrupt):
        run_scan(cfg, tmp_path / "a", point_fn=partial(interrupted_unit, after=3), plot=False)
    assert sorted(finished_units(tmp_path / "a", cfg.fingerprint())) == [0, 1, 2]
    calls = tmp_path / "calls.txt"
    res = run_scan(cfg, tmp_path / "a", point_fn=partial(fake_unit, calls=str(calls)), plot=False)
    assert sorted(_calls(calls)) == [3, 4] and (res.computed, res.reused) == (2, 3)
    fresh = run_scan(cfg, tmp_path / "b", point_fn=fake_unit, plot=False)
    assert np.array_equal(res.signal, fresh.signal)
    calls.unlink()
    again = run_scan(cfg, tmp_path / "a", point_fn=partial(fake_unit, calls=str(calls)), plot=False)
    assert _calls(calls) == [] and again.computed == 0
    # another scan may not reuse the folder unless restarted
    other = _cfg(scan={"seed": 99}, x={"param": "m4", "min": 0.08, "max": 0.4, "n": 5})
    with pytest.raises(ConfigurationError, match="different scan"):
        run_scan(other, tmp_path / "a", point_fn=fake_unit, plot=False)
    assert run_scan(other, tmp_path / "a", point_fn=fake_unit, resume=False, plot=False).computed == 5


def test_dask_scan_survives_a_worker_dying(tmp_path):
    """Unit 1 kills its worker process the first time; the nanny restarts it, the scheduler reruns the
    unit and the scan completes with every point, equal to an undisturbed run."""
    cfg = _cfg(x={"param": "m4", "min": 0.08, "max": 0.4, "n": 4})
    marker = tmp_path / "killed"
    res = run_scan(cfg, tmp_path / "dask", executor="dask", workers=2, plot=False,
                   point_fn=partial(fake_unit, kill_marker=str(marker)))
    assert marker.exists()  # a worker did die
    ref = run_scan(cfg, tmp_path / "ref", point_fn=fake_unit, plot=False)
    assert np.array_equal(res.signal, ref.signal) and np.all(res.signal > 0)
    assert sorted(finished_units(tmp_path / "dask", cfg.fingerprint())) == [0, 1, 2, 3]
