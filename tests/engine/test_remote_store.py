"""What a remote store does that the embedded one need not: engine settings, authentication, cut
answers, server errors kept from the public, and the engine's own union (#16).

Real servers where the behaviour is the engine's (row limits, anytime timeouts, Digest), a small
recording HTTP server where the behaviour is what we send (headers, parameters) or what we make of
an answer no healthy engine gives on demand (a 500 with internal text).
"""

from __future__ import annotations

import gc
import io
import logging
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from flask import Flask

from lhs_kg.config import RemoteEndpoints, Settings
from lhs_kg.engines import engine
from lhs_kg.errors import (
    ConfigError,
    EngineError,
    QueryTimeoutError,
    StoreError,
    TruncatedResultError,
    WriteConflictError,
)
from lhs_kg.formats import ox_rdf, rdf_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import RemoteStore
from lhs_kg.store.http import (
    CUT_SHORT,
    STORE_DID_NOT_ANSWER,
    STORE_FAILED,
    TIMED_OUT,
    UPDATE_ATTEMPTS,
    WRITE_CROSSED,
    WRITE_CROSSED_PART,
)
from lhs_kg.store.results import parse_json_results
from tests.helpers import (
    ROOT,
    OxigraphServer,
    SparqlServer,
    VirtuosoServer,
    app_for,
    sparql_request,
)
from web.errors import init_app

pytestmark = pytest.mark.remote

BIG = "https://example.org/graph/big"
NT = rdf_format("nt")
TTL = rdf_format("ttl")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _big_graph(triples: int) -> bytes:
    return "".join(
        f'<https://example.org/n{i}> <https://example.org/p> "{i}"^^<{XSD_INTEGER}> .\n'
        for i in range(triples)
    ).encode()


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            {"LHS_KG_STORE": "http://h:7878"},
            ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store", "none", None),
            id="oxigraph",
        ),
        pytest.param(
            {"LHS_KG_STORE": "http://h:8890/", "LHS_KG_STORE_ENGINE": "Virtuoso",
             "LHS_KG_STORE_USER": "u", "LHS_KG_STORE_PASSWORD": "p"},
            ("http://h:8890/sparql", "http://h:8890/sparql-auth",
             "http://h:8890/sparql-graph-crud-auth", "digest", 10_000),
            id="virtuoso",
        ),
        pytest.param(
            {"LHS_KG_STORE": "http://h:1", "LHS_KG_STORE_TOKEN": "t",
             "LHS_KG_STORE_ROW_LIMIT": "0"},
            ("http://h:1/query", "http://h:1/update", "http://h:1/store", "bearer", None),
            id="bearer",
        ),
        pytest.param(
            {"LHS_KG_STORE": "http://h:1", "LHS_KG_STORE_USER": "u", "LHS_KG_STORE_AUTH": "DIGEST",
             "LHS_KG_STORE_ROW_LIMIT": "500"},
            ("http://h:1/query", "http://h:1/update", "http://h:1/store", "digest", 500),
            id="digest",
        ),
    ],
)  # fmt: skip
def test_the_engine_setting_chooses_urls_auth_and_row_limit(
    env: dict[str, str], expected: tuple[object, ...]
) -> None:
    remote = Settings.from_env(env).remote
    assert remote is not None
    assert (remote.query, remote.update, remote.graph_store, remote.auth, remote.row_limit) == (
        expected
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LHS_KG_STORE_ENGINE": "fuseki"}, "unknown SPARQL engine 'fuseki'"),
        ({"LHS_KG_STORE_AUTH": "kerberos"}, "LHS_KG_STORE_AUTH"),
        ({"LHS_KG_STORE_AUTH": "digest"}, "needs LHS_KG_STORE_USER"),
        ({"LHS_KG_STORE_AUTH": "bearer"}, "needs LHS_KG_STORE_TOKEN"),
        ({"LHS_KG_STORE_UNION": "yes"}, "LHS_KG_STORE_UNION"),
        ({"LHS_KG_STORE_ROW_LIMIT": "-5"}, "LHS_KG_STORE_ROW_LIMIT"),
        ({"LHS_KG_STORE_ROW_LIMIT": "many"}, "LHS_KG_STORE_ROW_LIMIT"),
    ],
)
def test_a_malformed_store_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({"LHS_KG_STORE": "http://h:1", **env})


def test_the_settings_store_lists_only_our_graph_prefix() -> None:
    from lhs_kg.store import open_store

    store = open_store(Settings.from_env({"LHS_KG_STORE": "http://h:1"}))
    assert isinstance(store, RemoteStore)
    assert store.endpoints.graph_prefixes == ("https://w3id.org/lhs-kg/graph/",)


