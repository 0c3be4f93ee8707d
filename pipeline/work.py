"""One page, from file to text: the unit of work a worker process runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

from luutru import __version__
from luutru.pipeline.cleanup import (
    CleanPage,
    clean_page,
    ink_free_gray,
    letter_centres,
    reading_scale,
    survey,
    turned,
)
from luutru.pipeline.columns import text_height
from luutru.pipeline.geometry import Box, as_list, box_on_original, scaling, unbent_box
from luutru.pipeline.layout import word_lines
from luutru.pipeline.ocr import OcrResult, Word, reordered, turn_found
from luutru.pipeline.quality import reading_quality, reading_score
from luutru.pipeline.reading import best_reading, damaged_copy, most_readings, unreadable
from luutru.pipeline.recognizer import has_misread_words, line_reader, with_misread_words_read_again
from luutru.pipeline.ruled import in_ruled_order, ruled_boxes
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.tesseract import TesseractError, engine, engine_version, model_fingerprint
from luutru.pipeline.text_layer import covered_share, with_layer, without_layer
from luutru.pipeline.tuning import TUNING
from luutru.pipeline.vietnamese import repair_legacy, vietnamese_score
from luutru.scanners import (
    Kind,
    LayerWord,
    ScanError,
    image_dpi,
    layer_facts,
    render_page,
    text_layer,
    text_layer_lines,
)
from luutru.scanners.limits import POPPLER_TIMEOUT


@dataclass(frozen=True)
class PageJob:
    file_id: int
    path: str
    kind: Kind
    page: int
    settings: OcrSettings = field(default_factory=OcrSettings)


@dataclass
class PageOutcome:
    file_id: int
    page: int
    text: str = ""
    confidence: float | None = None
    source: str = "ocr"  # ocr, text-layer, or prior-ocr (an earlier OCR's invisible text, judged good)
    words: list[Word] = field(default_factory=list)  # boxes on the original page image
    seconds: float = 0.0
    error: str | None = None
    diagnostics: dict = field(default_factory=dict)  # what cleanup and OCR found, for `luutru review`
    geometry: dict = field(default_factory=dict)  # the original image: size, dpi, and the map onto what was read
    provenance: dict = field(default_factory=dict)  # how it was read: engine, versions, model, settings, when
    unreadable: bool = False  # its best reading is noise (pipeline.reading.unreadable): never indexed


def _usable_text_layer(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= TUNING.min_text_layer_letters


@dataclass
class _LayerLeft:
    """What a PDF page's text layer leaves to OCR."""
    gray: np.ndarray | None = None  # the page's ink-free gray (cleanup.ink_free_gray), rendered to judge its layer
    beside: list[list[LayerWord]] = field(default_factory=list)  # text drawn over a part of the scan: kept beside OCR
    earlier: tuple[str, str | None] | None = None  # an earlier OCR's text (and legacy encoding), to compare with ours


def _layer_reading(job: PageJob, outcome: PageOutcome) -> _LayerLeft:
    """Take a PDF page's own text into `outcome` where it is the page's: a page that is no scan, or a visible layer
    that covers a scanned page's ink (TUNING.layer_covers); otherwise what OCR is left."""
    # Text in a legacy encoding is converted. What OCR is left: the rendered page, the text drawn over a part of it
    # (a signature block), or an earlier OCR's invisible text, which our reading must read better to replace.
    path = Path(job.path)
    layer = text_layer(path, job.page)
    if not layer.strip():
        return _LayerLeft()
    text, encoding = repair_legacy(layer.strip())
    facts = layer_facts(path, job.page)
    if not facts.scanned:
        if _usable_text_layer(layer):
            _take_layer(outcome, text, encoding, "text-layer")
        return _LayerLeft()
    gray = ink_free_gray(render_page(path, job.kind, job.page, job.settings.dpi, job.settings.max_pixels))
    lines = text_layer_lines(path, job.page)
    covered = covered_share(letter_centres(gray), lines, gray.shape[1], gray.shape[0])
    outcome.diagnostics["text_layer_covers"] = round(covered, 3)
    if covered < TUNING.layer_covers or not _usable_text_layer(layer):
        return _LayerLeft(gray, beside=lines)
    if not facts.invisible:
        _take_layer(outcome, text, encoding, "text-layer")
        return _LayerLeft()
    outcome.diagnostics["prior_ocr_score"] = round(vietnamese_score(text), 3)
    return _LayerLeft(gray, earlier=(text, encoding))


