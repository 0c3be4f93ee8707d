"""index/store.py: each engine's store on a real index on disk (Whoosh, and Tantivy), and the rebuild that fills it."""

import os
import shutil
from pathlib import Path

import pytest

from luutru.index.query import And, Fuzzy, Not, Phrase, Prefix, Range, Term, Wildcard, positive_leaves
from luutru.index.search import build_query, search_store
from luutru.index.store import (
    ENGINES,
    PAGES_PER_SHARD,
    IndexUnavailable,
    PageDocument,
    ensure_index,
    live_generation,
    new_generation,
    open_store,
    publish,
    shard_count,
)
from luutru.index.tantivy_store import TantivyStore, shard_folders
from luutru.pipeline.catalog import Catalog, PageRecord
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.indexing import rebuild_index, sync_index
from luutru.pipeline.report import status as archive_status

# Each engine's store, and Tantivy's written as two shards (index.store.PAGES_PER_SHARD).
STORES = [(engine, 1) for engine in ENGINES] + [("tantivy", 2)]


def make_index(link: Path, engine: str, shards: int = 1) -> None:
    publish(link, new_generation(link, engine, shards))


def pages(file_id: int) -> list[PageDocument]:
    return [PageDocument(file_id, f"/scans/{file_id}.pdf", page, f"quyết định giao đất số {file_id}", 90.0,
                         {"issued": f"2023-09-{10 + file_id:02d}", "year": 2023, "parcels": [str(file_id)]})
            for page in (1, 2)]


def test_whoosh_merge_policies_control_the_segments_a_commit_leaves(tmp_path):
    link = tmp_path / "index"
    ensure_index(link, "whoosh")
    for file_id in (1, 2, 3):
        open_store(link).update((), pages(file_id), merge="none")
    assert open_store(link).segment_count() == 3
    open_store(link).update((), pages(4), merge="all")
    store = open_store(link)
    assert store.segment_count() == 1 and store.page_count() == 8
    store.update([2], (), merge="small")
    assert set(open_store(link).pages_per_file()) == {1, 3, 4}


@pytest.mark.parametrize(("engine", "shards"), STORES)
def test_each_engine_adds_replaces_removes_and_counts_live_pages(tmp_path, engine, shards):
    link = tmp_path / "index"
    make_index(link, engine, shards)
    store = open_store(link)
    assert store.engine == engine and store.page_count() == 0
    for file_id in (1, 2, 3):
        store.update((), pages(file_id))
    store.update([2, 3], pages(3))  # 2 removed, 3 replaced: deleted pages must not be counted
    store = open_store(link)
    assert store.pages_per_file() == {1: 2, 3: 2} and store.page_count() == 4
    found, total = store.search(Term("folded", "giao"), 10, Term("parcels", "3"))
    assert total == 2 and {(page.file_id, page.page) for page in found} == {(3, 1), (3, 2)}
    assert found[0].text == "quyết định giao đất số 3" and found[0].fields["year"] == 2023
    newest, _ = store.search(Term("folded", "dat"), 10, sort_by_date=True)
    assert [page.file_id for page in newest] == [3, 3, 1, 1] and newest[0].score is None


@pytest.mark.parametrize(("engine", "shards"), STORES)
def test_each_engine_answers_the_query_language_alike(tmp_path, engine, shards):
    """luutru's query nodes, and queries as index.search reads them, run by each engine."""
    link = tmp_path / "index"
    make_index(link, engine, shards)
    store = open_store(link)
    store.update((), pages(1) + pages(2) + [PageDocument(3, "/scans/a-b/c.pdf", 1, "Thửa đất số 245", None)])

    def files(query) -> set[int]:
        return {page.file_id for page in store.search(query, 10)[0]}
    assert files(Phrase("folded", ("giao", "dat"))) == {1, 2}
    assert files(Phrase("folded", ("dat", "giao"))) == set()
    assert files(Phrase("folded", ("quyet", "giao"), slop=1)) == {1, 2}
    assert files(Fuzzy("folded", "thuq")) == {3}
    assert files(Prefix("path", "/scans/a-b/")) == {3}
    assert files(Wildcard("folded", "th?a")) == {3}
    assert files(And((Term("folded", "dat"), Not(Term("folded", "giao"))))) == {3}
    assert files(Range("issued", 20230912, None)) == {2}
    assert files(Term("year", 2023)) == {1, 2}
    for typed, expected in (("nam:2023", {1, 2}), ('"giao dat"', {1, 2}), ("thuq~", {3}), ("dat NOT giao", {3}),
                            ("duongdan:/scans/a-b/*", {3})):
        assert files(build_query(typed)[0]) == expected, typed
    assert store.word_frequency("giao") == 4 and store.matches_any(Term("text", "thửa"))
    assert store.word_frequency("giao", "text") == 4 and store.word_frequency("thửa", "text") == 1
    assert dict(store.folded_vocabulary())["thua"] == 1 and dict(store.folded_vocabulary())["dat"] == 5


