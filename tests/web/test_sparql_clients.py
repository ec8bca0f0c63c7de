"""Real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) against the app served by waitress,
in every result format."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from tests.helpers import DATA, LiveServer

#: The curated case studies, one file each (the answers below count them).
CASE_STUDIES = len(list((DATA / "case-studies").glob("*.ttl")))

CS = "https://w3id.org/lhs-kg/case-study/"
SELECT = (
    "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?cs ?label WHERE { ?cs a lhs:CaseStudy ; rdfs:label ?label } ORDER BY ?cs"
)
CONSTRUCT = (
    "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>\n"
    "CONSTRUCT { ?cs lhs:country ?c } WHERE { ?cs a lhs:CaseStudy ; lhs:country ?c }"
)
ASK = "ASK { <https://w3id.org/lhs-kg/case-study/swedeheart> ?p ?o }"


def wrapper(server: LiveServer, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize(
    ("method", "request_method"),
    [
        pytest.param(GET, URLENCODED, id="get"),
        pytest.param(POST, URLENCODED, id="post-form"),
        pytest.param(POST, POSTDIRECTLY, id="post-body"),
    ],
)
def test_sparqlwrapper_select_json_every_method(
    live_server: LiveServer, method: str, request_method: str
) -> None:
    client = wrapper(live_server, SELECT, JSON, method)
    client.setRequestMethod(request_method)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert len(bindings) == CASE_STUDIES
    swedeheart = next(b for b in bindings if b["cs"]["value"] == CS + "swedeheart")
    assert swedeheart["label"]["value"] == "SWEDEHEART"


def test_sparqlwrapper_select_xml(live_server: LiveServer) -> None:
    document = wrapper(live_server, SELECT, XML).queryAndConvert()
    results = document.getElementsByTagName("result")  # type: ignore[union-attr]
    assert len(results) == CASE_STUDIES


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_select_csv_tsv(live_server: LiveServer, fmt: str) -> None:
    body = wrapper(live_server, SELECT, fmt).queryAndConvert()
    text = body.decode() if isinstance(body, bytes) else str(body)
    delimiter = "," if fmt == CSV else "\t"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert len(rows) == CASE_STUDIES + 1  # the header row
    assert rows[0] == (["cs", "label"] if fmt == CSV else ["?cs", "?label"])


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live_server: LiveServer, fmt: str) -> None:
    answer = wrapper(live_server, ASK, fmt).queryAndConvert()
    if fmt == JSON:
        assert answer["boolean"] is True  # type: ignore[index]
    else:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(live_server: LiveServer, fmt: str) -> None:
    answer = wrapper(live_server, CONSTRUCT, fmt).queryAndConvert()
    graph = answer if isinstance(answer, Graph) else Graph().parse(data=answer, format="turtle")
    assert len(graph) == CASE_STUDIES
    assert (
        URIRef(CS + "swedeheart"),
        URIRef("https://w3id.org/lhs-kg/ontology/country"),
        URIRef("https://w3id.org/lhs-kg/concept/country/SE"),
    ) in graph


@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld", "rdfxml"])
def test_construct_every_rdf_format_over_http(live_server: LiveServer, fmt: str) -> None:
    response = requests.get(
        f"{live_server.url}/sparql", params={"query": CONSTRUCT, "format": fmt}, timeout=10
    )
    assert response.status_code == 200
    parsed = list(
        ox.parse(
            response.content,
            ox.RdfFormat.from_media_type(response.headers["Content-Type"].split(";")[0]),
        )
    )
    assert len(parsed) == CASE_STUDIES


@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
def test_rdflib_sparqlstore_select(live_server: LiveServer, return_format: str) -> None:
    store = SPARQLStore(query_endpoint=f"{live_server.url}/sparql", returnFormat=return_format)
    graph = Graph(store=store)
    rows = list(graph.query(SELECT))
    assert len(rows) == CASE_STUDIES
    assert {str(row[0]) for row in rows} >= {CS + "swedeheart", CS + "improvecarenow"}
    store.close()


def test_rdflib_sparqlstore_construct_and_ask(live_server: LiveServer) -> None:
    store = SPARQLStore(query_endpoint=f"{live_server.url}/sparql")
    graph = Graph(store=store)
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == CASE_STUDIES
    assert graph.query(ASK).askAnswer is True
    store.close()


def test_error_reaches_the_client_with_the_parsers_message(live_server: LiveServer) -> None:
    response = requests.get(
        f"{live_server.url}/sparql", params={"query": "SELECT ?x WHERE { ?x }"}, timeout=10
    )
    assert response.status_code == 400
    assert response.text.startswith("SPARQL syntax error")


def test_named_query_api_over_http(live_server: LiveServer) -> None:
    response = requests.get(
        f"{live_server.url}/api/queries/case-studies-by-scale",
        params={"scale": "national"},
        timeout=10,
    )
    assert response.status_code == 200
    names = {b["caseStudy"]["value"] for b in json.loads(response.text)["results"]["bindings"]}
    assert CS + "swedeheart" in names and len(names) == 7  # ImproveCareNow international;
    # NPfIT, HealthSpace and care.data national (#14)
