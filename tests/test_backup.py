"""Backups of an archive home and restoring them, with the real `luutru` command, SQLite and index."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import LUUTRU, SAMPLES, json_of, run_luutru, users_cli

QUERIES = ("thua dat so 245", "quyet dinh giao dat", "tiep cong dan")


def found(home, query: str) -> list[tuple[str, int]]:
    return [(document["path"], document["first_page"])
            for document in json_of(run_luutru(home, "search", query, "--json"))["documents"]]


def test_a_backup_restores_to_a_home_that_finds_the_same_documents(archive, tmp_path):
    """Without its index (rebuilt on restore, no OCR) and with it; the restored homes check consistent and
    answer every query as the archive does; the audit trail comes back as it was."""
    from luutru.pipeline.audit import AuditTrail

    trail = AuditTrail(archive["home"])
    trail.record("counter", "10.0.0.7", "search", {"q": "thửa đất số 245"})
    trail.close()
    for options in ([], ["--with-index"]):
        backup, restored = tmp_path / f"backup{len(options)}", tmp_path / f"restored{len(options)}"
        copied = json_of(run_luutru(archive["home"], "backup", str(backup), *options, "--json"))
        assert copied["pages"] == archive["summary"]["pages_ocr"] + archive["summary"]["pages_text_layer"]
        assert bool(copied["index"]) == bool(options)
        back = json_of(run_luutru(restored, "restore", str(backup), "--json"))
        assert back["index"] == ("copied" if options else "rebuilt") and back["pages"] == copied["pages"]
        assert run_luutru(restored, "audit", "list").stdout == run_luutru(archive["home"], "audit", "list").stdout
        assert json_of(run_luutru(restored, "check", "--json"))["consistent"]
        for query in QUERIES:
            assert found(restored, query) == found(archive["home"], query) != [], query


def test_a_backup_keeps_the_accounts_and_logs_no_one_in(archive, tmp_path):
    """users.sqlite3 is copied like the catalog; the sessions open when it was taken are not."""
    from luutru.pipeline.users import authenticate, open_session

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    users_cli(home, "add", "lan", "--role", "clerk", password="mat-khau-lan")
    users_cli(home, "add", "minh", "--role", "archivist", password="mat-khau-minh")
    users_cli(home, "disable", "minh")
    open_session(home, authenticate(home, "lan", "mat-khau-lan"), hours=8)
    run_luutru(home, "backup", str(tmp_path / "backup"))
    run_luutru(tmp_path / "restored", "restore", str(tmp_path / "backup"))
    assert users_cli(tmp_path / "restored", "list", "--json").stdout == users_cli(home, "list", "--json").stdout
    assert authenticate(tmp_path / "restored", "lan", "mat-khau-lan") is not None
    with closing(sqlite3.connect(home / "users.sqlite3")) as kept, \
            closing(sqlite3.connect(tmp_path / "restored" / "users.sqlite3")) as restored:
        assert kept.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
        assert restored.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


@pytest.mark.slow
def test_a_backup_taken_during_an_ingest_restores_consistent(tmp_path):
    """The catalog is copied as one snapshot while the ingest writes; the index copied with it may lag behind
    the catalog, and the restore brings it in line."""
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    with subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--jobs", "1", "--sync-every",
                           "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as ingest:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and ingest.poll() is None and _pages(home) < 2:
            time.sleep(0.2)
        assert ingest.poll() is None, "the ingest ended before the backup could be taken during it"
        copied = json_of(run_luutru(home, "backup", str(tmp_path / "backup"), "--with-index", "--json"))
        _, errors = ingest.communicate(timeout=600)
        assert ingest.returncode == 0, errors
    assert 2 <= copied["pages"] < _pages(home)
    back = json_of(run_luutru(tmp_path / "restored", "restore", str(tmp_path / "backup"), "--json"))
    assert back["pages"] == copied["pages"]
    assert json_of(run_luutru(tmp_path / "restored", "check", "--json"))["consistent"]
    status = json_of(run_luutru(tmp_path / "restored", "status", "--json"))
    assert status["pages"] == copied["pages"], status


def test_restore_and_backup_refuse_what_they_must_not_touch(archive, tmp_path):
    backup, elsewhere = tmp_path / "backup", tmp_path / "elsewhere"
    run_luutru(archive["home"], "backup", str(backup))
    first = (backup / "catalog.sqlite3").stat().st_ino
    run_luutru(archive["home"], "backup", str(backup))  # over the earlier backup, as a nightly rotation does
    assert (backup / "catalog.sqlite3").stat().st_ino != first and not list(tmp_path.glob("backup.*"))
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not a backup", encoding="utf-8")
    refusals = [run_luutru(archive["home"], "backup", str(elsewhere), check_code=2),  # not empty, no backup
                run_luutru(archive["home"], "restore", str(backup), check_code=2),  # a home with an archive
                run_luutru(tmp_path / "new", "restore", str(tmp_path), check_code=2)]  # no backup.json
    with sqlite3.connect(backup / "catalog.sqlite3") as db:  # the backup changed since it was taken
        db.execute("UPDATE files SET path = path || '.x'")
    refusals.append(run_luutru(tmp_path / "other", "restore", str(backup), check_code=4))
    for refused in refusals:
        assert refused.stderr.startswith("luutru: ") and len(refused.stderr.strip().splitlines()) == 1, \
            refused.stderr


def _pages(home) -> int:
    try:
        with sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_old_audit_events_are_sealed_into_a_file_of_their_own_and_the_chain_goes_on(archive, tmp_path):
    """`audit seal` moves the events before a day into a read-only file that verifies alone; the live trail's chain
    goes on from it, through a second seal too; an edit inside a sealed file is found; nothing is lost (every event
    is listed from one file or the other), and a backup carries the sealed files."""
    from luutru.pipeline.audit import AuditTrail

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    (home / "audit.sqlite3").unlink(missing_ok=True)
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))

    def record(*queries: str) -> None:
        trail = AuditTrail(home)
        for query in queries:
            trail.record("lan", "10.0.0.7", "search", {"q": query})
        trail.close()

    def listed(*options: str) -> list[str]:
        events = json_of(run_luutru(home, "audit", "list", *options, "--json"))["events"]
        return [event["what"]["q"] for event in events]

    record("thua 245", "quyet dinh")
    first = json_of(run_luutru(home, "audit", "seal", "--before", tomorrow, "--json"))
    assert first["events"] == 2 and listed() == []
    record("ra soat")
    second = json_of(run_luutru(home, "audit", "seal", "--before", tomorrow, "--json"))
    record("tiep cong dan")
    assert json_of(run_luutru(home, "audit", "verify", "--json")) == {"intact": True, "events": 1, "broken_at": None}
    sealed = [first["file"], second["file"]]
    assert [json_of(run_luutru(home, "audit", "verify", "--trail", file, "--json"))["intact"] for file in sealed] == [
        True, True]
    assert [q for file in sealed for q in listed("--trail", file)] + listed() == [
        "thua 245", "quyet dinh", "ra soat", "tiep cong dan"]
    assert json_of(run_luutru(home, "audit", "seal", "--before", "2000-01-01", "--json"))["events"] == 0
    run_luutru(home, "backup", str(tmp_path / "backup"))
    assert listed("--trail", str(tmp_path / "backup" / "audit-sealed" / Path(first["file"]).name)) == [
        "thua 245", "quyet dinh"]
    Path(first["file"]).chmod(0o644)
    with closing(sqlite3.connect(first["file"])) as db:
        db.execute("DROP TRIGGER events_never_change")
        db.execute("""UPDATE events SET what = '{"q": "khac"}' WHERE id = 2""")
        db.commit()
    assert "BROKEN at event 2" in run_luutru(home, "audit", "verify", "--trail", first["file"], check_code=1).stdout
