"""Sensitivity templates of the meson-decay catalog and the detector positions they rest on: ICARUS in
the NuMI frame (icarus_numi_hnl, icarus_numi_kdar_hnl), DUNE ND-GAr dark photons (dune_ndgar_dark_photon), the ND280 TPC
and FGD positions.  Each template loads and runs a tiny limit; the positions are compared with the
numbers of their sources."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.cli.main import main
from darkbeam.detectors.catalog import load_experiment
from darkbeam.detectors.placement import placement, placements


def _limit(capsys, *argv):
    code = main(["limit", *argv, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def _api_limit(search, mass, **kw):
    from darkbeam.analysis.meson_limits import search_limit

    return search_limit(search, [mass], **kw)


def test_icarus_in_the_numi_frame():
    """ICARUS 5.75 deg off the NuMI axis (arXiv:2411.02727); the detector z axis (the BNB direction) along
    the line between the surveyed centres of the cryostat's upstream and downstream faces, (8.718,
    79.043, 785.190) m and (0.921, 80.117, 803.601) m in NuMI coordinates (icaruscode GNuMIFlux.xml),
    and the detector origin at their midpoint; numi_me shares the numi frame."""
    p = placement("icarus", "numi")
    assert math.degrees(p.angle) == pytest.approx(5.75, abs=0.05)
    up, down = np.array([8.718, 79.043, 785.190]) * 100, np.array([0.921, 80.117, 803.601]) * 100
    d = (down - up) / np.linalg.norm(down - up)
    assert p.axes[2] @ d == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(p.points_to_detector([(up + down) / 2])[0], 0.0, atol=0.1)
    np.testing.assert_allclose(p.axes @ p.axes.T, np.eye(3), atol=1e-8)
    # the survey points lie on the detector z axis, 10 m either side of the origin (a 20 m cryostat)
    ends = p.points_to_detector(np.stack([up, down]))
    np.testing.assert_allclose(ends[:, :2], 0.0, atol=5.0)
    assert ends[0, 2] == pytest.approx(-1001.1, abs=1.0) and ends[1, 2] == pytest.approx(1001.1, abs=1.0)
    assert placements(load_experiment("icarus"))["numi_me"].center.tolist() == p.center.tolist()
    assert set(placements(load_experiment("sbnd"))) == {"bnb"}  # no NuMI placement: nothing shared


def test_icarus_active_volume():
    """The two cryostats' TPCs: 61.94 < |x| < 358.49, -181.86 < y < 134.96, |z| < 894.95 cm (SBN analysis
    code): 469 t of argon at 1.3954 g/cm^3, inside the detector envelope."""
    exp = load_experiment("icarus")
    vol = exp.decay_volume
    assert vol.volume == pytest.approx(2 * (358.49 - 61.94) * (134.96 + 181.86) * 2 * 894.95, rel=1e-12)
    assert vol.volume * 1.3954e-6 == pytest.approx(469.3, abs=0.1)
    pts = np.array([[200.0, 0.0, 0.0], [-200.0, -170.0, 890.0], [0.0, 0.0, 0.0], [200.0, 140.0, 0.0]])
    assert vol.contains(pts).tolist() == [True, True, False, False]
    assert exp.detector.contains(pts[:2]).all()


def test_icarus_numi_hnl_events_come_from_the_numi_decay_pipe():
    """HNLs of K+ -> mu+ N at ICARUS in the NuMI (ME) frame: production points, mapped back to the beam
    frame, lie in the beam model's decay region (r <= 99.06 cm, z <= 722.4 m), decay points in the
    active volume."""
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.processes.meson_run import meson_channels, run_meson_decay

    params = ModelParameters(m4=0.2, Umu4=1e-3)
    run = run_meson_decay(params, "icarus", beam="numi_me", n=100, seed=1, n_parents=2**10,
                          channels=meson_channels(params, parents=["K+"]))
    ev = run.events
    assert len(ev) > 0 and run.summary["beam"] == "numi_me"
    b = placement("icarus", "numi_me").points_to_beam(np.stack([ev["x"], ev["y"], ev["z"]], 1))
    assert np.hypot(b[:, 0], b[:, 1]).max() <= 99.06 and b[:, 2].max() <= 72240.0 and b[:, 2].min() > -200.0
    assert load_experiment("icarus").decay_volume.contains(ev.vertex("decay")[:, :3]).all()


def test_icarus_numi_hnl_limit():
    d = _api_limit("icarus_numi_hnl", 0.2, n=200, n_parents=2**11)
    assert d["parameter"] == "|U_mu4|^2" and d["exposures"] == [{"mode": "FHC", "experiment": "icarus", "pot": 2.41e20}]
    assert 1e-9 < d["limit"][0] < 1e-5


def test_icarus_kdar_hnls_from_the_numi_absorber():
    """K+ -> mu+ N at rest in the NuMI absorber (end of the decay pipe, z = 722.4 m) seen by ICARUS in the
    NuMI frame: monoenergetic N, E = (M_K^2 + m^2 - m_mu^2)/(2 M_K), made ~106 m away and flying into the
    detector (within its angular size from there, 10 m / 100 m)."""
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.physics.particles import mass_of
    from darkbeam.processes.meson_run import meson_channels, run_meson_decay

    m = 0.15
    params = ModelParameters(m4=m, Umu4=1e-3)
    chs = [c for c in meson_channels(params, parents=["K+"]) if c.name == "K+ -> mu+ N4"]
    ev = run_meson_decay(params, "icarus", beam="numi_me", mode="at-rest", n=100, seed=1, n_parents=2**10,
                         channels=chs).events
    mk, mmu = mass_of("K+"), mass_of("mu+")
    np.testing.assert_allclose(ev.energy("hnl"), (mk**2 + m**2 - mmu**2) / (2 * mk), rtol=1e-12, atol=0)
    prod = np.stack([ev["x"], ev["y"], ev["z"]], 1)
    b = placement("icarus", "numi_me").points_to_beam(prod)
    assert b[:, 2].min() >= 72240.0 and b[:, 2].max() < 72240.0 + 500.0
    dist = np.linalg.norm(prod, axis=1)
    assert dist.min() > 100e2 and dist.max() < 112e2
    n = ev.p3("hnl") / np.linalg.norm(ev.p3("hnl"), axis=1)[:, None]
    assert np.all(np.sum(n * (-prod / dist[:, None]), axis=1) > math.cos(math.atan(980.0 / 100e2)))


def test_icarus_numi_kdar_hnl_limit():
    d = _api_limit("icarus_numi_kdar_hnl", 0.15, n=200, n_parents=2**11)
    assert d["parameter"] == "|U_mu4|^2" and d["exposures"][0]["experiment"] == "icarus"
    assert 1e-8 < d["limit"][0] < 1e-3


def test_ndgar_dark_photon_limit(capsys):
    d = _limit(capsys, "dune_ndgar_dark_photon", "--masses", "0.05", "--events", "400")
    assert d["parameter"] == "epsilon" and d["exposures"][0]["experiment"] == "dune_ndgar_fhc"
    assert 1e-9 < d["limit"][0] < 1e-6 and d["cl"] == 0.9


def test_ndgar_dark_photon_edge_follows_the_volume():
    """Decays in flight far from the source: at long lifetimes N ~ eps^4 x (decay volume) / L^2, so the
    ND-GAr and ND-LAr edges differ by (V_LAr / V_GAr)^(1/4) (a 5.2 m x 5 m cylinder against a
    7 x 3 x 5 m box at the same 574 m: 1.011 in volume).  pi0 -> gamma A' only, same seed; MC error ~5%."""
    from dataclasses import replace

    from darkbeam.analysis.meson_limits import limit_curve, spec_from_search

    eps = {k: limit_curve(replace(spec_from_search(k), parents=("pi0",)), [0.05], n=400, n_parents=2**12)["limit"][0]
           for k in ("dune_ndgar_dark_photon", "dune_nd_dark_photon")}
    v_gar, v_lar = load_experiment("dune_ndgar_fhc").decay_volume.volume, load_experiment("dune_nd_fhc").decay_volume.volume
    assert v_gar / v_lar == pytest.approx(math.pi * 260.0**2 * 500.0 / (700.0 * 300.0 * 500.0), rel=1e-3)
    assert eps["dune_ndgar_dark_photon"] / eps["dune_nd_dark_photon"] == pytest.approx((v_lar / v_gar) ** 0.25, rel=0.1)


