"""Fields of Vietnamese administrative documents, read from their fixed layout (Decree 30/2020/NĐ-CP).

Matching is done on a folded copy of the text (no diacritics, đ → d) that has the same length as
the original, so OCR that drops diacritics still matches, and the value is cut from the original
text with its diacritics. The two-column header may come out row by row across both columns
("Số: 123/QĐ-UBND Thạch Thất, ngày 12 tháng 9 năm 2023") or column by column; both work.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from luutru.index.doctypes import TYPE_LINES, type_of_abbreviation
from luutru.index.words import fold

MOTTO_WORDS = ("cong hoa xa hoi chu nghia viet nam", "doc lap", "tu do", "hanh phuc")
HEADER_LINES = 14
# A date line without its place ("ngày 12 tháng 9 năm 2023", the place lost to OCR) is this short at most.
MAX_DATE_LINE = 45

# A number or date in the header read with a confidence under NUMBER_SURE is doubtful: a handwritten fill-in (the
# number in "Số: …/QĐ-TTg", the day in the date). Tesseract read the printed numbers of the sample scans at 91-93 and
# every handwritten one on the signed pages of ../shared/real-scans at 20-85 (13 documents, 2026-12), often wrongly
# ("01" as "04", "280" as "80"): such a field is kept but marked, and `luutru review` lists the document.
NUMBER_SURE = 90.0
# The words of a first page the header's numbers are looked for in.
HEADER_WORDS = 80
# "Số" as OCR reads it: So, S0, S6 (the ố taken for a 6).
NUMBER = re.compile(r"\bs[o06][\s:.;]*(\d{1,6}(?:\s*/\s*\d{4})?\s*/\s*[a-z0-9]+(?:\s*-\s*[a-z0-9]+)*)")
DATE = re.compile(r"ngay\s*(\d{1,2})[a-z.,]?\s*thang\s*(\d{1,2})[a-z.,]?\s*nam\s*(\d{4})")  # "10n năm": a speck read
PLACE_BEFORE_DATE = re.compile(r"((?:[^\W\d_]+\s+){0,3}[^\W\d_]+)\s*,\s*$")
PARCEL = re.compile(r"\bthua\s*(?:dat\s*)?(?:so\s*)?[:.]?\s*(\d{1,6})\b")
SHEET = re.compile(r"\bto\s*ban\s*do\s*(?:so\s*)?[:.]?\s*(\d{1,5})\b")
CITATION_START = re.compile(r"\s*(?:can cu|xet|theo)\b")
SUBJECT_START = re.compile(r"^\s*(?:v\s*/\s*v|ve viec|trich yeu)\b")
# What OCR leaves at the end of a line: table rules, bars, specks read as quotes or stops.
STRAY_END = re.compile(r"[\s|'\"`.,;:_~—–-]+$")


@dataclass
class DocumentFields:
    number: str | None = None  # "123/QĐ-UBND"
    doc_type: str | None = None
    agency: str | None = None
    place: str | None = None
    issued: str | None = None  # ISO date
    subject: str | None = None
    signer: str | None = None
    parcels: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    doubtful: list[str] = field(default_factory=list)  # fields read with little confidence: "number", "issued"
    department: str | None = None  # from the folder path (PathPattern)
    year: int | None = None  # of issue, else from the folder path
    box: int | None = None  # from the path (PathPattern {box})
    dossier_number: int | None = None  # from the path (PathPattern {dossier})

    def to_json(self) -> dict:
        return asdict(self)


class _AlignedFolding(dict):
    """A `str.translate` table filled in as characters are met: each character folds to one character
    (its letter without marks, lowercased), or is only lowercased where folding would change its length."""

    def __missing__(self, code: int) -> str:
        character = chr(code)
        folded = fold(character)
        self[code] = folded if len(folded) == 1 else character.lower()
        return self[code]


ALIGNED_FOLDING = _AlignedFolding()


def folded_aligned(text: str) -> str:
    """Fold character by character, keeping positions: folded[i] stands for text[i]."""
    return text.translate(ALIGNED_FOLDING)


def _line_of(folded: str, position: int) -> str:
    start = folded.rfind("\n", 0, position) + 1
    end = folded.find("\n", position)
    return folded[start:end if end >= 0 else None]


def _cites(line: str) -> bool:
    """A line citing another document ("Căn cứ Quyết định số ... ngày ..."), OCR's specks before it aside."""
    return bool(CITATION_START.match(re.sub(r"^[^a-z0-9]+", " ", line)))


