"""Knowing, without the true text, when a page reads badly; reading it again then; and never indexing
noise. With the real Tesseract on real and damaged scans."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SAMPLES, TRUTH, char_error_rate, json_of, run_luutru, settled, word_centres
from PIL import Image, ImageOps

from benchmarks.real_scans import word_recall
from luutru.index.words import exact_words
from luutru.pipeline import cleanup, ocr, work
from luutru.pipeline import reading as policy
from luutru.pipeline.catalog import PageRecord
from luutru.pipeline.cleanup import clean_page, ink_free_gray, letter_pieces, survey
from luutru.pipeline.ocr import OcrResult, Word, is_junk, limit_threads, lines_gone_back, ocr_image, trimmed
from luutru.pipeline.quality import plausible_characters, reading_quality
from luutru.pipeline.reading import GRAIN_CLEANUP, INK_CLEANUPS
from luutru.pipeline.report import likely_causes
from luutru.pipeline.settings import DEFAULT_STEPS, OcrSettings
from luutru.pipeline.tuning import TUNING, Tuning
from luutru.pipeline.work import PageJob, PageOutcome, process_page
from luutru.scanners import Kind
from samples.damage import copier_texture, drum_streaks_across, low_ink_and_drum

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
    # Plain Tesseract reads the header's rows across its two columns, the truth column by column: some 0.03 more.
    assert max(error for _, error in good) < 0.2 and min(error for _, error in garbage) > 0.7
    assert min(quality for quality, _ in good) >= TUNING.good_reading, good
    assert max(quality for quality, _ in garbage) < TUNING.unreadable, garbage
    assert reading_quality("Số: 123/QĐ-UBND") is None  # too short to judge: a page number, a stamp


@pytest.mark.parametrize("name", SCANNED)
def test_a_plausible_reading_tesseract_is_unsure_of_is_not_good(name):
    """Strokes thinned (a copy thresholded too dark: the paper grown over the ink) read as syllables, with
    next to every letter read, but wrong ones: plausibility alone passes the reading; Tesseract's own
    confidence does not, while the page as it is reads well."""
    with Image.open(SAMPLES / name) as scan:
        gray = ink_free_gray(scan)
    thinned = cv2.dilate(gray, np.ones((5, 3), np.uint8))
    as_is, thin = (policy.read_cleaned(clean_page(page, ()), OcrSettings(), ()) for page in (gray, thinned))
    truth = TRUTH[name][0]
    assert char_error_rate(truth, thin.result.text) > char_error_rate(truth, as_is.result.text) + 0.1
    found = survey(clean_page(gray).pixels)  # not asked: neither reading is of next to nothing
    assert _reads_well(as_is, gray, found) and not _reads_well(thin, thinned, found)
    unsure_taken = replace(TUNING, good_confidence=0.0)
    assert _reads_well(thin, thinned, found, tuning=unsure_taken)  # plausible, and covering the page


def test_a_reading_of_nothing_is_good_only_for_a_blank_page():
    """A faded copy with black specks over it: Otsu's threshold of the page as scanned takes the specks for
    its only ink and finds no letter, its first cleanup finds them all. A cleanup read as nothing must not
    pass for a reading of a blank page (the page's text would never be searchable); on the paper alone, with
    the same specks, it does."""
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        gray = ink_free_gray(scan).astype(np.float32)
    specks = np.random.default_rng(3).random(gray.shape) < 0.01
    for text in (True, False):
        page = 212 - (255 - gray) / 255 * (212 - 170) if text else np.full(gray.shape, 212.0)
        page[specks] = 30
        page = page.astype(np.uint8)
        first = clean_page(page)
        nothing = policy.Reading(first, OcrResult("", [], 0.0), DEFAULT_STEPS, 3)
        assert _reads_well(nothing, page, survey(first.pixels)) is not text
        if text:
            assert letter_pieces(page) == 0  # what the judge asked alone, and took for a blank page


def test_a_page_that_reads_well_is_read_once():
    outcome = process_page(PageJob(1, str(SAMPLES / "2023" / "qd-123-giao-dat.jpg"), Kind.JPEG, 1))
    assert outcome.error is None and outcome.diagnostics["readings"] == 1
    assert outcome.diagnostics["quality"] >= TUNING.good_reading and not outcome.unreadable


def test_a_reading_without_cleanup_is_judged_against_the_letters_the_cleanups_found():
    """The page as scanned holds letter-sized pieces that are no letters (a faint copy's grain, stains), which its
    reading cannot cover: it is judged against the letters the cleanups kept, and must read nearly all that
    they read (a reading that dropped the last lines, which it could not see, is not good)."""
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        gray, _ = work._at_reading_size(ink_free_gray(scan))
    first = clean_page(gray)
    found, settings = survey(first.pixels), OcrSettings()
    letters = letter_pieces(clean_page(gray, INK_CLEANUPS[0], cleanup.Lie.of(first)).pixels)
    plain = policy.read_cleaned(clean_page(gray, ()), settings, (), 0)
    specked = gray.copy()
    for row in range(20, specked.shape[0] - 20, 28):  # letter-sized specks down both margins
        for column in [*range(15, 200, 18), *range(specked.shape[1] - 200, specked.shape[1] - 15, 18)]:
            cv2.ellipse(specked, (column, row), (5, 8), 0, 0, 360, 0, -1)
    as_scanned = policy.Reading(cleanup.CleanPage(specked), plain.result, policy.AS_SCANNED, plain.psm)
    assert as_scanned.counted_pieces() > 3 * letters
    assert not _reads_well(as_scanned, gray, found)
    assert _plain_reads_well(as_scanned, [], gray, found, letters)
    upper = gray.copy()
    upper[int(np.percentile(found.letters[:, 1], 70)):] = 255  # the last lines gone
    half = policy.read_cleaned(cleanup.CleanPage(upper), settings, policy.AS_SCANNED, 0)
    assert _reads_well(half, gray, found, letters)
    assert not _plain_reads_well(half, [plain], gray, found, letters)


@pytest.fixture
def grainy_page(tmp_path) -> tuple[str, Path, str]:
    """A grey photocopy with grain in blotches, and what its first cleanup reads."""
    name = "2023/cv-45-ra-soat.png"
    path = tmp_path / "grainy.png"
    with Image.open(SAMPLES / name) as scan:
        _grainy_copy(scan.convert("RGB"), seed=5).save(path)
    with Image.open(path) as damaged:
        first = clean_page(Image.fromarray(ink_free_gray(damaged)))  # what the first reading reads
    first_text = ocr_image(first.pixels, turn_suspected=first.facts.sideways).text
    # The first cleanup reads a few clean lines and misses the rest: plausible, but far from covering the page.
    assert len("".join(first_text.split())) < TUNING.min_coverage * letter_pieces(first.pixels)
    return name, path, first_text


def _better_than_first(outcome: PageOutcome, name: str, first_text: str) -> None:
    assert outcome.error is None and "cleaned_again" in outcome.diagnostics
    assert plausible_characters(outcome.text) > 2 * plausible_characters(first_text)
    assert char_error_rate(TRUTH[name][0], outcome.text) < char_error_rate(TRUTH[name][0], first_text) - 0.1


def test_a_copy_its_cleanup_leaves_specked_is_read_after_another_cleanup(grainy_page):
    name, path, first_text = grainy_page
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1, OcrSettings()))
    assert outcome.diagnostics["damaged_copy"] == ["specks"] and outcome.diagnostics["readings"] == 1
    _better_than_first(outcome, name, first_text)


def test_a_bad_reading_is_read_again_and_the_better_kept(grainy_page, monkeypatch):
    name, path, first_text = grainy_page
    monkeypatch.setattr(work, "damaged_copy", lambda cleaned, found: [])  # read first, as a page unmarked is
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1, OcrSettings()))
    assert outcome.diagnostics["readings"] > 1
    _better_than_first(outcome, name, first_text)


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


def _words_found(truth: str, text: str) -> tuple[int, int]:
    """(words of the true text found in `text`, words of `text` that are not in the true text)."""
    true, read = Counter(exact_words(truth)), Counter(exact_words(text))
    return sum((true & read).values()), sum((read - true).values())


def test_copier_grain_is_read_through(tmp_path):
    """augraphy's copier grain, blotches and drum streaks on a faded grey copy of a real scan, at three
    random strengths: luutru reads each at least as well as plain Tesseract, and all of them far better."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        image = scan.convert("RGB")
    ours, plain = [], []
    for seed in (1, 2, 3):
        path = tmp_path / f"copy-{seed}.png"
        copier_texture(image, random.Random(seed)).save(path)
        outcome = process_page(PageJob(1, str(path), Kind.PNG, 1, OcrSettings()))
        with Image.open(path) as damaged:
            plain.append(char_error_rate(TRUTH[name][0], _tesseract(damaged, tmp_path)))
        ours.append(char_error_rate(TRUTH[name][0], outcome.text))
    assert all(error <= baseline + 0.01 for error, baseline in zip(ours, plain)), (ours, plain)
    assert sum(ours) < 0.5 * sum(plain), (ours, plain)


def test_a_page_under_grain_is_not_read_as_it_is(tmp_path):
    """Heavy copier grain over a real scan: the first cleanup leaves a page mostly black and in specks,
    which Tesseract takes for a picture (seconds, and nothing read); such a page, and an ink cleanup that
    leaves the grain, are not read at all. Clean scans and a page with a large black block are not grain."""
    for name in SCANNED:
        with Image.open(SAMPLES / name) as scan:
            gray = ink_free_gray(scan)
        assert not clean_page(Image.fromarray(gray)).facts.grain, name
    height, width = gray.shape
    blocked = gray.copy()
    blocked[height // 4:height // 2, width // 4:3 * width // 4] = 0  # a photograph printed dark
    assert not clean_page(Image.fromarray(blocked)).facts.grain

    name = "2023/cv-45-ra-soat.png"
    path = tmp_path / "grain.png"
    with Image.open(SAMPLES / name) as scan:
        copier_texture(scan.convert("RGB"), random.Random(2)).save(path)
    with Image.open(path) as damaged:
        gray = Image.fromarray(ink_free_gray(damaged))
        plain = char_error_rate(TRUTH[name][0], _tesseract(damaged, tmp_path))
    assert clean_page(gray).facts.grain
    assert any(clean_page(gray, steps).facts.grain for steps in INK_CLEANUPS)
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    # Read once after an ink cleanup, at most once more as one block (reading.read_whole): never as it is.
    assert outcome.diagnostics["readings"] <= 2
    assert outcome.diagnostics["cleaned_again"] in [list(steps) for steps in INK_CLEANUPS]
    assert char_error_rate(TRUTH[name][0], outcome.text) < 0.5 * plain
    # `luutru review` tells the archivist what the page is: a photocopy worth finding the original of.
    record = PageRecord(1, 1, outcome.text, outcome.confidence, "ocr", diagnostics=json.dumps(outcome.diagnostics))
    assert any(cause.startswith("a damaged photocopy (a copier's grain") for cause in likely_causes(record))


def test_junk_lines_are_left_out_and_the_text_kept(tmp_path):
    """Drum streaks read as lines of junk: those lines are left out of the text (and counted); next to
    all the words of the page that Tesseract read are still there."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        damaged = low_ink_and_drum(scan.convert("RGB"), random.Random(3))
    cleaned = clean_page(damaged)
    result = ocr_image(cleaned.pixels)
    raw = _tesseract(Image.fromarray(cleaned.pixels), tmp_path)  # the same page, nothing left out
    found, junk = _words_found(TRUTH[name][0], result.text)
    found_raw, junk_raw = _words_found(TRUTH[name][0], raw)
    assert result.junk > 0 and junk_raw > 20
    # Far more junk left out than true words lost (a junk line may hold a word or two of the page).
    assert junk_raw - junk >= 10 and junk_raw - junk >= 5 * (found_raw - found), (junk, junk_raw, found, found_raw)
    assert found >= 0.97 * found_raw, (found, found_raw)


@pytest.mark.parametrize("name", ["2023/cv-45-ra-soat.png", "2022/gcn-thua-87.tif"])
def test_letters_broken_across_are_mended(name):
    """Low-ink lines across a page (a worn drum) cut every letter into slivers: the ink cleanups join them
    again (cleanup.mend), and a whole page leaves them as they were. The PNG is a black and white scan,
    which the three-gray threshold of the ink cleanups cannot split in three: it is thresholded in two."""
    with Image.open(SAMPLES / name) as scan:
        gray = ink_free_gray(scan).copy()
    steps = INK_CLEANUPS[0]
    unmended = tuple(step for step in steps if step != "mend")
    broken = gray.copy()
    broken[::9] = broken[1::9] = 255  # two rows of every nine left without ink
    truth = TRUTH[name][0]
    assert char_error_rate(truth, ocr_image(clean_page(Image.fromarray(broken), unmended).pixels).text) > 0.5
    assert char_error_rate(truth, ocr_image(clean_page(Image.fromarray(broken), steps).pixels).text) < 0.12
    whole, whole_mended = (clean_page(Image.fromarray(gray), cleanup).pixels for cleanup in (unmended, steps))
    assert char_error_rate(truth, ocr_image(whole_mended).text) <= char_error_rate(truth, ocr_image(whole).text)


def _low_ink_lines(gray: np.ndarray, level: int) -> np.ndarray:
    """The page with six rows of every 41 no darker than `level` (255: without ink), as a worn printer's
    low-ink lines leave it."""
    lined = gray.copy()
    for top in range(11, len(lined), 41):
        lined[top:top + 6] = np.maximum(lined[top:top + 6], level)
    return lined


@pytest.mark.parametrize("name", ["2023/cv-45-ra-soat.png", "2022/gcn-thua-87.tif"])
def test_letters_cut_by_a_low_ink_line_are_mended(name, monkeypatch):
    """A worn printer's low-ink line takes a band of rows out of every letter it crosses, too tall for the
    short closing that joins slivers everywhere: Tesseract reads each half of a cut line as a line of junk.
    The rows it cut are found and closed over (cleanup.mend); the short closing alone reads next to nothing."""
    with Image.open(SAMPLES / name) as scan:
        broken = _low_ink_lines(ink_free_gray(scan), 255)
    truth = TRUTH[name][0]
    mended = clean_page(Image.fromarray(broken), INK_CLEANUPS[0])
    assert (mended.facts.cut_rows or 0) > 0
    assert char_error_rate(truth, ocr_image(mended.pixels).text) < 0.15
    monkeypatch.setattr(cleanup, "TUNING", replace(TUNING, cut_mend_pixels=TUNING.mend_pixels))
    short = clean_page(Image.fromarray(broken), INK_CLEANUPS[0])
    assert char_error_rate(truth, ocr_image(short.pixels).text) > 0.3
    # A faded page the darkest threshold left a few specks on has rows of next to no ink, not cut rows: closed
    # over, its specks became letter-sized pieces and the page was read as nothing.
    specks = np.random.default_rng(5).random(broken.shape) < 0.0005
    assert not cleanup._cut_rows(specks).any()


@pytest.mark.parametrize("name", ["2023/cv-45-ra-soat.png", "2022/gcn-thua-87.tif"])
def test_drum_streaks_across_the_text_are_thresholded_below_their_dots(name, monkeypatch):
    """A dirty drum's streaks across the page: at the page's darkest ink their dots are as dark as the letters
    they lie on. The rows they cross, dense with dots in both margins, are thresholded below the dots; the
    clean scan's header and signatures, in the gaps of the text's columns, are not taken for streaks. The first
    cleanup's threshold finds them too: the page is a damaged copy, read after the ink cleanups at once."""
    with Image.open(SAMPLES / name) as scan:
        gray = ink_free_gray(scan)
    streaked = np.asarray(drum_streaks_across(Image.fromarray(gray), random.Random(2)))
    across, clean = clean_page(streaked, INK_CLEANUPS[0]), clean_page(gray, INK_CLEANUPS[0])
    monkeypatch.setattr(cleanup, "_threshold_streaks_across", lambda gray, page, ink_below: page)
    darkest_only = clean_page(streaked, INK_CLEANUPS[0])
    truth = TRUTH[name][0]
    assert across.facts.streaks_across >= 3 and clean.facts.streaks_across is None
    first, first_clean = clean_page(streaked), clean_page(gray)
    assert "streaks_across" in policy.damaged_copy(first, survey(first.pixels))
    assert "streaks_across" not in policy.damaged_copy(first_clean, survey(first_clean.pixels))
    assert char_error_rate(truth, ocr_image(across.pixels).text) < min(
        0.15, char_error_rate(truth, ocr_image(darkest_only.pixels).text) - 0.05)


def test_a_faint_copy_under_dense_grain_is_read_after_the_wide_median(tmp_path, monkeypatch):
    """A copy faded to 35 gray levels under grain as strong (noise of 45 levels everywhere): a Gaussian
    leaves the grain in clumps as dark as the letters and Tesseract reads little of the page; the grain
    cleanup's 5x5 median takes them out. The pipeline, whose other readings are worse, keeps it; it does
    too when the first cleanup did not find the grain (the ink cleanups then read next to nothing)."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        gray = ink_free_gray(scan).astype(np.float32)
    faint = 160 - (255 - gray) / 255 * 35 + np.random.default_rng(1).normal(0, 45, gray.shape)
    faint = np.clip(faint, 0, 255).astype(np.uint8)
    truth = TRUTH[name][0]
    others, wide = INK_CLEANUPS, GRAIN_CLEANUP
    read_wide = char_error_rate(truth, ocr_image(clean_page(faint, wide).pixels).text)
    assert read_wide < 0.4
    assert all(char_error_rate(truth, ocr_image(clean_page(faint, steps).pixels).text) > read_wide + 0.2
               for steps in others)
    path = tmp_path / "faint.png"
    Image.fromarray(faint).save(path)
    # Measured by the words read, not their order: whether the header's two columns can be told apart on so
    # noisy a reading (pipeline.columns) is not what this page tests.
    wide_words = word_recall(truth, ocr_image(clean_page(faint, wide).pixels).text)
    assert word_recall(truth, process_page(PageJob(1, str(path), Kind.PNG, 1)).text) > wide_words - 0.05
    damaged_copy = policy.damaged_copy
    monkeypatch.setattr(work, "damaged_copy", lambda *page: [name for name in damaged_copy(*page) if name != "grain"])
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    assert outcome.diagnostics["cleaned_again"] == list(GRAIN_CLEANUP) and "grain" not in outcome.diagnostics.get(
        "damaged_copy", [])
    assert word_recall(truth, outcome.text) > wide_words - 0.05


def test_a_cleanup_that_left_a_copiers_grain_in_clumps_is_not_read():
    """A cleanup that left a copier's grain on the page in clumps of a letter's size (here the page only
    thresholded) keeps several times the letter-sized pieces the others keep: it is not read (seconds of junk)
    nor are the others held to its count. The cleanups all stay, the median's as it took the grain away and the
    first (a 3x3 median, about 2.3 times the others here) as it left some, under three times."""
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        gray, _ = work._at_reading_size(ink_free_gray(copier_texture(scan.convert("RGB"), random.Random(3))))
    first = clean_page(gray)
    lie = cleanup.Lie.of(first)
    cleanups = [(steps, page, cleanup.letter_centres(page.pixels))
                for steps in (*INK_CLEANUPS, GRAIN_CLEANUP) for page in [clean_page(gray, steps, lie)]]
    thresholded = clean_page(gray, ("binarize",))
    grainy = (("binarize",), thresholded, cleanup.letter_centres(thresholded.pixels))
    kept = policy.without_grain_left([*cleanups, grainy])
    assert [steps for steps, _, _ in kept] == [*INK_CLEANUPS, GRAIN_CLEANUP]
    assert len(policy.without_grain_left([cleanups[0], grainy])) == 2  # two cannot tell which left it


def test_a_page_turned_by_a_doubtful_orientation_is_read_as_it_lies_too(tmp_path, monkeypatch):
    """A copier's grain can line up down a page: the page is taken for one on its side and Tesseract's
    orientation check, on the grain, turns it upside down. Every reading is then junk; the cleanups are read
    as the page lies too, and the upright reading kept."""
    name = "2023/cv-45-ra-soat.png"
    path = tmp_path / "page.png"
    shutil.copy(SAMPLES / name, path)
    monkeypatch.setattr(cleanup, "estimate_skew", lambda gray: None)  # on its side, the cleanup finds
    monkeypatch.setattr(ocr, "_sure_turn", lambda *arguments: 180)
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    assert outcome.diagnostics["sideways"] and "rotated" not in outcome.diagnostics
    assert char_error_rate(TRUTH[name][0], outcome.text) < 0.1


def test_a_drum_copys_dots_lined_up_down_the_page_do_not_make_it_look_on_its_side():
    """A drum's dots line up down the page as its columns would on a page on its side (here 1.9 times as
    sharply as its rows): the upright copy is deskewed as any other; the page turned on its side is still found
    on its side."""
    with Image.open(SAMPLES / "2024/ttr-09-mo-ma.jpg") as scan:
        page = scan.convert("RGB")
    upright = clean_page(low_ink_and_drum(page, random.Random(7)))
    assert not upright.facts.sideways and upright.facts.skew is not None
    for turn in (Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270):
        assert clean_page(page.transpose(turn)).facts.sideways


def test_a_first_reading_that_left_lines_out_as_junk_is_read_again(tmp_path):
    """Low-ink lines faded across a page its first cleanup takes for clean: the lines they cut read as junk and
    are left out, and what is left reads well enough to pass. So many characters left out send the page to
    the other cleanups, and a better reading is kept."""
    name = "2023/qd-123-giao-dat.jpg"
    with Image.open(SAMPLES / name) as scan:
        faded = _low_ink_lines(ink_free_gray(scan), 200)
    path = tmp_path / "faded-lines.png"
    Image.fromarray(faded).save(path)
    first = policy.read_cleaned(clean_page(faded), OcrSettings(), DEFAULT_STEPS)
    assert _reads_well(first, faded, survey(first.cleaned.pixels)) and first.result.junk >= TUNING.max_first_junk
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    truth = TRUTH[name][0]
    assert outcome.diagnostics["readings"] > 1
    assert char_error_rate(truth, outcome.text) < char_error_rate(truth, first.result.text) - 0.1
    # The page's trace says why: its first reading left too much out as junk lines.
    first_verdict = outcome.diagnostics["trace"][0]
    assert first_verdict["reading"] == "first" and first_verdict["verdict"] == "not good"
    assert any("junk" in reason for reason in first_verdict["why"])


@pytest.mark.parametrize("name", ["2023/cv-45-ra-soat.png", "2022/gcn-thua-87.tif"])
def test_a_page_read_in_slices_is_read_again_in_order(name, tmp_path):
    """A white gutter down the middle of a page (a register's binding, a drum's white streak): Tesseract's
    layout analysis takes it for the gap between two columns and reads the left half of every line, then
    the right halves. That reading goes back up the whole page, and the page is read again as one block."""
    with Image.open(SAMPLES / name) as scan:
        gray = ink_free_gray(scan).copy()
    middle = gray.shape[1] // 2
    gray[:, middle - 35:middle + 35] = 255
    path = tmp_path / "gutter.png"
    Image.fromarray(gray).save(path)
    sliced = ocr_image(clean_page(gray).pixels)
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    truth = TRUTH[name][0]
    assert lines_gone_back(sliced) >= TUNING.max_lines_back and char_error_rate(truth, sliced.text) > 0.5
    # The header stays read across its columns: the white band parts every line, so no gutter of its own is
    # told from it (pipeline.columns), some 0.03 of the truth's order.
    assert outcome.diagnostics["readings"] == 2 and char_error_rate(truth, outcome.text) < 0.15


def test_lines_gone_back_counts_slices_not_a_header_or_two_signatures():
    def read(*tops: int) -> OcrResult:
        return OcrResult("", [], 90.0, lines=tuple((100, top, 800, 40) for top in tops))
    assert lines_gone_back(read(100, 160, 220, 280)) == 0
    assert lines_gone_back(read(100, 100, 160, 160, 220)) == 0  # a header's two columns, read row by row
    assert lines_gone_back(read(100, 2000, 2060, 2120, 1960, 2020)) == pytest.approx(4)  # two signatures
    assert lines_gone_back(read(100, 160, 220, 100, 160, 220)) == pytest.approx(3)
    assert lines_gone_back(read(100, 160, 220, 100, 160, 220, 100, 160)) == pytest.approx(6)


def test_a_line_of_symbols_is_junk_however_sure_tesseract_is_and_doubtful_symbols_beside_a_line_go():
    """A streak's dots read as `+` or `* $` at 95 % confidence hold nothing a search finds; a short line
    of real text (a number, a reference, an uncertain reading of words) stays."""
    def line(*words: tuple[str, float]) -> list[Word]:
        return [Word(text, confidence, (0, 0, 10, 10)) for text, confidence in words]
    assert is_junk(line(("+", 95))) and is_junk(line(("*", 92), ("`", 90), ("$", 88)))
    assert not is_junk(line(("Số:", 96), ("12", 95))) and not is_junk(line(("2022/TC-117.", 90)))
    assert not is_junk(line(("Ngô", 40), ("Văn", 45), ("Lý", 30)))
    assert is_junk(line(("ẻ", 40), ("«ˆ", 35), ("#Ệ", 30)))  # unsure, and not Vietnamese
    assert is_junk(line(("tư", 20), ("nữ", 25), ("ĐỀU", 18), ("độc", 22)))  # syllables, read with no confidence
    # Dots beside a line, read as doubtful symbols, go; a list's dash and a dash inside the line stay.
    assert [word.text for word in trimmed(line(("_", 20), ("Ngày", 95), ("15", 93), (".", 30), (":", 0)))] == \
        ["Ngày", "15"]
    listed = line(("-", 91), ("Như", 95), ("Điều", 94), ("3;", 92))
    assert trimmed(listed) == listed and trimmed(line(("Độc", 90), ("-", 40), ("lập", 91))) == \
        line(("Độc", 90), ("-", 40), ("lập", 91))


def _folded(gray: np.ndarray, depth: float) -> tuple[np.ndarray, np.ndarray]:
    """A page folded twice: its middle third sunk by `depth` pixels, as a fold leaves a page on the glass.
    Returns the page and how far each column moved down."""
    height, width = gray.shape
    columns = np.arange(width, dtype=np.float32)
    def ramp(start: float) -> np.ndarray:
        return np.clip((columns - start) / (0.04 * width), 0, 1)
    shift = depth * (ramp(width / 3) - ramp(2 * width / 3))
    rows = np.arange(height, dtype=np.float32)[:, None] - shift[None, :]
    return cv2.remap(gray, np.tile(columns, (height, 1)), rows, cv2.INTER_LINEAR, borderValue=255), shift


def test_a_folded_page_reads_as_the_flat_one_and_its_words_lie_where_the_fold_put_them(tmp_path):
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        gray = np.asarray(scan.convert("L"))
    bent, shift = _folded(gray, 25)
    Image.fromarray(bent).save(tmp_path / "folded.png")
    flat = process_page(PageJob(1, str(SAMPLES / name), Kind.PNG, 1))
    folded = process_page(PageJob(2, str(tmp_path / "folded.png"), Kind.PNG, 1))
    truth = TRUTH[name][0]
    plain = char_error_rate(truth, _tesseract(Image.fromarray(bent), tmp_path))
    assert folded.diagnostics["straightened"] >= 20 and "straightened" not in flat.diagnostics
    assert char_error_rate(truth, folded.text) <= char_error_rate(truth, flat.text) + 0.01 < plain - 0.05

    # Each word's box on the folded original lies where the fold moved the word.
    on_flat = word_centres([(word.text, word.confidence, *word.box) for word in flat.words])
    on_folded = word_centres([(word.text, word.confidence, *word.box) for word in folded.words])
    common = sorted(set(on_flat) & set(on_folded))
    assert len(common) >= 20
    misses = sorted(abs(on_folded[text][1] - (y + shift[int(x)])) + abs(on_folded[text][0] - x)
                    for text, (x, y) in ((text, on_flat[text]) for text in common))
    assert misses[len(misses) // 2] < 3 and misses[int(len(misses) * 0.9)] < 12, misses
    ink = [int(bent[top:top + height, left:left + width].min()) for word in folded.words
           for left, top, width, height in [word.box] if word.text in common]
    assert max(ink) < 100


def _streaked(gray: np.ndarray, seed: int, bands: int = 8) -> np.ndarray:
    """A dirty drum's streaks (numpy, no augraphy): bands of toner dots down the whole page, densest
    in their middle."""
    rng = np.random.default_rng(seed)
    height, width = gray.shape
    streaked = gray.copy()
    for centre in rng.uniform(0.1, 0.9, bands) * width:
        half = rng.uniform(8, 25)
        columns = np.arange(int(centre - 2 * half), int(centre + 2 * half))
        dots = rng.random((height, columns.size)) < 0.6 * np.exp(-((columns - centre) / half) ** 2)
        streaked[:, columns] = np.where(dots, rng.integers(0, 90, dots.shape), streaked[:, columns])
    return streaked


def test_drum_streaks_are_dropped_and_the_letters_and_rules_kept():
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        gray = np.asarray(scan.convert("L"))
    without = ("flatten", "denoise", "contrast", "binarize")  # not deskewed: the pages stay pixel for pixel
    text = clean_page(Image.fromarray(gray), without).pixels == 0
    for seed in (1, 2):
        damaged = Image.fromarray(_streaked(gray, seed))
        before = clean_page(damaged, without).pixels == 0
        after = clean_page(damaged, (*without, "destreak"))
        streaks, kept = before & ~text, after.pixels == 0
        assert after.facts.streaks >= 4
        # The letters away from the streaks are all kept (those inside a band go with it).
        away = text & ~cv2.dilate(streaks.astype(np.uint8), np.ones((1, 61), np.uint8)).astype(bool)
        assert np.count_nonzero(kept & streaks) < 0.25 * np.count_nonzero(streaks)
        assert np.count_nonzero(kept & away) > 0.99 * np.count_nonzero(before & away)
    # A table's rules down the page and the dark edge of the paper are not streaks.
    ruled = gray.copy()
    ruled[:, [300, 301, 302, 1800, 1801, 1802]] = 0
    ruled[:, -40:] = 30
    page = clean_page(Image.fromarray(ruled), DEFAULT_STEPS)
    assert page.facts.streaks is None and not page.facts.sideways
    assert np.count_nonzero(page.pixels[:, 1800:1803] == 0) > 0.9 * 3 * gray.shape[0]
    # Nor is the edge of a photographed page inside the margin: a line, leaning over more columns than a
    # streak's narrowest (it made a phone photo a damaged copy, whose darkest ink thinned its blurred letters).
    edged, height = gray.copy(), gray.shape[0]
    for row in range(height):
        left = int(0.035 * gray.shape[1]) + 14 * row // height
        edged[row, left:left + 4] = 20
    assert clean_page(Image.fromarray(edged), DEFAULT_STEPS).facts.streaks is None


def test_a_page_streaked_by_a_dirty_drum_reads_better_for_the_streaks_dropped(tmp_path):
    """augraphy's drum streaks on a real scan: found, the page goes to the ink cleanups at once (the streaks'
    grey goes with the paper, what is left of them is dropped, and a page still streaked is read as one
    block); it reads better than with the streaks left in (read as Tesseract lays them out), and far
    better than plain Tesseract."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        image = scan.convert("RGB")
    without = tuple(step for step in DEFAULT_STEPS if step != "destreak")
    ours, kept, plain = [], [], []
    for seed in (5, 7):  # streaks down the page (of seeds 1-12, 4, 11 and 12 have some too)
        path = tmp_path / f"drum-{seed}.png"
        low_ink_and_drum(image, random.Random(seed)).save(path)
        outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
        with Image.open(path) as damaged:
            streaked = ocr_image(clean_page(damaged, without).pixels)
            plain.append(char_error_rate(TRUTH[name][0], _tesseract(damaged, tmp_path)))
            assert clean_page(damaged).facts.streaks
        assert "streaks" in outcome.diagnostics["damaged_copy"]  # so its first cleanup was read last, if at all
        assert outcome.provenance["psm"] == (6 if outcome.diagnostics.get("streaks") else 3)
        ours.append(char_error_rate(TRUTH[name][0], outcome.text))
        kept.append(char_error_rate(TRUTH[name][0], streaked.text))
    assert all(error < with_streaks for error, with_streaks in zip(ours, kept)), (ours, kept)
    assert sum(ours) < 0.6 * sum(plain), (ours, plain)


def test_a_drum_copy_is_not_smoothed_as_grain_is(tmp_path, monkeypatch):
    """The Gaussian smoothing is for a copier's grain: a drum's copy without grain is never read after it (it
    runs the streaks' sparse dots into clumps as dark as the letters), even when no other cleanup reads well;
    the same page found under grain is."""
    path = tmp_path / "drum.png"
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        low_ink_and_drum(scan.convert("RGB"), random.Random(5)).save(path)
    cleaned, clean = [], policy.clean_page

    def noted(gray, steps, *measured):
        cleaned.append(steps)
        return clean(gray, steps, *measured)
    monkeypatch.setattr(policy, "clean_page", noted)
    monkeypatch.setattr(policy, "judge", lambda *arguments: policy.Verdict(("judged not good",)))
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    assert "grain" not in outcome.diagnostics["damaged_copy"] and INK_CLEANUPS[0] in cleaned
    assert INK_CLEANUPS[1] not in cleaned
    damaged_copy, cleaned[:] = policy.damaged_copy, []
    monkeypatch.setattr(work, "damaged_copy", lambda *page: [*damaged_copy(*page), "grain"])
    process_page(PageJob(1, str(path), Kind.PNG, 1))
    assert INK_CLEANUPS[1] in cleaned


def test_a_page_ruled_down_its_length_keeps_its_paragraphs(tmp_path):
    """Two rules down a real scan (a form's columns, a margin line): Tesseract's layout analysis drops
    a paragraph between them while the rest reads well; the page is read again as one block."""
    name = "2023/cv-45-ra-soat.png"
    with Image.open(SAMPLES / name) as scan:
        ruled = np.asarray(scan.convert("L")).copy()
    ruled[:, 300:303] = 0
    ruled[:, 1800:1803] = 0
    Image.fromarray(ruled).save(tmp_path / "ruled.png")
    outcome = process_page(PageJob(1, str(tmp_path / "ruled.png"), Kind.PNG, 1))
    first = ocr_image(clean_page(Image.fromarray(ruled)).pixels)
    truth = TRUTH[name][0]
    plain = char_error_rate(truth, _tesseract(Image.fromarray(ruled), tmp_path))
    assert char_error_rate(truth, first.text) > 0.2  # what the layout analysis alone gives
    assert outcome.diagnostics["readings"] == 2 and outcome.provenance["psm"] == 6
    assert char_error_rate(truth, outcome.text) <= plain + 0.01, (outcome.text, plain)


def test_a_damaged_copys_unread_dots_are_not_taken_for_dropped_paragraphs(tmp_path, monkeypatch):
    """A drum's copy after the ink cleanups still holds clumps of dots of a letter's size, which no word covers:
    its reading is not read again as one block for them (the ruled page above is, for its dropped paragraph)."""
    path = tmp_path / "drum.png"
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        low_ink_and_drum(scan.convert("RGB"), random.Random(3)).save(path)
    readings, read = [], policy.read_cleaned

    def noted(*arguments, **options):
        readings.append(read(*arguments, **options))
        return readings[-1]
    monkeypatch.setattr(policy, "read_cleaned", noted)
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1))
    assert outcome.diagnostics["damaged_copy"] and readings[0].steps == INK_CLEANUPS[0]
    assert readings[0].ink_read() < TUNING.min_ink_read and lines_gone_back(readings[0].result) < TUNING.max_lines_back
    assert outcome.diagnostics["readings"] == 1


