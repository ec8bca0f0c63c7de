"""Public queries read the published view: pending contributions and the registry stay private."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import build_app, payload

SUBJECT = "https://w3id.org/lhs-kg/case-study/example-diabetes-network"
ASK_TITLE = f"ASK {{ <{SUBJECT}> <http://purl.org/dc/terms/title> ?t }}"
ASK_EMAIL = "ASK { GRAPH ?g { ?p <http://xmlns.com/foaf/0.1/mbox> ?m } }"
ASK_REGISTRY = "ASK { ?v <https://w3id.org/lhs-kg/ontology/statusTokenHash> ?h }"


@pytest.fixture
def app() -> Flask:
    """A fresh app: these tests submit."""
    return build_app()


def ask(client: FlaskClient, query: str, **params: str) -> bool:
    answer = client.get(
        "/sparql",
        query_string={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return bool(answer.get_json()["boolean"])


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="default-dataset"),
        pytest.param(
            {"default-graph-uri": "https://w3id.org/lhs-kg/graph/registry"}, id="registry-named"
        ),
        pytest.param(
            {
                "named-graph-uri": "https://w3id.org/lhs-kg/graph/contribution/example-diabetes-network/v1"
            },
            id="version-named",
        ),
    ],
)
def test_pending_contributions_and_the_registry_are_not_queryable(
    client: FlaskClient, params: dict[str, str]
) -> None:
    assert (
        client.post(
            "/api/contributions", data=payload(), content_type="application/json"
        ).status_code
        == 201
    )
    assert not ask(client, ASK_TITLE, **params)
    assert not ask(client, ASK_EMAIL, **params)
    assert not ask(client, ASK_REGISTRY, **params)


def test_an_accepted_contribution_is_queryable_at_once(app: Flask, client: FlaskClient) -> None:
    from lhs_kg.contributions import Contributions

    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert not ask(client, ASK_TITLE)
    Contributions(app.extensions["lhs_kg"]).decide(answer.get_json()["ref"], "accept", "r")
    assert ask(client, ASK_TITLE)
    assert not ask(client, ASK_EMAIL)  # the e-mail address never entered the content
