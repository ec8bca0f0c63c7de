"""The page cache (#6): finished public pages kept per store generation, never across a write,
never for a request with a cookie or credentials, never for private answers, within its bytes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, Response, session
from flask.testing import FlaskClient

from lhs_kg.contributions.reviewers import hash_token
from lhs_kg.kb import KnowledgeBase
from tests.helpers import build_app, payload
from web.conditional import public
from web.generation_lru import CacheStats
from web.page_cache import EXTENSION, PageCache

CONCEPT = "/concept/nasss/1A"
CONCEPT_IRI = "https://w3id.org/lhs-kg/concept/nasss/1A"
NEW_LABEL = "A label written after the page was cached"
UPDATE_TOKEN = "update-token-for-the-page-cache-tests"
REVIEW_TOKEN = "reviewer-token-for-the-page-cache-tests-0123456789"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def stats(app: Flask) -> CacheStats:
    """A copy of the page cache's counters."""
    cache: PageCache = app.extensions[EXTENSION]
    return CacheStats(**vars(cache.pages.stats))


@pytest.fixture
def app() -> Flask:
    """A fresh app per test (tests here write), updates enabled, one reviewer with a token."""
    app = build_app(sparql_update_token=UPDATE_TOKEN)
    from web.views.review import load_reviewers

    app.config["REVIEWERS"] = {"alice": {"token_hashes": [hash_token(REVIEW_TOKEN)]}}
    app.extensions["lhs_kg_reviewers"] = load_reviewers(app)
    return app


def test_a_hit_is_the_same_answer_without_entering_the_app(app: Flask) -> None:
    client = app.test_client()
    first = client.get(CONCEPT, headers={"Accept": "text/turtle"})
    before = stats(app)
    second = client.get(CONCEPT, headers={"Accept": "text/turtle"})
    assert stats(app).hits == before.hits + 1
    assert second.data == first.data
    assert dict(second.headers) == dict(first.headers)
    head = client.head(CONCEPT, headers={"Accept": "text/turtle"})
    assert stats(app).hits == before.hits + 2
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(first.data))


def _sparql_update(app: Flask, client: FlaskClient) -> None:
    answer = client.post(
        "/sparql",
        data={
            "update": f"INSERT DATA {{ GRAPH <https://w3id.org/lhs-kg/graph/data/cache-test> "
            f'{{ <{CONCEPT_IRI}> <http://www.w3.org/2004/02/skos/core#altLabel> "{NEW_LABEL}"@en '
            "} }"
        },
        headers={"Authorization": f"Bearer {UPDATE_TOKEN}"},
    )
    assert answer.status_code == 204, answer.data


def _load(app: Flask, client: FlaskClient) -> None:
    kb: KnowledgeBase = app.extensions["lhs_kg"]
    triple = f'<{CONCEPT_IRI}> <http://www.w3.org/2004/02/skos/core#altLabel> "{NEW_LABEL}"@en .'
    kb.load_bytes(triple.encode(), "ttl", graph="https://w3id.org/lhs-kg/graph/data/cache-test")


