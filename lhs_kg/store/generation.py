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

Each renewal also records, in the same request, which case studies the write touched (the
shared change log, #16): the write's process notes them before it writes (:func:`noting`),
and every worker reads the entries (:func:`touched_since`) to bring its kept dashboard answers
up to date instead of computing them again. A write with no note touched no case study (every
change of the published view is noted, see :mod:`lhs_kg.published_changes`).
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
#: Per thread: the case studies the write under way touches (unset: none; None: maybe all).
_NOTE = threading.local()
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


@contextmanager
def noting(touched: frozenset[str] | None) -> Iterator[None]:
    """Around a write: the case studies it touches go into the change log entry its renewal
    writes (None: maybe every one). An inner note adds to an outer one."""
    outer: frozenset[str] | None = getattr(_NOTE, "touched", frozenset())
    _NOTE.touched = None if outer is None or touched is None else outer | touched
    try:
        yield
    finally:
        _NOTE.touched = outer


def touched_since(
    rows: Sequence[Mapping[str, object]], current: int, generation: int
) -> frozenset[str] | None:
    """The case studies the writes between ``generation`` and ``current`` touched, from the
    change log's rows (``store/change-log``); None when a write's entry is missing (written by
    an older lhs-kg, or before the log existed) or it may have touched every case study."""
    entries: dict[int, tuple[int | None, set[str], bool]] = {}
    for row in rows:
        made = _as_int(row.get("generation"))
        after, touched, everything = entries.setdefault(made, (None, set(), False))
        if row.get("after") is not None:
            after = _as_int(row.get("after"))
        cs = row.get("touched")
        if isinstance(cs, ox.NamedNode):
            touched.add(cs.value)
        entries[made] = (after, touched, everything or row.get("everything") is not None)
    found: set[str] = set()
    at = current
    for _ in range(len(entries) + 1):
        if at == generation:
            return frozenset(found)
        entry = entries.get(at)
        if entry is None or entry[0] is None or entry[2]:
            return None
        found |= entry[1]
        at = entry[0]
    return None  # a loop: never a guess


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
        touched: frozenset[str] | None = getattr(_NOTE, "touched", frozenset())
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
        before = _date_time(now - KEEP_CHANGES)
        prune = sparql.bind(PRUNE_LOG, [{"meta": meta, "before": before}], as_bind=as_bind)
        return f"{prune}\n;\n{sparql.bind(LOG_CHANGE, rows, as_bind=as_bind)}"

    def touched_since(self, generation: int) -> frozenset[str] | None:
        """The case studies touched by the writes after ``generation``, up to the generation
        last seen (None: cannot tell)."""
        current = self.current
        if current == generation:
            return frozenset()
        text = sparql.bind(CHANGE_LOG, [{"meta": ox.NamedNode(self.meta)}])
        return touched_since(self._read(text), current, generation)

    def renewed(self, new: int | None) -> None:
        """Remember the generation this process just wrote, or None: read it again next time."""
        self._current = new


_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DATE_TIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def _date_time(moment: datetime) -> ox.Literal:
    """An xsd:dateTime literal (UTC) of ``moment``."""
    return ox.Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_DATE_TIME)


def _as_int(value: object) -> int:
    """The generation a literal holds; 0 for none or for text that is not a whole number."""
    if isinstance(value, ox.Literal):
        try:
            return int(value.value)
        except ValueError:
            return 0
    return 0
