"""Weighted trident events (processes/trident_events.py, ``darkbeam generate --process trident``).

Main check: the event weights are an independent Monte Carlo estimate of the rate (vegas maps adapted
here with a tiny budget, the integrand evaluated at each event's own energy), so their sum must agree
with the quadrature of flux x tabulated sigma(E) x nuclei x POT (trident_xsec, built with its own vegas
runs) within the MC error.  Kinematics: exact four-momentum conservation, on-shell masses, and the
stored s_hat, Q^2 equal to the invariants of the lab four-momenta."""

import json

import numpy as np
import pytest

from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError
from darkbeam.processes.trident_events import simulate_trident

MUMU = "nu_mu -> nu_mu mu+ mu-"
EE = "nu_mu -> nu_mu e+ e-"


def _mass2(p):
    return p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1)


@pytest.fixture(scope="module")
def mumu():
    return simulate_trident("dune_nd_fhc", MUMU, n=3000, rng=np.random.default_rng(7), neval=2000, nitn=4, n_bins=3)


@pytest.mark.requires_data("DUNE_ND_FHC")
@pytest.mark.parametrize("channel, regime", [(MUMU, "coherent"), (EE, "diffractive")])
def test_weight_sum_equals_flux_times_tabulated_sigma(channel, regime):
    res = simulate_trident("dune_nd_fhc", channel, regime=regime, n=3000, rng=np.random.default_rng(3), neval=2000,
                           nitn=4, n_bins=3)
    (s,) = res["summary"]
    assert s["mc_events"] == pytest.approx(float(res["w"].sum()), rel=1e-12, abs=0)
    assert 0 < s["mc_err"] < 0.06 * s["mc_events"]
    # 4 sigma of the events' MC error plus 2% for the table's own vegas error and interpolation
    assert abs(s["mc_events"] - s["events"]) < 4.0 * s["mc_err"] + 0.02 * s["events"]
    assert np.all(res["w"] > 0) and np.all(np.isfinite(res["w"]))


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_kinematics_conserve_four_momentum_and_are_on_shell(mumu):
    M = mumu["targets"][0]["mass"]
    E = mumu["E"]
    pin = mumu["p_nu"] + np.array([M, 0.0, 0.0, 0.0])
    pout = mumu["p_nu_out"] + mumu["p_l1"] + mumu["p_l2"] + mumu["p_recoil"]
    np.testing.assert_allclose((pin - pout) / E[:, None], 0.0, rtol=0, atol=1e-9)
    mmu = 0.1056583755
    np.testing.assert_allclose(np.sqrt(_mass2(mumu["p_l1"])), mmu, rtol=1e-7, atol=0)
    np.testing.assert_allclose(np.sqrt(_mass2(mumu["p_l2"])), mmu, rtol=1e-7, atol=0)
    np.testing.assert_allclose(_mass2(mumu["p_nu_out"]) / E**2, 0.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.sqrt(_mass2(mumu["p_recoil"])), M, rtol=1e-7, atol=0)
    # stored invariants: s_hat = (k2 + p1 + p2)^2, Q^2 = -(p_recoil - P)^2
    X = mumu["p_nu_out"] + mumu["p_l1"] + mumu["p_l2"]
    np.testing.assert_allclose(_mass2(X), mumu["s_hat"], rtol=1e-6, atol=0)
    q = X - mumu["p_nu"]
    np.testing.assert_allclose(-_mass2(q) / E**2, mumu["Q2"] / E**2, rtol=0, atol=1e-9)
    assert np.all(mumu["s_hat"] >= (2 * mmu) ** 2 * (1 - 1e-12))
    # the neutrino beam is along +z: the lepton system keeps a positive longitudinal momentum
    assert np.all(X[:, 3] > 0)


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_same_seed_same_events():
    a = simulate_trident("dune_nd_fhc", MUMU, n=200, rng=np.random.default_rng(5), neval=500, nitn=2, n_bins=2)
    b = simulate_trident("dune_nd_fhc", MUMU, n=200, rng=np.random.default_rng(5), neval=500, nitn=2, n_bins=2)
    c = simulate_trident("dune_nd_fhc", MUMU, n=200, rng=np.random.default_rng(6), neval=500, nitn=2, n_bins=2)
    for k in ("w", "E", "p_l1", "p_recoil"):
        assert np.array_equal(a[k], b[k])
    assert not np.array_equal(a["E"], c["E"])


