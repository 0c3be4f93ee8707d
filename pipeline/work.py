"""One page, from file to text: the unit of work a worker process runs."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from luutru.pipeline.cleanup import clean_page
from luutru.pipeline.ocr import Word, ocr_image
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.tesseract import TesseractError
from luutru.scanners import Kind, ScanError, render_page, text_layer
from luutru.scanners.limits import POPPLER_TIMEOUT

# A PDF text layer with fewer letters than this is treated as absent (a scanner's stray header).
MIN_TEXT_LAYER_LETTERS = 20


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
    source: str = "ocr"
    words: list[Word] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    diagnostics: dict = field(default_factory=dict)  # what cleanup and OCR found, for `luutru review`


def _usable_text_layer(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= MIN_TEXT_LAYER_LETTERS


def _read(job: PageJob, outcome: PageOutcome) -> None:
    path, settings = Path(job.path), job.settings
    if job.kind is Kind.PDF and not settings.force_ocr:
        layer = text_layer(path, job.page)
        if _usable_text_layer(layer):
            outcome.text = unicodedata.normalize("NFC", layer.strip())
            outcome.confidence, outcome.source = 100.0, "text-layer"
            return
    # The colour page is dropped as soon as it is cleaned: only the grayscale one is read.
    cleaned = clean_page(render_page(path, job.kind, job.page, settings.dpi, settings.max_pixels), settings.cleanup)
    result = ocr_image(cleaned.pixels, settings.language, settings.psm, settings.timeout,
                       sideways=cleaned.diagnostics.get("sideways", False), engine_name=settings.engine)
    outcome.text, outcome.words, outcome.confidence = result.text, result.words, result.confidence
    outcome.diagnostics = {**cleaned.diagnostics, **result.diagnostics, "words": len(result.words)}


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
    """Seconds after which a page's worker is stopped whatever it is doing: rendering, and up to
    two readings and an orientation check, each with its own timeout."""
    return 2 * POPPLER_TIMEOUT + 3 * settings.timeout


def crashed_page(job: PageJob) -> PageOutcome:
    """The outcome of a page that killed more than one worker (out of memory, a crash, a hang)."""
    return PageOutcome(job.file_id, job.page, error="worker processes died reading it, more than once "
                                                    "(out of memory, a crash, or stuck past the time limit)")
