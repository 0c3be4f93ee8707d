"""pipeline/: cleanup and OCR with the real Tesseract on the real sample scans."""

import ctypes
import random

import cv2
import numpy as np
import pytest
from conftest import SAMPLES, TRUTH, char_error_rate
from PIL import Image

from luutru.pipeline import cleanup
from luutru.pipeline.cleanup import (
    DEFAULT_STEPS,
    Lie,
    clean_page,
    estimate_skew,
    ink_free_gray,
    letter_centres,
    survey,
)
from luutru.pipeline.ocr import limit_threads, ocr_image
from luutru.pipeline.reading import INK_CLEANUPS
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.tesseract import LEPTONICA_QUIET, TesseractError, TesserocrEngine, loaded_leptonicas
from luutru.pipeline.work import PageJob, process_page
from luutru.scanners import Kind, render_page
from samples.damage import faded_photocopy, noisy_yellowed, uneven_light
from samples.documents import ALL_DOCUMENTS
from samples.make_samples import render

PNG = SAMPLES / "2023" / "cv-45-ra-soat.png"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    limit_threads()


# Every engine luutru can run must read as well: tesserocr (the default) and the tesseract program.
ENGINES = pytest.mark.parametrize("engine", ["tesserocr", "pytesseract"])


@pytest.mark.parametrize("angle", [-3.0, 1.5])
def test_skew_is_measured_to_a_tenth_of_a_degree(angle):
    straight = Image.open(PNG).convert("L")
    turned = straight.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    assert estimate_skew(np.asarray(straight)) == pytest.approx(0.0, abs=0.1)
    assert estimate_skew(np.asarray(turned)) == pytest.approx(-angle, abs=0.1)


def test_another_cleanup_of_a_page_takes_the_skew_and_bends_already_measured(monkeypatch):
    skewed = Image.open(PNG).convert("L").rotate(2.0, resample=Image.BICUBIC, fillcolor=255)
    first = clean_page(skewed)
    monkeypatch.setattr(cleanup, "estimate_skew", lambda gray: pytest.fail("the skew was measured again"))
    monkeypatch.setattr(cleanup, "_column_shift", lambda gray: pytest.fail("the bends were measured again"))
    again = clean_page(skewed, INK_CLEANUPS[0], lie=Lie.of(first))
    assert again.facts.skew == first.facts.skew == pytest.approx(-2.0, abs=0.1)
    assert np.allclose(again.transform, first.transform)


def test_red_seal_is_dropped_but_black_text_is_kept():
    page = Image.new("RGB", (40, 10), (250, 245, 230))
    page.putpixel((5, 5), (215, 30, 35))  # seal ink
    page.putpixel((6, 5), (20, 20, 20))  # black print
    gray = ink_free_gray(page)
    assert gray[5, 5] > 200 and gray[5, 6] < 50


@ENGINES
@pytest.mark.parametrize("name", ["2023/qd-123-giao-dat.jpg", "2024/ttr-09-mo-ma.jpg", "2023/cv-45-ra-soat.png"])
def test_skewed_sealed_and_speckled_pages_read_well(name, engine):
    path = SAMPLES / name
    image = render_page(path, Kind.JPEG if name.endswith(".jpg") else Kind.PNG, 1)
    result = ocr_image(clean_page(image).pixels, engine_name=engine)
    assert char_error_rate(TRUTH[name][0], result.text) < 0.08
    assert result.confidence > 80
    assert all(0 <= word.confidence <= 100 for word in result.words)


@ENGINES
def test_a_timeout_is_a_failure_not_an_empty_page(engine):
    with pytest.raises(TesseractError, match="timed out"):
        ocr_image(np.asarray(Image.open(PNG).convert("L")), timeout=0.01, engine_name=engine)


def test_a_missing_language_is_a_one_line_error():
    page = np.full((100, 100), 255, np.uint8)
    with pytest.raises(TesseractError, match="cannot load language 'xyz'"):
        ocr_image(page, language="xyz", engine_name="tesserocr")


