"""Every named query of ``queries/`` runs on the repository's knowledge base and gives the answer
the curated data in ``data/`` implies (members and counts read from the case-study files)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from lhs_kg.kb import KnowledgeBase, Scope
from lhs_kg.queries import NamedQuery, QueryLibrary
from lhs_kg.store.base import QueryResult
from tests.helpers import QUERIES, ROOT, new_content_kb

LIBRARY = QueryLibrary(QUERIES)
NAMES = LIBRARY.names()
BASE = "https://w3id.org/lhs-kg/"
CS = BASE + "case-study/"
CONCEPT = BASE + "concept/"


@pytest.fixture(scope="module")
def kb(content_kb: KnowledgeBase) -> KnowledgeBase:
    """The repository's ontology and data in a memory store (the session's: these tests read)."""
    return content_kb


def run(kb: KnowledgeBase, name: str, scope: Scope = "published", **params: str) -> QueryResult:
    """Run a named query with text parameters, as the CLI and the web do (published view)."""
    named = LIBRARY.get(name)
    return kb.query(named.text, bindings=named.bind(params), scope=scope)


def values(kb: KnowledgeBase, name: str, column: str, **params: str) -> list[str]:
    """One column of a SELECT answer, as plain strings, in answer order."""
    return [row[column].value for row in run(kb, name, **params).rows() if column in row]


def slugs(iris: list[str], prefix: str = CS) -> set[str]:
    """The last path segments of IRIs under ``prefix``."""
    return {iri[len(prefix) :] for iri in iris if iri.startswith(prefix)}


def test_the_library_has_at_least_twenty_questions() -> None:
    assert len(NAMES) >= 20, NAMES


# -- the files themselves ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_query_file_is_self_contained(name: str) -> None:
    """Own PREFIX lines (rdflib, another SPARQL parser, reads it unchanged), full concept IRIs."""
    named = LIBRARY.get(name)
    assert named.summary and named.returns in ("select", "construct", "ask")
    prepareQuery(named.text)  # raises on an undeclared prefix or a syntax error
    assert not re.search(r"\blhsc:", named.text), "write concept IRIs in full"
    assert named.text.startswith("#+ title:")


@pytest.mark.parametrize("name", NAMES)
def test_query_has_a_human_title_and_description(name: str) -> None:
    """Every named query's page has a title and a one-paragraph description in plain words (#15)."""
    named = LIBRARY.get(name)
    assert named.title and named.title != name and not named.title.endswith(".")
    assert len(named.description) >= 60 and named.description.endswith((".", "?"))
    assert "\n" not in named.description
    assert not re.search(r"\b(?:rdf|rdfs|skos|dcterms|xsd|bibo|lhs):", named.description)


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_and_returns_what_its_header_says(kb: KnowledgeBase, name: str) -> None:
    named = LIBRARY.get(name)
    result = kb.query(named.text, bindings=named.bind(_sample_values(named)))
    expected = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}
    assert result.kind == expected[named.returns]


def _sample_values(named: NamedQuery) -> dict[str, str]:
    samples = {
        "iri": CS + "improvecarenow",
        "case-study": "improvecarenow",
        "date": "2000-01-01",
        "int": "1",
        "string": "x",
    }
    return {p.name: samples[p.type] for p in named.params if p.required}


def _optional_params() -> list[object]:
    cases = []
    for named in LIBRARY.all():
        for param in named.params:
            if not param.required and param.type != "int":
                cases.append(
                    pytest.param(
                        named.name, param.name, param.type, id=f"{named.name}:{param.name}"
                    )
                )
    return cases


#: A well-formed value of each parameter type that nothing in the knowledge base has.
NOTHING = {
    "iri": "https://example.org/nothing",
    "case-study": "no-such-id",
    "source": "no-such-id",
    "scheme": "no-such-id",
    "concept": "no-such-scheme/no-such-id",
    "source-kind": "bibo:NoSuchKind",
}


