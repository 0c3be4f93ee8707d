"""The run: find what is new, changed or gone, read the pages that need it, record and index them.

Planning happens in this process (walk, stat, hash only when size or mtime moved, count pages);
page reading happens on the executor; every finished page is committed to the catalog at once,
so an interrupted run resumes with the pages it had not finished.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from luutru.errors import NoArchive
from luutru.index.store import store_class
from luutru.pipeline.catalog import (
    FOLDER_PROBLEMS_KEY,
    SEARCHABLE,
    Catalog,
    FileRecord,
    PageRecord,
    catalog_name,
    catalog_names,
    now,
    words_json,
)
from luutru.pipeline.config import load_config
from luutru.pipeline.executor import make_executor
from luutru.pipeline.fields import follow_pattern, record_fields
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.indexing import rebuild_index, sync_index
from luutru.pipeline.metadata import PathPattern
from luutru.pipeline.progress import Progress
from luutru.pipeline.settings import OcrSettings, Reocr, RunOptions
from luutru.pipeline.work import PageJob, PageOutcome, crashed_page, page_time_limit, process_page
from luutru.scanners import (
    SCAN_SUFFIXES,
    Fingerprint,
    Found,
    Kind,
    Listing,
    ScanError,
    count_pages,
    detect_kind,
    fingerprint,
    walk,
)
from luutru.scanners.signatures import pdf_signatures

log = logging.getLogger("luutru")
# A file-level error keeps this many page errors; the rest are counted.
MAX_PAGE_ERRORS_SHOWN = 3
# In a nightly reindex, a file modified less than this many seconds ago may still be being copied: it
# waits for the next run.
SETTLE_SECONDS = 10


class Every:
    """Runs `action` when called, at most once per `seconds`."""

    def __init__(self, seconds: float, action: Callable[[], None]) -> None:
        self.seconds, self.action, self.last = seconds, action, time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= self.seconds:
            self.action()
            self.last = time.monotonic()


@dataclass
class RunSummary:
    files_seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    retried: int = 0
    refused: int = 0  # found, but failed before any page could be read (unreadable, not what its name says)
    failed_before: int = 0  # failed in an earlier run, unchanged since: not tried again
    reused: int = 0  # same content already read elsewhere (moved, renamed, copied): no OCR
    reread: int = 0  # pages read again (--reocr)
    missing: int = 0
    pages_ocr: int = 0
    pages_text_layer: int = 0
    pages_failed: int = 0
    pages_indexed: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unsupported: list[str] = field(default_factory=list)
    settling: list[str] = field(default_factory=list)  # modified moments ago (a copy in progress): next run
    started_at: str = ""  # ISO 8601, UTC
    finished_at: str = ""

    def to_json(self) -> dict:
        data = dict(self.__dict__)
        data["failures"] = [{"path": path, "reason": reason} for path, reason in self.failures]
        return data


@dataclass
class _Pending:
    record: FileRecord
    pages: list[int]
    errors: list[str] = field(default_factory=list)


def _absolute(paths: Iterable[Path]) -> list[Path]:
    """The paths given, absolute, each once: a path inside another given is walked with it."""
    absolute = sorted({Path(path).expanduser().absolute() for path in paths})
    return [path for path in absolute if not any(other in path.parents for other in absolute)]


def _record_failure(catalog: Catalog | None, summary: RunSummary, found: Path | str, reason: str,
                    current: Fingerprint | None = None) -> None:
    """Report a failure; a file's is also kept in the catalog, without touching pages read before. With
    the file's `current` fingerprint, a later run knows it unchanged and does not try it again."""
    path = catalog_name(found)[0]
    record = catalog.file_by_path(path) if catalog is not None else None
    if current is not None and catalog is not None:
        catalog.upsert_file(found, kind=None, size=current.size, mtime_ns=current.mtime_ns, sha256=current.sha256,
                            status="failed", error=reason)
    elif record is not None:
        reason = catalog.finish_file(record.id, reason)
    elif catalog is not None:
        catalog.upsert_file(found, kind=None, size=None, mtime_ns=None, sha256=None, status="failed", error=reason)
    summary.failures.append((path, reason))
    log.warning("%s: %s", path, reason)


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "file vanished during the run"
    if isinstance(error, PermissionError):
        return "permission denied"
    return error.strerror or str(error)


