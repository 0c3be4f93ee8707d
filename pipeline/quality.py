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
from collections.abc import Callable

from luutru.index.words import is_syllable, takes_its_tone
from luutru.pipeline.tuning import TUNING

PUNCTUATION = "()[]{}.,;:!?\"'“”‘’–—-…/%§*+="
NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*(?:[a-zđ]{1,2}|m2|m²)?")
# A document number and symbol, or a code: 123/QĐ-UBND, QĐ-UBND, UBND-TNMT, V/v, Đ/c.
SYMBOL = re.compile(r"(?:\d+/)?(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]{0,7}(?:[-/.][A-ZĐa-zđ0-9]{1,10}){0,4}|[VvĐđ]/[vcC]")
ROMAN = re.compile(r"[IVXLC]{1,6}")


def long_word(text: str) -> bool:
    """A word of two letters or digits or more: what a search can find, and more than a speck read as a letter."""
    return sum(character.isalnum() for character in text) >= 2


def plausible(token: str) -> bool:
    """A token that could stand on a Vietnamese administrative page."""
    word = token.strip(PUNCTUATION)
    if not word:
        return _lone_mark(token)
    if NUMBER.fullmatch(word.lower()) or SYMBOL.fullmatch(word) or ROMAN.fullmatch(word):
        return True
    parts = _parts(word)
    return bool(parts) and all(is_syllable(part) for part in parts)


def well_read(token: str) -> bool:
    """A plausible token none of whose syllables carries a tone its rhyme never takes ("câp": a tone mark lost; a
    code such as "HĐQT" is no syllable)."""
    parts = _parts(token.strip(PUNCTUATION))
    return plausible(token) and all(takes_its_tone(part) for part in parts if is_syllable(part))


def _parts(word: str) -> list[str]:
    return [part for part in re.split(r"[-/]", word) if part]  # "Hạnh-phúc", "và/hoặc"


def _lone_mark(token: str) -> bool:
    """A dash, a bracket, a colon standing alone (a run of them is not writing)."""
    return len(token) == 1 or token in ("...", "…")


def plausible_characters(text: str, counted: Callable[[str], bool] = plausible) -> int:
    """How many of a reading's characters lie in plausible tokens (or those `counted`). Marks standing alone
    are plausible only as often as writing has them (TUNING.lone_marks_share of the tokens): streaks and grain
    read as specks of punctuation are junk however plausible each speck looks."""
    tokens = unicodedata.normalize("NFC", text).split()
    marks_allowed = TUNING.lone_marks_share * len(tokens)
    count = 0
    for token in tokens:
        if not token.strip(PUNCTUATION) and _lone_mark(token):
            marks_allowed -= 1
            if marks_allowed < 0:
                continue
        if counted(token):
            count += len(token)
    return count


def reading_score(text: str, counted: Callable[[str], bool] = plausible) -> int:
    """Of two readings of one page, the better has the higher score: its plausible characters (or those
    `counted`) less its junk. A reading that drops half the page is not better for being clean, nor one that
    reads streaks and grain as letters for the few words it adds."""
    return 2 * plausible_characters(text, counted) - sum(not character.isspace() for character in text)


def reading_quality(text: str) -> float | None:
    """The share (0-1) of a reading's characters that lie in plausible tokens; None when it is too
    short to judge."""
    tokens = unicodedata.normalize("NFC", text).split()
    if len(tokens) < TUNING.min_tokens:
        return None
    return plausible_characters(text) / sum(map(len, tokens))