# -- what we send --------------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Records each request; answers with the class's ``status``, ``body`` and ``headers``."""

    seen: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []  # noqa: RUF012
    status = 200
    body = b'{"head":{},"boolean":true}'
    content_type = "application/sparql-results+json"
    extra_headers: dict[str, str] = {}  # noqa: RUF012
    delay_s = 0.0
    missing_bytes = 0
    """Bytes the answer announces (Content-Length) but never sends: it breaks off."""
    first: list[tuple[int, bytes]] = []  # noqa: RUF012
    """Status and body of the first requests' answers, one each; then ``status`` and ``body``."""

    def _answer(self) -> None:
        path, form = sparql_request(self)
        self.seen.append((path, form, dict(self.headers)))
        time.sleep(self.delay_s)
        status, body = self.first.pop(0) if self.first else (self.status, self.body)
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(body) + self.missing_bytes))
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    _Recorder.status, _Recorder.body = 200, b'{"head":{},"boolean":true}'
    _Recorder.extra_headers = {}
    _Recorder.delay_s = 0.0
    _Recorder.missing_bytes = 0
    _Recorder.first = []
    _Recorder.content_type = "application/sparql-results+json"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _endpoints(url: str, **changes: object) -> RemoteEndpoints:
    return replace(RemoteEndpoints(f"{url}/query", f"{url}/update", f"{url}/store"), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "header"),
    [
        ({"auth": "bearer", "token": "s3cret"}, "Bearer s3cret"),
        ({"auth": "basic", "user": "u", "password": "p"}, "Basic dTpw"),
        ({"auth": "none", "user": "u", "password": "p"}, None),
    ],
)
def test_the_chosen_authentication_is_sent(
    recorder: str, changes: dict[str, str], header: str | None
) -> None:
    with RemoteStore(_endpoints(recorder, **changes)) as store:
        store.query("ASK {}", union=False)
        store.update("CLEAR SILENT GRAPH <https://example.org/g>")
    assert [seen[2].get("Authorization") for seen in _Recorder.seen] == [header, header]


def test_the_engine_union_sends_no_graph_list(recorder: str) -> None:
    """With LHS_KG_STORE_UNION=server the engine's default graph is the union: one request."""
    with RemoteStore(_endpoints(recorder, union="server")) as store:
        assert store.query("ASK { ?s ?p ?o }").boolean
    ((path, form, _),) = _Recorder.seen
    assert path == "/query" and sorted(form) == ["query"]


def test_a_listed_union_names_every_graph_as_default_and_named(
    sparql_server: SparqlServer,
) -> None:
    """Regression (#16): ``GRAPH ?g`` over the union saw no graph (0 rows, exit 0)."""
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(b"<https://example.org/a> <https://example.org/p> 1 .", TTL, BIG)
        rows = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows()
        assert [row["g"].value for row in rows] == [BIG]


def test_the_engine_union_on_a_real_server(tmp_path_factory: pytest.TempPathFactory) -> None:
    server = OxigraphServer(tmp_path_factory.mktemp("union"), union_default_graph=True)
    try:
        with RemoteStore(server.endpoints) as store:
            store.load(b"<https://example.org/a> <https://example.org/p> 1 .", TTL, BIG)
            assert store.query("ASK { ?s ?p 1 }").boolean
            assert not store.query("ASK { ?s ?p 1 }", union=False).boolean
            rows = store.query(
                "SELECT ?g WHERE { GRAPH ?g { ?s <https://example.org/p> ?o } }"
            ).rows()
            assert [row["g"].value for row in rows] == [BIG]
    finally:
        server.stop()


# -- how a SELECT travels (#16: a remote page's time is mostly per-query overhead) ---------------

_TSV = "text/tab-separated-values"
_JSON = "application/sparql-results+json"
_ROWS_IN = {  # one answer (a bound IRI, a language string, an unbound cell) in each format
    _TSV: b'?s\t?label\n<urn:a>\t"B\xc3\xa9"@fr\n<urn:b>\t\n',
    _JSON: (
        b'{"head":{"vars":["s","label"]},"results":{"bindings":['
        b'{"s":{"type":"uri","value":"urn:a"},'
        b'"label":{"type":"literal","value":"B\xc3\xa9","xml:lang":"fr"}},'
        b'{"s":{"type":"uri","value":"urn:b"}}]}}'
    ),
    "application/sparql-results+xml": (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="s"/><variable name="label"/></head><results>'
        b'<result><binding name="s"><uri>urn:a</uri></binding><binding name="label">'
        b'<literal xml:lang="fr">B\xc3\xa9</literal></binding></result>'
        b'<result><binding name="s"><uri>urn:b</uri></binding></result></results></sparql>'
    ),
}


