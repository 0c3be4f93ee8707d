"""Render the sample scans in samples/ from samples/documents.py, with their true text.

Run by hand (`make samples`) when the documents change; the output is committed so that the
demo and the tests need no fonts. Pages are A4 at 300 dpi, laid out per Decree 30/2020/NĐ-CP,
then damaged the way real scans are: skew, speckle, a red seal over the signature, blue ink,
JPEG compression. `truth.json` maps each file to the true text of its pages.
"""

from __future__ import annotations

import io
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from documents import ALL_DOCUMENTS, Document, Page  # noqa: E402

HERE = Path(__file__).resolve().parent
DPI = 300
A4 = (2480, 3508)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP = 330, 200, 240
FONT_DIRS = ["/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont"]
# The type of a page: serif (today's decrees), sans (today's forms), typewriter (the 1990s' archives).
FONT_FILES = {
    "serif": {"regular": ["NotoSerif-Regular.ttf", "DejaVuSerif.ttf"],
              "bold": ["NotoSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"],
              "italic": ["NotoSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"]},
    "sans": {"regular": ["NotoSans-Regular.ttf", "DejaVuSans.ttf"],
             "bold": ["NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"],
             "italic": ["NotoSans-Italic.ttf", "DejaVuSans-Oblique.ttf"]},
    # FreeSerif and FreeSans: a Times and a Helvetica, the faces of most offices' word processors (Decree
    # 30/2020/NĐ-CP prescribes Times New Roman); the OCR benchmark sets every other page in them.
    "times": {"regular": ["FreeSerif.ttf"], "bold": ["FreeSerifBold.ttf"], "italic": ["FreeSerifItalic.ttf"]},
    "helvetica": {"regular": ["FreeSans.ttf"], "bold": ["FreeSansBold.ttf"], "italic": ["FreeSansOblique.ttf"]},
    # FreeMono, a Courier: every Vietnamese letter precomposed (DejaVu Sans Mono lacks ấ, ở, ả ...)
    "typewriter": {"regular": ["FreeMono.ttf"], "bold": ["FreeMonoBold.ttf"], "italic": ["FreeMonoOblique.ttf"]},
}


def font_path(style: str, family: str = "serif") -> str:
    for name in FONT_FILES[family][style]:
        for folder in FONT_DIRS:
            candidate = Path(folder) / name
            if candidate.exists():
                return str(candidate)
    sys.exit(f"make_samples: no {style} {family} font with Vietnamese glyphs; "
             "apt-get install fonts-noto-core fonts-dejavu-core fonts-freefont-ttf")


def font(style: str, points: float, family: str = "serif") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(style, family), round(points * DPI / 72))


def wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=face) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


