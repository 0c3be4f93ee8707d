"""Where a page's stored words lie for someone reading the page: upright, and in their lines.

Word boxes are stored on the original page image; a page Tesseract read turned (on its side, upside
down) is shown upright by every face that draws it, the two-layer PDF and the counter's page alike.
"""

from __future__ import annotations

import math

import numpy as np

from luutru.pipeline.geometry import box_on_original, quarter_turn

IDENTITY_MAP = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def read_turn(to_read: list[float]) -> int:
    """The quarter turn (0, 90, 180, 270 clockwise) in the map from the original to what was read."""
    a, _, _, d, _, _ = to_read
    return round(math.degrees(math.atan2(d, a)) / 90) % 4 * 90


def upright(geometry: dict) -> tuple[np.ndarray, int, int, int]:
    """The map from the original image onto the page drawn upright, that page's size, and the turn."""
    width, height = int(geometry["width"]), int(geometry["height"])
    turn = read_turn(geometry.get("to_read", IDENTITY_MAP))
    size = (height, width) if turn in (90, 270) else (width, height)
    return quarter_turn(turn, width, height), size[0], size[1], turn


def words_on_original(words: list, geometry: dict) -> list:
    """The stored words with their boxes on the original image (pages read before luutru kept them
    there hold boxes on the image that was read)."""
    if geometry.get("boxes") != "read":
        return words
    to_read = np.vstack([np.array(geometry["to_read"], dtype=float).reshape(2, 3), [0, 0, 1]])
    width, height = int(geometry["width"]), int(geometry["height"])
    return [[text, confidence, *box_on_original((left, top, box_width, box_height), to_read, width, height)]
            for text, confidence, left, top, box_width, box_height in words]


def word_lines(text: str, words: list) -> list[list]:
    """The words grouped by the stored text's lines (OCR joins a line's words with spaces); one word a
    line when the text and the words do not agree."""
    counts = [len(line.split()) for line in text.splitlines() if line.strip()]
    if sum(counts) != len(words):
        return [[word] for word in words]
    lines, start = [], 0
    for count in counts:
        lines.append(words[start:start + count])
        start += count
    return lines
