"""The contribution form and API over HTTP: statuses, messages at the fields, hostile input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import app_for, build_app, example, new_content_kb, payload

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
    ratings: dict[str, str | list[str]] = {}
    for index in range(7):
        ratings[f"assessment-ratings-{index}-domain"] = str(index + 1)
        ratings[f"assessment-ratings-{index}-level"] = "complicated"
        ratings[f"assessment-ratings-{index}-justification"] = f"Reason for domain {index + 1}."
    return {
        "id": "form-network",
        "title": "A network sent through the form",
        "description": "Twelve practices share data every month and agree one change to test.",
        "organisation-0-id": "improvecarenow",
        "country-0": "GB",
        "scale": "regional",
        "startYear": "2019",
        "loopStages": ["P2D", "D2K"],
        "rationales": ["improve-outcomes"],
        "outcomes-0-metric": "Share of patients on target",
        "outcomes-0-before": "55%",
        "outcomes-0-after": "63%",
        "assessment-basis": "curator-reading",
        "sources": ["foley-vale-2022"],
        "contributor-name": "Form Sender",
        "contributor-email": "form@example.org",
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
    assert len(set(re.findall(r'name="assessment-ratings-[0-9]+-level"', html))) == 7
    assert 'value="P2D"' in html and 'value="GB"' in html and 'value="complex"' in html
    assert 'name="csrf_token"' in html


def test_a_mistake_comes_back_next_to_its_field(client: FlaskClient) -> None:
    data = complete_form()
    data["startYear"] = "20x9"
    data["csrf_token"] = form_token(client)
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "four-digit year" in field_html(html, "startYear")
    assert 'value="A network sent through the form"' in html  # what was typed is kept


def field_html(html: str, name: str) -> str:
    """The markup of one input's block (label, input, help, messages)."""
    block = html[html.index(f'data-field="{name}"') :]
    return block[: block.index("</div>")]


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
    app = app_for(new_content_kb(), TESTING=False)
    client = app.test_client()
    assert client.get("/contribute").status_code == 503
    assert client.get("/review/login").status_code == 503
    assert (
        client.post(
            "/api/contributions", data=payload(), content_type="application/json"
        ).status_code
        == 201
    )


# -- the repeatable form (issue 11): everything the JSON format holds, nothing dropped ----------


def stored(app: Flask, location: str, query: str) -> list[tuple[str, ...]]:
    """Rows of a SELECT over the graph of the contribution behind a status page address."""
    from lhs_kg.contributions import Contributions

    kb = app.extensions["lhs_kg"]
    graph = Contributions(kb).by_token(location.rsplit("/", 1)[1]).graph
    prefixes = (
        "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
        "PREFIX bibo: <http://purl.org/ontology/bibo/> "
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    )
    rows = kb.store.query(prefixes + query, union=False, default_graphs=[graph]).rows()
    return [tuple(row[k].value for k in row) for row in rows]


def maximal_form() -> dict[str, str | list[str]]:
    """Two organisations (one new), two countries, two outcomes, a new journal article with two
    authors, its journal and DOI, and one domain explicitly not rated with a coverage note."""
    data = complete_form()
    data.update(
        {
            "organisation-1-name": "Nordic Learning Network",
            "organisation-1-country": "Sweden",
            "organisation-1-homepage": "https://example.org/nordic",
            "country-1": "Sweden",
            "outcomes-0-sources": "smith-2023",
            "outcomes-1-label": "Admissions",
            "outcomes-1-description": "Fewer emergency admissions.",
            "outcomes-1-metric": "Emergency admissions per 1000 children",
            "outcomes-1-before": "12",
            "outcomes-1-after": "9",
            "sources-0-id": "smith-2023",
            "sources-0-type": "AcademicArticle",
            "sources-0-title": "Asthma networks that learn",
            "sources-0-authors-0-name": "Smith J",
            "sources-0-authors-1-name": "Doe A",
            "sources-0-year": "2023",
            "sources-0-partOf": "Learning Health Systems",
            "sources-0-volume": "7",
            "sources-0-issue": "2",
            "sources-0-pages": "e10312",
            "sources-0-doi": "10.1002/lrh2.10312",
            "assessment-ratings-5-level": "",
            "assessment-ratings-5-justification": "",
            "assessment-coverageNote": "Domain 6 (wider system) is not described in the sources.",
        }
    )
    return data


