"""A dossier as the submission package of Circular 05/2025/TT-BNV (SIP_hoso, an E-ARK CSIP/SIP).

    <OBJID>/METS.xml                                   the package: metadata, schemas, documentation, rep1
    <OBJID>/metadata/descriptive/EAD.xml               the dossier, 18 fields (schemas/EAD.xsd)
    <OBJID>/documentation/<code>.csv                   the dossier's documents, as archivists list them
    <OBJID>/schemas/EAD.xsd, EAD_doc.xsd
    <OBJID>/representations/rep1/METS.xml              the documents' metadata and files
    <OBJID>/representations/rep1/metadata/descriptive/EAD_doc_<name>.xml   a document, 21 fields
    <OBJID>/representations/rep1/data/<code>.<order>.pdf                   two-layer PDF/A-2b

Everything is written in a hidden folder beside the target and renamed into place at the end: an
export that fails or is interrupted leaves no package. Values luutru cannot know come from the
dossier list or `[package]` in config.toml; a missing one stops the export with one line naming
the dossier and the field.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path
from xml.etree import ElementTree

from luutru import __version__
from luutru.errors import UsageError
from luutru.export.documents import ExportDocument, ExportReport, dossier_documents, write_documents
from luutru.export.tables import write_documents_table
from luutru.i18n import in_vietnamese
from luutru.index.words import fold
from luutru.pipeline.circular05 import (
    DOCUMENT_LENGTHS,
    DOSSIER_LENGTHS,
    choices,
    circular_type,
    code_of,
    document_mode,
    too_long,
)
from luutru.pipeline.config import load_config
from luutru.pipeline.dossiers import Dossier, find_dossier
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.report import day_month_year, open_catalog, signature_shown

VIETNAM = timezone(timedelta(hours=7))
NAMESPACES = {"mets": "http://www.loc.gov/METS/", "xlink": "http://www.w3.org/1999/xlink",
              "csip": "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
              "sip": "https://DILCIS.eu/XML/METS/SIPExtensionMETS"}
PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
CONTENT_CATEGORY = "Textual works – Digital"
CONTENT_TYPE = "Circular 05/2025/TT-BNV"
CONFIDENCE_DIGITIZED = "02"
LANGUAGE = "01"  # Tiếng Việt (pipeline/circular05.toml, language)
# Retention (thời hạn bảo quản) in years -> maintenance code; 01 is vĩnh viễn, 07 any other period.
RETENTION_CODES = {70: "02", 50: "03", 30: "04", 20: "05", 10: "06"}
PERMANENT, OTHER_RETENTION = "01", "07"
REQUIRED_SETTINGS = {"archive_code": "the archive's code", "mode": "the access mode (01, 02 or 03)",
                     "physical_state": "the paper's physical state", "risk_recovery": "the backup regime (1 or 0)"}
# `[package]` settings the circular codes (pipeline/circular05.toml): the code or its name may be written.
CODED_SETTINGS = {"mode": "mode", "physical_state": "format", "risk_recovery": "riskRecovery"}

for prefix, uri in NAMESPACES.items():
    ElementTree.register_namespace(prefix, uri)


class PackageError(UsageError):
    """A dossier that cannot be packaged as it stands: a value is missing or a document failed."""


@dataclass
class PackageReport:
    package: str
    dossier: str
    documents: int
    pages: int
    bytes: int
    seconds: float
    too_long: list[str] = field(default_factory=list)  # values longer than the circular's field, written whole

    def to_json(self) -> dict:
        return asdict(self)


def _now() -> str:
    return datetime.now(VIETNAM).isoformat(timespec="seconds")


def _qualified(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}" if prefix else local


def _element(parent: ElementTree.Element | None, tag: str, text: str | None = None, **attributes: str):
    attributes = {_qualified(name.replace("__", ":")): value for name, value in attributes.items()}
    element = (ElementTree.Element(_qualified(tag), attributes) if parent is None
               else ElementTree.SubElement(parent, _qualified(tag), attributes))
    if text is not None:
        element.text = text
    return element


def _write_xml(root: ElementTree.Element, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.indent(root)
    ElementTree.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def maintenance_code(retention: str | None) -> str | None:
    """The annex's code of a retention period as the dossier list writes it ("Vĩnh viễn", "70 năm")."""
    if not retention or not retention.strip():
        return None
    folded = fold(retention)
    if "vinh vien" in folded:
        return PERMANENT
    years = re.search(r"\d+", folded)
    return RETENTION_CODES.get(int(years.group()), OTHER_RETENTION) if years else OTHER_RETENTION


