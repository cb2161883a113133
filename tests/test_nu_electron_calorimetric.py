"""nu-e spectrum of the combined electron + photon energy (``radiative="calorimetric"``,
physics/nu_electron_radiative.py; docs/rare_scattering.md, section 2b): sum rule and KLN checks."""

import json
import math

import numpy as np
import pytest
from scipy.integrate import quad

from darkbeam import constants as C
from darkbeam.physics import nu_electron_radiative as R
from darkbeam.physics.nu_electron import NuElectronXsec

A_PI = C.ALPHA_EM / math.pi


def _subtraction(proj, E):
    x = NuElectronXsec(proj, radiative="ew")

    def tree(Tp):
        cl, cr = x.chiral_couplings(Tp)
        a, b = (cr, cl) if x.antineutrino else (cl, cr)
        return R.dsigma_bracket(E, Tp, a, b, qed=False)

    tm = float(x.t_max(E))
    return (lambda T: float(R.fsr_subtraction(np.asarray(T), tree, tm))), tree, tm


@pytest.mark.parametrize("proj, E", [("nu_mu", 10.0), ("nu_e_bar", 0.01), ("nu_e", 1.0)])
def test_final_state_subtraction_integrates_to_zero(proj, E):
    """Exact sum rule: int dnu of the subtraction = 0 (photons only move energy from the electron to the
    calorimeter sum), against adaptive quadrature in ln T and ln(T_max - T)."""
    S, tree, tm = _subtraction(proj, E)
    size = quad(lambda T: float(R.fsr_log(T) * tree(np.array([T]))[0]), 0, tm, limit=200)[0]
    a = quad(lambda s: S(math.exp(s)) * math.exp(s), math.log(tm * 1e-12), math.log(tm / 2), limit=400)[0]
    b = quad(lambda v: S(tm * (1 - math.exp(-v))) * tm * math.exp(-v), math.log(2), 80, limit=400)[0]
    assert abs(a) > 1e-4 * size  # not trivially zero: it moves events from low to high nu
    assert abs(a + b) < 1e-4 * abs(a)  # the inner 2 x 4-node rule in ln z (2 x 8 nodes: 1e-9, the adaptive error)


@pytest.mark.parametrize("proj", ["nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar"])
def test_total_cross_section_equals_the_electron_spectrum_total(proj):
    E = np.array([0.003, 0.1, 3.0, 50.0])
    full = NuElectronXsec(proj, radiative="full").sigma(E)
    cal = NuElectronXsec(proj, radiative="calorimetric").sigma(E)
    assert np.allclose(cal, full, rtol=1e-4, atol=0)  # the recoil quadrature's accuracy (integrable endpoint logs)
    assert np.all(np.abs(cal / NuElectronXsec(proj, radiative="ew").sigma(E) - 1) > 1e-3)  # QED is in it


@pytest.mark.parametrize("proj", ["nu_mu", "nu_mu_bar", "nu_e"])
def test_combined_spectrum_has_only_the_initial_state_logarithm(proj):
    """KLN: summing the photons removes the final-state ln(m_e); what remains is the initial-state mass
    singularity of a sigma ~ s cross section, which rescales the spectrum in y = nu/E uniformly:
    d ln(dsigma/dnu)/d ln E = -(2/3)(alpha/pi) at every y (relative to the ew spectrum).  BKS's electron
    spectrum has slopes from +1.5 to -3.4 (alpha/pi) over the same y."""
    y = np.array([0.02, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97])
    slope = {}
    for r in ("full", "calorimetric"):
        d = []
        for E in (10.0, 100.0):
            x, x0 = NuElectronXsec(proj, radiative=r), NuElectronXsec(proj, radiative="ew")
            d.append(x.dsigma_dT(E, y * E) / x0.dsigma_dT(E, y * E) - 1)
        slope[r] = (d[1] - d[0]) / math.log(10.0) / A_PI
    assert np.allclose(slope["calorimetric"], -2.0 / 3.0, rtol=0.01, atol=0)
    assert np.ptp(slope["full"]) > 3.0


def test_inner_quadrature_and_sizes():
    y = np.array([0.01, 0.1, 0.5, 0.9, 0.99])
    x = NuElectronXsec("nu_mu", radiative="calorimetric")
    ref = x.dsigma_dT(10.0, y * 10.0)
    nodes = (R._U_NODES, R._U_WEIGHTS)
    try:
        R._U_NODES, R._U_WEIGHTS = np.polynomial.legendre.leggauss(24)
        fine = x.dsigma_dT(10.0, y * 10.0)
    finally:
        R._U_NODES, R._U_WEIGHTS = nodes
    assert np.allclose(ref, fine, rtol=1e-6, atol=0)
    # the combined spectrum's correction is flat in y (-1.4 % at 1 GeV) where the electron spectrum's runs
    # from +0.9 % to -9 %; it vanishes above T_max as the others
    x0 = NuElectronXsec("nu_mu", radiative="ew")
    T = np.array([0.05, 0.3, 0.5, 0.7]) * float(x0.t_max(1.0))
    rel = x.dsigma_dT(1.0, T) / x0.dsigma_dT(1.0, T) - 1
    assert np.all((rel > -0.016) & (rel < -0.012))
    assert float(x.dsigma_dT(1.0, 1.0)) == 0.0


def test_cli_calorimetric(capsys):
    from darkbeam.cli.main import main

    code = main(["xsec", "--process", "nu-e", "--radiative", "calorimetric", "-E", "2", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    assert d["radiative"] == "calorimetric" and d["sw2"] == C.SW2_MSBAR_MZ
    assert d["sigma_cm2"][0] == pytest.approx(float(NuElectronXsec("nu_mu", radiative="calorimetric").sigma(2.0)), rel=1e-12)
