"""Pages of a scan, one at a time: PDF pages rendered by poppler, TIFF frames, JPEG and PNG."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pdf2image
import pikepdf
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image, ImageOps, UnidentifiedImageError

from luutru.scanners.formats import Kind
from luutru.scanners.limits import DEFAULT_DPI, DEFAULT_MAX_PIXELS, POPPLER_TIMEOUT

# Pillow's own bomb guard (a warning past 89 MP, an error past 179 MP) would override the limit a
# user sets with --max-pixels; _check_pixels below applies that limit, from the header, instead.
Image.MAX_IMAGE_PIXELS = None


class ScanError(Exception):
    """A file or page that cannot be read; the message is the reason, fit for one line."""


def _pdf_info(path: Path) -> dict:
    try:
        return pdf2image.pdfinfo_from_path(str(path), timeout=POPPLER_TIMEOUT)
    except PDFInfoNotInstalledError as error:
        raise ScanError("poppler (pdfinfo) is not installed") from error
    except (PDFPageCountError, PDFSyntaxError, ValueError) as error:
        message = str(error)
        if "Incorrect password" in message:
            raise ScanError("password-protected PDF: it cannot be opened without its password") from error
        if "Invalid page count 0" in message or "Wrong page range" in message:
            raise ScanError("PDF has no pages") from error
        raise ScanError(f"unreadable PDF: {_first_line(error)}") from error
    except subprocess.TimeoutExpired as error:
        raise ScanError(f"pdfinfo took longer than {POPPLER_TIMEOUT}s") from error


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open an image lazily and refuse a decompression bomb from its header, before decoding."""
    try:
        image = Image.open(path)
    except UnidentifiedImageError as error:
        raise ScanError("not a readable image") from error
    try:
        _check_pixels(image, max_pixels)
    except ScanError:
        image.close()
        raise
    return image


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise ScanError(f"image is {width}x{height} pixels, over the limit of {max_pixels:,} "
                        "(raise --max-pixels for large map sheets)")


