"""The model read from the repository's shapes and context: kinds, keys, order, value types."""

from __future__ import annotations

import pytest
from rdflib import Graph

from lhs_kg.documents import load_context
from lhs_kg.model import Model, load_model, model_from_graph


@pytest.fixture(scope="module")
def model() -> Model:
    """The model of the repository's shapes."""
    return load_model()


@pytest.mark.parametrize(
    "kind", ["CaseStudy", "Source", "Organisation", "Outcome", "ComplexityAssessment"]
)
def test_each_kind_of_the_brief_is_read(model: Model, kind: str) -> None:
    assert model[kind].properties, f"{kind} has no fields"


def test_an_unknown_kind_names_the_known_ones(model: Model) -> None:
    with pytest.raises(KeyError, match="CaseStudy"):
        model["Casestudy"]


def test_case_study_fields_follow_the_groups_and_orders_of_the_shapes(model: Model) -> None:
    keys = model["CaseStudy"].json_keys()
    assert keys[:4] == ["title", "description", "aim", "organisation"]
    assert keys.index("country") < keys.index("setting") < keys.index("loopStages")
    assert keys.index("outcomes") < keys.index("assessment") < keys.index("sources")
    assert keys[-1] == "sources"


@pytest.mark.parametrize(
    ("kind", "key", "value_type"),
    [
        pytest.param("CaseStudy", "title", "text", id="title-text"),
        pytest.param("CaseStudy", "startYear", "year", id="year"),
        pytest.param("ComplexityAssessment", "date", "date", id="date"),
        pytest.param("CaseStudy", "loopStages", "concept", id="concept"),
        pytest.param("CaseStudy", "outcomes", "resource", id="nested-kind"),
        pytest.param("Source", "type", "concept", id="rdf-type-is-type"),
    ],
)
def test_value_types(model: Model, kind: str, key: str, value_type: str) -> None:
    assert model[kind].get(key).value_type == value_type


def test_two_shapes_of_one_path_make_one_field(model: Model) -> None:
    """startYear has a rule (one gYear) and a reminder (give it): one field, named by the rule."""
    start = [p for p in model["CaseStudy"] if p.key == "startYear"]
    assert len(start) == 1
    assert start[0].label == "start year" and len(start[0].shapes) == 2
    assert start[0].max_count == 1 and not start[0].required


@pytest.mark.parametrize(
    ("key", "scheme"),
    [
        ("loopStages", "https://w3id.org/lhs-kg/concept/loop"),
        ("scale", "https://w3id.org/lhs-kg/concept/scale"),
        ("country", "https://w3id.org/lhs-kg/concept/country"),
    ],
)
def test_controlled_vocabularies(model: Model, key: str, scheme: str) -> None:
    assert model["CaseStudy"].get(key).scheme == scheme


def test_a_value_shape_across_schemes_names_no_scheme(model: Model) -> None:
    """Regression: any-concept lists members of every scheme; the first one's is not the scheme."""
    assert model["Source"].get("subjects").scheme is None


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("outcomes", "Outcome"),
        ("assessment", "ComplexityAssessment"),
        ("sources", "Source"),
        ("organisation", "Organisation"),
    ],
)
def test_nested_kinds_are_linked(model: Model, key: str, target: str) -> None:
    assert model["CaseStudy"].get(key).target == target


def test_a_closed_list_of_concepts_names_the_scheme_of_its_choices() -> None:
    """Value shapes may list their concepts (``sh:in``) instead of naming the scheme."""
    graph = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix shd: <https://w3id.org/lhs-kg/shapes/data/> .
        @prefix ex: <https://example.org/> .
        shd:Thing sh:targetClass ex:Thing ; sh:property shd:p , shd:q .
        shd:p sh:path ex:p ; sh:node shd:in-loop .
        shd:in-loop sh:in ( <https://w3id.org/lhs-kg/concept/loop/practice-to-data> ) .
        shd:q sh:path ex:q ; sh:node shd:other .
        """,
        format="turtle",
    )
    kind = model_from_graph(graph, load_context())["Thing"]
    assert kind.by_iri("https://example.org/p").scheme == "https://w3id.org/lhs-kg/concept/loop"
    assert kind.by_iri("https://example.org/q").scheme is None


def test_a_value_shape_is_not_a_kind() -> None:
    graph = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix shd: <https://w3id.org/lhs-kg/shapes/data/> .
        shd:in-x sh:property [ sh:path <https://example.org/p> ] .
        """,
        format="turtle",
    )
    assert model_from_graph(graph, load_context()).kinds == {}
