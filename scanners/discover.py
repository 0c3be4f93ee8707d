"""Walk folder trees and fingerprint the files found in them."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple


class Fingerprint(NamedTuple):
    size: int
    mtime_ns: int
    sha256: str | None = None  # computed only when size and mtime do not settle the question


class Found(NamedTuple):
    """A file or folder the walk met but could not read as a regular file, and why."""

    location: str
    error: str
    folder: bool = False

    @property
    def path(self) -> Path:
        return Path(self.location)


class Listing(NamedTuple):
    """A folder as the walk met it. Plain tuples, a folder at a time: a nightly run compares millions of files with
    the catalog, and a set difference a folder does in C what a loop over each file would do in Python."""

    folder: str
    files: list[tuple[str, int, int]]  # (path, size, mtime_ns) of each regular file, in no particular order
    problems: list[Found]  # by name: what is no regular file, or the folder itself when it cannot be listed


def walk(roots: Iterable[Path]) -> Iterator[Listing]:
    """Every folder under the roots, once, depth first with subfolders in name order. Symlinked folders are not
    followed, so a symlink loop cannot trap the walk; a root that is a file comes as its folder holding it alone, and
    a root or folder that cannot be listed comes as a problem."""
    for root in roots:
        if root.is_file():
            info = root.stat()
            yield Listing(str(root.parent), [(str(root), info.st_size, info.st_mtime_ns)], [])
        elif root.is_dir():
            yield from _walk_folder(str(root))
        else:
            yield Listing(str(root), [], [Found(str(root), "no such file or folder", folder=True)])


def _walk_folder(top: str) -> Iterator[Listing]:
    folders = [top]  # depth first through a stack: a generator a level would pass every file through each one
    while folders:
        folder = folders.pop()
        try:
            listing, subfolders = _list_folder(folder)
        except OSError as error:
            listing, subfolders = Listing(folder, [], [Found(folder, error.strerror or str(error), folder=True)]), []
        yield listing
        folders.extend(sorted(subfolders, reverse=True))


def _list_folder(folder: str) -> tuple[Listing, list[str]]:
    """A folder's listing and its subfolders: one listing, and one stat a file for its size and mtime."""
    files, problems, subfolders = [], [], []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _is_folder(entry):
                if not entry.is_symlink():
                    subfolders.append(entry.path)
            elif isinstance(file := _file(entry), Found):
                problems.append(file)
            else:
                files.append(file)
    return Listing(folder, files, sorted(problems)), subfolders


def _file(entry: os.DirEntry) -> tuple[str, int, int] | Found:
    """A name that is no folder: a regular file (a symlink to one too) with its size and mtime, or why it is none."""
    try:
        info = entry.stat()
    except OSError:
        return Found(entry.path, "broken symbolic link" if entry.is_symlink() else "not a regular file")
    if not stat.S_ISREG(info.st_mode):
        return Found(entry.path, "not a regular file")
    return entry.path, info.st_size, info.st_mtime_ns


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def fingerprint(path: Path) -> Fingerprint:
    """Size, mtime and sha256, read in one pass without loading the file into memory."""
    with open(path, "rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
        info = os.fstat(stream.fileno())
    return Fingerprint(info.st_size, info.st_mtime_ns, digest)
