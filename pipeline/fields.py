"""Document fields: read from a file's pages and folder path when the file is finished, and kept in
the catalog. The index only reads them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from luutru.pipeline.catalog import Catalog, FileRecord
from luutru.pipeline.metadata import PathPattern, document_fields

log = logging.getLogger("luutru")
# Files whose fields are written to the catalog in one transaction (each commit is an fsync).
FIELDS_BATCH = 1000
# Catalog meta key: the path pattern the catalog's department and year fields were read with.
PATTERN_KEY = "path_pattern"


def pattern_text(pattern: PathPattern | None) -> str:
    return pattern.pattern if pattern else ""


def record_fields(catalog: Catalog, records: Iterable[FileRecord], pattern: PathPattern | None) -> None:
    """Read and keep the fields of these files, from the pages the catalog holds for them."""
    batch = []
    for record in records:
        texts = [page.text for page in catalog.pages(record.id)]
        batch.append((record.id, document_fields(texts, record.path, pattern).to_json()))
        if len(batch) == FIELDS_BATCH:
            catalog.put_fields(batch)
            batch = []
    catalog.put_fields(batch)


def follow_pattern(catalog: Catalog, pattern: PathPattern | None) -> None:
    """When the path pattern changed since the fields were read, read every file's fields again (no
    OCR) and leave the files for the index to take up again."""
    if (catalog.get_meta(PATTERN_KEY) or "") == pattern_text(pattern):
        return
    log.info("the path pattern changed to %r; reading document fields again (no OCR)", pattern_text(pattern))
    searchable = catalog.searchable_files()
    record_fields(catalog, searchable, pattern)
    catalog.mark_unindexed(record.id for record in searchable)
    catalog.set_meta(PATTERN_KEY, pattern_text(pattern))
