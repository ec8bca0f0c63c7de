"""The reasoning engine on the repository's knowledge base and on purpose-made broken examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg import KnowledgeBase, Settings
from lhs_kg.errors import InputError, ReasonerUnavailableError, ReasoningError
from lhs_kg.graphs import inferred_graph
from lhs_kg.reason import HIGH_COMPLEXITY, ReasoningResult, reason
from tests.helpers import REASON_EXAMPLES, ROOT, MakeRoot, new_content_kb

pytestmark = pytest.mark.slow

CASE_STUDY = "https://w3id.org/lhs-kg/case-study/"

# Case studies with an assessment rating three or more different NASSS domains complex, read
# straight from the data graphs (what the OWL definition of lhs:HighComplexityCaseStudy says).
EXPECTED_MEMBERS = """
PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
SELECT DISTINCT ?cs WHERE {
  {
    SELECT ?cs ?a (COUNT(DISTINCT ?domain) AS ?n) WHERE {
      GRAPH ?g {
        ?cs a lhs:CaseStudy ; lhs:hasAssessment ?a .
        ?a lhs:hasRating ?r .
        ?r lhs:ratesDomain ?domain ;
           lhs:level <https://w3id.org/lhs-kg/concept/complexity-level/complex> .
      }
      FILTER(STRSTARTS(STR(?g), "https://w3id.org/lhs-kg/graph/data/"))
    } GROUP BY ?cs ?a
  }
  FILTER(?n >= 3)
}
"""


reported: list[str] = []
"""The steps the module's one reasoning run reported (for the CLI's progress display)."""


@pytest.fixture(scope="module")
def reasoned() -> Iterator[tuple[KnowledgeBase, ReasoningResult]]:
    """The repository's knowledge base in memory, reasoned once for the module."""
    with new_content_kb() as kb:
        yield kb, reason(kb.store, kb.settings, progress=reported.append)


def inferred_count(kb: KnowledgeBase) -> int:
    target = inferred_graph(kb.settings)
    return next((g.triples for g in kb.graphs() if g.iri == target), 0)


def test_each_step_is_reported_as_it_starts(
    reasoned: tuple[KnowledgeBase, ReasoningResult],
) -> None:
    _, result = reasoned
    assert reported == [
        f"exporting {result.input_graphs} graphs",
        f"running HermiT on {result.input_triples:,} triples",
        "reading what HermiT inferred",
        "writing the inferred graph",
    ]


def test_repository_is_consistent_and_coherent(
    reasoned: tuple[KnowledgeBase, ReasoningResult],
) -> None:
    _, result = reasoned
    assert result.unsatisfiable == []
    assert result.input_triples > 1000
    assert result.types > 0 and result.subclasses > 0


def test_members_of_the_defined_class_are_the_case_studies_with_three_complex_domains(
    reasoned: tuple[KnowledgeBase, ReasoningResult],
) -> None:
    kb, result = reasoned
    expected = {row["cs"].value for row in kb.query(EXPECTED_MEMBERS).rows()}
    assert expected, "the data should hold at least one high-complexity case study"
    assert {m.iri for m in result.members} == expected


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        pytest.param("healthtracker", "HealthTracker", id="healthtracker-5-complex"),
        pytest.param("transform", "TRANSFoRm", id="transform-3-complex"),
    ],
)
def test_known_members_are_inferred_with_their_labels(
    reasoned: tuple[KnowledgeBase, ReasoningResult], slug: str, label: str
) -> None:
    kb, result = reasoned
    labels = {m.iri: m.label for m in result.members}
    assert label in labels[CASE_STUDY + slug]
    ask = f"ASK {{ GRAPH <{result.graph}> {{ <{CASE_STUDY + slug}> a <{HIGH_COMPLEXITY}> }} }}"
    assert kb.query(ask).boolean


@pytest.mark.parametrize(
    "slug", ["improvecarenow", "billings-clinic", "hdruk-north-anticholinergic"]
)
def test_regression_default_ratings_made_a_case_study_high_complexity(
    reasoned: tuple[KnowledgeBase, ReasoningResult], slug: str
) -> None:
    """Named after the bug (#14): ImproveCareNow, a flagship success, was inferred high-complexity
    through a rating resting on a claim absent from its sources; unrated domains never count."""
    _, result = reasoned
    assert CASE_STUDY + slug not in {m.iri for m in result.members}


