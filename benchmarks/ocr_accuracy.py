"""OCR accuracy per kind of damage: plain `tesseract` against the luutru pipeline, on the same pages.

The pages are the sample documents (samples/documents.py) rendered clean at 300 dpi with their true
text, then damaged the way archive scans are: skew, rotation by 90/180/270, speckle on yellowed paper,
uneven light, a faded photocopy, a JPEG phone photo (dark margins, tilt, blur, uneven light), a red
seal and blue signature. Both sides read the same image files: plain tesseract as
`tesseract PAGE stdout -l vie` (OMP_THREAD_LIMIT=1), luutru as `pipeline.work.process_page` does
(render, cleanup, OCR). Each page is read by every reader in turn (in reverse order on every
other page), so the seconds per page compare readers under the same load. Text is scored after
NFC and collapsing whitespace, nothing else.

    python benchmarks/ocr_accuracy.py [--pages-per-kind 9] [--jobs 2] [--engines] [--ablation]

--engines runs luutru with each Tesseract engine (tesserocr in the worker, and the tesseract
program per page through pytesseract); --ablation runs it again with each cleanup step removed. OCRmyPDF runs too where it
is installed (`ocrmypdf --deskew --clean --rotate-pages`, sidecar text). Needs serif fonts with
Vietnamese glyphs (fonts-noto-core or fonts-dejavu-core) to render the pages.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
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

from PIL import Image
from rapidfuzz.distance import Levenshtein

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from benchmarks.throughput import program  # noqa: E402
from luutru.pipeline.cleanup import DEFAULT_STEPS  # noqa: E402
from luutru.pipeline.ocr import limit_threads  # noqa: E402
from luutru.pipeline.settings import OcrSettings  # noqa: E402
from luutru.pipeline.work import PageJob, process_page  # noqa: E402
from luutru.scanners import Kind  # noqa: E402
from samples.damage import faded_photocopy, noisy_yellowed, phone_photo, rotated, uneven_light  # noqa: E402
from samples.documents import ALL_DOCUMENTS  # noqa: E402
from samples.make_samples import add_signature_and_seal, render, skew  # noqa: E402


@dataclass
class Sample:
    kind: str
    path: Path
    truth: str


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
    # --clean needs unpaper; without it OCRmyPDF only deskews and turns pages.
    clean = ["--clean"] if program("unpaper") else []
    with tempfile.TemporaryDirectory() as folder:
        sidecar = Path(folder) / "text.txt"
        subprocess.run([program("ocrmypdf"), "-l", "vie", "--deskew", *clean, "--rotate-pages", "--sidecar",
                        str(sidecar), "--image-dpi", "300", "--jobs", "1", "--output-type", "pdf", "-q",
                        str(sample.path), str(Path(folder) / "out.pdf")],
                       capture_output=True, timeout=900, check=True)
        return sidecar.read_text(encoding="utf-8")


def timed_read(reader: Callable[[Sample], str], sample: Sample) -> tuple:
    started = time.perf_counter()
    text = reader(sample)
    return (*error_rates(sample.truth, text), time.perf_counter() - started)


def read_by_all(readers: dict[str, Callable[[Sample], str]], numbered: tuple[int, Sample]) -> tuple[str, dict]:
    """One page read by every reader in turn, in reverse order on odd pages, so that a machine
    that slows down or speeds up meanwhile weighs on every reader alike."""
    number, sample = numbered
    names = list(readers) if number % 2 == 0 else list(reversed(readers))
    return sample.kind, {name: timed_read(readers[name], sample) for name in names}


def measure(readers: dict[str, Callable[[Sample], str]], samples: list[Sample],
            jobs: int) -> dict[str, dict[str, list[tuple]]]:
    """Per reader and kind of damage: (CER, WER, seconds) of every page, `jobs` worker processes
    at a time, each with one single-threaded Tesseract, as `luutru ingest --jobs` runs."""
    results: dict[str, dict[str, list[tuple]]] = {name: defaultdict(list) for name in readers}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=limit_threads) as pool:
        for kind, rows in pool.map(partial(read_by_all, readers), enumerate(samples)):
            for name, row in rows.items():
                results[name][kind].append(row)
    return results


def mean(values) -> float:
    return statistics.fmean(values)


def print_table(results: dict[str, dict[str, list[tuple]]]) -> None:
    """Mean CER, WER and seconds per page for each reader and kind of damage."""
    names = list(results)
    widths = {name: max(16, len(name) + 6) for name in names}
    print(f"\n{'damage':<22}" + "".join(f"{name + ' CER':>{widths[name]}}{'WER':>7}{'s/page':>8}" for name in names))
    kinds = list(next(iter(results.values())))
    for kind in kinds + ["all"]:
        cells = []
        for name in names:
            rows = [row for k, rows in results[name].items() if kind in (k, "all") for row in rows]
            cells.append("".join(f"{mean(row[column] for row in rows):>{width}.{digits}f}"
                                 for column, width, digits in ((0, widths[name], 3), (1, 7, 3), (2, 8, 2))))
        print(f"{kind:<22}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages-per-kind", type=int, default=9)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ablation", action="store_true", help="also run luutru without each cleanup step")
    parser.add_argument("--engines", action="store_true", help="also run luutru with the tesseract program")
    parser.add_argument("--psm", type=int, default=OcrSettings().psm, help="luutru's page segmentation mode")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luutru-ocr-") as folder:
        samples = make_pages(Path(folder), options.pages_per_kind)
        print(f"{len(samples)} pages, {options.pages_per_kind} per kind of damage, {options.jobs} at a time")
        settings = OcrSettings(psm=options.psm)
        readers = {"tesseract": plain_tesseract, "luutru": partial(luutru, settings)}
        if options.engines:
            readers["luutru-program"] = partial(luutru, replace(settings, engine="pytesseract"))
        if program("ocrmypdf"):
            readers["ocrmypdf"] = ocrmypdf
        if options.ablation:
            for step in DEFAULT_STEPS:
                steps = tuple(name for name in DEFAULT_STEPS if name != step)
                readers[f"-{step}"] = partial(luutru, replace(settings, cleanup=steps))
        results = measure(readers, samples, options.jobs)
        print_table(results)


if __name__ == "__main__":
    main()
