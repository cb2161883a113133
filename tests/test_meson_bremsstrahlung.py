"""Dark photons from proton bremsstrahlung through the meson-decay flight and decay
(darkbeam.processes.direct_llp): the azimuth-resampling estimate against brute-force ray counting, the
azimuthal extent against closed forms, exact epsilon^2 scaling and reweighting, the CLI table."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.detectors.shapes import Box
from darkbeam.errors import ConfigurationError
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics.decays import decay_table
from darkbeam.processes.direct_llp import CHANNEL_NAME, SAMPLE_KEY, azimuth_range, bremsstrahlung_channel
from darkbeam.processes.meson_decay import reweight, simulate
from darkbeam.sources.parents.sample import ParentSample
from meson_doubles import experiment_with

MZ = 0.3


def _params(eps):
    return ModelParameters.from_dict({"mzprime": MZ, "epsilon": eps, "zprime_charge": "dark"})


def _aprimes(n, rng, rate=1e-2, beam="bnb"):
    """A test double of the bremsstrahlung sample: A' of 3-8 GeV, polar angle uniform in [0, 40 mrad],
    azimuth uniform, made on the beam axis at depths 0-50 cm."""
    p = rng.uniform(3.0, 8.0, n)
    th = rng.uniform(0.0, 0.04, n)
    ph = rng.uniform(0.0, 2 * math.pi, n)
    p3 = p[:, None] * np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1)
    p4 = np.concatenate([np.sqrt((p3**2).sum(1) + MZ * MZ)[:, None], p3], axis=1)
    pos = np.stack([np.zeros(n), np.zeros(n), rng.uniform(0.0, 50.0, n)], axis=1)
    w = rng.uniform(0.5, 1.5, n)
    return ParentSample("zprime", p4, pos, np.zeros(n), w * rate / w.sum(), beam, "test: A' double")


def test_azimuth_range_closed_forms():
    # box x in [1, 2], y in [-1, 1]: azimuths [-pi/4, pi/4]
    c = np.array([[x, y, z] for x in (1.0, 2.0) for y in (-1.0, 1.0) for z in (0.0, 5.0)])
    lo, d = azimuth_range(c)
    assert lo == pytest.approx(-math.pi / 4, rel=0, abs=1e-14) and d == pytest.approx(math.pi / 2, rel=1e-14, abs=0)
    # across the +-pi cut: x in [-2, -1], y in [-1, 1]: from 3 pi/4 over pi/2
    lo, d = azimuth_range(c * np.array([-1.0, 1.0, 1.0]))
    assert lo == pytest.approx(3 * math.pi / 4, rel=1e-14) and d == pytest.approx(math.pi / 2, rel=1e-14)
    # the axis through the box: the whole circle
    assert azimuth_range(c - np.array([1.5, 0.0, 0.0])) == (0.0, 2 * math.pi)


def test_azimuth_resampling_equals_brute_force_ray_counting():
    """Off-axis box (azimuthal extent < 2 pi): the resampled estimate of A' toward the volume and of
    decays in it equals the weighted count of the sample's own rays (each with 20 random azimuths)."""
    params = _params(1e-6)
    box = Box((60.0, 60.0, 300.0))
    exp = experiment_with(box, baseline=3000.0, angle=0.02, pot=1e20)
    rng = np.random.default_rng(3)
    ps = _aprimes(4000, rng)
    ch = bremsstrahlung_channel(params)
    es = simulate(params, exp, [ch], {SAMPLE_KEY: ps}, n=200_000, rng=np.random.default_rng(4))
    s = es.meta["summary"][0]
    assert s["case"] == CHANNEL_NAME and es.cases[0].projectile == 2212 and es.cases[0].recoil == 2212
    # momentum conservation at the emission vertex: beam proton = proton after + A' (3-momenta; the
    # event set keeps the proton on shell)
    np.testing.assert_allclose(es.p3("recoil") + es.p3("hnl"), es.p3("nu"), rtol=0, atol=1e-9)
    # brute force: the sample's momenta with k independent azimuths each, weight w/k, straight rays
    from darkbeam.detectors.placement import placement
    from darkbeam.events.weights import path_bounds_from_segments, path_decay_probability

    place = placement(exp, "bnb")
    k = 20
    p4 = np.repeat(ps.p4, k, axis=0)
    pt = np.hypot(p4[:, 1], p4[:, 2])
    ph = rng.uniform(0, 2 * math.pi, len(p4))
    p3 = place.vectors_to_detector(np.stack([pt * np.cos(ph), pt * np.sin(ph), p4[:, 3]], axis=1))
    x0 = place.points_to_detector(np.repeat(ps.position, k, axis=0))
    pabs = np.linalg.norm(p3, axis=1)
    a, b = box.segments(x0, p3 / pabs[:, None])
    hit = (b > a).any(axis=1)
    L = pabs / MZ * decay_table(params, "zprime").ctau_cm
    pdec = path_decay_probability(path_bounds_from_segments(a, b), L) * hit
    w = np.repeat(ps.weight, k) / k * exp.pot * ch.br
    scale = exp.pot * ch.br * ps.weight.sum()
    assert 0.01 < s["llps_toward_volume"] / scale < 0.2  # a real partial acceptance
    corners = np.array([[x, y, z] for x in (-30, 30) for y in (-30, 30) for z in (-150, 150)], dtype=float)
    delta = azimuth_range(place.points_to_beam(corners))[1]
    # detector axes parallel to the beam's, centre at x = 3000 sin(0.02): the near face's corners set the arc
    assert delta == pytest.approx(2 * math.atan(30.0 / (3000.0 * math.sin(0.02) - 30.0)), rel=1e-12, abs=0)
    for got, err, brute in ((s["llps_toward_volume"], s["llps_toward_volume_err"], w * hit),
                            (s["decays_in_volume"], s["decays_in_volume_err"], w * pdec)):
        # brute-force error from the per-entry sums (the k rays of one entry together)
        e_b = math.sqrt(len(ps) * brute.reshape(len(ps), k).sum(1).var(ddof=1))
        assert got == pytest.approx(brute.sum(), abs=4 * math.hypot(err, e_b), rel=0)
        assert err < 0.03 * got and e_b < 0.05 * got