@pytest.mark.parametrize("shards", [1, 2])
def test_tantivy_counts_more_files_than_one_of_its_aggregations_holds(tmp_path, shards):
    link = tmp_path / "index"
    make_index(link, "tantivy", shards)
    files = 70_000  # Tantivy refuses an aggregation of more than 65,000 buckets
    pages = (PageDocument(file_id, "/scans/x.pdf", 1, "đất", None) for file_id in range(1, files + 1))
    open_store(link).update((), pages)
    open_store(link).update(range(2, files + 1, 2), ())
    counts = open_store(link).pages_per_file()
    assert len(counts) == files // 2 and set(counts.values()) == {1} and max(counts) == files - 1


@pytest.mark.parametrize(("engine", "shards"), STORES)
def test_a_phrase_of_one_word_is_that_word(tmp_path, engine, shards):
    link = tmp_path / "index"
    make_index(link, engine, shards)
    store = open_store(link)
    store.update((), pages(1))
    assert {page.file_id for page in store.search(Phrase("folded", ("giao",)), 10)[0]} == {1}
    assert store.search(Phrase("folded", ()), 10)[0] == []


def test_a_rebuild_streams_the_searchable_files_and_marks_what_it_indexed(tmp_path):
    home = ArchiveHome(tmp_path / "home").create()
    catalog = Catalog(home.catalog_path)
    statuses = ["done", "failed", "pending", "done", "missing", "done", "done"]
    for number, status in enumerate(statuses):
        file_id = catalog.upsert_file(Path(f"/scans/{number}.png"), kind="image", size=1, mtime_ns=1,
                                      sha256=str(number), status=status)
        catalog.put_page(PageRecord(file_id, 1, f"thửa đất số {number}", 90.0, "ocr"))
        catalog.set_page_count(file_id, 1)
    searchable = [number for number, status in enumerate(statuses) if status in ("done", "failed")]
    # Read two at a time, with a write between the batches: every searchable file once, in order.
    streamed = []
    for record in catalog.searchable_files(batch=2):
        catalog.touch_file(record.id, 2, 2)
        streamed.append(int(Path(record.path).stem))
    assert streamed == searchable and catalog.searchable_pages() == len(searchable)
    assert rebuild_index(home, catalog, "whoosh") == len(searchable)
    assert not catalog.files_waiting_for_index()
    assert sorted(open_store(home.index_link).pages_per_file()) == sorted(catalog.indexed_file_ids())
    assert {record.status for record in catalog.files() if record.indexed} == {"done", "failed"}
    catalog.close()


@pytest.mark.parametrize(("engine", "shards"), STORES)
def test_a_sync_with_nothing_new_still_drops_what_the_catalog_no_longer_has(tmp_path, engine, shards):
    home = ArchiveHome(tmp_path / "home").create()
    make_index(home.index_link, engine, shards)
    catalog = Catalog(home.catalog_path)
    ids = []
    for number in range(3):
        ids.append(catalog.upsert_file(Path(f"/scans/{number}.png"), kind="image", size=1, mtime_ns=1,
                                       sha256=str(number), status="done"))
        catalog.put_page(PageRecord(ids[-1], 1, f"thửa đất số {number}", 90.0, "ocr"))
        catalog.set_page_count(ids[-1], 1)
    assert sync_index(home, catalog, engine) == 3 and sync_index(home, catalog, engine) == 0
    catalog.mark_missing([ids[0]])  # gone from disk: no page to add, one file fewer indexed
    assert sync_index(home, catalog, engine) == 0
    assert set(open_store(home.index_link).pages_per_file()) == {ids[1], ids[2]}
    # Pages the catalog never recorded as indexed (a run killed between the index's commit and the catalog's)
    open_store(home.index_link).update((), pages(99))
    assert sync_index(home, catalog, engine) == 0
    assert set(open_store(home.index_link).pages_per_file()) == {ids[1], ids[2]}
    catalog.close()


@pytest.mark.parametrize(("engine", "shards"), STORES)
def test_a_bonus_that_tells_no_page_apart_is_left_out_of_a_search_of_several_words(tmp_path, engine, shards):
    link = tmp_path / "index"
    make_index(link, engine, shards)
    store = open_store(link)
    texts = {1: "giáo đất rừng", 2: "nhận giao đất ở", 3: "giao đất rừng phòng hộ", 4: "nhân dân"}
    store.update((), [PageDocument(file_id, f"/scans/{file_id}.pdf", 1, text, 90.0) for file_id, text in texts.items()])
    store = open_store(link)

    def bonuses(typed: str, on=store) -> set[str]:
        return {leaf.value for leaf in positive_leaves(build_query(typed, on)[0]) if leaf.field == "text"}
    # Every page with "dat" has "đất" as written: its bonus would add the same to each; "giao" tells 2 of 3 apart.
    assert bonuses("giao đất") == {"giao"} and bonuses("đất") == {"đất"} and bonuses("nhận đất") == {"nhận"}
    assert bonuses("giao đất", on=None) == {"giao", "đất"}  # without an index to ask, every bonus
    ranked = [hit.file_id for hit in search_store(store, "giao đất rừng").hits]
    assert ranked == [3, 1]  # the words together as written first


