"""Real scans, as offices publish and keep them: luutru against plain `tesseract` and against the scans'
own text layers, on ../shared/real-scans (not in the repository: see that folder's README).

    python benchmarks/real_scans.py [--scans DIR] [--layers] [--pages] [--stream] [--syllables] [--set NAME=VALUE]

--layers   every PDF page with a text layer: the share of the page's letter-sized ink its words cover, and
           what luutru does with it (the evidence for pipeline.text_layer.TUNING.layer_covers).
--pages    the hand-transcribed pages (benchmarks/real_scans/truth.toml; split "dev" may be looked at while
           changing code, "measured" only to report): character error rate and word recall of luutru's
           reading, plain tesseract's (the page rendered by poppler at 300 dpi, `tesseract PAGE stdout -l vie`,
           OMP_THREAD_LIMIT=1) and the scan's earlier OCR layer where it has one; seconds as a ratio of plain's.
--stream   signed documents scanned one after another into one PDF (pdfunite): the documents luutru finds
           against where each file starts (boundary precision, recall, F1).
--syllables every page luutru reads by OCR: how many valid Vietnamese syllables it reads against plain
           tesseract on the same page, and, on pages with an earlier OCR layer, against that layer.
--set NAME=VALUE  a threshold of pipeline/tuning.py changed for the readings made in this process (an ablation,
           benchmarks/ablation.py); --stream runs the `luutru` command, which it does not reach.
With no option: --layers --pages --stream.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import unicodedata
from collections import Counter
from functools import partial
from pathlib import Path

from rapidfuzz.distance import Levenshtein

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from benchmarks.ablation import add_set_option, apply_overrides, overrides_of  # noqa: E402
from benchmarks.tables import write_table  # noqa: E402
from luutru.index.words import canonical_tones, is_syllable  # noqa: E402
from luutru.pipeline.cleanup import ink_free_gray, letter_centres  # noqa: E402
from luutru.pipeline.ocr import limit_threads  # noqa: E402
from luutru.pipeline.settings import OcrSettings  # noqa: E402
from luutru.pipeline.text_layer import covered_share  # noqa: E402
from luutru.pipeline.tuning import TUNING  # noqa: E402
from luutru.pipeline.work import PageJob, PageOutcome, process_page  # noqa: E402
from luutru.scanners import Kind, count_pages, detect_kind, layer_facts, render_page, text_layer, text_layer_lines  # noqa: E402

TRUTH = REPOSITORY / "benchmarks" / "real_scans"
DEFAULT_SCANS = REPOSITORY.parent / "shared" / "real-scans"
# Signed scans of one document each, or of a document with what it issues (932/QĐ-TTg issues a list): the streams
# --stream makes, each in this order; each file starts one document. With each, what a clerk types to find it (its
# subject, from the set's manifest, typed as clerks type). "dev" was looked at while changing the code, "measured"
# only to report.
STREAMS = {
    "dev": (("C_thutuong2026_congvan_464-TTg-CDS.pdf", "trien khai nghi quyet cat giam don gian hoa thu tuc"),
            ("B_quangngai2025_totrinh_01-TTr-UBND.pdf", "mien nhiem chuc danh uy vien"),
            ("D_thutuong2025_quyetdinh_932-QD-TTg.pdf", "thành viên tổ công tác cải cách hành chính"),
            ("C_cucthue2026_congvan_2191-CT-CS.pdf", "chinh sach thue thu nhap doanh nghiep khoa hoc cong nghe"),
            ("B_quangngai2024_baocao_280-BC-UBND.pdf", "dieu chinh du toan ngan sach"),
            ("D_bocongan2025_congvan_4409-BCA-C04.pdf", "tín dụng người sau cai nghiện ma túy")),
    "measured": (("B_quangngai2018_chithi_08-CT-UBND.pdf", "ho tro nha dau tu"),
                 ("C_boquocphong_vbhn-46-VBHN-BQP_p1-3.pdf", "to chuc le tang quan nhan"),
                 ("B_quangngai2025_quyetdinh_88-QD-UBND_giao-dat.pdf", "giao dat truong mam non Mo Duc"),
                 ("D_lamdong2025_congvan_1710-CAT-PA05.pdf", "doi ung cuu su co mang"),
                 ("B_quangngai2025_congvan_299-UBND-TTHC_hoatoc.pdf", "công bố danh mục thủ tục hành chính"),
                 ("B_quangngai2021_chithi_11-CT-UBND.pdf", "ky thi tot nghiep trung hoc pho thong"),
                 ("D_lamdong2026_baocao-dexuat_03-BCDX-CAT-PC04.pdf", "hoi nghi cong bo xa phuong khong ma tuy"),
                 ("D_lamdong2025_congvan_477-MTTQ-BTT.pdf", "hội quần chúng điều lệ khắc dấu")),
}


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(truth: str, text: str) -> float:
    return Levenshtein.distance(normalized(truth), normalized(text)) / max(1, len(normalized(truth)))


def words(text: str) -> Counter:
    """The text's words, lowercased, in one tone-mark style, without the punctuation around them."""
    tokens = (token.strip(".,;:!?()“”\"'‘’[]") for token in normalized(text).lower().split())
    return Counter(canonical_tones(token) for token in tokens if token)