def test_the_inferred_graph_holds_only_new_triples_between_iris(
    reasoned: tuple[KnowledgeBase, ReasoningResult],
) -> None:
    kb, result = reasoned
    assert result.written
    assert inferred_count(kb) == result.inferred
    already_asserted = f"""ASK {{
      GRAPH <{result.graph}> {{ ?s ?p ?o }}
      GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{result.graph}>)
    }}"""
    assert not kb.query(already_asserted).boolean
    not_iris = f"""ASK {{ GRAPH <{result.graph}> {{ ?s ?p ?o }}
      FILTER(!isIRI(?s) || !isIRI(?o)) }}"""
    assert not kb.query(not_iris).boolean


def test_aliases_named_by_owl_same_as_get_no_copies_of_facts(
    reasoned: tuple[KnowledgeBase, ReasoningResult],
) -> None:
    kb, result = reasoned
    about_doi = f"""ASK {{ GRAPH <{result.graph}> {{ ?s ?p ?o }}
      FILTER(STRSTARTS(STR(?s), "https://doi.org/")) }}"""
    assert not kb.query(about_doi).boolean


def test_rerunning_replaces_the_inferred_graph(
    reasoned: tuple[KnowledgeBase, ReasoningResult],
) -> None:
    kb, first = reasoned
    again = reason(kb.store, kb.settings)
    assert again.inferred == first.inferred
    assert inferred_count(kb) == first.inferred
    assert again.members == first.members


@pytest.mark.parametrize(
    ("example", "individual"),
    [
        pytest.param(
            "rating-with-two-levels.ttl", CASE_STUDY + "broken/rating/1", id="functional-level"
        ),
        pytest.param(
            "case-study-and-organisation.ttl", CASE_STUDY + "broken", id="disjoint-classes"
        ),
    ],
)
def test_an_inconsistency_names_its_axioms_and_individuals_and_writes_nothing(
    make_root: MakeRoot, example: str, individual: str
) -> None:
    root = make_root(REASON_EXAMPLES / example)
    settings = Settings(
        store="memory", root=root, ontology_dir=root / "ontology", data_dir=root / "data"
    )
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
        with pytest.raises(ReasoningError) as caught:
            reason(kb.store, settings)
        assert inferred_count(kb) == 0
    assert caught.value.exit_code == 1
    assert individual in caught.value.individuals
    assert individual in str(caught.value)
    assert caught.value.axioms


def test_a_class_that_can_have_no_members_is_reported(make_root: MakeRoot) -> None:
    root = make_root(REASON_EXAMPLES / "impossible-class.ttl")
    settings = Settings(
        store="memory", root=root, ontology_dir=root / "ontology", data_dir=root / "data"
    )
    with KnowledgeBase(settings) as kb:
        kb.rebuild()
        result = reason(kb.store, settings, dry_run=True)
        assert inferred_count(kb) == 0, "a dry run writes nothing"
    assert result.unsatisfiable == ["https://example.org/Impossible"]
    assert not result.written


def test_an_empty_store_asks_for_init() -> None:
    with KnowledgeBase(Settings(store="memory")) as kb, pytest.raises(InputError, match="init"):
        reason(kb.store, kb.settings)


def tiny_kb() -> KnowledgeBase:
    """A knowledge base in memory holding one data graph of one triple."""
    kb = KnowledgeBase(Settings(store="memory"))
    kb.load_bytes(
        b"<https://example.org/a> a <https://example.org/C> .",
        "ttl",
        graph="https://w3id.org/lhs-kg/graph/data/a",
    )
    return kb


@pytest.mark.parametrize(
    "java",
    [
        pytest.param("no-such-java-anywhere", id="not-on-path"),
        pytest.param(str(ROOT / "README.md"), id="not-executable"),
    ],
)
def test_without_java_the_error_says_java_is_needed(java: str) -> None:
    with tiny_kb() as kb, pytest.raises(ReasonerUnavailableError, match="Java 11") as caught:
        reason(kb.store, kb.settings, java=java)
    assert caught.value.exit_code == 2


def test_a_jvm_that_fails_to_start_is_reported_as_missing_java(tmp_path: Path) -> None:
    fake = tmp_path / "java"
    fake.write_text(
        "#!/bin/sh\necho 'Error: Could not create the Java Virtual Machine.' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    with tiny_kb() as kb, pytest.raises(ReasonerUnavailableError, match=r"Java 11.*could not"):
        reason(kb.store, kb.settings, java=str(fake))


def test_the_time_limit_stops_the_reasoner_with_a_clear_message() -> None:
    with new_content_kb() as kb:
        with pytest.raises(ReasonerUnavailableError, match=r"did not finish within 0\.01 s"):
            reason(kb.store, kb.settings, timeout_s=0.01)
        assert inferred_count(kb) == 0
