"""The index: one document per page, derived from the catalog and rebuildable from it.

Two engines keep it, behind one small interface (`IndexStore`): Whoosh, the default, pure Python;
and Tantivy, the optional extra for archives past the size where Whoosh stays fast. Queries reach
both as one tree of luutru's own (index.query), built by index.search from the query language.

The index lives in a generation folder (`index-000003`) that the archive home's `index` symlink
points to; the folder records its engine. A full rebuild writes a new generation beside the live
one, with the same engine or another, and swaps the symlink atomically, so searches keep working
during the rebuild and never see an empty index.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from luutru.errors import NotReady
from luutru.i18n import N_
from luutru.index.query import Query

GENERATION_PREFIX = "index-"
# Raise when fields or analyzers change: an index of another version is rebuilt from the catalog.
SCHEMA_VERSION = 5  # 4: each page's use mode (Chế độ sử dụng); 5: each document's title
SCHEMA_VERSION_FILE = "luutru-schema-version"
ENGINE_FILE = "luutru-engine"
ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"
# Past this many pages Whoosh's searches take seconds (benchmarks/index_scale.py); doctor and status
# advise moving to Tantivy.
WHOOSH_COMFORTABLE_PAGES = 50_000
# A Tantivy index of more pages than this is written as shards, one per this many pages and at most one per core,
# that a search reads in parallel threads (Tantivy lets go of Python's lock while it searches: two searches of the
# 2,000,000-page index in two threads took the time of one). One index of 200,000 pages answers every kind of
# query in 37-67 ms (p95, the counter's reader, two runs of benchmarks/index_scale.py), most of it luutru's own
# Python; one of 2,000,000 the commonest words in 146 ms, and as two shards in 91 (docs: administration, Shards).
PAGES_PER_SHARD = 250_000
# Keep the generation before the live one: a search that opened it just before a swap finishes.
GENERATIONS_KEPT = 2
# How a commit merges segments (benchmarks/index_scale.py --nights measures each): "small" merges
# the small segments (each engine's default policy); with Whoosh, "none" only adds one and "all"
# merges everything into one.
MERGE_POLICIES = ("small", "none", "all")


@dataclass(frozen=True)
class PageDocument:
    """A page as the index receives it."""

    file_id: int
    path: str
    page: int
    text: str
    confidence: float | None
    fields: dict = field(default_factory=dict)


@dataclass
class StoredPage:
    """A page as a search returns it."""

    path: str
    page: int
    score: float | None  # None when sorted by date
    file_id: int
    text: str = field(default="", repr=False)
    confidence: float | None = None
    fields: dict = field(default_factory=dict)


class IndexUnavailable(NotReady):
    """The index cannot be opened or written; the message says why in one line."""


class IndexStore(Protocol):
    """What luutru asks of an index engine."""

    engine: str
    link: Path

    def update(self, remove: Iterable[int], add: Iterable[PageDocument], merge: str = "small") -> int:
        """Remove the pages of some files and add pages, in one commit; returns pages added."""

    def pages_per_file(self) -> Counter:
        """Live pages in the index per file id."""

    def page_count(self) -> int: ...

    def segment_count(self) -> int: ...

    def parts(self) -> int:
        """How many indexes a search reads: one, or a Tantivy index's shards."""

    def last_modified(self) -> float:
        """When the last commit was made, as a Unix time."""

    def search(self, query: Query, limit: int, restriction: Query | None = None,
               sort_by_date: bool = False) -> tuple[list[StoredPage], int]:
        """The best `limit` pages matching `query` and `restriction` (which does not score), and how
        many match in all; newest document first when `sort_by_date`, undated ones last."""

    def matches_any(self, query: Query) -> bool: ...

    def word_frequency(self, word: str, field: str = "folded") -> int:
        """Pages that have this word in `field` (folded: the word without its marks)."""

    def folded_vocabulary(self) -> list[tuple[str, int]]:
        """Every indexed folded word, with how many pages have it."""

    def refresh(self) -> None:
        """See the commits made since the store was opened (a reader kept open between searches)."""

    def close(self) -> None: ...


# What a document's title says of it: a person who may not read a document of a mode listed by title
# (config.toml's listed_by_title) finds it by these words alone, never by what its pages hold.
TITLE_FIELDS = ("doc_type", "number", "subject")
# The use mode of a page whose document, dossier and archive name none (Circular 05/2025: 01, Công khai).
PUBLIC = "01"


def stored_fields(fields: dict, page: int) -> dict:
    """The document fields an engine indexes, from the fields extracted for the document `page` belongs to."""
    values = {}
    for name in ("number", "doc_type", "agency", "department", "year"):
        if fields.get(name):
            values[name] = fields[name]
    values["issued"] = int(fields["issued"].replace("-", "")) if fields.get("issued") else 0
    for name in ("parcels", "sheets"):
        values[name] = list(fields.get(name) or ())
    values["mode"] = fields.get("mode") or PUBLIC
    title = " ".join(fields[name] for name in TITLE_FIELDS if fields.get(name))
    if title and page == fields.get("first_page", 1):  # once a document: it lists the document, not its pages
        values["title"] = title
    return values


