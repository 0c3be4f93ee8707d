"""End to end through the installed `luutru` command, with the real Tesseract, poppler, SQLite and Whoosh."""

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import LUUTRU, REPOSITORY, SAMPLES, TRUTH, in_locale, json_of, run_luutru, settled
from PIL import Image, ImageDraw

from luutru.doctor import doctor as run_doctor
from luutru.index.store import PAGES_PER_SHARD, engine_advice
from luutru.pipeline.catalog import SCHEMA_VERSION
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.report import status as run_status
from samples.damage import faded_photocopy


def hits_of(home, *query):
    return json_of(run_luutru(home, "search", *query, "--json"))["hits"]


def found(hits, name, page=None):
    return any(hit["path"].endswith(name) and (page is None or hit["page"] == page) for hit in hits)


def test_first_ingest_reads_every_page(archive):
    summary = archive["summary"]
    pages = sum(len(pages) for pages in TRUTH.values())
    assert summary["new"] == len(TRUTH) and not summary["failures"]
    assert summary["pages_ocr"] + summary["pages_text_layer"] == pages
    assert summary["pages_text_layer"] == 1  # the born-digital PDF is not OCR'd
    assert summary["pages_indexed"] == pages


@pytest.mark.slow
@pytest.mark.parametrize("query", ["quyet dinh giao dat", "quyết định giao đất", "QUYẾT ĐỊNH GIAO ĐẤT"])
def test_search_with_and_without_diacritics_finds_the_decision(searchable, query):
    hits = hits_of(searchable["home"], query)
    assert hits[0]["path"].endswith("qd-123-giao-dat.jpg") and hits[0]["page"] == 1


def test_search_json_contract(searchable):
    result = json_of(run_luutru(searchable["home"], "search", "thua dat so 87", "--json"))
    assert result["hits"], result
    for hit in result["hits"]:
        assert {"path", "page", "score", "snippet"} <= hit.keys()
        assert hit["page"] >= 1 and hit["score"] > 0 and os.path.isabs(hit["path"])
    assert found(result["hits"], "gcn-thua-87.tif", 1)
    assert "thửa đất số 87" in result["hits"][0]["snippet"].lower()


def test_pages_of_multi_page_files_are_numbered(searchable):
    hits = hits_of(searchable["home"], "phuong huong nam 2024")
    assert found(hits, "bc-56-dat-dai.pdf", 3)
    assert found(hits_of(searchable["home"], "nhung thay doi sau khi cap"), "gcn-thua-87.tif", 2)


def test_other_tone_style_and_exact_diacritics_rank_first(searchable):
    # The scan writes "Hoà Thạch"; the clerk types the other style.
    assert hits_of(searchable["home"], "Hòa Thạch")[0]["path"].endswith("cv-45-ra-soat.png")
    # "mả" (grave) must not be outranked by pages that only match folded "ma".
    assert hits_of(searchable["home"], "mả")[0]["path"].endswith("ttr-09-mo-ma.jpg")


def test_human_output_names_path_and_page(searchable):
    output = run_luutru(searchable["home"], "search", "tiep cong dan").stdout
    first = output.split("\n  2. ")[0]
    assert "tb-18-tiep-cong-dan.pdf" in first and "Thông báo, số 18/TB-UBND" in first
    assert "page 1: " in first and "tiếp công dân" in first.lower()


def test_nothing_found_and_a_fuzzy_query(searchable):
    output = run_luutru(searchable["home"], "search", "thuaaa", "dattt").stdout
    assert "No page matches" in output and 'Did you mean "thua dat"' in output
    assert "with a letter misread" in run_luutru(searchable["home"], "search", "thuaa", "datt").stdout
    assert hits_of(searchable["home"], "nguyeen~ hungg~")


def test_empty_query_is_one_line_and_usage_status(searchable):
    result = run_luutru(searchable["home"], "search", "  ", check_code=2)
    assert result.stderr.strip().count("\n") == 0 and "empty" in result.stderr


