"""What the stored weights mean, visible and invisible decays, detectors of separated parts, and the
helicity and particle codes the generator hands on (issue 9, sections 4 and 6).

* sum(w_rate) is the upscattered total, sum(w) the decays in the detector, sum over one channel of w
  that channel's decays (BR x the decays of every channel, statistically), sum(w * visible) the
  visible decays;
* a three-box detector with gaps: p_decay is the sum over the boxes of exp(-a/L) - exp(-b/L) (closed
  form from the box positions), reweighting at the generated couplings reproduces every column, and
  at other couplings agrees with a regeneration;
* helicity: a helicity-conserving case gives N the projectile's helicity (-1 for nu, +1 for nubar),
  a flipping case the opposite one;
* a Majorana N is its own antiparticle: PDG code +5914 and the name N4 also when an antineutrino
  makes it (docs/pdg_codes.md); a Dirac N from an antineutrino is the anti-N, -5914, N4_bar.
"""

import json
import tomllib
from importlib import resources

import numpy as np
import pytest

from darkbeam.detectors.catalog import experiment_from_dict
from darkbeam.events import read_parquet
from darkbeam.events.visibility import is_visible_labels, is_visible_pdg
from darkbeam.events.weights import (path_bounds_from_segments, path_decay_probability, path_density,
                                     sample_path_decay)
from darkbeam.models import ModelParameters, default_model
from darkbeam.processes import upscatter_decay
from darkbeam.processes.generator import generate
from darkbeam.processes.reweight import Reweighter
from darkbeam.processes.upscatter_decay import GenerationOptions

FAST = GenerationOptions(neval=1500, n_batches=2, nitn_adapt=3, neval_adapt=1000)
#: three 300 x 300 x 200 cm boxes along the beam, 200 cm apart (gaps of 200 cm)
BOX_Z = (-400.0, 0.0, 400.0)
BOX_HALF = np.array([150.0, 150.0, 100.0])


def three_box_experiment():
    raw = tomllib.loads(resources.files("darkbeam.detectors").joinpath("experiments/miniboone_fhc.toml").read_text())
    raw["beam"] = {"baseline": 54100.0, "production": "point"}
    raw["geometry"] = {"status": "approximate", "detector": {"shape": "union", "parts": [
        {"shape": "box", "size": list(2 * BOX_HALF), "center": [0.0, 0.0, z]} for z in BOX_Z]}}
    return experiment_from_dict(raw, "three_boxes")


@pytest.fixture(scope="module")
def run():
    return generate(default_model(), "miniboone_fhc", seed=5, options=FAST, projectiles=["nu_mu"],
                    regimes=("coherent", "p-el"))


@pytest.fixture(scope="module")
def boxes():
    return generate(default_model(), three_box_experiment(), seed=3, options=FAST, projectiles=["nu_mu"],
                    regimes=("coherent",))


# ---------------------------------------------------------------- what the weights sum to
def test_weight_sums_are_the_summary_numbers(run):
    ev, s = run.events, run.summary
    assert np.sum(ev["w_rate"]) == pytest.approx(s.upscattered, rel=1e-10)
    assert np.sum(ev.w) == pytest.approx(s.decay_in_detector, rel=1e-10, abs=0)
    assert np.sum(ev.w * ev.visible()) == pytest.approx(s.decay_in_detector_visible, rel=1e-10, abs=0)
    assert np.sum(ev.w * ~ev.visible()) == pytest.approx(s.decay_in_detector_invisible, rel=1e-10, abs=0)
    assert s.decay_in_detector_visible + s.decay_in_detector_invisible == pytest.approx(s.decay_in_detector)
    for k, c in enumerate(s.cases):
        sel = np.asarray(ev["case"]) == k
        assert np.sum(ev["w_rate"][sel]) == pytest.approx(c["upscattered"], rel=1e-10)
        assert np.sum(ev.w[sel] * ev.visible()[sel]) == pytest.approx(c["decay_in_detector_visible"], rel=1e-10, abs=0)
    # at generation the channel is drawn with q = BR: the files say so
    assert np.allclose(ev["q_channel"], ev["br"], rtol=1e-12, atol=0) and np.all(ev["w_decay"] == 1.0)


