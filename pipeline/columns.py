"""A page's two-column areas read column by column: the Decree 30 header and the signature area.

Tesseract reads a row of words as one line when nothing but white space parts them, so the header's two
columns come out interleaved ("THỦ TƯỚNG CHÍNH PHỦ CỘNG HOÀ XÃ HỘI …", "Số: 464/TTg-CĐS Hà Nội, ngày …") and
so does the signature area ("Nơi nhận: KT. BỘ TRƯỞNG", "- Như trên; THỨ TRƯỞNG"). A person reads each column
as a block: the agency, the number and "V/v …" on the left, then the motto, the place and the date on the
right; the recipients, then the signer. An area is found from a row whose words are parted by a gap wider than
TUNING.column_gap text heights (the gutter); the rows around it that do not cross the gutter belong to it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from luutru.pipeline.quality import long_word
from luutru.pipeline.tuning import TUNING


class Boxed(Protocol):
    text: str
    box: tuple[int, int, int, int]  # left, top, width, height


def _counts(word: Boxed) -> bool:
    """A word that places a line: one with a letter or digit (a stray mark in the gutter does not)."""
    return any(character.isalnum() for character in word.text)


def _right(word: Boxed) -> int:
    return word.box[0] + word.box[2]


def _centre(word: Boxed) -> float:
    return word.box[0] + word.box[2] / 2


@dataclass
class _Area:
    """The rows of one two-column area: each row's left and right part, and the gutter between them."""
    gutter: tuple[int, int]
    rows: dict[int, tuple[list, list]]  # the line's index -> (its words left of the gutter, right of it)
    bottom: int
    top: int


def text_height(lines: Sequence[Sequence[Boxed]]) -> float:
    """The median height of the page's words of two letters or more."""
    heights = [word.box[3] for line in lines for word in line if long_word(word.text)]
    return float(statistics.median(heights)) if heights else 0.0


def _widest_gap(line: Sequence[Boxed]) -> tuple[int, int, int] | None:
    """(start, end, index of the first word after it) of the widest gap between two of the line's long words."""
    placed = [index for index, word in enumerate(line) if long_word(word.text)]
    gaps = [(_right(line[before]), line[after].box[0], after) for before, after in zip(placed, placed[1:])]
    return max(gaps, key=lambda gap: gap[1] - gap[0], default=None)


def _gutter(line: Sequence[Boxed], height: float) -> tuple[int, int, int] | None:
    """The line's widest gap (`_widest_gap`) if it is TUNING.column_gap text heights wide: two columns' words."""
    gap = _widest_gap(line)
    return gap if gap is not None and gap[1] - gap[0] >= TUNING.column_gap * height else None


def column_parts(line: Sequence[Boxed], height: float) -> tuple[list, list] | None:
    """The words of two columns Tesseract read as one line, each column's apart (by the side of the gutter's middle
    each lies on: a mark read in the gutter goes with the column it is nearer); None for a line of one column."""
    gap = _gutter(line, height)
    if gap is None:
        return None
    middle = (gap[0] + gap[1]) / 2
    return [word for word in line if _centre(word) < middle], [word for word in line if _centre(word) >= middle]


def _parted(line: Sequence[Boxed], gutter: tuple[int, int], height: float) -> tuple[list, list] | None:
    """The line as (left part, right part) if it keeps to its side of the gutter; None if it crosses it: its words
    lie on both sides of the gutter's middle and no gap of TUNING.column_split text heights overlaps the gutter."""
    placed = [index for index, word in enumerate(line) if _counts(word)]
    for before, after in zip(placed, placed[1:]):
        start, end = _right(line[before]), line[after].box[0]
        if end - start >= TUNING.column_split * height and start < gutter[1] and end > gutter[0]:
            return list(line[:after]), list(line[after:])
    middle = (gutter[0] + gutter[1]) / 2
    sides = {_centre(line[index]) < middle for index in placed}
    if sides == {True}:
        return list(line), []
    if sides == {False}:
        return [], list(line)
    return None