@pytest.mark.parametrize(("name", "param", "kind"), _optional_params())
def test_a_bound_parameter_filters_the_answer(
    kb: KnowledgeBase, name: str, param: str, kind: str
) -> None:
    """A parameter bound to a value nothing has gives no answer (it is not only in an OPTIONAL)."""
    nothing = NOTHING.get(kind, "no-such-id" if kind.startswith("concept:") else "")
    named = LIBRARY.get(name)
    params = {**_sample_values(named), param: nothing}
    result = run(kb, name, **params)
    if result.kind == "select":
        assert result.rows() == []
    elif result.kind == "ask":
        assert result.boolean is False
    else:
        assert result.triples() == []


# -- answers checked against the data --------------------------------------------------------

ALL_CASE_STUDIES = {p.stem for p in (ROOT / "data" / "case-studies").glob("*.ttl")}


def check_case_studies(kb: KnowledgeBase) -> None:
    assert slugs(values(kb, "case-studies", "caseStudy")) == ALL_CASE_STUDIES


def check_framework_parts(kb: KnowledgeBase) -> None:
    rows = run(kb, "framework-parts").rows()
    parts = {r["part"].value.rsplit("/", 1)[1] for r in rows}
    assert parts == {
        "rationale",
        "strategic-considerations",
        "complexity",
        "technical-building-blocks",
    }
    complexity = values(kb, "framework-parts", "element", part="complexity")
    assert sorted(complexity) == [f"{CONCEPT}nasss/{n}" for n in range(1, 8)]
    blocks = values(kb, "framework-parts", "element", part="technical-building-blocks")
    assert len(blocks) == 3 and f"{CONCEPT}loop/data-to-knowledge" in blocks
    assert len(values(kb, "framework-parts", "element", part="rationale")) == 7


def check_nasss_subdomains(kb: KnowledgeBase) -> None:
    assert values(kb, "nasss-subdomains", "subdomainNotation", domain="5") == [
        "5A",
        "5B",
        "5C",
        "5D",
        "5E",
    ]
    # #14: 6B-6E were invented letters; domain 6 has one lettered subdomain and five sub-themes
    assert len(values(kb, "nasss-subdomains", "subdomain")) == 20
    assert values(kb, "nasss-subdomains", "subdomainNotation", domain="6") == ["6A"]
    assert len(values(kb, "nasss-subdomains", "prompt")) == 20
    assert len(values(kb, "nasss-subdomains", "complexAnchor")) == 6  # 1A-2D, from the rubric
    assert values(kb, "nasss-subdomains", "subdomainNotation", domain="7") == ["7A", "7B"]


def check_loop_stages(kb: KnowledgeBase) -> None:
    rows = run(kb, "loop-stages").rows()
    assert [r["stage"].value.rsplit("/", 1)[1] for r in rows] == [
        "practice-to-data",
        "data-to-knowledge",
        "knowledge-to-practice",
    ]
    assert rows[-1]["next"].value == f"{CONCEPT}loop/practice-to-data"


def check_by_loop_stage(kb: KnowledgeBase) -> None:
    k2p = slugs(
        values(kb, "case-studies-by-loop-stage", "caseStudy", stage="knowledge-to-practice")
    )
    assert len(k2p) == 13  # with HealthSpace (#14)
    assert {"improvecarenow", "swedeheart", "mayo-askmayoexpert"} <= k2p
    assert "transform" not in k2p and "billings-clinic" not in k2p
    every = run(kb, "case-studies-by-loop-stage").rows()
    assert len(every) == 42  # 10 case studies x 3 stages + 4 x 2 + 4 x 1 (with the #14 failures)


def check_by_rationale(kb: KnowledgeBase) -> None:
    assert slugs(
        values(kb, "case-studies-by-rationale", "caseStudy", rationale="reduce-variation")
    ) == {
        "cyphp",
        "cincinnati-learning-networks",
        "healthtracker",
        "intermountain-elective-induction",
        "swedeheart",
    }


