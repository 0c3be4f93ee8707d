"""What the counter's page shows, as plain data: search results, a document with its hit words boxed,
a page image at screen size. The templates only lay these out; nothing here knows HTTP.

Every file served is found through the catalog by its id: no path from a request reaches the disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from PIL import Image

from luutru.errors import NotFound, UsageError
from luutru.i18n import N_, in_vietnamese
from luutru.index.search import MARK_END, MARK_START, Filters, Highlights, document_highlights
from luutru.index.words import fold_spelling, folded_words
from luutru.pipeline.catalog import SEARCHABLE, FileRecord
from luutru.pipeline.dossiers import dossier_scans
from luutru.pipeline.export_manifest import exported_file
from luutru.pipeline.indexing import UseModes, reading_scope
from luutru.pipeline.layout import upright, word_lines, words_on_original
from luutru.pipeline.reader import ArchiveReader
from luutru.pipeline.report import day_month_year, signature_shown
from luutru.scanners.formats import Kind
from luutru.scanners.limits import DEFAULT_DPI
from luutru.scanners.pages import render_page

MAX_FIELD = 300  # characters kept of any one field a clerk types
RESULTS = 20
PAGE_WIDTHS = (800, 1200, 1800, 2400)  # the only image widths served, so the cache stays bounded
LOW_CONFIDENCE = 60  # a word read with less is shown as doubtful
JPEG_QUALITY = 85


@dataclass
class SearchForm:
    q: str = ""
    doc_type: str = ""
    agency: str = ""
    number: str = ""
    issued_from: str = ""
    issued_to: str = ""
    year: str = ""
    parcel: str = ""
    sheet: str = ""
    dossier: str = ""

    # form field -> attribute
    FIELDS = {"q": "q", "type": "doc_type", "agency": "agency", "number": "number", "from": "issued_from",
              "to": "issued_to", "year": "year", "parcel": "parcel", "sheet": "sheet", "dossier": "dossier"}

    @classmethod
    def of(cls, params) -> SearchForm:
        """The form as typed, each field trimmed and cut to a sane length."""
        return cls(**{attribute: " ".join(str(params.get(name, ""))[:MAX_FIELD].split())
                      for name, attribute in cls.FIELDS.items()})

    def filters(self, reader: ArchiveReader, modes: tuple[str, ...] | None = None) -> Filters:
        """The form's filters, bounded to documents of the use `modes` (None: all)."""
        year = None
        if self.year:
            if not self.year.isdigit():
                raise UsageError(N_("the year must be a number, such as 2023 (typed: {year})"), year=self.year)
            year = int(self.year)
        known_dossier, listed = reading_scope(reader.home, modes)
        return Filters(self.doc_type or None, self.agency or None, self.number or None, self.issued_from or None,
                       self.issued_to or None, year, self.parcel or None, self.sheet or None,
                       files=self._dossier_files(reader, known_dossier), modes=modes, listed=listed)

    def _dossier_files(self, reader: ArchiveReader, among) -> tuple[str, ...] | None:
        """The dossier's scans, as the command line takes the dossier: its code, its number (2, 002). A dossier
        `among` does not let through (of a use mode the person may not read) is answered as one not in the list."""
        if not self.dossier:
            return None
        try:
            return dossier_scans(reader.catalog(), self.dossier, among)
        except NotFound:
            raise UsageError(N_("no dossier {dossier!r} in the dossier list"), dossier=self.dossier) from None
        except UsageError:  # a number that several dossiers have
            raise UsageError(N_("several dossiers have the number {dossier!r}: type the dossier's code"),
                             dossier=self.dossier) from None

    @property
    def empty(self) -> bool:
        return not any(getattr(self, attribute) for attribute in self.FIELDS.values())

    @property
    def filtered(self) -> bool:
        return any(getattr(self, attribute) for name, attribute in self.FIELDS.items() if name != "q")

    def query_string(self) -> str:
        """The search, to carry into a document's link and back."""
        return urlencode({name: getattr(self, attribute) for name, attribute in self.FIELDS.items()
                          if getattr(self, attribute)})


def marked_parts(marked: str) -> list[tuple[str, bool]]:
    """A snippet with MARK_START/MARK_END as (text, marked) parts, for a template that escapes each."""
    parts, rest = [], marked
    while MARK_START in rest:
        before, _, after = rest.partition(MARK_START)
        inside, _, rest = after.partition(MARK_END)
        parts += [(before, False), (inside, True)]
    parts.append((rest, False))
    return [(text, marked) for text, marked in parts if text]


