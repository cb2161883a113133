"""Upscattering at ND280: N made anywhere in the dense parts (P0D, FGDs, ECals) decay in the three gas
TPCs, with survival from the vertex (issue 11, "Flight and decay"; docs/experiments.md)."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.detectors import load_experiment
from darkbeam.detectors.decay import decay_probability
from darkbeam.models import default_model
from darkbeam.processes.generator import GenerationOptions, generate

TINY = GenerationOptions(neval=400, n_batches=2, nitn_adapt=2, neval_adapt=400)


@pytest.mark.requires_data("T2K_ND280_2020_plus250kA")
def test_nd280_counts_upscattered_decays_in_the_tpcs():
    exp = load_experiment("nd280_fhc")
    assert exp.upscattering_decays == "decay_volume" and exp.upscattering_decay_region is exp.decay_volume
    # the vertices' volume excludes the TPC gas and fills the rest of the UA1 inner volume
    assert exp.target_volume.volume == pytest.approx(exp.detector.volume - exp.decay_volume.volume, rel=1e-12, abs=0)
    model = default_model().model_copy(update={"m4": 0.2})  # c tau ~ 10 m: decays spread over the TPCs
    res = generate(model, exp, seed=5, options=TINY, projectiles=("nu_mu",))
    ev = res.events
    assert res.summary.decay_region == exp.decay_volume.name
    assert res.summary.to_dict()["decay_region"] == exp.decay_volume.name
    vtx = np.column_stack([ev["x"], ev["y"], ev["z"]])
    assert not exp.decay_volume.contains(vtx).any()
    # p_decay is exactly the sum over the TPC pieces of exp(-l1/L) - exp(-l2/L) along N's path from the
    # vertex (survival through the P0D/FGD included), recomputed here from the geometry
    p = np.column_stack([ev["hnl_px"], ev["hnl_py"], ev["hnl_pz"]])
    pabs = np.linalg.norm(p, axis=1)
    L = pabs / model.m4 * np.asarray(ev["ctau"])
    l1, l2 = exp.decay_volume.segments(vtx, p / pabs[:, None])
    expect = decay_probability(l1, l2, L[:, None]).sum(axis=1)
    np.testing.assert_allclose(np.asarray(ev["p_decay"]), expect, rtol=1e-10, atol=1e-300)
    # some paths start in front of a TPC (survival factor < 1 matters), and the decay points lie in a TPC
    first = np.where(l2 > l1, l1, np.inf).min(axis=1)
    assert np.any(np.isfinite(first) & (first > 50.0))
    d = vtx + (p / pabs[:, None]) * np.asarray(ev["l_decay"])[:, None]
    hit = np.asarray(ev["p_decay"]) > 0
    assert exp.decay_volume.contains(d[hit]).mean() > 0.999


def test_default_experiments_keep_the_detector():
    exp = load_experiment("miniboone_fhc")
    assert exp.upscattering_decays == "detector" and exp.upscattering_decay_region is exp.detector
