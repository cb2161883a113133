"""Decay tables: every open channel of a model's particle, total width, branching ratios, c*tau.

This module only gathers channels from the physics modules, which hold the formulas:

* :mod:`darkbeam.physics.hnl_mixing`: HNL decays through active-sterile mixing into hadrons and
  charged-current lepton pairs (Bondarenko et al. 1805.08567; conventions in docs/decays_mixing.md);
* :mod:`darkbeam.physics.hnl_dileptons`: N -> nu f fbar and N_j -> N_i f fbar, and the invisible
  N -> 3 nu, with W, Z, Z', photon (dipole) and h' exchange and all interferences;
* :mod:`darkbeam.physics.hnl_dark`: two-body dark decays N -> nu Z', nu h', nu gamma, N_j -> N_i X;
* :mod:`darkbeam.physics.zprime_decays` (with Z' -> chi chi-bar when the model has dark matter) and
  :mod:`darkbeam.physics.scalar_decays`;
* :mod:`darkbeam.physics.alp_decays`: the axion-like particle 'alp';
* the dark matter 'chi' / 'chi_s' is stable (an empty table, c*tau = inf).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from darkbeam import constants as C
from darkbeam.errors import KinematicsError, ModelError
from darkbeam.models.couplings import Couplings
from darkbeam.models.parameters import ModelParameters
from darkbeam.physics import alp_decays, hnl_dark, hnl_dileptons, hnl_mixing, scalar_decays, zprime_decays
from darkbeam.physics.channels import Channel
from darkbeam.physics.particles import mass_of
from darkbeam.units import ctau_cm


@dataclass(frozen=True)
class DecayTable:
    """All open decay channels of one particle (widths in GeV)."""

    particle: str
    mass: float
    channels: tuple[Channel, ...]

    @cached_property
    def total_width(self) -> float:
        """Total width in GeV (sum of the partial widths of all open channels)."""
        return float(sum(ch.width for ch in self.channels))

    @cached_property
    def ctau_cm(self) -> float:
        """Proper decay length c*tau in cm (inf if the particle is stable in this model)."""
        return float(ctau_cm(self.total_width))

    @cached_property
    def branching_ratios(self) -> dict[str, float]:
        tot = self.total_width
        return {ch.name: (ch.width / tot if tot > 0 else 0.0) for ch in self.channels}

    def names(self) -> list[str]:
        return [ch.name for ch in self.channels]

    def channel(self, name: str) -> Channel:
        """The open channel called ``name`` (daughters separated by spaces).

        A closed channel, or one the model does not have, is a :class:`KinematicsError`.
        """
        key = " ".join(name.replace(",", " ").split())
        for ch in self.channels:
            if ch.name == key:
                return ch
        daughters = key.split()
        try:
            thr = sum(mass_of(d) for d in daughters)
        except KeyError:
            raise KinematicsError(f"{self.particle} has no decay channel '{key}' (open: {', '.join(self.names())})") from None
        if thr >= self.mass:
            raise KinematicsError(
                f"channel {self.particle} -> {key} is closed: m = {self.mass:.6g} GeV < sum of daughter masses {thr:.6g} GeV"
            )
        raise KinematicsError(f"channel {self.particle} -> {key} has zero width in this model (open: {', '.join(self.names())})")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``darkbeam decays --json``."""
        return {
            "particle": self.particle,
            "mass_GeV": self.mass,
            "total_width_GeV": self.total_width,
            "ctau_cm": self.ctau_cm if np.isfinite(self.ctau_cm) else None,
            "channels": [
                {"name": ch.name, "width_GeV": ch.width, "br": ch.width / self.total_width if self.total_width > 0 else 0.0}
                for ch in self.channels
            ],
        }


def _hnl_index(params: ModelParameters, particle: str) -> int:
    names = [f"N{k}" for k in (4, 5, 6)[: params.n_hnl]]
    if particle not in names:
        raise ModelError(f"the model has no particle '{particle}' (it has: {', '.join(params.particles()) or 'none'})")
    return names.index(particle)


def hnl_channels(c: Couplings, i: int) -> list[Channel]:
    """All channels of HNL number i (0 = N4) with non-zero width."""
    out: list[Channel] = []
    out += hnl_mixing.channels(c, i)
    out += hnl_dileptons.channels(c, i)
    out += hnl_dark.channels(c, i)
    return out


def decay_table(params: ModelParameters, particle: str, *, sw2: float = C.SW2) -> DecayTable:
    """The decay table of ``particle`` ('N4', 'N5', 'N6', 'zprime', 'hprime', 'alp', 'chi' or 'chi_s') in a model.

    A particle the model does not contain is a :class:`ModelError`.
    """
    c = Couplings(params, sw2)
    if particle.startswith("N"):
        i = _hnl_index(params, particle)
        mass = params.hnl_masses[i]
        chans = hnl_channels(c, i)
    elif particle == "zprime":
        if not params.has_zprime:
            raise ModelError("the model has no Z' (set mzprime)")
        mass = float(params.mzprime)
        chans = zprime_decays.channels(c)
    elif particle == "hprime":
        if not params.has_hprime:
            raise ModelError("the model has no h' (set mhprime)")
        mass = float(params.mhprime)
        chans = scalar_decays.channels(c)
    elif particle == "alp":
        if not params.has_alp:
            raise ModelError("the model has no ALP (set ma)")
        mass = float(params.ma)
        chans = alp_decays.channels(params)
    elif particle in ("chi", "chi_s"):
        if not params.has_dm or particle != params.dm_label:
            raise ModelError(f"the model has no '{particle}' (set mchi; dm_type = 'fermion' gives chi, 'scalar' chi_s)")
        mass = float(params.mchi)
        chans = []  # the lightest dark-sector state: stable
    else:
        raise ModelError(f"unknown particle '{particle}' (the model has: {', '.join(params.particles()) or 'none'})")
    chans = [ch for ch in chans if ch.width > 0.0]
    chans.sort(key=lambda ch: -ch.width)
    return DecayTable(particle=particle, mass=mass, channels=tuple(chans))
