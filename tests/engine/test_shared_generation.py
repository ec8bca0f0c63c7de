"""A shared store's generation lives in the store: every write through lhs-kg renews it (#16)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from lhs_kg.config import Settings
from lhs_kg.errors import QueryError
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import published_graphs
from lhs_kg.store import RemoteStore, generation
from lhs_kg.store.generation import meta_graph, noting
from tests.helpers import OxigraphServer, SparqlServer

G = "https://w3id.org/lhs-kg/graph/data/generation-test"
TTL = b"<https://example.org/s> <https://example.org/p> 1 ."
META = meta_graph(Settings().base_iri)


@pytest.fixture
def pair(oxigraph_server: OxigraphServer) -> Iterator[tuple[RemoteStore, RemoteStore]]:
    """Two stores on one server, as two worker processes would hold them."""
    oxigraph_server.clear()
    first = RemoteStore(oxigraph_server.endpoints, meta=META)
    second = RemoteStore(oxigraph_server.endpoints, meta=META)
    yield first, second
    first.close()
    second.close()
    oxigraph_server.clear()


WRITES: dict[str, Callable[[RemoteStore], None]] = {
    "update": lambda s: s.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> 1 }} }}"),
    "update-ending-in-semicolon": lambda s: s.update(
        f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> 2 }} }} ;"
    ),
    "update-with-default-graph": lambda s: s.update(
        "INSERT DATA { <urn:a> <urn:b> 3 }", default_graph=G
    ),
    "load": lambda s: s.load(TTL, rdf_format("ttl"), G),
    "replace": lambda s: s.replace_graph(G, TTL, rdf_format("ttl")),
    "drop": lambda s: s.drop_graph(G),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_gives_a_new_generation_that_another_process_reads(
    pair: tuple[RemoteStore, RemoteStore], write: Callable[[RemoteStore], None]
) -> None:
    writer, reader = pair
    before = reader.refresh_generation()
    write(writer)
    after = writer.generation
    assert after != before
    assert reader.generation == before  # read once per unit of work, not on every look
    assert reader.refresh_generation() == after


def test_a_failed_update_leaves_the_generation_as_it_was(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    writer, reader = pair
    writer.load(TTL, rdf_format("ttl"), G)
    before = reader.refresh_generation()
    with pytest.raises(QueryError):
        writer.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> } }")  # no object
    assert writer.generation == before  # read again after the failure: the store's own
    assert reader.refresh_generation() == before


def test_the_meta_graph_is_neither_listed_nor_published_nor_dumped(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    store, _ = pair
    store.load(TTL, rdf_format("ttl"), G)
    assert [g.iri for g in store.graphs()] == [G]
    assert published_graphs(store, Settings()) == [G]
    out = io.BytesIO()
    store.dump(out, rdf_format("nq"))
    assert META.encode() not in out.getvalue()
    assert b"example.org/s" in out.getvalue()
    assert store.query("SELECT * WHERE { ?s ?p ?o }").rows() != []
    assert len(store.query("SELECT * WHERE { ?s ?p ?o }").rows()) == 1


def test_an_empty_store_has_generation_zero(pair: tuple[RemoteStore, RemoteStore]) -> None:
    assert pair[0].refresh_generation() == 0


NOTES = {
    "some case studies": frozenset({"https://example.org/cs/a", "https://example.org/cs/b"}),
    "none": frozenset(),
    "maybe every one": None,
}


@pytest.mark.parametrize("note", NOTES.values(), ids=NOTES)
def test_a_write_records_what_it_touched_for_the_other_processes(
    sparql_server: SparqlServer, note: frozenset[str] | None
) -> None:
    """The entry goes with the write and its generation; another client reads it (#16)."""
    with (
        RemoteStore(sparql_server.endpoints, meta=META) as first,
        RemoteStore(sparql_server.endpoints, meta=META) as second,
    ):
        first.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 0 }} }}")  # an entry to start
        before = second.refresh_generation()
        with noting(note):
            first.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
        first.drop_graph(G + "-never-there")  # a write with no note after it: touches none
        assert second.refresh_generation() != before
        assert second.touched_since(before) == note
        assert second.touched_since(second.generation) == frozenset()


