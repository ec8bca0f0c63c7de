"""Any SPARQL 1.1 server: the Protocol for query and update and the Graph Store HTTP Protocol for
graph loads, replacements and dumps, all through ``requests`` (:mod:`lhs_kg.store.http`).

Engines differ (:mod:`lhs_kg.engines`); this module asks every one the same way and reads every
answer into pyoxigraph's types (:mod:`lhs_kg.store.results`):

- the result format is asked for in ``Accept`` only (a ``format`` parameter beside it made
  Virtuoso answer 406);
- the union of the named graphs is the engine's own default graph where the settings say it is
  (``union=server``: ``oxigraph serve --union-default-graph``), else every graph is named in the
  request as a ``default-graph-uri`` and a ``named-graph-uri``, so ``GRAPH ?g`` patterns see them;
- graphs are listed only under the knowledge base's prefixes (Virtuoso's own system graphs stay
  out of ``graphs``, ``stats`` and the published view);
- a query's time limit is sent to engines that take one (Virtuoso's ``timeout`` in ms; Oxigraph's
  server has none and is started with ``--timeout-s``) besides the client's own socket timeout;
- an answer the engine cut (row limit, "anytime" time limit) is an error, never passed on short;
  a graph dump the engine cuts is read again in pages.

Every write made through this class gives the store a new generation, kept in the store's meta
graph (:mod:`lhs_kg.store.generation`), so caches in every process that reads the server see it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.config import DEFAULT_BASE_IRI, RemoteEndpoints
from lhs_kg.engines import engine
from lhs_kg.errors import EngineError, ParseError, QueryError, QueryTimeoutError, StoreError
from lhs_kg.formats import Format, ox_rdf, rdf_format, result_format
from lhs_kg.sparql import bind
from lhs_kg.sparql_text import query_form
from lhs_kg.store.base import (
    Bindings,
    GraphInfo,
    QueryResult,
    Store,
    graph_iri,
)
from lhs_kg.store.generation import SharedGeneration, meta_graph
from lhs_kg.store.http import (
    STORE_DID_NOT_ANSWER,
    TIMED_OUT,
    SparqlHttp,
    check_complete,
    check_row_limit,
)
from lhs_kg.store.mirror import Mirror
from lhs_kg.store.results import (
    ReadSolutions,
    boolean_columns,
    parse_ntriples,
    parse_results,
    stopped_mid_answer,
)

__all__ = ["STORE_DID_NOT_ANSWER", "RemoteStore"]


def _unparsable(message: str, body: bytes) -> EngineError | QueryTimeoutError:
    """The error for an answer that does not parse: the engine's time limit when it says it
    stopped mid-answer (a 200 already sent), else an engine error; public text names nothing."""
    if stopped_mid_answer(body):
        return QueryTimeoutError(message).with_public(TIMED_OUT)
    return EngineError(message).with_public("the store sent an answer that does not parse")


_NO_GRAPH = "urn:lhs-kg:no-graph"
"""Named when a query must read no graph at all (naming none would mean the engine's default)."""
_NT = rdf_format("nt")


def _any_row(solutions: ReadSolutions | ox.QueryBoolean) -> ox.QueryBoolean:
    """The answer to an ASK sent as ``SELECT * … LIMIT 1``: whether it gave a row."""
    found = isinstance(solutions, ReadSolutions) and len(solutions) > 0
    body = b'{"head": {}, "boolean": ' + (b"true" if found else b"false") + b"}"
    answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QueryBoolean)
    return answer


