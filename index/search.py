"""Queries to ranked pages: diacritic-free and exact matching, phrase boost, fuzzy terms, snippets.

Engine-independent: the query language is read by Whoosh's parser against the page schema and
turned at once into luutru's own query tree (index.query), which whichever engine holds the index
(index.store) runs. Re-ranking, near spellings, suggestions,
snippets and grouping per document are done here, the same for both engines.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import highlight
from whoosh import query as q
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from luutru.errors import UsageError
from luutru.i18n import N_
from luutru.index.analysis import folded_analyzer
from luutru.index.doctypes import TYPE_LINES, type_of_abbreviation
from luutru.index.query import (
    And,
    AndMaybe,
    Everything,
    Fuzzy,
    Leaf,
    Not,
    Nothing,
    Or,
    Phrase,
    Prefix,
    Query,
    Range,
    Term,
    Wildcard,
    positive_leaves,
    simplified,
    typed_date,
)
from luutru.index.store import PUBLIC, IndexStore, StoredPage, open_store
from luutru.index.whoosh_store import make_schema
from luutru.index.words import exact_words, fold, fold_spelling, folded_words, is_syllable, nfc, symbol_words

MARK_START, MARK_END = "\x02", "\x03"
# Words that match with their diacritics score above words that only match once folded;
# a whole document number (123/QĐ-UBND) typed as a word outranks both.
FIELD_BOOSTS = {"text": 3.0, "folded": 1.0, "number": 10.0}
# A query that names a kind of document ("giấy chứng nhận", "biên bản") ranks documents of that kind
# before those that only mention it.
TYPE_BOOST = 5.0
# Field syntax a clerk can type inside the query: so:123/QĐ-UBND thua:245 to:12 nam:2023
FIELD_ALIASES = {"number": ["so"], "doc_type": ["loai"], "agency": ["coquan"], "year": ["nam"],
                 "parcels": ["thua"], "sheets": ["to"], "department": ["donvi"], "path": ["duongdan"]}
# Page hits fetched per document wanted, so that grouping still fills the page of results.
PAGES_PER_DOCUMENT = 5
# Best pages listed under each document.
PAGES_SHOWN = 3
# Pages are found and ranked by their words; the best of them are then re-ranked so that those
# where the words stand together come first (checking that in Whoosh costs a phrase match on every
# page that has the words: 2-3 times the whole query on 50,000 pages).
RERANK_POOL = 50
# An exact word that this share or more of the pages holding it once folded hold as written tells them apart
# hardly at all, and its bonus costs as much as the folded word: on 2,000,000 generated land records the phrase
# "giấy chứng nhận quyền sử dụng đất" (exact shares 0.87-1.0) took 99.5 ms at the 95th percentile, most of it these
# bonuses. It is left out of a search of several words, whose words standing together as written still rank first
# (the re-rank); a single word keeps its bonus ("đất" before "đạt" however common).
EXACT_BONUS_MAX_SHARE = 0.9
# When no page has the words as typed, words of this many letters or more are matched again with
# one letter misread, as OCR misreads them (`T1r` for `TTr`); shorter words and numbers stay exact.
NEAR_SPELLING_MIN_LETTERS = 3
QUERY_SYNTAX = re.compile(r'[:"~*?()\[\]{}^]|\b(AND|OR|NOT)\b')
# The words of the query language that are no words of a document: field names before ":", and operators.
SYNTAX_WORDS = re.compile(r"\b\w+:|\b(?:AND|OR|NOT)\b")
# The fields queries are read against, whichever engine runs them.
QUERY_SCHEMA = make_schema()
# Fields whose words are the page's own: highlighted in its snippet. Numbers and keywords are not.
BODY_FIELDS = ("text", "folded")


class QueryError(UsageError):
    """A query that cannot be run; the message says why in one line."""


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 4)


@dataclass(frozen=True)
class Highlights:
    """The words of a query to mark in a page's snippet, folded: its words, and its loose words
    (fuzzy, prefix, wildcard) that match whichever page words are near or fit them."""

    words: frozenset[str] = frozenset()
    loose: tuple[Leaf, ...] = ()
    toned: frozenset[str] = frozenset()  # the query's words typed with their marks (exact_words): only these match

    def marks(self, word: str, hits: frozenset[str]) -> bool:
        """Whether a page's word is marked, of the page's `hits` (in_page): a query word typed with its marks
        marks only that word ("mồ mả" marks "mồ", not "mở"); one typed without marks, every spelling of it."""
        folded = set(folded_words(word))
        if not folded & hits:
            return False
        return not folded <= self._toned_folded or bool(set(exact_words(word)) & self.toned)

    @functools.cached_property
    def _toned_folded(self) -> frozenset[str]:
        return frozenset(fold_spelling(toned) for toned in self.toned)

    @classmethod
    def of(cls, query: Query) -> Highlights:
        words, loose = set(), []
        for leaf in positive_leaves(query):
            if leaf.field not in BODY_FIELDS:
                continue
            if isinstance(leaf, (Fuzzy, Prefix, Wildcard)):
                loose.append(leaf)
            elif isinstance(leaf, Phrase):
                words.update(fold_spelling(word) for word in leaf.words)
            elif isinstance(leaf, Term):
                words.add(fold_spelling(str(leaf.value)))
        return cls(frozenset(words), tuple(loose))

    def in_page(self, text: str) -> frozenset[str]:
        if not self.loose:
            return self.words
        return self.words | {word for word in set(folded_words(text)) if any(_fits(leaf, word) for leaf in self.loose)}


def _fits(leaf: Fuzzy | Prefix | Wildcard, word: str) -> bool:
    if isinstance(leaf, Fuzzy):
        return (word[:leaf.prefix] == leaf.text[:leaf.prefix]
                and OSA.distance(word, leaf.text, score_cutoff=leaf.distance) <= leaf.distance)
    if isinstance(leaf, Prefix):
        return word.startswith(fold(leaf.text))
    return fnmatch.fnmatchcase(word, fold(leaf.pattern))


@dataclass
class Hit(StoredPage):
    highlights: Highlights = field(default=Highlights(), repr=False)

    @classmethod
    def of(cls, page: StoredPage, highlights: Highlights) -> Hit:
        return cls(**vars(page), highlights=highlights)

    @functools.cached_property
    def marked_snippet(self) -> str:
        """The best passages, matched words between MARK_START and MARK_END; made only when shown."""
        return _snippet(self.text, self.highlights.in_page(self.text))

    @property
    def snippet(self) -> str:
        return self.marked_snippet.replace(MARK_START, "").replace(MARK_END, "")

    def to_json(self) -> dict:
        return {"path": self.path, "page": self.page, "score": _rounded(self.score),
                "snippet": self.snippet, "file_id": self.file_id, "confidence": self.confidence, **self.fields}


@dataclass
class DocumentHit:
    """One document (a run of pages of a file) with its best-matching pages, best first."""

    path: str
    file_id: int
    score: float | None
    fields: dict  # the document's, with its first_page and last_page
    pages: list[Hit]

    @property
    def first_page(self) -> int:
        return self.fields.get("first_page", 1)

    @property
    def last_page(self) -> int | None:
        return self.fields.get("last_page")

    def to_json(self) -> dict:
        return {"path": self.path, "file_id": self.file_id, "score": _rounded(self.score), **self.fields,
                "first_page": self.first_page, "last_page": self.last_page, "type": self.fields.get("doc_type"),
                "number": self.fields.get("number"), "issued": self.fields.get("issued"),
                "dossier": self.fields.get("dossier"),
                "pages": [{"page": hit.page, "score": _rounded(hit.score), "snippet": hit.snippet}
                          for hit in self.pages]}


@dataclass
class Filters:
    """Restrictions on document fields; every one given must hold."""

    doc_type: str | None = None
    agency: str | None = None
    number: str | None = None
    issued_from: str | None = None  # ISO date, inclusive
    issued_to: str | None = None
    year: int | None = None
    parcel: str | None = None
    sheet: str | None = None
    department: str | None = None
    path_prefixes: tuple[str, ...] = ()  # files at or under any of these paths
    files: tuple[str, ...] | None = None  # only these files (a dossier's scans); () matches nothing
    # The use modes the searcher may read (a counter clerk: 01); None: every page. Unlike the filters above it
    # bounds what the search knows of the archive: near spellings and suggestions come from these pages alone.
    modes: tuple[str, ...] | None = None
    # Use modes the searcher may not read but may know of (config.toml's listed_by_title): their documents
    # are listed by their title alone, found by its words and never by their pages' (SearchResult.withheld).
    listed: tuple[str, ...] = ()

    def scope(self) -> Query | None:
        """The pages the searcher may read at all, or None for every page."""
        if self.modes is None:
            return None
        return Or(tuple(Term("mode", mode) for mode in self.modes)) if self.modes else Nothing()

    def query(self) -> Query | None:
        parts = tuple(part for part in self._parts() if part is not None)
        return simplified(And(parts)) if parts else None

    def words(self) -> tuple[str, ...]:
        """Folded words the pages themselves may hold for these filters (the parcel's, sheet's and
        document number's): with a filter alone, pages that hold them come first, the words marked."""
        values = (self.parcel, self.sheet, (self.number or "").split("/")[0])
        return tuple(word for value in values if value for word in folded_words(value))

    def _parts(self):
        typed_type = type_of_abbreviation(self.doc_type) if self.doc_type else None
        yield _words_query("doc_type", typed_type or self.doc_type)
        yield _words_query("agency", self.agency)
        yield _words_query("department", self.department)
        yield _number_query(self.number)
        if self.issued_from or self.issued_to:
            yield Range("issued", _day(self.issued_from), _day(self.issued_to))
        if self.year:
            yield Term("year", self.year)
        if self.parcel:
            yield Term("parcels", self.parcel.strip())
        if self.sheet:
            yield Term("sheets", self.sheet.strip())
        if self.path_prefixes:
            yield Or(tuple(Prefix("path", prefix) for prefix in self.path_prefixes))
        if self.files is not None:
            yield Or(tuple(Term("path", path) for path in self.files)) if self.files else Nothing()
        yield self.scope()


def _known(store: IndexStore, word: str, scope: Query | None) -> bool:
    """Whether a page the searcher may read holds this folded word (index-wide counts would tell of the others)."""
    return bool(store.word_frequency(word)) if scope is None else store.matches_any(And((Term("folded", word), scope)))


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean", when nothing was found
    documents: list[DocumentHit] = field(default_factory=list)
    near_spellings: bool = False  # nothing matched as typed; these pages match with a letter misread
    withheld: list[Withheld] = field(default_factory=list)  # of Filters.listed, by title: "cần được phép"

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "suggestion": self.suggestion,
                "near_spellings": self.near_spellings,
                "hits": [hit.to_json() for hit in self.hits],
                "documents": [document.to_json() for document in self.documents],
                "withheld": [asdict(document) for document in self.withheld]}