def test_each_channel_gets_its_branching_ratio_of_the_decays(run):
    """The channel is drawn independently of the kinematics, so sum over a channel of w estimates
    BR x (decays in the detector of all channels) = BR x sum(w_rate p_decay); binomial errors."""
    ev = run.events
    w_all = np.asarray(ev["w_rate"]) * np.asarray(ev["p_decay"])
    total = w_all.sum()
    ch = np.asarray(ev["channel"])
    for j, info in enumerate(ev.channels):
        sel = ch == j
        if sel.sum() < 30:
            continue
        br = float(np.asarray(ev["br"])[sel][0])
        got = ev.w[sel].sum()
        # Var of sum_i w_i (1[ch_i = j] / q): sum_i w_i^2 (1 - q) / q
        err = np.sqrt(np.sum(w_all**2) * (1 - br) / br) * br
        assert abs(got - br * total) < 5 * err, (info.name, got, br * total, err)


def test_visible_means_a_charged_photon_or_hadron_final_daughter():
    assert not is_visible_labels(("nu_mu", "nu_e", "nu_e_bar"))  # N -> 3 nu
    assert not is_visible_labels(("nu_mu", "nu_tau", "nu_tau"))  # N -> nu Z', Z' -> nu nu (final daughters)
    assert not is_visible_labels(("nu_mu", "zprime"))  # a Z' with no open channel escapes
    assert not is_visible_labels(("nu_e", "N5"))
    for labels in (("nu_mu", "gamma"), ("nu_mu", "e-", "e+"), ("nu_mu", "pi0"), ("mu-", "pi+"), ("nu_mu", "K0_L")):
        assert is_visible_labels(labels), labels
    assert [is_visible_pdg(c) for c in (12, -14, 16, 5914, -5915, 5921, 5901, 0)] == [False] * 8
    assert all(is_visible_pdg(c) for c in (11, -13, 22, 111, 211, 2212, 2112, 130))


def test_visible_decays_are_the_visible_channels_share(run):
    """N -> 3 nu (three of the default model's six channels) is invisible: the visible decays are
    sum of the visible channels' BRs times all decays, within the MC error."""
    ev, s = run.events, run.summary
    vis_br = sum(float(np.asarray(ev["br"])[np.asarray(ev["channel"]) == j][0])
                 for j, ch in enumerate(ev.channels) if is_visible_labels(ch.name.split(" -> ")[1].split())
                 and np.any(np.asarray(ev["channel"]) == j))
    assert 0.0 < vis_br < 1.0
    assert s.decay_in_detector_invisible > 0
    ratio = s.decay_in_detector_visible / s.decay_in_detector
    assert abs(ratio - vis_br) < 0.05, (ratio, vis_br)


