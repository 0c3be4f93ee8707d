"""A read-only way into an archive, for faces that live long (the counter's page, scripts).

It writes nothing, so a user who may only read the archive home can use it; each thread gets its
own catalog connection and its own open index, and every search follows the live index: a commit
made since the last search is seen, and a swapped generation is opened in place of the old one.
"""

from __future__ import annotations

import threading

from luutru.index.search import Filters, SearchResult, search_store
from luutru.index.store import IndexStore, live_generation, open_store
from luutru.pipeline.catalog import Catalog
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.report import open_catalog


class ArchiveReader:
    def __init__(self, home: ArchiveHome) -> None:
        self.home = home
        self._local = threading.local()

    def catalog(self) -> Catalog:
        """This thread's read-only catalog."""
        if getattr(self._local, "catalog", None) is None:
            self._local.catalog = open_catalog(self.home)
        return self._local.catalog

    def store(self) -> IndexStore:
        """This thread's index, up to date with the live generation and its last commit."""
        generation = live_generation(self.home.index_link)
        store = getattr(self._local, "store", None)
        if store is not None and store.link == generation:
            store.refresh()
            return store
        if store is not None:
            store.close()
        self._local.store = open_store(generation)
        return self._local.store

    def search(self, text: str, limit: int = 10, filters: Filters | None = None,
               sort_by_date: bool = False) -> SearchResult:
        return search_store(self.store(), text, limit, filters, sort_by_date)

    def close(self) -> None:
        """Close this thread's catalog and index."""
        for name in ("catalog", "store"):
            opened = getattr(self._local, name, None)
            if opened is not None:
                opened.close()
                setattr(self._local, name, None)