def test_a_maximal_form_is_stored_with_everything(app: Flask, client: FlaskClient) -> None:
    data = maximal_form()
    data["csrf_token"] = form_token(client)
    answer = client.post("/contribute", data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:3000]
    where = answer.headers["Location"]
    orgs = stored(app, where, "SELECT ?o WHERE { ?cs lhs:organisation ?o } ORDER BY ?o")
    assert [o.rsplit("/", 1)[1] for (o,) in orgs] == ["improvecarenow", "nordic-learning-network"]
    new_org = stored(
        app, where, "SELECT ?n ?c ?h WHERE { ?o foaf:name ?n ; lhs:country ?c ; foaf:homepage ?h }"
    )
    assert new_org == [
        (
            "Nordic Learning Network",
            "https://w3id.org/lhs-kg/concept/country/SE",
            "https://example.org/nordic",
        )
    ]
    countries = stored(app, where, "SELECT ?c WHERE { ?cs a lhs:CaseStudy ; lhs:country ?c }")
    assert sorted(c.rsplit("/", 1)[1] for (c,) in countries) == ["GB", "SE"]
    outcomes = stored(
        app,
        where,
        "SELECT ?m ?a WHERE { ?cs lhs:hasOutcome ?o . ?o lhs:metric ?m ; lhs:valueAfter ?a }",
    )
    assert sorted(outcomes) == [
        ("Emergency admissions per 1000 children", "9"),
        ("Share of patients on target", "63%"),
    ]
    article = stored(
        app,
        where,
        "SELECT ?t ?doi ?journal ?vol ?issue ?pages WHERE { ?s a bibo:AcademicArticle ; "
        "dcterms:title ?t ; bibo:doi ?doi ; bibo:volume ?vol ; bibo:issue ?issue ; "
        "bibo:pages ?pages ; dcterms:isPartOf ?j . ?j a bibo:Journal ; dcterms:title ?journal }",
    )
    assert article == [
        (
            "Asthma networks that learn",
            "10.1002/lrh2.10312",
            "Learning Health Systems",
            "7",
            "2",
            "e10312",
        )
    ]
    authors = stored(
        app,
        where,
        "SELECT ?first ?second WHERE { ?s bibo:authorList ?l . ?l rdf:first/foaf:name ?first ; "
        "rdf:rest/rdf:first/foaf:name ?second }",
    )
    assert authors == [("Smith J", "Doe A")]
    cited = stored(app, where, "SELECT ?s WHERE { ?o lhs:metric ?m ; dcterms:source ?s }")
    assert [s.rsplit("/", 1)[1] for (s,) in cited] == ["smith-2023"]
    ratings = stored(
        app, where, "SELECT ?d WHERE { ?a lhs:hasRating ?r . ?r lhs:ratesDomain ?d } ORDER BY ?d"
    )
    assert [d.rsplit("/", 1)[1] for (d,) in ratings] == ["1", "2", "3", "4", "5", "7"]
    note = stored(app, where, "SELECT ?n WHERE { ?a lhs:coverageNote ?n }")
    assert note == [("Domain 6 (wider system) is not described in the sources.",)]


def test_regression_untitled_new_source_was_dropped_and_the_case_study_stored(
    app: Flask, client: FlaskClient
) -> None:
    data = complete_form()
    data.update({"sources-0-type": "Report", "sources-0-authors-0-name": "Smith J"})
    data["csrf_token"] = form_token(client)
    before = app.extensions["lhs_kg"].store.triple_count()
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    assert "needs exactly one title" in field_html(page.get_data(as_text=True), "sources-0-title")
    assert 'value="Smith J"' in page.get_data(as_text=True)
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_regression_second_organisation_outcome_and_source_were_dropped(
    app: Flask, client: FlaskClient
) -> None:
    """Only row 0 of each group used to be read: a second row with a mistake now shows it."""
    data = complete_form()
    data.update(
        {
            "organisation-1-name": "X",  # too short
            "outcomes-1-after": "9",  # no metric
            "sources-0-title": "A source",
            "sources-1-title": "Another source",
            "sources-1-type": "Report",
            "sources-1-doi": "https://doi.org/10.1/x",
        }
    )
    data["csrf_token"] = form_token(client)
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    for name in ("organisation-1-name", "outcomes-1-metric", "sources-0-type", "sources-1-doi"):
        assert "field-errors" in field_html(html, name), name