def test_a_large_tantivy_index_gets_a_shard_a_core_at_most_and_whoosh_none():
    assert shard_count("tantivy", 0, cores=8) == 1 and shard_count("tantivy", PAGES_PER_SHARD, cores=8) == 1
    assert shard_count("tantivy", PAGES_PER_SHARD + 1, cores=8) == 2
    assert shard_count("tantivy", 10 * PAGES_PER_SHARD, cores=2) == 2
    assert shard_count("whoosh", 10 * PAGES_PER_SHARD, cores=8) == 1


def test_a_sharded_index_spreads_the_files_and_answers_as_one_index_does(tmp_path):
    words = ["giao đất", "thu hồi đất", "quyền sử dụng đất", "bồi thường", "giấy chứng nhận"]
    documents = [PageDocument(file_id, f"/scans/{file_id}.pdf", page, f"{words[file_id % 5]} {words[page % 5]} số "
                              f"{file_id}", 90.0, {"issued": f"20{10 + file_id % 13}-01-02"})
                 for file_id in range(1, 41) for page in (1, 2, 3)]
    stores = {}
    for shards in (1, 2):
        (tmp_path / f"{shards}").mkdir()
        make_index(tmp_path / f"{shards}" / "index", "tantivy", shards)
        stores[shards] = open_store(tmp_path / f"{shards}" / "index")
        stores[shards].update((), documents)
    one, two = stores[1], stores[2]
    # Frequencies before any page is deleted: a deleted page counts in Tantivy's until its segment is merged.
    assert dict(one.folded_vocabulary()) == dict(two.folded_vocabulary())
    assert one.word_frequency("dat") == two.word_frequency("dat") > 0 and two.matches_any(Term("folded", "boi"))
    for store in stores.values():
        store.update(range(1, 41, 7), ())
    assert [TantivyStore(folder).page_count() > 0 for folder in shard_folders(two.link)] == [True, True]
    for query in (Term("folded", "dat"), Phrase("folded", ("boi", "thuong")), build_query("giấy chứng nhận")[0],
                  Fuzzy("folded", "thuonq"), Range("issued", 20150101, None)):
        found = {shards: store.search(query, 1000) for shards, store in stores.items()}
        assert found[1][1] == found[2][1] > 0
        assert sorted((p.file_id, p.page) for p in found[1][0]) == sorted((p.file_id, p.page) for p in found[2][0])
        assert len(two.search(query, 5)[0]) == 5
    newest = {shards: store.search(Term("folded", "dat"), 200, sort_by_date=True)[0]
              for shards, store in stores.items()}
    assert [p.fields["issued"] for p in newest[1]] == [p.fields["issued"] for p in newest[2]]
    assert one.pages_per_file() == two.pages_per_file() and one.page_count() == two.page_count()


def test_a_rebuild_past_a_shard_of_pages_writes_shards(tmp_path, monkeypatch):
    monkeypatch.setattr("luutru.index.store.PAGES_PER_SHARD", 2)
    home = ArchiveHome(tmp_path / "home").create()
    catalog = Catalog(home.catalog_path)
    for number in range(5):
        file_id = catalog.upsert_file(Path(f"/scans/{number}.png"), kind="image", size=1, mtime_ns=1,
                                      sha256=str(number), status="done")
        catalog.put_page(PageRecord(file_id, 1, f"thửa đất số {number}", 90.0, "ocr"))
        catalog.set_page_count(file_id, 1)
    assert rebuild_index(home, catalog, "tantivy") == 5
    shards = min(3, len(os.sched_getaffinity(0)))
    assert len(shard_folders(live_generation(home.index_link))) == shards
    assert archive_status(home)["index"]["parts"] == shards and archive_status(home)["index"]["advice"] is None
    assert {hit.file_id for hit in search_store(open_store(home.index_link), "thua dat").hits} == \
        set(catalog.indexed_file_ids())
    catalog.close()


def test_a_lost_or_damaged_shard_makes_the_index_unavailable_never_half_searched(tmp_path):
    make_index(tmp_path / "index", "tantivy", 2)
    open_store(tmp_path / "index").update((), pages(1) + pages(2))
    generation = live_generation(tmp_path / "index")
    (generation / "shard-01" / "meta.json").write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable, match="cannot open the index"):
        open_store(tmp_path / "index")
    shutil.rmtree(generation / "shard-01")
    with pytest.raises(IndexUnavailable, match="shard-01 is missing"):
        open_store(tmp_path / "index")
