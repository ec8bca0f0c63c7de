"""A write lock kept in the store itself, for writers that share a store server but no disk.

Measured on ``oxigraph serve`` (0.5): three clients each sending 300 read-modify-write updates
of one counter at once ended at 892, not 900. Each request is one transaction, but two
requests may read the same snapshot and both commit, so a decision and its upkeep computed
from states another request is changing at that moment could both be lost. Writes that must
not interleave (review decisions, an operator's update and the published graph's upkeep) take
this lock first.

The lock is a lease in the store's private meta graph (``<base>graph/meta``): a claim writes
a holder only when none is there, then the claimant reads the holders. Two claims that crossed
may both be written, but each claimant reads after its own claim committed, so at least one of
them sees both and gives up (backing off a random while); one that sees itself alone holds the
lock. While a live lease is there, the others wait by reading it, and claim only once it is
gone or ran out: a claim is a write to the meta graph, beside the holder's own writes there
(on Virtuoso 7 the two deadlocked once). A lease runs out (30 s by default), so a writer that
died does not block the others for long. A file lock would not do: the workers may run on
different machines. Claims and releases leave the store's generation as it is
(:meth:`Store.update_bookkeeping`): readers see one new generation per write, not three more
per lock taken (#16).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.errors import StoreError
from lhs_kg.store.base import Store

_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def _stamp(moment: datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(timespec="milliseconds"), datatype=_DATETIME)


class StoreLock:
    """Mutual exclusion among every process writing one store, kept in its ``meta`` graph."""

    def __init__(
        self, store: Store, meta: str, *, lease_s: float = 30.0, wait_s: float = 60.0
    ) -> None:
        self.store = store
        self._terms = {"meta": ox.NamedNode(meta), "lock": ox.NamedNode(f"{meta}#write-lock")}
        self.lease_s = lease_s
        self.wait_s = wait_s

    def holders(self) -> list[str]:
        """Who holds or claims the lock now (several only while claims cross)."""
        rows = self.store.query(
            sparql.text("store/lock-holders"), bindings=self._terms, union=False, named_graphs=[]
        ).rows()  # no dataset of ours: the meta graph is never listed among the store's graphs
        return sorted(row["holder"].value for row in rows if "holder" in row)

    @contextmanager
    def held(self) -> Iterator[str]:
        """Hold the lock for the block (its holder IRI); :class:`StoreError` after ``wait_s``."""
        holder = self._acquire()
        try:
            yield holder
        finally:
            self._release(holder)

    def _acquire(self) -> str:
        deadline = time.monotonic() + self.wait_s
        pause = 0.005
        while True:
            now = datetime.now(UTC)
            if not self._live_holders(now):  # free, or its lease ran out: claim it
                holder = f"urn:lhs-kg:lock-holder:{secrets.token_hex(12)}"
                until = now + timedelta(seconds=self.lease_s)
                self.store.update_bookkeeping(
                    sparql.text("store/lock-claim"),
                    bindings={
                        **self._terms,
                        "holder": ox.NamedNode(holder),
                        "now": _stamp(now),
                        "until": _stamp(until),
                    },
                )
                holders = self.holders()
                if holders == [holder]:
                    return holder
                if holder in holders:  # claims crossed: give way, try again after a random while
                    self._release(holder)
            if time.monotonic() > deadline:
                raise StoreError(
                    f"could not take the store's write lock within {self.wait_s:.0f} s "
                    "(another writer holds it)"
                )
            time.sleep(pause * (1 + random.random()))  # jitter, not a secret
            pause = min(pause * 2, 0.5)

    def _live_holders(self, now: datetime) -> list[str]:
        """The holders whose lease has not ended at ``now`` (read only)."""
        rows = self.store.query(
            sparql.text("store/lock-live-holders"),
            bindings={**self._terms, "now": _stamp(now)},
            union=False,
            named_graphs=[],
        ).rows()
        return [row["holder"].value for row in rows if "holder" in row]

    def _release(self, holder: str) -> None:
        self.store.update_bookkeeping(
            sparql.text("store/lock-release"),
            bindings={**self._terms, "holder": ox.NamedNode(holder)},
        )
