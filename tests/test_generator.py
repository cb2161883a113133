"""The event generator: rates against the cross-section module, decay positions, reproducibility,
weights, the command line."""

import json
import math

import numpy as np
import pytest
from scipy import stats

from darkbeam.cli.main import main
from darkbeam.detectors import load_experiment
from darkbeam.errors import ConfigurationError, KinematicsError
from darkbeam.models import ModelParameters, default_model
from darkbeam.physics.xsec import UpscatteringXsec
from darkbeam.processes.cases import experiment_flux
from darkbeam.processes.generator import generate
from darkbeam.processes.upscatter_decay import GenerationOptions

FAST = GenerationOptions(neval=1500, n_batches=2, nitn_adapt=4, neval_adapt=1500)


@pytest.fixture(scope="module")
def default_run():
    return generate(default_model(), "miniboone_fhc", seed=7, options=FAST, projectiles=["nu_mu"],
                    regimes=("coherent", "p-el"))


def test_upscattering_weights_equal_flux_folded_cross_section(default_run):
    """sum(w_rate) of each case = int dE phi(E) sigma(E) x N_targets x POT, with sigma(E) from the
    cross-section module (its own quadrature in Q^2) and a fine trapezoid rule in E."""
    from darkbeam.processes.reweight_xsec import process_case

    exp = load_experiment("miniboone_fhc")
    flux = experiment_flux(exp)
    ev = default_run.events
    w_up = np.asarray(ev["w_rate"])
    case_idx = np.asarray(ev["case"])
    n_t = exp.n_targets()
    for k, c in enumerate(default_run.summary.cases):
        res = c
        info = ev.cases[k]
        pc = process_case(info)
        proj, tgt = pc.projectile, pc.target
        xs = UpscatteringXsec(pc, default_model())
        lo = max(exp.energy_range[0], flux.energy_range[0], xs.threshold)
        E = np.linspace(lo, min(exp.energy_range[1], flux.energy_range[1]), 6001)
        ref = np.trapezoid(flux(E, proj) * xs.sigma(E), E) * n_t[tgt] * exp.pot
        got = w_up[case_idx == k].sum()
        assert got == pytest.approx(res["upscattered"], rel=1e-9)
        assert abs(got - ref) < 5 * res["upscattered_err"] + 2e-3 * ref, (info.name, got, ref)


def test_decay_positions_follow_the_exponential(default_run):
    ev = default_run.events
    l1, l2, ld, L = (np.asarray(ev[k]) for k in ("l1", "l2", "l_decay", "ctau"))
    pN = ev.p3("hnl")
    m = ev.mass("hnl")
    Llab = np.linalg.norm(pN, axis=1) / m * L
    ok = (l2 > l1) & (np.asarray(ev["p_decay"]) > 0)
    # truncated exponential CDF on [l1, l2]; the integral transform must be uniform
    u = -np.expm1(-(ld[ok] - l1[ok]) / Llab[ok]) / -np.expm1(-(l2[ok] - l1[ok]) / Llab[ok])
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # and the decay probability is exp(-l1/L) - exp(-l2/L) (written without cancellation: short paths)
    p = np.exp(-l1[ok] / Llab[ok]) * -np.expm1(-(l2[ok] - l1[ok]) / Llab[ok])
    assert np.allclose(np.asarray(ev["p_decay"])[ok], p, rtol=1e-6, atol=0)


@pytest.mark.requires_data("MicroBooNE_BNB_fullflux")
def test_short_lifetime_piles_decays_up_at_entry():
    """A short-lived HNL (c tau ~ cm): decays follow exp(-l/L) from the vertex (KS on the distance)."""
    p = ModelParameters.from_dict({"m4": 0.4, "mzprime": 0.2, "epsilon": 1e-3, "gD": 1.0, "Umu4": 1e-3, "UD4": 1.0})
    r = generate(p, "microboone", seed=3, options=FAST, projectiles=["nu_mu"], regimes=("coherent",),
                 helicities=("conserving",))
    ev = r.events
    l1, l2, ld = (np.asarray(ev[k]) for k in ("l1", "l2", "l_decay"))
    L = np.linalg.norm(ev.p3("hnl"), axis=1) / ev.mass("hnl") * np.asarray(ev["ctau"])
    assert np.median(L) < 50.0  # genuinely short-lived here
    ok = (l2 > l1) & (np.asarray(ev["p_decay"]) > 0)
    u = -np.expm1(-(ld[ok] - l1[ok]) / L[ok]) / -np.expm1(-(l2[ok] - l1[ok]) / L[ok])
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # a wrong decay length is detected
    u_bad = -np.expm1(-(ld[ok] - l1[ok]) / (2 * L[ok])) / -np.expm1(-(l2[ok] - l1[ok]) / (2 * L[ok]))
    assert stats.kstest(u_bad, "uniform").pvalue < 1e-3


