"""Conditional requests (#6): ETags per representation, 304s, and headers caches can rely on.

Every test runs with the page cache on and off: a 304 comes from the cache when the page is
there and from the view (before rendering) when it is not; both must behave the same.
"""

from __future__ import annotations

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.store import RemoteStore
from tests.helpers import LiveServer, OxigraphServer, app_for, build_app, new_content_kb
from web.conditional import CACHE_CONTROL

CONCEPT = "/concept/nasss/1A"
REPRESENTATIONS = [
    pytest.param(CONCEPT, "text/html", "text/html", id="html"),
    pytest.param(CONCEPT, "text/turtle", "text/turtle", id="turtle"),
    pytest.param(CONCEPT, "application/ld+json", "application/ld+json", id="jsonld"),
    pytest.param(CONCEPT, "application/rdf+xml", "application/rdf+xml", id="rdfxml"),
    pytest.param(CONCEPT, "application/n-triples", "application/n-triples", id="ntriples"),
    pytest.param(CONCEPT + ".ttl", "*/*", "text/turtle", id="suffix"),
    pytest.param(CONCEPT + "?format=nt", "text/html", "application/n-triples", id="format-param"),
    pytest.param("/source/foley-vale-2022.bib", "*/*", "application/x-bibtex", id="bibtex"),
]
PUBLIC_PAGES = [
    "/",
    "/case-study/",
    "/source/?page=1",
    "/concept/",
    "/concept/framework",
    "/case-study/improvecarenow",
    "/nasss",
    "/gaps",
    "/search?q=loop",
]
NOT_PUBLIC = [
    pytest.param("/sparql?query=ASK%7B%7D", id="sparql"),
    pytest.param("/contribute", id="contribution-form"),
    pytest.param("/review/login", id="review-sign-in"),
    pytest.param("/healthz", id="health"),
    pytest.param("/concept/nasss/no-such-thing", id="not-found"),
    pytest.param("/concept/nasss/1A?format=nope", id="bad-request"),
]


@pytest.fixture(scope="module", params=[32.0, 0.0], ids=["page-cache", "no-page-cache"])
def app(request: pytest.FixtureRequest) -> Flask:
    """The app with the page cache on, then off."""
    return build_app(page_cache_mb=request.param)


@pytest.mark.parametrize(("path", "accept", "media"), REPRESENTATIONS)
def test_etag_round_trip(client: FlaskClient, path: str, accept: str, media: str) -> None:
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200
    assert first.mimetype == media
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and etag.endswith('"')
    assert first.headers["Cache-Control"] == CACHE_CONTROL
    assert "Accept" in first.headers["Vary"]
    for method in (client.get, client.head):
        again = method(path, headers={"Accept": accept, "If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == CACHE_CONTROL
        assert "Accept" in again.headers["Vary"]
    other = client.get(path, headers={"Accept": accept, "If-None-Match": 'W/"not-ours"'})
    assert other.status_code == 200
    assert other.data == first.data


def test_each_representation_has_its_own_tag(client: FlaskClient) -> None:
    turtle = client.get(CONCEPT, headers={"Accept": "text/turtle"})
    html = client.get(CONCEPT, headers={"Accept": "text/html"})
    assert turtle.headers["ETag"] != html.headers["ETag"]
    crossed = client.get(
        CONCEPT, headers={"Accept": "text/html", "If-None-Match": turtle.headers["ETag"]}
    )
    assert crossed.status_code == 200
    assert crossed.mimetype == "text/html"


@pytest.mark.parametrize(
    "header",
    [
        pytest.param('"other", {tag}', id="in-a-list"),
        pytest.param('W/"other" ,{tag} , "more"', id="odd-spacing"),
        pytest.param("{strong}", id="strong-form-weak-comparison"),
        pytest.param("*", id="star"),
    ],
)
def test_if_none_match_forms(client: FlaskClient, header: str) -> None:
    tag = client.get(CONCEPT).headers["ETag"]
    sent = header.format(tag=tag, strong=tag[2:])
    assert client.get(CONCEPT, headers={"If-None-Match": sent}).status_code == 304


def test_star_matches_only_what_exists(client: FlaskClient) -> None:
    answer = client.get("/concept/nasss/no-such-thing", headers={"If-None-Match": "*"})
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("x" * 200_000, id="huge"),
        pytest.param("," * 100_000, id="only-commas"),
        pytest.param('"' + "a" * 50_000, id="unterminated"),
        pytest.param('W/"' * 10_000, id="repeated-prefix"),
        pytest.param("W/", id="bare-prefix"),
        pytest.param('"é", W/"ü"', id="non-ascii"),
    ],
)
def test_hostile_if_none_match_is_just_a_miss(client: FlaskClient, header: str) -> None:
    answer = client.get(CONCEPT, headers={"If-None-Match": header})
    assert answer.status_code == 200
    assert b"1A" in answer.data


def test_hostile_if_none_match_over_real_http(live_server: LiveServer) -> None:
    for header in ("x" * 100_000, '"' * 20_000, "*, " * 5_000):
        answer = requests.get(
            live_server.url + CONCEPT, headers={"If-None-Match": header}, timeout=30
        )
        assert answer.status_code in (200, 304), answer.status_code


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_can_be_revalidated(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert "cookie" not in first.headers.get("Vary", "").lower()
    assert first.headers["Cache-Control"] == CACHE_CONTROL
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", NOT_PUBLIC)
def test_private_and_failed_answers_carry_no_validator(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    assert "ETag" not in answer.headers
    assert "public" not in answer.headers.get("Cache-Control", "")


def test_a_remote_store_validator_is_renewed_by_another_process_write(
    oxigraph_server: OxigraphServer,
) -> None:
    """The generation lives in the shared store: a tag holds until anyone writes through lhs-kg."""
    oxigraph_server.clear()
    kb = new_content_kb(RemoteStore(oxigraph_server.endpoints))
    other = RemoteStore(oxigraph_server.endpoints)  # another worker process
    try:
        client = app_for(kb).test_client()
        turtle = {"Accept": "text/turtle"}
        first = client.get(CONCEPT, headers=turtle)
        assert first.status_code == 200
        tag = first.headers["ETag"]
        assert client.get(CONCEPT, headers={**turtle, "If-None-Match": tag}).status_code == 304
        other.update(
            "INSERT DATA { GRAPH <https://w3id.org/lhs-kg/graph/data/other> { <urn:a> <urn:b> 1 } }"
        )
        after = client.get(CONCEPT, headers={**turtle, "If-None-Match": tag})
        assert after.status_code == 200
        assert after.headers["ETag"] != tag
    finally:
        other.close()
        oxigraph_server.clear()
