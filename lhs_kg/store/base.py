"""The store interface every backend implements, and the result type every query returns.

Results are pyoxigraph's own types whatever the backend (a remote server's answer is parsed into
them), so callers iterate and serialise them the same way everywhere.
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.errors import QueryTimeoutError, StoreError
from lhs_kg.formats import Format, ox_rdf, ox_results
from lhs_kg.store.mirror import Mirror
from lhs_kg.store.results import json_binding, json_results

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Bindings = Mapping[str, ox.NamedNode | ox.Literal]


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and how many triples it holds."""

    iri: str
    triples: int


class QueryResult:
    """A query's answer: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    def __init__(
        self, kind: str, payload: Any, *, deadline: float | None = None, max_rows: int | None = None
    ) -> None:
        self.kind = kind
        self._payload = payload
        self._deadline = deadline
        self._max_rows = max_rows

    @property
    def variables(self) -> list[str]:
        """Names of the projected variables of a SELECT, in order."""
        if self.kind != "select":
            return []
        return [v.value for v in self._payload.variables]

    @property
    def boolean(self) -> bool:
        """The answer of an ASK query."""
        return bool(self._payload)

    def __iter__(self) -> Iterator[Any]:
        """Solutions or triples, stopping with :class:`QueryTimeoutError` past the deadline."""
        if self.kind == "ask":
            return iter(())
        if self._deadline is None and self._max_rows is None:
            return iter(self._payload)  # nothing to guard: no per-row Python overhead
        return self._guarded(iter(self._payload))

    def _guarded(self, items: Iterator[Any]) -> Iterator[Any]:
        for count, item in enumerate(items, 1):
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise QueryTimeoutError("the query ran past its time limit")
            if self._max_rows is not None and count > self._max_rows:
                raise QueryTimeoutError(
                    f"the query returned more than {self._max_rows:,} results; narrow it down"
                )
            yield item

    def rows(self) -> list[dict[str, Term]]:
        """SELECT solutions as dicts of bound variables (unbound ones left out)."""
        names = self.variables
        out = []
        for solution in self:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = value
            out.append(row)
        return out

    def triples(self) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE."""
        return list(self)

    def serialize(self, fmt: Format, output: IO[bytes] | None = None) -> bytes | None:
        """Write the result in a SPARQL results format (SELECT/ASK) or RDF format (graphs).

        Serialisation runs in pyoxigraph's writer, but a SELECT with a row limit or deadline
        is written as JSON row by row here, so both hold (other SELECT formats: iterate).
        """
        if self.kind == "graph":
            return ox.serialize(self._guarded(iter(self._payload)), output, ox_rdf(fmt))
        guarded = self._deadline is not None or self._max_rows is not None
        if self.kind == "select" and guarded and fmt.name == "json":
            # read row by row, so the deadline and the row limit hold (#16); one JSON writer
            names = self.variables
            body = json_results(names, (json_binding(names, s) for s in self))
            if output is None:
                return body
            output.write(body)
            return None
        return self._payload.serialize(output, ox_results(fmt))  # type: ignore[no-any-return]


