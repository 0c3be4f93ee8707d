"""Where page jobs run: in this process, or in a pool of worker processes.

Both executors have the same shape, `map_unordered(function, jobs)`, so the run does not know
which one it uses (OCRmyPDF's swappable executor is the model). Jobs are pulled lazily and only
a small window is in flight, so memory does not grow with the size of the batch.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from typing import Protocol, TypeVar

from pipeline.ocr import limit_threads

Job = TypeVar("Job")
Result = TypeVar("Result")


class Executor(Protocol):
    def map_unordered(self, function: Callable[[Job], Result], jobs: Iterable[Job]) -> Iterator[Result]: ...


class InlineExecutor:
    """Runs jobs one by one in this process: --jobs 1, debugging, and tests."""

    def map_unordered(self, function, jobs):
        limit_threads()
        for job in jobs:
            yield function(job)


class ProcessExecutor:
    """A pool of worker processes, each running one single-threaded Tesseract at a time."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map_unordered(self, function, jobs):
        # spawn, not fork: the parent holds SQLite handles and maybe threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context, initializer=limit_threads) as pool:
            pending: set[Future] = set()
            for job in jobs:
                pending.add(pool.submit(function, job))
                if len(pending) >= 2 * self.workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (future.result() for future in done)
            for future in as_completed(pending):
                yield future.result()


def make_executor(jobs: int) -> Executor:
    return InlineExecutor() if jobs <= 1 else ProcessExecutor(jobs)