@pytest.mark.parametrize("key", ["nd280_fhc", "nd280_rhc"])
def test_nd280_tpc_and_fgd_positions(key):
    """The ND280 model of arXiv:2412.15051 (SIREN ND280-v1): TPCs centred at z = -37.5, 99.0, 235.5 cm,
    FGD1 and FGD2 at 30.75 and 167.25 cm, downstream ECal 300-350 cm, P0D upstream of -87.5 cm.  The
    target regions between the gas boxes are centred on the FGDs; target and gas fill the UA1 volume."""
    exp = load_experiment(key)
    tpcs = exp.geometry["decay_volume"].parts
    assert [p.center[2] for p in tpcs] == [-37.5, 99.0, 235.5]
    regions = {p.name: p for p in exp.geometry["target"].parts}
    assert regions["FGD1 region (TPC1-TPC2)"].center[2] == 30.75
    assert regions["FGD2 region (TPC2-TPC3)"].center[2] == 167.25
    p0d, ds = regions["P0D region (upstream of TPC1)"], regions["downstream ECal region (after TPC3)"]
    assert p0d.center[2] + p0d.size[2] / 2 > -87.5 and ds.center[2] - ds.size[2] / 2 < 300.0
    total = exp.geometry["target"].volume + exp.decay_volume.volume
    assert total == pytest.approx(exp.detector.volume, rel=1e-12)