def test_cli_json_and_reweight_report_visible_decays(tmp_path, capsys):
    from darkbeam.cli.main import main

    out = tmp_path / "run"
    assert main(["generate", "--json", "-n", "400", "--projectile", "nu_mu", "--regime", "coherent", "-o", str(out),
                 "--seed", "2"]) == 0
    d = json.loads(capsys.readouterr().out)
    for k in ("decay_in_detector_visible", "decay_in_detector_visible_err", "decay_in_detector_invisible"):
        assert k in d and all(k in c for c in d["cases"])
    assert d["decay_in_detector_visible"] < d["decay_in_detector"]
    ev = read_parquet(tmp_path / "run.parquet")
    assert np.sum(ev["w_rate"]) == pytest.approx(d["upscattered"], rel=1e-10)
    assert np.sum(ev.w * ev.visible()) == pytest.approx(d["decay_in_detector_visible"], rel=1e-10, abs=0)
    assert ev.meta["decay_in_detector_visible"] == d["decay_in_detector_visible"]
    assert main(["reweight", str(tmp_path / "run.parquet"), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["decay_in_detector_visible"] == pytest.approx(d["decay_in_detector_visible"], rel=1e-12, abs=0)
    assert r["decay_in_detector_invisible"] == pytest.approx(d["decay_in_detector_invisible"], rel=1e-12, abs=0)
    assert [c["case"] for c in r["cases"]] == [c["case"] for c in d["cases"]]
    # reweight --json has the fields of generate --json (and the changes and model it was asked for)
    assert set(d) - {"n_events"} <= set(r) and r["fallbacks"] == d["fallbacks"]
    assert set(d["cases"][0]) == set(r["cases"][0])


# ---------------------------------------------------------------- segmented paths
def test_segments_are_ordered_and_merged():
    l1 = np.array([[5.0, 0.0, 2.0], [0.0, 0.0, 0.0], [1.0, 2.0, 9.0]])
    l2 = np.array([[6.0, 1.0, 3.0], [0.0, 0.0, 0.0], [2.0, 4.0, 9.0]])  # row 2: touching pieces, one empty
    b = path_bounds_from_segments(l1, l2)
    assert b.tolist() == [[0, 1, 2, 3, 5, 6], [0, 0, 0, 0, 0, 0], [1, 4, 4, 4, 4, 4]]


def test_three_boxes_decay_probability_skips_the_gaps(boxes):
    """p_decay = sum over the boxes the straight path crosses of exp(-a/L) - exp(-b/L), the box
    faces computed here from the geometry (slab method), independently of the detector code."""
    ev = boxes.events
    assert ev.n_gaps == 2
    v = np.stack([ev["x"], ev["y"], ev["z"]], axis=1)
    p = ev.p3("hnl")
    d = p / np.linalg.norm(p, axis=1)[:, None]
    L = ev.decay_length()
    ref = np.zeros(len(ev))
    for z in BOX_Z:
        c = np.array([0.0, 0.0, z])
        with np.errstate(divide="ignore"):
            t1, t2 = (c - BOX_HALF - v) / d, (c + BOX_HALF - v) / d
        a = np.maximum(np.max(np.minimum(t1, t2), axis=1), 0.0)
        b = np.min(np.maximum(t1, t2), axis=1)
        ok = b > a
        # exp(-a/L) - exp(-b/L), written without cancellation (L ~ 1e9 cm here)
        ref[ok] += -np.exp(-a[ok] / L[ok]) * np.expm1(-(b[ok] - a[ok]) / L[ok])
    assert np.allclose(ev["p_decay"], ref, rtol=1e-9, atol=1e-300)
    # counting the gaps (first entry to last exit) would overestimate it: the test can tell
    naive = np.exp(-np.asarray(ev["l1"]) / L) - np.exp(-np.asarray(ev["l2"]) / L)
    assert naive.sum() > 1.2 * ref.sum()
    # decays never sit in a gap
    b = ev.path_bounds()
    ld = np.asarray(ev["l_decay"])[:, None]
    on = ((ld >= b[:, 0::2]) & (ld <= b[:, 1::2])).any(axis=1)
    assert on[np.asarray(ev["p_decay"]) > 0].all()


def test_decay_positions_on_segments_follow_the_exponential():
    """KS test of sample_path_decay against the CDF of exp(-l/L) restricted to two segments."""
    from scipy import stats

    rng = np.random.default_rng(4)
    n = 20000
    bounds = np.tile([10.0, 30.0, 80.0, 100.0], (n, 1))
    L = np.full(n, 40.0)
    l = sample_path_decay(bounds, L, rng.random(n), rng.random(n))

    def cdf(x):
        seg = [(10.0, 30.0), (80.0, 100.0)]
        tot = sum(np.exp(-a / 40) - np.exp(-b / 40) for a, b in seg)
        return sum(np.clip(np.exp(-a / 40) - np.exp(-np.clip(x, a, b) / 40), 0, None) for a, b in seg) / tot

    assert stats.kstest(l, cdf).pvalue > 1e-3
    assert not ((l > 30.0) & (l < 80.0)).any()
    # and the density integrates to one over the segments
    x = np.linspace(0, 110, 110001)
    f = path_density(x, np.tile([10.0, 30.0, 80.0, 100.0], (x.size, 1)), np.full(x.size, 40.0))
    assert np.trapezoid(f, x) == pytest.approx(1.0, rel=1e-3)
    assert path_decay_probability(bounds[:1], L[:1])[0] == pytest.approx(
        np.exp(-10 / 40) - np.exp(-30 / 40) + np.exp(-80 / 40) - np.exp(-100 / 40), rel=1e-14)


def test_three_boxes_reweighting_at_the_generated_couplings_is_exact(boxes):
    ev, s = boxes.events, boxes.summary
    rw = Reweighter(ev)
    r = rw.rates(strict=False)
    assert r["decay_in_detector"] == pytest.approx(s.decay_in_detector, rel=1e-12, abs=0)
    assert r["upscattered"] == pytest.approx(s.upscattered, rel=1e-12)
    assert r["decay_in_detector_visible"] == pytest.approx(s.decay_in_detector_visible, rel=1e-12, abs=0)
    same = rw.apply({}, strict=False)
    for k in ev.columns:
        assert np.array_equal(same[k], ev[k]), k


def test_reweighting_every_column_at_identical_couplings(run, tmp_path):
    from darkbeam.events import write

    p = tmp_path / "ev.parquet"
    write(run.events, p)
    ev = read_parquet(p)
    for positions in ("resample", "reweight", "keep"):
        same = Reweighter(ev).apply({}, positions=positions)
        for k in ev.columns:
            assert np.array_equal(same[k], ev[k]), (positions, k)


def test_three_boxes_reweighting_matches_regeneration(boxes):
    """epsilon x 3: the Z' part of the cross sections and of the N width change (c tau x ~1/9)."""
    new = {"epsilon": 3 * default_model().epsilon}
    r = Reweighter(boxes.events).rates(new, strict=False)
    params = Reweighter(boxes.events).resolve(new)
    g = generate(params, three_box_experiment(), seed=31, options=FAST, projectiles=["nu_mu"], regimes=("coherent",))
    assert g.summary.ctau_cm["N4"] < 0.5 * boxes.summary.ctau_cm["N4"]
    for k in ("upscattered", "decay_in_detector", "decay_in_detector_visible"):
        a, ea = r[k], r[k + "_err"]
        b, eb = getattr(g.summary, k), getattr(g.summary, k + "_err")
        assert abs(a - b) < 4 * np.hypot(ea, eb), (k, a, ea, b, eb)
    # the resampled positions stay on the segments
    ev = Reweighter(boxes.events).apply(new, strict=False)
    b = ev.path_bounds()
    ld = np.asarray(ev["l_decay"])[:, None]
    assert ((ld >= b[:, 0::2]) & (ld <= b[:, 1::2])).any(axis=1)[np.asarray(ev["p_decay"]) > 0].all()


# ---------------------------------------------------------------- helicity and particle codes
#: helicity of N by (antineutrino projectile, case helicity): massless nu is left-handed (-1), nubar
#: right-handed (+1); a helicity-conserving upscattering keeps it, a flipping one reverses it
EXPECTED_HELICITY = {(False, "conserving"): -1.0, (False, "flipping"): 1.0,
                     (True, "conserving"): 1.0, (True, "flipping"): -1.0}


@pytest.mark.parametrize("projectile", ["nu_mu", "nu_mu_bar"])
def test_generator_hands_each_case_its_helicity(projectile, monkeypatch):
    seen = []
    real = upscatter_decay.sample_channel

    def spy(channel, m, p, h, rng, anti=False):
        if channel.parent.startswith("N"):
            seen.append(float(h))
        return real(channel, m, p, h, rng, anti)

    monkeypatch.setattr(upscatter_decay, "sample_channel", spy)
    for hel in ("conserving", "flipping"):
        seen.clear()
        generate(default_model(), "miniboone_fhc", seed=1, options=GenerationOptions(200, 1, 2, 300),
                 projectiles=[projectile], regimes=("coherent",), helicities=(hel,))
        assert seen and set(seen) == {EXPECTED_HELICITY[(projectile.endswith("_bar"), hel)]}, (projectile, hel, seen)


def test_helicity_shows_in_the_decay_angles():
    """N -> nu pi0 of a Dirac N: dGamma/dcos = (1 + alpha h cos)/2 in N's rest frame (cos of the
    first daughter with N's direction), so <cos> = alpha h / 3: opposite signs for the conserving
    and the flipping case (h = -1 and +1 for nu_mu)."""
    from darkbeam.physics.decays import decay_table
    from darkbeam.processes.reweight_decays import rest_cos

    p = ModelParameters.from_dict({"m4": 0.3, "Umu4": 1e-2})
    ch = next(c for c in decay_table(p, "N4").channels if c.daughters == ("nu_mu", "pi0"))
    alpha = ch.kinematics.alpha
    assert abs(alpha) > 0.3
    for hel in ("conserving", "flipping"):
        r = generate(p, "miniboone_fhc", seed=2, options=GenerationOptions(2000, 1, 2, 500),
                     projectiles=["nu_mu"], regimes=("coherent",), helicities=(hel,))
        ev = r.events
        j = [c.name for c in ev.channels].index("N4 -> nu_mu pi0")
        sel = np.asarray(ev["channel"]) == j
        cos = rest_cos(ev.p4("hnl")[sel], ev.mass("hnl")[sel], ev.p4("d1")[sel])
        h = EXPECTED_HELICITY[(False, hel)]
        expect = alpha * h / 3
        err = np.sqrt((1 / 3 - expect**2) / sel.sum())
        assert abs(cos.mean() - expect) < 4 * err, (hel, cos.mean(), expect, err)


@pytest.mark.parametrize("hnl_type", ["majorana", "dirac"])
def test_n_from_an_antineutrino_codes_and_names(hnl_type):
    """docs/pdg_codes.md: a Majorana N is its own antiparticle (always +5914, 'N4', channels as in its
    decay table); a Dirac N made by an antineutrino is the anti-N (-5914, 'N4_bar', conjugate
    daughters: the nu_mu of N4 -> nu_mu e- e+ becomes nu_mu_bar, PDG -14)."""
    p = ModelParameters.from_dict({**default_model().model_dump(exclude_none=True), "HNLtype": hnl_type})
    r = generate(p, "miniboone_fhc", seed=4, options=GenerationOptions(200, 1, 2, 300), projectiles=["nu_mu_bar"],
                 regimes=("coherent", "p-el"))
    ev = r.events
    majorana = hnl_type == "majorana"
    assert {c.hnl for c in ev.cases} == {5914 if majorana else -5914}
    assert set(np.unique(ev.pdg("hnl")).tolist()) == {5914 if majorana else -5914}
    assert {c.projectile for c in ev.cases} == {-14}
    for c in ev.cases:
        assert (" -> N4_bar " in c.name) == (not majorana) and " -> N4" in c.name, c.name
    for ch in ev.channels:
        assert ch.name.startswith("N4 -> " if majorana else "N4_bar -> "), ch.name
    ee = [ch for ch in ev.channels if sorted(abs(d) for d in ch.daughters) == [11, 11, 14]]
    assert ee
    if majorana:  # both charge-conjugate final states of the Majorana N's decay table, unchanged
        assert {ch.name for ch in ee} == {"N4 -> nu_mu e- e+", "N4 -> nu_mu_bar e+ e-"}
    else:
        assert all(ch.daughters == (-14, -11, 11) for ch in ee), ee


def test_nucleon_cases_are_labelled_with_the_recoiling_nucleon(run, tmp_path):
    names = [c.name for c in run.events.cases]
    assert "nu_mu C12 -> N4 C12 (coherent, conserving)" in names
    assert "nu_mu p(C12) -> N4 p (p-el, conserving)" in names
    assert "nu_mu p(H1) -> N4 p (p-el, flipping)" in names
    assert [c["case"] for c in run.summary.cases] == names
    assert not any("C12 -> N4 C12 (p-el" in n for n in names)
    from darkbeam.events import read_metadata, write

    write(run.events, tmp_path / "x.parquet")
    assert [c["name"] for c in read_metadata(tmp_path / "x.parquet")["cases"]] == names