def _bottom(line: Sequence[Boxed]) -> int:
    return max(word.box[1] + word.box[3] for word in line)


def _top(line: Sequence[Boxed]) -> int:
    return min(word.box[1] for word in line)


def _grow(area: _Area, lines: Sequence[Sequence[Boxed]], order: list[int], height: float) -> None:
    """Take into the area the lines above and below it, nearest first, until one crosses the gutter or lies
    more than TUNING.column_rows_apart text heights from the area."""
    reach = TUNING.column_rows_apart * height
    below = [index for index in order if index not in area.rows and _top(lines[index]) >= area.top]
    above = [index for index in reversed(order) if index not in area.rows and _top(lines[index]) < area.top]
    for candidates, downwards in ((below, True), (above, False)):
        for index in candidates:
            line = lines[index]
            near = _top(line) <= area.bottom + reach if downwards else _bottom(line) >= area.top - reach
            parts = _parted(line, area.gutter, height) if near else None
            if parts is None:
                break
            area.rows[index] = parts
            area.top, area.bottom = min(area.top, _top(line)), max(area.bottom, _bottom(line))


def _crossed(area: _Area, lines: Sequence[Sequence[Boxed]], order: list[int], height: float) -> bool:
    """Whether a line of the page crosses the area's gutter. A header's or signature area's gutter ends where
    the body's lines run across it; a white band down the whole page (a register's binding, a drum's white
    streak) parts every line, and reading such a page in halves would slice every sentence."""
    return any(_parted(lines[index], area.gutter, height) is None for index in order if index not in area.rows)


def _areas(lines: Sequence[Sequence[Boxed]], height: float, is_text: Callable[[list], bool]) -> list[_Area]:
    """The page's two-column areas, each grown from a row with a gap of TUNING.column_gap text heights near the
    middle of the text's width, whose two parts both read as text (a stray blot read far beside a short line
    does not make a column)."""
    order = sorted((index for index, line in enumerate(lines) if any(map(_counts, line))),
                   key=lambda index: _top(lines[index]))
    left = min(word.box[0] for index in order for word in lines[index])
    width = max(_right(word) for index in order for word in lines[index]) - left
    areas: list[_Area] = []
    taken: set[int] = set()
    for index in order:
        if index in taken:
            continue
        gap = _gutter(lines[index], height)
        if gap is None:
            continue
        if abs((gap[0] + gap[1]) / 2 - left - width / 2) > TUNING.column_gutter_off_centre * width:
            continue  # a gap near the text's edge: ink a dirty drum left out of a line, not a gutter
        line = lines[index]
        parts = (list(line[:gap[2]]), list(line[gap[2]:]))
        if not all(map(is_text, parts)):
            continue
        area = _Area((gap[0], gap[1]), {index: parts}, _bottom(line), _top(line))
        _grow(area, lines, [other for other in order if other not in taken], height)
        if len(area.rows) >= 2 and _crossed(area, lines, order, height):
            areas.append(area)
            taken.update(area.rows)
    return areas


def in_reading_order(lines: list[list[Boxed]], is_text: Callable[[list], bool]) -> list[list[Boxed]]:
    """The lines as a person reads them: each two-column area as its left column's lines, top to bottom, then
    its right column's, in the place of the area's first line; every other line as Tesseract read it.
    `is_text` tells a piece of a line that reads as text from junk (pipeline.ocr.is_junk)."""
    height = text_height(lines)
    if not height:
        return lines
    first_of: dict[int, list[list[Boxed]]] = {}
    taken: set[int] = set()
    for area in _areas(lines, height, is_text):
        first_of[min(area.rows)] = [part for side in (0, 1)
                                    for part in sorted((parts[side] for parts in area.rows.values() if parts[side]),
                                                       key=_top)]
        taken.update(area.rows)
    ordered: list[list[Boxed]] = []
    for index, line in enumerate(lines):
        if index in first_of:
            ordered.extend(first_of[index])
        elif index not in taken:
            ordered.append(line)
    return ordered