def test_process_page_uses_the_text_layer_and_never_raises(tmp_path):
    born_digital = PageJob(1, str(SAMPLES / "2024" / "tb-18-tiep-cong-dan.pdf"), Kind.PDF, 1)
    outcome = process_page(born_digital)
    assert outcome.source == "text-layer" and outcome.error is None
    # Every word of the layer, in the order poppler gives its blocks (the header's agency, motto, number, date).
    truth_words = sorted(TRUTH["2024/tb-18-tiep-cong-dan.pdf"][0].split())
    assert char_error_rate(" ".join(truth_words), " ".join(sorted(outcome.text.split()))) < 0.02
    vanished = process_page(PageJob(2, str(tmp_path / "gone.png"), Kind.PNG, 1, OcrSettings()))
    assert vanished.error == "file vanished during the run"


QD_JPEG = SAMPLES / "2023" / "qd-123-giao-dat.jpg"


def read_damaged(tmp_path, damage, name: str = "2023/qd-123-giao-dat.jpg",
                 engine: str = "auto") -> tuple[float, dict]:
    """Damage a real sample scan, read it through the pipeline, and score it against the truth."""
    source = Image.open(SAMPLES / name).convert("RGB")
    path = tmp_path / "damaged.png"
    damage(source).save(path)
    outcome = process_page(PageJob(1, str(path), Kind.PNG, 1, OcrSettings(engine=engine)))
    assert outcome.error is None
    return char_error_rate(TRUTH[name][0], outcome.text), outcome.diagnostics


@ENGINES
@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_turned_page_is_read_upright(tmp_path, degrees, engine):
    error, diagnostics = read_damaged(tmp_path, lambda image: image.rotate(degrees, expand=True), engine=engine)
    assert error < 0.08
    assert diagnostics.get("rotated") == degrees  # PIL turns counter-clockwise; luutru turns it back


@pytest.mark.parametrize("name", ["2023/qd-123-giao-dat.jpg", "2024/ttr-09-mo-ma.jpg", "2023/cv-45-ra-soat.png"])
def test_a_page_upside_down_is_told_by_its_marks(name):
    cleaned = clean_page(Image.open(SAMPLES / name)).pixels
    found = survey(cleaned)
    assert not found.upside_down and len(found.letters) == len(letter_centres(cleaned))
    assert survey(np.rot90(cleaned, 2).copy()).upside_down


def test_a_page_upside_down_is_read_once(tmp_path, monkeypatch):
    """Tesseract is asked which way the page is turned before it reads it, not after a reading upside down."""
    readings, read = [], TesserocrEngine.tsv
    monkeypatch.setattr(TesserocrEngine, "tsv", lambda *args: readings.append(1) or read(*args))
    error, diagnostics = read_damaged(tmp_path, lambda image: image.rotate(180), engine="tesserocr")
    assert error < 0.08 and diagnostics.get("rotated") == 180
    assert len(readings) == 1


def test_a_page_its_cleanup_leaves_specked_is_read_after_the_ink_cleanups(tmp_path):
    """More specks than letters after the first cleanup (a drum's dots, sparse grain): a damaged copy."""
    def specked(image: Image.Image) -> Image.Image:
        pixels, rng = np.array(image), np.random.default_rng(1)
        for top, left in zip(rng.integers(0, pixels.shape[0] - 3, 3000), rng.integers(0, pixels.shape[1] - 3, 3000)):
            pixels[top:top + 3, left:left + 3] = 30
        return Image.fromarray(pixels)

    error, diagnostics = read_damaged(tmp_path, specked)
    assert diagnostics["damaged_copy"] == ["specks"] and "cleaned_again" in diagnostics
    assert error < 0.08, (error, diagnostics)
    assert "damaged_copy" not in read_damaged(tmp_path, lambda image: image)[1]


def test_uneven_light_and_a_faded_copy_read_well(tmp_path):
    rng = random.Random(1)
    for damage in (lambda image: uneven_light(image, rng), lambda image: faded_photocopy(image, rng)):
        error, diagnostics = read_damaged(tmp_path, damage)
        # 0.089 for the faded copy since it is deskewed (its dark edge made it look sideways before);
        # over the four sample scans faded three ways each that bought 0.081 -> 0.076 (issue 15's note).
        assert error < 0.1, (error, diagnostics)


