"""Loading a large file into the embedded store in bounded memory, still all or nothing.

pyoxigraph's ``bulk_load`` is fast but not transactional, and its memory grows with the file (over
900 MB at 1M triples here). Here the file is parsed once and written in batches with
``bulk_extend``, so memory depends on the batch size, not on the file. All or nothing comes from
where each quad is written: a graph that did not exist before the load is written directly and
dropped again if the load fails; a graph that existed gets a staging graph, added to it in one
update at the end. The file is never split into separate parses, so a blank node keeps one
identity across batches.

A transaction holds everything it writes, so a staging graph is added to its target in one update
only while it is at most one batch; a larger one is copied a batch at a time (a million quads into
an existing graph in one update took 3.6 GB and four minutes here). The file has been read whole
by then, so bad input still changes nothing; what the larger case gives up is that concurrent
readers may see the target part-way through the copy, and if a write fails during it the target
keeps the part copied so far. Loading the same file again completes it: RDF graphs are sets.

A load may also write each quad into a second graph in the same pass (a :class:`Mirror`: the
published copy of #16). Undoing it takes out of that graph the triples this load put there that
none of the mirror's keepers holds, before the written graphs are emptied.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.sparql import bind
from lhs_kg.store.mirror import Mirror

BATCH_QUADS = 200_000
"""Quads per write. Measured at 1M triples: 200k peaks at ~215 MB as fast as ``bulk_load``;
100k at ~135 MB but with more CPU (more files to compact); 500k at ~490 MB and no faster."""

UNDO_QUADS = 50_000
"""Quads deleted per transaction when a failed load is undone (a transaction holds them all)."""

_GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
_Destination = ox.NamedNode | ox.BlankNode


def bulk_add(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    graph: ox.NamedNode,
    *,
    batch_quads: int = BATCH_QUADS,
    mirror: Mirror | None = None,
) -> None:
    """Add a file's RDF to ``store``: triples (and a dataset's default graph) go to ``graph``,
    and the quads of the graphs ``mirror`` wants also go to its graph.

    Raises the parser's ``SyntaxError`` or the ``OSError`` of reading or writing, after putting
    the store back as it was.
    """
    if batch_quads < 1:
        raise ValueError(f"batch_quads must be positive, not {batch_quads}")
    plan = _Plan(store, graph, batch_quads, mirror)
    try:
        quads = ox.parse(path=str(path), format=fmt, rename_blank_nodes=True)
        for first in quads:  # each batch takes its first quad here and the rest from the same parse
            batch = chain((first,), islice(quads, batch_quads - 1))
            store.bulk_extend(plan.route(batch))  # a generator: no batch is held in Python
        plan.commit()
    except BaseException:
        plan.undo()
        raise


class _Plan:
    """Where the quads of each graph name go during one load, and how to finish or undo it."""

    def __init__(
        self, store: ox.Store, default: ox.NamedNode, batch_quads: int, mirror: Mirror | None
    ) -> None:
        self._store = store
        self._default = default
        self._batch_quads = batch_quads
        self._mirror = mirror
        self._mirror_graph = ox.NamedNode(mirror.graph) if mirror else None
        self._routes: dict[_GraphName, tuple[_Destination, bool]] = {}
        self._writes: dict[_Destination, _Destination] = {}  # target -> itself or its staging
        self._mirrored: set[_Destination] = set()  # targets whose quads also go to the mirror
        self._mirror_existed = mirror is not None and store.contains_named_graph(
            ox.NamedNode(mirror.graph)
        )

    def route(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """The quads, each renamed into the graph it is written to now (and mirrored, if so)."""
        routes, mirror = self._routes, self._mirror_graph
        for quad in quads:
            name = quad.graph_name
            route = routes.get(name)
            if route is None:
                route = routes[name] = self._route(name)
            where, mirrored = route
            if where == name:
                yield quad
            else:
                yield ox.Quad(quad.subject, quad.predicate, quad.object, where)
            if mirrored:
                yield ox.Quad(quad.subject, quad.predicate, quad.object, mirror)

    def _route(self, name: _GraphName) -> tuple[_Destination, bool]:
        """Where a graph name's quads are written, and whether they are mirrored too."""
        where = self._destination(name)
        target = self._default if isinstance(name, ox.DefaultGraph) else name
        return where, target in self._mirrored or self._mirrors(target, new=where == target)

    def _mirrors(self, target: _Destination, *, new: bool) -> bool:
        """Whether ``target``'s quads go to the mirror: a graph it wants that is new, or that it
        already unites (an existing graph it does not unite yet is copied whole afterwards)."""
        mirror = self._mirror
        if (
            mirror is None
            or not isinstance(target, ox.NamedNode)
            or target == self._mirror_graph
            or not mirror.wanted(target.value)
            or not (new or target.value in mirror.keepers)
        ):
            return False
        self._mirrored.add(target)
        return True

    def _destination(self, name: _GraphName) -> _Destination:
        """Decided once per target, before anything of this load is written to it."""
        target = self._default if isinstance(name, ox.DefaultGraph) else name
        if target not in self._writes:
            if isinstance(target, ox.NamedNode) and self._store.contains_named_graph(target):
                self._writes[target] = staging_graph(target)
            else:  # new (a blank graph name is: the parser renamed it)
                self._writes[target] = target
        return self._writes[target]

    def commit(self) -> None:
        """Add every staging graph to its target, then drop it.

        Staging graphs of at most one batch go in one transaction, so readers see all or none of
        them; larger ones are copied a batch per write (see the module docstring).
        """
        large = [
            (target, staging)
            for target, staging in self._writes.items()
            if isinstance(staging, ox.NamedNode)
            and staging != target
            and self._over_a_batch(staging)
        ]
        small = [(t, s) for t, s in self._writes.items() if s != t and (t, s) not in large]
        if small:
            self._store.update(
                " ; ".join(f"ADD GRAPH {s} TO GRAPH {t} ; DROP GRAPH {s}" for t, s in small)
            )
        for target, staging in large:
            self._copy_in_batches(staging, target)
            self._empty_in_batches(staging)
            self._store.remove_graph(staging)
        if self._mirror is not None:
            self._mirror.copied.update(
                t.value for t in self._mirrored if isinstance(t, ox.NamedNode)
            )

    def _over_a_batch(self, graph: ox.NamedNode) -> bool:
        """Whether ``graph`` holds more than one batch of quads (reads at most one batch)."""
        return holds_over(self._store, graph, self._batch_quads)

    def _copy_in_batches(self, source: _Destination, target: _Destination) -> None:
        """Write ``source``'s quads into ``target``, one batch per bulk write."""
        copy_in_batches(self._store, source, target, self._batch_quads)

    def undo(self) -> None:
        """Remove everything this load wrote: the graphs it created and the staging graphs.

        A named graph is emptied a batch at a time, flushed after each: removing a graph in one
        transaction holds all of it in memory (about 600 MB more for a million quads).
        """
        for target, written in self._writes.items():
            if target in self._mirrored:
                self._unmirror(written)
            if isinstance(written, ox.NamedNode):
                self._empty_in_batches(written)
            if self._store.contains_named_graph(written):
                self._store.remove_graph(written)
        mirror = self._mirror_graph
        if mirror and not self._mirror_existed and self._store.contains_named_graph(mirror):
            self._store.remove_graph(mirror)  # all it held came from this load and has left it

    def _unmirror(self, written: _Destination) -> None:
        """Take out of the mirror the triples of ``written`` that none of its keepers holds
        (the ones this load put there), a batch per flush."""
        assert self._mirror is not None and self._mirror_graph is not None
        keepers = {ox.NamedNode(g) for g in self._mirror.keepers}
        mirror, store, gone = self._mirror_graph, self._store, 0
        for quad in store.quads_for_pattern(None, None, None, written):
            s, p, o = quad.subject, quad.predicate, quad.object
            if not any(h.graph_name in keepers for h in store.quads_for_pattern(s, p, o, None)):
                store.remove(ox.Quad(s, p, o, mirror))
                gone += 1
                if gone % UNDO_QUADS == 0:
                    store.flush()

    def _empty_in_batches(self, graph: ox.NamedNode) -> None:
        """Delete a graph's quads a batch per transaction, until empty or no longer shrinking."""
        delete = bind(
            sparql.text("store/empty-graph-batch"),
            {"g": graph},
            limit=min(self._batch_quads, UNDO_QUADS),
        )
        first = next(self._store.quads_for_pattern(None, None, None, graph), None)
        while first is not None:
            self._store.update(delete)
            self._store.flush()  # else the deletions pile up in memory, ~30 MB per 50k quads
            after = next(self._store.quads_for_pattern(None, None, None, graph), None)
            if after == first:  # no progress: remove_graph takes what is left
                return
            first = after


def holds_over(store: ox.Store, graph: ox.NamedNode, quads: int) -> bool:
    """Whether ``graph`` holds more than ``quads`` quads (reads at most that many)."""
    found = store.quads_for_pattern(None, None, None, graph)
    return next(islice(found, quads, None), None) is not None


def copy_in_batches(
    store: ox.Store, source: _Destination, target: _Destination, batch_quads: int = BATCH_QUADS
) -> None:
    """Write ``source``'s quads into ``target``, one batch per bulk write (not one transaction)."""
    quads = store.quads_for_pattern(None, None, None, source)
    for first in quads:
        batch = chain((first,), islice(quads, batch_quads - 1))
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in batch)


def staging_graph(target: ox.NamedNode) -> ox.NamedNode:
    """A graph name nobody else uses, for loading before a swap."""
    return ox.NamedNode(f"{target.value}#staging-{time.monotonic_ns()}")
