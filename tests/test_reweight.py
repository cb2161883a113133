"""Exact reweighting over couplings: against regenerated samples (mixing, kinetic mixing, dipole, with
lifetime changes of two to three orders of magnitude), closed forms, decay-density checks, errors,
files and the command line."""

import json

import numpy as np
import pytest
from scipy import stats

from darkbeam.cli.main import main
from darkbeam.errors import DataError
from darkbeam.events import read_parquet, write
from darkbeam.processes.reweight import Reweighter, ReweightingError, reweight, stratification_cells
from darkbeam.processes.reweight_decays import channel_shape_factor, decay_state, lab_spin
from darkbeam.models import ModelParameters, default_model
from darkbeam.physics.decays import decay_table
from darkbeam.processes.decays import sample_channel
from darkbeam.processes.generator import generate
from darkbeam.processes.upscatter_decay import GenerationOptions

FAST = GenerationOptions(neval=1500, n_batches=2, nitn_adapt=3, neval_adapt=1000)
CASES = dict(projectiles=["nu_mu"], regimes=("coherent", "p-el"))
DIPOLE = {"m4": 0.2, "mu_tr_mu4": 1e-6}


def _agree(a, ea, b, eb, n_sigma=4.0):
    return abs(a - b) < n_sigma * np.hypot(ea, eb), (a, ea, b, eb)


@pytest.fixture(scope="module")
def dark():
    return generate(default_model(), "miniboone_fhc", seed=11, options=FAST, **CASES)


@pytest.fixture(scope="module")
def dipole():
    return generate(ModelParameters.from_dict(DIPOLE), "miniboone_fhc", seed=21, options=FAST, **CASES)


def test_same_couplings_reproduce_the_generator(dark):
    ev, s = dark.events, dark.summary
    rw = Reweighter(ev)
    r = rw.rates()
    assert r["upscattered"] == pytest.approx(s.upscattered, rel=1e-12)
    assert r["decay_in_detector"] == pytest.approx(s.decay_in_detector, rel=1e-12, abs=0)
    # post-stratified errors reproduce vegas's stratified errors of the generator
    assert 0.75 < r["upscattered_err"] / s.upscattered_err < 1.33
    assert 0.75 < r["decay_in_detector_err"] / s.decay_in_detector_err < 1.33
    same = rw.apply({})
    for k in ("w_rate", "br", "p_decay", "ctau"):
        assert np.allclose(same[k], ev[k], rtol=1e-12, atol=0), k
    assert np.array_equal(same["channel"], ev["channel"])


def test_mixing_scales_as_U_squared_and_matches_regeneration(dark):
    """Every nu_mu-N4 coupling of the dark-neutrino model is proportional to U_mu4 (Z via mixing, Z'
    via (U D)): the cross sections scale exactly by 9 for U_mu4 x 3; decays change BR and lifetime."""
    rw = Reweighter(dark.events)
    new = {"Umu4": 3e-3}
    assert np.allclose(rw.xsec_ratio(rw.resolve(new)), 9.0, rtol=1e-12, atol=0)
    r = rw.rates(new)
    assert r["upscattered"] == pytest.approx(9.0 * dark.summary.upscattered, rel=1e-12)
    g = generate(default_model().replace(**new), "miniboone_fhc", seed=12, options=FAST, **CASES).summary
    assert _agree(r["upscattered"], r["upscattered_err"], g.upscattered, g.upscattered_err)[0]
    ok, info = _agree(r["decay_in_detector"], r["decay_in_detector_err"], g.decay_in_detector, g.decay_in_detector_err)
    assert ok, info
    assert r["ctau_cm"]["N4"] == pytest.approx(g.ctau_cm["N4"], rel=1e-12)


def test_kinetic_mixing_matches_regeneration(dark):
    """epsilon x 4 changes the Z'/Z mixture of upscattering (interference) and of N -> nu e e."""
    new = {"epsilon": 4e-3}
    r = Reweighter(dark.events).rates(new)
    g = generate(default_model().replace(**new), "miniboone_fhc", seed=13, options=FAST, **CASES).summary
    assert _agree(r["upscattered"], r["upscattered_err"], g.upscattered, g.upscattered_err)[0]
    ok, info = _agree(r["decay_in_detector"], r["decay_in_detector_err"], g.decay_in_detector, g.decay_in_detector_err)
    assert ok, info
    assert r["decay_in_detector"] > 5 * dark.summary.decay_in_detector  # a real change, not a no-op


