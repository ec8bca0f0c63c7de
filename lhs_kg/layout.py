"""The published view as one graph, kept right on every write, so reads never list history (#16).

Every contribution version stays in its own named graph (history and provenance complete,
nothing deleted), but public queries no longer name every published graph: they read the one
graph ``<base>graph/published``, which holds exactly the union of the published sources
(:func:`lhs_kg.graphs.is_published`). Which sources it unites is recorded in the private graph
``<base>graph/published-sources``; its presence says the store has this layout.

Writes keep the graph right incrementally: a graph newly published is copied in, a graph that
left the view takes out the triples no other recorded source holds, a published graph whose
content is replaced is compared with a snapshot of its old content. Only an update that may
write anywhere (the token endpoint naming graphs) and a whole-content rebuild copy everything
again. Copies are made inside the store (:meth:`lhs_kg.store.Store.copy_graphs`), so blank
nodes stay the same terms; a large graph is copied in bounded batches on the embedded store.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.graphs import (
    is_derived,
    is_published,
    published_graph,
    published_graphs,
    published_record_graph,
    review_states,
)
from lhs_kg.published_changes import log_of, touched_case_studies
from lhs_kg.sparql_text import tokens
from lhs_kg.store import Store
from lhs_kg.store.mirror import Mirror

#: One keeper at a time in this process: two writers bringing the graph up to date at once
#: could each act on the other's half-done record (re-entrant: a sync runs inside ``replacing``).
_KEEPER = threading.RLock()
#: Graphs copied or retracted per update, so one update's text stays a modest size.
_BATCH = 500
#: Words of an update that may write outside its default graph (then everything is recopied).
_NAMING_WORDS = frozenset(
    {"GRAPH", "WITH", "USING", "INTO", "ADD", "COPY", "MOVE", "DROP", "CLEAR", "CREATE", "LOAD"}
)
#: Words of a query that may read graphs by name (then the published sources are named).
_READS_BY_NAME = frozenset({"GRAPH", "NAMED"})


@dataclass(frozen=True)
class SyncReport:
    """What one bringing-up-to-date did: graphs added to and removed from the published view."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    rebuilt: bool = False


@dataclass(frozen=True)
class Check:
    """How the published graph compares with its definition (all zero/empty when right)."""

    ready: bool
    missing_sources: tuple[str, ...]
    stray_sources: tuple[str, ...]
    missing_triples: int
    extra_triples: int

    @property
    def ok(self) -> bool:
        """True when the graph holds exactly the union of the published sources."""
        return self.ready and not (
            self.missing_sources or self.stray_sources or self.missing_triples or self.extra_triples
        )


def view_graphs(store: Store, settings: Settings) -> list[str]:
    """The graphs to read as the published view's default graph: the one published graph, or
    on a store not migrated yet, every published graph."""
    layout = PublishedLayout(store, settings)
    return [layout.graph] if layout.ready() else published_graphs(store, settings)


def reads_by_name(text: str) -> bool:
    """Whether a query may read named graphs (``GRAPH``, ``FROM NAMED``): only then are the
    published sources named in its dataset, a cost that grows with history."""
    return any(token.text.upper() in _READS_BY_NAME for token in tokens(text))


def writes_by_name(text: str) -> bool:
    """Whether an update may write outside its default graph (names a graph, loads, drops…)."""
    return any(token.text.upper() in _NAMING_WORDS for token in tokens(text))


