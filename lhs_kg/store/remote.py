"""Any SPARQL 1.1 server: the Protocol (through SPARQLWrapper) for query and update, and the
Graph Store HTTP Protocol (through requests) for graph loads, replacements and dumps.

A query's time limit is sent to the server as the common ``timeout`` parameter (milliseconds;
Virtuoso honours it, servers that do not know it ignore it) besides the client's own socket
timeout; Oxigraph's server has no per-request limit and is started with ``--timeout-s``.

Every write made through this class gives the store a new generation, kept in the store's meta
graph (:mod:`lhs_kg.store.generation`), so caches in every process that reads the server see it.

The knowledge base keeps every file and contribution in its own named graph and queries their
union; on a remote server the union is asked for portably, by naming every graph as a
``default-graph-uri`` of the request.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from lhs_kg import sparql
from lhs_kg.config import DEFAULT_BASE_IRI, RemoteEndpoints
from lhs_kg.errors import ParseError, QueryError, StoreError, StoreUnavailableError
from lhs_kg.formats import Format, ox_rdf, rdf_format, result_format
from lhs_kg.sparql import bind
from lhs_kg.sparql_text import query_form
from lhs_kg.store.base import (
    Bindings,
    GraphInfo,
    QueryResult,
    Store,
    graph_iri,
    with_default_graph,
)
from lhs_kg.store.generation import SharedGeneration, meta_graph

STORE_DID_NOT_ANSWER = "the store did not answer; try again in a moment"
"""What the public is told when the store is unreachable (the URL stays in the log, #12)."""


class RemoteStore(Store):
    """A SPARQL 1.1 server reached over HTTP.

    ``meta`` is the graph holding the store's generation (``<base>graph/meta``).
    """

    shares_generation = True

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        *,
        timeout_s: float = 60.0,
        meta: str = meta_graph(DEFAULT_BASE_IRI),
    ) -> None:
        self.endpoints = endpoints
        self.description = endpoints.query
        self._timeout_s = timeout_s
        self._session = requests.Session()
        if endpoints.user:
            self._session.auth = (endpoints.user, endpoints.password or "")
        self._graph_cache: tuple[int, list[str]] | None = None
        self._shared = SharedGeneration(meta, lambda text: self.query(text, union=False).rows())

    @property
    def generation(self) -> int:
        """The store's generation as last read (:meth:`refresh_generation`) or written here."""
        return self._shared.current

    def refresh_generation(self) -> int:
        return self._shared.refresh()

    @property
    def meta_graph(self) -> str:
        """The graph that holds the generation: never part of a published view or an export."""
        return self._shared.meta

    def _wrote(self, new: int | None) -> None:
        """After a write: drop the graph list, remember the generation (None: read it again)."""
        self._graph_cache = None
        self._shared.renewed(new)

    def _renew_generation(self) -> None:
        """Give the store a new generation after a Graph Store Protocol write (not an update)."""
        text, new = self._shared.renewal()
        url = self.endpoints.update
        client = self._client(url, None)
        client.setQuery(text)
        try:
            self._send(client, url)
        except Exception:
            self._shared.renewed(None)
            raise
        self._shared.renewed(new)

    def _scrub(self, text: str) -> str:
        """``text`` without the store's own addresses (a server may echo them in its errors)."""
        for url in (self.endpoints.query, self.endpoints.update, self.endpoints.graph_store):
            text = text.replace(url, "the store")
            host = urlsplit(url).netloc
            if host:
                text = text.replace(host, "the store")
        return text

    # -- SPARQL Protocol -------------------------------------------------------------------

    def _client(self, url: str, timeout_s: float | None) -> SPARQLWrapper:
        client = SPARQLWrapper(url, updateEndpoint=self.endpoints.update)
        client.setMethod(POST)
        client.setTimeout(max(1, round(timeout_s or self._timeout_s)))
        if self.endpoints.user:
            client.setCredentials(self.endpoints.user, self.endpoints.password or "")
        return client

    def _send(self, client: SPARQLWrapper, url: str) -> bytes:
        try:
            response = client.query().response
            body: bytes = response.read()
            return body
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:500]
            raise QueryError(f"{url} answered {err.code}: {detail}").with_public(
                f"the store refused the request ({err.code}): {self._scrub(detail)}"
            ) from None
        except SPARQLWrapperException as err:
            raise QueryError(f"{url} refused the request: {err.msg}").with_public(
                "the store refused the request"
            ) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StoreUnavailableError(
                f"cannot reach the SPARQL server at {url}: {reason}"
            ).with_public(STORE_DID_NOT_ANSWER) from None

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
        url = self.endpoints.query
        client = self._client(url, timeout_s)
        client.setQuery(text)
        if timeout_s:  # the server's own limit, so it stops working when we stop waiting (#12)
            client.addParameter("timeout", str(max(1, round(timeout_s * 1000))))
        defaults = default_graphs if default_graphs else (self._graph_names() if union else [])
        for graph in defaults:
            client.addDefaultGraph(graph)
        for graph in named_graphs or []:
            client.addNamedGraph(graph)
        accept = (
            rdf_format("nt").media_type
            if form in ("construct", "describe")
            else result_format("json").media_type
        )
        client.addCustomHttpHeader("Accept", accept)
        body = self._send(client, url)
        deadline = time.monotonic() + timeout_s if timeout_s else None
        if form in ("construct", "describe"):
            try:
                triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            except SyntaxError as err:
                raise QueryError(f"{url} sent triples that do not parse: {err}").with_public(
                    "the store sent an answer that does not parse"
                ) from None
            return QueryResult("graph", triples, deadline=deadline, max_rows=max_rows)
        try:
            payload = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as err:
            raise QueryError(f"{url} sent results that do not parse: {err}").with_public(
                "the store sent an answer that does not parse"
            ) from None
        kind = "ask" if isinstance(payload, ox.QueryBoolean) else "select"
        return QueryResult(kind, payload, deadline=deadline, max_rows=max_rows)

    def update(
        self,
        text: str,
        *,
        bindings: Bindings | Sequence[Bindings] | None = None,
        default_graph: str | None = None,
    ) -> None:
        if query_form(text) != "update":
            raise QueryError("not a SPARQL update")
        if bindings:
            text = bind(text, bindings)
        if default_graph is not None:
            text = with_default_graph(text, default_graph)
        renewal, new = self._shared.renewal()
        body = text.rstrip()
        body = body[:-1] if body.endswith(";") else body
        url = self.endpoints.update
        client = self._client(url, None)
        client.setQuery(f"{body}\n;\n{renewal}")  # one transaction: the write and its number
        done = False
        try:
            self._send(client, url)
            done = True
        finally:  # a failed write may still have had effects: read the number again
            self._wrote(new if done else None)

    # -- Graph Store Protocol --------------------------------------------------------------

    def _gsp(self, method: str, graph: str, **kwargs: Any) -> requests.Response:
        url = self.endpoints.graph_store
        try:
            response = self._session.request(
                method,
                url,
                params={"graph": graph_iri(graph).value},
                timeout=self._timeout_s,
                **kwargs,
            )
        except requests.RequestException as err:
            raise StoreUnavailableError(
                f"cannot reach the graph store at {url}: {err}"
            ).with_public(STORE_DID_NOT_ANSWER) from None
        if response.status_code >= 400 and not (
            method in ("GET", "DELETE") and response.status_code == 404
        ):
            raise StoreError(
                f"{url} answered {response.status_code} to {method} of graph <{graph}>: "
                f"{response.text[:500]}"
            ).with_public(f"the store refused to {method} a graph ({response.status_code})")
        return response

    def _body(self, data: bytes | Path, fmt: Format) -> bytes:
        raw = data.read_bytes() if isinstance(data, Path) else data
        source = str(data) if isinstance(data, Path) else "input"
        try:  # check locally first: a server's parse error messages vary and the file stays ours
            for _ in ox.parse(raw, format=ox_rdf(fmt)):
                pass
        except SyntaxError as err:
            raise ParseError(
                str(err.msg or err), source=source, line=err.lineno, column=err.offset
            ) from None
        return raw

    def load(self, data: bytes | Path, fmt: Format, graph: str) -> None:
        body = self._body(data, fmt)
        try:
            self._gsp("POST", graph, data=body, headers={"Content-Type": fmt.media_type})
        finally:
            self._wrote(None)
            self._renew_generation()

    def replace_graph(self, graph: str, data: bytes | Path, fmt: Format) -> None:
        body = self._body(data, fmt)
        try:
            self._gsp("PUT", graph, data=body, headers={"Content-Type": fmt.media_type})
        finally:
            self._wrote(None)
            self._renew_generation()

    def drop_graph(self, graph: str) -> None:
        try:  # the Graph Store Protocol's DELETE: no update text; a missing graph is no error
            self._gsp("DELETE", graph)
        finally:
            self._wrote(None)
            self._renew_generation()

    def _load_nquads(self, data: bytes) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise StoreError("quads for a remote store must be in named graphs")
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        for graph, triples in by_graph.items():
            body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
            assert body is not None
            self.load(body, rdf_format("nt"), graph)

    def dump(self, output: IO[bytes], fmt: Format, graph: str | None = None) -> None:
        if graph is not None:
            response = self._gsp("GET", graph, headers={"Accept": fmt.media_type}, stream=True)
            if response.status_code == 404:
                return
            for chunk in response.iter_content(chunk_size=1 << 16):
                output.write(chunk)
            return
        if not ox_rdf(fmt).supports_datasets:
            raise StoreError(
                f"{fmt.name} holds one graph only; dump the dataset as nq or trig, or name a graph"
            )
        ox.serialize(self._all_quads(), output, ox_rdf(fmt))

    def _all_quads(self) -> Iterator[ox.Quad]:
        for name in self._graph_names(fresh=True):
            response = self._gsp(
                "GET", name, headers={"Accept": rdf_format("nt").media_type}, stream=True
            )
            if response.status_code == 404:
                continue
            response.raw.decode_content = True
            stream = cast(IO[bytes], response.raw)
            graph = ox.NamedNode(name)
            for quad in ox.parse(stream, format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)

    def graphs(self) -> list[GraphInfo]:
        result = self.query(sparql.text("store/triples-per-graph"), union=False)
        infos = [
            GraphInfo(row["g"].value, int(row["n"].value))
            for row in result.rows()
            if row["g"].value != self.meta_graph
        ]
        return sorted(infos, key=lambda g: g.iri)

    def _graph_names(self, fresh: bool = False) -> list[str]:
        """Every graph but the meta graph, kept for one generation (read before the names)."""
        generation = self.generation
        if not fresh and self._graph_cache and self._graph_cache[0] == generation:
            return self._graph_cache[1]
        result = self.query(sparql.text("store/graph-names"), union=False)
        names = [
            row["g"].value
            for row in result.rows()
            if isinstance(row.get("g"), ox.NamedNode) and row["g"].value != self.meta_graph
        ]
        self._graph_cache = (generation, names)
        return names

    def close(self) -> None:
        self._session.close()
