"""luutru's own query tree: what a search asks for, in a few plain nodes that each engine translates.

The query language is read by Whoosh's parser (index.search) and turned into these nodes at once;
the stores never see a parser's classes, so another engine is one translation away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Term:
    field: str
    value: str | int
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in this order, at most `slop` other words between each two (0: side by side)."""

    field: str
    words: tuple[str, ...]
    slop: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    """A word within `distance` edits, its first `prefix` letters as written (OCR-tolerant matching).
    Two neighbouring letters swapped (a typing slip: "chugn") count as one edit."""

    field: str
    text: str
    distance: int = 1
    prefix: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    field: str
    text: str  # taken literally
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard:
    field: str
    pattern: str  # * any letters, ? one letter
    boost: float = 1.0


@dataclass(frozen=True)
class Range:
    """Integers from `start` to `end` (None: unbounded), the ends included unless said otherwise."""

    field: str
    start: int | None
    end: int | None
    include_start: bool = True
    include_end: bool = True


@dataclass(frozen=True)
class And:
    clauses: tuple[Query, ...]


@dataclass(frozen=True)
class Or:
    clauses: tuple[Query, ...]


@dataclass(frozen=True)
class Not:
    clause: Query


@dataclass(frozen=True)
class AndMaybe:
    """Pages that match `required`; those that also match `optional` score higher."""

    required: Query
    optional: Query


@dataclass(frozen=True)
class Everything:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


def adjacent_swaps(word: str) -> list[str]:
    """The word with each two neighbouring letters swapped: what an engine that counts a swap as two
    edits must look for besides its fuzzy term."""
    return list(dict.fromkeys(word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)
                              if word[i] != word[i + 1]))


Leaf = Term | Phrase | Fuzzy | Prefix | Wildcard | Range
Query = Leaf | And | Or | Not | AndMaybe | Everything | Nothing


def positive_leaves(query: Query) -> Iterator[Leaf]:
    """The leaves a matching page has: not those under Not."""
    if isinstance(query, (And, Or)):
        for clause in query.clauses:
            yield from positive_leaves(clause)
    elif isinstance(query, AndMaybe):
        yield from positive_leaves(query.required)
        yield from positive_leaves(query.optional)
    elif not isinstance(query, (Not, Everything, Nothing)):
        yield query


def simplified(query: Query) -> Query:
    """The same query without empty branches: an And with Nothing in it is Nothing, Nothing drops
    out of an Or, and an And or Or of one clause is that clause."""
    if isinstance(query, (And, Or)):
        clauses = [simplified(clause) for clause in query.clauses]
        if isinstance(query, And) and any(isinstance(clause, Nothing) for clause in clauses):
            return Nothing()
        clauses = [clause for clause in clauses if not isinstance(clause, Nothing)]
        if not clauses:
            return Nothing()
        return clauses[0] if len(clauses) == 1 else type(query)(tuple(clauses))
    if isinstance(query, AndMaybe):
        required, optional = simplified(query.required), simplified(query.optional)
        if isinstance(required, Nothing) or isinstance(optional, Nothing):
            return required
        return AndMaybe(required, optional)
    if isinstance(query, Not):
        return Not(simplified(query.clause))
    return query


def typed_date(typed: str) -> date:
    """A day as clerks write it, DD/MM/YYYY (or with dots or dashes), or as YYYY-MM-DD; ValueError otherwise."""
    text = typed.strip()
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return date.fromisoformat(text)
