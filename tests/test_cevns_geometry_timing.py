"""COHERENT detector geometry and SNS timing of CEvNS events (detectors/cevns_detectors.py,
sources/dar.py, detectors/arrival.py; docs/rare_scattering.md section 8b).

Independent references: uniform sampling in a cylinder (chi^2 of the axial coordinate, of r^2/R^2 and
of the azimuth against flat distributions); the closed-form distribution of a Gaussian pulse convolved
with the exponential decay times, the exponentially modified Gaussian (for two decays, the
hypoexponential mixture of two of them), its mean and variance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import log_ndtr, ndtr

from darkbeam.detectors.cevns_detectors import CEVNS_DETECTORS, DENSITY
from darkbeam.errors import ConfigurationError
from darkbeam.processes.rare_scatter import simulate
from darkbeam.sources.dar import (
    SNS_PULSE,
    TAU_NS,
    ProtonPulse,
    dar_config,
    production_times,
)
from darkbeam.units import C_LIGHT_CM_PER_NS

TAU_PI, TAU_MU = TAU_NS["pi+"], TAU_NS["mu+"]


def emg_cdf(x, sigma, tau):
    """CDF of N(0, sigma^2) + Exp(mean tau): Phi(x/s) - exp(-x/tau + s^2/(2 tau^2)) Phi(x/s - s/tau)."""
    x = np.asarray(x, dtype=float)
    lam = 1.0 / tau
    log_tail = -lam * x + 0.5 * (lam * sigma) ** 2 + log_ndtr(x / sigma - lam * sigma)
    return ndtr(x / sigma) - np.exp(log_tail)


def delayed_cdf(x, sigma, tau1, tau2):
    """CDF of N(0, sigma^2) + Exp(tau1) + Exp(tau2): the hypoexponential CDF
    [b (1 - e^{-a t}) - a (1 - e^{-b t})]/(b - a), a = 1/tau1, b = 1/tau2, convolved term by term."""
    a, b = 1.0 / tau1, 1.0 / tau2
    return (b * emg_cdf(x, sigma, tau1) - a * emg_cdf(x, sigma, tau2)) / (b - a)


@pytest.fixture(scope="module")
def csi():
    return simulate("cevns", "csi_2017", n=3000, rng=np.random.default_rng(11), seed=11)


def _flavour(es, name):
    return np.array([c.name.split()[0] == name for c in es.cases])[es.columns["case"]]


def test_geometry_holds_the_detector_mass_and_is_a_vertical_cylinder():
    for det in CEVNS_DETECTORS.values():
        g = det.geometry
        assert g is not None
        assert math.isclose(g.volume * DENSITY[det.material] * 1e-3, det.mass_kg, rel_tol=1e-12)
        assert np.allclose(g.axis, (0.0, 1.0, 0.0)) and np.allclose(g.center, 0.0)
        assert np.allclose(det.source_position, (0.0, 0.0, -100.0 * det.distance_m))
        assert any("from memory" in c or "equivalent" in c for c in det.caveats)
    csi = CEVNS_DETECTORS["csi_2017"].geometry
    assert csi.radius == 5.5 and abs(csi.length - 34.0) < 0.01


def test_vertices_are_uniform_in_the_active_cylinder(csi):
    """chi^2 of the vertex distribution against a uniform cylinder: axial coordinate flat in
    [-L/2, L/2], r^2/R^2 flat in [0, 1], azimuth flat in [0, 2 pi) (10, 10 and 8 bins)."""
    g = CEVNS_DETECTORS["csi_2017"].geometry
    c = csi.columns
    v = np.column_stack([c["x"], c["y"], c["z"]])
    assert g.contains(v).all()
    n = v.shape[0]
    s = v[:, 1]  # the axis is y
    r2 = (v[:, 0] ** 2 + v[:, 2] ** 2) / g.radius**2
    phi = np.arctan2(v[:, 2], v[:, 0]) % (2 * math.pi)
    for x, lo, hi, k in ((s, -g.length / 2, g.length / 2, 10), (r2, 0.0, 1.0, 10), (phi, 0.0, 2 * math.pi, 8)):
        counts, _ = np.histogram(x, bins=k, range=(lo, hi))
        assert counts.sum() == n
        chi2 = float(np.sum((counts - n / k) ** 2 / (n / k)))
        assert stats.chi2.sf(chi2, k - 1) > 1e-4, (chi2, k)


def test_production_times_follow_the_closed_form():
    """Prompt (pi+) and delayed (pi+ then mu+) production times with the SNS pulse: mean, variance and the
    whole distribution (Kolmogorov-Smirnov) against the Gaussian convolved with the exponentials."""
    rng = np.random.default_rng(5)
    n = 200_000
    sig = SNS_PULSE.sigma_ns
    assert math.isclose(sig * 2 * math.sqrt(2 * math.log(2)), 360.0)
    for k, mean, var, cdf in (
        (1, TAU_PI, sig**2 + TAU_PI**2, lambda x: emg_cdf(x, sig, TAU_PI)),
        (2, TAU_PI + TAU_MU, sig**2 + TAU_PI**2 + TAU_MU**2, lambda x: delayed_cdf(x, sig, TAU_PI, TAU_MU)),
    ):
        t = production_times(np.full(n, k), rng, SNS_PULSE)
        assert abs(t.mean() - mean) < 5 * math.sqrt(var / n), (t.mean(), mean)
        m4 = np.mean((t - t.mean()) ** 4)
        assert abs(t.var() - var) < 5 * math.sqrt((m4 - var**2) / n), (t.var(), var)
        assert stats.kstest(t, cdf).pvalue > 1e-4
    # no pulse: pure exponentials
    t = production_times(np.full(n, 1), rng)
    assert t.min() >= 0 and abs(t.mean() - TAU_PI) < 5 * TAU_PI / math.sqrt(n)


def test_event_times_separate_prompt_and_delayed_flavours(csi):
    """t - flight is the production time: nu_mu (the 29.8 MeV line, prompt) has mean tau_pi, nu_mu_bar
    (Michel, delayed) tau_pi + tau_mu; the weighted counts of each flavour in the prompt window
    t - flight < 1 us equal the flavour's rate x the closed-form fraction, within 5 standard errors."""
    c = csi.columns
    v = np.column_stack([c["x"], c["y"], c["z"]])
    src = CEVNS_DETECTORS["csi_2017"].source_position
    flight = np.linalg.norm(v - src, axis=1) / C_LIGHT_CM_PER_NS
    assert np.all(np.abs(flight - 1930.0 / C_LIGHT_CM_PER_NS) < 0.6)  # 19.3 m +- the crystal's half-size
    tp = c["t"] - flight
    sig = SNS_PULSE.sigma_ns
    window = 1000.0
    for flavour, mean, var, frac in (
        ("nu_mu", TAU_PI, sig**2 + TAU_PI**2, emg_cdf(window, sig, TAU_PI)),
        ("nu_mu_bar", TAU_PI + TAU_MU, sig**2 + TAU_PI**2 + TAU_MU**2, delayed_cdf(window, sig, TAU_PI, TAU_MU)),
    ):
        sel = _flavour(csi, flavour)
        t = tp[sel]
        assert abs(t.mean() - mean) < 5 * math.sqrt(var / t.size)
        w = csi.w[sel]
        inside = t < window
        expected = w.sum() * frac
        err = math.sqrt(np.sum(w * w) * frac * (1 - frac))
        assert abs(w[inside].sum() - expected) < 5 * err, (flavour, w[inside].sum(), expected, err)
    # the prompt window holds nearly all nu_mu and a small part of the delayed flavours
    assert emg_cdf(window, sig, TAU_PI) > 0.99 and delayed_cdf(window, sig, TAU_PI, TAU_MU) < 0.4
    assert csi.meta["time_origin"].startswith("t = 0 at the centre of the proton pulse")
    assert any("SNS pulse" in x for x in csi.meta["caveats"])