def test_reingest_reads_nothing(archive):
    summary = json_of(run_luutru(archive["home"], "ingest", str(archive["scans"]), "--json"))
    assert summary["unchanged"] == len(TRUTH)
    assert summary["pages_ocr"] == summary["pages_text_layer"] == summary["pages_indexed"] == 0


@pytest.mark.slow
def test_originals_are_never_modified(tmp_path):
    scans = tmp_path / "scans"
    shutil.copytree(SAMPLES / "2022", scans)
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in scans.rglob("*")}
    run_luutru(tmp_path / "home", "ingest", str(scans), "--jobs", "1")
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in scans.rglob("*")}
    assert before == after


def test_status_export_and_show(archive):
    facts = json_of(run_luutru(archive["home"], "status", "--json"))
    pages = sum(len(pages) for pages in TRUTH.values())
    assert facts["files_done"] == len(TRUTH) and facts["pages"] == pages and facts["index"]["up_to_date"]
    lines = run_luutru(archive["home"], "export", "--format", "jsonl").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == pages and all({"path", "page", "text", "confidence"} <= row.keys() for row in rows)
    assert len({(row["path"], row["page"]) for row in rows}) == pages
    decision = next(row for row in rows if row["path"].endswith("qd-123-giao-dat.jpg"))
    shown = run_luutru(archive["home"], "show", decision["path"], "--page", "1").stdout
    assert "Số: 123/QĐ-UBND" in shown and "page 1" in shown
    run_luutru(archive["home"], "show", decision["path"], "--page", "9", check_code=5)


def _altered_copy(source, target):
    """A genuinely new scan: the same page with a few pixels changed, so its content hash differs."""
    pixels = np.asarray(Image.open(source).convert("L")).copy()
    pixels[:4, :4] = 0
    Image.fromarray(pixels).save(target)
    return target


