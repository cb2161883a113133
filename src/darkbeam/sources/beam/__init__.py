"""The beam model: meson production, horn focusing, decays in flight, neutrino fluxes.

Public API
----------
* :func:`beam_flux` (beam, distance_m, off_axis_mrad, ...) -> BeamFlux (``.flux``, ``.by_parent``)
* :func:`beam_config`, :data:`BEAMS`: built-in beam lines bnb, numi, numi_me, lbnf, jparc, sps, wanf,
  cern_ps
* :class:`MesonProduction`: meson production spectra (pi+-, K+-, K0_L, pi0, eta, eta', rho0, omega,
  phi) for any proton momentum and target material; :func:`mesons_per_pot` samples the mesons that
  leave the target of a beam line per POT (interaction probability, re-interactions, absorption):
  the input for LLP production.
"""

from __future__ import annotations

from darkbeam.sources.beam.configs import (BEAMS, BNB, CERN_PS, JPARC, LBNF, NUMI, NUMI_ME, SPS, WANF, BeamConfig, DecayRegion,
                                           Target, beam_config)
from darkbeam.sources.beam.focusing import Horn, trace
from darkbeam.sources.beam.materials import MATERIALS, Material, material
from darkbeam.sources.beam.model import NEUTRINO_PARENTS, BeamFlux, MesonDecays, RegionExits, beam_flux, meson_decays
from darkbeam.sources.beam.production import PRODUCED, MesonProduction, MesonSample, d2sigma
from darkbeam.sources.beam.target import TargetSample, target_mesons


def mesons_per_pot(beam: str | BeamConfig, meson: str, n: int = 2**14, *, seed: int = 1,
                   tertiary: bool | None = None) -> TargetSample:
    """Weighted mesons leaving the target of a beam line, per proton on target (input for LLP production).

    Weights include the production spectrum per inelastic interaction, the probability that the
    proton interacts in the target, one generation of re-interactions of secondaries (``tertiary``,
    default: the configuration's setting), and, for long-lived mesons, ionisation loss and
    absorption on the way out of the target.  Momentum (GeV) and angle (rad) are at the target
    exit; ``z0`` is the production point (cm).  See darkbeam.sources.beam.target.
    """
    cfg = beam_config(beam)
    return target_mesons(cfg, meson, n, seed=seed, tertiary=cfg.tertiary if tertiary is None else tertiary,
                         extra_dims=0)


__all__ = [
    "BEAMS", "BNB", "CERN_PS", "JPARC", "LBNF", "NUMI", "NUMI_ME", "SPS", "WANF", "BeamConfig", "BeamFlux", "DecayRegion", "Horn", "MATERIALS",
    "Material", "MesonProduction",
    "MesonDecays", "MesonSample", "NEUTRINO_PARENTS", "RegionExits", "PRODUCED", "Target", "TargetSample", "beam_config", "beam_flux", "d2sigma",
    "material", "meson_decays", "mesons_per_pot", "target_mesons", "trace",
]
