"""Case-study, source and organisation ids are slugs under our base IRI, whatever the channel.

Regression for #12: a contributed case study with the id ``../../../etc/passwd`` or
``https://evil.example/cs`` was accepted (201) and stored as pending outside our namespace.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions import Contributions
from lhs_kg.validate.identifiers import slug_problem
from tests.helpers import ROOT, build_app, example, new_content_kb

TURTLE = (ROOT / "data" / "examples" / "case-study.ttl").read_text(encoding="utf-8")
BASE = "https://w3id.org/lhs-kg/"
HOSTILE_IDS = ["../../../etc/passwd", "https://evil.example/cs", "Upper_Case", "a" * 81]


def _json(ident: str) -> tuple[bytes, str]:
    return json.dumps(example(id=ident)).encode(), "application/json"


def _yaml(ident: str) -> tuple[bytes, str]:
    doc = example(id=ident)
    return json.dumps(doc).encode(), "application/yaml"  # JSON is YAML


def _jsonld(ident: str) -> tuple[bytes, str]:
    doc = example()
    doc.pop("id")
    doc["@context"] = "https://w3id.org/lhs-kg/context.jsonld"
    doc["@id"] = ident if ":" in ident else BASE + "case-study/" + ident
    return json.dumps(doc).encode(), "application/ld+json"


def _turtle(ident: str) -> tuple[bytes, str]:
    text = TURTLE.replace(
        "cs:example-diabetes-network a lhs:CaseStudy", f"<{ident}> a lhs:CaseStudy"
    )
    return text.encode(), "text/turtle"


def _ntriples(ident: str) -> tuple[bytes, str]:
    body, _ = _turtle(ident)
    quads = ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri=BASE + "case-study/")
    data = ox.serialize(quads, None, ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data, "application/n-triples"


CHANNELS: dict[str, Callable[[str], tuple[bytes, str]]] = {
    "json": _json,
    "yaml": _yaml,
    "jsonld": _jsonld,
    "turtle": _turtle,
    "ntriples": _ntriples,
}


@pytest.fixture(scope="module")
def app() -> Flask:
    """One app for the module: nothing here may be stored, and the tests check that."""
    made = build_app()
    made.config["CONTRIBUTION_RATE_LIMIT"] = 10_000
    return made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize("ident", HOSTILE_IDS, ids=["traversal", "other-site", "upper", "long"])
def test_contributed_case_study_id_outside_namespace_is_refused(
    app: Flask, client: FlaskClient, channel: str, ident: str
) -> None:
    body, media = CHANNELS[channel](ident)
    kb = app.extensions["lhs_kg"]
    before = kb.store.triple_count()
    answer = client.post("/api/contributions", data=body, content_type=media)
    assert answer.status_code == 422, answer.get_data(as_text=True)[:500]
    issues = answer.get_json()["issues"]
    about_id = [i for i in issues if i["field"] in ("id", "IRI")]
    assert about_id, issues
    assert "lower-case letters, digits and hyphens" in about_id[0]["message"]
    assert kb.store.triple_count() == before


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_a_slug_id_is_still_accepted(client: FlaskClient, channel: str) -> None:
    body, media = CHANNELS[channel](f"{BASE}case-study/fine-{channel}")
    if channel in ("json", "yaml"):
        body, media = CHANNELS[channel](f"fine-{channel}")
    answer = client.post("/api/contributions", data=body, content_type=media)
    assert answer.status_code == 201, answer.get_data(as_text=True)[:800]
    assert answer.get_json()["case_study"] == f"{BASE}case-study/fine-{channel}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(
            {
                "organisation": {
                    "id": "https://evil.example/org",
                    "type": "Organisation",
                    "name": "E",
                }
            },
            "organisation.id",
            id="organisation-elsewhere",
        ),
        pytest.param(
            {
                "sources": [
                    {"id": "../../x", "type": "Report", "title": "A report", "year": 2020},
                ]
            },
            "sources[0].id",
            id="source-traversal",
        ),
    ],
)
def test_new_sources_and_organisations_need_slugs_too(
    app: Flask, client: FlaskClient, change: dict[str, object], field: str
) -> None:
    kb = app.extensions["lhs_kg"]
    before = kb.store.triple_count()
    answer = client.post(
        "/api/contributions", data=json.dumps(example(**change)), content_type="application/json"
    )
    assert answer.status_code == 422
    assert field in {i["field"] for i in answer.get_json()["issues"]}
    assert kb.store.triple_count() == before


def test_a_contribution_cannot_describe_other_sites_resources(
    app: Flask, client: FlaskClient
) -> None:
    extra = '\n<https://evil.example/page> <http://purl.org/dc/terms/title> "planted" .\n'
    body = (TURTLE + extra).encode()
    kb = app.extensions["lhs_kg"]
    before = kb.store.triple_count()
    answer = client.post("/api/contributions", data=body, content_type="text/turtle")
    assert answer.status_code == 422
    issues = answer.get_json()["issues"]
    assert any("https://evil.example/page" in i["message"] for i in issues), issues
    assert kb.store.triple_count() == before


def test_validate_api_refuses_an_rdfxml_case_study_elsewhere(client: FlaskClient) -> None:
    body, _ = _turtle("https://evil.example/cs")
    quads = ox.parse(body, format=ox.RdfFormat.TURTLE)
    xml = ox.serialize(quads, None, ox.RdfFormat.RDF_XML)
    answer = client.post("/api/validate", data=xml, content_type="application/rdf+xml")
    assert answer.status_code == 200
    report = answer.get_json()
    assert report["conforms"] is False
    assert any(i["shape"] == "CaseStudy-id" for i in report["issues"])


def test_the_engine_refuses_without_the_id_shapes(tmp_path: Path) -> None:
    """A fork whose shapes lack identifiers.shapes.ttl still cannot store a foreign IRI."""
    shapes = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", shapes)
    (shapes / "data" / "identifiers.shapes.ttl").unlink()
    with new_content_kb(shapes_dir=shapes) as kb:
        outcome = Contributions(kb).submit(
            json.dumps(example(id="https://evil.example/cs")).encode(), "json"
        )
        assert not outcome.stored
        issues = [i for i in outcome.report.issues if i.constraint == "identifier"]
        assert [i.field for i in issues] == ["id"]
        assert "not under https://w3id.org/lhs-kg/case-study/" in issues[0].message


@pytest.mark.parametrize(
    ("iri", "problem"),
    [
        (f"{BASE}case-study/ok-1", None),
        (f"{BASE}case-study/a--b", "lower-case"),
        (f"{BASE}case-study/-a", "lower-case"),
        (f"{BASE}case-study/a/b", "lower-case"),
        (f"{BASE}case-study/" + "a" * 81, "longer than 80"),
        ("https://w3id.org/etc/passwd", "not under"),
        (f"{BASE}source/ok", "not under"),
    ],
)
def test_slug_rule(iri: str, problem: str | None) -> None:
    found = slug_problem(iri, BASE, "case-study")
    assert (found is None) if problem is None else (problem in (found or ""))
