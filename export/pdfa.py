"""Two-layer PDF/A-2b files: the scan's own pixels, and the stored words invisible on their boxes.

Nothing is read again: the words, their boxes on the original page image and the way the page
was turned to read it all come from the catalog. A page read turned is drawn upright. The text
is shown in text render mode 3 (invisible) with a font whose every glyph is blank, written by
luutru itself (fontTools): every character is its own Unicode code in the content stream
(Identity-H) and the ToUnicode map says so, so `pdftotext`, copy and search give the stored NFC
text with every diacritic and `đ`, whatever the number of distinct characters (OCRmyPDF 17 loses
the map past some 100 glyphs). pikepdf prepares the file (sRGB output intent, XMP with the PDF/A
declaration), writes it and validates the written bytes with its PDF/A-2b validator before the
file is moved into place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pikepdf
import pikepdf.pdfa

from luutru.export.images import PageImage, page_image, pdf_page_size
from luutru.pipeline.layout import upright, word_lines, words_on_original
from luutru.scanners.formats import Kind
from luutru.scanners.limits import DEFAULT_DPI

FONT_NAME = "LuutruGlyphless"
UNITS_PER_EM = 1000
GLYPH_ADVANCE = 500  # every glyph, in font units: half an em
ASCENT, DESCENT = 800, -200  # a word's box spans the font's whole height at its size
MISSING = 0xFFFD  # a character outside the Basic Multilingual Plane is shown as the replacement character
BFCHAR_BLOCK = 100  # entries per beginbfchar block, the CMap limit
POINTS_PER_INCH = 72
WORD_GAP = 0.2  # of the font size: the least gap between two words' boxes on a line
MIN_WIDTH = 0.5  # points: a word narrowed for that gap keeps at least this width


class ExportError(ValueError):
    """A document that cannot be exported; the message says which and why."""


@dataclass
class ExportPage:
    path: Path  # the scan, on disk
    kind: Kind
    page: int  # 1-based
    text: str  # the stored text, NFC
    words: list  # [[text, confidence, left, top, width, height], ...] on the original image
    geometry: dict  # width, height, dpi, to_read, boxes


@dataclass
class PdfMetadata:
    title: str
    identifier: str  # the file's name without .pdf: the dossier code and order
    issued: str | None = None  # YYYY-MM-DD
    agency: str | None = None
    subject: str | None = None
    keywords: list[str] = field(default_factory=list)


@dataclass
class ExportedPdf:
    path: Path
    pages: int
    images: dict[str, int]  # how each page's pixels were stored: passed through, lossless, rendered
    words: int


@lru_cache(maxsize=1)
def glyphless_font() -> bytes:
    """A TrueType font of one blank glyph half an em wide (and the blank .notdef it must have)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap({0x20: "blank"})
    blank = TTGlyphPen(None).glyph()
    builder.setupGlyf({".notdef": blank, "blank": blank})
    builder.setupHorizontalMetrics({".notdef": (GLYPH_ADVANCE, 0), "blank": (GLYPH_ADVANCE, 0)})
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT, usWinDescent=-DESCENT)
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


def _code(character: str) -> int:
    code = ord(character)
    return code if code <= 0xFFFF and not 0xD800 <= code <= 0xDFFF and code >= 0x20 else MISSING


def _to_unicode(codes: set[int]) -> bytes:
    """A ToUnicode CMap that maps each code shown to the character it is."""
    ordered = sorted(codes)
    blocks = []
    for start in range(0, len(ordered), BFCHAR_BLOCK):
        chunk = ordered[start:start + BFCHAR_BLOCK]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "".join(f"<{code:04X}> <{code:04X}>\n" for code in chunk)
                      + "endbfchar\n")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "".join(blocks)
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


def _font(pdf: pikepdf.Pdf, codes: set[int]) -> pikepdf.Object:
    """The Type0 font every page's text layer uses: each code drawn as glyph 1, the blank one."""
    descriptor = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + FONT_NAME), Flags=4,
        FontBBox=[0, DESCENT, GLYPH_ADVANCE, ASCENT], ItalicAngle=0, Ascent=ASCENT, Descent=DESCENT,
        CapHeight=ASCENT, StemV=80, FontFile2=pikepdf.Stream(pdf, glyphless_font())))
    every_code_to_glyph_1 = pikepdf.Stream(pdf, b"\x00\x01" * 0x10000)
    descendant = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=pikepdf.Name("/" + FONT_NAME),
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=descriptor, DW=GLYPH_ADVANCE, CIDToGIDMap=every_code_to_glyph_1))
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name("/" + FONT_NAME),
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[descendant],
        ToUnicode=pikepdf.Stream(pdf, _to_unicode(codes))))


def _hex(text: str) -> str:
    return "".join(f"{_code(character):04X}" for character in text)


def _line_boxes(line: list, to_upright: np.ndarray, scale: float, page_height: float) -> list[list[float]]:
    """Each word's box in points (x0, bottom, x1, top), upright. Where a word's box touches or overlaps
    the next one's, it is narrowed to leave a gap: text extraction (poppler) joins words whose boxes
    touch, and would give "`Nx" for the two words "`" and "Nx"."""
    boxes = []
    for _text, _confidence, left, top, width, height in line:
        corners = to_upright @ np.array([[left, left + width], [top, top + height], [1, 1]], dtype=float)
        x0, y0 = corners[:2].min(axis=1) * scale
        x1, y1 = corners[:2].max(axis=1) * scale
        boxes.append([x0, page_height - y1, x1, page_height - y0])
    for current, following in zip(boxes, boxes[1:]):
        gap = WORD_GAP * min(current[3] - current[1], following[3] - following[1])
        if current[0] < following[0] < current[2] + gap:
            current[2] = max(current[0] + MIN_WIDTH, following[0] - gap)
    return boxes