@dataclass(frozen=True)
class Withheld:
    """A document the searcher may not read, as its title tells of it: what a reading room's catalogue shows."""

    file_id: int
    first_page: int
    mode: str
    doc_type: str | None
    number: str | None
    issued: str | None
    agency: str | None
    subject: str | None

    @classmethod
    def of(cls, page: StoredPage) -> Withheld:
        fields = page.fields
        return cls(page.file_id, fields.get("first_page", 1), fields.get("mode") or PUBLIC,
                   *(fields.get(name) for name in ("doc_type", "number", "issued", "agency", "subject")))


def withheld_documents(store: IndexStore, text: str, filters: Filters, limit: int) -> list[Withheld]:
    """Documents of the modes `filters` lists by title whose title holds every word typed and that pass the
    filters; none when neither words nor filters are given."""
    words = folded_words(SYNTAX_WORDS.sub(" ", text))  # so:45/UBND-TNMT asks the title for 45/UBND-TNMT
    if not filters.listed or not (words or replace(filters, modes=None).query() is not None):
        return []
    titled = simplified(And(tuple(Term("title", word) for word in words))) if words else Everything()
    pages, _ = store.search(titled, limit * PAGES_PER_DOCUMENT, replace(filters, modes=filters.listed).query())
    documents: dict[tuple[int, int], StoredPage] = {}
    for page in pages:  # best first: a document's best page stands for it
        documents.setdefault((page.file_id, page.fields.get("first_page", 1)), page)
    return [Withheld.of(page) for page in documents.values()][:limit]


