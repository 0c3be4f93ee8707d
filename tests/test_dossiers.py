"""The dossier list: imported from the archivist's spreadsheet, linked to the scans by their paths,
and shown with search results. Through the real `luutru` command on real scans."""

from __future__ import annotations

import csv
import datetime
import re
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import AGENCY, boxed_home, in_locale, json_of, log_in, place_samples, run_luutru, users_cli

HEADER = "STT,Hộp số,Hồ sơ số,Tiêu đề hồ sơ,Thời gian,Số tờ,Thời hạn bảo quản,Ghi chú,Đường dẫn"
ROWS = ['1,01,10,"Hồ sơ giao đất ở cho hộ ông Nguyễn Văn Hùng",2023 - 2023,12,Vĩnh viễn,,',
        '2,01,011,"Hồ sơ rà soát cấp giấy chứng nhận xã Hoà Thạch",05/06/2023 - 20/10/2023,8,20 năm,,',
        '3,02,3,"Báo cáo công tác quản lý đất đai năm 2023",2023,15,10 năm,,',
        '4,03,7,"Hồ sơ cấp giấy chứng nhận thửa 87",2022,4,Vĩnh viễn,,Khac',
        '5,03,8,"Hồ sơ chưa quét",2021 - 2022,3,50 năm,Thiếu bản gốc,']


