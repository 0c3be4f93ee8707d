"""What page geometry and provenance cost in the catalog: its size per page with them and without.

    python benchmarks/catalog_size.py ARCHIVE_HOME

A copy of the catalog is vacuumed as it is, then again with the two columns emptied.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path


def vacuumed_size(path: Path) -> int:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = DELETE")
    db = sqlite3.connect(path)
    db.execute("VACUUM")
    db.close()
    return path.stat().st_size


def measure(catalog: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "catalog.sqlite3"
        source = sqlite3.connect(catalog)
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        pages, held = target.execute("SELECT COUNT(*), SUM(COALESCE(LENGTH(geometry), 0) "
                                     "+ COALESCE(LENGTH(provenance), 0)) FROM pages").fetchone()
        target.close()
        with_them = vacuumed_size(copy)
        with sqlite3.connect(copy) as db:
            db.execute("UPDATE pages SET geometry = NULL, provenance = NULL")
        without = vacuumed_size(copy)
    # The file grows in 4 KB pages, and a small catalog can hold the two columns in its pages' slack: their
    # own bytes are counted too.
    return {"pages": pages, "bytes_per_page": round(with_them / pages), "without": round(without / pages),
            "share": round((with_them - without) / with_them, 3), "held": round((held or 0) / pages)}


def main() -> None:
    home = Path(sys.argv[1])
    result = measure(home / "catalog.sqlite3")
    print(f"{result['pages']} pages: {result['bytes_per_page']:,} bytes a page with geometry and provenance, "
          f"{result['without']:,} without ({result['share']:.1%} of the catalog); the two columns hold "
          f"{result['held']:,} bytes a page")


if __name__ == "__main__":
    main()
