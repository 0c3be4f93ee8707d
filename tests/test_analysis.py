"""Vietnamese text analysis: the part no generic tool gets right."""

import unicodedata

import pytest

from luutru.index.analysis import exact_analyzer, folded_analyzer, symbol_analyzer
from luutru.index.search import search_store
from luutru.index.store import ENGINES, PageDocument, ensure_index, open_store
from luutru.index.words import (
    canonical_tones,
    exact_words,
    fold,
    fold_spelling,
    folded_words,
    page_words,
    symbol_words,
)


@pytest.mark.parametrize("old, new", [
    ("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoá", "Hóa"), ("THUỶ", "THỦY"),
    ("tuỳ", "tùy"), ("loè", "lòe"), ("hoạ", "họa"),
])
def test_both_tone_styles_are_one_word(old, new):
    assert canonical_tones(old) == canonical_tones(new)


@pytest.mark.parametrize("word", ["người", "quyết", "giữa", "ngoài", "hoàn", "khuỷu", "quý", "gìn", "thửa", "đất"])
def test_words_with_one_correct_placement_are_left_alone(word):
    assert canonical_tones(word) == word


def test_tone_placement_keeps_different_words_apart():
    assert canonical_tones("mả") != canonical_tones("má")
    assert canonical_tones("hòa") != canonical_tones("hóa")


def test_a_page_split_once_gives_both_fields_the_words_each_function_gives():
    """The rebuild's one split (page_words) indexes exactly the terms exact_words and folded_words index."""
    text = ("Quyết định số 123/QĐ-UBND về việc giao đất, hoà giải tranh chấp\nÐất ở của ông Nguyễn Văn Thuỷ; "
            "quy hoạch khoẻ mạnh, thửa đất số 245, tờ bản đồ số 12")
    assert page_words(text) == (exact_words(text), folded_words(text))
    assert "hòa" in page_words(text)[0] and "dat" in page_words(text)[1]


def test_fold_removes_all_marks_and_d_stroke():
    assert fold("Đường") == "duong"
    assert fold("ĐẤT ĐAI") == "dat dai"
    assert fold("thửa đất") == "thua dat"
    assert fold("Ở") == "o"


@pytest.mark.parametrize("one, other", [("kỹ", "kĩ"), ("lý", "lí"), ("quý", "quí"), ("Mỹ", "mĩ")])
def test_i_y_spellings_fold_together(one, other):
    assert fold_spelling(one) == fold_spelling(other)


@pytest.mark.parametrize("one, other", [("tay", "tai"), ("may", "mai"), ("tuy", "tui")])
def test_i_y_folding_keeps_distinct_rhymes_apart(one, other):
    assert fold_spelling(one) != fold_spelling(other)


def tokens(analyzer, text):
    return [token.text for token in analyzer(text)]


def test_nfd_input_gives_the_same_terms_as_nfc():
    text = "Quyết định giao đất ở cho hộ gia đình"
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert tokens(exact_analyzer(), decomposed) == tokens(exact_analyzer(), text)
    assert tokens(exact_analyzer(), text) == ["quyết", "định", "giao", "đất", "ở", "cho", "hộ", "gia", "đình"]


def test_one_letter_words_and_english_stop_words_are_kept():
    assert tokens(exact_analyzer(), "ở Ý to an may a") == ["ở", "ý", "to", "an", "may", "a"]


def test_folded_analyzer_terms():
    folded = ["ki", "thuat", "do", "dac", "thua", "dat", "so", "245"]
    assert tokens(folded_analyzer(), "Kỹ thuật đo đạc, thửa đất số 245") == folded


MIXED_TEXT = ("Số: 123/QĐ-UBND  Thạch Thất, ngày 12 tháng 9 năm 2023\nQUYẾT ĐỊNH V/v giao đất ở cho hộ ông "
              "Nguyễn Văn Hùng, thửa đất số 245, tờ bản đồ số 12; hoà giải, thuỷ lợi, kỹ thuật, quí IV… "
              "Ý kiến: ĐỒNG Ý. e-mail: tnmt@thachthat.gov.vn (ĐT 024-3384)")


@pytest.mark.parametrize("text", [MIXED_TEXT, unicodedata.normalize("NFD", MIXED_TEXT), "", "  \t\n"])
def test_both_engines_index_the_same_words(text):
    """The Tantivy engine indexes the plain functions' words; Whoosh runs its analyzers."""
    assert exact_words(text) == tokens(exact_analyzer(), text)
    assert folded_words(text) == tokens(folded_analyzer(), text)
    assert symbol_words(text) == tokens(symbol_analyzer(), text)
    assert bool(text.strip()) == ("123/qd-ubnd" in symbol_words(text) and "hoa" in folded_words(text))


def test_look_alike_letters_are_read_as_the_vietnamese_ones():
    eth, cyrillic_o, cyrillic_a = "\u00d0", "\u043e", "\u0430"
    assert symbol_words(f"123/Q{eth}-UBND") == symbol_words("123/QĐ-UBND") == ["123/qd-ubnd"]
    assert exact_words(f"{eth}ất") == exact_words("Đất") == ["đất"]
    assert folded_words(f"s{cyrillic_o} t{cyrillic_a}i") == ["so", "tai"]
    assert fold(f"{eth}ồng") == "dong"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_number_read_with_a_look_alike_letter_is_found_as_typed(tmp_path, engine):
    link = tmp_path / "index"
    ensure_index(link, engine)
    store = open_store(link)
    store.update((), [PageDocument(1, "/scans/qd.png", 1, "Số: 123/Q\u00d0-UBND về việc giao \u00d0ất", 90.0,
                                   {"number": "123/Q\u00d0-UBND"})])
    for typed in ("123/QĐ-UBND", "so:123/QĐ-UBND", "giao đất", "giao dat", "123/Q\u00d0-UBND"):
        assert [hit.path for hit in search_store(open_store(link), typed).hits] == ["/scans/qd.png"], typed
