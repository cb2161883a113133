"""Decaying parents (mesons, muons, taus) as a weighted sample: the source of the meson-decay wing.

Producers: the beam model (in flight), decays at rest in a target or absorber, and readers of the
experiments' flux ntuples (dk2nu) or of simple user tables.  The consumer is the meson-decay process,
which makes new particles in these decays and sends them to a detector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ParentSample"]


@dataclass(frozen=True)
class ParentSample:
    """``n`` decays of one parent species.

    species: label of :mod:`darkbeam.physics.particles` ('pi+', 'K-', 'K0_L', 'pi0', 'eta', 'D_s+', ...);
    p4: (n, 4) lab four-momenta (E, px, py, pz), GeV, on the mass shell (zero momentum at rest);
    position: (n, 3) decay points, cm, in the frame of ``beam`` (origin at the target as
    :mod:`darkbeam.sources.beam.configs` defines it, z along the proton beam, y up);
    time: (n,) decay times, ns, after the protons reach the target (t = 0);
    weight: (n,) decays per proton on target that each entry stands for: weight.sum() is the number
    of decays of this species per POT in the sampled region;
    beam: the beamline frame ('bnb', 'numi', 'jparc', 'lbnf', 'cern_ps', 'wanf', ...);
    origin: what made the sample ('beam model, in flight', 'at rest: NuMI absorber', 'dk2nu: FILE');
    notes: provenance, approximations and cited fractions (e.g. the stopped fraction), shown to users.
    """

    species: str
    p4: np.ndarray
    position: np.ndarray
    time: np.ndarray
    weight: np.ndarray
    beam: str
    origin: str
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.weight.shape[0])

    @property
    def decays_per_pot(self) -> float:
        return float(self.weight.sum())