def search_documents(reader: ArchiveReader, form: SearchForm, modes: tuple[str, ...] | None = None) -> dict:
    """The documents a search finds, each with its fields, dossier, pages and marked snippets; of those in the use
    modes the person may read (None: all)."""
    if form.empty:
        return {"documents": [], "total": 0}
    result = reader.search(form.q, RESULTS, form.filters(reader, modes))
    return {"total": result.total, "suggestion": result.suggestion, "near_spellings": result.near_spellings,
            "documents": [_listed(document) for document in result.documents],
            "withheld": [{**asdict(document), "issued": day_month_year(document.issued)}
                         for document in result.withheld]}


def _listed(document) -> dict:
    fields = document.fields
    return {"file_id": document.file_id, "first_page": document.first_page,
            "last_page": document.last_page or document.first_page, "name": Path(document.path).name,
            "type": fields.get("doc_type"), "number": fields.get("number"),
            "issued": day_month_year(fields.get("issued")),
            "agency": fields.get("agency"), "subject": fields.get("subject"), "dossier": fields.get("dossier"),
            "snippets": [{"page": hit.page, "parts": marked_parts(hit.marked_snippet)} for hit in document.pages]}


@dataclass
class ShownWord:
    text: str
    hit: bool
    doubtful: bool
    box: tuple[float, float, float, float] | None = None  # left, top, width, height in % of the upright page


@dataclass
class ShownPage:
    page: int
    width: int  # of the upright page, in pixels of the original
    height: int
    lines: list[list[ShownWord]] = field(default_factory=list)

    @property
    def words(self) -> list[ShownWord]:
        return [word for line in self.lines for word in line]


def _searchable_file(reader: ArchiveReader, file_id: int) -> FileRecord:
    record = reader.catalog().file_by_id(file_id)
    if record is None or record.status not in SEARCHABLE:
        raise _no_file(file_id)
    return record


def _no_file(file_id: int) -> NotFound:
    return NotFound(N_("no file number {file_id} in the archive"), file_id=file_id)


def _document_of(reader: ArchiveReader, record: FileRecord, page: int, modes: tuple[str, ...] | None,
                 first: bool = True) -> tuple[int, int, dict]:
    """The document of the file that starts at `page` (or, not `first`, holds it), when the person's use modes
    let them read it; one they may not read is answered as a file that does not exist."""
    for start, last, fields in reader.catalog().documents(record.id):
        if start == page or (not first and start <= page <= last):
            if modes is not None and UseModes.read(reader.home).of(fields) not in modes:
                raise _no_file(record.id)
            return start, last, fields
    raise NotFound(N_("no document starts on page {page} of {name}"), page=page, name=Path(record.path).name)


def _shown_page(page, marked: Highlights) -> ShownPage:
    geometry = json.loads(page.geometry or "{}")
    words = json.loads(page.words or "[]")
    hits = marked.in_page(page.text)
    if "width" not in geometry or not words:  # a PDF's own text: no boxes to draw
        lines = [[ShownWord(word, marked.marks(word, hits), False) for word in line.split()]
                 for line in page.text.splitlines() if line.strip()]
        return ShownPage(page.page, int(geometry.get("width", 0)), int(geometry.get("height", 0)), lines)
    to_upright, width, height, _turn = upright(geometry)
    shown_lines = []
    for line in word_lines(page.text, words_on_original(words, geometry)):
        shown = []
        for text, confidence, left, top, box_width, box_height in line:
            corners = to_upright[:2] @ [[left, left + box_width], [top, top + box_height], [1, 1]]
            x0, y0 = corners.min(axis=1)
            x1, y1 = corners.max(axis=1)
            shown.append(ShownWord(text, marked.marks(text, hits), confidence < LOW_CONFIDENCE,
                                   (100 * x0 / width, 100 * y0 / height, 100 * (x1 - x0) / width,
                                    100 * (y1 - y0) / height)))
        shown_lines.append(shown)
    return ShownPage(page.page, width, height, shown_lines)


