"""The `luutru` command: a thin click face over scanners/, pipeline/ and index/.

Every command calls one plain function (pipeline.run.ingest, index.search.search, ...) and only
formats its result. Exit statuses mean something (see ExitCode and the README).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import logging.handlers
import os
import re
import select
import shutil
import sqlite3
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import click

from luutru import __version__
from luutru.errors import ExitCode, LuutruError, NotReady, UsageError
from luutru.i18n import N_, _, ngettext
from luutru.index.store import ENGINES as INDEX_ENGINES
from luutru.pipeline.home import ArchiveHome, resolve_home
from luutru.pipeline.report import REVIEW_BELOW, day_month_year
from luutru.pipeline.settings import (
    DEFAULT_SYNC_SECONDS,
    LINE_READERS,
    OCR_ENGINES,
    PAGE_SOURCES,
    OcrSettings,
    Reocr,
    RunOptions,
)
from luutru.scanners.limits import DEFAULT_MAX_PIXELS

# pipeline.users.ROLES' names, written here so that a command other than `users` never loads Argon2
ROLE_NAMES = ("clerk", "archivist", "head")

# Each command imports the functions it calls when it runs: `luutru search` loads neither OpenCV
# nor Tesseract.
log = logging.getLogger("luutru")


def _utf8_streams() -> None:
    """Vietnamese must reach the terminal even under a C locale or a cron job's bare environment."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def _setup_logging(home: ArchiveHome, quiet: bool) -> None:
    # A log file that cannot be written (a full disk) must not print tracebacks between the results.
    logging.raiseExceptions = False
    logger = logging.getLogger("luutru")
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    console = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        console.setFormatter(logging.Formatter("luutru: %(message)s"))
        console.setLevel(logging.WARNING)
    else:
        console.setFormatter(logging.Formatter("%(asctime)s luutru %(levelname)s %(message)s"))
        console.setLevel(logging.WARNING if quiet else logging.INFO)
    console.addFilter(lambda record: not getattr(record, "file_only", False))
    logger.addHandler(console)
    if not home.root.exists():
        return
    try:
        home.log_dir.mkdir(mode=0o700, exist_ok=True)
        log_file = logging.handlers.RotatingFileHandler(home.log_dir / "luutru.log", maxBytes=5_000_000,
                                                        backupCount=5, encoding="utf-8")
    except OSError:
        return  # a user who may only read the archive (a clerk searching) logs to stderr alone
    log_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    logger.addHandler(log_file)


def _print_json(value: dict) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _fail(code: ExitCode, message: str) -> None:
    click.echo(f"luutru: {message}", err=True)
    sys.exit(code)


def _internal_error(error: BaseException) -> None:
    """One line on stderr; the traceback goes to the log file only."""
    log.error("internal error", exc_info=error, extra={"file_only": True})
    _fail(ExitCode.INTERNAL, _("internal error: {kind}: {error} (details in the log under the archive home)").format(
        kind=type(error).__name__, error=error))


def _reader_gone() -> bool:
    """True when stdout is a pipe whose reader has closed it (poll reports an error on it)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLERR)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return False


def _disk_full(error: BaseException) -> bool:
    """ENOSPC from the index or the logs, or SQLite's own word for it."""
    return (isinstance(error, OSError) and error.errno == errno.ENOSPC) or \
        (isinstance(error, sqlite3.OperationalError) and "disk is full" in str(error))


def _home_of(args: tuple) -> str:
    return next((str(arg.root) for arg in args if isinstance(arg, ArchiveHome)), "the archive home")


# Commands that write to the archive: each run leaves a line in the log when it starts and when it ends.
LOGGED_RUNS = {"ingest", "reindex", "split", "dossiers_import", "check"}


