"""The Python API: one object that opens the configured store and answers questions about it.

Queries read the published view (content graphs and accepted contributions) unless
``scope="all"`` is asked for. The view is one materialised graph (:mod:`lhs_kg.layout`), so a
query costs the same however many versions the store keeps; writes made through this object
keep it right.

>>> from lhs_kg import KnowledgeBase, Settings
>>> with KnowledgeBase(Settings(store="memory")) as kb:
...     kb.load_bytes(b'<https://example.org/a> a <https://example.org/C> .', "ttl",
...                   graph="https://w3id.org/lhs-kg/graph/data/example")
...     [row["s"].value for row in kb.query("SELECT ?s WHERE { ?s a ?c }").rows()]
['https://example.org/a']
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.cache import Derived
from lhs_kg.config import Settings
from lhs_kg.errors import InputError
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import is_derived, published_graphs
from lhs_kg.layout import PublishedLayout, reads_by_name
from lhs_kg.loader import (
    FileLoad,
    LoadSummary,
    Progress,
    check_file,
    graph_iri_for,
    graphs_named_in,
    load_file,
    rebuild,
    triples_in,
)
from lhs_kg.sparql_text import check_query
from lhs_kg.store import GraphInfo, QueryResult, Store, open_store
from lhs_kg.store.base import Bindings
from lhs_kg.store.generation import meta_graph

Scope = Literal["published", "all"]
SCOPES: tuple[Scope, ...] = ("published", "all")
"""What a query reads: the published view (the default) or every graph, pending and private too."""

_NO_GRAPH = "urn:lhs-kg:no-graph"


@dataclass(frozen=True)
class Stats:
    """Counts that describe the knowledge base at a glance."""

    triples: int
    graphs: int
    classes: list[tuple[str, int]]
    schemes: list[tuple[str, str, int]]


class KnowledgeBase:
    """The LHS knowledge base on the configured store; use it as a context manager."""

    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.store = store or open_store(self.settings)
        self.layout = PublishedLayout(self.store, self.settings)
        self._published: Derived[list[str] | None] = Derived(self.store, self._published_scope)
        self._names: Derived[list[str] | None] = Derived(self.store, self._published_names)

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    def query(
        self,
        text: str,
        *,
        bindings: Bindings | Sequence[Bindings] | None = None,
        union: bool = True,
        timeout_s: float | None = None,
        scope: Scope = "published",
    ) -> QueryResult:
        """Run a SPARQL query, after the safety checks, over the published view by default.

        ``scope="all"`` reads the union of every graph (pending, rejected and superseded versions
        and the private registry too: for curators). ``union=False`` leaves the dataset to the
        store (the default graph only) and ignores ``scope``. A query that reads graphs by name
        (``GRAPH``) sees the published sources under their own names.
        """
        check_query(
            text,
            max_chars=self.settings.max_query_chars,
            max_depth=self.settings.max_query_depth,
            allow_service=self.settings.allow_service,
        )
        if scope not in SCOPES:
            raise InputError(f"unknown query scope {scope!r} (known: {', '.join(SCOPES)})")
        if not union:
            return self.store.query(text, bindings=bindings, union=False, timeout_s=timeout_s)
        if scope == "published":
            graphs = self.published_scope()
            names = self.published_names() if reads_by_name(text) else graphs
        else:
            graphs = names = self._every_source()
        if graphs is None:
            return self.store.query(text, bindings=bindings, union=True, timeout_s=timeout_s)
        return self.store.query(
            text,
            bindings=bindings,
            union=False,
            default_graphs=graphs or [_NO_GRAPH],
            named_graphs=names or [_NO_GRAPH],
            timeout_s=timeout_s,
        )

    def query_named(
        self,
        name: str,
        params: Mapping[str, str] | None = None,
        *,
        scope: Scope = "published",
    ) -> QueryResult:
        """Run a named query of ``queries/`` with text parameters, over the published view."""
        from lhs_kg.queries import QueryLibrary

        named = QueryLibrary.from_settings(self.settings).get(name)
        return self.query(named.text, bindings=named.bind(params or {}), scope=scope)

    def published_scope(self) -> list[str] | None:
        """The graphs public queries read as their default graph: the one published graph
        (#16); on a store not yet migrated, every published graph, or None for the union when
        all are published.

        Kept for one store generation (read from a shared store once per unit of work), so
        asking is cheap.
        """
        return self._published.get()

    def published_names(self) -> list[str] | None:
        """The published source graphs, which public queries may read by name (``GRAPH ?g``).

        Their number grows with history, so only queries that read graphs by name ask for them.
        """
        return self._names.get()

    def _published_names(self) -> list[str] | None:
        if self.layout.ready():
            return self.layout.sources()
        return self._legacy_scope()

    def _every_source(self) -> list[str] | None:
        """Every graph but the layout's copies (None: the union, when the store has none)."""
        if not self.layout.ready():
            return None
        # the store's own listing: a remote engine may need another query (Virtuoso answers
        # ``GRAPH ?g {}`` with no names) and lists only the knowledge base's graphs
        meta = meta_graph(self.settings.base_iri)  # a shared store's generation: never read
        return [
            g for g in self.store.graph_names() if not is_derived(self.settings, g) and g != meta
        ]

    def _published_scope(self) -> list[str] | None:
        if self.layout.ready():
            return [self.layout.graph]
        return self._legacy_scope()

    def _legacy_scope(self) -> list[str] | None:
        """The published view of a store built before #16: a list of every published graph."""
        prefix = self.settings.base_iri + "graph/"
        always = tuple(prefix + part for part in ("ontology/", "data/", "inferred/"))
        meta = meta_graph(self.settings.base_iri)  # a shared store's generation: never public
        names = [name for name in self.store.graph_names() if name != meta]
        if all(name.startswith(always) for name in names):
            return None
        published = published_graphs(self.store, self.settings)
        return None if sorted(published) == sorted(names) else published

    def load(self, path: Path, *, graph: str | None = None, fmt: str | None = None) -> str:
        """Add one file to the store (graph derived from the path unless given)."""
        return load_file(
            self.store, path, self.settings, graph=graph, fmt=rdf_format(fmt) if fmt else None
        )

    def load_counted(
        self, path: Path, *, graph: str | None = None, fmt: str | None = None
    ) -> FileLoad:
        """Add one file and say how many triples its graphs gained and how long it took.

        An N-Quads or TriG file writes the graphs it names (its default graph goes to the
        target): each of them is counted, not the target alone (which said "loaded 0 triples").
        """
        started = time.perf_counter()
        detected = check_file(path, self.settings)
        target = graph or graph_iri_for(path, self.settings)
        named = graphs_named_in(path, rdf_format(fmt) if fmt else detected)
        graphs = sorted(named | {target})
        before = {g: self._triples_in(g) for g in graphs}
        target = load_file(
            self.store,
            path,
            self.settings,
            graph=graph,
            fmt=rdf_format(fmt) if fmt else None,
            named=named,
        )
        gained = {g: self._triples_in(g) - before[g] for g in graphs}
        written = [g for g in graphs if g in named or (g == target and (gained[g] or not named))]
        written = written or [target]
        return FileLoad(target, sum(gained.values()), time.perf_counter() - started, tuple(written))

    def _triples_in(self, graph: str) -> int:
        """One graph's size, counted in that graph alone (two full scans per load otherwise)."""
        return triples_in(self.store, graph)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph, and from the published view what only it held (#16)."""
        with self.layout.replacing(graph):
            self.store.drop_graph(graph)

    def load_bytes(self, data: bytes, fmt: str, *, graph: str) -> None:
        """Add RDF held in memory to a named graph (and to the published view if it is public)."""
        self.store.load(data, rdf_format(fmt), graph)
        self.layout.sync(changed=[graph])

    def rebuild(
        self, progress: Progress | None = None, checking: Progress | None = None
    ) -> LoadSummary:
        """(Re)build the content graphs from ``ontology/`` and ``data/`` (``checking`` hears of
        the syntax check, ``progress`` of the load)."""
        return rebuild(self.store, self.settings, progress=progress, checking=checking)

    def is_empty(self) -> bool:
        """True when the store holds no named graph yet."""
        return not self.store.graphs()

    def graphs(self) -> list[GraphInfo]:
        """Named graphs with their triple counts."""
        return self.store.graphs()

    def dump(self, output: IO[bytes], fmt: str = "nq", graph: str | None = None) -> None:
        """Stream a graph or the whole dataset to ``output``."""
        self.store.dump(output, rdf_format(fmt), graph)

    def stats(self) -> Stats:
        """Triples, graphs, instances per class and concepts per scheme.

        The layout's copies (the published graph, its record) are left out: each stored triple
        counts once.
        """
        graphs = [g for g in self.store.graphs() if not is_derived(self.settings, g.iri)]
        classes = [
            (row["class"].value, int(row["n"].value))
            for row in self.store.query(sparql.text("kb/class-counts")).rows()
            if isinstance(row.get("class"), ox.NamedNode)
        ]
        schemes = [
            (row["scheme"].value, row["label"].value if "label" in row else "", int(row["n"].value))
            for row in self.store.query(sparql.text("kb/scheme-counts")).rows()
        ]
        return Stats(sum(g.triples for g in graphs), len(graphs), classes, schemes)
