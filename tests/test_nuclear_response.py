"""Pauli blocking of bound nucleons (physics/nuclear_response.py): the Fermi-gas suppression against an
independent phase-space integral, its limits, the published Fermi momenta, its use in the cross
sections (d sigma/dQ^2 and sigma(E)), and the reweighting at identical couplings."""

import numpy as np
import pytest
from scipy import integrate

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.models import default_model
from darkbeam.physics.nuclear_response import (
    fermi_momentum,
    nucleon_fermi_momentum,
    pauli_suppression,
    three_momentum_transfer,
)
from darkbeam.physics.xsec import ProcessCase, UpscatteringXsec

LIGHT = default_model().replace(m4=0.1, mzprime=0.03)


def unblocked_fraction(q, kF):
    """Fraction of a filled Fermi sphere whose nucleons can take momentum q (|p + q| > k_F): a direct
    quadrature over the sphere in (|p|, cos theta), independent of the closed form."""

    def shell(p):
        if p == 0.0:
            return 0.0
        c0 = (kF * kF - p * p - q * q) / (2.0 * p * q)  # |p + q| > kF  <=>  cos > c0
        return 3.0 * p * p / kF**3 * np.clip((1.0 - c0) / 2.0, 0.0, 1.0)

    return integrate.quad(shell, 0.0, kF, epsabs=1e-13, epsrel=1e-11, limit=200)[0]


@pytest.mark.parametrize("x", [0.01, 0.3, 0.9, 1.5, 1.99, 2.0, 2.5, 7.0])
def test_suppression_is_the_unblocked_fraction_of_the_fermi_sphere(x):
    kF = 0.221
    assert pauli_suppression(x * kF, kF) == pytest.approx(unblocked_fraction(x * kF, kF), rel=1e-8, abs=1e-12)


def test_suppression_limits():
    kF = 0.25
    q = np.array([1e-6, 1e-3]) * kF
    np.testing.assert_allclose(pauli_suppression(q, kF), 0.75 * q / kF, rtol=1e-5)  # S -> 3q/(4 kF) -> 0
    assert pauli_suppression(0.0, kF) == 0.0
    np.testing.assert_array_equal(pauli_suppression(np.array([2.0, 2.0001, 5.0, 100.0]) * kF, kF), 1.0)
    below = pauli_suppression(2.0 * kF * (1 - 1e-9), kF)
    assert below == pytest.approx(1.0, abs=1e-8)  # continuous at 2 kF
    s = pauli_suppression(np.linspace(0, 3, 301) * kF, kF)
    assert np.all(np.diff(s) >= 0) and np.all((s >= 0) & (s <= 1))


def test_fermi_momenta_are_moniz_values():
    """Moniz et al., PRL 26, 445 (1971), table I: 12C 221 MeV, 40Ca 251 MeV, 208Pb 265 MeV."""
    assert fermi_momentum(12) == 0.221 and fermi_momentum(40) == 0.251 and fermi_momentum(208) == 0.265
    assert fermi_momentum(16) == pytest.approx(0.221 + 4 / 12 * (0.235 - 0.221))
    assert nucleon_fermi_momentum(6, 6, "p") == nucleon_fermi_momentum(6, 6, "n") == pytest.approx(0.221)
    # Ar40: 18 protons, 22 neutrons at the density of each species
    assert nucleon_fermi_momentum(18, 22, "p") == pytest.approx(0.251 * (36 / 40) ** (1 / 3))
    assert nucleon_fermi_momentum(18, 22, "n") == pytest.approx(0.251 * (44 / 40) ** (1 / 3))
    with pytest.raises(ConfigurationError):
        fermi_momentum(1)


def test_three_momentum_transfer_of_elastic_scattering():
    M, Q2 = C.M_PROTON, np.array([1e-4, 0.1, 1.0])
    omega = Q2 / (2 * M)
    np.testing.assert_allclose(three_momentum_transfer(Q2, M) ** 2 - omega**2, Q2, rtol=1e-12)