@pytest.mark.slow
def test_reindex_reads_only_the_new_scan_and_drops_removed_ones(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    run_luutru(home, "ingest", str(scans))
    settled(_altered_copy(SAMPLES / "2024" / "ttr-09-mo-ma.jpg", scans / "to-trinh.png"))
    summary = json_of(run_luutru(home, "reindex", "--json"))
    assert summary["new"] == 1 and summary["unchanged"] == 1 and summary["pages_ocr"] == 1
    assert found(hits_of(home, "di chuyen mo ma"), "to-trinh.png")
    (scans / "to-trinh.png").unlink()
    summary = json_of(run_luutru(home, "reindex", "--json"))
    assert summary["missing"] == 1 and summary["pages_ocr"] == 0
    assert not found(hits_of(home, "di chuyen mo ma"), "to-trinh.png")


@pytest.mark.slow
def test_moved_file_is_not_read_again(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    run_luutru(home, "ingest", str(scans))
    (scans / "2023").mkdir()
    (scans / "cong-van.png").rename(scans / "2023" / "cong-van-45.png")
    summary = json_of(run_luutru(home, "reindex", "--json"))
    assert summary["reused"] == 1 and summary["missing"] == 1 and summary["pages_ocr"] == 0
    hits = hits_of(home, "ra soat ho so")
    assert [hit["path"].rsplit("/", 1)[-1] for hit in hits] == ["cong-van-45.png"]


@pytest.mark.slow
def test_bad_files_are_reported_and_the_rest_is_ingested(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    (scans / "broken.pdf").write_bytes((SAMPLES / "2023" / "bc-56-dat-dai.pdf").read_bytes()[:3000])
    (scans / "notes.jpg").write_text("not an image\n")
    (scans / "empty.tif").write_bytes(b"")
    (scans / "list.txt").write_text("inventory\n")
    result = run_luutru(home, "ingest", str(scans), check_code=1)
    assert "FAILED  " + str(scans / "broken.pdf") + ": unreadable PDF" in result.stdout
    assert str(scans / "notes.jpg") + ": named .jpg but its content is not a JPEG image" in result.stdout
    assert str(scans / "empty.tif") + ": empty file" in result.stdout
    assert "SKIPPED " + str(scans / "list.txt") in result.stdout
    assert found(hits_of(home, "ra soat ho so"), "cong-van.png")
    status = json_of(run_luutru(home, "status", "--json"))
    assert {f["path"].rsplit("/", 1)[-1] for f in status["failed"]} == {"broken.pdf", "notes.jpg", "empty.tif"}
    told = run_luutru(home, "status", env=in_locale("vi_VN.UTF-8")).stdout  # the keys scripts read stay English
    assert told.startswith("thư mục lưu trữ: ") and "FAILED  " + str(scans / "broken.pdf") in told
    assert "SKIPPED " + str(scans / "list.txt") in told


@pytest.mark.slow
def test_full_reindex_rebuilds_from_the_catalog_without_ocr(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    run_luutru(home, "ingest", str(scans))
    old_generation = (home / "index").resolve()
    summary = json_of(run_luutru(home, "reindex", "--full", "--json"))
    assert summary["pages_ocr"] == 0 and summary["pages_indexed"] == 1
    assert (home / "index").resolve() != old_generation
    assert found(hits_of(home, "ra soat ho so"), "cong-van.png")


def index_engine(home: Path) -> str:
    facts = json_of(run_luutru(home, "status", "--json"))["index"]
    assert facts["up_to_date"], facts
    return facts["engine"]


@pytest.mark.slow
def test_an_archive_moves_between_index_engines_without_ocr_and_stays_in_sync(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    run_luutru(home, "ingest", str(scans))
    assert index_engine(home) == "whoosh"
    moved = json_of(run_luutru(home, "reindex", "--full", "--engine", "tantivy", "--json"))
    assert moved["pages_ocr"] == 0 and moved["pages_indexed"] == 1 and index_engine(home) == "tantivy"
    assert found(hits_of(home, "ra soat ho so"), "cong-van.png")
    # The nightly run keeps the engine, adds the new scan and drops the removed one.
    settled(shutil.copy(SAMPLES / "2024" / "ttr-09-mo-ma.jpg", scans / "to-trinh.jpg"))
    (scans / "cong-van.png").unlink()
    nightly = json_of(run_luutru(home, "reindex", "--json"))
    assert nightly["pages_ocr"] == 1 and index_engine(home) == "tantivy"
    assert found(hits_of(home, "mo ma"), "to-trinh.jpg") \
        and not found(hits_of(home, "ra soat ho so"), "cong-van.png")
    assert json_of(run_luutru(home, "check", "--json"))["consistent"]
    # Where the tantivy package is missing, a search of this archive says how to install it.
    blocker = home.parent / "no-tantivy"
    blocker.mkdir()
    (blocker / "tantivy.py").write_text("raise ImportError('no tantivy here')\n")
    missing = run_luutru(home, "search", "mo ma", check_code=4, env=dict(os.environ, PYTHONPATH=str(blocker)))
    assert len(missing.stderr.strip().splitlines()) == 1 and "luutru[tantivy]" in missing.stderr
    # The engine named in the config file wins over the live index's.
    (home / "config.toml").write_text('engine = "whoosh"\n', encoding="utf-8")
    assert json_of(run_luutru(home, "reindex", "--json"))["pages_ocr"] == 0 and index_engine(home) == "whoosh"
    assert found(hits_of(home, "mo ma"), "to-trinh.jpg")


def test_a_second_run_exits_at_once_while_one_holds_the_home(one_scan):
    home = ArchiveHome(one_scan["home"]).create()
    with home.exclusive():
        result = run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), check_code=3)
    assert "in use" in result.stderr


@pytest.mark.slow
def test_killed_ingest_resumes_without_reading_pages_twice(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    shutil.copy(SAMPLES / "2023" / "bc-56-dat-dai.pdf", scans / "bao-cao.pdf")
    process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--jobs", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _pages_in(home) < 1:
        time.sleep(0.1)
    process.kill()
    process.wait()
    read_before = _pages_in(home)
    assert 1 <= read_before < 3
    summary = json_of(run_luutru(home, "ingest", str(scans), "--json"))
    assert summary["pages_ocr"] == 3 - read_before
    assert _pages_in(home) == 3
    assert json_of(run_luutru(home, "status", "--json"))["index"]["pages"] == 3


def _pages_in(home):
    catalog = home / "catalog.sqlite3"
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(catalog, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_doctor_passes_here_and_explains_a_missing_tesseract(tmp_path):
    assert "ok   tesseract language vie" in run_luutru(tmp_path, "doctor").stdout
    bare = dict(os.environ, PATH=str(tmp_path))
    result = run_luutru(tmp_path, "doctor", check_code=4, env=bare)
    assert "FAIL tesseract: not found" in result.stdout and "apt-get install" in result.stdout
    result = run_luutru(tmp_path, "ingest", str(SAMPLES), check_code=4, env=bare)
    assert "tesseract" in result.stderr


@pytest.mark.parametrize("engine, pages, parts, advised", [
    ("whoosh", 50_000, 1, None), ("whoosh", 50_001, 1, "luutru reindex --full --engine tantivy"),
    ("tantivy", 5_000_000, 1, "luutru reindex --full` (no OCR) writes it as 4 shards"), ("tantivy", 5_000_000, 4, None),
    ("tantivy", PAGES_PER_SHARD, 1, None)])
def test_an_engine_or_shards_are_advised_past_the_size_where_searches_stay_fast(engine, pages, parts, advised):
    advice = engine_advice(engine, pages, parts, cores=4)
    assert advice == advised if advised is None else advised in advice


def test_status_and_doctor_name_the_engine_and_advise_on_a_large_whoosh_index(searchable, monkeypatch):
    home = ArchiveHome(searchable["home"])
    assert run_status(home)["index"]["engine"] == searchable["engine"]
    # the 9 sample pages stand for a large archive
    monkeypatch.setattr("luutru.index.store.WHOOSH_COMFORTABLE_PAGES", 5)
    index_check = next(check for check in run_doctor(home) if check.name == "index")
    assert index_check.ok and index_check.warn == (searchable["engine"] == "whoosh")
    assert (run_status(home)["index"]["advice"] is not None) == (searchable["engine"] == "whoosh")


@pytest.mark.slow
def test_review_lists_pages_to_rescan_with_their_likely_cause(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    page = Image.open(SAMPLES / "2023" / "qd-123-giao-dat.jpg").convert("RGB")
    faded_photocopy(page, random.Random(2)).save(scans / "faded.png")
    blank = Image.new("L", page.size, 250)
    ImageDraw.Draw(blank).text((300, 300), "x", fill=0)  # a stray mark on an empty page
    blank.save(scans / "blank.png")
    run_luutru(home, "ingest", str(scans))
    below_70 = json_of(run_luutru(home, "review", "--json"))["pages"]
    assert [(Path(page["path"]).name, page["page"]) for page in below_70] == [("blank.png", 1)]
    assert "little text" in below_70[0]["causes"][0]
    everything = json_of(run_luutru(home, "review", "--below", "100", "--json"))["pages"]
    faded = next(page for page in everything if page["path"].endswith("faded.png"))
    assert faded["confidence"] > 70 and any("low contrast" in cause for cause in faded["causes"])


def test_a_catalog_from_the_previous_version_is_upgraded(one_scan):
    run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]))
    with sqlite3.connect(one_scan["home"] / "catalog.sqlite3") as db:  # the catalog of luutru's first version
        db.executescript("ALTER TABLE pages DROP COLUMN diagnostics; ALTER TABLE pages DROP COLUMN geometry;"
                         "ALTER TABLE pages DROP COLUMN provenance; ALTER TABLE files DROP COLUMN raw_path;"
                         "ALTER TABLE roots DROP COLUMN raw_path; DROP TABLE staged_pages; DROP TABLE staged_files;"
                         "PRAGMA user_version = 1;")
    assert json_of(run_luutru(one_scan["home"], "status", "--json"))["pages"] == 1
    with sqlite3.connect(one_scan["home"] / "catalog.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(pages)")]
        assert {"diagnostics", "geometry", "provenance", "unreadable"} <= set(columns)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


@pytest.mark.slow
def test_a_page_marked_unreadable_in_its_diagnostics_keeps_the_mark_as_a_column(one_scan):
    """Schema 5 marked a page whose best reading is noise with a key of its diagnostics; schema 6 gives it a column
    of its own, which decides indexing: the upgrade carries the mark over, and the page's junk leaves the index."""
    home = one_scan["home"]
    run_luutru(home, "ingest", str(one_scan["scans"]))
    assert json_of(run_luutru(home, "search", "đất", "--json"))["hits"]
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        db.executescript("UPDATE pages SET diagnostics = json_set(diagnostics, '$.unreadable', json('true'));"
                         "ALTER TABLE pages DROP COLUMN unreadable; ALTER TABLE staged_pages DROP COLUMN unreadable;"
                         "PRAGMA user_version = 5;")
    run_luutru(home, "reindex", "--full")
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        assert db.execute("SELECT unreadable FROM pages").fetchall() == [(1,)]
    assert not json_of(run_luutru(home, "search", "đất", "--json", check_code=None))["hits"]
    assert json_of(run_luutru(home, "review", "--json"))["pages"][0]["causes"][0].startswith("unreadable: rescan")


def _adds_up(summary: dict) -> bool:
    parts = ("new", "changed", "unchanged", "retried", "failed_before", "refused")
    return summary["files_seen"] == sum(summary[part] for part in parts) + len(summary["settling"]) \
        + len(summary["unsupported"])


@pytest.mark.slow
def test_overlapping_paths_are_one_root_and_the_counts_add_up(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    (scans / "sub").mkdir()
    settled(shutil.copy(SAMPLES / "2024" / "ttr-09-mo-ma.jpg", scans / "sub" / "to-trinh.jpg"))
    (scans / "sub" / "notes.jpg").write_text("not an image\n")
    (scans / "list.txt").write_text("inventory\n")
    settled(scans / "sub" / "notes.jpg"), settled(scans / "list.txt")
    (scans / "dangling.png").symlink_to(scans / "nowhere.png")
    first = json_of(run_luutru(home, "ingest", str(scans / "sub"), str(scans), "--json", check_code=1))
    assert _adds_up(first) and first["files_seen"] == 5 and len(first["failures"]) == 2
    run_luutru(home, "ingest", str(scans / "sub"), "--json", check_code=1)  # inside the root: no second root
    assert json_of(run_luutru(home, "status", "--json"))["roots"] == [str(scans)]
    nightly = json_of(run_luutru(home, "reindex", "--json", "--retry-failed", check_code=1))
    assert _adds_up(nightly) and nightly["files_seen"] == 5
    assert sorted(Path(f["path"]).name for f in nightly["failures"]) == ["dangling.png", "notes.jpg"]
    quiet = json_of(run_luutru(home, "reindex", "--json"))  # the same broken files: nothing new, exit 0
    assert _adds_up(quiet) and quiet["failed_before"] == 2 and quiet["failures"] == []


@pytest.mark.slow
def test_filters_as_clerks_use_them(searchable):
    home = searchable["home"]

    def documents(*args) -> list[str]:
        return [d["path"].rsplit("/", 1)[-1] for d in json_of(run_luutru(home, "search", *args, "--json"))["documents"]]
    alone = json_of(run_luutru(home, "search", "--parcel", "245", "--json"))
    assert alone["hits"][0]["path"].endswith("qd-123-giao-dat.jpg") and "245" in alone["hits"][0]["snippet"]
    assert documents("--number", "123") == documents("--number", "123/QĐ") == ["qd-123-giao-dat.jpg"]
    assert documents("dat", "--type", "QĐ") == documents("dat", "--type", "quyet dinh") == ["qd-123-giao-dat.jpg"]
    assert documents("ho so", "--type", "CV") == ["cv-45-ra-soat.png"]
    assert documents("dat", "--from", "01/10/2023", "--to", "31/12/2023") == \
        documents("dat", "--from", "2023-10-01", "--to", "2023-12-31") != []
    after = subprocess.run([str(LUUTRU), "search", "--home", str(home), "--parcel", "245", "--json"],
                           capture_output=True, text=True, encoding="utf-8", check=True)
    assert json.loads(after.stdout)["documents"][0]["path"].endswith("qd-123-giao-dat.jpg")
    assert "filters: parcel 245" in run_luutru(home, "search", "--parcel", "245").stdout
    assert "give words to search for" in run_luutru(home, "search", check_code=2).stderr


def _on_a_terminal(home, *args: str, columns: int = 80) -> str:
    """What a clerk sees on a terminal of `columns` columns (a real pseudo-terminal)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen([str(LUUTRU), "--home", str(home), *args], stdin=follower, stdout=follower,
                               stderr=subprocess.DEVNULL, env=dict(os.environ, COLUMNS=str(columns)))
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(leader)
    return output.decode("utf-8").replace("\r\n", "\n")


def test_results_on_a_terminal_fit_its_width_and_mark_the_words(searchable):
    shown = _on_a_terminal(searchable["home"], "search", "dat")
    plain = shown.replace("\033[1m", "").replace("\033[0m", "")
    lines = plain.splitlines()
    assert max(len(line) for line in lines) <= 80 and len(lines) <= 24  # five documents fit one screen
    assert "\033[1m" in shown and "score" not in plain
    assert sum(line[:5].strip().rstrip(".").isdigit() for line in lines) == 5  # five documents on a screen
    piped = run_luutru(searchable["home"], "search", "dat", "--verbose").stdout
    assert "\033[" not in piped and "(score " in piped and max(map(len, piped.splitlines())) > 200  # one line each


def test_a_snippet_on_a_terminal_shows_the_phrase_not_the_headers_numero(searchable):
    """ "thua dat so 245" also matches the header's "Số:": the two lines a terminal shows hold the phrase."""
    from luutru.cli import _around_best_marks
    from luutru.index.search import MARK_END, MARK_START

    def marked(*words: str) -> str:
        return " ".join(f"{MARK_START}{word}{MARK_END}" for word in words)

    snippet = (f"ỦY BAN NHÂN DÂN {marked('Số')}: 123/QĐ-UBND Thạch Thất, ngày 12 tháng 9 năm 2023 QUYẾT ĐỊNH "
               + "Căn cứ Luật Tổ chức chính quyền địa phương năm 2015; " * 4
               + f"Điều 1. Giao 120 m2 {marked('đất')} ở tại {marked('thửa', 'đất', 'số', '245')}, tờ bản đồ 12")
    shown = _around_best_marks(snippet, 150)
    assert shown.startswith("… ") and marked("thửa", "đất", "số", "245") in shown[-150:]
    assert _around_best_marks("ngắn " + marked("đất"), 150) == "ngắn " + marked("đất")  # short: as it is
    terminal = _on_a_terminal(searchable["home"], "search", "thua dat so 245").replace("\033[1m", "")
    first = terminal.replace("\033[0m", "").split("page 1: ", 1)[1].split("\n  2.")[0]
    assert "thửa đất số 245" in " ".join(first.split())


@pytest.mark.slow
def test_review_lists_a_page_that_reads_as_noise_whatever_its_confidence(tmp_path):
    from PIL import ImageFont

    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    rng = random.Random(5)
    page = Image.new("L", (2480, 3508), 255)
    draw, font = ImageDraw.Draw(page), ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 48)
    for line in range(40):  # letters in lines, as a page read as garbage holds them: no Vietnamese syllable
        words = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(3, 7))) for _ in range(8)]
        draw.text((200, 200 + line * 75), " ".join(words), fill=0, font=font)
    page.save(scans / "junk.png")
    shutil.copy(SAMPLES / "2023" / "cv-45-ra-soat.png", scans / "letter.png")
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    listed = json_of(run_luutru(home, "review", "--json"))["pages"]
    assert [Path(page["path"]).name for page in listed] == ["junk.png"]
    assert listed[0]["causes"][0].startswith("unreadable: rescan")  # its best reading is noise
    vietnamese = in_locale("vi_VN.UTF-8")
    assert json_of(run_luutru(home, "review", "--json", env=vietnamese))["pages"] == listed  # for scripts: English
    told = run_luutru(home, "review", env=vietnamese).stdout
    assert "trang 1: không đọc được: hãy quét lại" in told and "\n1 trang đọc với độ tin cậy dưới" in told, told


