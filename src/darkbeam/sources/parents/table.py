"""A simple text format for users' own parent spectra: one decay per line.

    # darkbeam parents 1                  <- optional header comments ('# key: value' lines are read)
    # beam: bnb                           <- the beam frame of the positions (default 'user')
    # origin: my Geant4 run 17            <- provenance (default: the file name)
    species,px,py,pz,x,y,z,t,weight       <- column names (any order; comma or whitespace separated)
    pi+,0.01,-0.02,1.20,0.3,-0.1,1520.0,51.2,3.1e-5
    K+,0,0,0,0,0,5020,180,2.0e-6          <- a decay at rest: zero momentum

Columns: ``species`` (a label of darkbeam.physics.particles: pi+, pi-, K+, K-, K0_L, pi0, eta, ...),
momentum ``px py pz`` (GeV, lab, at the decay), decay position ``x y z`` (cm, beam frame: z along the
protons, y up), decay time ``t`` (ns after the protons reach the target), ``weight`` (decays per POT
that the line stands for).  The energy is computed on the mass shell from the species' mass.
Malformed files (missing column, unknown species, a non-number, a negative or non-finite weight, a
line with the wrong number of fields) raise :class:`darkbeam.errors.DataError` with the file and line.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from darkbeam.errors import DataError
from darkbeam.sources.parents.sample import ParentSample

COLUMNS = ("species", "px", "py", "pz", "x", "y", "z", "t", "weight")


def _split(line: str) -> list[str]:
    return [f.strip() for f in line.split(",")] if "," in line else line.split()


def read_parent_table(path, *, beam: str | None = None) -> dict[str, ParentSample]:
    """{species: ParentSample} from a parent table (module docstring); ``beam`` overrides the header's."""
    from darkbeam.physics.particles import mass_of

    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read parent table {path}: {exc}") from None
    meta: dict[str, str] = {}
    header: list[str] | None = None
    rows: dict[str, list[list[float]]] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            body = line.lstrip("#").strip()
            if ":" in body:
                key, _, val = body.partition(":")
                meta[key.strip().lower()] = val.strip()
            continue
        fields = _split(line)
        if header is None:
            header = [f.lower() for f in fields]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise DataError(f"{path}:{lineno}: parent table header lacks column(s) {', '.join(missing)} "
                                f"(needs {', '.join(COLUMNS)})")
            idx = [header.index(c) for c in COLUMNS]
            continue
        if len(fields) != len(header):
            raise DataError(f"{path}:{lineno}: {len(fields)} fields, the header has {len(header)}")
        species = fields[idx[0]]
        try:
            mass_of(species)
        except KeyError:
            raise DataError(f"{path}:{lineno}: unknown species '{species}'") from None
        try:
            vals = [float(fields[i]) for i in idx[1:]]
        except ValueError:
            raise DataError(f"{path}:{lineno}: not a number in '{line}'") from None
        if not all(math.isfinite(v) for v in vals):
            raise DataError(f"{path}:{lineno}: non-finite value in '{line}'")
        if vals[-1] < 0:
            raise DataError(f"{path}:{lineno}: negative weight {vals[-1]:g}")
        rows.setdefault(species, []).append(vals)
    if header is None or not rows:
        raise DataError(f"{path}: no parent entries (expected a header line '{','.join(COLUMNS)}' and data lines)")
    frame = beam or meta.get("beam", "user")
    origin = meta.get("origin", f"table: {path.name}")
    out: dict[str, ParentSample] = {}
    for species, vals in rows.items():
        a = np.asarray(vals, dtype=np.float64)
        m = mass_of(species)
        p3 = a[:, 0:3]
        e = np.sqrt(np.einsum("ij,ij->i", p3, p3) + m * m)
        out[species] = ParentSample(species=species, p4=np.column_stack((e, p3)), position=a[:, 3:6].copy(),
                                    time=a[:, 6].copy(), weight=a[:, 7].copy(), beam=frame, origin=origin,
                                    notes=(f"read from {path}",))
    return out


def write_parent_table(samples, path, *, origin: str | None = None) -> None:
    """Write ParentSamples (a mapping species -> sample, or an iterable of samples) as a parent table.

    The file is written to a temporary name and moved into place, so a failure leaves no half-written
    file."""
    items = list(samples.values()) if hasattr(samples, "values") else list(samples)
    if not items:
        raise DataError("no parent samples to write")
    beams = {s.beam for s in items}
    path = Path(path)
    lines = ["# darkbeam parents 1", f"# beam: {items[0].beam if len(beams) == 1 else 'mixed'}",
             f"# origin: {origin or '; '.join(sorted({s.origin for s in items}))}", ",".join(COLUMNS)]
    for s in items:
        for p, x, t, w in zip(s.p4[:, 1:], s.position, s.time, s.weight):
            lines.append(",".join([s.species] + [repr(float(v)) for v in (*p, *x, t, w)]))
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(f"cannot write parent table {path}: {exc}") from None
