"""nu-e radiative corrections (physics/nu_electron_radiative.py) and detector response
(detectors/nu_e_response.py, analysis/nu_e_selection.py): independent checks."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics import nu_electron_radiative as R
from darkbeam.physics.nu_electron import NuElectronXsec


def test_effective_couplings_match_pdg_standard_model_values():
    # PDG "Electroweak model" review, nu-e table: SM g_A^{nu e} = -0.5064, g_V^{nu e} = -0.0397
    # (quoted from memory; flagged in docs/rare_scattering.md 2a).  g_{V,A} = C_L +- C_R for nu_mu, T -> 0.
    cl, cr = R.ew_couplings(1, 1e-9)
    assert float(cl - cr) == pytest.approx(-0.5064, rel=2e-4, abs=0)
    assert float(cl + cr) == pytest.approx(-0.0397, rel=0.02, abs=0)
    # rho = 1, kappa = 1 is the tree level with s^2 = sw2
    assert R.RHO_NC * 0.9970 * C.SW2_MSBAR_MZ == pytest.approx(float(cr), rel=1e-6, abs=0)


def test_vacuum_polarisation_function_limits():
    # I(T) -> T/(15 m_e) as T -> 0 (series branch continuous with the closed form) and
    # -> (1/6) ln(2T/m_e) - 5/18 for T >> m_e
    T = np.array([1e-9, 1e-7, 2.8e-7, 2.9e-7, 1e-5])
    I = R.vacuum_polarisation_I(T)
    assert I[0] == pytest.approx(1e-9 / (15 * C.M_E), rel=1e-5, abs=0)
    np.testing.assert_allclose(I[2:4] / T[2:4], 1 / (15 * C.M_E), rtol=3e-3, atol=0)
    assert np.all(np.diff(I) > 0)
    big = 100.0
    asym = math.log(2 * big / C.M_E) / 6.0 - 5.0 / 18.0
    assert float(R.vacuum_polarisation_I(big)) == pytest.approx(asym, rel=1e-4, abs=0)


def test_qed_total_cross_section_has_the_initial_state_leading_log():
    """The total-cross-section QED correction must grow as -(2/3)(alpha/pi) ln(2E/m_e): final-state
    mass singularities cancel (KLN) and the initial-state collinear log of sigma ~ s is
    (alpha/2pi) L int dx P_ee(x) (x - 1) = -(2/3)(alpha/pi) L (Altarelli-Parisi kernel) -- a check of
    every logarithm in the transcribed BKS functions."""
    def mean_f(f, E):
        tm = 2 * E**2 / (C.M_E + 2 * E)
        return quad(lambda T: f(E, T), 0, tm, limit=400, points=[tm * 0.999, tm * 0.99999])[0] / tm

    for f, norm in ((R.qed_f_minus, lambda E: 1.0), (R.qed_F_plus, lambda E: 1.0 / 3.0)):
        slope = (mean_f(f, 1000.0) / norm(1000.0) - mean_f(f, 10.0) / norm(10.0)) / math.log(100.0)
        assert slope == pytest.approx(-2.0 / 3.0, rel=0.01, abs=0)


def test_radiative_options_and_sizes():
    E = np.array([1.0, 10.0])
    tree = NuElectronXsec("nu_mu").sigma(E)
    ew = NuElectronXsec("nu_mu", radiative="ew").sigma(E)
    full = NuElectronXsec("nu_mu", radiative="full").sigma(E)
    # rho^2 and kappa s^2(M_Z) against the tree level at the low-Q^2 s^2: +6 % for nu_mu e
    np.testing.assert_allclose(ew / tree, 1.0607, rtol=2e-3, atol=0)
    # QED of the total at 1-10 GeV: -1.4 to -1.8 % (initial-state log, above)
    assert np.all((full / ew > 0.97) & (full / ew < 0.99))
    # quadrature of the endpoint log: 12 x 8 nodes against 8x more
    fine = NuElectronXsec("nu_mu", radiative="full", n_panels=96).sigma(E)
    np.testing.assert_allclose(full, fine, rtol=1e-4, atol=0)
    with pytest.raises(ConfigurationError):
        NuElectronXsec("nu_mu", radiative="two-loop")
    assert NuElectronXsec("nu_mu", radiative="ew").sw2 == C.SW2_MSBAR_MZ
    assert NuElectronXsec("nu_mu").sw2 == C.SW2_LOW_Q2


def test_antineutrino_swap_with_radiative_couplings():
    # nubar: C_L and C_R swap; at E >> m_e sigma/E -> (2 G_F^2 m_e/pi)(C_R^2 + C_L^2/3) (T-independent part of kappa aside)
    x = NuElectronXsec("nu_mu_bar", radiative="ew")
    cl, cr = x.chiral_couplings(np.array([1e-9]))
    E = 0.05  # T <= 0.05 GeV: kappa(T) varies by < 1e-4
    hb = 0.3893793721e-27
    ref = 2 * C.G_F**2 * C.M_E / math.pi * (cr[0] ** 2 + cl[0] ** 2 / 3) * E * hb
    assert float(x.sigma(E)) == pytest.approx(ref, rel=2e-3, abs=0)


# ----------------------------------------------------------------------------- detector response
def test_angular_smearing_pass_probability_closed_form():
    """theta_true = 0, no energy smearing: theta_obs^2/sigma^2 is chi^2(2), P(E theta^2 < c) =
    1 - exp(-c/(2 E sigma^2))."""
    from dataclasses import replace

    from darkbeam.detectors.nu_e_response import nu_e_response, smear

    resp = replace(nu_e_response("dune_nd"), a_E=0.0, b_E=0.0, e_min=0.0)
    n, E = 200_000, 2.0
    Ee = np.full(n, E)
    _, theta, ok = smear(Ee, np.zeros(n), np.zeros(n), np.full(n, E), resp, np.random.default_rng(3))
    s = float(resp.sigma_theta(E))
    p = 1.0 - math.exp(-resp.etheta2_max / (2 * E * s * s))
    assert ok.mean() == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))
    assert np.mean(theta**2) == pytest.approx(2 * s * s, rel=0.02, abs=0)


@pytest.mark.requires_data("CHARMII_FHC")
def test_selected_yield_columns_and_rate():
    from darkbeam.analysis.nu_e_selection import apply_response, selected_yield
    from darkbeam.analysis.rare_rates import nu_e_events
    from darkbeam.detectors.nu_e_response import nu_e_response
    from darkbeam.processes.rare_scatter import simulate

    ev = simulate("nu-e", "charmii_fhc", None, n=2000, rng=np.random.default_rng(1), t_min=0.0, projectiles=["nu_mu"])
    out = apply_response(ev, nu_e_response("auto", "charmii_fhc"), np.random.default_rng(2))
    for k in ("electron_E_smeared", "electron_theta_smeared", "pass_cuts"):
        assert k in out.columns
    # the cut decision is the cuts applied to the stored smeared columns
    Eo, th = out.columns["electron_E_smeared"], out.columns["electron_theta_smeared"]
    ok = (Eo >= 3.0) & (Eo <= 24.0) & (Eo * th**2 < 2 * C.M_E)
    np.testing.assert_array_equal(ok, out.columns["pass_cuts"] > 0)
    r = selected_yield("charmii_fhc", n=4000, seed=5)
    assert r["all"] == pytest.approx(nu_e_events("charmii_fhc")["total"], rel=1e-9, abs=0)
    assert 0.0 < r["selected"] < r["all"]
    with pytest.raises(ConfigurationError):
        selected_yield("miniboone_fhc", n=200)


# ----------------------------------------------------------------------------- command line
def _run(capsys, *argv):
    from darkbeam.cli.main import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_radiative_and_response_options(capsys, tmp_path):
    import json

    code, out, err = _run(capsys, "xsec", "--process", "nu-e", "--radiative", "ew", "--energies", "10", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["radiative"] == "ew" and d["sw2"] == C.SW2_MSBAR_MZ
    assert d["sigma_cm2"][0] == pytest.approx(float(NuElectronXsec("nu_mu", radiative="ew").sigma(10.0)), rel=1e-12, abs=0)
    for argv in (("xsec", "--process", "cevns", "--radiative", "full", "-E", "0.03"),
                 ("xsec", "--process", "nu-e", "--radiative", "one-loop", "-E", "1"),
                 ("generate", "--process", "cevns", "--detector-response", "auto", "-n", "200"),
                 ("generate", "--process", "nu-e", "--experiment", "miniboone_fhc", "--detector-response", "auto",
                  "-n", "200")):
        code, out, err = _run(capsys, *argv)
        assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.requires_data("CHARMII_FHC")
def test_cli_generate_with_response_writes_smeared_columns(capsys, tmp_path):
    import json

    from darkbeam.events import read

    code, out, err = _run(capsys, "generate", "--process", "nu-e", "--experiment", "charmii_fhc", "-n", "500",
                          "--projectile", "nu_mu", "--radiative", "ew", "--detector-response", "auto", "--json",
                          "-o", str(tmp_path / "ev"))
    assert code == 0, err
    d = json.loads(out)
    ev = read(d["files"][0])
    assert ev.meta["radiative"] == "ew"
    sel = float((ev.w * ev.columns["pass_cuts"]).sum())
    assert d["selected_events"] == pytest.approx(sel, rel=1e-12, abs=0)
    assert 0 < d["selected_fraction"] < 1