class Store(ABC):
    """A quad store reachable for SPARQL query and update, graph loads and dumps."""

    description: str = ""

    @property
    def generation(self) -> int | None:
        """A number that changes after every write made through lhs-kg, or None.

        Readers may keep what they derived from the store (rendered pages, read models) for
        as long as the number stays the same. The embedded store counts its own writes (it
        holds the store's lock); a store server keeps the number in the store, so the writes
        of every process count (:meth:`refresh_generation`). None: no number can be promised,
        so nothing derived may be kept on its word.
        """
        return None

    #: True when one update request is one transaction (all its operations or none), so a
    #: write and the published graph's upkeep can be sent together (#16).
    atomic_updates: bool = True

    #: True when the generation lives in the store itself, so every process reading the
    #: store sees the same number (values derived from it may be shared across processes).
    shares_generation: bool = False

    #: True when the generation outlasts the process: a process started later on the same data
    #: reads the same number (a store server's; the embedded store's on disk, closed cleanly),
    #: so values kept on disk under it may be read again after a restart.
    lasting_generation: bool = False

    def touched_since(self, generation: int) -> frozenset[str] | None:
        """The case studies the writes after ``generation`` touched, as the store's own change
        log records them (a shared store, #16); None: this store keeps no such log."""
        return None

    def subjects_since(self, generation: int) -> frozenset[str] | None:
        """The subjects of the triples the writes after ``generation`` changed, as the store's
        own change log records them (a shared store, #16); None: this store keeps no such log,
        or cannot tell."""
        return None

    def refresh_generation(self) -> int | None:
        """Look again at the store's generation (once per unit of work, before reading data).

        A store whose generation lives in this process has nothing to look at; a shared one
        (:mod:`lhs_kg.store.generation`) reads it from the store: one tiny query.
        """
        return self.generation

    @abstractmethod
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
        """Run a SPARQL query; ``union`` makes the default graph the union of all named graphs."""

    @abstractmethod
    def update(
        self,
        text: str,
        *,
        bindings: Bindings | Sequence[Bindings] | None = None,
        default_graph: str | None = None,
    ) -> None:
        """Run a SPARQL update in one transaction.

        ``bindings`` (one row or several) are bound as VALUES in each operation's WHERE group
        by :func:`lhs_kg.sparql.bind`, as for queries. ``default_graph`` names a graph that
        stands in for the store's default graph during the update (see
        :func:`with_default_graph`).
        """

    @abstractmethod
    def load(
        self, data: bytes | Path, fmt: Format, graph: str, *, mirror: Mirror | None = None
    ) -> None:
        """Add RDF to a named graph, all or nothing.

        A store may also write the quads ``mirror`` wants into its graph in the same pass, and
        then names those graphs in ``mirror.copied``; one that does not leaves it empty.
        """

    @abstractmethod
    def replace_graph(self, graph: str, data: bytes | Path, fmt: Format) -> None:
        """Replace a graph's content atomically: readers see the old or the new, never a mix."""

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph (no error when it does not exist)."""

    @abstractmethod
    def dump(self, output: IO[bytes], fmt: Format, graph: str | None = None) -> None:
        """Stream one graph (as triples) or the whole dataset (as quads) to ``output``."""

    @abstractmethod
    def graphs(self) -> list[GraphInfo]:
        """Every named graph with its triple count, sorted by IRI."""

    def graph_names(self) -> list[str]:
        """Every named graph's name, sorted, without reading its triples (cheap at any size)."""
        rows = self.query(sparql.text("store/graph-names"), union=False).rows()
        return sorted(row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode))

    def update_bookkeeping(
        self, text: str, *, bindings: Bindings | Sequence[Bindings] | None = None
    ) -> None:
        """Run an update of the store's private bookkeeping (the write lock's lease in the
        meta graph), which no reader derives anything from.

        A store that shares its generation keeps it as it is (a lock taken and given back
        around one decision renewed it three extra times, so every worker dropped its caches
        for nothing, #16); this default is a plain update.
        """
        self.update(text, bindings=bindings)

    def bind_update(self, text: str, bindings: Bindings | Sequence[Bindings] | None) -> str:
        """``text`` with ``bindings`` bound as this store's updates take them (VALUES here)."""
        return sparql.bind(text, bindings) if bindings else text

    def update_all(self, parts: Sequence[tuple[str, Bindings | Sequence[Bindings] | None]]) -> None:
        """Several updates, each bound on its own, run as ONE request: one transaction (#16).

        SPARQL 1.1 Update applies a request's operations in order; the embedded store and
        ``oxigraph serve`` run a request in one transaction, so readers see all of it or none
        and a failing operation undoes the ones before it. (Virtuoso 7 keeps the operations
        before a failing one: see :mod:`lhs_kg.layout`.)
        """
        self.update(join_updates([self.bind_update(text, rows) for text, rows in parts]))

    def copy_graphs(self, sources: Sequence[str], target: str) -> None:
        """Add the triples of ``sources`` to ``target`` inside the store (blank nodes kept).

        One update here; a store may copy a large graph in bounded batches instead, when
        readers may see the target part-way (the published graph of #16 is kept this way).
        """
        if sources:
            rows: list[Bindings] = [{"target": ox.NamedNode(target)}]
            rows += [{"source": ox.NamedNode(s)} for s in sources]
            self.update(sparql.text("store/copy-graphs"), bindings=rows)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Insert quads in one transaction (used by contributions and reasoning)."""
        data = ox.serialize(quads, None, ox.RdfFormat.N_QUADS)
        assert data is not None
        self._load_nquads(data)

    @abstractmethod
    def _load_nquads(self, data: bytes) -> None:
        """Insert N-Quads text in one transaction."""

    def triple_count(self) -> int:
        """Triples in all named graphs together."""
        return sum(g.triples for g in self.graphs())

    def close(self) -> None:  # noqa: B027 - most stores have nothing to release
        """Release the store (files, locks, connections)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_PROLOGUE = re.compile(
    r"(?:\s+|#[^\n]*(?:\n|$)|PREFIX\s*[^\s:<>]*:\s*<[^<>\s]*>|BASE\s*<[^<>\s]*>)*",
    re.IGNORECASE,
)
"""Whitespace, comments and PREFIX/BASE declarations at the start of an update."""


