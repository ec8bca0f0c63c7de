"""The default store: pyoxigraph's persistent on-disk store (or an in-memory one for tests)."""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.errors import ParseError, QueryError, StoreError
from lhs_kg.formats import Format, ox_rdf
from lhs_kg.sparql import bind
from lhs_kg.sparql_text import query_form
from lhs_kg.store import lasting
from lhs_kg.store.base import (
    Bindings,
    GraphInfo,
    QueryResult,
    Store,
    graph_iri,
    with_default_graph,
)
from lhs_kg.store.bulk import (
    BATCH_QUADS,
    bulk_add,
    copy_in_batches,
    holds_over,
    staging_graph,
)
from lhs_kg.store.mirror import Mirror

log = logging.getLogger(__name__)

_BULK_BYTES = 1_000_000
"""Files above this size go through the batched bulk loader (≈1.8× faster at 100k triples)."""


_Method = TypeVar("_Method", bound=Callable[..., None])


def _advances_generation(method: _Method) -> _Method:
    """Mark a write: the generation moves on as it starts and once it ends, failed or not (it
    may have had effects).

    Moving on afterwards is what makes the number safe for caches: whatever a reader built
    while a write was running is filed under an older number, which never comes back in this
    process. Moving on as it starts too keeps a number that may come back after a restart
    (:mod:`lhs_kg.store.lasting`) for data no write was changing: a reader that finds the
    number moved while it worked keeps its answer in memory only (:mod:`lhs_kg.aggregates`).
    A store that is closing takes no new write, and one closed during a write records nothing.
    """

    @functools.wraps(method)
    def wrapper(self: EmbeddedStore, *args: Any, **kwargs: Any) -> None:
        with self._writing_lock:
            if self._closing:
                raise StoreError("the store is closing: the write was not made")
            self._writing += 1
            self._generation = next(self._writes)
        try:
            method(self, *args, **kwargs)
        finally:
            with self._writing_lock:
                self._generation = next(self._writes)
                self._writing -= 1

    return cast(_Method, wrapper)


