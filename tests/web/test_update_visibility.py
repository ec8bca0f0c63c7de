"""What the token endpoint's SPARQL updates insert is visible to the next query, whatever the
contribution state, on the embedded store and on a real oxigraph server.

Regression for #12: an update answered 204 but its data stayed invisible while a contribution
was pending (the published view then names graphs, and the default graph was not among them).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.graphs import update_graph
from lhs_kg.store import Store
from tests.helpers import app_for, new_content_kb, payload

TOKEN = "s3cret-token-for-updates"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
S, P = "https://example.org/inserted", "https://example.org/p"
PENDING = "https://w3id.org/lhs-kg/case-study/example-diabetes-network"


@pytest.fixture
def app(store: Store) -> Iterator[Flask]:
    kb = new_content_kb(store, sparql_update_token=TOKEN)
    yield app_for(kb, CONTRIBUTION_RATE_LIMIT=1000)


def ask(client: FlaskClient, query: str) -> bool:
    answer = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return bool(answer.get_json()["boolean"])


def update(client: FlaskClient, text: str) -> None:
    answer = client.post("/sparql", data={"update": text}, headers=AUTH)
    assert answer.status_code == 204, answer.get_data(as_text=True)


def submit_pending(client: FlaskClient) -> None:
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert answer.status_code == 201
    assert not ask(client, f"ASK {{ <{PENDING}> ?p ?o }}")  # pending stays private


@pytest.mark.parametrize(
    ("insert", "where"),
    [
        pytest.param(f"INSERT DATA {{ <{S}> <{P}> 1 }}", "default-graph", id="default-graph"),
        pytest.param(
            f"INSERT DATA {{ GRAPH <https://example.org/g> {{ <{S}> <{P}> 1 }} }}",
            "own-graph",
            id="graph-outside-ours",
        ),
        pytest.param(
            "PREFIX ex: <https://example.org/>\n"
            f"INSERT {{ <{S}> <{P}> ?n }} WHERE {{ BIND(1 AS ?n) }} ;",
            "default-graph",
            id="insert-where-trailing-semicolon",
        ),
    ],
)
def test_token_update_is_visible_while_a_contribution_is_pending(
    app: Flask, insert: str, where: str
) -> None:
    client = app.test_client()
    submit_pending(client)
    update(client, insert)
    assert ask(client, f"ASK {{ <{S}> <{P}> ?o }}")
    assert not ask(client, f"ASK {{ <{PENDING}> ?p ?o }}")  # and the pending one still is not


def test_default_graph_updates_keep_sparql_semantics(app: Flask) -> None:
    """Delete what was inserted, whether or not a contribution is pending in between."""
    client = app.test_client()
    update(client, f"INSERT DATA {{ <{S}> <{P}> 1, 2 }}")
    submit_pending(client)
    update(client, f"DELETE DATA {{ <{S}> <{P}> 1 }}")
    assert not ask(client, f"ASK {{ <{S}> <{P}> 1 }}")
    assert ask(client, f"ASK {{ <{S}> <{P}> 2 }}")
    update(client, f"DELETE WHERE {{ <{S}> <{P}> ?o }}")
    assert not ask(client, f"ASK {{ <{S}> <{P}> ?o }}")


def test_default_graph_data_lives_in_the_update_graph(app: Flask) -> None:
    client = app.test_client()
    update(client, f"INSERT DATA {{ <{S}> <{P}> 1 }}")
    kb = app.extensions["lhs_kg"]
    graph = update_graph(kb.settings)
    assert kb.store.query(f"ASK {{ GRAPH <{graph}> {{ <{S}> <{P}> 1 }} }}", union=False).boolean
    assert not kb.store.query(f"ASK {{ <{S}> <{P}> 1 }}", union=False).boolean  # default empty
