"""Where a word read on a cleaned page lies on the original scan.

Cleanup straightens a page (a small rotation about its centre) and OCR may turn it by a quarter
turn or two (then straighten it again). Each step is an affine map from the coordinates before it
to the coordinates after it, kept as a 3x3 matrix; their product maps the original page onto the
image Tesseract read, and its inverse brings every word box back onto the original, where a
two-layer PDF or a browser draws it. A page that a fold or a curl bent is also straightened column
by column (cleanup.straighten), which no matrix holds: `unbent_box` undoes it between the two.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # left, top, width, height in pixels


def identity() -> np.ndarray:
    return np.eye(3)


def scaling(factor: float) -> np.ndarray:
    """The map of resizing an image by `factor` both ways."""
    return np.diag([factor, factor, 1.0])


def rotation(angle: float, width: int, height: int) -> np.ndarray:
    """The map of cv2's rotation by `angle` degrees (counter-clockwise) about the image's centre."""
    return np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0), [0.0, 0.0, 1.0]])


def quarter_turn(degrees: int, width: int, height: int) -> np.ndarray:
    """The map of turning a `width` x `height` image clockwise by 0, 90, 180 or 270 degrees."""
    turns = {0: [[1, 0, 0], [0, 1, 0]],
             90: [[0, -1, height], [1, 0, 0]],
             180: [[-1, 0, width], [0, -1, height]],
             270: [[0, 1, 0], [-1, 0, width]]}
    return np.vstack([np.array(turns[degrees % 360], dtype=float), [0.0, 0.0, 1.0]])


def box_on_original(box: Box, to_read: np.ndarray, width: int, height: int) -> Box:
    """The box (in the read image) as the smallest upright box on the original that holds it."""
    left, top, box_width, box_height = box
    corners = np.array([[left, top, 1], [left + box_width, top, 1], [left, top + box_height, 1],
                        [left + box_width, top + box_height, 1]], dtype=float).T
    mapped = np.linalg.inv(to_read) @ corners
    x0, y0 = np.clip(np.floor(mapped[:2].min(axis=1)), 0, [width, height])
    x1, y1 = np.clip(np.ceil(mapped[:2].max(axis=1)), 0, [width, height])
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def unbent_box(box: Box, column_shift: np.ndarray) -> Box:
    """The box on the page before it was straightened, where the pixel at column x, row y came from row
    y + column_shift[x]: the smallest box that holds where each of its columns came from."""
    left, top, box_width, box_height = box
    shifts = column_shift[min(left, len(column_shift) - 1):max(left + box_width, left + 1)]
    upper = top + int(np.floor(shifts.min()))
    lower = top + box_height + int(np.ceil(shifts.max()))
    return left, upper, box_width, lower - upper


def as_list(matrix: np.ndarray) -> list[float]:
    """The six numbers of an affine map, for the catalog."""
    return [round(float(value), 6) for value in matrix[:2].ravel()]
