"""Before hand-over: the scans that do not meet Circular 05/2025/TT-BNV, dossier by dossier.

The circular asks for 200 dpi for administrative documents and 300 dpi for maps and drawings,
colour at 24 bits or more, and every page. Resolution and colour are read from each scan's own
pixels (an image file's header, a PDF page's image), never from what luutru rendered to read it;
a page read with little confidence is listed too, since its text layer will be poor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

from luutru.export.images import image_drawn, open_pdf
from luutru.export.sip import split_number
from luutru.i18n import N_
from luutru.index.words import fold
from luutru.pipeline.catalog import SEARCHABLE
from luutru.pipeline.circular05 import DOCUMENT_LENGTHS, too_long
from luutru.pipeline.dossiers import find_dossier
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.report import REVIEW_BELOW, open_catalog
from luutru.scanners.formats import Kind

DOCUMENT_DPI, MAP_DPI = 200, 300
COLOUR_BITS = 24
# A page longer than A3 (420 mm) is a map sheet or a drawing; so is a document whose type or dossier says so.
MAP_LONG_SIDE_INCHES = 420 / 25.4
MAP_WORDS = ("ban do", "trich do", "ban ve", "so do")
PDF_COMPONENTS = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}
DPI_TOLERANCE = 0.98  # 199.5 dpi written by a scanner driver is 200


@dataclass
class ScanFacts:
    dpi: float | None  # of the scan's own pixels; None when the file does not say
    bits: int | None  # per pixel: 1 bilevel, 8 grayscale, 24 colour
    long_side_inches: float | None


def _image_facts(path: Path, page: int) -> ScanFacts:
    with Image.open(path) as image:
        image.seek(page - 1)
        dpi = image.info.get("dpi")
        bits = {"1": 1, "L": 8, "P": 8, "LA": 8, "I;16": 16, "RGB": 24, "RGBA": 24, "CMYK": 32}.get(image.mode)
        resolution = float(dpi[0]) if dpi and dpi[0] else None
        long_side = max(image.size) / resolution if resolution else None
        return ScanFacts(resolution, bits, long_side)


def _pdf_facts(path: Path, page: int) -> ScanFacts:
    pdf_page = open_pdf(path).pages[page - 1]
    x0, y0, x1, y1 = (float(value) for value in pdf_page.mediabox)
    long_side = max(abs(x1 - x0), abs(y1 - y0)) / 72
    found = image_drawn(pdf_page)
    if found is None:
        return ScanFacts(None, None, long_side)  # not one scanned image: nothing to measure
    image = found[0]
    space = image.get("/ColorSpace")
    if isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased":
        components = int(space[1].get("/N", 3))
    elif isinstance(space, pikepdf.Array) and str(space[0]) == "/Indexed":
        components = 1  # a palette: at most 8 bits an index
    else:
        components = PDF_COMPONENTS.get(str(space), 1)
    bits = int(image.get("/BitsPerComponent", 1)) * components
    # the image covers the page: its pixels along the long side over the page's long side
    return ScanFacts(max(int(image.Width), int(image.Height)) / long_side, bits, long_side)


def scan_facts(path: Path, kind: Kind, page: int) -> ScanFacts:
    """Resolution, bits per pixel and size of a scanned page, from its file."""
    return _pdf_facts(path, page) if kind is Kind.PDF else _image_facts(path, page)


def _is_map(fields: dict, facts: ScanFacts) -> bool:
    words = fold(" ".join(str(fields.get(name) or "") for name in ("doc_type", "subject")))
    dossier = fold(str((fields.get("dossier") or {}).get("title") or ""))
    return (facts.long_side_inches or 0) > MAP_LONG_SIDE_INCHES or any(word in words or word in dossier
                                                                        for word in MAP_WORDS)


def page_problems(facts: ScanFacts, is_map: bool, confidence: float | None, source: str,
                  translate: Callable[[str], str] = str) -> list[str]:
    """What a page lacks against the circular, told by `translate` (default: English); empty when it meets it."""
    problems = []
    needed = MAP_DPI if is_map else DOCUMENT_DPI
    if facts.dpi is None and facts.bits is not None:
        problems.append(translate(N_("resolution not recorded in the file: cannot show it is {needed} dpi (a map)")
                                  if is_map else N_("resolution not recorded in the file: cannot show it is {needed} "
                                                    "dpi")).format(needed=needed))
    elif facts.dpi is not None and facts.dpi < needed * DPI_TOLERANCE:
        problems.append(translate(N_("{dpi} dpi, under the {needed} dpi required for a map") if is_map
                                  else N_("{dpi} dpi, under the {needed} dpi required")).format(
            dpi=f"{facts.dpi:.0f}", needed=needed))
    if facts.bits is not None and facts.bits < COLOUR_BITS:
        problems.append(translate(N_("bilevel (black and white); colour at {bits} bits is required") if facts.bits == 1
                                  else N_("{depth} bits a pixel (grayscale or a palette); colour at {bits} bits is "
                                          "required")).format(depth=facts.bits, bits=COLOUR_BITS))
    if source != "text-layer" and confidence is not None and confidence < REVIEW_BELOW:
        problems.append(translate(N_("read with confidence {confidence}: its text layer will be poor")).format(
            confidence=f"{confidence:.0f}"))
    return problems


# What a document's package entry (EAD_doc) is read from: empty or doubtful, the archivist checks it before hand-over.
DOCUMENT_FIELDS = {"doc_type": N_("type"), "number": N_("number"), "issued": N_("date"),
                   "agency": N_("issuing agency"), "subject": N_("subject")}


def document_problems(fields: dict, translate: Callable[[str], str] = str) -> list[str]:
    """Why a document's fields need a person before hand-over: empty, read doubtfully (a handwritten fill-in), or
    longer than the circular's field (written whole by the export); told by `translate` (default: English)."""
    problems = [translate(N_("no {field} read")).format(field=translate(name))
                for key, name in DOCUMENT_FIELDS.items() if not fields.get(key)]
    problems += [translate(N_("{field} read doubtfully")).format(field=translate(DOCUMENT_FIELDS[key]))
                 for key in fields.get("doubtful") or () if key in DOCUMENT_FIELDS and fields.get(key)]
    number, notation = split_number(fields.get("number"))
    values = {"codeNumber": number, "codeNotation": notation, "organName": fields.get("agency") or "",
              "subject": fields.get("subject") or ""}
    problems += too_long(values.items(), DOCUMENT_LENGTHS, translate)
    return problems


