"""The Whoosh engine, luutru's default: pure Python, fast enough up to some 50,000 pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh import writing
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher

from luutru.index import query as lq
from luutru.index.analysis import exact_analyzer, folded_analyzer, symbol_analyzer
from luutru.index.store import IndexUnavailable, PageDocument, StoredPage, stored_fields
from luutru.index.words import nfc

MERGES = {"small": {"mergetype": writing.MERGE_SMALL}, "none": {"mergetype": writing.NO_MERGE},
          "all": {"optimize": True}}


def make_schema() -> Schema:
    """The fields of a page; index.search reads queries against it, whichever engine runs them."""
    return Schema(
        key=ID(unique=True, stored=True),  # "file_id:page"
        file_id=ID(stored=True),
        path=ID(stored=True),
        page=NUMERIC(int, stored=True, sortable=True),
        confidence=STORED(),
        text=TEXT(analyzer=exact_analyzer(), stored=True, phrase=True),
        folded=TEXT(analyzer=folded_analyzer(), phrase=True),
        # Document fields (pipeline.metadata), repeated on each page of the document.
        number=TEXT(analyzer=symbol_analyzer(), stored=True, phrase=False),  # 123/QĐ-UBND as one term
        doc_type=TEXT(analyzer=folded_analyzer(), stored=True),
        agency=TEXT(analyzer=folded_analyzer(), stored=True),
        issued=NUMERIC(int, stored=True, sortable=True, default=0),  # 20230912; undated sort last, newest first
        year=NUMERIC(int, stored=True),  # of issue, else from the folder path
        department=TEXT(analyzer=folded_analyzer(), stored=True),  # from the folder path
        parcels=KEYWORD(commas=True, stored=True),
        sheets=KEYWORD(commas=True, stored=True),
        title=TEXT(analyzer=folded_analyzer()),  # a document's first page: its type, number and subject
        mode=ID(),  # the use mode (01, 02, 03): who may find the page (index.search.Filters.modes)
        fields=STORED(),  # every extracted field, for display
    )


NUMERIC_FIELDS = ("page", "issued", "year")
# Whoosh finds the index's newest table of contents by listing the folder, then reads it: a commit in
# between deletes it. Opening is tried again this many times before the index is called unreadable.
OPEN_ATTEMPTS = 5


def whoosh_query(node: lq.Query) -> q.Query:
    """luutru's query tree as Whoosh's."""
    if isinstance(node, lq.Term):
        if node.field in NUMERIC_FIELDS:  # Whoosh keeps numbers encoded; a range of one finds them
            return q.NumericRange(node.field, node.value, node.value, boost=node.boost)
        return q.Term(node.field, node.value, boost=node.boost)
    if isinstance(node, lq.Phrase):
        return q.Phrase(node.field, list(node.words), slop=node.slop + 1, boost=node.boost)  # Whoosh's 1: side by side
    if isinstance(node, lq.Fuzzy):
        fuzzy = q.FuzzyTerm(node.field, node.text, boost=node.boost, maxdist=node.distance, prefixlength=node.prefix)
        # Whoosh counts a swap of neighbouring letters as two edits: the swapped spellings are asked too.
        swaps = [q.Term(node.field, swap, boost=node.boost) for swap in lq.adjacent_swaps(node.text)
                 if swap[:node.prefix] == node.text[:node.prefix]]
        return q.Or([fuzzy, *swaps]) if swaps else fuzzy
    if isinstance(node, lq.Prefix):
        return q.Prefix(node.field, node.text, boost=node.boost)
    if isinstance(node, lq.Wildcard):
        return q.Wildcard(node.field, node.pattern, boost=node.boost)
    if isinstance(node, lq.Range):
        return q.NumericRange(node.field, node.start, node.end, startexcl=not node.include_start,
                              endexcl=not node.include_end)
    if isinstance(node, lq.And):
        return q.And([whoosh_query(clause) for clause in node.clauses])
    if isinstance(node, lq.Or):
        return q.Or([whoosh_query(clause) for clause in node.clauses])
    if isinstance(node, lq.Not):
        return q.Not(whoosh_query(node.clause))
    if isinstance(node, lq.AndMaybe):
        return q.AndMaybe(whoosh_query(node.required), whoosh_query(node.optional))
    if isinstance(node, lq.Everything):
        return q.Every()
    return q.NullQuery


def _page_values(document: PageDocument) -> dict:
    values = stored_fields(document.fields, document.page)
    for name in ("parcels", "sheets"):
        values[name] = ",".join(values[name])
    text = nfc(document.text)
    return dict(values, key=f"{document.file_id}:{document.page}", file_id=str(document.file_id),
                path=document.path, page=document.page, confidence=document.confidence, text=text, folded=text,
                fields=document.fields)


def _unreadable(link: Path, error: Exception) -> IndexUnavailable:
    return IndexUnavailable(f"cannot open the index at {link}: {error}; "
                            "run `luutru reindex --full` to rebuild it from the catalog")


class WhooshStore:
    engine = "whoosh"

    def __init__(self, link: Path) -> None:
        self.link = link
        self._searcher: Searcher | None = None
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                # Our own schema, not the one pickled in the index: unpickling it would import the
                # analyzers by the module path they had when the index was written (`index.analysis`
                # before luutru's packages moved under its name). The schema version file guards changes.
                self.index = whoosh_index.open_dir(str(link), schema=make_schema())
                return
            except FileNotFoundError as error:  # a commit replaced the table of contents as it was read
                if attempt == OPEN_ATTEMPTS:
                    raise _unreadable(link, error) from error
            except Exception as error:  # noqa: BLE001 - a damaged index fails in many ways (OSError, pickle, struct)
                raise _unreadable(link, error) from error

    @staticmethod
    def create(folder: Path, shards: int = 1) -> None:
        if shards != 1:
            raise ValueError("a Whoosh index is one index, never shards")
        whoosh_index.create_in(str(folder), make_schema())

    def pages_per_file(self) -> Counter:
        """A deleted page's terms stay in its segment until the segment is merged, so where there
        are deletions each file's pages are looked at."""
        counts: Counter = Counter()
        with self.index.reader() as reader:
            deletions = reader.has_deletions()
            for term in reader.field_terms("file_id"):
                if not deletions:
                    counts[int(term)] = reader.doc_frequency("file_id", term)
                    continue
                live = sum(not reader.is_deleted(number) for number in reader.postings("file_id", term).all_ids())
                if live:
                    counts[int(term)] = live
        return counts

    def page_count(self) -> int:
        return self.index.doc_count()

    def segment_count(self) -> int:
        with self.index.reader() as reader:
            return len(reader.leaf_readers())

    @staticmethod
    def parts() -> int:
        return 1

    def last_modified(self) -> float:
        return self.index.last_modified()

    def update(self, remove: Iterable[int], add: Iterable[PageDocument], merge: str = "small") -> int:
        writer = self.index.writer(limitmb=128)
        try:
            for file_id in remove:
                writer.delete_by_term("file_id", str(file_id))
            added = 0
            for document in add:
                writer.add_document(**_page_values(document))
                added += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(**MERGES[merge])
        return added

    def _opened(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self.index.searcher()
        return self._searcher

    def refresh(self) -> None:
        if self._searcher is not None:
            self._searcher = self._searcher.refresh()

    def search(self, query: lq.Query, limit: int, restriction: lq.Query | None = None,
               sort_by_date: bool = False) -> tuple[list[StoredPage], int]:
        # By date, Whoosh reports the sort key as the score; undated pages hold 0 and come last.
        results = self._opened().search(whoosh_query(query).normalize(), limit=limit,
                                        filter=whoosh_query(restriction).normalize() if restriction else None,
                                        sortedby="issued" if sort_by_date else None, reverse=sort_by_date)
        pages = [StoredPage(path=hit["path"], page=hit["page"], score=None if sort_by_date else hit.score or 0.0,
                            file_id=int(hit["file_id"]), text=hit["text"], confidence=hit.get("confidence"),
                            fields=hit.get("fields") or {})
                 for hit in results]
        return pages, len(results)

    def matches_any(self, query: lq.Query) -> bool:
        return not self._opened().search(whoosh_query(query).normalize(), limit=1).is_empty()

    def word_frequency(self, word: str, field: str = "folded") -> int:
        return self._opened().reader().doc_frequency(field, word)

    def folded_vocabulary(self) -> list[tuple[str, int]]:
        return [(word.decode("utf-8"), info.doc_frequency())
                for word, info in self._opened().reader().iter_field("folded")]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
