"""OCR accuracy per kind of damage: plain `tesseract` against the luutru pipeline, on the same pages.

The pages are the sample documents and eight more papers (samples/documents.py: 20 page texts)
rendered at 300 dpi with their true text, in today's serif (DejaVu Serif, and a Times on every other
page), a modern sans (DejaVu Sans, and a Helvetica on every other page) and a 1990s typewriter face,
then damaged the way archive scans are:
skew, rotation by 90/180/270, speckle on yellowed paper, uneven light, a faded photocopy, a JPEG
phone photo (dark margins, tilt, blur, uneven light), a red seal and blue signature; and, made with
augraphy at random strengths, copier texture on a faded grey copy (samples.damage.copier_texture),
low-ink lines and drum streaks (on typewriter and on serif pages), ink bleed, shadows and folds. The
documents are split in two by turns: the pages of the first, third, ... are what the cleanup may be tuned
on, those of the second, fourth, ... are only ever measured; the two are reported apart. Both sides read
the same image files: plain tesseract as
`tesseract PAGE stdout -l vie` (OMP_THREAD_LIMIT=1), luutru as `pipeline.work.process_page` does
(render, cleanup, OCR). Each page is read by every reader in turn (in reverse order on every
other page), so the seconds per page compare readers under the same load. Text is scored after
NFC and collapsing whitespace, nothing else.

    python benchmarks/ocr_accuracy.py [--pages-per-kind 9] [--jobs 2] [--engines] [--tesseract-alone] [--ablation]
                                      [--kinds "K;K"] [--seed 4] [--split tuned] [--json pages.json] [--luutru-only]

--split tuned reads only the pages a change may be tuned on (the same pages a full run reads, for the same seed);
--json writes every page's CER, WER, seconds and readings by reader, for comparing two runs page by page
(benchmarks/ocr_compare.py); --luutru-only reads with luutru alone (`make ocr-check`: the reading path against its
committed baseline).
--set NAME=VALUE sets a threshold of pipeline/tuning.py in the workers (repeatable): an ablation, to see whether a
rule pays (a rule turned off by a value it never meets);
--tesseract-alone runs luutru without its second line recognizer too (Tesseract reads every line);
--engines runs luutru with each Tesseract engine (tesserocr in the worker, and the tesseract
program per page through pytesseract); --ablation runs it again with each cleanup step removed.
OCRmyPDF runs too where it is installed (`ocrmypdf --deskew --clean --rotate-pages`, sidecar text)
unless --no-ocrmypdf. Under each table: seconds a page (mean, p50, p95, max), the share of pages
luutru read more than once (cleaned again after a bad first reading), and how many pages gave more
junk than text (CER > 1). luutru is scored on a page's searchable text: none for a page it marked
unreadable. Needs fonts with Vietnamese glyphs (fonts-dejavu-core, fonts-freefont-ttf) and augraphy
(see the Makefile) to make the pages.
"""

from __future__ import annotations

import argparse
import json
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
from benchmarks.ablation import add_set_option, apply_overrides, overrides_of  # noqa: E402
from benchmarks.tables import write_table  # noqa: E402
from benchmarks.throughput import program  # noqa: E402
from luutru.pipeline.cleanup import DEFAULT_STEPS  # noqa: E402
from luutru.pipeline.ocr import limit_threads  # noqa: E402
from luutru.pipeline.settings import OcrSettings  # noqa: E402
from luutru.pipeline.work import PageJob, process_page  # noqa: E402
from luutru.scanners import Kind  # noqa: E402
from samples.damage import (  # noqa: E402
    copier_texture,
    faded_photocopy,
    ink_bleed,
    low_ink_and_drum,
    noisy_yellowed,
    phone_photo,
    rotated,
    shadow_and_folds,
    uneven_light,
)
from samples.documents import ALL_DOCUMENTS, BENCHMARK_DOCUMENTS  # noqa: E402
from samples.make_samples import add_signature_and_seal, render, skew  # noqa: E402


