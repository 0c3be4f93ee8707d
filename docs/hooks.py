"""MkDocs hook: each `<!-- table: PATH -->` in a page (PATH: a JSON file of benchmarks/results/) becomes the table
that benchmark run wrote (benchmarks/tables.py), so that the docs' figures are the benchmarks', never typed again."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.tables import markdown  # noqa: E402

MARKER = re.compile(r"<!-- table: (\S+) -->")


def on_page_markdown(text: str, page, config, files) -> str:
    return MARKER.sub(lambda found: markdown(json.loads((ROOT / found.group(1)).read_text(encoding="utf-8"))), text)