def _text_layer(lines: list[list], to_upright: np.ndarray, scale: float, page_height: float) -> str:
    """Content-stream operators that show each word invisibly over its box, a space after each word
    but a line's last, so text extraction finds the words and the lines."""
    shown = ["BT", "3 Tr"]
    for line in lines:
        boxes = _line_boxes(line, to_upright, scale, page_height)
        for position, (word, (x0, bottom, x1, top)) in enumerate(zip(line, boxes)):
            text = word[0]
            size = max(top - bottom, 1.0)
            stretch = 100 * max(x1 - x0, 0.1) / (len(text) * size * GLYPH_ADVANCE / UNITS_PER_EM)
            baseline = bottom - DESCENT / UNITS_PER_EM * size
            space = " <0020> Tj" if position < len(line) - 1 else ""
            shown.append(f"/F1 {size:.2f} Tf {stretch:.2f} Tz 1 0 0 1 {x0:.2f} {baseline:.2f} Tm "
                         f"<{_hex(text)}> Tj{space}")
    shown.append("ET")
    return "\n".join(shown)


def _matrix_text(matrix: np.ndarray) -> str:
    return " ".join(f"{value:.6f}" for value in (matrix[0, 0], matrix[1, 0], matrix[0, 1], matrix[1, 1],
                                                 matrix[0, 2], matrix[1, 2]))


def spread_words(text: str, width: int, height: int) -> list:
    """Word boxes for a text kept without them (a PDF's own text layer): each line a band across the
    page, top to bottom, its words side by side. The text is found; where it lies is approximate."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    band = height / (len(lines) + 1)
    words = []
    for number, line in enumerate(lines):
        share = width * 0.9 / len(line)
        words += [[word, 100.0, round(width * 0.05 + position * share), round(band * (number + 0.5)),
                   max(round(share * 0.9), 1), max(round(band * 0.6), 1)] for position, word in enumerate(line)]
    return words


def _add_page(pdf: pikepdf.Pdf, font: pikepdf.Object, page: ExportPage) -> str:
    """Add one page, upright, and say how its pixels were stored."""
    geometry = page.geometry
    dpi = float(geometry.get("dpi") or DEFAULT_DPI)
    if "width" not in geometry:  # a PDF page whose own text was kept: nothing was rendered to read it
        width, height = pdf_page_size(page.path, page.page, dpi)
        geometry = {"width": width, "height": height}
    width, height = int(geometry["width"]), int(geometry["height"])
    to_upright, upright_width, upright_height, _turn = upright(geometry)
    scale = POINTS_PER_INCH / dpi
    page_width, page_height = upright_width * scale, upright_height * scale

    placed: PageImage = page_image(page.path, page.kind, page.page, dpi, (width, height))
    from_unit = np.array([[placed.width, 0, 0], [0, -placed.height, placed.height], [0, 0, 1]], dtype=float)
    to_points = np.array([[scale, 0, 0], [0, -scale, page_height], [0, 0, 1]])
    image_matrix = to_points @ to_upright @ placed.to_original @ from_unit

    words = words_on_original(page.words, geometry) or spread_words(page.text, width, height)
    content = (f"q {_matrix_text(image_matrix)} cm /Im0 Do Q\n"
               + _text_layer(word_lines(page.text, words), to_upright, scale, page_height))
    pdf_page = pdf.add_blank_page(page_size=(page_width, page_height))
    pdf_page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=pdf.copy_foreign(placed.image)),
                                                Font=pikepdf.Dictionary(F1=font))
    pdf_page.obj.Contents = pikepdf.Stream(pdf, content.encode("ascii"))
    return placed.source


def _set_metadata(pdf: pikepdf.Pdf, metadata: PdfMetadata) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = metadata.title
        xmp["dc:identifier"] = metadata.identifier
        xmp["dc:language"] = ["vi"]
        if metadata.agency:
            xmp["dc:creator"] = [metadata.agency]
        if metadata.subject:
            xmp["dc:description"] = metadata.subject
        if metadata.issued:
            xmp["dc:date"] = [metadata.issued]
        if metadata.keywords:
            xmp["dc:subject"] = metadata.keywords
        xmp["xmp:CreatorTool"] = "luutru"
        xmp["pdf:Producer"] = "luutru (pikepdf)"


def write_pdfa(pages: list[ExportPage], metadata: PdfMetadata, target: Path) -> ExportedPdf:
    """Write the pages as one PDF/A-2b file at `target`, validated before it is moved into place."""
    pdf = pikepdf.new()
    codes = {_code(character) for page in pages for character in page.text if not character.isspace()} | {0x20}
    font = _font(pdf, codes)
    images: dict[str, int] = {}
    for page in pages:
        source = _add_page(pdf, font, page)
        images[source] = images.get(source, 0) + 1
    _set_metadata(pdf, metadata)
    try:
        pikepdf.pdfa.save(pdf, target, "2b", deterministic_id=True)
    except pikepdf.pdfa.PdfaError as error:
        problems = "; ".join(str(finding) for finding in error.report.findings[:3])
        raise ExportError(f"{target.name}: the file written is not valid PDF/A-2b: {problems}") from error
    return ExportedPdf(target, len(pages), images, sum(len(page.words) for page in pages))
