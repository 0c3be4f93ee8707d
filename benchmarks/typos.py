"""Typing and reading slips: how often a query with one letter swapped, dropped, doubled or misread
still finds its document first, and what the slip costs in time, on both index engines.

Queries are two neighbouring words of a page (four letters or more each), the page's document being
the one wanted. Each is searched as typed, then with one slip in one of its words; a query counts
as found when its document comes first. Over the sample documents' true text, and over a generated
archive (samples/synthetic_archive.py) indexed as `luutru reindex --full` does. Latency is luutru's
whole search (near spellings included), median, as a ratio to the same queries without the slip.

    python benchmarks/typos.py [--pages 10000] [--queries 60] [--engines whoosh tantivy]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from luutru.index.search import search_store  # noqa: E402
from luutru.index.store import ENGINES, PageDocument, ensure_index, open_store  # noqa: E402
from luutru.index.words import folded_words  # noqa: E402
from luutru.pipeline.catalog import Catalog  # noqa: E402
from luutru.pipeline.run import RunOptions, reindex  # noqa: E402
from samples.synthetic_archive import make_archive  # noqa: E402

# Letters OCR and tired fingers confuse, on folded text.
MISREADS = {"n": "h", "h": "n", "e": "c", "c": "e", "i": "l", "l": "i", "o": "a", "a": "o", "u": "v", "m": "n"}


def swapped(word: str, rng: random.Random) -> str:
    position = rng.randrange(len(word) - 1)
    return word[:position] + word[position + 1] + word[position] + word[position + 2:]


def dropped(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word))
    return word[:position] + word[position + 1:]


def doubled(word: str, rng: random.Random) -> str:
    position = rng.randrange(len(word))
    return word[:position + 1] + word[position] + word[position + 1:]


def misread(word: str, rng: random.Random) -> str:
    positions = [index for index, letter in enumerate(word) if letter in MISREADS and index > 0]
    position = rng.choice(positions) if positions else len(word) - 1
    return word[:position] + MISREADS.get(word[position], "x") + word[position + 1:]


SLIPS = {"swapped": swapped, "dropped": dropped, "doubled": doubled, "misread": misread}


# One of a query's words is on at most this share of the pages (3 pages in a small archive): a clerk
# types a word that tells the document apart, and the slip falls on that word.
MAX_PAGE_SHARE_PER_WORD = 0.05


def make_queries(pages: list[tuple[int, str]], count: int,
                 rng: random.Random) -> list[tuple[list[str], int, int]]:
    """Two neighbouring words of a random page, one of them on few pages; the file that page belongs
    to; which word is the rare one."""
    frequency = Counter(word for _, text in pages for word in set(folded_words(text)))
    rare = max(3, int(MAX_PAGE_SHARE_PER_WORD * len(pages)))
    queries, tries = [], 0
    while len(queries) < count and tries < 100 * count:
        tries += 1
        file_id, text = rng.choice(pages)
        words = [word for word in folded_words(text) if len(word) >= 4 and word.isalpha()]
        pairs = [(first, second) for first, second in zip(words, words[1:])
                 if first != second and min(frequency[first], frequency[second]) <= rare]
        if pairs:
            pair = list(rng.choice(pairs))
            queries.append((pair, file_id, 0 if frequency[pair[0]] <= frequency[pair[1]] else 1))
    return queries


def first_is(store, text: str, file_id: int) -> tuple[bool, float]:
    started = time.perf_counter()
    result = search_store(store, text, 5)
    seconds = time.perf_counter() - started
    return bool(result.documents) and result.documents[0].file_id == file_id, seconds


def measure(store, queries: list[tuple[list[str], int, int]], rng: random.Random) -> dict:
    """Per slip: the share of queries whose document comes first, and the median search in ms; "as
    typed" is the same queries without a slip."""
    rows = {}
    for name, slip in {"as typed": None, **SLIPS}.items():
        found, seconds = 0, []
        for words, file_id, rare in queries:
            slipped = list(words)
            if slip:
                slipped[rare] = slip(words[rare], rng)
            hit, spent = first_is(store, " ".join(slipped), file_id)
            found += hit
            seconds.append(spent)
        rows[name] = {"first": round(found / len(queries), 3), "p50_ms": round(1000 * statistics.median(seconds), 1)}
    return rows


def samples_store(folder: Path, engine: str):
    """The sample documents' true text, each document one file, in an index of `engine`."""
    truth = json.loads((REPOSITORY / "samples" / "truth.json").read_text(encoding="utf-8"))
    pages = [(file_id, text) for file_id, (_, texts) in enumerate(sorted(truth.items()), 1) for text in texts]
    link = folder / f"samples-{engine}" / "index"
    link.parent.mkdir()
    ensure_index(link, engine)
    open_store(link).update((), [PageDocument(file_id, f"/samples/{file_id}", number, text, 90.0)
                                 for number, (file_id, text) in enumerate(pages, 1)])
    return open_store(link), pages


def archive_store(home, engine: str):
    reindex(home, full=True, options=RunOptions(engine=engine))
    catalog = Catalog(home.catalog_path)
    try:
        pages = [(page.file_id, page.text) for page in catalog.pages()]
    finally:
        catalog.close()
    return open_store(home.index_link), pages


def report(title: str, rows: dict) -> None:
    typed = rows["as typed"]["p50_ms"]
    print(f"\n{title}\n{'slip':10} {'first':>6} {'p50 ms':>8} {'x typed':>8}")
    for name, row in rows.items():
        print(f"{name:10} {row['first']:6.0%} {row['p50_ms']:8.1f} {row['p50_ms'] / typed:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--engines", nargs="+", choices=ENGINES,
                        default=[name for name in ENGINES if name == "whoosh" or importlib.util.find_spec(name)])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = make_archive(Path(folder) / "archive", arguments.pages, random.Random(3))
        for engine in arguments.engines:
            store, pages = samples_store(Path(folder), engine)
            report(f"{engine}: the sample documents ({len(pages)} pages)",
                   measure(store, make_queries(pages, arguments.queries, random.Random(1)), random.Random(2)))
            store, pages = archive_store(home, engine)
            report(f"{engine}: a generated archive of {len(pages):,} pages",
                   measure(store, make_queries(pages, arguments.queries, random.Random(1)), random.Random(2)))


if __name__ == "__main__":
    main()
