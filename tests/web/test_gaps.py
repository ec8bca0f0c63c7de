"""/gaps: only the framework's, the loop's and NASSS's concepts, each with counts of case studies
(rated and unrated for NASSS), sources and tools that match independent queries over the test KB,
and a link to a contribution form pre-filled for it."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions import Contributions
from lhs_kg.describe.concepts import RING_ORDER
from tests.helpers import BROWSE_FIXTURE, GAPS_FIXTURE, build_app, payload

C = "https://w3id.org/lhs-kg/concept/"
PREFIXES = """PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
UNDER = "?x (skos:broader|^skos:narrower)* <{c}> ."
"""?x is the concept or a narrower one (a SPARQL path: independent of the engine's own walk)."""
RATED = (
    "?cs lhs:hasAssessment/lhs:hasRating ?r . "
    "?r lhs:level ?l ; lhs:ratesDomain|lhs:ratesSubdomain ?x ."
)
COUNTS = {
    "cases": "?cs a lhs:CaseStudy . { ?cs ?p ?x } UNION { " + RATED + " } " + UNDER,
    "rated": "?cs a lhs:CaseStudy . " + RATED + " " + UNDER,
    "sources": "?cs a lhs:Source . { ?cs dct:subject ?x } UNION { ?x dct:source ?cs } " + UNDER,
    "tools": "?cs a lhs:Tool ; lhs:serves ?x . " + UNDER,
}
#: Concepts of every scheme the page covers, and what the fixtures add to them.
CONCEPTS = [
    ("framework/rationale", "cases"),
    ("framework/complexity", "cases"),
    ("framework/technical-building-blocks", "tools"),
    ("rationale/clinical-performance", "cases"),
    ("rationale/improve-outcomes", "sources"),
    ("strategy/culture", "cases"),
    ("strategy/implementation-science", "tools"),
    ("loop/practice-to-data", "cases"),
    ("loop/knowledge-to-practice", "sources"),
    ("nasss/1", "rated"),
    ("nasss/2", "rated"),
    ("nasss/2B", "rated"),
    ("nasss/3", "rated"),
    ("nasss/4", "rated"),
    ("nasss/5C", "sources"),
    ("nasss/2D", "tools"),
    ("nasss/6/political-policy", "rated"),
]
COVERED = ["framework", "rationale", "strategy", "loop", "nasss"]
NOT_COVERED = [
    "review-state",
    "complexity-level",
    "verification",
    "scale",
    "assessment-basis",
    "nasss-cat",
    "study-design",
    "evidence-grade",
    "fate",
]


