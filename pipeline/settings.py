"""How a run reads pages: the settings a command line builds, kept free of heavy imports so that
commands which read no scans (search, status) never load OpenCV or Tesseract."""

from __future__ import annotations

from dataclasses import dataclass, field

from luutru.pipeline.tuning import TUNING
from luutru.scanners.limits import DEFAULT_DPI, DEFAULT_MAX_PIXELS

LANGUAGE = "vie"
# Page segmentation mode 3 (automatic) reads headers, tables and body alike.
DEFAULT_PSM = 3
DEFAULT_TIMEOUT = 300
# How Tesseract is called (pipeline.tesseract): auto is tesserocr where it is installed.
OCR_ENGINES = ("auto", "tesserocr", "pytesseract")
# Who reads again the words Tesseract misreads (pipeline.recognizer), or "none".
LINE_READERS = ("asterocr", "none")
# The cleanup steps of pipeline.cleanup, in the order they run.
DEFAULT_STEPS = ("flatten", "denoise_unless_clean", "contrast", "deskew", "straighten", "binarize", "destreak",
                 "gray_if_clean")
# Where a page's text came from: OCR, a PDF's own text layer, or an earlier OCR's invisible text.
PAGE_SOURCES = ("ocr", "text-layer", "prior-ocr")
# During a long run the index is brought up to date this often, so that the files read so far are
# searchable before the run ends (a first ingest of a whole archive takes days).
DEFAULT_SYNC_SECONDS = 300.0


@dataclass(frozen=True)
class OcrSettings:
    language: str = LANGUAGE
    dpi: int = DEFAULT_DPI
    psm: int = DEFAULT_PSM
    timeout: int = DEFAULT_TIMEOUT
    max_pixels: int = DEFAULT_MAX_PIXELS
    force_ocr: bool = False
    cleanup: tuple[str, ...] = DEFAULT_STEPS
    engine: str = "auto"  # one of OCR_ENGINES
    line_reader: str = "asterocr"  # one of LINE_READERS

    def key(self) -> str:
        """What decides the text a page reads to, the reading path's thresholds included (pipeline.tuning): pages
        read with another key are not reused."""
        return "/".join([self.language, f"psm{self.psm}", f"dpi{self.dpi}", "+".join(self.cleanup),
                         "force-ocr" if self.force_ocr else "text-layers", f"tuning-{TUNING.digest()}",
                         *([f"lines-{self.line_reader}"] if self.line_reader != "none" else [])])


@dataclass(frozen=True)
class Reocr:
    """Pages read before that a run reads again. With neither bound: the pages whose reading
    cannot be fully known (read before luutru kept page geometry and provenance)."""

    below: float | None = None  # pages read with a confidence under this
    source: str | None = None  # pages from this source: ocr, text-layer or prior-ocr


@dataclass(frozen=True)
class RunOptions:
    """How a run reads pages: where, with which OCR settings, and how often it updates the index."""

    jobs: int = 1  # local worker processes
    settings: OcrSettings = field(default_factory=OcrSettings)
    sync_every: float = DEFAULT_SYNC_SECONDS
    scheduler: str | None = None  # a Dask scheduler's address: pages are read on that cluster instead
    engine: str | None = None  # the index engine; None keeps the live index's
    reocr: Reocr | None = None  # pages ingested before to read again
    page_time_limit: float | None = None  # seconds before a page's worker is ended; None: from the OCR timeout
    retry_failed: bool = False  # read again the files that failed before and have not changed
