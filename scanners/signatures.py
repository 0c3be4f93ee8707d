"""The digital signatures a PDF carries (its signature fields), verified with pyHanko, offline.

Offices receive most documents as scans signed by a portal or the document exchange system (Decree 30/2020
Annex VI asks a document system to let its users check them). What can be checked here: that the signed bytes
are unchanged and the signature matches them (intact), whether it covers the whole file or the file was
changed after it (a later revision: another signature, a form filled in), who signed and when, and who
issued the signer's certificate. Whether that issuer is a trusted authority is not checked: the Government
CA's roots (Ban Cơ yếu Chính phủ) are not on this machine, and nothing is fetched. The file is only read.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace

from luutru.i18n import N_

# Digests a signature should no longer rely on; Vietnamese government signatures still use SHA-1 (11 of the 19
# signed files in ../shared/real-scans), so a signature over one is checked and reported weak, not refused.
WEAK_DIGESTS = {"md5", "sha1"}


@dataclass(frozen=True)
class Signature:
    """One signature of a PDF, as checked."""
    field: str  # the signature field's name
    signer: str  # the signing certificate's common name (and organisation)
    issuer: str  # who issued that certificate
    signed_at: str | None  # the time the signer's software wrote (ISO 8601), not a timestamp authority's
    intact: bool  # the signed bytes are unchanged and the signature matches them
    whole_file: bool  # it covers the file as it is; False: the file was changed or added to after signing
    digest: str  # the digest algorithm, e.g. sha256
    problem: str | None = None  # why it could not be checked

    def to_json(self) -> dict:
        """What the catalog keeps: the facts and the verdict in words."""
        return {**asdict(self), "verdict": self.verdict()}

    def verdict(self) -> str:
        """One line for people, in English: what the check found, and who issued the certificate."""
        found = verdict_of(asdict(self))
        return found if self.problem or not self.intact else \
            f"{found}; certificate issued by {self.issuer}, trust not checked (offline)"


def verdict_of(signature: dict, translate: Callable[[str], str] = str) -> str:
    """What the check of a signature (Signature's facts) found, in the words of `translate` (default: English)."""
    if signature.get("problem"):
        return translate(N_("could not be checked: {problem}")).format(problem=signature["problem"])
    if not signature["intact"]:
        return translate(N_("BROKEN: the file was changed after it was signed"))
    changed = "" if signature["whole_file"] else translate(N_(", then added to (a later signature or revision)"))
    weak = translate(N_(", over {digest} (weak)")).format(digest=signature["digest"].upper()) \
        if signature["digest"] in WEAK_DIGESTS else ""
    return translate(N_("intact")) + changed + weak


def _name(name) -> str:
    """A certificate's subject or issuer (an X.509 name) as people read it: its common name and organisation."""
    parts = [name.native.get("common_name"), name.native.get("organization_name")]
    return ", ".join(dict.fromkeys(str(part) for part in parts if part)) or name.human_friendly


@functools.cache
def _pyhanko() -> SimpleNamespace:
    """pyHanko, loaded at the first signed PDF, not before (it costs a process some 30 MiB)."""
    # pyHanko logs every certificate path it cannot build, with a traceback, and imports DSA, which cryptography
    # deprecates: neither is the archivist's business (the result says what was and was not checked).
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.errors import SignatureValidationError
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext
        from pyhanko_certvalidator.policy_decl import AcceptAllAlgorithms
    return SimpleNamespace(PdfError=PdfError, PdfFileReader=PdfFileReader, validate=validate_pdf_signature,
                           ValidationError=SignatureValidationError, Coverage=SignatureCoverageLevel,
                           ValidationContext=ValidationContext, AcceptAllAlgorithms=AcceptAllAlgorithms)


def _checked(embedded) -> Signature:
    field, pyhanko = str(embedded.field_name or "?"), _pyhanko()
    try:
        context = pyhanko.ValidationContext(allow_fetching=False, algorithm_usage_policy=pyhanko.AcceptAllAlgorithms())
        status = pyhanko.validate(embedded, context)
    except (pyhanko.ValidationError, pyhanko.PdfError, ValueError, KeyError, TypeError) as error:
        return Signature(field, "?", "?", None, False, False, "?", problem=str(error).splitlines()[0][:200])
    signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    whole_file = status.coverage == pyhanko.Coverage.ENTIRE_FILE
    return Signature(field, _name(status.signing_cert.subject), _name(status.signing_cert.issuer), signed_at,
                     bool(status.intact and status.valid), whole_file, str(status.md_algorithm))


def _signed_fields(fields) -> bool:
    """Whether an AcroForm's fields (or their kids) hold a signature field that was signed (has a value)."""
    for field in fields or ():
        if (field.get("/FT") == "/Sig" and "/V" in field) or _signed_fields(field.get("/Kids")):
            return True
    return False


def pdf_signatures(path: Path) -> list[Signature]:
    """The PDF's signatures, each checked; empty for a PDF without signature fields, or one pyHanko cannot
    parse (the page reading reports what is wrong with such a file)."""
    import pikepdf  # here: `luutru search` shows verdicts recorded by the run and needs no PDF library

    try:
        with pikepdf.open(path) as pdf:
            if not _signed_fields(pdf.Root.get("/AcroForm", {}).get("/Fields")):
                return []
    except (pikepdf.PdfError, OSError, ValueError):
        return []
    pyhanko = _pyhanko()
    try:
        with open(path, "rb") as stream, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pyhanko.PdfFileReader(stream, strict=False)
            return [_checked(embedded) for embedded in reader.embedded_signatures]
    except (pyhanko.PdfError, ValueError, KeyError, TypeError, IndexError):
        return []
