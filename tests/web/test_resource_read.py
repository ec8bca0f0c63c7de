"""The one read of a resource (``describe/resource.rq``, #16) gives what the separate queries gave.

Its own triples must be exactly the engine's DESCRIBE (the CBD), whatever the blank nodes: the
query follows them two levels deep and along rdf:Lists, and the page asks DESCRIBE again when a
blank node it reaches was not followed. Its links in must give the groups, totals and labels
that counting per property gives. The embedded store keeps blank node identities across
queries, so triples are compared as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from lhs_kg.describe import casestudies, evidence, resource, sources, toolkit
from lhs_kg.describe.base import Reader
from lhs_kg.kb import KnowledgeBase
from tests.helpers import fill_with_contributions, new_content_kb

EX = "https://example.org/cbd/"
R = EX + "r"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PREFIXES = f"@prefix ex: <{EX}> . @prefix rdf: <{RDF}> .\n"
SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    """The content, the export extras and two contributions (one pending) in a memory store."""
    built = new_content_kb()
    fill_with_contributions(built)
    yield built
    built.close()


class CountingReader(Reader):
    """A reader that counts the DESCRIBE queries it runs (the fallback of the one read)."""

    describes = 0

    def triples(self, text: str, **bindings: Any) -> list[ox.Triple]:
        if text == resource.DESCRIBE:
            self.describes += 1
        return super().triples(text, **bindings)


def describe_triples(reader: Reader, iri: str) -> set[ox.Triple]:
    return set(reader.triples(resource.DESCRIBE, r=ox.NamedNode(iri)))


@pytest.mark.parametrize(
    ("read", "deep_share"),
    [
        ("page", 20),  # blank nodes two levels and lists: hardly any resource goes deeper
        ("document", 10),  # one level (#16): the sources' author lists are asked again
    ],
)
def test_every_resource_of_the_content_reads_as_its_describe(
    kb: KnowledgeBase, read: str, deep_share: int
) -> None:
    reader = CountingReader(kb)
    rows = reader.select(SUBJECTS)
    subjects = sorted({r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode)})
    assert len(subjects) > 500
    wrong = []
    for iri in subjects:
        facts = resource.resource_facts(reader, iri, incoming=read == "page")
        assert facts is not None, iri
        if set(facts.own) != describe_triples(reader, iri):
            wrong.append(iri)
    assert wrong == []
    # DESCRIBE ran once per subject above, and again only for the rarer deep blank nodes
    assert reader.describes - len(subjects) < len(subjects) // deep_share


#: (Turtle, whether the page's read asks DESCRIBE, whether the document's read does): the page
#: follows blank nodes two levels and along lists, a document one level (#16).
SHAPES = [
    pytest.param('ex:r ex:p "x" .', False, False, id="flat"),
    pytest.param('ex:r ex:p [ ex:q "x" ] .', False, False, id="blank-one-deep"),
    pytest.param('ex:r ex:p [ ex:q [ ex:s "x" ] ] .', False, True, id="blank-two-deep"),
    pytest.param('ex:r ex:p [ ex:q [ ex:s [ ex:t "x" ] ] ] .', True, True, id="blank-three-deep"),
    pytest.param(
        'ex:r ex:p ( [ ex:n "a" ] [ ex:n "b" ] [ ex:n "c" ] "d" ) .', False, True, id="list"
    ),
    pytest.param('ex:r ex:p ( [ ex:n [ ex:m "deep" ] ] ) .', True, True, id="list-member-nested"),
    pytest.param("ex:r ex:p _:a . _:a ex:q _:b . _:b ex:q _:a .", False, True, id="blank-cycle"),
    pytest.param("ex:r ex:p _:a . _:a ex:q _:a .", False, False, id="blank-self-loop"),
    pytest.param("ex:r ex:p _:x . ex:other ex:q _:x .", True, True, id="blank-without-triples"),
    pytest.param(
        'ex:r ex:p _:l . _:l rdf:first "a" ; rdf:rest ex:cell . '
        'ex:cell rdf:first [ ex:n "not in the CBD" ] ; rdf:rest rdf:nil .',
        False,
        False,
        id="list-through-an-iri-cell",
    ),
    pytest.param(
        'ex:r ex:p [ ex:q ex:s ] . ex:s ex:t [ ex:u "not in the CBD" ] .',
        False,
        False,
        id="blank-to-iri",
    ),
]


@pytest.mark.parametrize(("turtle", "page_asks", "document_asks"), SHAPES)
@pytest.mark.parametrize("read", ["page", "document"])
def test_blank_nodes_of_any_shape_read_as_describe(
    turtle: str, page_asks: bool, document_asks: bool, read: str
) -> None:
    kb = new_content_kb()
    try:
        kb.load_bytes((PREFIXES + turtle).encode(), "ttl", graph=EX + "graph")
        reader = CountingReader(kb)
        facts = resource.resource_facts(reader, R, incoming=read == "page")
        assert facts is not None
        asks = page_asks if read == "page" else document_asks
        assert reader.describes == (1 if asks else 0)
        assert set(facts.own) == describe_triples(reader, R)
    finally:
        kb.close()


@pytest.mark.parametrize(
    "path",
    [
        "concept/nasss/1A",
        "concept/nasss/1",
        "concept/framework",
        "source/foley-vale-2022",
        "concept/verification/unconfirmed",
        "ontology/CaseStudy",
    ],
)
def test_links_in_from_the_one_read_match_the_counts_per_property(
    kb: KnowledgeBase, path: str
) -> None:
    reader = Reader(kb)
    iri = kb.settings.base_iri + path
    found = resource.describe(reader, iri)
    assert found is not None and found.facts is not None
    assert found.facts.incoming_complete
    assert found.incoming, f"{path} has no links in to compare"
    counted, total = resource._incoming(Reader(kb), ox.NamedNode(iri), 1, 50)
    assert found.incoming_total == total
    assert [(g.property, g.total, g.more) for g in found.incoming] == [
        (g.property, g.total, g.more) for g in counted
    ]
    for mine, theirs in zip(found.incoming, counted, strict=True):
        if mine.total <= 50:  # a whole group: the same subjects and names
            assert mine.subjects == theirs.subjects
        else:  # pages in IRI order here, in index order there: a full page either way
            assert len(mine.subjects) == len(theirs.subjects) == 50


SOURCES = "SELECT DISTINCT ?s WHERE { ?s a <https://w3id.org/lhs-kg/ontology/Source> }"


def test_every_source_cites_the_same_from_the_one_read(kb: KnowledgeBase) -> None:
    """The citation and the list of what cites a source, from the page's read and asked for."""
    reader = Reader(kb)
    iris = sorted(r["s"].value for r in reader.select(SOURCES))
    assert len(iris) > 20
    differ = []
    authored = cited = 0
    for iri in iris:
        found = resource.describe(reader, iri)
        assert found is not None and found.facts is not None
        mine = (
            sources.citation(reader, iri, found.facts),
            sources.cited_by(reader, iri, found.facts),
        )
        asked = sources.citation(reader, iri), sources.cited_by(reader, iri)
        if mine != asked:
            differ.append(iri)
        authored += bool(asked[0].authors)
        cited += bool(asked[1])
    assert differ == []
    assert authored > 5 and cited > 5  # the comparison saw authors and citing resources


