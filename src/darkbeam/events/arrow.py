"""Conversion of an EventSet to and from pyarrow Tables (the parquet layout)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events.schema import (COLUMNS, DERIVED_DOCS, OPTIONAL_COLUMNS, ROLE_DOCS, ROLES, SCHEMA_VERSION, UNITS,
                                    column_docs, column_spec, parse_gap_column)


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise ConfigurationError(f"EventSet.meta holds a value that cannot be written to a file: {o!r}")


def metadata_dict(events) -> dict:
    """Everything but the per-event arrays, as a JSON-serialisable dict."""
    from darkbeam import __version__

    return {"format": "darkbeam.events", "schema_version": SCHEMA_VERSION,
            "darkbeam_version": __version__, "meta": events.meta,
            "cases": [c.to_dict() for c in events.cases], "channels": [c.to_dict() for c in events.channels],
            "units": UNITS, "columns": column_docs(events.n_gaps, [k for k in OPTIONAL_COLUMNS if k in events.columns]),
            "roles": list(ROLES)}


def to_arrow(events, full: bool = False) -> pa.Table:
    """See :meth:`EventSet.to_arrow`."""
    fields, arrays = [], []

    def add(name, arr, unit, doc, derived=False):
        arr = arr if isinstance(arr, pa.Array) else pa.array(arr)
        md = {"unit": unit, "doc": doc}
        if derived:
            md["derived"] = "true"
        fields.append(pa.field(name, arr.type, nullable=False, metadata=md))
        arrays.append(arr)

    cols = events.columns
    for name in cols:
        spec = column_spec(name)
        add(name, cols[name], spec.unit, spec.doc)
    if full:
        for name, (unit, doc) in DERIVED_DOCS.items():
            add(name, events[name], unit, doc, True)
        for key, table in (("case", events.cases), ("channel", events.channels)):
            idx = pa.array(cols[key].astype(np.int32))
            names = pa.array([t.name for t in table], pa.string())
            add(f"{key}_name", pa.DictionaryArray.from_arrays(idx, names), "", f"name of the {key}", True)
        for role in ROLES:
            add(f"{role}_pdg", events.pdg(role), "", f"PDG code of the {ROLE_DOCS[role]} (0: none)", True)
            p4 = events.p4(role)
            add(f"{role}_E", p4[:, 0], "GeV", f"energy of the {ROLE_DOCS[role]}", True)
            if role in ("target", "inter"):
                for j, c in enumerate("xyz"):
                    add(f"{role}_p{c}", p4[:, j + 1], "GeV", f"p{c} of the {ROLE_DOCS[role]}", True)
    md = json.dumps(metadata_dict(events), default=_json_default)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"darkbeam": md}))


def from_arrow(cls, table, *, cases=None, channels=None, meta=None, validate=True, schema_version=None):
    """See :meth:`EventSet.from_arrow`; ``schema_version``: of the file (default: from the table's
    metadata); version-1 tables are converted (w_rate had 1/q folded in, q = br)."""
    md = {}
    raw = (table.schema.metadata or {}).get(b"darkbeam")
    if raw is not None:
        try:
            md = json.loads(raw)
        except ValueError as exc:
            raise DataError(f"corrupt darkbeam metadata: {exc}") from None
    if (cases is None or channels is None) and not md:
        raise DataError("the table carries no darkbeam metadata; pass cases= and channels=")
    cases = md["cases"] if cases is None else cases
    channels = md["channels"] if channels is None else channels
    meta = md.get("meta", {}) if meta is None else meta
    version = int(md.get("schema_version", SCHEMA_VERSION) if schema_version is None else schema_version)
    names = (list(COLUMNS) + [k for k in OPTIONAL_COLUMNS if k in table.column_names]
             + [k for k in table.column_names if parse_gap_column(k) is not None])
    if version == 1:  # before q_channel and w_decay: w_rate carried 1/q (q = br at generation)
        if isinstance(meta, dict) and meta.get("reweight"):
            raise DataError("this event file was reweighted by a darkbeam with event schema 1, whose w_rate "
                            "mixes several factors: regenerate it (or reweight the original file again)")
        names = [k for k in names if k not in ("q_channel", "w_decay")]
    missing = [k for k in names if k not in table.column_names]
    if missing:
        raise DataError(f"the table lacks the darkbeam columns {missing}")
    cols = {k: table.column(k).to_numpy() for k in names}
    if version == 1:
        cols["q_channel"] = np.array(cols["br"], dtype=float)
        cols["w_rate"] = np.asarray(cols["w_rate"], dtype=float) * cols["br"]
        cols["w_decay"] = np.ones(len(cols["br"]))
    try:
        return cls(cols, cases, channels, meta, validate=validate)
    except ConfigurationError as exc:
        raise DataError(f"malformed darkbeam event table: {exc}") from None
