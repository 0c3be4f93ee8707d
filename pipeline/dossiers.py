"""The dossier list an archivist keeps (mục lục hồ sơ), and which scans belong to which dossier.

The list is a spreadsheet (CSV or XLSX) with the column headers archivists write, matched without
case or diacritics. A dossier's code follows Decree 30/2020 and Circular 05/2025/TT-BNV: the
agency's identifier, the year the dossier was formed and its number, dot-separated
(`H49.64.33.2019.10`). A scan belongs to a dossier by the list's "Đường dẫn" (its folder or file,
relative to an ingested root), else by the box and dossier numbers its path carries (`path_pattern`
with `{box}` and `{dossier}`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from luutru.errors import NotFound, UsageError
from luutru.i18n import N_
from luutru.index.words import fold
from luutru.pipeline.catalog import Catalog, catalog_name
from luutru.pipeline.circular05 import choices, code_of
from luutru.pipeline.config import load_config
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.indexing import sync_index
from luutru.pipeline.report import document_facts, open_catalog

# Folded column headers -> what the column holds.
HEADERS = {
    "hop so": "box", "so hop": "box", "hop": "box",
    "ho so so": "number", "so ho so": "number", "so va ky hieu ho so": "number", "so ky hieu ho so": "number",
    "tieu de ho so": "title", "tieu de": "title", "ten ho so": "title",
    "thoi gian": "dates", "thoi gian bat dau ket thuc": "dates", "thoi gian bat dau den ket thuc": "dates",
    "thoi gian bat dau": "start", "ngay bat dau": "start", "tu ngay": "start",
    "thoi gian ket thuc": "end", "ngay ket thuc": "end", "den ngay": "end",
    "so to": "sheets", "thoi han bao quan": "retention", "ghi chu": "notes",
    "phong": "fonds", "ten phong": "fonds", "phong so": "fonds", "muc luc so": "catalogue", "muc luc": "catalogue",
    "duong dan": "path", "che do su dung": "mode", "che do khai thac": "mode",
}
ORDER_DIGITS = 7  # a document's order in its dossier, in its file name: H49.64.33.2019.10.0000003
# The header row is looked for among the first rows (a title such as "MỤC LỤC HỒ SƠ" may stand above).
HEADER_SEARCH_ROWS = 10
RANGE_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s*[–—]\s*|\s+(?:đến|den)\s+|(?<=\d{4})-(?=\d{4}\b)", re.IGNORECASE)


@dataclass
class Dossier:
    code: str
    number: str  # as the list writes it
    title: str
    number_key: int  # the number as a number: 010 is 10
    box: str | None = None
    box_key: int | None = None
    start: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    end: str | None = None
    sheets: int | None = None
    retention: str | None = None
    mode: str | None = None  # "Chế độ sử dụng", the circular's code (01 công khai, 02 có điều kiện, 03 mật)
    notes: str | None = None
    fonds: str | None = None
    catalogue: str | None = None
    scan_path: str | None = None  # relative to an ingested root
    row: int | None = None

    @property
    def year(self) -> int:
        return int((self.start or self.end)[:4])

    def summary(self) -> dict:
        """What a search result says of the dossier a document belongs to."""
        return {"code": self.code, "number": self.number, "title": self.title, "box": self.box, "mode": self.mode}


@dataclass
class ImportReport:
    file: str
    imported: int = 0
    added: int = 0
    updated: int = 0
    relinked_files: int = 0
    problems: list[str] = field(default_factory=list)
    kept_columns: list[str] = field(default_factory=list)  # columns the list lacks: the values stored before kept

    def to_json(self) -> dict:
        return asdict(self)


def _header_name(value) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(value or ""))).split())


# What a file is, by its first bytes, whatever its name says.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and other old Office files
ZIP = b"PK\x03\x04"  # XLSX, and OpenDocument (.ods)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode Text": UTF-16, tab-separated
# An OpenDocument file names its type in its first entry, "mimetype", stored first and uncompressed.
HEAD_BYTES = 200


def _rows(path: Path) -> list[list]:
    """The cells of the first sheet of an XLSX file, or of a CSV or Excel "Unicode Text" file (UTF-8 with or without
    BOM, or UTF-16), told apart by their bytes; an .xls or .ods gets one line saying what to save it as."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
        if head.startswith(OLE2):
            raise UsageError(f"{path}: an Excel 97-2003 workbook (.xls); save it as .xlsx or as CSV UTF-8")
        if head.startswith(ZIP) and b"opendocument" in head:
            raise UsageError(f"{path}: an OpenDocument spreadsheet (.ods); save it as .xlsx or as CSV UTF-8")
        if head.startswith(ZIP):
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
            finally:
                workbook.close()
        text = path.read_text(encoding="utf-16" if head.startswith(UTF16_BOMS) else "utf-8-sig")
    except UnicodeDecodeError as error:  # before ValueError, which it is
        raise UsageError(f"{path}: not UTF-8 text; save the list as CSV UTF-8 or as XLSX") from error
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:  # openpyxl: a zip that is no workbook
        raise UsageError(f"{path}: cannot read the dossier list: {error}") from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