@dataclass
class Sample:
    kind: str
    path: Path
    truth: str
    split: str  # "tuned": the cleanup was tuned on its documents; "measured": only ever measured


def _same(image: Image.Image, rng: random.Random) -> Image.Image:
    return image


# Kind of page -> (the type it is set in, the damage done to it). The augraphy kinds (copier texture,
# low ink and drum, ink bleed, shadow and folds) draw their strengths at random for every page.
KINDS: dict[str, tuple[str, Callable[[Image.Image, random.Random], Image.Image]]] = {
    "clean": ("serif", _same),
    "typewriter (1990s)": ("typewriter", _same),
    "modern sans": ("sans", _same),
    "skew 1-4°": ("serif", lambda image, rng: skew(image, rng.choice([-1, 1]) * rng.uniform(1, 4))),
    "rotated 90/180/270": ("serif", rotated),
    "speckle, yellowed": ("serif", noisy_yellowed),
    "uneven light": ("serif", uneven_light),
    "faded photocopy": ("serif", faded_photocopy),
    "copier texture": ("serif", copier_texture),
    "low ink, dirty drum": ("typewriter", low_ink_and_drum),
    "ink bleed": ("sans", ink_bleed),
    "shadow, folds": ("serif", shadow_and_folds),
    "phone photo (JPEG)": ("serif", phone_photo),
    "red seal, blue ink": ("serif", _same),  # the seal is stamped in make_pages
    # The drum's damage on today's type too (a Times on every other page): typewriter pages alone once made a
    # change look good that read these worse.
    "low ink, drum (serif)": ("serif", low_ink_and_drum),
}
DOCUMENTS = ALL_DOCUMENTS + BENCHMARK_DOCUMENTS
# Split by document: the cleanup may be tuned on the first set; the second is only ever measured.
SPLITS = {"tuned": range(0, len(DOCUMENTS), 2), "measured": range(1, len(DOCUMENTS), 2)}
# Every other page of a kind set in serif or sans takes the other face of that style.
OTHER_FACE = {"serif": "times", "sans": "helvetica"}


def make_pages(folder: Path, per_kind: int, kinds: list[str], seed: int = 4, only: str | None = None) -> list[Sample]:
    """`per_kind` damaged pages of each kind from each split's documents (or from the `only` split's: the same
    pages), with their true text."""
    rng, samples = random.Random(seed), []
    for split, documents in SPLITS.items():
        if only not in (None, split):
            break  # the splits are made in turn, tuned first: stopping after it leaves its pages as they were
        pages = [page for index in documents for page in DOCUMENTS[index].pages]
        for kind in kinds:
            family, damage = KINDS[kind]
            for index in range(per_kind):
                face = OTHER_FACE.get(family, family) if index % 2 else family
                image, truth, stamp_at = render(pages[(index + len(samples)) % len(pages)], face)
                if kind == "red seal, blue ink":
                    image = add_signature_and_seal(image.copy(), stamp_at or (1900, 3000), rng)
                damaged = damage(image, rng)
                suffix = ".jpg" if "JPEG" in kind else ".png"
                path = folder / f"{len(samples):03d}{suffix}"
                damaged.save(path, quality=60) if suffix == ".jpg" else damaged.save(path)
                samples.append(Sample(kind, path, truth, split))
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


def luutru(settings: OcrSettings, sample: Sample) -> tuple[str, int]:
    """The page's searchable text (none for a page marked unreadable: the index gets none of it) and
    how many readings luutru made of it (more than one: it was cleaned again)."""
    kind = Kind.JPEG if sample.path.suffix == ".jpg" else Kind.PNG
    outcome = process_page(PageJob(0, str(sample.path), kind, 1, settings))
    searchable = outcome.error is None and not outcome.unreadable
    return (outcome.text if searchable else ""), outcome.diagnostics.get("readings", 1)


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


