"""Axion-like particles from a-pi0 mixing: the prompt pi0 of the beam model, each carrying an ALP
component theta_api (physics/alp_mixing.py; first order in g_agluon).

Approximation (the usual "mixing" estimate, e.g. Kelly, Kumar, Liu arXiv:2011.05995 sec. III A, who also
include eta and eta'): the ALP is made where the pi0 is, with the pi0's three-momentum and energy
sqrt(p^2 + m_a^2), in number theta_api^2 x (pi0 per POT).  The source is built at theta^2 = 1 (weights =
pi0 per POT); the channel's branching ratio carries theta_api^2, which is exactly ~ g_agluon^2 at first
order.  Mixing with eta and eta' (not isospin suppressed, dominant above ~0.3 GeV) is not included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["MixingSource", "mixing_source", "SAMPLE_KEY"]

SAMPLE_KEY = "alp (pi0 mixing)"


@dataclass
class MixingSource:
    """Prompt pi0 of ``beam`` as ALPs of mass ``mass`` at theta^2 = 1 (module docstring)."""

    beam: str
    mass: float
    pi0: object
    notes: tuple = field(default=("ALP = pi0 three-momentum with the ALP mass; eta/eta' mixing not included",))
    origin: str = "a-pi0 mixing of the prompt pi0 of the beam model"

    def __len__(self) -> int:
        return len(self.pi0)

    @property
    def decays_per_pot(self) -> float:
        return float(self.pi0.decays_per_pot)

    def draw(self, n: int, rng) -> dict:
        """``n`` ALPs drawn by weight: k4 (n, 4), pos (n, 3), weight (n,) (sum: pi0 per POT), draw (n,)."""
        W = np.asarray(self.pi0.weight, dtype=float)
        idx = rng.choice(len(self.pi0), size=int(n), p=W / W.sum())
        p3 = np.asarray(self.pi0.p4, dtype=float)[idx, 1:]
        E = np.sqrt(np.einsum("ij,ij->i", p3, p3) + self.mass**2)
        return {"k4": np.column_stack([E, p3]), "pos": np.asarray(self.pi0.position, dtype=float)[idx],
                "weight": np.full(int(n), W.sum() / n), "draw": np.arange(int(n))}


def mixing_source(beam: str, mass: float, *, n: int = 2**14, seed: int = 12345) -> MixingSource:
    from darkbeam.sources.parents import parent_sample

    return MixingSource(beam=str(beam).strip().lower(), mass=float(mass), pi0=parent_sample(beam, "pi0", n=n, seed=seed))
