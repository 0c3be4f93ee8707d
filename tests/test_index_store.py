"""index/store.py: merge policies of a commit, on a real Whoosh index on disk."""

from index.store import IndexStore, PageDocument, ensure_index


def pages(file_id: int) -> list[PageDocument]:
    return [PageDocument(file_id, f"/scans/{file_id}.pdf", page, f"quyết định giao đất số {file_id}", 90.0)
            for page in (1, 2)]


def test_merge_policies_control_the_segments_a_commit_leaves(tmp_path):
    link = tmp_path / "index"
    ensure_index(link)
    for file_id in (1, 2, 3):
        IndexStore(link).update((), pages(file_id), merge="none")
    assert IndexStore(link).segment_count() == 3
    IndexStore(link).update((), pages(4), merge="all")
    store = IndexStore(link)
    assert store.segment_count() == 1 and store.page_count() == 8
    store.update([2], (), merge="small")
    assert IndexStore(link).file_ids() == {1, 3, 4}
