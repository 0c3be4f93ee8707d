"""Where page jobs run: in this process, in a pool of worker processes, or on a Dask cluster.

All executors have the same shape, `map_unordered(function, jobs)`, so the run does not know
which one it uses (OCRmyPDF's swappable executor is the model). Jobs are pulled lazily and only
a small window is in flight, so memory does not grow with the size of the batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import itertools
import logging
import math
import multiprocessing
import multiprocessing.spawn
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

from luutru.errors import NotReady
from luutru.pipeline.ocr import limit_threads

log = logging.getLogger("luutru")
# Jobs in flight per worker: one being read, one waiting, so no worker idles between jobs while
# memory stays bounded however large the batch.
JOBS_PER_WORKER = 2
# Seconds to wait for a Dask scheduler to answer before giving up on it.
SCHEDULER_TIMEOUT = 20
# How often the Dask executor looks for finished jobs, and for jobs past their time limit.
POLL_SECONDS = 0.05
Job = TypeVar("Job")
Result = TypeVar("Result")


class ExecutorUnavailable(NotReady):
    """The executor cannot run jobs at all (no Dask scheduler at that address); fit for one line."""


class Executor(Protocol):
    def map_unordered(self, function: Callable[[Job], Result], jobs: Iterable[Job]) -> Iterator[Result]: ...


_NO_JOB = object()


class _PoolBroke(Exception):
    """A worker died; these jobs were in flight and are run again."""

    def __init__(self, in_flight: list) -> None:
        super().__init__(f"a worker process died with {len(in_flight)} jobs in flight")
        self.in_flight = in_flight


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None  # glibc only, not musl


def _give_back_freed_memory() -> None:
    """Return the heap a finished page freed to the system. glibc keeps it for reuse otherwise,
    and a worker's memory stays at that of its largest page (measured: 156 MiB against 82)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _within(seconds: float | None, function: Callable[[Job], Result], job: Job) -> Result:
    """Run a job in a worker process that the kernel ends if the job outlasts `seconds`: a hang
    inside a native library (Tesseract's layout analysis) cannot be interrupted from Python."""
    if seconds is not None:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(math.ceil(seconds))
    try:
        return function(job)
    finally:
        signal.alarm(0)
        _give_back_freed_memory()


def _workers_cannot_start() -> str | None:
    """Why a worker process cannot start here, or None. A user may run luutru through an interpreter
    that a process it spawns may not run (a virtualenv made from a Python under another user's home).
    Asked of the interpreter itself, before multiprocessing makes any semaphore it could not clean up."""
    executable = os.fsdecode(multiprocessing.spawn.get_executable())
    try:
        started = subprocess.run([executable, "-I", "-S", "-c", ""], capture_output=True, timeout=60, check=False)
    except OSError as error:
        return f"{executable}: {error.strerror or error}"
    except subprocess.TimeoutExpired:
        return f"{executable} did not start within a minute"
    return f"{executable} exited with status {started.returncode}" if started.returncode else None


class ProcessExecutor:
    """A pool of worker processes, each running one single-threaded Tesseract at a time; a job that kills its
    worker twice becomes `crashed(job)`, and the rest go on."""
    # A worker that dies (killed for memory, a crash in a native library, a job past `job_seconds`) breaks the
    # whole pool. The jobs in flight then run again in a new pool, one at a time, so that the culprit is found.

    def __init__(self, workers: int, crashed: Callable, job_seconds: float | None = None) -> None:
        self.workers, self.crashed, self.job_seconds = workers, crashed, job_seconds

    def map_unordered(self, function, jobs):
        queue = iter(jobs)
        first = next(queue, _NO_JOB)
        if first is _NO_JOB:
            return  # nothing to read: no process is started
        jobs = itertools.chain([first], queue)
        cannot_start = _workers_cannot_start()
        if cannot_start:
            log.warning("worker processes cannot start here (%s); reading pages one at a time in this process, "
                        "without the hard per-page time limit", cannot_start)
            limit_threads()
            yield from map(function, jobs)
            return
        function = functools.partial(_within, self.job_seconds, function)
        queue, suspects = iter(jobs), []
        while True:
            try:
                yield from self._in_one_pool(function, queue, suspects)
                return
            except _PoolBroke as broke:
                log.warning("%s; running them again one at a time", broke)
                suspects = broke.in_flight

    def _in_one_pool(self, function, jobs, suspects):
        # spawn, not fork: the parent holds SQLite handles and maybe threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context, initializer=limit_threads) as pool:
            for index, job in enumerate(suspects):
                try:
                    yield pool.submit(function, job).result()
                except BrokenProcessPool:
                    yield self.crashed(job)
                    raise _PoolBroke(suspects[index + 1:]) from None
            in_flight: dict[Future, object] = {}
            for job in jobs:
                try:
                    in_flight[pool.submit(function, job)] = job
                except BrokenProcessPool:  # a worker died before its future said so: this job was not taken
                    raise _PoolBroke([*in_flight.values(), job]) from None
                if len(in_flight) >= JOBS_PER_WORKER * self.workers:
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    yield from self._results(done, in_flight)
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                yield from self._results(done, in_flight)

    @staticmethod
    def _results(done, in_flight: dict):
        for future in done:
            try:
                result = future.result()
            except BrokenProcessPool:
                raise _PoolBroke(list(in_flight.values())) from None
            del in_flight[future]
            yield result


class _IntoLuutruLogFile(logging.Handler):
    """Dask's own records (with tracebacks) go to luutru's log file, never to the console."""

    def emit(self, record: logging.LogRecord) -> None:
        record.file_only = True
        log.handle(record)