def word_recall(truth: str, text: str) -> float:
    wanted, read = words(truth), words(text)
    return sum(min(count, read[word]) for word, count in wanted.items()) / max(1, sum(wanted.values()))


def plain_tesseract(path: Path, kind: Kind, page: int) -> tuple[str, float]:
    """The page as poppler renders it at 300 dpi (or the image as it is), read by the tesseract program."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "page.png"
        render_page(path, kind, page).save(image)
        result = subprocess.run(["tesseract", str(image), "stdout", "-l", "vie"], capture_output=True, check=True,
                                env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return result.stdout.decode(), time.perf_counter() - started


def luutru_reading(path: Path, kind: Kind, page: int, settings: OcrSettings = OcrSettings()) -> PageOutcome:
    outcome = process_page(PageJob(0, str(path), kind, page, settings))
    if outcome.error:
        raise SystemExit(f"{path.name} page {page}: {outcome.error}")
    return outcome


def report_layers(scans: Path) -> None:
    print(f"Text layers over scanned pages (the layer is the page's text at {TUNING.layer_covers} of the ink "
          "and above)")
    print(f"{'file':52} page  words  covers  drawn")
    shares = {"invisible": [], "visible": []}
    for path in sorted(scans.glob("*.pdf")):
        for page in range(1, count_pages(path, Kind.PDF) + 1):
            lines = text_layer_lines(path, page)
            if not lines:
                continue
            facts = layer_facts(path, page)
            image = render_page(path, Kind.PDF, page)
            share = covered_share(letter_centres(ink_free_gray(image)), lines, *image.size)
            drawn = "invisible" if facts.invisible else "visible"
            shares[drawn].append(share)
            print(f"{path.name[:52]:52} {page:4d} {sum(map(len, lines)):6d} {share:7.3f}  {drawn}"
                  f"{'' if facts.scanned else ' (no scan)'}")
    for drawn, values in shares.items():
        if values:
            print(f"{drawn} layers: {len(values)} pages, covering {min(values):.3f}-{max(values):.3f} of the ink")


def truth_pages(scans: Path) -> list[dict]:
    manifest = tomllib.loads((TRUTH / "truth.toml").read_text())
    pages = []
    for entry in manifest["page"]:
        path = scans / entry["file"]
        if hashlib.sha256(path.read_bytes()).hexdigest()[:16] != entry["sha256"]:
            raise SystemExit(f"{path}: not the file that was transcribed (sha256 differs)")
        pages.append({**entry, "path": path, "truth": (TRUTH / entry["truth"]).read_text()})
    return pages


def report_pages(scans: Path, table: Path | None = None) -> None:
    print("\nTranscribed pages: character error rate / word recall (seconds)")
    print(f"{'page':46} {'split':8} {'luutru':>16} {'tesseract':>16} {'earlier OCR, luutru OCR':>24}  luutru read as")
    rows = []
    for entry in truth_pages(scans):
        path, page, truth = entry["path"], entry["page"], entry["truth"]
        kind = detect_kind(path)
        plain, plain_seconds = plain_tesseract(path, kind, page)
        ours = luutru_reading(path, kind, page)
        layer = text_layer(path, page) if kind is Kind.PDF and layer_facts(path, page).invisible else ""
        # Where a page keeps an earlier OCR, how luutru's own reading of it would do.
        own = luutru_reading(path, kind, page, OcrSettings(force_ocr=True)).text if layer else ""
        earlier = f"{cer(truth, layer):.3f}/{word_recall(truth, layer):.2f} own {cer(truth, own):.3f}/" \
                  f"{word_recall(truth, own):.2f}" if layer else "-"
        rows.append((entry["split"], cer(truth, ours.text), cer(truth, plain), word_recall(truth, ours.text),
                     word_recall(truth, plain), ours.seconds, plain_seconds, f"{path.stem} p{page}", ours.source))
        print(f"{path.stem[:40] + ' p' + str(page):46} {entry['split']:8} "
              f"{rows[-1][1]:.3f}/{rows[-1][3]:.2f} ({ours.seconds:4.1f}) {rows[-1][2]:.3f}/{rows[-1][4]:.2f} "
              f"({plain_seconds:4.1f}) {earlier:>24}  {ours.source}")
    for split in ("dev", "measured"):
        chosen = [row for row in rows if row[0] == split]
        if chosen:
            print(f"{split:8} {len(chosen)} pages: luutru CER {statistics.mean(r[1] for r in chosen):.3f} "
                  f"(plain {statistics.mean(r[2] for r in chosen):.3f}), word recall "
                  f"{statistics.mean(r[3] for r in chosen):.3f} (plain {statistics.mean(r[4] for r in chosen):.3f}), "
                  f"time {sum(r[5] for r in chosen) / sum(r[6] for r in chosen):.2f}x plain's")
    if table:
        write_pages_table(table, rows)


def write_pages_table(table: Path, rows: list[tuple]) -> None:
    """The pages report as a table for the docs: each page, then each split's means."""
    columns = ["page", "split", "luutru CER", "plain CER", "luutru recall", "plain recall", "luutru s", "read as"]
    pages = [[row[7], row[0], row[1], row[2], row[3], row[4], round(row[5], 1), row[8]] for row in rows]
    splits = [[f"**{split}** ({len(chosen)} pages)", "", *(statistics.mean(r[i] for r in chosen) for i in range(1, 5)),
               f"{sum(r[5] for r in chosen) / sum(r[6] for r in chosen):.2f} x plain", ""]
              for split in ("dev", "measured") if (chosen := [row for row in rows if row[0] == split])]
    write_table(table, "Transcribed real pages: character error rate and word recall", columns, pages + splits,
                "plain: the tesseract program on the page rendered at 300 dpi; dev pages may be looked at while "
                "changing code, measured ones are only reported.")


