"""Documents inside a scan: a dossier scanned as one PDF is found to hold its documents, each with
its own fields, and results are documents. With the real Tesseract, poppler, SQLite and the
`luutru` command."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLES, json_of, run_luutru, settled
from PIL import Image

from luutru.pipeline.documents import segment, start_signals
from luutru.scanners import Kind, count_pages, render_page
from samples.damage import faded_photocopy, noisy_yellowed, uneven_light
from samples.synthetic_dossiers import make_dossier

# The sample scans, in the order a dossier might hold them, and the number each document bears.
DOSSIER = ["2023/qd-123-giao-dat.jpg", "2022/gcn-thua-87.tif", "2023/cv-45-ra-soat.png",
           "2023/bc-56-dat-dai.pdf", "2024/ttr-09-mo-ma.jpg", "2024/tb-18-tiep-cong-dan.pdf"]
STARTS = [1, 2, 4, 5, 8, 9]
NUMBERS = {1: "123/QĐ-UBND", 4: "45/UBND-TNMT", 5: "56/BC-TNMT", 8: "09/TTr-TNMT", 9: "18/TB-UBND"}
DPI = 200  # Circular 05/2025's resolution for administrative documents


def _kind(path: Path) -> Kind:
    return {".jpg": Kind.JPEG, ".tif": Kind.TIFF, ".png": Kind.PNG, ".pdf": Kind.PDF}[path.suffix]


def dossier_pdf(target: Path, damage=None) -> Path:
    """The sample documents scanned as one PDF, each page optionally damaged."""
    rng = random.Random(13)
    images = []
    for name in DOSSIER:
        path = SAMPLES / name
        for page in range(1, count_pages(path, _kind(path)) + 1):
            image = render_page(path, _kind(path), page, dpi=DPI).convert("RGB")
            images.append(damage(image, rng).convert("RGB") if damage else image)
    images[0].save(target, save_all=True, append_images=images[1:], resolution=DPI)
    return target


@pytest.fixture(scope="module")
def dossier(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("dossier")
    scans = base / "scans"
    scans.mkdir()
    settled(dossier_pdf(scans / "ho-so-2023.pdf"))
    home = base / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "2")
    return {"home": home, "scans": scans, "pdf": scans / "ho-so-2023.pdf"}


@pytest.mark.slow
def test_a_scanned_dossier_is_split_into_its_documents_each_with_its_own_fields(dossier):
    shown = json_of(run_luutru(dossier["home"], "show", str(dossier["pdf"]), "--json"))
    documents = shown["documents"]
    assert [document["first_page"] for document in documents] == STARTS
    assert [document["last_page"] for document in documents] == [1, 3, 4, 7, 8, 9]
    assert {document["first_page"]: document["number"] for document in documents if document["number"]} == NUMBERS
    by_page = {document["first_page"]: document for document in documents}
    assert by_page[1]["type"] == "Quyết định" and by_page[1]["issued"] == "2023-09-12"
    assert by_page[2]["type"] == "Giấy chứng nhận quyền sử dụng đất" and "87" in by_page[2]["parcels"]
    assert by_page[5]["type"] == "Báo cáo" and not shown["split_by_hand"]


def test_results_are_documents_with_their_pages_and_fields(dossier):
    result = json_of(run_luutru(dossier["home"], "search", "thua dat so 245", "--json"))
    first = result["documents"][0]
    assert {"path", "first_page", "last_page", "number", "type", "issued", "pages", "dossier"} <= set(first)
    assert (first["first_page"], first["last_page"], first["number"]) == (1, 1, "123/QĐ-UBND")
    assert first["type"] == "Quyết định" and first["issued"] == "2023-09-12" and first["dossier"] is None
    # Two documents of the same file are two results, each with its own pages.
    spread = json_of(run_luutru(dossier["home"], "search", "dat", "--json", "--limit", "20"))
    ranges = {(document["first_page"], document["last_page"]) for document in spread["documents"]}
    assert {(1, 1), (2, 3), (5, 7)} <= ranges
    human = run_luutru(dossier["home"], "search", "bao cao ket qua quan ly dat dai").stdout
    assert "ho-so-2023.pdf, pages 5-7" in human
    filtered = json_of(run_luutru(dossier["home"], "search", "dat", "--type", "bao cao", "--json"))
    assert [(document["first_page"], document["type"]) for document in filtered["documents"]] == [(5, "Báo cáo")]


@pytest.mark.slow
def test_a_split_set_by_hand_holds_for_every_copy_and_survives_reindexing(dossier, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(dossier["home"], home, symlinks=True)
    split = json_of(run_luutru(home, "split", str(dossier["pdf"]), "--starts", "1,2,4", "--json"))
    assert [document["first_page"] for document in split["documents"]] == [1, 2, 4] and split["split_by_hand"]
    run_luutru(home, "reindex", "--full")
    shown = json_of(run_luutru(home, "show", str(dossier["pdf"]), "--json"))
    assert [document["last_page"] for document in shown["documents"]] == [1, 3, 9] and shown["split_by_hand"]
    assert "split by hand" in run_luutru(home, "show", str(dossier["pdf"])).stdout
    copy = tmp_path / "copy"
    copy.mkdir()
    settled(shutil.copy2(dossier["pdf"], copy / "ban-sao.pdf"))
    assert json_of(run_luutru(home, "ingest", str(copy), "--json"))["reused"] == 1
    copied = json_of(run_luutru(home, "show", str(copy / "ban-sao.pdf"), "--json"))
    assert [document["first_page"] for document in copied["documents"]] == [1, 2, 4]
    found = json_of(run_luutru(home, "search", "mo ma", "--json"))
    assert {(d["first_page"], d["last_page"]) for d in found["documents"]} == {(4, 9)}
    auto = json_of(run_luutru(home, "split", str(dossier["pdf"]), "--auto", "--json"))
    assert [document["first_page"] for document in auto["documents"]] == STARTS and not auto["split_by_hand"]
    bad = run_luutru(home, "split", str(dossier["pdf"]), "--starts", "1,12", check_code=2)
    assert "not 12" in bad.stderr
    # Without an option: the split as it stands; a value that is no page list is a usage error, never a bug.
    current = json_of(run_luutru(home, "split", str(dossier["pdf"]), "--json"))
    assert [document["first_page"] for document in current["documents"]] == STARTS
    plain = run_luutru(home, "split", str(dossier["pdf"])).stdout
    assert plain.startswith("page 1: ") and "ngày 12/09/2023" in plain  # dates as archivists write them
    for wrong in (["--starts", "a"], ["--starts", "1", "--auto"]):
        refused = run_luutru(home, "split", str(dossier["pdf"]), *wrong, check_code=2)
        assert "internal error" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, wrong


@pytest.mark.slow
def test_a_correction_outranks_what_was_read_and_survives_a_reocr(dossier, tmp_path):
    """`documents set` on a page inside a document corrects that document; the index finds the corrected
    number at once; reading every page again keeps the correction; a wrong date is a one-line usage error."""
    home = tmp_path / "home"
    shutil.copytree(dossier["home"], home, symlinks=True)
    pdf = str(dossier["pdf"])
    set_ = json_of(run_luutru(home, "documents", "set", f"{pdf}:6", "--number", "57/BC-TNMT", "--type", "02",
                              "--issued", "03/10/2023", "--json"))
    report = next(document for document in set_["documents"] if document["first_page"] == 5)
    assert (report["number"], report["type"], report["issued"]) == ("57/BC-TNMT", "Quyết định", "2023-10-03")
    assert report["corrected"] == ["doc_type", "issued", "number", "year"] and report["year"] == 2023
    assert json_of(run_luutru(home, "search", "--number", "57/BC-TNMT", "--json"))["documents"][0]["first_page"] == 5
    reread = json_of(run_luutru(home, "reindex", "--reocr", "--below", "100", "--jobs", "2", "--json"))
    assert reread["reread"] == 9, reread
    shown = json_of(run_luutru(home, "show", pdf, "--json"))
    again = next(document for document in shown["documents"] if document["first_page"] == 5)
    assert (again["number"], again["issued"]) == ("57/BC-TNMT", "2023-10-03")
    untouched = next(document for document in shown["documents"] if document["first_page"] == 4)
    assert untouched["number"] == NUMBERS[4] and "corrected" not in untouched
    assert "số 57/BC-TNMT (corrected)" in run_luutru(home, "show", pdf).stdout
    for target, wrong in ((pdf, ["--issued", "31/02/2023"]), (pdf, []), (f"{pdf}:12", ["--number", "1/QĐ"])):
        refused = run_luutru(home, "documents", "set", target, *wrong, check_code=2)
        assert "internal error" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, wrong


@pytest.mark.slow
def test_a_damaged_dossier_still_splits(tmp_path):
    damages = [faded_photocopy, uneven_light, noisy_yellowed]

    def damaged(image: Image.Image, rng: random.Random) -> Image.Image:
        return rng.choice(damages)(image, rng)
    scans = tmp_path / "scans"
    scans.mkdir()
    settled(dossier_pdf(scans / "ho-so.pdf", damaged))
    run_luutru(tmp_path / "home", "ingest", str(scans), "--jobs", "2")
    shown = json_of(run_luutru(tmp_path / "home", "show", str(scans / "ho-so.pdf"), "--json"))
    assert [document["first_page"] for document in shown["documents"]] == STARTS


def test_first_pages_continuations_and_appendices_are_told_apart():
    rng = random.Random(3)
    dossier = make_dossier(rng, "decree")
    assert [span.first_page for span in segment(dossier.pages)] == dossier.starts
    appendix = "PHỤ LỤC\n(Kèm theo Quyết định số 12/QĐ-UBND ngày 3 tháng 2 năm 2020\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    operative = "Căn cứ Quyết định số 12/QĐ-UBND ngày 3 tháng 2 năm 2020;\nQUYẾT ĐỊNH:\nĐiều 1. Giao đất"
    assert [span.first_page for span in segment(["x", appendix, operative])] == [1]
    assert start_signals(operative) == {"motto": False, "title": False, "number": False, "place_date": False,
                                             "addressed": False}
    assert [span.first_page for span in segment(["a", "b", "c"], starts=[3, 1, 7])] == [1, 3]


def test_what_a_decision_issues_stays_with_it_under_its_own_motto_and_title():
    """A decision issues a plan "kèm theo" it, whose first page carries its own motto and title (as the Prime
    Minister's decisions do); a new document that mentions an attachment in its body still starts."""
    decision = ("THỦ TƯỚNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                "Số: 932/QĐ-TTg\nHà Nội, ngày 15 tháng 5 năm 2025\nQUYẾT ĐỊNH\nVề việc ban hành Kế hoạch\n")
    plan = ("THỦ TƯỚNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nKẾ HOẠCH\n"
            "Triển khai thực hiện Nghị quyết số 66/NQ-CP\n(Kèm theo Quyết định số 932/QĐ-TTg ngày 15 tháng 5 năm 2025\n"
            "của Thủ tướng Chính phủ)\nI. MỤC ĐÍCH, YÊU CẦU")
    regulation = plan.replace("KẾ HOẠCH", "QUY CHẾ").replace("(Kèm theo", "(Ban hành kèm theo")
    letter = ("ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
              "Số: 45/UBND-TNMT\nThạch Thất, ngày 3 tháng 10 năm 2023\nV/v gửi hồ sơ kèm theo\nKính gửi: UBND xã")
    assert [span.first_page for span in segment([decision, "Điều 2.", plan, "II. NHIỆM VỤ", regulation])] == [1]
    assert [span.first_page for span in segment([decision, plan, letter])] == [1, 3]


def test_segmentation_benchmark_runs_small():
    from benchmarks.segmentation import measure

    for family in ("decree", "other"):
        result = measure(family, noisy=True, dossiers=5, seed=11)
        assert result["f1"] >= 0.95 and result["exact"] >= 0.9, result


def test_the_rarer_kinds_are_read_from_their_title_and_a_chapter_heading_starts_nothing():
    """A regulation issued by a decision: its first page says "QUY CHẾ" (the circular's code 04); its second page
    opens on a chapter heading in capitals ("QUY ĐỊNH CHUNG"), which is no title: the regulation goes on."""
    from luutru.pipeline.circular05 import circular_type
    from luutru.pipeline.metadata import extract_fields

    first = ("ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
             "QUY CHẾ\nTiếp công dân tại trụ sở Ủy ban nhân dân huyện\n"
             "(Ban hành kèm theo Quyết định số 25/QĐ-UBND ngày 10 tháng 3 năm 2024)\n")
    second = ("Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\nQuy chế này quy định việc tiếp công dân "
              "thường xuyên và định kỳ tại trụ sở Ủy ban nhân dân huyện.\n")
    assert extract_fields([first, second]).doc_type == "Quy chế"
    assert circular_type("Quy chế") == ("04", "")
    assert [span.first_page for span in segment([first, second])] == [1]
    for title, code in (("CÔNG ĐIỆN", "23"), ("GIẤY GIỚI THIỆU", "27"), ("ĐỀ ÁN", "12"), ("PHIẾU CHUYỂN", "18")):
        page = f"ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT\nSố: 12/UBND\n{title}\nVề việc rà soát hồ sơ địa chính\n"
        assert circular_type(extract_fields([page]).doc_type)[0] == code, title


@pytest.mark.slow
def test_a_use_mode_set_by_hand_holds_for_its_pages_through_splits_and_merges(dossier, tmp_path):
    """A mode is the pages': the report (pages 5-7) made secret stays secret in both halves when split, one half made
    public again stays so, and merged back the whole is as strict as its strictest page; a document of which only
    some pages have a mode set is as strict as the stricter of that and the mode it inherits. A catalog whose mode
    was a correction of a first page (schema 8) comes up with the pages the document had."""
    home = tmp_path / "home"
    shutil.copytree(dossier["home"], home, symlinks=True)
    pdf = str(dossier["pdf"])

    def modes() -> dict[int, str | None]:
        return {document["first_page"]: document.get("mode")
                for document in json_of(run_luutru(home, "show", pdf, "--json"))["documents"]}

    def found_by(role: str, query: str) -> set[int]:
        return {document["first_page"] for document in json_of(run_luutru(
            home, "search", query, "--role", role, "--json", check_code=None))["documents"]}

    run_luutru(home, "documents", "set", f"{pdf}:6", "--mode", "03")
    run_luutru(home, "split", pdf, "--starts", "1,2,4,5,6,8,9")
    assert (modes()[5], modes()[6]) == ("03", "03") and 6 not in found_by("archivist", "ton dong")
    run_luutru(home, "documents", "set", f"{pdf}:7", "--mode", "01")
    assert (modes()[5], modes()[6]) == ("03", "01") and 6 in found_by("clerk", "ton dong")
    run_luutru(home, "split", pdf, "--starts", ",".join(map(str, STARTS)))
    assert modes()[5] == "03" and 5 not in found_by("archivist", "ton dong") | found_by("archivist", "bao cao")
    (home / "config.toml").write_text('[package]\nmode = "02"\n', encoding="utf-8")
    run_luutru(home, "reindex", "--full")
    run_luutru(home, "documents", "set", f"{pdf}:9", "--mode", "01")
    assert 9 in found_by("clerk", "tiep cong dan")
    run_luutru(home, "split", pdf, "--starts", "1,2,4,5,8")  # 8 (inherits 02) and 9 (01) as one document
    assert found_by("clerk", "tiep cong dan") == set() and 8 in found_by("archivist", "tiep cong dan")
    with sqlite3.connect(home / "catalog.sqlite3") as db:  # as schema 8 kept a mode: in the first page's corrections
        db.executescript("DELETE FROM page_modes; INSERT OR REPLACE INTO corrections VALUES ((SELECT sha256 FROM "
                         "files LIMIT 1), 5, '{\"mode\": \"03\", \"number\": \"56/BC-TNMT\"}', '2026-01-01T00:00:00');"
                         "DROP TABLE page_modes; PRAGMA user_version = 8;")
    run_luutru(home, "split", pdf, "--starts", ",".join(map(str, STARTS)))
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        assert db.execute("SELECT first_page, last_page, mode FROM page_modes").fetchall() == [(5, 7, "03")]
        assert db.execute("SELECT fields FROM corrections WHERE first_page = 5").fetchone() == (
            '{"number":"56/BC-TNMT"}',)