def _dask_logs_to_our_file() -> None:
    """Dask gives some of its loggers their own stderr handler; all now pass to "distributed", ours."""
    for name in list(logging.Logger.manager.loggerDict):
        if name.startswith("distributed."):
            logging.getLogger(name).handlers.clear()
            logging.getLogger(name).propagate = True
    dask_log = logging.getLogger("distributed")
    dask_log.handlers[:] = [_IntoLuutruLogFile(logging.WARNING)]
    dask_log.propagate = False


def connect(address: str):
    """A client of the Dask scheduler at `address`, or ExecutorUnavailable saying why not."""
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorUnavailable("a Dask scheduler needs Dask: pip install 'luutru[distributed]'") from None
    _dask_logs_to_our_file()
    _handshake(address)
    try:
        return Client(address, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise ExecutorUnavailable(f"cannot reach the Dask scheduler at {address}: {error}") from None


def _handshake(address: str) -> None:
    """Ask the scheduler who it is, within SCHEDULER_TIMEOUT: a service that takes the connection and does not
    speak Dask's protocol held the run for minutes (a silent port), or had its answer read as a message of
    exabytes (a web server: MemoryError). Either is ExecutorUnavailable, at once."""
    import asyncio

    from distributed.core import rpc

    async def identity() -> dict:
        async with rpc(address) as scheduler:
            return await scheduler.identity()

    try:
        found = asyncio.run(asyncio.wait_for(identity(), SCHEDULER_TIMEOUT))
    except TimeoutError:
        raise ExecutorUnavailable(f"cannot reach the Dask scheduler at {address}: no Dask answer within "
                                  f"{SCHEDULER_TIMEOUT} s") from None
    except Exception as error:  # noqa: BLE001 - whatever the other side sent, it is not Dask's answer
        raise ExecutorUnavailable(f"{address} is not a Dask scheduler ({type(error).__name__})") from None
    if not isinstance(found, dict) or found.get("type") != "Scheduler":
        raise ExecutorUnavailable(f"{address} is not a Dask scheduler")


def _on_dask_worker(function: Callable[[Job], Result], job: Job) -> Result:
    limit_threads()  # a Dask worker is not started by luutru; set one thread per page here
    return function(job)


class DaskExecutor:
    """Jobs run on a Dask distributed cluster; results come back here, where the catalog is. The workers need
    luutru and Tesseract installed and the scans at the same paths."""
    # A job whose worker dies is run again on another worker by Dask; one that has killed several workers (Dask's
    # `allowed-failures`, 3 by default) becomes `crashed(job)`, and the rest go on.

    def __init__(self, address: str, crashed: Callable, job_seconds: float | None = None) -> None:
        self.address, self.crashed, self.job_seconds = address, crashed, job_seconds

    def map_unordered(self, function, jobs):
        with connect(self.address) as client:
            threads = sum(client.nthreads().values())
            log.info("reading pages on the Dask cluster at %s (%d worker threads)", self.address, threads)
            window = JOBS_PER_WORKER * max(1, threads)
            queue, in_flight = iter(jobs), {}

            def submit(count: int) -> None:
                for job in itertools.islice(queue, count):
                    in_flight[client.submit(_on_dask_worker, function, job, pure=False)] = (job, time.monotonic())

            submit(window)
            while in_flight:
                done = [future for future in in_flight if future.done()]
                if not done:
                    time.sleep(POLL_SECONDS)
                for future in done:
                    yield self._result(future, in_flight.pop(future)[0])
                for future in self._overdue(in_flight):
                    yield self._stopped(client, future, in_flight.pop(future)[0])
                submit(window - len(in_flight))

    def _overdue(self, in_flight: dict) -> list:
        """Jobs past their time limit. A job may wait behind one other on its worker's thread, so the
        limit counts twice from the moment it was handed over."""
        if self.job_seconds is None:
            return []
        now = time.monotonic()
        return [future for future, (_, submitted) in in_flight.items() if now - submitted > 2 * self.job_seconds]

    def _stopped(self, client, future, job):
        """End a job stuck past its time limit: its worker is restarted by its nanny, since a thread
        stuck in a native library cannot be stopped any other way."""
        stuck = [worker for worker, keys in client.processing().items() if future.key in keys]
        future.cancel()
        if stuck:
            log.warning("a page ran past %ss on the Dask worker %s; restarting that worker", self.job_seconds,
                        stuck[0])
            try:
                client.restart_workers(stuck, timeout=SCHEDULER_TIMEOUT * 3)
            except Exception as error:  # noqa: BLE001 - the run goes on; Dask says why in our log
                log.warning("could not restart the Dask worker %s: %s", stuck[0], error)
        return self.crashed(job)

    def _result(self, future, job):
        from distributed.scheduler import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            return self.crashed(job)
        except (OSError, CancelledError) as error:  # the scheduler went away; the run cannot go on
            raise ExecutorUnavailable(f"lost the Dask scheduler at {self.address} ({type(error).__name__}); "
                                      "the pages read so far are kept, and the next run reads the rest") from None


def make_executor(jobs: int, crashed: Callable, job_seconds: float | None = None,
                  scheduler: str | None = None) -> Executor:
    """`jobs` worker processes, or the Dask cluster at `scheduler`; `crashed(job)` is the result for a job that
    killed more than one worker or ran past `job_seconds`."""
    # One worker process for `jobs` 1 too: a job stuck in a native library can only be stopped by ending its
    # process.
    if scheduler:
        return DaskExecutor(scheduler, crashed, job_seconds)
    return ProcessExecutor(max(1, jobs), crashed, job_seconds)
