"""The columns of an :class:`~darkbeam.events.EventSet`: names, dtypes, units and meanings.

One event is one upscattering ``projectile + target -> N + recoil`` followed by the decay of ``N``
into up to four final daughters, two to four of which may come from a promptly decaying intermediate
``X`` (``N -> nu Z', Z' -> e+ e-``).  The stored columns are the independent quantities only; the
rest is derived exactly (docs/events.md):

* energies from the stored three-momenta and the on-shell masses of the case/channel tables;
* the target's four-momentum: at rest, ``(M, 0, 0, 0)``;
* the intermediate's four-momentum: the sum of its children's;
* the decay vertex: ``l_decay`` along the HNL's direction from the interaction vertex, reached after
  ``l_decay / (beta c)``;
* every PDG code: from the case table (projectile, target, recoil, HNL) and the channel table
  (daughters, intermediate).

All floating-point columns are float64 (35 x 8 B) and the two table indices uint16 (2 x 2 B):
284 bytes per event.  A detector whose parts leave gaps along a path (a union of separated volumes)
adds two columns per gap (:func:`gap_columns`), so that the decay probability and decay positions can
be recomputed exactly over the same segments as the generator used.

Weights (docs/events.md): ``w = w_rate * (br / q_channel) * w_decay * p_decay``.  ``sum(w_rate)`` is
the number of upscatterings, ``sum(w)`` the number of decays inside the detector, and the sum of
``w`` over the events of one channel that channel's decays inside the detector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: version of the column layout written into files; bump on incompatible change
SCHEMA_VERSION = 2

#: the maximum number of final decay daughters of N
MAX_DAUGHTERS = 4


@dataclass(frozen=True)
class Column:
    """One stored column: dtype, unit (``""`` for dimensionless) and meaning."""

    dtype: np.dtype
    unit: str
    doc: str


def _p3(role: str, what: str) -> dict[str, Column]:
    f8 = np.dtype(np.float64)
    return {f"{role}_p{c}": Column(f8, "GeV", f"{c} component of the momentum of {what} (lab frame)")
            for c in "xyz"}


_F8 = np.dtype(np.float64)
_U2 = np.dtype(np.uint16)

#: stored columns in their canonical order
COLUMNS: dict[str, Column] = {
    "case": Column(_U2, "", "index of the process case (projectile x HNL x target x regime x helicity) "
                            "in EventSet.cases"),
    "channel": Column(_U2, "", "index of the decay channel of N in EventSet.channels"),
    "w_rate": Column(_F8, "events", "upscattering weight: expected number of upscatterings this event "
                                    "stands for, for the exposure (sum over a file = upscattered total)"),
    "br": Column(_F8, "", "branching ratio of the decay channel of this event (model in meta)"),
    "q_channel": Column(_F8, "", "probability with which the generator chose this event's decay channel "
                                 "(its branching ratio in the generated model)"),
    "w_decay": Column(_F8, "", "decay-sampling weight: density of the decay kinematics and position in the "
                               "model of meta over the density they were sampled from (1 for generated "
                               "events; averages to 1)"),
    "p_decay": Column(_F8, "", "probability that N decays inside the active volume: sum over the path's "
                               "segments inside it of exp(-a/L) - exp(-b/L), L = beta gamma c tau"),
    "Q2": Column(_F8, "GeV^2", "squared four-momentum transfer Q^2 = -(p_projectile - p_N)^2"),
    "l1": Column(_F8, "cm", "distance from the interaction vertex along N's direction to where the path "
                            "first enters the active volume (0 if it starts inside)"),
    "l2": Column(_F8, "cm", "distance from the interaction vertex along N's direction to where the path "
                            "last leaves the active volume (l2 = l1 if it misses; gaps in between: "
                            "gap<k>_start/end columns)"),
    "ctau": Column(_F8, "cm", "proper decay length c tau of N used for p_decay (+inf for a stable N)"),
    "l_decay": Column(_F8, "cm", "distance from the interaction vertex to the decay vertex along N's "
                                 "direction"),
    "x": Column(_F8, "cm", "x of the interaction (upscattering) vertex, detector frame"),
    "y": Column(_F8, "cm", "y of the interaction vertex"),
    "z": Column(_F8, "cm", "z of the interaction vertex (beam axis)"),
    "t": Column(_F8, "ns", "time of the interaction"),
    **_p3("nu", "the projectile (incoming neutrino)"),
    **_p3("recoil", "the recoiling target"),
    **_p3("hnl", "N (the upscattered heavy neutral lepton)"),
    **{k: v for j in range(1, MAX_DAUGHTERS + 1)
       for k, v in _p3(f"d{j}", f"final daughter {j} of N's decay (0 for an empty slot)").items()},
}

#: optional columns (all three or none): the second companion of the new particle in a production
#: decay with three daughters (parent -> LLP + recoil + recoil2, e.g. K+ -> pi0 mu+ N4)
RECOIL2_COLUMNS: dict[str, Column] = _p3("recoil2", "the second companion of the new particle in the parent's "
                                                  "decay (meson-decay events with three-body production)")
OPTIONAL_COLUMNS: dict[str, Column] = {**RECOIL2_COLUMNS}

#: indices into the case/channel tables
INDEX_COLUMNS = ("case", "channel")
#: weight components: w = w_rate * (br / q_channel) * w_decay * p_decay
WEIGHT_COLUMNS = ("w_rate", "br", "q_channel", "w_decay", "p_decay")
#: weight components that are probabilities (in [0, 1])
PROBABILITY_COLUMNS = ("br", "q_channel", "p_decay")


def gap_columns(k: int) -> tuple[str, str]:
    """Names of the optional columns of gap ``k`` (1, 2, ...) of N's path through a detector made of
    separated parts: where the path leaves the active volume for the k-th time and re-enters it (cm
    from the interaction vertex; unused gaps of an event sit at ``l2``, a missed detector at 0).  The
    path inside the volume is [l1, gap1_start] + [gap1_end, gap2_start] + ... + [gapK_end, l2]."""
    return (f"gap{k}_start", f"gap{k}_end")


def gap_column_doc(k: int) -> tuple[Column, Column]:
    return (Column(_F8, "cm", f"distance along N's direction where its path leaves the active volume for "
                              f"the {k}. time before re-entering it (l2 if it does not)"),
            Column(_F8, "cm", f"distance along N's direction where its path re-enters the active volume "
                              f"after gap {k} (l2 if it does not)"))

#: particle roles, in event-record order.  ``target`` and ``x`` are derived, the rest stored.
ROLES = ("nu", "target", "hnl", "recoil", "recoil2", "inter", "d1", "d2", "d3", "d4")
#: roles whose three-momentum is stored
STORED_ROLES = ("nu", "recoil", "hnl", "d1", "d2", "d3", "d4")
DAUGHTER_ROLES = ("d1", "d2", "d3", "d4")

ROLE_DOCS = {
    "nu": "projectile (incoming neutrino; meson-decay events: the decaying parent)",
    "target": "target before the interaction (at rest)",
    "hnl": "N, the upscattered heavy neutral lepton",
    "recoil": "recoiling target (meson-decay events: the new particle's companion in the parent's decay)",
    "recoil2": "second companion of the new particle in a three-body production decay (zero otherwise)",
    "inter": "intermediate of a two-step decay (e.g. the Z' in N -> nu Z', Z' -> e+ e-); "
         "its children are the last daughters",
    "d1": "final daughter 1", "d2": "final daughter 2", "d3": "final daughter 3", "d4": "final daughter 4",
}

#: derived quantities available as ``EventSet[name]`` and as extra columns of ``to_arrow(full=True)``
DERIVED_DOCS = {
    "w": ("events", "event weight w = w_rate * (br / q_channel) * w_decay * p_decay: expected number of N "
                    "decays inside the detector for the exposure"),
    "visible": ("", "1 if the decay channel has at least one visible final daughter (charged, photon or "
                    "hadron; docs/events.md), else 0"),
    "E_nu": ("GeV", "projectile energy"),
    "x_dec": ("cm", "x of the decay vertex of N"),
    "y_dec": ("cm", "y of the decay vertex of N"),
    "z_dec": ("cm", "z of the decay vertex of N"),
    "t_dec": ("ns", "time of the decay of N (interaction time + time of flight)"),
    "delay": ("ns", "delay of N's decay behind a light-speed particle leaving the interaction (production) "
                    "vertex at the same time towards the decay vertex: l_decay (1/beta - 1)/c"),
}

#: internal units (docs/design.md)
UNITS = {"energy": "GeV", "momentum": "GeV", "mass": "GeV", "length": "cm", "time": "ns",
         "Q2": "GeV^2", "weight": "events for the exposure", "cross_section": "cm^2"}


def column_spec(name: str) -> Column:
    """The :class:`Column` of a stored column, including the optional gap columns."""
    if name in COLUMNS:
        return COLUMNS[name]
    if name in OPTIONAL_COLUMNS:
        return OPTIONAL_COLUMNS[name]
    k = parse_gap_column(name)
    if k is None:
        raise KeyError(name)
    return gap_column_doc(k[0])[k[1]]


def parse_gap_column(name: str) -> tuple[int, int] | None:
    """(k, 0) for ``gap<k>_start``, (k, 1) for ``gap<k>_end``, None for any other name."""
    for j, suffix in enumerate(("_start", "_end")):
        if name.startswith("gap") and name.endswith(suffix) and name[3:-len(suffix)].isdigit():
            k = int(name[3:-len(suffix)])
            if k >= 1:
                return k, j
    return None


def column_docs(n_gaps: int = 0, optional=()) -> dict[str, dict[str, str]]:
    """``{name: {"unit", "doc", "dtype"}}`` of the stored columns (written into file metadata);
    ``optional``: names of the optional columns present."""
    out = {k: {"unit": c.unit, "doc": c.doc, "dtype": c.dtype.name} for k, c in COLUMNS.items()}
    for k in optional:
        c = OPTIONAL_COLUMNS[k]
        out[k] = {"unit": c.unit, "doc": c.doc, "dtype": c.dtype.name}
    for k in range(1, n_gaps + 1):
        for name, c in zip(gap_columns(k), gap_column_doc(k)):
            out[name] = {"unit": c.unit, "doc": c.doc, "dtype": c.dtype.name}
    return out
