"""The dossier list with the documents of each dossier, the table archivists keep in Excel.

One row a document, its dossier's columns repeated (so the sheet sorts and filters as archivists
expect); a dossier with no scanned document yet has one row of its own. The dossier columns carry
the headers `luutru dossiers import` reads.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from luutru.errors import UsageError
from luutru.export.documents import ExportDocument, dossier_documents
from luutru.pipeline.dossiers import Dossier, dossiers_of
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.report import day_month_year, open_catalog

HEADERS = ["Hộp số", "Hồ sơ số", "Mã hồ sơ", "Tiêu đề hồ sơ", "Thời gian", "Số tờ", "Thời hạn bảo quản",
           "STT văn bản", "Mã văn bản", "Số và ký hiệu", "Ngày ban hành", "Loại văn bản", "Trích yếu nội dung",
           "Cơ quan ban hành", "Từ trang", "Đến trang", "Số trang", "Tệp", "Ghi chú"]
COLUMN_WIDTHS = {"Tiêu đề hồ sơ": 48, "Trích yếu nội dung": 60, "Cơ quan ban hành": 32, "Tệp": 40,
                 "Mã hồ sơ": 24, "Mã văn bản": 30, "Số và ký hiệu": 18}


def _dossier_cells(dossier: Dossier) -> list:
    dates = " - ".join(day_month_year(value) for value in (dossier.start, dossier.end) if value)
    return [dossier.box or "", dossier.number, dossier.code, dossier.title, dates,
            dossier.sheets if dossier.sheets is not None else "", dossier.retention or ""]


def table_rows(dossiers: list[tuple[Dossier, list[ExportDocument]]],
               file_name: Callable[[ExportDocument], str]) -> list[list]:
    """One row a document (a dossier without one: a row of its own); `file_name` says what its "Tệp" cell holds."""
    rows = []
    for dossier, documents in dossiers:
        head = _dossier_cells(dossier)
        if not documents:
            rows.append(head + [""] * 11 + [dossier.notes or ""])
        for order, document in enumerate(documents, start=1):
            fields = document.fields
            rows.append(head + [order, document.name, fields.get("number") or "",
                                day_month_year(fields.get("issued")), fields.get("doc_type") or "",
                                fields.get("subject") or "", fields.get("agency") or "", document.first_page,
                                document.last_page, document.last_page - document.first_page + 1,
                                file_name(document), dossier.notes or ""])
    return rows


def scan_path(roots: list[Path]) -> Callable[[ExportDocument], str]:
    """A document's scan as the archive names it: its path under the ingested folder it lies in (the machine's
    own folders are no business of a table that leaves it)."""
    def relative(document: ExportDocument) -> str:
        path = Path(document.record.path)
        under = [root for root in roots if path.is_relative_to(root)]
        return str(path.relative_to(max(under, key=lambda root: len(root.parts)))) if under else path.name
    return relative


def _write_csv(path: Path, rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as file:  # the BOM: Excel then reads UTF-8
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def _write_xlsx(path: Path, rows: list[list]) -> None:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Mục lục hồ sơ"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for position, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = COLUMN_WIDTHS.get(header, 12)
    workbook.save(path)


def write_documents_table(path: Path, dossiers: list[tuple[Dossier, list[ExportDocument]]],
                          file_name: Callable[[ExportDocument], str]) -> None:
    """Write the table as CSV or XLSX (by the suffix), whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = {".csv": _write_csv, ".xlsx": _write_xlsx}.get(path.suffix.lower())
    if writer is None:
        raise UsageError(f"{path}: the dossier table is written as .csv or .xlsx")
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        writer(Path(partial), table_rows(dossiers, file_name))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def export_dossier_table(home: ArchiveHome, path: Path) -> int:
    """Every dossier of the list with its documents, into `path` (.csv or .xlsx); the rows written."""
    catalog = open_catalog(home)
    try:
        dossiers = [(dossier, dossier_documents(catalog, dossier)) for dossier in dossiers_of(catalog)]
        file_name = scan_path(catalog.root_names())
    finally:
        catalog.close()
    if not dossiers:
        raise UsageError("no dossier list imported yet (luutru dossiers import FILE)")
    write_documents_table(path, dossiers, file_name)
    return sum(max(1, len(documents)) for _, documents in dossiers)
