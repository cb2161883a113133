"""A production channel of a new particle in the decay of a parent (meson, tau, muon).

The common currency of the meson-decay wing (docs/design.md): ``physics.production`` lists the open
channels of a model with their branching ratios and rest-frame kinematics; ``sources.parents``
supplies the decaying parents; ``processes`` joins them, sends the new particle to a detector and
decays it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

__all__ = ["ProductionChannel", "RestFrameSample"]


class RestFrameSample(NamedTuple):
    """Decay products of ``n`` parents at rest.

    momenta: (n, k, 4) four-momenta (E, px, py, pz) in GeV in the parent's rest frame, in the order
    of the channel's ``daughters``, distributed as dGamma (isotropic for a spinless parent);
    polarisation: (n,) polarisation in [-1, 1] of the new particle along its own momentum in the
    parent's rest frame (0 when unpolarised or spinless);
    weight: (n,) relative weights with mean 1 over the sample (ones when the sample is unweighted).
    """

    momenta: np.ndarray
    polarisation: np.ndarray
    weight: np.ndarray


@dataclass(frozen=True)
class ProductionChannel:
    """parent -> daughters, one of which (``llp``) is the new particle.

    parent, daughters: labels of :mod:`darkbeam.physics.particles` ('K+', 'pi0', 'D_s+', 'mu+', 'N4',
    'hprime', 'zprime', ...); llp: the new particle's label (as :func:`darkbeam.physics.decays.decay_table`
    takes it); width: partial width (GeV); br: branching ratio of the parent (width / the parent's
    total width); scaling: ((parameter, power), ...) such that br is proportional to the product of
    parameter**power at fixed masses (e.g. (('Umu4', 2),)), the basis of exact coupling reweighting;
    sampler: callable (n, rng) -> :class:`RestFrameSample`; source: the paper and equation of the width.
    """

    parent: str
    daughters: tuple[str, ...]
    llp: str
    width: float
    br: float
    scaling: tuple[tuple[str, int], ...]
    sampler: Callable[[int, np.random.Generator], RestFrameSample] = field(repr=False, compare=False)
    source: str = ""

    @property
    def name(self) -> str:
        return f"{self.parent} -> {' '.join(self.daughters)}"

    @property
    def llp_index(self) -> int:
        return self.daughters.index(self.llp)
