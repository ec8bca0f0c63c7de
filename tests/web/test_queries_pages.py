"""The named queries over HTTP: gallery, per-query pages, the JSON/CSV API and the OpenAPI
document."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask.testing import FlaskClient

from lhs_kg.queries import QueryLibrary
from tests.helpers import ROOT

NAMES = QueryLibrary(ROOT / "queries").names()
CS = "https://w3id.org/lhs-kg/case-study/"


def test_gallery_lists_every_query(client: FlaskClient) -> None:
    page = client.get("/queries").get_data(as_text=True)
    for name in NAMES:
        assert f'href="/queries/{name}"' in page


@pytest.mark.parametrize("name", NAMES)
def test_every_query_page_renders(client: FlaskClient, name: str) -> None:
    response = client.get(f"/queries/{name}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Open in the editor" in page and f"/sparql?example={name}" in page


def test_page_shows_labels_linked_to_resource_pages(client: FlaskClient) -> None:
    page = client.get("/queries/case-studies-by-country?country=SE").get_data(as_text=True)
    link = f'<a href="/case-study/swedeheart" title="{CS}swedeheart">SWEDEHEART</a>'
    assert link in page
    assert "caseStudyLabel" not in page.split("<thead>")[1].split("</thead>")[0]
    assert "/api/queries/case-studies-by-country?country=SE&amp;format=csv" in page
    assert "VALUES (?country)" in page  # the SPARQL shown is the one that ran


def test_concept_parameter_is_a_select_of_the_scheme(client: FlaskClient) -> None:
    page = client.get("/queries/case-studies-by-loop-stage").get_data(as_text=True)
    assert '<select id="param-stage" name="stage">' in page
    assert '<option value="data-to-knowledge">D2K · ' in page


def test_required_parameter_missing_shows_the_form_only(client: FlaskClient) -> None:
    response = client.get("/queries/changed-since")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'type="date"' in page and "required" in page and "<table" not in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("/queries/changed-since?since=soon", "YYYY-MM-DD", id="ill-typed"),
        pytest.param(
            "/queries/case-studies?colour=red", "no parameter &#39;colour&#39;", id="unknown"
        ),
        pytest.param(
            "/queries/case-studies-by-country?country=SE&country=GB", "2 times", id="repeated"
        ),
    ],
)
def test_bad_parameters_on_pages_are_400_with_the_form(
    client: FlaskClient, url: str, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "<form" in page


def test_unknown_query_page_is_404_with_a_suggestion(client: FlaskClient) -> None:
    response = client.get("/queries/case-studies-by-contry")
    assert response.status_code == 404
    assert "case-studies-by-country" in response.get_data(as_text=True)


def test_api_list(client: FlaskClient) -> None:
    listed = client.get("/api/queries").get_json()
    assert [q["name"] for q in listed] == NAMES
    stage = next(q for q in listed if q["name"] == "case-studies-by-loop-stage")
    assert stage["params"] == [
        {"name": "stage", "type": "concept:loop", "required": False, "default": None}
    ]


def test_api_json_is_sparql_results(client: FlaskClient) -> None:
    response = client.get("/api/queries/high-complexity-case-studies")
    assert response.mimetype == "application/sparql-results+json"
    bindings = response.get_json()["results"]["bindings"]
    # re-rated from the sources in #14 (ImproveCareNow's high complexity rested on a default)
    assert [b["caseStudy"]["value"] for b in bindings] == [
        CS + "healthtracker",
        CS + "patientslikeme",
        CS + "transform",
    ]


@pytest.mark.parametrize("how", ["format", "accept"])
def test_api_csv(client: FlaskClient, how: str) -> None:
    if how == "format":
        response = client.get("/api/queries/case-studies-by-country?country=SE&format=csv")
    else:
        response = client.get(
            "/api/queries/case-studies-by-country?country=SE", headers={"Accept": "text/csv"}
        )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["caseStudyLabel"] for r in rows} == {
        "SWEDEHEART",
        "Swedish Rheumatology Quality Registry",
    }


def test_api_construct_and_ask(client: FlaskClient) -> None:
    graph = client.get("/api/queries/case-study-graph?caseStudy=cs:swedeheart&format=nt")
    assert graph.mimetype == "application/n-triples"
    assert f"<{CS}swedeheart/rating/4>".encode() in graph.data
    ask = client.get("/api/queries/is-high-complexity?caseStudy=cs:transform")
    assert ask.get_json()["boolean"] is True


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        pytest.param("/api/queries/nope", 404, "no query named 'nope'", id="unknown-query"),
        pytest.param(
            "/api/queries/case-study-graph", 400, "needs parameter 'caseStudy'", id="missing"
        ),
        pytest.param("/api/queries/sources?kind=relative", 400, "kind of source", id="ill-typed"),
        pytest.param("/api/queries/sources?format=ttl", 400, "not offered", id="wrong-format"),
    ],
)
def test_api_errors_are_json(client: FlaskClient, url: str, status: int, message: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and message in body["message"]


def test_openapi_document_describes_every_query(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert {"/sparql", "/api/queries"} <= set(document["paths"])
    for name in NAMES:
        operation = document["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] and operation["responses"]["200"]
    since = document["paths"]["/api/queries/changed-since"]["get"]["parameters"][0]
    assert since == {
        **since,
        "name": "since",
        "required": True,
        "schema": {"type": "string", "format": "date"},
    }
    minimum = document["paths"]["/api/queries/high-complexity-case-studies"]["get"]["parameters"]
    assert minimum[0]["schema"] == {"type": "integer", "default": 3}
    json.dumps(document)  # plain JSON all the way down
    operation_ids = [
        op["operationId"] for path in document["paths"].values() for op in path.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
