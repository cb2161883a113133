"""L_mu - L_tau planes from neutrino tridents (analysis/trident_limits.py, ``darkbeam plane --process trident``).

Independent references: the four-fermion closed form of Altmannshofer, Gori, Pospelov, Yavin 1406.2332
eq. 5 (CCFR ratio at 160 GeV, heavy Z'), the heavy-Z' scaling (gX/m_Z' constant), the exact quadratic
dependence of the yield on gX^2 checked at a fourth coupling, and the Gaussian limit of the counting
limit.  Uses the cached Ar40 dimuon tables of tests/test_trident*.py (coherent and diffractive).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from darkbeam import constants as C
from darkbeam.analysis import rare_limits as RL
from darkbeam.cli.main import main
from darkbeam.errors import ConfigurationError

DUNE = pytest.mark.requires_data("DUNE_ND_FHC")


def test_ccfr_heavy_limit_matches_the_four_fermion_closed_form():
    """sigma/sigma_SM = [(1 + 4 s^2 + 2 v^2 g^2/M^2)^2 + 1] / [(1 + 4 s^2)^2 + 1] (1406.2332 eq. 5) set equal
    to the CCFR 90 % CL ratio 0.82 + 1.2816 x 0.28: g/M within 2 % (the muon mass correction at 160 GeV)."""
    res = RL.plane_limit("ccfr_trident", "Lmu-Ltau", [200.0, 400.0])
    up = 0.82 + 1.2816 * 0.28
    assert res.s_up == pytest.approx(up, rel=1e-4, abs=0)
    a = 1.0 + 4.0 * C.SW2_LOW_Q2
    y = math.sqrt(up * (a * a + 1.0) - 1.0) - a  # = 2 v^2 g^2/M^2
    v2 = 1.0 / (math.sqrt(2.0) * C.G_F)
    g_over_m = math.sqrt(y / (2.0 * v2))
    np.testing.assert_allclose(res.limit / res.masses, g_over_m, rtol=0.02, atol=0)
    np.testing.assert_allclose(res.limit[1] / res.limit[0], 2.0, rtol=1e-3, atol=0)  # gX/m constant
    assert np.all(res.poly[:, 1] > 0)  # constructive interference (1406.2332)
    exp = RL.plane_limit("ccfr_trident", "Lmu-Ltau", [200.0], expected=True)
    assert exp.s_up == pytest.approx(1.0 + 1.2816 * 0.28, rel=1e-4, abs=0) and exp.limit[0] > res.limit[0]


@DUNE
def test_dune_polynomial_is_exact_and_heavy_limit_scales():
    """N(gX) = A + B gX^2 + C gX^4 against a direct flux fold at a fourth coupling (1e-3: the tables are
    interpolated in log sigma); the heavy-Z' limit has gX/m_Z' constant (1e-3 at 50 and 100 GeV)."""
    from darkbeam.analysis.trident_limits import trident_yield_polynomial
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.physics.trident import trident_xsec
    from darkbeam.physics.trident_channels import zprime_for_channel
    from darkbeam.processes.cases import experiment_flux

    m, g = 0.05, 1.5e-3
    poly = trident_yield_polynomial("dune_nd_fhc", "Lmu-Ltau", [m], regimes=("coherent",))[0]
    exp = load_experiment("dune_nd_fhc")
    flux = experiment_flux(exp)
    direct = 0.0
    for f, ch in (("nu_mu", "nu_mu -> nu_mu mu+ mu-"), ("nu_mu_bar", "nu_mu_bar -> nu_mu_bar mu+ mu-")):
        zp = zprime_for_channel(ch, "Lmu-Ltau", g, m)
        direct += flux.fold(lambda E: trident_xsec(E, channel=ch, target="Ar40", zprime=zp), f, order=8)
    direct *= exp.targets[0].n_nuclei * exp.pot
    assert poly[0] + poly[1] * g**2 + poly[2] * g**4 == pytest.approx(direct, rel=1e-3, abs=0)
    assert direct > 1.05 * poly[0]  # the test coupling is a visible excess
    res = RL.plane_limit("dune_nd_fhc", "Lmu-Ltau", [50.0, 100.0], process="trident")
    np.testing.assert_allclose(res.limit[1] / res.limit[0], 2.0, rtol=1e-3, atol=0)


@DUNE
def test_dune_projection_is_an_expected_limit_set_by_the_yield():
    """No background, 5 % normalisation: the excluded yield is the Gaussian N + 1.28 sqrt(N + (0.05 N)^2)
    within 5 %; a background and a larger normalisation uncertainty weaken the limit."""
    res = RL.plane_limit("dune_nd_fhc", "Lmu-Ltau", [0.01, 1.0], process="trident")
    n = res.measurement.reference
    assert res.expected and res.measurement.background == 0.0 and 300 < n < 3000
    assert res.s_up == pytest.approx(n + 1.2816 * math.sqrt(n + (0.05 * n) ** 2), rel=0.05, abs=0)
    worse = RL.plane_limit("dune_nd_fhc", "Lmu-Ltau", [0.01, 1.0], process="trident", background=500.0,
                           normalisation=0.2)
    assert np.all(worse.limit > res.limit) and np.all(np.isfinite(res.limit))


def run(capsys, *argv):
    code = main(["plane", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@DUNE
def test_cli_json(capsys):
    code, out, err = run(capsys, "--process", "trident", "-e", "dune_nd_fhc", "--charge", "Lmu-Ltau", "--masses",
                         "0.01", "1", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert (d["process"], d["experiment"], d["charge"], d["expected"]) == ("trident", "dune_nd_fhc_trident",
                                                                           "Lmu-Ltau", True)
    assert (d["quantity"], d["normalisation_uncertainty"], d["background"]) == ("events", 0.05, 0.0)
    assert d["masses_GeV"] == [0.01, 1.0] and all(g > 0 for g in d["limit_gX"])
    code, out, err = run(capsys, "-e", "ccfr_trident", "--charge", "Lmu-Ltau", "--masses", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["quantity"] == "sigma/sigma_SM"


@pytest.mark.parametrize("argv, msg", [
    (("-e", "ccfr_trident", "--masses", "1", "--charge", "B-L"), "lepton-flavour Z' only"),
    (("-e", "ccfr_trident", "--masses", "1", "--charge", "Le-Ltau"), "does not change"),
    (("-e", "ccfr_trident", "--masses", "1", "--charge", "Lmu-Ltau", "--normalisation", "0.1"), "own error"),
    (("-e", "ccfr_trident", "--masses", "1", "--charge", "Lmu-Ltau", "--background", "3"), "fixed by the data"),
    (("-e", "ccfr_trident", "--masses", "1", "--charge", "Lmu-Ltau", "--process", "nu-e"), "measures trident"),
    (("-e", "dune_nd_fhc", "--process", "trident", "--masses", "1", "--charge", "Lmu-Ltau", "--background", "-1"),
     "non-negative"),
    (("-e", "dune_nd_fhc", "--process", "trident", "--masses", "1", "--charge", "Lmu-Ltau", "--normalisation", "2"),
     "[0, 1)"),
])
def test_cli_bad_input_is_one_line(capsys, argv, msg):
    code, out, err = run(capsys, *argv)
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and msg in err, err


def test_unknown_experiment_for_tridents():
    with pytest.raises(ConfigurationError, match="unknown experiment"):
        RL.plane_limit("nomad", "Lmu-Ltau", [1.0], process="trident")


def _published(key, masses):
    label, m, g = RL.reference_curve(key, "Lmu-Ltau")
    return np.exp(np.interp(np.log(masses), np.log(m), np.log(g)))


def test_ccfr_plane_against_the_published_curve():
    """CCFR at 95 % CL (as 1406.2332 draw it) against its curve digitized from 1902.08579's L_mu - L_tau
    figure (analysis/searches/curves/ccfr_trident_lmultau_1902_08579.csv): within 25 % in gX from 3 MeV
    to 10 GeV (measured 0.88-0.97: darkbeam compares at 160 GeV instead of the CCFR flux average)."""
    masses = [0.003, 0.03, 0.3, 3.0, 10.0]
    res = RL.plane_limit("ccfr_trident", "Lmu-Ltau", masses, cl=0.95)
    ratio = res.limit / _published("ccfr_trident", masses)
    assert np.all((ratio > 0.75) & (ratio < 1.25)), ratio


@DUNE
def test_dune_projection_against_ballett_et_al():
    """DUNE ND dimuon projection (expected, no background, 5 % normalisation) against the 90 % CL line
    of Ballett et al. 1902.08579 (75 t, nu + nubar runs, their cuts; digitized): within a factor 1.5 from
    3 MeV to 10 GeV (measured 0.93-1.15)."""
    masses = [0.003, 0.03, 0.3, 3.0, 10.0]
    res = RL.plane_limit("dune_nd_fhc", "Lmu-Ltau", masses, process="trident")
    ratio = res.limit / _published("dune_nd_fhc_trident", masses)
    assert np.all((ratio > 1.0 / 1.5) & (ratio < 1.5)), ratio


@DUNE
def test_flux_averaged_ratio_equals_the_yield_polynomial_over_its_sm_yield():
    """<sigma(gX)>/<sigma_SM> over a flux (the CCFR-style ratio) is the nu_mu yield polynomial divided by its
    SM term: two folds of the same tables (1e-9), A = 1 exactly, and constructive interference (B > 0)."""
    from darkbeam.analysis.trident_limits import trident_ratio_polynomial_folded, trident_yield_polynomial

    masses = [0.01, 1.0]
    folded = trident_ratio_polynomial_folded("Lmu-Ltau", masses, experiment="dune_nd_fhc", target="Ar40")
    yld = trident_yield_polynomial("dune_nd_fhc", "Lmu-Ltau", masses, flavours=("nu_mu",))
    np.testing.assert_allclose(folded, yld / yld[:, :1], rtol=1e-9, atol=0)
    assert np.all(folded[:, 0] == 1.0) and np.all(folded[:, 1] > 0)