def check_by_country(kb: KnowledgeBase) -> None:
    assert slugs(values(kb, "case-studies-by-country", "caseStudy", country="SE")) == {
        "swedeheart",
        "swedish-rheumatology-registry",
    }
    assert slugs(values(kb, "case-studies-by-country", "caseStudy", country="AU")) == {
        "healthtracker"
    }


def check_by_scale(kb: KnowledgeBase) -> None:
    # #14: ImproveCareNow had centres in England by 2015, so it is international, not national
    assert slugs(values(kb, "case-studies-by-scale", "caseStudy", scale="national")) == {
        "care-data",
        "cincinnati-learning-networks",
        "healthspace",
        "npfit",
        "patientslikeme",
        "swedeheart",
        "swedish-rheumatology-registry",
    }


def check_failure_cases(kb: KnowledgeBase) -> None:
    # #14: the failure and abandonment cases are findable, each with its fate, and none of them
    # claims to be checked while it was written from memory
    rows = run(kb, "failure-cases").rows()
    assert {r["caseStudy"].value.removeprefix(CS) for r in rows} >= {
        "npfit",
        "healthspace",
        "care-data",
    }
    assert {r["fate"].value.rsplit("/", 1)[-1] for r in rows} <= {"abandoned", "not-adopted"}
    assert all(r["verification"].value.endswith("/unconfirmed") for r in rows)


def check_by_element(kb: KnowledgeBase) -> None:
    assert slugs(values(kb, "case-studies-by-element", "caseStudy", element="co-design")) == {
        "improvecarenow",
        "patientslikeme",
    }


def check_complex_in_domain(kb: KnowledgeBase) -> None:
    adopters = slugs(values(kb, "case-studies-complex-in-domain", "caseStudy", domain="4"))
    assert adopters == {  # re-rated from the sources in #14; 4 domain-4 ratings are unrated now
        "geisinger-provencare",
        "healthspace",  # a failure case (#14), its rating unconfirmed
        "healthtracker",
        "improvecarenow",
        "intermountain-elective-induction",
        "swedish-rheumatology-registry",
    }
    rows = run(kb, "case-studies-complex-in-domain", domain="4").rows()
    assert all("justification" in r for r in rows)


def check_complexity_profiles(kb: KnowledgeBase) -> None:
    rows = run(kb, "complexity-profiles").rows()
    assert len(rows) == len(ALL_CASE_STUDIES)
    top = rows[0]
    assert top["caseStudy"].value == CS + "healthtracker"
    # #14: HealthTracker's domain 6 now follows LHP's wider-context page (complex, not complicated)
    assert (top["complex"].value, top["highComplexity"].value) == ("5", "true")
    counts = [int(r["complex"].value) for r in rows]
    assert counts == sorted(counts, reverse=True)
    profile = {
        r["caseStudy"].value[len(CS) :]: tuple(
            int(r[k].value) for k in ("complex", "complicated", "simple", "notRated")
        )
        for r in rows
    }
    assert profile["swedeheart"] == (1, 1, 5, 0)
    # #14: a source that gives no evidence leaves every domain unrated, never "complicated"
    assert profile["billings-clinic"] == profile["hdruk-north-anticholinergic"] == (0, 0, 0, 7)
    assert all(sum(p) == 7 for p in profile.values())


def check_complexity_ratings(kb: KnowledgeBase) -> None:
    rows = run(kb, "complexity-ratings", caseStudy="cs:swedeheart").rows()
    assert [r["domain"].value.rsplit("/", 1)[1] for r in rows] == list("1234567")
    levels = [r["level"].value.rsplit("/", 1)[1] for r in rows]
    assert levels.count("complex") == 1 and levels.count("simple") == 5
    # #14: each rating carries its own basis, source(s), verification, assessor and date
    assert all(r["basis"].value.endswith("/curator-reading") for r in rows)
    assert all(r["sources"].value.startswith("https://w3id.org/lhs-kg/source/") for r in rows)
    assert {r["verification"].value.rsplit("/", 1)[1] for r in rows} == {"verified", "unconfirmed"}
    assert {r["date"].value for r in rows} == {"2026-12-04"}


