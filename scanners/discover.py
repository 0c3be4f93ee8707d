"""Walk folder trees and fingerprint the files found in them."""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str | None = None  # computed only when size and mtime do not settle the question


@dataclass(frozen=True)
class Found:
    """A file found under a root, or a file or folder that could not be read (error set)."""

    location: str  # its path as the walk met it: a string, as a nightly run meets millions (`path` on demand)
    error: str | None = None
    folder: bool = False
    seen: Fingerprint | None = None  # its size and mtime when the walk met it (one stat a file)

    @functools.cached_property
    def path(self) -> Path:
        return Path(self.location)


def walk(roots: Iterable[Path]) -> Iterator[Found]:
    """Every regular file under the roots, in a stable order. Symlinked folders are not
    followed, so a symlink loop cannot trap the walk; a root that is a file is yielded itself."""
    for root in roots:
        if root.is_file():
            yield Found(str(root), seen=stat_fingerprint(root))
            continue
        if not root.is_dir():
            yield Found(str(root), "no such file or folder", folder=True)
            continue
        errors: list[OSError] = []
        for folder, subfolders, files in os.walk(root, onerror=errors.append, followlinks=False):
            subfolders.sort()
            for name in sorted(files):
                yield _found(os.path.join(folder, name))
            yield from _folder_errors(errors, folder)
        yield from _folder_errors(errors, root)  # a folder met last: its error comes after the walk


def _found(location: str) -> Found:
    """A name the walk met: a regular file (a symlink to one too) with its size and mtime, or why it is none."""
    try:
        info = os.stat(location)
    except OSError:
        return Found(location, "broken symbolic link" if os.path.islink(location) else "not a regular file")
    if not stat.S_ISREG(info.st_mode):
        return Found(location, "not a regular file")
    return Found(location, seen=Fingerprint(info.st_size, info.st_mtime_ns))


def _folder_errors(errors: list[OSError], folder: str | Path) -> Iterator[Found]:
    while errors:
        failure = errors.pop()
        yield Found(str(failure.filename or folder), failure.strerror or str(failure), folder=True)


def stat_fingerprint(path: Path) -> Fingerprint:
    info = path.stat()
    return Fingerprint(info.st_size, info.st_mtime_ns)


def fingerprint(path: Path) -> Fingerprint:
    """Size, mtime and sha256, read in one pass without loading the file into memory."""
    with open(path, "rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
        info = os.fstat(stream.fileno())
    return Fingerprint(info.st_size, info.st_mtime_ns, digest)
