"""How well a page reads, without knowing its true text: the share of what OCR gave that could be
written Vietnamese.

Vietnamese is written in syllables of a closed inventory (onset + rhyme + tone, a few thousand
forms), so a reading of garbage is easy to tell: its "words" are not syllables. Besides syllables an
administrative page holds plausible tokens: numbers and dates (12, 05/9/2023, 1.250,5), document
numbers and symbols (123/QĐ-UBND, 45/UBND-TNMT), codes in capitals (UBND, TNMT) and punctuation.
The share is counted in characters, so that a long run of junk weighs what it holds. A reading too
short to judge (a blank page, a page number) is not judged.
"""

from __future__ import annotations

import re
import unicodedata

from luutru.index.analysis import is_syllable

# Below this many tokens a reading is too short to judge.
MIN_TOKENS = 8
PUNCTUATION = "()[]{}.,;:!?\"'“”‘’–—-…/%§*+="
NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*(?:[a-zđ]{1,2}|m2|m²)?")
# A document number and symbol, or a code: 123/QĐ-UBND, QĐ-UBND, UBND-TNMT, V/v, Đ/c.
SYMBOL = re.compile(r"(?:\d+/)?(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]{0,7}(?:[-/.][A-ZĐa-zđ0-9]{1,10}){0,4}|[VvĐđ]/[vcC]")
ROMAN = re.compile(r"[IVXLC]{1,6}")


def _plausible(token: str) -> bool:
    """A token that could stand on a Vietnamese administrative page."""
    word = token.strip(PUNCTUATION)
    if not word:
        return len(token) == 1 or token in ("...", "…")  # a dash or a bracket is punctuation; a run of it is not
    if NUMBER.fullmatch(word.lower()) or SYMBOL.fullmatch(word) or ROMAN.fullmatch(word):
        return True
    parts = [part for part in re.split(r"[-/]", word) if part]  # "Hạnh-phúc", "và/hoặc"
    return bool(parts) and all(is_syllable(part) for part in parts)


def plausible_characters(text: str) -> int:
    """How many of a reading's characters lie in plausible tokens."""
    return sum(len(token) for token in unicodedata.normalize("NFC", text).split() if _plausible(token))


def reading_score(text: str) -> int:
    """Of two readings of one page, the better has the higher score: its plausible characters less its
    junk. A reading that drops half the page is not better for being clean, nor one that reads
    streaks and grain as letters for the few words it adds."""
    return 2 * plausible_characters(text) - sum(not character.isspace() for character in text)


def reading_quality(text: str) -> float | None:
    """The share (0-1) of a reading's characters that lie in plausible tokens; None when it is too
    short to judge."""
    tokens = unicodedata.normalize("NFC", text).split()
    if len(tokens) < MIN_TOKENS:
        return None
    return plausible_characters(text) / sum(map(len, tokens))