def _record_unreadable(catalog: Catalog, summary: RunSummary, path: Path, current: Fingerprint) -> None:
    """A file whose content is no scan: a failure when its name promises one, else just listed."""
    promised = SCAN_SUFFIXES.get(path.suffix.lower())
    if promised is None:
        summary.unsupported.append(catalog_name(path)[0])
        catalog.upsert_file(path, kind=None, size=current.size, mtime_ns=current.mtime_ns,
                            sha256=current.sha256, status="unsupported", error="not a scan")
        return
    reason = "empty file" if current.size == 0 else f"named {path.suffix} but its content is not a {promised}"
    summary.refused += 1
    _record_failure(catalog, summary, path, reason, current)


def _failed_before(catalog: Catalog, record: FileRecord, size: int, mtime_ns: int) -> bool:
    """A file that failed and has not changed since (nor has the new version that failed)."""
    if record.status != "failed" or record.size is None:
        return False
    staged = catalog.staged(record.id)
    return (size, mtime_ns) in {(record.size, record.mtime_ns), (staged.size, staged.mtime_ns) if staged else None}


def _plan_file(catalog: Catalog, summary: RunSummary, location: str, readable: str, stat: Fingerprint,
               record: FileRecord | None, settle: float, retry_failed: bool) -> int | None:
    """Classify one file the walk found (at `location`, with the size and mtime it had then; `readable`: its name as
    the catalog keeps it; `record`: the catalog's row for it, if any); returns its catalog id when its pages need
    reading."""
    try:
        if record and record.status in ("done", "unsupported", "missing") and \
                (record.size, record.mtime_ns) == (stat.size, stat.mtime_ns):
            if record.status == "missing" and record.page_count is not None:
                catalog.mark_returned(record.id)  # back where it was (a share mounted again): no hashing
            summary.unchanged += 1
            return None
        if record and not retry_failed and _failed_before(catalog, record, stat.size, stat.mtime_ns):
            summary.failed_before += 1  # listed by `status`; tried again with --retry-failed or once it changes
            return None
        if time.time_ns() - stat.mtime_ns < settle * 1e9:
            summary.settling.append(readable)
            log.info("%s: modified moments ago (still being copied?); read on the next run", readable)
            return None
        path = Path(location)  # made only for a file to read: unchanged ones are most of a nightly run's millions
        kind = detect_kind(path)
        current = fingerprint(path)
    except OSError as error:
        summary.refused += 1
        _record_failure(catalog, summary, Path(location), _os_reason(error))
        return None
    if kind is None:
        _record_unreadable(catalog, summary, path, current)
        return None
    if record and record.sha256 == current.sha256 and record.status == "done":
        catalog.touch_file(record.id, current.size, current.mtime_ns)
        summary.unchanged += 1
        return None
    if record is None:
        summary.new += 1
    elif record.sha256 != current.sha256:
        summary.changed += 1
    else:
        summary.retried += 1
    if record and record.sha256 != current.sha256 and record.status in SEARCHABLE and record.page_count:
        catalog.stage_version(record.id, kind=kind.value, size=current.size, mtime_ns=current.mtime_ns,
                              sha256=current.sha256)
        return record.id
    return catalog.upsert_file(path, kind=kind.value, size=current.size, mtime_ns=current.mtime_ns,
                               sha256=current.sha256, status="pending")


@dataclass
class _Met:
    """What the walk of one root met."""

    names: set[str] = field(default_factory=set)  # each file and folder, as the catalog keeps its name
    unreadable: list[str] = field(default_factory=list)  # folders that could not be read: their files are kept
    present: int = 0  # of the files met, how many the catalog held as present (not gone) when met