def _take_layer(outcome: PageOutcome, text: str, encoding: str | None, source: str,
                confidence: float = 100.0) -> None:
    if encoding:
        outcome.diagnostics["legacy_encoding"] = encoding
    outcome.text, outcome.confidence, outcome.source = text, confidence, source


def _ocr(job: PageJob, outcome: PageOutcome, left: _LayerLeft) -> None:
    """Render (unless the text layer's judging did), clean and OCR the page; word boxes are mapped back onto
    the original image. Text drawn over a part of it (`left.beside`) is painted out before and kept after."""
    settings = job.settings
    if left.gray is None:
        image = render_page(Path(job.path), job.kind, job.page, settings.dpi, settings.max_pixels)
        dpi = settings.dpi if job.kind is Kind.PDF else image_dpi(image)
        # The colour page is dropped at once: every reading starts from its ink-free gray, at 300 dpi size.
        gray = ink_free_gray(image)
        del image
    else:  # a PDF page its text layer's judging rendered
        gray, dpi = left.gray, settings.dpi
    height, width = gray.shape
    gray, scale = _at_reading_size(without_layer(gray, left.beside) if left.beside else gray,
                                   None if job.kind is Kind.PDF else dpi)
    first = clean_page(gray, settings.cleanup)
    found = survey(first.pixels)
    damage = damaged_copy(first, found)
    best, readings, trace = best_reading(gray, settings, first, found, damage)
    cleaned, result, steps = best.cleaned, best.result, best.steps
    result, runs_read_again = _misread_words_read_again(result, cleaned, settings)
    result = _in_ruled_order(result, gray, cleaned)
    del gray
    to_read = result.transform @ cleaned.transform @ scale
    outcome.text, outcome.confidence, outcome.source = result.text, result.confidence, "ocr"
    outcome.words = [replace(word, box=_on_original(word.box, cleaned, result, scale, width, height))
                     for word in result.words]
    quality = reading_quality(result.text)
    outcome.unreadable = unreadable(result, quality)
    outcome.diagnostics.update({**cleaned.facts.found(), **turn_found(result), "words": len(result.words),
                                "vietnamese": round(vietnamese_score(result.text), 3), "readings": readings,
                                **({"quality": round(quality, 3)} if quality is not None else {}),
                                **({"junk_characters": result.junk} if result.junk else {}),
                                **({"words_read_again": runs_read_again} if runs_read_again else {}),
                                **({"cleaned_again": list(steps)} if steps != settings.cleanup else {}),
                                **({"damaged_copy": damage} if damage else {}),
                                **({"scaled": round(scale[0, 0], 3)} if scale[0, 0] != 1 else {}),
                                **({"trace": trace} if trace else {})})
    if left.beside:
        outcome.text, outcome.words = with_layer(outcome.text, outcome.words, left.beside, width, height)
        outcome.diagnostics["text_layer_beside"] = sum(len(line) for line in left.beside)
    outcome.geometry = {"width": width, "height": height, "dpi": dpi, "to_read": as_list(to_read),
                        "boxes": "original"}
    tesseract = engine(settings.engine)
    outcome.provenance.update({"engine": tesseract.name, "tesseract": engine_version(tesseract),
                               "language": settings.language, "model": model_fingerprint(settings.language),
                               "psm": best.psm, "cleanup": list(settings.cleanup)})
    if runs_read_again:
        reader = line_reader(settings.line_reader)
        outcome.provenance["words_read_again"] = {"engine": reader.name, "model": reader.fingerprint,
                                                  "runs": runs_read_again}


def _misread_words_read_again(result: OcrResult, cleaned: CleanPage, settings: OcrSettings) -> tuple[OcrResult, int]:
    """The reading with the words Tesseract misread read again by the settings' line reader (pipeline.recognizer)
    on the image Tesseract read, and how many runs of them changed."""
    if settings.line_reader == "none" or not has_misread_words(result):
        return result, 0  # the reader is loaded at a worker's first misread word, not before
    image = turned(cleaned.pixels, result.rotated).pixels if result.rotated else cleaned.pixels
    return with_misread_words_read_again(result, image, line_reader(settings.line_reader))


