"""Bring the index in line with the catalog; the catalog is always the side that is right."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from index.store import IndexStore, PageDocument, ensure_index, new_generation, publish
from pipeline.catalog import Catalog, FileRecord
from pipeline.home import ArchiveHome
from pipeline.metadata import extract_fields

log = logging.getLogger("luutru")
# Files whose pages are searchable: fully read, or read apart from some failed pages.
SEARCHABLE = ("done", "failed")


def _documents(catalog: Catalog, files: list[FileRecord]) -> Iterator[PageDocument]:
    """The pages of each file, with the document fields read from them (and kept in the catalog)."""
    for record in files:
        pages = list(catalog.pages(record.id))
        fields = extract_fields([page.text for page in pages]).to_json()
        catalog.put_fields(record.id, fields)
        for page in pages:
            yield PageDocument(record.id, record.path, page.page, page.text, page.confidence, fields)


def _searchable(catalog: Catalog) -> list[FileRecord]:
    return [record for status in SEARCHABLE for record in catalog.files(status)]


def sync_index(home: ArchiveHome, catalog: Catalog) -> int:
    """Add what the index lacks and remove what the catalog no longer has; returns pages added."""
    ensure_index(home.index_link)
    store = IndexStore(home.index_link)
    if not store.schema_is_current():
        log.info("index: written by an older luutru; rebuilding it from the catalog")
        return rebuild_index(home, catalog)
    searchable = _searchable(catalog)
    stale = [record for record in searchable if not record.indexed]
    current = {record.id for record in searchable if record.indexed}
    gone = store.file_ids() - current - {record.id for record in stale}
    if not stale and not gone:
        return 0
    added = store.update(gone | {record.id for record in stale}, _documents(catalog, stale))
    catalog.mark_indexed(record.id for record in stale)
    log.info("index: %d pages of %d files added or replaced, %d files removed", added, len(stale), len(gone))
    return added


def rebuild_index(home: ArchiveHome, catalog: Catalog) -> int:
    """Build a whole new index from the catalog, without OCR, and swap it in atomically."""
    generation = new_generation(home.index_link)
    searchable = _searchable(catalog)
    added = IndexStore(generation).update((), _documents(catalog, searchable))
    publish(home.index_link, generation)
    catalog.mark_indexed(record.id for record in searchable)
    log.info("index: rebuilt from the catalog with %d pages in %s", added, generation.name)
    return added
