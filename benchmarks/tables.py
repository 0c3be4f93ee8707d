"""Benchmark figures as tables for the docs, never copied by hand.

A benchmark run with `--table FILE` writes its figures there as JSON: the command that made them, when, on what
machine, the columns and the rows, in benchmarks/results/. A docs page says where a table goes with `<!-- table:
PATH -->`, and docs/hooks.py puts it there, with its command, when the site is built (`make docs`).
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path


def write_table(path: Path, title: str, columns: list[str], rows: list[list], note: str = "") -> None:
    """The table, with the command line that made it (as typed, from the repository), the date and the machine."""
    table = {"title": title, "command": shlex.join(["python", *_as_typed(sys.argv)]),
             "date": datetime.now(timezone.utc).date().isoformat(),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
             "columns": columns, "rows": rows, "note": note}
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _as_typed(arguments: list[str]) -> list[str]:
    script = Path(arguments[0]).resolve()
    with_root = script.relative_to(Path(__file__).resolve().parent.parent) if script.is_absolute() else script
    return [with_root.as_posix(), *arguments[1:]]


def markdown(table: dict) -> str:
    """The table as Markdown, under its title, with what made it below."""
    lines = [f"**{table['title']}**", "", "| " + " | ".join(table["columns"]) + " |",
             "| " + " | ".join("---" for _ in table["columns"]) + " |"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in table["rows"]]
    made = f"`{table['command']}`, {table['date']} ({table['machine']})"
    return "\n".join([*lines, "", f"Made by {made}." + (f" {table['note']}" if table["note"] else ""), ""])


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("|", "\\|")
