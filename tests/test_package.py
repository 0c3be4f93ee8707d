"""The install: one package under luutru's own name; exit statuses that travel with their errors."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPOSITORY, SAMPLES, json_of, place_samples, run_luutru

from luutru.errors import ExitCode

# Names an installed luutru must not take in site-packages (or on a Dask worker).
GENERIC_NAMES = ("index", "pipeline", "scanners")


def test_the_packages_install_under_luutru_and_take_no_generic_names(tmp_path):
    probe = ("import importlib.util, json; import luutru.index.search, luutru.pipeline.run, luutru.scanners; "
             f"print(json.dumps([n for n in {GENERIC_NAMES!r} if importlib.util.find_spec(n)]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_search_loads_no_ocr_image_or_pdf_library(tmp_path):
    """A clerk's search starts a process: numpy, Pillow and pikepdf alone took some 150 ms of its start."""
    probe = ("import sys; from click.testing import CliRunner; from luutru.cli import main; "
             f"result = CliRunner().invoke(main, ['--home', {str(tmp_path)!r}, 'search', 'dat']); "
             "print(result.exit_code, sorted(m for m in ('cv2', 'tesserocr', 'pytesseract', 'onnxruntime', 'numpy', "
             "'PIL', 'pikepdf', 'pdf2image') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.split(None, 1) == [str(int(ExitCode.NOT_READY)), "[]\n"]


def test_an_ocr_worker_loads_no_index_engine(tmp_path):
    """A worker reads pages: the Vietnamese word functions it needs live in a leaf (index/words.py), so neither
    index engine, nor the signature checker the run uses once a file, is loaded per worker; nor SciPy (through
    scikit-image's three-class threshold), which only a damaged copy needs."""
    probe = ("import sys; from luutru.pipeline.work import PageJob, process_page; from luutru.scanners import Kind; "
             f"outcome = process_page(PageJob(1, {str(SAMPLES / '2023' / 'cv-45-ra-soat.png')!r}, Kind.PNG, 1)); "
             "print(outcome.error, len(outcome.text) > 500, "
             "sorted(m for m in ('whoosh', 'tantivy', 'pyhanko', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.split(None, 2) == ["None", "True", "[]\n"]


def test_an_unsigned_pdf_loads_no_signature_checker(tmp_path):
    """pyHanko costs a process some 30 MiB: the ingest loads it at its first PDF with a signature field."""
    probe = ("import sys; from pathlib import Path; from luutru.scanners.signatures import pdf_signatures; "
             f"print(pdf_signatures(Path({str(SAMPLES / '2023' / 'bc-56-dat-dai.pdf')!r})), 'pyhanko' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["[]", "False"]


@pytest.mark.slow
def test_quiet_is_quiet_wherever_it_stands(one_scan):
    home = one_scan["home"]
    run_luutru(home, "ingest", str(one_scan["scans"]), "--jobs", "1")
    for quiet in (["-q", "reindex"], ["reindex", "-q"], ["reindex", "--quiet"]):  # `reindex -q`: no such option
        result = run_luutru(home, *quiet)
        assert result.stderr == "" and " 1 unchanged" in result.stdout, quiet
    assert "reindex:" not in run_luutru(home, "ingest", "--help").stdout  # --retry-failed, described for ingest too


@pytest.mark.slow
def test_init_writes_settings_that_work_as_written_and_never_overwrites_them(tmp_path):
    home, scans = tmp_path / "home", tmp_path / "scans"
    said = run_luutru(home, "init", "--agency-id", "H49.64.33").stdout
    assert "next:" in said and "luutru ingest" in said
    config = (home / "config.toml").read_text(encoding="utf-8")
    assert 'agency_id = "H49.64.33"' in config and "\n# scheduler = " in config and "\n# engine = " in config
    place_samples(scans, (("2023/cv-45-ra-soat.png", "Hop 01/HS 010/cv-45.png"),))
    run_luutru(home, "ingest", str(scans), "--jobs", "1")  # the settings as written: no live sample address
    fields = json_of(run_luutru(home, "show", str(scans / "Hop 01/HS 010/cv-45.png"), "--json"))["fields"]
    assert (fields["box"], fields["dossier_number"]) == (1, 10)
    again = run_luutru(home, "init", "--agency-id", "H00", check_code=2)
    assert "already there" in again.stderr and (home / "config.toml").read_text(encoding="utf-8") == config


def test_no_archive_yet_is_not_ready_for_every_reading_command(tmp_path):
    for command in (["status"], ["show", "x.pdf"], ["reindex"], ["review"], ["verify"]):
        result = run_luutru(tmp_path / "empty", *command, check_code=ExitCode.NOT_READY)
        assert "holds no archive yet" in result.stderr, command


def test_a_catalog_newer_than_the_program_is_not_ready_not_an_internal_error(one_scan):
    home = one_scan["home"]
    run_luutru(home, "ingest", str(one_scan["scans"]), "--jobs", "1")
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        db.execute("PRAGMA user_version = 999")
    result = run_luutru(home, "status", check_code=ExitCode.NOT_READY)
    assert "newer than this luutru" in result.stderr and "internal error" not in result.stderr


def test_a_home_that_cannot_be_made_is_one_line_and_not_ready(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_luutru(blocker / "home", "ingest", str(tmp_path), check_code=ExitCode.NOT_READY)
    assert "cannot make the archive home" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_every_writing_run_is_in_the_log_from_start_to_end_with_its_status(one_scan):
    home = one_scan["home"]
    summary = run_luutru(home, "ingest", str(one_scan["scans"]), "--jobs", "1", "--json")
    assert '"started_at"' in summary.stdout and '"finished_at"' in summary.stdout
    with open(home / "luutru.lock", "a") as lock:  # another run holds the home: this one is refused
        fcntl.flock(lock, fcntl.LOCK_EX)
        run_luutru(home, "reindex", check_code=ExitCode.BUSY)
    lines = (home / "logs" / "luutru.log").read_text(encoding="utf-8").splitlines()
    runs = [line.split(" INFO ", 1)[1] for line in lines if " started: " in line or " ended: " in line]
    assert runs[0].startswith("started: luutru --home") and runs[0].endswith("--jobs 1 --json")
    assert runs[1:] == ["ended: luutru ingest, exit status 0", f"started: luutru --home {home} reindex",
                        "ended: luutru reindex, exit status 3"]


# A file of the repository named in its code or docs: tests/test_ocr.py, benchmarks/real_scans/truth.toml.
NAMED_FILE = re.compile(r"(?<![\w/.-])((?:tests|benchmarks|samples|pipeline|index|scanners|export|web|luutru|docs)/"
                        r"[\w./-]*\w\.(?:py|md|json|toml|txt|tsv|cfg|html|css|js|xsd|po))\b")


def test_every_file_the_code_and_the_docs_name_exists():
    skipped = {".venv", ".git", ".site", "test-artifacts", "luutru.egg-info", "__pycache__", ".pytest_cache"}
    texts = []
    for folder, folders, files in os.walk(REPOSITORY):
        folders[:] = [name for name in folders if name not in skipped]
        texts += [Path(folder) / name for name in files
                  if name.endswith((".py", ".md", ".cfg", ".toml")) or name == "Makefile"]
    named = {(match.group(1), path.relative_to(REPOSITORY).as_posix()) for path in texts
             for match in NAMED_FILE.finditer(path.read_text(encoding="utf-8", errors="replace"))}
    assert len(named) > 100  # the pattern finds what it should
    assert [pair for pair in sorted(named) if not (REPOSITORY / pair[0]).exists()] == []



def test_docstrings_say_what_in_three_lines_at_most():
    """Evidence and the why belong in comments, the tuning file, the docs or a commit's body (issue 38)."""
    import ast

    long = []
    for package in ("luutru", "pipeline", "index", "scanners", "export", "web", "benchmarks", "samples"):
        for path in sorted((REPOSITORY / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    docstring = ast.get_docstring(node, clean=False) or ""
                    if len(docstring.strip().splitlines()) > 3:
                        long.append(f"{path.relative_to(REPOSITORY)}:{node.lineno} {node.name}")
    assert long == []
