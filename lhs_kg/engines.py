"""What differs between SPARQL servers: URL layout, how a query's time limit is sent, which
authentication their write endpoints expect, how many rows they return at most, and how a query
or update is rewritten before it is sent.

A profile only holds defaults; every value can still be set on its own (``LHS_KG_STORE_*``).
Profiles are looked up by name, so an unknown engine is a :class:`ConfigError` naming the known.
The profile is the one place that says which rewrites an engine gets: its ``query_text`` and
``update_text`` apply them, and the store sends what they return (#16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox

from lhs_kg.errors import ConfigError
from lhs_kg.sparql.binding import Row, ask_as_select, bind, insert_data_as_template


class SentQuery(NamedTuple):
    """A query as an engine is sent it, and whether its rows stand for an ASK's answer."""

    text: str
    rows_answer_ask: bool


@dataclass(frozen=True)
class EngineProfile:
    """One engine's defaults."""

    name: str
    query_path: str
    update_path: str
    graph_store_path: str
    timeout_param: str | None
    """The request parameter carrying the engine's own time limit in milliseconds (None: none)."""
    auth: str
    """The authentication its write endpoints expect when a user is set: basic or digest."""
    row_limit: int | None
    """Rows (or triples) the engine returns at most by default: a longer answer is cut."""
    default_is_union: bool = False
    """Whether the engine's default graph is always the union of all its graphs (Virtuoso's,
    its own system graphs included): "the default graph only" is then asked as an empty one."""
    describe_pragma: str = ""
    """Text put before a DESCRIBE so that it gives the Concise Bounded Description, as Oxigraph
    does (Virtuoso's own DESCRIBE adds the links in and leaves blank nodes undescribed)."""
    default_graph_pragma: str = ""
    """Text that names the graph an update reads and writes as its default graph (Virtuoso
    refuses the portable ``ADD … TO DEFAULT`` of :func:`lhs_kg.store.base.with_default_graph`)."""
    integer_booleans: bool = False
    """Whether the engine answers a boolean expression (``?a = ?b``, ``BOUND(?x)``) with 1/0
    typed xsd:integer (Virtuoso): such columns, found in the query text, are read as booleans."""
    values_in_updates: bool = True
    """Whether updates may take their bound values as VALUES (Virtuoso 7 fails on a ``GRAPH ?g``
    template bound so; it gets BIND groups of the same meaning instead)."""
    insert_data_as_template: bool = False
    """Whether a DATA insert is sent as a template insert with an empty pattern (Virtuoso 7
    refuses a blank node in a DATA block: "Blank node … is not allowed in a constant clause")."""
    ask_as_select: bool = False
    """Whether an ASK is sent as a SELECT of at most one row (Virtuoso 7 answers true to an ASK
    over a named graph outside the request's dataset, such as a graph that does not exist)."""
    atomic_updates: bool = True
    """Whether one update request is one transaction: all its operations or none (measured by
    tests/contributions/test_atomic_writes.py). Virtuoso 7 keeps the operations before a
    failing one, and its compiler refused the published graph's upkeep written as one request
    with the write, so there lhs-kg writes, then brings the published graph up to date."""
    dataset_in_text: bool = False
    """Whether a query's dataset is named in its text (``define input:default-graph-uri <g>``,
    ``define input:named-graph-uri <g>``) instead of request parameters: Virtuoso echoes each
    such parameter as a response header, and past ~50 graphs the HTTP client refuses the
    answer (more than 100 headers)."""
    query_as_body: bool = False
    """Whether a query may be sent as the request's body (``application/sparql-query``, the
    dataset in the URL: nothing to URL-encode). Virtuoso 7 never answers such a request, so
    every engine but Oxigraph gets the form encoding every server reads."""
    select_results: str = "json"
    """The results format a SELECT's answer is asked in: TSV where the engine writes terms
    exactly as pyoxigraph reads them (Oxigraph: a third of JSON's bytes, parsed 2.5× faster),
    JSON where its answers need reading into the standard form first (Virtuoso's blank-node
    labels and 1/0 booleans, see :mod:`lhs_kg.store.results`)."""
    graph_listing: str = "store/graph-names"
    """The query that lists the graphs' names: ``GRAPH ?g {}`` reads no triple on Oxigraph, but
    Virtuoso answers it with one empty row, and its ``DISTINCT ?g`` over the triples took 1.9 s
    on 10k triples where counting per graph (``GROUP BY ?g``) took 20 ms."""

    def query_text(self, text: str, form: str) -> SentQuery:
        """``text`` (a query of ``form``: select, ask, construct, describe) as this engine must
        be sent it: the DESCRIBE pragma, an ASK as a one-row SELECT."""
        if form == "describe" and self.describe_pragma:
            text = f"{self.describe_pragma}\n{text}"
        if form == "ask" and self.ask_as_select:
            return SentQuery(ask_as_select(text), rows_answer_ask=True)
        return SentQuery(text, rows_answer_ask=False)

    def with_dataset(self, text: str, dataset: Sequence[tuple[str, str]]) -> str:
        """``text`` naming its dataset (``default-graph-uri``/``named-graph-uri`` pairs) in the
        engine's own pragmas before the query; an IRI that is not one raises ``ValueError``.

        >>> engine("virtuoso").with_dataset("ASK {}", [("default-graph-uri", "urn:g")])
        'define input:default-graph-uri <urn:g>\\nASK {}'
        """
        pragmas = "".join(f"define input:{kind} {ox.NamedNode(iri)}\n" for kind, iri in dataset)
        return pragmas + text

    def update_text(
        self,
        text: str,
        bindings: Row | Sequence[Row] | None = None,
        default_graph: str | None = None,
    ) -> str:
        """The update ``text`` as this engine must be sent it: ``bindings`` as VALUES or BIND
        groups, DATA blocks as templates, ``default_graph`` (an IRI already checked) named by
        the engine's pragma or moved in and out of the default graph around the update."""
        if bindings:
            text = bind(text, bindings, as_bind=not self.values_in_updates)
        if self.insert_data_as_template:
            text = insert_data_as_template(text)
        if default_graph is None:
            return text
        if self.default_graph_pragma:
            return f"{self.default_graph_pragma} <{default_graph}>\n{text}"
        # imported here: the store package imports the configuration, which imports this module
        from lhs_kg.store.base import with_default_graph

        return with_default_graph(text, default_graph)


