"""Tesseract behind a small wrapper: version check, one thread per process, word confidences."""

from __future__ import annotations

import os
import shutil
import unicodedata
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

LANGUAGE = "vie"
# Page segmentation mode 3 (automatic) reads headers, tables and body alike.
DEFAULT_PSM = 3
DEFAULT_TIMEOUT = 300


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


def limit_threads() -> None:
    """One OpenMP thread per Tesseract: parallel processes are far faster than fighting threads."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


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


def ocr_image(page: np.ndarray, language: str = LANGUAGE, psm: int = DEFAULT_PSM,
              timeout: int = DEFAULT_TIMEOUT) -> OcrResult:
    """Text, words and confidence of a cleaned page. A timeout is a failure, never an empty page."""
    try:
        data = pytesseract.image_to_data(Image.fromarray(page), lang=language,
                                         config=f"--psm {psm}", timeout=timeout,
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as error:  # pytesseract reports a timeout as RuntimeError
        raise TesseractError(f"tesseract timed out after {timeout}s") from error
    except pytesseract.TesseractError as error:
        raise TesseractError(f"tesseract failed: {error.message.strip() or error.status}") from error
    except pytesseract.TesseractNotFoundError as error:
        raise TesseractError("tesseract is not installed") from error
    text, words = _lines(data)
    return OcrResult(text, words, round(_confidence(words), 2))
