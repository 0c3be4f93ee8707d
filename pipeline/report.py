"""What the catalog knows, for people and scripts: status, one document, an export of every page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from luutru.errors import NoArchive, NotFound
from luutru.i18n import N_
from luutru.index.store import IndexUnavailable, engine_advice, open_store
from luutru.pipeline.catalog import FOLDER_PROBLEMS_KEY, SEARCHABLE, Catalog, FileRecord, PageRecord, catalog_name
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.tuning import TUNING
from luutru.scanners.signatures import verdict_of


def open_catalog(home: ArchiveHome) -> Catalog:
    """The catalog of an existing archive, for reading."""
    if not home.exists():
        raise NoArchive(home.root)
    return Catalog.reader(home.catalog_path)


def _index_facts(home: ArchiveHome) -> dict:
    try:
        store = open_store(home.index_link)
    except IndexUnavailable as error:
        return {"usable": False, "error": str(error)}
    pages, parts = store.page_count(), store.parts()
    return {"usable": True, "engine": store.engine, "pages": pages, "parts": parts,
            "generation": home.index_link.resolve().name, "updated": store.last_modified(),
            "advice": engine_advice(store.engine, pages, parts)}


def status(home: ArchiveHome) -> dict:
    """Counts of files and pages, failed and unsupported files with their reasons, index freshness."""
    catalog = open_catalog(home)
    try:
        counts = catalog.counts()
        failed = [{"path": r.path, "reason": r.error} for r in catalog.files("failed")]
        unsupported = [r.path for r in catalog.files("unsupported")]
        roots = [str(root) for root in catalog.roots()]
        dossiers = _dossier_facts(catalog)
        folders = [{"path": path, "reason": reason}
                   for path, reason in json.loads(catalog.get_meta(FOLDER_PROBLEMS_KEY) or "[]")]
    finally:
        catalog.close()
    index = _index_facts(home)
    index["up_to_date"] = index.get("usable", False) and counts["files_waiting_for_index"] == 0 \
        and index.get("pages") == counts["pages"]
    return {"home": str(home.root), "roots": roots, **counts, "failed": failed, "unreadable_folders": folders,
            "unsupported": unsupported, "index": index, "dossiers": dossiers}


def _dossier_facts(catalog: Catalog) -> dict:
    """How the scans and the dossier list meet: dossiers with no scan, scans in no dossier."""
    codes = [row["code"] for row in catalog.dossier_rows()]
    scanned = {code for code, *_ in catalog.dossier_counts()}
    outside = catalog.files_without_dossier() if codes else []
    return {"listed": len(codes), "without_scans": [code for code in codes if code not in scanned],
            "files_without_dossier": len(outside) if codes else None, "files_in_no_dossier": outside}


def find_file(catalog: Catalog, path_or_id: str) -> FileRecord:
    """A file by its catalog id or its path (typed in NFC or NFD, relative or absolute)."""
    record = None
    if path_or_id.isdigit():
        record = catalog.file_by_id(int(path_or_id))
    record = record or catalog.file_by_path(catalog_name(Path(path_or_id).expanduser().absolute())[0])
    if record is None:
        raise NotFound(N_("{path}: no such document in the catalog"), path=path_or_id)
    return record


def show(home: ArchiveHome, path_or_id: str, page: int | None = None) -> dict:
    """The stored facts and text of one document, or of one of its pages."""
    catalog = open_catalog(home)
    try:
        record = find_file(catalog, path_or_id)
        pages = [p for p in catalog.pages(record.id) if page is None or p.page == page]
        documents = show_documents(catalog, record)
        signatures = catalog.signatures(record.sha256) or []
    finally:
        catalog.close()
    if page is not None and not pages:
        raise NotFound(N_("{path}: no page {page} in the catalog (it has {pages})"), path=record.path, page=page,
                       pages=record.page_count or 0)
    facts = asdict(record)
    # The name's bytes on disk, where they are not its readable UTF-8 (a legacy-encoded name, NFD).
    raw = facts.pop("raw_path")
    facts["disk_path"] = raw.decode("utf-8", errors="backslashreplace") if raw is not None else record.path
    return {"file": facts, **documents, "signatures": signatures,
            "pages": [{"page": p.page, "confidence": p.confidence, "source": p.source, "text": p.text,
                       "diagnostics": json.loads(p.diagnostics or "{}"), "provenance": json.loads(p.provenance or "{}")}
                      for p in pages]}


def show_documents(catalog: Catalog, record: FileRecord) -> dict:
    """A file's documents, and whether an archivist set where they start."""
    documents = catalog.documents(record.id)
    return {"fields": documents[0][2] if documents else {},
            "documents": [document_facts(*document) for document in documents],
            "split_by_hand": catalog.manual_starts(record.sha256) is not None}


def day_month_year(iso: str | None) -> str:
    """YYYY-MM-DD, YYYY-MM or YYYY as Vietnamese offices write dates: DD/MM/YYYY, MM/YYYY, YYYY."""
    return "/".join(reversed(iso.split("-"))) if iso else ""


def signature_shown(signature: dict, translate: Callable[[str], str] = str) -> dict:
    """A scan's digital signature as checked (scanners.signatures), in the words of `translate` (default: English;
    i18n.in_vietnamese for the counter's page and the package): signer, time, verdict and issuer."""
    signed_at = signature.get("signed_at")
    return {"signer": signature["signer"], "verdict": verdict_of(signature, translate), "issuer": signature["issuer"],
            "signed_at": day_month_year(signed_at[:10]) + signed_at[10:16].replace("T", " ") if signed_at else ""}


