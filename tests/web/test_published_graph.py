"""/sparql over the one published graph (#16): the default graph is that graph, and queries
that name graphs still see each published graph (and only those) under its own name."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions import Contributions
from lhs_kg.graphs import published_graph, published_graphs, registry_graph
from tests.helpers import build_app, payload

SUBJECT = "https://w3id.org/lhs-kg/case-study/example-diabetes-network"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
TITLE = f"ASK {{ <{SUBJECT}> <http://purl.org/dc/terms/title> ?t }}"


@pytest.fixture(scope="module")
def app() -> Flask:
    """One accepted and one pending version of the example case study."""
    made = build_app()
    flow = Contributions(made.extensions["lhs_kg"])
    first = flow.submit(payload(), "json").version
    assert first is not None
    flow.decide(first.ref, "accept", "r")
    assert flow.submit(payload(title="Example: pending"), "json").version is not None
    return made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def select(client: FlaskClient, query: str, **params: str) -> list[dict[str, str]]:
    answer = client.get(
        "/sparql",
        query_string={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    if "boolean" in body:
        return [{"boolean": str(body["boolean"])}]
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


def test_graph_patterns_see_the_published_graphs_by_name(app: Flask, client: FlaskClient) -> None:
    kb = app.extensions["lhs_kg"]
    seen = {row["g"] for row in select(client, GRAPHS)}
    assert seen == set(published_graphs(kb.store, kb.settings))
    assert f"{kb.settings.base_iri}graph/contribution/example-diabetes-network/v1" in seen
    hidden = {
        published_graph(kb.settings),
        registry_graph(kb.settings),
        f"{kb.settings.base_iri}graph/contribution/example-diabetes-network/v2",
    }
    assert not seen & hidden


@pytest.mark.parametrize(
    ("params", "visible"),
    [
        pytest.param({}, True, id="default-dataset"),
        pytest.param(
            {"default-graph-uri": "https://w3id.org/lhs-kg/graph/published"}, True, id="published"
        ),
        pytest.param(
            {
                "default-graph-uri": "https://w3id.org/lhs-kg/graph/contribution/"
                "example-diabetes-network/v1"
            },
            True,
            id="accepted-version",
        ),
        pytest.param(
            {
                "default-graph-uri": "https://w3id.org/lhs-kg/graph/contribution/"
                "example-diabetes-network/v2"
            },
            False,
            id="pending-version",
        ),
        pytest.param(
            {"default-graph-uri": "https://w3id.org/lhs-kg/graph/published-sources"},
            False,
            id="layout-record",
        ),
    ],
)
def test_a_requested_dataset_is_narrowed_to_what_is_published(
    client: FlaskClient, params: dict[str, str], visible: bool
) -> None:
    assert select(client, TITLE, **params) == [{"boolean": str(visible)}]


def test_the_pending_title_never_shows(client: FlaskClient) -> None:
    rows = select(client, f"SELECT ?t WHERE {{ <{SUBJECT}> <http://purl.org/dc/terms/title> ?t }}")
    assert "Example: pending" not in {row["t"] for row in rows}
    assert len(rows) == 1


def test_the_service_description_lists_the_published_graphs(
    app: Flask, client: FlaskClient
) -> None:
    answer = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    name = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name")
    triples = list(ox.parse(answer.data, ox.RdfFormat.N_TRIPLES))
    listed = {t.object.value for t in triples if t.predicate == name}
    kb = app.extensions["lhs_kg"]
    assert listed == set(published_graphs(kb.store, kb.settings))
