"""The counter's page under load: search and page-image requests against `luutru serve`.

Two archives: the samples (ingested for real, Whoosh) and a generated archive of N pages
(samples/synthetic_archive.py, indexed with Tantivy by `reindex --full`) into which the samples are
ingested too, so page images come from real scans in a large catalog. For each, a real
`luutru serve` answers CLIENTS concurrent clients (keep-alive connections, as browsers hold them):
requests per second and p50/p95 latency of searches (the clerk queries of index_scale.py) and of page
images at screen size, first when made and then once cached. The baseline, in the same run, is a
plain `luutru search QUERY` from the shell, what a clerk at the command line waits for.

    python benchmarks/serve.py [--pages 100000] [--requests 400] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from benchmarks.index_scale import QUERY_KINDS, percentile  # noqa: E402
from luutru.pipeline.run import RunOptions, reindex  # noqa: E402
from samples.synthetic_archive import make_archive  # noqa: E402

LUUTRU = Path(sys.executable).parent / "luutru"
SAMPLES = REPOSITORY / "samples" / "scans"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A `luutru serve` of its own, on a free port, with its own image cache."""

    def __init__(self, home: Path, cache: Path) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen([str(LUUTRU), "--home", str(home), "serve", "--port", str(self.port),
                                         "--cache", str(cache)], stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                self.get("/")
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("luutru serve did not start")

    def get(self, path: str, connection: http.client.HTTPConnection | None = None) -> int:
        own = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        own.request("GET", path)
        response = own.getresponse()
        response.read()
        if connection is None:
            own.close()
        return response.status

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def load(server: Server, paths: list[str], clients: int) -> tuple[float, list[float]]:
    """Requests per second and each request's seconds, `clients` keep-alive connections at once."""
    def client(share: list[str]) -> list[float]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        seconds = []
        for path in share:
            started = time.perf_counter()
            status = server.get(path, connection)
            seconds.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"{path}: status {status}")
        connection.close()
        return seconds

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, [paths[index::clients] for index in range(clients)]))
    elapsed = time.perf_counter() - started
    return len(paths) / elapsed, [value for result in results for value in result]


def search_paths(count: int, rng: random.Random) -> tuple[list[str], list[tuple[str, dict]]]:
    queries = [kind(rng) for kind in QUERY_KINDS.values() for _ in range(max(1, count // len(QUERY_KINDS)))]
    names = {"year": "year", "issued_from": "from", "issued_to": "to"}
    paths = ["/?" + urllib.parse.urlencode({"q": text, **{names[key]: value for key, value in filters.items()}})
             for text, filters in queries]
    return paths[:count], queries


def cli_seconds(home: Path, queries: list[tuple[str, dict]], count: int) -> list[float]:
    """A plain `luutru search` from the shell, process start included, for the first `count` queries."""
    seconds = []
    for text, filters in queries[:count]:
        options = [f"--{'from' if key == 'issued_from' else 'to' if key == 'issued_to' else key}={value}"
                   for key, value in filters.items()]
        started = time.perf_counter()
        subprocess.run([str(LUUTRU), "--home", str(home), "search", text, *options], check=True,
                       stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - started)
    return seconds


def page_paths(home: Path, scans: Path) -> list[str]:
    """The page images of the real scans under `scans` (a generated archive's files are stand-ins)."""
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        rows = db.execute("SELECT p.file_id, p.page FROM pages p JOIN files f ON f.id = p.file_id "
                          "WHERE f.path LIKE ? ORDER BY p.file_id, p.page", (f"{scans}/%",)).fetchall()
    return [f"/page/{file_id}/{page}.jpg?w=1200" for file_id, page in rows]


def measure(name: str, home: Path, scans: Path, work: Path, requests: int, clients: int,
            rng: random.Random) -> None:
    paths, queries = search_paths(requests, rng)
    server = Server(home, work / f"cache-{name}")
    try:
        server.get(paths[0])  # the index opened once, as after the first clerk's search
        rate, seconds = load(server, paths, clients)
        images = page_paths(home, scans)
        first = [load(server, [path], 1)[1][0] for path in images]
        cached_rate, cached = load(server, [images[index % len(images)] for index in range(requests)], clients)
    finally:
        server.close()
    shell = cli_seconds(home, queries, min(10, len(queries)))
    print(f"{name}:")
    print(f"  search         {rate:7.1f} req/s  p50 {1000 * percentile(seconds, 0.5):6.0f} ms  "
          f"p95 {1000 * percentile(seconds, 0.95):6.0f} ms  ({len(paths)} requests, {clients} clients)")
    print(f"  page image     first p50 {1000 * percentile(first, 0.5):6.0f} ms  "
          f"p95 {1000 * percentile(first, 0.95):6.0f} ms ({len(first)} pages); "
          f"cached {cached_rate:7.1f} req/s  p95 {1000 * percentile(cached, 0.95):6.0f} ms")
    print(f"  luutru search  p50 {1000 * percentile(shell, 0.5):6.0f} ms from the shell (baseline, {len(shell)} "
          f"queries); the page answers {percentile(shell, 0.5) / percentile(seconds, 0.5):.1f}x faster at p50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000, help="generated archive size; 0 skips it")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="luutru-serve-bench-") as folder:
        work = Path(folder)
        shutil.copytree(SAMPLES, work / "samples")
        home = work / "home"
        subprocess.run([str(LUUTRU), "--home", str(home), "-q", "ingest", str(work / "samples")], check=True,
                       stdout=subprocess.DEVNULL)
        measure("samples (whoosh)", home, work / "samples", work, args.requests, args.clients, rng)
        if args.pages:
            base = work / "generated"
            generated = make_archive(base, args.pages, rng)
            started = time.perf_counter()
            reindex(generated, full=True, options=RunOptions(engine="tantivy"))
            print(f"(generated {args.pages:,} pages, indexed with Tantivy in {time.perf_counter() - started:.0f} s)")
            shutil.copytree(SAMPLES, base / "samples")
            subprocess.run([str(LUUTRU), "--home", str(generated.root), "-q", "ingest", str(base / "samples")],
                           check=True, stdout=subprocess.DEVNULL)
            measure(f"{args.pages:,} generated pages (tantivy)", generated.root, base / "samples", work, args.requests,
                    args.clients, rng)


if __name__ == "__main__":
    main()