@pytest.mark.parametrize("target, regime", [("Ar40", "p-el"), ("Ar40", "n-el"), ("C12", "p-el")])
def test_dsigma_is_the_free_one_times_the_suppression(target, regime):
    case = ProcessCase("nu_mu", 4, target, regime, "both")
    fg, free = UpscatteringXsec(case, LIGHT), UpscatteringXsec(case, LIGHT, nucleon_model="free")
    assert free.pauli is None and fg.nucleon_model == "fermi-gas"
    Z, N = case.nucleus.Z, case.nucleus.N
    kF = 0.251 if target == "Ar40" else 0.221
    kF *= (2 * (Z if regime == "p-el" else N) / (Z + N)) ** (1 / 3)
    E = 1.5
    Q2 = np.geomspace(1e-3, 1.0, 25)
    M = fg.target.mass
    q = np.sqrt(Q2 + (Q2 / (2 * M)) ** 2)
    x = q / kF
    S = np.where(x < 2, 0.75 * x - x**3 / 16, 1.0)
    np.testing.assert_allclose(fg.dsigma_dQ2(E, Q2), S * free.dsigma_dQ2(E, Q2), rtol=1e-12)
    high = q > 2 * kF
    assert high.any() and (~high).any()
    np.testing.assert_array_equal(fg.dsigma_dQ2(E, Q2[high]), free.dsigma_dQ2(E, Q2[high]))


def test_sigma_integrates_the_suppressed_dsigma():
    """sigma(E) of the fixed quadrature = adaptive integral of the suppressed d sigma/dQ^2."""
    case = ProcessCase("nu_mu", 4, "Ar40", "p-el", "conserving")
    fg = UpscatteringXsec(case, LIGHT)
    E = 1.0
    qmin, qmax = fg.Q2_range(E)
    kink = (2 * fg.pauli.k_F) ** 2  # |q| = 2 kF, approximately
    ref = integrate.quad(lambda l: np.exp(l) * fg.dsigma_dQ2(E, np.exp(l)), np.log(qmin), np.log(qmax),
                         points=[np.log(kink)], limit=400, epsrel=1e-9)[0]
    assert fg.sigma(E) == pytest.approx(ref, rel=2e-4, abs=0)


def test_free_proton_and_other_regimes_are_not_blocked():
    for target, regime in (("H1", "p-el"), ("C12", "coherent"), ("C12", "electron")):
        case = ProcessCase("nu_mu", 4, target, regime)
        model = default_model().replace(m4=0.01, mu_tr_mu4=1e-6) if regime == "electron" else LIGHT
        a = UpscatteringXsec(case, model).sigma([0.5, 2.0])
        b = UpscatteringXsec(case, model, nucleon_model="free").sigma([0.5, 2.0])
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ConfigurationError, match="unknown nucleon model"):
        UpscatteringXsec(ProcessCase("nu_mu", 4, "C12", "p-el"), LIGHT, nucleon_model="rfg")


def test_total_rate_sanity():
    """Blocking only removes rate; it removes most of it for a light Z' (whose p-el cross section sits at
    |q| < 2 kF, as the coherent regime does) and little for the heavy default Z' at high energy."""
    E = np.array([0.5, 1.0, 3.0])
    ratios = {}
    for name, model in (("light", LIGHT), ("heavy", default_model())):
        case = ProcessCase("nu_mu", 4, "Ar40", "p-el", "both")
        a = UpscatteringXsec(case, model).sigma(E)
        b = UpscatteringXsec(case, model, nucleon_model="free").sigma(E)
        ratios[name] = a / b
    assert np.all(ratios["light"] < 0.3) and np.all(ratios["light"] > 0.05)
    assert np.all(ratios["heavy"] > 0.75) and np.all(ratios["heavy"] < 1.0)
    # the free fraction above |q| = 2 kF bounds the blocked rate from below; the whole free rate from above
    case = ProcessCase("nu_mu", 4, "Ar40", "p-el", "both")
    free = UpscatteringXsec(case, LIGHT, nucleon_model="free")
    fg = UpscatteringXsec(case, LIGHT)
    qmin, qmax = free.Q2_range(1.0)
    q2k = fg.pauli.k_F * 2
    Q2k = 2 * C.M_PROTON**2 * (np.sqrt(1 + q2k**2 / C.M_PROTON**2) - 1)  # |q(Q2k)| = 2 kF
    above = integrate.quad(lambda l: np.exp(l) * free.dsigma_dQ2(1.0, np.exp(l)), np.log(Q2k), np.log(qmax), limit=200)[0]
    assert above < fg.sigma(1.0) < free.sigma(1.0)


# ---------------------------------------------------------------------- generator and reweighting
def _synthetic_flux():
    from darkbeam.sources.flux import Flux

    E = np.linspace(0.15, 3.0, 60)
    return Flux(E, {"nu_mu": 1e-10 * E * np.exp(-2.0 * E)}, provenance="test: synthetic nu_mu spectrum")


