"""Which documents to export and what their files are called, then one PDF/A file each.

A document of a dossier is named by Circular 05/2025/TT-BNV: the dossier's code and the
document's order in the dossier, seven digits (`H49.64.33.2019.10.0000003.pdf`). A document of no
dossier is named by its scan: the scan's name, with the page range when the scan holds several
documents (`bc-56.p004-007.pdf`).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from luutru.errors import NotFound, UsageError
from luutru.export.pdfa import ExportError, ExportPage, PdfMetadata, write_pdfa
from luutru.i18n import N_
from luutru.pipeline.catalog import SEARCHABLE, Catalog, FileRecord, PageRecord
from luutru.pipeline.dossiers import Dossier, circular_name, document_name, find_dossier
from luutru.pipeline.export_manifest import Exported, read_manifest, write_manifest
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.report import open_catalog
from luutru.scanners.discover import fingerprint
from luutru.scanners.formats import Kind
from luutru.scanners.pages import ScanError


@dataclass
class ExportDocument:
    record: FileRecord
    first_page: int
    last_page: int
    fields: dict
    name: str  # the file name without .pdf


@dataclass
class ExportReport:
    out: str
    documents: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # files an export before wrote for documents that left
    seconds: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


def dossier_documents(catalog: Catalog, dossier: Dossier) -> list[ExportDocument]:
    """A dossier's documents in order, named `<code>.<order>`."""
    return [ExportDocument(catalog.file_by_path(path), first, last, fields, circular_name(dossier.code, order))
            for order, (path, first, last, fields) in enumerate(catalog.dossier_documents(dossier.code), start=1)]


def files_documents(catalog: Catalog, paths: Iterable[Path]) -> list[ExportDocument]:
    """The documents of the files at or under `paths`, named by their dossier or their scan."""
    documents = []
    for path in paths:
        records = [record for record in catalog.files(under=path.absolute()) if record.status in SEARCHABLE]
        if not records:
            raise NotFound(N_("{path}: no searchable scan at or under this path in the catalog"), path=path)
        for record in records:
            documents += [ExportDocument(record, first, last, fields,
                                         document_name(catalog, record.path, record.page_count, first, last, fields))
                          for first, last, fields in catalog.documents(record.id)]
    return documents


def _pages(catalog: Catalog, document: ExportDocument) -> list[ExportPage]:
    record = document.record
    try:
        status = record.disk_path.stat()
    except OSError as error:
        raise ExportError(f"{record.path}: cannot read the scan: {error.strerror}") from error
    # A scan touched, or copied back, with its bytes unchanged is the scan that was read: only its content counts.
    if (status.st_size, status.st_mtime_ns) != (record.size, record.mtime_ns) \
            and fingerprint(record.disk_path).sha256 != record.sha256:
        raise ExportError(f"{record.path}: changed since it was read; run `luutru reindex` first")
    stored = catalog.page_range(record.id, document.first_page, document.last_page)
    if len(stored) != document.last_page - document.first_page + 1:
        raise ExportError(f"{record.path}: pages {document.first_page}-{document.last_page} are not all read")
    return [ExportPage(record.disk_path, Kind(record.kind), page.page, *_text_layer(page),
                       json.loads(page.geometry or "{}")) for page in stored]


def _text_layer(page: PageRecord) -> tuple[str, list]:
    """A page's text and words for its PDF's text layer: none for a page that reads as noise."""
    if page.unreadable:
        return "", []
    return page.text, json.loads(page.words or "[]")


def _metadata(document: ExportDocument) -> PdfMetadata:
    fields = document.fields
    described = " ".join(part for part in (fields.get("doc_type"), fields.get("number")) if part)
    subject = fields.get("subject")
    title = ": ".join(part for part in (described, subject) if part) or Path(document.record.path).name
    return PdfMetadata(title=title, identifier=document.name, issued=fields.get("issued"),
                       agency=fields.get("agency"), subject=subject)


def write_documents(catalog: Catalog, documents: list[ExportDocument], out: Path, report: ExportReport,
                    progress: Callable[[str], None] = lambda name: None) -> None:
    """Write each document as `<name>.pdf` in `out`; a document that fails is one line in the report."""
    for document in documents:
        progress(document.name)
        target = out / f"{document.name}.pdf"
        try:
            exported = write_pdfa(_pages(catalog, document), _metadata(document), target)
        except (ExportError, ScanError) as error:
            report.problems.append(f"{document.name}: {error}")
            continue
        report.documents.append({"file": target.name, "path": document.record.path, "sha256": document.record.sha256,
                                 "type": document.fields.get("doc_type"), "number": document.fields.get("number"),
                                 "first_page": document.first_page, "last_page": document.last_page,
                                 "pages": exported.pages, "words": exported.words, "images": exported.images})


def export_pdfa(home: ArchiveHome, out: Path, paths: Iterable[Path] = (), dossier: str | None = None,
                progress: Callable[[str], None] = lambda name: None) -> ExportReport:
    """One PDF/A-2b file per document of a dossier or of the given scans, written into `out`."""
    paths = list(paths)
    if bool(paths) == bool(dossier):
        raise UsageError("give either scans (PATH...) or --dossier CODE")
    started = time.monotonic()
    catalog = open_catalog(home)
    try:
        found = find_dossier(catalog, dossier) if dossier else None
        documents = dossier_documents(catalog, found) if found else files_documents(catalog, paths)
        if not documents:
            raise NotFound(f"{dossier}: no scanned document is linked to this dossier")
        out.mkdir(parents=True, exist_ok=True)
        report = ExportReport(str(out))
        write_documents(catalog, documents, out, report, progress)
    finally:
        catalog.close()
    _keep_manifest(out, documents, report, found.code if found else None, paths)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _keep_manifest(out: Path, documents: list[ExportDocument], report: ExportReport, dossier: str | None,
                   paths: list[Path]) -> None:
    """Record what this export wrote, and remove what an export of the same dossier (or of scans under the same
    paths) wrote before for documents that are no longer among them: an export owns only the files it wrote."""
    before = read_manifest(out)
    written = {entry["file"]: Exported(entry["sha256"], entry["path"], entry["first_page"], entry["last_page"],
                                       dossier) for entry in report.documents}
    current = {f"{document.name}.pdf" for document in documents}
    roots = [str(path.absolute()) for path in paths]

    def same_export(entry: Exported) -> bool:
        if dossier is not None:
            return entry.dossier == dossier
        return entry.dossier is None and any(entry.path == root or entry.path.startswith(root.rstrip("/") + "/")
                                             for root in roots)

    left = sorted(name for name, entry in before.items() if name not in current and same_export(entry))
    for name in left:
        (out / name).unlink(missing_ok=True)
    report.removed = left
    write_manifest(out, {**{name: entry for name, entry in before.items() if name not in left}, **written})
