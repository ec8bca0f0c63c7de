"""The contribution form and API over HTTP: statuses, messages at the fields, hostile input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.contributions.conftest import example, payload
from tests.web.conftest import build_app

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def app() -> Flask:
    """A fresh app per test: these tests write to the store."""
    return build_app()


def token_of(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1).decode()


def form_token(client: FlaskClient) -> str:
    return token_of(client.get("/contribute").data)


def complete_form() -> dict[str, str | list[str]]:
    ratings = {}
    for index in range(7):
        ratings[f"assessment.ratings[{index}].level"] = "complicated"
        ratings[f"assessment.ratings[{index}].justification"] = f"Reason for domain {index + 1}."
    return {
        "id": "form-network",
        "title": "A network sent through the form",
        "description": "Twelve practices share data every month and agree one change to test.",
        "organisation": "improvecarenow",
        "country": "GB",
        "scale": "regional",
        "startYear": "2019",
        "loopStages": ["P2D", "D2K"],
        "rationales": ["improve-outcomes"],
        "outcomes[0].metric": "Share of patients on target",
        "outcomes[0].before": "55%",
        "outcomes[0].after": "63%",
        "assessment.basis": "curator-reading",
        "sources": ["foley-vale-2022"],
        "contributor.name": "Form Sender",
        "contributor.email": "form@example.org",
        "licence": "CC-BY-4.0",
        **ratings,
    }


def test_the_form_is_generated_from_the_shapes(client: FlaskClient) -> None:
    page = client.get("/contribute")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for legend in (
        "About the initiative",
        "Where and when",
        "Complexity assessment (NASSS)",
        "About you and the licence",
    ):
        assert legend in html
    assert html.count('name="assessment.ratings[') == 14  # level + justification, 7 domains
    assert 'value="P2D"' in html and 'value="GB"' in html and 'value="complex"' in html
    assert 'name="csrf_token"' in html


def test_a_mistake_comes_back_next_to_its_field(client: FlaskClient) -> None:
    data = complete_form()
    data["startYear"] = "20x9"
    data["csrf_token"] = form_token(client)
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    field = html[html.index('data-field="startYear"') :]
    field = field[: field.index("</div>")]
    assert "field-errors" in field and "four-digit year" in field
    assert 'value="A network sent through the form"' in html  # what was typed is kept


def test_a_complete_form_is_stored_and_leads_to_the_status_page(client: FlaskClient) -> None:
    data = complete_form()
    data["csrf_token"] = form_token(client)
    answer = client.post("/contribute", data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:3000]
    status = client.get(answer.headers["Location"])
    assert status.status_code == 200
    assert "pending" in status.get_data(as_text=True)
    assert status.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("forged", id="wrong"),
        pytest.param("", id="empty"),
    ],
)
def test_form_posts_without_the_right_csrf_token_are_refused(
    client: FlaskClient, token: str | None
) -> None:
    client.get("/contribute")
    data = complete_form()
    if token is not None:
        data["csrf_token"] = token
    assert client.post("/contribute", data=data).status_code == 403


def test_script_in_every_field_is_escaped(client: FlaskClient) -> None:
    data = {key: SCRIPT for key in complete_form()}
    data["csrf_token"] = form_token(client)
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_the_api_stores_json_and_answers_201_with_location(client: FlaskClient) -> None:
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["state"] == "pending" and body["ref"] == "example-diabetes-network/v1"
    assert answer.headers["Location"] == body["status_url"]
    status = client.get(answer.headers["Location"], headers={"Accept": "application/json"})
    assert status.get_json()["state"] == "pending"


def test_the_api_takes_turtle_and_the_contributor_from_headers(client: FlaskClient) -> None:
    from lhs_kg.documents import load_document

    doc = example()
    del doc["contributor"]
    turtle = load_document(json.dumps(doc).encode(), fmt="json").graph.serialize(format="turtle")
    answer = client.post(
        "/api/contributions",
        data=turtle.encode(),
        content_type="text/turtle",
        headers={"X-Contributor-Name": "Header Person", "X-Contributor-Email": "h@example.org"},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)


def test_an_invalid_api_submission_gets_422_and_the_report(client: FlaskClient) -> None:
    answer = client.post(
        "/api/contributions", data=payload(startYear="soon"), content_type="application/json"
    )
    assert answer.status_code == 422
    report = answer.get_json()
    assert report["conforms"] is False
    assert any(issue["field"] == "startYear" for issue in report["issues"])


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b"{broken", "application/json", 400, id="malformed-json"),
        pytest.param(b"a: [", "application/yaml", 400, id="malformed-yaml"),
        pytest.param(b"<a> <b>", "text/turtle", 400, id="malformed-turtle"),
        pytest.param(b"{}", "text/html", 415, id="unknown-media-type"),
        pytest.param(b"x" * 1_100_000, "application/json", 413, id="oversized"),
        pytest.param(
            b'{"@context": "http://169.254.169.254/ctx", "title": "x"}',
            "application/ld+json",
            400,
            id="remote-context",
        ),
    ],
)
def test_hostile_api_bodies_are_refused_without_a_write(
    app: Flask, client: FlaskClient, body: bytes, content_type: str, status: int
) -> None:
    kb = app.extensions["lhs_kg"]
    before = kb.store.triple_count()
    answer = client.post("/api/contributions", data=body, content_type=content_type)
    assert answer.status_code == status
    assert answer.is_json and "Traceback" not in answer.get_data(as_text=True)
    assert kb.store.triple_count() == before


def test_bad_contributor_headers_are_a_400(client: FlaskClient) -> None:
    answer = client.post(
        "/api/contributions",
        data=payload(),
        content_type="application/json",
        headers={"X-Contributor-Name": "X Y", "X-Contributor-Email": "nope"},
    )
    assert answer.status_code == 400


def test_the_rate_limit_answers_429_with_retry_after() -> None:
    app = build_app()
    app.config["CONTRIBUTION_RATE_LIMIT"] = 2
    client = app.test_client()
    codes = [
        client.post(
            "/api/contributions", data=payload(startYear="x"), content_type="application/json"
        ).status_code
        for _ in range(3)
    ]
    assert codes == [422, 422, 429]
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("nope", id="short"),
        pytest.param("A" * 43, id="well-formed"),
        pytest.param("%3Cscript%3E", id="script"),
    ],
)
def test_unknown_status_pages_are_404(client: FlaskClient, token: str) -> None:
    assert client.get(f"/contributions/{token}").status_code == 404


def test_the_contributor_withdraws_from_the_status_page(client: FlaskClient) -> None:
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    location = answer.headers["Location"]
    page = client.get(location)
    withdrawn = client.post(location + "/withdraw", data={"csrf_token": token_of(page.data)})
    assert withdrawn.status_code == 303
    assert client.get(location, headers={"Accept": "application/json"}).get_json()["state"] == (
        "withdrawn"
    )
    assert client.post(location + "/withdraw", data={"csrf_token": "x"}).status_code == 403


def test_production_refuses_forms_with_the_development_secret(tmp_path: Path) -> None:
    from lhs_kg.config import Settings
    from lhs_kg.kb import KnowledgeBase
    from web import create_app

    settings = Settings(store="memory")
    kb = KnowledgeBase(settings)
    kb.rebuild()
    app = create_app({"TESTING": False, "LHS_KG_SETTINGS": settings, "LHS_KG_KB": kb})
    client = app.test_client()
    assert client.get("/contribute").status_code == 503
    assert client.get("/review/login").status_code == 503
    assert (
        client.post(
            "/api/contributions", data=payload(), content_type="application/json"
        ).status_code
        == 201
    )
