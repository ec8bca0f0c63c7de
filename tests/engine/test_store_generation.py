"""The store's generation: what caches of derived data rely on to know nothing has changed."""

from __future__ import annotations

import pytest

from lhs_kg.errors import LhsKgError
from lhs_kg.formats import rdf_format
from lhs_kg.store.embedded import EmbeddedStore

G = "https://w3id.org/lhs-kg/graph/test/generation"
TURTLE = rdf_format("ttl")
TTL = b"<https://example.org/s> <https://example.org/p> 1 ."


@pytest.fixture
def store() -> EmbeddedStore:
    return EmbeddedStore()


def test_reads_leave_the_generation_alone(store: EmbeddedStore) -> None:
    before = store.generation
    store.query("SELECT * WHERE { ?s ?p ?o }").rows()
    store.graphs()
    assert store.generation == before


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda s: s.load(TTL, TURTLE, G), id="load"),
        pytest.param(lambda s: s.replace_graph(G, TTL, TURTLE), id="replace_graph"),
        pytest.param(lambda s: s.drop_graph(G), id="drop_graph"),
        pytest.param(
            lambda s: s.update(f"INSERT DATA {{ GRAPH <{G}> {{ <x:a> <x:b> 1 }} }}"), id="update"
        ),
        pytest.param(lambda s: s.add_quads([]), id="add_quads"),
    ],
)
def test_every_kind_of_write_moves_the_generation_on(store: EmbeddedStore, write) -> None:  # type: ignore[no-untyped-def]
    before = store.generation
    write(store)
    assert store.generation != before


def test_a_failed_write_moves_it_on_too(store: EmbeddedStore) -> None:
    before = store.generation
    with pytest.raises(LhsKgError):
        store.load(b"<not turtle", TURTLE, G)
    assert store.generation != before
