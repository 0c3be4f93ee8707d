"""The worker pool: a worker that dies does not stop the run, and the job that kills it is found."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import psutil
import pytest
from conftest import LUUTRU, SAMPLES
from test_faults import assert_consistent, pages_in_catalog

from luutru.pipeline.executor import ProcessExecutor


def tenfold_but_three_dies(number: int) -> int:
    if number == 3:
        os._exit(1)  # as a worker killed for memory, or a crash inside Tesseract, would end
    return number * 10


def crashed(number: int) -> int:
    return -number


def tenfold_but_five_hangs(number: int) -> int:
    if number == 5:
        time.sleep(600)  # as a page stuck inside a native library, beyond Python's reach
    return number * 10


@pytest.mark.slow
def test_a_job_that_kills_its_worker_is_reported_and_the_rest_are_done():
    results = list(ProcessExecutor(2, crashed).map_unordered(tenfold_but_three_dies, range(8)))
    assert sorted(results) == sorted([-3] + [number * 10 for number in range(8) if number != 3])


@pytest.mark.slow
def test_a_job_past_its_time_limit_is_stopped_and_reported():
    started = time.monotonic()
    results = list(ProcessExecutor(2, crashed, job_seconds=1).map_unordered(tenfold_but_five_hangs, range(8)))
    assert sorted(results) == sorted([-5] + [number * 10 for number in range(8) if number != 5])
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_an_ingest_survives_a_worker_killed_under_it(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--jobs", "2", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while process.poll() is None and pages_in_catalog(home) < 1:
        time.sleep(0.05)
    workers = [child for child in psutil.Process(process.pid).children()
               if "spawn_main" in " ".join(child.cmdline())]  # not the resource tracker
    assert workers, "no worker process to kill"
    workers[0].send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0
    summary = json.loads(output)
    assert summary["pages_failed"] == 0 and pages_in_catalog(home) == 9
    assert "worker process died" in (home / "logs" / "luutru.log").read_text(encoding="utf-8")
    assert_consistent(home)
