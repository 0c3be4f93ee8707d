"""What ruled lines enclose on a page: a table, read row by row, and a stamp, read after the page's text.

Tesseract lays a page out by its white space: a ruled table whose columns are far apart comes out a column at a
time (every row's task, then every row's amount) and a multi-line cell's lines interleave with its neighbours',
so a row's task and its lead agency never meet in the index or a snippet. A receipt stamp ("ĐẾN", "CÔNG VĂN
ĐẾN"), an urgency or a secrecy stamp is a small box of rules stamped over the margin or the header, and its
words land among the recipients or in the subject line. Both are found by their rules: runs of ink longer than
TUNING.rule_length text heights, down or across, on the page as scanned (cleanup drops a grid that spans the page
as a frame). A table is a group of rules with rows (rules across TUNING.rule_span of its width) and, in some
row, a rule down TUNING.rule_span of the row's height between its sides; a stamp is a box of rules with no such
inner rule, no wider than TUNING.stamp_width of the page and no narrower than TUNING.stamp_least text heights (a
form's tick box holds a mark that belongs where it is).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from luutru.pipeline.cleanup import CleanPage, flatten, pieces, runs
from luutru.pipeline.columns import Boxed
from luutru.pipeline.tuning import TUNING


@dataclass(frozen=True)
class Ruled:
    """A box of rules: its rows (top, bottom) and each row's cell edges (x positions, left to right)."""
    box: tuple[int, int, int, int]  # left, top, right, bottom
    rows: tuple[tuple[int, int], ...]
    edges: tuple[tuple[int, ...], ...]

    @property
    def is_table(self) -> bool:
        return any(len(edges) > 2 for edges in self.edges)

    def cell(self, word: Boxed) -> tuple[int, int] | None:
        """(row, column) of the cell that holds the word's centre, or None if it is in none."""
        x, y = word.box[0] + word.box[2] / 2, word.box[1] + word.box[3] / 2
        for row, (top, bottom) in enumerate(self.rows):
            if top <= y < bottom:
                edges = self.edges[row]
                for column, (left, right) in enumerate(zip(edges, edges[1:])):
                    if left <= x < right:
                        return row, column
        return None