@pytest.fixture(scope="module")
def app() -> Flask:
    """The repository content plus a hostile case study and the gaps fixture."""
    flask_app = build_app()
    kb = flask_app.extensions["lhs_kg"]
    kb.load(BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture")
    kb.load(GAPS_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/gaps-fixture")
    return flask_app


@pytest.fixture(scope="module")
def page(app: Flask) -> str:
    """The /gaps page, fetched once."""
    response = app.test_client().get("/gaps")
    assert response.status_code == 200
    return response.data.decode()


def count(app: Flask, where: str) -> int:
    """``COUNT(DISTINCT ?cs)`` over the test KB."""
    query = f"{PREFIXES}SELECT (COUNT(DISTINCT ?cs) AS ?n) WHERE {{ {where} }}"
    rows = app.extensions["lhs_kg"].store.query(query, union=True).rows()
    return int(rows[0]["n"].value)


def row_of(page: str, path: str) -> str:
    """The table row of the concept at ``concept/<path>``."""
    key = path.replace("/", "-")
    found = re.search(rf'<tr id="gap-{re.escape(key)}"[^>]*>(.*?)</tr>', page, re.S)
    assert found is not None, f"no row for {path}"
    return found.group(1)


def shown(row: str, name: str) -> int:
    """The number a row shows in its ``n-<name>`` cell."""
    found = re.search(rf'class="n-{name}">([\d,]+)<', row)
    assert found is not None, f"no n-{name} in {row}"
    return int(found.group(1).replace(",", ""))


def concepts_of(app: Flask, scheme: str) -> set[str]:
    """The concepts whose IRI lies under a scheme (as the page keys them)."""
    query = (
        f"{PREFIXES}SELECT ?c WHERE {{ ?c skos:inScheme <{C}{scheme}> ; a skos:Concept . "
        f'FILTER(STRSTARTS(STR(?c), "{C}{scheme}/")) }}'
    )
    rows = app.extensions["lhs_kg"].store.query(query, union=True).rows()
    return {r["c"].value[len(C) :].replace("/", "-") for r in rows}


@pytest.mark.parametrize(("path", "what"), CONCEPTS, ids=[c for c, _ in CONCEPTS])
def test_counts_match_independent_queries(app: Flask, page: str, path: str, what: str) -> None:
    row = row_of(page, path)
    where = {k: q.replace("{c}", C + path) for k, q in COUNTS.items()}
    assert shown(row, "sources") == count(app, where["sources"])
    assert shown(row, "tools") == count(app, where["tools"])
    if path.startswith("nasss/"):
        rated = count(app, where["rated"])
        assert shown(row, "rated") == rated
        assert shown(row, "unrated") == count(app, "?cs a lhs:CaseStudy") - rated
    else:
        assert shown(row, "cases") == count(app, where["cases"])


@pytest.mark.parametrize(
    ("path", "what", "expected"),
    [
        ("nasss/2B", "rated", 1),  # a subdomain rating counts for the subdomain …
        ("nasss/2A", "rated", 0),  # … not for its siblings
        ("nasss/2D", "tools", 1),
        ("rationale/clinical-performance", "cases", 1),
    ],
)
def test_fixture_evidence_is_counted(page: str, path: str, what: str, expected: int) -> None:
    assert shown(row_of(page, path), what) == expected


def test_a_rating_without_a_level_is_not_counted_as_rated(app: Flask, page: str) -> None:
    """Domain 3 of the fixture has a rating with no level: unrated, not rated."""
    with_level = count(app, COUNTS["rated"].replace("{c}", C + "nasss/3"))
    any_rating = count(
        app,
        "?cs lhs:hasAssessment/lhs:hasRating/lhs:ratesDomain <" + C + "nasss/3> .",
    )
    assert any_rating == with_level + 1
    assert shown(row_of(page, "nasss/3"), "rated") == with_level


def test_subdomain_rating_counts_for_its_domain(app: Flask, page: str) -> None:
    domain = shown(row_of(page, "nasss/2"), "rated")
    assert shown(row_of(page, "nasss/2B"), "domain-rated") == domain
    assert domain == count(app, COUNTS["rated"].replace("{c}", C + "nasss/2"))


@pytest.mark.parametrize("scheme", COVERED)
def test_every_concept_of_a_covered_scheme_has_a_row(app: Flask, page: str, scheme: str) -> None:
    rows = set(re.findall(rf'<tr id="gap-({re.escape(scheme)}-[^"]+)"', page))
    assert rows == concepts_of(app, scheme)
    assert rows


@pytest.mark.parametrize("scheme", NOT_COVERED)
def test_admin_schemes_are_not_evidence_topics(app: Flask, page: str, scheme: str) -> None:
    tables = "".join(re.findall(r'<table class="gaps">.*?</table>', page, re.S))
    assert concepts_of(app, scheme)  # the scheme exists in the test KB …
    assert f'href="/concept/{scheme}/' not in tables  # … and is not listed
    assert f'id="gap-{scheme}-' not in tables


def test_summary_counts_concepts_without_case_studies(page: str) -> None:
    rows = re.findall(r'<tr id="gap-[^"]+" class="([^"]*)"', page)
    found = re.search(r"([\d,]+) of ([\d,]+) concepts have no case study yet", page)
    assert found is not None
    assert int(found.group(1)) == rows.count("gap-empty")
    assert int(found.group(2)) == len(rows)


@pytest.mark.parametrize(
    ("path", "query", "empty"),
    [
        ("loop/practice-to-data", "loopStages=P2D", False),
        ("rationale/better-value", "rationales=better-value", False),
        ("strategy/workforce", "elements=workforce", True),
        ("nasss/4", "assessment-ratings-3-domain=4", False),
        (
            "nasss/2A",
            "assessment-ratings-1-domain=2&assessment-ratings-1-subdomain=2A",
            True,
        ),
        ("framework/rationale", "", False),  # no single input takes a framework ring
    ],
)
def test_each_row_links_a_prefilled_contribution(
    page: str, path: str, query: str, empty: bool
) -> None:
    row = row_of(page, path)
    link = re.search(r'class="gap-contribute" href="([^"]+)"', row)
    assert link is not None
    assert html_lib.unescape(link.group(1)) == "/contribute" + ("?" + query if query else "")
    assert ("No " in row.split('class="gap-contribute"')[1]) is empty


@pytest.mark.parametrize(
    ("query", "checked", "selected"),
    [
        ("loopStages=P2D", ['name="loopStages" value="P2D"'], []),
        ("elements=workforce&elements=culture", ['value="workforce"', 'value="culture"'], []),
        (
            "assessment-ratings-1-domain=2&assessment-ratings-1-subdomain=2A",
            [],
            ['<option value="2A" selected>'],
        ),
        ("title=A+new+initiative", ['value="A new initiative"'], []),
    ],
)
def test_the_prefilled_form_shows_the_values(
    client: FlaskClient, query: str, checked: list[str], selected: list[str]
) -> None:
    response = client.get("/contribute?" + query)
    assert response.status_code == 200
    html = response.data.decode()
    for text in checked:
        assert re.search(re.escape(text) + r"[^>]*(checked|>)", html), text
    for text in selected:
        assert text in html


def test_loop_stages_follow_the_loop_and_rings_the_wheel(app: Flask, page: str) -> None:
    rows = re.findall(r'<tr id="gap-((?:loop|framework)-[^"]+)"', page)
    stages = app.extensions["lhs_kg"].query(  # the published view, as the page reads it
        f"{PREFIXES}SELECT ?c WHERE {{ ?c lhs:stageOrder ?n }} ORDER BY ?n"
    )
    expected = ["loop-" + r["c"].value.rsplit("/", 1)[-1] for r in stages.rows()]
    assert [r for r in rows if r.startswith("loop-")] == expected
    rings = [r.removeprefix("framework-") for r in rows if r.startswith("framework-")]
    assert rings == list(RING_ORDER)


def test_a_pending_contribution_changes_no_count() -> None:
    """Only what is published is evidence: a case study waiting for review rates nothing yet."""
    flask_app = build_app()
    kb = flask_app.extensions["lhs_kg"]
    before = flask_app.test_client().get("/gaps").data.decode()
    outcome = Contributions(kb).submit(payload(id="gaps-pending", title="Pending"), "json")
    assert outcome.stored
    ratings = kb.query(
        f"{PREFIXES}ASK {{ ?r lhs:ratesDomain <{C}nasss/1> . "
        "FILTER(CONTAINS(STR(?r), 'gaps-pending')) }",
        scope="all",
    )
    assert ratings.boolean  # the pending version does rate domain 1 …
    after = flask_app.test_client().get("/gaps").data.decode()
    for path in ("nasss/1", "loop/practice-to-data", "rationale/improve-outcomes"):
        assert row_of(after, path) == row_of(before, path)  # … and no count moved