def test_the_same_failures_are_told_in_vietnamese_under_a_vietnamese_locale_and_in_english_otherwise(
        archive, tmp_path):
    empty = tmp_path / "empty"
    failures = [(empty, ("search", "đất"), 4, "chưa có chỉ mục ở", "there is no index at"),
                (archive["home"], ("show", "/khong/co.pdf"), 5, "không có văn bản này trong danh mục",
                 "no such document in the catalog"),
                (archive["home"], ("search",), 2, "hãy nhập từ cần tìm", "give words to search for")]
    for home, args, status, vietnamese, english in failures:
        told = {language: run_luutru(home, *args, check_code=status, env=in_locale(language)).stderr
                for language in ("vi_VN.UTF-8", "C.UTF-8")}
        assert vietnamese in told["vi_VN.UTF-8"] and english not in told["vi_VN.UTF-8"], told
        assert english in told["C.UTF-8"] and vietnamese not in told["C.UTF-8"], told
        assert all(text.startswith("luutru: ") and text.count("\n") == 1 for text in told.values()), told
    log = (archive["home"] / "logs" / "luutru.log").read_text(encoding="utf-8")
    assert "không có văn bản" not in log  # the log stays English, for whoever keeps the machine


def test_the_archives_status_and_a_document_are_told_in_the_terminals_language(archive):
    for command, vietnamese, english in ((("status",), "thư mục lưu trữ: ", "archive home: "),
                                         (("show", "1"), "\n--- trang 1 (", "\n--- page 1 ("),
                                         (("doctor",), ": đã cài trong /", ": installed in /"),
                                         (("check",), "\nkhớp nhau\n", "\nconsistent\n")):
        told = {language: run_luutru(archive["home"], *command, env=in_locale(language)).stdout
                for language in ("vi_VN.UTF-8", "C.UTF-8")}
        assert vietnamese in told["vi_VN.UTF-8"] and english not in told["vi_VN.UTF-8"], told
        assert english in told["C.UTF-8"] and vietnamese not in told["C.UTF-8"], told


