"""Documents and their fields: found in a file's pages and read from them and its folder path when
the file is finished, and kept in the catalog. The index only reads them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from luutru.errors import NoArchive, UsageError
from luutru.index.doctypes import type_of_abbreviation
from luutru.index.query import typed_date
from luutru.pipeline.catalog import SEARCHABLE, Catalog, FileRecord
from luutru.pipeline.circular05 import choices, code_lists, code_of
from luutru.pipeline.config import load_config
from luutru.pipeline.documents import segment
from luutru.pipeline.dossiers import Linker
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.indexing import sync_index
from luutru.pipeline.metadata import PathPattern, document_fields
from luutru.pipeline.progress import counted
from luutru.pipeline.report import find_file, show_documents

log = logging.getLogger("luutru")
# Files whose documents are written to the catalog in one transaction (each commit is an fsync).
FIELDS_BATCH = 1000
# Catalog meta key: how the catalog's documents and fields were read (this version's way of reading
# them, and the path pattern the department and year came from). Another value reads them all again.
FIELDS_KEY = "documents_read_with"
FIELDS_VERSION = "documents-3"  # 2: doubtful numbers and dates, attachments; 3: the dossier's use mode


def pattern_text(pattern: PathPattern | None) -> str:
    return pattern.pattern if pattern else ""


def _fields_key(pattern: PathPattern | None) -> str:
    return f"{FIELDS_VERSION}|{pattern_text(pattern)}"


def file_documents(texts: list[str], path: str, pattern: PathPattern | None, starts: list[int] | None = None,
                   words: list[str | None] | None = None, corrections: dict[int, dict] | None = None,
                   page_modes: list[tuple[int, int, str]] = ()) -> list[tuple[int, int, dict]]:
    """The documents of one file (first page, last page, fields), from its page texts in order and, where
    given, each page's words as the catalog keeps them (JSON), decoded for first pages only; a person's
    corrections (by first page) and use modes (by pages, oldest first) outrank what was read."""
    documents = []
    for span in segment(texts, starts):
        first_words = [(word[0], word[1]) for word in json.loads(words[span.first_page - 1] or "[]")] if words else ()
        fields = document_fields(texts[span.first_page - 1:span.last_page], path, pattern, first_words).to_json()
        fields = corrected(fields, {**(corrections or {}).get(span.first_page, {}),
                                    **_mode_of_pages(span.first_page, span.last_page, page_modes)})
        documents.append((span.first_page, span.last_page, fields))
    return documents


def _mode_of_pages(first: int, last: int, page_modes: list[tuple[int, int, str]]) -> dict:
    """The use mode set by hand for these pages: the strictest of each page's latest setting, and whether some
    pages have none (pipeline.circular05.document_mode then weighs the inherited mode too)."""
    latest = {page: mode for start, end, mode in page_modes for page in range(max(start, first), min(end, last) + 1)}
    if not latest:
        return {}
    return {"mode": max(latest.values()), **({"mode_partial": True} if len(latest) < last - first + 1 else {})}


def corrected(fields: dict, corrections: dict | None) -> dict:
    """The fields with a person's corrections over them, named in "corrected" and no longer doubtful."""
    if not corrections:
        return fields
    return {**fields, **corrections, "corrected": sorted(set(corrections) - {"mode_partial"}),
            "doubtful": [name for name in fields.get("doubtful", ()) if name not in corrections]}


def record_fields(catalog: Catalog, records: Iterable[FileRecord], pattern: PathPattern | None) -> None:
    """Find and keep the documents of these files, their fields and their dossier, from the pages the
    catalog holds."""
    batch, linker = [], Linker.of(catalog)
    for record in records:
        pages = list(catalog.pages(record.id))
        texts = [""] * max([page.page for page in pages], default=0)
        words: list[str | None] = [None] * len(texts)
        for page in pages:
            texts[page.page - 1] = page.text  # a failed page stays empty, and keeps its place
            words[page.page - 1] = page.words
        documents = file_documents(texts, record.path, pattern, catalog.manual_starts(record.sha256), words,
                                   catalog.corrections(record.sha256), catalog.page_modes(record.sha256))
        batch.append((record.id, linker.linked(record.path, documents)))
        if len(batch) == FIELDS_BATCH:
            catalog.put_documents(batch)
            batch = []
    catalog.put_documents(batch)


def follow_pattern(catalog: Catalog, pattern: PathPattern | None) -> set[int]:
    """When the path pattern (or this version's way of finding documents) changed since the documents
    were read, read every file's again (no OCR) and leave the files for the index to take up again; the ids of
    the files read again."""
    if catalog.get_meta(FIELDS_KEY) == _fields_key(pattern):
        return set()
    searchable = list(catalog.searchable_files())
    if searchable:  # a new archive has nothing to read again
        log.info("reading documents and their fields again (no OCR): path pattern %r", pattern_text(pattern))
        record_fields(catalog, counted(searchable, len(searchable), "documents", unit="file"), pattern)
        catalog.mark_unindexed(record.id for record in searchable)
    catalog.set_meta(FIELDS_KEY, _fields_key(pattern))
    return {record.id for record in searchable}


