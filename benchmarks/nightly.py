"""The nightly run with nothing to do, on an archive already there: seconds of `reindex()`, median of the rounds.

With --against PYTHON (the interpreter of another checkout, such as a git worktree of the code before a change),
the two run in turn, a process each round, on the same archive, and the ratio is reported: these machines are
shared, so a figure means something only beside its baseline. The archive may be one `index_scale.py --keep`
made (its HOME is DIR/pages-N/home); without HOME, a small one is made here.

    python benchmarks/nightly.py [HOME] [--rounds 3] [--against /tmp/before/.venv/bin/python] [--pages 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

# Run by each interpreter, so that each times its own checkout's luutru; the first run settles the archive (a
# version's first run may add what it keeps), the second is timed. CPU seconds as well: the walk is stat calls.
PROBE = """
import json, resource, sys, time
from pathlib import Path
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.run import reindex
home = ArchiveHome(Path(sys.argv[1]))
reindex(home)
usage, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
summary = reindex(home)
seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "files": summary.files_seen, "unchanged": summary.unchanged,
                  "indexed": summary.pages_indexed, "missing": summary.missing}))
"""


def timed_run(python: str, home: Path) -> dict:
    result = subprocess.run([python, "-c", PROBE, str(home)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{python}: the nightly run failed: {result.stderr.strip().splitlines()[-1:]}")
    run = json.loads(result.stdout.strip().splitlines()[-1])
    if run["unchanged"] != run["files"] or run["indexed"] or run["missing"]:
        sys.exit(f"{python}: the archive changed during the run ({run}); a no-op is what is timed")
    return run


def small_archive(folder: Path, pages: int) -> Path:
    from luutru.pipeline.run import reindex
    from samples.synthetic_archive import make_archive

    home = make_archive(folder, pages, random.Random(pages))
    reindex(home, full=True)
    return home.root


def report(name: str, runs: list[dict]) -> float:
    seconds = statistics.median(run["seconds"] for run in runs)
    cpu = statistics.median(run["cpu"] for run in runs)
    print(f"{name:<10}{runs[0]['files']:>10,} files  {seconds:7.2f} s  (CPU {cpu:.2f} s; "
          f"rounds {', '.join(format(run['seconds'], '.2f') for run in runs)})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("home", type=Path, nargs="?", help="an archive home (default: a small one made here)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", help="the interpreter of the baseline checkout, run in turn with this one")
    parser.add_argument("--pages", type=int, default=2000, help="the size of the archive made without HOME")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luutru-nightly-") as folder:
        home = options.home or small_archive(Path(folder), options.pages)
        pythons = {"this": sys.executable, **({"baseline": options.against} if options.against else {})}
        runs: dict[str, list[dict]] = {name: [] for name in pythons}
        for _ in range(options.rounds):
            for name, python in pythons.items():
                runs[name].append(timed_run(python, home))
        print(f"the nightly run with nothing to do on {home}, median of {options.rounds} rounds:")
        seconds = {name: report(name, runs[name]) for name in pythons}
        if options.against:
            print(f"this/baseline {seconds['this'] / seconds['baseline']:.2f}")


if __name__ == "__main__":
    main()
