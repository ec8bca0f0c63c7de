"""Caches of derived data: exact per store generation, bounded by bytes, a TTL only without one."""

from __future__ import annotations

import time

import pytest

from lhs_kg.cache import Derived, GenerationLRU
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


def test_the_lru_keeps_within_its_bytes_and_drops_the_least_recently_used() -> None:
    cache: GenerationLRU[str, str] = GenerationLRU(1000, max_share=2)
    assert cache.get("a", 1) is None  # enter generation 1
    for key in "abcd":
        assert cache.put(key, key.upper(), 300, 1)
    assert cache.bytes <= 1000 and len(cache) == 3
    assert cache.get("a", 1) is None  # the oldest went first
    assert cache.get("b", 1) == "B"  # b is now the most recently used
    cache.put("e", "E", 300, 1)
    assert cache.get("c", 1) is None and cache.get("b", 1) == "B"
    assert cache.stats.evicted == 2


def test_an_entry_larger_than_its_share_is_refused() -> None:
    cache: GenerationLRU[str, str] = GenerationLRU(1000, max_share=4)
    cache.get("x", 1)
    assert not cache.put("big", "…", 251, 1)
    assert cache.put("fits", "…", 250, 1)
    assert cache.get("big", 1) is None


def test_a_new_generation_empties_the_cache_and_late_puts_are_refused() -> None:
    cache: GenerationLRU[str, str] = GenerationLRU(1000)
    cache.get("page", 1)
    cache.put("page", "old", 10, 1)
    assert cache.get("page", 2) is None  # a write happened: nothing of generation 1 is served
    assert cache.bytes == 0
    # a request that began before the write ends now: its page must not be kept
    assert not cache.put("page", "old", 10, 1)
    assert cache.get("page", 2) is None
    assert cache.put("page", "new", 10, 2)
    assert cache.get("page", 2) == "new"


def test_a_cache_needs_a_size() -> None:
    with pytest.raises(ValueError):
        GenerationLRU(0)
