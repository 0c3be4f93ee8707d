"""The SQLite catalog: the record of every source file and page, and the truth the index derives from.

Every write is a short transaction in WAL mode with full fsync, so a crash or power loss costs
at most the pages in flight, and readers (search, status) never wait for the ingest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from luutru.errors import CatalogTooNew

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS roots (
    path TEXT PRIMARY KEY,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT,                      -- pdf, tiff, jpeg, png; NULL when not a supported scan
    size INTEGER,
    mtime_ns INTEGER,
    sha256 TEXT,
    page_count INTEGER,
    status TEXT NOT NULL,           -- pending, done, failed, unsupported, missing
    error TEXT,                     -- one line: why the file or some of its pages failed
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0  -- 1 once the index holds this file's current pages
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
CREATE INDEX IF NOT EXISTS files_status ON files (status);
CREATE TABLE IF NOT EXISTS pages (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    page INTEGER NOT NULL,          -- 1-based
    text TEXT NOT NULL,             -- NFC
    confidence REAL,                -- 0-100; 100 for a PDF text layer
    source TEXT NOT NULL,           -- ocr or text-layer
    words TEXT,                     -- JSON [[text, confidence, left, top, width, height], ...]
    seconds REAL,
    diagnostics TEXT,               -- JSON: what cleanup and OCR found (skew, ink level, rotation)
    PRIMARY KEY (file_id, page)
);
CREATE TABLE IF NOT EXISTS document_fields (
    file_id INTEGER PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    fields TEXT NOT NULL            -- JSON of pipeline.metadata.DocumentFields
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class FileRecord:
    id: int
    path: str
    kind: str | None
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    page_count: int | None
    status: str
    error: str | None
    indexed: int
    updated_at: str


@dataclass
class PageRecord:
    file_id: int
    page: int
    text: str
    confidence: float | None
    source: str
    words: str | None = None
    seconds: float | None = None
    diagnostics: str | None = None  # JSON


FILE_COLUMNS = "id, path, kind, size, mtime_ns, sha256, page_count, status, error, indexed, updated_at"
PAGE_COLUMNS = "file_id, page, text, confidence, source, words, seconds, diagnostics"
# Changes to an existing catalog, by the version they lead to.
MIGRATIONS = {2: "ALTER TABLE pages ADD COLUMN diagnostics TEXT;"}


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CatalogTooNew(f"{self.path}: catalog schema {version} is newer than this luutru "
                               f"({SCHEMA_VERSION}); upgrade luutru")
        steps = "".join(MIGRATIONS[number] for number in range(version + 1, SCHEMA_VERSION + 1)
                        if version and number in MIGRATIONS)
        self.db.executescript(f"BEGIN IMMEDIATE; {steps} {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # roots -------------------------------------------------------------------------------

    def add_roots(self, paths: Iterable[Path]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO roots (path, added_at) VALUES (?, ?)",
                           [(str(path), now()) for path in paths])

    def roots(self) -> list[Path]:
        return [Path(row[0]) for row in self.db.execute("SELECT path FROM roots ORDER BY path")]

    # files -------------------------------------------------------------------------------

    def _file(self, where: str, *args) -> FileRecord | None:
        row = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE {where}", args).fetchone()
        return FileRecord(*row) if row else None

    def file_by_path(self, path: str) -> FileRecord | None:
        return self._file("path = ?", path)

    def file_by_id(self, file_id: int) -> FileRecord | None:
        return self._file("id = ?", file_id)

    def done_file_with_hash(self, sha256: str, other_than: int | None = None) -> FileRecord | None:
        """A fully ingested file with this content, whose pages can be reused without OCR."""
        return self._file("sha256 = ? AND id IS NOT ? AND page_count IS NOT NULL AND "
                          "(SELECT COUNT(*) FROM pages WHERE file_id = files.id) = page_count "
                          "ORDER BY status = 'done' DESC LIMIT 1", sha256, other_than)

    def files(self, status: str | None = None, under: Path | None = None) -> list[FileRecord]:
        query, args = f"SELECT {FILE_COLUMNS} FROM files WHERE 1", []
        if status:
            query += " AND status = ?"
            args.append(status)
        if under is not None:
            query += " AND (path = ? OR substr(path, 1, ?) = ?)"
            prefix = str(under).rstrip("/") + "/"
            args += [str(under), len(prefix), prefix]
        return [FileRecord(*row) for row in self.db.execute(query + " ORDER BY path", args)]

    def upsert_file(self, path: str, *, kind: str | None, size: int | None, mtime_ns: int | None,
                    sha256: str | None, status: str, error: str | None = None) -> int:
        """Record a file as found now; its pages are dropped when its content changed."""
        existing = self.file_by_path(path)
        with self.transaction() as db:
            if existing is None:
                cursor = db.execute(
                    "INSERT INTO files (path, kind, size, mtime_ns, sha256, status, error, first_seen,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (path, kind, size, mtime_ns, sha256, status, error, now(), now()))
                return int(cursor.lastrowid)
            if existing.sha256 != sha256:
                db.execute("DELETE FROM pages WHERE file_id = ?", (existing.id,))
                db.execute("UPDATE files SET page_count = NULL WHERE id = ?", (existing.id,))
            db.execute("UPDATE files SET kind = ?, size = ?, mtime_ns = ?, sha256 = ?, status = ?,"
                       " error = ?, updated_at = ?, indexed = 0 WHERE id = ?",
                       (kind, size, mtime_ns, sha256, status, error, now(), existing.id))
            return existing.id

    def touch_file(self, file_id: int, size: int, mtime_ns: int) -> None:
        """Same content with a new mtime (copied back, touched): remember the new stat."""
        with self.transaction() as db:
            db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, file_id))

    def set_page_count(self, file_id: int, page_count: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE files SET page_count = ? WHERE id = ?", (page_count, file_id))

    def finish_file(self, file_id: int, error: str | None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE files SET status = ?, error = ?, updated_at = ?, indexed = 0 WHERE id = ?",
                       ("failed" if error else "done", error, now(), file_id))

    def mark_missing(self, file_ids: Iterable[int]) -> None:
        """Files gone from disk keep their record and pages (a moved file reuses them)."""
        with self.transaction() as db:
            db.executemany("UPDATE files SET status = 'missing', indexed = 0, updated_at = ? WHERE id = ?",
                           [(now(), file_id) for file_id in file_ids])

    def mark_indexed(self, file_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE files SET indexed = 1 WHERE id = ?", [(i,) for i in file_ids])

    def mark_unindexed(self, file_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE files SET indexed = 0 WHERE id = ?", [(i,) for i in file_ids])

    # pages -------------------------------------------------------------------------------

    def put_page(self, page: PageRecord) -> None:
        with self.transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO pages ({PAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (page.file_id, page.page, page.text, page.confidence, page.source,
                        page.words, page.seconds, page.diagnostics))

    def copy_pages(self, source_id: int, target_id: int) -> int:
        with self.transaction() as db:
            db.execute("DELETE FROM pages WHERE file_id = ?", (target_id,))
            cursor = db.execute(f"INSERT INTO pages ({PAGE_COLUMNS}) SELECT ?, page, text, confidence,"
                                " source, words, seconds, diagnostics FROM pages WHERE file_id = ?",
                                (target_id, source_id))
            return cursor.rowcount

    def done_pages(self, file_id: int) -> set[int]:
        return {row[0] for row in self.db.execute("SELECT page FROM pages WHERE file_id = ?", (file_id,))}

    def pages(self, file_id: int | None = None) -> Iterator[PageRecord]:
        query, args = f"SELECT {PAGE_COLUMNS} FROM pages", ()
        if file_id is not None:
            query, args = query + " WHERE file_id = ?", (file_id,)
        for row in self.db.execute(query + " ORDER BY file_id, page", args):
            yield PageRecord(*row)

    def page_counts(self) -> dict[int, int]:
        """Pages stored per file id, counted by SQLite (no page text is read)."""
        return dict(self.db.execute("SELECT file_id, COUNT(*) FROM pages GROUP BY file_id"))

    def pages_below(self, confidence: float) -> Iterator[tuple[str, PageRecord]]:
        """OCR'd pages of searchable files read with less than `confidence`, worst first, with their path."""
        columns = ", ".join(f"p.{column.strip()}" for column in PAGE_COLUMNS.split(","))
        rows = self.db.execute(f"SELECT f.path, {columns} FROM pages p JOIN files f ON f.id = p.file_id "
                               "WHERE f.status IN ('done', 'failed') AND p.source = 'ocr' AND p.confidence < ? "
                               "ORDER BY p.confidence, f.path, p.page", (confidence,))
        for path, *page in rows:
            yield path, PageRecord(*page)

    def put_fields(self, fields_per_file: Iterable[tuple[int, dict]]) -> None:
        """Document fields of many files, in one transaction."""
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO document_fields (file_id, fields) VALUES (?, ?)",
                           ((file_id, json.dumps(fields, ensure_ascii=False)) for file_id, fields in fields_per_file))

    def fields(self, file_id: int) -> dict:
        row = self.db.execute("SELECT fields FROM document_fields WHERE file_id = ?", (file_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    # facts -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        files = dict(self.db.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall())
        pages = self.db.execute("SELECT COUNT(*) FROM pages p JOIN files f ON f.id = p.file_id"
                                " WHERE f.status IN ('done', 'failed')").fetchone()[0]
        unindexed = self.db.execute("SELECT COUNT(*) FROM files WHERE status IN ('done', 'failed') AND indexed = 0"
                                    ).fetchone()[0]
        return {"files": sum(files.values()), **{f"files_{k}": v for k, v in files.items()},
                "pages": pages, "files_waiting_for_index": unindexed}

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def words_json(words: Iterable) -> str:
    return json.dumps([[w.text, w.confidence, *w.box] for w in words], ensure_ascii=False)