def engine_advice(engine: str, pages: int, parts: int = 1, cores: int | None = None) -> str | None:
    """How to move to Tantivy, for a Whoosh index past the size where it stays fast; how to write a Tantivy index
    of `parts` as more shards, past PAGES_PER_SHARD a shard where cores are free to search them; else None."""
    if engine == "whoosh" and pages > WHOOSH_COMFORTABLE_PAGES:
        return (f"Whoosh's searches slow down past {WHOOSH_COMFORTABLE_PAGES:,} pages: install the tantivy extra "
                "(pip install 'luutru[tantivy]') and run `luutru reindex --full --engine tantivy` (no OCR; "
                "later runs keep the engine)")
    wanted = shard_count(engine, pages, cores)
    if wanted > parts:
        return (f"the index holds {pages:,} pages in {parts} part(s): `luutru reindex --full` (no OCR) writes it "
                f"as {wanted} shards, which a search reads in parallel")
    return None


def _generation_number(folder: Path) -> int:
    return int(folder.name[len(GENERATION_PREFIX):])


def _generations(link: Path) -> list[Path]:
    candidates = link.parent.glob(GENERATION_PREFIX + "*")
    return sorted((p for p in candidates if p.name[len(GENERATION_PREFIX):].isdigit()), key=_generation_number)


def store_class(engine: str):
    """The class of an engine's store; IndexUnavailable, saying how to install it, where it is missing."""
    if engine == "tantivy":
        from luutru.index.tantivy_store import TantivyStore, require_tantivy
        require_tantivy()
        return TantivyStore
    if engine == "whoosh":
        from luutru.index.whoosh_store import WhooshStore
        return WhooshStore
    raise IndexUnavailable(f"unknown index engine {engine!r} (known: {', '.join(ENGINES)})")


def engine_of(folder: Path) -> str:
    """The engine a generation was written with (indexes from before Tantivy have no record: Whoosh)."""
    try:
        return (folder / ENGINE_FILE).read_text().strip()
    except FileNotFoundError:
        return "whoosh"
    except OSError as error:
        raise IndexUnavailable(f"cannot read the index at {folder}: {error}") from error


def schema_is_current(folder: Path) -> bool:
    """False for an index written by an older luutru: it must be rebuilt from the catalog."""
    try:
        return int((folder / SCHEMA_VERSION_FILE).read_text()) == SCHEMA_VERSION
    except (OSError, ValueError):
        return False


def shard_count(engine: str, pages: int, cores: int | None = None) -> int:
    """How many shards a new index of `engine` for `pages` pages gets (PAGES_PER_SHARD); Whoosh's is one index."""
    if engine != "tantivy":
        return 1
    cores = cores or len(os.sched_getaffinity(0))
    return max(1, min(cores, -(-pages // PAGES_PER_SHARD)))


def new_generation(link: Path, engine: str = DEFAULT_ENGINE, shards: int = 1) -> Path:
    """An empty index of `engine`, in `shards` parts, in a fresh generation folder next to the live one."""
    engine_store = store_class(engine)
    existing = _generations(link)
    number = _generation_number(existing[-1]) + 1 if existing else 1
    folder = link.parent / f"{GENERATION_PREFIX}{number:06d}"
    folder.mkdir(mode=0o700)
    engine_store.create(folder, shards)
    (folder / ENGINE_FILE).write_text(f"{engine}\n")
    (folder / SCHEMA_VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return folder


def make_durable(folder: Path) -> None:
    """fsync a generation's files, its shards' and the folders themselves. Neither engine's commit does this for
    every file, and the catalog marks files indexed only once the index that holds them survives a power cut."""
    for path in folder.iterdir():
        if path.is_file():
            _fsync(path)
        elif path.is_dir():
            make_durable(path)
    _fsync(folder)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(link: Path, generation: Path) -> None:
    """Point the live symlink at `generation` in one atomic, durable rename, then drop old generations."""
    make_durable(generation)
    temporary = link.with_name(link.name + ".swap")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(generation.name)
    os.replace(temporary, link)
    _fsync(link.parent)
    for old in _generations(link)[:-GENERATIONS_KEPT]:
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)


def ensure_index(link: Path, engine: str = DEFAULT_ENGINE) -> None:
    if not link.exists():
        publish(link, new_generation(link, engine))


def live_generation(link: Path) -> Path:
    """The generation folder the live symlink points to now (read once: a swap may follow at any time)."""
    try:
        return link.parent / os.readlink(link) if link.is_symlink() else link
    except OSError as error:
        raise IndexUnavailable(f"cannot read the index link {link}: {error}") from error


def open_store(link: Path) -> IndexStore:
    """The index at `link` (the live symlink or a generation folder), with the engine that wrote it.
    The symlink is resolved once, so engine and index always come from the same generation."""
    generation = live_generation(link)
    if not generation.exists():
        raise IndexUnavailable(N_("there is no index at {link}; `luutru ingest PATH` makes one, "
                                  "`luutru reindex --full` rebuilds it from the catalog"), link=link)
    return store_class(engine_of(generation))(generation)
