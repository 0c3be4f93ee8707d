"""Two runs of benchmarks/ocr_accuracy.py (--json), page by page: what a change did to each kind of damage and
which pages it changed.

    python benchmarks/ocr_compare.py BEFORE.json AFTER.json [--reader luutru] [--at-least 0.005] [--tolerance T]

Both runs must read the same pages (the same seed, pages per kind, kinds and split). Prints, per kind and in all,
the mean CER and seconds a page before and after, then every page whose CER moved by --at-least or more, worst
first. Seconds are compared as a ratio only: two runs of one machine differ by more than a change does. With
--tolerance, exits 1 when a kind's mean CER rose by more than T: `make ocr-check` runs it against the committed
baseline (benchmarks/ocr_baseline/), the gate for a change to the reading path.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path


def pages_of(path: Path, reader: str) -> dict[str, dict]:
    """A run's pages by file name: kind, split, and the reader's figures."""
    return {row["page"]: {"kind": row["kind"], "split": row["split"], **row[reader]}
            for row in json.loads(path.read_text(encoding="utf-8"))}


def by_kind(before: dict[str, dict], after: dict[str, dict]) -> list[tuple[str, int, float, float, float]]:
    """(kind, pages, mean CER before, after, seconds after / before) per kind, and for all pages last."""
    kinds = list(dict.fromkeys(page["kind"] for page in before.values()))
    rows = []
    for kind in kinds + ["all"]:
        names = [name for name, page in before.items() if kind in ("all", page["kind"])]
        seconds = sum(before[name]["seconds"] for name in names)
        rows.append((kind, len(names), statistics.fmean(before[name]["cer"] for name in names),
                     statistics.fmean(after[name]["cer"] for name in names),
                     sum(after[name]["seconds"] for name in names) / seconds if seconds else 1.0))
    return rows


def changed(before: dict[str, dict], after: dict[str, dict], at_least: float) -> list[tuple[str, str, float, float]]:
    """(page, kind, CER before, after) of the pages whose CER moved by `at_least` or more, the worst change first."""
    moved = [(name, page["kind"], page["cer"], after[name]["cer"]) for name, page in before.items()
             if abs(after[name]["cer"] - page["cer"]) >= at_least]
    return sorted(moved, key=lambda row: row[2] - row[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--reader", default="luutru", help="whose figures to compare (default: luutru)")
    parser.add_argument("--at-least", type=float, default=0.005, help="list pages whose CER moved this much")
    parser.add_argument("--tolerance", type=float, help="exit 1 when a kind's mean CER rose by more than this")
    options = parser.parse_args()
    before, after = pages_of(options.before, options.reader), pages_of(options.after, options.reader)
    if before.keys() != after.keys() or any(before[name]["kind"] != after[name]["kind"] for name in before):
        parser.error("the two runs read different pages: use the same seed, pages per kind, kinds and split")
    print(f"{'damage':<22}{'pages':>6}{'CER before':>12}{'after':>8}{'seconds after/before':>22}")
    kinds = by_kind(before, after)
    for kind, count, cer_before, cer_after, seconds in kinds:
        print(f"{kind:<22}{count:>6}{cer_before:>12.4f}{cer_after:>8.4f}{seconds:>22.2f}")
    moved = changed(before, after, options.at_least)
    print(f"\n{len(moved)} page(s) whose CER moved by {options.at_least} or more" + (":" if moved else ""))
    for name, kind, cer_before, cer_after in moved:
        print(f"{name:<10}{kind:<22}{cer_before:.3f} -> {cer_after:.3f}")
    if options.tolerance is not None:
        worse = [kind for kind, _, cer_before, cer_after, _ in kinds if cer_after - cer_before > options.tolerance]
        if worse:
            raise SystemExit(f"CER rose by more than {options.tolerance} on: {', '.join(worse)}")
        print(f"no kind of damage reads worse by more than {options.tolerance}")


if __name__ == "__main__":
    main()
