"""OCR accuracy per kind of damage: plain `tesseract` against the luutru pipeline, on the same pages.

The pages are the sample documents (samples/documents.py) rendered clean at 300 dpi with their true
text, then damaged the way archive scans are: skew, rotation by 90/180/270, speckle on yellowed paper,
uneven light, a faded photocopy, a JPEG phone photo (dark margins, tilt, blur, uneven light), a red
seal and blue signature. Both sides read the same image files: plain tesseract as
`tesseract PAGE stdout -l vie` (OMP_THREAD_LIMIT=1), luutru as `pipeline.work.process_page` does
(render, cleanup, OCR). Text is scored after NFC and collapsing whitespace, nothing else.

    python benchmarks/ocr_accuracy.py [--pages-per-kind 9] [--jobs 2] [--ablation]

--ablation runs luutru again with each cleanup step removed in turn. OCRmyPDF runs too where it
is installed (`ocrmypdf --deskew --clean --rotate-pages`, sidecar text). Needs serif fonts with
Vietnamese glyphs (fonts-noto-core or fonts-dejavu-core) to render the pages.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter
from rapidfuzz.distance import Levenshtein

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from pipeline.cleanup import DEFAULT_STEPS  # noqa: E402
from pipeline.ocr import limit_threads  # noqa: E402
from pipeline.work import OcrSettings, PageJob, process_page  # noqa: E402
from samples.documents import ALL_DOCUMENTS  # noqa: E402
from samples.make_samples import add_signature_and_seal, render, skew, speckle, yellowed  # noqa: E402
from scanners import Kind  # noqa: E402


@dataclass
class Sample:
    kind: str
    path: Path
    truth: str


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


DAMAGE: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "clean": lambda image, rng: image,
    "skew 1-4°": lambda image, rng: skew(image, rng.choice([-1, 1]) * rng.uniform(1, 4)),
    "rotated 90/180/270": rotated,
    "speckle, yellowed": noisy_yellowed,
    "uneven light": uneven_light,
    "faded photocopy": faded_photocopy,
    "phone photo (JPEG)": phone_photo,
    "red seal, blue ink": lambda image, rng: image,  # the seal is stamped in make_pages
}


def clean_pages() -> list[tuple[Image.Image, str, tuple[int, int] | None]]:
    return [render(page) for document in ALL_DOCUMENTS for page in document.pages]


def make_pages(folder: Path, per_kind: int, seed: int = 4) -> list[Sample]:
    rng, sources = random.Random(seed), clean_pages()
    samples = []
    for kind, damage in DAMAGE.items():
        for index in range(per_kind):
            image, truth, stamp_at = sources[index % len(sources)]
            if kind == "red seal, blue ink":
                image = add_signature_and_seal(image.copy(), stamp_at or (1900, 3000), rng)
            damaged = damage(image, rng)
            suffix = ".jpg" if "JPEG" in kind else ".png"
            path = folder / f"{len(samples):03d}{suffix}"
            damaged.save(path, quality=60) if suffix == ".jpg" else damaged.save(path)
            samples.append(Sample(kind, path, truth))
    return samples


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def error_rates(truth: str, text: str) -> tuple[float, float]:
    truth, text = normalized(truth), normalized(text)
    words = truth.split()
    return (Levenshtein.distance(truth, text) / max(1, len(truth)),
            Levenshtein.distance(words, text.split()) / max(1, len(words)))


def plain_tesseract(sample: Sample) -> str:
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")
    result = subprocess.run(["tesseract", str(sample.path), "stdout", "-l", "vie"], capture_output=True,
                            env=environment, timeout=600, check=False)
    return result.stdout.decode("utf-8", errors="replace")


def luutru(settings: OcrSettings, sample: Sample) -> str:
    kind = Kind.JPEG if sample.path.suffix == ".jpg" else Kind.PNG
    outcome = process_page(PageJob(0, str(sample.path), kind, 1, settings))
    return outcome.text if outcome.error is None else ""


def ocrmypdf(sample: Sample) -> str:
    with tempfile.TemporaryDirectory() as folder:
        sidecar = Path(folder) / "text.txt"
        subprocess.run(["ocrmypdf", "-l", "vie", "--deskew", "--clean", "--rotate-pages", "--sidecar", str(sidecar),
                        "--image-dpi", "300", "--jobs", "1", "-q", str(sample.path), str(Path(folder) / "out.pdf")],
                       capture_output=True, timeout=900, check=False)
        return sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""


def timed_read(reader: Callable[[Sample], str], sample: Sample) -> tuple[str, tuple]:
    started = time.perf_counter()
    text = reader(sample)
    return sample.kind, (*error_rates(sample.truth, text), time.perf_counter() - started)


def measure(reader: Callable[[Sample], str], samples: list[Sample], jobs: int) -> dict[str, list[tuple]]:
    """Per kind of damage: (CER, WER, seconds) of every page, `jobs` worker processes at a time,
    each with one single-threaded Tesseract, as `luutru ingest --jobs` runs."""
    by_kind = defaultdict(list)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=limit_threads) as pool:
        for kind, row in pool.map(partial(timed_read, reader), samples):
            by_kind[kind].append(row)
    return by_kind


def mean(values) -> float:
    return statistics.fmean(values)


def print_table(results: dict[str, dict[str, list[tuple]]]) -> None:
    """Mean CER, WER and seconds per page for each reader and kind of damage."""
    names = list(results)
    print(f"\n{'damage':<22}" + "".join(f"{name + ' CER':>16}{'WER':>7}{'s/page':>8}" for name in names))
    kinds = list(next(iter(results.values())))
    for kind in kinds + ["all"]:
        cells = []
        for name in names:
            rows = [row for k, rows in results[name].items() if kind in (k, "all") for row in rows]
            cells.append("".join(f"{mean(row[column] for row in rows):>{width}.{digits}f}"
                                 for column, width, digits in ((0, 16, 3), (1, 7, 3), (2, 8, 2))))
        print(f"{kind:<22}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages-per-kind", type=int, default=9)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ablation", action="store_true", help="also run luutru without each cleanup step")
    parser.add_argument("--psm", type=int, default=OcrSettings().psm, help="luutru's page segmentation mode")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luutru-ocr-") as folder:
        samples = make_pages(Path(folder), options.pages_per_kind)
        print(f"{len(samples)} pages, {options.pages_per_kind} per kind of damage, {options.jobs} at a time")
        settings = OcrSettings(psm=options.psm)
        results = {"tesseract": measure(plain_tesseract, samples, options.jobs),
                   "luutru": measure(partial(luutru, settings), samples, options.jobs)}
        if shutil.which("ocrmypdf"):
            results["ocrmypdf"] = measure(ocrmypdf, samples, options.jobs)
        if options.ablation:
            for step in DEFAULT_STEPS:
                steps = tuple(name for name in DEFAULT_STEPS if name != step)
                results[f"-{step}"] = measure(partial(luutru, replace(settings, cleanup=steps)), samples,
                                              options.jobs)
        print_table(results)


if __name__ == "__main__":
    main()
