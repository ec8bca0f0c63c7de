"""The VoID/DCAT description (its counts checked against SPARQL) and the HTTP faces."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID, XSD

from lhs_kg import KnowledgeBase
from lhs_kg.export import Selection, export_bytes
from lhs_kg.export.case_studies_csv import safe_cell, write_case_studies_csv
from lhs_kg.export.describe_dataset import describe_dataset
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import published_graphs
from tests.helpers import app_for, new_content_kb
from web.views import export as export_view

DS = URIRef("https://w3id.org/lhs-kg/dataset")


@pytest.fixture(scope="module")
def app(kb: KnowledgeBase) -> Flask:
    return app_for(kb)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


def sparql_count(kb: KnowledgeBase, projection: str, pattern: str = "?s ?p ?o") -> int:
    """A count over the published graphs, asked with FROM clauses (the standard's own union)."""
    froms = "".join(f"FROM <{g}>\n" for g in published_graphs(kb.store, kb.settings))
    text = f"SELECT ({projection} AS ?n)\n{froms}WHERE {{ {pattern} }}"
    return int(kb.store.query(text, union=False).rows()[0]["n"].value)


def description_graph(kb: KnowledgeBase) -> Graph:
    data = describe_dataset(kb.store, kb.settings, server_url="http://example.test/")
    return Graph().parse(data=data.serialize(rdf_format("ttl"), kb.settings), format="turtle")


def value(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    found = graph.value(subject, predicate)
    assert isinstance(found, Literal), f"no {predicate}"
    return int(found)


@pytest.mark.parametrize(
    ("term", "projection", "pattern"),
    [
        pytest.param(
            VOID.triples, "COUNT(*)", "SELECT DISTINCT ?s ?p ?o { ?s ?p ?o }", id="triples"
        ),
        pytest.param(
            VOID.entities, "COUNT(DISTINCT ?s)", "?s ?p ?o FILTER(isIRI(?s))", id="entities"
        ),
        pytest.param(VOID.classes, "COUNT(DISTINCT ?c)", "?s a ?c", id="classes"),
        pytest.param(VOID.properties, "COUNT(DISTINCT ?p)", "?s ?p ?o", id="properties"),
        pytest.param(VOID.distinctSubjects, "COUNT(DISTINCT ?s)", "?s ?p ?o", id="subjects"),
        pytest.param(VOID.distinctObjects, "COUNT(DISTINCT ?o)", "?s ?p ?o", id="objects"),
    ],
)
def test_void_statistics_equal_a_sparql_count(
    kb: KnowledgeBase, term: URIRef, projection: str, pattern: str
) -> None:
    if pattern.startswith("SELECT"):
        pattern = "{ " + pattern.replace("{ ?s ?p ?o }", "WHERE { ?s ?p ?o }") + " }"
    expected = sparql_count(kb, projection, pattern)
    assert expected > 0
    assert value(description_graph(kb), DS, term) == expected


def test_each_published_graph_is_a_subset_with_its_triple_count(kb: KnowledgeBase) -> None:
    graph = description_graph(kb)
    sd_name = URIRef("http://www.w3.org/ns/sparql-service-description#name")
    subsets = {graph.value(s, sd_name): s for s in graph.objects(DS, VOID.subset)}
    published = published_graphs(kb.store, kb.settings)
    assert {str(g) for g in subsets} == set(published)
    for iri in published:
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        count = int(kb.store.query(text, union=False).rows()[0]["n"].value)
        assert value(graph, subsets[URIRef(iri)], VOID.triples) == count


def test_the_description_names_licence_endpoint_dumps_vocabularies_and_examples(
    kb: KnowledgeBase,
) -> None:
    graph = description_graph(kb)
    assert graph.value(DS, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(DS, VOID.sparqlEndpoint) == URIRef("http://example.test/sparql")
    assert URIRef("http://example.test/export?format=nq") in set(graph.objects(DS, VOID.dataDump))
    media = {str(graph.value(d, DCAT.mediaType)) for d in graph.objects(DS, DCAT.distribution)}
    assert "https://www.iana.org/assignments/media-types/text/turtle" in media
    assert URIRef("http://www.w3.org/2004/02/skos/core#") in set(graph.objects(DS, VOID.vocabulary))
    assert URIRef("https://w3id.org/lhs-kg/case-study/billings-clinic") in set(
        graph.objects(DS, VOID.exampleResource)
    )
    for term in (DCTERMS.title, DCTERMS.publisher, DCTERMS.issued, DCTERMS.modified):
        assert graph.value(DS, term) is not None
    assert graph.value(DS, DCTERMS.modified).datatype == XSD.date  # type: ignore[union-attr]


def test_the_description_follows_content_changes(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> None:
    before = describe_dataset(kb.store, kb.settings).triples
    other = KnowledgeBase(kb.settings.with_overrides(store="memory"))
    try:
        other.store.add_quads(kb.store.raw.quads_for_pattern(None, None, None, None))
        other.load_bytes(
            b'<https://e.org/new> <https://e.org/p> "1" .',
            "nt",
            graph="https://w3id.org/lhs-kg/graph/data/new",
        )
        assert describe_dataset(other.store, other.settings).triples == before + 1
    finally:
        other.close()


@pytest.mark.parametrize(
    ("path", "accept", "media"),
    [
        pytest.param("/dataset", "text/html", "text/html", id="dataset-html"),
        pytest.param("/dataset", None, "text/html", id="dataset-default"),
        pytest.param("/dataset", "text/turtle", "text/turtle", id="dataset-turtle"),
        pytest.param("/dataset", "application/ld+json", "application/ld+json", id="jsonld"),
        pytest.param(
            "/dataset",
            "application/n-triples;q=0.9, text/turtle;q=0.5",
            "application/n-triples",
            id="q-values",
        ),
        pytest.param("/dataset", "application/rdf+xml", "application/rdf+xml", id="rdfxml"),
        pytest.param("/.well-known/void", None, "text/turtle", id="well-known-default"),
        pytest.param("/.well-known/void", "text/html", "text/html", id="well-known-html"),
    ],
)
def test_the_description_is_negotiated(
    client: FlaskClient, path: str, accept: str | None, media: str
) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media
    assert "Accept" in response.headers["Vary"]
    if media != "text/html":
        fmt = rdf_format(
            media.split("/")[1]
            .replace("ld+json", "jsonld")
            .replace("rdf+xml", "rdfxml")
            .replace("n-triples", "nt")
            .replace("turtle", "ttl")
        )
        graph = Graph().parse(data=response.data, format=fmt.rdflib_name)
        assert (DS, VOID.triples, None) in graph


def test_an_unacceptable_type_gets_406(client: FlaskClient) -> None:
    response = client.get("/dataset", headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize("fmt", ["nq", "trig", "ttl", "nt", "jsonld", "rdfxml"])
def test_export_streams_the_same_bytes_as_the_engine(
    client: FlaskClient, kb: KnowledgeBase, fmt: str
) -> None:
    response = client.get(f"/export?format={fmt}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == rdf_format(fmt).media_type
    assert (
        f'filename="lhs-kg.{fmt if fmt != "rdfxml" else "rdf"}"'
        in response.headers["Content-Disposition"]
    )
    assert response.get_data() == export_bytes(kb.store, kb.settings, Selection(), fmt)


def test_export_gzip_and_graph_selection(client: FlaskClient, kb: KnowledgeBase) -> None:
    graph = "https://w3id.org/lhs-kg/graph/data/extras"
    response = client.get("/export", query_string={"format": "nt", "graph": graph, "gzip": "1"})
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert 'filename="lhs-kg-extras.nt.gz"' in response.headers["Content-Disposition"]
    assert gzip.decompress(response.get_data()) == export_bytes(
        kb.store, kb.settings, Selection(graphs=(graph,)), "nt"
    )


@pytest.mark.parametrize(
    ("query", "words"),
    [
        pytest.param({"format": "yaml"}, "unknown RDF format", id="unknown-format"),
        pytest.param({"format": "json"}, "unknown", id="results-format"),
        pytest.param({"graph": "../../etc/passwd"}, "IRI", id="path-traversal"),
        pytest.param(
            {"graph": "https://w3id.org/lhs-kg/graph/registry"}, "not part", id="registry"
        ),
        pytest.param(
            {"graph": "https://w3id.org/lhs-kg/graph/contribution/c1/v1"}, "not part", id="pending"
        ),
        pytest.param({"class": "javascript:alert(1) x"}, "class", id="bad-class"),
        pytest.param({"gzip": "maybe"}, "gzip", id="bad-gzip"),
        pytest.param({"query": "case-studies"}, "CONSTRUCT", id="select-query"),
    ],
)
def test_export_refuses_bad_requests_with_400(
    client: FlaskClient, query: dict[str, str], words: str
) -> None:
    response = client.get("/export", query_string=query, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert words in response.get_json()["message"]


def test_case_studies_csv_has_one_row_per_case_study(
    client: FlaskClient, kb: KnowledgeBase
) -> None:
    response = client.get("/export/case-studies.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["iri", "title", "country", "organisation", "loop stages", "start year"]
    assert len([h for h in header if h.startswith("NASSS ")]) == 7
    case_study = "<https://w3id.org/lhs-kg/ontology/CaseStudy>"
    text = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {case_study} }}"
    assert len(body) == int(kb.store.query(text).rows()[0]["n"].value)
    cyphp = next(r for r in body if r[0].endswith("/cyphp"))
    assert cyphp[2] == "United Kingdom"
    nasss = [i for i, h in enumerate(header) if h.startswith("NASSS ")]
    assert {cyphp[i] for i in nasss} <= {"Simple", "Complicated", "Complex", ""}


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        pytest.param("=SUM(A1:A9)", "'=SUM(A1:A9)", id="equals"),
        pytest.param("+1", "'+1", id="plus"),
        pytest.param("-2+3", "'-2+3", id="minus"),
        pytest.param("@cmd", "'@cmd", id="at"),
        pytest.param("\t=1", "'\t=1", id="tab"),
        pytest.param("Sweden", "Sweden", id="plain"),
        pytest.param("", "", id="empty"),
    ],
)
def test_formula_like_cells_are_neutralised(raw: str, safe: str) -> None:
    assert safe_cell(raw) == safe


def test_a_hostile_title_reaches_the_csv_as_text(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> None:
    hostile = KnowledgeBase(kb.settings.with_overrides(store="memory"))
    try:
        hostile.load_bytes(
            b"<https://e.org/cs> a <https://w3id.org/lhs-kg/ontology/CaseStudy> ;"
            b' <http://purl.org/dc/terms/title> "=HYPERLINK(\\"http://evil\\",\\"x\\")" .',
            "ttl",
            graph="https://w3id.org/lhs-kg/graph/data/hostile",
        )
        rows = list(
            csv.reader(io.StringIO(write_case_studies_csv(hostile.store, hostile.settings)))
        )
        assert rows[1][1] == '\'=HYPERLINK("http://evil","x")'
    finally:
        hostile.close()


def test_pyoxigraph_agrees_on_the_blank_nodes(kb: KnowledgeBase) -> None:
    """The extras graph holds shared and nested blank nodes, so round trips exercise them."""
    graph = ox.NamedNode("https://w3id.org/lhs-kg/graph/data/extras")
    blanks = {
        q.object
        for q in kb.store.raw.quads_for_pattern(None, None, None, graph)
        if isinstance(q.object, ox.BlankNode)
    }
    assert len(blanks) >= 5


def test_the_case_studies_csv_is_made_once_per_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked again (or by several people at once) it is not made again until a write; after
    one, it holds the write (27 s at 1M triples each time before)."""

    made: list[int] = []
    real = export_view.write_case_studies_csv

    def counted(*args: object) -> str:
        made.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(export_view, "write_case_studies_csv", counted)
    kb = new_content_kb()
    try:
        client = app_for(kb).test_client()
        first = client.get("/export/case-studies.csv").get_data(as_text=True)
        assert client.get("/export/case-studies.csv").get_data(as_text=True) == first
        assert len(made) == 1
        triple = (
            "<https://w3id.org/lhs-kg/case-study/csv-later> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/lhs-kg/ontology/CaseStudy> .\n"
            "<https://w3id.org/lhs-kg/case-study/csv-later> "
            '<http://purl.org/dc/terms/title> "Later" .'
        )
        kb.load_bytes(triple.encode(), "nt", graph="https://w3id.org/lhs-kg/graph/data/tests/csv")
        after = client.get("/export/case-studies.csv").get_data(as_text=True)
        assert len(made) == 2
        assert "/csv-later" in after and "/csv-later" not in first
    finally:
        kb.close()
