"""The write lock kept in the store (#16): writers on one server, sharing no disk, take turns.

Measured before it existed: three clients sending read-modify-write updates of one counter to
``oxigraph serve`` at once lost some (892 of 900), as two requests may read one snapshot.
"""

from __future__ import annotations

import threading
import time

import pytest

from lhs_kg.contributions import Contributions
from lhs_kg.errors import StoreError
from lhs_kg.store import RemoteStore
from lhs_kg.store.generation import SharedGeneration, meta_graph
from lhs_kg.store.lock import StoreLock
from tests.helpers import OxigraphServer, SparqlServer, new_content_kb, submit_example

META = meta_graph("https://w3id.org/lhs-kg/")
COUNTER = "https://example.org/lock/counter"
WRITERS, TURNS = 3, 25


def count(store: RemoteStore) -> int:
    rows = store.query(
        f"SELECT ?n WHERE {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{COUNTER}#n> ?n }} }}",
        union=False,
        named_graphs=[COUNTER],
    ).rows()
    assert len(rows) == 1, rows
    return int(rows[0]["n"].value)


def test_writers_holding_the_lock_lose_no_update(sparql_server: SparqlServer) -> None:
    """Each writer reads the counter and writes it plus one, in two requests, under the lock."""
    with RemoteStore(sparql_server.endpoints) as setup:
        setup.update(f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{COUNTER}#n> 0 }} }}")
    failures: list[BaseException] = []

    def write() -> None:
        with RemoteStore(sparql_server.endpoints) as store:  # a client of its own
            lock = StoreLock(store, META)
            try:
                for _ in range(TURNS):
                    with lock.held():
                        n = count(store)
                        triple = f"<{COUNTER}> <{COUNTER}#n>"
                        store.update(
                            f"DELETE DATA {{ GRAPH <{COUNTER}> {{ {triple} {n} }} }} ;"
                            f"INSERT DATA {{ GRAPH <{COUNTER}> {{ {triple} {n + 1} }} }}"
                        )
            except BaseException as err:  # reported below, with the count
                failures.append(err)

    writers = [threading.Thread(target=write) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    with RemoteStore(sparql_server.endpoints) as store:
        assert count(store) == WRITERS * TURNS
        assert StoreLock(store, META).holders() == []  # every holder let go


def test_a_lease_that_ran_out_does_not_block_the_next_writer(
    sparql_server: SparqlServer,
) -> None:
    with RemoteStore(sparql_server.endpoints) as store:
        dead = StoreLock(store, META, lease_s=0.2)
        gone = dead._acquire()  # a writer that took the lock and died
        assert dead.holders() == [gone]
        time.sleep(0.3)
        with StoreLock(store, META, wait_s=10).held() as holder:
            assert StoreLock(store, META).holders() == [holder]


def test_a_writer_waits_no_longer_than_it_was_told(sparql_server: SparqlServer) -> None:
    with RemoteStore(sparql_server.endpoints) as store:
        with StoreLock(store, META).held():
            started = time.monotonic()
            waiting = StoreLock(store, META, wait_s=0.3)
            with pytest.raises(StoreError, match="could not take the store's write lock"):
                waiting._acquire()
            assert time.monotonic() - started < 5
        assert StoreLock(store, META).holders() == []


def test_a_writer_waits_for_a_live_lease_by_reading_it(
    sparql_server: SparqlServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No claim is written beside a live holder's writes (on Virtuoso 7 a claim and the
    holder's write to the meta graph deadlocked once, #16); one is once the lease is gone."""
    with (
        RemoteStore(sparql_server.endpoints) as store,
        RemoteStore(sparql_server.endpoints) as theirs,
    ):
        claims: list[str] = []
        bookkeeping = theirs.update_bookkeeping

        def counted(text: str, **kwargs: object) -> None:
            claims.append(text)
            bookkeeping(text, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(theirs, "update_bookkeeping", counted)
        with StoreLock(store, META).held():
            with pytest.raises(StoreError, match="could not take"):
                StoreLock(theirs, META, wait_s=0.5)._acquire()
            assert claims == []
        with StoreLock(theirs, META, wait_s=10).held():
            assert len(claims) == 1  # the claim, once the lock was free


def test_taking_and_giving_back_the_lock_leaves_the_generation(
    sparql_server: SparqlServer,
) -> None:
    """Regression (#16): each claim and release renewed the generation, so every worker
    dropped its caches up to three extra times per decision."""
    with (
        RemoteStore(sparql_server.endpoints) as ours,
        RemoteStore(sparql_server.endpoints) as reader,
    ):
        ours.update(f"INSERT DATA {{ GRAPH <{COUNTER}> {{ <{COUNTER}> <{COUNTER}#n> 0 }} }}")
        before = reader.refresh_generation()
        assert before != 0  # the write made one
        with StoreLock(ours, META).held() as holder:
            assert StoreLock(reader, META).holders() == [holder]  # the lease is in the store
            held = reader.refresh_generation()
        assert StoreLock(reader, META).holders() == []
        assert held == before == reader.refresh_generation()


def test_a_review_decision_renews_the_generation_exactly_once(
    oxigraph_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision and its upkeep of the published graph are one update: one new generation,
    none for the lock taken around it."""
    oxigraph_server.clear()
    with new_content_kb(RemoteStore(oxigraph_server.endpoints, timeout_s=60)) as kb:
        flow = Contributions(kb)
        ref = submit_example(flow)
        reader = RemoteStore(oxigraph_server.endpoints)
        before = reader.refresh_generation()
        renewals: list[int] = []
        renewal = SharedGeneration.renewal

        def counted(self: SharedGeneration, *, as_bind: bool = False) -> tuple[str, int]:
            made = renewal(self, as_bind=as_bind)
            renewals.append(made[1])
            return made

        monkeypatch.setattr(SharedGeneration, "renewal", counted)
        flow.decide(ref, "accept", "r")
        assert len(renewals) == 1
        assert reader.refresh_generation() == renewals[0] != before
        reader.close()
    oxigraph_server.clear()