# The columns a list cannot do without, as the error that misses them names them.
REQUIRED = {"number": "\"Hồ sơ số\" (or \"Số và ký hiệu hồ sơ\")", "title": "\"Tiêu đề hồ sơ\""}


def _columns(rows: list[list], path: Path) -> tuple[int, dict[str, int]]:
    """The header row's index and where each known column stands."""
    if not any(_text(cell) for row in rows for cell in row):
        raise UsageError(f"{path}: the dossier list is empty")
    best: dict[str, int] = {}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for position, cell in enumerate(row):
            name = HEADERS.get(_header_name(cell))
            if name and name not in columns:
                columns[name] = position
        if set(REQUIRED) <= set(columns):
            return index, columns
        best = max(best, columns, key=len)
    missing = " and ".join(label for name, label in REQUIRED.items() if name not in best)
    raise UsageError(f"{path}: no column {missing} in the header row (the first {HEADER_SEARCH_ROWS} rows); "
                     "see README, \"The dossier list\"")


def _use_mode(value) -> str | None:
    """The list's "Chế độ sử dụng" as the circular's code: written as the code (01, or 1 from a spreadsheet's number)
    or as its name, in either tone-mark style."""
    text = _text(value)
    if text is None:
        return None
    code = code_of("mode", text.zfill(2) if text.isdigit() else text)
    if code is None:
        raise ValueError(f"the use mode {text!r} is none of the circular's ({choices('mode')})")
    return code


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _checked_number(text: str, what: str) -> str:
    """A dossier or box number as typed, refused when a letter O stands among its digits (O1, 0O2: a 0 meant),
    which would reach the package's codes as written; "Hộp 02" is the box number 02."""
    if re.search(r"\d[oO]|[oO]\d|^[oO]+$", text):
        raise ValueError(f"the {what} {text!r} has the letter O among its digits (a 0 is meant?)")
    labelled = re.fullmatch(r"(?:hộp|hop|hồ sơ|ho so|hs)\s*(?:số|so)?\s*[.:]?\s*(\d+)", text, re.IGNORECASE)
    return labelled.group(1) if labelled else text


def _number_key(text: str) -> int | None:
    digits = re.findall(r"\d+", text)
    return int(digits[-1]) if digits else None


def _one_date(value) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD from a cell: a date, a year, 06/2019 or 05/06/2019."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value) or ""
    if re.fullmatch(r"(?:19|20)\d\d", text):
        return text
    if match := re.fullmatch(r"(\d{1,2})[/.-]((?:19|20)\d\d)", text):
        month, year = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return f"{year}-{month:02d}"
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d\d)", text):
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
        except ValueError:
            pass
    raise ValueError(f"cannot read the date {text!r} (write 2019, 06/2019 or 05/06/2019)")