def check_heatmap(kb: KnowledgeBase) -> None:
    rows = run(kb, "nasss-heatmap").rows()
    cells = Counter((r["domainNotation"].value, r["level"].value.rsplit("/", 1)[1]) for r in rows)
    assert cells[("4", "complex")] == 6  # with HealthSpace (#14)
    assert all("level" in r for r in rows)  # #14: a cell is a level; "not rated" has no cell
    rated = {d: sum(n for (dd, _), n in cells.items() if dd == d) for d in "1234567"}
    # #14: re-rated from the sources; 45 domains are now left unrated rather than "complicated"
    not_rated = {d: len(ALL_CASE_STUDIES) - n for d, n in rated.items()}
    # the three failure cases (#14) rate only what their sources analyse: HealthSpace 3 and 4,
    # care.data 6, NPfIT nothing
    assert not_rated == {"1": 11, "2": 6, "3": 11, "4": 6, "5": 9, "6": 11, "7": 9}
    unassessed = {"billings-clinic", "hdruk-north-anticholinergic", "npfit"}  # no domain evidence
    assert {r["caseStudy"].value[len(CS) :] for r in rows} == ALL_CASE_STUDIES - unassessed


def check_high_complexity(kb: KnowledgeBase) -> None:
    rows = run(kb, "high-complexity-case-studies").rows()
    # #14: re-rated from the sources. ImproveCareNow was high-complexity only through a domain-3
    # rating resting on a claim not in its sources; LHP's wider-context page adds domain 6 for
    # HealthTracker, PatientsLikeMe and TRANSFoRm.
    found = {r["caseStudy"].value[len(CS) :]: set(r["domains"].value.split(", ")) for r in rows}
    assert found == {
        "healthtracker": {"1", "3", "4", "6", "7"},
        "patientslikeme": {"3", "6", "7"},
        "transform": {"2", "6", "7"},
    }
    # with HealthSpace (complex in 3 and 4, #14)
    assert len(run(kb, "high-complexity-case-studies", minComplex="2").rows()) == 8


def check_is_high_complexity(kb: KnowledgeBase) -> None:
    assert run(kb, "is-high-complexity", caseStudy="cs:healthtracker").boolean is True
    assert run(kb, "is-high-complexity", caseStudy="cs:swedeheart").boolean is False


def check_outcomes(kb: KnowledgeBase) -> None:
    rows = run(kb, "outcomes-by-complexity").rows()
    remission = next(r for r in rows if r["metric"].value == "Proportion of patients in remission")
    assert (remission["valueBefore"].value, remission["valueAfter"].value) == ("55%", "77%")
    assert remission["complexDomains"].value == "2"  # #14: domain 3 unrated (no evidence)
    counts = [int(r["complexDomains"].value) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] == 5


def check_sources_for_concept(kb: KnowledgeBase) -> None:
    sources = values(kb, "sources-for-concept", "source", concept=f"{CONCEPT}nasss/4")
    assert set(sources) == {BASE + "source/greenhalgh-2017", BASE + "source/lhp-adopter-system"}


def check_citations(kb: KnowledgeBase) -> None:
    citing = values(kb, "citations-of-source", "citing", source="src:britto-2018")
    assert CS + "cincinnati-learning-networks" in citing
    assert BASE + "organisation/cincinnati-childrens" in citing
    assert f"{CONCEPT}strategy/target-operating-model" in citing


def check_co_occurrence(kb: KnowledgeBase) -> None:
    rows = run(kb, "element-co-occurrence", minCases="5").rows()
    top = rows[0]
    # the #14 failure cases (NPfIT, HealthSpace) add practice-to-data with improving outcomes
    assert (top["first"].value, top["second"].value, top["caseStudies"].value) == (
        f"{CONCEPT}loop/practice-to-data",
        f"{CONCEPT}rationale/improve-outcomes",
        "13",
    )
    assert all(int(r["caseStudies"].value) >= 5 for r in rows)
    assert all(r["first"].value < r["second"].value for r in rows)