@pytest.mark.parametrize(
    ("engine", "select_accept"),
    [("oxigraph", _TSV), ("virtuoso", _JSON), ("generic", _JSON)],
)
def test_a_select_is_asked_in_the_engine_s_fastest_standard_format(
    recorder: str, engine: str, select_accept: str
) -> None:
    """Oxigraph writes TSV terms as pyoxigraph reads them (a third of JSON's bytes, parsed 2.5×
    faster); engines whose JSON needs reading into the standard form get JSON; an ASK's answer
    is JSON everywhere."""
    _Recorder.body = _ROWS_IN[_JSON]
    with RemoteStore(_endpoints(recorder, engine=engine)) as store:
        store.query("SELECT ?s ?label WHERE { ?s ?p ?label }", union=False).rows()
    asked = [headers.get("Accept") for _, form, headers in _Recorder.seen if "query" in form]
    assert asked[-1] == select_accept


@pytest.mark.parametrize("content_type", sorted(_ROWS_IN))
def test_an_answer_is_read_in_the_format_its_content_type_names(
    recorder: str, content_type: str
) -> None:
    """A server may answer in another format than the one asked for: its Content-Type says."""
    _Recorder.content_type, _Recorder.body = content_type, _ROWS_IN[content_type]
    with RemoteStore(_endpoints(recorder)) as store:
        rows = store.query("SELECT ?s ?label WHERE { ?s ?p ?label }", union=False).rows()
    assert rows == [
        {"s": ox.NamedNode("urn:a"), "label": ox.Literal("Bé", language="fr")},
        {"s": ox.NamedNode("urn:b")},
    ]


@pytest.mark.parametrize(
    ("changes", "direct"),
    [
        pytest.param({}, True, id="oxigraph"),
        pytest.param({"auth": "basic", "user": "u", "password": "p"}, True, id="oxigraph-basic"),
        pytest.param({"engine": "generic"}, False, id="generic"),
        pytest.param({"engine": "virtuoso", "auth": "none"}, False, id="virtuoso"),
        pytest.param({"auth": "digest", "user": "u", "password": "p"}, True, id="digest-unasked"),
    ],
)
def test_a_query_goes_as_the_body_where_the_engine_reads_it(
    recorder: str, changes: dict[str, str], direct: bool
) -> None:
    """Oxigraph gets the query itself (``application/sparql-query``, nothing to URL-encode)
    with the dataset in the URL; other engines get a form (Virtuoso 7 never answers the
    former), and so does a Digest store's query endpoint that asked for credentials (through
    requests). The server reads the same fields either way."""
    text = "SELECT ?s WHERE { ?s ?p 'a & b = c' }"
    graph = "https://w3id.org/lhs-kg/graph/published?x=1&y=2"
    with RemoteStore(_endpoints(recorder, **changes)) as store:
        store.query(text, union=False, default_graphs=[graph], named_graphs=[graph])
    ((path, form, headers),) = [seen for seen in _Recorder.seen if "query" in seen[1]]
    content_type = "application/sparql-query" if direct else "application/x-www-form-urlencoded"
    assert headers["Content-Type"] == content_type
    profile = engine(changes.get("engine", "oxigraph"))
    fields = {"default-graph-uri": [graph], "named-graph-uri": [graph]}
    if profile.dataset_in_text:  # Virtuoso: in pragmas before the query
        fields = {}
        text = profile.with_dataset(
            text, [("default-graph-uri", graph), ("named-graph-uri", graph)]
        )
    if profile.timeout_param:
        fields[profile.timeout_param] = ["60000"]
    assert (path, form) == ("/query", {"query": [text], **fields})


@pytest.mark.parametrize(
    ("path", "lean"), [("/sparql", True), ("/sparql-auth", False)], ids=["anonymous", "digest"]
)
def test_queries_skip_digest_until_the_endpoint_asks_for_it(
    virtuoso_server: VirtuosoServer, path: str, lean: bool
) -> None:
    """Virtuoso reads on its anonymous /sparql: queries go on the lean connections without
    credentials (half the time of requests per query, #16). An endpoint behind Digest answers
    401 once, and from then on queries go through requests, which answers the challenge."""
    virtuoso_server.clear()
    endpoints = replace(virtuoso_server.endpoints, query=f"{virtuoso_server.url}{path}")
    with RemoteStore(endpoints) as store:
        store.load(b"<https://e.org/a> <https://e.org/p> <https://e.org/b> .", NT, BIG)
        answers = [store.query("SELECT ?s WHERE { ?s <https://e.org/p> ?o }").rows() for _ in "ab"]
        kept_lean = store._http._lean is not None
    assert [[row["s"].value for row in rows] for rows in answers] == [["https://e.org/a"]] * 2
    assert kept_lean is lean
    virtuoso_server.clear()


