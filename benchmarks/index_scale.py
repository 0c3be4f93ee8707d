"""How the index and search grow with the archive, for each index engine side by side.

For each size, an archive of generated Vietnamese administrative text is made without OCR
(samples/synthetic_archive.py: stand-in files on disk and catalog rows, as after an ingest).
Then, for each engine (Whoosh, and Tantivy where the extra is installed), luutru itself:

- builds the index from the catalog (`luutru reindex --full --engine E`, field extraction included, in a process
  of its own whose peak memory is reported);
- runs the nightly `luutru reindex` with nothing changed, then with CHANGED_PAGES pages to index again (their
  files marked changed in the catalog: the index's side of a night's work, without the OCR);
- answers typical clerk queries through `index.search.search`, the function behind `luutru search`
  (query parsing, phrase re-rank, filters, near spellings, highlighted snippets of the pages shown,
  grouping). The baseline is each engine alone: the same words as a plain conjunction on the folded
  field, top 50, no snippets, run in turn with luutru's search on both engines, query by query;
- with --nights N, compares Whoosh merge policies for the nightly commit: on a copy of the
  index, N commits of --night-pages new pages each, merging small segments (luutru's choice),
  never merging, or merging everything (optimize); prints commit seconds, segments left and
  the search latency afterwards.

    python benchmarks/index_scale.py --pages 10000 --pages 100000 [--keep DIR] [--nights 30]
    python benchmarks/index_scale.py --pages 1000000 --engines tantivy --keep /var/tmp/scale
    python benchmarks/index_scale.py --pages 200000 --engines tantivy --table benchmarks/results/index-scale.json
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from whoosh import index as whoosh_index  # noqa: E402
from whoosh.qparser import FuzzyTermPlugin, QueryParser  # noqa: E402

from benchmarks.tables import write_table  # noqa: E402
from luutru.index.search import NEAR_SPELLING_MIN_LETTERS, Filters, SearchResult, search, search_store  # noqa: E402
from luutru.index.store import (  # noqa: E402
    ENGINES,
    GENERATION_PREFIX,
    MERGE_POLICIES,
    IndexStore,
    PageDocument,
    engine_of,
    open_store,
    schema_is_current,
)
from luutru.index.tantivy_store import shard_folders  # noqa: E402
from luutru.index.words import folded_words  # noqa: E402
from luutru.pipeline.catalog import Catalog  # noqa: E402
from luutru.pipeline.fields import follow_pattern  # noqa: E402
from luutru.pipeline.home import ArchiveHome  # noqa: E402
from luutru.pipeline.run import RunOptions, reindex  # noqa: E402
from samples.synthetic_archive import GIVEN, SURNAMES, TYPES, TextMaker, make_archive  # noqa: E402

LUUTRU = Path(sys.executable).parent / "luutru"
# Surnames a letter misread in is still found: index.search matches words as short as Lê, Vũ or Đỗ as typed.
LONG_SURNAMES = [name for name in SURNAMES if len(name) >= NEAR_SPELLING_MIN_LETTERS]


def date_range_query(rng: random.Random) -> tuple[str, dict]:
    """Words and a range of whole years, its start never after its end."""
    first, last = sorted((rng.randint(2005, 2024), rng.randint(2005, 2024)))
    return "boi thuong", {"issued_from": f"{first}-01-01", "issued_to": f"{last}-12-31"}


# Each kind of clerk query, made from a random draw; a dict adds filters.
QUERY_KINDS = {
    "two words, no diacritics": lambda r: (f"{r.choice(SURNAMES)} {r.choice(GIVEN)}".lower(), {}),
    "phrase with diacritics": lambda r: ("giấy chứng nhận quyền sử dụng đất", {}),
    "parcel and sheet": lambda r: (f"thua dat so {r.randint(1, 200)} to ban do so {r.randint(1, 30)}", {}),
    "document number": lambda r: (f"{r.randint(1, 400)}/{r.choice(TYPES)[1]}-UBND", {}),
    "words + year filter": lambda r: ("thu hoi dat", {"year": r.randint(2005, 2025)}),
    "words + date range": lambda r: date_range_query(r),
    "fuzzy (OCR error)": lambda r: (f"{r.choice(SURNAMES).lower()}~ chung~ nhan", {}),
    "a letter misread, no ~": lambda r: (f"{misread(r.choice(LONG_SURNAMES).lower(), r)} chung nhan", {}),
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


def plain_whoosh(index_folder: Path, text: str) -> int:
    """Whoosh alone: the words through its own parser on the folded field, top 50, no snippets."""
    index = whoosh_index.open_dir(str(index_folder))
    with index.searcher() as searcher:
        parser = QueryParser("folded", index.schema)
        parser.add_plugin(FuzzyTermPlugin())
        return len(searcher.search(parser.parse(text), limit=50))


def plain_tantivy(index_folder: Path, text: str) -> int:
    """Tantivy alone: the folded words as a conjunction (`word~` fuzzy), top 50, no snippets; a sharded index
    shard after shard, in one thread."""
    import tantivy
    shards = [tantivy.Index.open(str(folder)) for folder in shard_folders(index_folder)]
    schema, clauses = shards[0].schema, []  # the shards share one schema
    for typed in text.split():
        for word in folded_words(typed):
            query = (tantivy.Query.fuzzy_term_query(schema, "folded", word, 1) if typed.endswith("~")
                     else tantivy.Query.term_query(schema, "folded", word))
            clauses.append((tantivy.Occur.Must, query))
    conjunction = tantivy.Query.boolean_query(clauses)
    return sum(len(shard.searcher().search(conjunction, 50).hits) for shard in shards)


PLAIN: dict[str, Callable[[Path, str], int]] = {"whoosh": plain_whoosh, "tantivy": plain_tantivy}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def clerk_search(link: Path, text: str, filters: dict) -> SearchResult:
    """What `luutru search` does for one query, snippets of the pages it shows included."""
    return _with_snippets(search(link, text, 10, Filters(**filters)))


def reader_search(store: IndexStore, text: str, filters: dict) -> SearchResult:
    """What the counter's page does for one query: the same, on the index its reader keeps open."""
    return _with_snippets(search_store(store, text, 10, Filters(**filters)))


