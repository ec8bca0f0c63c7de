"""Search and autocomplete: ranking, type filters, context, and odd queries."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.describe import Reader
from lhs_kg.describe.search import MAX_WORDS, search, words_of
from tests.helpers import BROWSE_FIXTURE, build_app


@pytest.fixture(scope="module")
def app() -> Flask:
    """The repository content plus the hostile fixture case study."""
    flask_app = build_app()
    flask_app.extensions["lhs_kg"].load(
        BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture"
    )
    return flask_app


@pytest.fixture
def reader(app: Flask) -> Reader:
    return Reader(app.extensions["lhs_kg"])


@pytest.mark.parametrize(
    ("query", "first"),
    [
        pytest.param("co-design", "https://w3id.org/lhs-kg/concept/strategy/co-design", id="label"),
        pytest.param(
            "CO-DESIGN", "https://w3id.org/lhs-kg/concept/strategy/co-design", id="any-case"
        ),
        pytest.param("1A", "https://w3id.org/lhs-kg/concept/nasss/1A", id="notation"),
        pytest.param(
            "zanzibarfixture",
            "https://w3id.org/lhs-kg/case-study/xss-fixture",
            id="case-study-description",
        ),
        pytest.param(
            "practice to data",
            "https://w3id.org/lhs-kg/concept/loop/practice-to-data",
            id="several-words",
        ),
    ],
)
def test_search_ranks_the_obvious_hit_first(reader: Reader, query: str, first: str) -> None:
    hits = search(reader, query)
    assert hits and hits[0].iri == first


def test_search_gives_context(reader: Reader) -> None:
    hit = search(reader, "nature of the condition")[0]
    assert hit.kind == "concept"
    assert "Condition or illness" in hit.broader
    assert "NASSS domains and subdomains" in hit.schemes


@pytest.mark.parametrize("kind", ["concept", "scheme", "source", "case-study"])
def test_type_filter(reader: Reader, kind: str) -> None:
    hits = search(reader, "learning", types=[kind])
    assert hits and {h.kind for h in hits} == {kind}


@pytest.mark.parametrize("query", ["", "   ", "\x00", "zzzzqqqq-nothing"])
def test_empty_or_unmatched_queries(reader: Reader, query: str) -> None:
    assert search(reader, query) == []


def test_words_are_capped() -> None:
    assert len(words_of("a b c d e f g h i j")) == MAX_WORDS
    assert words_of("x" * 10_000) == ["x" * 200]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param('"} } DROP ALL ; SELECT * {', id="sparql-injection"),
        pytest.param('\\u0022 \\" \' """', id="quotes-and-escapes"),
        pytest.param("<https://example.org/>", id="iri-text"),
        pytest.param("naïve 日本 🙂", id="unicode"),
    ],
)
def test_hostile_queries_are_only_text(client: FlaskClient, query: str) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert client.get("/api/autocomplete", query_string={"q": query}).status_code == 200
    assert client.get("/concept/nasss/1A").status_code == 200  # the store is intact


def test_search_page(client: FlaskClient) -> None:
    html = client.get("/search?q=culture&type=concept").data.decode()
    assert 'href="/concept/strategy/culture"' in html
    assert 'value="concept" checked' in html
    assert 'value="source" checked' not in html


def test_autocomplete_json(client: FlaskClient) -> None:
    data = client.get("/api/autocomplete?q=cultu").get_json()
    first = data["results"][0]
    assert first == {
        "label": "Culture",
        "iri": "https://w3id.org/lhs-kg/concept/strategy/culture",
        "url": "/concept/strategy/culture",
        "kind": "concept",
        "context": "Strategic considerations",
    }
    assert len(data["results"]) <= 10


def test_autocomplete_without_query(client: FlaskClient) -> None:
    assert client.get("/api/autocomplete").get_json() == {"results": []}