def check_gaps_no_case_study(kb: KnowledgeBase) -> None:
    gaps = values(kb, "evidence-gaps-no-case-study", "concept")
    assert f"{CONCEPT}rationale/clinical-performance" in gaps
    assert f"{CONCEPT}rationale/digital-investment" not in gaps  # NPfIT (#14)
    assert f"{CONCEPT}bcw/coercion" in gaps
    assert f"{CONCEPT}bcw/training" not in gaps  # illustrated by kaiser-sepsis (#14)
    assert f"{CONCEPT}nasss/1A" in gaps  # ratings are per domain, not per subdomain
    assert f"{CONCEPT}rationale/improve-outcomes" not in gaps
    assert f"{CONCEPT}nasss/4" not in gaps


def check_gaps_no_source(kb: KnowledgeBase) -> None:
    assert values(kb, "evidence-gaps-no-source", "concept") == []  # every concept is sourced


def check_pending(kb: KnowledgeBase) -> None:
    assert run(kb, "contributions-pending-review").rows() == []  # no contribution yet


def check_changed_since(kb: KnowledgeBase) -> None:
    assessments = values(kb, "changed-since", "resource", since="2026-11-26")
    assert CS + "swedeheart/assessment" in assessments
    assert values(kb, "changed-since", "resource", since="2999-01-01") == []


def check_sources(kb: KnowledgeBase) -> None:
    books = values(kb, "sources", "source", kind="http://purl.org/ontology/bibo/Book")
    assert BASE + "source/olsen-2007" in books and BASE + "source/iom-2013" in books
    dois = values(kb, "sources", "doi", kind="http://purl.org/ontology/bibo/Book")
    assert "10.17226/11903" in dois


def check_organisations(kb: KnowledgeBase) -> None:
    assert slugs(
        values(kb, "organisations", "organisation", country="SE"), BASE + "organisation/"
    ) == {"srq", "swedeheart"}


def check_concepts_of_scheme(kb: KnowledgeBase) -> None:
    assert values(kb, "concepts-of-scheme", "notation", scheme=f"{CONCEPT}loop") == [
        "D2K",
        "K2P",
        "P2D",
    ]


def check_loop_coverage(kb: KnowledgeBase) -> None:
    rows = run(kb, "loop-coverage").rows()
    closed = {r["caseStudy"].value[len(CS) :] for r in rows if r["closesLoop"].value == "true"}
    assert len(closed) == 10 and "transform" not in closed and "improvecarenow" in closed


def check_case_study_graph(kb: KnowledgeBase) -> None:
    triples = run(kb, "case-study-graph", caseStudy="cs:swedeheart").triples()
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    assert CS + "swedeheart" in subjects
    assert CS + "swedeheart/rating/4" in subjects
    assert any(t.predicate.value.endswith("rdf-schema#label") for t in triples)


def check_claim_evidence(kb: KnowledgeBase) -> None:
    rows = run(kb, "claim-evidence", caseStudy="cs:healthtracker").rows()
    claims = {r["claim"].value[len(CS) :]: r for r in rows}
    assert set(claims) == {f"healthtracker/outcome/{n}" for n in (1, 2, 3)} | {
        f"healthtracker/rating/{n}" for n in range(1, 8)
    }
    six = claims["healthtracker/rating/6"]  # #14: now rests on LHP's wider-context page
    assert six["source"].value == BASE + "source/lhp-wider-context"
    assert six["verification"].value.endswith("/verified")
    assert claims["healthtracker/rating/5"]["verification"].value.endswith("/unconfirmed")
    assert all(
        r["verification"].value.endswith("/verified") for r in rows if r["kind"].value == "outcome"
    )