def _with_snippets(result: SearchResult) -> SearchResult:
    for document in result.documents:
        for page in document.pages:
            assert page.marked_snippet is not None
    return result


@dataclass
class Latencies:
    ours: list[float] = field(default_factory=list)
    reader: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    found: int = 0

    def measure(self, engine: str, folder: Path, store: IndexStore, text: str, filters: dict) -> None:
        """One query through luutru's search, through the long-lived reader's open index, then through the
        engine alone."""
        seconds, result = timed(clerk_search, folder, text, filters)
        self.ours.append(seconds)
        self.found += bool(result.documents)
        self.reader.append(timed(reader_search, store, text, filters)[0])
        self.plain.append(timed(PLAIN[engine], folder, text)[0])


def measure_queries(generations: dict[str, Path], rounds: int, rng: random.Random) -> dict[str, dict[str, Latencies]]:
    """Per kind of query and engine: luutru's search and the engine alone, each query on every engine in
    turn. First, one query of each kind on each engine: the first searches after the index was built
    read it from disk (a clerk's first search of the day); they are timed apart."""
    table: dict[str, dict[str, Latencies]] = {"first search of each kind (cold)": {}}
    stores = {engine: open_store(folder) for engine, folder in generations.items()}
    for engine, folder in generations.items():
        first = table["first search of each kind (cold)"][engine] = Latencies()
        for make in QUERY_KINDS.values():
            first.measure(engine, folder, stores[engine], *make(random.Random(0)))
    for kind, make in QUERY_KINDS.items():
        table[kind] = {engine: Latencies() for engine in generations}
        for _ in range(rounds):
            text, filters = make(rng)
            for engine, folder in generations.items():
                table[kind][engine].measure(engine, folder, stores[engine], text, filters)
    for store in stores.values():
        store.close()
    return table


