"""Numpy columns to and from Arrow tables without pandas (scan checkpoints, grid and contour tables).

``pa.table``, ``pa.array``, ``pq.read_table`` and ``to_numpy`` import pandas (to check whether they were
given a DataFrame or Series, or for its metadata): ~0.2 s of CPU, a tenth of everything a 50 x 50
scan spends outside its mass points.  Plain numeric and boolean columns without nulls are moved
through their buffers instead (the same Arrow arrays, the same parquet bytes); anything else goes
through pyarrow's own conversion.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pyarrow as pa

_ARROW = {np.dtype(np.float64): pa.float64(), np.dtype(np.float32): pa.float32(), np.dtype(np.int64): pa.int64(),
          np.dtype(np.int32): pa.int32(), np.dtype(np.uint32): pa.uint32(), np.dtype(np.uint16): pa.uint16()}
_NUMPY = {t: d for d, t in _ARROW.items()}


def arrow_array(values) -> pa.Array:
    """A 1-d numpy column as an Arrow array (booleans bit-packed, as Arrow stores them)."""
    a = np.asarray(values)
    if a.ndim == 1 and a.dtype in _ARROW:
        a = np.ascontiguousarray(a)
        return pa.Array.from_buffers(_ARROW[a.dtype], a.size, [None, pa.py_buffer(a)])
    if a.ndim == 1 and a.dtype == np.bool_:
        return pa.Array.from_buffers(pa.bool_(), a.size, [None, pa.py_buffer(np.packbits(a, bitorder="little"))])
    return pa.array(a)


def arrow_table(columns: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None) -> pa.Table:
    """``pa.table(columns)`` (with schema ``metadata``), without importing pandas."""
    table = pa.Table.from_arrays([arrow_array(v) for v in columns.values()], names=list(columns))
    return table.replace_schema_metadata(dict(metadata)) if metadata else table


def read_parquet_table(path) -> pa.Table:
    """The table of a single parquet file (``pq.read_table(path)``, without importing pandas)."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as pf:
        return pf.read()


def numpy_column(table: pa.Table, name: str) -> np.ndarray:
    """Column ``name`` of ``table`` as a (writable) numpy array."""
    col = table.column(name)
    arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    dt = _NUMPY.get(arr.type)
    if dt is None or arr.null_count:
        return col.to_numpy()
    if len(arr) == 0:
        return np.zeros(0, dtype=dt)
    return np.frombuffer(arr.buffers()[1], dtype=dt, count=len(arr), offset=arr.offset * dt.itemsize).copy()
