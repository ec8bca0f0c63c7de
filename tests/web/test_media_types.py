"""Every face takes its formats from the one table (``lhs_kg.formats``), and the faces agree.

Regression (#13): nine modules kept their own media-type lists and disagreed; ``/api/validate``
took RDF/XML and ``/api/contributions`` answered 415 for it, and the command line refused to
send it to a running server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import rdflib
import yaml
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.cli import main as cli
from lhs_kg.config import Settings
from lhs_kg.formats import (
    GRAPH_FORMATS,
    PAGE,
    RDF_FORMATS,
    REPORT_FORMATS,
    RESULT_FORMATS,
    SPARQL_REQUEST_FORMATS,
    SUBMISSION_FORMATS,
    Format,
    media_types,
    names,
)
from lhs_kg.kb import KnowledgeBase
from tests.helpers import EXAMPLES, ROOT
from web import create_app

CONTEXT = "https://w3id.org/lhs-kg/context.jsonld"
CONCEPT = "/concept/nasss/1A"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """One app for the module; submissions are many, so the rate limit is lifted."""
    settings = Settings(store="memory")
    kb = KnowledgeBase(settings)
    kb.rebuild()
    yield create_app(
        {
            "TESTING": True,
            "LHS_KG_SETTINGS": settings,
            "LHS_KG_KB": kb,
            "CONTRIBUTION_RATE_LIMIT": 10_000,
            "VALIDATE_RATE_LIMIT": 10_000,
        }
    )
    kb.close()


def example_in(fmt: Format) -> bytes:
    """The example case study written in submission format ``fmt``."""
    if fmt.name == "json":
        return (EXAMPLES / "case-study.json").read_bytes()
    tree = json.loads((EXAMPLES / "case-study.json").read_text(encoding="utf-8"))
    if fmt.name == "yaml":
        return yaml.safe_dump(tree, allow_unicode=True).encode("utf-8")
    if fmt.name == "jsonld":  # the same document, naming our context: JSON-LD proper
        return json.dumps({"@context": CONTEXT, **tree}).encode("utf-8")
    graph = rdflib.Graph().parse(EXAMPLES / "case-study.ttl", format="turtle")
    assert fmt.rdflib_name is not None
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")


SUBMISSIONS = [
    pytest.param(fmt, media, id=media) for fmt in SUBMISSION_FORMATS for media in fmt.media_types
]


@pytest.mark.parametrize(("fmt", "media"), SUBMISSIONS)
def test_validate_and_contributions_take_the_same_submission_types(
    client: FlaskClient, fmt: Format, media: str
) -> None:
    body = example_in(fmt)
    checked = client.post(
        "/api/validate", data=body, content_type=media, headers={"Accept": "application/json"}
    )
    assert checked.status_code == 200, checked.get_data(as_text=True)[:500]
    assert checked.get_json()["conforms"] is True, checked.get_data(as_text=True)[:800]
    sent = client.post("/api/contributions", data=body, content_type=media)
    assert sent.status_code == 201, sent.get_data(as_text=True)[:800]


def test_contributions_refuse_another_type_naming_the_table(client: FlaskClient) -> None:
    sent = client.post("/api/contributions", data=b"a,b\n", content_type="text/csv")
    assert sent.status_code == 415
    assert (
        sent.get_json()["message"] == f"Send one of: {', '.join(media_types(SUBMISSION_FORMATS))}."
    )


def test_the_openapi_document_lists_the_table(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    validate = paths["/api/validate"]["post"]
    assert sorted(validate["requestBody"]["content"]) == sorted(media_types(SUBMISSION_FORMATS))
    reports = validate["responses"]["200"]["content"]
    assert sorted(reports) == sorted(f.media_type for f in REPORT_FORMATS)
    sparql = paths["/sparql"]
    answers = [f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS, PAGE)]
    assert sorted(sparql["get"]["responses"]["200"]["content"]) == sorted(answers)
    bodies = [f.media_type for f in SPARQL_REQUEST_FORMATS]
    assert sorted(sparql["post"]["requestBody"]["content"]) == sorted(bodies)


@pytest.mark.parametrize("fmt", REPORT_FORMATS, ids=names(REPORT_FORMATS))
def test_a_report_comes_in_every_report_format(client: FlaskClient, fmt: Format) -> None:
    answer = client.post(
        "/api/validate",
        data=example_in(SUBMISSION_FORMATS[0]),
        content_type="application/json",
        headers={"Accept": fmt.media_type},
    )
    assert answer.status_code == 200 and answer.mimetype == fmt.media_type


GRAPH_TYPES = [pytest.param(m, id=m) for fmt in GRAPH_FORMATS for m in fmt.media_types]


@pytest.mark.parametrize("media", GRAPH_TYPES)
@pytest.mark.parametrize(
    "path",
    [
        pytest.param(CONCEPT, id="resource"),
        pytest.param("/dataset", id="dataset"),
        pytest.param("/sparql", id="service-description"),
        pytest.param(f"/sparql?query={CONSTRUCT}", id="construct"),
    ],
)
def test_every_graph_face_serves_every_graph_type(
    client: FlaskClient, path: str, media: str
) -> None:
    """Each media type of a graph format is understood, and answered with its canonical type."""
    canonical = next(f.media_type for f in GRAPH_FORMATS if media in f.media_types)
    answer = client.get(path, headers={"Accept": media})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == canonical


RESULT_TYPES = [pytest.param(m, id=m) for fmt in RESULT_FORMATS for m in fmt.media_types]


@pytest.mark.parametrize("media", RESULT_TYPES)
def test_the_endpoint_serves_every_result_type(client: FlaskClient, media: str) -> None:
    canonical = next(f.media_type for f in RESULT_FORMATS if media in f.media_types)
    answer = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": media})
    assert answer.status_code == 200 and answer.mimetype == canonical


def option_choices(command: str, option: str) -> list[str]:
    """The choices of a CLI option, as click will check them."""
    found = cli.commands[command]
    param = next(p for p in found.params if option in p.opts)
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("query", ["table", *names(RESULT_FORMATS), *names(GRAPH_FORMATS)], id="query"),
        pytest.param("dump", names(RDF_FORMATS), id="dump"),
        pytest.param("export", names(RDF_FORMATS), id="export"),
        pytest.param("validate", names(REPORT_FORMATS), id="validate"),
    ],
)
def test_the_command_line_offers_the_table(command: str, expected: list[str]) -> None:
    assert option_choices(command, "--format") == expected


MEDIA_TYPE = re.compile(r"""["'<>](?:text|application|image)/[A-Za-z0-9.+*-]+""")
CODE = [
    pytest.param(path, id=str(path.relative_to(ROOT)))
    for folder in ("lhs_kg", "web")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in (".py", ".html") and path != ROOT / "lhs_kg" / "formats.py"
]


@pytest.mark.parametrize("path", CODE)
def test_no_module_or_template_writes_its_own_media_type(path: Path) -> None:
    """A media type is written once, in lhs_kg/formats.py; everything else names the table."""
    found = MEDIA_TYPE.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} spells media types itself: {found}"
