"""The Whoosh index: one document per page, derived from the catalog and rebuildable from it.

The index lives in a generation folder (`index-000003`) that the archive home's `index` symlink
points to. A full rebuild writes a new generation beside the live one and swaps the symlink
atomically, so searches keep working during the rebuild and never see an empty index.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index, writing
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from index.analysis import exact_analyzer, folded_analyzer, nfc, symbol_analyzer

GENERATION_PREFIX = "index-"
# Raise when fields or analyzers change: an index of another version is rebuilt from the catalog.
SCHEMA_VERSION = 2
SCHEMA_VERSION_FILE = "luutru-schema-version"
# Keep the generation before the live one: a search that opened it just before a swap finishes.
GENERATIONS_KEPT = 2
# How a commit merges segments (benchmarks/index_scale.py --nights measures each):
# "small" merges the small segments (Whoosh's default), "none" only adds one, "all" merges into one.
MERGE_POLICIES = {"small": {"mergetype": writing.MERGE_SMALL}, "none": {"mergetype": writing.NO_MERGE},
                  "all": {"optimize": True}}


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),  # "file_id:page"
        file_id=ID(stored=True),
        path=ID(stored=True),
        page=NUMERIC(int, stored=True, sortable=True),
        confidence=STORED(),
        text=TEXT(analyzer=exact_analyzer(), stored=True, phrase=True),
        folded=TEXT(analyzer=folded_analyzer(), phrase=True),
        # Document fields (pipeline.metadata), repeated on each page of the document.
        number=TEXT(analyzer=symbol_analyzer(), stored=True, phrase=False),  # 123/QĐ-UBND as one term
        doc_type=TEXT(analyzer=folded_analyzer(), stored=True),
        agency=TEXT(analyzer=folded_analyzer(), stored=True),
        issued=NUMERIC(int, stored=True, sortable=True, default=0),  # 20230912; undated sort last, newest first
        year=NUMERIC(int, stored=True),  # of issue, else from the folder path
        department=TEXT(analyzer=folded_analyzer(), stored=True),  # from the folder path
        parcels=KEYWORD(commas=True, stored=True),
        sheets=KEYWORD(commas=True, stored=True),
        fields=STORED(),  # every extracted field, for display
    )


@dataclass(frozen=True)
class PageDocument:
    file_id: int
    path: str
    page: int
    text: str
    confidence: float | None
    fields: dict = field(default_factory=dict)


def _field_values(fields: dict) -> dict:
    values = {"fields": fields}
    for name in ("number", "doc_type", "agency", "department", "year"):
        if fields.get(name):
            values[name] = fields[name]
    if fields.get("issued"):
        values["issued"] = int(fields["issued"].replace("-", ""))
    for name in ("parcels", "sheets"):
        if fields.get(name):
            values[name] = ",".join(fields[name])
    return values


class IndexUnavailable(Exception):
    """The index cannot be opened or written; the message says why in one line."""


def _generation_number(folder: Path) -> int:
    return int(folder.name[len(GENERATION_PREFIX):])


def _generations(link: Path) -> list[Path]:
    candidates = link.parent.glob(GENERATION_PREFIX + "*")
    return sorted((p for p in candidates if p.name[len(GENERATION_PREFIX):].isdigit()), key=_generation_number)


def new_generation(link: Path) -> Path:
    """An empty index in a fresh generation folder next to the live one."""
    existing = _generations(link)
    number = _generation_number(existing[-1]) + 1 if existing else 1
    folder = link.parent / f"{GENERATION_PREFIX}{number:06d}"
    folder.mkdir(mode=0o700)
    whoosh_index.create_in(str(folder), make_schema())
    (folder / SCHEMA_VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return folder


def publish(link: Path, generation: Path) -> None:
    """Point the live symlink at `generation` in one atomic rename, then drop old generations."""
    temporary = link.with_name(link.name + ".swap")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(generation.name)
    os.replace(temporary, link)
    for old in _generations(link)[:-GENERATIONS_KEPT]:
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)


def ensure_index(link: Path) -> None:
    if not link.exists():
        publish(link, new_generation(link))


class IndexStore:
    def __init__(self, link: Path) -> None:
        self.link = link
        try:
            self.index = whoosh_index.open_dir(str(link))
        except Exception as error:  # noqa: BLE001 - a damaged index fails in many ways (OSError, pickle, struct)
            raise IndexUnavailable(f"cannot open the index at {link}: {error}; "
                              "run `luutru reindex --full` to rebuild it from the catalog") from error

    def schema_is_current(self) -> bool:
        """False for an index written by an older luutru: it must be rebuilt from the catalog."""
        try:
            return int((self.link / SCHEMA_VERSION_FILE).read_text()) == SCHEMA_VERSION
        except (OSError, ValueError):
            return False

    def pages_per_file(self) -> Counter:
        """Live pages in the index per file id. A deleted page's terms stay in its segment until
        the segment is merged, so where there are deletions each file's pages are looked at."""
        counts: Counter = Counter()
        with self.index.reader() as reader:
            deletions = reader.has_deletions()
            for term in reader.field_terms("file_id"):
                if not deletions:
                    counts[int(term)] = reader.doc_frequency("file_id", term)
                    continue
                live = sum(not reader.is_deleted(number) for number in reader.postings("file_id", term).all_ids())
                if live:
                    counts[int(term)] = live
        return counts

    def file_ids(self) -> set[int]:
        return set(self.pages_per_file())

    def page_count(self) -> int:
        return self.index.doc_count()

    def update(self, remove: Iterable[int], add: Iterable[PageDocument], merge: str = "small") -> int:
        """Remove the pages of some files and add pages, in one commit merging as `merge` says
        (see MERGE_POLICIES); returns pages added."""
        writer = self.index.writer(limitmb=128)
        try:
            for file_id in remove:
                writer.delete_by_term("file_id", str(file_id))
            added = 0
            for document in add:
                writer.add_document(
                    key=f"{document.file_id}:{document.page}", file_id=str(document.file_id),
                    path=document.path, page=document.page, confidence=document.confidence,
                    text=nfc(document.text), folded=nfc(document.text), **_field_values(document.fields))
                added += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(**MERGE_POLICIES[merge])
        return added

    def segment_count(self) -> int:
        with self.index.reader() as reader:
            return len(reader.leaf_readers())
