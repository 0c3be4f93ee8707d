"""A scanned page's own pixels, ready to be placed in an exported PDF.

A JPEG is passed through as it is (never decoded and compressed again), PNG and TIFF pages go
losslessly through img2pdf, and a PDF page that is one scanned image keeps that image's stream.
Anything else (a page drawn from text and vectors, an image filter PDF/A forbids) is rendered
the way the pipeline rendered it and stored losslessly. Each image comes with the map from its
own pixels to the page image luutru read (the "original", on which word boxes are stored).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import img2pdf
import numpy as np
import pikepdf
from PIL import Image

from luutru.scanners.formats import Kind
from luutru.scanners.pages import render_page

# Image filters a PDF/A-2 file may hold; LZW is forbidden, and JPEG 2000 has rules of its own.
PDFA_FILTERS = {"/DCTDecode", "/FlateDecode", "/CCITTFaxDecode", "/JBIG2Decode", "/RunLengthDecode"}
PDFA_COLOUR_SPACES = {"/DeviceGray", "/DeviceRGB"}
EXIF_ORIENTATION = 0x0112
IMG2PDF_ERRORS = (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, img2pdf.UnsupportedColorspaceError,
                  img2pdf.JpegColorspaceError, img2pdf.NegativeDimensionError, img2pdf.PdfTooLargeError)
# A page image may miss the page's edge by this share and still count as covering it.
COVER_TOLERANCE = 0.01


class ExportImageError(ValueError):
    """A page whose pixels cannot be placed in a PDF/A file."""


@dataclass
class PageImage:
    image: pikepdf.Object  # an image XObject (in the PDF it was read from; copy it with copy_foreign)
    width: int  # its own pixels
    height: int
    to_original: np.ndarray  # 3x3: its pixel (column, row) -> the original page image's pixel
    source: str  # "passed through", "lossless" or "rendered"
    owner: pikepdf.Pdf | None = None  # keeps the PDF the image lives in open until it is copied


def orientation_map(orientation: int, width: int, height: int) -> np.ndarray:
    """The map of PIL's `exif_transpose` for an EXIF orientation, on a `width` x `height` image."""
    maps = {1: [[1, 0, 0], [0, 1, 0]], 2: [[-1, 0, width], [0, 1, 0]], 3: [[-1, 0, width], [0, -1, height]],
            4: [[1, 0, 0], [0, -1, height]], 5: [[0, 1, 0], [1, 0, 0]], 6: [[0, -1, height], [1, 0, 0]],
            7: [[0, -1, height], [-1, 0, width]], 8: [[0, 1, 0], [-1, 0, width]]}
    return np.vstack([np.array(maps.get(orientation, maps[1]), dtype=float), [0.0, 0.0, 1.0]])


def _scale(x: float, y: float) -> np.ndarray:
    return np.diag([x, y, 1.0])


@lru_cache(maxsize=2)
def _converted(path: Path, mtime_ns: int) -> pikepdf.Pdf:
    """img2pdf's PDF of an image file, one page per frame, the pixels as stored (EXIF not applied).
    Cached: the documents of one multi-page TIFF are exported one after the other."""
    with open(path, "rb") as file:
        converted = img2pdf.convert(file.read(), rotation=img2pdf.Rotation.none)
    return pikepdf.open(io.BytesIO(converted))


def _only_image(page: pikepdf.Page) -> pikepdf.Object:
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    images = [xobjects[name] for name in xobjects.keys() if xobjects[name].get("/Subtype") == "/Image"]
    if len(images) != 1:
        raise ExportImageError(f"expected one image on the page, found {len(images)}")
    return images[0]


def _pdfa_safe(image: pikepdf.Object) -> bool:
    filters = image.get("/Filter")
    names = [str(name) for name in (filters if isinstance(filters, pikepdf.Array) else [filters] if filters else [])]
    space = image.get("/ColorSpace")
    base = space[1] if isinstance(space, pikepdf.Array) and str(space[0]) == "/Indexed" else space
    plain_space = (str(base) in PDFA_COLOUR_SPACES or (isinstance(base, pikepdf.Array) and str(base[0]) == "/ICCBased")
                   or bool(image.get("/ImageMask")))
    return (all(name in PDFA_FILTERS for name in names) and plain_space and "/SMask" not in image
            and "/Alternates" not in image and "/OPI" not in image)


def _from_image_file(path: Path, page: int, original_size: tuple[int, int]) -> PageImage:
    with Image.open(path) as opened:
        opened.seek(page - 1)
        orientation = int(opened.getexif().get(EXIF_ORIENTATION, 1) or 1)
    converted = _converted(path, path.stat().st_mtime_ns)
    image = _only_image(converted.pages[page - 1])
    width, height = int(image.Width), int(image.Height)
    if not _pdfa_safe(image):
        raise ExportImageError("img2pdf kept an image PDF/A does not allow")
    to_upright = orientation_map(orientation, width, height)
    upright_width, upright_height = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    to_original = _scale(original_size[0] / upright_width, original_size[1] / upright_height) @ to_upright
    source = "passed through" if "/DCTDecode" in str(image.get("/Filter")) else "lossless"
    return PageImage(image, width, height, to_original, source)


