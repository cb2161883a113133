"""Readers: parquet files written by :func:`darkbeam.events.write_parquet` back into an EventSet."""

from __future__ import annotations

import json
from pathlib import Path

from darkbeam.errors import DataError
from darkbeam.events.eventset import EventSet
from darkbeam.events.schema import COLUMNS, OPTIONAL_COLUMNS, SCHEMA_VERSION, parse_gap_column


def read_metadata(path) -> dict:
    """The darkbeam metadata document of a parquet event file (reads only the footer)."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such event file: {path}")
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a non-parquet file
        raise DataError(f"{path} is not a readable parquet file: {exc}") from None
    raw = (schema.metadata or {}).get(b"darkbeam")
    if raw is None:
        raise DataError(f"{path} is not a darkbeam event file (no darkbeam metadata)")
    try:
        md = json.loads(raw)
    except ValueError as exc:
        raise DataError(f"{path}: corrupt darkbeam metadata ({exc})") from None
    if md.get("format") != "darkbeam.events":
        raise DataError(f"{path}: metadata format {md.get('format')!r} is not darkbeam.events")
    layout = md.get("layout")
    if layout not in (None, "scattering"):
        raise DataError(f"{path}: unknown event layout {layout!r} (upgrade darkbeam)")
    from darkbeam.events.scatter_schema import SCATTER_SCHEMA_VERSION

    top = SCHEMA_VERSION if layout is None else SCATTER_SCHEMA_VERSION
    if int(md.get("schema_version", -1)) > top:
        raise DataError(f"{path} has event schema version {md.get('schema_version')}; this darkbeam "
                        f"reads up to {top} (upgrade darkbeam)")
    return md


def read_parquet(path, *, validate: bool = True) -> EventSet:
    """Read a darkbeam parquet event file into an EventSet (stored columns; derived ones ignored), or a
    :class:`~darkbeam.events.scattering.ScatterEvents` for a file of layout ``scattering``."""
    import pyarrow.parquet as pq

    md = read_metadata(path)
    if md.get("layout") == "scattering":
        from darkbeam.events import scatter_schema as S
        from darkbeam.events.scattering import ScatterEvents

        try:
            present = pq.read_schema(path).names
            table = pq.read_table(path, columns=[k for k in present if k in S.COLUMNS or k in S.OPTIONAL_COLUMNS])
        except Exception as exc:
            raise DataError(f"{path}: cannot read the event columns ({exc})") from None
        return ScatterEvents.from_arrow(table, cases=md["cases"], meta=md.get("meta", {}), validate=validate)
    try:
        present = pq.read_schema(path).names
        names = [k for k in present if k in COLUMNS or k in OPTIONAL_COLUMNS or parse_gap_column(k) is not None]
        table = _read_into_columns(path, names)
        if table is None:
            table = pq.read_table(path, columns=names)
    except Exception as exc:
        raise DataError(f"{path}: cannot read the event columns ({exc})") from None
    return EventSet.from_arrow(table, cases=md["cases"], channels=md["channels"], meta=md.get("meta", {}),
                               validate=validate, schema_version=int(md.get("schema_version", SCHEMA_VERSION)))


#: rows decoded at a time by :func:`_read_into_columns`
READ_BATCH = 1 << 16


def _read_into_columns(path, names):
    """The columns ``names`` of a parquet file as a Table over numpy arrays allocated once for all rows
    and filled batch by batch, or None where a column is not a plain number column without nulls (then
    the caller reads the file as a whole).  ``pq.read_table`` returns one chunk per row group (or
    batch) and the EventSet then needs one contiguous copy of each column: the peak memory of a read
    was the file's columns twice (~830 MB for 985k events); here it is the columns once plus one
    batch."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from darkbeam.events.arrow import _array

    with pq.ParquetFile(path, pre_buffer=False) as pf:  # pre_buffer would hold the whole file in Arrow memory
        schema, n = pf.schema_arrow, pf.metadata.num_rows
        cols = {}
        for k in names:
            t = schema.field(k).type
            if not (pa.types.is_integer(t) or pa.types.is_floating(t)):
                return None
            cols[k] = np.empty(n, dtype=np.dtype(t.to_pandas_dtype()))
        a = 0
        for batch in pf.iter_batches(batch_size=READ_BATCH, columns=names):
            m = batch.num_rows
            for k in names:
                c = batch.column(k)
                if c.null_count:
                    return None
                cols[k][a:a + m] = c.to_numpy()
            a += m
    if a != n:
        raise DataError(f"{path}: {a} rows read, the footer says {n}")
    return pa.Table.from_arrays([_array(cols[k]) for k in names], names=names)


def read(path, **kwargs) -> EventSet:
    """Read an event file (parquet) into an EventSet."""
    return read_parquet(path, **kwargs)
