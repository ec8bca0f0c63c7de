"""The earlier assessments of a self-assessment survive the hand-over to the contribution form
(#16): they are part of the JSON format (``assessment.previousAssessment``), so the form carries
them in one hidden input, says so on the page, and the stored case study keeps them. A carried
value the page could not have made is refused with 400 and nothing is stored."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions.form.carried import PREVIOUS
from tests.helpers import build_app

LHS = "https://w3id.org/lhs-kg/ontology/"
EARLIEST = {"basis": "self-assessment", "date": "2024-05-01", "ratings": []}
EARLIER = {
    "basis": "self-assessment",
    "date": "2025-06-01",
    "coverageNote": "Only the condition was rated then.",
    "ratings": [{"domain": "1", "level": "simple", "justification": "One clear diagnosis."}],
    "previousAssessment": EARLIEST,
}
CURRENT = {
    "basis": "self-assessment",
    "date": "2026-12-01",
    "coverageNote": "Only the condition and the technology are rated.",
    "ratings": [
        {"domain": "1", "level": "complex", "justification": "Several conditions at once."},
        {"domain": "2", "level": "complicated", "justification": "Two record systems."},
    ],
    "previousAssessment": EARLIER,
}
#: The rest of a contribution a team types into the form after the hand-over.
TYPED = {
    "id": "history-kept-network",
    "description": "Care homes and community teams test one change to prevent falls each month.",
    "organisation-0-id": "improvecarenow",
    "country-0": "GB",
    "loopStages": "P2D",
    "sources": "foley-vale-2022",
    "contributor-name": "Team Lead",
    "contributor-email": "lead@example.org",
    "licence": "CC-BY-4.0",
}


HISTORY = [("2025-06-01", [("1", "simple", "One clear diagnosis.")]), ("2024-05-01", [])]
"""The dates and ratings of the earlier assessments, latest first."""


def history(document: dict[str, Any] | None) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Dates and ratings along a ``previousAssessment`` chain (its coverage notes gain a line
    naming the unrated domains on the way, as every downloaded assessment does)."""
    found = []
    while document is not None:
        ratings = [(r["domain"], r["level"], r["justification"]) for r in document["ratings"]]
        found.append((document["date"], ratings))
        document = document.get("previousAssessment")
    return found


def handed_over(client: FlaskClient) -> str:
    """The contribution form as the result page's "Submit as a contribution" button opens it."""
    answer = client.post(
        "/assess/contribute",
        data={"assessment": json.dumps(CURRENT), "initiative": "Falls prevention"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def hidden_inputs(page: str) -> dict[str, list[str]]:
    """Every input of the page with its value(s), as the browser would post them untouched."""
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        found.setdefault(name, []).append(html.unescape(value))
    return found


def form_as_sent(client: FlaskClient, page: str) -> dict[str, Any]:
    """What the browser sends: the handed-over values, the hidden inputs and what is typed."""
    from lhs_kg.assess import from_document
    from lhs_kg.assess.form import contribution_values
    from lhs_kg.assess.questions import questionnaire
    from web.views.reading import get_reader

    app = client.application
    with app.app_context():
        q = questionnaire(get_reader())
        values: dict[str, Any] = dict(contribution_values(from_document(CURRENT, q), q, "Falls"))
    values.update(hidden_inputs(page))
    values.update(TYPED)
    return values


def test_the_form_carries_the_earlier_assessments_and_says_so(client: FlaskClient) -> None:
    page = handed_over(client)
    carried = hidden_inputs(page).get(PREVIOUS)
    assert carried is not None and history(json.loads(carried[0])) == HISTORY
    assert "brought 2 earlier assessments with it (2025-06-01, 2024-05-01)" in " ".join(
        page.split()
    )


def test_the_stored_case_study_keeps_its_assessment_history() -> None:
    app = build_app()  # this test writes: its own store
    client = app.test_client()
    sent = client.post("/contribute", data=form_as_sent(client, handed_over(client)))
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]
    dates = app.extensions["lhs_kg"].store.query(
        "SELECT ?date WHERE { GRAPH ?g { "
        "<https://w3id.org/lhs-kg/case-study/history-kept-network> "
        f"<{LHS}hasAssessment>/<{LHS}previousAssessment>+ ?a . "
        "?a <http://purl.org/dc/terms/date> ?date } } ORDER BY DESC(STR(?date))"
    )
    assert [str(row["date"].value) for row in dates] == ["2025-06-01", "2024-05-01"]


def test_a_form_sent_back_with_problems_still_carries_them(client: FlaskClient) -> None:
    values = form_as_sent(client, handed_over(client))
    del values["licence"]
    answer = client.post("/contribute", data=values)
    assert answer.status_code == 422
    carried = hidden_inputs(answer.get_data(as_text=True)).get(PREVIOUS)
    assert carried is not None and history(json.loads(carried[0])) == HISTORY


@pytest.mark.parametrize(
    ("carried", "message"),
    [
        pytest.param(["{oops"], "does not hold a JSON object", id="not-json"),
        pytest.param(["[1, 2]"], "does not hold a JSON object", id="a-list"),
        pytest.param(["[" * 5000 + "]" * 5000], "does not hold a JSON object", id="deep"),
        pytest.param(['{"a": "' + "x" * 200_001 + '"}'], "longer than 200,000", id="too-long"),
        pytest.param(["{}", "{}"], "sent 2 times", id="twice"),
    ],
)
def test_a_tampered_carried_value_is_refused_and_nothing_stored(
    app: Flask, client: FlaskClient, carried: list[str], message: str
) -> None:
    values = form_as_sent(client, handed_over(client))
    values[PREVIOUS] = carried
    before = app.extensions["lhs_kg"].store.triple_count()
    answer = client.post("/contribute", data=values)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400, text[:500]
    assert message in text
    assert "Traceback" not in text
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_a_link_cannot_pre_fill_a_carried_value_the_page_could_not_make(
    client: FlaskClient,
) -> None:
    answer = client.get("/contribute", query_string={PREVIOUS: "{oops"})
    assert answer.status_code == 400
    assert "does not hold a JSON object" in answer.get_data(as_text=True)
