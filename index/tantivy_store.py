"""The Tantivy engine (`pip install 'luutru[tantivy]'`): for archives past some 50,000 pages.

Tantivy cannot run Python analyzers, so each page is analysed here by index.analysis's plain
functions and its words are indexed as given (joined by spaces, split on spaces again), which keeps
the terms identical to Whoosh's. The page as read is stored beside them for snippets and re-ranking.
Queries arrive as luutru's own trees (index.query) and are translated node by node.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from luutru.index import query as lq
from luutru.index.store import IndexUnavailable, PageDocument, StoredPage, stored_fields
from luutru.index.words import exact_words, folded_words, nfc, page_words, symbol_words

try:
    import tantivy
except ImportError:  # the optional extra
    tantivy = None

# Tantivy's own tokenizers would split and fold differently; these leave luutru's words alone.
WORDS, WHOLE = "luutru_words", "luutru_whole"
WORD_FIELDS = {"text": exact_words, "folded": folded_words, "number": symbol_words,
               "doc_type": folded_words, "agency": folded_words, "department": folded_words,
               "title": folded_words}
FIELD_WORDS = ("number", "doc_type", "agency", "department", "title")  # the document's fields, beside the page's words
KEYWORD_FIELDS = ("path", "parcels", "sheets", "mode")
INTEGER_FIELDS = ("issued", "year")
WRITER_HEAP_BYTES = 128 * 2**20  # as Whoosh's writer: a nightly run stays well within its memory budget
# The writer's indexing threads: Python prepares the pages in one thread, so two keep up with it.
WRITER_THREADS = 2
FILES_PER_COUNT = 60_000  # files counted by one aggregation (Tantivy's limit is 65,000 buckets)
REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~])")


def require_tantivy() -> None:
    if tantivy is None:
        raise IndexUnavailable("the tantivy engine is not installed: pip install 'luutru[tantivy]' "
                               "(or `luutru reindex --full --engine whoosh`)")


def _schema():
    builder = tantivy.SchemaBuilder()
    # Signed: the writer's delete-by-term makes a signed term of a Python int.
    builder.add_integer_field("file_id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("page", stored=True)
    builder.add_float_field("confidence", stored=True)
    for name in WORD_FIELDS:
        builder.add_text_field(name, tokenizer_name=WORDS, index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, stored=name == "path", tokenizer_name=WHOLE, index_option="basic")
    for name in INTEGER_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_bytes_field("page_text", stored=True)  # the page as read (NFC)
    builder.add_bytes_field("fields", stored=True)  # every extracted field, as JSON
    return builder.build()


def _document(page: PageDocument):
    text, values = nfc(page.text), stored_fields(page.fields, page.page)
    document = tantivy.Document()
    document.add_integer("file_id", page.file_id)
    document.add_integer("page", page.page)
    document.add_text("path", page.path)
    if page.confidence is not None:
        document.add_float("confidence", float(page.confidence))
    if text:
        for name, words in zip(("text", "folded"), page_words(text)):
            document.add_text(name, " ".join(words))
    for name in FIELD_WORDS:
        if values.get(name):
            document.add_text(name, " ".join(WORD_FIELDS[name](values[name])))
    for name in ("parcels", "sheets"):
        for value in values[name]:
            document.add_text(name, str(value).strip())
    document.add_text("mode", values["mode"])
    document.add_integer("issued", values["issued"])
    if values.get("year"):
        document.add_integer("year", int(values["year"]))
    document.add_bytes("page_text", text.encode("utf-8"))
    document.add_bytes("fields", json.dumps(page.fields, ensure_ascii=False).encode("utf-8"))
    return document


def _regex(pattern: str, wildcards: bool) -> str:
    """A Tantivy regular expression for a prefix (`pattern` then anything) or a wildcard pattern."""
    escaped = REGEX_SPECIAL.sub(r"\\\1", pattern)
    if wildcards:
        return escaped.replace(r"\*", ".*").replace(r"\?", ".")
    return escaped + ".*"


META_LOCK = ".tantivy-meta.lock"
SHARD_PREFIX = "shard-"
SHARDS_FILE = "luutru-shards"  # how many shards a generation was written with: one lost is found, never skipped
# Tantivy refuses a writer of less memory than some 15 MB a thread.
LEAST_SHARD_HEAP_BYTES = 16 * 2**20


def shard_folders(generation: Path) -> list[Path]:
    """A generation's Tantivy indexes: the folder itself when it holds one (every index before shards), else the
    shards it was written with (index.store.PAGES_PER_SHARD); none when it says neither."""
    if (generation / "meta.json").exists():
        return [generation]
    try:
        count = int((generation / SHARDS_FILE).read_text())
    except (OSError, ValueError):
        return []
    return [generation / f"{SHARD_PREFIX}{number:02d}" for number in range(count)]


class TantivyStore:
    """The index as one Tantivy index or as shards: a file's pages all lie in the shard of its id."""

    engine = "tantivy"

    def __init__(self, link: Path) -> None:
        self.link = link
        self.folders = shard_folders(link)
        try:
            if not self.folders:
                raise ValueError("it holds no Tantivy index")
            lost = [folder.name for folder in self.folders if not (folder / "meta.json").exists()]
            if lost:
                raise ValueError(f"its shard {lost[0]} is missing")
            self.shards = [tantivy.Index.open(str(folder)) for folder in self.folders]
        except (OSError, ValueError) as error:
            raise IndexUnavailable(f"cannot open the index at {link}: {error}; "
                                   "run `luutru reindex --full` to rebuild it from the catalog") from error
        for shard in self.shards:
            _register_tokenizers(shard)
        self.schema = self.shards[0].schema
        self._searchers: list | None = None
        self._threads: ThreadPoolExecutor | None = None

    @staticmethod
    def create(folder: Path, shards: int = 1) -> None:
        if shards > 1:
            (folder / SHARDS_FILE).write_text(f"{shards}\n")
        for part in shard_folders(folder) if shards > 1 else [folder]:
            part.mkdir(exist_ok=True)
            tantivy.Index(_schema(), path=str(part))
            # Tantivy takes this lock even to read, so a user who may only read the archive must be able to
            # open it for writing; it is an empty file, and the home's own mode decides who reaches it.
            (part / META_LOCK).touch()
            (part / META_LOCK).chmod(0o666)

    def _opened(self) -> list:
        if self._searchers is None:
            self._searchers = [shard.searcher() for shard in self.shards]
        return self._searchers

    def _each(self, ask: Callable) -> list:
        """`ask(searcher)` of every shard's searcher, in parallel threads when there are several: Tantivy lets go
        of Python's lock while it searches."""
        searchers = self._opened()
        if len(searchers) == 1:
            return [ask(searchers[0])]
        if self._threads is None:
            self._threads = ThreadPoolExecutor(len(searchers), thread_name_prefix="luutru-shard")
        return list(self._threads.map(ask, searchers))

    def refresh(self) -> None:
        for shard in self.shards:
            shard.reload()
        self._searchers = None

    def pages_per_file(self) -> Counter:
        counts: Counter = Counter()
        for searcher in self._opened():
            counts.update(self._pages_per_file(searcher))
        return counts

    def _pages_per_file(self, searcher) -> Counter:
        """Counted by aggregations, which skip deleted pages. Tantivy refuses one of more than 65,000
        buckets, so files are counted a window of ids at a time, from the lowest id not yet counted."""
        counts, start = Counter(), 0
        while True:
            rest = self._file_ids_from(start)
            lowest = searcher.aggregate(rest, {"lowest": {"min": {"field": "file_id"}}})["lowest"]["value"]
            if lowest is None:
                return counts
            window = self._file_ids_from(int(lowest), int(lowest) + FILES_PER_COUNT - 1)
            answer = searcher.aggregate(window, {"files": {"terms": {"field": "file_id", "size": FILES_PER_COUNT}}})
            counts.update({int(bucket["key"]): bucket["doc_count"] for bucket in answer["files"]["buckets"]})
            start = int(lowest) + FILES_PER_COUNT

    def _file_ids_from(self, first: int, last: int | None = None):
        return tantivy.Query.range_query(self.schema, "file_id", tantivy.FieldType.Integer, first, last)

    def page_count(self) -> int:
        return sum(searcher.num_docs for searcher in self._opened())

    def segment_count(self) -> int:
        return sum(searcher.num_segments for searcher in self._opened())

    def parts(self) -> int:
        return len(self.shards)

    def last_modified(self) -> float:
        return max((folder / "meta.json").stat().st_mtime for folder in self.folders)

    def update(self, remove: Iterable[int], add: Iterable[PageDocument], merge: str = "small") -> int:
        if merge != "small":
            raise ValueError(f"the tantivy engine merges by its own policy, not {merge!r}")
        writers = self._writers()

        def writer_of(file_id: int):
            return writers[file_id % len(writers)]  # a file's pages all lie in one shard: removed where added
        try:
            for file_id in remove:
                writer_of(file_id).delete_documents_by_term("file_id", file_id)
            added = 0
            for page in add:
                writer_of(page.file_id).add_document(_document(page))
                added += 1
        except BaseException:
            for writer in writers:
                writer.rollback()
            raise
        # Each shard commits on its own: a run stopped between two commits leaves its files unmarked in the
        # catalog, and the next sync removes and adds their pages again, whichever shard holds them.
        for writer in writers:
            writer.commit()
        for writer in writers:
            # The merges the commit started finish before the run ends: a short run would otherwise
            # leave one more segment behind every time.
            writer.wait_merging_threads()
        self.refresh()
        return added

    def _writers(self) -> list:
        """A writer a shard, sharing out the memory and the threads of one index's writer."""
        heap = max(LEAST_SHARD_HEAP_BYTES, WRITER_HEAP_BYTES // len(self.shards))
        threads = max(1, WRITER_THREADS // len(self.shards))
        try:
            return [shard.writer(heap_size=heap, num_threads=threads) for shard in self.shards]
        except ValueError as error:
            raise IndexUnavailable(f"cannot write the index at {self.link}: {error}") from error

    def _translated(self, node: lq.Query):
        """The Tantivy query for one of luutru's query nodes."""
        if isinstance(node, lq.Term):
            return self._boosted(node, tantivy.Query.term_query(self.schema, node.field, node.value))
        if isinstance(node, lq.Fuzzy):
            # A prefix kept as written has no Tantivy twin: every letter may be the misread one.
            return self._boosted(node, tantivy.Query.fuzzy_term_query(
                self.schema, node.field, node.text, distance=node.distance, transposition_cost_one=True))
        if isinstance(node, (lq.Prefix, lq.Wildcard)):
            pattern = _regex(node.text, wildcards=False) if isinstance(node, lq.Prefix) else \
                _regex(node.pattern, wildcards=True)
            return self._boosted(node, tantivy.Query.regex_query(self.schema, node.field, pattern))
        if isinstance(node, lq.Phrase) and len(node.words) < 2:  # Tantivy refuses a phrase of one word
            return self._translated(lq.Term(node.field, node.words[0], node.boost) if node.words else lq.Nothing())
        if isinstance(node, lq.Phrase):
            return self._boosted(node, tantivy.Query.phrase_query(self.schema, node.field, list(node.words),
                                                                  slop=node.slop))
        if isinstance(node, lq.Range):
            return tantivy.Query.range_query(self.schema, node.field, tantivy.FieldType.Integer,
                                             node.start, node.end, include_lower=node.include_start,
                                             include_upper=node.include_end)
        if isinstance(node, lq.AndMaybe):
            return self._boolean([(tantivy.Occur.Must, node.required), (tantivy.Occur.Should, node.optional)])
        if isinstance(node, lq.And):
            return self._boolean([(tantivy.Occur.MustNot, clause.clause) if isinstance(clause, lq.Not)
                                  else (tantivy.Occur.Must, clause) for clause in node.clauses])
        if isinstance(node, lq.Or):
            return self._boolean([(tantivy.Occur.Should, clause) for clause in node.clauses])
        if isinstance(node, lq.Not):
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                                (tantivy.Occur.MustNot, self._translated(node.clause))])
        if isinstance(node, lq.Everything):
            return tantivy.Query.all_query()
        return tantivy.Query.empty_query()

    def _boolean(self, clauses):
        return tantivy.Query.boolean_query([(occur, self._translated(child)) for occur, child in clauses])

    @staticmethod
    def _boosted(node: lq.Leaf, query):
        return query if node.boost == 1.0 else tantivy.Query.boost_query(query, node.boost)

    def _query(self, query: lq.Query, restriction: lq.Query | None):
        translated = self._translated(query)
        if restriction is None:
            return translated
        # The restriction only narrows: it adds nothing to the score.
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, translated), (tantivy.Occur.Must,
                                            tantivy.Query.const_score_query(self._translated(restriction), 0.0))])

    def search(self, query: lq.Query, limit: int, restriction: lq.Query | None = None,
               sort_by_date: bool = False) -> tuple[list[StoredPage], int]:
        ordering = {"order_by_field": "issued", "order": tantivy.Order.Desc} if sort_by_date else {}
        translated = self._query(query, restriction)
        answers = self._each(lambda searcher: (searcher, searcher.search(translated, limit, count=True, **ordering)))
        # Each shard's best, by score (or date) across the shards; a stable sort keeps one index's order.
        hits = sorted(((value, searcher, address) for searcher, result in answers for value, address in result.hits),
                      key=lambda hit: -hit[0])[:limit]
        pages = [self._page(searcher.doc(address), None if sort_by_date else value)
                 for value, searcher, address in hits]
        return pages, sum(result.count for _, result in answers)

    @staticmethod
    def _page(document, score: float | None) -> StoredPage:
        values = document.to_dict()
        confidence = values.get("confidence")
        return StoredPage(path=values["path"][0], page=values["page"][0], score=score, file_id=values["file_id"][0],
                          text=bytes(values["page_text"][0]).decode("utf-8"),
                          confidence=confidence[0] if confidence else None,
                          fields=json.loads(bytes(values["fields"][0]).decode("utf-8")))

    def matches_any(self, query: lq.Query) -> bool:
        translated = self._translated(query)
        return any(self._each(lambda searcher: bool(searcher.search(translated, 1, count=False).hits)))

    def word_frequency(self, word: str, field: str = "folded") -> int:
        return sum(searcher.doc_freq(field, word) for searcher in self._opened())

    def folded_vocabulary(self) -> list[tuple[str, int]]:
        searchers = self._opened()
        if len(searchers) == 1:
            return searchers[0].terms_with_prefix("folded", "")
        pages: Counter = Counter()
        for searcher in searchers:
            pages.update(dict(searcher.terms_with_prefix("folded", "")))
        return pages.most_common()  # as one index gives them: the commonest first

    def close(self) -> None:
        self._searchers = None
        if self._threads is not None:
            self._threads.shutdown()
            self._threads = None


def _register_tokenizers(index) -> None:
    index.register_tokenizer(WORDS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    index.register_tokenizer(WHOLE, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).build())