def _words_query(field_name: str, text: str | None, words_of=folded_words) -> Query | None:
    """The field's words in order, analysed as the index analysed them; None when there are none."""
    words = words_of(text or "")
    if len(words) > 1:
        return Phrase(field_name, tuple(words))
    return Term(field_name, words[0]) if words else None


def _number_query(number: str | None) -> Query | None:
    """A whole number and symbol (123/QĐ-UBND) as one word; a number alone (123) or with only the
    type (123/QĐ) matches every document so numbered. Extraction stores numbers without spaces."""
    compact = re.sub(r"\s+", "", number or "")
    if not compact:
        return None
    if "-" in compact:
        return _words_query("number", compact, symbol_words)
    start = symbol_words(compact)[0]
    return Prefix("number", start + "/" if "/" not in start else start)


def _day(typed: str | None) -> int | None:
    """A day as YYYY-MM-DD, or as clerks write it, DD/MM/YYYY."""
    if not typed:
        return None
    try:
        return int(typed_date(typed).strftime("%Y%m%d"))
    except ValueError as error:
        raise QueryError(N_("{typed!r} is not a date; write it as DD/MM/YYYY or YYYY-MM-DD"), typed=typed) from error


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def _leaf_from_parsed(node: q.Query) -> Query:
    """One of the parser's leaves as luutru's. OCR-tolerant terms are matched once, on the folded
    words (over the exact words and the numbers too they find nothing more and cost time); a quoted
    phrase in a field without word positions (the document number) is matched as its words."""
    boost = getattr(node, "boost", 1.0)
    if isinstance(node, q.FuzzyTerm):
        if node.fieldname != "folded":
            return Nothing()
        return Fuzzy(node.fieldname, node.text, node.maxdist, node.prefixlength, boost)
    if isinstance(node, q.Prefix):
        return Prefix(node.fieldname, node.text, boost)
    if isinstance(node, q.Wildcard):
        return Wildcard(node.fieldname, node.text, boost)
    if isinstance(node, q.Phrase):
        if node.fieldname not in BODY_FIELDS:
            return And(tuple(Term(node.fieldname, word, boost) for word in node.words))
        return Phrase(node.fieldname, tuple(node.words), max(0, node.slop - 1), boost)  # Whoosh's 1 is side by side
    if isinstance(node, q.NumericRange):
        return Range(node.fieldname, node.start, node.end, not node.startexcl, not node.endexcl)
    if isinstance(node, q.Term):
        value = node.text
        if isinstance(value, bytes):  # the parser encodes the numbers typed for numeric fields (nam:2023)
            value = QUERY_SCHEMA[node.fieldname].from_bytes(value)
        return Term(node.fieldname, value, boost)
    raise QueryError(N_("a {kind} query cannot be run (ranges are for years and dates only)"),
                     kind=type(node).__name__)


