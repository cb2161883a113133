"""Parent mesons from the beam model: decays in flight (pi+-, K+-, K0_L) and prompt neutral mesons.

In flight.  The decays are those of :func:`darkbeam.sources.beam.model.meson_decays`, the same sample
(same Sobol points, weights and decay points) that the beam model's neutrino fluxes are made from:
production in the target, absorption, horn focusing and the exponential decay law in the decay region,
in two strata per meson (inside the horns, after the horns; docs/beam_model.md).  Each decay becomes
one entry: p4 = (gamma m, gamma beta m n) with n the meson's direction at the decay point, the decay
point in the beam frame, the time after the protons reach the target, and its weight in decays per
POT (entries of zero weight -- mesons absorbed or ranged out -- are dropped).

Prompt neutral mesons (pi0, eta, eta', rho0, omega, phi; c tau <= 0.2 mm for the pi0, shorter for
the others) decay where they are made: the production spectra of darkbeam.sources.beam.production
(pi0 = (pi+ + pi-)/2 by isospin; eta and heavier by m_T scaling from the pi0 with the PHENIX cocktail
ratios eta/pi0 = 0.48, eta'/pi0 = 0.25, omega/pi0 = 0.90, rho0/pi0 = 1.0, phi/pi0 = 0.40 at high
m_T, A. Adare et al., PRC 81 (2010) 034911, arXiv:0912.0244), sampled by
:func:`darkbeam.sources.beam.target.target_mesons` (proton attenuation in the target and one
generation of re-interactions) at the production point on the beam axis.  This is an approximation:
the ratios are measured at high energy and p_T, and at 8-30 GeV the m_T scaling with each meson's own
kinematic limit is an extrapolation (docs/parents.md).
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.sources.parents.sample import ParentSample

#: charged and long-lived mesons that decay in flight in the decay region (the beam model's parents)
IN_FLIGHT = ("pi+", "pi-", "K+", "K-", "K0_L")
#: neutral mesons that decay promptly at the production point
PROMPT = ("pi0", "eta", "eta'", "rho0", "omega", "phi")


def _n_points(n: int) -> int:
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ConfigurationError(f"n must be a positive integer, got {n!r}")
    return 1 << max(int(math.ceil(math.log2(max(int(n), 16)))), 4)


def in_flight(beam, species: str, *, n: int = 2**14, seed: int = 12345, polarity="FHC",
              tertiary: bool | None = None) -> ParentSample:
    """Decays in flight of ``species`` (pi+-, K+-, K0_L) in the decay region of ``beam`` (per POT).

    ``n``: production points (rounded up to a power of 2; the sample has up to 2n entries per stratum
    with re-interactions), ``polarity``: horn current 'FHC'/'RHC'/+1/-1, ``tertiary``: re-interactions
    in the target (default: the configuration's setting)."""
    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.beam.model import _polarity, meson_decays
    from darkbeam.sources.beam.production import MASS

    if species not in IN_FLIGHT:
        raise ConfigurationError(f"'{species}' does not decay in flight in the beam model "
                                 f"(in flight: {', '.join(IN_FLIGHT)}; prompt: {', '.join(PROMPT)})")
    cfg = beam_config(beam)
    pol = _polarity(polarity)
    md = meson_decays(cfg, species, pol, _n_points(n), int(seed), tertiary)
    keep = md.weight > 0
    m = MASS[species]
    g, b = md.gamma[keep], md.beta[keep]
    p4 = np.empty((int(keep.sum()), 4))
    p4[:, 0] = g * m
    p4[:, 1:] = (g * b * m)[:, None] * md.direction[keep]
    mode = "FHC" if pol > 0 else "RHC"
    return ParentSample(species=species, p4=p4, position=md.position[keep], time=md.time[keep],
                        weight=md.weight[keep], beam=cfg.name, origin=f"beam model '{cfg.name}', in flight ({mode})",
                        notes=(f"decays in the decay region (z <= {cfg.decay.z_end_cm:g} cm, r <= {cfg.decay.radius_cm:g} cm) "
                               f"of the beam model '{cfg.name}' ({cfg.description}); {_n_points(n)} Sobol points, seed {seed}",
                               "accuracy of the beam model (focusing, production): docs/beam_model.md",
                               "time: protons at c to the production depth, then the meson's path at its speed "
                               "at the decay point; no bunch structure"))


def prompt(beam, species: str, *, n: int = 2**14, seed: int = 12345, tertiary: bool | None = None,
           theta_max: float | None = None) -> ParentSample:
    """Neutral mesons (pi0, eta, eta', rho0, omega, phi) made in the target of ``beam``, decaying at the
    production point (per POT).  ``theta_max`` (rad): production angles sampled (default: the beam
    configuration's); momenta above the configuration's p_min."""
    from dataclasses import replace

    from darkbeam.sources.beam.configs import beam_config
    from darkbeam.sources.beam.production import MASS
    from darkbeam.sources.beam.target import target_mesons

    if species not in PROMPT:
        raise ConfigurationError(f"'{species}' is not a prompt neutral meson (prompt: {', '.join(PROMPT)})")
    cfg = beam_config(beam)
    if theta_max is not None:
        if not (math.isfinite(theta_max) and 0 < theta_max <= math.pi):
            raise ConfigurationError(f"theta_max must be in (0, pi] rad, got {theta_max}")
        cfg = replace(cfg, theta_max=float(theta_max))
    tert = cfg.tertiary if tertiary is None else bool(tertiary)
    ts = target_mesons(cfg, species, _n_points(n), seed=int(seed), tertiary=tert, extra_dims=1)
    keep = ts.weight > 0
    m = MASS[species]
    p, th = ts.p[keep], ts.theta[keep]
    phi = 2.0 * math.pi * ts.u[keep, 0]
    st = np.sin(th)
    p4 = np.stack((np.sqrt(p * p + m * m), p * st * np.cos(phi), p * st * np.sin(phi), p * np.cos(th)), axis=1)
    z0 = ts.z0[keep]
    pos = np.stack((np.zeros_like(z0), np.zeros_like(z0), z0), axis=1)
    from darkbeam.units import C_LIGHT_CM_PER_NS

    t = (z0 - cfg.target.z_start_cm) / C_LIGHT_CM_PER_NS
    iso = "pi0 = (pi+ + pi-)/2 (isospin)" if species == "pi0" else \
        f"{species} by m_T scaling from the pi0 (PHENIX cocktail ratio, arXiv:0912.0244)"
    return ParentSample(species=species, p4=p4, position=pos, time=t, weight=ts.weight[keep], beam=cfg.name,
                        origin=f"beam model '{cfg.name}', prompt in the target",
                        notes=(f"production model {cfg.production_model} at {cfg.proton_momentum_GeV:g} GeV/c on "
                               f"{cfg.target.material}; {iso}; decays at the production point on the beam axis",
                               f"sampled p > {cfg.p_min_GeV:g} GeV, theta < {cfg.theta_max:g} rad; "
                               f"{'with' if tert else 'without'} re-interactions in the target",
                               "approximation: docs/parents.md"))