def _dates(cells: dict) -> tuple[str | None, str | None]:
    if cells.get("dates") is not None and not isinstance(cells["dates"], (datetime, date, int, float)):
        parts = [part for part in RANGE_SEPARATOR.split(_text(cells["dates"]) or "") if part]
        if len(parts) > 2:
            raise ValueError(f"cannot read the dates {_text(cells['dates'])!r} (write 2019 - 2023)")
        found = [_one_date(part) for part in parts]
        return (found[0], found[-1]) if found else (None, None)
    start = _one_date(cells["dates"]) if cells.get("dates") is not None else None
    start = _one_date(cells["start"]) if cells.get("start") is not None else start
    end = _one_date(cells["end"]) if cells.get("end") is not None else start
    return start or end, end


def _dossier(cells: dict, agency_id: str, row: int) -> Dossier:
    number, title = _text(cells.get("number")), _text(cells.get("title"))
    if not number:
        raise ValueError("no dossier number")
    number = _checked_number(number, "dossier number")
    number_key = _number_key(number)
    if number_key is None:
        raise ValueError(f"the dossier number {number!r} has no digits")
    if not title:
        raise ValueError("no dossier title")
    start, end = _dates(cells)
    if not start:
        raise ValueError("no dates: the year the dossier was formed is part of its code")
    if end and end < start[:len(end)]:
        raise ValueError(f"it ends ({end}) before it starts ({start})")
    sheets = _text(cells.get("sheets"))
    if sheets is not None and not sheets.isdigit():
        raise ValueError(f"the number of sheets {sheets!r} is not a whole number")
    box = _text(cells.get("box"))
    box = _checked_number(box, "box number") if box else None
    dossier = Dossier(code="", number=number, title=title, number_key=number_key, box=box,
                      box_key=_number_key(box) if box else None, start=start, end=end,
                      sheets=int(sheets) if sheets else None, retention=_text(cells.get("retention")),
                      mode=_use_mode(cells.get("mode")),
                      notes=_text(cells.get("notes")), fonds=_text(cells.get("fonds")),
                      catalogue=_text(cells.get("catalogue")), scan_path=_text(cells.get("path")), row=row)
    dossier.code = f"{agency_id}.{dossier.year}.{number_key}"
    return dossier


# What a dossier keeps of each optional column: a list without the column says nothing of them.
OPTIONAL_FIELDS = {"box": ("box", "box_key"), "sheets": ("sheets",), "retention": ("retention",), "mode": ("mode",),
                   "notes": ("notes",),
                   "fonds": ("fonds",), "catalogue": ("catalogue",), "path": ("scan_path",)}


def read_dossier_list(path: Path, agency_id: str) -> tuple[list[Dossier], list[str], list[str]]:
    """The dossiers of a list, one line for each row that cannot be read (with its row number), and the optional
    columns the list does not have."""
    rows = _rows(path)
    header, columns = _columns(rows, path)
    absent = [name for name in OPTIONAL_FIELDS if name not in columns]
    dossiers, problems, seen = [], [], {}
    for index, row in enumerate(rows[header + 1:], start=header + 2):  # spreadsheet rows count from 1
        cells = {name: row[position] if position < len(row) else None for name, position in columns.items()}
        if all(_text(value) is None for value in row):
            continue
        try:
            dossier = _dossier(cells, agency_id, index)
        except ValueError as error:
            problems.append(f"{path.name}, row {index}: {error}")
            continue
        if dossier.code in seen:
            first = seen[dossier.code]
            # A table of documents (luutru export --format xlsx) repeats its dossier on each document's row.
            if replace(dossier, row=first.row) != first:
                problems.append(f"{path.name}, row {index}: the same dossier code {dossier.code} as row "
                                f"{first.row}, with other values")
            continue
        seen[dossier.code] = dossier
        dossiers.append(dossier)
    return dossiers, problems, absent


def dossiers_of(catalog: Catalog) -> list[Dossier]:
    return [Dossier(**row) for row in catalog.dossier_rows()]


