"""Backups of an archive home, and restoring one.

A backup is itself an archive home: the catalog copied with SQLite's online backup (one consistent copy while
an ingest writes or the counter's page reads), `config.toml`, the audit trail, the accounts (without their
sessions), and the index only when asked (the index is rebuilt from the catalog without OCR; a copy of it saves
that time on a large archive). `backup.json` says what was copied and when. Restoring copies a backup into a new
home and brings the index in line with the catalog: the index copied with a backup taken during an ingest may lack
what the catalog holds.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from luutru import __version__
from luutru.errors import NoArchive, NotReady, UsageError
from luutru.i18n import N_
from luutru.index.store import IndexUnavailable, live_generation, publish
from luutru.pipeline.audit import AUDIT_FILE, SEALED_FOLDER
from luutru.pipeline.catalog import SCHEMA_VERSION, Catalog, now
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.indexing import live_engine, rebuild_index, sync_index
from luutru.pipeline.users import USERS_FILE, end_sessions

MANIFEST = "backup.json"
COPY_ATTEMPTS = 3


def backup(home: ArchiveHome, destination: Path, with_index: bool = False) -> dict:
    """Copy the archive home to `destination` (a new or empty folder, or an earlier backup, replaced once the new
    one is complete: a backup cut short leaves `destination` as it was); what was copied."""
    if not home.exists():
        raise NoArchive(home.root, N_("{root} holds no archive yet; nothing to back up"))
    if destination.exists() and any(destination.iterdir()) and not (destination / MANIFEST).is_file():
        raise UsageError(f"{destination}: not empty and not a luutru backup; a backup goes to a new or empty "
                         "folder, or over an earlier backup")
    started = time.monotonic()
    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    manifest = _backup_into(home, _new_home(partial, "a backup goes to a new or empty folder"), with_index, started)
    _replace(destination, partial)
    return manifest


def _backup_into(home: ArchiveHome, target: ArchiveHome, with_index: bool, started: float) -> dict:
    """Copy the home into `target` and write its manifest."""
    _copy_database(home.catalog_path, target.catalog_path)
    _copy_kept(home, target)
    index = _copy_index(home, target) if with_index else None
    manifest = {"taken_at": now(), "luutru": __version__, "catalog_schema": SCHEMA_VERSION,
                **_counts(target.catalog_path), "catalog_sha256": _sha256(target.catalog_path),
                "index": index, "engine": live_engine(home), "from": str(home.root),
                "seconds": round(time.monotonic() - started, 2)}
    (target.root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def restore(source: Path, home: ArchiveHome) -> dict:
    """Make `home` (a new or empty folder) from the backup at `source`, its index in line with its catalog."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise UsageError(f"{source}: not a luutru backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    copied = ArchiveHome(source)
    if _sha256(copied.catalog_path) != manifest["catalog_sha256"]:
        raise NotReady(f"{copied.catalog_path}: its content is not what the backup wrote (sha256 differs)")
    target = _new_home(home.root, "restore into a new or empty folder")
    _copy_database(copied.catalog_path, target.catalog_path)
    _copy_kept(copied, target)
    catalog = Catalog(target.catalog_path)  # brings an older catalog's schema up to date
    try:
        if manifest.get("index") and copied.index_link.exists():
            _copy_index(copied, target)
            pages_added, index = sync_index(target, catalog), "copied"
        else:
            pages_added, index = rebuild_index(target, catalog, manifest["engine"]), "rebuilt"
    finally:
        catalog.close()
    return {**_counts(target.catalog_path), "index": index, "pages_indexed": pages_added,
            "backup_taken_at": manifest["taken_at"]}


def _replace(destination: Path, complete: Path) -> None:
    """Put the complete backup where the earlier one was (or in a new folder)."""
    if destination.exists():
        earlier = destination.with_name(destination.name + ".earlier")
        shutil.rmtree(earlier, ignore_errors=True)
        destination.rename(earlier)
        complete.rename(destination)
        shutil.rmtree(earlier)
    else:
        complete.rename(destination)


def _new_home(folder: Path, why: str) -> ArchiveHome:
    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"{folder}: not empty; {why}")
    return ArchiveHome(folder).create()


def _copy_kept(home: ArchiveHome, target: ArchiveHome) -> None:
    """What the home keeps beside its catalog: config.toml, the audit trail and its sealed files, and the accounts
    (each database consistently: the page writes them)."""
    if home.config_path.exists():
        shutil.copy2(home.config_path, target.config_path)
    if (home.root / AUDIT_FILE).exists():
        _copy_database(home.root / AUDIT_FILE, target.root / AUDIT_FILE)
    if (home.root / SEALED_FOLDER).is_dir():  # read-only files, never written again
        shutil.copytree(home.root / SEALED_FOLDER, target.root / SEALED_FOLDER, dirs_exist_ok=True)
    if (home.root / USERS_FILE).exists():
        _copy_database(home.root / USERS_FILE, target.root / USERS_FILE)
        end_sessions(target.root)  # a copy keeps who may log in, not who was logged in


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup from a read-only connection: one consistent snapshot, however busy the source (the
    catalog under an ingest, the audit trail under the counter's page)."""
    reader = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, whose sha256 says it all
        problem = writer.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise NotReady(f"{target}: the copied catalog does not check ({problem})")
    finally:
        writer.close()
        reader.close()


def _copy_index(home: ArchiveHome, target: ArchiveHome) -> str:
    """The live index generation copied and published in `target`; its folder's name. A merge may drop a
    segment during the copy: the copy is made again from the generation live then."""
    for _ in range(COPY_ATTEMPTS):
        try:
            generation = live_generation(home.index_link)
            copy = target.root / generation.name
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(generation, copy)
        except (FileNotFoundError, IndexUnavailable, shutil.Error):
            continue
        publish(target.index_link, copy)
        return generation.name
    raise NotReady(f"{home.index_link}: the index changed under every copy ({COPY_ATTEMPTS}); back up again, "
                   "or without --with-index (restore rebuilds it from the catalog)")


def _counts(catalog_path: Path) -> dict:
    with closing(sqlite3.connect(f"{catalog_path.as_uri()}?mode=ro", uri=True)) as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("files", "pages")}


def _sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