def _middles(covered: np.ndarray, offset: int) -> list[int]:
    """The middle of each run of True, moved by `offset`."""
    return [offset + int(start + end - 1) // 2 for start, end in runs(covered)]


def ruled_boxes(gray: np.ndarray, height: float) -> list[Ruled]:
    """The page's tables and boxes of rules, found on an 8-bit page whose words are `height` pixels tall."""
    if height <= 0:
        return []
    # Thresholded against the paper's own light: a copier's blotches or a photo's shading are no ink.
    ink = cv2.threshold(flatten(CleanPage(gray)).pixels, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    length, slant = max(3, round(TUNING.rule_length * height)), max(1, round(height / 2))
    # A rule is thin: ink half a text height thick both ways (a photo's dark margin, a scanner's black border,
    # a blot) is none, nor are its edges.
    thick = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((slant, slant), np.uint8))
    ink &= 1 - cv2.dilate(thick, np.ones((5, 5), np.uint8))
    del thick
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    del ink  # the page's pieces are labelled next: its masks are held no longer than needed (8 MB each)
    if not across.any() or not down.any():
        return []  # a box has rules both ways (`_grid`): a page of running text has none down, or none at all
    # A rule stays a rule when the page is a little skewed: each is widened by half a text height across itself.
    across, down = cv2.dilate(across, np.ones((slant, 1))), cv2.dilate(down, np.ones((1, slant)))
    count, labels, stats, _ = pieces(cv2.dilate(across | down, np.ones((3, 3), np.uint8)))
    found = []
    for label in range(1, count):
        left, top, width, tall = stats[label, :4]
        if width < length or tall < length:
            continue
        mine = labels[top:top + tall, left:left + width] == label
        ruled = _grid(across[top:top + tall, left:left + width] & mine, down[top:top + tall, left:left + width] & mine,
                      left, top, height)
        if ruled and (ruled.is_table or TUNING.stamp_least * height <= width <= TUNING.stamp_width * gray.shape[1]):
            found.append(ruled)
    return found


def _grid(across: np.ndarray, down: np.ndarray, left: int, top: int, height: float) -> Ruled | None:
    """The rows and cells of one group of rules (its masks of rules across and down), or None unless it is a
    box: two rules across it or more, and two down it or more."""
    tall, width = across.shape
    rules = _middles(across.sum(axis=1) >= TUNING.rule_span * width, 0)
    if len(rules) < 2 or len(runs(down.sum(axis=0) >= TUNING.rule_span * tall)) < 2:
        return None
    rules = [rules[0], *_apart(rules, tall, height / 2), rules[-1]]
    cuts = sorted({0, *rules, tall})
    rows, edges = [], []
    for upper, lower in zip(cuts, cuts[1:]):
        downs = _middles(down[upper:lower].sum(axis=0) >= TUNING.rule_span * (lower - upper), 0)
        if lower - upper < height or not (rules[0] <= upper < lower <= rules[-1] or len(downs) > 2):
            continue  # a rule's edge; or above the first rule or below the last, not parted into cells there
        rows.append((top + upper, top + lower))
        edges.append(tuple(left + x for x in (0, *_apart(downs, width, height / 2), width)))
    return Ruled((left, top, left + width, top + tall), tuple(rows), tuple(edges)) if rows else None


def _apart(positions: list[int], size: int, apart: float) -> list[int]:
    """The positions inside (0, size) at least `apart` from either end and from the one before (a rule's two
    edges, a double rule, the box's own sides are one cut)."""
    kept: list[int] = []
    for position in positions:
        if apart <= position <= size - apart and (not kept or position - kept[-1] >= apart):
            kept.append(position)
    return kept


def in_ruled_order(lines: list[list[Boxed]], boxes: Sequence[Ruled]) -> list[list[Boxed]]:
    """The lines with each table's words as its rows, a line a row (each cell's words in the order they are
    read, cells left to right), in the place of the table's first word; and a stamp's words after every other
    line. A word outside every cell stays in its line."""
    if not boxes:
        return lines
    cells: dict[int, dict[tuple[int, int], list[Boxed]]] = {}
    stamped: list[Boxed] = []
    entries: list[list[Boxed] | int] = []  # a line, or the index of a table in its place
    for line in lines:
        rest = []
        for word in line:
            found = ((index, box.cell(word)) for index, box in enumerate(boxes))
            index, cell = next(((index, cell) for index, cell in found if cell is not None), (None, None))
            if cell is None:
                rest.append(word)
            elif not boxes[index].is_table:
                stamped.append(word)
            else:
                if index not in cells:
                    entries.append(index)
                cells.setdefault(index, {}).setdefault(cell, []).append(word)
        if rest:
            entries.append(rest)
    return [row for entry in entries for row in (_rows(cells[entry]) if isinstance(entry, int) else [entry])] + \
        _as_read(stamped)


def _rows(cells: dict[tuple[int, int], list[Boxed]]) -> list[list[Boxed]]:
    """A table's rows, top to bottom, each its cells' words left to right; a ruled row is cut where white runs
    across it and each part has words in each of its cells that has any."""
    # Such rows had rules too faint to find between them, or none. A part with words in only some cells (a cell's
    # second line) belongs to the row above it.
    rows = []
    for band in sorted({band for band, _ in cells}):
        columns = sorted(column for row, column in cells if row == band)
        column_of = {id(word): column for column in columns for word in cells[band, column]}
        parts: list[list[Boxed]] = []
        for stripe in _stripes([word for column in columns for word in cells[band, column]]):
            if parts and {column_of[id(word)] for word in stripe} != set(columns):
                parts[-1].extend(stripe)
            else:
                parts.append(stripe)
        for part in parts:
            rows.append([word for column in columns
                         for line in _as_read([word for word in part if column_of[id(word)] == column])
                         for word in line])
    return rows


def _as_read(words: list[Boxed]) -> list[list[Boxed]]:
    """Words gathered from their lines back into lines, each left to right."""
    return [sorted(stripe, key=lambda word: word.box[0]) for stripe in _stripes(words)]


def _stripes(words: list[Boxed]) -> list[list[Boxed]]:
    """The words in runs down the page, parted where white runs across between them. A word spans the usual
    height about its middle: a rule's piece read into its box makes it tall, not two lines high."""
    if not words:
        return []
    reach = statistics.median(word.box[3] for word in words) / 2
    stripes: list[list[Boxed]] = []
    bottom = -math.inf
    for word in sorted(words, key=_middle):
        if _middle(word) - reach >= bottom:
            stripes.append([])
        stripes[-1].append(word)
        bottom = max(bottom, _middle(word) + reach)
    return stripes


def _middle(word: Boxed) -> float:
    return word.box[1] + word.box[3] / 2
