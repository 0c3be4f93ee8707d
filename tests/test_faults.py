"""Fault injection: bad input, crashes, a full disk, overlapping runs, integrity of the originals.

Everything runs for real: the `luutru` command, Tesseract, poppler, SQLite and Whoosh on disk.
After each fault the archive must hold every good page exactly once and the index must agree
with the catalog (`luutru check`).
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import LUUTRU, SAMPLES, json_of, run_luutru, settled
from PIL import Image

import luutru.pipeline.run
from luutru.index.search import search
from luutru.index.store import ENGINES, PageDocument, ensure_index, open_store
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.run import ingest, reindex
from samples.synthetic_archive import make_archive

GOOD = SAMPLES / "2023" / "cv-45-ra-soat.png"  # one page; the letter on land-use certificates
GOOD_QUERY = "ra soat ho so"


def catalog_rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        return db.execute(sql).fetchall()


def assert_consistent(home: Path) -> dict:
    """Every page once in the catalog, and the index equal to it."""
    duplicates = catalog_rows(home, "SELECT file_id, page, COUNT(*) FROM pages GROUP BY file_id, page "
                                    "HAVING COUNT(*) > 1")
    assert duplicates == []
    report = json_of(run_luutru(home, "check", "--json"))
    assert report["consistent"] and report["catalog_pages"] == report["index_pages"], report
    return report


def found_documents(home: Path, query: str) -> list[str]:
    result = json_of(run_luutru(home, "search", query, "--json"))
    return [Path(document["path"]).name for document in result["documents"]]


def write_pdf(path: Path, user_password: str | None = None, owner_password: str | None = None) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas
    encrypt = StandardEncryption(user_password or "", ownerPassword=owner_password) if owner_password else None
    document = canvas.Canvas(str(path), encrypt=encrypt)
    document.drawString(100, 700, "Thong bao lich tiep cong dan")
    document.showPage()
    document.save()


NO_PAGES_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png_bomb(width: int, height: int) -> bytes:
    """A small, valid-looking PNG that claims `width` x `height` pixels (1-bit gray), as a
    decompression bomb does; its data would inflate to gigabytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100_000))
            + chunk(b"IEND", b""))


def bad_inputs(folder: Path) -> dict[str, str]:
    """Each bad file, with words its one-line reason must contain."""
    (folder / "truncated.pdf").write_bytes((SAMPLES / "2023" / "bc-56-dat-dai.pdf").read_bytes()[:3000])
    (folder / "empty.pdf").write_bytes(b"")
    write_pdf(folder / "locked.pdf", user_password="secret", owner_password="owner")
    (folder / "no-pages.pdf").write_bytes(NO_PAGES_PDF)
    (folder / "letter.jpg").write_text("this is a letter, not a photo\n/etc/passwd\n", encoding="utf-8")
    (folder / "bomb.png").write_bytes(png_bomb(100_000, 100_000))
    big = Image.new("1", (8, 8))
    big.save(folder / "huge.tif", compression="group4")
    data = bytearray((folder / "huge.tif").read_bytes())
    _claim_tiff_size(data, 200_000, 200_000)
    (folder / "huge.tif").write_bytes(bytes(data))
    return {"truncated.pdf": "unreadable pdf", "empty.pdf": "empty", "locked.pdf": "password",
            "no-pages.pdf": "no pages", "letter.jpg": "image", "bomb.png": "pixels", "huge.tif": "pixels"}


def _claim_tiff_size(data: bytearray, width: int, height: int) -> None:
    """Rewrite the ImageWidth and ImageLength tags of a little-endian TIFF's first directory."""
    import struct
    offset = struct.unpack_from("<I", data, 4)[0]
    for entry in range(struct.unpack_from("<H", data, offset)[0]):
        position = offset + 2 + entry * 12
        tag, kind = struct.unpack_from("<HH", data, position)
        if tag in (256, 257):
            value = width if tag == 256 else height
            if kind == 3:  # SHORT cannot hold it: make it a LONG
                struct.pack_into("<HHII", data, position, tag, 4, 1, value)
            else:
                struct.pack_into("<I", data, position + 8, value)


