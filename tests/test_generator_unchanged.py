"""Nothing in physics changes when the generator is made faster (issue 10).

The reference numbers in ``tests/data/generator_reference.json`` were recorded with the generator as
it was before the speed work of issue 10 (commit 24cc6e3: ``run_case`` with per-pass appends and
concatenations, fork workers, equal events per case), at a fixed configuration with large statistics
(``python tests/test_generator_unchanged.py --record``, ~1.3 M events).  This test runs today's
generator at small statistics and checks, against those numbers:

* every case's upscattered rate and decays in the detector, and the totals, within
  4 combined standard deviations (each side's own vegas error);
* the weighted distributions of the event variables (neutrino energy, Q^2, N energy and angle, the
  daughters' energies, the e+e- opening angle, the decay distance, the channel mix) by a two-sample
  chi^2 test of the weighted histograms (bin variances sum w^2 on each side, so the test is
  conservative for stratified samples): p > 1e-4 for each.

It fails if a change of the sampler, the event sharing between cases or the assembly moves a rate or
a distribution by more than its statistical error.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

REF = Path(__file__).with_name("data") / "generator_reference.json"
SEED_REF = 20261207
#: the configuration: DarkNews's default model at MiniBooNE FHC, every default case (16)
EXPERIMENT = "miniboone_fhc"


def _distributions(ev) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(values, weights) of each compared distribution."""
    w = np.asarray(ev.w)
    w_rate = np.asarray(ev["w_rate"])
    pN = ev.p3("hnl")
    cos_N = pN[:, 2] / np.linalg.norm(pN, axis=1)
    e1, e2 = ev.p3("d1"), ev.p3("d2")
    n1 = np.linalg.norm(e1, axis=1)
    n2 = np.linalg.norm(e2, axis=1)
    d2p = e2[:, 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        cos12 = np.where((n1 > 0) & (n2 > 0), np.einsum("ij,ij->i", e1, e2) / (n1 * n2), 2.0)
    return {
        "E_nu[w_rate]": (np.asarray(ev.E_nu), w_rate),
        "log10_Q2[w_rate]": (np.log10(np.asarray(ev["Q2"])), w_rate),
        "E_N[w_rate]": (ev.energy("hnl"), w_rate),
        "cos_N[w_rate]": (cos_N, w_rate),
        "E_N[w]": (ev.energy("hnl"), w),
        "E_d1[w]": (ev.energy("d1"), w),
        "E_d2[w]": (ev.energy("d2"), w),
        "pz_d2[w]": (d2p, w),
        "cos12[w]": (cos12, w),
        "l_decay_minus_l1[w]": (np.asarray(ev["l_decay"]) - np.asarray(ev["l1"]), w),
        "channel[w]": (np.asarray(ev["channel"]).astype(float), w),
        "case[w_rate]": (np.asarray(ev["case"]).astype(float), w_rate),
    }


def _edges(x: np.ndarray, w: np.ndarray, nbins: int = 20) -> np.ndarray:
    """Equal-weight bin edges (weighted quantiles), made unique; integer-valued variables one bin each."""
    if np.all(x == np.round(x)) and np.unique(x).size <= 64:
        u = np.unique(x)
        return np.concatenate([u - 0.5, [u[-1] + 0.5]])
    o = np.argsort(x)
    c = np.cumsum(w[o])
    q = np.searchsorted(c, c[-1] * np.linspace(0, 1, nbins + 1)[1:-1])
    inner = x[o][np.minimum(q, x.size - 1)]
    lo, hi = x.min(), x.max()
    e = np.unique(np.concatenate([[lo - 1e-9 * (abs(lo) + 1)], inner, [hi + 1e-9 * (abs(hi) + 1)]]))
    return e


def _hist(x, w, edges):
    b = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    inside = (x >= edges[0]) & (x <= edges[-1])
    s1 = np.bincount(b[inside], weights=w[inside], minlength=edges.size - 1)
    s2 = np.bincount(b[inside], weights=w[inside] ** 2, minlength=edges.size - 1)
    return s1, s2


def observables(result) -> dict:
    ev = result.events
    s = result.summary
    out = {"cases": {c["case"]: {k: c[k] for k in ("upscattered", "upscattered_err", "decay_in_detector",
                                                    "decay_in_detector_err")} for c in s.cases},
           "total": {k: getattr(s, k) for k in ("upscattered", "upscattered_err", "decay_in_detector",
                                                "decay_in_detector_err")},
           "channels": [c.name for c in ev.channels], "case_names": [c.name for c in ev.cases],
           "hists": {}}
    return out, _distributions(ev)


def record(path: Path = REF) -> None:
    from darkbeam.models import default_model
    from darkbeam.processes.generator import generate
    from darkbeam.processes.upscatter_decay import GenerationOptions

    r = generate(default_model(), EXPERIMENT, seed=SEED_REF,
                 options=GenerationOptions(neval=40_000, n_batches=2, nitn_adapt=6, neval_adapt=5000))
    obs, dists = observables(r)
    for name, (x, w) in dists.items():
        e = _edges(x, w)
        s1, s2 = _hist(x, w, e)
        obs["hists"][name] = {"edges": e.tolist(), "sum_w": s1.tolist(), "sum_w2": s2.tolist()}
    obs["n_events"] = len(r.events)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(obs, indent=1) + "\n")
    print(f"recorded {len(r.events)} events to {path}")