def test_virtuoso_answers_queries_without_digest(virtuoso_server: VirtuosoServer) -> None:
    """Its anonymous /sparql endpoint over the lean connections: a query sent as the body
    would never be answered (the 10 s limit here), a form is (#16)."""
    virtuoso_server.clear()
    with RemoteStore(virtuoso_server.endpoints) as writer:
        writer.load(b"<https://e.org/a> <https://e.org/p> <https://e.org/b> .", NT, BIG)
    anonymous = replace(virtuoso_server.endpoints, auth="none")
    with RemoteStore(anonymous, timeout_s=10) as store:
        assert store._http._lean is not None  # the lean path, as for any plain-HTTP store
        rows = store.query("SELECT ?s WHERE { ?s <https://e.org/p> ?o }").rows()
    assert [row["s"].value for row in rows] == ["https://e.org/a"]
    virtuoso_server.clear()


@pytest.mark.parametrize("through", ["lean", "requests"])
def test_an_answer_that_breaks_off_is_an_error_not_a_short_answer(
    recorder: str, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection closed before the announced length came: whole rows may have arrived,
    but the answer is not passed on (by the lean connections, or by requests behind a proxy)."""
    _Recorder.content_type, _Recorder.body = _TSV, _ROWS_IN[_TSV]
    _Recorder.missing_bytes = 100
    store_url = recorder
    if through == "requests":
        monkeypatch.setenv("HTTP_PROXY", recorder)
        store_url = "http://store.invalid:7878"  # reachable only through the proxy
    with RemoteStore(_endpoints(store_url)) as store, pytest.raises(StoreError) as caught:
        assert (store._http._lean is None) is (through == "requests")
        store.query("SELECT ?s ?label WHERE { ?s ?p ?label }", union=False).rows()
    assert caught.value.public == STORE_DID_NOT_ANSWER


def test_a_long_graph_list_goes_in_a_form_not_the_url(recorder: str) -> None:
    """A listed union of thousands of graphs would make a URL servers refuse."""
    graphs = [f"https://w3id.org/lhs-kg/graph/contribution/{i:05d}" for i in range(200)]
    with RemoteStore(_endpoints(recorder)) as store:
        store.query("ASK { ?s ?p ?o }", union=False, default_graphs=graphs, named_graphs=[])
    ((path, form, headers),) = _Recorder.seen
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert path == "/query" and form["default-graph-uri"] == graphs


@pytest.mark.parametrize("graphs", [1, 50, 500], ids=["one", "in-the-url", "in-a-form"])
def test_a_graph_list_of_any_length_reaches_the_server(
    sparql_server: SparqlServer, graphs: int
) -> None:
    """Up to ~4 kB of graph names go in the URL (``oxigraph serve`` refuses a head over 8 kB),
    more in a form body: the server reads the same dataset either way."""
    names = [BIG] + [f"https://example.org/graph/other/{i:04d}" for i in range(graphs - 1)]
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(b"<https://e.org/a> <https://e.org/p> <https://e.org/b> .", NT, BIG)
        rows = store.query(
            "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            union=False,
            default_graphs=names,
            named_graphs=names,
        ).rows()
    assert [row["g"].value for row in rows] == [BIG]


def test_an_answer_read_on_one_thread_is_dropped_on_another(sparql_server: SparqlServer) -> None:
    """pyoxigraph's lazy answers may be dropped only by the thread that made them (a
    RuntimeError in another thread's garbage collection, CI #16): a remote answer is read
    whole, so a page cache or a worker thread may let go of it anywhere."""
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(b"<https://e.org/a> <https://e.org/p> _:x .", TTL, BIG)
        made: list[object] = []
        worker = threading.Thread(
            target=lambda: made.append(store.query("SELECT * WHERE { ?s ?p ?o }"))
        )
        worker.start()
        worker.join()
        (result,) = made
        rows = result.rows()  # type: ignore[attr-defined]
        unraisable: list[object] = []
        previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
        try:
            made.clear()
            del result
            gc.collect()
        finally:
            sys.unraisablehook = previous
    assert [row["s"].value for row in rows] == ["https://e.org/a"] and unraisable == []


_XML = "application/sparql-results+xml"
_XML_ROWS = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
    b'<head><variable name="s"/></head><results>'
    b'<result><binding name="s"><uri>urn:a</uri></binding></result>'
    b'<result><binding name="s"><uri>urn:b</uri></binding></result>'
    b"</results></sparql>\n"
)
"""A whole XML SELECT answer of two rows (the tests cut it)."""
_CUT_ROWS = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:a"}},'
"""A SELECT answer cut after its first row."""


@pytest.mark.parametrize(
    ("query", "content_type", "body"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json", b"<html>oops</html>"),
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json", b'{"head": {'),
        ("SELECT ?s WHERE { ?s ?p ?o }", "application/sparql-results+json", _CUT_ROWS),
        ("ASK {}", "application/sparql-results+json", b'{"head":{},"boolean":"perhaps"}'),
        ("SELECT ?s WHERE { ?s ?p ?o }", _XML, _XML_ROWS[: _XML_ROWS.index(b"</result>") + 9]),
        ("SELECT ?s WHERE { ?s ?p ?o }", _XML, _XML_ROWS[: _XML_ROWS.index(b"<result>")]),
        ("SELECT ?s WHERE { ?s ?p ?o }", _XML, _XML_ROWS[: _XML_ROWS.index(b"<uri>") + 9]),
        ("ASK {}", _XML, b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'),
        ("SELECT ?s WHERE { ?s ?p ?o }", "text/tab-separated-values", b"?s\n<urn:a\n"),
        ("SELECT ?s WHERE { ?s ?p ?o }", "text/tab-separated-values", b"?s\n<urn:a>\t<urn:b>\n"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", b"<a> <b> ."),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", b"\xff\xfe garbage"),
    ],
)  # fmt: skip
def test_an_answer_that_does_not_parse_is_a_readable_error(
    recorder: str, query: str, content_type: str, body: bytes
) -> None:
    _Recorder.content_type, _Recorder.body = content_type, body
    with RemoteStore(_endpoints(recorder)) as store, pytest.raises(EngineError) as caught:
        result = store.query(query, union=False)
        result.rows() if result.kind == "select" else result.triples()
    assert caught.value.public == "the store sent an answer that does not parse"


@pytest.mark.parametrize(
    "body",
    [
        _XML_ROWS,
        re.sub(
            rb"<(/?)(sparql|head|variable|results|result|binding|uri)\b", rb"<\1r:\2", _XML_ROWS
        ).replace(b"xmlns=", b"xmlns:r="),
    ],
    ids=["default namespace", "prefixed"],
)  # fmt: skip
def test_a_whole_xml_answer_reads_every_row(recorder: str, body: bytes) -> None:
    _Recorder.content_type, _Recorder.body = _XML, body
    with RemoteStore(_endpoints(recorder)) as store:
        rows = store.query("SELECT ?s WHERE { ?s ?p ?o }", union=False).rows()
    assert [row["s"].value for row in rows] == ["urn:a", "urn:b"]


@pytest.mark.parametrize(
    ("content_type", "rows"),
    [(_JSON, _CUT_ROWS), (_TSV, b"?s\n<urn:a>\n"), (_TSV, b"?s\n<urn:a>\n<urn:b")],
)
def test_a_streamed_answer_stopped_by_the_engine_is_a_timeout(
    recorder: str, content_type: str, rows: bytes
) -> None:
    """``oxigraph serve`` has sent 200 and some rows when its time limit stops a query: all it
    can do is append a notice. That is a timeout, never a parser's SyntaxError (CI, #16)."""
    _Recorder.content_type = content_type
    _Recorder.body = rows + b"The SPARQL operation has been cancelled"
    with RemoteStore(_endpoints(recorder)) as store, pytest.raises(QueryTimeoutError) as caught:
        store.query("SELECT ?s WHERE { ?s ?p ?o }", union=False).rows()
    assert caught.value.public == TIMED_OUT


def test_a_query_stopped_by_oxigraph_mid_answer_is_a_timeout(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    server = OxigraphServer(tmp_path_factory.mktemp("stopped"), timeout_s=1)
    try:
        with RemoteStore(server.endpoints) as store:
            store.load(_big_graph(400), NT, BIG)
            cross = f"SELECT ?a WHERE {{ GRAPH <{BIG}> {{ ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }} }}"
            with pytest.raises(QueryTimeoutError) as caught:
                store.query(cross, union=False, timeout_s=30).rows()
        assert caught.value.public == TIMED_OUT
    finally:
        server.stop()


def test_a_server_slower_than_the_time_limit_is_a_timeout(recorder: str) -> None:
    _Recorder.delay_s = 3.0
    with RemoteStore(_endpoints(recorder)) as store, pytest.raises(QueryTimeoutError) as caught:
        store.query("ASK {}", union=False, timeout_s=1)
    assert caught.value.public == TIMED_OUT


def test_every_store_setting_is_documented_in_the_readme() -> None:
    """The settings table is where operators look: a setting missing there does not exist."""
    source = (ROOT / "lhs_kg" / "config.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r'"(LHS_KG_STORE_[A-Z_]+)"', source))
    assert names >= {"LHS_KG_STORE_ENGINE", "LHS_KG_STORE_AUTH", "LHS_KG_STORE_TOKEN"}
    shortened = {name for name in names if name.endswith("_URL")}  # written `_UPDATE_URL`
    assert [n for n in sorted(names - shortened) if f"`{n}`" not in readme] == []
    assert [n for n in sorted(shortened) if n.removeprefix("LHS_KG_STORE") not in readme] == []


# -- what the engine answers ---------------------------------------------------------------------


def test_an_answer_cut_at_the_row_limit_is_an_error_not_a_short_answer(
    sparql_server: SparqlServer,
) -> None:
    """Virtuoso cuts at ResultSetMaxRows (10,000) and says so in X-SPARQL-MaxRows (SELECT) or
    not at all (CONSTRUCT); Oxigraph has no limit and sends everything."""
    triples = 10_050
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(_big_graph(triples), NT, BIG)
        select = f"SELECT ?s WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
        if sparql_server.engine == "virtuoso":
            for text in (select, construct):
                with pytest.raises(TruncatedResultError) as caught:
                    store.query(text, union=False)
                assert caught.value.public == CUT_SHORT
        else:
            assert len(store.query(select, union=False).rows()) == triples
            assert len(store.query(construct, union=False).triples()) == triples


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_a_graph_larger_than_the_row_limit_dumps_whole(
    sparql_server: SparqlServer, fmt: str
) -> None:
    """Virtuoso's Graph Store answer stops at its row limit too: the rest is read in pages."""
    triples = 10_050
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(_big_graph(triples), NT, BIG)
        one, dataset = io.BytesIO(), io.BytesIO()
        store.dump(one, rdf_format(fmt), BIG)
        store.dump(dataset, rdf_format("nq"))
    expected = {q.triple for q in ox.parse(_big_graph(triples), format=ox.RdfFormat.N_TRIPLES)}
    assert {q.triple for q in ox.parse(one.getvalue(), format=ox_rdf(rdf_format(fmt)))} == expected
    quads = list(ox.parse(dataset.getvalue(), format=ox.RdfFormat.N_QUADS))
    assert {q.triple for q in quads} == expected and len(quads) == triples


def test_an_anytime_answer_stopped_by_the_time_limit_is_a_timeout(
    virtuoso_server: VirtuosoServer,
) -> None:
    """Virtuoso answers 200 with a partial result when its time limit stops a query (S1TAT)."""
    virtuoso_server.clear()
    with RemoteStore(virtuoso_server.endpoints) as store:
        store.load(_big_graph(3_000), NT, BIG)
        slow = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG}> {{ ?a ?b ?c . ?d ?b ?f . ?g ?b ?h "
            "FILTER(STR(?c) < STR(?f) && STR(?f) < STR(?h)) } }"
        )
        with pytest.raises(QueryTimeoutError) as caught:
            store.query(slow, union=False, timeout_s=1).rows()
    assert caught.value.public == TIMED_OUT
    virtuoso_server.clear()


def test_virtuoso_keeps_its_anonymous_endpoint_read_only(virtuoso_server: VirtuosoServer) -> None:
    """The fixture's server: writes need the Digest-authenticated user."""
    virtuoso_server.clear()
    anonymous = replace(
        virtuoso_server.endpoints, update=f"{virtuoso_server.url}/sparql", auth="none"
    )
    with RemoteStore(anonymous) as store, pytest.raises(StoreError):
        store.update(f"INSERT DATA {{ GRAPH <{BIG}> {{ <https://e.org/a> <https://e.org/b> 1 }} }}")
    with RemoteStore(virtuoso_server.endpoints) as store:
        assert store.graph_names() == []


@pytest.mark.parametrize("operation", ["update", "load"])
def test_wrong_credentials_are_refused_and_write_nothing(
    virtuoso_server: VirtuosoServer, operation: str
) -> None:
    virtuoso_server.clear()
    wrong = replace(virtuoso_server.endpoints, password="not-the-password")
    with RemoteStore(wrong) as store, pytest.raises(EngineError) as caught:
        if operation == "update":
            store.update(
                f"INSERT DATA {{ GRAPH <{BIG}> {{ <https://e.org/a> <https://e.org/b> 1 }} }}"
            )
        else:
            store.load(_big_graph(3), NT, BIG)
    assert caught.value.public == "the store refused our credentials (401)"
    with RemoteStore(virtuoso_server.endpoints) as store:
        assert store.graph_names() == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"ASK {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}", True),
        ("ASK { GRAPH <https://example.org/graph/none> { ?s ?p ?o } }", False),
        ("ASK WHERE { GRAPH ?g { ?s <https://e.org/none> ?o } }", False),
        ("PREFIX e: <https://e.org/>\nASK { GRAPH ?g { ?s e:p ?o } }", True),
    ],
)
def test_ask_is_answered_within_the_dataset(
    sparql_server: SparqlServer, query: str, expected: bool
) -> None:
    """Regression (#16): Virtuoso answered true to an ASK over a graph that does not exist."""
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(b"<https://e.org/a> <https://e.org/p> <https://e.org/b> .", NT, BIG)
        assert store.query(query, union=False).boolean is expected


