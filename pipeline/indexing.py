"""Bring the index in line with the catalog; the catalog is always the side that is right."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from luutru.index.store import (
    DEFAULT_ENGINE,
    PUBLIC,
    IndexStore,
    IndexUnavailable,
    PageDocument,
    engine_of,
    ensure_index,
    make_durable,
    new_generation,
    open_store,
    publish,
    schema_is_current,
    shard_count,
)
from luutru.pipeline.catalog import Catalog, FileRecord
from luutru.pipeline.circular05 import code_of, document_mode
from luutru.pipeline.config import load_config
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.progress import counted

log = logging.getLogger("luutru")
INDEX_STATE_KEY = "index_state"  # in the catalog's meta: `_index_state` when a sync last left the two in line


def _documents(catalog: Catalog, files: Iterable[FileRecord], modes: UseModes) -> Iterator[PageDocument]:
    """The pages of each file, each with the fields of the document it belongs to, as the run read them, and the
    use mode that says who may find it."""
    for record in files:
        documents = catalog.documents(record.id)
        for page in catalog.pages(record.id):
            # A page that reads as noise stays in the catalog, but none of its junk goes into the index.
            text = "" if page.unreadable else page.text
            fields = _document_of(documents, page.page)
            yield PageDocument(record.id, record.path, page.page, text, page.confidence,
                               {**fields, "mode": modes.of(fields)})


@dataclass(frozen=True)
class UseModes:
    """A document's use mode (Chế độ sử dụng): its own (`luutru documents set --mode`), else its dossier's in the
    dossier list, else config.toml's [package] mode, else public."""
    default: str
    listed_by_title: tuple[str, ...] = ()  # config.toml's: modes shown by title to those who may not read them

    @classmethod
    def read(cls, home: ArchiveHome) -> UseModes:
        config = load_config(home.config_path)
        return cls(code_of("mode", config.package.get("mode") or "") or PUBLIC, config.listed_by_title)

    def of(self, fields: dict) -> str:
        return document_mode(fields, (fields.get("dossier") or {}).get("mode") or self.default)


def reading_scope(home: ArchiveHome, modes: tuple[str, ...] | None) -> tuple[Callable[..., bool] | None,
                                                                            tuple[str, ...]]:
    """For a person who reads `modes`: which dossiers (pipeline.dossiers.Dossier) they may know of, and the modes
    listed to them by title (config.toml's listed_by_title). None, every mode: config.toml is not read."""
    if modes is None:
        return None, ()
    use_modes = UseModes.read(home)
    return (lambda dossier: (dossier.mode or use_modes.default) in modes), \
        tuple(mode for mode in use_modes.listed_by_title if mode not in modes)


def _document_of(documents: list[tuple[int, int, dict]], page: int) -> dict:
    """The fields of the document holding `page`, with its page range."""
    for first, last, fields in documents:
        if first <= page <= last:
            return {**fields, "first_page": first, "last_page": last}
    return {}


def sync_index(home: ArchiveHome, catalog: Catalog, engine: str | None = None) -> int:
    """Add what the index lacks and remove what the catalog no longer has; returns pages added.
    An index of another engine than `engine` (None: keep the live one's) is rebuilt in it."""
    ensure_index(home.index_link, engine or DEFAULT_ENGINE)
    try:
        store = open_store(home.index_link)
    except IndexUnavailable as error:
        # Never wiped in place: searches may hold it open. A new generation replaces it atomically.
        log.warning("%s; building a new index from the catalog", error)
        return rebuild_index(home, catalog, engine)
    if engine and store.engine != engine:
        log.info("index: moving the archive from %s to %s; rebuilding the index from the catalog",
                 store.engine, engine)
        return rebuild_index(home, catalog, engine)
    if not schema_is_current(store.link):
        log.info("index: written by another version of luutru; rebuilding it from the catalog")
        return rebuild_index(home, catalog, engine)
    stale = catalog.files_waiting_for_index()
    if not stale and catalog.get_meta(INDEX_STATE_KEY) == _index_state(store, catalog):
        return 0  # the usual night: nothing new, and nothing gone since the last sync left them in line
    gone = set(store.pages_per_file()) - catalog.indexed_file_ids() - {record.id for record in stale}
    added = 0
    if stale or gone:
        added = store.update(gone | {record.id for record in stale}, _documents(catalog, stale, UseModes.read(home)))
        make_durable(store.link)
        catalog.mark_indexed(record.id for record in stale)
        log.info("index: %d pages of %d files added or replaced, %d files removed", added, len(stale), len(gone))
    catalog.set_meta(INDEX_STATE_KEY, _index_state(store, catalog))
    return added


def _index_state(store: IndexStore, catalog: Catalog) -> str:
    """What changes whenever the index or the catalog's set of indexed files may have."""
    # After a sync the index holds no file the catalog does not have as indexed; outside one, a file only ever leaves
    # that set (every change of a file's status clears `indexed`; only a sync or a rebuild sets it), so the same count
    # is the same set, and the same index with the same set needs no look for pages of files gone (0.9 s at 2 M).
    return json.dumps([store.link.name, store.last_modified(), store.page_count(), catalog.indexed_count()])


def live_engine(home: ArchiveHome) -> str:
    """The engine of the live index; the default where there is none yet."""
    return engine_of(home.index_link) if home.index_link.exists() else DEFAULT_ENGINE


def rebuild_index(home: ArchiveHome, catalog: Catalog, engine: str | None = None) -> int:
    """Build a whole new index from the catalog, without OCR, and swap it in atomically; in
    `engine`, or the live index's engine when None."""
    engine = engine or live_engine(home)
    generation = new_generation(home.index_link, engine, shard_count(engine, catalog.searchable_pages()))
    # Streamed from the catalog: memory stays the same at a district's pages and at a province's.
    through = catalog.last_searchable_id()
    documents = _documents(catalog, catalog.searchable_files(), UseModes.read(home))
    added = open_store(generation).update((), counted(documents, catalog.searchable_pages(), "index"))
    publish(home.index_link, generation)
    catalog.mark_searchable_indexed(through)
    log.info("index: rebuilt from the catalog with %d pages in %s (%s)", added, generation.name, engine)
    return added
