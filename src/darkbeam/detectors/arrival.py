"""Times of neutrino interactions: the ``t`` column of scattering events (docs/events.md, "Scattering
events"; docs/rare_scattering.md, section 8b).

* Beam experiments (:func:`beam_interaction_times`): t = |vertex - production point| / c, the
  neutrino's flight from where it was made (the experiment's production model: a point at the proton
  target, or the BNB decay-pipe table) to the vertex, as for upscattering events
  (processes/upscatter_decay.py).  t = 0 is the neutrino's production; no experiment file has a beam
  bunch structure, so none is added (the parent meson's own flight from the target is not counted).
* Decay-at-rest sources (:func:`dar_interaction_times`): t = the proton's arrival in its pulse
  (centred at t = 0) + the decay times of the neutrino's parents at rest + |vertex - source| / c
  (:func:`darkbeam.sources.dar.production_times`).

Neutrinos travel at c (their masses change the flight time by m^2/(2 E^2) ~ 1e-17 at 10 MeV).
"""

from __future__ import annotations

import numpy as np

from darkbeam.units import C_LIGHT_CM_PER_NS

__all__ = ["beam_interaction_times", "dar_interaction_times"]


def _flight_ns(vertices, origins) -> np.ndarray:
    d = np.asarray(vertices, dtype=float)[:, :3] - np.asarray(origins, dtype=float)
    return np.sqrt(np.einsum("ij,ij->i", d, d)) / C_LIGHT_CM_PER_NS


def beam_interaction_times(production, energies, vertices, rng: np.random.Generator) -> np.ndarray:
    """Times (ns) of interactions at ``vertices`` (n, 3) in cm of neutrinos of ``energies`` (GeV) made by
    ``production`` (an object with ``sample(energies, rng) -> (n, 3)``, e.g.
    ``Experiment.production_model()``): the flight from the production point at the speed of light."""
    return _flight_ns(vertices, production.sample(np.asarray(energies, dtype=float), rng))


def dar_interaction_times(source_position, vertices, n_decays, rng: np.random.Generator, pulse=None) -> np.ndarray:
    """Times (ns) of interactions at ``vertices`` (n, 3) in cm of decay-at-rest neutrinos from a source at
    ``source_position`` (cm): proton arrival in ``pulse`` (a :class:`~darkbeam.sources.dar.ProtonPulse`,
    None: at t = 0) + the decays of the first ``n_decays`` parents of pi+ -> mu+ (1: prompt, 2: delayed)
    + the flight to the vertex."""
    from darkbeam.sources.dar import production_times

    return production_times(n_decays, rng, pulse) + _flight_ns(vertices, source_position)
