"""The glibc malloc tuning of the generator (processes/allocator.py): on, once, and switchable off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from darkbeam.processes.allocator import keep_freed_memory

linux_glibc = pytest.mark.skipif(not (sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION")),
                                 reason="glibc only")


@linux_glibc
def test_tuned_once_per_process():
    assert keep_freed_memory() is True
    assert keep_freed_memory() is True  # idempotent


@linux_glibc
def test_switched_off_by_environment():
    code = "from darkbeam.processes.allocator import keep_freed_memory as k; print(k())"
    env = {**os.environ, "DARKBEAM_MALLOC_TUNING": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
