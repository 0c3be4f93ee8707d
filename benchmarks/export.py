"""Two-layer PDF/A from a scanned dossier: OCRmyPDF against `luutru ingest` + `luutru export`.

One scanned PDF of N pages (JPEG images of the OCR'd sample pages, as a scanner writes them) goes
through, in the same run:
- OCRmyPDF `--output-type pdfa-2`, plain, and with `--rotate-pages --deskew --clean` (the cleanup
  luutru does too);
- `luutru ingest` then `luutru export --format pdfa` (every document found in the scan).
Reported: seconds a page (the export step alone too), output size over the scan's, peak memory of
the export (the process tree, sampled every 50 ms), and text-layer fidelity: the share of the
words each tool read (OCRmyPDF's sidecar text, luutru's catalog) that `pdftotext` gives back from
its PDF/A file, and whether pikepdf's PDF/A-2b validator passes the file.

    python benchmarks/export.py [--pages 9] [--jobs 2] [--memory-pages 150]
"""

from __future__ import annotations

import argparse
import collections
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pikepdf
import pikepdf.pdfa

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from benchmarks.memory import make_pdf, peak_rss  # noqa: E402
from benchmarks.throughput import program  # noqa: E402

LUUTRU = Path(sys.executable).parent / "luutru"


def _words(text: str) -> collections.Counter:
    return collections.Counter(text.split())


def _extracted(pdf: Path) -> collections.Counter:
    return _words(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


def _fidelity(read: collections.Counter, pdfs: list[Path]) -> float:
    extracted = sum((_extracted(pdf) for pdf in pdfs), collections.Counter())
    return sum((read & extracted).values()) / max(1, sum(read.values()))


def _valid(pdfs: list[Path]) -> str:
    passed = sum(pikepdf.pdfa.validate_written(pdf, "2b").passed for pdf in pdfs)
    return f"{passed}/{len(pdfs)}"


def ocrmypdf(scan: Path, out: Path, jobs: int, cleanup: bool) -> dict:
    sidecar = out.with_suffix(".txt")
    options = ["--rotate-pages", "--deskew", "--clean"] if cleanup else []
    started = time.perf_counter()
    subprocess.run([program("ocrmypdf"), "-l", "vie", "--jobs", str(jobs), "--output-type", "pdfa-2", "-q",
                    *options, "--sidecar", str(sidecar), str(scan), str(out)], check=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": out.stat().st_size,
            "fidelity": _fidelity(_words(sidecar.read_text(encoding="utf-8")), [out]), "valid": _valid([out])}


def luutru(scan: Path, work: Path, jobs: int) -> dict:
    home, out = work / "home", work / "luutru-pdfa"
    started = time.perf_counter()
    subprocess.run([str(LUUTRU), "--home", str(home), "-q", "ingest", str(scan), "--jobs", str(jobs)], check=True,
                   stdout=subprocess.DEVNULL)
    ingested = time.perf_counter()
    report = subprocess.run([str(LUUTRU), "--home", str(home), "-q", "export", "--format", "pdfa", "--out", str(out),
                             str(scan), "--json"], check=True, capture_output=True, text=True)
    exported = time.perf_counter()
    pdfs = [out / document["file"] for document in json.loads(report.stdout)["documents"]]
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        read = sum((_words(text) for (text,) in db.execute("SELECT text FROM pages")), collections.Counter())
    return {"seconds": exported - started, "export seconds": exported - ingested,
            "bytes": sum(pdf.stat().st_size for pdf in pdfs), "fidelity": _fidelity(read, pdfs),
            "valid": _valid(pdfs), "documents": len(pdfs), "home": home}


def export_peak(scan: Path, work: Path, jobs: int) -> tuple[float, float]:
    """Peak MiB and seconds of `luutru export --format pdfa` on an ingested scan of many pages."""
    home = work / "memory-home"
    subprocess.run([str(LUUTRU), "--home", str(home), "-q", "ingest", str(scan), "--jobs", str(jobs)], check=True,
                   stdout=subprocess.DEVNULL)
    peak, seconds, status, *_ = peak_rss([str(LUUTRU), "--home", str(home), "-q", "export", "--format", "pdfa",
                                          "--out", str(work / "memory-pdfa"), str(scan)])
    if status != 0:
        raise SystemExit(f"luutru export exited with status {status}")
    return peak / 2 ** 20, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=9)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory-pages", type=int, default=150, help="0 skips the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luutru-export-bench-") as folder:
        work = Path(folder)
        scan = work / "dossier.pdf"
        make_pdf(scan, args.pages)
        rows = {"luutru ingest + export": luutru(scan, work, args.jobs)}
        if program("ocrmypdf"):
            rows["ocrmypdf pdfa-2"] = ocrmypdf(scan, work / "plain.pdf", args.jobs, cleanup=False)
            rows["ocrmypdf pdfa-2 + cleanup"] = ocrmypdf(scan, work / "cleaned.pdf", args.jobs, cleanup=True)
        scan_bytes = scan.stat().st_size
        print(f"{args.pages} scanned pages, --jobs {args.jobs}; the scan is {scan_bytes / 2 ** 20:.1f} MiB")
        print(f"{'':28} {'s/page':>7} {'size/scan':>10} {'words back':>11} {'PDF/A-2b':>9}")
        for name, row in rows.items():
            print(f"{name:28} {row['seconds'] / args.pages:7.2f} {row['bytes'] / scan_bytes:10.2f} "
                  f"{100 * row['fidelity']:10.1f}% {row['valid']:>9}")
        luutru_row = rows["luutru ingest + export"]
        print(f"luutru export step alone: {luutru_row['export seconds'] / args.pages:.3f} s/page "
              f"({luutru_row['documents']} documents found in the scan)")
        for name in ("ocrmypdf pdfa-2", "ocrmypdf pdfa-2 + cleanup"):
            if name in rows:
                print(f"{name} / luutru: {rows[name]['seconds'] / luutru_row['seconds']:.2f}x the time")
        if args.memory_pages:
            big = work / "big.pdf"
            make_pdf(big, args.memory_pages)
            peak, seconds = export_peak(big, work, args.jobs)
            print(f"export of a {args.memory_pages}-page scan: peak {peak:.0f} MiB, {seconds / args.memory_pages:.3f}"
                  " s/page")


if __name__ == "__main__":
    main()
