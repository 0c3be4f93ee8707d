"""Damage done to page images the way archive scans suffer it, for benchmarks and tests.

Each function takes a clean RGB page (and a seeded random generator) and returns the damaged page.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageFilter

from samples.make_samples import speckle, yellowed


def rotated(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.rotate(rng.choice([90, 180, 270]), expand=True)


def _light_falloff(shape: tuple[int, int], rng: random.Random, darkest: float) -> np.ndarray:
    """Brightness from 1.0 near a random point down to `darkest` far from it."""
    height, width = shape
    x, y = np.meshgrid(np.linspace(0, 1, width, dtype=np.float32), np.linspace(0, 1, height, dtype=np.float32))
    cx, cy = rng.uniform(0, 1), rng.uniform(0, 1)
    return 1.0 - (1.0 - darkest) * np.clip(np.hypot(x - cx, y - cy) / 1.2, 0, 1)


def uneven_light(image: Image.Image, rng: random.Random, darkest: float = 0.3) -> Image.Image:
    """A lamp to one side and the shadow of a book's gutter along one edge."""
    pixels = np.asarray(image, np.float32)
    light = _light_falloff(pixels.shape[:2], rng, darkest)
    gutter = np.linspace(0.55, 1.0, pixels.shape[1] // 8, dtype=np.float32)
    light[:, : gutter.size] *= gutter
    return Image.fromarray(np.clip(pixels * light[..., None], 0, 255).astype(np.uint8))


def faded_photocopy(image: Image.Image, rng: random.Random) -> Image.Image:
    """Faint gray text on gray paper, soft edges, toner dust, the copier's dark edge: a copy of a copy."""
    gray = np.asarray(image.convert("L").filter(ImageFilter.GaussianBlur(1.4)), np.float32)
    paper, ink = rng.uniform(198, 210), rng.uniform(158, 172)
    faded = paper - (255 - gray) / 255 * (paper - ink)
    noise = np.random.default_rng(rng.randrange(1 << 30))
    faded += noise.normal(0, 8, gray.shape)
    faded[noise.random(gray.shape) < 0.002] = 90  # toner dust
    edge = rng.randrange(40, 90)
    faded[:, -edge:] = noise.normal(40, 10, (gray.shape[0], edge))
    return Image.fromarray(np.clip(faded, 0, 255).astype(np.uint8))


def phone_photo(image: Image.Image, rng: random.Random) -> Image.Image:
    """The page photographed on a dark desk: lower resolution, margins, a tilt, blur, uneven light."""
    width, height = image.size
    page = uneven_light(image, rng, darkest=0.45).resize((int(width * 0.6), int(height * 0.6)), Image.BILINEAR)
    page = page.resize((width, height), Image.BICUBIC).filter(ImageFilter.GaussianBlur(1.0))
    desk = Image.new("RGB", (int(width * 1.12), int(height * 1.08)), (45, 40, 38))
    desk.paste(page, (int(width * rng.uniform(0.03, 0.09)), int(height * rng.uniform(0.02, 0.06))))
    return desk.rotate(rng.uniform(-2.5, 2.5), resample=Image.BICUBIC, fillcolor=(45, 40, 38))


def noisy_yellowed(image: Image.Image, rng: random.Random) -> Image.Image:
    """Old paper: yellowed, stained, with dense speckle."""
    seeded = np.random.default_rng(rng.randrange(1 << 30))
    paper = np.asarray(yellowed(image, seeded), np.float32)
    stains = cv2.GaussianBlur(seeded.normal(0, 1, (paper.shape[0] // 16, paper.shape[1] // 16)).astype(np.float32),
                              (0, 0), 3)
    stains = cv2.resize(stains, (paper.shape[1], paper.shape[0]))
    paper *= np.clip(1.0 - 0.25 * np.clip(stains, 0, None), 0.6, 1.0)[..., None]
    gray = cv2.cvtColor(np.clip(paper, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    return Image.fromarray(speckle(gray, seeded, 0.01))
