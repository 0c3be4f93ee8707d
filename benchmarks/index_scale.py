"""How the index and search grow with the archive: build rate, size, search latency, nightly no-op.

For each size, an archive of generated Vietnamese administrative text is made without OCR: a
folder tree of small stand-in files (department/year/document) and catalog rows whose fingerprints
match them, as if they had been ingested. The words come from the sample documents (their real
frequencies) and a long tail of generated syllables; every document has a Decree 30 header (number,
place and date) and some cite land parcels. Then luutru itself:

- builds the index from the catalog (`luutru reindex --full`, field extraction included);
- answers typical clerk queries through `index.search.search`, the function behind `luutru search`
  (query parsing, phrase boost, filters, highlighted snippets, grouping); the baseline is a plain
  Whoosh search of the same words in the same index (one field, no highlighting), run in turn with it;
- runs the nightly `luutru reindex` with nothing changed.

    python benchmarks/index_scale.py --pages 50000 [--pages 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from whoosh import index as whoosh_index  # noqa: E402
from whoosh.qparser import FuzzyTermPlugin, QueryParser  # noqa: E402

from index.search import Filters, search  # noqa: E402
from pipeline.catalog import Catalog, now  # noqa: E402
from pipeline.home import ArchiveHome  # noqa: E402
from pipeline.run import reindex  # noqa: E402

WORDS_PER_PAGE = 300
PAGES_PER_DOCUMENT = (1, 9)
DEPARTMENTS = ["TNMT", "VP", "TP", "KT", "LDTBXH"]
ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t",
          "th", "tr", "v", "x"]
RHYMES = ["a", "ai", "an", "ang", "anh", "ao", "at", "ay", "âm", "ân", "âu", "ây", "em", "en", "eo", "êm", "ênh",
          "im", "in", "inh", "iêu", "oa", "oai", "oan", "oi", "om", "on", "ong", "ôi", "ông", "ơi", "ơn", "ua",
          "ui", "um", "un", "ung", "uy", "ưa", "ưng", "ươi", "ương"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = ["Văn Hùng", "Thị Mai", "Quốc Huy", "Thị Hoa", "Mạnh Cường", "Thanh Bình", "Thị Thuỷ", "Văn Lý"]
TYPES = [("QUYẾT ĐỊNH", "QĐ"), ("TỜ TRÌNH", "TTr"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB"), ("KẾ HOẠCH", "KH")]
# Each kind of clerk query, made from a random draw; a dict adds filters.
QUERY_KINDS = {
    "two words, no diacritics": lambda r: (f"{r.choice(SURNAMES)} {r.choice(GIVEN)}".lower(), {}),
    "phrase with diacritics": lambda r: ("giấy chứng nhận quyền sử dụng đất", {}),
    "parcel and sheet": lambda r: (f"thua dat so {r.randint(1, 900)} to ban do so {r.randint(1, 60)}", {}),
    "document number": lambda r: (f"{r.randint(1, 400)}/{r.choice(TYPES)[1]}-UBND", {}),
    "words + year filter": lambda r: ("thu hoi dat", {"year": r.randint(2005, 2025)}),
    "words + date range": lambda r: ("boi thuong", {"issued_from": f"{r.randint(2005, 2024)}-01-01",
                                                    "issued_to": f"{r.randint(2005, 2024)}-12-31"}),
    "fuzzy (OCR error)": lambda r: (f"{r.choice(SURNAMES).lower()}~ chung~ nhan", {}),
}


def syllable_tail(rng: random.Random) -> list[str]:
    """Generated syllables in NFC: the rarer words of a real archive (names, places, OCR slips)."""
    import unicodedata
    syllables = [unicodedata.normalize("NFC", onset + rhyme[0] + tone + rhyme[1:])
                 for onset in ONSETS for rhyme in RHYMES for tone in TONES]
    rng.shuffle(syllables)
    return syllables


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words with Zipf-like weights: the samples' words by their real frequency, then the tail."""
    truth = json.loads((REPOSITORY / "samples" / "truth.json").read_text(encoding="utf-8"))
    counts = Counter(word for pages in truth.values() for page in pages for word in re.findall(r"\w+", page))
    common = [word for word, _ in counts.most_common()]
    words = common + [word for word in syllable_tail(rng) if word not in counts]
    return words, [1 / (rank + 1) for rank in range(len(words))]


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words, weights = vocabulary(rng)
        self.cumulative = list(_running_sum(weights))

    def body(self, count: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=count)
        if self.rng.random() < 0.3:
            words[5:5] = f"thửa đất số {self.rng.randint(1, 900)}, tờ bản đồ số {self.rng.randint(1, 60)}".split()
        if self.rng.random() < 0.3:
            words[20:20] = [self.rng.choice(SURNAMES), *self.rng.choice(GIVEN).split()]
        lines = [" ".join(words[start:start + 15]) for start in range(0, len(words), 15)]
        return "\n".join(lines)

    def document(self, pages: int) -> list[str]:
        title, symbol = self.rng.choice(TYPES)
        year = self.rng.randint(2005, 2025)
        header = (f"ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                  f"Số: {self.rng.randint(1, 400)}/{symbol}-UBND\n"
                  f"Thạch Thất, ngày {self.rng.randint(1, 28)} tháng {self.rng.randint(1, 12)} năm {year}\n{title}\n")
        return [header + self.body(WORDS_PER_PAGE - 40)] + [self.body(WORDS_PER_PAGE) for _ in range(pages - 1)]