@pytest.mark.parametrize("scheme, model", [("darkbeam", "fermi-gas"), ("darknews", "free")])
def test_reweighting_uses_the_same_suppression(scheme, model):
    """The reweighter recomputes d sigma/dQ^2 with the generator's nucleon model: identical couplings give
    ratio 1 and the generator's totals; its per-event d sigma/dQ^2 is the (un)blocked one."""
    from darkbeam.models.couplings import Couplings, darknews_couplings
    from darkbeam.processes.generator import SCHEME_XSEC_OPTIONS, generate
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.processes.upscatter_decay import GenerationOptions

    assert SCHEME_XSEC_OPTIONS[scheme].get("nucleon_model", "fermi-gas") == model
    opts = GenerationOptions(neval=800, n_batches=2, nitn_adapt=2, neval_adapt=500)
    run = generate(LIGHT, "miniboone_fhc", seed=5, options=opts, projectiles=["nu_mu"], regimes=("p-el",),
                   helicities=("conserving",), flux=_synthetic_flux(), couplings_scheme=scheme)
    rw = Reweighter(run.events)
    np.testing.assert_allclose(rw.xsec_ratio(rw.resolve({})), 1.0, rtol=1e-12)
    assert rw.rates()["upscattered"] == pytest.approx(run.summary.upscattered, rel=1e-12)
    c = Couplings(LIGHT) if scheme == "darkbeam" else darknews_couplings(LIGHT)
    bound = [g for g in rw.groups if g.case.target == "C12" and g.idx.size]
    assert bound
    for g in bound:
        fg = UpscatteringXsec(g.case, c, **{**SCHEME_XSEC_OPTIONS[scheme], "nucleon_model": "fermi-gas"})
        free = UpscatteringXsec(g.case, c, **{**SCHEME_XSEC_OPTIONS[scheme], "nucleon_model": "free"})
        ref = (fg if model == "fermi-gas" else free).dsigma_dQ2(g.E, g.Q2)
        np.testing.assert_allclose(g.dsigma(g.vertices(c)), ref, rtol=1e-12)
        low = fg.suppression(g.Q2) < 0.9
        assert low.any() and np.all(fg.dsigma_dQ2(g.E, g.Q2)[low] < free.dsigma_dQ2(g.E, g.Q2)[low])


def test_generate_nucleon_model_option_is_recorded_and_reweighted(tmp_path):
    """generate(nucleon_model='free') in the darkbeam scheme: the metadata records the options, the
    reweighter (also after a parquet round trip) uses them (ratio 1), and the p-el rate is the unblocked one."""
    from darkbeam.events import read_parquet, write
    from darkbeam.processes.generator import generate
    from darkbeam.processes.reweight import Reweighter
    from darkbeam.processes.upscatter_decay import GenerationOptions

    opts = GenerationOptions(neval=800, n_batches=2, nitn_adapt=2, neval_adapt=500)
    kw = dict(seed=5, options=opts, projectiles=["nu_mu"], regimes=("p-el",), helicities=("conserving",), flux=_synthetic_flux())
    free = generate(LIGHT, "miniboone_fhc", nucleon_model="free", **kw)
    blocked = generate(LIGHT, "miniboone_fhc", **kw)
    assert free.events.meta["xsec_options"] == {"nucleon_model": "free"}
    assert blocked.events.meta["xsec_options"] == {}
    # C12 p-el is blocked to ~0.14 for this light Z'; H1 p-el is not
    assert 0.2 < blocked.summary.upscattered / free.summary.upscattered < 0.8
    write(free.events, tmp_path / "free.parquet")
    for ev in (free.events, read_parquet(tmp_path / "free.parquet")):
        rw = Reweighter(ev)
        assert rw.xsec_options == {"nucleon_model": "free"}
        np.testing.assert_allclose(rw.xsec_ratio(rw.resolve({})), 1.0, rtol=1e-12)
        assert rw.rates()["upscattered"] == pytest.approx(free.summary.upscattered, rel=1e-12)
    with pytest.raises(ConfigurationError, match="unknown nucleon model"):
        generate(LIGHT, "miniboone_fhc", nucleon_model="rfg", **kw)


def test_generate_cli_rejects_unknown_nucleon_model(capsys):
    from darkbeam.cli.main import main

    code = main(["generate", "--nucleon-model", "rfg", "--json"])
    err = capsys.readouterr().err
    assert code == 2 and "unknown nucleon model 'rfg'" in err and err.count("\n") == 1
