"""Building EventSets: from arrays of vectors (:func:`from_kinematics`) and by concatenating event
sets with merged case and channel tables (:func:`concat`).

Both take the class to build as first argument; :class:`darkbeam.events.eventset.EventSet` binds them
as the classmethods ``EventSet.from_kinematics`` and ``EventSet.concat``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from darkbeam.errors import ConfigurationError
from darkbeam.events.kinematics import _p3_names
from darkbeam.events.schema import (COLUMNS, DAUGHTER_ROLES, MAX_DAUGHTERS, RECOIL2_COLUMNS,
                                    gap_columns)
from darkbeam.events.tables import CaseInfo, ChannelInfo


def from_kinematics(cls, *, case, channel, w_rate, br, p_decay, Q2, l1, l2, ctau, l_decay, vertex,
                    p_nu, p_recoil, p_hnl, p_daughters, cases, channels, meta=None, q_channel=None,
                    w_decay=1.0, gaps=None, p_recoil2=None, validate=True) -> "EventSet":
    """Build from arrays of vectors.

    ``vertex``: (n, 4) x, y, z [cm], t [ns] of the interaction.  ``p_nu``, ``p_recoil``, ``p_hnl``:
    (n, 3) momenta or (n, 4) four-momenta (E, px, py, pz; E is dropped and later recomputed on
    shell).  ``p_daughters``: (n, k, 3|4) with k <= 4, zero-padded for channels with fewer
    daughters, the intermediate's children last.  ``q_channel``: channel-selection probability
    (default: ``br``, i.e. channels drawn with their branching ratios); ``gaps``: (n, K, 2) starts
    and ends of the gaps of the path (detectors of separated parts).  Other arguments are 1-D or
    scalars.  ``p_recoil2``: (n, 3|4) second companions of meson-decay events (optional columns).
    """
    vertex = np.asarray(vertex, dtype=float)
    n = vertex.shape[0]
    cols: dict[str, np.ndarray] = {}

    def p3(a, what):
        a = np.asarray(a, dtype=float)
        if a.ndim != 2 or a.shape[0] != n or a.shape[1] not in (3, 4):
            raise ConfigurationError(f"{what} must have shape (n, 3) or (n, 4), has {a.shape}")
        return a[:, -3:]

    roles = (("nu", p_nu), ("recoil", p_recoil), ("hnl", p_hnl))
    if p_recoil2 is not None:
        roles += (("recoil2", p_recoil2),)
    for role, arr in roles:
        p = p3(arr, "p_" + role)
        for j, k in enumerate(_p3_names(role)):
            cols[k] = np.ascontiguousarray(p[:, j])
    pdau = np.asarray(p_daughters, dtype=float)
    if pdau.ndim != 3 or pdau.shape[0] != n or pdau.shape[1] > MAX_DAUGHTERS or pdau.shape[2] not in (3, 4):
        raise ConfigurationError(f"p_daughters must have shape (n, k<=4, 3|4), has {pdau.shape}")
    for i, role in enumerate(DAUGHTER_ROLES):
        for j, k in enumerate(_p3_names(role)):
            cols[k] = (np.ascontiguousarray(pdau[:, i, pdau.shape[2] - 3 + j]) if i < pdau.shape[1]
                       else np.zeros(n))
    if vertex.ndim != 2 or vertex.shape[1] != 4:
        raise ConfigurationError(f"vertex must have shape (n, 4), has {vertex.shape}")
    for j, k in enumerate("xyzt"):
        cols[k] = np.ascontiguousarray(vertex[:, j])
    for k, v in (("w_rate", w_rate), ("br", br), ("q_channel", br if q_channel is None else q_channel),
                 ("w_decay", w_decay), ("p_decay", p_decay), ("Q2", Q2), ("l1", l1), ("l2", l2),
                 ("ctau", ctau), ("l_decay", l_decay)):
        cols[k] = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    if gaps is not None:
        g = np.asarray(gaps, dtype=float)
        if g.ndim != 3 or g.shape[0] != n or g.shape[2] != 2:
            raise ConfigurationError(f"gaps must have shape (n, K, 2), has {g.shape}")
        for k in range(g.shape[1]):
            a, b = gap_columns(k + 1)
            cols[a], cols[b] = np.ascontiguousarray(g[:, k, 0]), np.ascontiguousarray(g[:, k, 1])
    for k, v in (("case", case), ("channel", channel)):
        cols[k] = np.broadcast_to(np.asarray(v), (n,)).copy()
    return cls(cols, cases, channels, meta, validate=validate)


def concat(cls, sets: Iterable["EventSet"], *, meta: Mapping | None = None) -> "EventSet":
    """Concatenate event sets; case and channel tables are merged (equal entries shared).

    Without ``meta`` all inputs must have equal meta (pieces of one run, e.g. from parallel
    workers).  Joining independent runs of the same model needs their weights averaged, not summed:
    pass ``meta`` explicitly and rescale the weights yourself.
    """
    sets = list(sets)
    if not sets:
        raise ConfigurationError("concat() needs at least one EventSet")
    if meta is None:
        meta = sets[0].meta
        for s in sets[1:]:
            if s.meta != meta:
                keys = sorted(k for k in set(meta) | set(s.meta) if meta.get(k) != s.meta.get(k))
                raise ConfigurationError(f"cannot concatenate event sets whose meta differ in {keys}; "
                                         "pass meta= explicitly")
    cases: list[CaseInfo] = []
    channels: list[ChannelInfo] = []
    n_gaps = max(s.n_gaps for s in sets)
    gap_names = [c for k in range(1, n_gaps + 1) for c in gap_columns(k)]
    opt = list(RECOIL2_COLUMNS) if any(s.has_recoil2 for s in sets) else []
    pieces = {k: [] for k in list(COLUMNS) + opt + gap_names}
    for s in sets:
        maps = []
        for table, merged in ((s.cases, cases), (s.channels, channels)):
            remap = []
            for item in table:
                if item in merged:
                    remap.append(merged.index(item))
                else:
                    if any(m.name == item.name for m in merged):
                        raise ConfigurationError(f"two different table entries are named {item.name!r}")
                    merged.append(item)
                    remap.append(len(merged) - 1)
            maps.append(np.asarray(remap, dtype=np.uint16))
        for k in gap_names[2 * s.n_gaps:]:  # pad missing gaps: empty, at l2
            pieces[k].append(s._cols["l2"])
        if opt and not s.has_recoil2 and RECOIL2_COLUMNS.keys() <= set(opt):  # no second companion: zeros
            for k in RECOIL2_COLUMNS:
                pieces[k].append(np.zeros(len(s)))
        for k, a in s._cols.items():
            if k == "case":
                a = maps[0][a] if len(maps[0]) else a
            elif k == "channel":
                a = maps[1][a] if len(maps[1]) else a
            pieces[k].append(a)
    cols = {k: np.concatenate(v) for k, v in pieces.items()}
    return cls(cols, cases, channels, meta, validate=False)