def _mark_missing(catalog: Catalog, summary: RunSummary, root: Path, met: _Met) -> None:
    """Files whose folder was read and which are not in it are gone. The files of a folder that could
    not be read, and of a root that is not there or holds nothing at all (a share not mounted, its
    mount point left empty), are kept: a folder that cannot be seen is not an archive that was emptied."""
    known = catalog.present_files(under=root)
    if not root.exists() or (known and not any(path in met.names for _, path in known) and not _has_files(root)):
        if known:
            log.warning("%s: none of its %d files can be seen (a share not mounted?); they are kept",
                        catalog_name(root)[0], len(known))
        return
    gone = [(file_id, path) for file_id, path in known if path not in met.names
            and not any(path.startswith(folder + "/") for folder in met.unreadable)]
    for _, path in gone:
        log.info("%s: gone from disk", path)
    catalog.mark_missing(file_id for file_id, _ in gone)
    summary.missing += len(gone)


def _has_files(root: Path) -> bool:
    try:
        return root.is_file() or any(path.is_file() for path in root.rglob("*"))
    except OSError:
        return False


def _prepare(catalog: Catalog, summary: RunSummary, file_id: int, settings: OcrSettings) -> _Pending | None:
    """Reuse the pages of identical content, or count the pages still to read."""
    staged, current = catalog.staged(file_id), catalog.file_by_id(file_id)
    record = staged or current
    rereading = staged is not None and staged.sha256 == current.sha256  # --reocr: its own pages again
    twin = None if rereading else catalog.done_file_with_hash(record.sha256, settings.key(), other_than=record.id)
    if twin is not None:
        catalog.copy_pages(twin.id, record.id)
        catalog.set_page_count(record.id, twin.page_count)
        catalog.finish_file(record.id, None)
        summary.reused += 1
        log.info("%s: same content as %s, pages reused without OCR", record.path, twin.path)
        return None
    try:
        total = count_pages(record.disk_path, Kind(record.kind), settings.max_pixels)
    except ScanError as error:
        _record_failure(catalog, summary, record.path, str(error))
        return None
    except OSError as error:
        _record_failure(catalog, summary, record.path, _os_reason(error))
        return None
    catalog.set_page_count(record.id, total)
    if record.kind == Kind.PDF.value and catalog.signatures(record.sha256) is None:
        catalog.set_signatures(record.sha256, [signature.to_json() for signature in pdf_signatures(record.disk_path)])
    done = catalog.done_pages(record.id)
    return _Pending(record, [page for page in range(1, total + 1) if page not in done])


def _stage_rereads(catalog: Catalog, summary: RunSummary, roots: list[Path], reocr: Reocr) -> None:
    """Stage the pages chosen to be read again; the pages read before stay searchable meanwhile."""
    chosen = catalog.pages_to_reread(roots, reocr.below, reocr.source)
    for file_id, pages in chosen.items():
        catalog.stage_reread(file_id, pages)
    summary.reread = sum(map(len, chosen.values()))
    log.info("%d pages of %d files to read again", summary.reread, len(chosen))


def _jobs(pending: list[_Pending], settings: OcrSettings) -> Iterator[PageJob]:
    for item in pending:
        for page in item.pages:
            yield PageJob(item.record.id, str(item.record.disk_path), Kind(item.record.kind), page, settings)


def _store(catalog: Catalog, outcome: PageOutcome) -> None:
    catalog.put_page(PageRecord(outcome.file_id, outcome.page, outcome.text, outcome.confidence,
                                outcome.source, words_json(outcome.words), outcome.seconds,
                                _json_or_none(outcome.diagnostics), _json_or_none(outcome.geometry),
                                _json_or_none(outcome.provenance), outcome.unreadable))


def _json_or_none(value: dict) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def _file_error(errors: list[str]) -> str | None:
    if not errors:
        return None
    shown = "; ".join(sorted(errors)[:MAX_PAGE_ERRORS_SHOWN])
    more = len(errors) - MAX_PAGE_ERRORS_SHOWN
    return shown + (f"; and {more} more pages failed" if more > 0 else "")


