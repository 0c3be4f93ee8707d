"""The audit trail: who searched, viewed, looked at a page image or downloaded what, and when.

A reading room registers every use of a document, and Decree 30/2020 (Annex VI) asks an electronic document
system to count the accesses to each document. Every event is a row of `audit.sqlite3` in the archive home,
committed before the answer goes out (the catalog's durability: WAL, synchronous FULL). The table takes no
UPDATE or DELETE (triggers refuse them), and each row carries the SHA-256 of the row before it and of its own
values, so an edit or a deletion made around the triggers (the file edited directly) breaks the chain, which
`luutru audit verify` finds.

Nothing is dropped: `luutru audit seal --before DAY` moves the events before that day into a file of their own (the
same tables, verified before anything leaves the live trail), and the live trail records the move in `sealed`, so
that its chain goes on from the last event sealed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import threading
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from luutru.errors import NotReady, UsageError
from luutru.pipeline.catalog import now

AUDIT_FILE = "audit.sqlite3"
SEALED_FOLDER = "audit-sealed"  # in the archive home, where `audit seal` puts the events it moves by default
FIRST = "0" * 64  # the hash before the first event
EVENTS_NEVER_GO = """CREATE TRIGGER IF NOT EXISTS events_never_go BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,               -- ISO 8601, UTC
    user TEXT NOT NULL,
    client TEXT NOT NULL,           -- the address the request came from
    action TEXT NOT NULL,           -- search, document, page, download
    what TEXT NOT NULL,             -- JSON: the query and its filters, or the file, its path and pages
    hash TEXT NOT NULL              -- sha256 of the previous row's hash and this row's values
);
""" + EVENTS_NEVER_GO + """
CREATE TRIGGER IF NOT EXISTS events_never_change BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS sealed (  -- events moved into a file of their own; the chain goes on from last_hash
    at TEXT NOT NULL,
    file TEXT NOT NULL,             -- its name, in the folder `audit seal` wrote it to
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    sha256 TEXT NOT NULL            -- of the file
);
CREATE TRIGGER IF NOT EXISTS sealed_never_change BEFORE UPDATE ON sealed
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sealed_never_go BEFORE DELETE ON sealed
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""


@dataclass(frozen=True)
class Event:
    id: int
    at: str
    user: str
    client: str
    action: str
    what: dict


