"""Bring the index in line with the catalog; the catalog is always the side that is right."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from luutru.index.store import (
    DEFAULT_ENGINE,
    IndexUnavailable,
    PageDocument,
    engine_of,
    ensure_index,
    new_generation,
    open_store,
    publish,
    schema_is_current,
)
from luutru.pipeline.catalog import Catalog, FileRecord
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.metadata import PathPattern, document_fields

log = logging.getLogger("luutru")
# Files whose pages are searchable: fully read, or read apart from some failed pages.
SEARCHABLE = ("done", "failed")
# Files whose fields are written to the catalog in one transaction (each commit is an fsync).
FIELDS_BATCH = 1000
# Catalog meta key: the path pattern the index's department and year fields were read with.
PATTERN_KEY = "path_pattern"


def _documents(catalog: Catalog, files: list[FileRecord], pattern: PathPattern | None) -> Iterator[PageDocument]:
    """The pages of each file, with the document fields read from them (and kept in the catalog)."""
    read = []
    for record in files:
        pages = list(catalog.pages(record.id))
        fields = document_fields([page.text for page in pages], record.path, pattern).to_json()
        read.append((record.id, fields))
        for page in pages:
            yield PageDocument(record.id, record.path, page.page, page.text, page.confidence, fields)
        if len(read) == FIELDS_BATCH:
            catalog.put_fields(read)
            read = []
    catalog.put_fields(read)


def searchable_files(catalog: Catalog) -> list[FileRecord]:
    return [record for status in SEARCHABLE for record in catalog.files(status)]


def _pattern_text(pattern: PathPattern | None) -> str:
    return pattern.pattern if pattern else ""


def sync_index(home: ArchiveHome, catalog: Catalog, pattern: PathPattern | None = None,
               engine: str | None = None) -> int:
    """Add what the index lacks and remove what the catalog no longer has; returns pages added.
    An index of another engine than `engine` (None: keep the live one's) is rebuilt in it."""
    ensure_index(home.index_link, engine or DEFAULT_ENGINE)
    try:
        store = open_store(home.index_link)
    except IndexUnavailable as error:
        # Never wiped in place: searches may hold it open. A new generation replaces it atomically.
        log.warning("%s; building a new index from the catalog", error)
        return rebuild_index(home, catalog, pattern, engine)
    if engine and store.engine != engine:
        log.info("index: moving the archive from %s to %s; rebuilding the index from the catalog",
                 store.engine, engine)
        return rebuild_index(home, catalog, pattern, engine)
    if not schema_is_current(store.link):
        log.info("index: written by another version of luutru; rebuilding it from the catalog")
        return rebuild_index(home, catalog, pattern, engine)
    if (catalog.get_meta(PATTERN_KEY) or "") != _pattern_text(pattern):
        log.info("index: the path pattern changed to %r; rebuilding the index from the catalog",
                 _pattern_text(pattern))
        return rebuild_index(home, catalog, pattern, engine)
    searchable = searchable_files(catalog)
    stale = [record for record in searchable if not record.indexed]
    current = {record.id for record in searchable if record.indexed}
    gone = set(store.pages_per_file()) - current - {record.id for record in stale}
    if not stale and not gone:
        return 0
    added = store.update(gone | {record.id for record in stale}, _documents(catalog, stale, pattern))
    catalog.mark_indexed(record.id for record in stale)
    log.info("index: %d pages of %d files added or replaced, %d files removed", added, len(stale), len(gone))
    return added


def live_engine(home: ArchiveHome) -> str:
    """The engine of the live index; the default where there is none yet."""
    return engine_of(home.index_link) if home.index_link.exists() else DEFAULT_ENGINE


def rebuild_index(home: ArchiveHome, catalog: Catalog, pattern: PathPattern | None = None,
                  engine: str | None = None) -> int:
    """Build a whole new index from the catalog, without OCR, and swap it in atomically; in
    `engine`, or the live index's engine when None."""
    engine = engine or live_engine(home)
    generation = new_generation(home.index_link, engine)
    searchable = searchable_files(catalog)
    added = open_store(generation).update((), _documents(catalog, searchable, pattern))
    publish(home.index_link, generation)
    catalog.mark_indexed(record.id for record in searchable)
    catalog.set_meta(PATTERN_KEY, _pattern_text(pattern))
    log.info("index: rebuilt from the catalog with %d pages in %s (%s)", added, generation.name, engine)
    return added
