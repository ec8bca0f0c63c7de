"""Which case studies each change of the published graph touched, by store generation (#16).

The dashboards' answers are rows per case study (:mod:`lhs_kg.per_case_study`). After a write
only the rows of the case studies it touched need computing again, if the reader can tell which
those are. Every change of the published graph goes through :class:`lhs_kg.layout.
PublishedLayout`, which reports it here: the case studies the changed graphs describe (read
from those graphs, which history keeps), or "everything" for a rebuild or a large change.

The log answers "what changed after generation g?" only when it can answer for sure: a change
still running, or a log that forgot entries older than its bound, make it say None, and the
reader computes everything again: the full query stays the fallback and the oracle.

Each change also records the subjects of the changed graphs (:func:`touched_subjects`), so the
search index re-indexes only their documents (:mod:`lhs_kg.describe.search.index`).

On a store whose generation is shared by several processes (a store server), the log lives in
the store's meta graph instead (:mod:`lhs_kg.store.generation`): the touched case studies and
subjects are read *before* the write (the graphs moving in or out exist already) and recorded
in the write's own request, next to its new generation, so every worker can tell what another
one's write touched. A change whose case studies cannot be read before (an operator's update)
is recorded as touching everything.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.store.base import Store
from lhs_kg.store.generation import noting

#: Above this many touched case studies a change counts as touching everything.
MAX_TOUCHED = 1000
#: Above this many touched subjects a change counts as touching every search document.
MAX_SUBJECTS = 5000
#: Changes remembered; a reader further behind recomputes everything.
_KEEP = 512
_TOUCHED = sparql.text("layout/touched-case-studies")
_TOUCHED_RATED = sparql.text("layout/touched-case-studies-rated")
_SUBJECTS = sparql.text("layout/touched-subjects")
#: Per thread: whether a change that touches everything is running (inner ones need no query).
_NESTING = threading.local()

Touched = frozenset[str] | None
"""The case studies a change touched; None: possibly every one."""


@dataclass(frozen=True)
class Change:
    """One change of the published graph: the generation once it ended, what it touched."""

    generation: int
    touched: Touched
    subjects: Touched = None


class ChangeLog:
    """The recent changes of one store's published graph (one per store, in this process)."""

    def __init__(self, store: Store, keep: int = _KEEP) -> None:
        self._store = weakref.ref(store)
        self._changes: deque[Change] = deque(maxlen=keep)
        self._forgot_through = -1  # changes up to this generation may have been forgotten
        self._running = 0
        self._lock = threading.Lock()

    @contextmanager
    def change(
        self,
        touched: Callable[[], Touched] | None,
        subjects: Callable[[], Touched] | None = None,
    ) -> Iterator[None]:
        """Around a change of the published graph; ``touched()`` is asked once it is done
        (None: the change touches everything, and so does every change made inside it), and
        so is ``subjects()``: the subjects of the changed triples (None: maybe any). On a
        shared store both are asked before, for the write's own log entry."""
        outer = getattr(_NESTING, "everything", False)
        _NESTING.everything = outer or touched is None
        store = self._store()
        if store is not None and store.shares_generation:
            with self._noted(touched, subjects, outer):
                yield
            return
        with self._lock:
            self._running += 1
        if store is None:
            touched = None
        if touched is None:
            subjects = None
        found: Touched = None
        found_subjects: Touched = None
        try:
            yield
            if touched is not None and not outer:
                try:
                    found = touched()
                    found_subjects = subjects() if subjects is not None else None
                except Exception:  # unknown: everything, never a guess of less
                    found = found_subjects = None
        finally:
            _NESTING.everything = outer
            store = self._store()
            generation = store.generation if store is not None else None
            with self._lock:
                self._running -= 1
                if generation is None:
                    self._forgot_through = 1 << 62
                else:
                    if len(self._changes) == self._changes.maxlen:
                        self._forgot_through = self._changes[0].generation
                    self._changes.append(Change(generation, found, found_subjects))

    @contextmanager
    def _noted(
        self,
        touched: Callable[[], Touched] | None,
        subjects: Callable[[], Touched] | None,
        outer: bool,
    ) -> Iterator[None]:
        """On a shared store: the case studies and subjects read before the write, noted for
        its request (inside a change that touches everything, none is read: all are)."""
        found: Touched = None
        found_subjects: Touched = None
        if touched is not None and not outer:
            try:
                found = touched()
                found_subjects = subjects() if subjects is not None and found is not None else None
            except Exception:  # unknown: everything, never a guess of less
                found = found_subjects = None
        try:
            with noting(found, found_subjects):
                yield
        finally:
            _NESTING.everything = outer

    def since(self, generation: int) -> Touched:
        """The case studies touched by changes that ended after ``generation`` (a reader's
        answer of that generation misses them); None when that cannot be told for sure."""
        store = self._store()
        if store is not None and store.shares_generation:
            return store.touched_since(generation)
        return self._since(generation, lambda change: change.touched)

    def subjects_since(self, generation: int) -> Touched:
        """The subjects of the triples changed after ``generation`` (what a search index of
        that generation may have wrong); None when that cannot be told for sure."""
        store = self._store()
        if store is not None and store.shares_generation:
            return store.subjects_since(generation)
        return self._since(generation, lambda change: change.subjects)

    def _since(self, generation: int, of: Callable[[Change], Touched]) -> Touched:
        store = self._store()
        if store is None or store.shares_generation:
            return None
        with self._lock:
            if self._running or generation < self._forgot_through:
                return None
            touched: set[str] = set()
            for change in self._changes:
                if change.generation <= generation:
                    continue
                found = of(change)
                if found is None:
                    return None
                touched |= found
            return frozenset(touched)


