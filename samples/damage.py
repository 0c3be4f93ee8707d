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


# Damage made with augraphy (a maintained library of paper, print and scan degradations), at random
# strengths, so that no cleanup is tuned to one generator's look. augraphy draws from Python's and
# NumPy's global generators: both are seeded from the page's own generator first.
def _augraphy(rng: random.Random):
    import augraphy

    seed = rng.randrange(1 << 30)
    random.seed(seed)
    np.random.seed(seed)
    _seed_numba(seed)  # augraphy's noise is drawn in numba-compiled code, from numba's own generator
    return augraphy


def _seed_numba(seed: int) -> None:
    from numba import njit

    global _numba_seeder
    if _numba_seeder is None:
        def seed_both(value: int) -> None:
            random.seed(value)
            np.random.seed(value)
        _numba_seeder = njit(seed_both)
    _numba_seeder(seed)


_numba_seeder = None


def _applied(augmentation, gray: np.ndarray) -> np.ndarray:
    result = augmentation(gray)
    result = result[0] if isinstance(result, tuple) else result
    return cv2.cvtColor(result, cv2.COLOR_BGR2GRAY) if result.ndim == 3 else result


def copier_texture(image: Image.Image, rng: random.Random) -> Image.Image:
    """A faded photocopy as district archives hold them: the copier's grain and blotches over parts of
    the page, low-ink lines, drum streaks and thinned strokes, then everything squeezed to some 40 %
    contrast on grey paper (205-222), uneven light, JPEG."""
    augraphy = _augraphy(rng)
    gray = np.asarray(image.convert("L"))
    if rng.random() < 0.5:  # worn toner: strokes a pixel thinner
        gray = cv2.dilate(gray, np.ones((2, 2), np.uint8))
    gray = _applied(augraphy.BadPhotoCopy(noise_type=rng.choice([3, 4]), noise_side="random", noise_iteration=(1, 2),
                                          noise_size=(1, 2), noise_value=(30, 130), noise_sparsity=(0.5, 0.8),
                                          noise_concentration=(0.2, 0.5), blur_noise=0, wave_pattern=0,
                                          edge_effect=0, p=1), gray)  # grain and blotches over part of the page
    gray = _applied(augraphy.LowInkRandomLines(count_range=(5, 20), use_consistent_lines=False, p=1), gray)
    gray = _applied(augraphy.DirtyDrum(line_width_range=(1, 2), line_concentration=rng.uniform(0.02, 0.08),
                                       direction=1, noise_intensity=rng.uniform(0.05, 0.2), p=1), gray)
    paper = rng.uniform(205, 222)
    ink = paper * (1 - rng.uniform(0.35, 0.45))
    faded = (paper - (255 - gray.astype(np.float32)) / 255 * (paper - ink)).astype(np.uint8)
    lit = uneven_light(Image.fromarray(faded).convert("RGB"), rng, darkest=rng.uniform(0.8, 0.95))
    return _jpeg(lit, rng.randint(40, 70))


def low_ink_and_drum(image: Image.Image, rng: random.Random) -> Image.Image:
    """A worn printer or copier: lines short of ink, streaks from a dirty drum."""
    augraphy = _augraphy(rng)
    gray = np.asarray(image.convert("L"))
    gray = _applied(augraphy.LowInkPeriodicLines(count_range=(2, 6), period_range=(16, 48), p=1), gray)
    gray = _applied(augraphy.DirtyDrum(line_width_range=(1, 3), line_concentration=rng.uniform(0.02, 0.1),
                                       direction=rng.randint(0, 2), noise_intensity=rng.uniform(0.1, 0.4), p=1), gray)
    return Image.fromarray(gray)


def drum_streaks_across(image: Image.Image, rng: random.Random) -> Image.Image:
    """A dirty drum's streaks across the page only: bands of grey toner dots over whole lines of text."""
    augraphy = _augraphy(rng)
    gray = np.asarray(image.convert("L"))
    return Image.fromarray(_applied(augraphy.DirtyDrum(line_width_range=(2, 3), line_concentration=0.1, direction=0,
                                                       noise_intensity=0.4, p=1), gray))


def ink_bleed(image: Image.Image, rng: random.Random) -> Image.Image:
    """Ink spread into cheap paper, letters thickened and their counters filled."""
    augraphy = _augraphy(rng)
    gray = np.asarray(image.convert("L"))
    return Image.fromarray(_applied(augraphy.InkBleed(intensity_range=(0.4, 0.8), kernel_size=(5, 5),
                                                      severity=(0.3, 0.6), p=1), gray))


def shadow_and_folds(image: Image.Image, rng: random.Random) -> Image.Image:
    """A page folded into a dossier for years and scanned with a shadow across it."""
    augraphy = _augraphy(rng)
    gray = np.asarray(image.convert("L"))
    gray = _applied(augraphy.Folding(fold_count=rng.randint(1, 3), fold_noise=rng.uniform(0, 0.2), p=1), gray)
    gray = _applied(augraphy.ShadowCast(shadow_side=rng.choice(["top", "bottom", "left", "right"]),
                                        shadow_opacity_range=(0.4, 0.8), p=1), gray)
    return Image.fromarray(gray)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    import io

    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")
