"""Assess your initiative over HTTP (#15): the questions, the result, download and re-load, the
hand-off to the contribution form, and hostile input (400 with the form kept, nothing stored)."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.assess import from_document, loads, questionnaire
from lhs_kg.assess.document import MAX_BYTES
from lhs_kg.assess.form import contribution_values
from tests.helpers import EXAMPLES, build_app

SCRIPT = "<script>alert(1)</script>"
TEAM = {
    "initiative": "Falls prevention in care homes",
    "date": "2026-12-01",
    "level-1": "complicated",
    "level-2": "simple",
    "level-3": "complicated",
    "level-4": "complex",
    "level-5": "complex",
    "level-6": "simple",
    "level-7": "complicated",
    "level-4A": "complex",
    "note-4": "Care home staff change often.",
    "note-3B": "No cost data yet.",
}


def result(client: FlaskClient, **changes: str) -> str:
    answer = client.post("/assess", data={**TEAM, **changes})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def carried(page: str) -> dict[str, str]:
    """The assessment and initiative the result page's buttons carry."""
    found = re.search(r'name="assessment" value="([^"]*)"', page)
    name = re.search(r'name="initiative" value="([^"]*)"', page)
    assert found and name, "the result page carries no assessment"
    return {"assessment": html.unescape(found.group(1)), "initiative": html.unescape(name.group(1))}


def checked(page: str, name: str) -> str:
    """The value of the checked radio button ``name`` ('' for "not sure yet")."""
    found = re.findall(rf'name="{re.escape(name)}" value="([^"]*)" checked', page)
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def test_the_form_asks_every_domain_and_lettered_subdomain(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        from web.views.reading import get_reader

        q = questionnaire(get_reader())
    page = client.get("/assess").get_data(as_text=True)
    assert [d.notation for d in q.domains] == ["1", "2", "3", "4", "5", "6", "7"]
    for key in q.item_keys():
        assert checked(page, f"level-{key}") == "", f"{key} is not 'not sure yet' by default"
        assert f'name="note-{key}"' in page
    assert "6B" not in page and "political-policy" not in page  # themes are not rated
    assert page.count('type="radio"') == 4 * len(q.item_keys())


def test_the_form_shows_the_published_rubric_anchors(client: FlaskClient) -> None:
    page = client.get("/assess").get_data(as_text=True)
    assert "The illness is well described and behaves predictably." in page  # 1A, simple
    assert "Many parts or interacting issues, yet still largely predictable." in page  # levels


def test_the_form_is_the_same_every_time_and_sets_no_cookie(client: FlaskClient) -> None:
    first, second = client.get("/assess"), client.get("/assess")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert "Set-Cookie" not in first.headers


def test_the_result_shows_profile_similar_case_studies_and_tools(client: FlaskClient) -> None:
    page = result(client)
    assert '<svg class="radar"' in page
    assert "Domain 4 Adopter system: Complex." in page  # the radar's accessible description
    matches = re.findall(r'<li class="assess-match">\s*<h3><a href="(/case-study/[^"]+)"', page)
    assert len(matches) == 3
    assert page.count("domains compared.") == 3
    assert re.search(r'id="h-help-4".*?href="/tool/nasss-framework"', page, re.S)
    assert re.search(r'id="h-help-5"', page) and not re.search(r'id="h-help-1"', page)
    assert "not sure yet" in page  # unrated subdomains and notes


def test_similar_case_studies_are_ranked_by_the_documented_measure(
    app: Flask, client: FlaskClient
) -> None:
    page = result(client)
    distances = [float(d) for d in re.findall(r"Mean difference ([0-9.]+) over", page)]
    assert distances == sorted(distances)
    with app.app_context():
        from lhs_kg.assess.result import profiles
        from lhs_kg.assess.similarity import distance
        from web.views.reading import get_reader

        known = profiles(get_reader())
    mine = {"1": 2, "2": 1, "3": 2, "4": 3, "5": 3, "6": 1, "7": 2}
    best = min(d for _, levels in known.values() if (m := distance(mine, levels)) for d in [m[0]])
    assert distances[0] == pytest.approx(best, abs=0.005)


def test_script_in_notes_and_name_is_shown_as_text(client: FlaskClient) -> None:
    page = result(client, initiative=SCRIPT, **{"note-1": SCRIPT, "note-2C": SCRIPT})
    assert SCRIPT not in page
    assert html.escape(SCRIPT, quote=False) in page


def test_download_is_a_contribution_assessment_that_reloads(
    app: Flask, client: FlaskClient
) -> None:
    page = result(client)
    answer = client.post("/assess/download", data=carried(page))
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    disposition = answer.headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="nasss-assessment-falls-prevention-in-care-homes-2026-12-01.json"'
    )
    document = json.loads(answer.data)
    assert document["basis"] == "self-assessment"
    expected = {"domain": "4", "level": "complex", "justification": "Care home staff change often."}
    assert expected in document["ratings"]
    with app.app_context():
        from web.views.reading import get_reader

        loaded = loads(answer.data, questionnaire(get_reader()))
    assert loaded.level("4A") == "complex" and loaded.note("3B") == "No cost data yet."


