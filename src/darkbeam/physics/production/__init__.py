"""Production of new particles in decays of mesons, taus and muons (the meson-decay wing).

:func:`production_channels` lists every open channel of a model's new particles (HNLs N4..N6 through
their mixings, the dark scalar 'hprime' through ``theta``, the dark photon 'zprime' through kinetic
mixing, the light dark matter 'chi'/'chi_s' through an off-shell dark photon, the ALP 'alp' in K -> pi a through
its gluon coupling) as :class:`ProductionChannel` objects with branching ratio, coupling scaling and a rest-frame
sampler; :func:`parent_species` the parents that have one.  Formulas and sources: the modules of this
package and docs/production.md.
"""

from __future__ import annotations

from typing import Iterable, Optional

from darkbeam import constants as C
from darkbeam.errors import ConfigurationError
from darkbeam.physics.production.channel import ProductionChannel, RestFrameSample

__all__ = ["ProductionChannel", "RestFrameSample", "production_channels", "parent_species", "PARENTS", "llp_decay_args"]

#: every parent species a channel may have, in display order
PARENTS: tuple[str, ...] = ("pi+", "pi-", "K+", "K-", "K0_L", "D+", "D-", "D0", "D0_bar", "D_s+", "D_s-",
                            "B+", "B-", "B0", "B0_bar", "tau-", "tau+", "mu-", "mu+", "pi0", "eta", "eta'", "omega")


def llp_decay_args(llp: str) -> tuple[str, bool]:
    """(particle name for ``decay_table``, antiparticle flag for ``processes.decays``) of an llp label:
    'N4_bar' -> ('N4', True), 'N4' -> ('N4', False)."""
    from darkbeam.physics.production.hnl_channels import llp_decay_args as f

    return f(llp)


def production_channels(params, *, parents: Optional[Iterable[str]] = None, sw2: float = C.SW2) -> list[ProductionChannel]:
    """Every open production channel of the new particles of ``params`` (a ModelParameters), ordered by
    parent (:data:`PARENTS`) then by decreasing branching ratio.  ``parents``: keep only these species
    (an unknown label is a ConfigurationError).  ``sw2`` is the weak-mixing scheme of the couplings
    (only the Z'-photon mixing uses it; the charged-current channels need none)."""
    from darkbeam.models.couplings import Couplings
    from darkbeam.physics.production.dark_channels import (alp_channels, dark_matter_channels, dark_photon_channels,
                                                          scalar_channels)
    from darkbeam.physics.production.hnl_channels import hnl_channels

    wanted = None
    if parents is not None:
        wanted = list(parents)
        bad = [p for p in wanted if p not in PARENTS]
        if bad:
            raise ConfigurationError(f"unknown parent '{bad[0]}' (choose from {', '.join(PARENTS)})")
    out = hnl_channels(params)
    out += scalar_channels(params)
    eps = Couplings(params, sw2).epsilon if params.has_zprime else 0.0
    out += dark_photon_channels(params, eps**2)
    out += dark_matter_channels(params, eps**2, sw2=sw2)
    out += alp_channels(params)
    if wanted is not None:
        out = [ch for ch in out if ch.parent in wanted]
    order = {p: i for i, p in enumerate(PARENTS)}
    out.sort(key=lambda ch: (order[ch.parent], -ch.br))
    return out


def parent_species(params, *, sw2: float = C.SW2) -> list[str]:
    """The parent species with at least one open channel in ``params``, in :data:`PARENTS` order."""
    seen = {ch.parent for ch in production_channels(params, sw2=sw2)}
    return [p for p in PARENTS if p in seen]
