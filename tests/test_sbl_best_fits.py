"""The LSND and MiniBooNE best-fit points against what the collaborations quote (docs/oscillations.md,
"Best-fit points and quoted numbers")."""

import math

import numpy as np
import pytest

from darkbeam.physics.oscillations import probabilities, two_flavour

# LSND appearance probability vs L/E (m/MeV) with its 1-sigma band, as plotted with MiniBooNE's 2018 L/E
# figure (PRL 121, 221801 (2018), Fig. 4): the values in MiniBooNE's plotting script in the code index
LSND_LE = np.array([0.44843, 0.54933, 0.65022, 0.75112, 0.85000, 0.94918, 1.05007, 1.30045])
LSND_P = np.array([0.00185267, 0.00123206, 0.00068009, 0.00150111, 0.00293999, 0.00479087, 0.00375835, 0.00464392])
LSND_LO = np.array([0.00054833, 0.00068286, 0.00013089, 0.00054001, 0.00088049, 0.00142702, -0.00166499, -0.00297621])
LSND_HI = np.array([0.00308837, 0.00184990, 0.00122928, 0.00246221, 0.00499959, 0.00829201, 0.00918169, 0.01219541])
#: (Dm^2 eV^2, sin^2 2theta): LSND (PRD 64, 112007); MiniBooNE 2018 nu+nubar (PRL 121, 221801; 0.041092,
#: 0.917743 in the same script); MiniBooNE 2020 (PRD 103, 052002)
BEST_FITS = {"LSND": (1.2, 0.003), "MiniBooNE 2018": (0.041092, 0.917743), "MiniBooNE 2020": (0.043, 0.807)}


def _p_two_flavour(dm2, s22, L_km, E, **kw):
    return probabilities(two_flavour(0.5 * math.asin(math.sqrt(s22))), [0.0, dm2], L_km, E, **kw)[:, 0, 1]


@pytest.mark.parametrize("name", list(BEST_FITS))
def test_best_fits_describe_the_lsnd_probabilities(name):
    """P(L/E) at LSND (L = 30 m) of each best fit against the 8 LSND points: chi^2 below the 95 % quantile
    for 8 points (15.5).  The LSND best fit gives 8.8, MiniBooNE's ~3.2 (they lie in the LSND region)."""
    dm2, s22 = BEST_FITS[name]
    P = _p_two_flavour(dm2, s22, 0.030, 0.030 / LSND_LE)
    chi2 = float(np.sum(((LSND_P - P) / ((LSND_HI - LSND_LO) / 2)) ** 2))
    assert chi2 < 15.5


@pytest.mark.requires_data("MiniBooNE_FHC")
def test_miniboone_best_fits_reproduce_the_quoted_excesses():
    """MiniBooNE quotes events, not a probability: nu_e CCQE excesses of 381.2 +- 85.2 (12.84e20 POT,
    200 < E_QE < 1250 MeV; arXiv:1805.12028) and 638.0 +- 132.8 (18.75e20 POT; arXiv:2006.16883) in
    neutrino mode.  darkbeam's nu_mu -> nu_e appearance at each best fit (MiniBooNE flux, BNB decay pipe,
    CCQE Fermi gas on the whole 818 t, no efficiency, true E in 0.2-1.25 GeV) gives ~1820 and ~2470 events,
    so the implied acceptance A = excess / N_darkbeam must be that of MiniBooNE's selection: more than 2
    sigma above 0 and, 2 sigma down, below the fiducial fraction (R < 500 cm of the 610 cm tank: 0.55), and
    the same for both analyses (one detector and selection) within 1 sigma of the quoted errors."""
    from darkbeam.analysis.ccqe_rates import sigma_table
    from darkbeam.detectors import load_experiment
    from darkbeam.processes.cases import experiment_flux
    from darkbeam.sources.oscillated import decay_region_m, experiment_beam

    exp = load_experiment("miniboone_fhc")
    flux = experiment_flux(exp, "file")
    z0, z1 = decay_region_m(experiment_beam(exp))
    assert (z0, z1) == (0.0, 50.0)
    L, pipe = (exp.baseline / 100.0 - z0) / 1000.0, (z1 - z0) / 1000.0
    E = np.linspace(0.2, 1.25, 2001)
    sig = sum(n * sigma_table("nu_e", t, 2.0)(E) for t, n in exp.n_targets().items())
    acc = {}
    for key, pot, excess, err in (("MiniBooNE 2018", 12.84e20, 381.2, 85.2), ("MiniBooNE 2020", 18.75e20, 638.0, 132.8)):
        P = _p_two_flavour(*BEST_FITS[key], L, E, pipe_km=pipe)
        n = float(np.trapezoid(P * flux(E, "nu_mu") * sig, E)) * pot
        acc[key] = (excess / n, err / n)
        assert 0.0 < excess / n - 2 * err / n and excess / n - 2 * err / n < (500.0 / 610.0) ** 3
    (a1, e1), (a2, e2) = acc.values()
    assert abs(a1 - a2) < math.hypot(e1, e2)