def _number(text: str, folded: str) -> str | None:
    """The document's own number and symbol: in the header, written "Số:" as a header writes it (a capital S; "SỐ"
    only at the start of its line), never one it cites."""
    # Cited: "Căn cứ Quyết định số ...", "nhận được Công văn số ...", a wrapped "Thông tư\nsố 15/2020/TT-BGDĐT",
    # "Nghị định SỐ ...".
    for match in NUMBER.finditer(folded):
        if folded.count("\n", 0, match.start()) >= HEADER_LINES:
            break
        line_start = folded.rfind("\n", 0, match.start()) + 1
        heads_line = not re.search(r"[a-z0-9]", folded[line_start:match.start()])
        as_header_writes_it = text[match.start()] == "S" and (heads_line or not text[match.start() + 1].isupper())
        if as_header_writes_it and not _cites(_line_of(folded, match.start())):
            return re.sub(r"\s+", "", text[match.start(1):match.end(1)])
    return None


def _read_doubtfully(fragments: list[str], words: list[tuple[str, float]]) -> bool:
    """Whether the first of the header's `words` holding one of these fragments (a number's digits, a date's day or
    month, as read) was read with a confidence under NUMBER_SURE."""
    for fragment in fragments:
        confidence = next((confidence for text, confidence in words if fragment in text), None)
        if confidence is not None and confidence < NUMBER_SURE:
            return True
    return False


def _symbol_type(number: str | None) -> str | None:
    if not number:
        return None
    return type_of_abbreviation(number.split("/")[-1].split("-")[0])


def _type_of_line(lines: list[str], index: int) -> str | None:
    """The type named by an upper-case title line (read together with the next, for long names)."""
    if not _mostly_upper(lines[index]):
        return None
    # Words only: OCR reads the rules and specks around a title as "_ - " and "_. -".
    folded = " ".join(re.sub(r"[^a-z0-9]+", " ", folded_aligned(" ".join(lines[index:index + 2]))).split())
    return next((name for key, name in TYPE_LINES.items() if re.match(rf"{key}\b", folded)), None)


def first_type_line(lines: list[str]) -> tuple[int, str] | tuple[None, None]:
    """Where the title line stands among the header lines, and the type it names."""
    for index in range(min(len(lines), HEADER_LINES + 6)):
        name = _type_of_line(lines, index)
        if name:
            return index, name
    return None, None


def _mostly_upper(line: str) -> bool:
    # Counted by C loops (map over str methods): this runs on every header line of every page a rebuild reads.
    letters = sum(map(str.isalpha, line))
    return letters > 0 and sum(map(str.isupper, line)) >= 0.7 * letters


def _without_motto(line: str) -> str:
    folded = folded_aligned(line)
    cut = len(line)
    for words in MOTTO_WORDS:
        position = folded.find(words)
        if position >= 0:
            cut = min(cut, position)
    return line[:cut].strip(" -")


def _without_stray_end(text: str) -> str:
    return STRAY_END.sub("", text)


def _agency(lines: list[str], type_index: int | None) -> str | None:
    """The upper-case lines at the top left, before the number or title line."""
    # The place and date line is passed over, not a stop: with the motto column read first it stands above the
    # agency.
    parts = []
    for index, line in enumerate(lines[:HEADER_LINES]):
        folded = folded_aligned(line)
        if NUMBER.search(folded) or index == type_index:
            break
        left = _without_stray_end(_without_motto(line))
        if left and _mostly_upper(left) and not DATE.search(folded):
            parts.append(left)
    return " ".join(parts) or None