class Layout:
    """Draws a page top to bottom and records its true text in reading order."""

    def __init__(self, family: str = "serif") -> None:
        self.family = family
        self.image = Image.new("RGB", A4, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN_TOP
        self.truth: list[str] = []

    def font(self, style: str, points: float) -> ImageFont.FreeTypeFont:
        return font(style, points, self.family)

    def centred(self, text: str, face: ImageFont.FreeTypeFont, centre_x: int, y: int) -> int:
        width = self.draw.textlength(text, font=face)
        self.draw.text((centre_x - width / 2, y), text, font=face, fill="black")
        return y + round(face.size * 1.35)

    def header(self, page: Page) -> None:
        left_x, right_x = 700, 1620
        left_y = right_y = self.y
        for text in page.agency:
            left_y = self.centred(text, self.font("bold", 12.5), left_x, left_y)
        for text in page.motto:
            right_y = self.centred(text, self.font("bold", 12.5), right_x, right_y)
        row = max(left_y, right_y) + 40
        if page.number:
            self.centred(page.number, self.font("regular", 13), left_x, row)
        if page.place_date:
            self.centred(page.place_date, self.font("italic", 13), right_x, row)
        # As a person reads it: the left column (agency, number), then the right (motto, place and date).
        self.truth += [*page.agency, page.number, *page.motto, page.place_date]
        self.y = row + (120 if page.number or page.place_date else 0)

    def title(self, lines: tuple[str, ...]) -> None:
        for index, text in enumerate(lines):
            face = self.font("bold", 14 if index == 0 else 13)
            self.y = self.centred(text, face, A4[0] // 2, self.y)
        self.truth += list(lines)
        self.y += 50

    def body(self, paragraphs: tuple[str, ...]) -> None:
        face = self.font("regular", 13)
        width = A4[0] - MARGIN_LEFT - MARGIN_RIGHT
        for paragraph in paragraphs:
            for index, line in enumerate(wrap(self.draw, paragraph, face, width - 120)):
                x = MARGIN_LEFT + (120 if index == 0 else 0)
                self.draw.text((x, self.y), line, font=face, fill="black")
                self.y += round(face.size * 1.45)
            self.y += 20
        self.truth += list(paragraphs)

    def signature(self, lines: tuple[str, ...]) -> tuple[int, int] | None:
        if not lines:
            return None
        centre_x, top = 1750, self.y + 60
        y = top
        for text in lines:
            if text:
                y = self.centred(text, self.font("bold", 13), centre_x, y)
            else:
                y += 90
        self.truth += [text for text in lines if text]
        return centre_x, top + 200


def render(page: Page, family: str = "serif") -> tuple[Image.Image, str, tuple[int, int] | None]:
    layout = Layout(family)
    if page.agency or page.motto:
        layout.header(page)
    if page.title:
        layout.title(page.title)
    layout.body(page.body)
    stamp_at = layout.signature(page.signature)
    truth = "\n".join(line for line in layout.truth if line)
    return layout.image, truth, stamp_at


def add_signature_and_seal(image: Image.Image, centre: tuple[int, int], rng: random.Random) -> Image.Image:
    """Blue signature scrawl, then a red seal stamped over the signer's lines."""
    draw = ImageDraw.Draw(image)
    x0, y0 = centre[0] - 160, centre[1] - 20
    points = [(x0 + i * 8, y0 + 35 * math.sin(i / 4.0) + rng.uniform(-6, 6)) for i in range(45)]
    draw.line(points, fill=(30, 50, 170), width=6)
    seal = Image.new("RGB", image.size, "white")
    seal_draw = ImageDraw.Draw(seal)
    cx, cy, radius = centre[0] - 260, centre[1] - 120, 230
    for r, width in ((radius, 14), (radius - 60, 8)):
        seal_draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(215, 30, 35), width=width)
    star = [(cx + 70 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
             cy - 70 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
    seal_draw.polygon(star, fill=(215, 30, 35))
    for k in range(28):
        angle = 2 * math.pi * k / 28
        px, py = cx + (radius - 30) * math.cos(angle), cy + (radius - 30) * math.sin(angle)
        seal_draw.rectangle((px - 9, py - 9, px + 9, py + 9), fill=(215, 30, 35))
    # Multiply, as ink does: black text under the seal stays black.
    return Image.fromarray((np.asarray(image, np.float32) * np.asarray(seal, np.float32) / 255).astype(np.uint8))


def skew(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, resample=Image.BICUBIC, expand=False, fillcolor="white")


def speckle(gray: np.ndarray, rng: np.random.Generator, density: float) -> np.ndarray:
    noisy = gray.copy()
    dots = rng.random(gray.shape) < density
    noisy[dots] = rng.integers(0, 90, int(dots.sum()))
    return noisy


def yellowed(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    pixels = np.asarray(image, np.float32)
    paper = np.array([244, 236, 205], np.float32) / 255
    noise = rng.normal(0, 6, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(pixels * paper + noise, 0, 255).astype(np.uint8))


def scanned_pages(document: Document, seed: int) -> tuple[list[Image.Image], list[str]]:
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    images, truths = [], []
    for number, page in enumerate(document.pages):
        image, truth, stamp_at = render(page)
        if stamp_at:
            image = add_signature_and_seal(image, stamp_at, rng)
        image = yellowed(image, nrng)
        if document.name.endswith(".jpg") or number == 1:
            image = skew(image, rng.choice([-1.0, 1.0]) * rng.uniform(1.2, 2.2))
        images.append(image)
        truths.append(truth)
    return images, truths


def save_scan(document: Document, images: list[Image.Image], target: Path, seed: int) -> None:
    nrng = np.random.default_rng(seed)
    suffix = target.suffix
    if suffix == ".jpg":
        images[0].save(target, quality=80, dpi=(DPI, DPI))
    elif suffix == ".png":
        gray = speckle(np.asarray(images[0].convert("L")), nrng, 0.002)
        Image.fromarray(gray).point(lambda v: 255 if v > 150 else 0).convert("1").save(target, dpi=(DPI, DPI))
    elif suffix == ".tif":
        bilevel = [image.convert("L").point(lambda v: 255 if v > 150 else 0).convert("1") for image in images]
        bilevel[0].save(target, save_all=True, append_images=bilevel[1:], compression="group4", dpi=(DPI, DPI))
    elif suffix == ".pdf":
        pages = [Image.open(io.BytesIO(_jpeg(image.convert("L")))) for image in images]
        pages[0].save(target, save_all=True, append_images=pages[1:], resolution=DPI)
    else:
        raise ValueError(f"no scan style for {target.name}")


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def save_born_digital_pdf(document: Document, target: Path) -> list[str]:
    """A PDF made by a word processor: real text, no OCR needed."""
    from reportlab.lib.pagesizes import A4 as A4_POINTS
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Serif", font_path("regular")))
    pdfmetrics.registerFont(TTFont("Serif-Bold", font_path("bold")))
    pdf = canvas.Canvas(str(target), pagesize=A4_POINTS)
    truths = []
    for page in document.pages:
        _, truth, _ = render(page)
        y = A4_POINTS[1] - 60
        for index, line in enumerate(truth.splitlines()):
            for piece in _wrap_points(pdfmetrics, line, 80):
                pdf.setFont("Serif-Bold" if index < 4 else "Serif", 12)
                pdf.drawString(60, y, piece)
                y -= 17
        pdf.showPage()
        truths.append(truth)
    pdf.save()
    return truths


def _wrap_points(pdfmetrics, line: str, limit: int) -> list[str]:
    words, lines, current = line.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(trial, "Serif", 12) > 475:
            lines.append(current)
            current = word
        else:
            current = trial
    return lines + ([current] if current else [])


def main() -> None:
    truth: dict[str, list[str]] = {}
    for seed, document in enumerate(ALL_DOCUMENTS, start=1):
        target = HERE / "scans" / document.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if document.born_digital:
            truth[document.name] = save_born_digital_pdf(document, target)
        else:
            images, truth[document.name] = scanned_pages(document, seed)
            save_scan(document, images, target, seed)
        print(f"{target.relative_to(HERE)}: {len(truth[document.name])} page(s), "
              f"{target.stat().st_size // 1024} KB")
    (HERE / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
