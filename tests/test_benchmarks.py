"""The benchmarks run, at a small size, so that they keep working; their figures come from full runs
by hand (see README). Each must print its table and exit 0."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import REPOSITORY


def run_benchmark(name: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(REPOSITORY / "benchmarks" / name), *args], capture_output=True,
                            text=True, encoding="utf-8", timeout=900, cwd=REPOSITORY)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_ocr_accuracy_table_has_every_kind_of_damage_for_both_splits():
    output = run_benchmark("ocr_accuracy.py", "--pages-per-kind", "1", "--no-ocrmypdf")
    tuned, measured = output.split("only ever measured")
    for kind in ("clean", "typewriter", "modern sans", "skew", "rotated", "speckle", "uneven light",
                 "faded photocopy", "copier texture", "low ink", "ink bleed", "shadow", "phone photo", "red seal"):
        for table in (tuned, measured):
            assert any(line.startswith(kind) for line in table.splitlines()), kind
    assert "luutru CER" in output and "tesseract CER" in output and "tuned on" in tuned


def test_ocr_accuracy_reads_one_split_only_and_writes_every_pages_figures(tmp_path):
    """--split tuned reads the pages a change may be tuned on, the same pages (by name and kind) as a run of
    both splits; --json gives each page's figures by reader, to compare two runs page by page."""
    pages, table = tmp_path / "pages.json", tmp_path / "table.json"
    output = run_benchmark("ocr_accuracy.py", "--pages-per-kind", "2", "--no-ocrmypdf", "--kinds", "clean;skew 1-4°",
                           "--split", "tuned", "--json", str(pages), "--table", str(table))
    assert "tuned on" in output and "only ever measured" not in output
    # --table: the docs' table (docs/hooks.py renders it where a page names it), with the command that made it.
    sys.path.insert(0, str(REPOSITORY))
    from benchmarks.tables import markdown
    written = json.loads(table.read_text(encoding="utf-8"))
    assert written["columns"] == ["damage", "tuned: tesseract", "tuned: luutru"]
    assert [row[0] for row in written["rows"]] == ["clean", "skew 1-4°", "all"]
    shown = markdown(written)
    assert "| clean |" in shown and "`python benchmarks/ocr_accuracy.py --pages-per-kind 2" in shown
    unknown = subprocess.run([sys.executable, str(REPOSITORY / "benchmarks" / "ocr_accuracy.py"), "--set",
                              "nonsense=1"], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert unknown.returncode == 2 and "no such threshold in pipeline/tuning.py: nonsense" in unknown.stderr
    rows = json.loads(pages.read_text(encoding="utf-8"))
    # Made and read for one split: the tuned pages keep the names a run of both gives them (tuned first).
    assert [(row["page"], row["kind"], row["split"]) for row in rows] == [
        ("000.png", "clean", "tuned"), ("001.png", "clean", "tuned"),
        ("002.png", "skew 1-4°", "tuned"), ("003.png", "skew 1-4°", "tuned")]
    for row in rows:
        assert set(row["luutru"]) == set(row["tesseract"]) == {"cer", "wer", "seconds", "readings"}
        assert 0 <= row["luutru"]["cer"] < 0.2 and row["luutru"]["seconds"] > 0
    # benchmarks/ocr_compare.py: a run against itself changed nothing; against one with a page read worse, it lists
    # that page and its kind's mean moves by a quarter of the change (four pages, two of the kind).
    assert "0 page(s) whose CER moved" in run_benchmark("ocr_compare.py", str(pages), str(pages))
    rows[2]["luutru"]["cer"] += 0.1
    worse = tmp_path / "worse.json"
    worse.write_text(json.dumps(rows), encoding="utf-8")
    output = run_benchmark("ocr_compare.py", str(pages), str(worse))
    assert "1 page(s) whose CER moved" in output and "002.png" in output
    kind = next(line.split() for line in output.splitlines() if line.startswith("skew"))
    assert abs(float(kind[-2]) - float(kind[-3]) - 0.05) < 1e-3, kind
    other = tmp_path / "other.json"
    other.write_text(json.dumps(rows[:3]), encoding="utf-8")
    result = subprocess.run([sys.executable, str(REPOSITORY / "benchmarks" / "ocr_compare.py"), str(pages), str(other)],
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 2 and "different pages" in result.stderr
    # `make ocr-check`'s gate: the kind whose mean rose by 0.05 fails a tolerance of 0.01, passes one of 0.1.
    gate = [sys.executable, str(REPOSITORY / "benchmarks" / "ocr_compare.py"), str(pages), str(worse), "--tolerance"]
    failed = subprocess.run([*gate, "0.01"], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert failed.returncode == 1 and "skew 1-4°" in failed.stderr and "clean" not in failed.stderr
    passed = run_benchmark("ocr_compare.py", str(pages), str(worse), "--tolerance", "0.1")
    assert "no kind of damage reads worse" in passed


def test_index_scale_reports_both_engines_build_rate_latency_and_the_nightly_no_op():
    output = run_benchmark("index_scale.py", "--pages", "300", "--rounds", "1", "--nights", "2", "--night-pages", "10")
    assert "pages/s" in output and "nothing changed" in output and "fuzzy" in output
    assert re.search(r"peak memory, MiB +\d+ +\d+", output) and re.search(r"index.s files, MiB +\d+ +\d+", output)
    assert re.search(r"5,000 pages, s +\d", output) and re.search(r"shards searched in parallel +1 +1", output)
    assert "whoosh p50" in output and "tantivy p50" in output  # both engines, side by side
    assert all(f"\n{policy} " in output for policy in ("small", "none", "all"))


@pytest.mark.parametrize("name, args, expected", [
    ("throughput.py", ["--pages", "2"], "plain/this"),
    ("memory.py", ["--pdf-pages", "3", "--files", "10"], "peak"),
    ("typos.py", ["--pages", "300", "--queries", "5"], "swapped"),
    ("export.py", ["--pages", "2", "--memory-pages", "0"], "words back"),
    ("serve.py", ["--pages", "300", "--requests", "16", "--clients", "2"], "cached"),
    ("nightly.py", ["--pages", "300", "--rounds", "1", "--against", sys.executable], "this/baseline"),
])
def test_the_other_benchmarks(name, args, expected):
    assert expected in run_benchmark(name, *args)


def test_catalog_size_with_and_without_geometry_and_provenance(archive):
    output = run_benchmark("catalog_size.py", str(archive["home"]))
    match = re.search(r"([\d,]+) bytes a page with geometry and provenance, ([\d,]+) without.*hold ([\d,]+) bytes",
                      output)
    with_them, without, held = (int(value.replace(",", "")) for value in match.groups())
    assert with_them >= without > 0 and held > 0


def test_audit_cost_on_a_search(archive):
    output = run_benchmark("audit.py", str(archive["home"]), "--searches", "16")
    ratio = float(re.search(r"p95 with the event / without: ([\d.]+)", output).group(1))
    assert "the event alone" in output and ratio > 0
