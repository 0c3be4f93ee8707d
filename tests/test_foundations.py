"""Foundations: legacy Vietnamese encodings, earlier OCR layers, names that are not UTF-8, pages that
know their geometry and provenance, and changed files that never lose their good text first.

Everything through the real `luutru` command, Tesseract, poppler and SQLite.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import shutil
import sqlite3
import subprocess
import tempfile
import textwrap
import unicodedata
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from conftest import LUUTRU, SAMPLES, TRUTH, char_error_rate, json_of, run_luutru, settled, word_centres
from made_pdfs import DEJAVU, PORTAL_SIGNATURE, digitally_signed, earlier_ocr_pdf, portal_signed_pdf
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from luutru.index.store import live_generation
from luutru.index.words import takes_its_tone
from luutru.pipeline.catalog import catalog_names
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.quality import well_read
from luutru.pipeline.reader import ArchiveReader
from luutru.pipeline.tuning import TUNING
from luutru.pipeline.vietnamese import from_tcvn3, is_syllable, readable_name, repair_legacy, vietnamese_score
from luutru.pipeline.work import PageJob, PageOutcome, process_page
from luutru.scanners import Kind, text_layer
from luutru.scanners.signatures import pdf_signatures

LETTER = SAMPLES / "2023" / "cv-45-ra-soat.png"  # one page, "V/v rà soát hồ sơ cấp giấy chứng nhận ..."
LETTER_TEXT = TRUTH["2023/cv-45-ra-soat.png"][0]
# A paragraph typed with a VNI font, as a PDF reader hands it over, and what it says.
VNI_TEXT = ("UÛy ban nhaân daân huyeän Thaïch Thaát. Quyeát ñònh veà vieäc giao ñaát cho hoä gia ñình oâng "
            "Nguyeãn Vaên Huøng taïi thöûa ñaát soá 245, tôø baûn ñoà soá 12.")
VNI_MEANS = ("Ủy ban nhân dân huyện Thạch Thất. Quyết định về việc giao đất cho hộ gia đình ông "
             "Nguyễn Văn Hùng tại thửa đất số 245, tờ bản đồ số 12.")


def iconv(text: str, encoding: str) -> bytes:
    """The text in a legacy encoding, by glibc's converter (independent of luutru's tables)."""
    return subprocess.run(["iconv", "-f", "UTF-8", "-t", encoding], input=text.encode(), capture_output=True,
                          check=True).stdout


def text_pdf(path: Path, lines: list[str], invisible: bool = False, image: Path | None = None,
             font: str = "Helvetica") -> Path:
    """A PDF page with these lines, drawn visibly or invisibly, over a page image if given. Helvetica's
    codes pass through as Latin-1, as a .VnTime or VNI font's do; DejaVuSans holds Vietnamese."""
    if font == "DejaVuSans":
        pdfmetrics.registerFont(TTFont(font, DEJAVU))
    page = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    if image is not None:
        page.drawImage(ImageReader(str(image)), 0, 0, width, height)
    text = page.beginText(50, height - 60)
    text.setFont(font, 10)
    if invisible:
        text.setTextRenderMode(3)
    for line in lines:
        for part in textwrap.wrap(line, 95) or [""]:
            text.textLine(part)
    page.drawText(text)
    page.save()
    return path


def pages_of(home: Path) -> list[dict]:
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(
            "SELECT f.path, p.* FROM pages p JOIN files f ON f.id = p.file_id ORDER BY f.path, p.page")]


# Legacy encodings ----------------------------------------------------------------------------

def test_the_tcvn3_table_is_glibcs():
    for byte in range(0xA0, 0x100):
        decoded = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([byte]),
                                 capture_output=True, check=True).stdout.decode()
        assert from_tcvn3(chr(byte)) == decoded, hex(byte)