def _from_parsed(node: q.Query) -> Query:
    """The parser's query tree as luutru's own."""
    if isinstance(node, q.AndMaybe):
        return AndMaybe(_from_parsed(node.a), _from_parsed(node.b))
    if isinstance(node, q.AndNot):
        return And((_from_parsed(node.a), Not(_from_parsed(node.b))))
    if isinstance(node, q.Not):
        return Not(_from_parsed(node.query))
    if isinstance(node, (q.And, q.Require)):
        return And(tuple(_from_parsed(child) for child in node.children()))
    if isinstance(node, q.Or):
        return Or(tuple(_from_parsed(child) for child in node.children()))
    if isinstance(node, q.Every):
        return Everything()
    if node is q.NullQuery or isinstance(node, type(q.NullQuery)):
        return Nothing()
    return _leaf_from_parsed(node)


@dataclass(frozen=True)
class Together:
    """The query's words in order, folded and as written, to find them side by side on a page."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]

    def strength(self, text: str) -> int:
        """0: the words are scattered; 1: together once folded; 2: together as written, too."""
        if not _has_run(folded_words(text), self.folded):
            return 0
        return 1 + _has_run(exact_words(text), self.exact)


def _has_run(words: list[str], run: tuple[str, ...]) -> bool:
    """Whether `run` stands in `words` side by side (words never hold a space: one string search)."""
    return f" {' '.join(run)} " in f" {' '.join(words)} "


def _types_named(folded: list[str]) -> list[tuple[str, ...]]:
    """The kinds of document the query's words name, as runs of folded words."""
    named = [tuple(key.split()) for key in TYPE_LINES if _has_run(folded, tuple(key.split()))]
    return [words for words in named if not any(words != other and _has_run(list(other), words) for other in named)]


