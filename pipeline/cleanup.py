"""Basic page cleanup before OCR: grayscale without coloured ink, deskew, binarization.

Each step is a small function on a NumPy array so that steps can be switched and measured
one at a time. Cleanup only feeds OCR; the original page is never changed.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

# Skews beyond this are not scanner skew but rotated pages, a job for orientation detection.
MAX_SKEW_DEGREES = 5.0
MIN_SKEW_DEGREES = 0.1
SKEW_ANALYSIS_WIDTH = 1000


def ink_free_gray(image: Image.Image) -> np.ndarray:
    """Grayscale that keeps black text and drops red seals and blue signatures.

    Taking the brightest channel turns coloured ink into near-paper white, while black
    print (dark in every channel) stays dark, also where it runs under a seal.
    """
    if image.mode == "L":
        return np.asarray(image)
    return np.asarray(image.convert("RGB")).max(axis=2)


def _text_mask(gray: np.ndarray) -> np.ndarray:
    """Ink as 1, paper as 0, on a page scaled down for speed."""
    scale = min(1.0, SKEW_ANALYSIS_WIDTH / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, mask = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def _profile_sharpness(mask: np.ndarray, angle: float) -> float:
    """How sharply the row sums peak when the page is turned by `angle` (text lines align)."""
    height, width = mask.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = turned.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def estimate_skew(gray: np.ndarray) -> float:
    """The angle in degrees that straightens the text lines (projection profile, coarse to fine)."""
    mask = _text_mask(gray)
    if mask.sum() < 100:
        return 0.0
    best = 0.0
    for step, span in ((0.5, MAX_SKEW_DEGREES), (0.1, 0.5), (0.02, 0.1)):
        candidates = np.arange(best - span, best + span + step / 2, step)
        best = max(candidates, key=lambda angle: _profile_sharpness(mask, angle))
    return float(best)


def deskew(gray: np.ndarray) -> np.ndarray:
    angle = estimate_skew(gray)
    if abs(angle) < MIN_SKEW_DEGREES:
        return gray  # already straight: leave it alone
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Otsu's global threshold: black text on white paper."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


STEPS = {"deskew": deskew, "binarize": binarize}
DEFAULT_STEPS = ("deskew", "binarize")


def clean_page(image: Image.Image, steps: tuple[str, ...] = DEFAULT_STEPS) -> np.ndarray:
    page = ink_free_gray(image)
    for name in steps:
        page = STEPS[name](page)
    return page
