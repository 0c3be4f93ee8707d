"""Settings an archive keeps between runs, in `config.toml` in the archive home.

    # how folder names carry document fields: .../TNMT/2023/qd-123.pdf
    path_pattern = "{department}/{year}"
    # read pages on a Dask cluster instead of local worker processes (`--scheduler` overrides)
    scheduler = "tcp://10.0.0.5:8786"
    # the index engine: "whoosh" (default) or "tantivy" for large archives (`--engine` overrides)
    engine = "tantivy"
    # the agency's identifier in the archive (Decree 30, Circular 05/2025): the first part of dossier codes
    agency_id = "H49.64.33"
    # use modes whose documents a person who may not read them still finds by their title and number alone,
    # marked "cần được phép khai thác" (by default such documents are as if they did not exist)
    listed_by_title = ["02"]

    # what a Circular 05/2025 submission package says that luutru cannot know (`luutru export --format sip`)
    [package]
    archive_code = "H49.64"            # the archive's code: the first part of the paper dossier's code
    mode = "01"                        # access: 01 công khai, 02 sử dụng có điều kiện, 03 mật
    physical_state = "Bình thường"     # tình trạng vật lý of the paper
    risk_recovery = "Không"            # chế độ lập tài liệu lưu trữ dự phòng
    risk_recovery_status = "Không"     # tình trạng lập tài liệu lưu trữ dự phòng
    keywords = ["đất đai"]             # optional
    information_sign = ""              # ký hiệu thông tin, optional
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from luutru.errors import UsageError
from luutru.index.store import ENGINES
from luutru.pipeline.circular05 import code_of
from luutru.pipeline.metadata import PathPattern, PathPatternError

KNOWN_KEYS = {"path_pattern", "scheduler", "engine", "agency_id", "listed_by_title", "package"}
PACKAGE_KEYS = {"archive_code", "mode", "physical_state", "risk_recovery", "risk_recovery_status", "keywords",
                "information_sign", "submitter", "submitter_id"}
ACCESS_MODES = ("01", "02", "03")
# An agency identifier: dot-separated groups of letters and digits (H49.64.33, 000.00.01.H49).
AGENCY_ID = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*")


# What `luutru init` writes: every setting, the optional ones commented out (copied as it is, it must work).
TEMPLATE = """\
# luutru's settings for this archive (README: "config.toml"). Lines starting with # are not read.

# The agency's identifier in the archive: the first part of every dossier code (H49.64.33.2019.10).
agency_id = "{agency_id}"
# Folder names that carry document fields: "Hop {{box}}/HS {{dossier}}" reads .../Hop 03/HS 010/qd.pdf as box 3,
# dossier 10; "{{department}}/{{year}}" reads .../TNMT/2023/qd.pdf. The deepest match in the path wins.
path_pattern = "{path_pattern}"

# Read pages on a Dask cluster instead of local worker processes (--scheduler overrides):
# scheduler = "tcp://10.0.0.5:8786"
# The index engine, "whoosh" or "tantivy" for archives past some 50,000 pages (--engine overrides):
# engine = "tantivy"
# Use modes whose documents someone who may not read them still finds on the counter's page, by title and number
# alone, marked "cần được phép khai thác" (02 sử dụng có điều kiện, 03 mật); by default they are not shown at all:
# listed_by_title = ["02"]

# What a Circular 05/2025 package says that luutru cannot read from the scans (export --format sip):
# [package]
# archive_code = "H49.64"          # the archive's code: paperFileCode is archive_code.box.dossier number
# mode = "01"                      # access: 01 công khai, 02 sử dụng có điều kiện, 03 mật
# physical_state = "Bình thường"   # tình trạng vật lý: 01 Tốt, 02 Bình thường, 03 Hỏng (code or name)
# risk_recovery = "Không"          # chế độ dự phòng: 1 Có, 0 Không
# risk_recovery_status = "Không"   # tình trạng dự phòng when risk_recovery is 1: 01 Đã, 02 Chưa dự phòng
# submitter = "Phòng Tài nguyên và Môi trường"  # the office that hands the package over (default: the fonds)
# submitter_id = "H49.64.33"       # its identification code (default: agency_id)
"""


def write_template(path: Path, agency_id: str, path_pattern: str) -> None:
    """A new archive's config.toml, checked as every run checks it; an existing one is never overwritten."""
    if path.exists():
        raise UsageError(f"{path}: already there; edit it (luutru init writes a new archive's settings only)")
    text = TEMPLATE.format(agency_id=agency_id, path_pattern=path_pattern)
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError:
        path.unlink()
        raise


class ConfigError(UsageError):
    """A config file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Config:
    path_pattern: PathPattern | None = None
    scheduler: str | None = None
    engine: str | None = None  # None: keep the engine of the live index
    agency_id: str | None = None  # the first part of dossier codes
    package: dict = field(default_factory=dict)  # [package]: what a submission package needs from the archive
    listed_by_title: tuple[str, ...] = ()  # use modes listed by title to those who may not read them


def _package_settings(values, path: Path) -> dict:
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: [package] must be a table of settings")
    unknown = sorted(set(values) - PACKAGE_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting package.{', package.'.join(unknown)} "
                          f"(known: {', '.join(sorted(PACKAGE_KEYS))})")
    for key, value in values.items():
        if key == "keywords":
            if not (isinstance(value, list) and all(isinstance(word, str) for word in value)):
                raise ConfigError(f"{path}: package.keywords must be a list of words, such as [\"đất đai\"]")
        elif not isinstance(value, str):
            raise ConfigError(f"{path}: package.{key} must be a string")
    if "mode" in values and values["mode"] not in ACCESS_MODES:
        raise ConfigError(f"{path}: package.mode must be 01 (công khai), 02 (có điều kiện) or 03 (mật)")
    return dict(values)


def _listed_by_title(values, path: Path) -> tuple[str, ...]:
    codes = tuple(code_of("mode", value) for value in values) if isinstance(values, list) else (None,)
    if None in codes:
        raise ConfigError(f"{path}: listed_by_title must be a list of use modes, such as [\"02\"] "
                          "(02 sử dụng có điều kiện, 03 mật)")
    return codes


def load_config(path: Path) -> Config:
    """The settings in `path`; defaults when the file does not exist."""
    if not path.exists():
        return Config()
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_KEYS))})")
    pattern, scheduler, engine = values.get("path_pattern"), values.get("scheduler"), values.get("engine")
    if pattern is not None and not isinstance(pattern, str):
        raise ConfigError(f"{path}: path_pattern must be a string such as \"{{department}}/{{year}}\"")
    if scheduler is not None and not isinstance(scheduler, str):
        raise ConfigError(f"{path}: scheduler must be an address such as \"tcp://10.0.0.5:8786\"")
    agency_id = values.get("agency_id")
    if agency_id is not None and (not isinstance(agency_id, str) or not AGENCY_ID.fullmatch(agency_id)):
        raise ConfigError(f"{path}: agency_id must be the agency's identifier, such as \"H49.64.33\"")
    package = _package_settings(values.get("package", {}), path)
    if engine is not None and engine not in ENGINES:
        raise ConfigError(f"{path}: engine must be one of {', '.join(repr(name) for name in ENGINES)}")
    try:
        return Config(path_pattern=PathPattern(pattern) if pattern else None, scheduler=scheduler or None,
                      engine=engine, agency_id=agency_id, package=package,
                      listed_by_title=_listed_by_title(values.get("listed_by_title", []), path))
    except PathPatternError as error:
        raise ConfigError(f"{path}: {error}") from error
