"""An accepted contribution is indistinguishable from curated content (#11).

A maximal contribution (two new organisations, two outcomes, a new journal article with authors,
journal and DOI, a country written by name) is submitted and accepted through the engine; then
every named query runs, the new source and organisations are listed, the quality checks find
nothing and the export holds them typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.export.dump import Selection, export_bytes
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from tests.helpers import example, new_content_kb

BASE = "https://w3id.org/lhs-kg/"
CASE = BASE + "case-study/maximal-network"
SOURCE = BASE + "source/tremblay-2024"
ORGS = (BASE + "organisation/maple-health", BASE + "organisation/prairie-lab")
LHS = BASE + "ontology/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
REQUIRED = {"caseStudy": CASE, "since": "2000-01-01"}


def maximal() -> dict[str, Any]:
    """The example case study grown to everything the JSON format can hold."""
    return example(
        id="maximal-network",
        country="Canada",
        organisation=[
            {"id": "maple-health", "name": "Maple Health Network", "country": "CAN"},
            {"id": "prairie-lab", "name": "Prairie Learning Lab", "country": "ca"},
        ],
        outcomes=[
            {"metric": "Share of patients on target", "before": "40%", "after": "52%"},
            {"metric": "Days to follow-up", "before": "30", "after": "21"},
        ],
        sources=[
            "foley-vale-2022",
            {
                "id": "tremblay-2024",
                "type": "AcademicArticle",
                "title": "A learning network for chronic care in Canada",
                "authors": [{"name": "Tremblay A"}, {"name": "Singh R"}],
                "year": 2024,
                "partOf": {"type": "Journal", "title": "Learning Health Systems"},
                "doi": "10.1002/lrh2.99999",
            },
        ],
    )


@pytest.fixture(scope="module")
def accepted() -> Iterator[KnowledgeBase]:
    """A knowledge base holding the repository content and the accepted maximal contribution."""
    import json

    with new_content_kb() as kb:
        contributions = Contributions(kb)
        outcome = contributions.submit(json.dumps(maximal()).encode(), "json")
        assert outcome.stored, outcome.report.to_text()
        assert outcome.version is not None
        contributions.decide(outcome.version.ref, "accept", "curator")
        yield kb


def _values(kb: KnowledgeBase, name: str, var: str) -> set[str]:
    return {
        row[var].value
        for row in kb.query_named(name).rows()
        if isinstance(row.get(var), ox.NamedNode)
    }


def _named_queries() -> list[str]:
    return QueryLibrary(Settings().queries_dir).names()


@pytest.mark.parametrize("name", _named_queries())
def test_every_named_query_runs_over_accepted_content(accepted: KnowledgeBase, name: str) -> None:
    named = QueryLibrary(accepted.settings.queries_dir).get(name)
    params = {p.name: REQUIRED[p.name] for p in named.params if p.required}
    result = accepted.query_named(name, params)
    if result.kind == "select":
        result.rows()


def test_accepted_source_is_listed_in_sources(accepted: KnowledgeBase) -> None:
    assert SOURCE in _values(accepted, "sources", "source")


def test_accepted_organisations_are_listed_in_organisations(accepted: KnowledgeBase) -> None:
    assert set(ORGS) <= _values(accepted, "organisations", "organisation")


def test_country_written_by_name_reaches_case_studies_by_country(accepted: KnowledgeBase) -> None:
    rows = accepted.query_named("case-studies-by-country", {"country": "CA"}).rows()
    assert {row["caseStudy"].value for row in rows} == {CASE}


@pytest.mark.parametrize("check", QueryLibrary(Settings().queries_dir / "checks").names())
def test_quality_checks_pass_after_acceptance(accepted: KnowledgeBase, check: str) -> None:
    named = QueryLibrary(accepted.settings.queries_dir / "checks").get(check)
    result = accepted.query(named.text)
    rows = [] if result.kind != "select" else result.rows()
    assert not rows, [{k: v.value for k, v in row.items()} for row in rows]


@pytest.mark.parametrize(
    ("node", "cls"),
    [
        (SOURCE, LHS + "Source"),
        (ORGS[0], LHS + "Organisation"),
        (ORGS[1], LHS + "Organisation"),
        (CASE + "/outcome/1", LHS + "Outcome"),
        (CASE + "/outcome/2", LHS + "Outcome"),
        (CASE + "/assessment", LHS + "ComplexityAssessment"),
        (CASE + "/rating/1", LHS + "DomainRating"),
    ],
)
def test_export_holds_accepted_nodes_typed(accepted: KnowledgeBase, node: str, cls: str) -> None:
    data = export_bytes(accepted.store, accepted.settings, Selection(), "nt")
    assert f"<{node}> <{RDF_TYPE}> <{cls}> .".encode() in data


def test_accepted_authors_are_people(accepted: KnowledgeBase) -> None:
    rows = accepted.query(
        "SELECT ?type WHERE { ?s <http://purl.org/ontology/bibo/authorList>/"
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/"
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?a . ?a a ?type }",
        bindings={"s": ox.NamedNode(SOURCE)},
    ).rows()
    assert [row["type"].value for row in rows] == ["http://xmlns.com/foaf/0.1/Person"] * 2


def _label(kb: KnowledgeBase, node: str) -> str | None:
    rows = kb.query(
        "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        bindings={"s": ox.NamedNode(node)},
    ).rows()
    return rows[0]["label"].value if len(rows) == 1 else None


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (CASE + "/assessment", "NASSS complexity assessment of {title}"),
        (CASE + "/rating/1", "{title}: NASSS domain 1"),
        (CASE + "/rating/7A", "{title}: NASSS subdomain 7A"),
    ],
)
def test_accepted_assessment_and_ratings_are_named_as_curated_ones(
    accepted: KnowledgeBase, node: str, expected: str
) -> None:
    """MODEL.md: every resource carries one rdfs:label; a contributed rating showed a bare IRI."""
    title = _label(accepted, CASE)
    assert title == maximal()["title"]
    assert _label(accepted, node) == expected.format(title=title)
