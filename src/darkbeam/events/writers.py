"""Writers: parquet (with darkbeam metadata), HepMC3 ASCII following NuHepMC 1.0.0, HEPEVT ASCII.

Every writer

* validates the events first and refuses NaN, infinite or negative weights (DataError);
* writes to a hidden temporary file in the target directory and renames it over the target only
  when complete (``os.replace``, atomic on POSIX): an exception, a Ctrl-C or a crash leaves the
  target untouched (absent, or its previous content) and the temporary file removed (a SIGKILL
  can leave a ``.<name>.<host>.<pid>.<hex>.part`` file, never a half-written target; the next write
  to the same path removes it once that process is gone, :func:`remove_stale_parts`);
* writes in chunks of ``chunk_size`` events, so memory stays bounded for any number of events.

Formats are described in docs/events.md.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import socket
from pathlib import Path

from darkbeam.errors import ConfigurationError, DataError

FORMATS = ("parquet", "hepmc3", "hepevt")
#: file-name suffixes that select a format in :func:`write` when ``format`` is not given
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".hepmc3": "hepmc3", ".hepmc": "hepmc3",
            ".hepevt": "hepevt"}


#: host name in temporary file names: a leftover is only judged (pid alive or not) on its own host
_HOST = (socket.gethostname().split(".")[0] or "host").replace(os.sep, "_")


def part_path(path) -> Path:
    """The temporary file of a write to ``path``: ``.<name>.<host>.<pid>.<random>.part`` beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}.part")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: keep its file
    return True


def remove_stale_parts(path) -> list[Path]:
    """Remove the temporary files of earlier writes to ``path`` whose process is gone (a run killed by
    SIGKILL, or a crash of the machine): same host, dead pid.  Returns the removed files."""
    path = Path(path)
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.part"))
    except OSError:
        return removed
    for p in candidates:
        fields = p.name[len(path.name) + 2: -len(".part")].rsplit(".", 2)
        if len(fields) == 3:
            host, pid, _ = fields
        elif len(fields) == 2:  # older names without the host: .<name>.<pid>.<random>.part
            host, (pid, _) = _HOST, fields
        else:
            continue
        if host != _HOST or not pid.isdigit() or _pid_alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            p.unlink()
            removed.append(p)
    return removed


