"""The embedded store's generation outlasts the process only while the data is as it was left
(#16): closed and opened again untouched, it keeps its number; changed in between by any
program, or not closed, it draws a new one."""

from __future__ import annotations

import gc
import json
import logging
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from lhs_kg.errors import StoreError
from lhs_kg.formats import rdf_format
from lhs_kg.store import EmbeddedStore
from lhs_kg.store.lasting import GUARD, RECORD

G = "https://w3id.org/lhs-kg/graph/test/lasting"
TTL = b"<https://example.org/s> <https://example.org/p> 1 ."
TTL2 = b"<https://example.org/s> <https://example.org/p> 2 ."


def closed_store(path: Path) -> int:
    """A store at ``path`` with one write, closed; the generation it closed on."""
    store = EmbeddedStore(path)
    store.load(TTL, rdf_format("ttl"), G)
    generation = store.generation
    store.close()
    return generation


def generation_at(path: Path) -> int:
    store = EmbeddedStore(path)
    try:
        return store.generation
    finally:
        store.close()


def test_a_store_opened_again_untouched_keeps_its_generation(tmp_path: Path) -> None:
    path = tmp_path / "store"
    left = closed_store(path)
    assert (path / RECORD).exists()
    assert generation_at(path) == left
    assert generation_at(path) == left  # and again: each close records it anew


def test_a_write_by_another_program_in_between_draws_a_new_generation(tmp_path: Path) -> None:
    path = tmp_path / "store"
    left = closed_store(path)
    other = ox.Store(str(path))  # pyoxigraph itself, not lhs-kg: no record is updated
    other.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("2")))
    del other
    gc.collect()
    store = EmbeddedStore(path)
    try:
        assert store.generation != left
        assert len(store.query(f"SELECT * WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}").rows()) == 1
    finally:
        store.close()


def test_a_store_that_was_not_closed_draws_a_new_generation(tmp_path: Path) -> None:
    """The record goes when the store opens: a process that dies leaves none behind."""
    path = tmp_path / "store"
    closed_store(path)
    crashed = EmbeddedStore(path)
    assert not (path / RECORD).exists()
    crashed.load(TTL2, rdf_format("ttl"), G)
    died_on = crashed.generation
    del crashed._store  # the database goes without lhs-kg's close: no record written
    gc.collect()
    assert generation_at(path) not in (died_on, 0)


def test_each_write_moves_the_generation_on_and_copies_part_ways(tmp_path: Path) -> None:
    """A copy of the folder is the same data under the same number, until either writes."""
    path, copy = tmp_path / "store", tmp_path / "copy"
    left = closed_store(path)
    shutil.copytree(path, copy)
    ours, theirs = EmbeddedStore(path), EmbeddedStore(copy)
    try:
        assert ours.generation == theirs.generation == left
        ours.load(TTL2, rdf_format("ttl"), G)
        theirs.load(TTL2, rdf_format("ttl"), G)
        assert left < ours.generation != theirs.generation > left
    finally:
        ours.close()
        theirs.close()


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(json.dumps({"generation": "7", "files": []}).encode(), id="text-generation"),
        pytest.param(json.dumps({"generation": True, "files": []}).encode(), id="boolean"),
        pytest.param(json.dumps({"generation": -3, "files": []}).encode(), id="negative"),
        pytest.param(json.dumps({"generation": 7}).encode(), id="no-files"),
        pytest.param(json.dumps({"generation": 7, "files": [["a", "b"]]}).encode(), id="bad-files"),
        pytest.param(json.dumps([7]).encode(), id="a-list"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
    ],
)
def test_a_damaged_record_is_ignored_with_a_warning(
    tmp_path: Path, record: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "store"
    left = closed_store(path)
    (path / RECORD).write_bytes(record)
    with caplog.at_level(logging.WARNING, logger="lhs_kg.store.lasting"):
        store = EmbeddedStore(path)
    try:
        assert store.generation not in (left, 7)
        assert "ignoring the store's generation record" in caplog.text
        assert not (path / RECORD).exists()
    finally:
        store.close()


def test_a_record_naming_other_files_is_not_trusted(tmp_path: Path) -> None:
    """A record copied in from another folder (or an older backup) does not fit this one."""
    path, other = tmp_path / "store", tmp_path / "other"
    closed_store(other)
    left = closed_store(path)
    shutil.copy2(other / RECORD, path / RECORD)
    foreign = json.loads((path / RECORD).read_text())["generation"]
    assert generation_at(path) not in (left, foreign)


def test_the_memory_store_counts_from_zero() -> None:
    store = EmbeddedStore()
    assert store.generation == 0
    store.load(TTL, rdf_format("ttl"), G)
    assert store.generation == 2  # moved on as the write started, and once it ended
    store.close()


class _Stalled:
    """Stands in for the pyoxigraph store: its updates wait for ``go`` (a long write)."""

    def __init__(self, real: ox.Store) -> None:
        self.real = real
        self.inside, self.go = threading.Event(), threading.Event()

    def update(self, text: str) -> None:
        self.inside.set()
        self.go.wait(30)
        self.real.update(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_a_store_closed_during_a_write_records_no_generation(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A server stopped mid-request: the write may have committed parts its number does not
    yet say, so the next process must not trust the number (#16 review)."""
    path = tmp_path / "store"
    left = closed_store(path)
    store = EmbeddedStore(path)
    stalled = _Stalled(store._store)
    store._store = stalled  # type: ignore[assignment]
    writer = threading.Thread(
        target=store.update, args=(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> 3 }} }}",)
    )
    writer.start()
    assert stalled.inside.wait(30)
    with caplog.at_level(logging.WARNING, logger="lhs_kg.store.embedded"):
        store.close()
    assert not (path / RECORD).exists()
    assert "closed during a write" in caplog.text
    stalled.go.set()
    writer.join(30)
    del stalled
    gc.collect()
    assert generation_at(path) != left


def test_a_closing_store_takes_no_new_write(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.close()
    with pytest.raises(StoreError, match="closing"):
        store.load(TTL, rdf_format("ttl"), G)


def test_a_generation_lock_that_cannot_be_used_is_not_called_another_process(
    tmp_path: Path,
) -> None:
    """The lock file is not the database's lock: its failure names itself."""
    path = tmp_path / "store"
    closed_store(path)
    (path / GUARD).unlink()
    (path / GUARD).mkdir()  # cannot be opened as a file
    with pytest.raises(StoreError) as caught:
        EmbeddedStore(path)
    assert "generation lock" in str(caught.value)
    assert "another process" not in str(caught.value)
