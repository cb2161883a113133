"""Files of :class:`~darkbeam.events.scattering.ScatterEvents`: the Arrow/parquet layout, HepMC3 ASCII
following NuHepMC 1.0.0, and HEPEVT ASCII (docs/events.md, "Scattering events").

Event graph (HepMC3 ids; HEPEVT entries in the same order)::

    1 projectile (status 4)  --\\                  /-- 3 scattered (status 1)
                                V-1 (status 1) ---+-- [4 pair1, 5 pair2 (status 1)]
    2 target     (status 20) --/  at the vertex    \\-- last: recoil (status 1)

No decay: every outgoing particle is a final-state particle.  Units and the vertex position
convention are those of :mod:`darkbeam.events.hepmc` ((x, y, z, c t) in cm; ``lab_pos`` with t in
seconds; HEPEVT in GeV and mm).  Process IDs: :func:`darkbeam.events.scatter_schema.scatter_process_ids`.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from darkbeam import __version__
from darkbeam.errors import ConfigurationError, DataError
from darkbeam.events import _text as T
from darkbeam.events.arrow import _array, _json_default
from darkbeam.events.nuhepmc import (CM_TO_MM, HEPMC3_FOOTER, HEPMC3_VERSION, NS_TO_S, run_attributes)
from darkbeam.events.scatter_schema import (AMPLITUDE_COLUMNS, COLUMNS, DERIVED_DOCS, LAYOUT, OPTIONAL_COLUMNS,
                                            ROLE_DOCS, ROLES, SCATTER_SCHEMA_VERSION, column_spec,
                                            scatter_process_ids)
from darkbeam.events.schema import UNITS
from darkbeam.units import C_LIGHT_CM_PER_NS

PARTICLE_STATUS = {1: ("UndecayedPhysical", "final-state particle (every outgoing particle of the scattering)"),
                   4: ("IncomingBeam", "incoming beam particle (the projectile)"),
                   20: ("Target", "target particle, at rest in the lab frame")}
VERTEX_STATUS = {1: ("PrimaryVertex", "the scattering projectile + target -> outgoing particles")}


# ---------------------------------------------------------------------- Arrow / parquet
def metadata_dict(events) -> dict:
    cols = {k: {"unit": column_spec(k).unit, "doc": column_spec(k).doc, "dtype": column_spec(k).dtype.name}
            for k in events.columns}
    return {"format": "darkbeam.events", "layout": LAYOUT, "schema_version": SCATTER_SCHEMA_VERSION,
            "darkbeam_version": __version__, "meta": events.meta, "cases": [c.to_dict() for c in events.cases],
            "units": UNITS, "columns": cols, "roles": list(ROLES)}


def to_arrow(events, full: bool = False) -> pa.Table:
    fields, arrays = [], []

    def add(name, arr, unit, doc, derived=False):
        arr = arr if isinstance(arr, pa.Array) else _array(np.ascontiguousarray(arr))
        md = {"unit": unit, "doc": doc}
        if derived:
            md["derived"] = "true"
        fields.append(pa.field(name, arr.type, nullable=False, metadata=md))
        arrays.append(arr)

    for name, a in events.columns.items():
        spec = column_spec(name)
        add(name, a, spec.unit, spec.doc)
    if full:
        for name, (unit, doc) in DERIVED_DOCS.items():
            add(name, events[name], unit, doc, True)
        idx = pa.array(events.columns["case"].astype(np.int32))
        add("case_name", pa.DictionaryArray.from_arrays(idx, pa.array([c.name for c in events.cases], pa.string())),
            "", "name of the case", True)
        for role in ROLES:
            add(f"{role}_pdg", events.pdg(role), "", f"PDG code of the {ROLE_DOCS[role]} (0: none)", True)
            add(f"{role}_E", events.energy(role), "GeV", f"energy of the {ROLE_DOCS[role]}", True)
    md = json.dumps(metadata_dict(events), default=_json_default)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"darkbeam": md}))


def from_arrow(cls, table, *, cases=None, meta=None, validate=True):
    raw = (table.schema.metadata or {}).get(b"darkbeam")
    md = {}
    if raw is not None:
        try:
            md = json.loads(raw)
        except ValueError as exc:
            raise DataError(f"corrupt darkbeam metadata: {exc}") from None
    if cases is None and not md:
        raise DataError("the table carries no darkbeam metadata; pass cases=")
    cases = md["cases"] if cases is None else cases
    meta = md.get("meta", {}) if meta is None else meta
    names = list(COLUMNS) + [k for k in OPTIONAL_COLUMNS if k in table.column_names]
    missing = [k for k in COLUMNS if k not in table.column_names]
    if missing:
        raise DataError(f"the table lacks the darkbeam columns {missing}")
    cols = {k: table.column(k).to_numpy() for k in names}
    try:
        return cls(cols, cases, meta, validate=validate)
    except ConfigurationError as exc:
        raise DataError(f"malformed darkbeam scattering-event table: {exc}") from None


# ---------------------------------------------------------------------- HepMC3 / NuHepMC
def nuhepmc_header(events) -> str:
    """HepMC3 header and NuHepMC run information (G.R.1-11, G.C.1, G.C.2, G.C.5, G.S.1)."""
    meta = events.meta
    codes = sorted({c.pdg(r) for c in events.cases for r in ROLES} - {0}, key=lambda v: (abs(v), v))
    A, att = run_attributes(meta, events.cases, scatter_process_ids(events.cases), codes,
                            vertex_status=VERTEX_STATUS, particle_status=PARTICLE_STATUS, json_default=_json_default)
    att("darkbeam.Layout", LAYOUT)
    att("darkbeam.WeightInfo[CV].Description", "expected number of interactions for the exposure NuHepMC.Exposure.POT")
    att("darkbeam.AttributeInfo[darkbeam.Q2].Description", "Q^2 = -(p_target - p_recoil)^2 [GeV^2]")
    if events.has_amplitudes:
        att("darkbeam.AttributeInfo[darkbeam.amplitudes].Description",
            "w_vv w_aa w_va [events] t_nu [GeV^2]: CV = C_V(t)^2 w_vv + C_A^2 w_aa + 2 C_V(t) C_A w_va "
            "(docs/tridents.md)")
    head = [f"HepMC::Version {HEPMC3_VERSION}", "HepMC::Asciiv3-START_EVENT_LISTING", "W CV",
            f"T darkbeam\\|{__version__}\\|darkbeam: new physics at accelerator neutrino experiments "
            "(scattering event generator)"]
    return "\n".join(head + A) + "\n"


def _p(events, role, sel=None):
    p4 = events.p4(role)
    if sel is not None:
        p4 = p4[sel]
    return T.fstr(p4[:, 1]), T.fstr(p4[:, 2]), T.fstr(p4[:, 3]), T.fstr(p4[:, 0])


def hepmc3_chunk(events, first: int) -> memoryview:
    """HepMC3 text of the events of one chunk, numbered from ``first`` (no final newline)."""
    n, c = len(events), events.columns
    case = c["case"]
    pids = scatter_process_ids(events.cases)
    fs = T.fmt_scalar
    npart = [4 + 2 * bool(k.pair) for k in events.cases]
    haspair = np.array([bool(k.pair) for k in events.cases], dtype=bool)[case] if n else np.zeros(0, bool)
    amp = events.has_amplitudes
    # slots: E U W pid lab_pos Q2 [amp] P1 P2 V1 P3 P4 P5 Prec
    S = 14
    pres = np.ones((n, S), dtype=bool)
    pres[:, 6] = amp
    pres[:, 11] = pres[:, 12] = haspair
    slots = [None] * S
    slots[0] = T.join("E", T.istr(np.arange(first, first + n)), T.lookup([f"1 {k}" for k in npart], case))
    slots[1] = T.const("U GEV CM", n)
    slots[2] = T.join("W", T.fstr(events.w))
    slots[3] = T.lookup([f"A 0 signal_process_id {p}" for p in pids], case)
    xs, ys, zs = T.fstr(c["x"]), T.fstr(c["y"]), T.fstr(c["z"])
    slots[4] = T.join("A 0 lab_pos", xs, ys, zs, T.fstr(c["t"] * NS_TO_S))
    slots[5] = T.join("A 0 darkbeam.Q2", T.fstr(c["Q2"]))
    if amp:
        slots[6] = T.join("A 0 darkbeam.amplitudes", *(T.fstr(c[k]) for k in AMPLITUDE_COLUMNS))
    cs = events.cases
    slots[7] = T.join(T.lookup([f"P 1 0 {k.projectile}" for k in cs], case), *_p(events, "projectile"),
                      T.lookup([f"{fs(k.m_projectile)} 4" for k in cs], case))
    slots[8] = T.lookup([f"P 2 0 {k.target} 0 0 0 {fs(k.m_target)} {fs(k.m_target)} 20" for k in cs], case)
    slots[9] = T.join("V -1 1 [1,2] @", xs, ys, zs, T.fstr(c["t"] * C_LIGHT_CM_PER_NS))
    slots[10] = T.join(T.lookup([f"P 3 -1 {k.scattered}" for k in cs], case), *_p(events, "scattered"),
                       T.lookup([f"{fs(k.m_scattered)} 1" for k in cs], case))
    if haspair.any():
        cp = case[haspair]
        for s, j, role in ((11, 0, "pair1"), (12, 1, "pair2")):
            slots[s] = T.join(T.lookup([f"P {4 + j} -1 {k.pair[j] if k.pair else 0}" for k in cs], cp),
                              *_p(events, role, haspair),
                              T.lookup([f"{fs(k.m_pair[j]) if k.pair else 0} 1" for k in cs], cp))
    slots[13] = T.join(T.lookup([f"P {n_} -1 {k.recoil}" for n_, k in zip(npart, cs)], case),
                       *_p(events, "recoil"), T.lookup([f"{fs(k.m_recoil)} 1" for k in cs], case))
    return T.interleave(slots, pres)


def hepevt_chunk(events, first: int) -> memoryview:
    """HEPEVT text (HepMC3 ReaderHEPEVT layout, GeV and mm; the weight after the entry count)."""
    n, c = len(events), events.columns
    case = c["case"]
    cs = events.cases
    fs = T.fmt_scalar
    npart = [4 + 2 * bool(k.pair) for k in cs]
    haspair = np.array([bool(k.pair) for k in cs], dtype=bool)[case] if n else np.zeros(0, bool)
    S = 13
    pres = np.ones((n, S), dtype=bool)
    pres[:, 7] = pres[:, 8] = pres[:, 9] = pres[:, 10] = haspair
    slots = [None] * S
    slots[0] = T.join("E", T.istr(np.arange(first, first + n)), T.lookup([str(k) for k in npart], case),
                      T.fstr(events.w))
    vi = T.join(T.fstr(c["x"] * CM_TO_MM), T.fstr(c["y"] * CM_TO_MM), T.fstr(c["z"] * CM_TO_MM),
                T.fstr(c["t"] * (C_LIGHT_CM_PER_NS * CM_TO_MM)))
    slots[1] = T.join(T.lookup([f"4 {k.projectile} 0 0 3 {m}" for k, m in zip(cs, npart)], case),
                      *_p(events, "projectile"), T.lookup([fs(k.m_projectile) for k in cs], case))
    slots[2] = vi
    slots[3] = T.lookup([f"20 {k.target} 0 0 3 {m} 0 0 0 {fs(k.m_target)} {fs(k.m_target)}" for k, m in zip(cs, npart)],
                        case)
    slots[4] = vi
    slots[5] = T.join(T.lookup([f"1 {k.scattered} 1 2 0 0" for k in cs], case), *_p(events, "scattered"),
                      T.lookup([fs(k.m_scattered) for k in cs], case))
    slots[6] = vi
    if haspair.any():
        cp = case[haspair]
        vp = vi.take(np.flatnonzero(haspair))
        for s, j, role in ((7, 0, "pair1"), (9, 1, "pair2")):
            slots[s] = T.join(T.lookup([f"1 {k.pair[j] if k.pair else 0} 1 2 0 0" for k in cs], cp),
                              *_p(events, role, haspair),
                              T.lookup([fs(k.m_pair[j]) if k.pair else "0" for k in cs], cp))
            slots[s + 1] = vp
    slots[11] = T.join(T.lookup([f"1 {k.recoil} 1 2 0 0" for k in cs], case), *_p(events, "recoil"),
                       T.lookup([fs(k.m_recoil) for k in cs], case))
    slots[12] = vi
    return T.interleave(slots, pres)


def write_hepmc3(events, fh, chunk_size: int) -> None:
    fh.write(nuhepmc_header(events).encode())
    for a in range(0, len(events), chunk_size):
        fh.write(hepmc3_chunk(events.select(slice(a, a + chunk_size)), a))
        fh.write(b"\n")
    fh.write(HEPMC3_FOOTER.encode())


def write_hepevt(events, fh, chunk_size: int) -> None:
    for a in range(0, len(events), chunk_size):
        fh.write(hepevt_chunk(events.select(slice(a, a + chunk_size)), a))
        fh.write(b"\n")
