"""Preallocated event columns that the generator's sampling passes write into.

One float64 matrix holds every floating-point column of the event set, one row per column (the
column map :data:`ROWS`: name -> row), plus the two uint16 index columns.  A sampling pass reserves
``n`` slots and writes its events straight into their final place; at the end the EventSet is built
from row views (no concatenation, no copy).  Rows are allocated with ``np.empty`` for an upper bound
of the number of events (a vegas pass never has more points than its ``neval``), so pages beyond the
events actually written are never touched and cost no resident memory.

Gaps of N's path (detectors made of separated parts, ``gap<k>_start/end``) have their own rows,
added when a pass first meets a path with k gaps; earlier events get the value ``l2`` (an unused gap
sits at the last exit, docs/events.md).
"""

from __future__ import annotations

import numpy as np

#: the floating-point columns written by the generator, in the order of their rows
FLOAT_COLUMNS = (
    "w_rate", "br", "q_channel", "w_decay", "p_decay", "Q2", "l1", "l2", "ctau", "l_decay",
    "x", "y", "z", "t",
    "nu_px", "nu_py", "nu_pz", "recoil_px", "recoil_py", "recoil_pz", "hnl_px", "hnl_py", "hnl_pz",
    "d1_px", "d1_py", "d1_pz", "d2_px", "d2_py", "d2_pz", "d3_px", "d3_py", "d3_pz", "d4_px", "d4_py", "d4_pz",
)
#: the column map: name -> row of the float matrix
ROWS = {k: i for i, k in enumerate(FLOAT_COLUMNS)}
#: first row of (px, py, pz) of each role; of the vertex (x, y, z, t)
P3_ROW = {r: ROWS[f"{r}_px"] for r in ("nu", "recoil", "hnl", "d1", "d2", "d3", "d4")}
VERTEX_ROW = ROWS["x"]
DAUGHTER_ROW = ROWS["d1_px"]
MAX_DAUGHTERS = 4


class EventColumns:
    """Event columns with room for ``capacity`` events (grown by copying if a pass needs more)."""

    def __init__(self, capacity: int):
        cap = max(int(capacity), 1)
        self.f = np.empty((len(FLOAT_COLUMNS), cap))
        self.case = np.empty(cap, dtype=np.uint16)
        self.channel = np.empty(cap, dtype=np.uint16)
        self.gaps = np.empty((0, cap))  # rows gap1_start, gap1_end, gap2_start, ...
        self.n = 0

    @property
    def capacity(self) -> int:
        return self.f.shape[1]

    def reserve(self, m: int) -> slice:
        """Slots for ``m`` more events: the slice of their columns."""
        need = self.n + int(m)
        if need > self.capacity:
            self._grow(max(need, int(1.25 * self.capacity)))
        s = slice(self.n, need)
        self.n = need
        return s

    def _grow(self, cap: int) -> None:
        n = self.n
        for name in ("f", "gaps"):
            old = getattr(self, name)
            new = np.empty((old.shape[0], cap))
            new[:, :n] = old[:, :n]
            setattr(self, name, new)
        for name in ("case", "channel"):
            old = getattr(self, name)
            new = np.empty(cap, dtype=old.dtype)
            new[:n] = old[:n]
            setattr(self, name, new)

    def _ensure_gap_rows(self, k: int, upto: int) -> None:
        """At least ``k`` gap rows; events before ``upto`` get l2 in the new rows (no gap)."""
        if k <= self.gaps.shape[0]:
            return
        old = self.gaps
        g = np.empty((k, self.capacity))
        g[: old.shape[0], :upto] = old[:, :upto]
        g[old.shape[0]:, :upto] = self.f[ROWS["l2"], :upto]
        self.gaps = g

    def set_bounds(self, s: slice, bounds: np.ndarray) -> None:
        """Write segment ends (m, 2K+2) = [l1, gap1_start, gap1_end, ..., l2] of the events in ``s``."""
        f = self.f
        f[ROWS["l1"], s] = bounds[:, 0]
        f[ROWS["l2"], s] = bounds[:, -1]
        k = bounds.shape[1] - 2
        self._ensure_gap_rows(k, s.start)
        if k:
            self.gaps[:k, s] = bounds[:, 1:-1].T
        if self.gaps.shape[0] > k:
            self.gaps[k:, s] = bounds[:, -1]

    def append(self, block: "EventColumns") -> None:
        """Copy another block's events after this one's (the parallel path: one block per task)."""
        m = block.n
        s = self.reserve(m)
        self.f[:, s] = block.f[:, :m]
        self.case[s] = block.case[:m]
        self.channel[s] = block.channel[:m]
        k = block.gaps.shape[0]
        self._ensure_gap_rows(k, s.start)
        if k:
            self.gaps[:k, s] = block.gaps[:, :m]
        if self.gaps.shape[0] > k:
            self.gaps[k:, s] = block.f[ROWS["l2"], :m]

    def trimmed(self) -> "EventColumns":
        """A copy holding exactly the events written (for sending a block between processes)."""
        out = EventColumns(self.n)
        out.f = np.ascontiguousarray(self.f[:, : self.n])
        out.case = self.case[: self.n].copy()
        out.channel = self.channel[: self.n].copy()
        out.gaps = np.ascontiguousarray(self.gaps[:, : self.n])
        out.n = self.n
        return out

    def as_columns(self) -> dict[str, np.ndarray]:
        """The stored columns of an EventSet: views of the rows (contiguous, no copy)."""
        n = self.n
        cols = {k: self.f[i, :n] for k, i in ROWS.items()}
        cols["case"] = self.case[:n]
        cols["channel"] = self.channel[:n]
        for k in range(self.gaps.shape[0] // 2):
            cols[f"gap{k + 1}_start"] = self.gaps[2 * k, :n]
            cols[f"gap{k + 1}_end"] = self.gaps[2 * k + 1, :n]
        return cols