def report_stream(scans: Path) -> None:
    for split, documents in STREAMS.items():
        report_one_stream(split, [(scans / name, query) for name, query in documents])


def report_one_stream(split: str, documents: list[tuple[Path, str]]) -> None:
    """A stream of signed documents, ingested as one file by the `luutru` command: where documents are found to
    start, and whether each document's subject, searched for, finds it first."""
    files = [path for path, _ in documents]
    starts, first = [], 1
    for path in files:
        starts.append(first)
        first += count_pages(path, Kind.PDF)
    with tempfile.TemporaryDirectory() as folder:
        stream = Path(folder) / "scans" / "stream.pdf"
        stream.parent.mkdir()
        subprocess.run(["pdfunite", *map(str, files), str(stream)], check=True)
        home = Path(folder) / "home"
        luutru = [str(Path(sys.executable).parent / "luutru"), "--home", str(home)]
        subprocess.run([*luutru, "-q", "ingest", str(stream.parent)], check=True)
        shown = subprocess.run([*luutru, "show", str(stream), "--json"], capture_output=True, check=True, text=True)
        firsts = [json.loads(subprocess.run([*luutru, "search", query, "--json", "--limit", "1"], capture_output=True,
                                            check=True, text=True).stdout)["documents"][:1] for _, query in documents]
    at_rank_1 = sum(bool(top) and top[0]["first_page"] == start for top, start in zip(firsts, starts))
    documents = json.loads(shown.stdout)["documents"]
    found = [document["first_page"] for document in documents]
    right = len(set(found) & set(starts))
    precision, recall = right / max(1, len(found)), right / len(starts)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    print(f"\n{split}: a stream of {len(files)} signed documents, {first - 1} pages: starts {starts}")
    print(f"found {found}: precision {precision:.2f}, recall {recall:.2f}, F1 {f1:.2f}; each document's subject "
          f"searched for finds it first: {at_rank_1} of {len(starts)}")
    for document in documents:
        print(f"  pages {document['first_page']}-{document['last_page']}: {document['type']} "
              f"{document['number'] or '?'} {document['issued'] or '?'} {(document['subject'] or '')[:60]}")