class EmbeddedStore(Store):
    """A pyoxigraph store; ``path=None`` keeps everything in memory.

    ``bulk_batch_quads`` is how many quads a large file's load writes at a time (tests lower it).
    """

    def __init__(self, path: Path | None = None, *, bulk_batch_quads: int = BATCH_QUADS) -> None:
        self.path = path
        self._bulk_batch_quads = bulk_batch_quads
        self._writes = itertools.count(1)
        self._generation = 0
        self._writing = 0
        self._writing_lock = threading.Lock()
        self._closing = False
        self.description = str(path) if path else "memory"
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                with lasting.guarded(path):  # no other lhs-kg process between check and open
                    # before opening: the database writes files as it opens (lhs_kg.store.lasting)
                    left = lasting.recorded(path)
                    self._store = ox.Store(str(path))
                    lasting.forget(path)
                self._generation = left if left is not None else lasting.drawn()
                self._writes = itertools.count(lasting.next_writes(self._generation))
                self.lasting_generation = True
        except OSError as err:
            text = str(err)
            if "lock" in text.lower():
                raise StoreError(
                    f"the store at {path} is in use by another process (it holds the lock); "
                    "stop that process or point LHS_KG_STORE at another folder"
                ) from None
            raise StoreError(f"cannot open the store at {path}: {text}") from None

    @property
    def generation(self) -> int:
        """Moves on with every write: this process holds the store's lock, so no one else can
        write. In memory it counts from 0; on disk it starts from the number the store last
        closed on when the folder is as that close left it, else from a random one
        (:mod:`lhs_kg.store.lasting`), so answers kept in the instance folder outlast a
        restart."""
        return self._generation

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store, for engine modules that need its speed directly."""
        return self._store

    def query(
        self,
        text: str,
        *,
        bindings: Bindings | Sequence[Bindings] | None = None,
        union: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        kwargs: dict[str, object] = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif union:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:  # VALUES, not substitutions: those require the variable to be projected
            text = bind(text, bindings)
        deadline = time.monotonic() + timeout_s if timeout_s else None
        try:
            payload = self._store.query(text, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except OSError as err:
            raise QueryError(f"the query failed: {err}") from None
        if isinstance(payload, ox.QueryBoolean):
            kind = "ask"
        elif isinstance(payload, ox.QuerySolutions):
            kind = "select"
        else:
            kind = "graph"
        return QueryResult(kind, payload, deadline=deadline, max_rows=max_rows)

    @_advances_generation
    def update(
        self,
        text: str,
        *,
        bindings: Bindings | Sequence[Bindings] | None = None,
        default_graph: str | None = None,
    ) -> None:
        if query_form(text) != "update":
            raise QueryError("not a SPARQL update")
        if bindings:
            text = bind(text, bindings)
        if default_graph is not None:
            text = with_default_graph(text, default_graph)
        try:
            self._store.update(text)
        except SyntaxError as err:
            raise QueryError(f"SPARQL update syntax error: {err}") from None
        except (OSError, RuntimeError) as err:  # an operation failed: the request is undone
            raise StoreError(f"the update failed: {err}") from None

    @_advances_generation
    def load(
        self, data: bytes | Path, fmt: Format, graph: str, *, mirror: Mirror | None = None
    ) -> None:
        """A file over 1 MB goes through the batched bulk loader, which writes the ``mirror``
        copy in the same pass; anything smaller is one transaction and is not mirrored."""
        target = graph_iri(graph)
        source = str(data) if isinstance(data, Path) else "input"
        try:
            if isinstance(data, bytes):
                self._store.load(data, format=ox_rdf(fmt), to_graph=target)
            elif data.stat().st_size > _BULK_BYTES:
                bulk_add(
                    self._store,
                    data,
                    ox_rdf(fmt),
                    target,
                    batch_quads=self._bulk_batch_quads,
                    mirror=mirror,
                )
            else:
                self._store.load(path=str(data), format=ox_rdf(fmt), to_graph=target)
        except SyntaxError as err:
            raise _parse_error(err, source) from None
        except OSError as err:
            raise StoreError(f"{source}: cannot load: {err}") from None

    @_advances_generation
    def replace_graph(self, graph: str, data: bytes | Path, fmt: Format) -> None:
        target = graph_iri(graph)
        staging = staging_graph(target)
        self.load(data, fmt, staging.value)  # a parse error leaves the store untouched
        if self._store.contains_named_graph(staging):
            self._store.update(f"MOVE GRAPH {staging} TO GRAPH {target}")
        else:
            self.drop_graph(graph)

    @_advances_generation
    def copy_graphs(self, sources: Sequence[str], target: str) -> None:
        """Small graphs in one update; a graph over a batch is copied a batch per bulk write, in
        bounded memory (a million quads in one update took 2.2 GB and 90 s here, #16)."""
        into, batch = graph_iri(target), self._bulk_batch_quads
        large = [s for s in sources if holds_over(self._store, graph_iri(s), batch)]
        for source in large:
            copy_in_batches(self._store, graph_iri(source), into, batch)
        super().copy_graphs([s for s in sources if s not in large], target)

    @_advances_generation
    def drop_graph(self, graph: str) -> None:
        target = graph_iri(graph)
        if self._store.contains_named_graph(target):
            self._store.remove_graph(target)

    def dump(self, output: IO[bytes], fmt: Format, graph: str | None = None) -> None:
        if graph is None:
            if not ox_rdf(fmt).supports_datasets:
                raise StoreError(
                    f"{fmt.name} holds one graph only; dump the dataset as nq or trig, "
                    "or name a graph"
                )
            self._store.dump(output, ox_rdf(fmt))
        else:
            self._store.dump(output, ox_rdf(fmt), from_graph=graph_iri(graph))

    def graphs(self) -> list[GraphInfo]:
        counts = {
            row["g"].value: int(row["n"].value)
            for row in self._store.query(sparql.text("store/triples-per-graph"))  # type: ignore[union-attr]
            if isinstance(row["g"], ox.NamedNode)
        }
        for name in self._iri_named_graphs():
            counts.setdefault(name.value, 0)
        return [GraphInfo(iri, n) for iri, n in sorted(counts.items())]

    def graph_names(self) -> list[str]:
        return sorted(name.value for name in self._iri_named_graphs())

    def _iri_named_graphs(self) -> Iterator[ox.NamedNode]:
        """The graphs named by an IRI, as the SPARQL stores list them: a graph named by a blank
        node (a dataset file could write one) cannot be copied or asked for by name."""
        return (g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    @_advances_generation
    def _load_nquads(self, data: bytes) -> None:
        try:
            self._store.load(data, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as err:
            raise _parse_error(err, "quads") from None

    def flush(self) -> None:
        """Make sure everything written so far is on disk."""
        self._store.flush()

    def close(self) -> None:
        with self._writing_lock:
            self._closing = True
            writing = self._writing
        if self.path is None:
            del self._store
            return
        with contextlib.suppress(OSError):
            self._store.flush()
        with lasting.guarded(self.path):  # no other lhs-kg process between close and record
            del self._store
            if writing:  # a write still running (a server stopping mid-request): no number
                log.warning("the store closed during a write: its generation is not kept")
            else:  # after the close: the database writes as it closes
                lasting.record(self.path, self._generation)


def _parse_error(err: SyntaxError, source: str) -> ParseError:
    message = str(err.msg if hasattr(err, "msg") and err.msg else err)
    return ParseError(message, source=source, line=err.lineno, column=err.offset)
