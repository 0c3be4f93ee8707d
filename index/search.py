"""Queries to ranked pages: diacritic-free and exact matching, phrase boost, fuzzy terms, snippets."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from whoosh import highlight, query as q
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser
from whoosh.searching import Searcher

from index.analysis import exact_analyzer, folded_analyzer, nfc, symbol_analyzer
from index.store import IndexStore

MARK_START, MARK_END = "\x02", "\x03"
# Words that match with their diacritics score above words that only match once folded;
# a whole document number (123/QĐ-UBND) typed as a word outranks both.
FIELD_BOOSTS = {"text": 3.0, "folded": 1.0, "number": 10.0}
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
# When no page has the words as typed, words of this many letters or more are matched again with
# one letter misread, as OCR misreads them (`T1r` for `TTr`); shorter words and numbers stay exact.
NEAR_SPELLING_MIN_LETTERS = 3
QUERY_SYNTAX = re.compile(r'[:"~*?()\[\]{}^]|\b(AND|OR|NOT)\b')


class QueryError(Exception):
    """A query that cannot be run; the message says why in one line."""


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 4)


@dataclass
class Hit:
    path: str
    page: int
    score: float | None  # None when sorted by date
    file_id: int
    text: str = field(default="", repr=False)
    matched: frozenset[str] = frozenset()  # folded terms that matched, for the snippet
    confidence: float | None = None
    fields: dict = field(default_factory=dict)

    @functools.cached_property
    def marked_snippet(self) -> str:
        """The best passages, matched words between MARK_START and MARK_END; made only when shown."""
        return _snippet(self.text, self.matched)

    @property
    def snippet(self) -> str:
        return self.marked_snippet.replace(MARK_START, "").replace(MARK_END, "")

    def to_json(self) -> dict:
        return {"path": self.path, "page": self.page, "score": _rounded(self.score),
                "snippet": self.snippet, "file_id": self.file_id, "confidence": self.confidence, **self.fields}


@dataclass
class DocumentHit:
    """One document with its best-matching pages, best first."""

    path: str
    file_id: int
    score: float | None
    fields: dict
    pages: list[Hit]

    def to_json(self) -> dict:
        return {"path": self.path, "file_id": self.file_id, "score": _rounded(self.score), **self.fields,
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
    path_prefix: str | None = None

    def query(self) -> q.Query | None:
        parts = [part for part in self._parts() if part is not None]
        return q.And(parts) if parts else None

    def _parts(self):
        yield _words_query("doc_type", self.doc_type)
        yield _words_query("agency", self.agency)
        yield _words_query("department", self.department)
        # Extraction stores numbers without spaces ("123 / QĐ-UBND" read by OCR is 123/QĐ-UBND).
        yield _words_query("number", re.sub(r"\s+", "", self.number or ""), symbol_analyzer())
        if self.issued_from or self.issued_to:
            yield q.NumericRange("issued", _day(self.issued_from), _day(self.issued_to))
        if self.year:
            yield q.Term("year", self.year)
        if self.parcel:
            yield q.Term("parcels", self.parcel.strip())
        if self.sheet:
            yield q.Term("sheets", self.sheet.strip())
        if self.path_prefix:
            yield q.Prefix("path", self.path_prefix)


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean", when nothing was found
    documents: list[DocumentHit] = field(default_factory=list)
    near_spellings: bool = False  # nothing matched as typed; these pages match with a letter misread

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "suggestion": self.suggestion,
                "near_spellings": self.near_spellings,
                "hits": [hit.to_json() for hit in self.hits],
                "documents": [document.to_json() for document in self.documents]}


def _words_query(field_name: str, text: str | None, analyzer=None) -> q.Query | None:
    """The field's words in order, analysed as the index analysed them; None when there are none."""
    words = _tokens(analyzer or folded_analyzer(), text or "")
    if len(words) > 1:
        return q.Phrase(field_name, words)
    return q.Term(field_name, words[0]) if words else None


