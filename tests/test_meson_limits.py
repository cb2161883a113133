"""Meson-decay pipeline: generate --process meson-decay, darkbeam limit / recast, the coupling-axis solver."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import lambertw

from darkbeam.analysis.meson_limits import (LimitSpec, coupling_curve, edges, final_state_key, selection_weights,
                                            solve_edges)
from darkbeam.cli.main import main
from darkbeam.detectors.shapes import Box
from darkbeam.models.parameters import ModelParameters
from darkbeam.processes.meson_decay import simulate
from meson_doubles import experiment_with, k_mu_n, kaons_along_z

M4 = 0.3


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def exp():
    return experiment_with(Box((400.0, 400.0, 500.0)), baseline=11000.0, pot=1e20)


def _gen(exp, U, n=300, seed=3):
    params = ModelParameters(m4=M4, Umu4=U, HNLtype="majorana")
    return simulate(params, exp, [k_mu_n(M4, br=1e-6 * (U / 1e-3) ** 2)], {"K+": kaons_along_z(30, 3.0)},
                    n=n, rng=np.random.default_rng(seed))


def test_coupling_axis_equals_regeneration(exp):
    """N(y) by reweighting one generation at |U| = 1e-3 equals the sum of w of generations at
    |U| = sqrt(y) 1e-3 (same seed, same kinematics; c tau ~ 1/|U|^2 and BR ~ |U|^2 in a one-flavour
    model), for a long and a short lifetime."""
    ref = _gen(exp, 1e-3)
    acc = np.ones(len(ref))
    for U in (3e-3, 0.3):
        y = (U / 1e-3) ** 2
        other = _gen(exp, U)
        assert coupling_curve(ref, acc, [y])[0] == pytest.approx(other.w.sum(), rel=1e-10, abs=0)


def test_limit_solver_closed_forms(exp):
    """One event: N(y) = a y (exp(-y l1/L) - exp(-y l2/L)).  Lower edge: N ~ a y^2 (l2 - l1)/L for
    y l2 << L (|U|^4 scaling); upper edge: a y exp(-y l1/L) = N_lim, the Lambert W_-1 closed form."""
    ev = _gen(exp, 1e-3).select(np.arange(1))
    a = float(ev.w[0] / ev["p_decay"][0])
    l1, l2, L = float(ev["l1"][0]), float(ev["l2"][0]), float(ev.decay_length()[0])
    assert L > 100 * l2  # long-lived at the reference
    y = np.logspace(-12, 8, 241)
    N = coupling_curve(ev, np.ones(1), y)
    # exact reweighting kernel against the explicit formula on the grid
    exact = a * y * np.exp(-y * l1 / L) * -np.expm1(-y * (l2 - l1) / L)  # no cancellation at small y
    np.testing.assert_allclose(N, exact, rtol=1e-9, atol=1e-300)
    n_lim = 1e-4 * a * (l2 - l1) / L   # reached at y ~ 1e-2, far in the long-lifetime regime
    f = lambda t: float(coupling_curve(ev, np.ones(1), [t])[0])  # noqa: E731
    lo, hi = edges(f, y, N, n_lim)
    assert lo == pytest.approx(math.sqrt(n_lim * L / (a * (l2 - l1))), rel=1e-3)
    # upper edge: neglecting the far end (exp(-y l2/L) << exp(-y l1/L)), the Lambert W_-1 closed form
    hi_w = float(-(L / l1) * lambertw(-n_lim * l1 / (a * L), -1).real)
    assert hi_w * math.exp(-hi_w * (l2 - l1) / L) < hi < hi_w
    # upper edge: the root of the explicit formula (brentq on it, independent of the grid and kernels)
    g = lambda t: math.log(a * t * math.exp(-t * l1 / L) * -math.expm1(-t * (l2 - l1) / L) / n_lim)  # noqa: E731
    assert hi == pytest.approx(brentq(g, 10 * lo, 2 * hi_w), rel=1e-7)

    # below the peak everywhere: no limit
    assert math.isnan(solve_edges(y, N, 10 * N.max())[0])


def test_selection_final_states_and_cuts(exp):
    ev = _gen(exp, 1e-3, n=200)
    spec = LimitSpec(key="t", particle="hnl", beam="bnb", parent_mode="in-flight", parents=("K+",), exposures=[],
                     final_states=(final_state_key(["mu-", "pi+"]),), cuts={}, cl=0.9, observed=0, background=0.0)
    acc = selection_weights(ev, spec)
    names = [c.name for c in ev.channels]
    want = np.array([n.endswith("mu- pi+") for n in names])[np.asarray(ev["channel"])]
    np.testing.assert_array_equal(acc > 0, want)
    assert final_state_key([12, -11, 11]) == final_state_key(["nu", "e+", "e-"])
    # a delay cut: acceptance min(1, delay/T), production uniform in a spill of length T
    spec.cuts = {"min_delay_ns": 1600.0}
    np.testing.assert_allclose(selection_weights(ev, spec), want * np.clip(ev.delay() / 1600.0, 0, 1), rtol=1e-12, atol=0)
    spec.cuts = {"min_opening_angle_deg": 179.9}
    assert selection_weights(ev, spec).sum() == 0.0


def test_generate_meson_decay_ps191_json(capsys, tmp_path):
    code, out, err = run(capsys, "generate", "--process", "meson-decay", "--experiment", "ps191", "--set", "m4=0.3",
                         "--set", "Umu4=1e-3", "-n", "200", "--json", "-o", str(tmp_path / "ev"))
    assert code == 0, err
    d = json.loads(out)
    assert d["process"] == "meson-decay" and d["experiment"] == "ps191" and d["beam"] == "cern_ps"
    dv = d["decay_in_volume"]
    assert dv["total"] > 0 and dv["visible"] + dv["invisible"] == pytest.approx(dv["total"], rel=1e-12)
    # the default model's kinetically mixed Z' (1.25 GeV, prompt) adds the bremsstrahlung source ('p')
    assert {c["parent"] for c in d["channels"]} == {"K+", "K-", "p"}
    assert sum(c["decays_in_volume"] for c in d["channels"]) == pytest.approx(dv["total"], rel=1e-9)
    assert (tmp_path / "ev.parquet").is_file()
    from darkbeam import read

    ev = read(tmp_path / "ev.parquet")
    assert ev.w.sum() == pytest.approx(dv["total"], rel=1e-9)


def test_generate_meson_decay_kdar_at_rest(capsys):
    code, out, err = run(capsys, "generate", "--process", "meson-decay", "-e", "microboone_tpc", "--beam", "numi",
                         "--mode", "at-rest", "--set", "m4=0.2", "-n", "200", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["parent_mode"] == "at-rest" and d["beam"] == "numi"
    assert {c["parent"] for c in d["channels"]} == {"K+"}  # K+ -> mu+ N4 and K+ -> pi0 mu+ N4
    assert d["decay_in_volume"]["total"] > 0


def test_recast_json_shape(capsys):
    code, out, err = run(capsys, "recast", "microboone_kdar_scalar", "--to", "hnl", "--masses", "0.12", "0.2",
                         "-n", "200", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert list(d)[:5] == ["search", "parameter", "masses_GeV", "limit", "expected"]
    assert d["parameter"] == "|U_mu4|^2" and d["masses_GeV"] == [0.12, 0.2]
    assert d["search"] == "microboone_kdar_scalar" and d["recast_to"] == "hnl"
    assert all(x is not None and 0 < x < 1 for x in d["limit"] + d["expected"])
    # 1 observed over 1.9 expected background: the observed limit is below the median expected one
    assert all(a < b for a, b in zip(d["limit"], d["expected"]))


@pytest.mark.parametrize("argv, needle", [
    # --no-bremsstrahlung: the default model's kinetically mixed Z' would otherwise add the bremsstrahlung source
    (("generate", "--process", "meson-decay", "-e", "ps191", "--set", "m4=0.6", "--no-bremsstrahlung"),
     "no parents for the open channels"),
    (("generate", "--process", "meson-decay", "-e", "ps191", "--beam", "numi"), "no placement in the frame"),
    (("generate", "--process", "meson-decay", "-e", "ps191", "--workers", "2"), "--workers is an option of the upscattering"),
    (("generate", "--mode", "at-rest"), "--mode is an option of --process meson-decay"),
    (("generate", "--process", "decay"), "--process: unknown value"),
    (("generate", "--process", "meson-decay", "-e", "ps191", "--set", "m4=0.5", "--set", "Umu4=0", "--set", "UD4=0",
      "--no-bremsstrahlung"), "no production channel is open"),
    (("limit", "ps191_hnl", "--masses", "0.2", "--flavour", "tau"), "not tau"),
    (("limit", "t2k_nd280_hnl", "--masses", "0.45", "--flavour", "mu"), "no production channel"),
    (("limit", "ps191_hnl", "--masses", "x"), "not a number"),
    (("limit", "ps191_hnl", "--masses", "0.2", "--set", "Ue4=1e-3"), "as the only coupling"),
    (("limit", "ps191_hnl", "--masses", "0.2", "--plot", "a.txt"), "--plot"),
    (("recast", "ps191_hnl", "--to", "hnl", "--masses", "0.2"), "no recast"),
])
def test_bad_input_one_line(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert needle in err
    assert err.count("\n") == 1 and err.startswith("darkbeam: error:")


def test_coupling_axis_three_tpc_segments():
    """ND280's three gas TPCs (three path segments per event): N(y) equals the sum of w of the events
    reweighted by EventSet.reweight (the decay library at each coupling), also where the survival to
    the first TPC matters (y = 1e5: c tau ~ 0.4 m)."""
    params = ModelParameters(m4=M4, Umu4=1e-3, HNLtype="majorana")
    ev = simulate(params, "nd280_fhc", [k_mu_n(M4)], {"K+": kaons_along_z(20, 2.0, beam="jparc")}, n=300,
                  rng=np.random.default_rng(5))
    assert ev.path_bounds().shape[1] == 6
    for y in (1e-3, 1e5):
        other = ev.reweight({"Umu4": 1e-3 * math.sqrt(y)}, positions=False)
        assert coupling_curve(ev, np.ones(len(ev)), [y])[0] == pytest.approx(other.w.sum(), rel=1e-10, abs=0)


def test_limit_same_for_any_number_of_workers(capsys):
    """Random numbers per (seed, mass, exposure): two worker processes give the same limits as one."""
    argv = ("recast", "microboone_kdar_scalar", "--to", "hnl", "--masses", "0.1", "0.15", "0.19", "-n", "100", "--json")
    one = json.loads(run(capsys, *argv)[1])
    two = json.loads(run(capsys, *argv, "--workers", "2")[1])
    assert one["limit"] == two["limit"] and one["expected"] == two["expected"]


def test_generate_meson_decay_from_a_parent_table(capsys, tmp_path):
    """--parents-file: a user's parent table replaces the beam model; the rate is that of the table's
    kaons (1e-3 per POT) through the same simulate as the API (darkbeam.simulate_meson_decays) with the
    same parents."""
    from darkbeam.sources.parents import read_parent_table, write_parent_table

    path = tmp_path / "kaons.csv"
    write_parent_table({"K+": kaons_along_z(50, 3.0, beam="bnb")}, path)
    code, out, err = run(capsys, "generate", "--process", "meson-decay", "-e", "sbnd", "--parents-file", str(path),
                         "--set", "m4=0.3", "--set", "Umu4=1e-3", "-n", "200", "--seed", "4", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert [c["channel"] for c in d["channels"]] == ["K+ -> mu+ N4"]  # K+ -> pi0 mu+ N4 is closed at 0.3 GeV
    assert any("not in kaons.csv" in x for x in d["parent_notes"])
    import darkbeam

    api = darkbeam.simulate_meson_decays({"m4": 0.3, "Umu4": 1e-3}, "sbnd", n=200, seed=4,
                                         parents=read_parent_table(path))
    assert d["decay_in_volume"]["total"] == pytest.approx(api.summary["decay_in_volume"]["total"], rel=1e-12, abs=0)


@pytest.mark.parametrize("flavour", ["mu", "e"])
def test_ps191_limit_near_the_original_published_curve(capsys, flavour):
    """PS191 (PLB 203, 332 (1988), Heavy-Neutrino-Limits digitization): with no selection efficiency
    darkbeam's zero-background limit lies within a factor 3 of the original curve over 0.2-0.3 GeV in
    |U|^2 (docs/meson_decay_limits.md explains the residual differences; arXiv:2109.03831 found the
    original several times too strong)."""
    from darkbeam.analysis.searches import published_curve

    code, out, err = run(capsys, "limit", "ps191_hnl", "--flavour", flavour, "--masses", "0.2", "0.3",
                         "-n", "1000", "--json")
    assert code == 0, err
    d = json.loads(out)
    pub = published_curve("ps191_hnl", d["parameter"]).at(d["masses_GeV"])
    ratio = np.array(d["limit"]) / pub
    assert np.all((ratio > 1 / 3) & (ratio < 3)), ratio
