"""The published view as one graph, kept right on every write, so reads never list history (#16).

Every contribution version stays in its own named graph (history and provenance complete,
nothing deleted), but public queries no longer name every published graph: they read the one
graph ``<base>graph/published``, which holds exactly the union of the published sources
(:func:`lhs_kg.graphs.is_published`). Which sources it unites is recorded in the private graph
``<base>graph/published-sources``; its presence says the store has this layout.

This module is the one place that writes published content and keeps that graph right: review
decisions (:meth:`PublishedLayout.registry_write`), an operator's SPARQL update
(:meth:`PublishedLayout.update`), loads and replacements (:meth:`PublishedLayout.sync`,
:meth:`PublishedLayout.replacing`, used by :mod:`lhs_kg.loader`, :mod:`lhs_kg.reason` and
:class:`lhs_kg.kb.KnowledgeBase`). The store layer below knows nothing of registry states; a
write made on a store directly skips the upkeep (``lhs-kg migrate-layout --check`` finds it).

One write, one transaction. A decision and the upkeep it needs are the operations of ONE
update request (:meth:`lhs_kg.store.Store.update_all`), the store's new generation too: on the
embedded store and on ``oxigraph serve`` a request is one transaction, so a reader sees the
registry and the published graph both before or both after, and a failing operation undoes the
rest. Which graphs enter or leave the view is read from the registry by the request itself
(``layout/keep.rq``), never decided beforehand. Two processes deciding at once on one server
(workers on different machines) still need a lock: ``oxigraph serve`` lets two requests read
one snapshot and both commit (a lost update, measured), so such writes first take the lock
kept in the store's meta graph (:mod:`lhs_kg.store.lock`), not a file lock, as writers need
not share a disk. What this leaves: an engine whose requests are not one
transaction (Virtuoso 7 keeps the operations before a failing one; its profile says
``atomic_updates=False``) gets the write and then the upkeep as further requests, as before;
an operator's update that names graphs, and a whole-content rebuild, copy everything again
after the write; a large graph is copied into the published graph in bounded batches on the
embedded store (one update of a million quads took 2.2 GB), so readers may see it part-way.

Incremental upkeep otherwise: a graph newly published is copied in, a graph that left the view
takes out the triples no other recorded source holds, a published graph whose content is
replaced is compared with a snapshot of its old content. Copies are made inside the store
(:meth:`lhs_kg.store.Store.copy_graphs`), so blank nodes stay the same terms.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
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
    registry_graph,
    review_states,
    state_iri,
)
from lhs_kg.published_changes import log_of, touched_case_studies, touched_subjects
from lhs_kg.sparql_text import tokens
from lhs_kg.store import Store
from lhs_kg.store.base import Bindings, with_default_graph
from lhs_kg.store.generation import meta_graph
from lhs_kg.store.lock import StoreLock
from lhs_kg.store.mirror import Mirror

#: One keeper at a time in this process: two writers bringing the graph up to date at once
#: could each act on the other's half-done record (re-entrant: a sync runs inside ``replacing``).
_KEEPER = threading.RLock()
#: How deep this thread is in :meth:`PublishedLayout.write_lock` (the store lock is taken once).
_HELD = threading.local()
#: The store lock's lease for a rebuild, which copies every published graph (a long write).
_REBUILD_LEASE_S = 900.0
#: Graphs copied or retracted per update, so one update's text stays a modest size.
_BATCH = 500
#: The upkeep appended to a write that changes registry states (see :meth:`PublishedLayout.keep`).
KEEP_UPDATE = sparql.text("layout/keep")
#: An IRI that names no graph and no resource, bound where a value must be bound.
_NOTHING = "urn:lhs-kg:nothing"
#: Registry states that keep a graph out of the published view: all but "published"
#: (:data:`lhs_kg.contributions.model.STATES`; a content graph only gets the last two).
OUT_OF_VIEW = ("pending", "changes-requested", "rejected", "withdrawn", "superseded")
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
class WriteReport:
    """What one write did, for caches and aggregates kept per graph: ``changed`` names every
    graph it may have changed (none outside it changed), ``sources`` the graphs that may have
    entered or left the published view, ``atomic`` whether the write and the published graph's
    upkeep ran as one transaction."""

    changed: tuple[str, ...]
    sources: tuple[str, ...] = ()
    atomic: bool = True


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


def _has_base(text: str) -> bool:
    """Whether an update declares a BASE (it cannot be joined with other updates then)."""
    return any(token.text.upper() == "BASE" for token in tokens(text))


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
        with (
            _KEEPER,
            self.write_lock(lease_s=_REBUILD_LEASE_S),
            log_of(self.store).change(None),  # touches every case study
        ):
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
        with _KEEPER, self.write_lock():
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
    def loading(self, graph: str, also: Iterable[str] = ()) -> Iterator[Mirror | None]:
        """Around a load into ``graph`` (and ``also`` the graphs an N-Quads or TriG file names):
        yields where the store may write the published copy of what it loads in the same pass
        (None before the layout exists), then syncs, copying only what the load did not. A
        failed load is undone by the store: no sync then. A file writing into the graphs this
        layout keeps (a whole dump loaded back) is followed by a rebuild: what the published
        view shows comes from its sources only, never straight from a file."""
        if any(is_derived(self.settings, g) for g in (graph, *also)):
            with _KEEPER, self.write_lock(lease_s=_REBUILD_LEASE_S):
                yield None
                self.rebuild()
            return
        with _KEEPER, self.write_lock():
            mirror = None
            if self.ready():
                states = review_states(self.store, self.settings)
                mirror = Mirror(
                    self.graph,
                    lambda g: is_published(self.settings, g, states.get(g)),
                    frozenset(self.sources()),
                )
            yield mirror
            self.sync(changed=[graph, *also], copied=mirror.copied if mirror else ())

    @contextmanager
    def replacing(self, graph: str) -> Iterator[None]:
        """Around a write that may remove triples from ``graph`` (a replacement, an update):
        its old content is kept aside, and afterwards what left it leaves the published graph
        unless another source holds it."""
        with _KEEPER, self.write_lock():
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

    #: What the last write through :meth:`registry_write` or :meth:`update` changed.
    last_write: WriteReport | None = None

    def registry_write(
        self,
        parts: Sequence[tuple[str, Bindings | Sequence[Bindings] | None]],
        *,
        candidates: Iterable[str] = (),
        subject: str | None = None,
    ) -> WriteReport:
        """Run a write that changes registry states (a review decision) and the published
        graph's upkeep for the graphs it may move in or out, as ONE update: one transaction.

        ``candidates`` are graphs whose state the write may change (their case studies are
        reported to :mod:`lhs_kg.published_changes`); every version about ``subject`` is read
        by the update itself too, so a decision made meanwhile by another
        process (a version it published) is seen. The generation moves on in the same
        transaction (:meth:`lhs_kg.store.Store.update`). A store without the layout yet gets
        the write, then the layout built (two steps, once); so does a store whose requests are
        not one transaction (:attr:`lhs_kg.store.Store.atomic_updates`: Virtuoso 7).
        """
        candidates = list(candidates)
        with _KEEPER, self.write_lock():
            if not (self.store.atomic_updates and self.ready()):
                self.store.update_all(parts)
                self.sync()  # builds the layout on a store without it yet
                self.last_write = WriteReport(
                    self._changed_graphs(), tuple(candidates), atomic=False
                )
                return self.last_write
            # the case studies the graphs moving in or out describe (read once it is done)
            with log_of(self.store).change(
                lambda: self._touched(candidates), lambda: touched_subjects(self.store, candidates)
            ):
                self.store.update_all([*parts, self.keep(candidates, subject)])
        self.last_write = WriteReport(self._changed_graphs(), tuple(candidates))
        return self.last_write

    @contextmanager
    def write_lock(self, lease_s: float = 30.0) -> Iterator[None]:
        """Held around a write that must not interleave with another process's: the lock kept
        in the store (:mod:`lhs_kg.store.lock`) where several processes share it, else nothing
        (the embedded store admits one process, whose writes ``_KEEPER`` orders). Re-entrant
        in a thread: a sync inside a replacement takes it once."""
        depth = getattr(_HELD, "depth", 0)
        if depth or not self.store.shares_generation:
            _HELD.depth = depth + 1
            try:
                yield
            finally:
                _HELD.depth = depth
            return
        with StoreLock(self.store, meta_graph(self.settings.base_iri), lease_s=lease_s).held():
            _HELD.depth = 1
            try:
                yield
            finally:
                _HELD.depth = 0

    def keep(
        self, candidates: Iterable[str] = (), subject: str | None = None
    ) -> tuple[str, list[Bindings]]:
        """The update, with its bindings, that keeps the published graph right for
        ``candidates`` and the versions about ``subject``, to append to a registry write."""
        context: dict[str, ox.NamedNode | ox.Literal] = {
            **self._terms,
            "registry": ox.NamedNode(registry_graph(self.settings)),
            "publishedState": ox.NamedNode(state_iri(self.settings, "published")),
        }
        context["subject"] = ox.NamedNode(subject or _NOTHING)
        rows: list[Bindings] = [context]
        rows += [{"out": ox.NamedNode(state_iri(self.settings, s))} for s in OUT_OF_VIEW]
        rows += [{"candidate": ox.NamedNode(g)} for g in dict.fromkeys([*candidates, _NOTHING])]
        return KEEP_UPDATE, rows

    def _changed_graphs(self) -> tuple[str, ...]:
        """The graphs a registry write with its upkeep may change (the meta graph too where
        the store keeps its generation there)."""
        fixed = (registry_graph(self.settings), self.graph, self.record)
        meta = (meta_graph(self.settings.base_iri),) if self.store.shares_generation else ()
        return fixed + meta

    def update(self, text: str, default_graph: str) -> SyncReport:
        """Run an operator's SPARQL update with ``default_graph`` standing in for the default
        graph, then keep the published graph right: in the same request when the update writes
        only its default graph (one transaction on a store whose requests are), by copying
        everything again when it may write other graphs."""
        if writes_by_name(text):
            with _KEEPER, self.write_lock():
                self.store.update(text, default_graph=default_graph)
                return self.rebuild()
        with _KEEPER, self.write_lock():
            if self.store.atomic_updates and not _has_base(text) and self.ready():
                # the case studies the graph described before and describes after the update
                shared = self.store.shares_generation
                before = None if shared else self._touched([default_graph])
                subjects_before = None if shared else touched_subjects(self.store, [default_graph])

                def touched() -> frozenset[str] | None:
                    after = self._touched([default_graph])
                    return None if before is None or after is None else before | after

                def subjects() -> frozenset[str] | None:
                    after = touched_subjects(self.store, [default_graph])
                    if subjects_before is None or after is None:
                        return None
                    return subjects_before | after

                with log_of(self.store).change(touched, subjects):
                    self.store.update_all(self._update_parts(text, default_graph))
                self.last_write = WriteReport((default_graph, *self._changed_graphs()[1:]))
                return SyncReport(added=(default_graph,))
            with self.replacing(default_graph):
                self.store.update(text, default_graph=default_graph)
        self.last_write = WriteReport((default_graph, *self._changed_graphs()[1:]), atomic=False)
        return SyncReport(added=(default_graph,))

    def _update_parts(
        self, text: str, graph: str
    ) -> list[tuple[str, Bindings | Sequence[Bindings] | None]]:
        """An operator's update and the published graph's upkeep as the parts of one request:
        the graph's old content set aside, the update, the graph copied in and recorded, what
        left it taken out unless another source holds it, the copy set aside dropped."""
        snapshot = ox.NamedNode(f"{self.graph}-snapshot/{uuid.uuid4().hex}")
        target = ox.NamedNode(graph)
        source: list[Bindings] = [{"target": self._terms["published"]}, {"source": target}]
        published: list[Bindings] = [dict(self._terms), {"source": target}]
        gone: list[Bindings] = [dict(self._terms), {"gone": snapshot}]
        return [
            (sparql.text("layout/set-aside"), {"graph": target, "snapshot": snapshot}),
            (with_default_graph(text, graph), None),
            (sparql.text("store/copy-graphs"), source),
            (sparql.text("layout/record-present"), published),
            (sparql.text("layout/unpublish"), gone),
            (sparql.text("layout/drop-aside"), {"snapshot": snapshot}),
        ]

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
            with log_of(self.store).change(
                lambda: self._touched(graphs), lambda: touched_subjects(self.store, graphs)
            ):
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
            with log_of(self.store).change(
                lambda: self._touched(graphs), lambda: touched_subjects(self.store, graphs)
            ):
                self._retract_batches(graphs)

    def _retract_batches(self, graphs: list[str]) -> None:
        for i in range(0, len(graphs), _BATCH):
            rows: list[dict[str, ox.NamedNode | ox.Literal]] = [dict(self._terms)]
            rows += [{"gone": ox.NamedNode(g)} for g in graphs[i : i + _BATCH]]
            self.store.update(sparql.text("layout/unpublish"), bindings=rows)