@pytest.mark.parametrize("write", [_sparql_update, _load], ids=["sparql-update", "kb-load"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_write_changes_the_tag_and_the_next_answer_shows_it(
    app: Flask, write: Callable[[Flask, FlaskClient], None], accept: str
) -> None:
    client = app.test_client()
    old = client.get(CONCEPT, headers={"Accept": accept})
    assert client.get(CONCEPT, headers={"Accept": accept}).data == old.data  # now cached
    assert NEW_LABEL not in old.get_data(as_text=True)
    write(app, client)
    new = client.get(CONCEPT, headers={"Accept": accept, "If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200
    assert new.headers["ETag"] != old.headers["ETag"]
    assert NEW_LABEL in new.get_data(as_text=True)


def test_a_contribution_decision_shows_on_cached_pages(app: Flask) -> None:
    client = app.test_client()
    title = "Example: a regional diabetes learning network"
    pages = ["/case-study/", "/"]
    before = {path: client.get(path) for path in pages}
    for path in pages:
        assert client.get(path).data == before[path].data  # cached
    assert title not in before["/case-study/"].get_data(as_text=True)
    submitted = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert submitted.status_code == 201
    assert title not in client.get("/case-study/").get_data(as_text=True)  # pending: not shown
    decided = client.post(
        f"/review/{submitted.get_json()['ref']}/accept",
        headers={"Authorization": f"Bearer {REVIEW_TOKEN}"},
    )
    assert decided.status_code == 200
    assert title in client.get("/case-study/").get_data(as_text=True)
    home = client.get("/", headers={"If-None-Match": before["/"].headers["ETag"]})
    assert home.status_code == 200 and home.data != before["/"].data  # one more case study


@pytest.mark.parametrize("accept", ["text/html", BROWSER_ACCEPT, None])
def test_a_cached_turtle_answer_is_never_served_to_a_browser(
    app: Flask, accept: str | None
) -> None:
    client = app.test_client()
    client.get(CONCEPT, headers={"Accept": "text/turtle"})
    assert client.get(CONCEPT, headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    headers = {"Accept": accept} if accept else {}
    for _ in range(2):  # a miss, then the HTML page's own hit
        assert client.get(CONCEPT, headers=headers).mimetype == "text/html"
    assert client.get(CONCEPT, headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Cookie": "session=anything"}, id="cookie"),
        pytest.param({"Authorization": f"Bearer {REVIEW_TOKEN}"}, id="bearer"),
        pytest.param({"Authorization": "Basic YWxpY2U6c2VjcmV0"}, id="basic"),
    ],
)
def test_requests_with_cookies_or_credentials_are_neither_served_nor_kept(
    app: Flask, headers: dict[str, str]
) -> None:
    client = app.test_client(use_cookies=False)  # send the Cookie header as given
    client.get(CONCEPT)  # kept for anonymous readers
    before = stats(app)
    assert client.get(CONCEPT, headers=headers).status_code == 200
    client.get("/concept/nasss/2A", headers=headers)
    after = stats(app)
    assert (after.hits, after.stored) == (before.hits, before.stored)
    client.get("/concept/nasss/2A")
    assert stats(app).hits == after.hits  # the credentialed request left nothing behind


def test_forms_sparql_errors_and_posts_are_never_kept(app: Flask) -> None:
    client = app.test_client(use_cookies=False)  # every request a new visitor
    forms = [client.get("/contribute").get_data(as_text=True) for _ in range(2)]
    assert forms[0] != forms[1]  # each new visitor gets their own CSRF token
    for _ in range(2):
        client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        client.post("/sparql", data={"query": "ASK {}"})
        client.get("/concept/nasss/no-such-thing")
    assert stats(app).stored == 0


def test_an_answer_that_used_the_session_is_never_kept() -> None:
    """Even a view that declared itself public loses the label once it touches the session."""
    app = build_app()
    extra = Blueprint("session_test", __name__)

    @extra.get("/test/public-with-session")
    def touches_session() -> Response:
        early = public("html")
        if early is not None:
            return early
        session["seen"] = True
        return Response("hello", mimetype="text/html")

    app.register_blueprint(extra)
    client = app.test_client(use_cookies=False)  # every request a new visitor
    for _ in range(2):
        answer = client.get("/test/public-with-session")
        assert answer.status_code == 200
        assert "Set-Cookie" in answer.headers
        assert "ETag" not in answer.headers
        assert "public" not in answer.headers["Cache-Control"]
    assert stats(app).stored == 0


def test_the_byte_bound_evicts_the_least_recently_used() -> None:
    app = build_app(page_cache_mb=0.05)
    cache: PageCache = app.extensions[EXTENSION]
    client = app.test_client()
    paths = [f"/concept/nasss/{d}{s}" for d in range(1, 8) for s in "ABCDE"]
    for path in paths:
        client.get(path, headers={"Accept": "text/turtle"})
    assert cache.pages.stats.evicted > 0
    assert 0 < cache.pages.bytes <= cache.pages.max_bytes
    before = stats(app)
    client.get(paths[0], headers={"Accept": "text/turtle"})  # evicted long ago
    assert stats(app).misses == before.misses + 1


def test_zero_turns_the_cache_off_but_keeps_the_validators() -> None:
    app = build_app(page_cache_mb=0)
    assert EXTENSION not in app.extensions
    assert not isinstance(app.wsgi_app, PageCache)
    client = app.test_client()
    tag = client.get(CONCEPT).headers["ETag"]
    assert client.get(CONCEPT, headers={"If-None-Match": tag}).status_code == 304