@pytest.mark.parametrize(
    ("turtle", "authors", "ordered"),
    [
        pytest.param(
            'ex:r bibo:authorList ( [ foaf:name "B" ] [ foaf:name "A" ] ) .', ["B", "A"], True
        ),
        pytest.param(
            'ex:r bibo:authorList ( ex:someone ) . ex:someone foaf:name "C" .', ["C"], True
        ),
        # two lists: no order between them (the query's positions tie), the page asks the query
        pytest.param(
            'ex:r bibo:authorList ( [ foaf:name "D" ] ), ( [ foaf:name "E" ] ) .', ["D", "E"], False
        ),
    ],
    ids=["blank-authors-in-order", "an-iri-author", "two-lists"],
)
def test_authors_come_in_list_order_whatever_the_list(
    turtle: str, authors: list[str], ordered: bool
) -> None:
    kb = new_content_kb()
    try:
        prefixes = (
            PREFIXES + "@prefix bibo: <http://purl.org/ontology/bibo/> . "
            "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        )
        kb.load_bytes((prefixes + turtle).encode(), "ttl", graph=EX + "graph")
        reader = Reader(kb)
        facts = resource.resource_facts(reader, R)
        assert facts is not None
        asked = sources.citation(reader, R).authors
        from_read = sources.citation(reader, R, facts).authors
        assert (from_read if ordered else sorted(from_read)) == authors
        assert (asked if ordered else sorted(asked)) == authors
    finally:
        kb.close()


CONCEPTS = "SELECT DISTINCT ?s WHERE { ?s a <http://www.w3.org/2004/02/skos/core#Concept> }"


def test_every_concept_has_the_same_guidance_from_the_one_read(kb: KnowledgeBase) -> None:
    """Guidance, its sources and terms, and the tools serving a concept, read and asked for."""
    reader = Reader(kb)
    iris = sorted(r["s"].value for r in reader.select(CONCEPTS))
    differ = []
    guided = served = 0
    for iri in iris:
        found = resource.describe(reader, iri)
        assert found is not None
        asked = toolkit.guidance(reader, iri)
        if toolkit.guidance(reader, iri, found.facts) != asked:
            differ.append(iri)
        guided += bool(asked.text and asked.sources)
        served += bool(asked.tools)
    assert differ == []
    assert guided > 5 and served > 5  # the comparison saw guidance and tools


CASE_STUDIES = "SELECT DISTINCT ?s WHERE { ?s a <https://w3id.org/lhs-kg/ontology/CaseStudy> }"


def test_every_case_study_page_reads_the_same_in_one_read(kb: KnowledgeBase) -> None:
    """The case-study page model and claim evidence from ``case-study-page`` (#16) are those
    its statements query and the named queries claim-evidence and assessment-history give."""
    reader = Reader(kb)
    iris = sorted(r["s"].value for r in reader.select(CASE_STUDIES))
    assert len(iris) >= 18
    differ = []
    rated = measured = checked = 0
    for iri in iris:
        before = (casestudies.case_study(reader, iri), evidence.case_study_evidence(reader, iri))
        after = casestudies.case_study_with_evidence(reader, iri)
        if after != before:
            differ.append(iri)
        study, found = before
        rated += bool(study.ratings)
        measured += bool(study.outcomes)
        checked += any(c.sources for c in (*found.outcomes.values(), *found.ratings.values()))
    assert differ == []
    # the comparison saw ratings, outcomes and claims with sources (earlier assessments: below)
    assert min(rated, measured, checked) > 10


THRICE = "https://w3id.org/lhs-kg/case-study/thrice"
ASSESSED_THRICE = f"""@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix nasss: <https://w3id.org/lhs-kg/concept/nasss/> .
@prefix level: <https://w3id.org/lhs-kg/concept/complexity-level/> .
<{THRICE}> a lhs:CaseStudy ; dcterms:title "Assessed three times"@en ;
    lhs:hasAssessment <{THRICE}/a/2024> .
<{THRICE}/a/2024> dcterms:date "2024-03-01"^^xsd:date ; lhs:previousAssessment <{THRICE}/a/2021> ;
    lhs:hasRating [ lhs:ratesDomain nasss:7 ; lhs:level level:complex ] ,
                  [ lhs:ratesDomain nasss:1 ; lhs:level level:simple ] .
<{THRICE}/a/2021> dcterms:date "2021-03-01"^^xsd:date ; lhs:previousAssessment <{THRICE}/a/old> ;
    lhs:hasRating [ lhs:ratesDomain nasss:7 ; lhs:level level:simple ] ,
                  [ lhs:ratesDomain nasss:3 ; lhs:level level:complicated ] .
<{THRICE}/a/old> lhs:hasRating [ lhs:ratesDomain nasss:2 ; lhs:level level:complicated ] .
"""


def test_a_case_study_assessed_three_times_reads_the_same_in_one_read() -> None:
    """Earlier assessments (one undated) come in the order the named query gives them."""
    with new_content_kb() as fresh:
        fresh.load_bytes(ASSESSED_THRICE.encode(), "ttl", graph=THRICE)
        reader = Reader(fresh)
        study, found = casestudies.case_study_with_evidence(reader, THRICE)
        assert [(a.date, a.current) for a in found.history] == [
            ("2024-03-01", True),
            ("2021-03-01", False),
            ("", False),
        ]
        assert found.history[1].levels == {"3": "Complicated", "7": "Simple"}
        # no basis given anywhere: no basis label (not any label of the store, CI of #16)
        assert found.ratings and {claim.basis for claim in found.ratings.values()} == {""}
        assert (study, found) == (
            casestudies.case_study(reader, THRICE),
            evidence.case_study_evidence(reader, THRICE),
        )