def _running_sum(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def make_archive(base: Path, page_total: int, rng: random.Random) -> ArchiveHome:
    """Stand-in scan files on disk and catalog rows for them, as after an ingest (no OCR)."""
    scans, home = base / "scans", ArchiveHome(base / "home").create()
    maker, catalog = TextMaker(rng), Catalog(home.catalog_path)
    catalog.add_roots([scans])
    made, number = 0, 0
    with catalog.transaction() as db:
        while made < page_total:
            pages = maker.document(min(rng.randint(*PAGES_PER_DOCUMENT), page_total - made))
            number += 1
            path = scans / rng.choice(DEPARTMENTS) / str(rng.randint(2005, 2025)) / f"doc-{number:07d}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"%PDF-1.4 stand-in " + str(number).encode())
            stat = path.stat()
            file_id = db.execute(
                "INSERT INTO files (path, kind, size, mtime_ns, sha256, page_count, status, first_seen, updated_at)"
                " VALUES (?, 'pdf', ?, ?, ?, ?, 'done', ?, ?)",
                (str(path), stat.st_size, stat.st_mtime_ns, f"{number:064x}", len(pages), now(), now())).lastrowid
            db.executemany("INSERT INTO pages (file_id, page, text, confidence, source) VALUES (?, ?, ?, 90, 'ocr')",
                           [(file_id, index, text) for index, text in enumerate(pages, 1)])
            made += len(pages)
    catalog.close()
    return home


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def plain_whoosh(link: Path, text: str) -> int:
    """The baseline: the same words through Whoosh's own parser on the folded field, top 50, no highlights."""
    index = whoosh_index.open_dir(str(link))
    with index.searcher() as searcher:
        parser = QueryParser("folded", index.schema)
        parser.add_plugin(FuzzyTermPlugin())
        query = parser.parse(text)
        return len(searcher.search(query, limit=50))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_queries(home: ArchiveHome, rounds: int, rng: random.Random) -> list[tuple]:
    rows = []
    for kind, make in QUERY_KINDS.items():
        ours, plain, found = [], [], 0
        for _ in range(rounds):
            text, filters = make(rng)
            seconds, result = timed(search, home.index_link, text, 10, Filters(**filters))
            ours.append(seconds)
            found += bool(result.documents)
            plain.append(timed(plain_whoosh, home.index_link, text)[0])
        rows.append((kind, statistics.median(ours), percentile(ours, 0.95), statistics.median(plain),
                     percentile(plain, 0.95), found / rounds))
    return rows


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def run_size(base: Path, pages: int, rounds: int) -> None:
    rng = random.Random(pages)
    made_in, home = timed(make_archive, base, pages, rng)
    build, summary = timed(reindex, home, full=True)
    no_change, _ = timed(reindex, home)
    index_bytes = folder_size(home.index_link.resolve())
    print(f"\n== {pages:,} pages in {summary.files_seen:,} files (catalog made in {made_in:.0f} s, "
          f"{home.catalog_path.stat().st_size / 2**20:.0f} MiB)")
    print(f"index build (reindex --full, fields included): {build:.1f} s = {pages / build:.0f} pages/s; "
          f"index {index_bytes / 2**20:.0f} MiB")
    print(f"nightly reindex with nothing changed: {no_change:.2f} s")
    print(f"{'query':<28}{'median ms':>10}{'p95 ms':>8}{'plain median':>14}{'plain p95':>11}{'ratio p50':>10}"
          f"{'found':>7}")
    all_ours = []
    for kind, median, p95, plain_median, plain_p95, found in measure_queries(home, rounds, rng):
        all_ours.append((median, p95))
        print(f"{kind:<28}{median * 1000:>10.1f}{p95 * 1000:>8.1f}{plain_median * 1000:>14.1f}"
              f"{plain_p95 * 1000:>11.1f}{median / plain_median:>10.2f}{found:>7.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, action="append", help="archive sizes (repeatable); default 50000")
    parser.add_argument("--rounds", type=int, default=20, help="queries of each kind per size")
    parser.add_argument("--keep", type=Path, help="build here and keep the archives (default: a temporary folder)")
    options = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    for pages in options.pages or [50_000]:
        if options.keep:
            base = options.keep / f"pages-{pages}"
            base.mkdir(parents=True)
            run_size(base, pages, options.rounds)
        else:
            with tempfile.TemporaryDirectory(prefix="luutru-scale-") as folder:
                run_size(Path(folder), pages, options.rounds)


if __name__ == "__main__":
    main()
