"""Executors: run unit tasks serially, in local processes, or on Dask distributed.

Every executor calls ``on_result(result)`` in the calling process as each unit finishes (in
completion order), so checkpoints are written by the driver: workers need no shared file system.

* ``serial``: in this process (``workers = 1``).
* ``processes``: a local process pool (``forkserver`` start method with darkbeam preloaded where
  available, else ``spawn``: no fork of a process that runs threads).  A crashed worker stops the pool;
  finished units are checkpointed and a rerun resumes.
* ``dask``: a Dask distributed client, either on ``scheduler`` (address of a running scheduler) or on
  a LocalCluster started on demand with ``workers`` single-threaded worker processes.  Tasks are
  submitted with ``retries``; a worker that dies is restarted by its nanny and the scheduler reruns
  its tasks elsewhere (up to ``distributed.scheduler.allowed-failures`` times), so the scan completes.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Optional, Sequence

from darkbeam.errors import ConfigurationError

EXECUTORS = ("auto", "serial", "processes", "dask")


def _context():
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["darkbeam.scan.points", "darkbeam.processes.generator", "darkbeam.processes.reweight"])
        return ctx
    return mp.get_context("spawn")


def run_serial(tasks: Sequence, fn: Callable, on_result: Callable) -> None:
    for t in tasks:
        on_result(fn(t))


def run_processes(tasks: Sequence, fn: Callable, on_result: Callable, workers: int) -> None:
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        pending = {pool.submit(fn, t) for t in tasks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    on_result(fut.result())
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise


def run_dask(tasks: Sequence, fn: Callable, on_result: Callable, workers: int, scheduler: Optional[str] = None,
             retries: int = 2) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise ConfigurationError("the dask executor needs 'distributed': pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConfigurationError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = [client.submit(fn, t, key=f"darkbeam-unit-{t.index:05d}-{t.fingerprint}", retries=retries, pure=False)
                   for t in tasks]
        try:
            for fut in as_completed(futures):
                on_result(fut.result())
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_executor(executor: str, workers: int, scheduler: Optional[str] = None) -> None:
    """The executor choice is valid (checked before a scan touches its output folder)."""
    if executor not in EXECUTORS:
        raise ConfigurationError(f"unknown executor {executor!r} (choose {', '.join(EXECUTORS)})")
    if workers < 1:
        raise ConfigurationError(f"workers must be >= 1, got {workers}")
    if scheduler is not None and executor not in ("auto", "dask"):
        raise ConfigurationError("--scheduler needs the dask executor")
    if scheduler is not None and not str(scheduler).strip():
        raise ConfigurationError("--scheduler is empty")


def run_tasks(tasks: Sequence, fn: Callable, on_result: Callable, *, executor: str = "auto", workers: int = 1,
              scheduler: Optional[str] = None, retries: int = 2) -> str:
    """Run ``fn`` on every task with the chosen executor; returns the executor used.

    ``auto``: dask if a ``scheduler`` is given, processes if ``workers > 1``, else serial."""
    check_executor(executor, workers, scheduler)
    if executor == "auto":
        executor = "dask" if scheduler else ("processes" if workers > 1 and len(tasks) > 1 else "serial")
    if not tasks:
        return executor
    if executor == "serial":
        run_serial(tasks, fn, on_result)
    elif executor == "processes":
        run_processes(tasks, fn, on_result, workers)
    else:
        run_dask(tasks, fn, on_result, workers, scheduler, retries)
    return executor
