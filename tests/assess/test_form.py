"""A posted self-assessment form: read into an assessment, shown again, handed to the
contribution form."""

from __future__ import annotations

import json

import pytest

from lhs_kg.assess import Assessment, Questionnaire, Rating, to_document
from lhs_kg.assess.form import contribution_values, form_values, read_form, reassess


def post(**fields: str) -> dict[str, list[str]]:
    return {name.replace("_", "-"): [value] for name, value in fields.items()}


def test_levels_and_notes_become_ratings_and_not_sure_stays_unrated(q: Questionnaire) -> None:
    posted = read_form(
        post(level_1="complex", note_1="Rare disease.", level_2A="simple", level_3="", note_3B="?"),
        q,
    )
    assert posted.ok, posted.errors
    assert posted.assessment.ratings == [
        Rating("1", "", "complex", "Rare disease."),
        Rating("2", "2A", "simple", ""),
        Rating("3", "3B", "", "?"),
    ]
    assert posted.assessment.domain_profile() == {"1": 3}


def test_every_item_left_not_sure_gives_an_empty_assessment(q: Questionnaire) -> None:
    posted = read_form({f"level-{key}": [""] for key in q.item_keys()}, q)
    assert posted.ok
    assert posted.assessment.ratings == []


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        pytest.param({"level-1": ["extreme"]}, "level-1", "choose simple", id="bad-level"),
        pytest.param({"level-1": ["simple", "complex"]}, "level-1", "more than once", id="twice"),
        pytest.param({"level-9Z": ["simple"]}, "form", "does not ask", id="unknown-item"),
        pytest.param({"level-6B": ["simple"]}, "form", "does not ask", id="invented-letter"),
        pytest.param({"colour": ["red"]}, "form", "does not ask", id="unknown-field"),
        pytest.param({"note-2": ["x" * 2001]}, "note-2", "under 2,000", id="long-note"),
        pytest.param({"date": ["2026-13-01"]}, "date", "real date", id="bad-date"),
        pytest.param({"initiative": ["x" * 201]}, "initiative", "under 200", id="long-name"),
        pytest.param({"previous": ["{not json"]}, "previous", "not valid JSON", id="prev-json"),
        pytest.param({"previous": ["[" * 50_000]}, "previous", "not valid JSON", id="prev-deep"),
        pytest.param({"previous": [" " * 200_001]}, "previous", "200,000 bytes", id="prev-huge"),
        pytest.param(
            {"previous": [json.dumps({"ratings": [{"domain": "8", "level": "simple"}]})]},
            "previous",
            'domain "8"',
            id="prev-domain",
        ),
    ],
)
def test_a_field_the_page_could_not_have_sent_is_named(
    q: Questionnaire, fields: dict[str, list[str]], field: str, says: str
) -> None:
    posted = read_form(fields, q)
    assert not posted.ok
    assert says in posted.errors[field]


def test_form_values_show_the_assessment_again(q: Questionnaire) -> None:
    earlier = Assessment(date="2025-01-01", ratings=[Rating("1", "", "simple")])
    current = Assessment(
        date="2026-01-01",
        ratings=[Rating("1", "", "complex", "Worse."), Rating("2", "2B", "", "Unsure.")],
        previous=earlier,
    )
    values = form_values(current, "Falls")
    reread = read_form({k: [v] for k, v in values.items()}, q)
    assert reread.ok, reread.errors
    assert reread.assessment == current
    assert reread.initiative == "Falls"


@pytest.mark.parametrize(
    ("loaded_date", "previous_date"),
    [("2025-01-01", "2025-01-01"), ("2026-12-04", "2024-06-30")],
    ids=["older-becomes-previous", "same-day-is-an-edit"],
)
def test_reassessing_keeps_the_loaded_assessment_as_the_previous_one(
    loaded_date: str, previous_date: str
) -> None:
    older = Assessment(date="2024-06-30", ratings=[Rating("7", "", "simple")])
    loaded = Assessment(date=loaded_date, ratings=[Rating("7", "", "complex")], previous=older)
    started = reassess(loaded, "2026-12-04")
    assert started.date == "2026-12-04"
    assert started.ratings == loaded.ratings
    assert started.previous is not None and started.previous.date == previous_date


def test_contribution_values_fill_the_preset_domain_rows_then_subdomains(q: Questionnaire) -> None:
    assessment = Assessment(
        date="2026-12-04",
        ratings=[
            Rating("1", "", "complex", "Rare."),
            Rating("2", "2A", "simple", "Off the shelf."),
            Rating("7", "", "complicated"),
        ],
    )
    values = contribution_values(assessment, q, "Falls network")
    assert values["title"] == ["Falls network"]
    assert values["assessment-basis"] == ["self-assessment"]
    assert values["assessment-date"] == ["2026-12-04"]
    assert [values[f"assessment-ratings-{i}-domain"] for i in range(8)] == [
        ["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"], ["2"]
    ]  # fmt: skip
    assert values["assessment-ratings-0-level"] == ["complex"]
    assert "assessment-ratings-1-level" not in values  # domain 2 itself is not rated
    assert values["assessment-ratings-6-level"] == ["complicated"]
    assert values["assessment-ratings-7-subdomain"] == ["2A"]
    assert values["assessment-ratings-7-justification"] == ["Off the shelf."]
    assert values["assessment-coverageNote"] == [to_document(assessment, q)["coverageNote"]]
