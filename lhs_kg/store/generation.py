"""The generation of a shared store, kept in the store itself so that every process sees it.

A store server is shared by several web workers (and by ``lhs-kg`` commands run beside them),
so a counter in one process's memory cannot tell the others that the data changed. The number
lives in a small meta graph of the store (``<base>graph/meta``, never part of the published
view or of exports): every write made through lhs-kg gives it a new value, in the same
transaction when the write is a SPARQL update, else right after the write. A reader reads it
once per unit of work (the web app: once per request, one tiny query) *before* any data, so a
value derived from the data is filed under a number that is at most as new as the data.

The values are random rather than counted: two processes writing at once cannot both read 5
and write 6 (a lost update would let one write go unnoticed); a fresh random 62-bit number
never comes back. Writes made behind lhs-kg's back (another client writing the server
directly) are not seen until the next write through lhs-kg.

Each renewal also records, in the same request, which case studies the write touched and the
subjects of the triples it changed (the shared change log, #16): the write's process notes them
before it writes (:func:`noting`), and every worker reads the entries (:func:`changes_since`)
to bring its kept dashboard answers and its search index up to date instead of making them
again. A write with no note touched nothing published (every change of the published view is
noted, see :mod:`lhs_kg.published_changes`). An entry lists its subjects only when they are
known in full (``meta:subjectsListed``); an entry without that mark (a write whose subjects
were unknown, or an older lhs-kg's) makes a reader rebuild its search index.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from lhs_kg import sparql

GENERATION_QUERY = sparql.text("store/generation")
RENEW_UPDATE = sparql.text("store/renew-generation")
LOG_CHANGE = sparql.text("store/log-change")
CHANGE_LOG = sparql.text("store/change-log")
PRUNE_LOG = sparql.text("store/prune-change-log")
#: How long the change log keeps an entry: a reader further behind computes its answers again.
KEEP_CHANGES = timedelta(hours=1)
#: Per thread: the case studies the write under way touches, and the subjects of the triples it
#: changes (each unset: none; None: maybe all).
_NOTE = threading.local()
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


Touched = frozenset[str] | None
"""IRIs a write (or several) touched; None: maybe any."""


@contextmanager
def noting(touched: Touched, subjects: Touched = None) -> Iterator[None]:
    """Around a write: the case studies it touches, and the subjects of the triples it changes,
    go into the change log entry its renewal writes (None: maybe every one; subjects not given
    are unknown). An inner note adds to an outer one."""
    outer: Touched = getattr(_NOTE, "touched", frozenset())
    outer_subjects: Touched = getattr(_NOTE, "subjects", frozenset())
    _NOTE.touched = None if outer is None or touched is None else outer | touched
    _NOTE.subjects = (
        None if outer_subjects is None or subjects is None else outer_subjects | subjects
    )
    try:
        yield
    finally:
        _NOTE.touched = outer
        _NOTE.subjects = outer_subjects


@dataclass
class _Entry:
    """One write's change log entry, as read back."""

    after: int | None = None
    touched: set[str] = field(default_factory=set)
    everything: bool = False
    subjects: set[str] = field(default_factory=set)
    listed: bool = False
    damaged: bool = False
    """A value that does not parse, or two ``after`` values: the entry says nothing sure."""


def changes_since(
    rows: Sequence[Mapping[str, object]], current: int, generation: int
) -> tuple[Touched, Touched]:
    """What the writes between ``generation`` and ``current`` touched, from the change log's
    rows (``store/change-log``): (the case studies, the subjects of the changed triples).
    Either is None when a write's entry is missing (written by an older lhs-kg, or before the
    log existed) or says it may have touched every one."""
    entries: dict[int, _Entry] = {}
    for row in rows:
        made = _whole(row.get("generation"))
        if made is None:  # a row no entry can claim: nothing in the log can be trusted
            return None, None
        entry = entries.setdefault(made, _Entry())
        if row.get("after") is not None:
            after = _whole(row.get("after"))
            # a number that does not parse, or two of them for one write: a damaged entry
            entry.damaged |= after is None or entry.after not in (None, after)
            entry.after = after
        cs, subject = row.get("touched"), row.get("subject")
        entry.damaged |= any(
            v is not None and not isinstance(v, ox.NamedNode) for v in (cs, subject)
        )
        if isinstance(cs, ox.NamedNode):
            entry.touched.add(cs.value)
        if isinstance(subject, ox.NamedNode):
            entry.subjects.add(subject.value)
        entry.everything |= row.get("everything") is not None
        entry.listed |= row.get("listed") is not None
    touched: set[str] | None = set()
    subjects: set[str] | None = set()
    at = current
    for _ in range(len(entries) + 1):
        if at == generation:
            return _frozen(touched), _frozen(subjects)
        found = entries.get(at)
        if found is None or found.after is None or found.damaged:
            return None, None
        touched = None if touched is None or found.everything else touched | found.touched
        listed = found.listed and not found.everything
        subjects = None if subjects is None or not listed else subjects | found.subjects
        at = found.after
    return None, None  # a loop: never a guess


def _frozen(found: set[str] | None) -> Touched:
    return frozenset(found) if found is not None else None