def upload(client: FlaskClient, data: bytes, name: str = "assessment.json") -> Any:
    return client.post(
        "/assess/load",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_reloaded_file_fills_the_form_and_keeps_the_earlier_assessment(
    client: FlaskClient,
) -> None:
    downloaded = client.post("/assess/download", data=carried(result(client))).data
    answer = upload(client, downloaded, "nasss-assessment-falls-prevention-2026-12-01.json")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Loaded the assessment of 2026-12-01" in page
    assert checked(page, "level-4") == "complex" and checked(page, "level-2B") == ""
    assert 'value="falls prevention"' in page  # the name, from the file name
    previous = re.search(r'name="previous" value="([^"]*)"', page)
    assert previous and json.loads(html.unescape(previous.group(1)))["date"] == "2026-12-01"
    # change one rating and see the change over time
    values = {k: v for k, v in TEAM.items() if k != "date"}
    values.update({"level-4": "complicated", "previous": html.unescape(previous.group(1))})
    values["date"] = "2027-03-01"
    changed = client.post("/assess", data=values).get_data(as_text=True)
    row = re.search(
        r'<tr class="assess-changed"><th scope="row">4 Adopter system</th>(.*?)</tr>', changed, re.S
    )
    assert row, "domain 4 is not marked as changed"
    assert re.findall(r"level level-(\w+)", row.group(1)) == ["complex", "complicated"]
    assert "Assessed 2 times, first on 2026-12-01." in changed


def test_a_whole_contribution_file_loads_with_its_title(client: FlaskClient) -> None:
    answer = upload(client, (EXAMPLES / "case-study.json").read_bytes())
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'value="Example: a regional diabetes learning network"' in page
    assert checked(page, "level-7A") == "complex"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "not text", id="image"),
        pytest.param(b"<html>hello</html>", "not valid JSON", id="html"),
        pytest.param(b'{"ratings": [{"domain": "8", "level": "simple"}]}', "domain", id="domain"),
        pytest.param(b'{"ratings": [{"domain": "1", "level": "huge"}]}', "level", id="level"),
        pytest.param(b"[" * 60_000 + b"]" * 60_000, "nested too deeply", id="deep"),
        pytest.param(b"{}" + b" " * MAX_BYTES, "larger than", id="huge"),
    ],
)
def test_a_bad_upload_is_a_readable_400_with_the_form(
    client: FlaskClient, data: bytes, says: str
) -> None:
    answer = upload(client, data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "That file cannot be loaded" in page and says in page
    assert 'name="level-1"' in page  # the questions are still there
    assert "Traceback" not in page


def test_no_file_is_a_readable_400(client: FlaskClient) -> None:
    answer = client.post("/assess/load", data={}, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Choose the assessment file" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        pytest.param({"level-1": "extreme"}, "choose simple", id="bad-level"),
        pytest.param({"level-9": "simple"}, "does not ask", id="unknown-domain"),
        pytest.param({"level-6C": "simple"}, "does not ask", id="invented-subdomain"),
        pytest.param({"date": "2026-02-31"}, "real date", id="bad-date"),
        pytest.param({"previous": "{oops"}, "cannot be read", id="tampered-previous"),
        pytest.param({"note-1": "x" * 5000}, "under 2,000", id="long-note"),
    ],
)
def test_a_bad_post_is_a_400_with_the_answers_kept(
    app: Flask, client: FlaskClient, changes: dict[str, str], says: str
) -> None:
    before = app.extensions["lhs_kg"].store.triple_count()
    answer = client.post("/assess", data={**TEAM, **changes})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert says in page and "Traceback" not in page
    assert 'value="Falls prevention in care homes"' in page
    assert checked(page, "level-5") == "complex"
    assert app.extensions["lhs_kg"].store.triple_count() == before


@pytest.mark.parametrize("path", ["/assess/edit", "/assess/download", "/assess/contribute"])
@pytest.mark.parametrize(
    "carried_text",
    ["", "not json", '{"ratings": [{"domain": "1", "level": "odd"}]}', "[" * 50_000],
    ids=["missing", "not-json", "bad-level", "deep"],
)
def test_a_tampered_button_is_a_readable_400(
    client: FlaskClient, path: str, carried_text: str
) -> None:
    answer = client.post(path, data={"assessment": carried_text})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Nothing could be shown" in page and "Traceback" not in page


