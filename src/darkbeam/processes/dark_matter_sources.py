"""Two more chi sources of the dark-matter process (processes/dark_matter.py), both "parents" that decay
to a chi chi-bar pair in two bodies (docs/dark_matter.md, "Production: shower A' and vector mesons"):

* **shower A'**: the on-shell dark photons made by the electromagnetic showers of the pi0/eta photons in
  the target (resonant e+ e- -> A', dark bremsstrahlung, e+ e- -> gamma A', dark Compton;
  :func:`darkbeam.sources.shower.proton_dump.proton_dump_dark_sample`, the sample of
  :mod:`darkbeam.processes.shower_llp`: A' per POT at eps = 1 with their production points), each A'
  decaying promptly to chi chi-bar with branching ratio eps^2 BR(A' -> chi chi-bar) (the model's decay
  table: invisible and visible widths).  Only for m_A' > 2 m_chi (an off-shell A'* of the showers is not
  modelled).
* **vector mesons**: rho0, omega, phi of the beam model (prompt in the target, m_T-scaled from the pi0:
  :func:`darkbeam.sources.parents.in_flight.prompt`) decaying V -> A'* -> chi chi-bar through VMD mixing
  with Br of :mod:`darkbeam.physics.production.dark_matter_vectors` (eq. DMV), on and off the A' pole.
* **proton bremsstrahlung** (:func:`brem_chi_channel`): the on-shell A' of
  :func:`darkbeam.sources.parents.bremsstrahlung.bremsstrahlung_sample` (modified Weizsacker-Williams,
  Bluemlein-Brunner arXiv:1311.3870 eqs. 2-4) inside the setup's cuts on z = p_A'z/P and p_T, decaying
  promptly to chi chi-bar with eps^2 BR(A' -> chi chi-bar).  The cuts are the setup's (:func:`brem_cuts`):
  the module defaults 0.1 < z < 0.9, p_T < 1 GeV at DUNE ND; at the 8.9 GeV BNB dump, where the splitting
  function is outside its validity (E_p, E_A', E_p - E_A' >> m_p, m_A', p_T fails), the source is off by
  default and, when asked for, uses the cuts of BdNMC, the MiniBooNE-DM simulation (github
  pgdeniverville/BdNMC, parameter.dat: ``proton_brem`` with ptmax 0.2, zmin 0.3, zmax 0.7) and is flagged
  (:func:`brem_report`, ``meta["bremsstrahlung"]``, the caveats).

**Kinematics.**  Both decays are two-body and isotropic in the parent's rest frame: the A' and the
vector mesons are taken unpolarised (their polarisation is not modelled; the A' of the showers and the
mesons of pp collisions have no net polarisation along a fixed axis in this description), so a
chi pair carries the parent's four-momentum, each chi with rest-frame momentum
p* = sqrt(M^2 - 4 m_chi^2)/2.  The production step is the forced-direction one of every chi source
(:func:`darkbeam.processes.meson_decay.produce_toward_volume`, ``parent_mass`` for the A'), so these
channels feed the same propagation and scattering as the meson and bremsstrahlung chi.
:func:`chi_pairs` makes the pairs explicitly (no forced direction) for validation and flux studies:
its total weight is exactly 2 BR x (parents per POT).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from darkbeam.errors import ConfigurationError, ParameterError

__all__ = ["ChiPairChannel", "shower_chi_channel", "vector_meson_chi_channels", "brem_chi_channel", "brem_cuts",
           "brem_report", "chi_pairs", "SHOWER_NAME"]

#: the shower channel's name in summaries
SHOWER_NAME = "gamma(pi0, eta) shower -> zprime"


@dataclass(frozen=True)
class ChiPairChannel:
    """A parent decaying to chi chi-bar in two bodies, as :func:`meson_decay.produce_toward_volume` reads a
    production channel: ``br`` (pairs per parent, the sample's weights being parents per POT), ``parent``
    (species; its mass is ``parent_mass`` where given, the A'), ``llp`` (the chi label), ``sampler``
    (isotropic two-body decay at rest), ``label`` (the source's name), ``source`` (reference), ``info``
    (entries added to the channel's row of the run's summary, e.g. the shower sample's yield and error)."""

    br: float
    parent: str
    llp: str
    sampler: object
    label: str
    parent_mass: Optional[float] = None
    source: str = ""
    llp_index: int = 0
    info: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def daughters(self):
        return (self.llp, self.llp + "_bar")

    @property
    def name(self) -> str:
        return f"{self.label}, {self.parent} -> {self.llp} {self.llp}_bar"


def _br_invisible(params) -> float:
    """BR(A' -> chi chi-bar) of the model's decay table (its total width: invisible and visible)."""
    from darkbeam.physics.decays import decay_table

    table = decay_table(params, "zprime")
    tot = table.total_width
    return sum(c.width for c in table.channels if params.dm_label in c.daughters) / tot if tot > 0 else 0.0


def shower_chi_channel(params, beam, *, vectors: int, showers: int = 64, seed: int = 1, notes: list):
    """(channel, sample, info) of the shower A' -> chi chi-bar source of ``params`` in ``beam``'s target, or
    None (a note says why: A' below the chi chi-bar threshold, or no vector from the showers).  br =
    eps^2 BR(A' -> chi chi-bar) (the sample's weights are A' per POT at eps = 1); info: the shower
    sample's yield per POT at eps = 1, its error and the yield by process."""
    from darkbeam.models.couplings import Couplings
    from darkbeam.processes.dark_matter import _TwoBodySampler
    from darkbeam.processes.shower_llp import SOURCE, shower_sample

    m_a, m_chi = float(params.mzprime), float(params.mchi)
    if m_a <= 2.0 * m_chi:
        notes.append("shower A': the A' is below the chi chi-bar threshold (an off-shell A' of the showers is not "
                     "modelled)")
        return None
    try:
        sample, info = shower_sample(beam, m_a, showers=showers, vectors=vectors, seed=seed)
    except (ConfigurationError, ParameterError) as exc:
        notes.append(f"shower A': none from this target ({exc})")
        return None
    eps = float(Couplings(params).epsilon)
    rel = info["yield_error"] / info["yield_per_pot"] if info["yield_per_pot"] > 0 else float("nan")
    ch = ChiPairChannel(br=eps * eps * _br_invisible(params), parent="zprime", llp=params.dm_label,
                        sampler=_TwoBodySampler(m_a, m_chi), label=SHOWER_NAME, parent_mass=m_a, source=SOURCE,
                        info={"shower_yield_per_pot_eps1": info["yield_per_pot"], "shower_yield_rel_error": rel,
                              "shower_yield_by_process_eps1": info["by_process"], "showers": showers})
    notes.append(f"shower A': {info['yield_per_pot']:.3g} A' per POT at eps = 1 from {showers} photon showers "
                 f"(relative error {rel:.2g}, shower to shower; in the channel's events_err with the MC error)")
    return ch, sample, info


def vector_meson_chi_channels(params, beam, *, n_parents: int, seed: int, notes: list):
    """[(channel, ParentSample)] of V -> A'* -> chi chi-bar for the vector mesons of the beam model
    (rho0, omega, phi) open for ``params`` (2 m_chi < m_V)."""
    from darkbeam.physics.production.dark_matter_vectors import (MASS, REFERENCE, VECTOR_MESONS,
                                                                 br_vector_meson_to_dark_matter)
    from darkbeam.processes.dark_matter import _TwoBodySampler
    from darkbeam.sources.parents import parent_sample

    m_chi = float(params.mchi)
    out = []
    for v in VECTOR_MESONS:
        br = br_vector_meson_to_dark_matter(params, v)
        if br <= 0.0:
            continue
        ps = parent_sample(beam, v, n=n_parents, seed=seed)
        out.append((ChiPairChannel(br=br, parent=v, llp=params.dm_label, sampler=_TwoBodySampler(MASS[v], m_chi),
                                   label="VMD mixing", source=REFERENCE), ps))
    if out:
        notes.append("rho0, omega, phi: the beam model's m_T scaling from the pi0 (PHENIX cocktail ratios 1.0, 0.90, "
                     "0.40, arXiv:0912.0244), an extrapolation at these energies; narrow mesons at their pole masses")
    return out


def brem_cuts(setup) -> dict:
    """The bremsstrahlung A' cuts of a dark-matter setup (name or DMSetup) as keywords of
    :func:`darkbeam.sources.parents.bremsstrahlung.bremsstrahlung_sample` ({}: the module's defaults)."""
    from darkbeam.processes.dark_matter import setup_of

    st = setup_of(setup)
    out = {}
    if st.brem_z_range is not None:
        out["z_range"] = tuple(float(v) for v in st.brem_z_range)
    if st.brem_pt_max is not None:
        out["pt_max"] = float(st.brem_pt_max)
    return out


def brem_report(setup, included: bool) -> dict:
    """``meta["bremsstrahlung"]`` of a run: whether the bremsstrahlung A' was asked for (``included``), its
    cuts (z range, p_T max in GeV) and whether the beam is outside the splitting function's validity (the
    setup's ``brem_validity``, quoted)."""
    from darkbeam.processes.dark_matter import setup_of
    from darkbeam.sources.parents.bremsstrahlung import PT_MAX_GEV, Z_RANGE

    st = setup_of(setup)
    cuts = brem_cuts(st)
    return {"included": bool(included), "z_range": [float(v) for v in cuts.get("z_range", Z_RANGE)],
            "pt_max_GeV": float(cuts.get("pt_max", PT_MAX_GEV)), "outside_validity": bool(st.brem_validity),
            "validity": st.brem_validity or "within the splitting function's validity (E_p >> m_p, m_A', p_T)"}


def brem_chi_channel(params, beam, *, n_parents: int, seed: int, notes: list, cuts: Optional[dict] = None):
    """(channel, ParentSample) of the bremsstrahlung A' -> chi chi-bar source of ``params`` in ``beam``'s
    target with the A' sample's ``cuts`` (z_range, pt_max; {}: the defaults), or None (a note says why: the
    A' below the chi chi-bar threshold, or the beam outside the cuts).  br = eps^2 BR(A' -> chi chi-bar) (the
    sample's weights are A' per POT at eps = 1); the channel's ``info`` (its summary row) names the cuts and
    the A' per POT at eps = 1."""
    from darkbeam.models.couplings import Couplings
    from darkbeam.processes.dark_matter import _TwoBodySampler
    from darkbeam.processes.direct_llp import SOURCE
    from darkbeam.sources.parents.bremsstrahlung import PT_MAX_GEV, Z_RANGE, bremsstrahlung_sample

    m_a, m_chi = float(params.mzprime), float(params.mchi)
    if m_a <= 2.0 * m_chi:
        notes.append("bremsstrahlung: the A' is below the chi chi-bar threshold (off-shell A' not modelled)")
        return None
    cuts = dict(cuts or {})
    try:
        ps = bremsstrahlung_sample(beam, m_a, n=n_parents, seed=seed, **cuts)
    except ConfigurationError as exc:
        notes.append(f"bremsstrahlung: not in this beam ({exc})")
        return None
    eps = float(Couplings(params).epsilon)
    info = {"brem_z_range": [float(v) for v in cuts.get("z_range", Z_RANGE)],
            "brem_pt_max_GeV": float(cuts.get("pt_max", PT_MAX_GEV)), "aprime_per_pot_eps1": float(ps.weight.sum())}
    return (ChiPairChannel(br=eps * eps * _br_invisible(params), parent="zprime", llp=params.dm_label,
                           sampler=_TwoBodySampler(m_a, m_chi), label="p N -> p N zprime (bremsstrahlung)",
                           parent_mass=m_a, source=SOURCE, info=info), ps)


def chi_pairs(p4, weight, m_parent: float, m_chi: float, br: float, rng: np.random.Generator):
    """Explicit chi pairs from parents of four-momenta ``p4`` (n, 4) and weights ``weight`` (n,) (parents per
    POT): each decays isotropically in its rest frame (module docstring).  Returns (chi (n, 4), chi-bar (n, 4),
    weight (n,)), the weight of each chi being br x the parent's weight, so that the chi and chi-bar together
    weigh 2 br sum(weight)."""
    from darkbeam.mc.forced_direction import boost_daughters
    from darkbeam.processes.dark_matter import _TwoBodySampler

    p4 = np.asarray(p4, dtype=float)
    if not (m_parent > 2.0 * m_chi >= 0.0):
        raise ParameterError(f"a parent of mass {m_parent} GeV cannot decay to two chi of mass {m_chi} GeV")
    if not (math.isfinite(br) and br >= 0.0):
        raise ParameterError(f"branching ratio must be finite and >= 0, got {br}")
    P4 = np.column_stack([np.sqrt(np.einsum("ij,ij->i", p4[:, 1:], p4[:, 1:]) + m_parent**2), p4[:, 1:]])
    lab = boost_daughters(_TwoBodySampler(m_parent, m_chi)(len(P4), rng).momenta, P4)
    return lab[:, 0], lab[:, 1], br * np.asarray(weight, dtype=float)