def test_every_message_marked_for_translation_is_in_the_vietnamese_catalog_and_compiled():
    import gettext
    import io

    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from luutru.i18n import LOCALE

    with open(REPOSITORY / "babel.cfg", encoding="utf-8") as config:  # as `make catalogs` reads the code and pages
        method_map, options_map = parse_mapping_cfg(config)
    marked = {message for folder in ("luutru", "pipeline", "index", "export", "scanners", "web")
              for _, _, message, _, _ in extract_from_dir(REPOSITORY / folder, method_map, options_map, keywords={
                  "_": None, "N_": None, "ngettext": (1, 2)})}
    po = LOCALE / "vi" / "LC_MESSAGES" / "luutru.po"
    with open(po, "rb") as stream:
        catalog = read_po(stream)
    translated = {message.id: message.string for message in catalog if message.id}
    assert {message if isinstance(message, str) else tuple(message) for message in marked} == {
        message if isinstance(message, str) else tuple(message) for message in translated}
    assert all(translated.values()) and not any(message.fuzzy for message in catalog if message.id)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with open(po.with_suffix(".mo"), "rb") as stream:
        committed = gettext.GNUTranslations(stream)
    for message in translated:
        if isinstance(message, str):
            assert committed.gettext(message) == fresh.gettext(message) != message, message
        else:
            assert committed.ngettext(*message, 2) == fresh.ngettext(*message, 2) != message[1], message


def test_the_roles_the_command_line_offers_are_the_accounts_roles():
    """`users add --role` and `search --role` name them without loading Argon2 (pipeline.users)."""
    from luutru.cli import ROLE_NAMES
    from luutru.pipeline.users import ROLES

    assert ROLE_NAMES == tuple(ROLES)
