"""Document fields from the Decree 30/2020/NĐ-CP layout, and searching and filtering on them."""

import pytest

from conftest import TRUTH, json_of, run_luutru
from pipeline.metadata import extract_fields

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


def documents(home, *args):
    return [d["path"].rsplit("/", 1)[-1] for d in json_of(run_luutru(home, "search", *args, "--json"))["documents"]]


@pytest.mark.parametrize("spelling", ["123/QĐ-UBND", "123/qd-ubnd", "123/QD-UBND", "so:123/qđ-ubnd"])
def test_document_number_in_three_spellings(archive, spelling):
    assert documents(archive["home"], spelling)[0] == "qd-123-giao-dat.jpg"


def test_filters_and_field_syntax(archive):
    home = archive["home"]
    assert documents(home, "thua:245", "to:12") == ["qd-123-giao-dat.jpg"]
    assert documents(home, "dat", "--parcel", "87") == ["gcn-thua-87.tif"]
    assert documents(home, "dat", "--type", "to trinh") == ["ttr-09-mo-ma.jpg"]
    assert set(documents(home, "dat", "--year", "2024")) == {"ttr-09-mo-ma.jpg", "tb-18-tiep-cong-dan.pdf"}
    assert set(documents(home, "dat", "--from", "2023-10-01", "--to", "2023-12-31")) == {
        "cv-45-ra-soat.png", "bc-56-dat-dai.pdf"}
    assert documents(home, "dat", "--path", str(archive["scans"] / "2022")) == ["gcn-thua-87.tif"]


def test_results_are_grouped_per_document_with_fields(archive):
    result = json_of(run_luutru(archive["home"], "search", "dat dai", "--json"))
    report = next(d for d in result["documents"] if d["path"].endswith("bc-56-dat-dai.pdf"))
    assert len(report["pages"]) >= 2 and report["doc_type"] == "Báo cáo" and report["number"] == "56/BC-TNMT"
    assert len({d["file_id"] for d in result["documents"]}) == len(result["documents"])


def test_a_bad_date_is_one_line(archive):
    result = run_luutru(archive["home"], "search", "dat", "--from", "2023-13-01", check_code=2)
    assert "YYYY-MM-DD" in result.stderr
