"""Bring the index in line with the catalog; the catalog is always the side that is right."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from index.store import IndexStore, IndexUnavailable, PageDocument, ensure_index, new_generation, publish
from pipeline.catalog import Catalog, FileRecord
from pipeline.home import ArchiveHome
from pipeline.metadata import PathPattern, document_fields

log = logging.getLogger("luutru")
# Files whose pages are searchable: fully read, or read apart from some failed pages.
SEARCHABLE = ("done", "failed")
# Catalog meta key: the path pattern the index's department and year fields were read with.
PATTERN_KEY = "path_pattern"


def _documents(catalog: Catalog, files: list[FileRecord], pattern: PathPattern | None) -> Iterator[PageDocument]:
    """The pages of each file, with the document fields read from them (and kept in the catalog)."""
    for record in files:
        pages = list(catalog.pages(record.id))
        fields = document_fields([page.text for page in pages], record.path, pattern).to_json()
        catalog.put_fields(record.id, fields)
        for page in pages:
            yield PageDocument(record.id, record.path, page.page, page.text, page.confidence, fields)


def searchable_files(catalog: Catalog) -> list[FileRecord]:
    return [record for status in SEARCHABLE for record in catalog.files(status)]


def _pattern_text(pattern: PathPattern | None) -> str:
    return pattern.pattern if pattern else ""


def sync_index(home: ArchiveHome, catalog: Catalog, pattern: PathPattern | None = None) -> int:
    """Add what the index lacks and remove what the catalog no longer has; returns pages added."""
    ensure_index(home.index_link)
    try:
        store = IndexStore(home.index_link)
    except IndexUnavailable as error:
        # Never wiped in place: searches may hold it open. A new generation replaces it atomically.
        log.warning("%s; building a new index from the catalog", error)
        return rebuild_index(home, catalog, pattern)
    if not store.schema_is_current():
        log.info("index: written by another version of luutru; rebuilding it from the catalog")
        return rebuild_index(home, catalog, pattern)
    if (catalog.get_meta(PATTERN_KEY) or "") != _pattern_text(pattern):
        log.info("index: the path pattern changed to %r; rebuilding the index from the catalog",
                 _pattern_text(pattern))
        return rebuild_index(home, catalog, pattern)
    searchable = searchable_files(catalog)
    stale = [record for record in searchable if not record.indexed]
    current = {record.id for record in searchable if record.indexed}
    gone = store.file_ids() - current - {record.id for record in stale}
    if not stale and not gone:
        return 0
    added = store.update(gone | {record.id for record in stale}, _documents(catalog, stale, pattern))
    catalog.mark_indexed(record.id for record in stale)
    log.info("index: %d pages of %d files added or replaced, %d files removed", added, len(stale), len(gone))
    return added


def rebuild_index(home: ArchiveHome, catalog: Catalog, pattern: PathPattern | None = None) -> int:
    """Build a whole new index from the catalog, without OCR, and swap it in atomically."""
    generation = new_generation(home.index_link)
    searchable = searchable_files(catalog)
    added = IndexStore(generation).update((), _documents(catalog, searchable, pattern))
    publish(home.index_link, generation)
    catalog.mark_indexed(record.id for record in searchable)
    catalog.set_meta(PATTERN_KEY, _pattern_text(pattern))
    log.info("index: rebuilt from the catalog with %d pages in %s", added, generation.name)
    return added