class Linker:
    """Which dossier a scan belongs to: by the list's "Đường dẫn", else by the box and dossier numbers
    its path carries."""

    def __init__(self, dossiers: list[Dossier], roots: list[Path]) -> None:
        self.by_path: list[tuple[str, Dossier]] = []
        for dossier in dossiers:
            if dossier.scan_path:
                relative = catalog_name(dossier.scan_path.strip("/"))[0]
                self.by_path += [(f"{catalog_name(root)[0].rstrip('/')}/{relative}", dossier) for root in roots]
        self.by_path.sort(key=lambda item: len(item[0]), reverse=True)  # the deepest link wins
        self.by_number: dict[int, list[Dossier]] = {}
        for dossier in dossiers:
            self.by_number.setdefault(dossier.number_key, []).append(dossier)

    @classmethod
    def of(cls, catalog: Catalog) -> Linker:
        return cls(dossiers_of(catalog), catalog.roots())

    def linked(self, path: str, documents: list[tuple[int, int, dict]]) -> list[tuple[int, int, dict]]:
        """A file's documents, each with the summary of the dossier the file belongs to (or None)."""
        dossier = self.dossier(path, documents[0][2]) if documents else None
        summary = dossier.summary() if dossier else None
        return [(first, last, {**fields, "dossier": summary}) for first, last, fields in documents]

    def dossier(self, path: str, fields: dict) -> Dossier | None:
        for prefix, dossier in self.by_path:
            if path == prefix or path.startswith(prefix + "/"):
                return dossier
        number = fields.get("dossier_number")
        if number is None:
            return None
        box = fields.get("box")
        candidates = [dossier for dossier in self.by_number.get(number, ()) if box is None or dossier.box_key == box]
        if len(candidates) > 1 and fields.get("year"):
            candidates = [dossier for dossier in candidates if dossier.year == fields["year"]]
        return candidates[0] if len(candidates) == 1 else None


def relink(catalog: Catalog) -> int:
    """Bring every file's documents in line with the dossier list; returns the files whose dossier
    changed (left for the index to take up again)."""
    linker, changed = Linker.of(catalog), []
    for record in catalog.searchable_files():
        documents = catalog.documents(record.id)
        linked = linker.linked(record.path, documents)
        if linked != documents:
            catalog.put_documents([(record.id, linked)])
            changed.append(record.id)
    catalog.mark_unindexed(changed)
    return len(changed)


def import_dossier_list(home: ArchiveHome, path: Path, wait: bool = False) -> ImportReport:
    """Import (or import again: rows are updated by code) an archivist's dossier list. A list with a
    bad row imports nothing; the report names each such row and why."""
    config = load_config(home.config_path)
    if not config.agency_id:
        raise UsageError(f"{home.config_path}: set agency_id, the agency's identifier (e.g. agency_id = "
                         "\"H49.64.33\"): it is the first part of every dossier code")
    report = ImportReport(str(path))
    dossiers, report.problems, absent = read_dossier_list(path, config.agency_id)
    if report.problems:
        return report
    with home.create().exclusive(wait=wait):  # the list comes first: the arrangement makes it before any scan
        catalog = Catalog(home.catalog_path)
        try:
            rows, report.kept_columns = _keeping(catalog, dossiers, absent)
            report.added, report.updated = catalog.put_dossiers(rows)
            report.imported = len(dossiers)
            report.relinked_files = relink(catalog)
            sync_index(home, catalog)
        finally:
            catalog.close()
    return report


def _keeping(catalog: Catalog, dossiers: list[Dossier], absent: list[str]) -> tuple[list[dict], list[str]]:
    """The dossiers to store: a column the list lacks keeps what an earlier import stored (a list without
    "Thời hạn bảo quản" clears no retention); and the columns whose values were kept so."""
    stored = {row["code"]: row for row in catalog.dossier_rows()}
    rows, kept = [], set()
    for dossier in dossiers:
        row, before = asdict(dossier), stored.get(dossier.code, {})
        for column in absent:
            for name in OPTIONAL_FIELDS[column]:
                if before.get(name) is not None:
                    row[name] = before[name]
                    kept.add(column)
        rows.append(row)
    return rows, sorted(kept)