def check_scans(home: ArchiveHome, dossier: str | None = None, translate: Callable[[str], str] = str) -> list[dict]:
    """Per dossier (None: scans in no dossier), the pages to rescan and why, and the documents whose fields a person
    must check (`document_problems`), told by `translate`; only the dossier `dossier` names, if given."""
    # A dossier that is not in the list is NotFound, never a dossier with nothing to rescan.
    catalog = open_catalog(home)
    try:
        if dossier is not None:
            dossier = find_dossier(catalog, dossier).code
        grouped: dict[str | None, list[dict]] = {}
        documents: dict[str | None, list[dict]] = {}
        for record in catalog.files():
            if record.status not in SEARCHABLE:
                continue
            for first, last, fields in catalog.documents(record.id):
                code = (fields.get("dossier") or {}).get("code")
                if dossier is not None and code != dossier:
                    continue
                if code is not None and (problems := document_problems(fields, translate)):
                    documents.setdefault(code, []).append({"path": record.path, "first_page": first,
                                                           "last_page": last, "problems": problems})
                for page in catalog.page_range(record.id, first, last):
                    try:
                        facts = scan_facts(record.disk_path, Kind(record.kind), page.page)
                    except (OSError, ValueError, pikepdf.PdfError) as error:
                        problems = [translate(N_("cannot read the scan: {error}")).format(error=error)]
                    else:
                        problems = page_problems(facts, _is_map(fields, facts), page.confidence, page.source,
                                                 translate)
                    if problems:
                        grouped.setdefault(code, []).append({"path": record.path, "page": page.page,
                                                             "problems": problems})
    finally:
        catalog.close()
    codes = sorted(grouped.keys() | documents.keys(), key=lambda code: (code is None, code or ""))
    return [{"dossier": code, "pages": grouped.get(code, []), "documents": documents.get(code, [])} for code in codes]
