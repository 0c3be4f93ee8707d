"""The documents inside a scan: where, in a run of pages, a new document starts.

A whole dossier is often scanned as one file. Decree 30/2020/NĐ-CP fixes what a document's first
page carries at its top: the national motto, the issuing agency, the number and symbol
(`Số: 123/QĐ-UBND`), the place and date, the title line (`QUYẾT ĐỊNH`, `BIÊN BẢN`, a land-use
certificate's title). A page that shows enough of them starts a document; any other page
(continuation, signature page, appendix: "Phụ lục", "Danh sách kèm theo") belongs to the document
before it, and so does what a document issues, under its own motto and title ("Kèm theo Quyết định
số ..."). Matching runs on the folded text, so OCR that dropped diacritics still matches, and the
motto is matched loosely, as OCR garbles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from luutru.pipeline.metadata import (
    CITATION_START,
    DATE,
    NUMBER,
    first_type_line,
    folded_aligned,
    place_before,
)

# The top of a page, where Decree 30 puts the header; OCR may read its two columns row by row.
TOP_LINES = 14
MOTTO_PARTS = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")
# How closely (rapidfuzz partial ratio, 0-100) a line must match a part of the motto.
MOTTO_LIKENESS = 80
# What a first page shows, and how much each counts; a page that scores this much starts a document.
# "addressed": a công văn's subject line ("V/v ...") or its addressees ("Kính gửi: ..."), which only a first
# page carries; a scan whose handwritten number and date OCR lost still shows its motto and these.
WEIGHTS = {"motto": 2.0, "title": 1.5, "number": 1.0, "place_date": 1.0, "addressed": 1.0}
ADDRESSED = re.compile(r"^\W*(?:v\s*/\s*[vw]\b|kinh\s*gui\b)")
START_SCORE = 3.0
# The first lines of an appendix or an attached list: it belongs to the document it is attached to.
ATTACHED = re.compile(r"^\s*\(?\s*(?:phu\s*luc|danh\s*sach\b.*\bkem\s*theo|kem\s*theo\b)")
ATTACHED_LINES = 4
# What a document issues says so under its own motto and title ("KẾ HOẠCH ... (Kèm theo Quyết định số …/QĐ-TTg
# ngày … của Thủ tướng Chính phủ)", "QUY CHẾ ... (Ban hành kèm theo Nghị quyết số …)"): it continues that document.
ISSUED_WITH = re.compile(r"^\W*(?:ban\s*hanh\s*)?kem\s*theo\s*(?:quyet\s*dinh|nghi\s*quyet|nghi\s*dinh|thong\s*tu|"
                         r"chi\s*thi|cong\s*van|van\s*ban|to\s*trinh|ke\s*hoach|bao\s*cao|thong\s*bao)\b")


@dataclass(frozen=True)
class Span:
    """A document's pages in its file, 1-based and inclusive."""

    first_page: int
    last_page: int


def _top(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][:TOP_LINES]


def _has_motto(folded_lines: list[str]) -> bool:
    for line in folded_lines:
        compact = " ".join(re.sub(r"[^a-z0-9 ]", " ", line).split())
        if len(compact) >= 12 and any(fuzz.partial_ratio(part, compact) >= MOTTO_LIKENESS for part in MOTTO_PARTS):
            return True
    return False


def _has_number(lines: list[str], folded_lines: list[str]) -> bool:
    """A number and symbol of the document's own, not one cited ("Căn cứ Quyết định số ...")."""
    return any(NUMBER.search(folded) and not CITATION_START.match(folded) for folded in folded_lines)


def _has_place_date(lines: list[str], folded_lines: list[str]) -> bool:
    text, folded = "\n".join(lines), "\n".join(folded_lines)  # folded_aligned keeps every character's place
    return any(place_before(text, match.start()) for match in DATE.finditer(folded))


def _has_title(lines: list[str]) -> bool:
    """A title line (QUYẾT ĐỊNH, BIÊN BẢN, ...) that is not the operative "QUYẾT ĐỊNH:" of a decision's body."""
    index, _ = first_type_line(lines)
    return index is not None and not lines[index].rstrip().endswith(":")


# Each signal from a page's top lines and the same lines folded; cheapest first (the motto's likeness is costly).
SIGNALS = {"number": lambda lines, folded: _has_number(lines, folded),
           "addressed": lambda lines, folded: any(map(ADDRESSED.match, folded)),
           "place_date": _has_place_date,
           "title": lambda lines, folded: _has_title(lines),
           "motto": lambda lines, folded: _has_motto(folded)}


def _page_top(text: str) -> tuple[list[str], list[str]]:
    """The top lines of a page, and the same folded (once: a rebuild reads every page of the archive)."""
    lines = _top(text)
    return lines, [folded_aligned(line) for line in lines]


def start_signals(text: str) -> dict[str, bool]:
    """What of a Decree 30 first page the top of this page shows."""
    lines, folded = _page_top(text)
    return {name: check(lines, folded) for name, check in SIGNALS.items()}


def _attached(folded: list[str]) -> bool:
    return any(ATTACHED.match(line) for line in folded[:ATTACHED_LINES]) or any(map(ISSUED_WITH.match, folded))


def is_attached(text: str) -> bool:
    """An appendix or attached list, or what a document issues (a plan, a regulation: "kèm theo Quyết định
    số ..." under its title), which belongs to the document before it."""
    return _attached(_page_top(text)[1])


def starts_document(text: str) -> bool:
    """Whether the page's signals weigh START_SCORE, looked at only until that is settled either way."""
    lines, folded = _page_top(text)
    if _attached(folded):
        return False
    score, left = 0.0, sum(WEIGHTS.values())
    for name, check in SIGNALS.items():
        if score >= START_SCORE or score + left < START_SCORE:
            break
        left -= WEIGHTS[name]
        score += WEIGHTS[name] if check(lines, folded) else 0.0
    return score >= START_SCORE


def segment(pages: list[str], starts: list[int] | None = None) -> list[Span]:
    """The documents of a file whose page texts are `pages`; `starts`, the first pages an archivist
    set by hand, override what the pages show. The first page always starts a document."""
    if not pages:
        return []
    if starts:
        firsts = sorted({1, *(page for page in starts if 1 <= page <= len(pages))})
    else:
        firsts = [1] + [number for number, text in enumerate(pages[1:], start=2) if starts_document(text)]
    lasts = [first - 1 for first in firsts[1:]] + [len(pages)]
    return [Span(first, last) for first, last in zip(firsts, lasts)]