def test_every_bad_file_is_reported_and_every_good_one_ingested(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    shutil.copy(GOOD, scans / "good.png")
    write_pdf(scans / "owner-only.pdf", owner_password="owner")  # readable: only copying is restricted
    reasons = bad_inputs(scans)
    (scans / "loop").symlink_to(scans)
    (scans / "notes.txt").write_text("ghi chú", encoding="utf-8")
    result = run_luutru(home, "ingest", str(scans), "--json", check_code=1)
    summary = json_of(result)
    failures = {Path(failure["path"]).name: failure["reason"] for failure in summary["failures"]}
    assert set(failures) == set(reasons)
    for name, words in reasons.items():
        assert words in failures[name].lower(), (name, failures[name])
    assert [Path(path).name for path in summary["unsupported"]] == ["notes.txt"]
    status = json_of(run_luutru(home, "status", "--json"))
    assert {Path(item["path"]).name for item in status["failed"]} == set(reasons)
    log = (home / "logs" / "luutru.log").read_text(encoding="utf-8")
    assert all(name in log for name in reasons)
    assert found_documents(home, GOOD_QUERY) == ["good.png"]
    assert found_documents(home, "lich tiep cong dan") == ["owner-only.pdf"]
    assert_consistent(home)


def test_odd_file_names_are_ingested_and_never_reach_a_shell(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    names = [unicodedata.normalize("NFD", "Công văn rà soát.png"), "hồ sơ 'đặc biệt' \"số 1\".png",
             "$(touch pwned).png", "a; touch pwned2 #.png"]
    for name in names:
        shutil.copy(GOOD, scans / name)
    summary = json_of(run_luutru(home, "ingest", str(scans), "--json"))
    assert summary["files_seen"] == len(names) and not summary["failures"]
    # Names are shown in NFC whatever the disk holds (the first is NFD there).
    assert sorted(found_documents(home, GOOD_QUERY)) == sorted(unicodedata.normalize("NFC", name) for name in names)
    assert not any(Path(".").glob("pwned*")) and not any(scans.glob("pwned*")) and not any(tmp_path.glob("pwned*"))
    shown = json_of(run_luutru(home, "show", str(scans / names[1]), "--json"))
    assert shown["file"]["path"].endswith(names[1])


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_query_text_is_only_a_query(tmp_path, engine):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    shutil.copy(GOOD, scans / "good.png")
    run_luutru(home, "ingest", str(scans), "--engine", engine)
    for text in ["'; DROP TABLE files; --", "$(rm -rf /)", "\" OR 1=1 --", "thua:'1' OR '1'='1'", "(((", "\"",
                 "loai:[a TO c]", "nam:abc", "nam:[2020 TO]", "duongdan:/x[*", "ra*t~9", "*", "so:", "NOT", "a^x"]:
        result = run_luutru(home, "search", text, check_code=None)
        assert result.returncode in (0, 2), result
    run_luutru(home, "show", "1; DROP TABLE pages", check_code=5)
    assert catalog_rows(home, "SELECT COUNT(*) FROM pages") == [(1,)]
    assert found_documents(home, GOOD_QUERY) == ["good.png"]


def nobody_can_enter(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, 65534, 65534)


@pytest.mark.skipif(os.geteuid() != 0 and shutil.which("setpriv") is None, reason="needs root or setpriv")
def test_an_unreadable_file_is_reported(tmp_path):
    base = Path(tempfile.mkdtemp(prefix="luutru-perm-"))
    try:
        base.chmod(0o755)
        scans, home = base / "scans", base / "home"
        scans.mkdir()
        shutil.copy(GOOD, scans / "good.png")
        shutil.copy(GOOD, scans / "secret.png")
        # One job: a worker pool as nobody needs a Python that nobody may run, which a venv made
        # from a Python under /root is not.
        command = [str(LUUTRU), "--home", str(home), "ingest", str(scans), "--json", "--jobs", "1"]
        if os.geteuid() == 0:  # root reads everything: run as nobody, who may not read secret.png
            nobody_can_enter(base)
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        (scans / "secret.png").chmod(0o000)
        os.chown(scans / "secret.png", 0, 0)
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, result.stderr
        failures = {failure["path"]: failure["reason"] for failure in json_of(result)["failures"]}
        assert "permission denied" in failures[str(scans / "secret.png")].lower()
        assert "Traceback" not in result.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _walk_that_loses(victim: str, when: str):
    """The real walk, with `victim` deleted right after its folder is found and planned ("found") or once
    every file has been ("planned"), as when a colleague moves a file mid-run."""
    real_walk = luutru.pipeline.run.walk

    def walk(roots):
        for listing in real_walk(roots):
            yield listing
            if when == "found":
                for path, _, _ in listing.files:
                    if Path(path).name == victim:
                        Path(path).unlink()
        if when == "planned":
            next(path for root in roots for path in root.rglob(victim)).unlink()
    return walk


@pytest.mark.parametrize("when", ["found", "planned"])
def test_a_file_that_vanishes_during_the_run(tmp_path, monkeypatch, when):
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(GOOD, scans / "a-good.png")
    shutil.copy(SAMPLES / "2024" / "ttr-09-mo-ma.jpg", scans / "b-vanishing.jpg")
    monkeypatch.setattr(luutru.pipeline.run, "walk", _walk_that_loses("b-vanishing.jpg", when))
    home = ArchiveHome(tmp_path / "home")
    summary = ingest(home, [scans])
    assert [(Path(path).name, "vanished" in reason) for path, reason in summary.failures] == [
        ("b-vanishing.jpg", True)]
    assert found_documents(home.root, GOOD_QUERY) == ["a-good.png"]
    assert_consistent(home.root)


def test_a_nightly_run_finds_gone_the_files_of_a_folder_removed_whole(tmp_path):
    scans, home = tmp_path / "scans", ArchiveHome(tmp_path / "home")
    for name in ("a/1.txt", "a/sub/2.txt", "a/sub/deeper/3.txt", "b/4.txt"):  # no scans: nothing to read
        (scans / name).parent.mkdir(parents=True, exist_ok=True)
        (scans / name).write_text(name)
    ingest(home, [scans])
    summary = reindex(home)
    assert (summary.unchanged, summary.missing) == (4, 0)
    shutil.rmtree(scans / "a" / "sub")  # the walk never meets the folders its files were in
    (scans / "b" / "4.txt").unlink()
    summary = reindex(home)
    assert (summary.unchanged, summary.missing) == (1, 3)
    assert reindex(home).missing == 0


def test_two_spellings_of_one_name_on_disk_hide_no_gone_file(tmp_path):
    scans, home = tmp_path / "scans", ArchiveHome(tmp_path / "home")
    scans.mkdir()
    for form in ("NFC", "NFD"):  # two files on disk, one name in the catalog
        (scans / unicodedata.normalize(form, "Quyết định.txt")).write_text(form)
    (scans / "other.txt").write_text("other")
    ingest(home, [scans])
    (scans / "other.txt").unlink()
    assert reindex(home).missing == 1


def pages_in_catalog(home: Path) -> int:
    try:
        return catalog_rows(home, "SELECT COUNT(*) FROM pages")[0][0]
    except sqlite3.Error:
        return 0  # not created yet


def kill_when(process: subprocess.Popen, home: Path, pages: int, extra_seconds: float) -> bool:
    """SIGKILL the run and its workers once the catalog holds `pages` pages, a moment later."""
    while process.poll() is None and pages_in_catalog(home) < pages:
        time.sleep(0.05)
    time.sleep(extra_seconds)
    if process.poll() is not None:
        return False
    os.killpg(process.pid, signal.SIGKILL)  # the workers too, as an OOM killer or a power cut would
    process.wait()
    return True


def test_random_kills_then_resume_reads_each_page_once(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    rng = random.Random(7)
    kills = 0
    for target in sorted(rng.sample(range(0, 8), 4)):
        process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--jobs", "2"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        kills += kill_when(process, home, target, rng.uniform(0.0, 1.5))
    before = pages_in_catalog(home)
    final = json_of(run_luutru(home, "ingest", str(scans), "--json"))
    assert kills >= 3
    assert final["pages_ocr"] + final["pages_text_layer"] == 9 - before  # only what was not finished
    assert catalog_rows(home, "SELECT COUNT(*) FROM pages") == [(9,)]
    assert_consistent(home)


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs for the archive home; root is needed to mount it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_run_cleanly_and_the_archive_stays_usable(tmp_path, small_disk):
    scans, home = tmp_path / "scans", small_disk / "home"
    scans.mkdir()
    shutil.copy(GOOD, scans / "a-good.png")
    run_luutru(home, "ingest", str(scans))
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 40_000))  # leave too little for the next pages
    shutil.copytree(SAMPLES / "2023", scans / "more")
    result = run_luutru(home, "ingest", str(scans), check_code=None)
    assert result.returncode == 6, (result.returncode, result.stderr)
    assert "no space left" in result.stderr.lower() and len(result.stderr.strip().splitlines()) <= 3
    assert "a-good.png" in found_documents(home, GOOD_QUERY)  # the previous state is searchable
    filler.unlink()
    run_luutru(home, "ingest", str(scans))
    assert catalog_rows(home, "SELECT COUNT(*) FROM pages") == [(1 + 5,)]  # 2023 holds 1 + 1 + 3 pages
    assert_consistent(home)


def test_a_second_run_waits_with_wait(one_scan):
    run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]))
    with open(one_scan["home"] / "luutru.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run_luutru(one_scan["home"], "reindex", check_code=3)
        waiting = subprocess.Popen([str(LUUTRU), "--home", str(one_scan["home"]), "reindex", "--wait"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        assert waiting.poll() is None
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert waiting.wait(timeout=120) == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_searches_never_fail_during_a_full_reindex(tmp_path, engine):
    home = make_archive(tmp_path, 1500, random.Random(3))
    run_luutru(home.root, "reindex", "--full", "--engine", engine)
    expected = search(home.index_link, "thua dat so").total
    assert expected > 0
    failures, totals = [], []
    rebuild = subprocess.Popen([str(LUUTRU), "--home", str(home.root), "reindex", "--full"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def keep_searching():
        while rebuild.poll() is None:
            try:
                totals.append(search(home.index_link, "thua dat so").total)
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(error))
    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    assert rebuild.wait(timeout=600) == 0
    searcher.join()
    assert failures == [] and len(totals) >= 5 and set(totals) == {expected}


def commit_pages(link: Path, commits: int) -> None:
    """One small commit after another, each replacing a file, as a long ingest's syncs do."""
    for number in range(commits):
        pages = [PageDocument(number, f"/scans/{number}.pdf", page, f"quyết định giao đất số {number}", 90.0)
                 for page in range(1, 20)]
        open_store(link).update([number - 3] if number > 3 else [], pages)


@pytest.mark.parametrize("engine", ENGINES)
def test_searches_never_fail_while_commits_merge_the_live_index(tmp_path, engine):
    link = tmp_path / "index"
    ensure_index(link, engine)
    commit_pages(link, 4)
    writer = multiprocessing.get_context("fork").Process(target=commit_pages, args=(link, 60))
    writer.start()
    failures, searches = [], 0
    while writer.is_alive():
        try:
            assert search(link, "giao dat").total > 0
            searches += 1
        except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
            failures.append(repr(error))
    writer.join()
    assert writer.exitcode == 0 and failures == [] and searches >= 20


def test_check_finds_and_repair_fixes_an_index_that_disagrees(one_scan):
    home = one_scan["home"]
    run_luutru(home, "ingest", str(one_scan["scans"]))
    from whoosh import index as whoosh_index
    writer = whoosh_index.open_dir(str(home / "index")).writer()
    writer.delete_by_term("file_id", "1")
    writer.commit()
    report = json_of(run_luutru(home, "check", "--json", check_code=1))
    assert [Path(path).name for path in report["missing"]] == ["cong-van.png"]
    run_luutru(home, "check", "--repair")
    assert_consistent(home)


# What holds each engine's table of contents: damaged, the index cannot be opened.
INDEX_TABLES = {"whoosh": "*.toc", "tantivy": "meta.json"}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_damaged_index_is_reported_and_rebuilt_beside_it(one_scan, engine):
    home = one_scan["home"]
    run_luutru(home, "ingest", str(one_scan["scans"]), "--engine", engine)
    live = (home / "index").resolve()
    for table in live.glob(INDEX_TABLES[engine]):
        table.write_bytes(b"garbage")
    result = run_luutru(home, "search", GOOD_QUERY, check_code=4)
    assert len(result.stderr.strip().splitlines()) == 1
    assert json_of(run_luutru(home, "check", "--json", check_code=1))["index_error"]
    run_luutru(home, "check", "--repair")
    assert (home / "index").resolve() != live and live.exists()  # never wiped in place
    assert found_documents(home, GOOD_QUERY) == ["cong-van.png"]
    assert_consistent(home)
    assert json_of(run_luutru(home, "status", "--json"))["index"]["engine"] == engine


def test_verify_finds_changed_and_missing_originals(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        shutil.copy(GOOD, scans / name)
        with open(scans / name, "ab") as tail:
            tail.write(name.encode())  # distinct content
    run_luutru(home, "ingest", str(scans))
    assert json_of(run_luutru(home, "verify", "--json"))["intact"]
    stat = (scans / "a.png").stat()
    with open(scans / "a.png", "r+b") as original:
        original.seek(100)
        original.write(b"\xff")  # bit rot: same size, same mtime
    os.utime(scans / "a.png", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (scans / "b.png").unlink()
    report = json_of(run_luutru(home, "verify", "--json", check_code=1))
    assert [Path(p).name for p in report["changed"]] == ["a.png"]
    assert [Path(p).name for p in report["missing"]] == ["b.png"]


def test_the_archive_home_keeps_other_users_out(one_scan):
    run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]))
    assert one_scan["home"].stat().st_mode & 0o077 == 0
    assert (one_scan["home"] / "logs").stat().st_mode & 0o077 == 0


def test_a_hanging_tesseract_program_is_stopped_and_reported(one_scan, tmp_path):
    hanging = _hanging_tesseract(tmp_path)
    started = time.monotonic()
    summary = json_of(run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), "--timeout", "2", "--json",
                                 "--ocr-engine", "pytesseract", check_code=1, env=hanging))
    assert time.monotonic() - started < 60
    assert ["timed out" in failure["reason"] for failure in summary["failures"]] == [True]
    assert catalog_rows(one_scan["home"], "SELECT COUNT(*) FROM pages") == [(0,)]  # never an empty page
    assert json_of(run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), "--json"))["pages_ocr"] == 1


