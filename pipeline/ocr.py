"""Tesseract behind a small wrapper: version check, one thread per process, word confidences."""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytesseract
from PIL import Image

from pipeline.cleanup import is_black_and_white, turned

LANGUAGE = "vie"
# Page segmentation mode 3 (automatic) reads headers, tables and body alike.
DEFAULT_PSM = 3
DEFAULT_TIMEOUT = 300
# A page read with a confidence below this may be turned 90/180/270 degrees (an upright page of
# even a poor scan reads above 60; a turned one near 35): Tesseract's orientation detection is
# then asked, which costs about half an OCR, so upright pages never pay for it.
SUSPECT_CONFIDENCE = 60.0
MIN_WORDS_FOR_ORIENTATION = 10
# Tesseract's own orientation confidence below which its answer is ignored (a wrong flip seen at 1.4).
MIN_ORIENTATION_CONFIDENCE = 2.0


class TesseractError(Exception):
    """OCR failed on a page; the message is the reason, fit for one line."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0-100, as Tesseract reports it
    box: tuple[int, int, int, int]  # left, top, width, height in pixels


@dataclass(frozen=True)
class OcrResult:
    text: str
    words: list[Word]
    confidence: float  # mean word confidence weighted by word length; 0 for an empty page
    diagnostics: dict = field(default_factory=dict)  # e.g. {"rotated": 180}


def limit_threads() -> None:
    """One thread per worker, for Tesseract (OpenMP) and OpenCV alike: parallel processes are far
    faster than threads fighting over the same cores."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    cv2.setNumThreads(1)


def tesseract_version() -> str | None:
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return None
    return str(pytesseract.get_tesseract_version())


def missing_language(language: str = LANGUAGE) -> bool:
    return language not in pytesseract.get_languages()


def _lines(data: dict) -> tuple[str, list[Word]]:
    lines: dict[tuple[int, int, int], list[str]] = {}
    words = []
    for index, text in enumerate(data["text"]):
        text = unicodedata.normalize("NFC", text.strip())
        confidence = float(data["conf"][index])
        if not text or confidence < 0:
            continue
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        lines.setdefault(key, []).append(text)
        box = tuple(int(data[name][index]) for name in ("left", "top", "width", "height"))
        words.append(Word(text, confidence, box))
    return "\n".join(" ".join(line) for line in lines.values()), words


def _confidence(words: list[Word]) -> float:
    letters = sum(len(word.text) for word in words)
    if not letters:
        return 0.0
    return sum(word.confidence * len(word.text) for word in words) / letters


@contextmanager
def _as_file(page: np.ndarray) -> Iterator[str]:
    """The page as a file Tesseract reads quickly: Group 4 TIFF when it is black and white
    (small and fast to write), else PNG at low compression. Handing pytesseract a path spares
    its own re-encoding."""
    with tempfile.TemporaryDirectory(prefix="luutru-page-") as folder:
        if is_black_and_white(page):
            path = Path(folder) / "page.tif"
            Image.fromarray(page).convert("1", dither=Image.Dither.NONE).save(path, compression="group4")
        else:
            path = Path(folder) / "page.png"
            cv2.imwrite(str(path), page, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        yield str(path)


@contextmanager
def _tesseract_errors(timeout: float) -> Iterator[None]:
    try:
        yield
    except RuntimeError as error:  # pytesseract reports a timeout as RuntimeError
        raise TesseractError(f"tesseract timed out after {timeout}s") from error
    except pytesseract.TesseractError as error:
        raise TesseractError(f"tesseract failed: {error.message.strip() or error.status}") from error
    except pytesseract.TesseractNotFoundError as error:
        raise TesseractError("tesseract is not installed") from error


def _read(path: str, language: str, psm: int, timeout: float) -> OcrResult:
    with _tesseract_errors(timeout):
        # The page is black on white: Tesseract need not also try each doubtful line inverted.
        data = pytesseract.image_to_data(path, lang=language, config=f"--psm {psm} -c tessedit_do_invert=0",
                                         timeout=timeout,
                                         output_type=pytesseract.Output.DICT)
    text, words = _lines(data)
    return OcrResult(text, words, round(_confidence(words), 2))


def orientation(path: str, timeout: float) -> tuple[int, float]:
    """Degrees to turn the page clockwise to make it upright, and Tesseract's confidence in that."""
    with _tesseract_errors(timeout):
        try:
            found = pytesseract.image_to_osd(path, config="--psm 0", timeout=timeout,
                                             output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError:
            return 0, 0.0  # too little text to tell
    return int(found["rotate"]), float(found["orientation_conf"])


def _read_turned(page: np.ndarray, degrees: int, language: str, psm: int, timeout: float) -> OcrResult:
    with _as_file(turned(page, degrees)) as path:
        result = _read(path, language, psm, timeout)
    return OcrResult(result.text, result.words, result.confidence, {"rotated": degrees})


def _sure_turn(path: str, timeout: float) -> int:
    """Degrees to turn the page clockwise, 0 unless Tesseract is sure enough."""
    degrees, confidence = orientation(path, timeout)
    return degrees if confidence >= MIN_ORIENTATION_CONFIDENCE else 0


def ocr_image(page: np.ndarray, language: str = LANGUAGE, psm: int = DEFAULT_PSM,
              timeout: int = DEFAULT_TIMEOUT, sideways: bool = False) -> OcrResult:
    """Text, words and confidence of a cleaned page, turned upright when needed: a page that
    cleanup found `sideways` is turned before it is read; one that reads like a page upside down
    (low confidence) is read again turned, and the better reading kept. A timeout is a failure,
    never an empty page."""
    with _as_file(page) as path:
        degrees = _sure_turn(path, timeout) if sideways else 0
        if degrees:
            return _read_turned(page, degrees, language, psm, timeout)
        result = _read(path, language, psm, timeout)
        if result.confidence >= SUSPECT_CONFIDENCE or len(result.words) < MIN_WORDS_FOR_ORIENTATION:
            return result
        degrees = _sure_turn(path, timeout)
    if not degrees:
        return result
    upright = _read_turned(page, degrees, language, psm, timeout)
    return upright if upright.confidence > result.confidence else result