def _linked(catalog: Catalog) -> dict[str, dict]:
    """Per dossier code: its files, documents and pages."""
    return {code: {"files": files, "documents": documents, "pages": pages}
            for code, files, documents, pages in catalog.dossier_counts()}


def list_dossiers(home: ArchiveHome) -> list[dict]:
    """Every dossier of the list, with how many files, documents and pages of it were scanned."""
    catalog = open_catalog(home)
    try:
        linked = _linked(catalog)
        return [{**_listed(dossier), **linked.get(dossier.code, {"files": 0, "documents": 0, "pages": 0})}
                for dossier in dossiers_of(catalog)]
    finally:
        catalog.close()


def _listed(dossier: Dossier) -> dict:
    facts = asdict(dossier)
    for internal in ("number_key", "box_key", "row"):
        facts.pop(internal)
    return facts


def circular_name(code: str, order: int) -> str:
    """A document's name by Circular 05/2025: its dossier's code and its order in the dossier."""
    return f"{code}.{order:0{ORDER_DIGITS}d}"


def document_name(catalog: Catalog, path: str, page_count: int | None, first_page: int, last_page: int,
                  fields: dict) -> str:
    """What a document's file is called: by its dossier (`H49.64.33.2019.10.0000003`), else by its
    scan, with the page range when the scan holds several documents (`bc-56.p004-007`)."""
    code = (fields.get("dossier") or {}).get("code")
    if code:
        order = [(linked, first) for linked, first, _, _ in catalog.dossier_documents(code)].index((path, first_page))
        return circular_name(code, order + 1)
    stem = Path(path).stem
    whole = first_page == 1 and last_page == (page_count or last_page)
    return stem if whole else f"{stem}.p{first_page:03d}-{last_page:03d}"


def find_dossier(catalog: Catalog, code_or_number: str, among: Callable[[Dossier], bool] | None = None) -> Dossier:
    """A dossier of the list by its full code, or by its number when only one dossier has it; of those `among`
    allows (a person's use modes: the others are as if not in the list), or all."""
    dossiers = [dossier for dossier in dossiers_of(catalog) if among is None or among(dossier)]
    found = [dossier for dossier in dossiers if dossier.code == code_or_number]
    if not found and _number_key(code_or_number) is not None and not re.search(r"\.\d+\.", code_or_number):
        found = [dossier for dossier in dossiers if dossier.number == code_or_number
                 or dossier.number_key == _number_key(code_or_number)]
    if not found:
        raise NotFound(N_("{dossier}: no such dossier in the list (see `luutru dossiers list`)"),
                       dossier=code_or_number)
    if len(found) > 1:
        raise UsageError(f"{code_or_number}: {len(found)} dossiers have this number; give the code: "
                         + ", ".join(dossier.code for dossier in found))
    return found[0]


def dossier_scans(catalog: Catalog, code_or_number: str,
                  among: Callable[[Dossier], bool] | None = None) -> tuple[str, ...]:
    """The scans linked to a dossier (named as `find_dossier` takes it), in order: a search's dossier filter."""
    code = find_dossier(catalog, code_or_number, among).code
    return tuple(dict.fromkeys(path for path, *_ in catalog.dossier_documents(code)))


def show_dossier(home: ArchiveHome, code_or_number: str) -> dict:
    """A dossier (by its full code, or its number when only one dossier has it) with its documents in
    order, each with its file and pages."""
    catalog = open_catalog(home)
    try:
        dossier = find_dossier(catalog, code_or_number)
        documents = [{"path": path, **document_facts(first, last, fields)}
                     for path, first, last, fields in catalog.dossier_documents(dossier.code)]
    finally:
        catalog.close()
    pages = sum(document["last_page"] - document["first_page"] + 1 for document in documents)
    return {**_listed(dossier), "pages": pages, "documents": documents}
