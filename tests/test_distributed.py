"""Pages read on a real Dask cluster on loopback: a scheduler and two workers, started as an office
would start them (`dask scheduler`, `dask worker`), and luutru ingesting through them."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from conftest import LUUTRU, SAMPLES, json_of, run_luutru
from test_faults import _hanging_tesseract, assert_consistent, catalog_rows, pages_in_catalog

DASK = Path(sys.executable).parent / "dask"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(count, timeout=120)


@contextmanager
def running_cluster(workers: int, env: dict | None = None):
    """A scheduler and single-threaded workers on 127.0.0.1, as an office would start them."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    processes = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], **quiet)]
    processes += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard",
                                    "--name", f"worker-{number}"], **quiet) for number in range(1, workers + 1)]
    try:
        wait_for_workers(address, workers)
        yield {"address": address, "scheduler": processes[0], "workers": processes[1:]}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


@pytest.fixture(scope="module")
def cluster():
    with running_cluster(2) as running:
        yield running


def page_texts(home: Path) -> dict[tuple[str, int], str]:
    rows = catalog_rows(home, "SELECT files.path, pages.page, pages.text FROM pages "
                              "JOIN files ON files.id = pages.file_id")
    return {(Path(path).name, page): text for path, page, text in rows}


def test_an_ingest_on_a_dask_cluster_reads_what_the_local_pool_reads(cluster, archive, tmp_path):
    home = tmp_path / "home"
    summary = json_of(run_luutru(home, "ingest", str(archive["scans"]), "--scheduler", cluster["address"],
                                 "--json"))
    assert summary["pages_failed"] == 0 and summary["new"] == archive["summary"]["new"]
    assert page_texts(home) == page_texts(archive["home"])  # the same engine reads the same words
    assert_consistent(home)


def test_a_scheduler_from_the_config_file_is_used(cluster, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'scheduler = "{cluster["address"]}"\n', encoding="utf-8")
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "cv.png").write_bytes((SAMPLES / "2023" / "cv-45-ra-soat.png").read_bytes())
    run_luutru(home, "ingest", str(scans), "--jobs", "1")
    assert "tcp://127.0.0.1" in (home / "logs" / "luutru.log").read_text(encoding="utf-8")


def test_a_worker_killed_mid_run_loses_nothing(cluster, tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans),
                                "--scheduler", cluster["address"], "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while process.poll() is None and pages_in_catalog(home) < 1:
        time.sleep(0.05)
    # The nanny of worker-1 restarts it; the page it was reading is read again elsewhere.
    children = psutil.Process(cluster["workers"][0].pid).children(recursive=True)
    readers = [child for child in children if "spawn_main" in " ".join(child.cmdline())]
    assert readers, "no worker process to kill"
    readers[0].send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0
    assert json.loads(output)["pages_failed"] == 0
    assert pages_in_catalog(home) == 9
    assert_consistent(home)


def test_an_unreachable_scheduler_is_one_line_and_not_ready(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "cv.png").write_bytes((SAMPLES / "2023" / "cv-45-ra-soat.png").read_bytes())
    result = run_luutru(tmp_path / "home", "ingest", str(scans), "--scheduler", f"tcp://127.0.0.1:{free_port()}",
                        check_code=4)
    assert "cannot reach the Dask scheduler" in result.stderr and result.stderr.strip().count("\n") == 0


@pytest.mark.parametrize("answer", [b"HTTP/1.1 400 Bad Request\r\n\r\n", None])
def test_an_address_that_is_no_dask_scheduler_is_one_line_and_not_ready_not_a_hang(tmp_path, answer):
    """A web server's answer was read as a message of exabytes (MemoryError, internal error); a port that takes
    the connection and says nothing held the ingest, and its lock, for minutes."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def serve() -> None:
        while True:
            connection, _ = server.accept()
            held.append(connection)
            if answer:
                connection.recv(1024)
                connection.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "cv.png").write_bytes((SAMPLES / "2023" / "cv-45-ra-soat.png").read_bytes())
    started = time.monotonic()
    result = run_luutru(tmp_path / "home", "ingest", str(scans), "--scheduler",
                        f"tcp://127.0.0.1:{server.getsockname()[1]}", check_code=4)
    said = "is not a Dask scheduler" if answer else "no Dask answer within"
    assert said in result.stderr and result.stderr.strip().count("\n") == 0 and "internal error" not in result.stderr
    assert time.monotonic() - started < 60
    server.close()


def test_doctor_checks_the_scheduler_and_every_worker(cluster, tmp_path):
    output = run_luutru(tmp_path / "home", "doctor", "--scheduler", cluster["address"]).stdout
    assert "ok   dask scheduler" in output and output.count("ok   dask worker") == 2
    missing = run_luutru(tmp_path / "home", "doctor", "--scheduler", f"tcp://127.0.0.1:{free_port()}", check_code=4)
    assert "FAIL dask scheduler" in missing.stdout


def test_a_scheduler_lost_mid_run_stops_it_and_the_next_run_reads_the_rest(tmp_path):
    scans, home = tmp_path / "scans", tmp_path / "home"
    shutil.copytree(SAMPLES, scans)
    with running_cluster(1) as lost:
        process = subprocess.Popen([str(LUUTRU), "--home", str(home), "ingest", str(scans), "--scheduler",
                                    lost["address"]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while process.poll() is None and pages_in_catalog(home) < 1:
            time.sleep(0.05)
        lost["scheduler"].kill()
        _, errors = process.communicate(timeout=300)
    assert process.returncode == 4 and "lost the Dask scheduler" in errors and "Traceback" not in errors
    summary = json_of(run_luutru(home, "ingest", str(scans), "--json"))
    assert summary["pages_failed"] == 0 and pages_in_catalog(home) == 9
    assert_consistent(home)


def test_a_page_stuck_on_a_dask_worker_is_stopped_and_its_worker_restarted(one_scan, tmp_path):
    with running_cluster(1, env=_hanging_tesseract(tmp_path)) as hanging:
        started = time.monotonic()
        summary = json_of(run_luutru(one_scan["home"], "ingest", str(one_scan["scans"]), "--scheduler",
                                     hanging["address"], "--ocr-engine", "pytesseract", "--page-time-limit", "3",
                                     "--json", check_code=1))
        assert time.monotonic() - started < 90
        assert ["stuck past the time limit" in failure["reason"] for failure in summary["failures"]] == [True]
        assert "restarting that worker" in (one_scan["home"] / "logs" / "luutru.log").read_text(encoding="utf-8")
