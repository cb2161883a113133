"""Keep freed memory in the process (glibc malloc tuning) while events are generated.

A sampling pass allocates and frees many temporaries of 0.1-2 MB per chunk (candidate momenta,
weights, columns).  With glibc's defaults, blocks above the mmap threshold are mapped afresh and
freed memory at the top of the heap is handed back to the kernel, so every chunk page-faults its
temporaries in again: at 1e6 events (default model, MiniBooNE) that was ~140k minor page faults and
about 1 s of system time out of 6.  :func:`keep_freed_memory` raises the mmap threshold to glibc's
largest value (32 MB on 64-bit systems) and the trim threshold to 512 MB (M_MMAP_THRESHOLD and
M_TRIM_THRESHOLD of mallopt(3)), so freed blocks are reused: the page faults fall to ~16k and the
peak RSS is unchanged (the blocks are freed and reused, not kept twice; benchmarks/generate_cpu_ab.py,
docs/performance.md).  Numbers are not affected in any way.

It is process-wide, so darkbeam applies it only in its own processes: the `darkbeam generate` command and
the generator's worker processes; a Python session that calls :func:`darkbeam.generate` keeps its
allocator unless it calls this function itself.  Only on Linux with glibc; anywhere else, or if mallopt is
refused, nothing happens.  Set the
environment variable ``DARKBEAM_MALLOC_TUNING=0`` to leave the allocator alone.
"""

from __future__ import annotations

import os
import sys

__all__ = ["keep_freed_memory"]

#: mallopt(3) parameter numbers (glibc malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: values: glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX), and 512 MB
_MMAP_THRESHOLD = 32 * 1024 * 1024
_TRIM_THRESHOLD = 512 * 1024 * 1024

_done = False


def keep_freed_memory() -> bool:
    """Tune glibc malloc once per process (module docstring); True if it was tuned (now or before)."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("DARKBEAM_MALLOC_TUNING", "1").strip() == "0":
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
    ok = (mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1) and ok
    _done = ok
    return ok
