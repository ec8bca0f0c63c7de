"""An assessment as a contribution's ``assessment`` object: written, validated, read, refused."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lhs_kg.assess import (
    MAX_BYTES,
    Assessment,
    AssessmentInputError,
    Questionnaire,
    Rating,
    from_document,
    loads,
    to_document,
)
from lhs_kg.assess.document import MAX_HISTORY, MAX_NOTE, dumps
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import validate
from tests.helpers import EXAMPLES, example


def team_assessment() -> Assessment:
    """A self-assessment with a note on an unrated item, dated, with one earlier assessment."""
    earlier = Assessment(
        date="2025-06-01",
        ratings=[Rating("1", "", "simple", "Well understood."), Rating("4", "", "complex")],
        coverage_note="Early days.",
    )
    return Assessment(
        date="2026-12-01",
        ratings=[
            Rating("1", "", "complicated", "Frailty comes with <b>many</b> conditions."),
            Rating("1", "1A", "complicated", "Falls are hard to predict."),
            Rating("2", "", "simple"),
            Rating("3", "3B", "", "We have no cost data yet."),
            Rating("4", "", "complex", "Care homes staff turnover."),
            Rating("5", "", "complicated"),
            Rating("6", "", "simple"),
            Rating("7", "", "complex"),
        ],
        coverage_note="Domain 3 needs the finance team.",
        previous=earlier,
    )


def test_a_download_reads_back_to_the_same_assessment(q: Questionnaire) -> None:
    original = team_assessment()
    assert loads(dumps(original, q), q) == original


def test_the_document_has_the_contribution_format(q: Questionnaire) -> None:
    document = to_document(team_assessment(), q)
    assert document["basis"] == "self-assessment"
    assert document["date"] == "2026-12-01"
    assert document["ratings"][:2] == [
        {
            "domain": "1",
            "level": "complicated",
            "justification": "Frailty comes with <b>many</b> conditions.",
        },
        {
            "domain": "1",
            "subdomain": "1A",
            "level": "complicated",
            "justification": "Falls are hard to predict.",
        },
    ]
    assert all(r.get("level") for r in document["ratings"]), "an unrated item became a rating"
    assert document["previousAssessment"]["date"] == "2025-06-01"


def test_unrated_domains_and_their_notes_are_named_in_the_coverage_note(q: Questionnaire) -> None:
    lines = to_document(team_assessment(), q)["coverageNote"].splitlines()
    assert lines == [
        "Domain 3 needs the finance team.",
        "Not sure yet, so left unrated: 3 Value proposition.",
        "Note on 3B, not sure yet: We have no cost data yet.",
    ]


def test_the_document_validates_as_a_contribution_assessment(
    q: Questionnaire, kb: KnowledgeBase
) -> None:
    document = example(assessment=to_document(team_assessment(), q))
    report = validate(json.dumps(document).encode(), kb=kb, fmt="json", name="assessment")
    assert report.conforms, report.as_dict()


@pytest.mark.parametrize(
    "path", [EXAMPLES / "case-study.json", EXAMPLES / "reassessed-case-study.json"], ids=str
)
def test_a_whole_contribution_file_loads_its_assessment(q: Questionnaire, path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    loaded = loads(text, q)
    expected = json.loads(text)["assessment"]
    assert loaded.date == expected["date"]
    assert [(r.key, r.level) for r in loaded.ratings] == [
        (r.get("subdomain", r["domain"]), r["level"]) for r in expected["ratings"]
    ]


def test_the_previous_assessment_of_a_reassessed_example_is_kept(q: Questionnaire) -> None:
    loaded = loads((EXAMPLES / "reassessed-case-study.json").read_bytes(), q)
    assert [a.date for a in loaded.history()] == ["2024-03-01", "2021-03-01"]


def rating(**changes: Any) -> dict[str, Any]:
    return {"ratings": [{"domain": "1", "level": "simple", **changes}]}


def nested(depth: int) -> dict[str, Any]:
    document: dict[str, Any] = {"ratings": []}
    for _ in range(depth):
        document = {"ratings": [], "previousAssessment": document}
    return document


BAD_TEXT = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"   \n", "empty", id="blank"),
    pytest.param(b"not json at all", "not valid JSON", id="not-json"),
    pytest.param(b'{"ratings": [', "not valid JSON", id="truncated"),
    pytest.param(b"\xff\xfe\x00binary", "not text", id="binary"),
    pytest.param(b"[" * 100_001 + b"]" * 100_001, "larger than", id="huge-nesting"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, "nested too deeply", id="deep-nesting"),
    pytest.param(b" " * (MAX_BYTES + 1), "larger than", id="too-large"),
    pytest.param(b'["a list"]', "does not hold an assessment", id="list"),
    pytest.param(b'"text"', "does not hold an assessment", id="string"),
]

BAD_DOCUMENTS = [
    pytest.param({"ratings": "all simple"}, "must be a list", id="ratings-not-list"),
    pytest.param({"ratings": ["simple"]}, "must be an object", id="rating-not-object"),
    pytest.param(rating(domain="9"), 'domain "9"', id="unknown-domain"),
    pytest.param(rating(domain=1), "domain 1:", id="domain-number"),
    pytest.param(rating(domain="<script>"), "domain", id="domain-markup"),
    pytest.param(rating(subdomain="3A"), "not a lettered subdomain of domain 1", id="elsewhere"),
    pytest.param(rating(subdomain="1Z"), "not a lettered subdomain", id="unknown-subdomain"),
    pytest.param(
        {"ratings": [{"domain": "6", "subdomain": "political-policy", "level": "simple"}]},
        "not a lettered subdomain",
        id="unlettered-theme",
    ),
    pytest.param(rating(level="extreme"), 'level "extreme"', id="bad-level"),
    pytest.param(rating(level=""), "level", id="empty-level"),
    pytest.param({"ratings": [{"domain": "1"}]}, "level null", id="no-level"),
    pytest.param(rating(justification=["a"]), "must be text", id="note-not-text"),
    pytest.param(rating(justification="x" * (MAX_NOTE + 1)), "longer than", id="note-too-long"),
    pytest.param(rating(justification="a\x00b"), "control characters", id="note-nul"),
    pytest.param(rating(colour="red"), 'unknown fields: "colour"', id="rating-unknown-field"),
    pytest.param({"ratings": [], "owner": "x"}, 'unknown fields: "owner"', id="unknown-field"),
    pytest.param(
        {"ratings": [{"domain": "2", "level": "simple"}, {"domain": "2", "level": "complex"}]},
        "rates 2 twice",
        id="duplicate",
    ),
    pytest.param({"ratings": [], "date": "2024-02-30"}, "real date", id="impossible-date"),
    pytest.param({"ratings": [], "date": "yesterday"}, "real date", id="words-date"),
    pytest.param({"ratings": [], "date": 20240101}, "real date", id="number-date"),
    pytest.param({"ratings": [], "basis": "guess"}, "basis", id="bad-basis"),
    pytest.param({"ratings": [], "instrument": "ouija"}, "instrument", id="bad-instrument"),
    pytest.param({"ratings": [], "coverageNote": 7}, "must be text", id="coverage-number"),
    pytest.param(
        {"ratings": [], "previousAssessment": rating(level="huge")},
        "earlier assessment 1",
        id="bad-previous",
    ),
    pytest.param(nested(MAX_HISTORY + 1), "earlier assessments", id="history-too-long"),
    pytest.param({"ratings": [rating()["ratings"][0]] * 41}, "more than 40", id="too-many"),
]


@pytest.mark.parametrize(("data", "says"), BAD_TEXT)
def test_an_unreadable_file_is_refused_with_a_reason(
    q: Questionnaire, data: bytes, says: str
) -> None:
    with pytest.raises(AssessmentInputError, match=re.escape(says)):
        loads(data, q)


@pytest.mark.parametrize(("document", "says"), BAD_DOCUMENTS)
def test_a_malformed_assessment_is_refused_with_a_reason(
    q: Questionnaire, document: Any, says: str
) -> None:
    with pytest.raises(AssessmentInputError, match=re.escape(says)):
        from_document(document, q)
    with pytest.raises(AssessmentInputError, match=re.escape(says)):
        loads(json.dumps(document), q)


def test_markup_in_a_note_is_kept_as_text(q: Questionnaire) -> None:
    loaded = loads(json.dumps(rating(justification="<script>alert(1)</script>")), q)
    assert loaded.note("1") == "<script>alert(1)</script>"
