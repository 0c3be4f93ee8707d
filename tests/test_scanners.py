"""scanners/: formats by content, fingerprints, page counts and renders, PDF text layers."""

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES

from luutru.scanners import Kind, ScanError, count_pages, detect_kind, fingerprint, render_page, text_layer, walk

SCANNED_PDF = SAMPLES / "2023" / "bc-56-dat-dai.pdf"
BORN_DIGITAL_PDF = SAMPLES / "2024" / "tb-18-tiep-cong-dan.pdf"
TIFF = SAMPLES / "2022" / "gcn-thua-87.tif"
JPEG = SAMPLES / "2023" / "qd-123-giao-dat.jpg"
PNG = SAMPLES / "2023" / "cv-45-ra-soat.png"


@pytest.mark.parametrize("path, kind", [(SCANNED_PDF, Kind.PDF), (TIFF, Kind.TIFF), (JPEG, Kind.JPEG), (PNG, Kind.PNG)])
def test_formats_are_recognised_by_content(tmp_path, path, kind):
    disguised = tmp_path / "no-extension"
    shutil.copy(path, disguised)
    assert detect_kind(path) is kind
    assert detect_kind(disguised) is kind


def test_text_named_jpg_is_not_an_image(tmp_path):
    fake = tmp_path / "scan.jpg"
    fake.write_text("/etc/passwd\n")
    assert detect_kind(fake) is None


@pytest.mark.parametrize("path, kind, pages", [(SCANNED_PDF, Kind.PDF, 3), (TIFF, Kind.TIFF, 2), (JPEG, Kind.JPEG, 1)])
def test_page_counts(path, kind, pages):
    assert count_pages(path, kind) == pages


def test_pages_render_one_at_a_time_at_300_dpi():
    page = render_page(SCANNED_PDF, Kind.PDF, 2)
    assert abs(page.width - 2480) <= 2 and abs(page.height - 3508) <= 2
    second_frame = render_page(TIFF, Kind.TIFF, 2)
    first_frame = render_page(TIFF, Kind.TIFF, 1)
    assert second_frame.tobytes() != first_frame.tobytes()


def test_truncated_pdf_is_a_scan_error(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(SCANNED_PDF.read_bytes()[:2000])
    with pytest.raises(ScanError, match="PDF"):
        count_pages(broken, Kind.PDF)


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ScanError, match="over the limit"):
        count_pages(JPEG, Kind.JPEG, max_pixels=1_000_000)


def test_text_layer_of_born_digital_pdf_and_none_for_a_scan():
    assert "tiếp công dân" in text_layer(BORN_DIGITAL_PDF, 1).lower()
    assert text_layer(SCANNED_PDF, 1).strip() == ""


def test_fingerprint_matches_sha256_and_stat():
    print_ = fingerprint(JPEG)
    assert print_.sha256 == hashlib.sha256(JPEG.read_bytes()).hexdigest()
    assert print_.size == JPEG.stat().st_size and print_.mtime_ns == JPEG.stat().st_mtime_ns


def test_walk_survives_symlink_loops_and_reports_broken_links(tmp_path):
    (tmp_path / "a").mkdir()
    shutil.copy(PNG, tmp_path / "a" / "page.png")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "nowhere.png", tmp_path / "a" / "dangling.png")
    listings = list(walk([tmp_path]))
    assert [Path(path).name for listing in listings for path, _, _ in listing.files] == ["page.png"]
    assert [(problem.path.name, problem.error) for listing in listings for problem in listing.problems] == [
        ("dangling.png", "broken symbolic link")]


def test_walk_reports_a_missing_root(tmp_path):
    [listing] = walk([tmp_path / "absent"])
    assert listing.files == [] and len(listing.problems) == 1
    assert listing.problems[0].folder and "no such" in listing.problems[0].error


def test_walk_gives_each_folder_once_with_every_file_its_size_and_mtime(tmp_path):
    for folder in ("b", "a/inner", "a"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    for name in ("a/1.png", "a/inner/2.png", "b/3.png", "top.png"):
        (tmp_path / name).write_bytes(b"x" * len(name))
    listings = list(walk([tmp_path, tmp_path / "top.png"]))
    assert [Path(listing.folder).relative_to(tmp_path).as_posix() for listing in listings] == [
        ".", "a", "a/inner", "b", "."]  # depth first, subfolders by name; a root that is a file in its folder
    files = [(Path(path).relative_to(tmp_path).as_posix(), size, mtime_ns)
             for listing in listings for path, size, mtime_ns in listing.files]
    assert files == [(name, len(name), (tmp_path / name).stat().st_mtime_ns)
                     for name in ("top.png", "a/1.png", "a/inner/2.png", "b/3.png", "top.png")]
