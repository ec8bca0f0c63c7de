"""Absolute URLs come from LHS_KG_PUBLIC_URL (or the base IRI), never from the Host header.

Regression for #12: the Host header was reflected into absolute URLs on /sparql (service
description), /dataset and /api/queries.
"""

from __future__ import annotations

import pytest
from flask import Flask

from lhs_kg.config import Settings
from lhs_kg.errors import ConfigError
from tests.helpers import build_app

PUBLIC = "https://kg.example.org/"
ENDPOINTS = [
    pytest.param("/sparql", "text/turtle", id="service-description"),
    pytest.param("/sparql", "text/html", id="sparql-page"),
    pytest.param("/dataset", "text/turtle", id="dataset-rdf"),
    pytest.param("/dataset", "text/html", id="dataset-page"),
    pytest.param("/.well-known/void", "text/turtle", id="void"),
    pytest.param("/api/queries", "application/json", id="queries-api"),
    pytest.param("/api/openapi.json", "application/json", id="openapi"),
]


@pytest.fixture(scope="module")
def configured() -> Flask:
    return build_app(public_url=PUBLIC)


@pytest.mark.parametrize(("path", "accept"), ENDPOINTS)
def test_the_host_header_is_never_reflected(app: Flask, path: str, accept: str) -> None:
    answer = app.test_client().get(path, headers={"Host": "evil.example", "Accept": accept})
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "evil.example" not in body
    assert "evil.example" not in str(answer.headers)


@pytest.mark.parametrize(("path", "accept"), ENDPOINTS[:-1])
def test_absolute_urls_use_the_configured_public_url(
    configured: Flask, path: str, accept: str
) -> None:
    answer = configured.test_client().get(path, headers={"Host": "evil.example", "Accept": accept})
    body = answer.get_data(as_text=True)
    assert PUBLIC in body and "evil.example" not in body


def test_without_a_public_url_the_base_iri_is_the_address(app: Flask) -> None:
    body = app.test_client().get("/sparql", headers={"Accept": "text/turtle"}).data.decode()
    assert "<https://w3id.org/lhs-kg/sparql>" in body


def test_the_queries_api_links_to_the_public_address(configured: Flask) -> None:
    entries = configured.test_client().get("/api/queries", headers={"Host": "evil.example"}).json
    assert entries and all(e["api"].startswith(PUBLIC + "api/queries/") for e in entries)
    assert all(e["page"].startswith(PUBLIC) for e in entries)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://kg.example.org", "https://kg.example.org/"),
        ("http://localhost:5000/kg/", "http://localhost:5000/kg/"),
        ("", None),
    ],
)
def test_public_url_setting(raw: str, expected: str | None) -> None:
    assert Settings.from_env({"LHS_KG_PUBLIC_URL": raw}).public_url == expected


@pytest.mark.parametrize(
    "raw",
    ["kg.example.org", "ftp://kg.example.org/", "https://kg.example.org/?a=1", "https://u@x/"],
)
def test_a_malformed_public_url_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="LHS_KG_PUBLIC_URL"):
        Settings.from_env({"LHS_KG_PUBLIC_URL": raw})