@pytest.mark.parametrize("mu", [1e-7, 3e-5])
def test_dipole_across_orders_of_magnitude_in_lifetime(dipole, mu):
    """mu_tr 1e-6 -> 1e-7 (c tau x 100) and -> 3e-5 (c tau / 900): decays in the detector, the
    lifetime and the resampled decay positions agree with a regenerated sample."""
    rw = Reweighter(dipole.events)
    ctau0 = dipole.summary.ctau_cm["N4"]
    p = ModelParameters.from_dict({**DIPOLE, "mu_tr_mu4": mu})
    g = generate(p, "miniboone_fhc", seed=22, options=FAST, **CASES)
    r = rw.rates(p)
    assert abs(np.log10(r["ctau_cm"]["N4"] / ctau0)) > 1.9
    assert _agree(r["upscattered"], r["upscattered_err"], g.summary.upscattered, g.summary.upscattered_err)[0]
    ok, info = _agree(r["decay_in_detector"], r["decay_in_detector_err"], g.summary.decay_in_detector,
                      g.summary.decay_in_detector_err)
    assert ok, info
    new = rw.apply(p)  # resampled decay positions (default)
    assert new.w.sum() == pytest.approx(r["decay_in_detector"], rel=1e-9)  # no folded factor: same sum
    l1, l2, ld = (np.asarray(new[k]) for k in ("l1", "l2", "l_decay"))
    L = new.decay_length()
    ok = l2 > l1
    u = -np.expm1(-(ld[ok] - l1[ok]) / L[ok]) / -np.expm1(-(l2[ok] - l1[ok]) / L[ok])
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # decay-position distribution (weighted mean distance) agrees with the regenerated one
    def mean_err(e):
        w, x = e.w, np.asarray(e["l_decay"])
        m = np.sum(w * x) / w.sum()
        return m, np.sqrt(np.sum(w * w * (x - m) ** 2)) / w.sum()
    assert _agree(*mean_err(new), *mean_err(g.events), n_sigma=5)[0]


def test_position_reweighting_mode_is_unbiased_for_moderate_changes(dipole):
    rw = Reweighter(dipole.events)
    r = rw.rates({"mu_tr_mu4": 2e-6})
    ev = rw.apply({"mu_tr_mu4": 2e-6}, positions="reweight")
    w = ev.w
    assert abs(w.sum() - r["decay_in_detector"]) < 4 * np.sqrt(np.sum(w * w))


def test_decay_density_ratio_reproduces_regenerated_decays():
    """N4 -> nu_mu e- e+ through Z (mixing) and the photon (dipole): raising mu_tr changes the e+e-
    mass and energy spectra.  Decays sampled at mu_tr = 1e-9 and reweighted to 1e-8 match decays
    sampled at 1e-8 (chi2 over 20 bins), the unweighted ones do not; the ratio averages to one."""
    g = ModelParameters.from_dict({"m4": 0.1, "Umu4": 1e-2, "mu_tr_mu4": 1e-9})
    n = g.replace(mu_tr_mu4=1e-8)
    sg, sn = decay_state(g, [4]), decay_state(n, [4])
    name = "N4 -> nu_mu e- e+"
    rng = np.random.default_rng(5)
    N = 60000
    pz = rng.uniform(0.05, 1.0, N)
    P = np.zeros((N, 4))
    P[:, 3], P[:, 0] = pz, np.sqrt(pz**2 + 0.01)
    h = -np.ones(N)
    dg = sample_channel(sg.channels[name].first, 0.1, P, h, rng)
    dn = sample_channel(sn.channels[name].first, 0.1, P, h, rng)
    dau = np.zeros((N, 4, 4))
    dau[:, :3] = dg
    f = channel_shape_factor(name, sn, sg, P, np.full(N, 0.1), h, dau)
    assert f.mean() == pytest.approx(1.0, abs=5 * f.std() / np.sqrt(N))

    def mee(d):
        p = d[:, 1] + d[:, 2]
        return np.sqrt(np.maximum(p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1), 0.0))

    for fn, factor in ((mee, 5.0), (lambda d: d[:, 1, 0], 1.0)):
        edges = np.quantile(fn(dn), np.linspace(0, 1, 21))
        edges[0], edges[-1] = 0.0, 1.0
        hr, _ = np.histogram(fn(dg), edges, weights=f)
        hr2, _ = np.histogram(fn(dg), edges, weights=f * f)
        hn, _ = np.histogram(fn(dn), edges)
        hg, _ = np.histogram(fn(dg), edges)
        assert np.sum((hr - hn) ** 2 / (hr2 + hn)) < stats.chi2.ppf(0.999, 20)
        assert np.sum((hg - hn) ** 2 / (hg + hn)) > factor * stats.chi2.ppf(0.999, 20)