def count_pages(path: Path, kind: Kind, max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    if kind is Kind.PDF:
        # A PDF encrypted with an owner password only (no copying, say) opens and renders as usual.
        info = _pdf_info(path)
        pages = int(info.get("Pages", 0))
        if pages < 1:
            raise ScanError("PDF has no pages")
        return pages
    with _open_image(path, max_pixels) as image:
        return getattr(image, "n_frames", 1)


def render_page(path: Path, kind: Kind, page: int, dpi: int = DEFAULT_DPI,
                max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Page `page` (1-based) as an RGB or grayscale image; only this page is decoded."""
    if kind is Kind.PDF:
        return _render_pdf_page(path, page, dpi)
    with _open_image(path, max_pixels) as image:
        try:
            image.seek(page - 1)
            _check_pixels(image, max_pixels)
            image.load()
        except (EOFError, OSError, ValueError) as error:
            raise ScanError(f"cannot decode page {page}: {_first_line(error)}") from error
        # Phone photos store their rotation in EXIF. In place, on the decoded pixels (never the file):
        # a copy of a 300 dpi page costs some 10 ms, as would a convert to the mode it already has.
        ImageOps.exif_transpose(image, in_place=True)
    mode = "L" if image.mode in ("1", "L", "I;16", "I") else "RGB"
    return image if image.mode == mode else image.convert(mode)


def _render_pdf_page(path: Path, page: int, dpi: int) -> Image.Image:
    # Through a file, not a pipe: a 300 dpi A4 page is 26 MB, and a pipe would hold it twice.
    with tempfile.TemporaryDirectory(prefix="luutru-render-") as folder:
        try:
            rendered = pdf2image.convert_from_path(str(path), dpi=dpi, first_page=page, last_page=page,
                                                   timeout=POPPLER_TIMEOUT, output_folder=folder,
                                                   single_file=True, paths_only=True)
        except (PDFPageCountError, PDFSyntaxError, ValueError) as error:
            raise ScanError(f"cannot render page {page}: {_first_line(error)}") from error
        except subprocess.TimeoutExpired as error:
            raise ScanError(f"rendering page {page} took longer than {POPPLER_TIMEOUT}s") from error
        if not rendered or not Path(rendered[0]).exists():
            raise ScanError(f"poppler rendered nothing for page {page}")
        with Image.open(rendered[0]) as image:
            image.load()
            return image


def _pdftotext(path: Path, page: int, *options: str) -> bytes:
    """What poppler's pdftotext writes for one page; empty when it cannot read the page."""
    try:
        result = subprocess.run(["pdftotext", "-q", *options, "-f", str(page), "-l", str(page), str(path), "-"],
                                capture_output=True, timeout=POPPLER_TIMEOUT, check=False)
    except FileNotFoundError as error:
        raise ScanError("poppler (pdftotext) is not installed") from error
    except subprocess.TimeoutExpired as error:
        raise ScanError(f"pdftotext took longer than {POPPLER_TIMEOUT}s on page {page}") from error
    return result.stdout if result.returncode == 0 else b""


def text_layer(path: Path, page: int) -> str:
    """The text a PDF page already carries (empty for a scanned page), via poppler's pdftotext."""
    return _pdftotext(path, page, "-enc", "UTF-8").decode("utf-8", errors="replace")


# Images covering this share of the page, together, are a scan of the whole page.
FULL_PAGE_SHARE = 0.8
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
INVISIBLE = 3  # text render mode 3: neither filled nor stroked
MAX_FORM_DEPTH = 8
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class _Drawing:
    visible: int = 0
    invisible: int = 0
    image_area: float = 0.0


@dataclass(frozen=True)
class LayerFacts:
    """How a PDF page draws its text layer."""
    scanned: bool  # images cover the whole page: the page is a scan, whatever text is drawn on it
    invisible: bool  # most of its text is drawn invisibly: an earlier OCR's layer, not typed text


@dataclass(frozen=True)
class LayerWord:
    text: str
    box: tuple[float, float, float, float]  # left, top, right, bottom as shares of the page's width and height


def _walk_content(content, resources, ctm: np.ndarray, drawing: _Drawing, depth: int = 0) -> None:
    """Count text shown visibly and invisibly, and the area images cover, in a content stream and the
    forms it draws, following the transformation matrix and the text render mode."""
    saved, mode = [], 0
    xobjects = resources.get("/XObject", {}) if resources is not None else {}
    for operands, operator in pikepdf.parse_content_stream(content):
        name = str(operator)
        if name == "q":
            saved.append((ctm, mode))
        elif name == "Q" and saved:
            ctm, mode = saved.pop()
        elif name == "cm":
            a, b, c, d, e, f = (float(value) for value in operands)
            ctm = np.array([[a, b, 0], [c, d, 0], [e, f, 1]]) @ ctm
        elif name == "Tr":
            mode = int(operands[0])
        elif name in TEXT_SHOWING:
            if mode == INVISIBLE:
                drawing.invisible += 1
            else:
                drawing.visible += 1
        elif name == "Do" and str(operands[0]) in xobjects:
            xobject = xobjects[str(operands[0])]
            if xobject.get("/Subtype") == "/Image":
                drawing.image_area += abs(np.linalg.det(ctm[:2, :2]))
            elif xobject.get("/Subtype") == "/Form" and depth < MAX_FORM_DEPTH:
                matrix = [float(value) for value in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                form_ctm = np.array([[*matrix[0:2], 0], [*matrix[2:4], 0], [*matrix[4:6], 1]]) @ ctm
                _walk_content(xobject, xobject.get("/Resources", resources), form_ctm, drawing, depth + 1)


def layer_facts(path: Path, page: int) -> LayerFacts:
    """Whether the page is a scan (images over the whole page; a scanner may draw it in strips) and whether
    its text is drawn invisibly: an earlier OCR's (a scanner's "searchable PDF", OCRmyPDF)."""
    try:
        with pikepdf.open(path) as pdf:
            pdf_page = pdf.pages[page - 1]
            x0, y0, x1, y1 = (float(value) for value in pdf_page.mediabox)
            drawing = _Drawing()
            _walk_content(pdf_page, pdf_page.obj.get("/Resources"), np.eye(3), drawing)
    except (pikepdf.PdfError, IndexError, ValueError, TypeError) as error:
        raise ScanError(f"cannot read the text layer of page {page}: {_first_line(error)}") from error
    return LayerFacts(bool(drawing.image_area >= FULL_PAGE_SHARE * abs((x1 - x0) * (y1 - y0))),
                      drawing.invisible > drawing.visible)


def text_layer_lines(path: Path, page: int) -> list[list[LayerWord]]:
    """The words of a PDF page's text layer with their boxes, a list per line, as poppler lays them out."""
    layout = _pdftotext(path, page, "-bbox-layout")
    try:
        root = ElementTree.fromstring(layout) if layout else None
    except ElementTree.ParseError as error:
        raise ScanError(f"cannot read the text layer of page {page}: {error}") from error
    shown = root.find(f".//{XHTML}page") if root is not None else None
    if shown is None:
        return []
    width, height = float(shown.get("width")), float(shown.get("height"))

    def word(element) -> LayerWord:
        left, top, right, bottom = (float(element.get(name)) for name in ("xMin", "yMin", "xMax", "yMax"))
        return LayerWord(element.text or "", (left / width, top / height, right / width, bottom / height))

    lines = ([word(element) for element in line.iter(f"{XHTML}word") if (element.text or "").strip()]
             for line in shown.iter(f"{XHTML}line"))
    return [line for line in lines if line]


def image_dpi(image: Image.Image) -> float | None:
    """The resolution an image file records, or None."""
    dpi = image.info.get("dpi")
    return round(float(dpi[0]), 2) if dpi and dpi[0] else None
