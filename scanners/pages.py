"""Pages of a scan, one at a time: PDF pages rendered by poppler, TIFF frames, JPEG and PNG."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pdf2image
from luutru.scanners.formats import Kind
from luutru.scanners.limits import DEFAULT_DPI, DEFAULT_MAX_PIXELS, POPPLER_TIMEOUT
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image, ImageOps, UnidentifiedImageError

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
        upright = ImageOps.exif_transpose(image)  # phone photos store their rotation in EXIF
        return upright.convert("L" if upright.mode in ("1", "L", "I;16", "I") else "RGB")


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


def text_layer(path: Path, page: int) -> str:
    """The text a PDF page already carries (empty for a scanned page), via poppler's pdftotext."""
    try:
        result = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True, timeout=POPPLER_TIMEOUT, check=False)
    except FileNotFoundError as error:
        raise ScanError("poppler (pdftotext) is not installed") from error
    except subprocess.TimeoutExpired as error:
        raise ScanError(f"pdftotext took longer than {POPPLER_TIMEOUT}s on page {page}") from error
    return result.stdout.decode("utf-8", errors="replace") if result.returncode == 0 else ""
