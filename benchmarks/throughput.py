"""Pages per minute: plain `tesseract`, OCRmyPDF and `luutru ingest`, on the same page images.

The inputs are the OCR'd sample pages, rendered once to PNG (distinct copies, so luutru's
reuse of identical content does not flatter it). Plain tesseract runs one process per job
with OMP_THREAD_LIMIT=1, its fastest setting here; luutru adds rendering, cleanup, the catalog
and the index. OCRmyPDF, where installed (`pip install ocrmypdf`), reads the same PNGs put
losslessly into one PDF (img2pdf) with `--jobs N --output-type pdf --sidecar`, its plain
settings. Ratios are taken in the same run, since these machines are shared and noisy.

    python benchmarks/throughput.py [--pages 16] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from luutru.scanners import Kind, count_pages, detect_kind, render_page, text_layer  # noqa: E402

LUUTRU = Path(sys.executable).parent / "luutru"


def program(name: str) -> str | None:
    """A program on PATH or installed beside this Python (a virtualenv need not be activated)."""
    return shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def sample_pages() -> list[Image.Image]:
    pages = []
    for path in sorted((REPOSITORY / "samples" / "scans").rglob("*")):
        kind = path.is_file() and detect_kind(path)
        if not kind:
            continue
        for number in range(1, count_pages(path, kind) + 1):
            if kind is Kind.PDF and text_layer(path, number).strip():
                continue  # born digital: neither side OCRs it
            pages.append(render_page(path, kind, number))
    return pages


def make_inputs(folder: Path, count: int) -> list[Path]:
    pages = sample_pages()
    paths = []
    for index in range(count):
        pixels = np.asarray(pages[index % len(pages)]).copy()
        pixels[0, : index + 1] = 0  # a distinct file for every copy
        path = folder / f"page-{index:04d}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


def plain_tesseract(paths: list[Path], jobs: int) -> float:
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "stdout", "-l", "vie"], env=environment,
                       capture_output=True, check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - started


def ocrmypdf(paths: list[Path], jobs: int) -> float:
    import img2pdf  # installed with OCRmyPDF

    folder = paths[0].parent.parent / "ocrmypdf"
    folder.mkdir(exist_ok=True)
    pdf = folder / "pages.pdf"
    pdf.write_bytes(img2pdf.convert([str(path) for path in paths]))
    started = time.perf_counter()
    subprocess.run([program("ocrmypdf"), "-l", "vie", "--jobs", str(jobs), "--output-type", "pdf", "-q",
                    "--sidecar", str(folder / "text.txt"), str(pdf), str(folder / "out.pdf")],
                   capture_output=True, check=True)
    return time.perf_counter() - started


def luutru_ingest(folder: Path, jobs: int) -> float:
    home = Path(tempfile.mkdtemp(prefix="luutru-bench-home-"))
    try:
        started = time.perf_counter()
        subprocess.run([str(LUUTRU), "--home", str(home), "-q", "ingest", str(folder), "--jobs", str(jobs)],
                       capture_output=True, check=True)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luutru-bench-") as scratch:
        folder = Path(scratch) / "pages"
        folder.mkdir()
        paths = make_inputs(folder, args.pages)
        print(f"{len(paths)} A4 pages at 300 dpi, {os.cpu_count()} cores, tesseract with OMP_THREAD_LIMIT=1\n")
        print(f"{'method':<38}{'seconds':>9}{'s/page':>9}{'pages/min':>11}{'plain/this':>14}")
        for jobs in sorted({1, args.jobs}):
            plain = plain_tesseract(paths, jobs)
            rows = [(f"plain tesseract, {jobs} process(es)", plain)]
            if program("ocrmypdf"):
                rows.append((f"ocrmypdf --jobs {jobs}", ocrmypdf(paths, jobs)))
            rows.append((f"luutru ingest --jobs {jobs}", luutru_ingest(folder, jobs)))
            for name, seconds in rows:
                print(f"{name:<38}{seconds:>9.1f}{seconds / len(paths):>9.2f}"
                      f"{60 * len(paths) / seconds:>11.1f}{plain / seconds:>14.2f}")


if __name__ == "__main__":
    main()
