"""Two ways to call Tesseract, behind one small interface.

`TesserocrEngine` keeps Tesseract and its language model loaded in the worker process and hands
it the page's pixels through Tesseract's C++ API (tesserocr). `CommandEngine` runs the
`tesseract` program on a temporary image file for every page (pytesseract): it pays for a process
start, loading the model and encoding the page each time, and is the fallback where tesserocr
cannot be installed. `benchmarks/ocr_accuracy.py --engines` measures one against the other.

Both answer in Tesseract's TSV format, so one parser (in pipeline/ocr.py) serves both.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import pytesseract
from PIL import Image

from luutru.pipeline.cleanup import is_black_and_white

# The page is black on white: Tesseract need not also try each doubtful line inverted.
VARIABLES = {"tessedit_do_invert": "0"}
OSD_LANGUAGE = "osd"


class TesseractError(Exception):
    """OCR failed on a page; the message is the reason, fit for one line."""


class Engine(Protocol):
    name: str

    def tsv(self, page: np.ndarray, language: str, psm: int, timeout: float) -> str:
        """Tesseract's TSV of the words on an 8-bit grayscale page."""

    def orientation(self, page: np.ndarray, timeout: float) -> tuple[int, float]:
        """Degrees to turn the page clockwise to make it upright, and Tesseract's confidence."""


