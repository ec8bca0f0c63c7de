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
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence

import pyoxigraph as ox

from lhs_kg import sparql

GENERATION_QUERY = sparql.text("store/generation")
RENEW_UPDATE = sparql.text("store/renew-generation")


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

    def renewal(self) -> tuple[str, int]:
        """The update that gives the store a new generation, and that generation."""
        new = secrets.randbits(62) + 1
        text = sparql.bind(
            RENEW_UPDATE,
            [{"meta": ox.NamedNode(self.meta), "new": ox.Literal(str(new), datatype=_INTEGER)}],
        )
        return text, new

    def renewed(self, new: int | None) -> None:
        """Remember the generation this process just wrote, or None: read it again next time."""
        self._current = new


_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _as_int(value: object) -> int:
    """The generation a literal holds; 0 for none or for text that is not a whole number."""
    if isinstance(value, ox.Literal):
        try:
            return int(value.value)
        except ValueError:
            return 0
    return 0