def _in_ruled_order(result: OcrResult, gray: np.ndarray, cleaned: CleanPage) -> OcrResult:
    """The reading with its tables read row by row and its stamps last (pipeline.ruled), their rules found on
    the page before cleanup (which drops a grid spanning the page as a frame), put where the words were read."""
    lines = word_lines(result.text, result.words)
    height, width = cleaned.pixels.shape
    size = (height, width) if result.rotated in (90, 270) else (width, height)
    placed = cv2.warpAffine(np.asarray(gray), (result.transform @ cleaned.transform)[:2], size, borderValue=255)
    return reordered(result, in_ruled_order(lines, ruled_boxes(placed, text_height(lines))))


def _at_reading_size(gray: np.ndarray, dpi: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The page (scanned at `dpi`, if its file says) at the size of 300 dpi text (cleanup.reading_scale),
    read-only (every cleanup starts from it), and the map onto it."""
    factor = reading_scale(gray, dpi)
    if factor != 1.0:
        # Area averaging to shrink; cubic to enlarge (area is nearest-neighbour there: jagged strokes).
        method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=method)
    gray.flags.writeable = False
    return gray, scaling(factor)


def _on_original(box: Box, cleaned: CleanPage, result: OcrResult, scale: np.ndarray, width: int,
                 height: int) -> Box:
    """A word's box on the image read brought back onto the original: through the turn OCR made, the
    straightening (not an affine map: each column moved its own way), the turn and skew of cleanup and
    the page's scaling to the size of 300 dpi text."""
    if cleaned.column_shift is None:
        return box_on_original(box, result.transform @ cleaned.transform @ scale, width, height)
    on_cleaned = box_on_original(box, result.transform, width, height)
    return box_on_original(unbent_box(on_cleaned, cleaned.column_shift), cleaned.transform @ scale, width, height)


def _read(job: PageJob, outcome: PageOutcome) -> None:
    outcome.provenance = {"settings": job.settings.key(), "luutru": __version__, "tuning": TUNING.digest(),
                          "read_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    left = _LayerLeft()
    if job.kind is Kind.PDF and not job.settings.force_ocr:
        left = _layer_reading(job, outcome)
        if outcome.text:
            outcome.provenance["engine"] = outcome.source
            return
    _ocr(job, outcome, left)
    if left.earlier and reading_score(left.earlier[0]) > reading_score(outcome.text):
        # The earlier OCR reads more of the page as Vietnamese than ours: keep it (it has no word boxes).
        text, encoding = left.earlier
        _take_layer(outcome, text, encoding, "prior-ocr", round(100 * vietnamese_score(text), 2))
        outcome.words, outcome.unreadable = [], unreadable(OcrResult(text, [], 0.0), reading_quality(text))


def process_page(job: PageJob) -> PageOutcome:
    """Read one page. Never raises: a failure comes back as the outcome's one-line error."""
    outcome = PageOutcome(job.file_id, job.page)
    started = time.perf_counter()
    try:
        _read(job, outcome)
    except (ScanError, TesseractError) as error:
        outcome.error = str(error)
    except FileNotFoundError:
        outcome.error = "file vanished during the run"
    except PermissionError:
        outcome.error = "permission denied"
    except Exception as error:  # noqa: BLE001 - one odd page must never stop a batch
        outcome.error = f"unexpected {type(error).__name__}: {error}"
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome


def page_time_limit(settings: OcrSettings) -> float:
    """Seconds after which a page's worker is stopped whatever it is doing: rendering, and every reading
    the policy can make of a page (pipeline.reading.most_readings), with an orientation check and the page
    read turned, each with its own timeout."""
    return 2 * POPPLER_TIMEOUT + (most_readings() + 2) * settings.timeout


def crashed_page(job: PageJob) -> PageOutcome:
    """The outcome of a page that killed more than one worker (out of memory, a crash, a hang)."""
    return PageOutcome(job.file_id, job.page, error="worker processes died reading it, more than once "
                                                    "(out of memory, a crash, or stuck past the time limit)")