def _tells_apart(store: IndexStore | None, word: str) -> bool:
    """Whether the pages that have `word` as written are few enough among those that have it folded for its bonus
    to be worth its cost (EXACT_BONUS_MAX_SHARE); always, without an index to ask."""
    return store is None or \
        store.word_frequency(word, "text") < EXACT_BONUS_MAX_SHARE * store.word_frequency(fold_spelling(word))


def _plain_words_query(text: str, folded: list[str], exact: list[str], store: IndexStore | None) -> Query:
    """Every word must match once folded; words that match as written and whole document numbers
    only add to the score, so they are checked on the matching pages alone."""
    typed = list(dict.fromkeys(exact))
    bonuses = [Term("text", word, FIELD_BOOSTS["text"]) for word in typed
               if len(typed) < 2 or _tells_apart(store, word)]
    bonuses += [Term("number", symbol, FIELD_BOOSTS["number"]) for symbol in symbol_words(text) if "/" in symbol]
    bonuses += [Phrase("doc_type", words, boost=TYPE_BOOST) for words in _types_named(folded)]
    required = simplified(And(tuple(Term("folded", word, FIELD_BOOSTS["folded"]) for word in folded)))
    return AndMaybe(required, simplified(Or(tuple(bonuses)))) if bonuses else required