def _finish(catalog: Catalog, summary: RunSummary, item: _Pending) -> None:
    error = _file_error(item.errors)
    if error:
        _record_failure(catalog, summary, item.record.path, error)
    else:
        catalog.finish_file(item.record.id, None)


def _read_pages(catalog: Catalog, summary: RunSummary, pending: list[_Pending], options: RunOptions,
                now_and_then: Callable[[], None]) -> None:
    remaining = {item.record.id: len(item.pages) for item in pending}
    by_id = {item.record.id: item for item in pending}
    for item in pending:
        if not item.pages:
            _finish(catalog, summary, item)  # every page was read by an interrupted run
    progress = Progress(sum(remaining.values()), "OCR")
    try:
        limit = options.page_time_limit or page_time_limit(options.settings)
        executor = make_executor(options.jobs, crashed_page, limit, options.scheduler)
        for outcome in executor.map_unordered(process_page, _jobs(pending, options.settings)):
            item = by_id[outcome.file_id]
            if outcome.error:
                item.errors.append(f"page {outcome.page}: {outcome.error}")
                summary.pages_failed += 1
            else:
                _store(catalog, outcome)
                if outcome.source == "ocr":
                    summary.pages_ocr += 1
                else:
                    summary.pages_text_layer += 1
            progress.advance(failed=bool(outcome.error))
            remaining[outcome.file_id] -= 1
            if remaining[outcome.file_id] == 0:
                _finish(catalog, summary, item)
                now_and_then()
    finally:
        progress.close()


def _plan_folder(catalog: Catalog, summary: RunSummary, listing: Listing, met: _Met, settle: float,
                 retry_failed: bool) -> list[int]:
    """Classify a folder's files; returns the catalog ids of those whose pages need reading."""
    for problem in listing.problems:
        _walk_problem(catalog, summary, problem, met, retry_failed)
    paths = [path for path, _, _ in listing.files]
    names = catalog_names(paths)
    met.names.update(names)
    # (readable name, size, mtime_ns) -> its path on disk; the walk's own tuples where the names are already readable
    files = dict(zip(listing.files, paths)) if names is paths else {
        (name, size, mtime_ns): path for name, (path, size, mtime_ns) in zip(names, listing.files)}
    summary.files_seen += len(listing.files)
    # Unchanged is the rule: only what differs from the catalog's settled files is looked at one by one.
    differ = sorted(files.keys() - catalog.settled_in_folder(catalog_name(listing.folder)[0]))
    summary.unchanged += len(files) - len(differ)
    present = set()  # of the files that differ, the names the catalog holds as present
    to_read = []
    for readable, size, mtime_ns in differ:
        record = catalog.file_by_path(readable)
        if record is not None and record.status != "missing":
            present.add(readable)
        file_id = _plan_file(catalog, summary, files[readable, size, mtime_ns], readable, Fingerprint(size, mtime_ns),
                             record, settle, retry_failed)
        if file_id is not None:
            to_read.append(file_id)
    if names is not paths:  # two names on disk (an NFC and an NFD spelling) may be one in the catalog: counted once
        present -= {name for name, _, _ in files.keys() - set(differ)}
    met.present += len(files) - len(differ) + len(present)
    return to_read


def _walk_problem(catalog: Catalog, summary: RunSummary, problem: Found, met: _Met, retry_failed: bool) -> None:
    """A name the walk could not read as a regular file: a folder's files are kept; a file's failure is recorded,
    unless it is the same as last night's."""
    readable = catalog_name(problem.location)[0]
    met.names.add(readable)
    if problem.folder:
        met.unreadable.append(readable)
        _record_failure(None, summary, problem.path, problem.error)
        return
    summary.files_seen += 1
    record = catalog.file_by_path(readable)
    met.present += record is not None and record.status != "missing"
    if not retry_failed and record and record.status == "failed" and record.error == problem.error:
        summary.failed_before += 1  # the same broken link as last night
        return
    summary.refused += 1
    _record_failure(catalog, summary, problem.path, problem.error)


