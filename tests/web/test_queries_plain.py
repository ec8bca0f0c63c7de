"""Named-query pages in plain language (#15): titles and descriptions, parameters chosen from
lists of labelled things, headings from labels, formatted values, hostile query strings."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from lhs_kg.queries import QueryLibrary
from tests.helpers import ROOT

LIBRARY = QueryLibrary(ROOT / "queries")
NAMES = LIBRARY.names()


def _text(page: str) -> str:
    """The visible text of the page's main element, tags removed, entities decoded."""
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"</?a\b[^>]*>", "", main)  # a linked glossary term stays in its sentence
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _thead(page: str) -> list[str]:
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [html.unescape(h) for h in re.findall(r"<th scope=\"col\">([^<]*)</th>", head)]


@pytest.mark.parametrize("name", NAMES)
def test_page_is_titled_and_described_once(client: FlaskClient, name: str) -> None:
    named = LIBRARY.get(name)
    page = client.get(f"/queries/{name}").get_data(as_text=True)
    assert re.findall(r"<h1>([^<]*)</h1>", page) == [str(escape(named.title))]
    text = _text(page)
    assert text.count(named.description) == 1
    assert text.count(named.summary) == 1  # printed once, for SPARQL users
    assert f"<title>{escape(named.title)} · " in page


def test_gallery_shows_titles_and_descriptions(client: FlaskClient) -> None:
    text = _text(client.get("/queries").get_data(as_text=True))
    for named in LIBRARY.all():
        assert named.title in text and named.description in text
    assert "(iri" not in text and "bibo class" not in text


@pytest.mark.parametrize(
    ("url", "option"),
    [
        pytest.param(
            "/queries/complexity-profiles",
            '<option value="swedeheart">SWEDEHEART</option>',
            id="case-study",
        ),
        pytest.param(
            "/queries/sources", '<option value="bibo:Report">Report</option>', id="source-kind"
        ),
        pytest.param(
            "/queries/citations-of-source",
            '<option value="greenhalgh-2017">Greenhalgh et al. 2017</option>',
            id="source",
        ),
        pytest.param(
            "/queries/concepts-of-scheme",
            '<option value="framework" selected>',
            id="scheme-default-selected",
        ),
        pytest.param(
            "/queries/case-studies-complex-in-domain?domain=6",
            '<option value="6" selected>6 · Wider system</option>',
            id="concept-of-scheme",
        ),
        pytest.param(
            "/queries/sources-for-concept",
            '<option value="nasss/1A">NASSS domains and subdomains: 1A · Nature of the condition',
            id="any-concept-datalist",
        ),
    ],
)
def test_parameters_are_chosen_from_labelled_lists(
    client: FlaskClient, url: str, option: str
) -> None:
    page = client.get(url).get_data(as_text=True)
    assert re.sub(r"\s+", " ", option) in re.sub(r"\s+", " ", page)
    form = page.split("<form", 1)[1].split("</form>", 1)[0]
    assert "(iri" not in form and "bibo" not in form.replace('value="bibo:', "")


def test_a_long_list_is_a_text_box_with_suggestions(client: FlaskClient) -> None:
    page = client.get("/queries/sources-for-concept").get_data(as_text=True)
    assert 'list="choices-concept"' in page and '<datalist id="choices-concept">' in page
    assert '<select id="param-concept"' not in page


def test_chosen_value_answers_with_labels(client: FlaskClient) -> None:
    page = client.get("/queries/complexity-profiles?caseStudy=swedeheart").get_data(as_text=True)
    assert _thead(page) == [
        "Case study",
        "Complex domains",
        "Complicated domains",
        "Simple domains",
        "Domains not rated",
        "Three or more complex",
    ]
    assert '<option value="swedeheart" selected>' in page
    assert ">SWEDEHEART</a>" in page


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        pytest.param("/queries/complexity-profiles", " yes ", "true", id="boolean-as-yes"),
        pytest.param("/queries/sources", "Academic article", "bibo:", id="kind-by-label"),
        pytest.param("/queries/case-studies", "2009", "xsd:gYear", id="year-as-year"),
        pytest.param("/queries/changed-since?since=2000-01-01", "2026", "xsd:date", id="dates"),
        pytest.param(
            "/queries/complexity-ratings?caseStudy=swedeheart",
            "Jernberg et al. 2010",
            "https://w3id.org/lhs-kg/source/",
            id="sources-by-name",
        ),
    ],
)
def test_values_are_in_plain_words(client: FlaskClient, url: str, shown: str, hidden: str) -> None:
    text = _text(client.get(url).get_data(as_text=True))
    answer = text.split(" Answer ", 1)[1].split(" For SPARQL users ", 1)[0]
    assert shown.lower() in answer.lower()
    assert hidden not in answer
    assert not re.search(r"\bxsd:|\^\^|@[a-z]{2}\b", answer)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param(
            "/queries/complexity-profiles?caseStudy=../../etc/passwd",
            "must be a case study",
            id="path",
        ),
        pytest.param(
            "/queries/complexity-profiles?caseStudy=https://evil.example/x",
            "must be a case study",
            id="foreign-iri",
        ),
        pytest.param(
            "/queries/complexity-profiles?caseStudy=%3Cscript%3Ealert(1)%3C/script%3E",
            "must be a case study",
            id="markup",
        ),
        pytest.param(
            "/queries/citations-of-source?source=" + "x" * 3000, "the limit is 2,000", id="long"
        ),
        pytest.param("/queries/sources?kind=rdf:type", "kind of source", id="not-a-kind"),
        pytest.param("/queries/sources-for-concept?concept=nasss", "must be a concept", id="no-id"),
        pytest.param(
            "/queries/sources-for-concept?concept=nasss/1A/../x", "must be a concept", id="dots"
        ),
        pytest.param("/queries/concepts-of-scheme?scheme=%00", "must be a", id="nul"),
        pytest.param(
            "/queries/high-complexity-case-studies?minComplex=1e999", "whole number", id="number"
        ),
        pytest.param("/queries/changed-since?since=2026-13-45", "YYYY-MM-DD", id="date"),
        pytest.param("/queries/case-studies?caseStudy=swedeheart", "no parameter", id="unknown"),
    ],
)
def test_hostile_parameters_are_400_with_a_readable_message(
    client: FlaskClient, url: str, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    assert "<form" in page and "Traceback" not in page
    assert "<script>alert(1)" not in page
    assert '<table class="results"' not in page


@pytest.mark.parametrize("name", NAMES)
def test_api_and_openapi_carry_titles_and_descriptions(client: FlaskClient, name: str) -> None:
    named = LIBRARY.get(name)
    listed = {q["name"]: q for q in client.get("/api/queries").get_json()}[name]
    assert (listed["title"], listed["description"]) == (named.title, named.description)
    operation = client.get("/api/openapi.json").get_json()["paths"][f"/api/queries/{name}"]["get"]
    assert (operation["summary"], operation["description"]) == (named.title, named.description)
