"""Rest-frame kinematics of a production channel as data: what to sample, not how.

``physics`` is free of random numbers and sits below ``mc`` (docs/design.md), yet a
:class:`~darkbeam.physics.production.channel.ProductionChannel` carries a ``sampler(n, rng)``.  The
objects here are that sampler: frozen descriptions of the decay (masses, the |M|^2 and the
polarisation function of physics) whose ``__call__`` hands them to
:func:`darkbeam.processes.production.sample_rest_frame`, imported on first call, where the phase-space
machinery of :mod:`darkbeam.mc.phasespace` draws the events (the same lazy upward call as
``EventSet.reweight``).  The matrix elements stay in physics, the random numbers in mc/processes.

* :class:`TwoBodyKinematics`: parent (spinless or unpolarised) -> 2 daughters, isotropic; the new
  particle (daughter ``llp_index``) has the fixed polarisation ``polarisation`` along its momentum.
* :class:`ThreeBodyKinematics`: parent -> 3 daughters distributed as ``msq(P, k1, k2, k3)`` (spins
  summed; independent of the couplings, which only scale it) over phase space, isotropic orientation;
  ``polarisation(P, k1, k2, k3)`` gives the new particle's longitudinal polarisation per event (None: 0).
  ``key`` identifies the |M|^2 for caching the sampler's envelope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class TwoBodyKinematics:
    parent_mass: float
    masses: tuple[float, float]
    llp_index: int
    polarisation: float = 0.0

    def __call__(self, n: int, rng: np.random.Generator):
        from darkbeam.processes.production import sample_rest_frame

        return sample_rest_frame(self, n, rng)


@dataclass(frozen=True)
class ThreeBodyKinematics:
    parent_mass: float
    masses: tuple[float, float, float]
    llp_index: int
    msq: Callable[..., np.ndarray] = field(repr=False, compare=False)
    polarisation: Optional[Callable[..., np.ndarray]] = field(default=None, repr=False, compare=False)
    key: tuple = ()
    #: resonances of a daughter pair, (i, j, mass, width) in GeV: the sampler's envelope resolves them
    poles: tuple = ()

    def __call__(self, n: int, rng: np.random.Generator):
        from darkbeam.processes.production import sample_rest_frame

        return sample_rest_frame(self, n, rng)