class RemoteStore(Store):
    """A SPARQL 1.1 server reached over HTTP.

    ``meta`` is the graph holding the store's generation (``<base>graph/meta``).
    """

    shares_generation = True
    lasting_generation = True

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        *,
        timeout_s: float = 60.0,
        meta: str = meta_graph(DEFAULT_BASE_IRI),
    ) -> None:
        self.endpoints = endpoints
        self.description = endpoints.query
        self.profile = engine(endpoints.engine)
        self.atomic_updates = self.profile.atomic_updates
        self._timeout_s = timeout_s
        self._http = SparqlHttp(endpoints, timeout_s)
        self._graph_cache: tuple[int, list[str]] | None = None
        # the generation is read with no dataset of ours: listing graphs needs the generation
        self._shared = SharedGeneration(
            meta, lambda text: self.query(text, union=False, named_graphs=[]).rows()
        )

    @property
    def generation(self) -> int:
        """The store's generation as last read (:meth:`refresh_generation`) or written here."""
        return self._shared.current

    def refresh_generation(self) -> int:
        return self._shared.refresh()

    def touched_since(self, generation: int) -> frozenset[str] | None:
        return self._shared.touched_since(generation)

    def subjects_since(self, generation: int) -> frozenset[str] | None:
        return self._shared.subjects_since(generation)

    @property
    def meta_graph(self) -> str:
        """The graph that holds the generation: never part of a published view or an export."""
        return self._shared.meta

    def _wrote(self, new: int | None) -> None:
        """After a write: drop the graph list, remember the generation (None: read it again)."""
        self._graph_cache = None
        self._shared.renewed(new)

    def _renewal(self) -> tuple[str, int]:
        """The update that gives the store a new generation (bound as the engine reads it)."""
        return self._shared.renewal(as_bind=not self.profile.values_in_updates)

    def _renew_generation(self) -> None:
        """Give the store a new generation after a Graph Store Protocol write (not an update)."""
        text, new = self._renewal()
        try:
            self._http.update(self.endpoints.update, text, again=True)  # safe twice
        except Exception:
            self._shared.renewed(None)
            raise
        self._shared.renewed(new)

    def _scrub(self, text: str) -> str:
        """``text`` without the store's own addresses (a server may echo them in its errors)."""
        return self._http.scrub(text)

    def _ours(self, graph: str) -> bool:
        """A graph of the knowledge base (under its prefixes), not the generation's meta graph."""
        prefixes = self.endpoints.graph_prefixes
        return graph != self.meta_graph and (not prefixes or graph.startswith(prefixes))

    # -- SPARQL Protocol -------------------------------------------------------------------

    def _dataset(
        self, union: bool, default_graphs: list[str] | None, named_graphs: list[str] | None
    ) -> list[tuple[str, str]]:
        """The request's dataset parameters."""
        if default_graphs is not None or named_graphs is not None:  # the caller's own dataset
            defaults, named = default_graphs or [], named_graphs or []
        elif not union:
            if not (self.profile.default_is_union or self.endpoints.union == "server"):
                return []
            # "the default graph only", where the engine's default graph is the union of all
            # graphs (its own too): an empty one, and GRAPH patterns see our graphs
            defaults, named = [_NO_GRAPH], self._graph_names()
        elif self.endpoints.union == "server":
            return []  # the engine's default graph is already the union of its named graphs
        else:
            names = self._graph_names() or [_NO_GRAPH]
            defaults, named = names, names
        return [("default-graph-uri", g) for g in defaults] + [
            ("named-graph-uri", g) for g in named
        ]

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
        form = query_form(text)
        if bindings:
            text = bind(text, bindings)
        text, asked = self.profile.query_text(text, form)
        graph_form = form in ("construct", "describe")
        if graph_form:
            accept = _NT.media_type
        else:  # an ASK's answer in JSON, the one format every engine writes one in
            asks = form == "ask" and not asked
            accept = result_format("json" if asks else self.profile.select_results).media_type
        params = self._dataset(union, default_graphs, named_graphs)
        if params and self.profile.dataset_in_text:
            text, params = self.profile.with_dataset(text, params), []
        limit_s = timeout_s or self._timeout_s
        if self.profile.timeout_param:  # the engine stops when we stop waiting (#12)
            params.append((self.profile.timeout_param, str(max(1, round(limit_s * 1000)))))
        url = self.endpoints.query
        # a little after the engine's own limit
        response = self._http.query(url, text, params, accept, max(1.0, limit_s + 1))
        check_complete(response.headers, url)
        deadline = time.monotonic() + timeout_s if timeout_s else None
        try:
            if graph_form:
                triples = parse_ntriples(response.content)
                check_row_limit(len(triples), self._row_limit, url)
                return QueryResult("graph", triples, deadline=deadline, max_rows=max_rows)
            booleans = boolean_columns(text) if self.profile.integer_booleans else frozenset()
            content_type = response.headers.get("Content-Type", "")
            payload = parse_results(response.content, content_type, booleans)
            if asked:
                payload = _any_row(payload)
        except SyntaxError as err:
            raise _unparsable(
                f"{url} sent an answer that does not parse: {err}", response.content
            ) from None
        kind = "ask" if isinstance(payload, ox.QueryBoolean) else "select"
        return QueryResult(kind, payload, deadline=deadline, max_rows=max_rows)

    @property
    def _row_limit(self) -> int | None:
        return self.endpoints.row_limit

    def bind_update(self, text: str, bindings: Bindings | Sequence[Bindings] | None) -> str:
        if not bindings:
            return text
        return bind(text, bindings, as_bind=not self.profile.values_in_updates)

    def update(
        self,
        text: str,
        *,
        bindings: Bindings | Sequence[Bindings] | None = None,
        default_graph: str | None = None,
    ) -> None:
        if query_form(text) != "update":
            raise QueryError("not a SPARQL update")
        checked = graph_iri(default_graph).value if default_graph is not None else None
        text = self.profile.update_text(text, bindings, checked)
        renewal, new = self._renewal()
        body = text.rstrip()
        body = body[:-1] if body.endswith(";") else body
        done = False
        try:  # one transaction: the write and its new generation
            self._http.update(
                self.endpoints.update, f"{body}\n;\n{renewal}", again=self.atomic_updates
            )
            done = True
        finally:  # a failed write may still have had effects: read the number again
            self._wrote(new if done else None)

    def update_bookkeeping(
        self, text: str, *, bindings: Bindings | Sequence[Bindings] | None = None
    ) -> None:
        """The update alone, with no new generation: it writes only the meta graph's lock
        lease, which no page, cache or graph list reads (#16)."""
        if query_form(text) != "update":
            raise QueryError("not a SPARQL update")
        body = self.profile.update_text(text, bindings, None)
        self._http.update(self.endpoints.update, body, again=True)  # claims: safe twice

    # -- Graph Store Protocol --------------------------------------------------------------

    def _gsp(self, method: str, graph: str, **kwargs: Any) -> Any:
        missing_ok = (404,) if method in ("GET", "DELETE") else ()
        return self._http.send(
            method,
            self.endpoints.graph_store,
            what=f"{method} of graph <{graph}>",
            ok_statuses=missing_ok,
            params={"graph": graph_iri(graph).value},
            **kwargs,
        )

    def _body(self, data: bytes | Path, fmt: Format) -> tuple[bytes, Format]:
        """The data to send and its format, parsed here first: a server's parse errors vary and
        the file stays ours. N-Triples and Turtle go as they are (every engine reads them);
        other formats as N-Triples (Virtuoso's Graph Store reads no JSON-LD, for one)."""
        raw = data.read_bytes() if isinstance(data, Path) else data
        source = str(data) if isinstance(data, Path) else "input"
        as_is = fmt.name in ("nt", "ttl")
        try:
            parsed = ox.parse(raw, format=ox_rdf(fmt))
            if as_is:
                for _ in parsed:
                    pass
                return raw, fmt
            triples = [quad.triple for quad in parsed]
        except SyntaxError as err:
            raise ParseError(
                str(err.msg or err), source=source, line=err.lineno, column=err.offset
            ) from None
        body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
        assert body is not None
        return body, _NT

    def load(
        self, data: bytes | Path, fmt: Format, graph: str, *, mirror: Mirror | None = None
    ) -> None:
        """Sent with the Graph Store Protocol; never mirrored (the published copy is made by
        the engine afterwards, one update, rather than by sending the triples twice).

        N-Quads and TriG go to the graphs they name, one request each (their default graph to
        ``graph``); they were flattened into ``graph`` before (#16).
        """
        graph_iri(graph)
        if ox_rdf(fmt).supports_datasets:
            self._load_dataset(data, fmt, graph)
            return
        body, sent = self._body(data, fmt)
        try:
            self._gsp("POST", graph, data=body, headers={"Content-Type": sent.media_type})
        finally:
            self._wrote(None)
            self._renew_generation()

    def replace_graph(self, graph: str, data: bytes | Path, fmt: Format) -> None:
        graph_iri(graph)
        body, sent = self._body(data, fmt)
        try:
            self._gsp("PUT", graph, data=body, headers={"Content-Type": sent.media_type})
        finally:
            self._wrote(None)
            self._renew_generation()

    def drop_graph(self, graph: str) -> None:
        graph_iri(graph)
        try:  # the Graph Store Protocol's DELETE: no update text; a missing graph is no error
            self._gsp("DELETE", graph)
        finally:
            self._wrote(None)
            self._renew_generation()

    def _load_dataset(self, data: bytes | Path, fmt: Format, graph: str) -> None:
        """Quads to the graphs they name (the default graph's to ``graph``), parsed here first:
        a file that does not parse sends nothing."""
        source = str(data) if isinstance(data, Path) else "input"
        by_graph: dict[str, list[ox.Triple]] = {}
        try:
            parsed = (
                ox.parse(path=str(data), format=ox_rdf(fmt))
                if isinstance(data, Path)
                else ox.parse(data, format=ox_rdf(fmt))
            )
            for quad in parsed:
                name = quad.graph_name
                into = name.value if isinstance(name, ox.NamedNode) else graph
                by_graph.setdefault(into, []).append(quad.triple)
        except SyntaxError as err:
            raise ParseError(
                str(err.msg or err), source=source, line=err.lineno, column=err.offset
            ) from None
        for into, triples in by_graph.items():
            body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
            assert body is not None
            self.load(body, _NT, into)

    def _load_nquads(self, data: bytes) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise StoreError("quads for a remote store must be in named graphs")
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        for graph, triples in by_graph.items():
            body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
            assert body is not None
            self.load(body, _NT, graph)

    def dump(self, output: IO[bytes], fmt: Format, graph: str | None = None) -> None:
        if graph is not None:
            graph_iri(graph)
            if self._row_limit is None:  # nothing is cut: stream the engine's own serialisation
                response = self._gsp("GET", graph, headers={"Accept": fmt.media_type}, stream=True)
                if response.status_code == 404:
                    return
                for chunk in response.iter_content(chunk_size=1 << 16):
                    output.write(chunk)
                return
            ox.serialize(self._graph_triples(graph), output, ox_rdf(fmt))
            return
        if not ox_rdf(fmt).supports_datasets:
            raise StoreError(
                f"{fmt.name} holds one graph only; dump the dataset as nq or trig, or name a graph"
            )
        ox.serialize(self._all_quads(), output, ox_rdf(fmt))

    def _all_quads(self) -> Iterator[ox.Quad]:
        """Every quad of our graphs; fails if a graph listed with triples sent fewer."""
        for info in self.graphs():
            graph = ox.NamedNode(info.iri)
            sent = 0
            for triple in self._graph_triples(info.iri, expected=info.triples):
                sent += 1
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            if sent < info.triples:
                raise StoreError(
                    f"the store sent {sent:,} of the {info.triples:,} triples of <{info.iri}>"
                ).with_public("the store sent an incomplete dump")

    def _graph_triples(self, graph: str, expected: int | None = None) -> Iterator[ox.Triple]:
        """A graph's triples through the Graph Store Protocol, read again in pages when the
        engine cut the answer at its row limit."""
        response = self._gsp("GET", graph, headers={"Accept": _NT.media_type})
        if response.status_code == 404:
            return
        try:
            triples = parse_ntriples(response.content)
        except SyntaxError as err:
            raise _unparsable(
                f"the store sent graph <{graph}> unparsable: {err}", response.content
            ) from None
        limit = self._row_limit
        if limit is None or len(triples) < limit:
            yield from triples
            return
        # a page one row short of the limit: a full one is flagged as cut (X-SPARQL-MaxRows)
        yield from self._paged_triples(graph, max(1, limit - 1), expected)

    def _paged_triples(self, graph: str, page: int, expected: int | None) -> Iterator[ox.Triple]:
        """A large graph in SELECT pages of the row limit; complete or an error (a set, so
        pages that overlap are caught by the count)."""
        node = ox.NamedNode(graph)
        if expected is None:
            rows = self.query(
                sparql.text("store/graph-size"), bindings={"g": node}, union=False
            ).rows()
            expected = int(rows[0]["n"].value) if rows else 0
        seen: set[ox.Triple] = set()
        offset = 0
        while offset < expected:
            text = bind(sparql.text("store/graph-page"), {"g": node}, limit=page, offset=offset)
            rows = self.query(text, union=False).rows()
            if not rows:
                break
            for row in rows:
                seen.add(ox.Triple(row["s"], row["p"], row["o"]))  # type: ignore[arg-type]
            offset += len(rows)
        if len(seen) != expected:
            raise StoreError(
                f"reading <{graph}> in pages gave {len(seen):,} of its {expected:,} triples"
            ).with_public("the store sent an incomplete dump")
        yield from seen

    def graphs(self) -> list[GraphInfo]:
        result = self.query(sparql.text("store/triples-per-graph"), union=False, named_graphs=[])
        infos = [
            GraphInfo(row["g"].value, int(row["n"].value))
            for row in result.rows()
            if isinstance(row.get("g"), ox.NamedNode) and self._ours(row["g"].value)
        ]
        return sorted(infos, key=lambda g: g.iri)

    def graph_names(self) -> list[str]:
        return list(self._graph_names(fresh=True))

    def _graph_names(self, fresh: bool = False) -> list[str]:
        """Our graphs' names, kept for one generation (read before the names)."""
        generation = self.generation
        if not fresh and self._graph_cache and self._graph_cache[0] == generation:
            return self._graph_cache[1]
        result = self.query(sparql.text(self.profile.graph_listing), union=False, named_graphs=[])
        names = sorted(
            row["g"].value
            for row in result.rows()
            if isinstance(row.get("g"), ox.NamedNode) and self._ours(row["g"].value)
        )
        self._graph_cache = (generation, names)
        return names

    def close(self) -> None:
        self._http.close()
