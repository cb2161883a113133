"""Event rates of charged-current quasi-elastic scattering: flux x sigma x targets x POT.

    N_l = POT * sum_targets n_nuclei * integral dE Phi_l(E) sigma_CCQE(E; target)

with the flux in nu/cm^2/GeV/POT (:class:`darkbeam.sources.flux.Flux`, oscillated or not), the cross
section per nucleus of :func:`darkbeam.physics.ccqe.sigma_nucleus` (tabulated on
:data:`GRID_POINTS` logarithmic energies and interpolated linearly, which is within 1e-3 of the exact
fold for fluxes above 100 MeV; tests/test_ccqe.py) and the numbers of nuclei of an experiment's
targets (:meth:`darkbeam.detectors.catalog.Experiment.n_targets`).  docs/oscillations.md.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from darkbeam.physics.ccqe import PROJECTILES, sigma_nucleus

GRID_POINTS = 400
#: the relativistic Fermi gas is a 4-dimensional integral per energy: a coarser table (its sigma is smooth)
RFG_GRID_POINTS = 100


def sigma_table(projectile: str, target: str, emax: float, *, nucleon_model: str = "fermi-gas"):
    """sigma(E) per nucleus (cm^2) as a function of E (GeV), interpolated on a log grid up to ``emax``."""
    n = GRID_POINTS if nucleon_model != "rfg" else RFG_GRID_POINTS
    grid = np.concatenate(([0.0], np.geomspace(1e-3, max(emax, 2e-3) * 1.001, n)))
    values = sigma_nucleus(grid, projectile, target, nucleon_model=nucleon_model)

    def sigma(E):
        return np.interp(np.asarray(E, dtype=float), grid, values, right=values[-1])

    return sigma


def ccqe_events(flux, n_targets: Mapping[str, float], pot: float, *, flavours: Sequence[str] | None = None,
                nucleon_model: str = "fermi-gas") -> dict[str, float]:
    """CCQE events per flavour (module docstring): ``n_targets`` maps nuclei ('Ar40') to their numbers."""
    out: dict[str, float] = {}
    emax = flux.energy_range[1]
    for fl in flavours or [f for f in PROJECTILES if f in flux.flavours]:
        total = 0.0
        for target, n in n_targets.items():
            total += n * flux.fold(sigma_table(fl, target, emax, nucleon_model=nucleon_model), fl)
        out[fl] = float(pot * total)
    return out


def experiment_ccqe_events(exp, flux, *, nucleon_model: str = "fermi-gas", flavours=None) -> dict[str, float]:
    """:func:`ccqe_events` with an experiment's targets and exposure (its POT)."""
    return ccqe_events(flux, exp.n_targets(), exp.pot, flavours=flavours, nucleon_model=nucleon_model)
