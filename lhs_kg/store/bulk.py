"""Loading a large file into the embedded store in bounded memory, still all or nothing.

pyoxigraph's ``bulk_load`` is fast but not transactional, and its memory grows with the file (over
900 MB at 1M triples here). Here the file is parsed once and written in batches with
``bulk_extend``, so memory depends on the batch size, not on the file. All or nothing comes from
where each quad is written: a graph that did not exist before the load is written directly and
dropped again if the load fails; a graph that existed gets a staging graph, added to it in one
update at the end. The file is never split into separate parses, so a blank node keeps one
identity across batches.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

BATCH_QUADS = 200_000
"""Quads per write: peak RSS grows ~1.3 MB per thousand, and smaller batches cost time (bench)."""

_GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
_Destination = ox.NamedNode | ox.BlankNode


def bulk_add(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    graph: ox.NamedNode,
    *,
    batch_quads: int = BATCH_QUADS,
) -> None:
    """Add a file's RDF to ``store``: triples (and a dataset's default graph) go to ``graph``.

    Raises the parser's ``SyntaxError`` or the ``OSError`` of reading or writing, after putting
    the store back as it was.
    """
    if batch_quads < 1:
        raise ValueError(f"batch_quads must be positive, not {batch_quads}")
    plan = _Plan(store, graph)
    try:
        quads = ox.parse(path=str(path), format=fmt, rename_blank_nodes=True)
        while batch := plan.route(islice(quads, batch_quads)):
            store.bulk_extend(batch)
        plan.commit()
    except BaseException:
        plan.undo()
        raise


class _Plan:
    """Where the quads of each graph name go during one load, and how to finish or undo it."""

    def __init__(self, store: ox.Store, default: ox.NamedNode) -> None:
        self._store = store
        self._default = default
        self._routes: dict[_GraphName, _Destination] = {}
        self._writes: dict[_Destination, _Destination] = {}  # target -> itself or its staging

    def route(self, quads: Iterable[ox.Quad]) -> list[ox.Quad]:
        """The next quads, each renamed into the graph it is written to now."""
        routes = self._routes
        out = []
        for quad in quads:
            name = quad.graph_name
            where = routes.get(name)
            if where is None:
                where = routes[name] = self._destination(name)
            if where == name:
                out.append(quad)
            else:
                out.append(ox.Quad(quad.subject, quad.predicate, quad.object, where))
        return out

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
        """Add every staging graph to its target in one transaction, then drop it."""
        moves = [
            f"ADD GRAPH {staging} TO GRAPH {target} ; DROP GRAPH {staging}"
            for target, staging in self._writes.items()
            if staging != target
        ]
        if moves:
            self._store.update(" ; ".join(moves))

    def undo(self) -> None:
        """Remove everything this load wrote: the graphs it created and the staging graphs."""
        for written in self._writes.values():
            if self._store.contains_named_graph(written):
                self._store.remove_graph(written)


def staging_graph(target: ox.NamedNode) -> ox.NamedNode:
    """A graph name nobody else uses, for loading before a swap."""
    return ox.NamedNode(f"{target.value}#staging-{time.monotonic_ns()}")
