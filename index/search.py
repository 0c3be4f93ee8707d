"""Queries to ranked pages: diacritic-free and exact matching, phrase boost, fuzzy terms, snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight, query as q
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
from whoosh.searching import Searcher

from index.analysis import exact_analyzer, folded_analyzer, nfc
from index.store import IndexStore

MARK_START, MARK_END = "\x02", "\x03"
# Words that match with their diacritics score above words that only match once folded.
FIELD_BOOSTS = {"text": 3.0, "folded": 1.0}
PHRASE_BOOST = 2.0
QUERY_SYNTAX = re.compile(r'[:"~*?()\[\]{}^]|\b(AND|OR|NOT)\b')


class QueryError(Exception):
    """A query that cannot be run; the message says why in one line."""


@dataclass
class Hit:
    path: str
    page: int
    score: float
    file_id: int
    marked_snippet: str = ""  # matched words between MARK_START and MARK_END
    confidence: float | None = None

    @property
    def snippet(self) -> str:
        return self.marked_snippet.replace(MARK_START, "").replace(MARK_END, "")

    def to_json(self) -> dict:
        return {"path": self.path, "page": self.page, "score": round(self.score, 4),
                "snippet": self.snippet, "file_id": self.file_id, "confidence": self.confidence}


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean", when nothing was found

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "suggestion": self.suggestion,
                "hits": [hit.to_json() for hit in self.hits]}


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


def _tokens(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


def build_query(schema, text: str) -> q.Query:
    """Every word must match, as written or folded; the words standing together rank higher."""
    text = nfc(text).strip()
    if not text:
        raise QueryError("the query is empty")
    parser = MultifieldParser(list(FIELD_BOOSTS), schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FuzzyTermPlugin())
    try:
        parsed = parser.parse(text)
    except Exception as error:  # noqa: BLE001 - the parser's errors are many and undocumented
        raise QueryError(f"cannot understand the query {text!r}: {error}") from error
    if parsed is q.NullQuery or not list(parsed.leaves()):
        raise QueryError(f"the query {text!r} has no words to search for")
    if QUERY_SYNTAX.search(text):
        return parsed
    folded, exact = _tokens(folded_analyzer(), text), _tokens(exact_analyzer(), text)
    if len(folded) < 2:
        return parsed
    together = q.Or([q.Phrase("text", exact, slop=1, boost=PHRASE_BOOST * FIELD_BOOSTS["text"]),
                     q.Phrase("folded", folded, slop=1, boost=PHRASE_BOOST)])
    return q.AndMaybe(parsed, together)


def _snippet(text: str, terms: set[str]) -> str:
    return highlight.highlight(text, terms, folded_analyzer(), highlight.ContextFragmenter(maxchars=240, surround=60),
                               _MarkFormatter(), top=2) or text[:200]


def _matched_folded_terms(hit) -> set[str]:
    terms = set()
    for field_name, term in hit.matched_terms():
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        terms.update(_tokens(folded_analyzer(), word) if field_name == "text" else [word])
    return terms


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


def search(link: Path, text: str, limit: int = 10) -> SearchResult:
    store = IndexStore(link)
    query = build_query(store.index.schema, text)
    with store.index.searcher() as searcher:
        results = searcher.search(query, limit=limit, terms=True)
        hits = [Hit(path=hit["path"], page=hit["page"], score=hit.score, file_id=int(hit["file_id"]),
                    marked_snippet=_snippet(hit["text"], _matched_folded_terms(hit)),
                    confidence=hit.get("confidence"))
                for hit in results]
        suggestion = _suggest(searcher, text) if not hits and not QUERY_SYNTAX.search(text) else None
        return SearchResult(query=text, total=len(results), hits=hits, suggestion=suggestion)