def test_change_the_ratings_shows_them_in_the_form(client: FlaskClient) -> None:
    page = client.post("/assess/edit", data=carried(result(client))).get_data(as_text=True)
    assert checked(page, "level-4A") == "complex" and checked(page, "level-1A") == ""
    assert "Care home staff change often." in page


def test_nothing_is_stored_by_assessing(app: Flask, client: FlaskClient) -> None:
    kb = app.extensions["lhs_kg"]
    before = kb.store.triple_count()
    page = result(client)
    for path in ("/assess/edit", "/assess/download", "/assess/contribute"):
        client.post(path, data=carried(page))
    assert kb.store.triple_count() == before


def test_submit_hands_the_ratings_to_the_contribution_form(client: FlaskClient) -> None:
    page = client.post("/assess/contribute", data=carried(result(client))).get_data(as_text=True)
    assert 'action="/contribute"' in page
    basis = re.search(r'id="f-assessment-basis"[^>]*>(.*?)</select>', page, re.S)
    assert basis and '<option value="self-assessment" selected>' in basis.group(1)
    level = re.search(r'id="f-assessment-ratings-3-level"[^>]*>(.*?)</select>', page, re.S)
    assert level and '<option value="complex" selected>' in level.group(1)
    assert 'value="Falls prevention in care homes"' in page


#: The rest of a contribution a team types into the form after the hand-over.
CONTRIBUTION_FIELDS = {
    "id": "handed-over-network",
    "description": "Care homes and community teams test one change to prevent falls each month.",
    "organisation-0-id": "improvecarenow",
    "country-0": "GB",
    "scale": "regional",
    "startYear": "2025",
    "loopStages": "P2D",
    "outcomes-0-metric": "Falls per 1000 resident days",
    "sources": "foley-vale-2022",
    "contributor-name": "Team Lead",
    "contributor-email": "lead@example.org",
    "licence": "CC-BY-4.0",
}


def test_the_handed_over_ratings_are_stored_by_the_usual_flow() -> None:
    app = build_app()  # this test writes: its own store
    client = app.test_client()
    page = result(client)
    form_page = client.post("/assess/contribute", data=carried(page)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form_page)
    assert token
    with app.app_context():
        from web.views.reading import get_reader

        q = questionnaire(get_reader())
        loaded = from_document(json.loads(carried(page)["assessment"]), q)
    form: dict[str, Any] = {**contribution_values(loaded, q, TEAM["initiative"])}
    form.update({**CONTRIBUTION_FIELDS, "csrf_token": token.group(1)})
    answer = client.post("/contribute", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    status = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Your contribution: {TEAM['initiative']}" in status
    stored = app.extensions["lhs_kg"].store.query(
        "ASK { GRAPH ?g { <https://w3id.org/lhs-kg/case-study/handed-over-network> "
        "<https://w3id.org/lhs-kg/ontology/hasAssessment> ?a . "
        "?a <https://w3id.org/lhs-kg/ontology/assessmentBasis> "
        "<https://w3id.org/lhs-kg/concept/assessment-basis/self-assessment> } }"
    )
    assert stored.boolean


def test_an_assessment_left_entirely_unsure_is_shown_as_unrated(client: FlaskClient) -> None:
    page = result(client, **{key: "" for key in TEAM if key.startswith("level-")})
    assert "0 of 7 domains rated" in page
    assert "No case study rates enough of the same domains" in page
    assert "You rated no domain or subdomain complex." in page
    assert page.count("not sure yet") >= 27


@pytest.mark.parametrize("path", ["/", "/nasss"])
def test_home_and_nasss_pages_link_to_the_assessment(client: FlaskClient, path: str) -> None:
    assert 'href="/assess"' in client.get(path).get_data(as_text=True)


def test_every_local_link_of_the_form_and_result_resolves(client: FlaskClient) -> None:
    pages = [client.get("/assess").get_data(as_text=True), result(client)]
    links = sorted({h for page in pages for h in re.findall(r'href="(/[^"#]*)"', page)})
    assert "/source/nasss-rubric-2021" in links and "/concept/nasss/4" in links
    broken = [link for link in links if client.get(link).status_code != 200]
    assert broken == []


def test_a_body_over_the_upload_limit_is_a_413_without_traceback(client: FlaskClient) -> None:
    answer = upload(client, b"{" + b" " * 1_200_000 + b"}")
    assert answer.status_code == 413
    assert "Traceback" not in answer.get_data(as_text=True)
