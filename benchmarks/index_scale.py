"""How the index and search grow with the archive: build rate, size, search latency, nightly no-op.

For each size, an archive of generated Vietnamese administrative text is made without OCR
(samples/synthetic_archive.py: stand-in files on disk and catalog rows, as after an ingest).
Then luutru itself:

- builds the index from the catalog (`luutru reindex --full`, field extraction included);
- answers typical clerk queries through `index.search.search`, the function behind `luutru search`
  (query parsing, phrase boost, filters, highlighted snippets, grouping); the baseline is a plain
  Whoosh search of the same words in the same index (one field, no highlighting), run in turn with it;
- runs the nightly `luutru reindex` with nothing changed;
- with --nights N, compares Whoosh merge policies for the nightly commit: on a copy of the
  index, N commits of --night-pages new pages each, merging small segments (luutru's choice),
  never merging, or merging everything (optimize); prints commit seconds, segments left and
  the search latency afterwards.

    python benchmarks/index_scale.py --pages 50000 [--pages 100000] [--keep DIR] [--nights 30]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from whoosh import index as whoosh_index  # noqa: E402
from whoosh.qparser import FuzzyTermPlugin, QueryParser  # noqa: E402

from index.search import Filters, SearchResult, search  # noqa: E402
from index.store import MERGE_POLICIES, IndexStore, PageDocument  # noqa: E402
from pipeline.home import ArchiveHome  # noqa: E402
from pipeline.run import reindex  # noqa: E402
from samples.synthetic_archive import GIVEN, SURNAMES, TYPES, TextMaker, make_archive  # noqa: E402

# Each kind of clerk query, made from a random draw; a dict adds filters.
QUERY_KINDS = {
    "two words, no diacritics": lambda r: (f"{r.choice(SURNAMES)} {r.choice(GIVEN)}".lower(), {}),
    "phrase with diacritics": lambda r: ("giấy chứng nhận quyền sử dụng đất", {}),
    "parcel and sheet": lambda r: (f"thua dat so {r.randint(1, 200)} to ban do so {r.randint(1, 30)}", {}),
    "document number": lambda r: (f"{r.randint(1, 400)}/{r.choice(TYPES)[1]}-UBND", {}),
    "words + year filter": lambda r: ("thu hoi dat", {"year": r.randint(2005, 2025)}),
    "words + date range": lambda r: ("boi thuong", {"issued_from": f"{r.randint(2005, 2024)}-01-01",
                                                    "issued_to": f"{r.randint(2005, 2024)}-12-31"}),
    "fuzzy (OCR error)": lambda r: (f"{r.choice(SURNAMES).lower()}~ chung~ nhan", {}),
    "a letter misread, no ~": lambda r: (f"{misread(r.choice(SURNAMES).lower(), r)} chung nhan", {}),
}


def misread(word: str, rng: random.Random) -> str:
    """The word with one letter after the first read as `x`, as OCR garbles a letter: no page has it
    as typed, so search falls back to near spellings."""
    position = rng.randrange(1, len(word))
    return word[:position] + "x" + word[position + 1:]


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


def clerk_search(link: Path, text: str, filters: dict) -> SearchResult:
    """What `luutru search` does for one query, snippets of the pages it shows included."""
    result = search(link, text, 10, Filters(**filters))
    for document in result.documents:
        for page in document.pages:
            assert page.marked_snippet is not None
    return result


def measure_queries(home: ArchiveHome, rounds: int, rng: random.Random) -> Iterator[tuple]:
    for kind, make in QUERY_KINDS.items():
        ours, plain, found = [], [], 0
        for _ in range(rounds):
            text, filters = make(rng)
            seconds, result = timed(clerk_search, home.index_link, text, filters)
            ours.append(seconds)
            found += bool(result.documents)
            plain.append(timed(plain_whoosh, home.index_link, text)[0])
        yield (kind, statistics.median(ours), percentile(ours, 0.95), statistics.median(plain),
               percentile(plain, 0.95), found / rounds)


def nightly_pages(maker: TextMaker, night: int, pages: int) -> list[PageDocument]:
    """One night's new documents, of 5 pages each, with file ids past any in the archive."""
    documents = []
    for number in range(pages // 5):
        file_id = 10**9 + night * 10**4 + number
        for page, text in enumerate(maker.document(5), 1):
            documents.append(PageDocument(file_id, f"/night-{night}/doc-{number}.pdf", page, text, 90.0))
    return documents


def measure_merge_policies(home: ArchiveHome, nights: int, night_pages: int, rounds: int) -> None:
    """Each merge policy on its own copy of the index, fed the same nights."""
    print(f"{'merge policy':<14}{'commit median s':>16}{'commit max s':>13}{'segments':>9}{'search median ms':>17}")
    for policy in MERGE_POLICIES:
        with tempfile.TemporaryDirectory(prefix="luutru-merge-") as folder:
            copy = Path(folder) / "index"
            shutil.copytree(home.index_link.resolve(), copy)
            maker, commits = TextMaker(random.Random(nights)), []
            for night in range(nights):
                documents = nightly_pages(maker, night, night_pages)
                commits.append(timed(IndexStore(copy).update, (), documents, policy)[0])
            rng = random.Random(0)
            latencies = [timed(clerk_search, copy, *QUERY_KINDS["two words, no diacritics"](rng))[0]
                         for _ in range(rounds)]
            print(f"{policy:<14}{statistics.median(commits):>16.2f}{max(commits):>13.2f}"
                  f"{IndexStore(copy).segment_count():>9}{statistics.median(latencies) * 1000:>17.1f}", flush=True)


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def build(base: Path, pages: int, rng: random.Random) -> ArchiveHome:
    made_in, home = timed(make_archive, base, pages, rng)
    seconds, summary = timed(reindex, home, full=True)
    print(f"\n== {pages:,} pages in {summary.files_seen:,} files (catalog made in {made_in:.0f} s, "
          f"{home.catalog_path.stat().st_size / 2**20:.0f} MiB)")
    print(f"index build (reindex --full, fields included): {seconds:.1f} s = {pages / seconds:.0f} pages/s; "
          f"index {folder_size(home.index_link.resolve()) / 2**20:.0f} MiB")
    return home


def run_size(base: Path, pages: int, rounds: int, nights: int, night_pages: int) -> None:
    rng = random.Random(pages)
    if (base / "home" / "catalog.sqlite3").exists():
        home = ArchiveHome(base / "home")
        print(f"\n== {pages:,} pages, reusing the archive in {base} (build not measured)")
    else:
        home = build(base, pages, rng)
    no_change, _ = timed(reindex, home)
    print(f"nightly reindex with nothing changed: {no_change:.2f} s")
    print(f"{'query':<28}{'median ms':>10}{'p95 ms':>8}{'plain median':>14}{'plain p95':>11}{'ratio p50':>10}"
          f"{'found':>7}", flush=True)
    for kind, median, p95, plain_median, plain_p95, found in measure_queries(home, rounds, rng):
        print(f"{kind:<28}{median * 1000:>10.1f}{p95 * 1000:>8.1f}{plain_median * 1000:>14.1f}"
              f"{plain_p95 * 1000:>11.1f}{median / plain_median:>10.2f}{found:>7.0%}", flush=True)
    if nights:
        print(f"{nights} nights of {night_pages} new pages each:")
        measure_merge_policies(home, nights, night_pages, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, action="append", help="archive sizes (repeatable); default 50000")
    parser.add_argument("--rounds", type=int, default=20, help="queries of each kind per size")
    parser.add_argument("--nights", type=int, default=0, help="nightly commits to compare merge policies on")
    parser.add_argument("--night-pages", type=int, default=200, help="new pages per night")
    parser.add_argument("--keep", type=Path, help="build here and keep the archives, or reuse those already there "
                                                  "(default: a temporary folder)")
    options = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    for pages in options.pages or [50_000]:
        if options.keep:
            base = options.keep / f"pages-{pages}"
            base.mkdir(parents=True, exist_ok=True)
            run_size(base, pages, options.rounds, options.nights, options.night_pages)
        else:
            with tempfile.TemporaryDirectory(prefix="luutru-scale-") as folder:
                run_size(Path(folder), pages, options.rounds, options.nights, options.night_pages)


if __name__ == "__main__":
    main()
