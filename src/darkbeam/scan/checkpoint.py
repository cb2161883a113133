"""Per-unit checkpoints of a scan: one parquet file per finished unit, written atomically.

Layout of an output folder::

    scan.json                 manifest: fingerprint of the scan, its configuration, grid shape
    points/unit_00042.parquet one row per grid point of unit 42 (signal, errors, spectrum, ...)

A unit whose file exists with the scan's fingerprint is finished: resuming skips it.  Files are
written to a temporary name and renamed, so an interrupted scan never leaves a half-written one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from darkbeam.errors import ConfigurationError, DataError
from darkbeam.scan.grid import UnitResult

MANIFEST = "scan.json"
POINTS = "points"


def unit_path(folder: Path, index: int) -> Path:
    return Path(folder) / POINTS / f"unit_{index:05d}.parquet"


def _holds_scan(folder: Path, fingerprint: str, resume: bool) -> bool:
    """True if ``folder`` holds a scan manifest; a ConfigurationError if that scan is a different one
    and ``resume`` is asked for."""
    mpath = folder / MANIFEST
    if not mpath.is_file():
        return False
    try:
        old = json.loads(mpath.read_text())
    except ValueError:
        old = {}
    if old.get("fingerprint") != fingerprint and resume:
        raise ConfigurationError(f"output folder {folder} holds a different scan (fingerprint "
                                 f"{old.get('fingerprint')}, this one {fingerprint}): use --restart to replace "
                                 "it or choose another --output")
    return True


def check_folder(folder, fingerprint: str, *, resume: bool = True, overwrite: bool = False) -> None:
    """Refuse, before any work, an output folder the scan cannot use: a file, a folder that cannot be
    created or written, a folder holding a different scan (unless ``resume`` is False), or a non-empty
    folder that holds no scan (unless ``overwrite``)."""
    folder = Path(folder)
    if not str(folder).strip():
        raise ConfigurationError("the output folder name is empty")
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"output {folder} exists and is not a folder")
    from darkbeam.events.writers import check_folder_writable

    try:
        check_folder_writable(folder)
    except DataError as exc:
        raise ConfigurationError(f"output {folder}: {exc}") from None
    if _holds_scan(folder, fingerprint, resume):
        return
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise ConfigurationError(f"output folder {folder} is not empty and holds no scan (use --overwrite to write "
                                 "into it, or choose another --output)")


def first_missing(folder) -> Path | None:
    """The outermost folder of ``folder``'s path that does not exist yet (None: it exists)."""
    folder = Path(folder)
    if folder.exists():
        return None
    top = folder
    while not top.parent.exists() and top.parent != top:
        top = top.parent
    return top


def discard_new(folder, created: Path | None, had_manifest: bool) -> None:
    """Undo :func:`prepare_folder` after a scan failed before any unit finished: remove the manifest it
    wrote, the empty points/ folder and the empty folders it created (``created``: the outermost one,
    :func:`first_missing`)."""
    folder = Path(folder)
    if not had_manifest:
        (folder / MANIFEST).unlink(missing_ok=True)
    for tmp in (folder / POINTS).glob(".unit_*.parquet.tmp"):
        tmp.unlink(missing_ok=True)
    pts = folder / POINTS
    if pts.is_dir() and not any(pts.iterdir()):
        pts.rmdir()
    if created is None:
        return
    d = folder
    while True:
        if not d.is_dir() or any(d.iterdir()):
            return
        d.rmdir()
        if d == created or d.parent == d:
            return
        d = d.parent


def prepare_folder(folder, fingerprint: str, manifest: dict, *, resume: bool = True) -> None:
    """Create the output folder; refuse one holding a different scan unless ``resume`` is False, in
    which case its old checkpoints are removed.  Temporary files of units interrupted earlier are
    removed."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"output {folder} exists and is not a folder")
    if (folder / POINTS).is_dir():
        for tmp in (folder / POINTS).glob(".unit_*.parquet.tmp"):
            tmp.unlink(missing_ok=True)
    mpath = folder / MANIFEST
    _holds_scan(folder, fingerprint, resume)
    if not resume and (folder / POINTS).is_dir():
        shutil.rmtree(folder / POINTS)
    (folder / POINTS).mkdir(parents=True, exist_ok=True)
    tmp = mpath.with_name(f".{MANIFEST}.tmp")
    tmp.write_text(json.dumps({"fingerprint": fingerprint, **manifest}, indent=1, default=str))
    os.replace(tmp, mpath)


def write_unit(folder, res: UnitResult, fingerprint: str) -> Path:
    """Write one unit's results atomically."""
    import pyarrow.parquet as pq

    from darkbeam.analysis.arrow_tables import arrow_table

    cols = {"point": res.point_ids, "signal": res.signal, "signal_err": res.signal_err,
            "decay_in_detector": res.decay_in_detector, "upscattered": res.upscattered, "ctau_cm": res.ctau_cm}
    if res.spectrum is not None:
        for j in range(res.spectrum.shape[1]):
            cols[f"spectrum_{j}"] = res.spectrum[:, j]
    md = {"fingerprint": fingerprint, "index": res.index, "status": res.status, "seconds": res.seconds,
          "reference_signal": None if not np.isfinite(res.reference_signal) else res.reference_signal,
          "n_events": res.n_events}
    table = arrow_table({k: np.asarray(v) for k, v in cols.items()}, {"darkbeam.scan": json.dumps(md)})
    path = unit_path(folder, res.index)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return path


def read_unit(path) -> tuple[UnitResult, str]:
    """(result, fingerprint) of a checkpoint file."""
    from darkbeam.analysis.arrow_tables import numpy_column, read_parquet_table

    try:
        table = read_parquet_table(path)
        md = json.loads((table.schema.metadata or {})[b"darkbeam.scan"])
    except Exception as exc:  # noqa: BLE001 - unreadable: treated as missing by the caller
        raise DataError(f"{path}: not a darkbeam scan checkpoint ({exc})") from None
    spec = sorted((c for c in table.column_names if c.startswith("spectrum_")), key=lambda c: int(c.split("_")[1]))
    arr = {c: numpy_column(table, c) for c in table.column_names}
    res = UnitResult(int(md["index"]), arr["point"].astype(np.int64), arr["signal"], arr["signal_err"],
                     arr["decay_in_detector"], arr["upscattered"], arr["ctau_cm"],
                     np.stack([arr[c] for c in spec], axis=1) if spec else None,
                     float("nan") if md.get("reference_signal") is None else float(md["reference_signal"]),
                     md.get("status", "ok"), float(md.get("seconds", 0.0)), int(md.get("n_events", 0)))
    return res, md.get("fingerprint", "")


def finished_units(folder, fingerprint: str) -> dict[int, UnitResult]:
    """Checkpointed units of this scan (files of other scans or unreadable files are ignored)."""
    out = {}
    d = Path(folder) / POINTS
    if not d.is_dir():
        return out
    for p in sorted(d.glob("unit_*.parquet")):
        try:
            res, fp = read_unit(p)
        except DataError:
            continue
        if fp == fingerprint:
            out[res.index] = res
    return out