def test_files_read_so_far_are_searchable_before_the_run_ends(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--jobs", "1",
                                "--sync-every", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline and not found_in_index(home, "tran thi mai"):
        time.sleep(0.2)
    still_running = process.poll() is None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert still_running  # the certificate (read first) was searchable while the run went on
    assert found_documents(home, "mo ma") == []  # the submission on graves (read last) was not read yet
    run_luutru(home, "ingest", str(scans))
    assert_consistent(home)


def found_in_index(home: Path, query: str) -> bool:
    try:
        return bool(search(home / "index", query).documents)
    except Exception:  # noqa: BLE001 - no index yet, or one being created
        return False


def _hanging_tesseract(tmp_path: Path) -> dict:
    """An environment whose tesseract program answers the version and language checks, then hangs on
    a page past every timeout but the hard one (as a native hang inside orientation detection would)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    real = shutil.which("tesseract")
    (fake / "tesseract").write_text(
        f'#!/bin/sh\ncase "$1" in --version|--list-langs) exec {real} "$@";; esac\nexec sleep 600\n')
    (fake / "tesseract").chmod(0o755)
    return dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")


def test_a_page_stuck_past_the_hard_time_limit_is_stopped_with_one_job_too(one_scan, tmp_path):
    started = time.monotonic()
    summary = json_of(run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), "--jobs", "1", "--json",
                                 "--ocr-engine", "pytesseract", "--page-time-limit", "3", check_code=1,
                                 env=_hanging_tesseract(tmp_path)))
    assert time.monotonic() - started < 60
    assert ["stuck past the time limit" in failure["reason"] for failure in summary["failures"]] == [True]
    assert catalog_rows(one_scan["home"], "SELECT COUNT(*) FROM pages") == [(0,)]
    run_luutru(one_scan["home"], "status")  # the archive home is free again


def test_ctrl_c_makes_what_was_read_searchable_then_exits_130(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    # As a terminal's Ctrl-C does: SIGINT to the whole process group, workers included.
    # The run hears SIGINT even when the suite itself was started in the background, where the shell ignores it
    # and every child inherits that (a Python process started so never raises KeyboardInterrupt).
    process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--jobs", "2",
                                "--sync-every", "3600"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while process.poll() is None and pages_in_catalog(home) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 130 and "interrupted" in errors and "Traceback" not in errors, \
        (process.returncode, pages_in_catalog(home), errors[-3000:])
    read = catalog_rows(home, "SELECT COUNT(*) FROM pages p JOIN files f ON f.id = p.file_id "
                              "WHERE f.status = 'done'")[0][0]
    assert read >= 1 and json_of(run_luutru(home, "check", "--json"))["consistent"]
    assert json_of(run_luutru(home, "ingest", str(scans), "--json"))["pages_failed"] == 0
    assert_consistent(home)


def test_verify_judges_only_what_was_ingested_and_follows_moves(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    (scans / "notes.jpg").write_text("not a scan at all")  # refused when found: no checksum
    (scans / "dangling.png").symlink_to(scans / "nowhere.png")  # a broken link
    run_luutru(home, "ingest", str(scans), "--jobs", "1", check_code=1)
    (scans / "2023").mkdir()
    (scans / "cong-van.png").rename(scans / "2023" / "cong-van.png")  # moved; reindex sees it
    assert json_of(run_luutru(home, "reindex", "--json"))["reused"] == 1  # the broken files: left alone
    report = json_of(run_luutru(home, "verify", "--json"))
    assert report["intact"] and report["checked"] == 1
    (scans / "2023" / "cong-van.png").unlink()  # now it is gone for good
    assert [Path(p).name for p in json_of(run_luutru(home, "verify", "--json", check_code=1))["missing"]] == \
        ["cong-van.png"]


def test_a_file_that_failed_and_has_not_changed_is_left_alone_until_asked(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    settled(_broken_pdf(scans / "broken.pdf"))
    (scans / "notes.jpg").write_text("not an image\n")
    settled(scans / "notes.jpg")
    first = json_of(run_luutru(home, "ingest", str(scans), "--json", check_code=1))
    assert len(first["failures"]) == 2
    nightly = json_of(run_luutru(home, "reindex", "--json"))  # nothing new failed: exit 0, no warnings
    assert nightly["failed_before"] == 2 and nightly["failures"] == []
    assert len(json_of(run_luutru(home, "status", "--json"))["failed"]) == 2  # still listed
    retried = json_of(run_luutru(home, "reindex", "--retry-failed", "--json", check_code=1))
    assert {Path(failure["path"]).name for failure in retried["failures"]} == {"broken.pdf", "notes.jpg"}
    settled(shutil.copy(GOOD, scans / "notes.jpg"))  # fixed (a copy of the letter): taken up at once
    fixed = json_of(run_luutru(home, "reindex", "--json"))
    assert fixed["failed_before"] == 1 and fixed["reused"] == 1 and fixed["failures"] == []
    assert [Path(failure["path"]).name for failure in json_of(run_luutru(home, "status", "--json"))["failed"]] == \
        ["broken.pdf"]


def _broken_pdf(path: Path) -> Path:
    path.write_bytes((SAMPLES / "2023" / "bc-56-dat-dai.pdf").read_bytes()[:3000])
    return path


@pytest.mark.skipif(os.geteuid() != 0, reason="runs the archive as nobody, which needs root to arrange")
def test_a_folder_that_cannot_be_read_keeps_its_files_and_says_why():
    if subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(LUUTRU), "--version"],
                      capture_output=True).returncode != 0:
        pytest.skip("the user nobody cannot run this virtualenv's luutru here")
    base = Path(tempfile.mkdtemp(prefix="luutru-folder-"))
    try:
        base.chmod(0o755)
        scans, home = base / "scans", base / "home"
        for folder, sample in (("a", GOOD), ("b", SAMPLES / "2024" / "ttr-09-mo-ma.jpg")):
            (scans / folder).mkdir(parents=True)
            settled(shutil.copy(sample, scans / folder / sample.name))
        nobody_can_enter(base)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(LUUTRU), "--home", str(home)]

        def luutru(*args, code=0):
            result = subprocess.run([*as_nobody, *args], capture_output=True, text=True, timeout=300)
            assert result.returncode == code and "Traceback" not in result.stderr, result.stderr
            return result
        luutru("ingest", str(scans), "--jobs", "1")
        (scans / "b").chmod(0o000)  # an NFS permission change
        summary = json.loads(luutru("reindex", "--json", code=1).stdout)
        assert summary["missing"] == 0
        assert summary["failures"] == [{"path": str(scans / "b"), "reason": "Permission denied"}]
        status = json.loads(luutru("status", "--json").stdout)
        assert status["unreadable_folders"] == [{"path": str(scans / "b"), "reason": "Permission denied"}]
        assert status["files_done"] == 2 and "(its files are kept)" in luutru("status").stdout
        assert json.loads(luutru("search", "mo ma", "--json").stdout)["total"] == 1
    finally:
        (scans / "b").chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_a_share_not_mounted_keeps_its_files_and_they_come_back_without_hashing(tmp_path):
    share, home = tmp_path / "share", tmp_path / "home"
    share.mkdir()
    settled(shutil.copy(GOOD, share / "cong-van.png"))
    run_luutru(home, "ingest", str(share), "--jobs", "1")
    share.rename(tmp_path / "share.mounted")  # unmounted: the mount point stays, empty
    share.mkdir()
    away = run_luutru(home, "reindex", "--json")
    assert json_of(away)["missing"] == 0 and "none of its 1 files can be seen" in away.stderr
    assert json_of(run_luutru(home, "search", GOOD_QUERY, "--json"))["total"] == 1
    share.rmdir()
    (tmp_path / "share.mounted").rename(share)  # mounted again
    back = json_of(run_luutru(home, "reindex", "--json"))
    assert (back["unchanged"], back["retried"], back["pages_ocr"]) == (1, 0, 0)
    assert_consistent(home)
