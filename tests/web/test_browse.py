"""The resource pages: content negotiation, suffixes, 404/406, HEAD, escaping and hostile URLs.

The app holds the repository's content plus ``data/browse-fixture.ttl``, a case study whose every
text carries markup or script, so escaping is tested on data as well as on the URL.
"""

from __future__ import annotations

import json

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

from lhs_kg.describe import Reader, rdf_description
from tests.helpers import BROWSE_FIXTURE, build_app

BASE = "https://w3id.org/lhs-kg/"
XSS = "/case-study/xss-fixture"

FORMATS = [
    pytest.param("text/turtle", "turtle", ".ttl", "ttl", id="turtle"),
    pytest.param("application/ld+json", "json-ld", ".jsonld", "jsonld", id="jsonld"),
    pytest.param("application/rdf+xml", "xml", ".rdf", "rdfxml", id="rdfxml"),
    pytest.param("application/n-triples", "nt", ".nt", "nt", id="ntriples"),
]
RESOURCES = [
    pytest.param("/concept/nasss/1A", id="subdomain"),
    pytest.param("/concept/framework", id="scheme"),
    pytest.param("/source/foley-vale-2022", id="source-with-author-list"),
    pytest.param(XSS, id="hostile-case-study"),
]


@pytest.fixture(scope="module")
def app() -> Flask:
    """The repository content plus the hostile fixture case study."""
    flask_app = build_app()
    flask_app.extensions["lhs_kg"].load(
        BROWSE_FIXTURE, graph=BASE + "graph/data/tests/browse-fixture"
    )
    return flask_app


def expected_graph(app: Flask, path: str) -> rdflib.Graph:
    """The resource's description straight from the engine, as an rdflib graph."""
    triples = rdf_description(Reader(app.extensions["lhs_kg"]), BASE + path.lstrip("/"))
    graph = rdflib.Graph()
    graph.parse(data="\n".join(f"{t} ." for t in triples), format="nt")
    return graph


def parsed(body: bytes, rdflib_name: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=body, format=rdflib_name)
    return graph


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize(("media", "rdflib_name", "suffix", "name"), FORMATS)
def test_every_format_is_the_description(
    app: Flask, client: FlaskClient, path: str, media: str, rdflib_name: str, suffix: str, name: str
) -> None:
    expected = expected_graph(app, path)
    assert len(expected) > 3
    for response in (
        client.get(path, headers={"Accept": media}),
        client.get(path + suffix),
        client.get(f"{path}?format={name}"),
    ):
        assert response.status_code == 200, response.request.url
        assert response.mimetype == media
        assert response.headers["Vary"] == "Accept"
        assert isomorphic(parsed(response.data, rdflib_name), expected)


def test_description_includes_labels_of_linked_resources(app: Flask) -> None:
    graph = expected_graph(app, "/concept/nasss/1A")
    broader = rdflib.URIRef(BASE + "concept/nasss/1")
    assert graph.value(broader, rdflib.SKOS.prefLabel) is not None
    assert graph.value(rdflib.URIRef(BASE + "concept/nasss/1A"), rdflib.SKOS.notation) is not None