def test_nu_e_line_is_prompt():
    """The 69.8 MeV nu_e line (pi -> e nu) is prompt, the nu_e Michel continuum delayed."""
    from darkbeam.processes.rare_scatter import _times

    rng = np.random.default_rng(2)
    n = 20_000
    vtx = np.zeros((n, 3))
    line = np.arange(n) % 2 == 0
    t = _times(("dar", np.array([0.0, 0.0, -1930.0]), None), np.full(n, 0.05), line, vtx, rng)
    flight = 1930.0 / C_LIGHT_CM_PER_NS
    assert abs((t[line] - flight).mean() - TAU_PI) < 5 * TAU_PI / math.sqrt(n / 2)
    assert abs((t[~line] - flight).mean() - TAU_PI - TAU_MU) < 5 * TAU_MU / math.sqrt(n / 2)


def test_sns_configuration_and_bad_input():
    assert dar_config("coherent").pulse is SNS_PULSE and SNS_PULSE.rate_hz == 60.0
    assert dar_config("jsns2").pulse is None
    assert math.isclose(SNS_PULSE.period_ns, 1e9 / 60)
    for kw in ({"rate_hz": 60.0, "fwhm_ns": -1.0}, {"rate_hz": 0.0, "fwhm_ns": 360.0},
               {"rate_hz": 60.0, "fwhm_ns": float("nan")}):
        with pytest.raises(ConfigurationError):
            ProtonPulse(**kw)
    with pytest.raises(ConfigurationError, match="0 to 2 decays"):
        production_times(np.array([3]), np.random.default_rng(1))