def test_same_seed_same_events_for_any_number_of_workers():
    p = default_model()
    kw = dict(seed=11, options=GenerationOptions(neval=600, n_batches=2, nitn_adapt=3, neval_adapt=600),
              projectiles=["nu_mu"], regimes=("coherent", "p-el"))
    a = generate(p, "miniboone_fhc", workers=1, **kw).events
    b = generate(p, "miniboone_fhc", workers=2, **kw).events
    assert a.equals(b)
    c = generate(p, "miniboone_fhc", workers=1, **{**kw, "seed": 12}).events
    assert not np.array_equal(np.asarray(a["Q2"]), np.asarray(c["Q2"])[: len(a)])


def test_parallel_tasks_pickle_with_any_start_method(monkeypatch):
    """Workers started with 'spawn' (a fresh interpreter: every task travels pickled) give the same
    events as one process."""
    from darkbeam.processes import generator as gen

    p = default_model()
    kw = dict(seed=4, options=GenerationOptions(neval=300, n_batches=2, nitn_adapt=2, neval_adapt=300),
              projectiles=["nu_mu"], regimes=("coherent",))
    a = generate(p, "miniboone_fhc", workers=1, **kw).events
    monkeypatch.setattr(gen, "START_METHOD", "spawn")
    b = generate(p, "miniboone_fhc", workers=2, **kw).events
    assert a.equals(b)


def _random_model(trial):
    """Model parameters and experiment of one random trial (drawn in a fixed order from the trial's seed)."""
    rng = np.random.default_rng(100 + trial)
    m4 = float(rng.uniform(0.02, 0.45))
    d = {"m4": m4, "HNLtype": str(rng.choice(["dirac", "majorana"])), "Umu4": float(10 ** rng.uniform(-4, -2)),
         "Ue4": float(10 ** rng.uniform(-5, -3)), "UD4": float(rng.uniform(0.1, 1.0)),
         "mzprime": float(10 ** rng.uniform(-1.5, 0.5)), "epsilon": float(10 ** rng.uniform(-4, -2)),
         "gD": float(rng.uniform(0.1, 2.0)), "mu_tr_mu4": float(10 ** rng.uniform(-9, -6))}
    return d, str(rng.choice(["miniboone_fhc", "microboone", "sbnd"]))


_FLUX_FILE = {"miniboone_fhc": "MiniBooNE_FHC", "microboone": "MicroBooNE_BNB_fullflux", "sbnd": "sbnd_fhc"}


@pytest.mark.parametrize("trial", [pytest.param(t, marks=pytest.mark.requires_data(_FLUX_FILE[_random_model(t)[1]]))
                                   for t in range(4)])
def test_no_nan_or_negative_weight_over_random_models(trial):
    d, experiment = _random_model(trial)
    p = ModelParameters.from_dict(d)
    r = generate(p, experiment, seed=trial,
                 options=GenerationOptions(neval=400, n_batches=2, nitn_adapt=3, neval_adapt=400),
                 regimes=("coherent", "p-el"))
    ev = r.events
    for k in ("w_rate", "br", "p_decay"):
        x = np.asarray(ev[k])
        assert np.all(np.isfinite(x)) and np.all(x >= 0), (k, d)
    assert np.all(np.isfinite(ev.w)) and np.all(ev.w >= 0)
    kin = ev.check_kinematics()
    assert kin["primary"] < 1e-9 and kin["decay"] < 1e-9 and kin["Q2"] < 1e-9 and kin["path"] < 1e-6, kin
    s = r.summary
    assert s.upscattered > 0 and s.upscattered_err >= 0 and s.decay_in_detector >= 0


def test_closed_and_bad_requests():
    heavy = ModelParameters.from_dict({"m4": 20.0, "Umu4": 1e-3, "mzprime": 1.0, "epsilon": 1e-3, "gD": 1.0, "UD4": 1.0})
    with pytest.raises(KinematicsError):
        generate(heavy, "miniboone_fhc", options=FAST)
    with pytest.raises(ConfigurationError):
        generate(default_model(), "no_such_experiment", options=FAST)
    with pytest.raises(ConfigurationError):
        generate(default_model(), "miniboone_fhc", options=FAST, regimes=("bogus",))
    with pytest.raises(ConfigurationError):
        generate(default_model(), "miniboone_fhc", options=FAST, seed=-1)


