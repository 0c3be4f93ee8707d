"""A scanned PDF page's own text layer: the page's text when it covers the page's ink, otherwise text
drawn over a part of the scan (a signature block, a portal's stamp), read beside the page's OCR."""

from __future__ import annotations

import unicodedata

import numpy as np

from luutru.pipeline.ocr import Word, text_of
from luutru.pipeline.tuning import TUNING
from luutru.scanners import LayerWord


def _pixel_box(word: LayerWord, width: int, height: int, margin: float = 0.0) -> tuple[int, int, int, int]:
    """The word's box on a page image `width` x `height` pixels (left, top, right, bottom), widened by `margin`
    of its height on every side."""
    left, top, right, bottom = word.box
    pad = margin * (bottom - top)
    return (int((left - pad * height / width) * width), int((top - pad) * height),
            int(np.ceil((right + pad * height / width) * width)), int(np.ceil((bottom + pad) * height)))


def covered_share(letters: np.ndarray, lines: list[list[LayerWord]], width: int, height: int) -> float:
    """The share of a page's letter-sized pieces of ink (their centres, x and y) that lie under a word of its
    text layer; 0 for a page without letters."""
    if not len(letters):
        return 0.0
    under = np.zeros(len(letters), dtype=bool)
    for word in (word for line in lines for word in line):
        left, top, right, bottom = _pixel_box(word, width, height, TUNING.box_margin)
        under |= (letters[:, 0] >= left) & (letters[:, 0] <= right) & (letters[:, 1] >= top) & (letters[:, 1] <= bottom)
    return float(under.mean())


def without_layer(gray: np.ndarray, lines: list[list[LayerWord]]) -> np.ndarray:
    """The page with the text layer's words painted out, so that OCR does not read them a second time, and
    worse (the layer holds them exactly)."""
    height, width = gray.shape
    painted = gray.copy()
    for word in (word for line in lines for word in line):
        left, top, right, bottom = _pixel_box(word, width, height, TUNING.box_margin)
        painted[max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)] = 255
    return painted


def with_layer(text: str, words: list[Word], lines: list[list[LayerWord]], width: int,
               height: int) -> tuple[str, list[Word]]:
    """A page's OCR text and words, followed by its text layer's lines (a line of text a line of words,
    as OCR's are), their boxes on the page image `width` x `height` pixels."""
    layer_words = [[Word(unicodedata.normalize("NFC", word.text), 100.0, _size_box(word, width, height))
                    for word in line] for line in lines]
    layer_text = text_of(layer_words)
    return "\n".join(part for part in (text, layer_text) if part), \
        words + [word for line in layer_words for word in line]


def _size_box(word: LayerWord, width: int, height: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = _pixel_box(word, width, height)
    return left, top, right - left, bottom - top
