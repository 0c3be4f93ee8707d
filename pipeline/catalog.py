"""The SQLite catalog: the record of every source file and page, and the truth the index derives from.

Every write is a short transaction in WAL mode with full fsync, so a crash or power loss costs
at most the pages in flight, and readers (search, status) never wait for the ingest.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import datetime, timezone
from pathlib import Path

from luutru.errors import CatalogTooNew, NotReady
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.vietnamese import readable_name

SCHEMA_VERSION = 9
# Use modes set by hand (`luutru documents set --mode`) for pages of a file's content: a mode belongs to the pages,
# so a later split or merge of documents keeps it; for each page the latest setting that covers it holds.
PAGE_MODES_TABLE = """
CREATE TABLE IF NOT EXISTS page_modes (
    sha256 TEXT NOT NULL,
    first_page INTEGER NOT NULL,
    last_page INTEGER NOT NULL,
    mode TEXT NOT NULL,             -- the circular's code: 01, 02, 03
    set_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS page_modes_by_content ON page_modes (sha256);
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS roots (
    path TEXT PRIMARY KEY,          -- readable (NFC; a legacy-encoded name converted)
    added_at TEXT NOT NULL,
    raw_path BLOB                   -- the bytes on disk, where they differ from the readable path
);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- readable (NFC; a legacy-encoded name converted)
    kind TEXT,                      -- pdf, tiff, jpeg, png; NULL when not a supported scan
    size INTEGER,
    mtime_ns INTEGER,
    sha256 TEXT,
    page_count INTEGER,
    status TEXT NOT NULL,           -- pending, done, failed, unsupported, missing
    error TEXT,                     -- one line: why the file or some of its pages failed
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0, -- 1 once the index holds this file's current pages
    raw_path BLOB                   -- the bytes on disk, where they differ from the readable path
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
CREATE INDEX IF NOT EXISTS files_status ON files (status);
-- What a nightly run asks of every file it walks past (Catalog.settled_in_folder), answered from the index alone:
-- a third of the time of looking each row up in the table.
CREATE INDEX IF NOT EXISTS files_settled ON files (path, status, size, mtime_ns);
-- The few files the index does not hold yet, which every sync asks for, without reading the archive's millions.
CREATE INDEX IF NOT EXISTS files_waiting ON files (path) WHERE indexed = 0;
CREATE TABLE IF NOT EXISTS pages (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    page INTEGER NOT NULL,          -- 1-based
    text TEXT NOT NULL,             -- NFC
    confidence REAL,                -- 0-100; 100 for a PDF text layer
    source TEXT NOT NULL,           -- ocr or text-layer
    words TEXT,                     -- JSON [[text, confidence, left, top, width, height], ...]
    seconds REAL,
    diagnostics TEXT,               -- JSON: what cleanup and OCR found (skew, ink level, rotation)
    geometry TEXT,                  -- JSON: the original image's size and dpi, and how it was turned to read it
    provenance TEXT,                -- JSON: how it was read (engine, versions, language, psm, cleanup, when)
    unreadable INTEGER NOT NULL DEFAULT 0,  -- 1: its best reading is noise: kept, listed by review, never indexed
    PRIMARY KEY (file_id, page)
);
-- A changed file's new version, read beside its old pages, which stay searchable until it is complete.
CREATE TABLE IF NOT EXISTS staged_files (
    file_id INTEGER PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    page_count INTEGER
);
CREATE TABLE IF NOT EXISTS staged_pages (
    file_id INTEGER NOT NULL REFERENCES staged_files (file_id) ON DELETE CASCADE,
    page INTEGER NOT NULL, text TEXT NOT NULL, confidence REAL, source TEXT NOT NULL, words TEXT,
    seconds REAL, diagnostics TEXT, geometry TEXT, provenance TEXT, unreadable INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (file_id, page)
);
-- The documents inside each file (pipeline.documents), with the fields read from their pages.
CREATE TABLE IF NOT EXISTS documents (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    first_page INTEGER NOT NULL,
    last_page INTEGER NOT NULL,
    fields TEXT NOT NULL,           -- JSON of pipeline.metadata.DocumentFields
    PRIMARY KEY (file_id, first_page)
);
-- The dossier list an archivist keeps (pipeline.dossiers), by dossier code.
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,          -- agency id . year formed . number: H49.64.33.2019.10
    number TEXT NOT NULL,           -- as the list writes it
    title TEXT NOT NULL,
    number_key INTEGER NOT NULL,    -- the number as a number (010 is 10)
    box TEXT,
    box_key INTEGER,
    start TEXT,                     -- YYYY, YYYY-MM or YYYY-MM-DD
    "end" TEXT,
    sheets INTEGER,
    retention TEXT,
    mode TEXT,                      -- "Chế độ sử dụng", the circular's code; none: the config's [package] mode
    notes TEXT,
    fonds TEXT,
    catalogue TEXT,
    scan_path TEXT,                 -- the list's "Đường dẫn": relative to an ingested root
    row INTEGER,                    -- in the list last imported
    imported_at TEXT NOT NULL
);
-- Where documents start in a file's content, as an archivist set it by hand (`luutru split`).
CREATE TABLE IF NOT EXISTS manual_splits (
    sha256 TEXT PRIMARY KEY,
    starts TEXT NOT NULL,           -- JSON list of 1-based first pages
    set_at TEXT NOT NULL
);
-- A person's corrections to a document's fields (`luutru documents set`), kept for the file's content and the
-- document's first page: they outrank what was read, through a re-OCR, a reindex and a new path pattern.
CREATE TABLE IF NOT EXISTS corrections (
    sha256 TEXT NOT NULL,
    first_page INTEGER NOT NULL,
    fields TEXT NOT NULL,           -- JSON object: field name -> value as corrected
    set_at TEXT NOT NULL,
    PRIMARY KEY (sha256, first_page)
);
""" + PAGE_MODES_TABLE + """
-- The digital signatures a PDF's content carries, as checked when it was read (scanners.signatures).
CREATE TABLE IF NOT EXISTS signatures (
    sha256 TEXT PRIMARY KEY,
    checked TEXT NOT NULL,          -- JSON list, one object a signature; [] for a PDF without any
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


# Files whose pages are searchable: fully read, or read apart from some failed pages.
SEARCHABLE = ("done", "failed")
# The same, as SQL.
SEARCHABLE_STATUS = "status IN (" + ", ".join(f"'{status}'" for status in SEARCHABLE) + ")"
FILE_SEARCHABLE = f"f.{SEARCHABLE_STATUS}"  # the same of the files table joined as `f`
# Through the partial index files_waiting (the unary + keeps SQLite off the status index, which holds every file).
WAITING_FOR_INDEX = f"+{SEARCHABLE_STATUS} AND indexed = 0"
# Meta key: the folders the last run could not read, with the reason (JSON list of [path, reason]).
FOLDER_PROBLEMS_KEY = "unreadable_folders"


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
    raw_path: bytes | None = None

    @property
    def disk_path(self) -> Path:
        """Where the file is on disk: its raw name where the readable one differs."""
        return Path(os.fsdecode(self.raw_path)) if self.raw_path is not None else Path(self.path)


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
    geometry: str | None = None  # JSON
    provenance: str | None = None  # JSON
    unreadable: bool = False  # its best reading is noise: kept, listed by `review`, none of it indexed or exported


FILE_COLUMNS = "id, path, kind, size, mtime_ns, sha256, page_count, status, error, indexed, updated_at, raw_path"
PAGE_COLUMNS = "file_id, page, text, confidence, source, words, seconds, diagnostics, geometry, provenance, unreadable"
PAGE_PLACEHOLDERS = ", ".join("?" * len(PAGE_COLUMNS.split(",")))
# A use mode set by hand, kept as a correction of a document's first page before version 9.
MODES_FROM_CORRECTIONS = """
INSERT INTO page_modes (sha256, first_page, last_page, mode, set_at)
SELECT c.sha256, c.first_page, coalesce((SELECT max(d.last_page) FROM documents d JOIN files f ON f.id = d.file_id
                                         WHERE f.sha256 = c.sha256 AND d.first_page = c.first_page), c.first_page),
       json_extract(c.fields, '$.mode'), c.set_at
FROM corrections c WHERE json_extract(c.fields, '$.mode') IS NOT NULL;
UPDATE corrections SET fields = json_remove(fields, '$.mode') WHERE json_extract(fields, '$.mode') IS NOT NULL;
"""

# Changes to an existing catalog, by the version they lead to.
MIGRATIONS = {2: "ALTER TABLE pages ADD COLUMN diagnostics TEXT;",
              3: "ALTER TABLE files ADD COLUMN raw_path BLOB; ALTER TABLE roots ADD COLUMN raw_path BLOB; "
                 "ALTER TABLE pages ADD COLUMN geometry TEXT; ALTER TABLE pages ADD COLUMN provenance TEXT; "
                 # What can be derived for pages read before: the settings (luutru had only its defaults
                 # then), the turn and skew. Their word boxes stay on the image read: `reindex --reocr`.
                 "UPDATE pages SET provenance = json_object('engine', CASE source WHEN 'ocr' THEN NULL "
                 f"ELSE source END, 'settings', '{OcrSettings().key()}', 'derived', 1), geometry = "
                 "CASE source WHEN 'ocr' THEN json_object('boxes', 'read', 'rotated', "
                 "json_extract(diagnostics, '$.rotated'), 'skew', json_extract(diagnostics, '$.skew')) END;",
              # Fields are read per document now: the next run reads them again (pipeline.fields).
              4: "DROP TABLE IF EXISTS document_fields;",
              # "unreadable" was a key of the diagnostics JSON; it decides indexing and export: a column of its own
              # (in the tables of pages a catalog has: the oldest have no staged pages, which SCHEMA then makes).
              6: lambda db: "".join(_unreadable_column(table) for table in ("pages", "staged_pages")
                                    if _columns(db, table) and "unreadable" not in _columns(db, table)),
              # The dossier list's use mode (Chế độ sử dụng): the oldest catalogs have no dossiers, which SCHEMA makes.
              7: lambda db: "ALTER TABLE dossiers ADD COLUMN mode TEXT; "
                            if _columns(db, "dossiers") and "mode" not in _columns(db, "dossiers") else "",
              # A use mode set by hand was a correction of the document's first page: it now holds for the pages
              # the document had then, whatever splits them later.
              9: lambda db: PAGE_MODES_TABLE + (MODES_FROM_CORRECTIONS if _columns(db, "corrections")
                                                 and _columns(db, "documents") else "")}


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    """The columns of a table of the catalog; none when it has no such table."""
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _unreadable_column(table: str) -> str:
    return (f"ALTER TABLE {table} ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0; "
            f"UPDATE {table} SET unreadable = 1 WHERE json_extract(diagnostics, '$.unreadable'); ")


def _migration_sql(migration: str | Callable[[sqlite3.Connection], str], db: sqlite3.Connection) -> str:
    """A migration's SQL: given, or made from what the catalog holds."""
    return migration(db) if callable(migration) else migration


# A file, or the files under a folder (its arguments made by _under).
_UNDER = " AND (path = ? OR substr(path, 1, ?) = ?)"
# The files under a folder not known to be gone: counted and listed by the same words, as the nightly run lists them
# only when the count says one is missing.
_PRESENT_UNDER = f"status != 'missing'{_UNDER}"


def _under(folder: Path) -> list:
    readable = catalog_name(folder)[0]
    prefix = readable.rstrip("/") + "/"
    return [readable, len(prefix), prefix]


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    @classmethod
    def reader(cls, path: Path) -> Catalog:
        """The catalog opened for reading only: it writes nothing (not even an upgrade, which a
        writable catalog gets first), so a user who may only read the archive can search it."""
        catalog = cls.__new__(cls)
        catalog.path = path
        catalog.db = _read_only_connection(path)
        version = catalog._version()
        if version < SCHEMA_VERSION:
            catalog.close()
            if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
                raise NotReady(f"{path}: the catalog is from an older luutru and this user may not upgrade it; "
                               "run `luutru reindex` once as the archive's owner")
            cls(path).close()  # upgrade it, then read
            catalog.db = _read_only_connection(path)
        return catalog

    def _version(self) -> int:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CatalogTooNew(f"{self.path}: catalog schema {version} is newer than this luutru "
                                f"({SCHEMA_VERSION}); upgrade luutru")
        return version

    def _migrate(self) -> None:
        version = self._version()
        steps = "".join(_migration_sql(MIGRATIONS[number], self.db) for number in range(version + 1, SCHEMA_VERSION + 1)
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
        """Remember folders to walk again, without overlaps: a folder inside a root adds nothing, and a
        folder that holds roots takes their place (each file is walked, counted and reported once)."""
        with self.transaction() as db:
            for path in paths:
                readable, raw = catalog_name(path)
                roots = [row[0] for row in db.execute("SELECT path FROM roots")]
                if any(readable == root or readable.startswith(root.rstrip("/") + "/") for root in roots):
                    continue
                db.executemany("DELETE FROM roots WHERE path = ?",
                               [(root,) for root in roots if root.startswith(readable.rstrip("/") + "/")])
                db.execute("INSERT INTO roots (path, raw_path, added_at) VALUES (?, ?, ?)", (readable, raw, now()))

    def root_names(self) -> list[Path]:
        """The ingested folders as the catalog names files under them (readable NFC paths)."""
        return [Path(path) for path, in self.db.execute("SELECT path FROM roots ORDER BY path")]

    def roots(self) -> list[Path]:
        return [Path(os.fsdecode(raw)) if raw is not None else Path(path)
                for path, raw in self.db.execute("SELECT path, raw_path FROM roots ORDER BY path")]

    # files -------------------------------------------------------------------------------

    def _file(self, where: str, *args) -> FileRecord | None:
        row = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE {where}", args).fetchone()
        return FileRecord(*row) if row else None

    def file_by_path(self, path: str) -> FileRecord | None:
        """The file at this readable path, however its name is normalized (NFC or NFD)."""
        return self._file("path = ?", unicodedata.normalize("NFC", path))

    def settled_in_folder(self, folder: str) -> set[tuple[str, int, int]]:
        """(path, size, mtime_ns) of the files right in this folder (a readable path) that are read and need nothing
        more (done, or no scan): one query for a whole folder, as a nightly run asks it of millions of files."""
        prefix = folder.rstrip("/") + "/"
        # A range on the path's index ('0' follows '/'), then the names with no further folder in them; the status
        # is no index's (the unary +): on the status index SQLite read every done file for each folder (12 s at 2 M).
        return set(self.db.execute("SELECT path, size, mtime_ns FROM files WHERE path >= ? AND path < ? "
                                   "AND instr(substr(path, ?), '/') = 0 AND +status IN ('done', 'unsupported')",
                                   (prefix, prefix[:-1] + "0", len(prefix) + 1)))

    def file_by_id(self, file_id: int) -> FileRecord | None:
        return self._file("id = ?", file_id)

    def done_file_with_hash(self, sha256: str, settings: str, other_than: int | None = None) -> FileRecord | None:
        """A fully ingested file with this content, read with these settings (OcrSettings.key), whose
        pages can be reused without OCR."""
        return self._file("sha256 = ? AND id IS NOT ? AND page_count IS NOT NULL AND "
                          "(SELECT COUNT(*) FROM pages WHERE file_id = files.id) = page_count AND NOT EXISTS "
                          "(SELECT 1 FROM pages WHERE file_id = files.id AND "
                          " json_extract(provenance, '$.settings') IS NOT ?) "
                          "ORDER BY status = 'done' DESC LIMIT 1", sha256, other_than, settings)

    def files(self, status: str | None = None, under: Path | None = None) -> list[FileRecord]:
        query, args = f"SELECT {FILE_COLUMNS} FROM files WHERE 1", []
        if status:
            query += " AND status = ?"
            args.append(status)
        if under is not None:
            query += _UNDER
            args += _under(under)
        return [FileRecord(*row) for row in self.db.execute(query + " ORDER BY path", args)]

    def present_count(self, under: Path) -> int:
        """How many files under a folder are not known to be gone."""
        return self.db.execute(f"SELECT COUNT(*) FROM files WHERE {_PRESENT_UNDER}",
                               _under(under)).fetchone()[0]

    def present_files(self, under: Path) -> list[tuple[int, str]]:
        """(id, path) of the files under a folder not known to be gone: no full record, as a nightly run asks
        it of every file of the archive."""
        return self.db.execute(f"SELECT id, path FROM files WHERE {_PRESENT_UNDER}",
                               _under(under)).fetchall()

    def searchable_files(self, batch: int = 1000) -> Iterator[FileRecord]:
        """Every searchable file in the order of its id, read `batch` at a time: a province's millions of pages
        never sit in memory, and nothing is held open while a caller writes between batches."""
        after = 0
        while rows := self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE {SEARCHABLE_STATUS} AND id > ?"
                                      " ORDER BY id LIMIT ?", (after, batch)).fetchall():
            yield from (FileRecord(*row) for row in rows)
            after = rows[-1][0]

    def last_searchable_id(self) -> int:
        return self.db.execute(f"SELECT COALESCE(MAX(id), 0) FROM files WHERE {SEARCHABLE_STATUS}").fetchone()[0]

    def searchable_pages(self) -> int:
        """How many pages the searchable files have."""
        return self.db.execute(f"SELECT COALESCE(SUM(page_count), 0) FROM files WHERE {SEARCHABLE_STATUS}"
                               ).fetchone()[0]

    def indexed_file_ids(self) -> set[int]:
        """The searchable files whose current pages the index holds (ids only: a nightly run reads them all)."""
        return {file_id for file_id, in self.db.execute(
            f"SELECT id FROM files WHERE {SEARCHABLE_STATUS} AND indexed = 1")}

    def indexed_count(self) -> int:
        """How many files the index holds the current pages of."""
        # All but those not (0 or 1): SQLite counts a whole table from its smallest index, and the few not indexed
        # from their partial index, where counting the indexed ones reads every row (0.09 against 0.002 s at 2 M).
        return self.db.execute("SELECT (SELECT COUNT(*) FROM files) - (SELECT COUNT(*) FROM files WHERE indexed = 0)"
                               ).fetchone()[0]

    def files_waiting_for_index(self) -> list[FileRecord]:
        """Searchable files whose current pages the index does not hold yet."""
        return [FileRecord(*row) for row in self.db.execute(
            f"SELECT {FILE_COLUMNS} FROM files WHERE {WAITING_FOR_INDEX} ORDER BY path")]

    def upsert_file(self, path: Path, *, kind: str | None, size: int | None, mtime_ns: int | None,
                    sha256: str | None, status: str, error: str | None = None) -> int:
        """Record a file as found now; its pages are dropped when its content changed."""
        readable, raw = catalog_name(path)
        existing = self.file_by_path(readable)
        with self.transaction() as db:
            if existing is None:
                cursor = db.execute(
                    "INSERT INTO files (path, raw_path, kind, size, mtime_ns, sha256, status, error, first_seen,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (readable, raw, kind, size, mtime_ns, sha256, status, error, now(), now()))
                return int(cursor.lastrowid)
            if existing.sha256 != sha256:
                db.execute("DELETE FROM pages WHERE file_id = ?", (existing.id,))
                db.execute("UPDATE files SET page_count = NULL WHERE id = ?", (existing.id,))
            db.execute("UPDATE files SET kind = ?, size = ?, mtime_ns = ?, sha256 = ?, status = ?,"
                       " error = ?, updated_at = ?, indexed = 0, raw_path = ? WHERE id = ?",
                       (kind, size, mtime_ns, sha256, status, error, now(), raw, existing.id))
            return existing.id

    def touch_file(self, file_id: int, size: int, mtime_ns: int) -> None:
        """Same content with a new mtime (copied back, touched): remember the new stat."""
        with self.transaction() as db:
            db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, file_id))

    def set_page_count(self, file_id: int, page_count: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE files SET page_count = ? WHERE id = ?", (page_count, file_id))
            db.execute("UPDATE staged_files SET page_count = ? WHERE file_id = ?", (page_count, file_id))

    def finish_file(self, file_id: int, error: str | None) -> str | None:
        """The file's pages are all read: a staged new version replaces the old pages now. One that
        failed does not: the pages read before stay searchable, and a later run reads it again.
        Returns the error as recorded."""
        with self.transaction() as db:
            staged = self._staged_row(file_id)
            if staged and error:
                error += "; the pages of the version read before are kept"
            elif staged:
                db.execute("DELETE FROM pages WHERE file_id = ?", (file_id,))
                db.execute(f"INSERT INTO pages ({PAGE_COLUMNS}) SELECT {PAGE_COLUMNS} FROM staged_pages"
                           " WHERE file_id = ?", (file_id,))
                db.execute("UPDATE files SET kind = ?, size = ?, mtime_ns = ?, sha256 = ?, page_count = ?"
                           " WHERE id = ?", (*staged, file_id))
                db.execute("DELETE FROM staged_files WHERE file_id = ?", (file_id,))
            db.execute("UPDATE files SET status = ?, error = ?, updated_at = ?, indexed = 0 WHERE id = ?",
                       ("failed" if error else "done", error, now(), file_id))
        return error

    def stage_version(self, file_id: int, *, kind: str, size: int, mtime_ns: int, sha256: str) -> None:
        """A new version of a file that has pages: it is read beside them, and they stay searchable
        until it is complete (a scan still being copied never replaces good text)."""
        with self.transaction() as db:
            current = db.execute("SELECT sha256 FROM staged_files WHERE file_id = ?", (file_id,)).fetchone()
            if current and current[0] != sha256:
                db.execute("DELETE FROM staged_files WHERE file_id = ?", (file_id,))
            db.execute("INSERT OR IGNORE INTO staged_files (file_id, kind, size, mtime_ns, sha256) "
                       "VALUES (?, ?, ?, ?, ?)", (file_id, kind, size, mtime_ns, sha256))

    def pages_to_reread(self, under: Iterable[Path], below: float | None, source: str | None
                        ) -> dict[int, list[int]]:
        """Pages of searchable files under these folders that match; with neither `below` nor
        `source`, the pages whose geometry and provenance were derived when the catalog was upgraded."""
        conditions, args = [FILE_SEARCHABLE], []
        if below is not None:
            conditions.append("p.confidence < ?")
            args.append(below)
        if source is not None:
            conditions.append("p.source = ?")
            args.append(source)
        if below is None and source is None:
            conditions.append("json_extract(p.provenance, '$.derived') = 1")
        prefixes = [catalog_name(folder)[0].rstrip("/") + "/" for folder in under]
        found: dict[int, list[int]] = {}
        rows = self.db.execute(f"SELECT f.id, f.path, p.page FROM pages p JOIN files f ON f.id = p.file_id "
                               f"WHERE {' AND '.join(conditions)} ORDER BY f.id, p.page", args)
        for file_id, path, page in rows:
            if any(path.startswith(prefix) for prefix in prefixes):
                found.setdefault(file_id, []).append(page)
        return found

    def stage_reread(self, file_id: int, pages: Iterable[int]) -> None:
        """Read these pages of an unchanged file again: its other pages are carried over into a staged
        version, which replaces the old pages once the chosen ones are read."""
        chosen = set(pages)
        with self.transaction() as db:
            db.execute("DELETE FROM staged_files WHERE file_id = ?", (file_id,))
            db.execute("INSERT INTO staged_files (file_id, kind, size, mtime_ns, sha256, page_count) "
                       "SELECT id, kind, size, mtime_ns, sha256, page_count FROM files WHERE id = ?", (file_id,))
            kept = [page for (page,) in db.execute("SELECT page FROM pages WHERE file_id = ?", (file_id,))
                    if page not in chosen]
            db.executemany(f"INSERT INTO staged_pages ({PAGE_COLUMNS}) SELECT {PAGE_COLUMNS} FROM pages "
                           "WHERE file_id = ? AND page = ?", [(file_id, page) for page in kept])

    def _staged_row(self, file_id: int) -> tuple | None:
        """A staged version's kind, size, mtime_ns, sha256 and page count, the columns of `files` it replaces."""
        return self.db.execute("SELECT kind, size, mtime_ns, sha256, page_count FROM staged_files WHERE file_id = ?",
                               (file_id,)).fetchone()

    def staged_file_ids(self) -> list[int]:
        return [row[0] for row in self.db.execute("SELECT file_id FROM staged_files ORDER BY file_id")]

    def staged(self, file_id: int) -> FileRecord | None:
        """The file as its staged new version describes it, or None when none is being read."""
        record = self.file_by_id(file_id)
        row = self._staged_row(file_id)
        if record is None or row is None:
            return None
        record.kind, record.size, record.mtime_ns, record.sha256, record.page_count = row
        return record

    def mark_missing(self, file_ids: Iterable[int]) -> None:
        """Files gone from disk keep their record and pages (a moved file reuses them)."""
        with self.transaction() as db:
            db.executemany("UPDATE files SET status = 'missing', indexed = 0, updated_at = ? WHERE id = ?",
                           [(now(), file_id) for file_id in file_ids])

    def mark_returned(self, file_id: int) -> None:
        """A file gone from disk is back as it was: its pages are searchable again, without reading it."""
        with self.transaction() as db:
            db.execute("UPDATE files SET status = CASE WHEN error IS NULL THEN 'done' ELSE 'failed' END, "
                       "indexed = 0, updated_at = ? WHERE id = ?", (now(), file_id))

    def mark_indexed(self, file_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE files SET indexed = 1 WHERE id = ?", [(i,) for i in file_ids])

    def mark_searchable_indexed(self, through_id: int) -> None:
        """A rebuild (under the run's lock) indexed every searchable file up to `through_id`."""
        with self.transaction() as db:
            db.execute(f"UPDATE files SET indexed = 1 WHERE {SEARCHABLE_STATUS} AND id <= ?", (through_id,))

    def mark_unindexed(self, file_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE files SET indexed = 0 WHERE id = ?", [(i,) for i in file_ids])

    # pages -------------------------------------------------------------------------------

    def _page_table(self, file_id: int) -> str:
        staged = self.db.execute("SELECT 1 FROM staged_files WHERE file_id = ?", (file_id,)).fetchone()
        return "staged_pages" if staged else "pages"

    def put_page(self, page: PageRecord) -> None:
        """Store a page read now: beside the old pages while a new version of its file is staged."""
        with self.transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO {self._page_table(page.file_id)} ({PAGE_COLUMNS})"
                       f" VALUES ({PAGE_PLACEHOLDERS})", astuple(page))

    def copy_pages(self, source_id: int, target_id: int) -> int:
        table = self._page_table(target_id)
        with self.transaction() as db:
            db.execute(f"DELETE FROM {table} WHERE file_id = ?", (target_id,))
            others = PAGE_COLUMNS.split(", ", 1)[1]
            cursor = db.execute(f"INSERT INTO {table} ({PAGE_COLUMNS}) SELECT ?, {others} FROM pages"
                                " WHERE file_id = ?", (target_id, source_id))
            return cursor.rowcount

    def done_pages(self, file_id: int) -> set[int]:
        """Pages of the file's version being read (its staged one, if any) already stored."""
        table = self._page_table(file_id)
        return {row[0] for row in self.db.execute(f"SELECT page FROM {table} WHERE file_id = ?", (file_id,))}

    def pages(self, file_id: int | None = None) -> Iterator[PageRecord]:
        query, args = f"SELECT {PAGE_COLUMNS} FROM pages", ()
        if file_id is not None:
            query, args = query + " WHERE file_id = ?", (file_id,)
        for row in self.db.execute(query + " ORDER BY file_id, page", args):
            yield PageRecord(*row)

    def page_range(self, file_id: int, first: int, last: int) -> list[PageRecord]:
        """The stored pages `first` to `last` of a file, in order."""
        return [PageRecord(*row) for row in self.db.execute(
            f"SELECT {PAGE_COLUMNS} FROM pages WHERE file_id = ? AND page BETWEEN ? AND ? ORDER BY page",
            (file_id, first, last))]

    def page_counts(self) -> dict[int, int]:
        """Pages stored per file id, counted by SQLite (no page text is read)."""
        return dict(self.db.execute("SELECT file_id, COUNT(*) FROM pages GROUP BY file_id"))

    def pages_below(self, confidence: float, sources: tuple[str, ...] = ("ocr", "prior-ocr"),
                    noise_below: float = 0.0) -> Iterator[tuple[str, PageRecord]]:
        """Pages of searchable files from these sources read with less than `confidence`, whose text reads
        as Vietnamese less than `noise_below` (diagnostics "vietnamese"), or that read as noise (unreadable),
        those first, then worst first, with their path."""
        columns = ", ".join(f"p.{column.strip()}" for column in PAGE_COLUMNS.split(","))
        marks = ", ".join("?" * len(sources))
        rows = self.db.execute(f"SELECT f.path, {columns} FROM pages p JOIN files f ON f.id = p.file_id "
                               f"WHERE {FILE_SEARCHABLE} AND p.source IN ({marks}) AND (p.confidence < ? "
                               "OR json_extract(p.diagnostics, '$.vietnamese') < ? "
                               "OR p.unreadable) "
                               "ORDER BY p.unreadable DESC, p.confidence, f.path, "
                               "p.page", (*sources, confidence, noise_below))
        for path, *page in rows:
            yield path, PageRecord(*page)

    def put_documents(self, documents_per_file: Iterable[tuple[int, list[tuple[int, int, dict]]]]) -> None:
        """The documents of many files (first page, last page, fields), each file's replacing the ones
        recorded before, in one transaction."""
        with self.transaction() as db:
            for file_id, documents in documents_per_file:
                db.execute("DELETE FROM documents WHERE file_id = ?", (file_id,))
                db.executemany("INSERT INTO documents (file_id, first_page, last_page, fields) VALUES (?, ?, ?, ?)",
                               [(file_id, first, last, json.dumps(fields, ensure_ascii=False))
                                for first, last, fields in documents])

    def documents(self, file_id: int) -> list[tuple[int, int, dict]]:
        """A file's documents in page order: first page, last page, fields."""
        return [(first, last, json.loads(fields)) for first, last, fields in self.db.execute(
            "SELECT first_page, last_page, fields FROM documents WHERE file_id = ? ORDER BY first_page", (file_id,))]

    def manual_starts(self, sha256: str | None) -> list[int] | None:
        """The first pages an archivist set by hand for this content, or None."""
        row = self.db.execute("SELECT starts FROM manual_splits WHERE sha256 = ?", (sha256,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_manual_starts(self, sha256: str, starts: list[int] | None) -> None:
        """Record (or, with None, forget) where documents start in this content."""
        with self.transaction() as db:
            if starts is None:
                db.execute("DELETE FROM manual_splits WHERE sha256 = ?", (sha256,))
            else:
                db.execute("INSERT OR REPLACE INTO manual_splits (sha256, starts, set_at) VALUES (?, ?, ?)",
                           (sha256, json.dumps(sorted(set(starts))), now()))

    def corrections(self, sha256: str | None) -> dict[int, dict]:
        """The corrections made to this content's documents, by first page."""
        return {first: json.loads(fields) for first, fields in self.db.execute(
            "SELECT first_page, fields FROM corrections WHERE sha256 = ?", (sha256,))}

    def set_corrections(self, sha256: str, first_page: int, fields: dict) -> None:
        """Record corrections to the document starting at `first_page` of this content, over those made before."""
        with self.transaction() as db:
            row = db.execute("SELECT fields FROM corrections WHERE sha256 = ? AND first_page = ?",
                             (sha256, first_page)).fetchone()
            merged = {**(json.loads(row[0]) if row else {}), **fields}
            db.execute("INSERT OR REPLACE INTO corrections (sha256, first_page, fields, set_at) VALUES (?, ?, ?, ?)",
                       (sha256, first_page, json.dumps(merged, ensure_ascii=False), now()))

    def page_modes(self, sha256: str | None) -> list[tuple[int, int, str]]:
        """The use modes set by hand for pages of this content (first page, last page, mode), oldest first."""
        return self.db.execute("SELECT first_page, last_page, mode FROM page_modes WHERE sha256 = ? "
                               "ORDER BY set_at, rowid", (sha256,)).fetchall()

    def set_page_mode(self, sha256: str, first_page: int, last_page: int, mode: str) -> None:
        """Set the use mode of these pages of this content, over what was set for them before."""
        with self.transaction() as db:
            db.execute("INSERT INTO page_modes (sha256, first_page, last_page, mode, set_at) VALUES (?, ?, ?, ?, ?)",
                       (sha256, first_page, last_page, mode, now()))

    def signatures(self, sha256: str) -> list[dict] | None:
        """The signatures of this content as checked (None: not checked, not a PDF)."""
        row = self.db.execute("SELECT checked FROM signatures WHERE sha256 = ?", (sha256,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_signatures(self, sha256: str, checked: list[dict]) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO signatures (sha256, checked, checked_at) VALUES (?, ?, ?)",
                       (sha256, json.dumps(checked, ensure_ascii=False), now()))

    # dossiers ----------------------------------------------------------------------------

    def put_dossiers(self, dossiers: list[dict]) -> tuple[int, int]:
        """Add or update dossiers by code, in one transaction; returns how many were added and updated."""
        known = {row[0] for row in self.db.execute("SELECT code FROM dossiers")}
        with self.transaction() as db:
            for dossier in dossiers:
                columns = [*DOSSIER_COLUMNS, "imported_at"]
                db.execute(f"INSERT OR REPLACE INTO dossiers ({', '.join(map(_quoted, columns))}) "
                           f"VALUES ({', '.join('?' * len(columns))})",
                           [dossier[name] for name in DOSSIER_COLUMNS] + [now()])
        added = sum(dossier["code"] not in known for dossier in dossiers)
        return added, len(dossiers) - added

    def dossier_rows(self) -> list[dict]:
        rows = self.db.execute(f"SELECT {', '.join(map(_quoted, DOSSIER_COLUMNS))} FROM dossiers "
                               "ORDER BY box_key, number_key, code")
        return [dict(zip(DOSSIER_COLUMNS, row)) for row in rows]

    def dossier_counts(self) -> list[tuple[str, int, int, int]]:
        """Per dossier code: files, documents and pages of searchable files linked to it."""
        return self.db.execute(
            "SELECT json_extract(d.fields, '$.dossier.code') AS code, COUNT(DISTINCT d.file_id), COUNT(*), "
            "SUM(d.last_page - d.first_page + 1) FROM documents d JOIN files f ON f.id = d.file_id "
            f"WHERE {FILE_SEARCHABLE} AND code IS NOT NULL GROUP BY code").fetchall()

    def dossier_documents(self, code: str) -> list[tuple[str, int, int, dict]]:
        """The documents linked to a dossier, in order: path, first page, last page, fields."""
        rows = self.db.execute(
            "SELECT f.path, d.first_page, d.last_page, d.fields FROM documents d JOIN files f ON f.id = d.file_id "
            f"WHERE {FILE_SEARCHABLE} AND json_extract(d.fields, '$.dossier.code') = ? "
            "ORDER BY f.path, d.first_page", (code,))
        return [(path, first, last, json.loads(fields)) for path, first, last, fields in rows]

    def doubtful_documents(self) -> list[tuple[str, int, int, dict]]:
        """Documents of searchable files whose number or date was read with little confidence (a handwritten
        fill-in), in path order: path, first page, last page, fields."""
        rows = self.db.execute(
            "SELECT f.path, d.first_page, d.last_page, d.fields FROM documents d JOIN files f ON f.id = d.file_id "
            f"WHERE {FILE_SEARCHABLE} AND json_array_length(d.fields, '$.doubtful') > 0 "
            "ORDER BY f.path, d.first_page")
        return [(path, first, last, json.loads(fields)) for path, first, last, fields in rows]

    def files_without_dossier(self) -> list[str]:
        """The paths of searchable files linked to no dossier of the list."""
        return [path for path, in self.db.execute(
            f"SELECT f.path FROM files f WHERE {FILE_SEARCHABLE} AND NOT EXISTS (SELECT 1 FROM "
            "documents d WHERE d.file_id = f.id AND json_extract(d.fields, '$.dossier.code') IS NOT NULL) "
            "ORDER BY f.path")]

    def files_with_hash(self, sha256: str) -> list[FileRecord]:
        return [FileRecord(*row) for row in self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE sha256 = ?",
                                                              (sha256,))]

    # facts -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        files = dict(self.db.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall())
        pages = self.db.execute("SELECT COUNT(*) FROM pages p JOIN files f ON f.id = p.file_id"
                                f" WHERE {FILE_SEARCHABLE}").fetchone()[0]
        unindexed = self.db.execute(f"SELECT COUNT(*) FROM files WHERE {WAITING_FOR_INDEX}").fetchone()[0]
        return {"files": sum(files.values()), **{f"files_{k}": v for k, v in files.items()},
                "pages": pages, "files_waiting_for_index": unindexed}

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


DOSSIER_COLUMNS = ("code", "number", "title", "number_key", "box", "box_key", "start", "end", "sheets", "retention",
                   "mode", "notes", "fonds", "catalogue", "scan_path", "row")


def _quoted(column: str) -> str:
    return f'"{column}"'


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """SQLite opened read-only. A write-ahead-log database needs its -shm file, which a reader that may
    not write cannot create once the last writer has gone: it then reads the file as it stands."""
    location = urllib.parse.quote(str(path.absolute()))
    try:
        db = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=30, isolation_level=None)
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError as error:
        if not path.exists():
            raise NotReady(f"{path}: no catalog") from error
        try:
            return sqlite3.connect(f"file:{location}?immutable=1", uri=True, isolation_level=None)
        except sqlite3.OperationalError:
            raise NotReady(f"{path}: cannot read the catalog: {error}") from error


def catalog_name(path: Path | str) -> tuple[str, bytes | None]:
    """A path as the catalog keeps it: readable (NFC, a legacy-encoded name converted), and the raw
    bytes on disk where they differ, so that the file can always be found again."""
    text = os.fspath(path)
    if text.isascii():
        return text, None  # the usual name, as it is: a nightly run meets millions
    with contextlib.suppress(UnicodeEncodeError):  # a name on disk that is no UTF-8 (surrogate escapes)
        if unicodedata.is_normalized("NFC", text) and text.encode("utf-8"):
            return text, None
    raw = os.fsencode(path)
    readable = readable_name(raw)
    return readable, None if readable.encode("utf-8") == raw else raw


def catalog_names(paths: list[str]) -> list[str]:
    """Each path's readable name (`catalog_name`), a folder's at once: when the joined names need no change (ASCII, or
    NFC in UTF-8, the usual case: \0 is in no name and joins nothing), neither does any of them."""
    joined = "\0".join(paths)
    if catalog_name(joined) == (joined, None):
        return paths
    return [catalog_name(path)[0] for path in paths]


def words_json(words: Iterable) -> str:
    return json.dumps([[w.text, w.confidence, *w.box] for w in words], ensure_ascii=False)