def test_epsilon_scaling_and_reweight_exact():
    box = Box((200.0, 200.0, 500.0))
    exp = experiment_with(box, baseline=3000.0, angle=0.0, pot=1e20)
    ps = _aprimes(500, np.random.default_rng(5))
    e1, e2 = 1e-6, 3e-7
    ev1 = simulate(_params(e1), exp, [bremsstrahlung_channel(_params(e1))], {SAMPLE_KEY: ps}, n=2000,
                   rng=np.random.default_rng(6))
    ev2 = simulate(_params(e2), exp, [bremsstrahlung_channel(_params(e2))], {SAMPLE_KEY: ps}, n=2000,
                   rng=np.random.default_rng(6))
    np.testing.assert_allclose(ev2["w_rate"], ev1["w_rate"] * (e2 / e1) ** 2, rtol=1e-13, atol=0)
    # c tau ~ 1/eps^2 (same decay channels): the lab decay length scales exactly
    np.testing.assert_allclose(ev2["ctau"], ev1["ctau"] * (e1 / e2) ** 2, rtol=1e-12, atol=0)
    # reweighting: production eps^2 x p_decay over the stored segments with the new c tau (decay points
    # kept: positions=False), identical to the generation at e2 event by event
    rw = reweight(ev1, {"epsilon": e2}, positions=False)
    np.testing.assert_allclose(rw["p_decay"], ev2["p_decay"], rtol=1e-10, atol=0)
    np.testing.assert_allclose(rw.w, ev2.w, rtol=1e-10, atol=0)
    assert rw.meta["production"][0]["br"] == pytest.approx(e2**2, rel=1e-12, abs=0)


def test_bad_input_one_line():
    params = _params(1e-6)
    exp = experiment_with(Box((60.0, 60.0, 300.0)), baseline=3000.0, angle=0.02)
    ps = _aprimes(10, np.random.default_rng(1))
    off = ParentSample("zprime", ps.p4, ps.position + np.array([1.0, 0.0, 0.0]), ps.time, ps.weight, "bnb", "off axis")
    with pytest.raises(ConfigurationError, match="beam axis"):
        simulate(params, exp, [bremsstrahlung_channel(params)], {SAMPLE_KEY: off}, n=10, rng=np.random.default_rng(1))
    # no kinetic mixing: no channel
    assert bremsstrahlung_channel(ModelParameters.from_dict({"mzprime": MZ, "zprime_charge": "B-L", "gX": 1e-4})) is None


def test_cli_lists_the_bremsstrahlung_source(tmp_path, capsys):
    from darkbeam.cli.main import main

    def cli(*argv):
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    model = tmp_path / "dp.toml"
    model.write_text('name = "dp"\nmzprime = 0.3\nepsilon = 1e-7\nzprime_charge = "dark"\n')
    base = ("generate", "--process", "meson-decay", "-e", "nova_le_fhc", "--model", str(model), "--events", "300")
    code, out, err = cli(*base, "--json")
    assert code == 0, err
    got = json.loads(out)
    names = [c["channel"] for c in got["channels"]]
    assert CHANNEL_NAME in names
    brem = got["channels"][names.index(CHANNEL_NAME)]
    assert brem["decays_in_volume"] > 0 and brem["br"] == pytest.approx(1e-14, rel=1e-12, abs=0)
    assert brem["notes"] and got["parents"]["p"]["origin"].startswith("proton bremsstrahlung")
    code, out, _ = cli(*base, "--json", "--no-bremsstrahlung")
    assert code == 0 and CHANNEL_NAME not in [c["channel"] for c in json.loads(out)["channels"]]
    code, out, _ = cli(*base)
    assert code == 0 and "bremsstrahlung" in out and "note:" in out
    # the upscattering job refuses the option in one line
    code, out, err = cli("generate", "-e", "nova_le_fhc", "--no-bremsstrahlung")
    assert code != 0 and err.strip().count("\n") == 0
    assert "--no-bremsstrahlung is an option of --process meson-decay" in err


def test_bnb_leaves_the_source_out_with_a_note():
    """The splitting function is refused at 8.9 GeV with z_max = 0.9: the run notes it and goes on."""
    from darkbeam.processes.meson_run import run_meson_decay

    params = _params(1e-6)
    exp = experiment_with(Box((200.0, 200.0, 500.0)), baseline=3000.0, angle=0.0, pot=1e20)
    with pytest.raises(ConfigurationError, match="no parents .* not in the bnb beam: .* outside the validity"):
        run_meson_decay(params, exp, n=50, channels=[bremsstrahlung_channel(params)])
