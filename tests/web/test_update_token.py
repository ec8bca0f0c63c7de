"""Regression tests for mutants of the SPARQL update-token check, named after each mutant.

``update-token-prefix-match``: the bearer token sent with a SPARQL update was once compared as a
prefix instead of as the whole value (``hmac.compare_digest`` on both). Every near miss of the
configured token must be refused and must leave the store unchanged; only the exact token updates.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.helpers import build_app

TOKEN = "s3cret-update-token-0123456789"
GRAPH = "https://w3id.org/lhs-kg/graph/data/update-token-test"
INSERT = (
    f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://example.org/s> <https://example.org/p> 1 }} }}"
)
ASK = f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
CHALLENGE = 'Bearer realm="lhs-kg sparql"'


@pytest.fixture(scope="module")
def update_app() -> Flask:
    return build_app(sparql_update_token=TOKEN)


@pytest.fixture
def client(update_app: Flask) -> FlaskClient:
    return update_app.test_client()


def _stored(client: FlaskClient) -> bool:
    """Whether the test graph holds the inserted triple (read through the public endpoint)."""
    answer = client.get("/sparql", query_string={"query": ASK})
    return bool(json.loads(answer.data)["boolean"])


def _message(response: TestResponse) -> str:
    """The error line the endpoint answered with."""
    return response.get_data(as_text=True).strip()


NEAR_MISSES = [
    pytest.param(f"Bearer {TOKEN[:-1]}", id="prefix-of-the-token"),
    pytest.param(f"Bearer {TOKEN[:6]}", id="short-prefix-of-the-token"),
    pytest.param(f"Bearer {TOKEN}x", id="token-plus-a-suffix"),
    pytest.param(f"Bearer {TOKEN}{TOKEN}", id="token-twice"),
    pytest.param(f"Bearer {TOKEN[:-1]}8", id="last-character-differs"),
    pytest.param(f"Bearer x{TOKEN[1:]}", id="first-character-differs"),
    pytest.param(f"Bearer {TOKEN.upper()}", id="other-case"),
    pytest.param(f"Bearer {TOKEN[1:]}", id="suffix-of-the-token"),
]


@pytest.mark.parametrize("header", NEAR_MISSES)
def test_update_token_prefix_match_mutant_is_killed(client: FlaskClient, header: str) -> None:
    """A token that is not exactly the configured one: 403, and nothing is written."""
    response = client.post("/sparql", data={"update": INSERT}, headers={"Authorization": header})
    assert response.status_code == 403
    assert _message(response) == "the bearer token is not the one configured for updates"
    assert not _stored(client)


MISSING = [
    pytest.param(None, id="no-authorization-header"),
    pytest.param("Bearer", id="scheme-without-token"),
    pytest.param("Bearer ", id="empty-token"),
    pytest.param(TOKEN, id="token-without-scheme"),
    pytest.param(f"Basic {TOKEN}", id="other-scheme"),
    pytest.param(f"Bearerx {TOKEN}", id="scheme-with-a-suffix"),
]


@pytest.mark.parametrize("header", MISSING)
def test_update_without_a_bearer_token_is_401_with_a_challenge(
    client: FlaskClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = client.post("/sparql", data={"update": INSERT}, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert _message(response) == "updates need the bearer token configured on this server"
    assert not _stored(client)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(f"Bearer {TOKEN}", id="exact"),
        pytest.param(f"bearer {TOKEN}", id="scheme-in-lower-case"),
        pytest.param(f"BEARER {TOKEN} ", id="scheme-in-upper-case-trailing-space"),
    ],
)
def test_the_exact_token_updates_and_the_pages_see_it(client: FlaskClient, header: str) -> None:
    """204, and the inserted triple is visible to the next public query at once."""
    assert not _stored(client)
    response = client.post("/sparql", data={"update": INSERT}, headers={"Authorization": header})
    assert response.status_code == 204
    assert response.get_data() == b""
    assert _stored(client)
    drop = client.post(
        "/sparql", data={"update": f"DROP GRAPH <{GRAPH}>"}, headers={"Authorization": header}
    )
    assert drop.status_code == 204
    assert not _stored(client)


@pytest.mark.parametrize("token", ["", None], ids=["empty", "none"])
def test_no_configured_token_means_read_only(token: str | None) -> None:
    """An empty configured token never matches an empty bearer token: updates are 403."""
    client = build_app(sparql_update_token=token).test_client()
    for header in ("Bearer ", "Bearer  ", f"Bearer {TOKEN}"):
        response = client.post(
            "/sparql", data={"update": INSERT}, headers={"Authorization": header}
        )
        assert response.status_code == 403
        assert _message(response) == "this endpoint is read-only: SPARQL updates are disabled"
