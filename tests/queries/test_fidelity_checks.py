"""The fidelity checks of ``lhs-kg check`` (#14), case by case, on small purpose-made graphs.

Each case is a few Turtle triples added to the ontology; the check named in the case must return
exactly the rows expected (a missing basis, a default-looking rating, a verified resource with an
unverified claim, an assessment history out of order), and the valid variant none.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.helpers import ONTOLOGY, QUERIES

CHECKS = QUERIES / "checks"
PREFIXES = """
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cs: <https://w3id.org/lhs-kg/case-study/> .
@prefix basis: <https://w3id.org/lhs-kg/concept/assessment-basis/> .
@prefix src: <https://w3id.org/lhs-kg/source/> .
"""
#: A complete assessment: attributed, dated, curator-reading, with one sourced rating (cs:r).
GOOD = """
cs:x a lhs:CaseStudy ; lhs:hasAssessment cs:a .
cs:x dcterms:source src:s .
cs:a a lhs:ComplexityAssessment ; lhs:assessmentBasis basis:curator-reading ;
    prov:wasAttributedTo cs:curators ; dcterms:date "2026-12-04"^^xsd:date ; lhs:hasRating cs:r .
cs:r a lhs:DomainRating ; lhs:ratesDomain <https://w3id.org/lhs-kg/concept/nasss/1> ;
    lhs:level <https://w3id.org/lhs-kg/concept/complexity-level/complex> ;
    lhs:justification "Comorbidities are common in the people served."@en .
cs:r dcterms:source src:s .
"""
SOURCE_ANALYSIS = "<https://w3id.org/lhs-kg/concept/assessment-basis/source-analysis>"


def rows(check: str, turtle: str) -> list[dict[str, str]]:
    """The rows ``check`` returns over the ontology plus ``turtle``."""
    store = ox.Store()
    for name in ("lhs.ttl", "framework.ttl"):
        store.load(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE)
    store.load((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)
    result = store.query((CHECKS / f"{check}.rq").read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def without(text: str, *fragments: str) -> str:
    """``text`` with each fragment removed (a triple or a predicate-object pair)."""
    for fragment in fragments:
        assert fragment in text, fragment
        text = text.replace(fragment, "")
    return text


@pytest.mark.parametrize(
    ("turtle", "missing"),
    [
        pytest.param(GOOD, set(), id="complete"),
        pytest.param(
            without(GOOD, "lhs:assessmentBasis basis:curator-reading ;"),
            {"basis"},
            id="no-basis",
        ),
        pytest.param(
            without(GOOD, "cs:x dcterms:source src:s .", "cs:r dcterms:source src:s ."),
            {"source"},
            id="no-source-anywhere",
        ),
        pytest.param(
            without(GOOD, "cs:r dcterms:source src:s .")
            + f"\ncs:r lhs:assessmentBasis {SOURCE_ANALYSIS} .",
            {"source"},
            id="narrative-translation-without-its-own-source",
        ),
        pytest.param(
            without(GOOD, "prov:wasAttributedTo cs:curators ;"), {"assessor"}, id="no-assessor"
        ),
        pytest.param(
            without(GOOD, 'dcterms:date "2026-12-04"^^xsd:date ;'), {"date"}, id="no-date"
        ),
        pytest.param(
            without(GOOD, "prov:wasAttributedTo cs:curators ;")
            + "\ncs:x dcterms:contributor cs:alex .",
            set(),
            id="contributor-is-the-assessor",
        ),
    ],
)
def test_rating_without_basis(turtle: str, missing: set[str]) -> None:
    found = rows("rating-without-basis", turtle)
    assert {row["missing"] for row in found} == missing, found


#: Justifications of the default ratings the fidelity review found (#14), verbatim.
OLD_DEFAULTS = [
    "Costs and the business case are not analysed in the sources we hold; rated complicated,"
    " not on direct evidence.",
    "Wider-system factors are not analysed in the sources we hold.",
    "Technology plays no central part in the source; not analysed.",
    "The value case is not analysed in the sources we hold; rated complicated.",
    "Curators' reading: wider-system factors are not analysed in the sources we hold; rated"
    " complicated, not on direct evidence.",
]


@pytest.mark.parametrize("justification", OLD_DEFAULTS)
def test_regression_default_complicated_ratings_counted_as_evidence(justification: str) -> None:
    """Named after the bug: 41+ 'complicated' defaults fed the heat map and HighComplexity."""
    turtle = GOOD.replace("Comorbidities are common in the people served.", justification)
    assert [r["rating"] for r in rows("default-looking-rating", turtle)] == [
        "https://w3id.org/lhs-kg/case-study/r"
    ]


def test_an_evidenced_justification_is_not_a_default() -> None:
    assert rows("default-looking-rating", GOOD) == []


VERIFIED = "https://w3id.org/lhs-kg/concept/verification/verified"
UNCONFIRMED = "https://w3id.org/lhs-kg/concept/verification/unconfirmed"
PARTLY = "https://w3id.org/lhs-kg/concept/verification/partly-verified"


@pytest.mark.parametrize(
    ("case_status", "rating_status", "flagged"),
    [
        (VERIFIED, VERIFIED, False),
        (VERIFIED, UNCONFIRMED, True),
        (VERIFIED, None, True),
        (PARTLY, UNCONFIRMED, False),
        (None, None, False),
    ],
)
def test_verified_with_unverified_claim(
    case_status: str | None, rating_status: str | None, flagged: bool
) -> None:
    turtle = GOOD
    if case_status:
        turtle += f"\ncs:x lhs:verification <{case_status}> ."
    if rating_status:
        turtle += f"\ncs:r lhs:verification <{rating_status}> ."
    found = rows("verified-with-unverified-claim", turtle)
    assert bool(found) == flagged, found


@pytest.mark.parametrize(
    ("previous_date", "flagged"),
    [("2021-03-01", False), ("2026-12-04", True), ("2027-01-01", True), (None, True)],
)
def test_assessment_history_out_of_order(previous_date: str | None, flagged: bool) -> None:
    turtle = GOOD + "\ncs:a lhs:previousAssessment cs:old .\ncs:old a lhs:ComplexityAssessment ."
    if previous_date:
        turtle += f'\ncs:old dcterms:date "{previous_date}"^^xsd:date .'
    assert bool(rows("assessment-history-out-of-order", turtle)) == flagged
