"""What the two event layouts share: equal-length 1-D columns of a declared dtype.

:class:`~darkbeam.events.EventSet` (upscattering/meson decay) and
:class:`~darkbeam.events.ScatterEvents` (scattering with no decay) each declare their columns in a
schema module; :func:`coerce_columns` turns the user's arrays into the stored ones with one set of
rules, and :class:`ColumnStore` gives both containers the same basic views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

import numpy as np

from darkbeam.errors import ConfigurationError, DataError


def coerce_columns(columns: Mapping[str, np.ndarray], names: Iterable[str],
                   dtype_of: Callable[[str], np.dtype]) -> tuple[dict[str, np.ndarray], int]:
    """The stored arrays of ``names`` (contiguous, of the declared dtype; no copy when they already
    are) and their common length.

    Raises ConfigurationError for a missing, non-1-D, non-integer index or wrongly sized column and
    DataError for an index outside its unsigned range."""
    cols: dict[str, np.ndarray] = {}
    n = None
    for name in names:
        if name not in columns:
            raise ConfigurationError(f"missing column {name!r}")
        a = np.asarray(columns[name])
        if a.ndim != 1:
            raise ConfigurationError(f"column {name!r} must be 1-D, has shape {a.shape}")
        dt = dtype_of(name)
        if dt.kind == "u" and a.size and a.dtype != dt:
            if a.dtype.kind not in "iu":
                raise ConfigurationError(f"index column {name!r} must be integer, is {a.dtype}")
            if a.min() < 0 or a.max() > np.iinfo(dt).max:
                raise DataError(f"index column {name!r} has entries outside 0..{np.iinfo(dt).max}")
        cols[name] = np.ascontiguousarray(a, dtype=dt)
        if n is None:
            n = a.shape[0]
        elif a.shape[0] != n:
            raise ConfigurationError(f"column {name!r} has {a.shape[0]} entries, expected {n}")
    return cols, int(n or 0)


class ColumnStore:
    """Length, read-only column view and memory of a container holding ``_cols`` and ``_n``."""

    __slots__ = ()

    def __len__(self) -> int:
        return self._n

    @property
    def columns(self) -> Mapping[str, np.ndarray]:
        """Read-only view of the stored columns."""
        return MappingProxyType(self._cols)

    @property
    def nbytes(self) -> int:
        """Bytes held by the per-event arrays."""
        return sum(a.nbytes for a in self._cols.values())

    def _selected_columns(self, which) -> dict[str, np.ndarray]:
        """The columns of the events picked by a slice, a boolean mask of length n or integer indices."""
        if isinstance(which, slice):
            return {k: a[which] for k, a in self._cols.items()}
        idx = np.asarray(which)
        if idx.dtype == bool and idx.shape != (self._n,):
            raise ConfigurationError(f"mask has shape {idx.shape}, expected ({self._n},)")
        if idx.dtype != bool and idx.dtype.kind not in "iu":
            raise ConfigurationError(f"select() takes a boolean mask or integer indices, got {idx.dtype}")
        return {k: a[idx] for k, a in self._cols.items()}