def split_number(number: str | None) -> tuple[str, str]:
    """A document's number and its symbol: "123/QĐ-UBND" -> ("123", "QĐ-UBND")."""
    if not number:
        return "", ""
    head, _, rest = number.partition("/")
    return head.strip(), rest.strip()


def _settings(dossier: Dossier, package: dict, retention: str | None) -> dict:
    """The values the package needs that luutru cannot read from the scans; one line if one is missing."""
    missing = [f"package.{key} ({meaning}) in config.toml" for key, meaning in REQUIRED_SETTINGS.items()
               if not str(package.get(key, "")).strip()]
    if retention is None:
        missing.insert(0, "the retention (Thời hạn bảo quản) in the dossier list")
    if dossier.box is None:
        missing.insert(0, "the box (Hộp số) in the dossier list")
    if dossier.sheets is None:
        missing.insert(0, "the number of sheets (Số tờ) in the dossier list")
    if missing:
        raise PackageError(f"{dossier.code}: cannot make its package without {missing[0]}"
                           + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    coded = {key: _coded(dossier, package, key, list_name) for key, list_name in CODED_SETTINGS.items()}
    coded["mode"] = dossier.mode or coded["mode"]  # the dossier list's "Chế độ sử dụng"; config.toml's is the default
    # The circular's conditional fields: riskRecoveryStatus when riskRecovery is 1; paperFileCode (archive code, box,
    # dossier number: asked above) since every package here is digitized (confidenceLevel 02); process is asked only
    # of born-digital or mixed dossiers (01, 03), which luutru does not make.
    coded["risk_recovery_status"] = _coded(dossier, package, "risk_recovery_status", "riskRecoveryStatus") \
        if coded["risk_recovery"] == "1" else ""
    return {**package, **coded, "keyword": "; ".join(package.get("keywords", [])),
            "inforSign": package.get("information_sign", "")}


def _coded(dossier: Dossier, package: dict, key: str, list_name: str) -> str:
    """A `[package]` setting as the circular's code (written as the code or as its name); one line if it is neither."""
    code = code_of(list_name, package.get(key, ""))
    if code is None:
        raise PackageError(f"{dossier.code}: package.{key} = {str(package.get(key, ''))!r} in config.toml is none of "
                           f"the circular's {list_name} codes ({choices(list_name)})")
    return code


def _dossier_values(dossier: Dossier, documents: list[ExportDocument], settings: dict,
                    maintenance: str) -> list[tuple[str, str]]:
    issued = sorted(document.fields["issued"] for document in documents if document.fields.get("issued"))
    return [
        ("fileCode", dossier.code), ("title", dossier.title), ("maintenance", maintenance),
        ("mode", settings["mode"]), ("language", LANGUAGE),
        ("startDate", day_month_year(dossier.start or (issued[0] if issued else None))),
        ("endDate", day_month_year(dossier.end or (issued[-1] if issued else None))),
        ("keyword", settings["keyword"]), ("totalDoc", str(len(documents))), ("numberOfPaper", str(dossier.sheets)),
        ("numberOfPage", str(sum(document.last_page - document.first_page + 1 for document in documents))),
        ("format", settings["physical_state"]), ("inforSign", settings["inforSign"]),
        ("confidenceLevel", CONFIDENCE_DIGITIZED),
        ("paperFileCode", f"{settings['archive_code']}.{dossier.box}.{dossier.number}"),
        ("riskRecovery", settings["risk_recovery"]), ("riskRecoveryStatus", settings["risk_recovery_status"]),
        ("description", dossier.notes or ""),
    ]


def _ead(tag: str, values: list[tuple[str, str]]) -> ElementTree.Element:
    root = _element(None, tag)
    for name, value in values:
        _element(root, name, value)
    return root


def _signatures_noted(signatures: list[dict]) -> str:
    """A scan's digital signatures as the document's "Ghi chú" says them (Decree 30 Annex VI: a user can check them)."""
    return "; ".join(f"Chữ ký số: {shown['signer']}" + (f", ký lúc {shown['signed_at']}" if shown["signed_at"] else "")
                     + f": {shown['verdict']} (chứng thư do {shown['issuer']} cấp)"
                     for shown in (signature_shown(one, in_vietnamese) for one in signatures))


def _document_values(dossier: Dossier, document: ExportDocument, settings: dict, maintenance: str,
                     signatures: list[dict]) -> list[tuple[str, str]]:
    fields = document.fields
    number, notation = split_number(fields.get("number"))
    # A kind the circular does not list is "Khác" (32): its own name is kept in the description.
    type_code, other_type = circular_type(fields.get("doc_type"))
    return [
        ("docId", _document_id(document)), ("docCode", document.name), ("maintenance", maintenance),
        ("typeName", type_code), ("codeNumber", number), ("codeNotation", notation),
        ("issuedDate", day_month_year(fields.get("issued"))), ("organName", fields.get("agency") or ""),
        ("subject", fields.get("subject") or ""), ("language", LANGUAGE),
        ("numberOfPage", str(document.last_page - document.first_page + 1)), ("inforSign", settings["inforSign"]),
        # A document's own use mode, set by hand (`luutru documents set --mode`), else its dossier's.
        ("keyword", settings["keyword"]), ("mode", document_mode(fields, settings["mode"])),
        ("confidenceLevel", CONFIDENCE_DIGITIZED),
        ("autograph", ""), ("format", settings["physical_state"]), ("riskRecovery", settings["risk_recovery"]),
        ("riskRecoveryStatus", settings["risk_recovery_status"]), ("process", ""),
        ("description", "; ".join(part for part in (other_type, _signatures_noted(signatures)) if part)),
    ]


def _document_id(document: ExportDocument) -> str:
    """Mã định danh tài liệu as the circular's example writes it (H49.64.33.2001.160.1): the dossier's code and the
    document's order in it, unpadded (docCode is the same with the order in 7 digits: the document's name)."""
    code, _, order = document.name.rpartition(".")
    return f"{code}.{int(order)}"


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest().upper()


def _file_facts(path: Path, mimetype: str) -> dict:
    return {"MIMETYPE": mimetype, "SIZE": str(path.stat().st_size), "CREATED": _now(),
            "CHECKSUM": _checksum(path), "CHECKSUMTYPE": "SHA-256"}


MIMETYPES = {".xml": "text/xml", ".xsd": "text/xml", ".pdf": "application/pdf", ".csv": "text/csv"}


def _href(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()


def _mets_root(objid: str, label: str) -> ElementTree.Element:
    mets = _element(None, "mets:mets", OBJID=objid, LABEL=label, TYPE=CONTENT_CATEGORY, PROFILE=PROFILE,
                    csip__CONTENTINFORMATIONTYPE="OTHER", csip__OTHERCONTENTINFORMATIONTYPE=CONTENT_TYPE)
    now = _now()
    header = _element(mets, "mets:metsHdr", CREATEDATE=now, LASTMODDATE=now, RECORDSTATUS="NEW",
                      csip__OAISPACKAGETYPE="SIP")
    software = _element(header, "mets:agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _element(software, "mets:name", "luutru")
    _element(software, "mets:note", __version__, csip__NOTETYPE="SOFTWARE VERSION")
    return mets


def _add_submitter(mets: ElementTree.Element, name: str, identification: str) -> None:
    """The submitting agent E-ARK SIP asks for (ROLE CREATOR, TYPE ORGANIZATION, its identification code in a note):
    the office that hands the package over."""
    header = mets.find("mets:metsHdr", NAMESPACES)
    submitter = _element(header, "mets:agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    _element(submitter, "mets:name", name)
    _element(submitter, "mets:note", identification, csip__NOTETYPE="IDENTIFICATIONCODE")


def _add_agency(mets: ElementTree.Element, agency_name: str, agency_id: str) -> None:
    """The agency whose records the package holds."""
    header = mets.find("mets:metsHdr", NAMESPACES)
    agency = _element(header, "mets:agent", ROLE="ARCHIVIST", TYPE="ORGANIZATION")
    _element(agency, "mets:name", agency_name)
    _element(agency, "mets:note", agency_id, csip__NOTETYPE="IDENTIFICATIONCODE")


def _metadata_sections(mets: ElementTree.Element, paths: list[Path], base: Path) -> list[str]:
    """A dmdSec pointing to each descriptive metadata file; their IDs."""
    identifiers = []
    for number, path in enumerate(paths, start=1):
        identifier = f"dmd-{number:05d}"
        facts = _file_facts(path, "text/xml")
        section = _element(mets, "mets:dmdSec", ID=identifier, CREATED=facts["CREATED"], STATUS="CURRENT")
        _element(section, "mets:mdRef", LOCTYPE="URL", MDTYPE="EAD", xlink__type="simple",
                 xlink__href=_href(path, base), **facts)
        identifiers.append(identifier)
    return identifiers


def _file_group(file_section: ElementTree.Element, identifier: str, use: str, paths: list[Path], base: Path) -> None:
    # Every group says its content type: eark-validator 1.1 (rule CSIP63) wants it on each, not only on
    # the representations' group.
    group = _element(file_section, "mets:fileGrp", ID=identifier, USE=use, csip__CONTENTINFORMATIONTYPE="OTHER",
                     csip__OTHERCONTENTINFORMATIONTYPE=CONTENT_TYPE)
    for number, path in enumerate(paths, start=1):
        entry = _element(group, "mets:file", ID=f"{identifier}-{number:05d}",
                         **_file_facts(path, MIMETYPES[path.suffix.lower()]))
        _element(entry, "mets:FLocat", LOCTYPE="URL", xlink__type="simple", xlink__href=_href(path, base))


def _division(parent: ElementTree.Element, identifier: str, label: str, file_group: str | None = None,
              **attributes: str) -> ElementTree.Element:
    division = _element(parent, "mets:div", ID=identifier, LABEL=label, **attributes)
    if file_group:
        _element(division, "mets:fptr", FILEID=file_group)
    return division


def _representation_mets(objid: str, dossier: Dossier, representation: Path) -> None:
    mets = _mets_root(f"{objid}-rep1", dossier.title)
    documents_metadata = sorted((representation / "metadata" / "descriptive").glob("EAD_doc_*.xml"))
    metadata_ids = _metadata_sections(mets, documents_metadata, representation)
    file_section = _element(mets, "mets:fileSec", ID="filesec-rep1")
    _file_group(file_section, "grp-data", "Data", sorted((representation / "data").glob("*.pdf")), representation)
    structure = _element(mets, "mets:structMap", TYPE="PHYSICAL", LABEL="CSIP", ID="structmap-rep1")
    top = _division(structure, "div-rep1", "rep1")
    _division(top, "div-rep1-metadata", "Metadata", DMDID=" ".join(metadata_ids))
    _division(top, "div-rep1-data", "Data", "grp-data")
    _write_xml(mets, representation / "METS.xml")


def _package_mets(objid: str, dossier: Dossier, root: Path, agency_id: str, package: dict) -> None:
    mets = _mets_root(objid, dossier.title)
    submitter = package.get("submitter") or dossier.fonds or agency_id
    _add_submitter(mets, submitter, package.get("submitter_id") or agency_id)
    _add_agency(mets, dossier.fonds or agency_id, agency_id)
    metadata_ids = _metadata_sections(mets, [root / "metadata" / "descriptive" / "EAD.xml"], root)
    file_section = _element(mets, "mets:fileSec", ID="filesec")
    _file_group(file_section, "grp-documentation", "Documentation", sorted((root / "documentation").iterdir()), root)
    _file_group(file_section, "grp-schemas", "Schemas", sorted((root / "schemas").iterdir()), root)
    _file_group(file_section, "grp-rep1", "Representations/rep1", [root / "representations" / "rep1" / "METS.xml"],
                root)
    structure = _element(mets, "mets:structMap", TYPE="PHYSICAL", LABEL="CSIP", ID="structmap")
    top = _division(structure, "div-package", objid)
    _division(top, "div-metadata", "Metadata", DMDID=" ".join(metadata_ids))
    _division(top, "div-documentation", "Documentation", "grp-documentation")
    _division(top, "div-schemas", "Schemas", "grp-schemas")
    representations = _division(top, "div-representations", "Representations", "grp-rep1")
    representation = _division(representations, "div-rep1", "Representations/rep1")
    _element(representation, "mets:mptr", LOCTYPE="URL", xlink__type="simple",
             xlink__href="representations/rep1/METS.xml", xlink__title="grp-rep1")
    _write_xml(mets, root / "METS.xml")


def _copy_schemas(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("EAD.xsd", "EAD_doc.xsd"):
        (target / name).write_bytes(files("luutru.export").joinpath("schemas", name).read_bytes())


def _zip(folder: Path, target: Path) -> None:
    """The package folder in a zip, its files in name order under the package's own folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder.parent).as_posix())


def _build(home: ArchiveHome, code_or_number: str, folder: Path, objid: str) -> tuple[Dossier, int, int, list[str]]:
    """Write the whole package into `folder`; the dossier, its documents and pages."""
    config = load_config(home.config_path)
    catalog = open_catalog(home)
    try:
        dossier = find_dossier(catalog, code_or_number)
        maintenance = maintenance_code(dossier.retention)
        settings = _settings(dossier, config.package, maintenance)
        documents = dossier_documents(catalog, dossier)
        if not documents:
            raise PackageError(f"{dossier.code}: no scanned document is linked to this dossier")
        representation = folder / "representations" / "rep1"
        (representation / "data").mkdir(parents=True)
        report = ExportReport(str(folder))
        write_documents(catalog, documents, representation / "data", report)
        signatures = {document.name: catalog.signatures(document.record.sha256) or [] for document in documents}
    finally:
        catalog.close()
    if report.problems:
        raise PackageError(f"{dossier.code}: {len(report.problems)} document(s) could not be exported, "
                           f"first {report.problems[0]}")
    over_long = []
    for document in documents:
        values = _document_values(dossier, document, settings, maintenance, signatures[document.name])
        where = f"{dossier.code}, document {document.name}"
        over_long += [f"{where}: {line}" for line in too_long(values, DOCUMENT_LENGTHS)]
        descriptive = representation / "metadata" / "descriptive"
        _write_xml(_ead("EAD_doc", values), descriptive / f"EAD_doc_{document.name}.xml")
    values = _dossier_values(dossier, documents, settings, maintenance)
    over_long += [f"{dossier.code}: {line}" for line in too_long(values, DOSSIER_LENGTHS)]
    _write_xml(_ead("EAD", values), folder / "metadata" / "descriptive" / "EAD.xml")
    # Each document by its file in the package (the scans' paths are the archive's own business).
    write_documents_table(folder / "documentation" / f"{dossier.code}.csv", [(dossier, documents)],
                          lambda document: f"{document.name}.pdf")
    _copy_schemas(folder / "schemas")
    _representation_mets(objid, dossier, representation)
    _package_mets(objid, dossier, folder, config.agency_id or dossier.code, config.package)
    pages = sum(document.last_page - document.first_page + 1 for document in documents)
    return dossier, len(documents), pages, over_long


def export_sip(home: ArchiveHome, code_or_number: str, out: Path, as_zip: bool = False) -> PackageReport:
    """The dossier's SIP_hoso package, as `out/<OBJID>` (or `out/<OBJID>.zip`), complete or not at all."""
    started = datetime.now()
    objid = f"uuid-{str(uuid.uuid4()).upper()}"
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{objid}.", suffix=".partial", dir=out))
    try:
        folder = work / objid
        dossier, documents, pages, over_long = _build(home, code_or_number, folder, objid)
        if as_zip:
            _zip(folder, work / f"{objid}.zip")
            folder = work / f"{objid}.zip"
        target = out / folder.name
        os.replace(folder, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if made and not any(out.iterdir()):  # nothing was written: the folder this export made goes too
            out.rmdir()
    size = target.stat().st_size if as_zip else sum(path.stat().st_size for path in target.rglob("*") if path.is_file())
    return PackageReport(str(target), dossier.code, documents, pages, size,
                         round((datetime.now() - started).total_seconds(), 2), over_long)