@contextmanager
def _as_file(page: np.ndarray) -> Iterator[str]:
    """The page as a file the tesseract program reads quickly: Group 4 TIFF when it is black and
    white (small and fast to write), else PNG at low compression."""
    with tempfile.TemporaryDirectory(prefix="luutru-page-") as folder:
        if is_black_and_white(page):
            path = Path(folder) / "page.tif"
            Image.fromarray(page).convert("1", dither=Image.Dither.NONE).save(path, compression="group4")
        else:
            path = Path(folder) / "page.png"
            cv2.imwrite(str(path), page, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        yield str(path)


@contextmanager
def _program_errors(timeout: float) -> Iterator[None]:
    try:
        yield
    except RuntimeError as error:  # pytesseract reports a timeout as RuntimeError
        raise TesseractError(f"tesseract timed out after {timeout}s") from error
    except pytesseract.TesseractError as error:
        raise TesseractError(f"tesseract failed: {error.message.strip() or error.status}") from error
    except pytesseract.TesseractNotFoundError as error:
        raise TesseractError("tesseract is not installed") from error


class CommandEngine:
    """The `tesseract` program, one process per page, through pytesseract."""

    name = "pytesseract"

    def tsv(self, page: np.ndarray, language: str, psm: int, timeout: float) -> str:
        config = f"--psm {psm} " + " ".join(f"-c {name}={value}" for name, value in VARIABLES.items())
        with _as_file(page) as path, _program_errors(timeout):
            return pytesseract.image_to_data(path, lang=language, config=config, timeout=timeout)

    def orientation(self, page: np.ndarray, timeout: float) -> tuple[int, float]:
        with _as_file(page) as path, _program_errors(timeout):
            try:
                found = pytesseract.image_to_osd(path, config="--psm 0", timeout=timeout,
                                                 output_type=pytesseract.Output.DICT)
            except pytesseract.TesseractError:
                return 0, 0.0  # too little text to tell
        return int(found["rotate"]), float(found["orientation_conf"])


# Leptonica's "Error in boxClipToRectangle: box outside rectangle" and the like, printed on stderr while
# Tesseract lays out a damaged page and recovers by itself: noise in a terminal's progress and in cron's mail.
LEPTONICA_QUIET = 6  # L_SEVERITY_NONE


def loaded_leptonicas() -> set[str]:
    """The paths of the Leptonica libraries this process has loaded (tesserocr's wheel brings its own, which
    is not the system's); none where the process's maps cannot be read (not Linux)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            return {line.split()[-1] for line in maps if "leptonica" in line or "liblept" in line}
    except OSError:
        return set()


@functools.cache
def _quiet_leptonica() -> None:
    """Silence the messages of the Leptonica loaded with tesserocr, once a process. Tesseract's failures
    still come back as return values."""
    for path in loaded_leptonicas():
        try:
            ctypes.CDLL(path).setMsgSeverity(LEPTONICA_QUIET)
        except (OSError, AttributeError):
            continue  # not a Leptonica after all, or one without the switch: its messages stay


class TesserocrEngine:
    """Tesseract's C++ API through tesserocr: the model stays loaded in this process, and pages
    are handed over as pixels, with no process, file or image encoding per page."""

    name = "tesserocr"

    def __init__(self, tessdata: str) -> None:
        self.tessdata = tessdata
        self._local = threading.local()  # an API object must never be used by two threads at once

    def _api(self, language: str, psm: int):
        """One loaded model per language and mode and thread, kept for the life of the worker."""
        import tesserocr

        apis = self._local.__dict__.setdefault("apis", {})
        if (language, psm) in apis:
            return apis[language, psm]
        _quiet_leptonica()
        try:
            api = tesserocr.PyTessBaseAPI(path=self.tessdata, lang=language, psm=psm)
        except RuntimeError as error:
            raise TesseractError(f"tesseract cannot load language {language!r} from {self.tessdata}") from error
        for name, value in VARIABLES.items():
            api.SetVariable(name, value)
        apis[language, psm] = api
        return api

    @staticmethod
    def _set_page(api, page: np.ndarray) -> None:
        height, width = page.shape
        api.SetImageBytes(np.ascontiguousarray(page).tobytes(), width, height, 1, width)

    def _recognized(self, api, page: np.ndarray, timeout: float) -> None:
        self._set_page(api, page)
        started = time.monotonic()
        if not api.Recognize(timeout=int(timeout * 1000)):
            if time.monotonic() - started >= timeout:
                raise TesseractError(f"tesseract timed out after {timeout}s")
            raise TesseractError("tesseract could not recognize the page")

    def tsv(self, page: np.ndarray, language: str, psm: int, timeout: float) -> str:
        api = self._api(language, psm)
        try:
            self._recognized(api, page, timeout)
            return api.GetTSVText(0)
        finally:
            api.Clear()  # the page's images and results, which would otherwise stay until the next page

    def orientation(self, page: np.ndarray, timeout: float) -> tuple[int, float]:
        import tesserocr

        # No timeout here: orientation detection is quick, and the worker's hard time limit holds.
        api = self._api(OSD_LANGUAGE, tesserocr.PSM.OSD_ONLY)
        self._set_page(api, page)
        found = api.DetectOrientationScript()
        api.Clear()
        if not found:
            return 0, 0.0  # too little text to tell
        # Tesseract reports how far the page is turned clockwise; turning it back is the rest of the circle.
        return (360 - found["orient_deg"]) % 360, float(found["orient_conf"])


def program_version() -> str | None:
    """The version of the `tesseract` program, or None if it is not installed."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return None
    return str(pytesseract.get_tesseract_version())


def library_version() -> str | None:
    """The version of the Tesseract inside tesserocr, or None if tesserocr is not installed."""
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr.tesseract_version().split()[1]


@functools.cache
def tessdata_folder() -> str | None:
    """Where the installed language models are: $TESSDATA_PREFIX, else where the tesseract
    program finds them (tesserocr's own default is a build-time path that rarely exists)."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    if program_version() is None:
        return None
    listing = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                             capture_output=True, text=True, check=False)
    found = re.search(r'"(.+?)"', listing.stdout + listing.stderr)
    return found.group(1) if found else None


def engine_version(tesseract: Engine) -> str | None:
    """The version of the Tesseract that `tesseract` runs."""
    return library_version() if tesseract.name == "tesserocr" else program_version()


@functools.cache
def model_fingerprint(language: str) -> str | None:
    """The first 16 hex digits of the sha256 of a language model: which `vie` read a page."""
    folder = tessdata_folder()
    try:
        with open(Path(folder or "") / f"{language}.traineddata", "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()[:16]
    except OSError:
        return None


def installed_languages() -> set[str]:
    folder = tessdata_folder()
    if folder is None:
        return set()
    return {path.stem for path in Path(folder).glob("*.traineddata")}


@functools.cache
def engine(name: str = "auto") -> Engine:
    """The engine called `name`; "auto" is tesserocr where it is installed, else the program."""
    if name == "pytesseract":
        return CommandEngine()
    if library_version() is None or tessdata_folder() is None:
        if name == "tesserocr":
            raise TesseractError("tesserocr is not installed (pip install tesserocr)")
        return CommandEngine()
    return TesserocrEngine(tessdata_folder())
