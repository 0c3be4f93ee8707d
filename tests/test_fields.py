"""Document fields from the Decree 30/2020/NĐ-CP layout, and searching and filtering on them."""

import shutil
from collections import Counter

import pytest
from conftest import SAMPLES, TRUTH, json_of, run_luutru

from luutru.pipeline.metadata import PathPattern, extract_fields
from samples.synthetic_headers import Header, comparable, make_headers

EXPECTED = {
    "2023/qd-123-giao-dat.jpg": dict(number="123/QĐ-UBND", doc_type="Quyết định", issued="2023-09-12",
                                     place="Thạch Thất", signer="Đỗ Mạnh Cường", parcels=["245"], sheets=["12"]),
    "2023/cv-45-ra-soat.png": dict(number="45/UBND-TNMT", doc_type="Công văn", issued="2023-10-03"),
    "2023/bc-56-dat-dai.pdf": dict(number="56/BC-TNMT", doc_type="Báo cáo", issued="2023-12-20"),
    "2024/ttr-09-mo-ma.jpg": dict(number="09/TTr-TNMT", doc_type="Tờ trình", agency="PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG"),
    "2024/tb-18-tiep-cong-dan.pdf": dict(number="18/TB-UBND", doc_type="Thông báo", signer="Vũ Thị Hoa"),
    "2022/gcn-thua-87.tif": dict(doc_type="Giấy chứng nhận quyền sử dụng đất", parcels=["87", "312"], sheets=["5"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fields_from_the_true_text(name):
    fields = extract_fields(TRUTH[name]).to_json()
    assert {key: fields[key] for key in EXPECTED[name]} == EXPECTED[name]


@pytest.mark.parametrize("header, number, issued, place, doc_type", [
    # Two columns read row by row, without diacritics, with a full stop for the colon.
    ("UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM\nXA PHUNG XA Doc lap - Tu do - Hanh phuc\n"
     "So. 07/QD-UBND Phung Xa, ngay 3 thang 1 nam 2021\nQUYET DINH\nVe viec thu hoi dat",
     "07/QD-UBND", "2021-01-03", "Phung Xa", "Quyết định"),
    # Columns read one after the other; a công văn is told by its V/v line.
    ("ỦY BAN NHÂN DÂN\nHUYỆN QUỐC OAI\nSố: 112/UBND-TNMT\nV/v cấp giấy chứng nhận\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nQuốc Oai, ngày 28 tháng 02 năm 2022",
     "112/UBND-TNMT", "2022-02-28", "Quốc Oai", "Công văn"),
    # A year in the symbol and OCR spaces around the slash.
    ("HỘI ĐỒNG NHÂN DÂN\nTỈNH BẮC NINH\nSố: 15 / 2020 / NQ-HĐND\nBắc Ninh, ngày 9 tháng 12 năm 2020\nNGHỊ QUYẾT",
     "15/2020/NQ-HĐND", "2020-12-09", "Bắc Ninh", "Nghị quyết"),
])
def test_fields_from_noisy_headers(header, number, issued, place, doc_type):
    fields = extract_fields([header])
    assert (fields.number, fields.issued, fields.place, fields.doc_type) == (number, issued, place, doc_type)


def test_a_number_cited_in_the_body_is_not_the_documents_and_handwritten_fill_ins_are_doubtful():
    """A handwritten number that OCR could not read leaves the number empty, not the first number the body
    cites; a number and date read with little confidence (handwritten) are kept, marked doubtful."""
    unread = ("BỘ TÀI CHÍNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC THUẾ Độc lập - Tự do - Hạnh phúc\n"
              "Số: AJMJ /CT-CS Hà Nói ngày 0Ÿ tháng # năm 2026\nV/v chính sách thuế TNDN\n"
              "Cục Thuế nhận được Công văn số 5770/NBI-QLDN2 ngày 15/12/2025 của Thuế tỉnh Ninh Bình")
    assert extract_fields([unread]).number is None
    header = ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH QUẢNG NGÃI Độc lập - Tự do - Hạnh phúc\n"
              "Số: 04 /TTr-UBND Quảng Ngãi, ngày 06 tháng 01 năm 2025\nTỜ TRÌNH")
    printed = [(word, 93.0) for word in header.split()]
    filled_in = [(word, 77.0 if word in ("04", "06") else 93.0) for word in header.split()]
    assert extract_fields([header], printed).doubtful == []
    fields = extract_fields([header], filled_in)
    assert (fields.number, fields.issued, fields.doubtful) == ("04/TTr-UBND", "2025-01-06", ["number", "issued"])


def documents(home, *args):
    return [d["path"].rsplit("/", 1)[-1] for d in json_of(run_luutru(home, "search", *args, "--json"))["documents"]]


@pytest.mark.parametrize("spelling", ["123/QĐ-UBND", "123/qd-ubnd", "123/QD-UBND", "so:123/qđ-ubnd"])
def test_document_number_in_three_spellings(searchable, spelling):
    assert documents(searchable["home"], spelling)[0] == "qd-123-giao-dat.jpg"


@pytest.mark.slow
def test_filters_and_field_syntax(searchable):
    home = searchable["home"]
    assert documents(home, "thua:245", "to:12") == ["qd-123-giao-dat.jpg"]
    assert documents(home, "dat", "--parcel", "87") == ["gcn-thua-87.tif"]
    assert documents(home, "dat", "--type", "to trinh") == ["ttr-09-mo-ma.jpg"]
    assert set(documents(home, "dat", "--year", "2024")) == {"ttr-09-mo-ma.jpg", "tb-18-tiep-cong-dan.pdf"}
    assert set(documents(home, "dat", "--from", "2023-10-01", "--to", "2023-12-31")) == {
        "cv-45-ra-soat.png", "bc-56-dat-dai.pdf"}
    assert documents(home, "dat", "--path", str(searchable["scans"] / "2022")) == ["gcn-thua-87.tif"]


def test_results_are_grouped_per_document_with_fields(searchable):
    result = json_of(run_luutru(searchable["home"], "search", "dat dai", "--json"))
    report = next(d for d in result["documents"] if d["path"].endswith("bc-56-dat-dai.pdf"))
    assert len(report["pages"]) >= 2 and report["doc_type"] == "Báo cáo" and report["number"] == "56/BC-TNMT"
    assert len({d["file_id"] for d in result["documents"]}) == len(result["documents"])


def test_a_bad_date_is_one_line(searchable):
    result = run_luutru(searchable["home"], "search", "dat", "--from", "2023-13-01", check_code=2)
    assert "YYYY-MM-DD" in result.stderr


FIELDS = ("number", "doc_type", "agency", "place", "issued", "subject", "signer")


def field_scores(headers: list[Header]) -> dict[str, tuple[float, float]]:
    """Per field: precision (right values / values given) and recall (right values / values there)."""
    given, right = Counter(), Counter()
    for header in headers:
        fields = extract_fields([header.text]).to_json()
        for name in FIELDS:
            found = comparable(fields[name])
            given[name] += found is not None
            right[name] += found is not None and found == comparable(header.truth[name])
    return {name: (right[name] / max(1, given[name]), right[name] / len(headers)) for name in FIELDS}


def test_field_precision_and_recall_on_noisy_synthetic_headers(capsys):
    headers = make_headers(200)
    scores = field_scores(headers)
    with capsys.disabled():
        print(f"\n{len(headers)} synthetic noisy headers\n{'field':<10}{'precision':>10}{'recall':>8}")
        for name, (precision, recall) in scores.items():
            print(f"{name:<10}{precision:>10.3f}{recall:>8.3f}")
    for name, (precision, recall) in scores.items():
        assert precision >= 0.95 and recall >= 0.85, (name, precision, recall)


@pytest.mark.parametrize("pattern, path, expected", [
    ("{department}/{year}", "/srv/scans/TNMT/2023/qd-123.pdf", {"department": "TNMT", "year": 2023}),
    ("{department}/{year}", "/srv/Phòng TNMT/2021/Quý 3/x.pdf", {"department": "Phòng TNMT", "year": 2021}),
    ("{department}/{year}", "/srv/scans/TNMT/hồ sơ/x.pdf", {}),
    ("lưu trữ/{department}/*/{year}", "/mnt/Luu tru/VP/hop/2019/x.tif", {"department": "VP", "year": 2019}),
])
def test_department_and_year_from_the_folder_path(pattern, path, expected):
    assert PathPattern(pattern).fields(path) == expected


@pytest.mark.slow
def test_path_pattern_from_the_config_and_undated_documents_last(tmp_path):
    scans, home = tmp_path / "TNMT" / "2022", tmp_path / "home"
    shutil.copytree(SAMPLES / "2022", scans)  # the certificate: no date of issue on its first page
    shutil.copytree(SAMPLES / "2024", scans.parent / "2024")
    home.mkdir()
    (home / "config.toml").write_text('path_pattern = "{department}/{year}"\n', encoding="utf-8")
    run_luutru(home, "ingest", str(tmp_path / "TNMT"))
    assert documents(home, "dat", "--department", "tnmt", "--year", "2022") == ["gcn-thua-87.tif"]
    assert documents(home, "donvi:TNMT", "nam:2024", "--sort", "date") == ["tb-18-tiep-cong-dan.pdf",
                                                                         "ttr-09-mo-ma.jpg"]
    assert documents(home, "dat", "--sort", "date")[-1] == "gcn-thua-87.tif"


def test_a_bad_config_is_one_line(one_scan):
    one_scan["home"].mkdir()
    (one_scan["home"] / "config.toml").write_text('path_pattern = "{phong}/{nam}"\n', encoding="utf-8")
    result = run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), check_code=2)
    assert "config.toml" in result.stderr and "{department}" in result.stderr


def test_a_field_the_layout_does_not_support_is_left_empty():
    second_page = ("có trách nhiệm thi hành Quyết định này./.\nNơi nhận:\n- Như Điều 3;\n- Lưu: VT.\n"
                   "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn Thắng")
    fields = extract_fields([second_page])
    assert (fields.agency, fields.number, fields.issued) == (None, None, None)
    citing = ("._ Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;\n'Căn cứ Quyết định số 12/QĐ-UBND ngày 19 tháng 6 "
              "năm 2015 của Ủy ban nhân dân huyện;\nXét đề nghị của Phòng Tài nguyên và Môi trường,")
    fields = extract_fields([citing])
    assert (fields.number, fields.issued, fields.agency) == (None, None, None)
    lost_place = "ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT\nSố: 123/QĐ-UBND\nngày 12 tháng 9 năm 2023\nQUYẾT ĐỊNH"
    fields = extract_fields([lost_place])
    assert (fields.number, fields.issued) == ("123/QĐ-UBND", "2023-09-12")
    assert fields.agency == "ỦY BAN NHÂN DÂN HUYỆN THẠCH THẤT"