def place_before(text: str, start: int) -> str | None:
    """The place name ending the line just before `start` ("Thạch Thất, ngày ...")."""
    line_start = text.rfind("\n", 0, start) + 1
    place = PLACE_BEFORE_DATE.search(text[line_start:start])
    words = place.group(1).split() if place else []
    while words and not _capitalised(words[0]):
        words.pop(0)  # the tail of the number line read across both columns: "QĐ-UBND Thạch Thất,"
    return " ".join(words) or None


def _issue_date(text: str, folded: str) -> tuple[re.Match | None, str | None]:
    """The date written after the place; else the first date in the header outside a citation.

    "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013" dates the law cited, not the document.
    """
    fallback = None
    for match in DATE.finditer(folded):
        place = place_before(text, match.start())
        if place:
            return match, place
        line = _line_of(folded, match.start())
        in_header = folded.count("\n", 0, match.start()) < HEADER_LINES
        # Without its place, a date is the document's only on a line of its own: a short one that cites nothing.
        if fallback is None and in_header and not _cites(line) and len(line.strip()) <= MAX_DATE_LINE:
            fallback = match
    return fallback, None


def _place_and_date(text: str, folded: str) -> tuple[str | None, str | None, list[str]]:
    """The place, the date of issue, and the date's day and month as read."""
    match, place = _issue_date(text, folded)
    if not match:
        return None, None, []
    day, month, year = (int(value) for value in match.groups())
    try:
        return place, date(year, month, day).isoformat(), list(match.groups()[:2])
    except ValueError:
        return place, None, []


def _continues_subject(line: str) -> bool:
    """A wrapped subject's second line: lower case, or a few words that are not a heading or a label."""
    folded = folded_aligned(line)
    if not line or _mostly_upper(line) or NUMBER.search(folded) or DATE.search(folded) or ":" in line:
        return False
    if any(words in folded for words in MOTTO_WORDS):
        return False
    return line[:1].islower() or (len(line.split()) <= 8 and not line.endswith((";", ".")))


def _subject(lines: list[str]) -> str | None:
    for index, line in enumerate(lines[:HEADER_LINES + 8]):
        if SUBJECT_START.match(folded_aligned(line)):
            parts = [_without_stray_end(line.strip())]
            for following in lines[index + 1:index + 3]:
                if not _continues_subject(following.strip()):
                    break
                parts.append(_without_stray_end(following.strip()))
            return " ".join(parts)
    return None


def _subject_after_type(lines: list[str], type_index: int | None) -> str | None:
    """The sentence-case line under the title line ("Về việc ...", "Kết quả ...")."""
    if type_index is None or type_index + 1 >= len(lines):
        return None
    following = _without_stray_end(lines[type_index + 1].strip())
    return following if following and not _mostly_upper(following) else None


def _capitalised(word: str) -> bool:
    return len(word) > 1 and word.isalpha() and word[0].isupper() and word[1:].islower()


def _signer(lines: list[str]) -> str | None:
    """The signer's name: the last line of the last page made of 2-5 capitalised words."""
    for line in reversed(lines[-12:]):
        words = _without_stray_end(line).split()
        if 2 <= len(words) <= 5 and all(_capitalised(word) for word in words):
            return " ".join(words)
    return None


def _numbers(pattern: re.Pattern, folded: str) -> list[str]:
    return list(dict.fromkeys(match.group(1) for match in pattern.finditer(folded)))


