"""EventSet: a columnar container of weighted upscattering-and-decay events.

The layout (stored columns, derived quantities, units) is defined in :mod:`darkbeam.events.schema`
and documented in docs/events.md.  An EventSet is a dict of equal-length 1-D numpy arrays plus three
pieces of metadata: the case table, the channel table and ``meta`` (model parameters, experiment,
seed, exposure, ... -- JSON-serialisable values).  Operations return new EventSets; arrays are shared
where nothing changes, so treat them as read-only.

This module holds the container (columns, tables, meta, validation, selection, Arrow entry points);
the derived quantities live in mixins and helpers named after what they hold:
:mod:`darkbeam.events.kinematics` (roles' codes, masses, momenta, vertices),
:mod:`darkbeam.events.weight_views` (weights, sums, decay probability, with_ctau, reweight) and
:mod:`darkbeam.events.construction` (from_kinematics, concat).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events import construction
from darkbeam.events.column_store import ColumnStore, coerce_columns
from darkbeam.events.kinematics import EventKinematics, _p3_names  # noqa: F401  (_p3_names: re-export)
from darkbeam.events.schema import (COLUMNS, OPTIONAL_COLUMNS, PROBABILITY_COLUMNS, RECOIL2_COLUMNS,
                                    WEIGHT_COLUMNS, column_spec, gap_columns, parse_gap_column)
from darkbeam.events.tables import CaseInfo, ChannelInfo, check_unique_names
from darkbeam.events.weight_views import EventWeightViews

_FLOAT_COLUMNS = tuple(k for k, c in COLUMNS.items() if c.dtype.kind == "f")
#: events checked at a time by :meth:`EventSet.validate`
VALIDATE_CHUNK = 1 << 16


class EventSet(ColumnStore, EventKinematics, EventWeightViews):
    """Weighted events with full kinematics, positions and separate weight components.

    Parameters
    ----------
    columns : mapping of every stored column name (:data:`darkbeam.events.schema.COLUMNS`) to a 1-D
        array; arrays already of the right dtype are used without copying
    cases, channels : sequences of :class:`CaseInfo` / :class:`ChannelInfo` (or their dicts)
    meta : JSON-serialisable run metadata (``model``, ``experiment``, ``seed``, ``exposure_pot``,
        ``flux_averaged_xsec_cm2``, ... see docs/events.md)
    validate : check indices, weights (finite, >= 0) and finiteness now; raises DataError

    The event weight is ``w = w_rate * (br / q_channel) * w_decay * p_decay`` (N decays inside the
    detector for the exposure).  Optional columns ``gap<k>_start``, ``gap<k>_end`` (k = 1..K, all
    present) describe gaps of N's path through a detector made of separated parts.
    """

    __slots__ = ("_cols", "cases", "channels", "meta", "_n", "n_gaps")

    def __init__(self, columns: Mapping[str, np.ndarray], cases: Sequence, channels: Sequence,
                 meta: Mapping | None = None, *, validate: bool = True):
        self.cases = tuple(c if isinstance(c, CaseInfo) else CaseInfo.from_dict(dict(c)) for c in cases)
        self.channels = tuple(c if isinstance(c, ChannelInfo) else ChannelInfo.from_dict(dict(c))
                              for c in channels)
        check_unique_names(self.cases, "case")
        check_unique_names(self.channels, "channel")
        if len(self.cases) > 65535 or len(self.channels) > 65535:
            raise ConfigurationError("at most 65535 cases and channels")
        self.meta = dict(meta or {})
        gaps = sorted({parse_gap_column(k)[0] for k in columns if parse_gap_column(k) is not None})
        unknown = sorted(k for k in set(columns) - set(COLUMNS) - set(OPTIONAL_COLUMNS) if parse_gap_column(k) is None)
        if unknown:
            raise ConfigurationError(f"unknown EventSet columns {unknown}")
        if gaps != list(range(1, len(gaps) + 1)):
            raise ConfigurationError(f"gap columns must be numbered 1..K without holes, got {gaps}")
        opt = [k for k in RECOIL2_COLUMNS if k in columns]
        if opt and len(opt) != len(RECOIL2_COLUMNS):
            raise ConfigurationError(f"EventSet needs all of {list(RECOIL2_COLUMNS)} or none, got {opt}")
        names = list(COLUMNS) + opt + [c for k in gaps for c in gap_columns(k)]
        missing = [k for k in names if k not in columns]
        if missing:
            raise ConfigurationError(f"EventSet is missing columns {missing}")
        cols, n = coerce_columns(columns, names, lambda k: column_spec(k).dtype)
        self._cols = cols
        self._n = n
        self.n_gaps = len(gaps)
        if validate:
            self.validate()

    # ------------------------------------------------------------------ basics
    @property
    def bytes_per_event(self) -> float:
        if self._n == 0:
            return sum(column_spec(k).dtype.itemsize for k in self._cols)
        return self.nbytes / self._n

    def __repr__(self) -> str:
        return (f"<EventSet: {self._n} events, {len(self.cases)} cases, {len(self.channels)} channels, "
                f"sum w = {self.w.sum():.6g}>")

    def __getitem__(self, key):
        """``es["w_rate"]``: a stored column or derived quantity; ``es[mask]``: a selection."""
        if isinstance(key, str):
            if key in self._cols:
                return self._cols[key]
            if key == "w":
                return self.w
            if key == "visible":
                return self.visible().astype(np.float64)
            if key == "E_nu":
                return self.E_nu
            if key in ("x_dec", "y_dec", "z_dec", "t_dec"):
                return self.vertex("decay")[:, "xyzt".index(key[0])]
            if key == "delay":
                return self.delay()
            raise KeyError(key)
        return self.select(key)

    # ------------------------------------------------------------------ validation
    def validate(self) -> "EventSet":
        """Raise DataError unless indices, weights and kinematics are sane; return self.

        Checks: table indices in range; weight components finite and >= 0 (br, q_channel, p_decay <= 1;
        q_channel > 0 where br > 0, since a channel of non-zero BR must have been sampled with q > 0);
        ctau > 0 (+inf allowed: stable N); 0 <= l1 <= gap1_start <= gap1_end
        <= ... <= l2; every other float column finite.
        """
        c = self._cols
        for name, table in (("case", self.cases), ("channel", self.channels)):
            if self._n and int(c[name].max(initial=0)) >= len(table):
                raise DataError(f"column {name!r} points past the {len(table)} entries of its table")
        # each check in slices of VALIDATE_CHUNK events, so that the temporaries stay small for any
        # number of events (peak RSS of a write, benchmarks/memory_per_event.py); checks in the same
        # order as on the whole columns, and the messages count over all events
        slices = [slice(a, a + VALIDATE_CHUNK) for a in range(0, self._n, VALIDATE_CHUNK)]
        for name in WEIGHT_COLUMNS:
            if any(self._bad_weight(name, sl).any() for sl in slices):
                bad = self._bad_weight(name, slice(None))
                i = int(np.flatnonzero(bad)[0])
                raise DataError(f"{int(bad.sum())} events have a NaN, infinite, negative or >1 weight "
                                f"component {name!r}, or q_channel = 0 with br > 0 (first: event {i}, value "
                                f"{c[name][i]!r})")
        if not all((c["ctau"][sl] > 0.0).all() for sl in slices):
            raise DataError("ctau must be > 0 (or +inf) for every event")
        names = ["l1"] + [x for k in range(1, self.n_gaps + 1) for x in gap_columns(k)] + ["l2"]
        for sl in slices:
            b = np.stack([c[k][sl] for k in names], axis=1)  # path_bounds() of these events
            if not ((b[:, 0] >= 0.0).all() and (np.diff(b, axis=1) >= 0.0).all()):
                raise DataError("path lengths must satisfy 0 <= l1 <= gap1_start <= gap1_end <= ... <= l2")
        for name in _FLOAT_COLUMNS + tuple(k for k in self._cols if k not in COLUMNS):
            if name in WEIGHT_COLUMNS or name == "ctau":
                continue
            if not all(np.isfinite(c[name][sl]).all() for sl in slices):
                raise DataError(f"column {name!r} has NaN or infinite entries")
        return self

    def _bad_weight(self, name: str, sl: slice) -> np.ndarray:
        """Events of ``sl`` whose weight component ``name`` fails :meth:`validate`."""
        c = self._cols
        a = c[name][sl]
        bad = ~(a >= 0.0) | ~np.isfinite(a)
        if name in PROBABILITY_COLUMNS:
            bad |= a > 1.0 + 1e-12
        if name == "q_channel":
            bad |= (a <= 0.0) & (c["br"][sl] > 0.0)
        return bad

    # ------------------------------------------------------------------ selection, concatenation
    def select(self, which) -> "EventSet":
        """Events selected by a boolean mask, an index array or a slice (tables and meta kept)."""
        cols = self._selected_columns(which)
        return EventSet(cols, self.cases, self.channels, self.meta, validate=False)

    # ------------------------------------------------------------------ construction (events/construction.py)
    concat = classmethod(construction.concat)

    from_kinematics = classmethod(construction.from_kinematics)

    def with_meta(self, **meta) -> "EventSet":
        """A copy sharing all arrays, with ``meta`` updated."""
        return EventSet(self._cols, self.cases, self.channels, {**self.meta, **meta}, validate=False)

    def equals(self, other: "EventSet") -> bool:
        """Exact equality of columns, tables and meta."""
        return (isinstance(other, EventSet) and self._n == other._n and self.cases == other.cases
                and self.channels == other.channels and self.meta == other.meta
                and self._cols.keys() == other._cols.keys()
                and all(np.array_equal(self._cols[k], other._cols[k]) for k in self._cols))

    # ------------------------------------------------------------------ arrow / pandas
    def metadata_dict(self) -> dict:
        """Everything but the per-event arrays, as a JSON-serialisable dict (written into files)."""
        from darkbeam.events.arrow import metadata_dict

        return metadata_dict(self)

    def to_arrow(self, full: bool = False):
        """A pyarrow Table of the stored columns (zero-copy) with darkbeam metadata.

        ``full=True`` adds derived columns for users outside darkbeam: ``w``, ``E_nu``, the decay vertex,
        the case and channel names (dictionary-encoded) and, for every role, ``<role>_pdg`` and
        ``<role>_E`` (plus the target's and intermediate's momenta).  Readers ignore them.
        """
        from darkbeam.events.arrow import to_arrow

        return to_arrow(self, full)

    @classmethod
    def from_arrow(cls, table, *, cases=None, channels=None, meta=None, validate=True,
                   schema_version=None) -> "EventSet":
        """EventSet from a pyarrow Table written by :meth:`to_arrow` (tables and meta from its
        metadata unless given).  Extra columns are ignored; a missing stored column is a DataError."""
        from darkbeam.events.arrow import from_arrow

        return from_arrow(cls, table, cases=cases, channels=channels, meta=meta, validate=validate,
                          schema_version=schema_version)

    def to_pandas(self, full: bool = True):
        """A pandas DataFrame (needs pandas): stored columns plus, with ``full``, the derived ones."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ConfigurationError("EventSet.to_pandas() needs pandas: pip install pandas") from None
        return self.to_arrow(full=full).to_pandas()


def concat(sets: Iterable[EventSet], *, meta: Mapping | None = None) -> EventSet:
    """Module-level alias of :meth:`EventSet.concat`."""
    return EventSet.concat(sets, meta=meta)