def _ingest_locked(home: ArchiveHome, catalog: Catalog, roots: list[Path], options: RunOptions,
                   summary: RunSummary, pattern: PathPattern | None, nightly: bool) -> None:
    # The nightly reindex leaves alone a file still being copied and a file that failed and has not
    # changed; an explicit `ingest PATH` reads what it is given.
    settle = SETTLE_SECONDS if nightly else 0.0
    retry_failed = options.retry_failed or not nightly
    unreadable: list[str] = []  # folders that could not be read: their failures are kept apart for `status`
    to_read = []
    for root in roots:
        before, met = catalog.present_count(under=root), _Met()
        for listing in walk([root]):
            to_read += _plan_folder(catalog, summary, listing, met, settle, retry_failed)
        # Met every file the catalog held there (the usual night): none is gone, and no need to list them all.
        if met.present != before:
            _mark_missing(catalog, summary, root, met)
        unreadable += met.unreadable
    catalog.set_meta(FOLDER_PROBLEMS_KEY, json.dumps([[path, reason] for path, reason in summary.failures
                                                      if path in unreadable], ensure_ascii=False))
    if options.reocr:
        _stage_rereads(catalog, summary, roots, options.reocr)
    planned = set(to_read)
    to_read += [file_id for file_id in catalog.staged_file_ids() if file_id not in planned]
    pending = [item for file_id in to_read if (item := _prepare(catalog, summary, file_id, options.settings))]

    def sync() -> None:
        record_fields(catalog, catalog.files_waiting_for_index(), pattern)
        summary.pages_indexed += sync_index(home, catalog, options.engine)
    try:
        _read_pages(catalog, summary, pending, options, Every(options.sync_every, sync))
    except KeyboardInterrupt:
        # What was read before the interrupt is committed: make it searchable before stopping.
        log.warning("interrupted; making the pages read so far searchable")
        sync()
        raise
    sync()


def _run(home: ArchiveHome, roots: list[Path] | None, options: RunOptions, wait: bool,
         full_rebuild: bool = False) -> RunSummary:
    started = time.monotonic()
    summary = RunSummary(started_at=now())
    config = load_config(home.config_path)  # a bad config stops the run before any work
    options = replace(options, scheduler=options.scheduler or config.scheduler, engine=options.engine or config.engine)
    if options.engine:
        store_class(options.engine)  # a missing engine stops the run before any OCR
    with home.exclusive(wait=wait):
        catalog = Catalog(home.catalog_path)
        try:
            given = roots is not None
            if roots is None:
                roots = catalog.roots()
            else:
                catalog.add_roots(root for root in roots if root.exists())
            read_again = follow_pattern(catalog, config.path_pattern)
            if full_rebuild:  # the files follow_pattern just read are not read a second time
                record_fields(catalog, [record for record in catalog.files_waiting_for_index()
                                        if record.id not in read_again], config.path_pattern)
                summary.pages_indexed += rebuild_index(home, catalog, options.engine)
            _ingest_locked(home, catalog, roots, options, summary, config.path_pattern, nightly=not given)
        finally:
            catalog.close()
    summary.seconds = round(time.monotonic() - started, 2)
    summary.finished_at = now()
    return summary


def ingest(home: ArchiveHome, paths: Iterable[Path], options: RunOptions = RunOptions(),
           wait: bool = False) -> RunSummary:
    """Ingest files and folder trees into the archive: only new, changed or unfinished files are read, by local
    workers or on a Dask cluster; what was read becomes searchable every `options.sync_every` seconds, and at
    the end."""
    home.create()
    return _run(home, _absolute(paths), options, wait)


def reindex(home: ArchiveHome, full: bool = False, options: RunOptions = RunOptions(),
            wait: bool = False) -> RunSummary:
    """For cron: re-scan every root ingested before, read what changed, update the index.
    With `full`, first rebuild the whole index from the catalog (without OCR) and swap it in."""
    if not home.exists():
        raise NoArchive(home.root)
    return _run(home, None, options, wait, full_rebuild=full)
