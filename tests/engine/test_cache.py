"""A derived value: exact per store generation, a time-to-live only on a store without one."""

from __future__ import annotations

import time

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

    derived = Derived(store, build, ttl_s=3600)
    assert derived.get() == 0
    assert derived.get() == 0
    assert len(built) == 1
    store.load(TTL, rdf_format("ttl"), G)  # a write through this object, on either engine
    assert derived.get() == 1
    assert len(built) == 2


def test_a_remote_value_written_behind_our_back_lives_its_time_to_live(
    oxigraph_server: OxigraphServer,
) -> None:
    oxigraph_server.clear()
    ours, theirs = RemoteStore(oxigraph_server.endpoints), RemoteStore(oxigraph_server.endpoints)
    derived = Derived(ours, lambda: count_triples(ours), ttl_s=3600)
    assert derived.get() == 0
    theirs.load(TTL, rdf_format("ttl"), G)  # another process's write: ours cannot know
    assert derived.get() == 0
    ours.update(f"CLEAR SILENT GRAPH <{G}-other>")  # any write through ours drops the value
    assert derived.get() == 1
    oxigraph_server.clear()


def test_without_a_generation_the_value_expires(oxigraph_server: OxigraphServer) -> None:
    oxigraph_server.clear()
    store = RemoteStore(oxigraph_server.endpoints)
    assert store.generation is None
    derived = Derived(store, lambda: count_triples(store), ttl_s=0.05)
    assert derived.get() == 0
    store.load(TTL, rdf_format("ttl"), G)
    time.sleep(0.1)
    assert derived.get() == 1
    oxigraph_server.clear()
