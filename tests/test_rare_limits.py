"""Z' planes from measured rare-scattering yields (analysis/rare_limits.py, ``darkbeam plane``).

Independent references: the four-fermion limit (heavy Z': the yield depends on gX^2/m^2 only), the
light-mediator limit (m^2 below the smallest momentum transfer of the selection: no m dependence), the
exact quadratic dependence of the yield on gX^2 checked at a fourth coupling, the coverage of the
counting limit in Poisson toys, and published curves (Kavanagh's COHERENT fit, Bauer et al. / DarkCast
for CHARM-II) within stated factors.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam.analysis import rare_limits as RL
from darkbeam.analysis.statistics import Counting
from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError

CHARMII = pytest.mark.requires_data("CHARMII_FHC", "CHARMII_RHC")


# ------------------------------------------------------------------ statistics
def test_effective_background_reproduces_the_quoted_error():
    for m in RL.MEASUREMENTS.values():
        if m.projection or m.ratio_search:
            continue
        # Poisson error of (n - b) with n = N_obs + b is sqrt(n) = the quoted error
        assert math.sqrt(m.background + m.observed) == pytest.approx(m.error, rel=1e-12, abs=0)


def test_counting_limit_covers_in_toys():
    """CLs with a 20 % signal normalisation: the 90 % CL limit covers the true signal in >= 90 % of
    toys (CLs over-covers), toys drawn with the scale factor varied by its constraint."""
    rng = np.random.default_rng(12)
    b, s_true, sig = 40.0, 25.0, 0.2
    theta = np.clip(rng.normal(1.0, sig, 400), 0.0, None)
    n = rng.poisson(s_true * theta + b)
    limits = {k: Counting(b, float(k), sigma_signal=sig).upper_limit(0.9) for k in np.unique(n)}
    covered = np.mean([limits[k] >= s_true for k in n])
    assert covered >= 0.9 - 3.0 * math.sqrt(0.09 / n.size)
    assert covered <= 0.995  # not trivially conservative


# ------------------------------------------------------------------ yield polynomial and limits
@CHARMII
def test_yield_is_quadratic_in_gx2_and_interference_signs():
    meas = RL.measurement("charmii_fhc")
    m = 0.05
    (a, b, c), = RL.yield_polynomial(meas, "Le-Lmu", [m])
    med = RL.unit_mediator("Le-Lmu", m)
    x = 3.7e-9
    direct = RL._rate(meas, RL._scaled(med, x), RL.C.SW2_LOW_Q2)  # g_nu x gX^2 = x at unit gX elsewhere
    assert direct == pytest.approx(a + b * x + c * x * x, rel=1e-9, abs=0)
    # L_e - L_mu: constructive for the nu_mu beam, destructive for the nu_mu_bar beam (1902.08579)
    assert b > 0
    (_, b_rhc, _), = RL.yield_polynomial(RL.measurement("charmii_rhc"), "Le-Lmu", [m])
    assert b_rhc < 0


@CHARMII
def test_nu_e_heavy_and_light_limits():
    lim = RL.plane_limit("charmii_fhc", "Le-Lmu", [1e-4, 1e-3, 40.0, 80.0]).limit
    # light Z' (m^2 << 2 m_e T_min = 3e-3 GeV^2): independent of m
    assert lim[1] / lim[0] == pytest.approx(1.0, rel=1e-3, abs=0)
    # heavy Z': four-fermion limit, gX/m constant
    assert lim[3] / lim[2] == pytest.approx(2.0, rel=1e-3, abs=0)


def test_cevns_one_fold_polynomial_equals_the_full_rate():
    """The one-fold CEvNS polynomial (recoil kernel x vector charges) against three full rate
    evaluations (rare_rates.cevns_events) per mass, with and without loop mixing."""
    meas = RL.measurement("coherent_ar_2020")
    for charge in ("B-L", "Lmu-Ltau"):
        fast = RL.yield_polynomial(meas, charge, [0.003, 2.0])
        full = RL.yield_polynomial(meas, charge, [0.003, 2.0], exact=True)
        np.testing.assert_allclose(fast, full, rtol=1e-6, atol=0)


def test_cevns_heavy_and_light_limits_and_sign():
    res = RL.plane_limit("coherent_csi_2017", "B-L", [3e-4, 1e-3, 20.0, 40.0])
    lim = res.limit
    assert lim[1] / lim[0] == pytest.approx(1.0, rel=3e-3, abs=0)  # m^2 << 2 M T_th ~ 1e-3 GeV^2
    assert lim[3] / lim[2] == pytest.approx(2.0, rel=1e-3, abs=0)
    assert np.all(res.poly[:, 1] > 0)  # B-L: constructive


def test_cevns_universal_vector_against_kavanagh():
    """Equal couplings g to neutrinos and quarks (destructive sign): the far edge of the allowed region
    against the Delta chi^2 = 2.706 edge of Kavanagh's COHERENT 2017 total-count fit, within 10 %
    (measured: 3-4 %)."""
    masses = [1e-3, 0.1, 10.0]
    res = RL.plane_limit("coherent_csi_2017", "universal", masses)
    label, m, g = RL.reference_curve("coherent_csi_2017", "universal")
    ref = np.exp(np.interp(np.log(masses), np.log(m), np.log(g)))
    np.testing.assert_allclose(res.limit, ref, rtol=0.10, atol=0)
    assert np.all(res.poly[:, 1] < 0)  # g_nu g_q > 0: destructive


@CHARMII
def test_charmii_against_bauer_et_al():
    """CHARM-II B-L (antineutrino run: constructive) and L_e - L_mu (neutrino run) against the curves of
    Bauer, Foldenauer, Jaeckel 1803.05466 (as digitized / recast by DarkCast) within a factor 1.5
    (measured 1.15-1.45: they combine both runs in a fit of the effective couplings)."""
    masses = [0.01, 0.1, 1.0, 100.0]
    for exp, charge in (("charmii_rhc", "B-L"), ("charmii_fhc", "Le-Lmu")):
        res = RL.plane_limit(exp, charge, masses)
        _, m, g = RL.reference_curve(exp, charge)
        ref = np.exp(np.interp(np.log(masses), np.log(m), np.log(g)))
        ratio = res.limit / ref
        assert np.all((ratio > 1.0 / 1.5) & (ratio < 1.5)), ratio


@pytest.mark.requires_data("DUNE_ND_FHC")
def test_projection_is_an_expected_limit_set_by_the_normalisation():
    """DUNE ND nu-e projection (no background, 5 % normalisation): the yield excluded is the Asimov SM
    yield N plus about 1.28 sqrt(N + (0.05 N)^2) (Gaussian limit of the CLs count, within 5 %)."""
    res = RL.plane_limit("dune_nd_fhc_nue", "Le-Lmu", [0.01, 1.0])
    n = res.measurement.reference
    assert res.expected and n == pytest.approx(float(res.poly[0, 0]), rel=1e-12, abs=0)
    gauss = n + 1.2816 * math.sqrt(n + (0.05 * n) ** 2)
    assert res.s_up == pytest.approx(gauss, rel=0.05, abs=0)
    assert np.all(np.isfinite(res.limit)) and res.limit[1] > res.limit[0]


def test_expected_limit_and_bad_input():
    obs = RL.yield_upper_limit(RL.measurement("coherent_csi_2017"))
    exp = RL.yield_upper_limit(RL.measurement("coherent_csi_2017"), expected=True)
    assert exp > obs  # 134 observed below the SM 173: the observed limit is stronger
    with pytest.raises(ConfigurationError):
        RL.measurement("nomad")
    with pytest.raises(ConfigurationError):
        RL.plane_limit("coherent_csi_2017", "dark", [0.1])
    with pytest.raises(ConfigurationError):
        RL.plane_limit("coherent_csi_2017", "B-L", [0.0])
    with pytest.raises(ConfigurationError):
        RL.plane_limit("coherent_csi_2017", "B-L", [0.1], process="nu-e")


# ------------------------------------------------------------------ command line
def run(capsys, *argv):
    code = main(["plane", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_and_plot(capsys, tmp_path):
    png = tmp_path / "p.png"
    code, out, err = run(capsys, "-x", "coherent_ar_2020", "--masses", "0.01", "1", "--json", "--plot", str(png))
    assert code == 0, err
    d = json.loads(out)
    assert (d["process"], d["experiment"], d["charge"]) == ("cevns", "coherent_ar_2020", "B-L")
    assert d["masses_GeV"] == [0.01, 1.0] and len(d["limit_gX"]) == 2
    lib = RL.plane_limit("coherent_ar_2020", "B-L", [0.01, 1.0]).limit
    assert d["limit_gX"] == pytest.approx(list(lib), rel=1e-12, abs=0)
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("argv, msg", [
    (("-x", "nomad", "--masses", "1"), "unknown experiment"),
    (("-e", "nomad", "-M", "1"), "unknown experiment"),  # -e as in generate and ccqe
    (("-x", "coherent_ar_2020", "--masses", "-1"), "positive"),
    (("-x", "coherent_ar_2020", "--masses", "1:0.1:3"), "MIN < MAX"),
    (("-x", "coherent_ar_2020", "--masses", "1:2"), "MIN:MAX:N"),
    (("-x", "coherent_ar_2020", "--masses", "abc"), "not a Z' mass"),
    (("-x", "coherent_ar_2020"), "give the Z' masses"),
    (("-x", "coherent_ar_2020", "--masses", "1", "--charge", "dark"), "unknown charge"),
    (("-x", "coherent_ar_2020", "--masses", "1", "--process", "nu-e"), "measures cevns"),
    (("-x", "coherent_ar_2020", "--masses", "1", "--process", "trident"), "measures cevns"),
    (("-x", "coherent_ar_2020", "--masses", "1", "--process", "dis"), "unknown process"),
    (("-x", "coherent_ar_2020", "--masses", "1", "--cl", "1.5"), "--cl"),
    (("-x", "coherent_ar_2020", "--masses", "1", "2", "--gx-grid", "1e-5:1e-3"), "MIN:MAX:N"),
    (("-x", "coherent_ar_2020", "--masses", "1", "--charge", "Le-Lmu", "--no-loop-mixing"), "does not change"),
    (("-x", "coherent_ar_2020", "--masses", "1", "2", "--plot", "/nonexistent/dir/p.png"), "--plot"),
])
def test_cli_bad_input_is_one_line(capsys, argv, msg):
    code, out, err = run(capsys, *argv)
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and msg in err, err
