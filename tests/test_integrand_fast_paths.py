"""The generator's integrand after the speed work of issue 10 gives the same numbers as the formula
written with the public calls: the Q^2 limits computed once per point (and without masks when every
energy is above threshold), the flux through TableInterp, the coefficient filters without temporaries."""

from __future__ import annotations

import numpy as np

from darkbeam.physics.upscattering import Q2_limits


def test_q2_limits_unmasked_path_equals_masked_path():
    """Energies all above threshold take the path without masks; one energy below threshold in the
    same array sends them all through the masked path: the numbers above threshold agree bit for bit."""
    rng = np.random.default_rng(5)
    for m, M in ((0.42, 0.938), (0.1, 11.2), (1e-3, 0.000511), (0.0, 0.938)):
        E_th = m + m * m / (2.0 * M)
        E = E_th * (1.0 + 1e-9) + rng.uniform(0.0, 5.0, 5000)
        qmin, qmax = Q2_limits(E, m, M)
        qmin2, qmax2 = Q2_limits(np.concatenate((E, [0.5 * E_th, 0.0])), m, M)
        assert np.array_equal(qmin, qmin2[:-2]) and np.array_equal(qmax, qmax2[:-2])
        assert np.all(np.isnan(qmin2[-2:]) | (m == 0.0))
        # Q2_min Q2_max = m^4 M^2 / s (docs/xsec.md): an independent check of both
        s = M * M + 2.0 * M * E
        assert np.allclose(qmin * qmax, m**4 * M * M / s, rtol=1e-12, atol=0.0)
    a, b = Q2_limits(3.0, 0.42, 0.938)  # a scalar energy: 0-d arrays as before
    assert np.ndim(a) == 0 and np.ndim(b) == 0


def test_integrand_equals_the_reference_formula():
    """CaseSetup.point (limits computed once, TableInterp flux) equals the formula written with the
    public calls: flux(E) x dsigma/dQ^2(E, Q^2) x Q^2 ln(Q2max/Q2min) x span x scale."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.models import load_model
    from darkbeam.processes.cases import enumerate_cases
    from darkbeam.processes.generator import RunContext, scheme_xsec_options
    from darkbeam.processes.upscatter_decay import GenerationOptions
    from darkbeam.sources.flux import Flux

    e = np.linspace(0.0, 5.0, 101)
    fl = Flux(e, {"nu_mu": np.exp(-e) * (1 + 0.3 * np.sin(7 * e)), "nu_mu_bar": 0.2 * np.exp(-e)})
    exp = load_experiment("miniboone_fhc")
    model = load_model(None, {})
    specs = enumerate_cases(model, exp, fl, regimes=("p-el",))  # needs no nuclear data files
    assert specs
    ctx = RunContext("t", model, "darkbeam", exp, fl, GenerationOptions(), scheme_xsec_options("darkbeam"), 1, specs)
    x = np.random.default_rng(3).random((5000, 2))
    for s in specs:
        setup = ctx.setup(s.index)
        E, Q2, f = setup.point(x)
        qmin, qmax = setup.xs.Q2_range(E)
        lr = np.log(qmax / qmin)
        ref = fl(E, setup.flavour) * setup.xs.dsigma_dQ2(E, Q2) * (Q2 * lr * setup.span * setup.scale)
        ref = np.where(np.isfinite(ref) & (ref > 0), ref, 0.0)
        assert np.array_equal(f, ref)
        assert np.count_nonzero(f) > 0.9 * f.size