def test_jsonld_is_compacted_with_our_prefixes(client: FlaskClient) -> None:
    document = json.loads(client.get("/concept/nasss/1A.jsonld").data)
    assert document["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert "skos:prefLabel" in json.dumps(document)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        pytest.param(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html",
            id="browser",
        ),
        pytest.param("*/*", "text/html", id="anything-gets-html"),
        pytest.param(None, "text/html", id="no-accept"),
        pytest.param(
            "text/turtle;q=0.5, application/ld+json;q=0.9",
            "application/ld+json",
            id="q-values-decide",
        ),
        pytest.param("text/html;q=0, */*;q=0.1", "text/turtle", id="html-refused"),
        pytest.param(
            "application/rdf+xml;q=1, text/turtle;q=1", "text/turtle", id="tie-server-order"
        ),
        pytest.param("application/n-triples", "application/n-triples", id="ntriples"),
        pytest.param("application/json", "application/ld+json", id="plain-json-gets-jsonld"),
    ],
)
def test_accept_negotiation(client: FlaskClient, accept: str | None, expected: str) -> None:
    response = client.get("/concept/nasss/1A", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    "accept", ["image/png", "text/html;q=0, text/turtle;q=0, */*;q=0", "application/pdf, video/*"]
)
def test_nothing_acceptable_is_406(client: FlaskClient, accept: str) -> None:
    response = client.get("/concept/nasss/1A", headers={"Accept": accept})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        pytest.param("/concept/nasss/99Z", None, id="html"),
        pytest.param("/concept/nasss/99Z", "text/turtle", id="turtle"),
        pytest.param("/concept/nasss/99Z.ttl", None, id="suffix"),
        pytest.param("/concept/nasss/99Z?format=nt", None, id="format-param"),
        pytest.param("/source/nobody-2099.bib", None, id="bibtex"),
        pytest.param("/concept/nasss/1A.bib", None, id="bibtex-of-a-concept"),
        pytest.param("/graph/data/sources", None, id="graph-name-is-not-described"),
    ],
)
def test_unknown_resource_is_404(client: FlaskClient, path: str, accept: str | None) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "mimetype"),
    [
        pytest.param("/concept/nasss/1A", 200, "text/html", id="page"),
        pytest.param("/concept/nasss/1A.ttl", 200, "text/turtle", id="turtle"),
        pytest.param("/concept/nasss/99Z", 404, "text/html", id="unknown"),
    ],
)
def test_head(client: FlaskClient, path: str, status: int, mimetype: str) -> None:
    head = client.head(path)
    assert head.status_code == status
    assert head.mimetype == mimetype
    assert head.data == b""
    assert head.headers["Vary"] == "Accept"


def test_concept_page_shows_hierarchy(client: FlaskClient) -> None:
    html = client.get("/concept/nasss/1A").data.decode()
    assert "Nature of the condition" in html
    assert '<span class="notation">1A</span>' in html
    assert 'href="/concept/nasss/1"' in html  # broader, as a local link
    assert "concept-tree" in html and 'aria-current="page"' in html
    assert 'rel="alternate" type="text/turtle" href="/concept/nasss/1A.ttl"' in html


def test_scheme_page_shows_its_tree(client: FlaskClient) -> None:
    html = client.get("/concept/loop").data.decode()
    assert html.index("Practice to data") < html.index("Data to knowledge")
    assert "concept-tree" in html


def test_source_page_has_citation_and_downloads(client: FlaskClient) -> None:
    html = client.get("/source/foley-vale-2022").data.decode()
    assert "Foley T, Vale L (2022)" in html
    assert 'href="https://doi.org/10.1002/lrh2.10315"' in html
    assert 'href="/source/foley-vale-2022.bib"' in html
    bib = client.get("/source/foley-vale-2022.bib")
    assert bib.mimetype == "application/x-bibtex"
    assert bib.data.decode().startswith("@article{foley-vale-2022,")
    csl = client.get("/source/foley-vale-2022?format=csl-json")
    item = json.loads(csl.data)[0]
    assert item["DOI"] == "10.1002/lrh2.10315"
    assert item["author"][0] == {"family": "Foley", "given": "T"}


def test_unconfirmed_source_is_flagged(client: FlaskClient) -> None:
    html = client.get("/source/lhp-2021").data.decode()
    assert 'class="unconfirmed"' in html
    assert "Zahran" in html


def test_case_study_page(client: FlaskClient) -> None:
    html = client.get(XSS).data.decode()
    assert 'class="loop-diagram"' in html and 'class="radar"' in html
    assert html.count("loop-node loop-on") == 2 and html.count("loop-node loop-off") == 1
    assert "level-complex" in html and "not rated" in html
    assert "90%" in html
    assert "Version history" in html


def test_hostile_data_is_escaped(client: FlaskClient) -> None:
    html = client.get(XSS).data.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html
    assert "&lt;script&gt;alert(&#39;label&#39;)" in html
    assert 'href="javascript:' not in html.lower()
    assert 'class="unconfirmed"' in html


