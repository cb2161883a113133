"""L_mu - L_tau (and L_e - L_x) Z' planes from neutrino tridents: the DUNE ND dimuon projection and the
CCFR measurement of sigma/sigma_SM (docs/rare_limits.md, section 7).

A vector Z' adds k(t) = g_nu g_l / (sqrt2 G_F (m^2 - t)) to the vector coupling C_V of the trident
operator (physics/trident_channels.py; Altmannshofer, Gori, Pospelov, Yavin 1406.2332 eq. 5 in the heavy
limit).  For a gauged charge g_nu g_l = gX^2 Q_nu Q_l, so the binned cross section
sigma = sum_t [C_V(t)^2 VV + C_A^2 AA +- 2 C_V(t) C_A VA] (physics/trident.py ``combine``) is exactly
quadratic in x = gX^2, and so is every flux fold of it: N = A + B x + C x^2.

* :func:`trident_yield_polynomial`: (A, B, C) of the flux x sigma x nuclei x POT yield at a catalog
  experiment, summed over the dimuon channels of the beam's nu_mu and nu_mu_bar and the regimes
  (coherent, diffractive), from the tabulated cross sections (``trident_xsec``) evaluated at x = 0, +-h.
  The table is interpolated in log sigma, so the three-point polynomial reproduces a fourth direct
  evaluation to the interpolation's nonlinearity (<= 1e-3, tests).
* :func:`trident_ratio_polynomial`: (A, B, C) of sigma(x)/sigma_SM at one energy (the CCFR mean energy
  160 GeV on Fe56, coherent: CCFR's flux is not in the catalog), from one direct vegas integration
  (``trident_pieces``) recombined per mass, so A = 1.

Tree level only: the loop kinetic mixing of L_mu - L_tau adds e eps ~ e^2 gX/(12 pi^2) ln(m_tau^2/m_mu^2)
~ 0.004 gX to the muon coupling (< 1 % of gX), neglected here.
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError

#: the dimuon channel of each beam flavour (the same-flavour NC+CC channel of nu_mu and nu_mu_bar)
DIMUON_CHANNELS = {"nu_mu": "nu_mu -> nu_mu mu+ mu-", "nu_mu_bar": "nu_mu_bar -> nu_mu_bar mu+ mu-"}


def _charges(charge: str) -> dict[str, float]:
    from darkbeam.physics.trident_channels import LEPTON_CHARGES

    if charge not in LEPTON_CHARGES:
        raise ConfigurationError(f"tridents constrain the lepton-flavour Z' only: charge '{charge}' is not one of "
                                 f"{', '.join(LEPTON_CHARGES)}")
    return LEPTON_CHARGES[charge]


def _couplings(ch, charges: dict[str, float], x: float, mass: float):
    """Z' of the channel with g_nu g_l = x Q_nu Q_l (x = gX^2, any sign)."""
    from darkbeam.physics.trident_channels import ZPrimeCouplings

    return ZPrimeCouplings(x * charges[ch.flavour_in], charges[ch.pair_flavour], float(mass))


def _step(mass: float) -> float:
    """x with a Z' shift of C_V of order 0.1 at |t| ~ 0.1 GeV^2 (N is quadratic: any value works)."""
    return 0.1 * math.sqrt(2.0) * C.G_F * (mass**2 + 0.1)


