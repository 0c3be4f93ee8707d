"""PDFs made the way offices' tools make them, from the sample scans: a scanner's or OCRmyPDF's searchable
PDF (Tesseract's own invisible text layer over the page image), and a portal's signed scan (a bilevel
CCITT G4 page image at 200 dpi, with the signature block drawn over page 1 as an image and four lines of text,
and a digital signature by a certificate made here, as the portal's is by the Government CA's).
"""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import tempfile
import warnings
from pathlib import Path

import img2pdf
import pikepdf
from asn1crypto import keys, x509
from cryptography import x509 as crypto_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from PIL import Image
from reportlab.lib.colors import red
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core (Makefile)
# What the government portal draws over page 1 of a document it signs.
PORTAL_SIGNATURE = ("Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "Email: thongtinchinhphu@chinhphu.vn",
                    "Cơ quan: VĂN PHÒNG CHÍNH PHỦ", "Thời gian ký: 23.04.2026 15:54:16 +07:00")


def earlier_ocr_pdf(image: Path, path: Path, language: str, stored: Image.Image | None = None) -> Path:
    """The page image with Tesseract's invisible text layer over it, read in `language` (a scanner's
    "searchable PDF" is made so; read in `eng`, its Vietnamese loses every mark). With `stored`, the PDF keeps
    that image (gray, the same size) instead of the one read, as a scanner that reads its full-quality capture
    and stores a JPEG a fraction of its size."""
    subprocess.run(["tesseract", str(image), str(path.with_suffix("")), "-l", language, "pdf"],
                   capture_output=True, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    if stored is not None:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            picture = next(iter(pdf.pages[0].get_images().values()))
            assert (int(picture.Width), int(picture.Height)) == stored.size
            jpeg = io.BytesIO()
            stored.convert("L").save(jpeg, "JPEG", quality=8)
            picture.write(jpeg.getvalue(), filter=pikepdf.Name.DCTDecode)
            picture.ColorSpace, picture.BitsPerComponent = pikepdf.Name.DeviceGray, 8
            pdf.save(path)
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


def digitally_signed(path: Path, signed: Path, signer: str = "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
                     organisation: str = "VĂN PHÒNG CHÍNH PHỦ") -> Path:
    """The PDF signed (an incremental update, as signing services write it) by a new certificate of `signer`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyHanko imports DSA, which cryptography deprecates
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = crypto_x509.Name([crypto_x509.NameAttribute(NameOID.COMMON_NAME, signer),
                             crypto_x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                             crypto_x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (crypto_x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(crypto_x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(crypto_x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                                  critical=True)
                   .sign(key, hashes.SHA256()))
    simple = signers.SimpleSigner(
        signing_cert=x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER,
                                                               serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore())
    with open(path, "rb") as source, open(signed, "wb") as target, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signers.sign_pdf(IncrementalPdfFileWriter(source), signers.PdfSignatureMetadata(field_name="Signature1"),
                         signer=simple, output=target)
    return signed