_LOGS: weakref.WeakKeyDictionary[Store, ChangeLog] = weakref.WeakKeyDictionary()
_LOGS_LOCK = threading.Lock()


def log_of(store: Store) -> ChangeLog:
    """The change log of ``store`` (made on first use)."""
    with _LOGS_LOCK:
        found = _LOGS.get(store)
        if found is None:
            found = _LOGS[store] = ChangeLog(store)
        return found


def touched_case_studies(store: Store, published: str, graphs: Sequence[str]) -> Touched:
    """The case studies whose dashboard rows the triples of ``graphs`` may change, read from
    those graphs with the published graph; None when there are too many or a shared subject
    (a country, an element, a domain) is among them."""
    if not graphs:
        return frozenset()
    if len(graphs) > MAX_TOUCHED:
        return None
    rows = [
        row
        for text in (_TOUCHED, _TOUCHED_RATED)
        for row in store.query(
            text,
            bindings=[{"g": ox.NamedNode(g)} for g in graphs],
            union=False,
            default_graphs=[published, *graphs],
            named_graphs=list(graphs),
        ).rows()
    ]
    if len(rows) > MAX_TOUCHED or any("wide" in row for row in rows):
        return None
    named = [row["cs"] for row in rows if "cs" in row]
    if not all(isinstance(cs, ox.NamedNode) for cs in named):
        return None  # a blank-node case study cannot be named in a query: everything
    return frozenset(cs.value for cs in named)


def touched_subjects(store: Store, graphs: Sequence[str]) -> Touched:
    """The subjects (IRIs) of the triples of ``graphs``; None when there are too many."""
    if not graphs:
        return frozenset()
    if len(graphs) > MAX_TOUCHED:
        return None
    rows = store.query(
        _SUBJECTS, bindings=[{"g": ox.NamedNode(g)} for g in graphs], union=False
    ).rows()
    if len(rows) > MAX_SUBJECTS:
        return None
    return frozenset(row["s"].value for row in rows if isinstance(row.get("s"), ox.NamedNode))