def test_blank_nodes_inserted_as_data_read_the_same_by_query_and_dump(
    sparql_server: SparqlServer,
) -> None:
    """Regression (#16): Virtuoso refused ``INSERT DATA`` with a blank node, and named the same
    node differently in JSON results and N-Triples."""
    with RemoteStore(sparql_server.endpoints) as store:
        data = '<https://e.org/a> <https://e.org/p> [ <https://e.org/q> "x" ]'
        store.update(f"INSERT DATA {{ GRAPH <{BIG}> {{ {data} }} }}")
        rows = store.query(
            "SELECT ?x WHERE { ?a <https://e.org/p> ?x }",
            union=False,
            named_graphs=[BIG],
            default_graphs=[BIG],
        ).rows()
        dumped = io.BytesIO()
        store.dump(dumped, NT, graph=BIG)
    node = rows[0]["x"]
    assert isinstance(node, ox.BlankNode)
    triples = set(q.triple for q in ox.parse(dumped.getvalue(), format=ox.RdfFormat.N_TRIPLES))
    assert ox.Triple(node, ox.NamedNode("https://e.org/q"), ox.Literal("x")) in triples


def test_blank_nodes_and_booleans_of_the_engine_are_read(sparql_server: SparqlServer) -> None:
    """Regression (#16): Virtuoso's ``nodeID://`` labels failed to parse; its booleans are 1/0."""
    with RemoteStore(sparql_server.endpoints) as store:
        store.load(
            b"<https://e.org/a> <https://e.org/p> _:x . _:x <https://e.org/q> true .", TTL, BIG
        )
        rows = store.query(
            "SELECT ?x ?flag (BOUND(?x) AS ?bound) (?flag = false AS ?no) "
            "WHERE { ?a <https://e.org/p> ?x . ?x <https://e.org/q> ?flag }"
        ).rows()
    assert len(rows) == 1
    assert isinstance(rows[0]["x"], ox.BlankNode)
    true, false = ox.Literal(True), ox.Literal(False)
    assert (rows[0]["flag"], rows[0]["bound"], rows[0]["no"]) == (true, true, false)


