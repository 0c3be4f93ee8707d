"""Peak memory of an ingest: the whole process tree (luutru and its workers, Tesseract, poppler).

Two cases, each a fresh archive home:
- one scanned PDF of N pages (default 150), built from the OCR'd sample pages as JPEG images;
- a batch of M small files (default 1,000), to show memory does not grow with the batch.

RSS of every process in the tree is summed every 50 ms while `luutru ingest --jobs J` runs; the
baseline is the same sampling of one plain `tesseract` on one page. The tree's PSS is given beside it: RSS counts
the libraries and models each worker maps once per worker, PSS once.

    python benchmarks/memory.py [--pdf-pages 150] [--files 1000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from PIL import Image

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from benchmarks.throughput import sample_pages  # noqa: E402
from luutru.index.store import DEFAULT_ENGINE, ENGINES  # noqa: E402
from luutru.pipeline.settings import LINE_READERS, OcrSettings  # noqa: E402

LUUTRU = Path(sys.executable).parent / "luutru"


def role(process: psutil.Process) -> str:
    """What a process in luutru's tree is: the run itself, a worker, or a program it started."""
    command = " ".join(process.cmdline())
    if "resource_tracker" in command:
        return "resource tracker"
    if "spawn_main" in command:
        return "worker"
    return "luutru" if "luutru" in command else process.name()


def tree_memory(process: psutil.Process) -> tuple[dict[str, int], int]:
    """RSS summed per role over the process and all its descendants, and the tree's PSS: its shared pages (the
    libraries and models every worker maps) counted once, as the machine holds them."""
    totals, pss = {}, 0
    for member in [process, *process.children(recursive=True)]:
        try:
            name, memory = role(member), member.memory_full_info()
        except psutil.Error:
            continue  # it ended between the listing and the reading
        totals[name] = totals.get(name, 0) + memory.rss
        pss += memory.pss
    return totals, pss


def peak_rss(command: list[str]) -> tuple[int, float, int, dict[str, int], int]:
    """Peak summed RSS of the command's process tree, its wall time, exit status, what each role held at the
    peak, and the tree's peak PSS."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched, peak, at_peak, peak_pss = psutil.Process(child.pid), 0, {}, 0
    while child.poll() is None:
        try:
            sample, pss = tree_memory(watched)
        except psutil.Error:
            break
        if sum(sample.values()) > peak:
            peak, at_peak = sum(sample.values()), sample
        peak_pss = max(peak_pss, pss)
        time.sleep(0.05)
    return peak, time.perf_counter() - started, child.wait(), at_peak, peak_pss


def jpeg_page(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


def make_pdf(path: Path, pages: int) -> None:
    """A scanned PDF: one JPEG image per page, as a scanner writes it."""
    sources = [jpeg_page(page) for page in sample_pages()]
    images = [sources[index % len(sources)] for index in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=300)


def make_batch(folder: Path, files: int) -> None:
    """Small distinct scans: a text strip cut from a sample page, so each OCR is quick."""
    strip = sample_pages()[0].convert("L").crop((200, 600, 2300, 900))
    for index in range(files):
        copy = strip.copy()
        copy.putpixel((index % copy.width, 0), 0)  # a distinct file each time
        copy.save(folder / f"strip-{index:05d}.png")


def ingest_peak(scans: Path, home: Path, jobs: int, engine: str, line_reader: str) -> tuple[int, float, str, int]:
    """Peak RSS of `luutru ingest`, its seconds, the peak split by role, in MiB, and the peak PSS."""
    peak, seconds, status, at_peak, pss = peak_rss([str(LUUTRU), "--home", str(home), "-q", "ingest", str(scans),
                                                    "--jobs", str(jobs), "--engine", engine,
                                                    "--line-reader", line_reader])
    if status != 0:
        raise SystemExit(f"luutru ingest {scans} exited with status {status}")
    split = ", ".join(f"{name} {rss / 2 ** 20:.0f}" for name, rss in sorted(at_peak.items(), key=lambda i: -i[1]))
    return peak, seconds, split, pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdf-pages", type=int, default=150)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help="the index engine")
    parser.add_argument("--line-reader", choices=LINE_READERS, default=OcrSettings().line_reader,
                        help="the second recognizer, or none (pipeline/recognizer.py)")
    options = parser.parse_args()
    mib = 2 ** 20
    with tempfile.TemporaryDirectory(prefix="luutru-memory-") as folder:
        base = Path(folder)
        page = base / "page.png"
        sample_pages()[0].save(page)
        plain, seconds, *_ = peak_rss(["tesseract", str(page), "stdout", "-l", "vie"])
        print(f"baseline: one plain tesseract on one page: peak {plain / mib:.0f} MiB ({seconds:.1f} s)")
        (base / "pdf").mkdir()
        make_pdf(base / "pdf" / "scan.pdf", options.pdf_pages)
        size = (base / "pdf" / "scan.pdf").stat().st_size / mib
        peak, seconds, split, pss = ingest_peak(base / "pdf", base / "home-pdf", options.jobs, options.engine,
                                                options.line_reader)
        print(f"{options.pdf_pages}-page scanned PDF ({size:.0f} MiB), --jobs {options.jobs}: "
              f"peak {peak / mib:.0f} MiB = {peak / plain:.1f}x one tesseract ({seconds:.0f} s); "
              f"at the peak, MiB: {split}; peak PSS {pss / mib:.0f} MiB")
        for files in sorted({max(1, options.files // 10), options.files}):
            batch = base / f"batch-{files}"
            batch.mkdir()
            make_batch(batch, files)
            peak, seconds, split, pss = ingest_peak(batch, base / f"home-{files}", options.jobs, options.engine,
                                                    options.line_reader)
            print(f"batch of {files} files, --jobs {options.jobs}: peak {peak / mib:.0f} MiB "
                  f"= {peak / plain:.1f}x one tesseract ({seconds:.0f} s); at the peak, MiB: {split}; "
                  f"peak PSS {pss / mib:.0f} MiB")


if __name__ == "__main__":
    main()