class Vocabulary:
    """The index's folded words, read once and only when needed, to find the words near a misread one.
    Reading them walks the whole term dictionary (a second at a million pages of real OCR text), so
    only a search that found nothing at all does it."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store

    @functools.cached_property
    def _words(self) -> tuple[list[str], list[int]]:
        vocabulary = self.store.folded_vocabulary()
        return [word for word, _ in vocabulary], [pages for _, pages in vocabulary]

    def near(self, word: str, distance: int) -> list[str]:
        """Indexed words within `distance` edits of `word` (a swap of neighbouring letters is one): the
        closest first, and among those real Vietnamese syllables on more than one page before one-off
        OCR junk, then the most frequent."""
        words, pages = self._words
        found = process.extract(word, words, scorer=OSA.distance, score_cutoff=distance, limit=None)

        def rank(item) -> tuple:
            _, edits, index = item
            return edits, not is_syllable(words[index]), pages[index] < 2, -pages[index]
        return [words[index] for _, _, index in sorted(found, key=rank)]


def near_spellings_query(store: IndexStore, text: str, scope: Query | None = None) -> Query | None:
    """The plain words again, long words as typed or with one letter misread; None when no word is
    long enough, or the query has syntax of its own."""
    # A long word that no page has is where the misreading must be, and only such words are widened; when every
    # word is on some page (but none has them all: `88/TTr-TNMT` where the page says `T1r`), every long word is.
    # The word as typed is kept beside its near spellings so that it still scores as a word (Tantivy scores a
    # fuzzy term flatly).
    if QUERY_SYNTAX.search(nfc(text)):
        return None
    folded = folded_words(text)
    long_words = {word for word in folded if len(word) >= NEAR_SPELLING_MIN_LETTERS and word.isalpha()}
    if not long_words:
        return None
    widened = {word for word in long_words if not _known(store, word, scope)} or long_words
    return simplified(And(tuple(Or((Term("folded", word), Fuzzy("folded", word, distance=1)))
                                if word in widened else Term("folded", word) for word in folded)))


def _parsed_query(text: str) -> Query:
    """A query with field syntax, quotes, fuzzy terms or operators, read by Whoosh's parser."""
    parser = MultifieldParser(list(FIELD_BOOSTS), QUERY_SCHEMA, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    try:
        parsed = parser.parse(text)
    except Exception as error:  # noqa: BLE001 - the parser's errors are many and undocumented
        raise QueryError(N_("cannot understand the query {text!r}: {error}"), text=text, error=error) from error
    return simplified(_from_parsed(parsed.normalize()))


def build_query(text: str, store: IndexStore | None = None) -> tuple[Query, Together | None]:
    """The query, and for plain words the run of words whose pages rank first when they stand together; `store`,
    the index it will run on, leaves out the bonuses that would tell its pages apart too little."""
    text = nfc(text).strip()
    if not text:
        raise QueryError(N_("the query is empty"))
    if QUERY_SYNTAX.search(text):
        query, together = _parsed_query(text), None
    else:
        folded, exact = folded_words(text), exact_words(text)
        query = _plain_words_query(text, folded, exact, store) if folded else None
        together = Together(tuple(folded), tuple(exact)) if len(folded) > 1 else None
    if query is None or not list(positive_leaves(query)):
        raise QueryError(N_("the query {text!r} has no words to search for"), text=text)
    return query, together


def _rerank(hits: list[Hit], together: Together) -> list[Hit]:
    """Words together as written first, then together once folded, then scattered; by score within each."""
    top = max((hit.score or 0.0 for hit in hits), default=0.0)
    for hit in hits:
        hit.score = (hit.score or 0.0) + top * together.strength(hit.text)
    return sorted(hits, key=lambda hit: hit.score, reverse=True)


def _snippet(text: str, terms: set[str]) -> str:
    return highlight.highlight(text, terms, folded_analyzer(), highlight.ContextFragmenter(maxchars=240, surround=60),
                               _MarkFormatter(), top=2) or text[:200]


def _closest_word(store: IndexStore, vocabulary: Vocabulary, word: str, scope: Query | None) -> str:
    """The indexed word nearest to `word` on a page the searcher may read, the most frequent of those as near."""
    if _known(store, word, scope):
        return word
    return next((near for near in vocabulary.near(word, 2) if _known(store, near, scope)), word)


def _suggest(store: IndexStore, text: str, scope: Query | None = None) -> str | None:
    words, vocabulary = folded_words(text), Vocabulary(store)
    corrected = [_closest_word(store, vocabulary, word, scope) for word in words]
    return " ".join(corrected) if corrected != words else None


def _group(hits: list[Hit], limit: int) -> list[DocumentHit]:
    """The hits per document: a file's pages of one document together, a scanned dossier's documents apart."""
    documents: dict[tuple[int, int], DocumentHit] = {}
    for hit in hits:
        key = (hit.file_id, hit.fields.get("first_page", 1))
        if key not in documents:
            if len(documents) == limit:
                continue
            documents[key] = DocumentHit(hit.path, hit.file_id, hit.score, hit.fields, [])
        if len(documents[key].pages) < PAGES_SHOWN:
            documents[key].pages.append(hit)
    return list(documents.values())


def _ranked_hits(store: IndexStore, query: Query, together: Together | None, wanted: int,
                 restriction: Query | None, sort_by_date: bool) -> tuple[list[Hit], int]:
    """The best `wanted` pages and how many match in all."""
    pages, total = store.search(query, max(wanted, RERANK_POOL) if together else wanted, restriction, sort_by_date)
    highlights = Highlights.of(query)
    hits = [Hit.of(page, highlights) for page in pages]
    return (_rerank(hits, together)[:wanted] if together else hits), total


def search(link: Path, text: str, limit: int = 10, filters: Filters | None = None,
           sort_by_date: bool = False) -> SearchResult:
    """Search the index at `link` once (the command line); a long-lived reader keeps its store open
    and calls `search_store`."""
    store = open_store(link)
    try:
        return search_store(store, text, limit, filters, sort_by_date)
    finally:
        store.close()


def _filter_only_query(filters: Filters) -> Query:
    """Every page the filters let through; those that hold the filters' own words (the parcel's number)
    come first, with the words marked."""
    words = filters.words()
    return AndMaybe(Everything(), simplified(Or(tuple(Term("folded", word) for word in words)))) if words \
        else Everything()


def document_highlights(store: IndexStore, text: str, filters: Filters | None, page_texts: list[str]) -> Highlights:
    """The words a search marks on a document's pages: those of the query, else (when the pages hold
    none of them) those of its near spellings, else the filter's own words (a parcel's number)."""
    filters = filters or Filters()
    if not text.strip():
        return Highlights.of(_filter_only_query(filters)) if filters.query() is not None else Highlights()
    toned = frozenset(word for word in exact_words(text) if fold(word) != word)
    marked = replace(Highlights.of(build_query(text)[0]), toned=toned)
    if any(marked.in_page(page) & set(folded_words(page)) for page in page_texts):
        return marked
    near = near_spellings_query(store, text, filters.scope())
    return Highlights.of(near) if near is not None else marked


def search_store(store: IndexStore, text: str, limit: int = 10, filters: Filters | None = None,
                 sort_by_date: bool = False) -> SearchResult:
    """Pages ranked by relevance (or newest document first), and the same grouped per document.
    When no page has the words as typed, pages that have them with one letter misread."""
    filters = filters or Filters()
    restriction, scope = filters.query(), filters.scope()
    if not text.strip() and replace(filters, modes=None).query() is not None:  # a filter alone is a search
        query, together = _filter_only_query(filters), None
    else:
        query, together = build_query(text, store)
    together = None if sort_by_date else together
    wanted = limit * PAGES_PER_DOCUMENT
    try:
        hits, total = _ranked_hits(store, query, together, wanted, restriction, sort_by_date)
        # Nothing found because of the filters is not a spelling matter, and loose words are costly.
        filtered_out = not hits and restriction is not None and \
            store.matches_any(query if scope is None else And((query, scope)))
        near = near_spellings_query(store, text, scope) if not hits and not filtered_out else None
        if near is not None:
            hits, total = _ranked_hits(store, near, together, wanted, restriction, sort_by_date)
        suggestion = _suggest(store, text, scope) if not hits and not QUERY_SYNTAX.search(text) else None
        withheld = withheld_documents(store, text, filters, limit)
    except (ValueError, q.QueryError) as error:  # a query the engine cannot run (a bad regex)
        raise QueryError(N_("cannot run the query {text!r}: {error}"), text=text, error=error) from error
    return SearchResult(query=text, total=total, hits=hits[:limit], suggestion=suggestion,
                        documents=_group(hits, limit), near_spellings=bool(near is not None and hits),
                        withheld=withheld)