def test_legacy_text_is_converted_and_unicode_text_is_left_alone():
    tcvn3 = iconv(LETTER_TEXT.lower(), "TCVN5712-1").decode("latin-1")
    assert repair_legacy(tcvn3) == (unicodedata.normalize("NFC", LETTER_TEXT.lower()), "tcvn3")
    assert repair_legacy(VNI_TEXT) == (VNI_MEANS, "vni")
    for text in (LETTER_TEXT, "Invoice total, résumé, café, naïve façade", "Số: 123/QĐ-UBND"):
        assert repair_legacy(text) == (unicodedata.normalize("NFC", text), None)


def test_syllables_tell_vietnamese_from_mojibake_and_from_text_without_marks():
    assert all(is_syllable(word) for word in ("nghiêng", "khuỷu", "quyết", "Đồng", "xoong", "gì"))
    assert not any(is_syllable(word) for word in ("nh©n", "nhaân", "thöûa", "UBND", "qwerty"))
    assert vietnamese_score(LETTER_TEXT) > 0.8
    stripped = "".join(c for c in unicodedata.normalize("NFD", LETTER_TEXT) if not unicodedata.combining(c))
    assert vietnamese_score(stripped.replace("đ", "d").replace("Đ", "D")) < 0.2


def test_a_syllable_closed_by_p_t_c_ch_takes_only_the_sac_or_nang_tone():
    # What OCR leaves when it loses a tone mark stacked over a hat: "cấp" read "câp".
    assert all(takes_its_tone(word) for word in ("cấp", "cập", "MẬT", "thích", "việc", "Bắc", "đất", "chông"))
    assert not any(takes_its_tone(word) for word in ("câp", "cầp", "Mât", "viêc", "đât", "thỉch"))
    assert all(takes_its_tone(word) for word in ("cap", "hoc", "thich"))  # folded spellings, as a clerk types them
    assert is_syllable("câp")  # a syllable's shape still: a judge of junk counts it as writing
    assert not well_read("(câp)") and not well_read("MÂT")
    assert all(well_read(token) for token in ("HĐQT", "TĐC", "QĐ-UBND", "Đ/c"))  # codes are no syllables


