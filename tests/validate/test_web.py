"""POST /api/validate: the report over HTTP, and bad bodies answered with 4xx, never a trace."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import EXAMPLES, INVALID, build_app


@pytest.fixture(scope="module")
def app() -> Flask:
    return build_app(max_upload_bytes=200_000)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("case-study.json", "application/json"),
        ("case-study.yaml", "application/yaml"),
        ("case-study.ttl", "text/turtle"),
    ],
)
def test_example_conforms(client: FlaskClient, name: str, media: str) -> None:
    response = client.post("/api/validate", data=(EXAMPLES / name).read_bytes(), content_type=media)
    assert response.status_code == 200
    assert response.get_json()["conforms"] is True


def test_invalid_submission_gets_200_with_the_report(client: FlaskClient) -> None:
    doc = json.loads((INVALID / "Rating-level--unknown.json").read_text(encoding="utf-8"))
    doc.pop("_expect")
    response = client.post("/api/validate", json=doc)
    body = response.get_json()
    assert response.status_code == 200
    assert body["conforms"] is False
    assert [i["field"] for i in body["issues"]] == ["assessment.ratings[2].level"]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("text/html", "text/html"),
        ("*/*", "application/json"),
    ],
)
def test_report_format_follows_accept(client: FlaskClient, accept: str, media: str) -> None:
    response = client.post(
        "/api/validate",
        data=(EXAMPLES / "case-study.json").read_bytes(),
        content_type="application/json",
        headers={"Accept": accept},
    )
    assert response.status_code == 200
    assert response.mimetype == media
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    ("body", "media", "status", "words"),
    [
        pytest.param(b'{"title": ', "application/json", 400, "invalid JSON", id="bad-json"),
        pytest.param(b"", "application/json", 400, "empty", id="empty"),
        pytest.param(
            b'{"@context": "http://127.0.0.1:9/ctx"}',
            "application/ld+json",
            400,
            "remote",
            id="remote-context",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r/>',
            "application/rdf+xml",
            400,
            "DOCTYPE",
            id="doctype",
        ),
        pytest.param(
            b'{"title": "' + b"x" * 210_000 + b'"}',
            "application/json",
            400,
            "over the limit",
            id="over-the-upload-limit",
        ),
        pytest.param(
            b'{"title": "' + b"x" * 300_000 + b'"}',
            "application/json",
            413,
            "",
            id="over-the-request-limit",
        ),
    ],
)
def test_bad_body_is_a_readable_4xx(
    client: FlaskClient, body: bytes, media: str, status: int, words: str
) -> None:
    response = client.post("/api/validate", data=body, content_type=media)
    assert response.status_code == status
    assert words in response.get_json()["message"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_get_does_not_validate(client: FlaskClient) -> None:
    assert client.get("/api/validate").status_code in (404, 405)