def test_cli_generate_json_and_files(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["generate", "--json", "-n", "800", "--projectile", "nu_mu", "--regime", "coherent",
                 "-o", str(out), "-f", "parquet", "-f", "hepevt", "--seed", "5"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    d = json.loads(cap.out)
    for key in ("upscattered", "upscattered_err", "decay_in_detector", "decay_in_detector_err", "cases"):
        assert key in d
    assert d["upscattered"] > 0 and len(d["cases"]) == 2
    assert (tmp_path / "run.parquet").is_file() and (tmp_path / "run.hepevt").is_file()
    from darkbeam.events import read_parquet

    ev = read_parquet(tmp_path / "run.parquet")
    assert ev.meta["seed"] == 5 and ev.meta["experiment"] == "miniboone_fhc"
    assert np.asarray(ev["w_rate"]).sum() == pytest.approx(d["upscattered"], rel=1e-9)


def test_cli_generate_bad_input(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    for argv, needle in (
        (["generate", "--format", "root"], "--format: unknown value 'root'"),
        (["generate", "--experiment", "nowhere"], "nowhere"),
        (["generate", "-n", "5"], "at least 100"),
        (["generate", "-o", str(tmp_path / "afile" / "x")], "is not a folder"),  # missing folders are created
    ):
        code = main(argv)
        err = capsys.readouterr().err
        assert code != 0 and needle in err and err.count("\n") == 1


# ---------------------------------------------------------------- sharing events between cases
def test_share_events_is_neyman_allocation_with_a_floor():
    from darkbeam.processes.sharing import share_events

    # no floor: N_k proportional to sigma_k, and the variance sum sigma_k^2/N_k reaches its minimum
    # (sum sigma_k)^2 / N (Cauchy-Schwarz), below the equal allocation's
    sig = [4.0, 2.0, 1.0, 1.0]
    n = share_events(sig, 800.0, floor=0.0)
    np.testing.assert_allclose(n, [400.0, 200.0, 100.0, 100.0], rtol=1e-12, atol=0)
    var = sum(s * s / k for s, k in zip(sig, n))
    assert var == pytest.approx(sum(sig) ** 2 / 800.0, rel=1e-12, abs=0)
    assert var < sum(s * s / 200.0 for s in sig)
    # floor 0.2 of the equal share (100): the small cases are lifted to 20, the rest shared by sigma
    n = share_events([10.0, 10.0, 0.1, 0.1], 400.0, floor=0.2)
    np.testing.assert_allclose(n, [180.0, 180.0, 20.0, 20.0], rtol=1e-12, atol=0)
    assert share_events([1.0, 5.0], 100.0, allocation="equal") == [50.0, 50.0]
    assert share_events([0.0, 0.0], 100.0) == [50.0, 50.0]  # nothing known: equal
    with pytest.raises(ConfigurationError):
        share_events([1.0], 10.0, allocation="proportional")
    with pytest.raises(ConfigurationError):
        share_events([1.0], 10.0, floor=1.5)


def test_sharing_by_error_lowers_the_error_of_the_total():
    """Same number of events: sharing them by each case's error contribution gives a smaller error of
    the total than equal shares; the small helicity-flipping cases keep the floor of events."""
    from dataclasses import replace

    kw = dict(seed=3, projectiles=["nu_mu"], regimes=("coherent", "p-el"))
    by_err = generate(default_model(), "miniboone_fhc", options=FAST, **kw).summary
    equal = generate(default_model(), "miniboone_fhc", options=replace(FAST, allocation="equal"), **kw).summary
    assert abs(by_err.n_events - equal.n_events) < 0.02 * equal.n_events
    assert by_err.upscattered_err < 0.7 * equal.upscattered_err
    assert abs(by_err.upscattered - equal.upscattered) < 4 * math.hypot(by_err.upscattered_err, equal.upscattered_err)
    floor = FAST.case_floor * FAST.neval * FAST.n_batches
    for c in by_err.cases:
        assert c["n_events"] > 0.85 * floor, c


def test_generated_events_pass_the_eventset_validation(default_run):
    """The generator checks its columns while sampling instead of validating the finished EventSet:
    the full validation (indices, weights, probabilities, path order, finiteness) must pass."""
    assert default_run.events.validate() is default_run.events