def test_regression_a_domain_rated_in_two_rows_was_stored_with_the_last_value(
    app: Flask, client: FlaskClient
) -> None:
    data = complete_form()
    data["assessment-ratings-7-domain"] = "3"
    data["assessment-ratings-7-level"] = "simple"
    data["assessment-ratings-7-justification"] = "Again."
    data["csrf_token"] = form_token(client)
    before = app.extensions["lhs_kg"].store.triple_count()
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "already rated in row 3" in field_html(html, "assessment-ratings-7-domain")
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_regression_a_long_value_was_cut_at_20000_characters_and_stored(
    app: Flask, client: FlaskClient
) -> None:
    data = {**complete_form(), "csrf_token": form_token(client)}
    data["description"] = "x" * 20_001
    before = app.extensions["lhs_kg"].store.triple_count()
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    assert "nothing was cut" in field_html(page.get_data(as_text=True), "description")
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_messages_of_the_report_reach_indexed_inputs(client: FlaskClient) -> None:
    data = complete_form()
    data["assessment-ratings-1-level"] = ""  # not rated: shifts the ratings of the document
    data["assessment-ratings-1-justification"] = ""
    data["assessment-coverageNote"] = "Domain 2 is not in the sources."
    data["assessment-ratings-3-level"] = "hard"
    data["organisation-1-name"] = "New organisation"
    data["organisation-1-homepage"] = "not a web address"
    data["csrf_token"] = form_token(client)
    page = client.post("/contribute", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "field-errors" in field_html(html, "assessment-ratings-3-level")
    assert "field-errors" not in field_html(html, "assessment-ratings-2-level")
    assert "http://" in field_html(html, "organisation-1-homepage")
    assert 'aria-describedby="f-organisation-1-homepage-err"' in html


def test_add_another_keeps_everything_and_adds_one_row_without_javascript(
    app: Flask, client: FlaskClient
) -> None:
    data = complete_form()
    data.update({"outcomes-1-metric": "", "sources-0-authors-0-name": "Smith J"})
    data["csrf_token"] = form_token(client)
    before = app.extensions["lhs_kg"].store.triple_count()
    page = client.post("/contribute", data={**data, "add": "outcomes"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="outcomes-2-metric"' in html and 'name="outcomes-3-metric"' not in html
    assert 'value="Share of patients on target"' in html and 'value="Smith J"' in html
    assert re.search(r'name="outcomes-2-label"[^>]*autofocus', html)  # focus on the new row
    assert "field-errors" not in html  # not validated yet
    again = client.post("/contribute", data={**data, "add": "sources-0-authors"})
    assert 'name="sources-0-authors-1-name"' in again.get_data(as_text=True)
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_every_group_has_an_add_another_button(client: FlaskClient) -> None:
    html = client.get("/contribute").get_data(as_text=True)
    buttons = set(re.findall(r'<button type="submit" name="add" value="([^"]+)"', html))
    assert buttons == {
        "organisation",
        "country",
        "outcomes",
        "assessment-ratings",
        "sources",
        "sources-0-authors",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"titel": "x"}, "Unknown field", id="unknown-field"),
        pytest.param(
            {"assessment-ratings-2-level": ["simple", "complex"]},
            "was sent 2 times",
            id="domain-rated-twice",
        ),
        pytest.param({"outcomes-99999-metric": "x"}, "over the limit", id="absurd-index"),
        pytest.param({"outcomes-5-metric": "x"}, "are missing", id="index-gap"),
        pytest.param(
            {f"sources-0-authors-{i}-name": "A" for i in range(101)},
            "over the limit of 100 rows",
            id="too-many-authors",
        ),
        pytest.param({"add": "nonsense"}, "no such group", id="add-unknown-group"),
        pytest.param({"add": ["outcomes", "sources"]}, "at a time", id="two-adds"),
    ],
)
def test_tampered_forms_are_refused_with_a_message_and_nothing_stored(
    app: Flask, client: FlaskClient, changes: dict[str, str | list[str]], message: str
) -> None:
    data = {**complete_form(), **changes, "csrf_token": form_token(client)}
    before = app.extensions["lhs_kg"].store.triple_count()
    page = client.post("/contribute", data=data)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_regression_a_tampered_form_rating_a_domain_twice_was_stored_last_value_wins(
    app: Flask, client: FlaskClient
) -> None:
    data = {**complete_form(), "csrf_token": form_token(client)}
    data["assessment-ratings-2-level"] = ["simple", "complex"]
    before = app.extensions["lhs_kg"].store.triple_count()
    page = client.post("/contribute", data=data)
    assert page.status_code == 400
    assert "assessment-ratings-2-level" in page.get_data(as_text=True)
    assert app.extensions["lhs_kg"].store.triple_count() == before


def test_the_country_inputs_suggest_every_country_of_the_knowledge_base(
    app: Flask, client: FlaskClient
) -> None:
    kb = app.extensions["lhs_kg"]
    rows = kb.store.query(
        "SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/lhs-kg/concept/country> }"
    ).rows()
    codes = {row["c"].value.rsplit("/", 1)[1] for row in rows}
    html = client.get("/contribute").get_data(as_text=True)
    listed = re.search(r'<datalist id="dl-countries">(.*?)</datalist>', html, re.S)
    assert listed is not None
    assert set(re.findall(r'<option value="([^"]+)"', listed.group(1))) == codes
    for name in ("country-0", "organisation-0-country"):
        assert re.search(rf'name="{name}" type="text" list="dl-countries"', html), name