def test_lab_spin_vector_equals_the_rest_frame_construction():
    """|M|^2 evaluated in the lab with s = h(|p|/m, E/m p_hat) equals |M|^2 in N's rest frame (reached by
    a pure boost) with s = (0, h p_hat), as the decay sampler uses it."""
    p = ModelParameters.from_dict({"m4": 0.1, "Umu4": 1e-2, "mu_tr_mu4": 3e-9})
    ch = decay_table(p, "N4").channel("nu_mu e- e+")
    rng = np.random.default_rng(3)
    n = 2000
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    pabs = rng.uniform(0.01, 2.0, n)
    P = np.column_stack([np.sqrt(pabs**2 + 0.01), pabs[:, None] * d])
    h = rng.choice([-1.0, 1.0], n)
    k = sample_channel(ch, 0.1, P, h, rng)
    lab = ch.kinematics.msq(P, k[:, 0], k[:, 1], k[:, 2], lab_spin(P, np.full(n, 0.1), h))
    # boost everything to the rest frame along d
    gam, bg = P[:, 0] / 0.1, pabs / 0.1

    def boost(q):
        par = np.einsum("ij,ij->i", q[:, 1:], d)
        out = q.copy()
        out[:, 0] = gam * q[:, 0] - bg * par
        out[:, 1:] = q[:, 1:] + ((gam * par - bg * q[:, 0]) - par)[:, None] * d
        return out

    rest_P = boost(P)
    s_rest = np.column_stack([np.zeros(n), h[:, None] * d])
    rest = ch.kinematics.msq(rest_P, boost(k[:, 0]), boost(k[:, 1]), boost(k[:, 2]), s_rest)
    assert np.allclose(rest_P[:, 1:], 0.0, atol=1e-12)
    assert np.allclose(lab, rest, rtol=1e-9, atol=0)


def test_span_decomposition_equals_direct_recomputation(dark):
    rw = Reweighter(dark.events)
    pts = [{"epsilon": e} for e in np.geomspace(2e-4, 2e-2, 12)]
    span = rw.prepare(pts)
    assert max(span.dims) <= 8
    for i in (1, 6, 12):
        a = rw.xsec_ratio(span.params[i], span, i)
        b = rw.xsec_ratio(span.params[i])
        assert np.max(np.abs(a - b) / b) < 1e-5
        # the sum to 1e-7: the decomposition's rounding (per event < 1e-5 above) largely averages out
        assert a.sum() == pytest.approx(b.sum(), rel=1e-7)
    span1 = rw.prepare([{"Umu4": u} for u in (1e-4, 1e-3, 1e-2)])
    assert span1.dims == [1] * len(span1.dims)  # a pure |U|^2 scaling is one-dimensional


def test_darknews_scheme_reweights_with_its_cross_section_options():
    """Events of the 'darknews' couplings scheme are reweighted with that scheme's couplings and
    cross-section options (helicity frame, nuclear spin, form factor), as generated."""
    from darkbeam.models.couplings import darknews_couplings
    from darkbeam.physics.xsec import UpscatteringXsec
    from darkbeam.processes.generator import SCHEME_XSEC_OPTIONS

    run = generate(default_model(), "miniboone_fhc", seed=3, options=GenerationOptions(400, 2, 2, 400),
                   projectiles=["nu_mu"], regimes=("coherent",), helicities=("flipping",), couplings_scheme="darknews")
    rw = Reweighter(run.events)
    new = default_model().replace(epsilon=5e-3)
    case = rw.case_specs[0]
    opts = SCHEME_XSEC_OPTIONS["darknews"]
    E, Q2 = run.events.E_nu, np.asarray(run.events["Q2"])
    ref = (UpscatteringXsec(case, darknews_couplings(new), **opts).dsigma_dQ2(E, Q2)
           / UpscatteringXsec(case, darknews_couplings(default_model()), **opts).dsigma_dQ2(E, Q2))
    assert np.allclose(rw.xsec_ratio(new), ref, rtol=1e-12)


