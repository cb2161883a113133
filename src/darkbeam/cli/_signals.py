"""SIGTERM and SIGHUP as an exception while a ``darkbeam`` command runs.

Python dies on SIGTERM/SIGHUP without unwinding, so the temporary ``.part`` file of a file being
written (darkbeam.events.writers.atomic_output) would stay behind.  Under :func:`signals_as_exceptions`
these signals raise :class:`Terminated` (a BaseException, like KeyboardInterrupt for Ctrl-C), every
``finally``/``except BaseException`` cleanup runs, and the command exits with 128 + the signal number.
SIGKILL cannot be caught: its leftovers carry the pid and are removed by the next write to the same
file (writers.remove_stale_parts).
"""

from __future__ import annotations

import contextlib
import signal
import threading


class Terminated(BaseException):
    """The process received SIGTERM or SIGHUP."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum, frame):
    raise Terminated(signum)


@contextlib.contextmanager
def signals_as_exceptions():
    """Install the handlers for the duration of the block (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            old[sig] = signal.signal(sig, _raise)
        except (ValueError, OSError):
            continue
    try:
        yield
    finally:
        for sig, handler in old.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)
