"""The failures a user can meet, one class per meaning, each carrying its exit status.

Every package raises these (or its own subclasses); the command line maps only them to one line
on stderr and their status. Anything else is a bug: exit 70, with the traceback in the log.
OCRmyPDF's exceptions, which carry their exit codes, are the model.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from luutru.i18n import N_, _


class ExitCode(IntEnum):
    OK = 0
    FILES_FAILED = 1  # ingest/reindex: some files failed; check: disagreement; verify: changes
    USAGE = 2  # a wrong option or setting, or a query that cannot be understood
    BUSY = 3  # another run holds the archive home
    NOT_READY = 4  # Tesseract, its model or poppler missing; no archive yet; index or catalog unusable
    NOT_FOUND = 5  # show, dossiers show: no such document, page or dossier
    NO_SPACE = 6  # the disk is full: the run stopped; what was committed before stays usable
    INTERNAL = 70  # a bug: the message and the log say where
    INTERRUPTED = 130  # Ctrl-C; the next run resumes where this one stopped


class LuutruError(Exception):
    """A failure the user can act on; the message is one line that names what and why. Raised with a template
    marked for the catalog and its values (`NotFound(N_("{path}: no such document"), path=path)`), it is shown in
    the user's language (`translated`) and logged in English (`str`)."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str, **values: object) -> None:
        self.template, self.values = message, values
        super().__init__(message.format(**values) if values else message)

    def translated(self, translate: Callable[[str], str] = _) -> str:
        """The message in the user's language (luutru.i18n), or as `translate` tells it (the counter's page:
        in Vietnamese)."""
        return translate(self.template).format(**self.values) if self.values else translate(self.template)


class UsageError(LuutruError):
    exit_code = ExitCode.USAGE


class BusyError(LuutruError):
    """Another luutru run holds the archive home."""

    exit_code = ExitCode.BUSY


class NotReady(LuutruError):
    """Something this command needs is missing or unusable: a program, the archive, the index."""

    exit_code = ExitCode.NOT_READY


class NoArchive(NotReady):
    """The archive home holds no catalog yet."""

    def __init__(self, root: object, message: str = N_("{root} holds no archive yet; run `luutru ingest PATH` first")):
        super().__init__(message, root=root)


class CatalogTooNew(NotReady):
    """The catalog was written by a newer luutru."""


class NotFound(LuutruError):
    """The document, page or dossier asked for is not in the catalog."""

    exit_code = ExitCode.NOT_FOUND
