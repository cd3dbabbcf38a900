"""The local file store: atomic writes, keyed by document id."""
import pytest

from services.documents.domain.store import LocalFileStore, StoredFileMissing


def test_a_stored_file_reads_back_and_leaves_no_temporary_file(tmp_path):
    store = LocalFileStore(tmp_path)
    store.put("f11e0000-0000-4000-8000-000000000001", b"content")
    store.put("f11e0000-0000-4000-8000-000000000001", b"replaced")
    with store.open("f11e0000-0000-4000-8000-000000000001") as handle:
        assert handle.read() == b"replaced"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["f11e0000-0000-4000-8000-000000000001"]


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path, monkeypatch):
    store = LocalFileStore(tmp_path)

    def broken_replace(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("services.documents.domain.store.os.replace", broken_replace)
    with pytest.raises(OSError):
        store.put("doc-1", b"content")
    assert not store.exists("doc-1")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_missing_file_is_reported_and_deleting_it_again_is_harmless(tmp_path):
    store = LocalFileStore(tmp_path)
    with pytest.raises(StoredFileMissing):
        store.open("doc-2")
    store.delete("doc-2")


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden"])
def test_keys_cannot_leave_the_store(tmp_path, key):
    with pytest.raises(ValueError):
        LocalFileStore(tmp_path).put(key, b"x")
