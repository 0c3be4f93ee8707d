"""Is everything where it should be? The index against the catalog, the originals against their hashes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from luutru.index.store import IndexStore, IndexUnavailable, open_store, schema_is_current
from luutru.pipeline.catalog import Catalog, FileRecord
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.indexing import rebuild_index, sync_index
from luutru.pipeline.progress import Progress
from luutru.pipeline.report import open_catalog
from luutru.scanners import fingerprint

log = logging.getLogger("luutru")


@dataclass
class CheckReport:
    """Where the index and the catalog disagree; the catalog is the side that is right."""

    index_error: str | None = None  # the index cannot be opened or is of another version
    missing: list[str] = field(default_factory=list)  # searchable in the catalog, absent from the index
    stale: list[int] = field(default_factory=list)  # file ids in the index the catalog does not list as searchable
    page_mismatch: list[str] = field(default_factory=list)  # a different number of pages in each
    catalog_pages: int = 0
    index_pages: int = 0

    @property
    def consistent(self) -> bool:
        return not (self.index_error or self.missing or self.stale or self.page_mismatch)

    def to_json(self) -> dict:
        return {"consistent": self.consistent, "index_error": self.index_error, "missing": self.missing,
                "stale_file_ids": self.stale, "page_mismatch": self.page_mismatch,
                "catalog_pages": self.catalog_pages, "index_pages": self.index_pages}


def _compare(catalog: Catalog, store: IndexStore, report: CheckReport) -> None:
    indexed = store.pages_per_file()
    report.index_pages = sum(indexed.values())
    searchable = {record.id: record for record in catalog.searchable_files()}
    stored = catalog.page_counts()
    for file_id, record in searchable.items():
        pages = stored.get(file_id, 0)
        report.catalog_pages += pages
        if pages and file_id not in indexed:
            report.missing.append(record.path)
        elif indexed.get(file_id, 0) != pages:
            report.page_mismatch.append(record.path)
    report.stale = sorted(set(indexed) - set(searchable))


def check(home: ArchiveHome) -> CheckReport:
    """Compare the index with the catalog, page counts per file included; read-only."""
    report = CheckReport()
    catalog = open_catalog(home)
    try:
        try:
            store = open_store(home.index_link)
            if not schema_is_current(store.link):
                report.index_error = f"the index at {home.index_link} was written by another version of luutru"
            else:
                _compare(catalog, store, report)
        except IndexUnavailable as error:
            report.index_error = str(error)
    finally:
        catalog.close()
    return report


def repair(home: ArchiveHome, wait: bool = False) -> CheckReport:
    """Check, then make the index agree with the catalog: a new index generation when the live one is
    unusable (the broken one stays on disk until it ages out), otherwise re-adding the files that disagree."""
    report = check(home)
    if report.consistent:
        return report
    with home.exclusive(wait=wait):
        catalog = Catalog(home.catalog_path)
        try:
            if report.index_error:
                log.warning("index: %s; building a new one from the catalog", report.index_error)
                rebuild_index(home, catalog)
            else:
                wrong = set(report.missing) | set(report.page_mismatch)
                catalog.mark_unindexed(record.id for record in catalog.files() if record.path in wrong)
                sync_index(home, catalog)
        finally:
            catalog.close()
    return report


@dataclass
class VerifyReport:
    """Fixity: originals whose content changed, or that are gone, since they were ingested."""

    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.changed or self.missing or self.unreadable)

    def to_json(self) -> dict:
        return {"intact": self.intact, "checked": self.checked, "changed": self.changed, "missing": self.missing,
                "unreadable": [{"path": path, "reason": reason} for path, reason in self.unreadable]}


def verify(home: ArchiveHome) -> VerifyReport:
    """Re-hash every ingested original and compare it with the sha256 the catalog recorded. Only what was
    ingested is judged (a file refused when it was found has no checksum to compare), and a file gone from
    its place whose content the archive holds elsewhere was moved, not lost."""
    report = VerifyReport()
    catalog = open_catalog(home)
    try:
        searchable = list(catalog.searchable_files())
        held = {record.sha256 for record in searchable}
        gone = [record for record in catalog.files("missing") if record.sha256 not in held]
        # Ingested: recognised as a scan (a kind) and hashed; a file refused when found is neither.
        records = [record for record in searchable + gone if record.kind and record.sha256]
    finally:
        catalog.close()
    progress = Progress(len(records), "verify", unit="file")
    try:
        for record in records:
            _verify_one(record, report)
            progress.advance(failed=False)
    finally:
        progress.close()
    return report


def _verify_one(record: FileRecord, report: VerifyReport) -> None:
    report.checked += 1
    try:
        current = fingerprint(record.disk_path)
    except FileNotFoundError:
        report.missing.append(record.path)
    except OSError as error:
        report.unreadable.append((record.path, error.strerror or str(error)))
    else:
        if current.sha256 != record.sha256:
            report.changed.append(record.path)