def test_tcvn3_and_vni_text_layers_are_converted_and_found(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    tcvn3_lines = [iconv(line.lower(), "TCVN5712-1").decode("latin-1") for line in LETTER_TEXT.splitlines()]
    text_pdf(scans / "tcvn3.pdf", tcvn3_lines)
    text_pdf(scans / "vni.pdf", [VNI_TEXT])
    home = tmp_path / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    pages = {Path(page["path"]).name: page for page in pages_of(home)}
    assert pages["tcvn3.pdf"]["source"] == "text-layer"
    assert json.loads(pages["tcvn3.pdf"]["diagnostics"])["legacy_encoding"] == "tcvn3"
    assert char_error_rate(LETTER_TEXT.lower(), pages["tcvn3.pdf"]["text"]) < 0.01
    assert " ".join(pages["vni.pdf"]["text"].split()) == VNI_MEANS
    for query, name in (("rà soát hồ sơ", "tcvn3.pdf"), ("thua dat so 245", "vni.pdf")):
        found = json_of(run_luutru(home, "search", query, "--json"))
        assert [Path(hit["path"]).name for hit in found["hits"]] == [name], query


# Earlier OCR layers --------------------------------------------------------------------------

@pytest.mark.slow
def test_an_earlier_ocr_layer_is_kept_only_where_it_reads_better_than_our_own_reading(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    # Searchable PDFs as a scanner or OCRmyPDF makes them: Tesseract's invisible words over the page image,
    # read in Vietnamese, and in English (every mark lost); and one whose scanner read its full-quality capture
    # but stored the page blurred into a small JPEG, which reads worse than the scanner's own text.
    earlier_ocr_pdf(LETTER, scans / "good-prior-ocr.pdf", "vie")
    earlier_ocr_pdf(LETTER, scans / "prior-ocr-without-vietnamese.pdf", "eng")
    with Image.open(LETTER) as scan:
        blurred = scan.convert("L").reduce(3).resize(scan.size, Image.BILINEAR)
    earlier_ocr_pdf(LETTER, scans / "prior-ocr-over-a-poor-copy.pdf", "vie", stored=blurred)
    text_pdf(scans / "typed.pdf", LETTER_TEXT.splitlines(), font="DejaVuSans")
    home = tmp_path / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    pages = {Path(page["path"]).name: page for page in pages_of(home)}
    assert pages["typed.pdf"]["source"] == "text-layer" and pages["typed.pdf"]["confidence"] == 100
    for name in ("good-prior-ocr.pdf", "prior-ocr-without-vietnamese.pdf"):  # our reading is no worse
        page = pages[name]
        assert page["source"] == "ocr" and json.loads(page["diagnostics"])["text_layer_covers"] > 0.9, name
        assert char_error_rate(LETTER_TEXT, page["text"]) < 0.05, name
    kept = pages["prior-ocr-over-a-poor-copy.pdf"]
    assert kept["source"] == "prior-ocr"
    assert kept["text"] == text_layer(scans / "prior-ocr-over-a-poor-copy.pdf", 1).strip()
    found = json_of(run_luutru(home, "search", '"rà soát hồ sơ"', "--json"))
    assert {Path(hit["path"]).name for hit in found["hits"]} == set(pages)
    listed = json_of(run_luutru(home, "review", "--source", "prior-ocr", "--json"))["pages"]
    assert [Path(page["path"]).name for page in listed] == ["prior-ocr-over-a-poor-copy.pdf"]
    assert "earlier OCR" in listed[0]["causes"][-1]


@pytest.mark.slow
def test_a_signed_scan_is_read_by_ocr_and_its_signature_block_kept_once_beside(tmp_path):
    """A portal's signed scan carries a text layer: the four lines of the signature block it drew over page 1.
    The page is no born-digital page: its scanned text is read, and the block's lines are kept exactly, once."""
    scans = tmp_path / "scans"
    scans.mkdir()
    portal_signed_pdf([LETTER, SAMPLES / "2022" / "gcn-thua-87.tif"], scans / "signed.pdf")
    home = tmp_path / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    first, second = pages_of(home)
    assert first["source"] == second["source"] == "ocr"
    diagnostics = json.loads(first["diagnostics"])
    assert diagnostics["text_layer_covers"] < TUNING.layer_covers
    assert diagnostics["text_layer_beside"] == sum(len(line.split()) for line in PORTAL_SIGNATURE)
    scanned, block = first["text"].rsplit("\n", len(PORTAL_SIGNATURE))[0], first["text"].splitlines()[-4:]
    assert block == list(PORTAL_SIGNATURE)
    assert char_error_rate(LETTER_TEXT, scanned) < 0.1
    assert first["text"].count("CHÍNH PHỦ") == 2  # the block's, not read a second time from the image
    words = {word[0]: word for word in json.loads(first["words"])}
    height = json.loads(first["geometry"])["height"]
    assert words["23.04.2026"][1] == 100 and words["23.04.2026"][3] < 0.05 * height  # the layer's, at the top
    for query in ("rà soát hồ sơ cấp giấy", "thoi gian ky 23.04.2026"):
        assert [Path(hit["path"]).name for hit in json_of(run_luutru(home, "search", query, "--json"))["hits"]] \
            == ["signed.pdf"], query
    document = json_of(run_luutru(home, "show", str(scans / "signed.pdf"), "--json"))["documents"][0]
    assert document["number"] == "45/UBND-TNMT"


@pytest.mark.slow
def test_a_signed_pdfs_digital_signature_is_checked_recorded_and_shown_and_the_file_left_valid(tmp_path):
    """The portal signs the scan digitally: the check finds it intact (the signer, the time), and finds a copy
    re-saved by another tool broken; the originals are only read, so their signatures stay valid."""
    scans = tmp_path / "scans"
    scans.mkdir()
    unsigned = portal_signed_pdf([LETTER], tmp_path / "unsigned.pdf")
    signed = digitally_signed(unsigned, scans / "signed.pdf")
    with pikepdf.open(signed) as pdf:
        pdf.save(scans / "re-saved.pdf")  # a tool that rewrites the file: the bytes signed are gone
    before = {path.name: path.read_bytes() for path in scans.iterdir()}
    home = tmp_path / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    assert {path.name: path.read_bytes() for path in scans.iterdir()} == before
    checked = json_of(run_luutru(home, "show", str(scans / "signed.pdf"), "--json"))["signatures"]
    assert [(found["signer"], found["intact"], found["whole_file"]) for found in checked] == \
        [("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ, VĂN PHÒNG CHÍNH PHỦ", True, True)]
    assert checked[0]["signed_at"][:4] == str(datetime.date.today().year) and checked[0]["digest"] == "sha256"
    shown = run_luutru(home, "show", str(scans / "re-saved.pdf")).stdout
    assert "digital signature by CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ" in shown and "BROKEN" in shown
    assert pdf_signatures(scans / "signed.pdf")[0].intact  # luutru read it: it is still the file that was signed
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    with sqlite3.connect(home / "catalog.sqlite3") as db:
        ids = dict((Path(path).name, file_id) for file_id, path in db.execute("SELECT id, path FROM files"))
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        counter = client.get(f"/document/{ids['signed.pdf']}/1").text
        assert "Chữ ký số" in counter and "còn nguyên vẹn" in counter and "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ" in counter
        assert "ĐÃ BỊ SỬA sau khi ký" in client.get(f"/document/{ids['re-saved.pdf']}/1").text


# File names ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_names_that_are_not_utf8_are_ingested_shown_and_found(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    names = {"TCVN5712-1": "Công văn rà soát.png", "CP1258": "Hồ sơ giao đất.png"}
    for encoding, name in names.items():
        raw = os.path.join(os.fsencode(scans), iconv(name, encoding))
        shutil.copy2(LETTER, raw)
    shutil.copy2(LETTER, scans / unicodedata.normalize("NFD", "Quyết định.png"))
    home = tmp_path / "home"
    summary = json_of(run_luutru(home, "ingest", str(scans), "--jobs", "1", "--json"))
    assert summary["new"] == 3 and not summary["failures"]
    found = json_of(run_luutru(home, "search", "ra soat", "--json"))
    readable = {Path(hit["path"]).name for hit in found["hits"]}
    assert readable == {*names.values(), "Quyết định.png"}
    for name in readable:  # typed as a person types it (NFC), whatever the disk holds
        shown = json_of(run_luutru(home, "show", str(scans / name), "--json"))
        assert shown["file"]["path"] == str(scans / name)
    assert json_of(run_luutru(home, "verify", "--json"))["intact"]
    assert json_of(run_luutru(home, "reindex", "--json"))["unchanged"] == 3


def test_readable_names_of_each_legacy_encoding():
    for encoding in ("TCVN5712-1", "CP1258"):
        assert readable_name(iconv("Hồ sơ/Quyết định 2019.pdf", encoding)) == "Hồ sơ/Quyết định 2019.pdf"
    assert readable_name("Quyết định.pdf".encode()) == "Quyết định.pdf"


def test_a_folders_names_are_made_readable_at_once_or_one_by_one():
    plain = ["/scans/Hồ sơ/Quyết định.pdf", "/scans/Hồ sơ/a.png"]  # NFC in UTF-8: kept as they are, in one check
    assert catalog_names(plain) is plain
    decomposed = unicodedata.normalize("NFD", "/scans/Quyết định.png")
    legacy = os.fsdecode(b"/scans/" + iconv("Hồ sơ giao đất.png", "CP1258"))
    assert catalog_names(["/scans/a.png", decomposed, legacy]) == [
        "/scans/a.png", "/scans/Quyết định.png", "/scans/Hồ sơ giao đất.png"]


# Changed files -------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_half_copied_scan_never_replaces_good_text(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    scan = scans / "cong-van.png"
    shutil.copy2(LETTER, scan)
    home = tmp_path / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "1")

    scan.write_bytes(LETTER.read_bytes()[: LETTER.stat().st_size // 3])  # the copy is still running
    waiting = json_of(run_luutru(home, "reindex", "--json"))
    assert waiting["settling"] == [str(scan)] and waiting["changed"] == 0
    settled(scan)  # the copy stopped half way
    half = json_of(run_luutru(home, "reindex", "--json", check_code=1))
    assert half["changed"] == 1 and "kept" in half["failures"][0]["reason"]
    found = json_of(run_luutru(home, "search", "ra soat ho so", "--json"))
    assert [hit["path"] for hit in found["hits"]] == [str(scan)]

    shutil.copy2(SAMPLES / "2024" / "ttr-09-mo-ma.jpg", scan)  # a new, whole version
    settled(scan)
    run_luutru(home, "reindex")
    assert not json_of(run_luutru(home, "search", "ra soat ho so", "--json"))["hits"]
    assert json_of(run_luutru(home, "search", "mo ma", "--json"))["hits"][0]["path"] == str(scan)
    assert json_of(run_luutru(home, "check", "--json"))["consistent"]


# Geometry and provenance ---------------------------------------------------------------------

@pytest.mark.slow
def test_word_boxes_lie_on_the_original_of_a_turned_and_skewed_scan(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    upright = Image.open(LETTER).convert("L")
    upright.save(scans / "upright.png")
    angle = -92.0  # on its side, and 2 degrees askew (Pillow turns counter-clockwise)
    upright.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255).save(scans / "turned.png")
    home = tmp_path / "home"
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    pages = {Path(page["path"]).name: page for page in pages_of(home)}
    turned = pages["turned.png"]
    geometry = json.loads(turned["geometry"])
    assert json.loads(turned["diagnostics"])["rotated"] in (90, 270) and geometry["boxes"] == "original"
    turned_image = Image.open(scans / "turned.png")
    assert (geometry["width"], geometry["height"]) == turned_image.size

    # Where each word of the upright page must lie on the turned original.
    theta = math.radians(angle)
    (w0, h0), (w1, h1) = upright.size, turned_image.size
    expected = {text: (math.cos(theta) * (x - w0 / 2) + math.sin(theta) * (y - h0 / 2) + w1 / 2,
                       -math.sin(theta) * (x - w0 / 2) + math.cos(theta) * (y - h0 / 2) + h1 / 2)
                for text, (x, y) in word_centres(json.loads(pages["upright.png"]["words"])).items()}
    found = word_centres(json.loads(turned["words"]))
    common = sorted(set(expected) & set(found))
    assert len(common) >= 20
    misses = sorted(math.dist(expected[text], found[text]) for text in common)
    assert misses[len(misses) // 2] < 8 and misses[int(len(misses) * 0.9)] < 20
    # The word's box covers the word's ink in the original.
    ink = [int(np.asarray(turned_image.crop((left, top, left + width, top + height))).min())
           for text, confidence, left, top, width, height in json.loads(turned["words"]) if text in common]
    assert max(ink) < 100


def test_a_600_dpi_master_is_read_at_300_dpi_size_with_its_boxes_on_it(tmp_path):
    """Archives keep 600 dpi masters: the page is read at the size of 300 dpi text (every size cleanup
    knows is in 300 dpi pixels, and Tesseract reads no better for more), as well as the 300 dpi scan,
    and its word boxes lie on the master where the 300 dpi reading's do, twice as far out."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        master = scan.convert("L").resize((scan.width * 2, scan.height * 2), Image.LANCZOS)
    master.save(tmp_path / "master.png", dpi=(600, 600))
    normal = process_page(PageJob(1, str(SAMPLES / name), Kind.PNG, 1))
    read = process_page(PageJob(1, str(tmp_path / "master.png"), Kind.PNG, 1))
    assert read.error is None and 0.45 < read.diagnostics["scaled"] < 0.55 and "scaled" not in normal.diagnostics
    assert char_error_rate(TRUTH[name][0], read.text) <= char_error_rate(TRUTH[name][0], normal.text) + 0.01
    expected = {text: (2 * x, 2 * y) for text, (x, y) in word_centres(_word_rows(normal)).items()}
    found = word_centres(_word_rows(read))
    common = sorted(set(expected) & set(found))
    assert len(common) >= 20
    misses = sorted(math.dist(expected[text], found[text]) for text in common)
    assert misses[len(misses) // 2] < 6, misses
    assert read.geometry["to_read"][0] < 0.55  # the map onto what was read holds the scaling


def test_a_200_dpi_scan_is_read_at_300_dpi_size_unless_its_letters_disagree(tmp_path):
    """Older scanning was often done at 200 dpi, and a damaged page's small letters read far worse (over
    the sample scans with augraphy's drum damage, 0.29 -> 0.22): a file that says 200 dpi is read scaled
    up, its word boxes brought back onto it. A 300 dpi page whose file wrongly says 200 is not: its
    letters are already 300 dpi size."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        small = scan.convert("L").resize((round(scan.width * 2 / 3), round(scan.height * 2 / 3)), Image.LANCZOS)
        scan.save(tmp_path / "mistagged.png", dpi=(200, 200))
    small.save(tmp_path / "tagged.png", dpi=(200, 200))
    small.save(tmp_path / "untagged.png")
    tagged, untagged, mistagged = (process_page(PageJob(1, str(tmp_path / f"{which}.png"), Kind.PNG, 1))
                                   for which in ("tagged", "untagged", "mistagged"))
    assert tagged.diagnostics["scaled"] == 1.5 and "scaled" not in untagged.diagnostics
    assert "scaled" not in mistagged.diagnostics
    truth = TRUTH[name][0]
    assert char_error_rate(truth, tagged.text) <= char_error_rate(truth, untagged.text) + 0.005  # as well, clean
    expected, found = word_centres(_word_rows(untagged)), word_centres(_word_rows(tagged))
    common = sorted(set(expected) & set(found))
    assert len(common) >= 20
    misses = sorted(math.dist(expected[text], found[text]) for text in common)
    assert misses[len(misses) // 2] < 4, misses  # the boxes lie on the 200 dpi page, where its own reading's do


def _word_rows(outcome: PageOutcome) -> list[tuple]:
    """A page's words as the catalog keeps them: text, confidence, left, top, width, height."""
    return [(word.text, word.confidence, *word.box) for word in outcome.words]


def test_every_page_records_how_it_was_read(searchable):
    for page in pages_of(searchable["home"]):
        provenance = json.loads(page["provenance"])
        assert provenance["settings"].startswith("vie/psm3/dpi300/") and provenance["read_at"]
        if page["source"] == "ocr":
            assert provenance["engine"] in ("tesserocr", "pytesseract") and provenance["tesseract"]
            assert provenance["language"] == "vie" and len(provenance["model"]) == 16
            assert json.loads(page["geometry"])["dpi"] == 300


@pytest.mark.slow
def test_an_old_catalog_gets_what_can_be_derived_and_reocr_reads_the_rest(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    with sqlite3.connect(home / "catalog.sqlite3") as db:  # as luutru left it before version 3
        db.executescript("UPDATE pages SET geometry = NULL, provenance = NULL; PRAGMA user_version = 2;"
                         "ALTER TABLE pages DROP COLUMN geometry; ALTER TABLE pages DROP COLUMN provenance;"
                         "ALTER TABLE files DROP COLUMN raw_path; ALTER TABLE roots DROP COLUMN raw_path;"
                         "DROP TABLE staged_pages; DROP TABLE staged_files;")
    run_luutru(home, "status")
    (page,) = pages_of(home)
    assert json.loads(page["provenance"])["derived"] == 1 and json.loads(page["geometry"])["boxes"] == "read"
    summary = json_of(run_luutru(home, "reindex", "--reocr", "--json"))
    assert summary["reread"] == 1 and summary["pages_ocr"] == 1
    (page,) = pages_of(home)
    assert "derived" not in json.loads(page["provenance"]) and json.loads(page["geometry"])["boxes"] == "original"
    assert json_of(run_luutru(home, "reindex", "--reocr", "--json"))["reread"] == 0
    assert json_of(run_luutru(home, "reindex", "--reocr", "--below", "100", "--json"))["reread"] == 1
    assert json_of(run_luutru(home, "search", "ra soat", "--json"))["hits"]


@pytest.mark.slow
def test_identical_files_reuse_pages_only_when_read_with_the_same_settings(one_scan):
    home, scans = one_scan["home"], one_scan["scans"]
    pdf = text_pdf(scans / "typed.pdf", LETTER_TEXT.splitlines(), font="DejaVuSans")
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    shutil.copy2(pdf, scans / "copy.pdf")
    assert json_of(run_luutru(home, "ingest", str(scans), "--json"))["reused"] == 1
    shutil.copy2(pdf, scans / "another-copy.pdf")
    forced = json_of(run_luutru(home, "ingest", str(scans), "--force-ocr", "--jobs", "1", "--json"))
    assert forced["reused"] == 0 and forced["reread"] == 2  # the copies read before, OCR'd now too
    sources = {Path(page["path"]).name: page["source"] for page in pages_of(home)}
    assert sources == {"cong-van.png": "ocr", "typed.pdf": "ocr", "copy.pdf": "ocr", "another-copy.pdf": "ocr"}


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_benchmark_runs_small(encoding, tmp_path):
    from benchmarks.legacy_text import measure

    result = measure(encoding, pages=4, folder=tmp_path)
    assert result["detected"] == 4 and result["cer"] < 0.01 and result["false_alarms"] == 0


# Readers ------------------------------------------------------------------------------------

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_user_who_may_only_read_the_archive_searches_it(searchable):
    if subprocess.run([*NOBODY, str(LUUTRU), "--version"], capture_output=True).returncode != 0:
        pytest.skip("the user nobody cannot run this virtualenv's luutru here")
    base = Path(tempfile.mkdtemp(prefix="luutru-read-only-"))
    try:
        home = base / "home"
        shutil.copytree(searchable["home"], home, symlinks=True)
        for path in (base, *home.rglob("*"), home):  # read access granted to everyone; write, as luutru left it
            if not path.is_symlink():
                path.chmod(0o555 if path.is_dir() else path.stat().st_mode & 0o666 | 0o444)
        before = {path: path.stat().st_mtime_ns for path in home.rglob("*")}
        for command in (["search", "thua dat so 245", "--json"], ["status", "--json"], ["review", "--json"]):
            result = subprocess.run([*NOBODY, str(LUUTRU), "--home", str(home), *command], capture_output=True,
                                    text=True, encoding="utf-8")
            assert result.returncode == 0 and "Traceback" not in result.stderr, (command, result.stderr)
        assert json.loads(result.stdout)["pages"] is not None
        assert {path: path.stat().st_mtime_ns for path in home.rglob("*")} == before
    finally:
        for path in (base, *base.rglob("*")):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(base)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_a_reader_kept_open_sees_new_commits_and_swapped_generations(one_scan, engine):
    home, scans = one_scan["home"], one_scan["scans"]
    run_luutru(home, "ingest", str(scans), "--jobs", "1", "--engine", engine)
    reader = ArchiveReader(ArchiveHome(home))
    try:
        assert [Path(hit.path).name for hit in reader.search("ra soat ho so").hits] == ["cong-van.png"]
        settled(shutil.copy(SAMPLES / "2024" / "ttr-09-mo-ma.jpg", scans / "to-trinh.jpg"))
        run_luutru(home, "reindex")  # a commit to the live generation
        assert [Path(hit.path).name for hit in reader.search("mo ma").hits] == ["to-trinh.jpg"]
        first = reader.store().link
        for _ in range(3):  # new generations; the first one is deleted
            run_luutru(home, "reindex", "--full")
        assert not first.exists()
        assert [Path(hit.path).name for hit in reader.search("mo ma").hits] == ["to-trinh.jpg"]
        assert reader.store().link == live_generation(home / "index") != first
        assert reader.catalog().file_by_path(str(scans / "to-trinh.jpg")).status == "done"
    finally:
        reader.close()
