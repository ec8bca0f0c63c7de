"""The /sparql endpoint's protocol rules, formats, negotiation, CORS, service description, update
policy and limits, through Flask's test client (real HTTP clients: test_sparql_clients.py)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import DATA, build_app

#: The curated case studies, one file each (the answers below count them).
CASE_STUDIES = len(list((DATA / "case-studies").glob("*.ttl")))

CS = "https://w3id.org/lhs-kg/case-study/"
SELECT = (
    "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/> "
    "SELECT ?cs WHERE { ?cs a lhs:CaseStudy } ORDER BY ?cs"
)
ASK = "ASK { <https://w3id.org/lhs-kg/case-study/swedeheart> ?p ?o }"
CONSTRUCT = (
    "CONSTRUCT { ?cs a <https://w3id.org/lhs-kg/ontology/CaseStudy> } "
    "WHERE { ?cs a <https://w3id.org/lhs-kg/ontology/CaseStudy> }"
)
FORM = "application/x-www-form-urlencoded"


def case_studies(body: bytes) -> list[str]:
    return [b["cs"]["value"] for b in json.loads(body)["results"]["bindings"]]


# -- the three ways of sending a query ---------------------------------------------------------


def test_query_by_get(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert len(case_studies(response.data)) == CASE_STUDIES
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_query_by_post_form(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": SELECT})
    assert response.status_code == 200 and len(case_studies(response.data)) == CASE_STUDIES


def test_query_by_post_body(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data=SELECT.encode(), content_type="application/sparql-query; charset=utf-8"
    )
    assert response.status_code == 200 and len(case_studies(response.data)) == CASE_STUDIES


# -- formats: Accept with q-values, and the format parameter ----------------------------------


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        pytest.param(None, "application/sparql-results+json", id="no-accept"),
        pytest.param("*/*", "application/sparql-results+json", id="anything"),
        pytest.param("application/sparql-results+xml", "application/sparql-results+xml", id="xml"),
        pytest.param("text/csv", "text/csv", id="csv"),
        pytest.param("text/tab-separated-values", "text/tab-separated-values", id="tsv"),
        pytest.param("application/json", "application/sparql-results+json", id="plain-json"),
        pytest.param(
            "application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/csv", id="q-values"
        ),
        pytest.param("text/csv;q=0, */*;q=0.1", "application/sparql-results+json", id="q-zero"),
    ],
)
def test_select_result_format_by_accept(
    client: FlaskClient, accept: str | None, mimetype: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    solutions = list(
        ox.parse_query_results(response.data, ox.QueryResultsFormat.TSV)
        if mimetype == "text/tab-separated-values"
        else []
    )
    if mimetype == "text/csv":
        rows = list(csv.reader(io.StringIO(response.data.decode())))
        assert rows[0] == ["cs"] and len(rows) == CASE_STUDIES + 1
    elif solutions:
        assert len(solutions) == CASE_STUDIES


@pytest.mark.parametrize(
    ("accept", "fmt", "rdf_format"),
    [
        pytest.param("text/turtle", None, ox.RdfFormat.TURTLE, id="turtle"),
        pytest.param("application/n-triples", None, ox.RdfFormat.N_TRIPLES, id="ntriples"),
        pytest.param("application/ld+json", None, ox.RdfFormat.JSON_LD, id="jsonld"),
        pytest.param("application/rdf+xml", None, ox.RdfFormat.RDF_XML, id="rdfxml"),
        pytest.param("text/html", "nt", ox.RdfFormat.N_TRIPLES, id="format-param-wins"),
        pytest.param(None, None, ox.RdfFormat.TURTLE, id="default-turtle"),
    ],
)
def test_construct_formats(
    client: FlaskClient, accept: str | None, fmt: str | None, rdf_format: ox.RdfFormat
) -> None:
    params = {"query": CONSTRUCT, **({"format": fmt} if fmt else {})}
    response = client.get("/sparql", query_string=params, headers={"Accept": accept or ""})
    assert response.status_code == 200
    assert response.mimetype == rdf_format.media_type
    assert len(list(ox.parse(response.data, rdf_format))) == CASE_STUDIES


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("json", b'"boolean":true', id="json"),
        pytest.param("xml", b"<boolean>true</boolean>", id="xml"),
        pytest.param("tsv", b"true", id="tsv"),
    ],
)
def test_ask(client: FlaskClient, fmt: str, expected: bytes) -> None:
    response = client.get("/sparql", query_string={"query": ASK, "format": fmt})
    assert response.status_code == 200 and expected in response.data


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    assert "offered" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        pytest.param(SELECT, "ttl", id="rdf-format-for-select"),
        pytest.param(CONSTRUCT, "csv", id="results-format-for-construct"),
        pytest.param(SELECT, "pdf", id="unknown"),
    ],
)
def test_format_that_does_not_fit_is_400(client: FlaskClient, query: str, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": query, "format": fmt})
    assert response.status_code == 400


def test_browser_gets_an_html_table_and_links_to_resource_pages(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<table class="results">' in page
    assert 'href="/case-study/swedeheart"' in page
    assert "<script>" not in page  # CSP: no inline scripts


# -- dataset -----------------------------------------------------------------------------------


def test_default_graph_is_the_union(client: FlaskClient) -> None:
    query = (
        "SELECT (COUNT(DISTINCT ?cs) AS ?n) "
        "WHERE { ?cs a <https://w3id.org/lhs-kg/ontology/CaseStudy> }"
    )
    response = client.get("/sparql", query_string={"query": query})
    assert json.loads(response.data)["results"]["bindings"][0]["n"]["value"] == str(CASE_STUDIES)


def test_default_graph_uri_restricts_the_dataset(client: FlaskClient) -> None:
    graph = "https://w3id.org/lhs-kg/graph/data/case-studies/swedeheart"
    response = client.get("/sparql", query_string={"query": SELECT, "default-graph-uri": graph})
    assert case_studies(response.data) == [CS + "swedeheart"]


def test_named_graph_uri_limits_graph_patterns(client: FlaskClient) -> None:
    graphs = [
        "https://w3id.org/lhs-kg/graph/data/case-studies/swedeheart",
        "https://w3id.org/lhs-kg/graph/data/case-studies/cyphp",
    ]
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    url = "/sparql?query=" + quote(query) + "".join(f"&named-graph-uri={quote(g)}" for g in graphs)
    values = [b["g"]["value"] for b in json.loads(client.get(url).data)["results"]["bindings"]]
    assert values == sorted(graphs)


def test_invalid_graph_iri_is_400(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": SELECT, "default-graph-uri": "not an iri"}
    )
    assert response.status_code == 400


# -- protocol errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "message"),
    [
        pytest.param(
            "post",
            {"data": {}, "content_type": FORM},
            400,
            "no 'query' or 'update'",
            id="form-post-without-query-is-400",
        ),
        pytest.param(
            "get",
            {"query_string": [("query", SELECT), ("query", ASK)]},
            400,
            "2 'query'",
            id="two-queries-in-url",
        ),
        pytest.param(
            "post",
            {
                "data": SELECT,
                "content_type": "application/sparql-query",
                "query_string": {"query": ASK},
            },
            400,
            "2 'query'",
            id="query-in-url-and-body",
        ),
        pytest.param(
            "post",
            {"data": {"query": SELECT, "update": "CLEAR ALL"}},
            400,
            "both a query",
            id="query-and-update",
        ),
        pytest.param(
            "post",
            {"data": SELECT, "content_type": "text/plain"},
            415,
            "Content-Type",
            id="wrong-content-type",
        ),
        pytest.param("post", {"data": SELECT}, 415, "Content-Type", id="no-content-type"),
        pytest.param(
            "get", {"query_string": {"update": "CLEAR ALL"}}, 405, "POST", id="update-by-get"
        ),
        pytest.param(
            "post", {"data": {"update": "CLEAR ALL"}}, 403, "read-only", id="update-refused"
        ),
        pytest.param(
            "post",
            {"data": "DROP ALL", "content_type": "application/sparql-update"},
            403,
            "read-only",
            id="update-body-refused",
        ),
        pytest.param(
            "get", {"query_string": {"query": "CLEAR ALL"}}, 400, "update", id="update-as-query"
        ),
        pytest.param(
            "get",
            {"query_string": {"query": "SELECT * WHERE { ?s ?p }"}},
            400,
            "SPARQL syntax error",
            id="syntax-error",
        ),
        pytest.param("get", {"query_string": {"query": "   "}}, 400, "empty", id="empty-query"),
        pytest.param(
            "post",
            {"data": b"\xff\xfe", "content_type": "application/sparql-query"},
            400,
            "charset",
            id="not-utf8",
        ),
        pytest.param(
            "post",
            {
                "data": SELECT.encode("utf-16"),
                "content_type": "application/sparql-query; charset=utf-16",
            },
            415,
            "UTF-8",
            id="bad_query_non_utf8",
        ),
        pytest.param(
            "post",
            {
                "data": f"query={SELECT}".encode("latin-1"),
                "content_type": "application/x-www-form-urlencoded; charset=iso-8859-1",
            },
            415,
            "UTF-8",
            id="form-in-latin-1",
        ),
        pytest.param(
            "post",
            {"data": b"DROP ALL", "content_type": "application/sparql-update; charset=utf-16"},
            415,
            "UTF-8",
            id="update-body-not-utf8",
        ),
        pytest.param(
            "post",
            {"data": {"format": "json"}},
            400,
            "no 'query' or 'update'",
            id="form-post-without-query",
        ),
        pytest.param(
            "get",
            {
                "query_string": {
                    "query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
                }
            },
            400,
            "SERVICE",
            id="service-refused",
        ),
    ],
)
def test_protocol_errors(
    client: FlaskClient, method: str, kwargs: dict[str, object], status: int, message: str
) -> None:
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    assert message in text
    assert "Traceback" not in text
    if status >= 400:
        assert response.mimetype == "text/plain"
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_update_by_get_says_allow_post(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert response.headers["Allow"] == "POST"


def test_syntax_error_in_browser_shows_the_editor_with_the_message(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "SELEKT ?x"}, headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "SPARQL syntax error" in page and "SELEKT ?x" in page


# -- CORS, service description, editor -----------------------------------------------------------


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        pytest.param("text/turtle", ox.RdfFormat.TURTLE, id="turtle"),
        pytest.param("application/ld+json", ox.RdfFormat.JSON_LD, id="jsonld"),
        pytest.param("*/*", ox.RdfFormat.TURTLE, id="anything"),
    ],
)
def test_service_description(client: FlaskClient, accept: str, rdf_format: ox.RdfFormat) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == rdf_format.media_type
    triples = list(ox.parse(response.data, rdf_format))
    objects = {(t.predicate.value, t.object.value) for t in triples}
    assert (SD + "feature", SD + "UnionDefaultGraph") in objects
    assert (SD + "supportedLanguage", SD + "SPARQL11Query") in objects
    assert (SD + "supportedLanguage", SD + "SPARQL11Update") not in objects
    assert (SD + "endpoint", "https://w3id.org/lhs-kg/sparql") in objects  # not the Host (#12)
    names = {t.object.value for t in triples if t.predicate.value == SD + "name"}
    assert "https://w3id.org/lhs-kg/graph/data/case-studies/swedeheart" in names
    comments = " ".join(t.object.value for t in triples if t.predicate.value.endswith("comment"))
    assert "union of all named graphs" in comments


def test_browser_without_query_gets_the_editor(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'name="query"' in page and "sparql.js" in page
    assert 'data-example="case-studies-by-loop-stage"' in page


def test_editor_loads_an_example_with_bound_parameters(client: FlaskClient) -> None:
    response = client.get(
        "/sparql?example=case-studies-by-country&country=SE", headers={"Accept": "text/html"}
    )
    page = response.get_data(as_text=True)
    assert "VALUES (?country)" in page and "concept/country/SE" in page


def test_editor_script_and_styles_are_served(client: FlaskClient) -> None:
    assert client.get("/static/sparql.js").status_code == 200


# -- updates with a token ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def update_app() -> Flask:
    return build_app(sparql_update_token="s3cret-token")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="no-token"),
        pytest.param({"Authorization": "Bearer wrong"}, 403, id="wrong-token"),
        pytest.param({"Authorization": "Basic czNjcmV0LXRva2Vu"}, 401, id="wrong-scheme"),
        pytest.param({"Authorization": "Bearer s3cret-token"}, 204, id="right-token"),
    ],
)
def test_update_needs_the_configured_token(
    update_app: Flask, headers: dict[str, str], status: int
) -> None:
    client = update_app.test_client()
    # a graph of the published view (graph/data/…): public queries see it. It used to be a
    # graph outside it, visible only while a stale cached scope said "everything is published"
    graph = "https://w3id.org/lhs-kg/graph/data/update-test"
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <https://example.org/s> <https://example.org/p> 1 }} }}"
    )
    response = client.post("/sparql", data={"update": update}, headers=headers)
    assert response.status_code == status
    ask = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = json.loads(client.get("/sparql", query_string={"query": ask}).data)["boolean"]
    assert answer is (status == 204)
    if status == 204:
        client.post("/sparql", data={"update": f"DROP GRAPH <{graph}>"}, headers=headers)


def test_service_description_announces_updates_when_enabled(update_app: Flask) -> None:
    body = update_app.test_client().get("/sparql", headers={"Accept": "text/turtle"}).data
    assert b"SPARQL11Update" in body


# -- limits ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_app() -> Flask:
    return build_app(query_timeout_s=0.5, max_result_rows=1000)


def test_result_size_limit_is_400(limited_app: Flask) -> None:
    response = limited_app.test_client().get(
        "/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}
    )
    assert response.status_code == 400
    assert "more than 1,000 rows" in response.get_data(as_text=True)


def test_runaway_query_is_abandoned_while_others_are_answered(limited_app: Flask) -> None:
    """A 23-million-row aggregate runs past the 0.5 s limit: 503, and a small query sent
    meanwhile on another thread is answered at once."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    quick: dict[str, object] = {}

    def ask_quickly() -> None:
        time.sleep(0.1)
        started = time.monotonic()
        response = limited_app.test_client().get("/sparql", query_string={"query": ASK})
        quick["status"], quick["seconds"] = response.status_code, time.monotonic() - started

    other = threading.Thread(target=ask_quickly)
    other.start()
    started = time.monotonic()
    response = limited_app.test_client().get("/sparql", query_string={"query": runaway})
    elapsed = time.monotonic() - started
    other.join()
    assert response.status_code == 503
    assert "did not finish within 0.5 s" in response.get_data(as_text=True)
    assert elapsed < 2.0
    assert quick["status"] == 200 and float(quick["seconds"]) < 1.0  # type: ignore[arg-type]