@pytest.mark.parametrize("path", ["/case-study/", "/source/", "/concept/"])
def test_listings(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert f'href="{path}' in response.data.decode()


def test_incoming_links_are_grouped(client: FlaskClient) -> None:
    html = client.get("/concept/complexity-level/complex").data.decode()
    assert "Referenced by" in html
    assert 'href="/case-study/xss-fixture/rating/4"' in html


HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/concept/../../etc/passwd", id="traversal"),
        pytest.param("/%2e%2e/%2e%2e/etc/passwd", id="encoded-traversal"),
        pytest.param("/static/../../pyproject.toml", id="static-traversal"),
        pytest.param("/concept/" + "a" * 5000, id="overlong"),
        pytest.param("/concept/%ZZ%", id="bad-percent"),
        pytest.param("/concept/%00nul", id="nul"),
        pytest.param("/concept/%C0%AF", id="overlong-utf8"),
        pytest.param("/concept/%FF%FE", id="invalid-utf8"),
        pytest.param("/concept/a b<c>", id="space-and-brackets"),
        pytest.param("/concept/nasss/1A?format=xml-evil", id="unknown-format"),
        pytest.param("/concept/nasss/1A?format=nq", id="dataset-format"),
        pytest.param(f"/concept/nasss/1A?format={HOSTILE}", id="script-format"),
        pytest.param(f"/concept/{HOSTILE}", id="script-path"),
        pytest.param(f"/concept/nasss/1A?page={HOSTILE}", id="script-page"),
        pytest.param("/concept/nasss/1A?page=99999999999999999999", id="huge-page"),
        pytest.param("/concept/nasss/1A?page=-3", id="negative-page"),
        pytest.param(f"/search?q={HOSTILE}&type={HOSTILE}", id="script-search"),
        pytest.param(f"/api/autocomplete?q={HOSTILE}", id="script-autocomplete"),
        pytest.param(f"/nasss?sort={HOSTILE}", id="script-sort"),
        pytest.param(f"/gaps?x={HOSTILE}", id="script-gaps"),
        pytest.param(f"/?q={HOSTILE}", id="script-home"),
        pytest.param(f"/case-study/?{HOSTILE}", id="script-listing"),
    ],
)
def test_bad_input_is_safe(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code < 500, response.data[:500]
    assert b"<script>alert(1)" not in response.data
    assert b"Traceback" not in response.data


@pytest.mark.parametrize(
    ("url", "status"),
    [
        pytest.param("/concept/" + "a" * 5000, 414, id="overlong"),
        pytest.param("/concept/nasss/1A?format=xml-evil", 400, id="unknown-format"),
        pytest.param(f"/concept/{HOSTILE}", 404, id="script-path"),
    ],
)
def test_bad_input_status(client: FlaskClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["Vary"] == "Accept"
    assert b"<script>alert" not in response.data


@pytest.mark.parametrize(
    ("state", "status"),
    [pytest.param("pending", 404, id="pending-hidden"), pytest.param("published", 200, id="shown")],
)
def test_only_published_contributions_are_shown(state: str, status: int) -> None:
    flask_app = build_app()
    kb = flask_app.extensions["lhs_kg"]
    version = BASE + "graph/contribution/c1/v1"
    kb.load_bytes(
        f"<{BASE}case-study/contributed> a <{BASE}ontology/CaseStudy> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Contributed" .'.encode(),
        "ttl",
        graph=version,
    )
    kb.load_bytes(
        f"<{version}> <{BASE}ontology/reviewState> <{BASE}concept/review-state/{state}> .".encode(),
        "nt",
        graph=BASE + "graph/registry",
    )
    client = flask_app.test_client()
    assert client.get("/case-study/contributed").status_code == status
    assert client.get("/case-study/contributed.ttl").status_code == status
    listed = 'href="/case-study/contributed"' in client.get("/case-study/").data.decode()
    assert listed == (status == 200)