def split_file(home: ArchiveHome, path_or_id: str, starts: list[int] | None, wait: bool = False) -> dict:
    """Set by hand where documents start in a file (None: find them from the pages again). Kept for
    the file's content, so it holds for every copy and survives reindexing and re-ingest; the index
    takes the new documents up at once."""
    def set_starts(catalog: Catalog, record: FileRecord) -> None:
        _check_pages(record, starts or ())
        catalog.set_manual_starts(record.sha256, starts)
    return _by_hand(home, path_or_id, set_starts, wait)


# What `documents set` corrects, and how each value is written in the catalog's fields.
CORRECTABLE = ("doc_type", "number", "issued", "agency", "subject", "signer", "mode")


def correct_document(home: ArchiveHome, path_or_id: str, page: int, values: dict[str, str],
                     wait: bool = False) -> dict:
    """Correct the fields (CORRECTABLE) of the document of a file that holds `page`, for the file's content: they
    outrank what was read through a re-OCR, a reindex and a new path pattern; the index takes them up at once."""
    # Fields are kept by the document's first page; a use mode by the document's pages, which a split keeps.
    changes = _correction_values(values)
    if not changes:
        raise UsageError("nothing to correct: give --type, --number, --issued, --agency, --subject, --signer or --mode")

    def set_fields(catalog: Catalog, record: FileRecord) -> None:
        _check_pages(record, [page])
        first, last = max((first, last) for first, last, _ in catalog.documents(record.id) if first <= page)
        fields = {name: value for name, value in changes.items() if name != "mode"}
        if fields:
            catalog.set_corrections(record.sha256, first, fields)
        if "mode" in changes:  # the pages' mode, which a later split of the document keeps
            catalog.set_page_mode(record.sha256, first, last, changes["mode"])
    return _by_hand(home, path_or_id, set_fields, wait)


def _correction_values(values: dict[str, str]) -> dict:
    """The corrections as the catalog's fields hold them (an ISO date and its year; a type by its name)."""
    changes = {name: " ".join(value.split()) for name, value in values.items() if value and value.strip()}
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise UsageError(f"cannot correct {', '.join(unknown)}: only {', '.join(CORRECTABLE)}")
    if "doc_type" in changes:
        changes["doc_type"] = _type_name(changes["doc_type"])
    if "mode" in changes:
        changes["mode"] = _code("mode", changes["mode"])
    if "issued" in changes:
        try:
            issued = typed_date(changes["issued"])
        except ValueError:
            raise UsageError(f"{values['issued']!r} is not a date; write it as DD/MM/YYYY or YYYY-MM-DD") from None
        changes["issued"], changes["year"] = issued.isoformat(), issued.year
    return changes


def _code(list_name: str, typed: str) -> str:
    """The code of one of the circular's lists a value names (the code, or its name in either tone style)."""
    code = code_of(list_name, typed)
    if code is None:
        raise UsageError(f"{typed!r} is none of the circular's {list_name} codes ({choices(list_name)})")
    return code


def _type_name(typed: str) -> str:
    """A type as the catalog names it, typed as its name, a Decree 30 abbreviation (QĐ) or the circular's code."""
    return code_lists()["typeName"].get(typed) or type_of_abbreviation(typed) or typed


def _check_pages(record: FileRecord, pages: Iterable[int]) -> None:
    outside = sorted(page for page in pages if not 1 <= page <= (record.page_count or 0))
    if outside:
        raise UsageError(f"{record.path}: it has pages 1 to {record.page_count}, not {', '.join(map(str, outside))}")


def _by_hand(home: ArchiveHome, path_or_id: str, change: Callable[[Catalog, FileRecord], None], wait: bool) -> dict:
    """Make a person's change to a read file, then read its documents and those of every copy again (no OCR)
    and bring the index in line; the file's documents as they are now."""
    config = load_config(home.config_path)
    if not home.exists():
        raise NoArchive(home.root)
    with home.exclusive(wait=wait):
        catalog = Catalog(home.catalog_path)
        try:
            record = find_file(catalog, path_or_id)
            if record.status not in SEARCHABLE or not record.page_count:
                raise UsageError(f"{record.path}: not read yet (status {record.status}); ingest it first")
            change(catalog, record)
            copies = [copy for copy in catalog.files_with_hash(record.sha256) if copy.status in SEARCHABLE]
            record_fields(catalog, copies, config.path_pattern)
            catalog.mark_unindexed(copy.id for copy in copies)
            sync_index(home, catalog)
            return show_documents(catalog, record)
        finally:
            catalog.close()
