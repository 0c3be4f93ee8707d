"""Is this machine ready? Tesseract with Vietnamese, poppler, and a usable archive home."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

from luutru.i18n import N_
from luutru.index.store import IndexUnavailable, engine_advice, open_store
from luutru.pipeline.config import load_config
from luutru.pipeline.executor import ExecutorUnavailable, connect
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.settings import LANGUAGE
from luutru.pipeline.tesseract import (
    OSD_LANGUAGE,
    installed_languages,
    library_version,
    program_version,
    tessdata_folder,
)

APT_INSTALL = "sudo apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils"
LINE_READER_PACKAGES = "asterocr==1.0.2 onnxruntime"
# Tesseract 4 introduced the LSTM engine that the `vie` model needs.
MINIMUM_TESSERACT = 4


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # usable, but the fix is advised


# Each check's words are told by a translation (luutru.i18n's `_` for a person, `str` for the log): English by default.
Translate = Callable[[str], str]


def _tesseract(translate: Translate = str) -> list[Check]:
    version = program_version()
    if version is None:
        return [Check("tesseract", False, translate(N_("not found")), APT_INSTALL)]
    checks = [Check("tesseract", int(version.split(".")[0]) >= MINIMUM_TESSERACT, version,
                    translate(N_("Tesseract {minimum} or newer is needed: {install}")).format(
                        minimum=MINIMUM_TESSERACT, install=APT_INSTALL))]
    library = library_version()
    checks.append(Check("tesserocr", True, translate(N_("Tesseract {version}, used for OCR")).format(version=library)
                        if library else translate(N_("not installed: each page runs the tesseract program, which is "
                                                     "slower")), "" if library else "pip install tesserocr"))
    installed = installed_languages()
    for language, package in ((LANGUAGE, "tesseract-ocr-vie"), (OSD_LANGUAGE, "tesseract-ocr-osd")):
        checks.append(Check(f"tesseract language {language}", language in installed,
                            translate(N_("installed in {folder}")).format(folder=tessdata_folder())
                            if language in installed else translate(N_("missing")), f"sudo apt-get install {package}"))
    return checks


def _line_reader(translate: Translate = str) -> list[Check]:
    from luutru.pipeline.recognizer import RecognizerError, aster_model

    try:
        return [Check("line reader asterocr", True, translate(N_("{model}, read where Tesseract misreads")).format(
            model=aster_model()))]
    except RecognizerError as error:
        return [Check("line reader asterocr", False, str(error),
                      translate(N_("pip install {packages} (or read with --line-reader none)")).format(
                          packages=LINE_READER_PACKAGES))]


def _poppler(translate: Translate = str) -> list[Check]:
    return [Check(tool, shutil.which(tool) is not None, shutil.which(tool) or translate(N_("not found")),
                  "sudo apt-get install poppler-utils") for tool in ("pdfinfo", "pdftoppm", "pdftotext")]


def _home(home: ArchiveHome, translate: Translate) -> list[Check]:
    if not home.exists():
        return [Check("archive home", True, translate(N_("{root} (empty; `luutru ingest PATH` creates it)")).format(
            root=home.root))]
    try:
        store = open_store(home.index_link)
        pages = store.page_count()
    except IndexUnavailable as error:
        return [Check("index", False, str(error), "luutru reindex --full")]
    advice = engine_advice(store.engine, pages, store.parts())
    return [Check("archive home", True, str(home.root)),
            Check("index", True, translate(N_("{pages} pages, {engine}")).format(pages=f"{pages:,}",
                                                                               engine=store.engine),
                  advice or "", warn=bool(advice))]


def worker_problems() -> list[str]:
    """Run on each Dask worker: what it lacks to read pages."""
    return [f"{check.name}: {check.detail}" for check in preflight()]


def _cluster(scheduler: str | None, translate: Translate) -> list[Check]:
    """The Dask scheduler, and each of its workers ready to read pages (Tesseract, vie, poppler)."""
    if not scheduler:
        return []
    try:
        with connect(scheduler) as client:
            answers = client.run(worker_problems)
    except ExecutorUnavailable as error:
        return [Check("dask scheduler", False, str(error), translate(N_("start it: dask scheduler, at {address}"))
                      .format(address=scheduler))]
    checks = [Check("dask scheduler", bool(answers), translate(N_("{address}, {count} workers")).format(
        address=scheduler, count=len(answers)), translate(N_("start workers: dask worker {address} --nthreads 1"))
        .format(address=scheduler))]
    for worker, problems in sorted(answers.items()):
        checks.append(Check(f"dask worker {worker}", not problems, "; ".join(problems) or translate(N_("ready")),
                            translate(N_("run `make install` in luutru's folder on that machine"))))
    return checks


def doctor(home: ArchiveHome, scheduler: str | None = None, translate: Translate = str) -> list[Check]:
    """Every check; the Dask cluster's too, at `scheduler` or the one in the archive's config."""
    if scheduler is None and home.config_path.exists():
        scheduler = load_config(home.config_path).scheduler
    return (_tesseract(translate) + _line_reader(translate) + _poppler(translate) + _home(home, translate)
            + _cluster(scheduler, translate))


def preflight(line_reader: str = "asterocr") -> list[Check]:
    """The failed checks that would make every page of an ingest fail."""
    line_reader_checks = _line_reader() if line_reader != "none" else []
    return [check for check in _tesseract() + line_reader_checks + _poppler() if not check.ok]
