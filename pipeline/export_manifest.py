"""What an export folder holds, as the export recorded it: each file written with the scan (its checksum) and the
pages it came from. `luutru export` writes it; the counter's page reads it to offer a download only of the
document shown; an export again into the folder removes what it wrote before for documents that left.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "luutru-export.json"


@dataclass(frozen=True)
class Exported:
    """One file an export wrote."""
    sha256: str  # the scan's content, when it was exported
    path: str  # the scan, as the catalog names it
    first_page: int
    last_page: int
    dossier: str | None  # the dossier exported (`export --dossier`), or None for scans given by path


def read_manifest(folder: Path) -> dict[str, Exported]:
    """The files an export wrote into `folder`, by name; empty when none did (or its manifest is unreadable)."""
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        return {name: Exported(**entry) for name, entry in listed.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(folder: Path, files: dict[str, Exported]) -> None:
    """Replace the manifest at once (a reader never sees half of it)."""
    text = json.dumps({"files": {name: asdict(entry) for name, entry in sorted(files.items())}},
                      ensure_ascii=False, indent=1)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".manifest-", delete=False) as stream:
        stream.write(text)
    os.replace(stream.name, folder / MANIFEST)


def exported_file(folder: Path, sha256: str, first_page: int, last_page: int) -> Path | None:
    """The file exported from exactly these pages of this content, if it is still there."""
    for name, entry in read_manifest(folder).items():
        if (entry.sha256, entry.first_page, entry.last_page) == (sha256, first_page, last_page):
            path = folder / name
            return path if path.is_file() else None
    return None