def timed_read(reader: Callable[[Sample], str | tuple[str, int]], sample: Sample) -> tuple:
    """(CER, WER, seconds, readings) of one page by one reader."""
    started = time.perf_counter()
    read = reader(sample)
    text, readings = read if isinstance(read, tuple) else (read, 1)
    return (*error_rates(sample.truth, text), time.perf_counter() - started, readings)


def read_by_all(readers: dict[str, Callable[[Sample], str]], numbered: tuple[int, Sample]) -> tuple[Sample, dict]:
    """One page read by every reader in turn, in reverse order on odd pages, so that a machine
    that slows down or speeds up meanwhile weighs on every reader alike."""
    number, sample = numbered
    names = list(readers) if number % 2 == 0 else list(reversed(readers))
    return sample, {name: timed_read(readers[name], sample) for name in names}


Results = dict[str, dict[str, dict[str, list[tuple]]]]  # split -> reader -> kind -> (CER, WER, seconds) rows


def start_worker(overrides: dict[str, str]) -> None:
    """One single-threaded worker, its reading path's thresholds set as --set asks."""
    limit_threads()
    apply_overrides(overrides)


def measure(readers: dict[str, Callable[[Sample], str]], samples: list[Sample], jobs: int,
            overrides: dict[str, str] | None = None) -> tuple[Results, list]:
    """Per split, reader and kind of damage: (CER, WER, seconds) of every page, `jobs` worker processes
    at a time, each with one single-threaded Tesseract, as `luutru ingest --jobs` runs; and the same per page."""
    results: Results = defaultdict(lambda: {name: defaultdict(list) for name in readers})
    pages, overrides = [], overrides or {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker, initargs=(overrides,)) as pool:
        for sample, rows in pool.map(partial(read_by_all, readers), enumerate(samples)):
            for name, row in rows.items():
                results[sample.split][name][sample.kind].append(row)
            figures = {name: dict(zip(("cer", "wer", "seconds", "readings"), row)) for name, row in rows.items()}
            pages.append({"page": sample.path.name, "kind": sample.kind, "split": sample.split, **figures})
    return results, pages


def mean(values) -> float:
    return statistics.fmean(values)


def print_table(title: str, results: dict[str, dict[str, list[tuple]]]) -> None:
    """Micro CER (summed edits over summed length is close to this mean over equal-length pages), WER
    and seconds per page for each reader and kind of damage."""
    print(f"\n{title}")
    names = list(results)
    widths = {name: max(16, len(name) + 6) for name in names}
    print(f"{'damage':<22}" + "".join(f"{name + ' CER':>{widths[name]}}{'WER':>7}{'s/page':>8}" for name in names))
    kinds = list(next(iter(results.values())))
    for kind in kinds + ["all"]:
        cells = []
        for name in names:
            rows = [row for k, rows in results[name].items() if kind in (k, "all") for row in rows]
            cells.append("".join(f"{mean(row[column] for row in rows):>{width}.{digits}f}"
                                 for column, width, digits in ((0, widths[name], 3), (1, 7, 3), (2, 8, 2))))
        print(f"{kind:<22}" + "".join(cells))
    for name in names:
        rows = [row for rows in results[name].values() for row in rows]
        seconds = sorted(row[2] for row in rows)
        again = sum(row[3] > 1 for row in rows) / len(rows)
        junk = sum(row[0] > 1 for row in rows)
        print(f"{name}: seconds a page mean {mean(seconds):.2f}, p50 {statistics.median(seconds):.2f}, p95 "
              f"{seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]:.2f}, max {seconds[-1]:.2f}"
              + (f"; {again:.0%} of the pages read more than once" if again else "")
              + f"; {junk} page(s) with more junk than text (CER > 1)")