def test_bad_input_is_one_clear_error():
    with pytest.raises(ConfigurationError, match="unknown trident channel"):
        simulate_trident("dune_nd_fhc", "nu_mu -> nu_mu tau+ tau-", rng=np.random.default_rng(1))
    with pytest.raises(ConfigurationError, match="at least 2"):
        simulate_trident("dune_nd_fhc", MUMU, n=1, rng=np.random.default_rng(1))
    with pytest.raises(ConfigurationError, match="neval"):
        simulate_trident("dune_nd_fhc", MUMU, neval=0, rng=np.random.default_rng(1))


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_cli_json(capsys):
    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", "--channel", MUMU,
                         "-n", "100", "--seed", "3", "--json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert (d["process"], d["channel"], d["regime"], d["events"]) == ("trident", MUMU, "coherent", 100)
    (s,) = d["cases"]
    assert abs(s["mc_events"] - s["events"]) < 5.0 * s["mc_err"] + 0.02 * s["events"]


@pytest.mark.parametrize("argv, message", [
    ([], "needs --channel"),
    (["--channel", "nu_mu -> mu+ mu-"], "unknown trident channel"),
    (["--channel", MUMU, "--regime", "coherent", "--regime", "diffractive"], "one --regime"),
    (["--channel", MUMU, "--regime", "p-el"], "one --regime"),
    (["--channel", MUMU, "-n", "10"], "at least 100"),
    (["--channel", MUMU, "-o", "{tmp}/x.parquet"], "event files are not available yet"),
    (["--channel", MUMU, "--set", "gX=1"], "--set does not apply"),
])
def test_cli_bad_input(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, "generate", "--process", "trident", "--experiment", "dune_nd_fhc", *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert code != 0 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.parquet").exists()


def test_cli_channel_needs_trident(capsys):
    code, out, err = run(capsys, "generate", "--process", "nu-e", "--channel", MUMU)
    assert code != 0 and "--channel is an option of --process trident" in err


def test_map_sampling_at_one_energy_reproduces_sigma_and_its_t_spectrum():
    """The sampling entry points alone (physics/trident_integral.py): points x from an adapted vegas map,
    weighted by integrand x dx/dy at E = 10 GeV, average to the tabulated sigma(10 GeV), and their
    |t| = -(k1 - k2)^2 spectrum matches the binned pieces of an independent vegas integration."""
    from darkbeam.physics.trident import trident_pieces, trident_xsec
    from darkbeam.physics.trident_channels import channel
    from darkbeam.physics.trident_hadronic import HadronicTarget
    from darkbeam.physics.trident_integral import (T_EDGES_LOG10, EnergyArraySampler, PointSampler, adapted_map,
                                                   sample_map)
    from darkbeam.units import HBARC2_GEV2_CM2

    ch, tgt, E, n = channel(MUMU), HadronicTarget("Ar40", "coherent"), 10.0, 40000
    rng = np.random.default_rng(2)
    amap = adapted_map(PointSampler(E, ch.m1, ch.m2, False, tgt), 2000, 4, rng)
    x, jac = sample_map(amap, n, rng)
    pieces, s_hat, Q2, pt = EnergyArraySampler(np.full(n, E), ch.m1, ch.m2, False, tgt).evaluate_points(x)
    cv, ca = ch.sm_couplings()
    s = (cv * cv * pieces[0] + ca * ca * pieces[1] + 2 * cv * ca * pieces[2]) * jac * HBARC2_GEV2_CM2
    mean, err = s.mean(), s.std(ddof=1) / np.sqrt(n)
    ref = trident_xsec(E, channel=MUMU, target="Ar40")
    assert abs(mean - ref) < 4 * err + 0.02 * ref
    # |t| spectrum in four wide bins (decades of the table's log10 |t| edges) against trident_pieces
    h, _ = trident_pieces(E, channel_name=MUMU, target="Ar40", neval=4000, seed=9)
    hsm = cv * cv * h[0] + ca * ca * h[1] + 2 * cv * ca * h[2]
    wide = T_EDGES_LOG10[[0, 262, 275, 287, -1]]  # -12, -1.52, -1, -0.52, 4: edges of the table bins
    centres = 0.5 * (T_EDGES_LOG10[1:] + T_EDGES_LOG10[:-1])
    ref_frac = np.array([hsm[(centres > a) & (centres < b)].sum() for a, b in zip(wide[:-1], wide[1:])]) / hsm.sum()
    lt = np.log10(np.maximum(-np.asarray(pt["t"]), 1e-300))
    frac = np.array([s[(lt > a) & (lt < b)].sum() for a, b in zip(wide[:-1], wide[1:])]) / s.sum()
    assert ref_frac.min() > 0.03  # every wide bin holds a real share
    np.testing.assert_allclose(frac, ref_frac, rtol=0, atol=0.015)
