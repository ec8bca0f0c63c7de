"""A derived value: exact per store generation, whichever process wrote (#16)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from lhs_kg.cache import Derived
from lhs_kg.formats import rdf_format
from lhs_kg.store import RemoteStore, Store
from tests.helpers import OxigraphServer

G = "https://w3id.org/lhs-kg/graph/test/cache"
TTL = b"<https://example.org/s> <https://example.org/p> 1 ."


def count_triples(store: Store) -> int:
    return len(store.query("SELECT * WHERE { ?s ?p ?o }").rows())


def test_a_derived_value_follows_every_write_through_the_store(store: Store) -> None:
    built: list[int] = []

    def build() -> int:
        built.append(1)
        return count_triples(store)

    derived = Derived(store, build)
    assert derived.get() == 0
    assert derived.get() == 0
    assert len(built) == 1
    store.load(TTL, rdf_format("ttl"), G)  # a write through this object, on either engine
    assert derived.get() == 1
    assert len(built) == 2


def test_a_write_by_another_process_renews_the_value_at_the_next_refresh(
    oxigraph_server: OxigraphServer,
) -> None:
    oxigraph_server.clear()
    ours, theirs = RemoteStore(oxigraph_server.endpoints), RemoteStore(oxigraph_server.endpoints)
    derived = Derived(ours, lambda: count_triples(ours))
    ours.refresh_generation()
    assert derived.get() == 0
    theirs.load(TTL, rdf_format("ttl"), G)  # another process's write, through lhs-kg
    assert derived.get() == 0  # until ours looks at the store again (once per request)
    ours.refresh_generation()
    assert derived.get() == 1
    oxigraph_server.clear()


def test_a_store_without_a_generation_is_not_cached() -> None:
    unversioned = cast(Store, SimpleNamespace(generation=None))
    built: list[int] = []
    derived = Derived(unversioned, lambda: built.append(1) or len(built))
    assert [derived.get(), derived.get()] == [1, 2]
