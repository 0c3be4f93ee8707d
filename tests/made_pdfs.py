"""PDFs made the way offices' tools make them, from the sample scans: a scanner's or OCRmyPDF's searchable
PDF (Tesseract's own invisible text layer over the page image), and a portal's signed scan (a bilevel
CCITT G4 page image at 200 dpi, with the signature block drawn over page 1 as an image and four lines of text).
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image
from reportlab.lib.colors import red
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core (Makefile)
# What the government portal draws over page 1 of a document it signs.
PORTAL_SIGNATURE = ("Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "Email: thongtinchinhphu@chinhphu.vn",
                    "Cơ quan: VĂN PHÒNG CHÍNH PHỦ", "Thời gian ký: 23.04.2026 15:54:16 +07:00")


def earlier_ocr_pdf(image: Path, path: Path, language: str) -> Path:
    """The page image with Tesseract's invisible text layer over it, read in `language` (a scanner's
    "searchable PDF" is made so; read in `eng`, its Vietnamese loses every mark)."""
    subprocess.run(["tesseract", str(image), str(path.with_suffix("")), "-l", language, "pdf"],
                   capture_output=True, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return path


def portal_signed_pdf(images: list[Path], path: Path, lines: tuple[str, ...] = PORTAL_SIGNATURE,
                      dpi: int = 200) -> Path:
    """The scanned pages as bilevel CCITT G4 images at `dpi`, one a page, with a signature block drawn over the
    top of page 1: a small image (the portal's mark) and `lines` of text."""
    with tempfile.TemporaryDirectory() as folder:
        tiffs = []
        for number, image in enumerate(images):
            with Image.open(image) as scan:
                scale = dpi / scan.info.get("dpi", (300, 300))[0]
                size = (round(scan.width * scale), round(scan.height * scale))
                bilevel = scan.convert("L").resize(size, Image.LANCZOS).point(lambda v: 255 if v > 150 else 0)
            tiffs.append(Path(folder) / f"{number}.tif")
            bilevel.convert("1").save(tiffs[-1], compression="group4", dpi=(dpi, dpi))
        path.write_bytes(img2pdf.convert([str(tiff) for tiff in tiffs]))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        first = pdf.pages[0]
        width, height = (float(value) for value in first.mediabox[2:])
        with pikepdf.open(io.BytesIO(_signature_block(width, height, lines))) as block:
            first.add_overlay(block.pages[0])
        pdf.save(path)
    return path


def _signature_block(width: float, height: float, lines: tuple[str, ...]) -> bytes:
    """One page `width` x `height` points with the signature block at its top: a red mark and the lines."""
    pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height))
    top = height - 6
    page.setFillColor(red)
    page.rect(0.28 * width - 36, top - 30, 30, 30, stroke=0, fill=1)
    text = page.beginText(0.28 * width, top - 6)
    text.setFont("DejaVuSans", 6.5)
    for line in lines:
        text.textLine(line)
    page.setFillColorRGB(0, 0, 0)
    page.drawText(text)
    page.save()
    return out.getvalue()