def document_view(reader: ArchiveReader, file_id: int, first_page: int, form: SearchForm,
                  exports: Path | None = None, modes: tuple[str, ...] | None = None) -> dict:
    """A document's pages with the words a search marks boxed, and its fields."""
    record = _searchable_file(reader, file_id)
    first, last, fields = _document_of(reader, record, first_page, modes)
    pages = reader.catalog().page_range(record.id, first, last)
    marked = document_highlights(reader.store(), form.q, form.filters(reader, modes),
                                 [page.text for page in pages])
    shown = [_shown_page(page, marked) for page in pages]
    start = _best_match(shown, folded_words(form.q))
    pdf = exports is not None and exported_file(exports, record.sha256, first, last) is not None
    return {"file_id": record.id, "first_page": first, "last_page": last, "name": Path(record.path).name,
            "path": record.path, "type": fields.get("doc_type"), "number": fields.get("number"),
            "issued": day_month_year(fields.get("issued")), "agency": fields.get("agency"),
            "subject": fields.get("subject"), "signer": fields.get("signer"), "dossier": fields.get("dossier"),
            "signatures": [signature_shown(one, in_vietnamese)
                           for one in reader.catalog().signatures(record.sha256) or ()],
            "pages": shown, "hits": sum(word.hit for page in shown for word in page.words), "pdf": pdf,
            "start": start}


def _best_match(pages: list[ShownPage], wanted: list[str]) -> str | None:
    """Where the page opens (a word's `page-index`): the first place the words typed stand together, in order
    ("thua dat so 245": the phrase, not the header's "Số:"); else the first marked word."""
    marked = [(page.page, index, word) for page in pages for index, word in enumerate(page.words) if word.hit]
    for position in range(len(marked) - len(wanted) + 1 if wanted else 0):  # a filter alone: no words typed
        run = marked[position:position + len(wanted)]
        together = all(next_one[1] == one[1] + 1 and next_one[0] == one[0] for one, next_one in zip(run, run[1:]))
        if together and [fold_spelling(word.text.strip(".,;:()")) for _, _, word in run] == wanted:
            return f"{run[0][0]}-{run[0][1]}"
    return f"{marked[0][0]}-{marked[0][1]}" if marked else None





def document_pdf(reader: ArchiveReader, file_id: int, first_page: int, exports: Path,
                 modes: tuple[str, ...] | None = None) -> Path:
    """The PDF/A `luutru export` wrote into `exports` from exactly this document: the same scan content and pages,
    as the export recorded them (a name alone can be another document's after scans were added, moved or split)."""
    record = _searchable_file(reader, file_id)
    first, last, _ = _document_of(reader, record, first_page, modes)
    path = exported_file(exports, record.sha256, first, last)
    if path is None:
        raise NotFound(N_("this document has not been exported to PDF/A yet (luutru export --format pdfa)"))
    return path


def screen_width(asked: int) -> int:
    """The served width nearest above what was asked."""
    return next((width for width in PAGE_WIDTHS if width >= asked), PAGE_WIDTHS[-1])


def page_image(reader: ArchiveReader, file_id: int, page: int, width: int, cache: Path,
               modes: tuple[str, ...] | None = None) -> Path:
    """The page drawn upright at `width` pixels, as a JPEG in the cache (made once; the scan is only read)."""
    record = _searchable_file(reader, file_id)
    if modes is not None:
        _document_of(reader, record, page, modes, first=False)
    stored = reader.catalog().page_range(record.id, page, page)
    if not stored:
        raise NotFound(N_("{name} has no page {page}"), name=Path(record.path).name, page=page)
    width = screen_width(width)
    key = hashlib.sha256(f"{record.sha256}:{page}:{width}".encode()).hexdigest()[:32]
    target = cache / f"{key}.jpg"
    if target.exists():
        return target
    geometry = json.loads(stored[0].geometry or "{}")
    dpi = float(geometry.get("dpi") or DEFAULT_DPI)
    original_width = int(geometry.get("width") or 0)
    # A PDF is rendered no finer than the screen needs; an image file is decoded as it is.
    render_dpi = max(36, min(dpi, dpi * width / original_width * 1.2)) if original_width else 100
    image = render_page(record.disk_path, Kind(record.kind), page, dpi=round(render_dpi))
    turn = upright(geometry)[3] if "width" in geometry else 0
    if turn:
        image = image.rotate(-turn, expand=True)
    image.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    cache.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=cache, suffix=".partial")
    with os.fdopen(handle, "wb") as file:
        image.convert("RGB").save(file, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    os.replace(partial, target)
    return target