#: The Accept headers Apache Jena's SPARQL client sends by default (its WebContent defaults for
#: SELECT, ASK, a graph and a dataset), and what each must get from us.
JENA_SELECT = (
    "application/sparql-results+json,application/sparql-results+xml;q=0.9,"
    "text/tab-separated-values;q=0.7,text/csv;q=0.5,application/json;q=0.2,"
    "application/xml;q=0.2,*/*;q=0.1"
)
JENA_ASK = (
    "application/sparql-results+json,application/sparql-results+xml;q=0.9,"
    "application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1"
)
JENA_GRAPH = (
    "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,"
    "application/rdf+xml;q=0.7,*/*;q=0.3"
)
JENA_DATASET = "application/trig,application/n-quads;q=0.9,application/ld+json;q=0.8,*/*;q=0.3"


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        pytest.param(SELECT, JENA_SELECT, "application/sparql-results+json", id="jena-select"),
        pytest.param(ASK, JENA_ASK, "application/sparql-results+json", id="jena-ask"),
        pytest.param(CONSTRUCT, JENA_GRAPH, "text/turtle", id="jena-construct"),
        pytest.param(CONSTRUCT, JENA_DATASET, "application/ld+json", id="jena-dataset"),
        pytest.param(SELECT, "application/json", "application/sparql-results+json", id="json"),
        pytest.param(SELECT, "application/xml", "application/sparql-results+xml", id="xml"),
        pytest.param(CONSTRUCT, "text/plain", "application/n-triples", id="plain-graph"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_standard_clients_accept_headers_get_a_format_they_read(
    client: FlaskClient, query: str, accept: str, expected: str, method: str
) -> None:
    if method == "GET":
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    else:
        response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == expected
    assert response.data.strip()
