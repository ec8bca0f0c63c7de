"""The pathway through the framework (#15): four step pages read from ontology/pathway.ttl, each
with the team's questions, the guidance, tools and case studies of its framework part (queried
from the knowledge graph), and previous/next links; linked from the home page."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS, SKOS

from tests.helpers import ONTOLOGY, visible_text

LHS = Namespace("https://w3id.org/lhs-kg/ontology/")
CONTENT = Graph().parse(ONTOLOGY / "pathway.ttl", format="turtle")
SCHEME = URIRef("https://w3id.org/lhs-kg/concept/pathway")
STEPS = sorted(
    CONTENT.subjects(SKOS.inScheme, SCHEME), key=lambda s: str(CONTENT.value(s, SKOS.notation))
)
ORDER = ["why", "complexity", "strategy", "building-blocks"]
#: What each step's framework part is linked from in the data, to check the page against.
TOOLS = Graph().parse(ONTOLOGY.parent / "data" / "tools.ttl", format="turtle")


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_steps_are_in_the_agreed_order() -> None:
    assert [str(s).rsplit("/", 1)[1] for s in STEPS] == ORDER


def test_home_links_the_pathway(client: FlaskClient) -> None:
    assert 'href="/pathway"' in _page(client, "/")


def test_overview_lists_every_step_in_order(client: FlaskClient) -> None:
    page = _page(client, "/pathway")
    found = re.findall(r'href="/pathway/([a-z-]+)"', page)
    assert found == ORDER


@pytest.mark.parametrize("step", STEPS, ids=lambda s: str(s).rsplit("/", 1)[1])
def test_step_page_asks_its_questions_and_links_its_part(client: FlaskClient, step: URIRef) -> None:
    step_id = str(step).rsplit("/", 1)[1]
    page = _page(client, f"/pathway/{step_id}")
    text = visible_text(page)
    for question in CONTENT.objects(step, LHS.guidingQuestion):
        assert str(question) in text
    part = CONTENT.value(step, SKOS.related)
    assert part is not None
    assert f'href="/{str(part).split("lhs-kg/", 1)[1]}"' in page
    assert f'href="/concept/pathway/{step_id}.ttl"' in page  # the RDF one click away


@pytest.mark.parametrize("step_id", ORDER)
def test_step_lists_the_tools_that_serve_its_part(client: FlaskClient, step_id: str) -> None:
    """Every tool in data/tools.ttl that serves the step's part (or an element of it) is linked."""
    step = URIRef(f"https://w3id.org/lhs-kg/concept/pathway/{step_id}")
    part = CONTENT.value(step, SKOS.related)
    framework = Graph().parse(ONTOLOGY / "framework.ttl", format="turtle")
    served = {part, *framework.objects(part, SKOS.narrower)}
    expected = {t for t, _, o in TOOLS.triples((None, LHS.serves, None)) if o in served}
    assert expected, "each part of the framework has a tool in the toolkit"
    page = _page(client, f"/pathway/{step_id}")
    tools = page.split('id="h-tools"', 1)[1].split("</section>", 1)[0]
    linked = set(re.findall(r'href="/tool/([^"]+)"', tools))
    assert linked == {str(t).rsplit("/", 1)[1] for t in expected}


@pytest.mark.parametrize(
    ("step_id", "case_study", "context"),
    [
        pytest.param("complexity", "healthtracker", "rated complex in 5 domains", id="complexity"),
        pytest.param("building-blocks", "swedeheart", "shows 3 parts", id="loop"),
        pytest.param("why", "swedeheart", "shows 3 parts", id="rationale"),
    ],
)
def test_step_lists_case_studies_from_the_kb(
    client: FlaskClient, step_id: str, case_study: str, context: str
) -> None:
    page = _page(client, f"/pathway/{step_id}")
    cases = page.split('id="h-cases"', 1)[1].split("</section>", 1)[0]
    item = re.search(
        rf'<li><a href="/case-study/{case_study}">[^<]+</a> <span class="context">([^<]+)</span>',
        cases,
    )
    assert item is not None and item.group(1) == context


@pytest.mark.parametrize(
    ("step_id", "previous", "following"),
    [
        pytest.param("why", None, "complexity", id="first"),
        pytest.param("complexity", "why", "strategy", id="second"),
        pytest.param("building-blocks", "strategy", None, id="last"),
    ],
)
def test_previous_and_next(
    client: FlaskClient, step_id: str, previous: str | None, following: str | None
) -> None:
    page = _page(client, f"/pathway/{step_id}")
    prev = re.findall(r'<a href="/pathway/([a-z-]+)" rel="prev">', page)
    nxt = re.findall(r'<a href="/pathway/([a-z-]+)" rel="next">', page)
    assert prev == ([previous] if previous else [])
    assert nxt == ([following] if following else [])


def test_complexity_step_leads_to_the_assessment(client: FlaskClient) -> None:
    page = _page(client, "/pathway/complexity")
    label = CONTENT.value(URIRef("https://w3id.org/lhs-kg/assess"), RDFS.label)
    assert f'<a class="button" href="/assess">{escape(str(label))}</a>' in page


@pytest.mark.parametrize(
    "url",
    [
        "/pathway/nope",
        "/pathway/%3Cscript%3E",
        "/pathway/" + "x" * 5000,
        "/pathway/why%00",
        "/pathway/why%20",
    ],
)
def test_unknown_step_is_a_readable_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "no such step" in page and "Traceback" not in page and "<script>" not in page