ENGINES: dict[str, EngineProfile] = {
    profile.name: profile
    for profile in (
        # `oxigraph serve`: no per-request limit (started with --timeout-s), no row limit.
        EngineProfile(
            "oxigraph",
            "/query",
            "/update",
            "/store",
            None,
            "basic",
            None,
            query_as_body=True,
            select_results="tsv",
        ),
        # Virtuoso open source 7: the anonymous /sparql endpoint reads; /sparql-auth and the
        # authenticated Graph Store endpoint write, behind Digest; [SPARQL] ResultSetMaxRows
        # (10,000 by default) cuts SELECT, CONSTRUCT and Graph Store answers alike.
        EngineProfile(
            "virtuoso",
            "/sparql",
            "/sparql-auth",
            "/sparql-graph-crud-auth",
            "timeout",
            "digest",
            10_000,
            default_is_union=True,
            graph_listing="store/triples-per-graph",
            atomic_updates=False,
            values_in_updates=False,
            ask_as_select=True,
            dataset_in_text=True,
            insert_data_as_template=True,
            integer_booleans=True,
            describe_pragma='define sql:describe-mode "CBD"',
            default_graph_pragma="define input:default-graph-uri",
        ),
        # Any other SPARQL 1.1 server: give its three URLs; the common `timeout` is sent.
        EngineProfile("generic", "/query", "/update", "/store", "timeout", "basic", None),
    )
}

AUTH_SCHEMES = ("none", "basic", "digest", "bearer")
UNION_MODES = ("list", "server")
"""How a query reads the union of the named graphs: by naming each graph in the request
(``list``, any engine) or through the engine's own default graph (``server``: e.g.
``oxigraph serve --union-default-graph``), which costs nothing per graph."""


def engine(name: str) -> EngineProfile:
    """The profile called ``name`` (case-insensitive)."""
    try:
        return ENGINES[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ConfigError(f"unknown SPARQL engine {name!r} (known: {known})") from None