def meta_graph(base_iri: str) -> str:
    """The graph holding the store's generation (and nothing a page or export reads)."""
    return f"{base_iri}graph/meta"


class SharedGeneration:
    """The last generation read from (or written to) a store's meta graph.

    ``read`` runs a SELECT without the published view (``run_select(text)`` → rows); the
    owner calls :meth:`refresh` once per unit of work and :meth:`renewal` after each write.
    """

    def __init__(self, meta: str, read: Callable[[str], Sequence[Mapping[str, object]]]) -> None:
        self.meta = meta
        self._read = read
        self._current: int | None = None
        #: The change log's rows as read at a generation: after a write every kept answer
        #: (and the search index) asks it, so it is read once for all of them.
        self._log: tuple[int, Sequence[Mapping[str, object]]] | None = None

    @property
    def current(self) -> int:
        """The generation last seen (read from the store the first time it is asked for)."""
        found = self._current
        return found if found is not None else self.refresh()

    def refresh(self) -> int:
        """Read the generation from the store (0 before the first write through lhs-kg)."""
        text = sparql.bind(GENERATION_QUERY, [{"meta": ox.NamedNode(self.meta)}])
        rows = self._read(text)
        value = rows[0].get("n") if rows else None
        number = _as_int(value)
        self._current = number
        return number

    def renewal(self, *, as_bind: bool = False) -> tuple[str, int]:
        """The update that gives the store a new generation, and that generation.

        ``as_bind`` binds the values as BIND groups (Virtuoso's updates fail on ``GRAPH ?meta``
        bound by VALUES; see :func:`lhs_kg.sparql.binding.bind_groups`).
        """
        new = secrets.randbits(62) + 1
        meta, number = ox.NamedNode(self.meta), ox.Literal(str(new), datatype=_INTEGER)
        text = sparql.bind(RENEW_UPDATE, [{"meta": meta, "new": number}], as_bind=as_bind)
        return f"{self._log_entry(meta, number, as_bind)}\n;\n{text}", new

    def _log_entry(self, meta: ox.NamedNode, new: ox.Literal, as_bind: bool) -> str:
        """The change log entry of the write under way (see :func:`noting`)."""
        touched: Touched = getattr(_NOTE, "touched", frozenset())
        subjects: Touched = getattr(_NOTE, "subjects", frozenset())
        change = ox.NamedNode(f"{self.meta}/change/{uuid.uuid4().hex}")
        now = datetime.now(UTC)
        entry: dict[str, ox.NamedNode | ox.Literal] = {
            "meta": meta,
            "change": change,
            "new": new,
            "at": _date_time(now),
        }
        rows: list[Mapping[str, ox.NamedNode | ox.Literal]]
        if touched is None:
            rows = [{**entry, "everything": _TRUE}]
        else:
            rows = [{**entry, "cs": ox.NamedNode(cs)} for cs in sorted(touched)] or [entry]
            if subjects is not None:
                rows[0] = {**rows[0], "listed": _TRUE}
                rows += [{**entry, "subject": ox.NamedNode(s)} for s in sorted(subjects)]
        before = _date_time(now - KEEP_CHANGES)
        prune = sparql.bind(PRUNE_LOG, [{"meta": meta, "before": before}], as_bind=as_bind)
        return f"{prune}\n;\n{sparql.bind(LOG_CHANGE, rows, as_bind=as_bind)}"

    def touched_since(self, generation: int) -> Touched:
        """The case studies touched by the writes after ``generation``, up to the generation
        last seen (None: cannot tell)."""
        return self.changes_since(generation)[0]

    def subjects_since(self, generation: int) -> Touched:
        """The subjects of the triples the writes after ``generation`` changed, up to the
        generation last seen (None: cannot tell)."""
        return self.changes_since(generation)[1]

    def changes_since(self, generation: int) -> tuple[Touched, Touched]:
        """(case studies, subjects) the writes after ``generation`` touched (see
        :func:`changes_since`), read from the store's change log."""
        current = self.current
        if current == generation:
            return frozenset(), frozenset()
        kept = self._log
        if kept is None or kept[0] != current:  # read once per generation, not per answer
            text = sparql.bind(CHANGE_LOG, [{"meta": ox.NamedNode(self.meta)}])
            kept = self._log = (current, self._read(text))
        return changes_since(kept[1], current, generation)

    def renewed(self, new: int | None) -> None:
        """Remember the generation this process just wrote, or None: read it again next time."""
        self._current = new


_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DATE_TIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def _date_time(moment: datetime) -> ox.Literal:
    """An xsd:dateTime literal (UTC) of ``moment``."""
    return ox.Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_DATE_TIME)


def _whole(value: object) -> int | None:
    """The whole number a literal of the change log holds; None for anything else."""
    if isinstance(value, ox.Literal):
        try:
            return int(value.value)
        except ValueError:
            return None
    return None


def _as_int(value: object) -> int:
    """The generation a literal holds; 0 for none or for text that is not a whole number."""
    if isinstance(value, ox.Literal):
        try:
            return int(value.value)
        except ValueError:
            return 0
    return 0