def extract_fields(pages: list[str], first_words: list[tuple[str, float]] = ()) -> DocumentFields:
    """Read the fields of one document from the text of its pages, first page first; a number or date that
    the first page's words (text, confidence) were read with little confidence is marked doubtful."""
    if not pages:
        return DocumentFields()
    first = pages[0]
    lines = [line for line in first.splitlines() if line.strip()]
    folded_first = folded_aligned(first)
    folded_whole = "\n".join([folded_first, *map(folded_aligned, pages[1:])])
    number = _number(first, folded_first)
    place, issued, day_month = _place_and_date(first, folded_first)
    digits = [number.split("/")[0]] if number else []
    header_words = list(first_words)[:HEADER_WORDS]
    doubtful = [name for name, fragments in (("number", digits), ("issued", day_month))
                if _read_doubtfully(fragments, header_words)]
    subject = _subject(lines)
    type_index, type_name = first_type_line(lines)
    doc_type = type_name or _symbol_type(number) or ("Công văn" if subject else None)
    # The agency stands in a header: over a number, a place and date or a title; a page without one
    # (a second page, "Nơi nhận: TM. ỦY BAN NHÂN DÂN") names none.
    has_header = bool(number or place or type_name)
    return DocumentFields(
        year=int(issued[:4]) if issued else None, number=number, doc_type=doc_type,
        agency=_agency(lines, type_index) if has_header else None, place=place, issued=issued,
        subject=subject or _subject_after_type(lines, type_index),
        signer=_signer([line for line in pages[-1].splitlines() if line.strip()]),
        parcels=_numbers(PARCEL, folded_whole), sheets=_numbers(SHEET, folded_whole), doubtful=doubtful)


class PathPatternError(ValueError):
    """A path pattern that cannot be used; the message says why in one line."""


class PathPattern:
    """Fields read from the folder names: "{department}/{year}" on .../TNMT/2023/..., "Hop {box}/HS {dossier}" on
    .../Hop 03/HS 010/... or .../Hop 03/HS010.pdf (docs/administration.md, `config.toml`, says it all)."""
    # Parts are separated by "/". In a part, {department} is any name, {year} a four-digit year, {box} and {dossier}
    # a number (03 is 3), * alone any name, skipped; other text must stand as written (case, diacritics and spaces
    # aside). The last part may match a file name without its extension. The deepest match in the path wins.

    PLACEHOLDERS = {"{department}": r"(?P<department>[^/]+?)", "{year}": r"(?P<year>(?:19|20)\d\d)",
                    "{box}": r"(?P<box>\d+)", "{dossier}": r"(?P<dossier>\d+)"}
    NUMBERS = ("year", "box", "dossier")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        parts = [part for part in pattern.strip().strip("/").split("/") if part]
        pieces = [re.split(r"(\{[^}]*\})", part) for part in parts]
        unknown = [piece for part in pieces for piece in part
                   if piece.startswith("{") and piece not in self.PLACEHOLDERS]
        if not parts or unknown:
            raise PathPatternError(f"path pattern {pattern!r}: use names, *, {{department}}, {{year}}, {{box}} and "
                                   '{dossier}, separated by "/", e.g. "{department}/{year}" or '
                                   '"Hop {box}/HS {dossier}"')
        body = "/".join(r"[^/]+" if part == "*" else "".join(self._piece(piece) for piece in pieces[index])
                        for index, part in enumerate(parts))
        self.regex = re.compile(rf"(?:^|/){body}(?=/|\.[^/.]+$)")

    def _piece(self, piece: str) -> str:
        if piece in self.PLACEHOLDERS:
            return self.PLACEHOLDERS[piece]
        return r"\s*".join(re.escape(word) for word in fold(piece).split()) + (r"\s*" if piece.endswith(" ") else "")

    def fields(self, path: str) -> dict:
        """{"department": ..., "year": ..., "box": ..., "dossier": ...} (those the pattern names) for the
        parts of `path`; empty when they do not match."""
        folded = folded_aligned(path)
        matches = list(self.regex.finditer(folded))
        if not matches:
            return {}
        match, found = matches[-1], {}
        for name in ("department", *self.NUMBERS):
            if name in self.regex.groupindex and match.group(name):
                value = path[match.start(name):match.end(name)]
                found[name] = int(value) if name in self.NUMBERS else value
        return found


def document_fields(pages: list[str], path: str, pattern: PathPattern | None = None,
                    first_words: list[tuple[str, float]] = ()) -> DocumentFields:
    """The fields read from the text (and the first page's word confidences), completed by the folder path: the
    text's date wins over the folder's year."""
    fields = extract_fields(pages, first_words)
    from_path = pattern.fields(path) if pattern else {}
    fields.department = from_path.get("department")
    fields.year = fields.year or from_path.get("year")
    fields.box, fields.dossier_number = from_path.get("box"), from_path.get("dossier")
    return fields