def check_assessment_history(kb: KnowledgeBase) -> None:
    rows = run(kb, "assessment-history", caseStudy="cs:swedeheart").rows()
    assert {r["assessment"].value for r in rows} == {CS + "swedeheart/assessment"}
    assert all(r["current"].value == "true" for r in rows)
    assert sorted(r["domainNotation"].value for r in rows) == list("1234567")
    billings = run(kb, "assessment-history", caseStudy="cs:billings-clinic").rows()
    assert len(billings) == 1 and "level" not in billings[0]  # dated, nothing rated


CHECKS: dict[str, Callable[[KnowledgeBase], None]] = {
    "claim-evidence": check_claim_evidence,
    "assessment-history": check_assessment_history,
    "case-studies": check_case_studies,
    "framework-parts": check_framework_parts,
    "nasss-subdomains": check_nasss_subdomains,
    "loop-stages": check_loop_stages,
    "case-studies-by-loop-stage": check_by_loop_stage,
    "case-studies-by-rationale": check_by_rationale,
    "case-studies-by-country": check_by_country,
    "case-studies-by-scale": check_by_scale,
    "failure-cases": check_failure_cases,
    "case-studies-by-element": check_by_element,
    "case-studies-complex-in-domain": check_complex_in_domain,
    "complexity-profiles": check_complexity_profiles,
    "complexity-ratings": check_complexity_ratings,
    "nasss-heatmap": check_heatmap,
    "high-complexity-case-studies": check_high_complexity,
    "is-high-complexity": check_is_high_complexity,
    "outcomes-by-complexity": check_outcomes,
    "sources-for-concept": check_sources_for_concept,
    "citations-of-source": check_citations,
    "element-co-occurrence": check_co_occurrence,
    "evidence-gaps-no-case-study": check_gaps_no_case_study,
    "evidence-gaps-no-source": check_gaps_no_source,
    "contributions-pending-review": check_pending,
    "changed-since": check_changed_since,
    "sources": check_sources,
    "organisations": check_organisations,
    "concepts-of-scheme": check_concepts_of_scheme,
    "loop-coverage": check_loop_coverage,
    "case-study-graph": check_case_study_graph,
}


def test_every_query_has_an_answer_check() -> None:
    assert set(CHECKS) == set(NAMES)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_answer_matches_the_data(kb: KnowledgeBase, name: str) -> None:
    CHECKS[name](kb)


def test_gap_and_review_queries_find_what_is_added() -> None:
    """The queries that are empty on today's data do find a sourceless concept and a pending
    contribution version once there is one (so their emptiness above means something)."""
    with new_content_kb() as fresh:
        fresh.load_bytes(
            f"""<{CONCEPT}strategy/new-idea> a <{BASE}ontology/StrategicConsideration> ;
                  <http://www.w3.org/2004/02/skos/core#inScheme> <{CONCEPT}strategy> ;
                  <http://www.w3.org/2004/02/skos/core#prefLabel> "New idea"@en .""".encode(),
            "ttl",
            graph=BASE + "graph/data/extra",
        )
        fresh.load_bytes(
            f"""<{BASE}graph/contribution/c1/v1> <{BASE}ontology/reviewState>
                  <{CONCEPT}review-state/pending> ;
                  <http://www.w3.org/ns/prov#generatedAtTime>
                  "2030-05-01T10:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .""".encode(),
            "ttl",
            graph=BASE + "graph/registry",
        )
        assert values(fresh, "evidence-gaps-no-source", "concept") == [
            f"{CONCEPT}strategy/new-idea"
        ]
        assert f"{CONCEPT}strategy/new-idea" in values(
            fresh, "evidence-gaps-no-case-study", "concept", scheme=f"{CONCEPT}strategy"
        )
        assert not run(fresh, "contributions-pending-review").rows()  # the registry is private
        pending = run(fresh, "contributions-pending-review", scope="all").rows()
        assert [r["version"].value for r in pending] == [BASE + "graph/contribution/c1/v1"]
        assert not values(fresh, "changed-since", "resource", since="2030-01-01")  # private
        changed = run(fresh, "changed-since", scope="all", since="2030-01-01").rows()
        assert [r["resource"].value for r in changed] == [BASE + "graph/contribution/c1/v1"]
