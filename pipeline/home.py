"""The archive home: one folder for everything luutru writes (catalog, index, logs, lock)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from luutru.errors import BusyError, NotReady
from luutru.i18n import N_

ENVIRONMENT_VARIABLE = "LUUTRU_HOME"


def resolve_home(option: str | os.PathLike | None = None) -> Path:
    """--home, else $LUUTRU_HOME, else the per-user data folder (~/.local/share/luutru)."""
    chosen = option or os.environ.get(ENVIRONMENT_VARIABLE) or platformdirs.user_data_path("luutru")
    return Path(chosen).expanduser().absolute()


class ArchiveHome:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.catalog_path = root / "catalog.sqlite3"
        self.index_link = root / "index"  # a symlink to the current index generation
        self.log_dir = root / "logs"
        self.lock_path = root / "luutru.lock"
        self.config_path = root / "config.toml"  # written by the archivist, read by every run

    def create(self) -> ArchiveHome:
        """Create the home readable by its owner only: scans of land records are personal data."""
        try:
            for folder in (self.root, self.log_dir):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.root.chmod(0o700)
        except OSError as error:
            raise NotReady(f"{self.root}: cannot make the archive home here: {error.strerror or error}") from error
        return self

    def exists(self) -> bool:
        return self.catalog_path.exists()

    @contextmanager
    def exclusive(self, wait: bool = False) -> Iterator[None]:
        """Hold the home for one writing run. The kernel drops the lock when a killed run dies,
        so a stale lock cannot outlive its holder."""
        with open(self.lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as error:
                lock.seek(0)
                holder = lock.read().strip() or "another run"
                raise BusyError(N_("{root} is in use by {holder}; try again later or pass --wait"), root=self.root,
                                holder=holder) from error
            lock.seek(0)
            lock.truncate()
            lock.write(f"luutru process {os.getpid()}\n")
            lock.flush()
            try:
                yield
            finally:
                lock.truncate(0)
