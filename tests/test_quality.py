"""Knowing, without the true text, when a page reads badly; reading it again then; and never indexing
noise. With the real Tesseract on real and damaged scans."""

from __future__ import annotations

import os
import shutil
import subprocess

import cv2
import numpy as np
import pytest
from conftest import SAMPLES, TRUTH, char_error_rate, json_of, run_luutru, settled
from PIL import Image, ImageOps

from luutru.pipeline.cleanup import clean_page, ink_free_gray, letter_pieces
from luutru.pipeline.ocr import limit_threads, ocr_image
from luutru.pipeline.quality import plausible_characters, reading_quality
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.work import GOOD_READING, MIN_COVERAGE, UNREADABLE, PageJob, process_page
from luutru.scanners import Kind

SCANNED = ["2023/qd-123-giao-dat.jpg", "2023/cv-45-ra-soat.png", "2024/ttr-09-mo-ma.jpg", "2022/gcn-thua-87.tif"]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    limit_threads()


def _tesseract(image: Image.Image, tmp_path) -> str:
    """Plain `tesseract`, as the baseline reads a page."""
    path = tmp_path / "page.png"
    image.save(path)
    return subprocess.run(["tesseract", str(path), "stdout", "-l", "vie"], capture_output=True, text=True,
                          env=dict(os.environ, OMP_THREAD_LIMIT="1"), check=True).stdout


def _grainy_copy(image: Image.Image, seed: int) -> Image.Image:
    """A photocopy gone grey with the copier's grain in blotches over the page (numpy, no augraphy)."""
    rng = np.random.default_rng(seed)
    gray = np.asarray(image.convert("L"), np.float32)
    paper, ink = 212.0, 130.0
    faded = paper - (255 - gray) / 255 * (paper - ink)
    blotches = cv2.resize(rng.random((12, 9)).astype(np.float32), (gray.shape[1], gray.shape[0])) > 0.55
    grain = (rng.random(gray.shape) < 0.25) & blotches
    faded[grain] -= rng.uniform(40, 110, grain.sum())
    return Image.fromarray(np.clip(faded, 0, 255).astype(np.uint8))


def test_the_judge_tells_good_readings_from_garbage_without_the_truth(tmp_path):
    good, garbage = [], []
    for name in SCANNED:
        with Image.open(SAMPLES / name) as scan:
            image = scan.convert("RGB")
        reading = _tesseract(image, tmp_path)
        good.append((reading_quality(reading), char_error_rate(TRUTH[name][0], reading)))
        # The same page scanned through from its back (mirrored), and upside down: Tesseract reads junk.
        for turned in (ImageOps.mirror(image), image.rotate(180)):
            reading = _tesseract(turned, tmp_path)
            garbage.append((reading_quality(reading), char_error_rate(TRUTH[name][0], reading)))
    assert all(quality is not None for quality, _ in good + garbage)
    assert max(error for _, error in good) < 0.15 and min(error for _, error in garbage) > 0.7
    assert min(quality for quality, _ in good) >= GOOD_READING, good
    assert max(quality for quality, _ in garbage) < UNREADABLE, garbage
    assert reading_quality("Số: 123/QĐ-UBND") is None  # too short to judge: a page number, a stamp


def test_a_page_that_reads_well_is_read_once():
    outcome = process_page(PageJob(1, str(SAMPLES / "2023" / "qd-123-giao-dat.jpg"), Kind.JPEG, 1))
    assert outcome.error is None and outcome.diagnostics["readings"] == 1
    assert outcome.diagnostics["quality"] >= GOOD_READING and "unreadable" not in outcome.diagnostics


def test_a_bad_reading_is_read_again_and_the_better_kept(tmp_path):
    name = "2023/cv-45-ra-soat.png"
    path = tmp_path / "grainy.png"
    with Image.open(SAMPLES / name) as scan:
        _grainy_copy(scan.convert("RGB"), seed=5).save(path)
    with Image.open(path) as damaged:
        first = clean_page(Image.fromarray(ink_free_gray(damaged)))  # what the first reading reads
    first_text = ocr_image(first.pixels, sideways=first.diagnostics.get("sideways", False)).text
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1, OcrSettings()))
    assert outcome.error is None
    # The first cleanup reads a few clean lines and misses the rest: plausible, but far from covering the page.
    assert len("".join(first_text.split())) < MIN_COVERAGE * letter_pieces(first.pixels)
    assert outcome.diagnostics["readings"] > 1 and "cleaned_again" in outcome.diagnostics
    assert plausible_characters(outcome.text) > 2 * plausible_characters(first_text)
    assert char_error_rate(TRUTH[name][0], outcome.text) < char_error_rate(TRUTH[name][0], first_text) - 0.1


def test_a_page_that_reads_as_noise_is_kept_marked_and_left_out_of_the_index(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    scans.mkdir()
    with Image.open(SAMPLES / "2023" / "qd-123-giao-dat.jpg") as scan:
        ImageOps.mirror(scan).save(scans / "mat-sau.jpg", quality=90)
    settled(shutil.copy(SAMPLES / "2023" / "cv-45-ra-soat.png", scans / "cong-van.png"))
    settled(scans / "mat-sau.jpg")
    run_luutru(home, "ingest", str(scans))
    shown = json_of(run_luutru(home, "show", str(scans / "mat-sau.jpg"), "--json"))
    stored = shown["pages"][0]
    assert stored["text"].strip()  # the reading is kept in the catalog ...
    junk = max((word for word in stored["text"].split() if word.isalpha()), key=len)
    assert not json_of(run_luutru(home, "search", junk, "--json"))["documents"]  # ... and none of it is searchable
    assert json_of(run_luutru(home, "search", "ra soat", "--json"))["documents"]  # the good page is
    listed = json_of(run_luutru(home, "review", "--json"))["pages"]
    assert listed[0]["path"].endswith("mat-sau.jpg") and listed[0]["causes"][0].startswith("unreadable: rescan")
    assert json_of(run_luutru(home, "check", "--json"))["consistent"]
