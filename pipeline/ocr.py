"""A cleaned page to text: words with confidences, read upright, through a Tesseract engine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from luutru.index.words import nfc
from luutru.pipeline.cleanup import turned
from luutru.pipeline.columns import column_parts, in_reading_order, text_height
from luutru.pipeline.geometry import Box, identity
from luutru.pipeline.quality import long_word, plausible_characters
from luutru.pipeline.settings import DEFAULT_PSM, DEFAULT_TIMEOUT, LANGUAGE
from luutru.pipeline.tesseract import Engine, engine
from luutru.pipeline.tuning import TUNING


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
    rotated: int = 0  # degrees the page was turned clockwise to read it
    skew_after_turn: float | None = None  # the skew of a page on its side, found once turned upright
    transform: np.ndarray = field(default_factory=identity)  # the page given -> the image the words are on
    junk: int = 0  # characters read but left out in junk lines (is_junk)
    lines: tuple[Box, ...] = ()  # each line's box (left, top, width, height), in the order Tesseract read them


def limit_threads() -> None:
    """One thread per worker, for Tesseract (OpenMP) and OpenCV alike: parallel processes are far
    faster than threads fighting over the same cores."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    cv2.setNumThreads(1)


# The columns of Tesseract's TSV output, one row per page, block, paragraph, line and word.
TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
               "left", "top", "width", "height", "conf", "text")


def _lines(tsv: str) -> list[list[Word]]:
    """The words of Tesseract's TSV output, a list per line."""
    lines: dict[tuple[str, str, str], list[Word]] = {}
    for row in tsv.splitlines():
        values = row.split("\t", len(TSV_COLUMNS) - 1)
        if len(values) < len(TSV_COLUMNS) or not values[0].isdigit():
            continue  # the header, or a row with no word
        cell = dict(zip(TSV_COLUMNS, values))
        text, confidence = nfc(cell["text"].strip()), float(cell["conf"])  # Tesseract's Ð for Đ made Đ
        if not text or confidence < 0:
            continue
        box = tuple(int(cell[name]) for name in ("left", "top", "width", "height"))
        lines.setdefault((cell["block_num"], cell["par_num"], cell["line_num"]), []).append(Word(text, confidence, box))
    return list(lines.values())


def is_junk(line: list[Word], strict: bool = False) -> bool:
    """A line left out of the page's text and words: unsure and not Vietnamese (streaks, grain, a stamp's edge or a
    fold read as letters; `strict`: unsure or not Vietnamese), read with next to no confidence, or without a word of
    two letters or digits."""
    # A line without such a word is no search's, and on a damaged page a streak's dots read, often confidently,
    # as `* + $`.
    if not any(long_word(word.text) for word in line):
        return True
    confidence = mean_confidence(line)
    if confidence < TUNING.min_line_confidence:
        return True
    unsure = confidence < TUNING.junk_confidence
    return (unsure or not _plausible(line)) if strict else (unsure and not _plausible(line))


def _plausible(line: list[Word]) -> bool:
    """Whether TUNING.junk_plausible of the line's characters lie in plausible words (pipeline.quality)."""
    letters = sum(len(word.text) for word in line)
    return plausible_characters(" ".join(word.text for word in line)) >= TUNING.junk_plausible * letters


def trimmed(line: list[Word]) -> list[Word]:
    """The line without the doubtful symbols at its ends (TUNING.min_edge_symbol_confidence)."""
    def doubtful(word: Word) -> bool:
        unsure = word.confidence < TUNING.min_edge_symbol_confidence
        return unsure and not any(character.isalnum() for character in word.text)
    start, end = 0, len(line)
    while start < end and doubtful(line[start]):
        start += 1
    while end > start and doubtful(line[end - 1]):
        end -= 1
    return line[start:end]


def _text_parts(line: list[Word], height: float) -> list[list[Word]]:
    """Of a junk line, each column's part (pipeline.columns.column_parts) read surely and plausibly at once, where a
    whole line needs only one of them: the header's third line ("THỰC PHẨM") and the rule under the motto beside it,
    read as letters, made one line of junk; a drum's line of dots holds runs of short syllables read unsurely."""
    parts = column_parts(line, height) if height else None
    return [part for part in parts if part and not is_junk(part, strict=True)] if parts else []


def _result(tsv: str) -> OcrResult:
    """The page's text, a line of words per Tesseract line, with junk left out."""
    lines = _lines(tsv)
    left_out = [is_junk(line) for line in lines]
    height = text_height([line for line, junk in zip(lines, left_out) if not junk])
    kept = [trimmed(part) for line, junk in zip(lines, left_out)
            for part in (_text_parts(line, height) if junk else [line])]
    ordered = in_reading_order(kept, is_text=lambda part: not is_junk(part))
    words = [word for line in ordered for word in line]
    junk = sum(len(word.text) for line in lines for word in line) - sum(len(word.text) for word in words)
    return OcrResult(text_of(ordered), words, round(mean_confidence(words), 2), junk=junk,
                     lines=tuple(line_box(line) for line in kept if line))