# -- what the public reads -----------------------------------------------------------------------


@pytest.fixture
def failing_kb(recorder: str) -> Iterator[KnowledgeBase]:
    """A knowledge base whose store answers every request with a 500 full of internal detail."""
    _Recorder.status = 500
    _Recorder.body = b"Virtuoso 42000 Error SR186: SECRET-TABLE DB.DBA.INTERNAL at /srv/db"
    kb = KnowledgeBase(Settings(store=recorder), store=RemoteStore(_endpoints(recorder)))
    yield kb
    kb.close()


UPDATE = "DELETE DATA { GRAPH <https://example.org/g> { <https://example.org/a> <urn:p> 1 } }"
DEADLOCKED = (
    b"Virtuoso 40001 Error SR172: Transaction deadlocked\n\nSPARQL query:\n" + UPDATE.encode()
)
"""Virtuoso's answer to an update it rolled back as crossing another (seen in CI, #16)."""


def _updates_sent() -> list[str]:
    return [form["update"][0] for _, form, _ in _Recorder.seen]


def test_an_update_rolled_back_as_a_deadlock_is_sent_again_whole(recorder: str) -> None:
    """On an engine whose request is one transaction: the same request, new generation and
    change log entry included, until it passes."""
    _Recorder.first = [(500, DEADLOCKED), (500, DEADLOCKED)]
    with RemoteStore(_endpoints(recorder)) as store:
        store.update(UPDATE)  # the third request passes
    sent = _updates_sent()
    assert len(sent) == 3 and len(set(sent)) == 1 and sent[0].startswith(UPDATE)


