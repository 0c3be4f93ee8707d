"""Recognise scan formats by their first bytes, never by the file name alone."""

from __future__ import annotations

from enum import Enum
from pathlib import Path


class Kind(str, Enum):
    PDF = "pdf"
    TIFF = "tiff"
    JPEG = "jpeg"
    PNG = "png"


SIGNATURES: list[tuple[bytes, Kind]] = [
    (b"II*\x00", Kind.TIFF),
    (b"MM\x00*", Kind.TIFF),
    (b"\xff\xd8\xff", Kind.JPEG),
    (b"\x89PNG\r\n\x1a\n", Kind.PNG),
]
# File names that promise a scan: such a file with other content is a failure, not a skip.
SCAN_SUFFIXES = {".pdf": "PDF", ".tif": "TIFF image", ".tiff": "TIFF image", ".jpg": "JPEG image",
                 ".jpeg": "JPEG image", ".png": "PNG image"}
# The PDF specification lets a header start anywhere in the first kilobyte.
PDF_HEADER_WINDOW = 1024


def detect_kind(path: Path) -> Kind | None:
    """The format of a file from its content, or None when it is not a supported scan."""
    with open(path, "rb") as stream:
        head = stream.read(PDF_HEADER_WINDOW)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"%PDF-" in head:
        return Kind.PDF
    return None