@pytest.mark.parametrize("step", ["binarize", "drop_frames"])
def test_a_border_is_dropped_but_grain_over_the_page_is_not_taken_for_one(step):
    """A frame around the text goes before OCR, from a thresholded page (`binarize`) or a gray one, which stays
    gray (`drop_frames`: the page read as scanned); a copier's grain spread over the page, touching the
    letters, spans the page just as well but holds the text: dropping it took the page with it."""
    with Image.open(SAMPLES / "2023/cv-45-ra-soat.png") as scan:
        gray = np.asarray(scan.convert("L")).copy()
    height, width = gray.shape
    framed = gray.copy()
    framed[100:110, 100:width - 100] = framed[height - 110:height - 100, 100:width - 100] = 0
    framed[100:height - 100, 100:110] = framed[100:height - 100, width - 110:width - 100] = 0
    page = clean_page(Image.fromarray(framed), (step,))
    assert page.facts.frame_dropped and page.pixels[105, width // 2] == 255
    inside = (slice(130, height - 130), slice(130, width - 130))
    if step == "drop_frames":
        assert np.array_equal(page.pixels[inside], clean_page(Image.fromarray(framed), ()).pixels[inside])

    rng = np.random.default_rng(1)
    centre = np.zeros_like(gray, dtype=bool)
    centre[height // 3:2 * height // 3, width // 3:2 * width // 3] = True
    grainy = np.where(~centre & (rng.random(gray.shape) < 0.5), 0, gray).astype(np.uint8)
    text = clean_page(Image.fromarray(gray), ("binarize",)).pixels == 0
    page = clean_page(Image.fromarray(grainy), (step,))
    assert not page.facts.frame_dropped
    kept = page.pixels == 0 if step == "binarize" else page.pixels == clean_page(Image.fromarray(grainy), ()).pixels
    assert np.count_nonzero(kept & text) > 0.99 * np.count_nonzero(text)


def _reads_well(reading: policy.Reading, gray: np.ndarray, found, letters: int | None = None,
                tuning: Tuning = TUNING) -> bool:
    """The policy's judge as the first reading and the other cleanups' are judged."""
    return policy.judge(reading, letters, lambda: policy.looks_blank(gray, found), tuning=tuning).good


def _plain_reads_well(reading: policy.Reading, before: list, gray: np.ndarray, found, letters: int) -> bool:
    """The policy's judge as the reading without cleanup is judged: nearly all the plausible text of `before`."""
    most = max((plausible_characters(earlier.result.text) for earlier in before), default=0)
    return policy.judge(reading, letters, lambda: policy.looks_blank(gray, found),
                        plausible_needed=TUNING.nearly_all * most).good
