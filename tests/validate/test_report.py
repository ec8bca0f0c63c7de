"""The report: fields named as the contributor wrote them, and its four renderings."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import validate
from tests.helpers import EXAMPLE, ROOT


def _broken() -> bytes:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["assessment"]["ratings"][2]["level"] = "hard"
    doc["sources"][0] = "<b>nope</b>"
    doc["loopStages"] = ["P2D", "X2Y"]
    del doc["title"]
    del doc["outcomes"]
    return json.dumps(doc).encode()


@pytest.fixture(scope="module")
def report(content_kb: KnowledgeBase) -> object:
    return validate(_broken(), kb=content_kb, name="broken.json")


def test_fields_are_the_json_key_paths_written(report: object) -> None:
    fields = {(i.severity, i.field) for i in report.issues}  # type: ignore[attr-defined]
    assert fields == {
        ("violation", "assessment.ratings[2].level"),
        ("violation", "loopStages[1]"),
        ("violation", "title"),
        ("violation", "sources[0]"),
        ("warning", "outcomes"),
    }


def test_issue_carries_value_focus_shape_and_hint(report: object) -> None:
    level = next(
        i
        for i in report.issues  # type: ignore[attr-defined]
        if i.field == "assessment.ratings[2].level"
    )
    assert level.value == "hard"
    assert level.shape == "Rating-level"
    assert "assessment.ratings[2]" in level.focus
    assert level.hint == "Allowed values: complex, complicated, simple."
    assert '"hard" is not a complexity level' in level.message  # #11: names the value


def test_missing_outcome_is_only_a_warning(content_kb: KnowledgeBase) -> None:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del doc["outcomes"]
    report = validate(json.dumps(doc).encode(), kb=content_kb, name="x.json")
    assert report.conforms
    assert [(i.severity, i.field) for i in report.issues] == [("warning", "outcomes")]


def test_json_rendering(report: object) -> None:
    body = json.loads(report.to_json())  # type: ignore[attr-defined]
    assert body["conforms"] is False
    assert body["violations"] == 4 and body["warnings"] == 1
    assert set(body["issues"][0]) == {
        "severity",
        "focus",
        "field",
        "message",
        "value",
        "shape",
        "hint",
        "constraint",
        "focus_node",
    }


def test_turtle_rendering_is_a_shacl_validation_report(report: object) -> None:
    graph = Graph().parse(data=report.to_turtle(), format="turtle")  # type: ignore[attr-defined]
    node = graph.value(None, RDF.type, SH.ValidationReport)
    assert node is not None
    assert graph.value(node, SH.conforms) == Literal(False)
    assert len(list(graph.objects(node, SH.result))) >= 4


def test_html_rendering_escapes_values(report: object) -> None:
    html = report.to_html()  # type: ignore[attr-defined]
    assert "<b>nope</b>" not in html
    assert "&lt;b&gt;nope&lt;/b&gt;" in html
    assert html.startswith('<section class="validation-report validation-fails">')


def test_text_rendering_lists_violations_first(report: object) -> None:
    lines = report.to_text().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "broken.json: does not conform (4 violations, 1 warning)"
    severities = [line.split()[0] for line in lines[1:] if not line.startswith("      ")]
    assert severities == ["VIOLATION"] * 4 + ["WARNING"]


def test_rdf_input_names_the_property(content_kb: KnowledgeBase) -> None:
    data = (ROOT / "tests" / "data" / "invalid" / "Rating-level--unknown.ttl").read_bytes()
    report = validate(data, kb=content_kb, name="x.ttl")
    assert [i.field for i in report.issues] == ["lhs:level"]
    assert report.issues[0].value == "https://w3id.org/lhs-kg/concept/complexity-level/hard"


def test_document_describing_nothing_is_reported(content_kb: KnowledgeBase) -> None:
    report = validate(b'{"title": "A case study without a type"}', kb=content_kb, name="x.json")
    assert not report.conforms
    assert [i.field for i in report.issues] == ["type"]


def test_validation_never_reads_the_whole_store(content_kb: KnowledgeBase) -> None:
    """The data graph is the submission plus facts about what it refers to, not the store."""
    from lhs_kg.documents import load_document
    from lhs_kg.validate import get_validator

    document = load_document(EXAMPLE)
    data = get_validator(content_kb.settings).data_graph(
        document, content_kb, content_kb.settings.base_iri
    )
    assert len(data) < 3 * len(document.graph)