SUBJECT_NOTES = {
    "subjects listed": (
        frozenset({"https://example.org/cs/a"}),
        frozenset({"https://example.org/cs/a", "https://example.org/cs/a/outcome/1"}),
    ),
    "no subject": (frozenset(), frozenset()),
    "subjects unknown": (frozenset({"https://example.org/cs/a"}), None),
    "maybe every case study": (None, frozenset({"https://example.org/s"})),
}


@pytest.mark.parametrize(("touched", "subjects"), SUBJECT_NOTES.values(), ids=SUBJECT_NOTES)
def test_a_write_records_the_subjects_it_changed_for_the_other_processes(
    sparql_server: SparqlServer, touched: frozenset[str] | None, subjects: frozenset[str] | None
) -> None:
    """A search index elsewhere re-indexes just these (#16); unknown subjects, or a write that
    may touch everything, read back as None: the index is built again, never guessed."""
    with (
        RemoteStore(sparql_server.endpoints, meta=META) as first,
        RemoteStore(sparql_server.endpoints, meta=META) as second,
    ):
        first.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 0 }} }}")
        before = second.refresh_generation()
        with noting(touched, subjects):
            first.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
        between = second.refresh_generation()
        first.drop_graph(G + "-never-there")  # a write with no note: changed no subject
        second.refresh_generation()
        assert second.touched_since(before) == touched  # each case study once, not per subject
        assert second.subjects_since(before) == (subjects if touched is not None else None)
        assert second.subjects_since(between) == frozenset()


def test_notes_made_inside_one_another_add_up() -> None:
    """A write inside another's note records both notes; an unknown one makes the sum unknown."""
    a, b = frozenset({"urn:a"}), frozenset({"urn:b"})
    with noting(a, a), noting(b, b):
        assert (generation._NOTE.touched, generation._NOTE.subjects) == (a | b, a | b)
        with noting(b):
            assert (generation._NOTE.touched, generation._NOTE.subjects) == (a | b, None)
    assert (generation._NOTE.touched, generation._NOTE.subjects) == (frozenset(), frozenset())


def test_the_change_log_keeps_recent_entries_only(
    sparql_server: SparqlServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each write drops the entries older than the log keeps; a reader further behind is told
    it cannot know (None), never an answer missing a write."""
    touched = frozenset({"https://example.org/cs/a"})
    with RemoteStore(sparql_server.endpoints, meta=META) as store:
        store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 0 }} }}")
        first = store.refresh_generation()
        with noting(touched):
            store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
        second = store.refresh_generation()
        assert store.touched_since(first) == touched
        monkeypatch.setattr(generation, "KEEP_CHANGES", timedelta(hours=-1))  # all are old now
        store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 2 }} }}")
        store.refresh_generation()
        assert store.touched_since(second) == frozenset()  # the newest entry is kept
        assert store.touched_since(first) is None  # the one before it is gone


def test_the_first_write_to_a_store_links_its_entry_to_generation_zero(
    sparql_server: SparqlServer,
) -> None:
    """A store built without lhs-kg's writes (a bulk load) reads as generation 0: answers kept
    then are brought up to date after the first write, not computed again."""
    touched = frozenset({"https://example.org/cs/a"})
    with RemoteStore(sparql_server.endpoints, meta=META) as store:
        assert store.refresh_generation() == 0
        with noting(touched):
            store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 0 }} }}")
        assert store.refresh_generation() != 0
        assert store.touched_since(0) == touched


def test_the_change_log_is_read_once_per_generation(pair: tuple[RemoteStore, RemoteStore]) -> None:
    """After a write every kept answer asks what changed: one read of the log serves them all,
    and the next generation reads it again."""
    writer, reader = pair
    writer.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 0 }} }}")
    before = reader.refresh_generation()
    touched = frozenset({"https://example.org/cs/a"})
    with noting(touched, touched):
        writer.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
    reader.refresh_generation()
    reads: list[str] = []
    shared = reader._shared
    read = shared._read
    log = generation.CHANGE_LOG.split("SELECT", 1)[0]  # the change log's reads only

    def counted(text: str) -> object:
        if text.startswith(log):
            reads.append(text)
        return read(text)

    shared._read = counted  # type: ignore[method-assign]
    for _ in range(3):
        assert reader.touched_since(before) == touched
        assert reader.subjects_since(before) == touched
    assert len(reads) == 1
    between = reader.generation
    with noting(frozenset()):
        writer.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 2 }} }}")
    reader.refresh_generation()
    assert reader.touched_since(between) == frozenset()
    assert len(reads) == 2