@pytest.fixture(scope="module")
def run_now():
    from darkbeam.models import default_model
    from darkbeam.processes.generator import generate
    from darkbeam.processes.upscatter_decay import GenerationOptions

    # the generator's own adaptation schedule and one sampling pass (GenerationOptions defaults: 6
    # iterations of 1000 points, n_batches = 1)
    return generate(default_model(), EXPERIMENT, seed=5, options=GenerationOptions(neval=8000))


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_rates_unchanged(run_now):
    ref = json.loads(REF.read_text())
    obs, _ = observables(run_now)
    assert set(obs["cases"]) == set(ref["cases"])
    rows = [("total", obs["total"], ref["total"])] + [(k, obs["cases"][k], ref["cases"][k]) for k in ref["cases"]]
    for name, a, b in rows:
        for q in ("upscattered", "decay_in_detector"):
            sig = math.hypot(a[q + "_err"], b[q + "_err"])
            assert sig > 0 and abs(a[q] - b[q]) < 4.0 * sig, (name, q, a[q], b[q], sig)


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_distributions_unchanged(run_now):
    ref = json.loads(REF.read_text())
    obs, dists = observables(run_now)
    assert obs["channels"] == ref["channels"] and obs["case_names"] == ref["case_names"]
    for name, h in ref["hists"].items():
        x, w = dists[name]
        e = np.asarray(h["edges"])
        s1, s2 = _hist(x, w, e)
        r1, r2 = np.asarray(h["sum_w"]), np.asarray(h["sum_w2"])
        # shapes: normalise each side to its own total (rates are tested above)
        n_a, n_b = s1.sum(), r1.sum()
        var = s2 / n_a**2 + r2 / n_b**2
        ok = var > 0
        chi2 = float(np.sum((s1[ok] / n_a - r1[ok] / n_b) ** 2 / var[ok]))
        dof = int(ok.sum()) - 1
        p = stats.chi2.sf(chi2, dof)
        assert p > 1e-4, (name, chi2, dof)


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_the_shape_test_can_fail(run_now):
    """The same chi^2 detects a 15% tilt of the N energy spectrum."""
    ref = json.loads(REF.read_text())
    _, dists = observables(run_now)
    h = ref["hists"]["E_N[w_rate]"]
    x, w = dists["E_N[w_rate]"]
    e = np.asarray(h["edges"])
    tilt = 1.0 + 0.15 * (x - np.median(x)) / np.std(x)
    s1, s2 = _hist(x, w * tilt, e)
    r1, r2 = np.asarray(h["sum_w"]), np.asarray(h["sum_w2"])
    var = s2 / s1.sum() ** 2 + r2 / r1.sum() ** 2
    chi2 = float(np.sum((s1 / s1.sum() - r1 / r1.sum()) ** 2 / var))
    assert stats.chi2.sf(chi2, e.size - 2) < 1e-4


if __name__ == "__main__" and "--record" in sys.argv:
    record()