def test_what_cannot_be_reweighted_raises(dark):
    rw = Reweighter(dark.events)
    with pytest.raises(ReweightingError, match="m4"):
        rw.rates({"m4": 0.2})
    with pytest.raises(ReweightingError, match="mzprime"):
        rw.rates({"mzprime": 2.0})
    with pytest.raises(ReweightingError, match="nu_e"):  # nu_e cases had zero rate (Ue4 = 0)
        rw.rates({"Ue4": 1e-3})
    with pytest.raises(ReweightingError, match="gamma"):  # N -> nu gamma was closed (no dipole)
        rw.rates({"mu_tr_mu4": 1e-7})
    off = reweight(dark.events, {"Umu4": 0.0}, strict=False)
    assert off.w.sum() == 0.0
    with pytest.raises(ReweightingError, match="zero weight"):
        Reweighter(off).rates({"Umu4": 1e-3})
    bare = dark.events.with_meta(model=None)
    with pytest.raises(DataError):
        Reweighter(bare)


def test_files_and_chained_reweighting(dark, tmp_path):
    path = tmp_path / "ev.parquet"
    write(dark.events, path)
    back = read_parquet(path)
    a = reweight(back, {"epsilon": 2e-3}, positions="reweight")
    b = reweight(dark.events, {"epsilon": 2e-3}, positions="reweight")
    assert np.allclose(a["w_rate"], b["w_rate"], rtol=1e-12, atol=0)
    c = dark.events.reweight({"epsilon": 2e-3}, positions="reweight")  # the EventSet method
    assert np.array_equal(c["w_rate"], b["w_rate"])
    # A -> B -> C equals A -> C, with decay-density and position factors folded in
    write(a, tmp_path / "ab.parquet")
    ab = read_parquet(tmp_path / "ab.parquet")
    ac = reweight(dark.events, {"epsilon": 5e-4, "Umu4": 2e-3}, positions="reweight")
    abc = reweight(ab, {"epsilon": 5e-4, "Umu4": 2e-3}, positions="reweight")
    for k in ("w_rate", "br", "p_decay", "l_decay"):
        assert np.allclose(abc[k], ac[k], rtol=1e-9, atol=0), k
    assert abc.meta["reweight"]["generated_model"] == dark.events.meta["model"]


def test_stratification_cells_are_balanced():
    rng = np.random.default_rng(0)
    E, x = rng.random(4000), rng.random(4000)
    c = stratification_cells(E, x, 16)
    counts = np.bincount(c)
    assert counts.size == 16 * 16 and counts.min() >= 14 and counts.max() <= 17


def test_command_line(dark, tmp_path, capsys):
    path = tmp_path / "ev.parquet"
    write(dark.events, path)
    assert main(["reweight", str(path), "--set", "Umu4=3e-3", "--json", "--output", str(tmp_path / "new")]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("upscattered", "upscattered_err", "decay_in_detector", "decay_in_detector_err", "cases"):
        assert key in out
    r = Reweighter(dark.events).rates({"Umu4": 3e-3})
    assert out["upscattered"] == pytest.approx(r["upscattered"], rel=1e-12)
    assert out["decay_in_detector"] == pytest.approx(r["decay_in_detector"], rel=1e-12, abs=0)
    assert len(out["cases"]) == len(dark.events.cases)
    new = read_parquet(tmp_path / "new.parquet")
    assert new.meta["model"]["Umu4"] == 3e-3
    # errors: one line, non-zero exit
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    for args in (["reweight", str(bad), "--set", "Umu4=1e-3"], ["reweight", str(path), "--set", "m4=0.3"],
                 ["reweight", str(path), "--set", "nonsense=1"], ["reweight", str(tmp_path / "missing.parquet")]):
        assert main(args) != 0
        err = capsys.readouterr().err.strip()
        assert err.startswith("darkbeam: error:") and "\n" not in err, err
