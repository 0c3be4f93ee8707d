"""Documents and their fields: found in a file's pages and read from them and its folder path when
the file is finished, and kept in the catalog. The index only reads them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from luutru.errors import NoArchive, UsageError
from luutru.pipeline.catalog import SEARCHABLE, Catalog, FileRecord
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
FIELDS_VERSION = "documents-2"  # 2: doubtful numbers and dates, attachments


def pattern_text(pattern: PathPattern | None) -> str:
    return pattern.pattern if pattern else ""


def _fields_key(pattern: PathPattern | None) -> str:
    return f"{FIELDS_VERSION}|{pattern_text(pattern)}"


def file_documents(texts: list[str], path: str, pattern: PathPattern | None, starts: list[int] | None = None,
                   words: list[str | None] | None = None) -> list[tuple[int, int, dict]]:
    """The documents of one file (first page, last page, fields), from its page texts in order and, where
    given, each page's words as the catalog keeps them (JSON), decoded for first pages only."""
    documents = []
    for span in segment(texts, starts):
        first_words = [(word[0], word[1]) for word in json.loads(words[span.first_page - 1] or "[]")] if words else ()
        fields = document_fields(texts[span.first_page - 1:span.last_page], path, pattern, first_words).to_json()
        documents.append((span.first_page, span.last_page, fields))
    return documents


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
        documents = file_documents(texts, record.path, pattern, catalog.manual_starts(record.sha256), words)
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
    searchable = catalog.searchable_files()
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
    config = load_config(home.config_path)
    if not home.exists():
        raise NoArchive(f"{home.root} holds no archive yet; run `luutru ingest PATH` first")
    with home.exclusive(wait=wait):
        catalog = Catalog(home.catalog_path)
        try:
            record = find_file(catalog, path_or_id)
            if record.status not in SEARCHABLE or not record.page_count:
                raise UsageError(f"{record.path}: not read yet (status {record.status}); ingest it first")
            outside = sorted(page for page in starts or () if not 1 <= page <= record.page_count)
            if outside:
                raise UsageError(f"{record.path}: it has pages 1 to {record.page_count}, not "
                                 f"{', '.join(map(str, outside))}")
            catalog.set_manual_starts(record.sha256, starts)
            copies = [copy for copy in catalog.files_with_hash(record.sha256) if copy.status in SEARCHABLE]
            record_fields(catalog, copies, config.path_pattern)
            catalog.mark_unindexed(copy.id for copy in copies)
            sync_index(home, catalog)
            return show_documents(catalog, record)
        finally:
            catalog.close()