def document_facts(first_page: int, last_page: int, fields: dict) -> dict:
    """A document of a file as people and scripts read it: its pages and its main fields first."""
    return {"first_page": first_page, "last_page": last_page, "number": fields.get("number"),
            "type": fields.get("doc_type"), "issued": fields.get("issued"), "agency": fields.get("agency"),
            "subject": fields.get("subject"), **{name: value for name, value in fields.items() if name not in
                                                 ("number", "doc_type", "issued", "agency", "subject")}}


def export_pages(home: ArchiveHome) -> Iterator[dict]:
    """One record per searchable page, in catalog order, streamed."""
    catalog = open_catalog(home)
    try:
        for status_name in SEARCHABLE:
            for record in catalog.files(status_name):
                for page in catalog.pages(record.id):
                    yield {"path": record.path, "page": page.page, "text": page.text,
                           "confidence": page.confidence, "source": page.source,
                           "file_id": record.id, "sha256": record.sha256}
    finally:
        catalog.close()


def export_jsonl(home: ArchiveHome) -> Iterator[str]:
    for row in export_pages(home):
        yield json.dumps(row, ensure_ascii=False)


# A page whose confidence is below this is worth a look; clean pages read at 90-95.
REVIEW_BELOW = 70.0
# A page whose words are Vietnamese syllables less than this (pipeline.vietnamese.vietnamese_score) reads
# as noise, whatever Tesseract's confidence: it is listed too.
NOISE_BELOW = 0.3
FEW_WORDS = 30
# What cleanup finds on a damaged photocopy (pipeline.work), as an archivist knows it.
COPY_DAMAGE = {"grain": N_("a copier's grain"), "streaks": N_("a dirty drum's streaks"),
               "streaks_across": N_("a dirty drum's streaks across the lines"),
               "specks": N_("toner specks all over it")}


def likely_causes(page: PageRecord, translate: Callable[[str], str] = str) -> list[str]:
    """Why a page may read badly, from what cleanup and OCR found on it, in the words of `translate` (default:
    English, as `--json` gives them)."""
    found = json.loads(page.diagnostics) if page.diagnostics else {}
    causes = []
    if page.unreadable:
        quality = translate(N_("{share:.0%} plausible text")).format(share=found["quality"]) if "quality" in found \
            else translate(N_("junk throughout"))
        causes.append(translate(N_("unreadable: rescan (its best reading, after {readings} cleanups, is {quality}; "
                                   "kept in the catalog, left out of the index)")).format(
            readings=found.get("readings", 1), quality=quality))
    elif found.get("vietnamese", 1.0) < NOISE_BELOW and found.get("words", 0) >= FEW_WORDS:
        causes.append(translate(N_("reads as noise: {share:.0%} Vietnamese by its words (a page read as garbage, "
                                   "or not in Vietnamese): look at the scan")).format(share=found["vietnamese"]))
    if found.get("words", FEW_WORDS) < FEW_WORDS:
        causes.append(translate(N_("little text (a blank page, a photo, a map or handwriting?)")))
    if found.get("damaged_copy"):
        damage = translate(N_(" and ")).join(translate(COPY_DAMAGE[name]) for name in found["damaged_copy"])
        causes.append(translate(N_("a damaged photocopy ({damage}): rescan the original if the archive holds "
                                   "it")).format(damage=damage))
    if found.get("ink_level", 0) >= TUNING.faint_ink_level:
        causes.append(translate(N_("low contrast (a faded copy): rescan darker")))
    if found.get("sideways") and "rotated" not in found:
        causes.append(translate(N_("on its side and its orientation was not found")))
    if abs(found.get("skew", 0.0)) >= TUNING.max_skew_degrees - 0.2:
        causes.append(translate(N_("skewed by {degrees:g}° or more: straighten it on the scanner")).format(
            degrees=TUNING.max_skew_degrees))
    if "rotated" in found:
        causes.append(translate(N_("was turned {degrees}° to read it")).format(degrees=found["rotated"]))
    if page.source == "prior-ocr":
        causes.append(translate(N_("the text of an earlier OCR (a scanner's searchable PDF), kept: it reads as "
                                   "Vietnamese (score {score:.2f}); `luutru reindex --reocr --source prior-ocr` reads "
                                   "it with Tesseract")).format(score=found.get("prior_ocr_score", 0)))
    elif "prior_ocr_score" in found:
        causes.append(translate(N_("an earlier OCR's text layer read badly (score {score:.2f}): OCR'd again")).format(
            score=found["prior_ocr_score"]))
    if "legacy_encoding" in found:
        causes.append(translate(N_("a text layer in {encoding}, converted to Unicode")).format(
            encoding=found["legacy_encoding"].upper()))
    return causes or [translate(N_("damage, small print or handwriting (no single cause found)"))]


def review(home: ArchiveHome, below: float = REVIEW_BELOW, source: str | None = None,
           translate: Callable[[str], str] = str) -> list[dict]:
    """Pages read with a confidence under `below` (from one source, if given), worst first, with their
    likely causes (in the words of `translate`): what to rescan."""
    catalog = open_catalog(home)
    try:
        sources = (source,) if source else ("ocr", "prior-ocr")
        return [{"path": path, "page": page.page, "confidence": page.confidence, "source": page.source,
                 "causes": likely_causes(page, translate)}
                for path, page in catalog.pages_below(below, sources, NOISE_BELOW)]
    finally:
        catalog.close()


def doubtful_documents(home: ArchiveHome) -> list[dict]:
    """Documents whose number or date was read with little confidence (a handwritten fill-in, often misread):
    what to check against the paper, with the value as read."""
    catalog = open_catalog(home)
    try:
        return [{"path": path, **document_facts(first, last, fields)}
                for path, first, last, fields in catalog.doubtful_documents()]
    finally:
        catalog.close()