def write_kinds_table(path: Path, results: Results) -> None:
    """Mean CER per kind of damage, reader and split, for the docs (benchmarks/tables.py)."""
    splits = [split for split in ("tuned", "measured") if split in results]
    readers = list(results[splits[0]])
    columns = ["damage", *(f"{split}: {reader}" for split in splits for reader in readers)]
    kinds = list(next(iter(results[splits[0]].values())))
    rows = [[kind, *(mean(row[0] for k, rows in results[split][reader].items() if kind in (k, "all") for row in rows)
                     for split in splits for reader in readers)] for kind in kinds + ["all"]]
    write_table(path, "Character error rate per kind of damage", columns, rows,
                "Mean CER of a page's searchable text after NFC and collapsing whitespace; tuned: pages the reading "
                "path may be tuned on, measured: pages only ever measured.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages-per-kind", type=int, default=9)
    parser.add_argument("--seed", type=int, default=4, help="another seed draws other pages and other damage")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ablation", action="store_true", help="also run luutru without each cleanup step")
    parser.add_argument("--engines", action="store_true", help="also run luutru with the tesseract program")
    parser.add_argument("--tesseract-alone", action="store_true",
                        help="also run luutru without its second recognizer (pipeline/recognizer.py)")
    parser.add_argument("--psm", type=int, default=OcrSettings().psm, help="luutru's page segmentation mode")
    parser.add_argument("--kinds", help="only these kinds, separated by semicolons (default: all)")
    parser.add_argument("--no-ocrmypdf", action="store_true", help="skip OCRmyPDF (the slowest reader)")
    parser.add_argument("--split", choices=list(SPLITS),
                        help="only this split's pages (the same pages as in a run of both, for the same seed): tune on "
                             "tuned, and look at measured only to report")
    parser.add_argument("--json", type=Path, help="also write every page's figures, by reader, to this file")
    parser.add_argument("--luutru-only", action="store_true", help="read with luutru alone, not plain tesseract")
    parser.add_argument("--table", type=Path, help="also write the CER per kind as a table for the docs")
    add_set_option(parser)
    options = parser.parse_args()
    overrides = overrides_of(parser, options)
    kinds = options.kinds.split(";") if options.kinds else list(KINDS)
    with tempfile.TemporaryDirectory(prefix="luutru-ocr-") as folder:
        samples = make_pages(Path(folder), options.pages_per_kind, kinds, options.seed,
                             "tuned" if options.split == "tuned" else None)
        samples = [sample for sample in samples if options.split in (None, sample.split)]
        print(f"{len(samples)} pages, {options.pages_per_kind} per kind of damage and split, seed {options.seed}, "
              f"{options.jobs} at a time")
        settings = OcrSettings(psm=options.psm)
        readers = {"luutru": partial(luutru, settings)} if options.luutru_only else \
            {"tesseract": plain_tesseract, "luutru": partial(luutru, settings)}
        if options.engines:
            readers["luutru-program"] = partial(luutru, replace(settings, engine="pytesseract"))
        if options.tesseract_alone:
            readers["luutru-tesseract"] = partial(luutru, replace(settings, line_reader="none"))
        if program("ocrmypdf") and not options.no_ocrmypdf:
            readers["ocrmypdf"] = ocrmypdf
        if options.ablation:
            for step in DEFAULT_STEPS:
                steps = tuple(name for name in DEFAULT_STEPS if name != step)
                readers[f"-{step}"] = partial(luutru, replace(settings, cleanup=steps))
        results, pages = measure(readers, samples, options.jobs, overrides)
        if options.json:
            options.json.write_text(json.dumps(pages, indent=1), encoding="utf-8")
        if options.table:
            write_kinds_table(options.table, results)
        for split, title in (("tuned", "the cleanup was tuned on"), ("measured", "only ever measured")):
            if split in results:
                print_table(f"pages of the documents {title} ({', '.join(map(str, SPLITS[split]))})", results[split])


if __name__ == "__main__":
    main()
