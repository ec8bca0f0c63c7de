"""A derived value: exact per store generation, whichever process wrote (#16)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import cast

from lhs_kg.cache import Background, Derived
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


def test_a_background_value_is_built_once_per_generation_off_the_caller(store: Store) -> None:
    release = threading.Event()
    built: list[int] = []

    def build() -> int:
        release.wait(30)
        built.append(1)
        return count_triples(store)

    counts = Background(store, build)
    assert counts.get() is None  # not ready: the caller is not held up
    assert counts.get(wait_s=0.01) is None
    release.set()
    assert counts.get(wait_s=30) == 0
    assert counts.get() == 0
    assert len(built) == 1
    store.load(TTL, rdf_format("ttl"), G)
    assert counts.get(wait_s=30) == 1  # never the old generation's value
    assert len(built) == 2


def test_a_failed_background_build_keeps_nothing_and_is_tried_again(store: Store) -> None:
    outcomes = iter([RuntimeError("the server went away"), 7])

    def build() -> int:
        found = next(outcomes)
        if isinstance(found, Exception):
            raise found
        return found

    counts = Background(store, build)
    assert counts.get(wait_s=30) is None
    assert counts.get(wait_s=30) == 7


def test_the_latest_background_value_is_the_last_one_named_as_such_until_the_new_one(
    store: Store,
) -> None:
    """Before any build: nothing. After a write: the value built before, marked not current,
    with the time its build began; once the new one is built, that one, current."""
    release = threading.Event()

    def build() -> int:
        release.wait(30)
        return count_triples(store)

    counts = Background(store, build)
    assert counts.latest() is None  # nothing built yet
    release.set()
    first = counts.latest(wait_s=30)
    assert first is not None and (first.value, first.current) == (0, True)
    release.clear()
    store.load(TTL, rdf_format("ttl"), G)
    stale = counts.latest(wait_s=30)  # the new one is being built: no wait for it
    assert stale is not None and (stale.value, stale.current) == (0, False)
    assert stale.made_at == first.made_at
    assert counts.get() is None  # get never hands out the old value
    release.set()
    fresh = counts.latest(wait_s=30, older_wait_s=30)
    assert fresh is not None and (fresh.value, fresh.current) == (1, True)
    assert fresh.made_at > first.made_at