def nightly_pages(maker: TextMaker, night: int, pages: int) -> list[PageDocument]:
    """One night's new documents, of 5 pages each, with file ids past any in the archive."""
    documents = []
    for number in range(pages // 5):
        file_id = 10**9 + night * 10**4 + number
        for page, text in enumerate(maker.document(5), 1):
            documents.append(PageDocument(file_id, f"/night-{night}/doc-{number}.pdf", page, text, 90.0))
    return documents


def measure_merge_policies(whoosh_generation: Path, nights: int, night_pages: int, rounds: int) -> None:
    """Each Whoosh merge policy on its own copy of the index, fed the same nights."""
    print(f"{'merge policy':<14}{'commit median s':>16}{'commit max s':>13}{'segments':>9}{'search median ms':>17}")
    for policy in MERGE_POLICIES:
        with tempfile.TemporaryDirectory(prefix="luutru-merge-") as folder:
            copy = Path(folder) / "index"
            shutil.copytree(whoosh_generation, copy)
            maker, commits = TextMaker(random.Random(nights)), []
            for night in range(nights):
                documents = nightly_pages(maker, night, night_pages)
                commits.append(timed(open_store(copy).update, (), documents, policy)[0])
            rng = random.Random(0)
            latencies = [timed(clerk_search, copy, *QUERY_KINDS["two words, no diacritics"](rng))[0]
                         for _ in range(rounds)]
            print(f"{policy:<14}{statistics.median(commits):>16.2f}{max(commits):>13.2f}"
                  f"{open_store(copy).segment_count():>9}{statistics.median(latencies) * 1000:>17.1f}", flush=True)


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def generation_of(home: ArchiveHome, engine: str) -> Path | None:
    """The newest index generation of `engine` in the archive home, if any."""
    folders = sorted(home.root.glob(GENERATION_PREFIX + "*"))
    return next((folder for folder in reversed(folders) if engine_of(folder) == engine), None)


# A busy night at a provincial archive: some 1,000 five-page documents read and indexed (issue 39).
CHANGED_PAGES = 5_000


@dataclass
class Build:
    seconds: float | None = None  # None: reused, not measured
    peak_mib: float | None = None  # the rebuild's process at its peak
    anonymous_mib: float | None = None  # of which not the index's own files mapped
    mib: float = 0.0
    parts: int = 1  # the indexes a search reads: one, or shards (index.store.PAGES_PER_SHARD)
    no_change: float | None = None  # None: not the live index, not measured
    changed: float | None = None  # the nightly run with CHANGED_PAGES pages to index again


def rebuilt(home: ArchiveHome, engine: str) -> tuple[float, float, float]:
    """`luutru reindex --full` in a process of its own: its seconds, its peak resident memory and the peak of that
    memory's anonymous part, MiB (the rest maps the index's own files, which the kernel may drop and read again)."""
    started, peaks = time.perf_counter(), {"VmHWM:": 0, "RssAnon:": 0}
    process = subprocess.Popen([str(LUUTRU), "--home", str(home.root), "-q", "reindex", "--full", "--engine", engine],
                               stdout=subprocess.DEVNULL)
    while process.poll() is None:
        with contextlib.suppress(OSError, IndexError):  # gone between poll and read
            status = Path(f"/proc/{process.pid}/status").read_text()
            for key in peaks:
                peaks[key] = max(peaks[key], int(status.split(key)[1].split()[0]))
        time.sleep(0.2)
    if process.returncode:
        sys.exit(f"luutru reindex --full failed with status {process.returncode}")
    return time.perf_counter() - started, peaks["VmHWM:"] / 1024, peaks["RssAnon:"] / 1024  # Linux counts in KiB


def night_of_changes(home: ArchiveHome, options: RunOptions) -> float:
    """Seconds of the nightly reindex once files holding CHANGED_PAGES pages are to be indexed again."""
    catalog, chosen, pages = Catalog(home.catalog_path), [], 0
    try:
        for record in catalog.searchable_files():
            if pages >= CHANGED_PAGES:
                break
            chosen.append(record.id)
            pages += record.page_count or 0
        catalog.mark_unindexed(chosen)
    finally:
        catalog.close()
    return timed(reindex, home, options=options)[0]


def build(home: ArchiveHome, engine: str, reuse: bool) -> tuple[Path, Build]:
    """The engine's index of the whole catalog, built by `reindex --full` (or one of this version kept from an
    earlier run, with --keep); then, with it live, the nightly reindex with nothing changed and with changes."""
    options, figures = RunOptions(engine=engine), Build()
    generation = generation_of(home, engine) if reuse else None
    if generation is None or not schema_is_current(generation):
        figures.seconds, figures.peak_mib, figures.anonymous_mib = rebuilt(home, engine)
        generation = home.index_link.resolve()
    if home.index_link.resolve() == generation.resolve():
        figures.no_change = timed(reindex, home, options=options)[0]
        figures.changed = night_of_changes(home, options)
    figures.mib, figures.parts = folder_size(generation) / 2**20, open_store(generation).parts()
    return generation, figures


def print_builds(pages: int, builds: dict[str, Build]) -> None:
    engines = list(builds)
    print(f"{'':<40}" + "".join(f"{engine:>12}" for engine in engines))
    rows = [("index build (reindex --full), s", lambda b: "reused" if b.seconds is None else f"{b.seconds:.1f}"),
            ("  pages/s", lambda b: "" if b.seconds is None else f"{pages / b.seconds:.0f}"),
            ("  peak memory, MiB", lambda b: "" if b.peak_mib is None else f"{b.peak_mib:.0f}"),
            ("    not the index's files, MiB", lambda b: "" if b.anonymous_mib is None else f"{b.anonymous_mib:.0f}"),
            ("index size, MiB", lambda b: f"{b.mib:.0f}"),
            ("  shards searched in parallel", lambda b: f"{b.parts}"),
            ("nightly reindex, nothing changed, s", lambda b: "" if b.no_change is None else f"{b.no_change:.2f}"),
            (f"nightly reindex, {CHANGED_PAGES:,} pages, s",
             lambda b: "" if b.changed is None else f"{b.changed:.2f}")]
    for name, show in rows:
        print(f"{name:<40}" + "".join(f"{show(builds[engine]):>12}" for engine in engines))


def print_queries(table: dict[str, dict[str, Latencies]]) -> None:
    engines = list(next(iter(table.values())))
    print("search, ms: luutru's median and 95th percentile opening the index for the search (as `luutru search`\n"
          "does, in a new process) and on the index the counter's page keeps open (reader); the engine alone\n"
          "(plain), median; luutru/plain.")
    print(f"{'query':<34}" + "".join(f"{engine + ' p50':>13}{'p95':>8}{'reader':>8}{'p95':>8}{'plain':>8}{'ratio':>7}"
                                     for engine in engines)
          + "".join(f"{'found ' + engine[0]:>9}" for engine in engines))
    for kind, rows in table.items():
        line = f"{kind:<34}"
        for engine in engines:
            ours, plain = statistics.median(rows[engine].ours), statistics.median(rows[engine].plain)
            line += (f"{ours * 1000:>13.1f}{percentile(rows[engine].ours, 0.95) * 1000:>8.1f}"
                     f"{statistics.median(rows[engine].reader) * 1000:>8.1f}"
                     f"{percentile(rows[engine].reader, 0.95) * 1000:>8.1f}{plain * 1000:>8.1f}{ours / plain:>7.1f}")
        line += "".join(f"{rows[engine].found / len(rows[engine].ours):>9.0%}" for engine in engines)
        print(line, flush=True)


@dataclass
class SizeFigures:
    pages: int
    builds: dict[str, Build]
    queries: dict[str, dict[str, Latencies]]
    documents_seconds: float | None = None  # None: reused, not measured


def write_scale_table(path: Path, sizes: list[SizeFigures]) -> None:
    """Each size's searches per query kind and engine, and its builds in the note below."""
    columns = ["pages", "engine", "query", "new process p50 ms", "p95", "reader p50 ms", "p95", "engine alone ms",
               "found"]
    rows, builds = [], []
    for size in sizes:
        for kind, engines in size.queries.items():
            for engine, times in engines.items():
                rows.append([f"{size.pages:,}", engine, kind, *(round(1000 * value, 1) for value in (
                    statistics.median(times.ours), percentile(times.ours, 0.95), statistics.median(times.reader),
                    percentile(times.reader, 0.95), statistics.median(times.plain))),
                    f"{times.found / len(times.ours):.0%}"])
        for engine, figures in size.builds.items():
            rebuild = "reused" if figures.seconds is None else \
                f"rebuilt in {figures.seconds:.0f} s ({size.pages / figures.seconds:,.0f} pages/s, peak memory " \
                f"{figures.peak_mib:,.0f} MiB, of which {figures.anonymous_mib:,.0f} not the index's files mapped)"
            nightly = "" if figures.no_change is None else \
                f", nightly run with nothing changed {figures.no_change:.2f} s, with {CHANGED_PAGES:,} pages to " \
                f"index again {figures.changed:.2f} s"
            builds.append(f"{size.pages:,} pages, {engine}: {rebuild}, {figures.mib:,.0f} MiB in {figures.parts} "
                          f"part(s){nightly}.")
        if size.documents_seconds:
            builds.append(f"{size.pages:,} pages: documents found in {size.documents_seconds:.0f} s "
                          f"({size.pages / size.documents_seconds:,.0f} pages/s, without OCR: the first run after a "
                          "change of how documents are found does it again for the whole archive).")
    write_table(path, "Search and index at scale", columns, rows, " ".join(builds))


def read_documents(home: ArchiveHome) -> None:
    """Find the generated pages' documents and their fields, as an ingest does (and every file again, without OCR,
    at the first run after a change of how documents are found), and leave the files as the ingest's index left
    them: the timed rebuild then does what it does on an ingested archive, reading the documents, not finding them."""
    catalog = Catalog(home.catalog_path)
    try:
        follow_pattern(catalog, None)
        catalog.mark_searchable_indexed(catalog.last_searchable_id())
    finally:
        catalog.close()


def run_size(base: Path, pages: int, engines: list[str], rounds: int, nights: int, night_pages: int) -> SizeFigures:
    rng = random.Random(pages)
    reuse, documents_seconds = (base / "home" / "catalog.sqlite3").exists(), None
    if reuse:
        home = ArchiveHome(base / "home")
        print(f"\n== {pages:,} pages, reusing the archive in {base}")
    else:
        made_in, home = timed(make_archive, base, pages, rng)
        documents_seconds = timed(read_documents, home)[0]
        print(f"\n== {pages:,} pages (catalog made in {made_in:.0f} s, "
              f"{home.catalog_path.stat().st_size / 2**20:.0f} MiB; its documents found in {documents_seconds:.0f} s, "
              f"{pages / documents_seconds:,.0f} pages/s)")
    generations, builds = {}, {}
    for engine in engines:
        generations[engine], builds[engine] = build(home, engine, reuse)
    print_builds(pages, builds)
    queries = measure_queries(generations, rounds, rng)
    print_queries(queries)
    if nights and "whoosh" in generations:
        print(f"{nights} nights of {night_pages} new pages each, Whoosh:")
        measure_merge_policies(generations["whoosh"], nights, night_pages, rounds)
    return SizeFigures(pages, builds, queries, documents_seconds)


def installed_engines() -> list[str]:
    return [engine for engine in ENGINES if engine == "whoosh" or importlib.util.find_spec(engine)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, action="append", help="archive sizes (repeatable); default 50000")
    parser.add_argument("--rounds", type=int, default=20, help="queries of each kind per size")
    parser.add_argument("--nights", type=int, default=0, help="nightly commits to compare merge policies on")
    parser.add_argument("--night-pages", type=int, default=200, help="new pages per night")
    parser.add_argument("--engines", type=lambda text: text.split(","), default=installed_engines(),
                        help="comma-separated (default: every installed engine: %(default)s)")
    parser.add_argument("--keep", type=Path, help="build here and keep the archives, or reuse those already there "
                                                  "(default: a temporary folder)")
    parser.add_argument("--table", type=Path, help="also write the figures as a table for the docs "
                                                   "(benchmarks/tables.py)")
    options = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    sizes = []
    for pages in options.pages or [50_000]:
        if options.keep:
            base = options.keep / f"pages-{pages}"
            base.mkdir(parents=True, exist_ok=True)
            sizes.append(run_size(base, pages, options.engines, options.rounds, options.nights, options.night_pages))
        else:
            with tempfile.TemporaryDirectory(prefix="luutru-scale-") as folder:
                sizes.append(run_size(Path(folder), pages, options.engines, options.rounds, options.nights,
                                      options.night_pages))
    if options.table:
        write_scale_table(options.table, sizes)


if __name__ == "__main__":
    main()
