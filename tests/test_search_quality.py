"""Search quality over the OCR'd samples: queries as clerks type them, with recall and MRR printed.

Each query names the documents a clerk expects; every one of them must be among the first three
documents. Documents are named by the start of their file name: qd (decision, 123/QĐ-UBND),
cv (official letter, 45/UBND-TNMT), gcn (land use right certificate), bc (report, 3 pages),
ttr (submission on graves), tb (notice on citizen reception).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from luutru.index.query import Fuzzy, positive_leaves
from luutru.index.search import MARK_END, MARK_START, Filters, near_spellings_query, search
from luutru.index.store import open_store

TOP = 3


@dataclass(frozen=True)
class Case:
    kind: str
    query: str
    expected: tuple[str, ...]
    filters: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind}: {self.query}" + (f" {self.filters}" if self.filters else "")


CASES = [
    Case("no diacritics", "giao dat o", ("qd",)),
    Case("no diacritics", "mo ma", ("ttr",)),
    Case("no diacritics", "tiep cong dan", ("tb",)),
    Case("no diacritics", "ra soat ho so", ("cv",)),
    Case("no diacritics", "nguyen van hung", ("qd",)),
    Case("no diacritics", "tran thi mai", ("gcn",)),
    Case("no diacritics", "giai phong mat bang", ("bc",)),
    Case("no diacritics", "dong cam phung xa", ("qd",)),
    Case("no diacritics", "kenh muong", ("cv",)),
    Case("no diacritics", "tinh lo 419", ("ttr",)),
    Case("no diacritics", "duong chien thang", ("tb",)),
    Case("no diacritics", "tang cho", ("gcn",)),
    Case("other tone style", "Hòa Thạch", ("cv",)),  # the letter writes "Hoà Thạch"
    Case("other tone style", "thủy lợi", ("cv",)),
    Case("other tone style", "sức khỏe", ("cv",)),
    Case("other tone style", "Thạch Hòa", ("bc",)),
    Case("other tone style", "số hoá dữ liệu", ("bc",)),
    Case("other tone style", "giấy tờ tuỳ thân", ("tb",)),
    Case("i/y variant", "ki thuat", ("bc",)),
    Case("i/y variant", "kỹ thuật", ("bc",)),
    Case("i/y variant", "quí IV", ("bc",)),
    Case("i/y variant", "chỉnh lí hồ sơ", ("qd",)),
    Case("number", "123/QĐ-UBND", ("qd",)),
    Case("number", "123/qd-ubnd", ("qd",)),
    Case("number", "123/QD-UBND", ("qd",)),
    Case("number", "45/ubnd-tnmt", ("cv",)),
    Case("number", "56/BC-TNMT", ("bc",)),
    Case("number", "so:09/ttr-tnmt", ("ttr",)),
    Case("number", "dat", ("tb",), {"number": "18/tb-ubnd"}),
    Case("number", "88/TTr-TNMT", ("qd",)),  # cited in the decision's preamble
    Case("parcel", "thua:245", ("qd",)),
    Case("parcel", "thua dat so 87", ("gcn",)),
    Case("parcel", "thua:312", ("gcn",)),
    Case("parcel", "to ban do so 12", ("qd", "bc")),
    Case("parcel", "dat", ("qd",), {"parcel": "245", "sheet": "12"}),
    Case("date range", "dat", ("ttr", "tb"), {"issued_from": "2024-01-01"}),
    Case("date range", "giay chung nhan", ("cv", "bc"), {"issued_from": "2023-10-01", "issued_to": "2023-12-31"}),
    Case("date range", "dat", ("qd",), {"year": 2023, "doc_type": "quyet dinh"}),
    Case("date range", "ho so", ("qd",), {"issued_to": "2023-09-30"}),
    Case("one-letter word", "đất ở", ("qd", "gcn", "ttr")),
    Case("one-letter word", "ở số 1", ("tb",)),
    Case("one-letter word", "ý kiến", ("tb",)),
    Case("one-letter word", "nhà ở", ("gcn", "qd")),
    Case("one-letter word", "mả", ("ttr",)),
    Case("OCR-noisy spelling", "Nguyen Van Hunq~", ("qd",)),
    Case("OCR-noisy spelling", "kenh rnuong~2", ("cv",)),
    Case("OCR-noisy spelling", "tiep cong dam~", ("tb",)),
    Case("OCR-noisy spelling", "Tran Thj~ Mai", ("gcn",)),
    Case("phrase vs scattered", "hồ sơ địa chính", ("qd",)),
    Case("phrase vs scattered", "muc dich su dung", ("gcn",)),
    Case("phrase vs scattered", "dat nong nghiep", ("bc",)),
    Case("phrase vs scattered", "bo phan mot cua", ("cv", "bc", "tb")),
]


def _short_name(path: str) -> str:
    return Path(path).name.split("-", 1)[0]


def ranked_documents(searchable: dict, case: Case) -> list[str]:
    result = search(searchable["home"] / "index", case.query, limit=10, filters=Filters(**case.filters))
    return [_short_name(document.path) for document in result.documents]


def reciprocal_rank(ranked: list[str], expected: tuple[str, ...]) -> float:
    return next((1 / rank for rank, name in enumerate(ranked, 1) if name in expected), 0.0)


def recall_at_top(ranked: list[str], expected: tuple[str, ...]) -> float:
    return len(set(ranked[:TOP]) & set(expected)) / len(expected)


def test_the_query_set_is_large_and_covers_every_kind():
    assert len(CASES) >= 40
    assert len({case.kind for case in CASES}) == 9


@pytest.mark.parametrize("case", CASES, ids=str)
def test_expected_documents_in_the_top_three(searchable, case):
    ranked = ranked_documents(searchable, case)
    assert recall_at_top(ranked, case.expected) == 1.0, ranked


@pytest.mark.parametrize("query, first", [("hồ sơ địa chính", "qd"), ("muc dich su dung", "gcn"),
                                          ("mả", "ttr"), ("thủy lợi", "cv")])
def test_phrase_and_exact_diacritics_rank_first(searchable, query, first):
    assert ranked_documents(searchable, Case("", query, (first,)))[0] == first


def test_recall_and_mrr_are_printed(searchable, capsys):
    recall, reciprocal = defaultdict(list), defaultdict(list)
    for case in CASES:
        ranked = ranked_documents(searchable, case)
        for kind in (case.kind, "all queries"):
            recall[kind].append(recall_at_top(ranked, case.expected))
            reciprocal[kind].append(reciprocal_rank(ranked, case.expected))
    with capsys.disabled():
        print(f"\n{searchable['engine']}\n{'kind of query':<22}{'queries':>8}{'recall@3':>10}{'MRR':>7}")
        for kind in sorted(recall, key=lambda kind: kind == "all queries"):
            print(f"{kind:<22}{len(recall[kind]):>8}{mean(recall[kind]):>10.3f}{mean(reciprocal[kind]):>7.3f}")
    assert mean(recall["all queries"]) == 1.0
    assert mean(reciprocal["all queries"]) >= 0.9


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


@pytest.mark.parametrize("query", ["giao dat Phunq Xa", "nguyen van hunq", "bàn qiao đất"])
def test_a_word_with_a_letter_misread_is_found_when_nothing_matches_as_typed(searchable, query):
    result = search(searchable["home"] / "index", query)
    assert result.near_spellings and _short_name(result.documents[0].path) == "qd"


def test_near_spellings_are_not_tried_when_only_the_filters_leave_nothing(searchable):
    index = searchable["home"] / "index"
    assert not search(index, "giao dat Phung Xa", filters=Filters(year=1999)).near_spellings
    assert search(index, "giao dat Phunq Xa", filters=Filters(year=2023)).near_spellings


def test_near_spellings_never_change_a_number_or_hide_an_exact_match(searchable):
    assert search(searchable["home"] / "index", "thua dat so 246 to ban do so 12").total == 0
    exact = search(searchable["home"] / "index", "giao dat Phung Xa")
    assert exact.total and not exact.near_spellings


@pytest.mark.parametrize("query, marked", [("nguyen van hunq", "Hùng"), ("Nguyeen~ van hung", "Nguyễn"),
                                           ("ngu* van hung", "Nguyễn"), ("ngu?en van hung", "Nguyễn")])
def test_snippets_mark_the_words_found_by_near_spellings_fuzzy_terms_and_wildcards(searchable, query, marked):
    result = search(searchable["home"] / "index", query)
    snippet = result.documents[0].pages[0].marked_snippet if result.documents else ""
    assert f"{MARK_START}{marked}{MARK_END}" in snippet, snippet


def test_near_spellings_widen_the_words_no_page_has_else_every_long_word(searchable):
    store = open_store(searchable["home"] / "index")

    def widened(text: str) -> set[str]:
        return {leaf.text for leaf in positive_leaves(near_spellings_query(store, text)) if isinstance(leaf, Fuzzy)}
    assert widened("nguyen van hunq") == {"hunq"}
    assert widened("88/TTr-TNMT") == {"ttr", "tnmt"}  # every word is on some page, none has them all
    assert near_spellings_query(store, "so 12") is None


@pytest.mark.parametrize("typed, expected", [("chugn nhan quyen su dung dat", "gcn-thua-87.tif"),
                                             ("giao dat Phugn Xa", "qd-123-giao-dat.jpg"),
                                             ("ra soat thahc", "cv-45-ra-soat.png")])
def test_two_letters_swapped_count_as_one_slip(searchable, typed, expected):
    result = search(searchable["home"] / "index", typed)
    assert result.near_spellings and result.documents[0].path.endswith(expected), [d.path for d in result.documents]
    tilde = search(searchable["home"] / "index", " ".join(f"{word}~" for word in typed.split()))
    assert any(document.path.endswith(expected) for document in tilde.documents)  # `word~` allows the swap too


@pytest.mark.parametrize("typed, expected", [("giay chung nhan", "gcn-thua-87.tif"),
                                             ("bao cao dat dai", "bc-56-dat-dai.pdf"),
                                             ("to trinh", "ttr-09-mo-ma.jpg")])
def test_a_query_that_names_a_kind_of_document_ranks_that_kind_first(searchable, typed, expected):
    result = search(searchable["home"] / "index", typed)
    assert result.documents[0].path.endswith(expected), [document.path for document in result.documents]
