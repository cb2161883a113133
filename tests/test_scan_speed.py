"""Issue 10 scan speed-ups keep the physics: the plane with one sampling pass per unit (the scan's
default since) agrees with the two-pass plane within errors; cases without any lepton-line coupling
are dropped without integrating (their cross section is exactly zero); the in-place decay probability
of the vectorized reweighting equals the reference kernel."""

import numpy as np
import pytest

from darkbeam.scan.config import config_from_dict
from darkbeam.scan.runner import run_scan

from test_scan_vectorized import SMALL


def test_one_pass_plane_agrees_with_two_pass_plane_within_errors(tmp_path):
    one = config_from_dict({**SMALL, "generation": {**SMALL["generation"], "n_batches": 1}})
    two = config_from_dict({**SMALL, "generation": {**SMALL["generation"], "n_batches": 2}})
    assert config_from_dict(SMALL).generation.n_batches == 1  # the default
    a = run_scan(one, tmp_path / "one", executor="serial", plot=False)
    b = run_scan(two, tmp_path / "two", executor="serial", plot=False)
    assert np.all(a.signal > 0) and np.all(b.signal > 0)
    assert not np.allclose(a.signal, b.signal, rtol=1e-6)  # independent samples: the test can fail
    pull = (a.signal - b.signal) / np.hypot(a.signal_err, b.signal_err)
    assert np.max(np.abs(pull)) < 4.5, pull
    # relative errors of the same size: one pass of 2n points is as precise as two of n
    ra, rb = np.median(a.signal_err / a.signal), np.median(b.signal_err / b.signal)
    assert 0.6 < ra / rb < 1.6, (ra, rb)


def test_cases_without_lepton_coupling_have_zero_cross_section():
    """The short-cut of enumerate_cases (Vertices.couples) drops exactly the cases the full cross
    section drops: same case list with the short-cut disabled, and zero sigma wherever it applies."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.models.parameters import ModelParameters
    from darkbeam.physics import upscattering
    from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec
    from darkbeam.processes import cases as C
    from darkbeam.processes.generator import experiment_flux

    model = ModelParameters.from_dict({**SMALL["model"], "m4": 0.15, "Umu4": 1e-3})
    exp = load_experiment("miniboone_fhc")
    flux = experiment_flux(exp, "auto")
    fast = C.enumerate_cases(model, exp, flux)
    zero = 0
    for proj in ("nu_e", "nu_mu", "nu_e_bar", "nu_mu_bar"):
        for regime in ("coherent", "p-el"):
            xs = UpscatteringXsec(ProcessCase(proj, 4, "C12", regime, "conserving"), model)
            if not xs.vertices.couples:
                zero += 1
                assert np.all(xs.sigma(np.geomspace(xs.threshold * 1.01, 5.0, 8)) == 0.0)
    assert zero > 0  # nu_e cases: U_e4 = 0 in this model
    orig = upscattering.Vertices.couples
    try:
        upscattering.Vertices.couples = property(lambda self: True)
        slow = C.enumerate_cases(model, exp, flux)
    finally:
        upscattering.Vertices.couples = orig
    assert [c.xs_case for c in fast] == [c.xs_case for c in slow]


@pytest.mark.parametrize("nseg", [1, 3])
def test_in_place_segment_probability_equals_reference_kernel(nseg):
    from darkbeam.detectors.decay import decay_probability
    from darkbeam.processes.reweight_plane import _segments_decay_probability

    rng = np.random.default_rng(3)
    n, P = 400, 7
    ends = np.sort(rng.uniform(0.0, 2e3, (n, 2 * nseg)), axis=1)
    ends[:5, 0] = 0.0  # paths starting inside
    ends[5:10, 1] = ends[5:10, 0]  # empty segments
    a, b = ends[:, 0::2], ends[:, 1::2]
    p_abs, m = rng.uniform(0.05, 3.0, n), np.full(n, 0.1)
    ctau = np.geomspace(1e-3, 1e12, P)[:, None] * np.ones((1, n))  # L << l to L >> l
    out = np.empty((P, n))
    _segments_decay_probability(m / p_abs, ctau, a, b, out)
    L = p_abs[None, :] / m[None, :] * ctau
    ref = decay_probability(a[None], b[None], L[:, :, None]).sum(axis=2)
    assert np.all(ref[-1, 10:] > 0) and np.all(ref[-1] < 1e-6)  # the long-lifetime end is tested
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-300)
