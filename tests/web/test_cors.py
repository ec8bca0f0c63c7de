"""CORS on public reads is consistent with /sparql; never on forms, reviews or cookie answers.

Regression for #12: linked-data documents, /export and /.well-known/void carried no
Access-Control-Allow-Origin while /sparql did.
"""

from __future__ import annotations

import pytest
from flask import Response, request
from flask.testing import FlaskClient

from web.views.cors import is_public_read

PUBLIC_READS = [
    pytest.param("/case-study/swedeheart", "text/turtle", id="document-turtle"),
    pytest.param("/case-study/swedeheart", "application/ld+json", id="document-jsonld"),
    pytest.param("/case-study/swedeheart", "text/html", id="page-html"),
    pytest.param("/concept/nasss/1", "application/n-triples", id="concept-ntriples"),
    pytest.param("/export", None, id="export"),
    pytest.param("/export?format=ttl", None, id="export-ttl"),
    pytest.param("/export/case-studies.csv", None, id="export-csv"),
    pytest.param("/.well-known/void", None, id="void"),
    pytest.param("/dataset", "text/turtle", id="dataset-turtle"),
    pytest.param("/dataset", "text/html", id="dataset-html"),
    pytest.param("/api/queries", None, id="queries-api"),
    pytest.param("/no/such/thing", "text/turtle", id="not-found"),
]


def _sparql_origin(client: FlaskClient) -> str:
    answer = client.get("/sparql", query_string={"query": "ASK {}"})
    return answer.headers["Access-Control-Allow-Origin"]


@pytest.mark.parametrize(("path", "accept"), PUBLIC_READS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_public_reads_allow_any_origin_like_sparql(
    client: FlaskClient, path: str, accept: str | None, method: str
) -> None:
    headers = {"Origin": "https://elsewhere.example"}
    if accept:
        headers["Accept"] = accept
    answer = client.open(path, method=method, headers=headers)
    assert answer.headers.get("Access-Control-Allow-Origin") == _sparql_origin(client) == "*"


@pytest.mark.parametrize(
    "path",
    [
        "/export",
        "/case-study/swedeheart",
        "/.well-known/void",
        "/dataset",
        "/export/case-studies.csv",
    ],
)
def test_preflight_is_answered_on_public_reads(client: FlaskClient, path: str) -> None:
    answer = client.options(
        path,
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept",
        },
    )
    assert answer.status_code in (200, 204)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in answer.headers["Access-Control-Allow-Methods"]
    assert "Accept" in answer.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/contribute", id="contribution-form"),
        pytest.param("GET", "/review/login", id="review-login"),
        pytest.param("GET", "/review", id="review"),
        pytest.param("OPTIONS", "/review/login", id="review-preflight"),
        pytest.param("GET", "/contributions/" + "A" * 43, id="status-page"),
        pytest.param("POST", "/api/contributions", id="contribution-api"),
    ],
)
def test_private_answers_carry_no_cors(client: FlaskClient, method: str, path: str) -> None:
    answer = client.open(path, method=method, headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_an_answer_that_depends_on_the_session_carries_no_cors(client: FlaskClient) -> None:
    with client.application.test_request_context("/export"):
        assert is_public_read(request, Response("x"))
        depends = Response("x")
        depends.vary.add("Cookie")
        assert not is_public_read(request, depends)
        sets = Response("x")
        sets.headers["Set-Cookie"] = "a=b"
        assert not is_public_read(request, sets)