def write_list(path, rows, title="MỤC LỤC HỒ SƠ"):
    """A CSV as Excel saves it ("CSV UTF-8": with a byte order mark), a title row above the header."""
    path.write_text("\n".join([title, HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("dossiers")
    scans, home = base / "scans", base / "home"
    place_samples(scans, (("2023/qd-123-giao-dat.jpg", "Hop 01/HS 010/qd-123.jpg"),
                          ("2023/cv-45-ra-soat.png", "Hop 01/HS 11/cv-45.png"),
                          ("2023/bc-56-dat-dai.pdf", "Hop 02/HS003.pdf"),
                          ("2022/gcn-thua-87.tif", "Khac/gcn.tif")))
    boxed_home(home)
    run_luutru(home, "ingest", str(scans), "--jobs", "2")
    report = json_of(run_luutru(home, "dossiers", "import", str(write_list(base / "muc-luc.csv", ROWS)), "--json"))
    return {"home": home, "scans": scans, "base": base, "report": report}


@pytest.mark.slow
def test_the_list_is_imported_and_the_scans_linked_by_path_pattern_and_by_path(linked):
    assert linked["report"]["imported"] == 5 and linked["report"]["added"] == 5 and not linked["report"]["problems"]
    listed = {d["code"]: d for d in json_of(run_luutru(linked["home"], "dossiers", "list", "--json"))["dossiers"]}
    assert set(listed) == {f"{AGENCY}.2023.10", f"{AGENCY}.2023.11", f"{AGENCY}.2023.3", f"{AGENCY}.2022.7",
                           f"{AGENCY}.2021.8"}
    assert listed[f"{AGENCY}.2023.11"]["start"] == "2023-06-05" and listed[f"{AGENCY}.2023.11"]["end"] == "2023-10-20"
    assert listed[f"{AGENCY}.2023.3"]["pages"] == 3 and listed[f"{AGENCY}.2022.7"]["pages"] == 2  # linked by path
    assert listed[f"{AGENCY}.2021.8"]["documents"] == 0 and listed[f"{AGENCY}.2023.10"]["retention"] == "Vĩnh viễn"
    status = json_of(run_luutru(linked["home"], "status", "--json"))["dossiers"]
    assert status == {"listed": 5, "without_scans": [f"{AGENCY}.2021.8"], "files_without_dossier": 0,
                      "files_in_no_dossier": []}
    told = {language: run_luutru(linked["home"], "dossiers", "list", env=in_locale(language)).stdout
            for language in ("vi_VN.UTF-8", "C.UTF-8")}
    assert "3 trang đã quét)" in told["vi_VN.UTF-8"] and told["vi_VN.UTF-8"].endswith("\n5 hồ sơ\n"), told
    assert "3 pages scanned)" in told["C.UTF-8"] and told["C.UTF-8"].endswith("\n5 dossiers\n"), told


def test_a_found_document_says_which_dossier_and_box_it_lies_in(linked):
    found = json_of(run_luutru(linked["home"], "search", "thua dat so 245", "--json"))["documents"][0]
    assert found["dossier"] == {"code": f"{AGENCY}.2023.10", "number": "10",
                                "title": "Hồ sơ giao đất ở cho hộ ông Nguyễn Văn Hùng", "box": "01",
                                "mode": None}  # the list gives it no use mode: config.toml's, else 01
    shown = json_of(run_luutru(linked["home"], "dossiers", "show", f"{AGENCY}.2023.3", "--json"))
    assert (shown["code"], shown["box"], shown["pages"]) == (f"{AGENCY}.2023.3", "02", 3)
    assert [(d["path"].rsplit("/", 1)[-1], d["first_page"], d["number"]) for d in shown["documents"]] == \
        [("HS003.pdf", 1, "56/BC-TNMT")]
    by_number = json_of(run_luutru(linked["home"], "dossiers", "show", "011", "--json"))
    assert by_number["code"] == f"{AGENCY}.2023.11" and by_number["documents"][0]["type"] == "Công văn"
    missing = run_luutru(linked["home"], "dossiers", "show", "99", check_code=5)
    assert "no such dossier" in missing.stderr
    assert "hộp 02" in run_luutru(linked["home"], "dossiers", "list").stdout


def test_search_by_dossier_and_by_a_path_under_the_ingested_folder_and_say_where_the_paper_lies(linked):
    home = linked["home"]
    inside = json_of(run_luutru(home, "search", "dat", "--dossier", "10", "--json"))["documents"]
    assert {Path(document["path"]).name for document in inside} == {"qd-123.jpg"}
    assert json_of(run_luutru(home, "search", "dat", "--dossier", f"{AGENCY}.2023.11", "--json"))["documents"]
    under = json_of(run_luutru(home, "search", "dat", "--path", "Hop 01", "--json"))["documents"]
    assert {Path(document["path"]).name for document in under} == {"qd-123.jpg", "cv-45.png"}
    plain = run_luutru(home, "search", "thua dat so 245", "--dossier", "010").stdout
    assert f"hồ sơ 10 ({AGENCY}.2023.10), hộp 01: Hồ sơ giao đất ở" in plain
    assert "no such dossier" in run_luutru(home, "search", "dat", "--dossier", "99", check_code=5).stderr


def test_the_counter_filters_by_dossier_as_the_command_line_does_and_speaks_vietnamese(linked, tmp_path):
    from starlette.testclient import TestClient

    from luutru.pipeline.home import ArchiveHome
    from luutru.web.app import make_app

    with TestClient(make_app(ArchiveHome(linked["home"]), cache=tmp_path)) as client:
        for named in ("10", "010", f"{AGENCY}.2023.10"):  # the box empty: the filter alone lists the dossier
            page = client.get("/", params={"dossier": named}).text
            assert "qd-123.jpg" in page and "cv-45.png" not in page and ">1 văn bản\n" in page, named
        for params, says in (({"q": "dat", "dossier": "99"}, "Không có hồ sơ “99”"),
                             ({"q": "dat", "from": "2024-13-45"}, "không phải là một ngày"),
                             ({"q": "coquan:[a TO c]"}, "chỉ dùng cho năm và ngày")):
            answer = client.get("/", params=params)
            assert answer.status_code == 400 and says in answer.text, params
            assert not any(english in answer.text for english in ("is not a date", "cannot be run", "no such",
                                                                   "has no words")), params


@pytest.mark.slow
def test_a_dossier_a_person_may_not_read_is_answered_as_one_not_in_the_list(linked, tmp_path):
    """Dossier 10 made secret in the list's "Chế độ sử dụng" column: for a counter clerk its code and its number
    answer as 99 does, a dossier the list lacks; its number no longer counts among dossiers that share one."""
    from starlette.testclient import TestClient

    from luutru.pipeline.home import ArchiveHome
    from luutru.web.app import make_app

    home = tmp_path / "home"
    shutil.copytree(linked["home"], home, symlinks=True)
    header, rows = HEADER + ",Chế độ sử dụng", [row + (",03 Mật" if row.startswith("1,") else ",Công khai")
                                                  for row in ROWS]
    path = tmp_path / "muc-luc.csv"
    path.write_text("\n".join(["MỤC LỤC HỒ SƠ", header, *rows]) + "\n", encoding="utf-8-sig")
    run_luutru(home, "dossiers", "import", str(path))
    for name, role in (("lan", "clerk"), ("hoa", "head")):
        users_cli(home, "add", name, "--role", role, password=f"mat-khau-{name}")

    def answers(client, dossier: str) -> tuple[int, str]:
        answer = client.get("/", params={"q": "dat", "dossier": dossier})
        return answer.status_code, re.sub(r"“[^”]*”", "“…”", answer.text.split("<main>")[1])

    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        log_in(client, "hoa", "mat-khau-hoa")
        assert answers(client, "10")[0] == 200 and "qd-123.jpg" in client.get("/", params={"dossier": "10"}).text
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        log_in(client, "lan", "mat-khau-lan")
        nowhere = answers(client, "99")
        assert nowhere[0] == 400 and "Không có hồ sơ" in nowhere[1]
        for named in ("10", "010", f"{AGENCY}.2023.10"):
            assert answers(client, named) == nowhere, named
        assert "cv-45.png" in client.get("/", params={"dossier": "011"}).text  # a public dossier is found


def test_importing_again_updates_and_a_bad_row_imports_nothing(linked, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(linked["home"], home, symlinks=True)
    changed = [ROWS[0].replace("Nguyễn Văn Hùng", "Nguyễn Văn Hưng"), *ROWS[1:]]
    report = json_of(run_luutru(home, "dossiers", "import", str(write_list(tmp_path / "a.csv", changed)), "--json"))
    assert (report["added"], report["updated"], report["relinked_files"]) == (0, 5, 1)
    same = json_of(run_luutru(home, "dossiers", "import", str(tmp_path / "a.csv"), "--json"))
    assert (same["updated"], same["relinked_files"]) == (5, 0)  # nothing linked anew, nothing to reindex
    found = json_of(run_luutru(home, "search", "thua dat so 245", "--json"))["documents"][0]
    assert found["dossier"]["title"].endswith("Nguyễn Văn Hưng")
    bad = [*changed, '6,04,12,,2020,2,10 năm,,', '7,04,13,"Hồ sơ X",2020/2021,2,10 năm,,', '8,04,ba,"Hồ sơ Y",2020,,,,']
    result = run_luutru(home, "dossiers", "import", str(write_list(tmp_path / "b.csv", bad)), check_code=2)
    assert result.stdout.splitlines() == ["BAD ROW b.csv, row 8: no dossier title",
                                          "BAD ROW b.csv, row 9: cannot read the date '2020/2021' (write 2019, "
                                          "06/2019 or 05/06/2019)",
                                          "BAD ROW b.csv, row 10: the dossier number 'ba' has no digits"]
    assert len(json_of(run_luutru(home, "dossiers", "list", "--json"))["dossiers"]) == 5


def test_the_list_as_archivists_type_it_wrong_is_refused_and_what_it_leaves_out_is_kept(linked, tmp_path):
    """An end before the start and a letter O among a number's digits are bad rows; "Hộp 02" is box 02; a list
    without the retention column keeps each dossier's retention; a list without a required column, or empty,
    says so."""
    home = tmp_path / "home"
    shutil.copytree(linked["home"], home, symlinks=True)
    bad = [*ROWS, '6,04,12,"Hồ sơ Z",20/10/2023 - 05/06/2023,2,10 năm,,', '7,O1,13,"Hồ sơ X",2020,2,10 năm,,',
           '8,04,0O2,"Hồ sơ Y",2020,,,,']
    result = run_luutru(home, "dossiers", "import", str(write_list(tmp_path / "b.csv", bad)), check_code=2)
    assert result.stdout.splitlines() == ["BAD ROW b.csv, row 8: it ends (2023-06-05) before it starts (2023-10-20)",
                                          "BAD ROW b.csv, row 9: the box number 'O1' has the letter O among its "
                                          "digits (a 0 is meant?)",
                                          "BAD ROW b.csv, row 10: the dossier number '0O2' has the letter O among its "
                                          "digits (a 0 is meant?)"]
    without_retention = [",".join(row.split(",")[:6] + row.split(",")[7:]) for row in ROWS]
    header = HEADER.replace(",Thời hạn bảo quản", "")
    listed = tmp_path / "c.csv"
    listed.write_text("\n".join([header, *[row.replace("1,01,10", "1,Hộp 02,10") for row in without_retention]]),
                      encoding="utf-8")
    again = json_of(run_luutru(home, "dossiers", "import", str(listed), "--json"))
    assert again["kept_columns"] == ["retention"] and not again["problems"]
    shown = json_of(run_luutru(home, "dossiers", "show", "10", "--json"))
    assert (shown["retention"], shown["box"]) == ("Vĩnh viễn", "02")
    no_title = tmp_path / "d.csv"
    no_title.write_text("Hộp số,Hồ sơ số,Thời gian\n01,10,2023\n", encoding="utf-8")
    missing = run_luutru(home, "dossiers", "import", str(no_title), check_code=2)
    assert "no column \"Tiêu đề hồ sơ\"" in missing.stderr and "Hồ sơ số" not in missing.stderr.split("no column")[1]
    (tmp_path / "e.csv").write_text("\n", encoding="utf-8")
    assert "is empty" in run_luutru(home, "dossiers", "import", str(tmp_path / "e.csv"), check_code=2).stderr


@pytest.mark.slow
def test_the_list_comes_first_and_scans_ingested_later_are_linked_to_it(tmp_path):
    """The arrangement makes the list before any page is scanned: it imports into a new home."""
    home, scans = tmp_path / "home", tmp_path / "scans"
    boxed_home(home)
    first = json_of(run_luutru(home, "dossiers", "import", str(write_list(tmp_path / "a.csv", ROWS)), "--json"))
    assert (first["added"], first["relinked_files"]) == (5, 0)
    place_samples(scans, (("2023/qd-123-giao-dat.jpg", "Hop 01/HS 010/qd-123.jpg"),
                          ("2023/cv-45-ra-soat.png", "Hop 09/HS 099/cv-45.png")))
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    assert f"in no dossier: {scans / 'Hop 09/HS 099/cv-45.png'}" in run_luutru(home, "status").stdout
    shown = json_of(run_luutru(home, "dossiers", "show", "10", "--json"))
    assert [Path(document["path"]).name for document in shown["documents"]] == ["qd-123.jpg"]
    assert "(05/06/2023 - 20/10/2023" in run_luutru(home, "dossiers", "show", "11").stdout  # as archivists write
    again = json_of(run_luutru(home, "dossiers", "import", str(tmp_path / "a.csv"), "--json"))
    assert (again["added"], again["relinked_files"]) == (0, 0)  # the same list links nothing anew


def test_a_list_saved_as_excel_saves_it_is_read_or_named_in_one_line(linked, tmp_path):
    """Excel's "Unicode Text" (UTF-16, tabs) is read; an .xls (even renamed .xlsx), an .ods and a CSV in a
    Windows code page get one line saying what to save the list as, never a codec error or error 70."""
    home = tmp_path / "home"
    shutil.copytree(linked["home"], home, symlinks=True)
    unicode_text = tmp_path / "muc-luc.txt"
    rows = ["\t".join(cells) for cells in csv.reader([HEADER, *ROWS])]
    unicode_text.write_text("\n".join(rows) + "\n", encoding="utf-16")
    assert json_of(run_luutru(home, "dossiers", "import", str(unicode_text), "--json"))["imported"] == len(ROWS)
    xls = tmp_path / "muc-luc.xlsx"  # an Excel 97-2003 file renamed
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    ods = tmp_path / "muc-luc.ods"
    with zipfile.ZipFile(ods, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    cp1258 = tmp_path / "muc-luc.csv"
    cp1258.write_bytes("\n".join([HEADER, *ROWS]).encode("cp1258", errors="replace"))
    for listed, says in ((xls, "Excel 97-2003"), (ods, "OpenDocument"), (cp1258, "not UTF-8")):
        failed = run_luutru(home, "dossiers", "import", str(listed), check_code=2)
        assert says in failed.stderr and len(failed.stderr.strip().splitlines()) == 1, listed.name
        assert "internal error" not in failed.stderr and "codec" not in failed.stderr


def test_an_xlsx_list_with_start_and_end_columns(linked, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(linked["home"], home, symlinks=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Phông", "Mục lục số", "Số và ký hiệu hồ sơ", "TIÊU ĐỀ HỒ SƠ", "Thời gian bắt đầu",
                  "Thời gian kết thúc", "Số tờ", "Thời hạn bảo quản"])
    sheet.append(["UBND huyện Thạch Thất", "01", 21, "Hồ sơ đo đạc", datetime.datetime(2019, 3, 1),
                  datetime.datetime(2020, 5, 30), 40, "70 năm"])
    book.save(tmp_path / "muc-luc.xlsx")
    assert json_of(run_luutru(home, "dossiers", "import", str(tmp_path / "muc-luc.xlsx"), "--json"))["added"] == 1
    shown = json_of(run_luutru(home, "dossiers", "show", f"{AGENCY}.2019.21", "--json"))
    assert (shown["start"], shown["end"], shown["fonds"], shown["sheets"]) == ("2019-03-01", "2020-05-30",
                                                                               "UBND huyện Thạch Thất", 40)


def test_an_import_needs_the_agency_identifier(one_scan, tmp_path):
    run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), "--jobs", "1")
    result = run_luutru(one_scan["home"], "dossiers", "import", str(write_list(tmp_path / "l.csv", ROWS)), check_code=2)
    assert "agency_id" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_list_of_five_thousand_rows_imports_in_seconds(linked, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(linked["home"], home, symlinks=True)
    rows = [f'{n},{n // 50 + 1},{n},"Hồ sơ số {n} về giao đất",{2000 + n % 25},{n % 90 + 1},Vĩnh viễn,,'
            for n in range(100, 5100)]
    started = time.monotonic()
    report = json_of(run_luutru(home, "dossiers", "import", str(write_list(tmp_path / "big.csv", rows)), "--json"))
    print(f"5,000-row dossier list imported in {time.monotonic() - started:.1f}s")
    assert report["imported"] == 5000 and not report["problems"]