def _chained(previous: str, event: Event) -> str:
    values = json.dumps([event.id, event.at, event.user, event.client, event.action, event.what],
                        ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{values}".encode()).hexdigest()


class AuditTrail:
    """The archive home's audit trail, written by one process (the counter's page) from any of its threads."""

    def __init__(self, home_root: Path) -> None:
        self.path = home_root / AUDIT_FILE
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as error:
            raise NotReady(f"{self.path}: cannot keep the audit trail here ({error}); the page records every use "
                           "of a document, so it needs to write there") from error
        self.lock = threading.Lock()

    def record(self, user: str, client: str, action: str, what: dict) -> None:
        """Append one event, durably, chained to the one before."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                last = self.db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone() or \
                    self.db.execute("SELECT last_id, last_hash FROM sealed ORDER BY last_id DESC LIMIT 1").fetchone()
                event = Event((last[0] + 1) if last else 1, now(), user, client, action, what)
                self.db.execute("INSERT INTO events (id, at, user, client, action, what, hash) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (event.id, event.at, user, client, action, json.dumps(what, ensure_ascii=False),
                                 _chained(last[1] if last else FIRST, event)))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()


def _rows(path: Path, where: str = "", values: tuple = ()) -> list[tuple]:
    if not path.exists():
        return []
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        return db.execute(f"SELECT id, at, user, client, action, what, hash FROM events {where} ORDER BY id",
                          values).fetchall()


def events(path: Path, user: str | None = None, since: str | None = None, until: str | None = None,
           file_id: int | None = None) -> list[Event]:
    """The events of the trail at `path`, oldest first, of one user, between two moments (ISO dates or times,
    `until` inclusive of its day), about one file; chosen by SQLite, as a reading room's year of events is long."""
    conditions = [("user = ?", (user,), bool(user)), ("at >= ?", (since,), bool(since)),
                  ("substr(at, 1, ?) <= ?", (len(until or ""), until), bool(until)),
                  ("json_extract(what, '$.file_id') = ?", (file_id,), file_id is not None)]
    chosen = [(condition, values) for condition, values, given in conditions if given]
    where = f"WHERE {' AND '.join(condition for condition, _ in chosen)}" if chosen else ""
    return [Event(row_id, at, who, client, action, json.loads(what)) for row_id, at, who, client, action, what, _
            in _rows(path, where, tuple(value for _, values in chosen for value in values))]


def _chain_start(path: Path) -> tuple[str, int]:
    """The hash the trail's chain starts from and the id of its first event: those after the last events sealed
    out of it, else the very first."""
    if not path.exists():
        return FIRST, 1
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        kept = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sealed'").fetchone()
        last = kept and db.execute("SELECT last_hash, last_id FROM sealed ORDER BY last_id DESC LIMIT 1").fetchone()
    return (last[0], last[1] + 1) if last else (FIRST, 1)


def verify(path: Path) -> dict:
    """Whether the chain of the trail at `path` holds: each row's hash is that of the row before and its own
    values, and the ids run without a gap (a deleted row breaks it). The first row that does not hold, if any."""
    previous, expected_id = _chain_start(path)
    rows = _rows(path)
    for row_id, at, who, client, action, what, stored in rows:
        event = Event(row_id, at, who, client, action, json.loads(what))
        if row_id != expected_id or _chained(previous, event) != stored:
            return {"intact": False, "events": len(rows), "broken_at": row_id}
        previous, expected_id = stored, row_id + 1
    return {"intact": True, "events": len(rows), "broken_at": None}


def seal(home_root: Path, before: str, folder: Path) -> dict:
    """Move the events before the day `before` (YYYY-MM-DD) out of the live trail into a read-only file of their
    own in `folder`, whose chain is verified before anything leaves the trail; what was moved."""
    path = home_root / AUDIT_FILE
    checked = verify(path)
    if not checked["intact"]:
        raise NotReady(f"{path}: the chain is broken at event {checked['broken_at']}; nothing is sealed until "
                       "that is explained (luutru audit verify)")
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    target = None
    try:
        db.execute("PRAGMA synchronous = FULL")
        db.execute("BEGIN IMMEDIATE")  # the page's next event waits: no event slips between copy and removal
        rows = db.execute("SELECT id, at, user, client, action, what, hash FROM events WHERE at < ? ORDER BY id",
                          (before,)).fetchall()
        if not rows:
            db.execute("ROLLBACK")
            return {"events": 0, "file": None}
        target = _sealed_file(folder, rows, db.execute("SELECT * FROM sealed ORDER BY last_id").fetchall())
        if verify(target) != {"intact": True, "events": len(rows), "broken_at": None}:
            raise NotReady(f"{target}: the sealed copy does not verify; the live trail is left as it was")
        db.execute("INSERT INTO sealed VALUES (?, ?, ?, ?, ?, ?)", (now(), target.name, rows[0][0], rows[-1][0],
                                                                 rows[-1][6], _sha256(target)))
        db.execute("DROP TRIGGER events_never_go")
        db.execute("DELETE FROM events WHERE id <= ?", (rows[-1][0],))
        db.execute(EVENTS_NEVER_GO)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    finally:
        db.close()
    return {"events": len(rows), "file": str(target), "first": rows[0][1], "last": rows[-1][1]}


def _sealed_file(folder: Path, rows: list[tuple], sealed_before: list[tuple]) -> Path:
    """A new trail file holding these events and the record of earlier seals (where its chain starts)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"audit-{rows[0][1][:10]}-{rows[-1][1][:10]}-events-{rows[0][0]}-{rows[-1][0]}.sqlite3"
    if target.exists():
        raise UsageError(f"{target}: already there; events are never sealed over an earlier file")
    with closing(sqlite3.connect(target, isolation_level=None)) as db:
        db.execute("PRAGMA synchronous = FULL")
        db.executescript(SCHEMA)
        db.execute("BEGIN")
        db.executemany("INSERT INTO sealed VALUES (?, ?, ?, ?, ?, ?)", sealed_before)
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")
    target.chmod(0o444)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def as_csv(chosen: list[Event]) -> str:
    """The events as the reading room's register: one row an event, UTF-8 with a BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Thời gian", "Người dùng", "Địa chỉ máy", "Thao tác", "Nội dung"])
    for event in chosen:
        writer.writerow([event.at, event.user, event.client, event.action,
                         json.dumps(event.what, ensure_ascii=False)])
    return "\ufeff" + out.getvalue()


def to_json(event: Event) -> dict:
    return asdict(event)