def check_folder_writable(folder) -> None:
    """DataError unless files can be written in ``folder``: it exists and is writable, or it can be
    created.  The test creates (and removes at once) a temporary folder in the nearest existing
    ancestor, so it also holds for root and for read-only or virtual file systems."""
    import tempfile

    folder = Path(folder) if str(folder) else Path(".")
    probe = folder
    while not probe.exists():
        if probe.is_symlink():
            raise DataError(f"{probe} is a broken link")
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise DataError(f"{probe} is not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".darkbeam-probe-", dir=probe))
    except OSError as exc:
        raise DataError(f"cannot write in {probe} ({exc.strerror or exc})") from None


@contextlib.contextmanager
def atomic_output(path):
    """Context manager yielding a temporary path next to ``path``; renamed to ``path`` on success,
    removed on any exception (including KeyboardInterrupt, and SIGTERM/SIGHUP under the ``darkbeam``
    command, which turns them into an exception).  Parent directories are created.  Temporary files
    left by earlier writes to ``path`` whose process is dead (SIGKILL) are removed first."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the directory of {path}: {exc}") from None
    if path.is_dir():
        raise DataError(f"{path} is a directory")
    remove_stale_parts(path)
    tmp = part_path(path)
    try:
        with open(tmp, "xb"):
            pass
    except OSError as exc:
        raise DataError(f"cannot write in {path.parent}: {exc}") from None
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _check(events, overwrite, path):
    events.validate()
    if not overwrite and Path(path).exists():
        raise DataError(f"{path} exists (overwrite=False)")


def _chunk_bounds(n, chunk_size):
    if chunk_size < 1:
        raise ConfigurationError("chunk_size must be >= 1")
    return [(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)] or [(0, 0)]


#: events per parquet row group (write_parquet's default chunk_size): the writer holds one encoded row
#: group in memory, so 2^16 events (~17 MB) keep the peak memory of a write independent of the number of
#: events (benchmarks/memory_per_event.py, docs/performance.md)
PARQUET_ROW_GROUP = 1 << 16


def write_parquet(events, path, *, full: bool = False, compression: str = "zstd",
                  chunk_size: int = PARQUET_ROW_GROUP, overwrite: bool = True) -> Path:
    """Write ``events`` to a parquet file (one row group per ``chunk_size`` events).

    The schema metadata key ``darkbeam`` holds a JSON document with the meta (model parameters,
    experiment, seed, exposure, flux provenance, ``fallbacks``: the substitutes for missing data, one
    line each, [] for none), the darkbeam version, units, the case and channel tables and
    every column's unit and meaning; each field also carries its unit and doc.  ``full=True`` adds the
    derived columns (:meth:`EventSet.to_arrow`), built one row group at a time.  Floating-point
    columns are written without dictionary encoding (their values hardly repeat: the dictionary only
    cost memory and time, and made the file larger), the integer and name columns with it.  Returns the path.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check(events, overwrite, path)
    # one Table per row group, built when it is written: with full=True the derived columns exist for
    # one row group at a time (every chunk's schema, metadata included, is the same)
    chunks = (events.select(slice(a, b)).to_arrow(full=full) for a, b in _chunk_bounds(len(events), chunk_size))
    first = next(chunks)
    dictionary = [f.name for f in first.schema if not pa.types.is_floating(f.type)]
    with atomic_output(path) as tmp:
        with pq.ParquetWriter(tmp, first.schema, compression=compression, use_dictionary=dictionary) as writer:
            _write_row_group(writer, first)
            del first
            for table in chunks:
                _write_row_group(writer, table)
    return Path(path)


def _write_row_group(writer, table):
    writer.write_table(table)


#: events per chunk of the compiled HepMC3 writer: ~2.5 MB of text, written while it is still in the
#: CPU cache (the kernel's copy into the page cache costs about half as much system time as for
#: 20000-event chunks; benchmarks/bench_writers.py).  2000 (about the L2 cache) rather than 5000:
#: 1e6 events into fresh files, alternated, 3 each, gave system time 0.35-0.65 s against 1.09-1.31 s,
#: but plain writes of 1.2 GB vary by as much on the shared test machine (0.24-2.7 s of system time,
#: whatever the buffer size), so that gain is not established (docs/performance.md).  The numbers are
#: gathered in blocks of HEPMC3_COMPILED_BLOCK events, so the small pieces cost no Python overhead.
#: The text is the same for any chunk size.
HEPMC3_COMPILED_CHUNK = 2000
#: events whose numbers the compiled HepMC3 writer gathers at once (then formatted and written in
#: pieces of HEPMC3_COMPILED_CHUNK): the per-chunk Python overheads (selecting the events, gathering
#: ~45 columns) paid once per 20000 events instead of once per 2000
HEPMC3_COMPILED_BLOCK = 20000


def write_hepmc3(events, path, *, chunk_size: int | None = None, overwrite: bool = True) -> Path:
    """Write ``events`` as HepMC3 ASCII following NuHepMC 1.0.0 (readable by pyhepmc / HepMC3).

    One GenRunInfo (NuHepMC version, tool, process IDs and names per case, vertex and particle status
    metadata, additional particle numbers for darkbeam's new particles, exposure in POT and the
    flux-averaged cross section when ``meta`` has them, provenance) and one GenEvent per event, with
    the CV weight w = w_rate * br * p_decay.  Layout: :mod:`darkbeam.events.hepmc`, docs/events.md.
    ``chunk_size``: events gathered at a time (default :data:`HEPMC3_COMPILED_BLOCK` for the compiled
    writer, formatted in pieces of at most :data:`HEPMC3_COMPILED_CHUNK`; 20000 for the Arrow path).
    """
    from darkbeam.events import hepmc as _hepmc  # pyarrow.compute: only for the text formats (~0.05 s)

    _check(events, overwrite, path)
    if getattr(events, "layout", None) == "scattering":  # ScatterEvents: outgoing particles, no decay
        from darkbeam.events import scatter_text

        with atomic_output(path) as tmp, open(tmp, "wb") as fh:
            scatter_text.write_hepmc3(events, fh, chunk_size or 20000)
        return Path(path)
    layout = _hepmc._Layout(events)
    if chunk_size is None:
        chunk_size = HEPMC3_COMPILED_BLOCK if layout.compiled else 20000
    header = _hepmc.nuhepmc_header(events).encode()
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        fh.write(header)
        for a, b in _chunk_bounds(len(events), chunk_size):
            if b > a:
                for text in _hepmc3_chunk(events.select(slice(a, b)), layout, a):
                    fh.write(text)
                    fh.write(b"\n")
        fh.write(_hepmc.HEPMC3_FOOTER.encode())
    return Path(path)


def _hepmc3_chunk(events, layout, first):
    """The text of one chunk, in pieces (:func:`darkbeam.events.hepmc_records.hepmc3_pieces`)."""
    from darkbeam.events import hepmc as _hepmc

    return _hepmc.hepmc3_pieces(events, layout, first, HEPMC3_COMPILED_CHUNK)


def write_hepevt(events, path, *, chunk_size: int = 20000, overwrite: bool = True) -> Path:
    """Write ``events`` as HEPEVT ASCII in the layout read by HepMC3's ReaderHEPEVT (GeV, mm; the
    event weight follows the entry count on each ``E`` line)."""
    from darkbeam.events import hepmc as _hepmc

    _check(events, overwrite, path)
    if getattr(events, "layout", None) == "scattering":
        from darkbeam.events import scatter_text

        with atomic_output(path) as tmp, open(tmp, "wb") as fh:
            scatter_text.write_hepevt(events, fh, chunk_size)
        return Path(path)
    layout = _hepmc._Layout(events)
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        for a, b in _chunk_bounds(len(events), chunk_size):
            if b > a:
                fh.write(_hepevt_chunk(events.select(slice(a, b)), layout, a))
                fh.write(b"\n")
    return Path(path)


def _hepevt_chunk(events, layout, first):
    from darkbeam.events import hepmc as _hepmc

    return _hepmc.hepevt_chunk(events, layout, first)


def write(events, path, format: str | None = None, **kwargs) -> Path:
    """Write ``events`` to ``path`` in ``format`` (parquet, hepmc3, hepevt; default from the suffix,
    else parquet)."""
    if format is None:
        format = SUFFIXES.get(Path(path).suffix.lower(), "parquet")
    fn = {"parquet": write_parquet, "hepmc3": write_hepmc3, "hepevt": write_hepevt}.get(format)
    if fn is None:
        raise ConfigurationError(f"unknown event format {format!r}; use one of {', '.join(FORMATS)}")
    return fn(events, path, **kwargs)

