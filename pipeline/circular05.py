"""The code lists of Circular 05/2025/TT-BNV (circular05.toml, one data file), which the dossier list and the
package read, and the code of each kind of document luutru reads."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

from luutru.i18n import N_
from luutru.index.doctypes import type_of_abbreviation
from luutru.index.words import fold

CODES_FILE = Path(__file__).with_name("circular05.toml")
# A kind of document the circular does not list (a land-use certificate, a citizen's application) is "Khác".
OTHER_TYPE = "32"
# The circular's field lengths (../shared/circular05/fields.md). A longer value is written whole, never cut: the
# package's report and `review --circular` say which dossier or document and which field, for the archivist to correct.
DOSSIER_LENGTHS = {"fileCode": 100, "title": 1000, "maintenance": 100, "mode": 30, "language": 100, "keyword": 100,
                   "format": 50, "inforSign": 30, "confidenceLevel": 40, "paperFileCode": 100, "riskRecoveryStatus": 2,
                   "description": 2000}
DOCUMENT_LENGTHS = {"docId": 25, "docCode": 100, "maintenance": 100, "typeName": 10, "codeNumber": 11,
                    "codeNotation": 30, "organName": 200, "subject": 500, "language": 100, "inforSign": 30,
                    "keyword": 100, "mode": 20, "confidenceLevel": 30, "autograph": 2000, "format": 50,
                    "riskRecoveryStatus": 2, "description": 500}


@functools.cache
def code_lists() -> dict[str, dict[str, str]]:
    """Each code list by its field name (typeName, mode, maintenance ...): code -> name."""
    with open(CODES_FILE, "rb") as file:
        return tomllib.load(file)


@functools.cache
def _type_codes() -> dict[str, str]:
    """Folded type name -> its code: both tone-mark styles (ủy, uỷ) and none fold alike."""
    return {fold(name): code for code, name in code_lists()["typeName"].items()}


def circular_type(type_name: str | None) -> tuple[str, str]:
    """The typeName code of a document of this type (a name as luutru reads it, or a Decree 30 abbreviation such
    as QĐ, TTr, GUQ), and the name to keep in its description when the code is OTHER_TYPE (nothing else)."""
    if not type_name:
        return OTHER_TYPE, ""
    name = type_of_abbreviation(type_name) or type_name
    code = _type_codes().get(fold(name))
    if code is None or code == OTHER_TYPE:
        return OTHER_TYPE, name
    return code, ""


def too_long(values: Iterable[tuple[str, str]], lengths: dict[str, int],
             translate: Callable[[str], str] = str) -> list[str]:
    """One line per value longer than the circular lets its field be ("subject is 630 characters, the circular
    allows 500"): the export writes it whole and says so, `review --circular` lists it."""
    return [translate(N_("{name} is {length} characters, the circular allows {allowed}")).format(
        name=name, length=len(value), allowed=lengths[name])
            for name, value in values if len(value) > lengths.get(name, len(value))]


def choices(list_name: str) -> str:
    """One of the circular's lists as a message offers it: "01 Công khai, 02 Sử dụng có điều kiện, 03 Mật"."""
    return ", ".join(f"{code} {name}" for code, name in code_lists()[list_name].items())


CODE_AND_NAME = re.compile(r"(?P<code>\d+)\s*[-.:)]?\s+(?P<name>\S.*)")


def code_of(list_name: str, value: object) -> str | None:
    """The code `value` names in one of the circular's lists: the code itself, its name in either tone-mark
    style ("Bình thường" -> "02", "Không" -> "0"), or both as `choices` writes them ("03 Mật", "03 - Mật");
    None when it is none of these."""
    codes, written = code_lists()[list_name], str(value).strip()
    if written in codes:
        return written
    both = CODE_AND_NAME.fullmatch(written)
    if both and both["code"] in codes and fold(codes[both["code"]]) == fold(both["name"]):
        return both["code"]
    return next((code for code, name in codes.items() if fold(name) == fold(written)), None)


def document_mode(fields: dict, inherited: str) -> str:
    """A document's use mode: set by hand for its pages, else `inherited` (its dossier's, else the archive's); the
    stricter of the two where the mode set covers only some of its pages (documents split or merged since)."""
    own = fields.get("mode")
    if not own:
        return inherited
    return max(own, inherited) if fields.get("mode_partial") else own  # "03" Mật > "02" > "01" Công khai
