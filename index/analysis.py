"""Whoosh's form of the Vietnamese words (index/words.py): small composable filters, the way Whoosh's own
analysis module builds analyzers, over the same word-level functions the Tantivy engine indexes with."""

from __future__ import annotations

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer

from luutru.index.words import SYMBOLS, WORD_PATTERN, canonical_tones, fold_spelling, nfc


class NfcTokenizer(RegexTokenizer):
    """Normalizes to NFC before splitting: NFD input would otherwise split inside words."""

    def __init__(self, expression: str = WORD_PATTERN) -> None:
        super().__init__(expression=expression)

    def __call__(self, value, **kwargs):
        return super().__call__(nfc(value), **kwargs)


class CanonicalToneFilter(Filter):
    def __call__(self, tokens):
        for token in tokens:
            token.text = canonical_tones(token.text)
            yield token


class FoldFilter(Filter):
    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_spelling(token.text)
            yield token


def exact_analyzer():
    """Whoosh's form of `exact_words`."""
    return NfcTokenizer() | LowercaseFilter() | CanonicalToneFilter()


def folded_analyzer():
    """Whoosh's form of `folded_words`."""
    return NfcTokenizer() | LowercaseFilter() | FoldFilter()


def symbol_analyzer():
    """Whoosh's form of `symbol_words`: 123/QĐ-UBND, 123/qd-ubnd and 123/QD-UBND are one term."""
    return NfcTokenizer(SYMBOLS.pattern) | LowercaseFilter() | FoldFilter()