def text_of(lines: list[list[Word]]) -> str:
    """A page's text: a line of text a line of words."""
    return "\n".join(" ".join(word.text for word in line) for line in lines)


def reordered(result: OcrResult, lines: list[list[Word]]) -> OcrResult:
    """The reading with its words in these lines (the same words, in another order)."""
    return replace(result, text=text_of(lines), words=[word for line in lines for word in line])


def turn_found(result: OcrResult) -> dict:
    """How the reading turned the page, by name, for the page's diagnostics."""
    if not result.rotated:
        return {}
    return {"rotated": result.rotated, **({} if result.skew_after_turn is None else
                                          {"skew_after_turn": result.skew_after_turn})}


def line_box(line: list[Word]) -> Box:
    """The box (left, top, width, height) around these words."""
    left, top = min(word.box[0] for word in line), min(word.box[1] for word in line)
    right = max(word.box[0] + word.box[2] for word in line)
    bottom = max(word.box[1] + word.box[3] for word in line)
    return left, top, right - left, bottom - top


def lines_gone_back(result: OcrResult) -> float:
    """How far the reading goes back up the page, in lines, summed over the steps from one line to the next
    that go up by more than a line."""
    # A page of one column read in order goes down it, its two-column header included (Tesseract reads the
    # header's rows across), and two signatures side by side go back a few lines; a page read as slices (a drum's
    # streaks or a white gutter taken for the edges of columns) goes back up the whole page at every slice.
    if len(result.lines) < 2:
        return 0.0
    height = float(np.median([box[3] for box in result.lines]))
    return sum((before[1] - after[1]) / height for before, after in zip(result.lines, result.lines[1:])
               if after[1] < before[1] - height)


def mean_confidence(words: list[Word]) -> float:
    """Tesseract's confidence in these words, weighed by their length."""
    letters = sum(len(word.text) for word in words)
    if not letters:
        return 0.0
    return sum(word.confidence * len(word.text) for word in words) / letters


def _read(tesseract: Engine, page: np.ndarray, language: str, psm: int, timeout: float,
          degrees: int = 0) -> OcrResult:
    """The page read after turning it `degrees` clockwise."""
    if not degrees:
        return _result(tesseract.tsv(page, language, psm, timeout))
    upright = turned(page, degrees)
    return replace(_result(tesseract.tsv(upright.pixels, language, psm, timeout)), rotated=degrees,
                   skew_after_turn=upright.facts.skew, transform=upright.transform)


def _sure_turn(tesseract: Engine, page: np.ndarray, timeout: float) -> int:
    """Degrees to turn the page clockwise, 0 unless Tesseract is sure enough."""
    degrees, confidence = tesseract.orientation(page, timeout)
    return degrees if confidence >= TUNING.min_orientation_confidence else 0


def _looks_upright(result: OcrResult) -> bool:
    """A reading that is confident, or too short to tell, and not mostly junk (a page upside down
    reads as junk lines)."""
    if result.junk > sum(len(word.text) for word in result.words):
        return False
    return result.confidence >= TUNING.suspect_confidence or len(result.words) < TUNING.min_words_for_orientation


def ocr_image(page: np.ndarray, language: str = LANGUAGE, psm: int = DEFAULT_PSM,
              timeout: float = DEFAULT_TIMEOUT, turn_suspected: bool = False, engine_name: str = "auto",
              turn: int | None = None, tesseract: Engine | None = None) -> OcrResult:
    """Text, words and confidence of a cleaned 8-bit grayscale page, turned upright: before it is read when
    `turn_suspected` (by Tesseract's orientation check) or by `turn` if known, after when it reads as upside down
    (low confidence). A timeout is a failure, never an empty page. `tesseract` defaults to `engine_name`'s."""
    tesseract = tesseract or engine(engine_name)
    if turn is not None:
        return _read(tesseract, page, language, psm, timeout, turn)
    if turn_suspected:
        return _read(tesseract, page, language, psm, timeout, _sure_turn(tesseract, page, timeout))
    result = _read(tesseract, page, language, psm, timeout)
    if _looks_upright(result):
        return result
    degrees = _sure_turn(tesseract, page, timeout)
    if not degrees:
        return result
    upright = _read(tesseract, page, language, psm, timeout, degrees)
    return upright if upright.confidence > result.confidence else result