def friendly_errors(command):
    """Turn every expected failure into one line and its exit status; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        logged = command.__name__ in LOGGED_RUNS
        if logged:
            log.info("started: luutru %s", " ".join(sys.argv[1:]), extra={"file_only": True})
        status = ExitCode.OK
        try:
            return _friendly(command, args, kwargs)
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else ExitCode.OK if exit.code is None else ExitCode.USAGE
            raise
        finally:
            if logged:
                log.info("ended: luutru %s, exit status %d", command.__name__.replace("_", " "), status,
                         extra={"file_only": True})

    return wrapper


def _friendly(command, args, kwargs):
    try:
        return command(*args, **kwargs)
    except LuutruError as error:
        if error.exit_code == ExitCode.INTERNAL:
            _internal_error(error)
        _fail(error.exit_code, error.translated())
    except click.ClickException as error:  # a bad option value met in the command's body: a usage error
        _fail(ExitCode.USAGE, error.format_message())
    except BrokenPipeError as error:
        if not _reader_gone():
            _internal_error(error)  # a pipe of our own (a worker pool's) broke, not stdout's
        # The reader went away (`luutru export | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitCode.OK)
    except KeyboardInterrupt:
        _fail(ExitCode.INTERRUPTED, _("interrupted; the next run resumes where this one stopped"))
    except Exception as error:  # noqa: BLE001
        if _disk_full(error):
            _fail(ExitCode.NO_SPACE, _("no space left on the disk of {home}: {error}; the run stopped and what it "
                                       "committed before stays searchable; free space and run again").format(
                home=_home_of(args), error=error))
        _internal_error(error)


class _Luutru(click.Group):
    """`-q` means the same wherever it stands: `luutru reindex -q` as `luutru -q reindex` (cron lines are written
    both ways); after `--` it is an argument like any other."""

    QUIET = ("-q", "--quiet")

    def parse_args(self, context: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        quiet = [arg for arg in args[:end] if arg in self.QUIET]
        rest = [arg for arg in args[:end] if arg not in self.QUIET]
        return super().parse_args(context, quiet[:1] + rest + args[end:])


@click.group(cls=_Luutru, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="LUUTRU_HOME",
              help="Archive home: catalog, index and logs. Default: $LUUTRU_HOME or ~/.local/share/luutru.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.version_option(__version__, prog_name="luutru")
@click.pass_context
def main(context: click.Context, home: Path | None, quiet: bool) -> None:
    """luutru: scan, OCR and search the paper archives of Vietnamese local government."""
    _utf8_streams()
    archive = ArchiveHome(resolve_home(home))
    if context.invoked_subcommand == "ingest":
        try:
            archive.create()  # before logging, so that the first run is in the log file too
        except NotReady as error:
            _fail(error.exit_code, error.translated())
    _setup_logging(archive, quiet)
    context.obj = archive


def run_options(command):
    """Options shared by the commands that read scans; they reach the command as one `options`."""

    @functools.wraps(command)
    def with_options(*args, jobs: int, force_ocr: bool, timeout: int, max_pixels: int, ocr_engine: str,
                     line_reader: str, scheduler: str | None, sync_every: float, engine: str | None, reocr: bool,
                     below: float | None, source: str | None, page_time_limit: float | None, retry_failed: bool,
                     **kwargs):
        settings = OcrSettings(force_ocr=force_ocr, timeout=timeout, max_pixels=max_pixels, engine=ocr_engine,
                               line_reader=line_reader)
        if force_ocr and not reocr:
            reocr, source = True, "text-layer"  # the text layers ingested before are OCR'd too
        again = Reocr(below, source) if reocr or below is not None or source else None
        return command(*args, options=RunOptions(jobs, settings, sync_every, scheduler, engine, again,
                                                 page_time_limit, retry_failed), **kwargs)

    options = [
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
                     help="Pages read in parallel, one single-threaded Tesseract each."),
        click.option("--force-ocr", is_flag=True, help="OCR PDF pages even when they carry a text layer (those "
                                                       "ingested before too)."),
        click.option("--reocr", is_flag=True, help="Read pages ingested before again: by default those read before "
                                                   "luutru kept their geometry and provenance; see --below, --source. "
                                                   "Their text stays searchable until the new reading is complete."),
        click.option("--below", type=click.FloatRange(0, 100), metavar="CONF",
                     help="With --reocr: the pages read with a confidence under CONF."),
        click.option("--source", type=click.Choice(PAGE_SOURCES),
                     help="With --reocr: the pages taken from this source."),
        click.option("--timeout", type=click.IntRange(min=1), default=OcrSettings().timeout, show_default=True,
                     help="Seconds before Tesseract is stopped on one page (reported as a failure)."),
        click.option("--page-time-limit", type=click.FloatRange(min=1), metavar="SECONDS",
                     help="End a page's worker after this long, whatever it is doing (a hang inside Tesseract "
                          "or poppler); the page is reported. Default: twice the render limit and an OCR timeout "
                          "for every reading a page can take (pipeline/reading.py)."),
        click.option("--max-pixels", type=click.IntRange(min=1), default=DEFAULT_MAX_PIXELS, show_default=True,
                     help="Refuse images larger than this before decoding them (raise it for map sheets)."),
        click.option("--ocr-engine", type=click.Choice(OCR_ENGINES), default="auto", show_default=True,
                     help="tesserocr keeps Tesseract loaded in each worker (faster); pytesseract runs the "
                          "tesseract program per page; auto is tesserocr where it is installed."),
        click.option("--line-reader", type=click.Choice(LINE_READERS), default=OcrSettings().line_reader,
                     show_default=True, help="Who reads again the words Tesseract read as no Vietnamese (AsterOCR's "
                                             "line network), or none."),
        click.option("--wait", is_flag=True, help="Wait for another run to finish instead of exiting."),
        click.option("--retry-failed", is_flag=True, help="Read again the files that failed before and have not "
                                                          "changed since (a nightly reindex leaves them alone "
                                                          "otherwise; `status` lists them; `ingest PATH` reads "
                                                          "those under PATH)."),
        click.option("--scheduler", metavar="tcp://HOST:PORT",
                     help="Read pages on this Dask cluster instead of local processes (or `scheduler` in "
                          "config.toml); the workers need luutru, Tesseract and the scans at the same paths."),
        click.option("--engine", type=click.Choice(INDEX_ENGINES),
                     help="Index engine: whoosh (the default) or tantivy, for archives past some 50,000 pages "
                          "(or `engine` in config.toml). Another engine than the live index's rebuilds the "
                          "index in it from the catalog, without OCR; later runs keep it."),
        click.option("--sync-every", type=click.FloatRange(min=0), default=DEFAULT_SYNC_SECONDS, show_default=True,
                     metavar="SECONDS", help="Make the files read so far searchable this often during the run."),
        click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON."),
    ]
    for option in reversed(options):
        with_options = option(with_options)
    return with_options


def _check_ready(settings: OcrSettings) -> None:
    from luutru.doctor import preflight
    from luutru.pipeline.tesseract import TesseractError, engine

    problems = preflight(settings.line_reader)
    if problems:
        raise NotReady("; ".join(f"{c.name}: {c.detail} (fix: {c.fix})" for c in problems))
    try:
        engine(settings.engine)
    except TesseractError as error:
        raise NotReady(str(error)) from error


def _report_run(summary, as_json: bool) -> None:
    if as_json:
        _print_json(summary.to_json())
    else:
        left_alone = (_(", {count} refused").format(count=summary.refused) if summary.refused else "") + (
            _(", {count} failed before and left alone (--retry-failed)").format(count=summary.failed_before)
            if summary.failed_before else "")
        click.echo(_("{files} files: {new} new, {changed} changed, {unchanged} unchanged, {reused} reused, {gone} gone"
                     "{left_alone}; {ocr} pages OCR'd, {layer} from a text layer, {failed} failed; {indexed} pages "
                     "indexed in {seconds:.1f}s").format(
            files=summary.files_seen, new=summary.new, changed=summary.changed, unchanged=summary.unchanged,
            reused=summary.reused, gone=summary.missing, left_alone=left_alone, ocr=summary.pages_ocr,
            layer=summary.pages_text_layer, failed=summary.pages_failed, indexed=summary.pages_indexed,
            seconds=summary.seconds))
        for path, reason in summary.failures:
            click.echo(f"FAILED  {path}: {reason}")
        for path in summary.unsupported:
            click.echo(f"SKIPPED {path}: " + _("not a scan (PDF, TIFF, JPEG or PNG)"))
        for path in summary.settling:
            click.echo(f"WAITING {path}: " + _("modified moments ago (still being copied?); read on the next run"))
    sys.exit(ExitCode.FILES_FAILED if summary.failures else ExitCode.OK)


@main.command()
@click.option("--agency-id", required=True, metavar="ID",
              help="The agency's identifier in the archive, e.g. H49.64.33: the first part of every dossier code.")
@click.option("--path-pattern", default="Hop {box}/HS {dossier}", show_default=True,
              help="How folder names carry the box and dossier (or {department}/{year}).")
@click.pass_obj
@friendly_errors
def init(home: ArchiveHome, agency_id, path_pattern) -> None:
    """Make a new archive home and its config.toml (every setting explained, the optional ones commented out)."""
    from luutru.pipeline.config import write_template

    home.create()
    write_template(home.config_path, agency_id, path_pattern)
    click.echo(_("archive home: {root}\nsettings: {config} (read it; the optional settings are commented out)\n"
                 "next: `luutru dossiers import MUC-LUC.xlsx` (the dossier list, if there is one), then "
                 "`luutru ingest /path/to/scans`").format(root=home.root, config=home.config_path))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@run_options
@click.pass_obj
@friendly_errors
def ingest(home: ArchiveHome, paths, options: RunOptions, wait, as_json) -> None:
    """Ingest scanned files and folder trees; unchanged files are not read again."""
    from luutru.pipeline.run import ingest as run_ingest

    _check_ready(options.settings)
    _report_run(run_ingest(home, paths, options, wait), as_json)


@main.command()
@click.option("--full", is_flag=True, help="Rebuild the whole index from the catalog (no OCR) and swap it in.")
@run_options
@click.pass_obj
@friendly_errors
def reindex(home: ArchiveHome, full, options: RunOptions, wait, as_json) -> None:
    """For cron: pick up new, changed and removed scans under the folders ingested before."""
    from luutru.pipeline.run import reindex as run_reindex

    _check_ready(options.settings)
    _report_run(run_reindex(home, full, options, wait), as_json)


# On a terminal each document takes four lines, so five fit a screen: where it is, what it is, and its
# best snippet in two lines, wrapped at words.
SNIPPETS_SHOWN_ON_SCREEN, SNIPPET_LINES_ON_SCREEN = 1, 2
SNIPPET_INDENT = " " * 7


def _highlighted(marked: str, screen: Screen | None, label: str) -> str:
    """A page's snippet after its label: on a screen, fitted to a few lines of its width with the
    matched words in bold; piped, one plain line."""
    from luutru.index.search import MARK_END, MARK_START

    flat = " ".join(marked.split())
    if screen is None:
        return label + flat.replace(MARK_START, "").replace(MARK_END, "")
    flat = _around_best_marks(flat, SNIPPET_LINES_ON_SCREEN * screen.width - len(label))
    lines = textwrap.wrap(flat, screen.width, initial_indent=label, subsequent_indent=SNIPPET_INDENT,
                          max_lines=SNIPPET_LINES_ON_SCREEN, placeholder=" …")
    text = "\n".join(lines)
    bold, plain = ("\033[1m", "\033[0m") if screen.colour else ("", "")
    if text.count(MARK_START) > text.count(MARK_END):
        text += MARK_END  # a marked word cut off by the placeholder
    return text.replace(MARK_START, bold).replace(MARK_END, plain)


def _around_best_marks(flat: str, room: int) -> str:
    """The snippet around the run of matched words that holds most of them within `room` characters, that run in
    the middle: a phrase found in the body, not the header's "Số:" the query's "so" also matched."""
    from luutru.index.search import MARK_START

    starts = [match.start() for match in re.finditer(re.escape(MARK_START), flat)]
    if not starts or len(flat) <= room:
        return flat

    def run(start: int) -> list[int]:
        return [other for other in starts if start <= other < start + room * 3 // 4]

    best = run(max(starts, key=lambda start: len(run(start))))
    cut = flat.rfind(" ", 0, max(0, (best[0] + best[-1]) // 2 - room // 2))  # the run in the middle
    return flat if cut <= 0 else "… " + flat[cut + 1:]


@dataclass(frozen=True)
class Screen:
    width: int
    colour: bool

    @classmethod
    def of_stdout(cls) -> Screen | None:
        """The terminal results are shown on, or None when they are piped (plain output)."""
        if not sys.stdout.isatty():
            return None
        return cls(shutil.get_terminal_size((80, 24)).columns, "NO_COLOR" not in os.environ)


def _document_line(fields: dict) -> str:
    def doubt(name: str) -> str:
        if name in fields.get("corrected", ()):
            return _(" (corrected)")
        return _(" (doubtful)") if name in fields.get("doubtful", ()) else ""

    issued = fields.get("issued")
    facts = [fields.get("doc_type") and f"{fields['doc_type']}{doubt('doc_type')}",
             fields.get("number") and f"số {fields['number']}{doubt('number')}",
             issued and f"ngày {day_month_year(issued)}{doubt('issued')}",
             fields.get("agency") and f"{fields['agency']}{doubt('agency')}", fields.get("department")]
    return ", ".join(fact for fact in facts if fact)


def _where_it_lies(dossier: dict | None) -> str:
    """Where the paper lies: its dossier and box, as the clerk fetches it."""
    if not dossier:
        return ""
    box = f", hộp {dossier['box']}" if dossier.get("box") else ""
    return f"hồ sơ {dossier['number']} ({dossier['code']}){box}: {dossier['title']}"


def _document_summary(document: dict) -> str:
    """One line for a document of `show` or `split`: its type, number, date and agency."""
    return _document_line({**document, "doc_type": document["type"]}) or _("no fields read")


def _pages(first: int, last: int) -> str:
    """"page 3" or "pages 3-7"."""
    return _("page {first}").format(first=first) if first == last else \
        _("pages {first}-{last}").format(first=first, last=last)


def _page_range(first: int, last: int | None) -> str:
    """", pages 3-7" after a result's path when its document is part of the file; nothing for a whole
    one-page document."""
    if last is None or (first == 1 and last == first):
        return ""
    return ", " + _pages(first, last)


def _asked(result, filters) -> str:
    """What was searched for, as the clerk asked it: the words, and the filters on."""
    shown = {**{name: value for name, value in vars(filters).items()
                if name not in ("path_prefixes", "files", "modes", "listed")},
             "path": " or ".join(filters.path_prefixes),
             "dossier": filters.files is not None and f"({len(filters.files)} scan(s))"}
    on = [f"{name.replace('_', ' ')} {value}" for name, value in shown.items() if value]
    words = f'"{result.query}"' if result.query else ""
    filtered = _("(filters: {filters})").format(filters=", ".join(on)) if on else ""
    return " ".join(part for part in (words, filtered) if part)


def _path_prefixes(reader, typed: str | None) -> tuple[str, ...]:
    """Where --path points: an absolute path as it is, a relative one ("Hop 01/HS 002") under each ingested folder."""
    from luutru.pipeline.catalog import catalog_name

    if not typed:
        return ()
    path = Path(typed).expanduser()
    bases = [Path()] if path.is_absolute() else reader.catalog().root_names()
    return tuple(catalog_name(base / path)[0] for base in bases)


def _dossier_files(reader, dossier: str | None, among=None) -> tuple[str, ...] | None:
    """The scans of the dossier --dossier names (as `dossiers show` takes it) among the dossiers `among` lets
    through, or None for no such filter."""
    from luutru.pipeline.dossiers import dossier_scans

    return None if dossier is None else dossier_scans(reader.catalog(), dossier, among)


def _role_modes(role: str | None) -> tuple[str, ...] | None:
    """The use modes a role may read (None: every mode, when no role is given)."""
    from luutru.pipeline.users import ROLES

    return None if role is None else ROLES[role]


def _print_withheld(result) -> None:
    """The documents listed by title alone (config.toml's listed_by_title) to a role that may not read them."""
    if result.withheld:
        click.echo(_("Listed by title only, to be read with permission (cần được phép khai thác):"))
    for document in result.withheld:
        line = _document_line(vars(document))
        click.echo(f"   - {line}{': ' if line and document.subject else ''}{document.subject or ''}")


def _print_results(result, filters, verbose: bool) -> None:
    if not result.documents:
        hint = _(' Did you mean "{suggestion}"?').format(suggestion=result.suggestion) if result.suggestion else ""
        click.echo(_("No page matches {asked}.").format(asked=_asked(result, filters)) + hint)
        _print_withheld(result)
        return
    pages = ngettext("{count} page matches", "{count} pages match", result.total).format(count=result.total)
    misread = _(" with a letter misread (no page has every word as typed)") if result.near_spellings else ""
    click.echo(_("{pages} {asked}{misread}; the best {count} document(s):").format(
        pages=pages, asked=_asked(result, filters), misread=misread, count=len(result.documents)))
    screen = Screen.of_stdout()
    shown = SNIPPETS_SHOWN_ON_SCREEN if screen else 3
    for rank, document in enumerate(result.documents, 1):
        score = f"  (score {document.score:.1f})" if verbose and document.score is not None else ""
        within = _page_range(document.first_page, document.last_page)
        heading = f"{rank:>3}. {document.path}{within}{score}"
        if screen and len(heading) > screen.width:  # the end of a long path tells the file: keep it
            heading = f"{rank:>3}. …{heading[len(heading) - screen.width + 6:]}"
        click.echo(heading)
        for facts in (_document_line(document.fields), _where_it_lies(document.fields.get("dossier"))):
            if facts:
                click.echo(f"     {textwrap.shorten(facts, screen.width - 5, placeholder=' …') if screen else facts}")
        for hit in document.pages[:shown]:
            click.echo(_highlighted(hit.marked_snippet, screen, f"     {_pages(hit.page, hit.page)}: "))
    _print_withheld(result)


@main.command()
@click.argument("query", nargs=-1)
@click.option("--limit", "-n", type=click.IntRange(min=1),
              help="Documents shown. Default: 5 on a terminal, 10 otherwise.")
@click.option("--verbose", "-v", is_flag=True, help="Also show each document's score.")
@click.option("--type", "doc_type", help="Document type, e.g. 'quyet dinh', 'cong van' (query: loai:).")
@click.option("--agency", help="Issuing agency words, e.g. 'phong tai nguyen' (query: coquan:).")
@click.option("--number", help="Number and symbol, e.g. 123/QĐ-UBND (query: so:).")
@click.option("--from", "issued_from", metavar="DD/MM/YYYY", help="Issued on or after this day (or YYYY-MM-DD).")
@click.option("--to", "issued_to", metavar="DD/MM/YYYY", help="Issued on or before this day (or YYYY-MM-DD).")
@click.option("--year", type=int, help="Year of issue (query: nam:).")
@click.option("--parcel", help="Land parcel number, thửa đất số (query: thua:).")
@click.option("--sheet", help="Map sheet number, tờ bản đồ số (query: to:).")
@click.option("--department", help="Department from the folder path, e.g. TNMT (query: donvi:; see path_pattern).")
@click.option("--path", "path_prefix", help="Only files under this path (a relative one: under the ingested folders).")
@click.option("--dossier", help="Only the documents of this dossier: its code, or its number (10, 010).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="date: newest issue date first, undated documents last.")
@click.option("--role", type=click.Choice(ROLE_NAMES),
              help="Find only what this role may read on the counter's page (a clerk: use mode 01), and list "
                   "other modes by title where config.toml's listed_by_title says so. A courtesy on a shared "
                   "PC, not a lock: whoever can read the catalog file can read every page.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object with `hits` (pages), `documents` and `withheld` (listed by title).")
@click.option("--home", "search_home", type=click.Path(file_okay=False, path_type=Path),
              help="Archive home, also after the command (as before it).")
@click.pass_obj
@friendly_errors
def search(home: ArchiveHome, query, limit, doc_type, agency, number, issued_from, issued_to, year, parcel,
           sheet, department, path_prefix, dossier, sort, role, as_json, search_home, verbose) -> None:
    """Search the archive, with or without diacritics (add ~ to a word for OCR-tolerant matching); a
    filter alone (--parcel 245) is a search too."""
    from luutru.index.search import Filters
    from luutru.pipeline.indexing import reading_scope
    from luutru.pipeline.reader import ArchiveReader

    reader = ArchiveReader(ArchiveHome(resolve_home(search_home)) if search_home else home)
    try:
        modes = _role_modes(role)
        known_dossier, listed = reading_scope(reader.home, modes)
        filters = Filters(doc_type, agency, number, issued_from, issued_to, year, parcel, sheet, department,
                          _path_prefixes(reader, path_prefix), _dossier_files(reader, dossier, known_dossier),
                          modes=modes, listed=listed)
        if not query and filters.query() is None:
            raise UsageError(N_("give words to search for, or a filter such as --parcel 245"))
        limit = limit or (5 if sys.stdout.isatty() and not as_json else 10)
        result = reader.search(" ".join(query), limit, filters, sort_by_date=sort == "date")
    finally:
        reader.close()
    if as_json:
        _print_json(result.to_json())
    else:
        _print_results(result, filters, verbose)


@main.command()
@click.argument("path_or_id")
@click.option("--page", type=click.IntRange(min=1), help="Only this page (1-based).")
@click.option("--verbose", "-v", is_flag=True, help="Also show how each page was read: every reading, its verdict "
                                                    "and why, the engine, model and tuning.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def show(home: ArchiveHome, path_or_id, page, verbose, as_json) -> None:
    """The stored text and facts of a document (by path or id), or of one of its pages."""
    from luutru.pipeline.report import show as run_show
    from luutru.pipeline.report import signature_shown

    facts = run_show(home, path_or_id, page)
    if as_json:
        _print_json(facts)
        return
    record = facts["file"]
    click.echo(record["path"] + "\n" + _("  id {id}, {kind}, {page_count} pages, status {status}, sha256 {sha256}")
               .format(**record))
    if record["error"]:
        click.echo(_("  error: {error}").format(error=record["error"]))
    for signature in (signature_shown(one, _) for one in facts["signatures"]):
        click.echo(_("  digital signature by {signer}, signed {when}: {verdict}; certificate issued by {issuer}, "
                     "trust not checked (offline)").format(when=signature["signed_at"] or _("(no time)"), **signature))
    by_hand = _(" (split by hand)") if facts["split_by_hand"] else ""
    labels = {"subject": _("subject"), "signer": _("signer"), "parcels": _("parcels"), "sheets": _("sheets")}
    for document in facts["documents"]:
        pages = _pages(document["first_page"], document["last_page"])
        click.echo(_("  document, {pages}{by_hand}: ").format(pages=pages, by_hand=by_hand)
                   + _document_summary(document))
        for name, label in labels.items():
            if document.get(name):
                value = document[name]
                click.echo(f"    {label}: {', '.join(value) if isinstance(value, list) else value}")
    for item in facts["pages"]:
        click.echo("\n" + _("--- page {page} ({source}, confidence {confidence}) ---").format(**item))
        if verbose:
            _print_reading(item)
        click.echo(item["text"])


def _print_reading(page: dict) -> None:
    """How a page was read: each reading the policy made (pipeline.reading), its verdict and why; what read it."""
    for number, reading in enumerate(page["diagnostics"].get("trace", []), 1):
        turn = f", turned {reading['turn']}°" if reading.get("turn") else ""
        why = f": {'; '.join(reading['why'])}" if reading.get("why") else ""
        click.echo(f"  reading {number}, {reading['reading']} (psm {reading['psm']}{turn}): {reading['verdict']}{why}")
    provenance = page["provenance"]
    if provenance:
        named = ("engine", "tesseract", "model", "tuning", "read_at")
        read_by = ", ".join(f"{name} {provenance[name]}" for name in named if provenance.get(name))
        click.echo(f"  read by {read_by}")


def _page_numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise click.BadParameter("page numbers separated by commas, e.g. 1,3,8") from None


@main.command()
@click.argument("path_or_id")
@click.option("--starts", metavar="PAGES", help="The pages where documents start, e.g. 1,3,8.")
@click.option("--auto", "automatic", is_flag=True, help="Forget a split set by hand: find documents from the pages.")
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of exiting.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def split(home: ArchiveHome, path_or_id, starts, automatic, wait, as_json) -> None:
    """Set by hand where the documents of a scanned file start (it holds for every copy of its content); without
    an option, show where they start now."""
    from luutru.pipeline.fields import split_file
    from luutru.pipeline.report import show as run_show

    if starts and automatic:
        raise click.UsageError("give either --starts PAGES or --auto, not both")
    if not starts and not automatic:  # the split as it stands
        shown = run_show(home, path_or_id, page=1)
        facts = {name: shown[name] for name in ("fields", "documents", "split_by_hand")}
    else:
        facts = split_file(home, path_or_id, None if automatic else _page_numbers(starts), wait)
    if as_json:
        _print_json(facts)
        return
    by_hand = " (split by hand)" if facts["split_by_hand"] else ""
    for document in facts["documents"]:
        pages = _pages(document["first_page"], document["last_page"])
        click.echo(f"{pages}{by_hand}: " + _document_summary(document))


@main.group()
def documents() -> None:
    """A file's documents: correct what was read of them."""


def _path_and_page(target: str) -> tuple[str, int]:
    """PATH or PATH:PAGE (the document holding that page; page 1 when none is given)."""
    path, _, page = target.rpartition(":")
    return (path, int(page)) if path and page.isdigit() else (target, 1)


@documents.command("set")
@click.argument("target", metavar="PATH[:PAGE]")
@click.option("--type", "doc_type",
              help="The type: its name (Quyết định), abbreviation (QĐ) or the circular's code (02).")
@click.option("--number", help="The number and symbol, e.g. 123/QĐ-UBND.")
@click.option("--issued", metavar="DD/MM/YYYY", help="The date of issue (or YYYY-MM-DD).")
@click.option("--agency", help="The issuing agency.")
@click.option("--subject", help="The subject (trích yếu).")
@click.option("--signer", help="Who signed it.")
@click.option("--mode", help="Its use mode where it differs from its dossier's: 01 Công khai, 02 Sử dụng có điều "
                             "kiện, 03 Mật (the code or the name).")
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of exiting.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def documents_set(home: ArchiveHome, target, doc_type, number, issued, agency, subject, signer, mode, wait,
                  as_json) -> None:
    """Correct the fields of the document holding PAGE of a scan. A correction outranks what was read, holds for
    every copy of the scan, survives a re-OCR and a reindex, and is shown as corrected."""
    from luutru.pipeline.fields import correct_document

    path, page = _path_and_page(target)
    values = {"doc_type": doc_type, "number": number, "issued": issued, "agency": agency, "subject": subject,
              "signer": signer, "mode": mode}
    facts = correct_document(home, path, page, {name: value for name, value in values.items() if value}, wait)
    if as_json:
        _print_json(facts)
        return
    for document in facts["documents"]:
        click.echo(f"{_pages(document['first_page'], document['last_page'])}: " + _document_summary(document))


@main.group()
def dossiers() -> None:
    """The dossier list (mục lục hồ sơ): import it, list the dossiers, show one with its documents."""


@dossiers.command("import")
@click.argument("list_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wait", is_flag=True, help="Wait for a running ingest instead of exiting.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def dossiers_import(home: ArchiveHome, list_file: Path, wait, as_json) -> None:
    """Import the dossier list from CSV (UTF-8) or XLSX; importing again updates the dossiers. A list
    with a bad row imports nothing (exit status 2) and names each such row."""
    from luutru.pipeline.dossiers import import_dossier_list

    report = import_dossier_list(home, list_file, wait)
    if as_json:
        _print_json(report.to_json())
    else:
        for problem in report.problems:
            click.echo(f"BAD ROW {problem}")
        if not report.problems:
            click.echo(_("{imported} dossiers imported ({added} new, {updated} updated); {relinked} scanned files "
                         "linked anew").format(imported=report.imported, added=report.added, updated=report.updated,
                                               relinked=report.relinked_files))
            if report.kept_columns:
                click.echo(_("not in the list, kept as imported before: {columns}").format(
                    columns=", ".join(report.kept_columns)))
    sys.exit(ExitCode.USAGE if report.problems else ExitCode.OK)


@dossiers.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def dossiers_list(home: ArchiveHome, as_json) -> None:
    """Every dossier of the list, with the documents and pages scanned of it."""
    from luutru.pipeline.dossiers import list_dossiers

    listed = list_dossiers(home)
    if as_json:
        _print_json({"dossiers": listed})
        return
    for dossier in listed:
        box = f"hộp {dossier['box']}, " if dossier["box"] else ""
        click.echo(f"{dossier['code']}  {box}hồ sơ {dossier['number']}: {dossier['title']} "
                   + _("({documents} documents, {pages} pages scanned)").format(**dossier))
    click.echo(ngettext("{count} dossier", "{count} dossiers", len(listed)).format(count=len(listed)))


@dossiers.command("show")
@click.argument("code_or_number")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def dossiers_show(home: ArchiveHome, code_or_number, as_json) -> None:
    """A dossier (its full code, or its number) with its documents in order (exit status 5 if none)."""
    from luutru.pipeline.dossiers import show_dossier

    dossier = show_dossier(home, code_or_number)
    if as_json:
        _print_json(dossier)
        return
    box = f", hộp {dossier['box']}" if dossier["box"] else ""
    click.echo(f"{dossier['code']}{box}: {dossier['title']} ({day_month_year(dossier['start'])} - "
               f"{day_month_year(dossier['end'])}, " + _("{pages} pages scanned").format(pages=dossier["pages"]) + ")")
    for document in dossier["documents"]:
        pages = _pages(document["first_page"], document["last_page"])
        click.echo(f"  {document['path']}, {pages}: {_document_summary(document)}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["jsonl", "pdfa", "sip", "xlsx", "csv"]),
              default="jsonl", show_default=True,
              help="jsonl: every page on stdout; pdfa: a PDF/A-2b file per document; sip: a dossier's Circular "
                   "05/2025 package; xlsx, csv: the dossier list with its documents.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder (pdfa, sip) or file (xlsx, csv) to write.")
@click.option("--dossier", help="The dossier to export (its code, or its number): pdfa, sip.")
@click.option("--dossiers", "all_dossiers", is_flag=True, help="xlsx, csv: every dossier of the list.")
@click.option("--zip", "as_zip", is_flag=True, help="sip: the package as one .zip file.")
@click.option("--json", "as_json", is_flag=True, help="Say what was written as one JSON object.")
@click.pass_obj
@friendly_errors
def export(home: ArchiveHome, paths, output_format, out, dossier, all_dossiers, as_zip, as_json) -> None:
    """Every page as JSON lines; documents as PDF/A; a dossier as a Circular 05/2025 package; the dossier table."""
    if output_format == "jsonl":
        from luutru.pipeline.report import export_jsonl

        for line in export_jsonl(home):
            click.echo(line)
        return
    if out is None:
        raise UsageError(f"--format {output_format} needs --out")
    if output_format == "pdfa":
        from luutru.export.documents import export_pdfa

        report = export_pdfa(home, out, paths, dossier)
        facts = report.to_json()
        lines = [f"{document['file']} = {' '.join(filter(None, (document['type'], document['number']))) or '?'}, "
                 f"{Path(document['path']).name} {_pages(document['first_page'], document['last_page'])}"
                 for document in report.documents]
        lines.append(f"{len(report.documents)} PDF/A-2b file(s) in {out} ({report.seconds:.1f}s)")
        lines += [f"FAILED {problem}" for problem in report.problems]
        lines += [f"removed {name}: its document is no longer among those exported" for name in report.removed]
    elif output_format == "sip":
        from luutru.export.sip import export_sip

        if not dossier or paths:
            raise UsageError("--format sip packages one dossier: give --dossier CODE")
        facts = export_sip(home, dossier, out, as_zip).to_json()
        lines = [f"{facts['package']}: dossier {facts['dossier']}, {facts['documents']} documents, "
                 f"{facts['pages']} pages ({facts['seconds']:.1f}s)"]
        lines += [f"TOO LONG {problem} (written whole: correct it)" for problem in facts["too_long"]]
    else:
        from luutru.export.tables import export_dossier_table

        if not all_dossiers or out.suffix.lower() != f".{output_format}":
            raise UsageError(f"--format {output_format} writes the dossier list: give --dossiers and "
                             f"--out FILE.{output_format}")
        facts = {"file": str(out), "rows": export_dossier_table(home, out)}
        lines = [f"{facts['rows']} row(s) written to {facts['file']}"]
    if as_json:
        _print_json(facts)
    else:
        click.echo("\n".join(lines))
    if facts.get("problems"):
        raise SystemExit(ExitCode.FILES_FAILED)


# Scanned files in no dossier that `status` names on a terminal (all of them are in --json).
SHOWN_OUTSIDE = 10


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def status(home: ArchiveHome, as_json) -> None:
    """Counts of files and pages, failed files with their reasons, index freshness."""
    from luutru.pipeline.report import status as run_status

    facts = run_status(home)
    if as_json:
        _print_json(facts)
        return
    index = facts["index"]
    engine = f" ({index['engine']})" if index.get("engine") else ""
    if index.get("parts", 1) > 1:
        engine = _(" ({engine}, {parts} shards)").format(engine=index["engine"], parts=index["parts"])
    freshness = (_("up to date") if index.get("up_to_date") else
                 _("behind the catalog ({count} files waiting)").format(count=facts["files_waiting_for_index"])
                 if index["usable"] else index["error"])
    click.echo(_("archive home: {home}\nroots: {roots}\nfiles: {files} ({done} done, {failed} failed, {unsupported} "
                 "unsupported, {gone} gone)\npages: {pages}\nindex: {indexed} pages, {freshness}").format(
        home=facts["home"], roots=", ".join(facts["roots"]) or _("(none)"), files=facts["files"],
        done=facts.get("files_done", 0), failed=facts.get("files_failed", 0),
        unsupported=facts.get("files_unsupported", 0), gone=facts.get("files_missing", 0), pages=facts["pages"],
        indexed=index.get("pages", "?"), freshness=freshness)
        + engine)
    if index.get("advice"):
        click.echo(_("advice: {advice}").format(advice=index["advice"]))
    dossiers = facts["dossiers"]
    if dossiers["listed"]:
        click.echo(_("dossiers: {listed} listed, {without} without scans; {outside} scanned files in no "
                     "dossier").format(listed=dossiers["listed"], without=len(dossiers["without_scans"]),
                                       outside=dossiers["files_without_dossier"]))
        outside = dossiers["files_in_no_dossier"]
        for path in outside[:SHOWN_OUTSIDE]:
            click.echo(_("  in no dossier: {path}").format(path=path))
        if len(outside) > SHOWN_OUTSIDE:
            click.echo(_("  … and {count} more (status --json lists them all)").format(
                count=len(outside) - SHOWN_OUTSIDE))
    # Lines for scripts keep their English keys whatever the locale (docs/administration.md, "Language").
    for failure in facts["unreadable_folders"]:
        click.echo(f"UNREADABLE {failure['path']}: {failure['reason']} " + _("(its files are kept)"))
    for failure in facts["failed"]:
        click.echo(f"FAILED  {failure['path']}: {failure['reason']}")
    for path in facts["unsupported"]:
        click.echo(f"SKIPPED {path}")


@main.command()
@click.option("--below", type=click.FloatRange(0, 100),
              help=f"List pages read with a confidence under this (0-100). Default: {REVIEW_BELOW:g}, or every "
                   "page of the --source given.")
@click.option("--source", type=click.Choice(PAGE_SOURCES),
              help="Only pages from this source (prior-ocr: an earlier OCR's text, kept as it read well).")
@click.option("--circular", is_flag=True,
              help="Instead: per dossier, the scans that do not meet Circular 05/2025 (200 dpi, 300 for maps; "
                   "colour at 24 bits; legible).")
@click.option("--dossier", help="With --circular: only this dossier (its code).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def review(home: ArchiveHome, below, source, circular, dossier, as_json) -> None:
    """Pages that read badly, worst first, with the likely cause: what an archivist should rescan; then documents
    whose number or date is doubtful (handwritten): what to check against the paper."""
    from luutru.pipeline.report import doubtful_documents
    from luutru.pipeline.report import review as run_review

    if circular or dossier:
        _review_circular(home, dossier, as_json)
        return
    if below is None and not source:
        below = REVIEW_BELOW
    # JSON is for scripts: its causes stay English whatever the locale.
    pages = run_review(home, float("inf") if below is None else below, source, str if as_json else _)
    documents = doubtful_documents(home)
    if as_json:
        _print_json({"below": below, "source": source, "pages": pages, "documents": documents})
        return
    for page in pages:
        click.echo(f"{page['confidence']:5.1f}  {page['path']}  {_pages(page['page'], page['page'])}: "
                   f"{'; '.join(page['causes'])}")
    which = _(" from {source}").format(source=source) if source else ""
    under = _(" read with a confidence under {below:g}").format(below=below) if below is not None else ""
    click.echo(ngettext("{count} page{which}{under}", "{count} pages{which}{under}", len(pages)).format(
        count=len(pages), which=which, under=under))
    for document in documents:
        click.echo(f"{document['path']}{_page_range(document['first_page'], document['last_page'])}: "
                   f"{_document_summary(document)}")
    if documents:
        click.echo(ngettext("{count} document whose number or date was read doubtfully (a handwritten fill-in?): "
                            "check it against the paper",
                            "{count} documents whose number or date was read doubtfully (a handwritten fill-in?): "
                            "check them against the paper", len(documents)).format(count=len(documents)))


def _review_circular(home: ArchiveHome, dossier: str | None, as_json: bool) -> None:
    from luutru.export.circular import check_scans

    groups = check_scans(home, dossier, str if as_json else _)
    if as_json:
        _print_json({"dossiers": groups})
    else:
        for group in groups:
            click.echo(_("{dossier}: {pages} page(s) to rescan, {documents} document(s) to check").format(
                dossier=group["dossier"] or _("(no dossier)"), pages=len(group["pages"]),
                documents=len(group["documents"])))
            for page in group["pages"]:
                click.echo(f"  {page['path']}  {_pages(page['page'], page['page'])}: {'; '.join(page['problems'])}")
            for document in group["documents"]:
                click.echo(f"  {document['path']}{_page_range(document['first_page'], document['last_page'])}: "
                           f"{'; '.join(document['problems'])}")
        if not groups:
            click.echo(_("every page meets the circular, and every document's fields were read"))
    # A script gates a hand-over on it: 1 when a page fails the circular or a document's fields need a person.
    sys.exit(ExitCode.FILES_FAILED if groups else ExitCode.OK)


@main.command()
@click.option("--repair", is_flag=True, help="Make the index agree with the catalog (no OCR).")
@click.option("--wait", is_flag=True, help="With --repair: wait for a running ingest instead of exiting.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def check(home: ArchiveHome, repair, wait, as_json) -> None:
    """Compare the index with the catalog (exit status 1 when they disagree and were not repaired)."""
    from luutru.pipeline.integrity import check as run_check
    from luutru.pipeline.integrity import repair as run_repair

    report = run_repair(home, wait) if repair else run_check(home)
    if as_json:
        _print_json({**report.to_json(), "repaired": repair and not report.consistent})
    else:
        click.echo(_("catalog: {catalog} searchable pages; index: {index} pages").format(
            catalog=report.catalog_pages, index=report.index_pages))
        if report.index_error:
            click.echo(f"INDEX   {report.index_error}")
        for path in report.missing:
            click.echo(f"MISSING {path}: " + _("in the catalog, not in the index"))
        for path in report.page_mismatch:
            click.echo(f"PAGES   {path}: " + _("the index holds a different number of pages"))
        if report.stale:
            click.echo("STALE   " + _("{count} file(s) in the index that the catalog no longer lists").format(
                count=len(report.stale)))
        click.echo(_("consistent") if report.consistent else (_("repaired") if repair else
                                                              _("inconsistent: run `luutru check --repair`")))
    sys.exit(ExitCode.OK if report.consistent or repair else ExitCode.FILES_FAILED)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def verify(home: ArchiveHome, as_json) -> None:
    """Fixity: re-hash every ingested original against the catalog (exit status 1 if any changed or is gone)."""
    from luutru.pipeline.integrity import verify as run_verify

    report = run_verify(home)
    if as_json:
        _print_json(report.to_json())
    else:
        for path in report.changed:
            click.echo(f"CHANGED    {path}: " + _("its content differs from the one ingested"))
        for path in report.missing:
            click.echo(f"MISSING    {path}")
        for path, reason in report.unreadable:
            click.echo(f"UNREADABLE {path}: {reason}")
        result = _("all intact") if report.intact else _(
            "{changed} changed, {missing} missing, {unreadable} unreadable").format(
            changed=len(report.changed), missing=len(report.missing), unreadable=len(report.unreadable))
        click.echo(_("{checked} originals checked: {result}").format(checked=report.checked, result=result))
    sys.exit(ExitCode.OK if report.intact else ExitCode.FILES_FAILED)


@main.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option("--with-index", is_flag=True, help="Copy the index too (restore otherwise rebuilds it, without OCR).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def backup_command(home: ArchiveHome, destination: Path, with_index, as_json) -> None:
    """Back the archive home up to DESTINATION (a new or empty folder): the catalog, copied consistently while an
    ingest or the counter's page runs, config.toml and, with --with-index, the index. Safe under cron."""
    from luutru.pipeline.backup import backup

    copied = backup(home, destination.expanduser().absolute(), with_index)
    if as_json:
        _print_json(copied)
        return
    index = _(", the index ({engine})").format(engine=copied["index"]) if copied["index"] else ""
    click.echo(_("backed up to {destination}: {files} files, {pages} pages{index}, in {seconds:.1f} s").format(
        destination=destination, files=copied["files"], pages=copied["pages"], index=index,
        seconds=copied["seconds"]))


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def restore_command(home: ArchiveHome, source: Path, as_json) -> None:
    """Make the archive home (a new or empty folder: --home) from the backup in SOURCE, its index brought in line
    with its catalog (rebuilt without OCR when the backup has none). Then `luutru check` calls it consistent."""
    from luutru.pipeline.backup import restore

    restored = restore(source.expanduser().absolute(), home)
    if as_json:
        _print_json(restored)
        return
    click.echo(_("restored {root} from the backup of {backup_taken_at}: {files} files, {pages} pages, the index "
                 "{index}").format(root=home.root, backup_taken_at=restored["backup_taken_at"],
                                   files=restored["files"], pages=restored["pages"], index=restored["index"]))


@main.group()
def users() -> None:
    """The accounts of the counter's page: once one exists, the page asks everyone to log in."""


def _password() -> str:
    """From standard input when it is no terminal (a script), else asked twice, unseen."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True,
              help="clerk: public documents (01); archivist: also conditional use (02); head: all, secret too (03).")
@click.pass_obj
@friendly_errors
def users_add(home: ArchiveHome, name, role) -> None:
    """Add an account; its password comes from standard input, or is asked twice on a terminal."""
    from luutru.pipeline.users import add_user

    home.create()
    user = add_user(home.root, name, role, _password())
    click.echo(_("{name}: {role}, may read use modes {modes}").format(name=user.name, role=user.role,
                                                                      modes=", ".join(user.modes)))


@users.command("passwd")
@click.argument("name")
@click.pass_obj
@friendly_errors
def users_passwd(home: ArchiveHome, name) -> None:
    """Set an account's password (and unlock it)."""
    from luutru.pipeline.users import set_password

    set_password(home.root, name, _password())
    click.echo(_("{name}: password changed").format(name=name))


@users.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable it again.")
@click.pass_obj
@friendly_errors
def users_disable(home: ArchiveHome, name, enable) -> None:
    """Stop an account from logging in (or, with --enable, let it again)."""
    from luutru.pipeline.users import set_disabled

    set_disabled(home.root, name, not enable)
    click.echo((_("{name}: enabled") if enable else _("{name}: disabled")).format(name=name))


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def users_list(home: ArchiveHome, as_json) -> None:
    """The accounts, their roles and whether they are disabled or locked."""
    from luutru.pipeline.users import to_json
    from luutru.pipeline.users import users as all_users

    accounts = all_users(home.root)
    if as_json:
        _print_json({"users": [to_json(user) for user in accounts]})
        return
    for user in accounts:
        locked = _(" (locked until {moment})").format(moment=user.locked_until) if user.locked_until else ""
        click.echo(f"{user.name}  {user.role}{_(' (disabled)') if user.disabled else locked}")


@main.group()
def audit() -> None:
    """The audit trail of the counter's page: every search, document, page image and download, chained by hash."""


TRAIL_OPTION = click.option("--trail", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            help="A file `audit seal` wrote, instead of the archive's live trail.")


def _trail(home: ArchiveHome, trail: Path | None) -> Path:
    from luutru.pipeline.audit import AUDIT_FILE

    return trail or home.root / AUDIT_FILE


def _file_id(home: ArchiveHome, document: str | None) -> int | None:
    """The catalog id of the scan --document names by its id or its path."""
    from luutru.pipeline.report import find_file, open_catalog

    if document is None:
        return None
    catalog = open_catalog(home)
    try:
        return find_file(catalog, document).id
    finally:
        catalog.close()


@audit.command("list")
@click.option("--user", help="Only this user's events.")
@click.option("--from", "since", metavar="YYYY-MM-DD", help="Only events on or after this day.")
@click.option("--to", "until", metavar="YYYY-MM-DD", help="Only events on or before this day.")
@click.option("--document", "--file", "document", metavar="PATH|ID",
              help="Only events about this scan: its path or its catalog id.")
@TRAIL_OPTION
@click.option("--csv", "as_csv", is_flag=True, help="As the reading room's register: CSV for Excel.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def audit_list(home: ArchiveHome, user, since, until, document, trail, as_csv, as_json) -> None:
    """The events, oldest first."""
    from luutru.pipeline import audit as trails

    chosen = trails.events(_trail(home, trail), user, since, until, _file_id(home, document))
    if as_json:
        _print_json({"events": [trails.to_json(event) for event in chosen]})
    elif as_csv:
        click.echo(trails.as_csv(chosen), nl=False)
    else:
        for event in chosen:
            click.echo(f"{event.at}  {event.user}  {event.client}  {event.action}  "
                       + json.dumps(event.what, ensure_ascii=False))


@audit.command("verify")
@TRAIL_OPTION
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def audit_verify(home: ArchiveHome, trail, as_json) -> None:
    """Check the chain of hashes: exit status 0 when it holds, 1 when a row was edited or deleted."""
    from luutru.pipeline.audit import verify as run_verify

    report = run_verify(_trail(home, trail))
    if as_json:
        _print_json(report)
    elif report["intact"]:
        click.echo(_("{events} events, the chain holds").format(events=report["events"]))
    else:
        click.echo(_("BROKEN at event {event} of {events}: an event was edited or deleted").format(
            event=report["broken_at"], events=report["events"]))
    sys.exit(ExitCode.OK if report["intact"] else ExitCode.FILES_FAILED)


@audit.command("seal")
@click.option("--before", required=True, metavar="YYYY-MM-DD", type=click.DateTime(["%Y-%m-%d"]),
              help="Move the events before this day (for cron: $(date -d '-1 year' +%F)).")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the sealed file. Default: audit-sealed in the archive home (backed up with it).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@friendly_errors
def audit_seal(home: ArchiveHome, before, folder, as_json) -> None:
    """Move old events out of the live trail into a read-only file of their own, verified first; the live
    chain goes on from them, and `audit list --trail FILE` reads them."""
    from luutru.pipeline.audit import SEALED_FOLDER, seal

    moved = seal(home.root, before.strftime("%Y-%m-%d"), folder or home.root / SEALED_FOLDER)
    if as_json:
        _print_json(moved)
    elif moved["file"]:
        click.echo(_("{events} events ({first} to {last}) sealed in {file}").format(**moved))
    else:
        click.echo(_("No event before that day"))


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this machine by default. 0.0.0.0 opens it to the LAN (set --token).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--token", envvar="LUUTRU_TOKEN",
              help="Access code the page asks for (open it once as /?token=CODE); for a LAN. Env: LUUTRU_TOKEN.")
@click.option("--token-hours", type=click.FloatRange(min=0.1), default=10, show_default=True,
              help="How long a browser that opened /?token=CODE keeps access (a working day).")
@click.option("--exports", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of `luutru export --format pdfa` files, offered for download beside each document.")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Serve over TLS with this certificate (PEM), and --keyfile its private key: cookies are then "
                   "Secure and browsers told to keep to TLS (HSTS).")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The private key of --certfile (PEM).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="The reverse proxies (comma-separated addresses, or *) whose X-Forwarded-Proto and "
                   "X-Forwarded-For are believed: behind one that ends TLS, the page is served as over TLS.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              help="Where page images at screen size are kept (default: the user's cache folder).")
@click.pass_obj
@friendly_errors
def serve(home: ArchiveHome, host: str, port: int, token: str | None, token_hours: float, exports: Path | None,
          cache: Path | None, certfile: Path | None, keyfile: Path | None, forwarded_allow_ips: str) -> None:
    """The counter's search page: search, open a document, see the words found boxed on the scan."""
    import uvicorn

    from luutru.pipeline.report import open_catalog
    from luutru.web.app import make_app

    if (certfile is None) != (keyfile is None):
        raise UsageError("--certfile and --keyfile go together: the certificate and its private key")
    open_catalog(home).close()  # no archive yet: say so now, not on the first search
    scheme = "https" if certfile else "http"
    if host not in LOOPBACK and not token:
        click.echo(_("warning: listening on {host} without --token: anyone on the network can search, unless "
                     "there are accounts (luutru users add)").format(host=host), err=True)
    addresses = _addresses(host)
    for address in addresses:
        click.echo("luutru: " + _("the counter's page is at {url}").format(url=f"{scheme}://{address}:{port}/"),
                   err=True)
    if token:
        click.echo("luutru: " + _("open it once on each PC as {url} (it is then kept {hours:g} hours)").format(
            url=f"{scheme}://{addresses[0]}:{port}/?token={token}", hours=token_hours), err=True)
    uvicorn.run(make_app(home, token, cache, exports, token_hours), host=host, port=port, log_level="warning",
                access_log=False, ssl_certfile=certfile, ssl_keyfile=keyfile, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips)


def _addresses(host: str) -> list[str]:
    """The addresses the page is reached at: this machine's on the LAN when it listens on all of them (0.0.0.0
    is no address a clerk's PC can open)."""
    import socket

    if host in LOOPBACK:
        return ["localhost"]
    if host not in ("0.0.0.0", "::", ""):
        return [host]
    found = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this asks which address the LAN route leaves from
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    return list(dict.fromkeys(address for address in found if not address.startswith("127."))) or ["localhost"]


@main.command()
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Also check this Dask cluster (default: the `scheduler` in config.toml, if any).")
@click.pass_obj
@friendly_errors
def doctor(home: ArchiveHome, scheduler: str | None) -> None:
    """Check that Tesseract with Vietnamese, poppler and the index are usable, and say how to fix them."""
    from luutru.doctor import doctor as run_doctor

    checks = run_doctor(home, scheduler, _)
    for check in checks:
        label = "FAIL" if not check.ok else "WARN" if check.warn else "ok  "
        fix = "\n     " + _("fix: {fix}").format(fix=check.fix) if label != "ok  " else ""
        click.echo(f"{label} {check.name}: {check.detail}{fix}")
    sys.exit(ExitCode.OK if all(check.ok for check in checks) else ExitCode.NOT_READY)
