"""Shared fixtures: the real samples, a real archive home, the real `luutru` command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from luutru.index.store import ENGINES

REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLES = REPOSITORY / "samples" / "scans"
TRUTH = json.loads((REPOSITORY / "samples" / "truth.json").read_text(encoding="utf-8"))
LUUTRU = Path(sys.executable).parent / "luutru"
# The tests read luutru's messages in English whatever the locale of whoever runs them (gettext reads LANGUAGE
# first; "C" is no translation); tests/test_cli.py sets a locale where it means to (luutru/i18n.py).
os.environ["LANGUAGE"] = "C"


# Modules whose every test is of one kind (the markers are described in setup.cfg); single slow tests elsewhere
# carry @pytest.mark.slow themselves.
MODULE_MARKERS = {"test_ocr": ("ocr", "slow"), "test_quality": ("ocr", "slow"), "test_benchmarks": ("slow",),
                  "test_faults": ("slow",), "test_distributed": ("cluster", "slow")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker in MODULE_MARKERS.get(item.module.__name__, ()):
            item.add_marker(marker)
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker("browser")


def run_luutru(home: Path, *args: str, check_code: int | None = 0,
               env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed console command, as a clerk or cron would."""
    result = subprocess.run([str(LUUTRU), "--home", str(home), *args], capture_output=True, text=True,
                            encoding="utf-8", timeout=600, env=env)
    if check_code is not None:
        assert result.returncode == check_code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def in_locale(language: str) -> dict:
    """The environment of a terminal whose locale is `language`, nothing else saying otherwise."""
    return {**{name: value for name, value in os.environ.items() if name not in ("LANGUAGE", "LC_ALL",
                                                                                  "LC_MESSAGES")},
            "LANG": language}


def json_of(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout)


def word_centres(words: list) -> dict[str, tuple[float, float]]:
    """Centres of the words (text, confidence, left, top, width, height) that occur once on the page:
    long ones, read with confidence."""
    counts = Counter(text for text, *_ in words)
    return {text: (left + width / 2, top + height / 2) for text, confidence, left, top, width, height in words
            if counts[text] == 1 and len(text) >= 5 and confidence > 80}


def char_error_rate(truth: str, text: str) -> float:
    """Levenshtein distance over the true length, after NFC and collapsing whitespace."""
    def norm(value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).split())
    return Levenshtein.distance(norm(truth), norm(text)) / max(1, len(norm(truth)))


@pytest.fixture(scope="session")
def archive(tmp_path_factory) -> dict:
    """The samples copied into a scan folder and ingested once with two workers."""
    base = tmp_path_factory.mktemp("archive")
    scans = base / "scans"
    shutil.copytree(SAMPLES, scans)
    home = base / "home"
    result = run_luutru(home, "ingest", str(scans), "--jobs", "2", "--json")
    return {"home": home, "scans": scans, "summary": json_of(result)}


@pytest.fixture(scope="session", params=ENGINES)
def searchable(request, archive, tmp_path_factory) -> dict:
    """The ingested samples, searched through each index engine. The Tantivy archive is a copy of
    the Whoosh one moved with `luutru reindex --full --engine tantivy`, from the catalog alone."""
    if request.param == "whoosh":
        return {**archive, "engine": "whoosh"}
    home = tmp_path_factory.mktemp("tantivy") / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    moved = json_of(run_luutru(home, "reindex", "--full", "--engine", "tantivy", "--json"))
    return {**archive, "home": home, "engine": "tantivy", "moved": moved}


def settled(path: Path, seconds_ago: float = 3600) -> Path:
    """A file as one copied a while ago looks: a nightly reindex leaves files modified moments ago
    (a copy in progress) for the next run."""
    moment = time.time() - seconds_ago
    os.utime(path, (moment, moment))
    return path


def place_samples(scans: Path, placements: tuple[tuple[str, str], ...]) -> None:
    """Copy sample scans to where an archive keeps them (`2023/qd.jpg` -> `Hop 01/HS 010/qd.jpg`), settled."""
    for source, target in placements:
        (scans / target).parent.mkdir(parents=True, exist_ok=True)
        settled(shutil.copy2(SAMPLES / source, scans / target))


# The agency code of the test archives whose scans are kept by box and dossier.
AGENCY = "H49.64.33"


def boxed_home(home: Path, config: str = "") -> Path:
    """A home for scans kept as `Hop <box>/HS <dossier>/...`, with the agency's code (and `config`)."""
    home.mkdir()
    (home / "config.toml").write_text(f'agency_id = "{AGENCY}"\npath_pattern = "Hop {{box}}/HS {{dossier}}"\n'
                                      + config, encoding="utf-8")
    return home


@pytest.fixture
def one_scan(tmp_path) -> dict:
    """A fresh home and a folder with one small real scan, for tests that change things."""
    scans = tmp_path / "scans"
    scans.mkdir()
    settled(shutil.copy(SAMPLES / "2023" / "cv-45-ra-soat.png", scans / "cong-van.png"))
    return {"home": tmp_path / "home", "scans": scans}


def users_cli(home, *args: str, password: str = "", check_code: int = 0) -> subprocess.CompletedProcess:
    """`luutru users ...` with the password on standard input, as a script gives it."""
    result = subprocess.run([str(LUUTRU), "--home", str(home), "users", *args], input=password + "\n",
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == check_code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def log_in(client, name: str, password: str, csrf: bool = True):
    """Log in on the counter's page through its form (a TestClient keeps the session's cookie)."""
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/login", data={"username": name, "password": password, **({"csrf": token} if csrf else {})},
                       follow_redirects=False)
