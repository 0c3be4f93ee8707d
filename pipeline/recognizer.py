"""A second recognizer for the words Tesseract misreads: AsterOCR's line network, run with onnxruntime.

Only the model file and its alphabet are taken from the `asterocr` wheel (found, never imported: the package
also carries trainers, a telemetry switch and tunnels to notebooks that a worker has no use for), and the
model is refused unless its sha256 is the one measured here. It reads again only the words Tesseract read
as no Vietnamese could be written (`misread_runs`), and its reading is kept where it scores better
(`quality.reading_score`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from luutru.pipeline.layout import word_lines
from luutru.pipeline.ocr import OcrResult, Word, line_box, mean_confidence, reordered
from luutru.pipeline.quality import reading_score, well_read

# asterocr 1.0.2's assets/asternet.onnx (PyPI, MIT): another model reads differently, so it is refused.
ASTER_SHA256 = "10c96b533e1f64031d73edfddafd7d4b13595544f11891f0531bcd72cb29be80"
LINE_HEIGHT = 32  # the network reads lines scaled to this height
MAX_STEPS = 256  # its positional encoding's length, in steps of 4 pixels: a longer run of words is read in parts
PAD = 0.25  # of the line's height, white around its words' box so that no stroke is cut


class RecognizerError(Exception):
    """The second recognizer is missing or is not the model luutru measured."""


class LineReader(Protocol):
    name: str
    fingerprint: str

    def read_line(self, line: np.ndarray) -> str:
        """The text of one line of 8-bit gray text."""


class AsterReader:
    """AsterOCR's network: a convolutional-recurrent line reader trained on Vietnamese, decoded greedily."""

    name = "asterocr"

    def __init__(self) -> None:
        import onnxruntime  # here: `luutru search` and the page's workers that never need it do not load it

        model = aster_model()
        self.fingerprint = ASTER_SHA256[:16]
        self.alphabet = json.loads((model.parent / "vocab.json").read_text(encoding="utf-8"))["chars"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1  # one process per core, as Tesseract
        # No arena nor memory pattern kept between lines of other widths: a worker's RSS after 30 lines 276 ->
        # 179 MiB, for some 25 % more of the network's time (itself some 3 % of a page's).
        options.enable_cpu_mem_arena = options.enable_mem_pattern = False
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def read_line(self, line: np.ndarray) -> str:
        width = 4 * min(MAX_STEPS, _steps(line))  # a single word too long for it is squeezed in
        scaled = cv2.resize(line, (width, LINE_HEIGHT), interpolation=cv2.INTER_AREA)
        pixels = (scaled.astype(np.float32) / 127.5 - 1.0)[None, None].repeat(3, axis=1)  # mean 0.5, std 0.5, RGB
        best = self.session.run(None, {"images": pixels})[0][:, 0, :].argmax(axis=1)
        # CTC, greedily: repeats merged, blanks (0) dropped.
        return "".join(self.alphabet[code] for step, code in enumerate(best)
                       if code and (not step or code != best[step - 1]))


def aster_model() -> Path:
    """The AsterOCR model file, checked to be the one luutru was measured with."""
    spec = importlib.util.find_spec("asterocr")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations or importlib.util.find_spec("onnxruntime") is None:
        raise RecognizerError("the second recognizer needs the asterocr and onnxruntime packages")
    model = Path(next(iter(spec.submodule_search_locations))) / "assets" / "asternet.onnx"
    try:
        with open(model, "rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise RecognizerError(f"{model}: {error.strerror}") from error
    if digest != ASTER_SHA256:
        raise RecognizerError(f"{model}: not the AsterOCR model luutru was measured with (sha256 {digest[:16]})")
    return model


@functools.cache
def line_reader(name: str) -> LineReader:
    """One reader a worker process, loaded at its first misread word."""
    if name == "asterocr":
        return AsterReader()
    raise RecognizerError(f"unknown line recognizer {name!r}")


def with_misread_words_read_again(result: OcrResult, image: np.ndarray, reader: LineReader) -> tuple[OcrResult, int]:
    """The reading with each run of misread words (`misread_runs`) read again by `reader` on `image` (the image the
    words' boxes are on), the other reading taken where it scores better; and how many runs changed."""
    lines, changed = word_lines(result.text, result.words), 0
    for number, line in enumerate(lines):
        runs = misread_runs(line)
        for start, end in reversed(runs):  # from the line's end, so that a run's new words move no later run
            other = _read_run(line, start, end, image, reader).split()
            if reading_score(" ".join(other), well_read) > _score(line[start:end]):
                line = line[:start] + _placed(other, line[start:end], line) + line[end:]
                changed += 1
        lines[number] = line
    return (reordered(result, lines) if changed else result), changed


def has_misread_words(result: OcrResult) -> bool:
    return any(misread_runs(line) for line in word_lines(result.text, result.words))


def misread_runs(line: list[Word]) -> list[tuple[int, int]]:
    """The runs of words (start, end) that are not `quality.well_read`: only they are read again, as the network
    misplaces more tone marks than Tesseract, turning one syllable into another that no judge tells apart."""
    runs: list[tuple[int, int]] = []
    for number, word in enumerate(line):
        if well_read(word.text):
            continue
        if runs and runs[-1][1] == number:
            runs[-1] = (runs[-1][0], number + 1)
        else:
            runs.append((number, number + 1))
    return runs


def _score(words: list[Word]) -> int:
    return reading_score(" ".join(word.text for word in words), well_read)


def _read_run(line: list[Word], start: int, end: int, image: np.ndarray, reader: LineReader) -> str:
    """The run's words read by `reader`: the line's height, from halfway to the word before to halfway to the word
    after; split between two words while it is too long for the network."""
    _, top, _, height = line_box(line)
    run_left, _, run_width, _ = line_box(line[start:end])
    run_right, bottom, pad = run_left + run_width, top + height, max(2, round(PAD * height))
    before = line[start - 1].box[0] + line[start - 1].box[2] if start else run_left - 2 * pad
    after = line[end].box[0] if end < len(line) else run_right + 2 * pad
    crop = image[max(0, top - pad):bottom + pad, max(0, (before + run_left) // 2):(run_right + after) // 2 + 1]
    if min(crop.shape) < 4:
        return " ".join(word.text for word in line[start:end])
    if end - start > 1 and _steps(crop) > MAX_STEPS:
        middle = (start + end) // 2
        return f"{_read_run(line, start, middle, image, reader)} {_read_run(line, middle, end, image, reader)}"
    return reader.read_line(crop)


def _steps(line: np.ndarray) -> int:
    """The network's steps over a line: one every 4 pixels of it scaled to LINE_HEIGHT."""
    height, width = line.shape
    return max(8, round(width * LINE_HEIGHT / height / 4))


def _placed(words: list[str], run: list[Word], line: list[Word]) -> list[Word]:
    """Words another reading gave for `run`: in its words' boxes where they are as many, else in the run's box
    shared out by their lengths; their confidence the line's as Tesseract read it (still a page read badly)."""
    confidence = round(mean_confidence(line), 2)
    if len(words) == len(run):
        return [Word(new, confidence, old.box) for new, old in zip(words, run)]
    left, top, width, height = line_box(run)
    total, start, placed = sum(len(word) + 1 for word in words), left, []
    for word in words:
        placed.append(Word(word, confidence, (start, top, max(1, round(width * len(word) / total)), height)))
        start += round(width * (len(word) + 1) / total)
    return placed