def with_default_graph(text: str, graph: str) -> str:
    """``text`` wrapped so that ``graph`` plays the default graph, in the same transaction.

    Before the update the graph's triples are moved into the default graph, after it the
    default graph's triples are moved back: the update reads and writes "the default graph" as
    SPARQL says, and at rest that data lives in a named graph every query can list. The update's
    PREFIX and BASE lines stay first (Oxigraph accepts a prologue only at the start).

    >>> print(with_default_graph("PREFIX s: <s:> INSERT DATA { s:a s:b s:c }", "http://g"))
    PREFIX s: <s:> ADD SILENT GRAPH <http://g> TO DEFAULT ; DROP SILENT GRAPH <http://g> ;
    INSERT DATA { s:a s:b s:c }
    ;
    ADD SILENT DEFAULT TO GRAPH <http://g> ; DROP SILENT DEFAULT
    """
    target = graph_iri(graph)
    prologue = _PROLOGUE.match(text)
    head = prologue.group(0) if prologue else ""
    body = text[len(head) :].rstrip()
    body = body[:-1] if body.endswith(";") else body
    return (
        f"{head}ADD SILENT GRAPH {target} TO DEFAULT ; DROP SILENT GRAPH {target} ;\n"
        f"{body}\n;\n"
        f"ADD SILENT DEFAULT TO GRAPH {target} ; DROP SILENT DEFAULT"
    )


def join_updates(texts: Sequence[str]) -> str:
    """Updates joined into one request, their PREFIX lines first (Oxigraph reads a prologue
    only at the start of a request); the same prefix bound to two IRIs is refused.

    >>> print(join_updates(["PREFIX a: <x:> CLEAR GRAPH a:g", "PREFIX a: <x:> DROP GRAPH a:h ;"]))
    PREFIX a: <x:>
    CLEAR GRAPH a:g
    ;
    DROP GRAPH a:h
    """
    prefixes: dict[str, str] = {}
    bodies: list[str] = []
    for text in texts:
        end = 0
        for part in _PROLOGUE_PART.finditer(text):
            if part.start() != end:
                break
            end = part.end()
            if part.group("base"):
                raise StoreError("updates joined into one cannot carry a BASE")
            name, iri = part.group("name"), part.group("iri")
            if iri is not None and prefixes.setdefault(name, iri) != iri:
                raise StoreError(f"updates joined into one bind prefix {name}: to two IRIs")
        body = text[end:].strip()
        body = body[:-1].rstrip() if body.endswith(";") else body
        if body:
            bodies.append(body)
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    return prologue + "\n;\n".join(bodies)


_PROLOGUE_PART = re.compile(
    r"\s+|#[^\n]*(?:\n|$)|PREFIX\s*(?P<name>[^\s:<>]*):\s*<(?P<iri>[^<>\s]*)>"
    r"|(?P<base>BASE)\s*<[^<>\s]*>",
    re.IGNORECASE,
)
"""One piece of an update's prologue: whitespace, a comment, a PREFIX or a BASE declaration."""


def graph_iri(text: str) -> ox.NamedNode:
    """A graph name checked by pyoxigraph, so it can be written into update text safely."""
    try:
        return ox.NamedNode(text)
    except ValueError as err:
        raise StoreError(f"not a valid graph IRI: {text!r} ({err})") from None