def test_a_write_that_deadlocks_every_time_is_a_busy_store_not_a_failure(recorder: str) -> None:
    _Recorder.status, _Recorder.body = 500, DEADLOCKED
    with RemoteStore(_endpoints(recorder)) as store, pytest.raises(WriteConflictError) as caught:
        store.update(UPDATE)
    assert len(_Recorder.seen) == UPDATE_ATTEMPTS
    assert caught.value.public == WRITE_CROSSED and "SR172" in str(caught.value)
    app = Flask(__name__)
    init_app(app)
    app.add_url_rule("/write", "write", lambda: (_ for _ in ()).throw(caught.value))
    answer = app.test_client().get("/write", headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"] == "Busy" and "SR172" not in answer.get_data(as_text=True)


def test_a_deadlocked_write_is_not_sent_again_where_part_of_it_may_be_kept(
    recorder: str,
) -> None:
    """Virtuoso 7 keeps the operations before a failing one of a request: sent again, a write
    kept in part could be made twice (a blank node, a counter); the error says so instead."""
    _Recorder.first = [(500, DEADLOCKED)]
    with RemoteStore(_endpoints(recorder, engine="virtuoso")) as store:
        assert not store.atomic_updates
        with pytest.raises(WriteConflictError) as caught:
            store.update(UPDATE)
    assert len(_Recorder.seen) == 1
    assert caught.value.public == WRITE_CROSSED_PART


@pytest.mark.parametrize("engine_name", ["generic", "virtuoso"])
def test_the_lock_s_claims_and_releases_are_sent_again_on_any_engine(
    recorder: str, engine_name: str
) -> None:
    """Lock bookkeeping (a conditional claim, a release) changes nothing more when run twice."""
    _Recorder.first = [(500, DEADLOCKED)]
    with RemoteStore(_endpoints(recorder, engine=engine_name)) as store:
        store.update_bookkeeping(UPDATE)
    assert len(_updates_sent()) == 2 and len(set(_updates_sent())) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"Virtuoso 42000 Error SP030: syntax error\n\nSPARQL query:\nINSERT DATA { <a> <b> 40001 }",
        b"Virtuoso 37000 Error: unknown\n\nSPARQL query:\n# a deadlock, in a comment",
        b"Virtuoso 37000 Error SP030: SPARQL compiler: syntax error at 'deadlock' before '}'",
        b"Virtuoso 42000 Error SR185: 40001 rows of something",
    ],
)
def test_an_error_that_only_quotes_deadlock_words_is_not_sent_again(
    recorder: str, body: bytes
) -> None:
    """The error's code is read where the engine puts it, at its start, not in what it quotes."""
    _Recorder.status, _Recorder.body = 500, body
    with RemoteStore(_endpoints(recorder)) as store, pytest.raises(EngineError) as caught:
        store.update(UPDATE)
    assert not isinstance(caught.value, WriteConflictError)
    assert len(_Recorder.seen) == 1