def trident_yield_polynomial(experiment: str, charge: str, masses, *, regimes=("coherent", "diffractive"),
                             flavours=("nu_mu", "nu_mu_bar")) -> np.ndarray:
    """(A, B, C) per mass (shape (len(masses), 3)) of the dimuon trident yield N = A + B gX^2 + C gX^4 at
    catalog experiment ``experiment`` (flux x sigma x nuclei x POT, unit efficiency)."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.physics.trident import E_MAX, trident_xsec
    from darkbeam.physics.trident_channels import channel
    from darkbeam.processes.cases import experiment_flux

    charges = _charges(charge)
    masses = np.atleast_1d(np.asarray(masses, dtype=float))
    exp = load_experiment(experiment)
    flux = experiment_flux(exp)
    if float(np.max(flux.energies)) > E_MAX:
        raise ConfigurationError(f"{exp.keyword}: the flux reaches {float(np.max(flux.energies)):.4g} GeV, beyond "
                                 f"the trident tables (E <= {E_MAX:g} GeV)")
    out = np.zeros((masses.size, 3))
    for f in flavours:
        if f not in flux.flavours:
            continue
        ch = channel(DIMUON_CHANNELS[f])
        for tg in exp.targets:
            for regime in regimes:
                scale = tg.n_nuclei * exp.pot

                def fold(zp, ch=ch, tg=tg, regime=regime):
                    return scale * flux.fold(lambda E: trident_xsec(E, channel=ch.name, regime=regime, target=tg.name,
                                                                    zprime=zp), f, order=8)

                a = fold(None)
                for i, m in enumerate(masses):
                    h = _step(float(m))
                    plus, minus = fold(_couplings(ch, charges, h, m)), fold(_couplings(ch, charges, -h, m))
                    out[i] += (a, (plus - minus) / (2.0 * h), (plus + minus - 2.0 * a) / (2.0 * h * h))
    if out[0, 0] <= 0.0:
        raise ConfigurationError(f"no dimuon tridents at {exp.keyword} (no nu_mu flux above threshold)")
    return out


def trident_ratio_polynomial(charge: str, masses, *, energy: float = 160.0, target: str = "Fe56",
                             regime: str = "coherent", neval: int = 10000, seed: int = 1) -> np.ndarray:
    """(A = 1, B, C) per mass of sigma(gX)/sigma_SM for nu_mu -> nu_mu mu+ mu- at one ``energy`` (GeV):
    the t-binned pieces of one vegas integration recombined with each Z' (exact in gX: ``combine``)."""
    from darkbeam.physics.trident import combine, trident_pieces
    from darkbeam.physics.trident_channels import channel

    charges = _charges(charge)
    ch = channel(DIMUON_CHANNELS["nu_mu"])
    hist, _ = trident_pieces(float(energy), channel_name=ch.name, target=target, regime=regime, neval=neval, seed=seed)
    cv, ca = ch.sm_couplings()
    sm = combine(hist, cv, ca, None, False)
    masses = np.atleast_1d(np.asarray(masses, dtype=float))
    out = np.empty((masses.size, 3))
    for i, m in enumerate(masses):
        h = _step(float(m))
        plus = combine(hist, cv, ca, _couplings(ch, charges, h, m), False) / sm
        minus = combine(hist, cv, ca, _couplings(ch, charges, -h, m), False) / sm
        out[i] = (1.0, (plus - minus) / (2.0 * h), (plus + minus - 2.0) / (2.0 * h * h))
    return out


def trident_ratio_polynomial_folded(charge: str, masses, *, experiment: str = "nutev_fhc", target: str = "Fe56",
                                    regimes=("coherent", "diffractive")) -> np.ndarray:
    """(A = 1, B, C) per mass of the flux-averaged ratio <sigma(gX)>/<sigma_SM> for nu_mu -> nu_mu mu+ mu- on
    ``target`` (regimes summed), the flux being the nu_mu flux of catalog ``experiment`` (shape only: the
    normalisation cancels).  CCFR's sigma/sigma_SM is such a ratio over its own beam; that beam is not in
    the catalog, and ``nutev_fhc`` (same Lab E detector, a later sign-selected beam) is a proxy for its
    shape (docs/rare_limits.md section 7).  Exact in gX: the tabulated sigma is quadratic in gX^2."""
    from darkbeam.detectors.catalog import load_experiment
    from darkbeam.physics.trident import E_MAX, trident_xsec
    from darkbeam.physics.trident_channels import channel
    from darkbeam.processes.cases import experiment_flux

    charges = _charges(charge)
    ch = channel(DIMUON_CHANNELS["nu_mu"])
    exp = load_experiment(experiment)
    flux = experiment_flux(exp)
    if "nu_mu" not in flux.flavours:
        raise ConfigurationError(f"{exp.keyword}: no nu_mu flux to average the dimuon trident cross section over")
    emax = min(float(np.max(flux.energies)), E_MAX)

    def fold(zp):
        return sum(flux.fold(lambda E, r=r: trident_xsec(E, channel=ch.name, regime=r, target=target, zprime=zp),
                             "nu_mu", emax=emax, order=8) for r in regimes)

    sm = fold(None)
    masses = np.atleast_1d(np.asarray(masses, dtype=float))
    out = np.empty((masses.size, 3))
    for i, m in enumerate(masses):
        h = _step(float(m))
        plus, minus = fold(_couplings(ch, charges, h, m)) / sm, fold(_couplings(ch, charges, -h, m)) / sm
        out[i] = (1.0, (plus - minus) / (2.0 * h), (plus + minus - 2.0) / (2.0 * h * h))
    return out
