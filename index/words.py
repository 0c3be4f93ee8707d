"""Vietnamese words: NFC, one tone-mark placement, diacritic folding, i/y variants, syllables.

A leaf: it imports no index engine, so the OCR workers and the fields (pipeline/) use it without
loading Whoosh or Tantivy. The functions that turn text into words (`exact_words`, `folded_words`,
`symbol_words`) are plain and engine-independent: the Tantivy engine indexes their words as given,
and the Whoosh analyzers (index/analysis.py) compose the same word-level functions as small filters,
so both engines index the same terms. Indexing and querying share them, so a query is always
analysed exactly as the text was.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining tone marks: huyền, sắc, ngã, hỏi, nặng.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
MARKED_VOWELS = frozenset("ăâêôơưĂÂÊÔƠƯ")
# Word characters, including combining marks so that stray NFD input never splits a word.
WORD_PATTERN = r"[\w\u0300-\u036f]+"
WORDS = re.compile(WORD_PATTERN)
SYMBOLS = re.compile(r"\S+")
# A folded syllable whose whole vowel is "y" after a consonant onset: ky/ki, ly/li, quy/qui.
I_Y_SYLLABLE = re.compile(r"^(?:[bcdghklmnprstvx]|ch|gh|kh|ngh?|nh|ph|th|tr|qu)y$")


# Letters that look Vietnamese and are not: Tesseract writes Ð (Icelandic eth) or Ɖ (African D) for Đ,
# and a Cyrillic о or с slips in from another keyboard layout. Each is read as the letter it looks like.
LOOKALIKES = str.maketrans({
    "Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "І": "I", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
})


# Any look-alike letter: found by one regular-expression scan, so that the translation, a dictionary look-up a
# character, runs only on the rare text that holds one (a rebuild normalises every page of the archive).
LOOKALIKE = re.compile("[" + "".join(map(chr, LOOKALIKES)) + "]")


def nfc(text: str) -> str:
    """NFC, with look-alike letters made the Vietnamese letters they look like."""
    return unicodedata.normalize("NFC", text.translate(LOOKALIKES) if LOOKALIKE.search(text) else text)


def _nucleus(base: str) -> tuple[int, int]:
    """Start and end (exclusive) of the vowel nucleus of a toneless syllable."""
    start = 0
    lower = base.lower()
    if lower.startswith(("qu", "gi")) and len(base) > 2 and base[2] in VOWELS:
        start = 2  # the u of qu and the i of gi belong to the onset
    while start < len(base) and base[start] not in VOWELS:
        start += 1
    end = start
    while end < len(base) and base[end] in VOWELS:
        end += 1
    return start, end


def _tone_position(base: str) -> int | None:
    start, end = _nucleus(base)
    if start == end:
        return None
    marked = [i for i in range(start, end) if base[i] in MARKED_VOWELS]
    if marked:
        return marked[-1]  # ươ, uô, iê: the tone sits on the last marked vowel
    if end - start == 1:
        return start
    if end < len(base):
        return end - 1  # closed syllable: hoàn, toán
    if end - start == 3:
        return start + 1  # ngoài, khuỷu
    return start  # open two-vowel syllable: hòa, thủy, khỏe (one style, chosen once)


@lru_cache(maxsize=200_000)
def canonical_tones(word: str) -> str:
    """Place the tone mark of one syllable by a single rule, so 'hoà' and 'hòa' are one word."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) != 1:
        return word
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    position = _tone_position(base)
    if position is None:
        return word
    return unicodedata.normalize("NFC", base[: position + 1] + tones[0] + base[position + 1:])


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Drop every tone and vowel mark and turn đ into d: 'Đường' -> 'duong'."""
    decomposed = unicodedata.normalize("NFD", nfc(word).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=200_000)
def fold_spelling(word: str) -> str:
    """Fold, then merge the i/y spellings that mean the same syllable (kỹ/kĩ, lý/lí, quý/quí)."""
    folded = fold(word)
    if I_Y_SYLLABLE.match(folded):
        return folded[:-1] + "i"
    return folded


# A syllable: onset, then a vowel cluster from Vietnamese's closed inventory, then a final consonant.
ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
NUCLEI = ("iêu|yêu|oai|oay|uây|uôi|ươi|ươu|uya|uyê|uyu|oao|oeo|oo|ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|"
          "ua|uâ|uê|ui|uô|uơ|ưa|ưi|ưu|ươ|uy|yê|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y")
CODAS = "ch|ng|nh|c|m|n|p|t"
SYLLABLE = re.compile(f"(?:{ONSETS})?(?:{NUCLEI})(?:{CODAS})?")
# A syllable closed by p, t, c or ch takes only the sắc or the nặng tone.
CHECKED_RHYME = re.compile("(?:c|ch|p|t)$")
CHECKED_TONES = frozenset("\u0301\u0323")


def is_syllable(word: str) -> bool:
    """True for a word that can be one Vietnamese syllable: at most one tone mark, a known rhyme, and
    no capital after a small letter (mojibake such as "HôÌ" reads as letters of the wrong case)."""
    if any(first.islower() and second.isupper() for first, second in zip(word, word[1:])):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(character in TONE_MARKS for character in decomposed) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    return SYLLABLE.fullmatch(toneless) is not None


def takes_its_tone(word: str) -> bool:
    """False for a word written with Vietnamese marks that ends in p, t, c or ch without the sắc or nặng tone
    ("câp" for "cấp": OCR lost a tone mark stacked over a hat). A word without any mark may be a folded
    spelling ("cap", as a clerk types it) and passes."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return decomposed.isascii() or not CHECKED_RHYME.search(word.lower()) or bool(CHECKED_TONES & set(decomposed))


def _tokens(text: str) -> list[str]:
    return WORDS.findall(nfc(text).lower())


def exact_words(text: str) -> list[str]:
    """Words as written, lowercased, with one tone placement. No stop words, no minimum size."""
    return list(map(canonical_tones, _tokens(text)))


def folded_words(text: str) -> list[str]:
    """Words without diacritics, for queries typed without them."""
    return list(map(fold_spelling, _tokens(text)))


def page_words(text: str) -> tuple[list[str], list[str]]:
    """`exact_words` and `folded_words` of a page, split once (a rebuild splits every page of the archive)."""
    tokens = _tokens(text)
    return list(map(canonical_tones, tokens)), list(map(fold_spelling, tokens))


def symbol_words(text: str) -> list[str]:
    """Runs of non-space characters, folded: a document number and symbol (123/QĐ-UBND) is one word."""
    return list(map(fold_spelling, SYMBOLS.findall(nfc(text).lower())))
