"""PDF text layers in legacy Vietnamese encodings: how often luutru finds the encoding, how well it
converts, and how often it raises a false alarm on text that needs no conversion.

Pages are generated (TextMaker: the samples' words at their frequencies, a tail of generated
syllables, Decree 30 headers), encoded by glibc's iconv (TCVN3, i.e. TCVN5712-1 lowercase as a
`.VnTime` font holds it) or by this script's own VNI encoder (written from the VNI keyboard rules,
apart from luutru's decoder), put in a real PDF with a Latin-1 font, and read back through poppler
and `luutru.pipeline.work.process_page`. False alarms are counted on the same pages in Unicode and
on English and French text with accents.

    python benchmarks/legacy_text.py [--pages 50]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from rapidfuzz.distance import Levenshtein  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from luutru.pipeline.vietnamese import repair_legacy  # noqa: E402
from luutru.pipeline.work import PageJob, process_page  # noqa: E402
from luutru.scanners import Kind  # noqa: E402
from samples.synthetic_archive import TextMaker  # noqa: E402

# VNI, by its keyboard rules: a vowel's marks as the bytes typed after it.
VNI_TONE = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
VNI_HAT_TONE = {"": "â", "\u0300": "à", "\u0301": "á", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
VNI_BREVE_TONE = {"": "ê", "\u0300": "è", "\u0301": "é", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
VNI_I = {"\u0300": "ì", "\u0301": "í", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
EUROPEAN = ["The résumé of the naïve café owner was reviewed by the committee in Zürich.",
            "Le comité a étudié la façade de l'hôtel près de la forêt, où l'été est très doux.",
            "Señor Muñoz paid the invoice: 1.250 € for the crème brûlée and the piñata."]


def vni_letter(letter: str) -> str:
    base, *marks = unicodedata.normalize("NFD", letter)
    tone = next((mark for mark in marks if mark in VNI_TONE), "")
    upper = base.isupper()
    if base == "đ" or base == "Đ":
        return "Ñ" if upper else "ñ"
    if base.lower() == "i" and tone:
        return VNI_I[tone].upper() if upper else VNI_I[tone]
    if base.lower() == "y" and tone == "\u0323":
        return "Î" if upper else "î"
    if "\u0302" in marks:
        suffix = VNI_HAT_TONE[tone]
    elif "\u0306" in marks:
        suffix = VNI_BREVE_TONE[tone]
    elif "\u031b" in marks:  # horn: ơ is written ô, ư is written ö
        base = {"o": "ô", "u": "ö"}[base.lower()]
        suffix = VNI_TONE.get(tone, "")
    else:
        suffix = VNI_TONE.get(tone, "")
    text = base + suffix
    return text.upper() if upper else text


def encode(text: str, encoding: str) -> str:
    """The characters a PDF reader shows for text typed in a legacy font."""
    if encoding == "tcvn3":
        raw = subprocess.run(["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.lower().encode(),
                             capture_output=True, check=True).stdout
        return raw.decode("latin-1")
    return "".join(vni_letter(letter) for letter in unicodedata.normalize("NFC", text))


def write_pdf(path: Path, text: str) -> Path:
    page = canvas.Canvas(str(path), pagesize=A4)
    lines = page.beginText(40, A4[1] - 50)
    lines.setFont("Helvetica", 8)
    for line in text.splitlines():
        lines.textLine(line)
    page.drawText(lines)
    page.save()
    return path


def read(path: Path):
    return process_page(PageJob(1, str(path), Kind.PDF, 1))


def _cer(truth: str, text: str) -> float:
    truth, text = (" ".join(unicodedata.normalize("NFC", value).split()) for value in (truth, text))
    return Levenshtein.distance(truth, text) / max(1, len(truth))


def measure(encoding: str, pages: int, folder: Path, seed: int = 7) -> dict:
    """Pages in `encoding` found and converted; false alarms on the same pages in Unicode and on
    European text."""
    maker = TextMaker(random.Random(seed))
    texts = [maker.document(1)[0].replace("²", "2") for _ in range(pages)]  # "m²": no such letter in TCVN3
    detected, cer, false_alarms = 0, 0.0, 0
    for number, text in enumerate(texts):
        outcome = read(write_pdf(folder / f"{encoding}-{number}.pdf", encode(text, encoding)))
        detected += outcome.diagnostics.get("legacy_encoding") == encoding
        cer += _cer(text.lower() if encoding == "tcvn3" else text, outcome.text)
    # The same pages in Unicode (as a PDF with an embedded Unicode font gives them), and European
    # text with accents in a PDF.
    false_alarms = sum(repair_legacy(text)[1] is not None for text in texts)
    for number, text in enumerate(EUROPEAN):
        false_alarms += "legacy_encoding" in read(write_pdf(folder / f"plain-{number}.pdf", text)).diagnostics
    return {"encoding": encoding, "pages": pages, "detected": detected, "cer": round(cer / pages, 4),
            "false_alarms": false_alarms, "plain_pages": pages + len(EUROPEAN)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=50)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for encoding in ("tcvn3", "vni"):
            result = measure(encoding, arguments.pages, Path(folder))
            print(f"{encoding:6} {result['detected']}/{result['pages']} pages detected, CER after conversion "
                  f"{result['cer']:.4f}; false alarms {result['false_alarms']}/{result['plain_pages']} plain pages")


if __name__ == "__main__":
    main()