def _day(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        return int(date.fromisoformat(iso.strip()).strftime("%Y%m%d"))
    except ValueError as error:
        raise QueryError(f"{iso!r} is not a date; write it as YYYY-MM-DD") from error


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def _tokens(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


def _fuzzy_on_folded_only(node: q.Query) -> q.Query:
    """OCR-tolerant terms are matched once, on the folded words: expanding them over the exact
    words and the numbers as well finds nothing more and costs time on every fuzzy query."""
    if isinstance(node, q.FuzzyTerm) and node.fieldname != "folded":
        return q.NullQuery
    return node


@dataclass(frozen=True)
class Together:
    """The query's words in order, folded and as written, to find them side by side on a page."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]

    def strength(self, text: str) -> int:
        """0: the words are scattered; 1: together once folded; 2: together as written, too."""
        if not _has_run(_tokens(folded_analyzer(), text), self.folded):
            return 0
        return 1 + _has_run(_tokens(exact_analyzer(), text), self.exact)


def _has_run(words: list[str], run: tuple[str, ...]) -> bool:
    size = len(run)
    return any(word == run[0] and tuple(words[start:start + size]) == run for start, word in enumerate(words))


def _plain_words_query(text: str, folded: list[str], exact: list[str]) -> q.Query:
    """Every word must match once folded; words that match as written and whole document numbers
    only add to the score, so they are checked on the matching pages alone."""
    bonuses = [q.Term("text", word, boost=FIELD_BOOSTS["text"]) for word in dict.fromkeys(exact)]
    bonuses += [q.Term("number", symbol, boost=FIELD_BOOSTS["number"]) for symbol in _tokens(symbol_analyzer(), text)
                if "/" in symbol]
    required = q.And([q.Term("folded", word, boost=FIELD_BOOSTS["folded"]) for word in folded])
    return q.AndMaybe(required, q.Or(bonuses)) if bonuses else required


def near_spellings_query(text: str) -> q.Query | None:
    """The plain words again, each long word allowed one misread letter; None when no word is long
    enough, or the query has syntax of its own."""
    if QUERY_SYNTAX.search(nfc(text)):
        return None
    folded = _tokens(folded_analyzer(), nfc(text))
    loose = [len(word) >= NEAR_SPELLING_MIN_LETTERS and word.isalpha() for word in folded]
    if not any(loose):
        return None
    return q.And([q.FuzzyTerm("folded", word, maxdist=1, prefixlength=0) if fuzzy else q.Term("folded", word)
                  for word, fuzzy in zip(folded, loose)])


def _parsed_query(schema, text: str) -> q.Query:
    """A query with field syntax, quotes, fuzzy terms or operators, read by Whoosh's parser."""
    parser = MultifieldParser(list(FIELD_BOOSTS), schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    try:
        parsed = parser.parse(text)
    except Exception as error:  # noqa: BLE001 - the parser's errors are many and undocumented
        raise QueryError(f"cannot understand the query {text!r}: {error}") from error
    return parsed.accept(_fuzzy_on_folded_only).normalize()


def build_query(schema, text: str) -> tuple[q.Query, Together | None]:
    """The query, and for plain words the run of words whose pages rank first when they stand together."""
    text = nfc(text).strip()
    if not text:
        raise QueryError("the query is empty")
    if QUERY_SYNTAX.search(text):
        query, together = _parsed_query(schema, text), None
    else:
        folded, exact = _tokens(folded_analyzer(), text), _tokens(exact_analyzer(), text)
        query = _plain_words_query(text, folded, exact) if folded else None
        together = Together(tuple(folded), tuple(exact)) if len(folded) > 1 else None
    if query is None or query is q.NullQuery or not list(query.leaves()):
        raise QueryError(f"the query {text!r} has no words to search for")
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


def _matched_folded_terms(hit) -> frozenset[str]:
    terms = set()
    for field_name, term in hit.matched_terms():
        if field_name not in ("text", "folded"):
            continue  # numbers and keywords are not highlighted in the body text
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        terms.update(_tokens(folded_analyzer(), word) if field_name == "text" else [word])
    return frozenset(terms)


def _closest_term(searcher: Searcher, word: str) -> str:
    """The most frequent indexed term nearest to `word` (Whoosh ranks by frequency alone)."""
    if searcher.reader().frequency("folded", word):
        return word
    for distance in (1, 2):
        suggestions = searcher.suggest("folded", word, limit=1, maxdist=distance)
        if suggestions:
            return suggestions[0]
    return word


def _suggest(searcher: Searcher, text: str) -> str | None:
    words = _tokens(folded_analyzer(), text)
    corrected = [_closest_term(searcher, word) for word in words]
    return " ".join(corrected) if corrected != words else None


def _group(hits: list[Hit], limit: int) -> list[DocumentHit]:
    documents: dict[int, DocumentHit] = {}
    for hit in hits:
        if hit.file_id not in documents:
            if len(documents) == limit:
                continue
            documents[hit.file_id] = DocumentHit(hit.path, hit.file_id, hit.score, hit.fields, [])
        if len(documents[hit.file_id].pages) < PAGES_SHOWN:
            documents[hit.file_id].pages.append(hit)
    return list(documents.values())


def _ranked_hits(searcher: Searcher, query: q.Query, together: Together | None, wanted: int,
                 restriction: q.Query | None, sort_by_date: bool) -> tuple[list[Hit], int]:
    """The best `wanted` pages and how many match in all."""
    # By date, Whoosh reports the sort key as the score; undated pages hold 0 and come last.
    results = searcher.search(query, limit=max(wanted, RERANK_POOL) if together else wanted, terms=True,
                              filter=restriction, sortedby="issued" if sort_by_date else None,
                              reverse=sort_by_date)
    hits = [Hit(path=hit["path"], page=hit["page"], score=None if sort_by_date else hit.score or 0.0,
                file_id=int(hit["file_id"]), text=hit["text"], matched=_matched_folded_terms(hit),
                confidence=hit.get("confidence"), fields=hit.get("fields") or {})
            for hit in results]
    return (_rerank(hits, together)[:wanted] if together else hits), len(results)


def search(link: Path, text: str, limit: int = 10, filters: Filters | None = None,
           sort_by_date: bool = False) -> SearchResult:
    """Pages ranked by relevance (or newest document first), and the same grouped per document.
    When no page has the words as typed, pages that have them with one letter misread."""
    store = IndexStore(link)
    query, together = build_query(store.index.schema, text)
    together = None if sort_by_date else together
    restriction = (filters or Filters()).query()
    wanted = limit * PAGES_PER_DOCUMENT
    with store.index.searcher() as searcher:
        hits, total = _ranked_hits(searcher, query, together, wanted, restriction, sort_by_date)
        # Nothing found because of the filters is not a spelling matter, and loose words are costly.
        filtered_out = not hits and restriction is not None and not searcher.search(query, limit=1).is_empty()
        near = near_spellings_query(text) if not hits and not filtered_out else None
        if near is not None:
            hits, total = _ranked_hits(searcher, near, together, wanted, restriction, sort_by_date)
        suggestion = _suggest(searcher, text) if not hits and not QUERY_SYNTAX.search(text) else None
        return SearchResult(query=text, total=total, hits=hits[:limit], suggestion=suggestion,
                            documents=_group(hits, limit), near_spellings=bool(near is not None and hits))
