"""What the audit trail costs a search: the counter page's search (a long-lived reader) with and without the event
it records before answering (pipeline/audit.py: one durable SQLite commit), each query both ways in one run.

    python benchmarks/audit.py HOME [--searches 400]

HOME is an archive home (benchmarks/index_scale.py --keep makes large ones); the events go to a temporary
trail, never to HOME's own.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from benchmarks.index_scale import QUERY_KINDS, percentile  # noqa: E402
from luutru.index.search import Filters  # noqa: E402
from luutru.pipeline.audit import AuditTrail  # noqa: E402
from luutru.pipeline.home import ArchiveHome  # noqa: E402
from luutru.pipeline.reader import ArchiveReader  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--searches", type=int, default=400)
    options = parser.parse_args()
    reader = ArchiveReader(ArchiveHome(options.home))
    rng = random.Random(7)
    queries = [make(rng) for _ in range(options.searches // len(QUERY_KINDS) + 1) for make in QUERY_KINDS.values()]
    with tempfile.TemporaryDirectory(prefix="luutru-audit-") as folder:
        trail = AuditTrail(Path(folder))
        plain, audited, recording = [], [], []
        for number, (text, filters) in enumerate(queries[:options.searches]):
            for recorded in (number % 2 == 0, number % 2 == 1):  # each query both ways, which first in turn
                started = time.perf_counter()
                result = reader.search(text, 10, Filters(**filters))
                searched = time.perf_counter()
                if recorded:
                    trail.record("counter", "127.0.0.1", "search", {"q": text, "total": result.total})
                    audited.append(time.perf_counter() - started)
                    recording.append(time.perf_counter() - searched)
                else:
                    plain.append(searched - started)
        trail.close()
    reader.close()
    print(f"{options.searches} searches, each made twice: alone and recorded in the audit trail (ms):")
    for name, values in (("search alone", plain), ("search + event", audited), ("the event alone", recording)):
        print(f"  {name:<16} p50 {statistics.median(values) * 1000:6.1f}  p95 {percentile(values, 0.95) * 1000:6.1f}")
    print(f"  p95 with the event / without: {percentile(audited, 0.95) / percentile(plain, 0.95):.2f}")


if __name__ == "__main__":
    main()