def test_a_clean_page_is_read_in_gray_and_a_speckled_or_framed_one_in_black_and_white():
    """A page with nothing to clean is neither smoothed nor thresholded: Tesseract's recogniser reads its
    tone marks from the gray. A speckled page, or one in a frame (the dark desk round a phone photo), is
    smoothed and thresholded, and the frame dropped."""
    page = render(ALL_DOCUMENTS[0].pages[0], "times")[0].convert("L")
    cleaned = clean_page(page)
    assert cleaned.facts.clean and len(np.unique(cleaned.pixels)) > 2
    speckled = clean_page(noisy_yellowed(page.convert("RGB"), random.Random(3)))
    framed = np.asarray(page).copy()
    framed[:60, :] = framed[-60:, :] = framed[:, :60] = framed[:, -60:] = 20
    framed = clean_page(Image.fromarray(framed))
    assert framed.facts.frame_dropped and framed.pixels[:40].min() == 255
    for damaged in (speckled, framed):
        assert not damaged.facts.clean and set(np.unique(damaged.pixels)) <= {0, 255}


@ENGINES
def test_a_clean_page_reads_as_well_as_tesseract_reads_it_uncleaned(tmp_path, engine):
    """In the faces of today's papers and of the 1990s, a clean page is not made to read worse by cleanup
    than the same Tesseract reads the page as it is (the tesseract program here and tesserocr's own
    Tesseract are not the same version, and read a page a few characters apart either way)."""
    for index, face in enumerate(("times", "typewriter", "serif")):
        page, truth, _ = render(ALL_DOCUMENTS[index].pages[0], face)
        path = tmp_path / f"{face}.png"
        page.save(path)
        as_it_is = ocr_image(np.ascontiguousarray(ink_free_gray(page)), engine_name=engine).text
        cleaned = process_page(PageJob(1, str(path), Kind.PNG, 1, OcrSettings(engine=engine))).text
        assert char_error_rate(truth, cleaned) <= char_error_rate(truth, as_it_is) + 0.002, face


def test_leptonica_says_nothing_on_stderr_once_tesserocr_is_loaded():
    """Leptonica's own messages (`Error in boxClipToRectangle` on damaged pages, recovered from) are off in
    the Leptonica tesserocr's wheel brings: setting its severity again finds it already at none."""
    ocr_image(np.full((200, 200), 255, np.uint8), engine_name="tesserocr")
    loaded = loaded_leptonicas()
    assert loaded
    assert all(ctypes.CDLL(path).setMsgSeverity(LEPTONICA_QUIET) == LEPTONICA_QUIET for path in loaded)


def test_each_cleanup_step_is_switchable():
    image = Image.open(PNG)
    for step in DEFAULT_STEPS:
        others = tuple(name for name in DEFAULT_STEPS if name != step)
        assert clean_page(image, others).pixels.shape == clean_page(image).pixels.shape
    assert clean_page(image).facts.skew is not None and clean_page(image).facts.ink_level is not None


def test_pieces_of_ink_are_the_same_in_16_bit_labels_and_past_them():
    """Labels take 16 bits where they fit (half the memory); a copier's grain of more pieces than that is still
    labelled, in 32 bits."""
    gray = np.asarray(Image.open(PNG).convert("L"))
    page = (gray < 128).astype(np.uint8)
    grain = (np.random.default_rng(4).random(gray.shape) < 0.05).astype(np.uint8)  # some 350,000 specks
    for mask, bits in ((page, np.uint16), (grain, np.int32)):
        count, labels, stats, centres = cleanup.pieces(mask)
        expected = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
        assert labels.dtype == bits and count == expected[0]
        assert np.array_equal(labels, expected[1]) and np.array_equal(stats, expected[2])


def test_a_page_is_straightened_band_by_band_as_if_at_once():
    """`straighten` remaps a page a band of rows at a time: the same pixels as the whole page's maps in one go."""
    gray = np.asarray(Image.open(PNG).convert("L"))
    height, width = gray.shape
    assert height % cleanup.SHIFT_BAND_ROWS  # a last band shorter than the others
    shift = (12 * np.sin(np.arange(width) / 300)).astype(np.float32)
    straightened = clean_page(gray, ("straighten",), Lie(0.0, shift)).pixels
    columns = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    rows = np.arange(height, dtype=np.float32)[:, None] + shift[None, :]
    at_once = cv2.remap(gray, columns, rows, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    assert np.array_equal(straightened, at_once) and not np.array_equal(straightened, gray)