class PublishedLayout:
    """The materialised published graph of one store: read its state, keep it right."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.graph = published_graph(settings)
        self.record = published_record_graph(settings)
        self._terms = {"published": ox.NamedNode(self.graph), "record": ox.NamedNode(self.record)}

    def ready(self) -> bool:
        """Whether the store has this layout (else readers fall back to listing the sources)."""
        return self.store.query(
            sparql.text("layout/is-ready"), bindings=self._terms, union=False
        ).boolean

    def sources(self) -> list[str]:
        """The graphs the published graph unites, as recorded, sorted."""
        rows = self.store.query(
            sparql.text("layout/sources"), bindings=self._terms, union=False
        ).rows()
        return sorted({row["source"].value for row in rows if "source" in row})

    def source_counts(self) -> dict[str, int]:
        """Triples per recorded source, counted in those graphs alone (``store.graphs()`` would
        count every version ever kept)."""
        sources = self.sources()
        counts = dict.fromkeys(sources, 0)
        if sources:
            rows = self.store.query(
                sparql.text("layout/source-counts"),
                bindings=[{"source": ox.NamedNode(g)} for g in sources],
                union=False,
            ).rows()
            counts.update({row["source"].value: int(row["n"].value) for row in rows})
        return counts

    def rebuild(self) -> SyncReport:
        """Copy every published source again and drop what none holds (migration, a reload).

        Copies first, prunes last: a reader meanwhile may see a stale triple, never miss one.
        """
        with _KEEPER, log_of(self.store).change(None):  # touches every case study
            wanted = published_graphs(self.store, self.settings)
            self.store.update(sparql.text("layout/forget-all"), bindings=self._terms)
            self.store.update(sparql.text("layout/mark"), bindings=self._terms)
            self._publish(wanted)
            self.store.update(sparql.text("layout/prune"), bindings=self._terms)
        return SyncReport(added=tuple(wanted), rebuilt=True)

    def sync(self, changed: Iterable[str] = (), copied: Iterable[str] = ()) -> SyncReport:
        """Bring the graph in line with the registry after a write.

        Graphs that became published are copied in, graphs that stopped being published
        retract their triples; ``changed`` names published graphs that gained triples (a
        load), copied again, except those the write already ``copied`` in (a mirrored load),
        which are only recorded. On a store without the layout yet, this migrates it.
        """
        with _KEEPER:
            if not self.ready():
                return self.rebuild()
            wanted = set(published_graphs(self.store, self.settings))
            have = set(self.sources())
            added = sorted(wanted - have)
            removed = sorted(have - wanted)
            again = sorted((set(changed) & wanted) - set(added))
            # first in, then out: a reader never misses a triple
            self._publish(added + again, copied=frozenset(copied))
            self._retract(removed)
        return SyncReport(tuple(added), tuple(removed))

    @contextmanager
    def loading(self, graph: str) -> Iterator[Mirror | None]:
        """Around a load into ``graph``: yields where the store may write the published copy of
        what it loads in the same pass (None before the layout exists), then syncs, copying
        only what the load did not. A failed load is undone by the store: no sync then."""
        with _KEEPER:
            mirror = None
            if self.ready():
                states = review_states(self.store, self.settings)
                mirror = Mirror(
                    self.graph,
                    lambda g: is_published(self.settings, g, states.get(g)),
                    frozenset(self.sources()),
                )
            yield mirror
            self.sync(changed=[graph], copied=mirror.copied if mirror else ())

    @contextmanager
    def replacing(self, graph: str) -> Iterator[None]:
        """Around a write that may remove triples from ``graph`` (a replacement, an update):
        its old content is kept aside, and afterwards what left it leaves the published graph
        unless another source holds it."""
        with _KEEPER:
            snapshot = ""
            if not is_derived(self.settings, graph) and self.ready() and graph in self.sources():
                snapshot = f"{self.graph}-snapshot/{uuid.uuid4().hex}"
                self.store.copy_graphs([graph], snapshot)
            try:
                yield
            finally:
                try:
                    self.sync(changed=[graph])
                    if snapshot:
                        self._retract([snapshot])
                finally:
                    if snapshot:
                        self.store.drop_graph(snapshot)

    def update(self, text: str, default_graph: str) -> SyncReport:
        """Run an operator's SPARQL update with ``default_graph`` standing in for the default
        graph, then keep the published graph right: incrementally when the update writes only
        its default graph, by copying everything again when it may write other graphs."""
        if writes_by_name(text):
            self.store.update(text, default_graph=default_graph)
            return self.rebuild()
        with self.replacing(default_graph):
            self.store.update(text, default_graph=default_graph)
        return SyncReport(added=(default_graph,))

    def check(self) -> Check:
        """Compare the graph with its definition: recorded sources against the registry's
        published graphs, and triples against the union of the recorded sources."""
        if not self.ready():
            return Check(False, (), (), 0, 0)
        wanted = set(published_graphs(self.store, self.settings))
        have = set(self.sources())
        row = self.store.query(
            sparql.text("layout/mismatch"), bindings=self._terms, union=False
        ).rows()[0]
        return Check(
            True,
            tuple(sorted(wanted - have)),
            tuple(sorted(have - wanted)),
            int(row["missing"].value),
            int(row["extra"].value),
        )

    def _publish(self, graphs: list[str], copied: frozenset[str] = frozenset()) -> None:
        """Copy ``graphs`` (but those a load already ``copied``) into the published graph, then
        record them as its sources (a copy cut short is not recorded, so the next write copies
        it again: graphs are sets). The case studies they describe are reported as changed
        (:mod:`lhs_kg.published_changes`)."""
        if graphs:
            with log_of(self.store).change(lambda: self._touched(graphs)):
                self._publish_batches(graphs, copied)

    def _touched(self, graphs: list[str]) -> frozenset[str] | None:
        """The case studies whose dashboard rows ``graphs`` may change (None: maybe all)."""
        return touched_case_studies(self.store, self.graph, graphs)

    def _publish_batches(self, graphs: list[str], copied: frozenset[str]) -> None:
        for i in range(0, len(graphs), _BATCH):
            batch = graphs[i : i + _BATCH]
            self.store.copy_graphs([g for g in batch if g not in copied], self.graph)
            rows: list[dict[str, ox.NamedNode | ox.Literal]] = [dict(self._terms)]
            rows += [{"source": ox.NamedNode(g)} for g in batch]
            self.store.update(sparql.text("layout/publish"), bindings=rows)

    def _retract(self, graphs: list[str]) -> None:
        """Stop recording ``graphs`` as sources and take out the triples of theirs that no
        recorded source holds (and report the case studies they describe as changed)."""
        if graphs:
            with log_of(self.store).change(lambda: self._touched(graphs)):
                self._retract_batches(graphs)

    def _retract_batches(self, graphs: list[str]) -> None:
        for i in range(0, len(graphs), _BATCH):
            rows: list[dict[str, ox.NamedNode | ox.Literal]] = [dict(self._terms)]
            rows += [{"gone": ox.NamedNode(g)} for g in graphs[i : i + _BATCH]]
            self.store.update(sparql.text("layout/unpublish"), bindings=rows)