def image_drawn(page: pikepdf.Page) -> tuple[pikepdf.Object, np.ndarray] | None:
    """The page's one image and the matrix that draws it, when nothing else is painted but text."""
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    ctm, saved, drawn = np.eye(3), [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "q":
            saved.append(ctm)
        elif name == "Q" and saved:
            ctm = saved.pop()
        elif name == "cm":
            a, b, c, d, e, f = (float(value) for value in operands)
            ctm = np.array([[a, b, 0], [c, d, 0], [e, f, 1]]) @ ctm
        elif name == "Do":
            xobject = xobjects.get(str(operands[0]))
            if xobject is None or xobject.get("/Subtype") != "/Image":
                return None
            drawn.append((xobject, ctm))
        elif name in ("re", "f", "F", "f*", "S", "s", "B", "b", "sh", "BI"):  # vector painting
            return None
    return drawn[0] if len(drawn) == 1 else None


def _from_pdf(path: Path, page: int, original_size: tuple[int, int]) -> PageImage | None:
    """The scanned image of a PDF page, when the page is just that image (text over it is dropped:
    the export writes luutru's own text layer); None for any other page."""
    source = open_pdf(path)
    pdf_page = source.pages[page - 1]
    if int(pdf_page.obj.get("/Rotate", 0)) % 360:
        return None
    found = image_drawn(pdf_page)
    if found is None or not _pdfa_safe(found[0]):
        return None
    image, ctm = found
    width, height = int(image.Width), int(image.Height)
    x0, y0, x1, y1 = (float(value) for value in pdf_page.mediabox)
    # image pixel -> unit square -> page points (ctm) -> original pixels (y down, from the top left)
    to_unit = np.array([[1 / width, 0, 0], [0, -1 / height, 1], [0, 0, 1]])
    to_points = ctm.T
    to_pixels = np.array([[original_size[0] / (x1 - x0), 0, -x0 * original_size[0] / (x1 - x0)],
                          [0, -original_size[1] / (y1 - y0), y1 * original_size[1] / (y1 - y0)], [0, 0, 1]])
    to_original = to_pixels @ to_points @ to_unit
    corners = to_original @ np.array([[0, width, 0, width], [0, 0, height, height], [1, 1, 1, 1]])
    tolerance = COVER_TOLERANCE * np.array(original_size)
    covers = (np.all(np.abs(corners[:2].min(axis=1)) <= tolerance)
              and np.all(np.abs(corners[:2].max(axis=1) - original_size) <= tolerance))
    upright = abs(to_original[0, 1]) < 1e-9 or abs(to_original[0, 0]) < 1e-9
    if not (covers and upright):
        return None
    return PageImage(image, width, height, to_original, "passed through")


def pdf_page_size(path: Path, page: int, dpi: float) -> tuple[int, int]:
    """The pixels of a PDF page rendered at `dpi`, as poppler renders it (turned by its /Rotate)."""
    pdf_page = open_pdf(path).pages[page - 1]
    x0, y0, x1, y1 = (float(value) for value in pdf_page.mediabox)
    width, height = round(abs(x1 - x0) * dpi / 72), round(abs(y1 - y0) * dpi / 72)
    return (height, width) if int(pdf_page.obj.get("/Rotate", 0)) % 180 else (width, height)


def open_pdf(path: Path) -> pikepdf.Pdf:
    """The PDF, opened once for the pages read from it one after the other (kept open: do not close it)."""
    return _open_pdf(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _open_pdf(path: Path, mtime_ns: int) -> pikepdf.Pdf:
    return pikepdf.open(path)


def _rendered(path: Path, kind: Kind, page: int, dpi: float, original_size: tuple[int, int]) -> PageImage:
    """The page as the pipeline rendered it, stored losslessly (PNG through img2pdf)."""
    rendered = render_page(path, kind, page, dpi=round(dpi))
    buffer = io.BytesIO()
    rendered.save(buffer, format="PNG")
    converted = pikepdf.open(io.BytesIO(img2pdf.convert(buffer.getvalue(), rotation=img2pdf.Rotation.none)))
    image = _only_image(converted.pages[0])
    width, height = int(image.Width), int(image.Height)
    return PageImage(image, width, height, _scale(original_size[0] / width, original_size[1] / height), "rendered",
                     converted)


def page_image(path: Path, kind: Kind, page: int, dpi: float, original_size: tuple[int, int]) -> PageImage:
    """Page `page` (1-based) of a scan, as the image to place in a PDF/A file."""
    try:
        if kind is Kind.PDF:
            found = _from_pdf(path, page, original_size)
            if found is not None:
                return found
        else:
            return _from_image_file(path, page, original_size)
    except (ExportImageError, *IMG2PDF_ERRORS, pikepdf.PdfError, OSError, ValueError):
        pass  # e.g. an image with transparency, a CMYK JPEG, a filter PDF/A forbids: store the rendered page
    return _rendered(path, kind, page, dpi, original_size)
