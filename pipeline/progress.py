"""Progress of a long run: a bar on a terminal, a plain log line now and then under cron."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from tqdm import tqdm

log = logging.getLogger("luutru")
LOG_INTERVAL_SECONDS = 60
Item = TypeVar("Item")


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None, unit: str = "page") -> None:
        stream = stream or sys.stderr
        self.interactive = stream.isatty()
        self.total, self.label, self.done, self.failed = total, label, 0, 0
        self.started = self.last_log = time.monotonic()
        self.unit = unit
        self.bar = tqdm(total=total, desc=label, unit=unit, file=stream, disable=not self.interactive,
                        dynamic_ncols=True, leave=False)

    def advance(self, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        self.bar.update(1)
        if failed:
            self.bar.set_postfix(failed=self.failed)
        if not self.interactive and time.monotonic() - self.last_log >= LOG_INTERVAL_SECONDS:
            self.last_log = time.monotonic()
            log.info("%s: %d/%d %ss, %d failed, %.0fs", self.label, self.done, self.total, self.unit,
                     self.failed, self.last_log - self.started)

    def close(self) -> None:
        self.bar.close()


def counted(items: Iterable[Item], total: int, label: str, unit: str = "page") -> Iterator[Item]:
    """The items, each counted on a Progress as it is taken."""
    progress = Progress(total, label, unit=unit)
    try:
        for item in items:
            yield item
            progress.advance()
    finally:
        progress.close()
