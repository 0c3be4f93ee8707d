"""Vietnamese text as old software left it: legacy 8-bit encodings, and how Vietnamese a text reads.

Documents typed in the 1990s-2000s used TCVN3 (ABC, `.VnTime` fonts) or VNI fonts, whose bytes a PDF
text layer hands over as Latin-1 letters ("Uû ban nh©n d©n", "UÛy ban nhaân daân"); old Windows
shares write file names in those encodings or in CP1258. Each is converted to Unicode (NFC), and the
reading kept is the one whose words are most often real Vietnamese syllables.
"""

from __future__ import annotations

import re
import unicodedata

from luutru.index.words import is_syllable

# TCVN 5712:1993 bytes 0xA0-0xFF, as glibc's iconv decodes "TCVN5712-1" (VN1, a superset of the
# ABC/VN3 font encoding; tests/test_foundations.py checks it against iconv). 0xB0-0xB4 are combining
# tone marks.
TCVN3_HIGH = ("\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵ"
              "ắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ")
TCVN3_TABLE = {0xA0 + index: character for index, character in enumerate(TCVN3_HIGH)}

# VNI: a letter, then bytes that add its marks. Tone bytes after a plain vowel (or ơ, ư) ...
VNI_TONES = {"ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
# ... after a circumflex (â, ê, ô) ...
VNI_CIRCUMFLEX_TONES = {"â": "", "à": "\u0300", "á": "\u0301", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
# ... and after a breve (ă).
VNI_BREVE_TONES = {"ê": "", "è": "\u0300", "é": "\u0301", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
# Letters VNI writes as one byte.
VNI_SINGLE = {"ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ", "ô": "ơ", "ö": "ư"}


def _vni_table() -> dict[str, str]:
    """Every VNI spelling of a Vietnamese letter, lowercase and uppercase."""
    table: dict[str, str] = {}
    for base, marks in (("aeouy", VNI_TONES), ("ôö", VNI_TONES)):
        for letter in base:
            unicode_letter = VNI_SINGLE.get(letter, letter)
            for mark, combining in marks.items():
                table[letter + mark] = unicodedata.normalize("NFC", unicode_letter + combining)
    for letter in "aeo":
        for mark, combining in VNI_CIRCUMFLEX_TONES.items():
            table[letter + mark] = unicodedata.normalize("NFC", letter + "\u0302" + combining)
    for mark, combining in VNI_BREVE_TONES.items():
        table["a" + mark] = unicodedata.normalize("NFC", "a\u0306" + combining)
    table.update(VNI_SINGLE)
    return {**table, **{spelling.upper(): letter.upper() for spelling, letter in table.items()}}


VNI_TABLE = _vni_table()
VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, VNI_TABLE), key=len, reverse=True)))

WORD = re.compile(r"[^\W\d_]+")


# In Vietnamese prose most words carry a mark (tone, vowel mark or đ); an OCR engine without
# Vietnamese drops them, and its words are still syllables ("Uy ban nhan dan"). Fewer marked words
# than this share lower the score in proportion.
EXPECTED_MARKED_SHARE = 0.4


def vietnamese_score(text: str) -> float:
    """How much a text reads as Vietnamese, 0-1: its share of syllables, lowered where too few
    words carry Vietnamese marks."""
    words = WORD.findall(unicodedata.normalize("NFC", text))
    if not words:
        return 0.0
    syllables = sum(map(is_syllable, words)) / len(words)
    marked = sum(any(ord(character) > 127 for character in word) for word in words) / len(words)
    return syllables * min(1.0, marked / EXPECTED_MARKED_SHARE)


def _as_bytes(text: str) -> bytes:
    """The 8-bit codes that a PDF reader or a Latin-1 file system turned into these characters."""
    out = bytearray()
    for character in text:
        code = ord(character)
        if code < 256:
            out.append(code)
        else:
            try:
                out += character.encode("cp1252")
            except UnicodeEncodeError:
                out += b"?"
    return bytes(out)


# A run of letters and hyphens: in TCVN3 "ư" is byte 0xAD, the soft hyphen, which PDF readers show as "-".
HYPHENATED = re.compile(r"[^\W\d_]*(?:-[^\W\d_]*)+")


def _hyphen_as_u_horn(match: re.Match) -> str:
    word = match.group()
    candidate = word.replace("-", "ư")
    return candidate if word.strip("-") and is_syllable(candidate) else word


def from_tcvn3(text: str) -> str:
    """Text whose characters stand for TCVN3 (ABC) bytes, as Unicode NFC."""
    decoded = unicodedata.normalize("NFC", "".join(TCVN3_TABLE.get(byte, chr(byte)) for byte in _as_bytes(text)))
    return HYPHENATED.sub(_hyphen_as_u_horn, decoded)


def from_vni(text: str) -> str:
    """Text whose characters stand for VNI bytes, as Unicode NFC."""
    latin = _as_bytes(text).decode("cp1252", errors="replace")
    return unicodedata.normalize("NFC", VNI_PATTERN.sub(lambda match: VNI_TABLE[match.group()], latin))


def from_cp1258(text: str) -> str:
    return unicodedata.normalize("NFC", _as_bytes(text).decode("cp1258", errors="replace"))


LEGACY_DECODERS = {"tcvn3": from_tcvn3, "vni": from_vni, "cp1258": from_cp1258}
# A legacy reading must beat the text as it is by this much (vietnamese_score).
LEGACY_MARGIN = 0.15


def repair_legacy(text: str, encodings: tuple[str, ...] = ("tcvn3", "vni")) -> tuple[str, str | None]:
    """The text in Unicode and the legacy encoding it was in (None when it reads best as it is)."""
    if all(ord(character) < 128 for character in text):
        return unicodedata.normalize("NFC", text), None  # plain ASCII is the same in every encoding
    best, best_encoding, best_share = unicodedata.normalize("NFC", text), None, vietnamese_score(text)
    threshold = best_share + LEGACY_MARGIN
    for encoding in encodings:
        candidate = LEGACY_DECODERS[encoding](text)
        share = vietnamese_score(candidate)
        if share >= threshold and share > best_share:
            best, best_encoding, best_share = candidate, encoding, share
    return best, best_encoding


def readable_name(raw: bytes) -> str:
    """A file name as a person should read it: UTF-8 (NFC) where it is, else the legacy Vietnamese
    encoding (TCVN3, VNI or CP1258) whose reading is most Vietnamese, component by component."""
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))  # the usual name, decoded at once
    except UnicodeDecodeError:
        pass
    parts = []
    for part in raw.split(b"/"):
        try:
            parts.append(unicodedata.normalize("NFC", part.decode("utf-8")))
        except UnicodeDecodeError:
            parts.append(repair_legacy(part.decode("latin-1"), ("tcvn3", "vni", "cp1258"))[0])
    return "/".join(parts)