def scan_files(scans: Path) -> list[Path]:
    """The set's scans, as its manifest lists them (not its contact sheet)."""
    rows = (scans / "manifest.tsv").read_text().splitlines()[1:]
    return sorted(scans / row.split("\t")[0] for row in rows if row.strip())


SYLLABLE = re.compile(r"\w+")


def syllables(text: str) -> int:
    return sum(is_syllable(word) for word in SYLLABLE.findall(text.lower()))


def report_syllables(scans: Path) -> None:
    print("\nValid Vietnamese syllables read by luutru, plain tesseract, an earlier OCR layer, luutru's own OCR")
    totals = Counter()
    for path in scan_files(scans):
        kind = detect_kind(path)
        for page in range(1, count_pages(path, kind) + 1):
            ours = luutru_reading(path, kind, page)
            if ours.source != "ocr" and "prior_ocr_score" not in ours.diagnostics:
                continue
            plain, _ = plain_tesseract(path, kind, page)
            layer = text_layer(path, page) if kind is Kind.PDF and layer_facts(path, page).invisible else ""
            # Where the page has an earlier OCR layer, luutru's own reading of it too, whichever it kept.
            own = luutru_reading(path, kind, page, OcrSettings(force_ocr=True)).text if layer else ours.text
            counts = (syllables(ours.text), syllables(plain), syllables(layer), syllables(own))
            totals.update({"pages": 1, "luutru": counts[0], "tesseract": counts[1]})
            if layer:
                totals.update({"layer pages": 1, "layer": counts[2], "own": counts[3], "plain on layer": counts[1]})
            print(f"{path.stem[:44]:44} p{page}: {counts[0]:5d} {counts[1]:5d} {counts[2] if layer else '-':>5} "
                  f"{counts[3] if layer else '-':>5}  {ours.source}")
    print(f"{totals['pages']} pages: luutru {totals['luutru']} syllables, plain {totals['tesseract']} "
          f"({totals['luutru'] / max(1, totals['tesseract']):.3f}x); on {totals['layer pages']} pages with an earlier "
          f"OCR layer: the layer {totals['layer']}, luutru's own OCR {totals['own']}, plain {totals['plain on layer']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=Path, default=DEFAULT_SCANS)
    for option in ("layers", "pages", "stream", "syllables"):
        parser.add_argument(f"--{option}", action="store_true", help=f"the {option} report (see above)")
    parser.add_argument("--table", type=Path, help="with --pages, its table for the docs too (benchmarks/tables.py)")
    add_set_option(parser)
    options = parser.parse_args()
    if not options.scans.is_dir():
        raise SystemExit(f"{options.scans}: no real scans here (see ../shared/real-scans/README.txt)")
    limit_threads()
    apply_overrides(overrides_of(parser, options))
    reports = {"layers": report_layers, "pages": partial(report_pages, table=options.table), "stream": report_stream,
               "syllables": report_syllables}
    chosen = [report for name, report in reports.items() if getattr(options, name)]
    for report in chosen or [report_layers, report_pages, report_stream]:
        report(options.scans)


if __name__ == "__main__":
    main()