def test_a_deadlock_that_quotes_time_limit_words_is_still_a_deadlock(recorder: str) -> None:
    _Recorder.first = [(500, DEADLOCKED + b"\n# it timed out")]
    with RemoteStore(_endpoints(recorder)) as store:
        store.update(UPDATE)
    assert len(_Recorder.seen) == 2


@pytest.mark.parametrize("path", ["/case-study/", "/sparql?query=ASK%7B%7D", "/dataset"])
def test_a_server_error_is_logged_but_not_shown(
    failing_kb: KnowledgeBase, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        answer = app_for(failing_kb).test_client().get(path, headers={"Accept": "text/html"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 502
    assert STORE_FAILED.split(";")[0] in body
    assert "SECRET" not in body and "Virtuoso" not in body and "/srv/db" not in body
    assert "SECRET-TABLE" in caplog.text  # the operator still reads what the engine said


def test_a_cut_answer_reads_as_such_on_the_page(recorder: str) -> None:
    """An engine that says it cut the answer (X-SPARQL-MaxRows): 502 and our words, no rows."""
    _Recorder.body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
    _Recorder.extra_headers = {"X-SPARQL-MaxRows": "10000"}
    kb = KnowledgeBase(Settings(store=recorder), store=RemoteStore(_endpoints(recorder)))
    try:
        answer = (
            app_for(kb)
            .test_client()
            .get(
                "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
                headers={"Accept": "application/sparql-results+json"},
            )
        )
    finally:
        kb.close()
    assert answer.status_code == 502
    assert CUT_SHORT.split(";")[0] in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("env", "outcome"),
    [({"CI": "true"}, pytest.fail.Exception), ({}, pytest.skip.Exception)],
    ids=["ci-fails", "bare-pytest-skips"],
)
def test_a_missing_virtuoso_names_its_install_command(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], outcome: type[BaseException]
) -> None:
    from tests import helpers

    monkeypatch.setattr(helpers.shutil, "which", lambda name: None)
    for name in ("CI", "LHS_KG_REQUIRE_TOOLS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(outcome, match="make virtuoso"):
        helpers.virtuoso_binaries()


def test_a_proxy_in_the_environment_is_still_used_for_queries(
    recorder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries skip requests on plain HTTP (#16), but not where requests honoured a proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", recorder)
    behind = "http://store.invalid:7878"  # reachable only through the proxy
    with RemoteStore(_endpoints(behind)) as store:
        assert store.query("ASK {}", union=False).boolean
    ((path, form, _),) = _Recorder.seen
    assert path == behind + "/query" and form["query"] == ["ASK {}"]


def test_a_cut_answer_s_error_holds_no_parser() -> None:
    """pyoxigraph's answer objects may be dropped only by the thread that made them. One kept
    alive by an error's traceback was collected later by another thread's garbage collection,
    a RuntimeError there (CI, #16): the error must reach nothing of the parser."""
    with pytest.raises(SyntaxError) as caught:
        parse_json_results(_CUT_ROWS)
    frames, tb = [], caught.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    held = [v for f in frames for v in f.f_locals.values() if isinstance(v, ox.QuerySolutions)]
    assert frames and held == []
    assert caught.value.__context__ is None
