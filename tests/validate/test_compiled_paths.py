"""The compiled shapes take their fast paths on the repository's shapes, not only the same answers.

``test_compiled.py`` proves the compiled report equals pySHACL's; a compiled walker that quietly
fell back to pySHACL for a rule would pass it too, only slower. These tests pin which path each
rule takes (mutants of ``lhs_kg.validate.compiled`` that only changed the path survived before).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator
from lhs_kg.validate.compiled import (
    _QUIET,
    CompiledShapes,
    _pyshacl_parts,
    _Run,
    _Step,
    compile_shapes,
    prepared_data_graph,
)
from tests.validate.test_compiled import ROOT, SUBMISSIONS, _assert_same, _document


def _steps(contribution: bool) -> list[_Step]:
    compiled = compile_shapes(get_validator()._shapes[contribution])
    assert compiled is not None
    return [step for steps in compiled._steps.values() for step in steps]


@pytest.mark.parametrize("contribution", [True, False], ids=["contribution", "curated"])
def test_every_sparql_rule_runs_in_oxigraph(contribution: bool) -> None:
    """Each SHACL-SPARQL constraint compiles to its SELECT text with $this left to bind."""
    sparql = [s for s in _steps(contribution) if type(s.component) is _pyshacl_parts()["sparql"]]
    assert sparql, "the repository's shapes have SHACL-SPARQL rules (end year, ...)"
    for step in sparql:
        assert step.kind == "sparql"
        assert step.queries
        for helper, text in step.queries:
            assert helper in step.component.sparql_constraints
            assert "SELECT" in text and "$this" in text
            assert "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>" in text


@pytest.mark.parametrize("contribution", [True, False], ids=["contribution", "curated"])
def test_each_step_has_a_quiet_twin_that_makes_no_report(contribution: bool) -> None:
    """Inside sh:or and qualified shapes only conformance counts: the twin skips the report text."""
    for step in _steps(contribution):
        assert step.quiet is not step.component
        assert type(step.quiet) is type(step.component)
        assert step.quiet.make_v_result(None, focus_node=None) == _QUIET
        assert "make_v_result" not in vars(step.component)  # the reporting one is untouched


# -- compiled afresh in each test -------------------------------------------------------------
# The validator compiles its shapes once per process, so only the first test to validate anything
# runs the compiling code; these compile in the test itself and compare with pySHACL again.


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in SUBMISSIONS]
)
def test_freshly_compiled_shapes_give_pyshacls_report(
    path: Path, content_kb: KnowledgeBase
) -> None:
    validator = get_validator(content_kb.settings)
    data = validator.data_graph(_document(path), content_kb, content_kb.settings.base_iri)  # type: ignore[arg-type]
    compiled = compile_shapes(validator._shapes[True])
    assert compiled is not None
    conforms, report = compiled.validate(prepared_data_graph(data))
    plain = validator.check(data, plain=True)
    _assert_same(report, plain)
    assert conforms is (plain.value(predicate=SH.conforms, any=False) == Literal(True))


# -- terms copied to Oxigraph and back --------------------------------------------------------

TERMS = [
    pytest.param(URIRef("https://example.org/a"), ox.NamedNode("https://example.org/a"), id="iri"),
    pytest.param(Literal("chat", lang="fr"), ox.Literal("chat", language="fr"), id="lang"),
    pytest.param(
        Literal("2019", datatype=XSD.gYear),
        ox.Literal("2019", datatype=ox.NamedNode(str(XSD.gYear))),
        id="typed",
    ),
]


@pytest.mark.parametrize(("node", "term"), TERMS)
def test_terms_go_to_oxigraph_and_back(node: Node, term: object) -> None:
    run = _Run(Graph())
    assert run._term(node) == term
    assert run._term(node) is run._term(node)  # copied once
    assert run._back(term) is node  # the very node it was made from
    assert _Run(Graph())._back(term) == node  # a term the query made: rebuilt


def test_a_plain_literal_made_by_a_query_comes_back_plain() -> None:
    """RDF 1.1: a simple literal is an xsd:string; it comes back as rdflib's plain literal, as
    rdflib's parser and SPARQL engine (so pySHACL) make it (#13: one term converter)."""
    assert _Run(Graph())._term(Literal("plain")) == ox.Literal("plain")
    assert _Run(Graph())._back(ox.Literal("plain")) == Literal("plain")


def test_a_blank_node_keeps_its_identity_both_ways() -> None:
    run = _Run(Graph())
    blank = BNode()
    term = run._term(blank)
    assert isinstance(term, ox.BlankNode)
    assert run._back(term) is blank
    fresh = ox.BlankNode("b0")
    assert _Run(Graph())._back(fresh) == BNode("b0")


def test_other_nodes_cannot_be_copied() -> None:
    with pytest.raises(TypeError, match="cannot copy"):
        _Run(Graph())._term(object())  # type: ignore[arg-type]


# -- shapes the compiled walker leaves to pySHACL ---------------------------------------------

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""


def _compile_text(text: str) -> CompiledShapes | None:
    from pyshacl.shapes_graph import ShapesGraph

    return compile_shapes(ShapesGraph(Graph().parse(data=PREFIXES + text, format="turtle")))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:N . "
            "ex:N a sh:NodeShape ; sh:class ex:D .",
            id="sh:property-naming-a-node-shape",
        ),
        pytest.param(
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:P . "
            "ex:P a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 .",
            id="sh:node-naming-a-property-shape",
        ),
    ],
)
def test_a_shape_of_the_wrong_kind_is_left_to_pyshacl(text: str) -> None:
    assert _compile_text(text) is None


@pytest.mark.parametrize(
    "select",
    [
        pytest.param(
            "SELECT $this WHERE { $this <http://example.org/p> ?x . FILTER (?x = $currentShape) }",
            id="binds-currentShape",
        ),
        pytest.param(
            "SELECT $this ?failure WHERE { $this <http://example.org/q> ?failure }",
            id="reports-failure",
        ),
    ],
)
def test_a_sparql_rule_oxigraph_cannot_bind_is_run_by_pyshacl(select: str) -> None:
    """Only $this is bound in Oxigraph; ?failure has a meaning of its own in SHACL-SPARQL."""
    compiled = _compile_text(
        f'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "{select}" ] .'
    )
    assert compiled is not None
    [steps] = compiled._steps.values()
    assert [step.kind for step in steps] == ["leaf"]


def test_a_plain_sparql_rule_is_run_by_oxigraph() -> None:
    compiled = _compile_text(
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "'
        'SELECT $this WHERE { $this <http://example.org/s> ?x }" ] .'
    )
    assert compiled is not None
    [steps] = compiled._steps.values()
    assert [(step.kind, len(step.queries)) for step in steps] == [("sparql", 1)]


# -- rules the repository's shapes do not use yet, against pySHACL ----------------------------

CRAFTED_SHAPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:D ] ;
                sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] ;
  sh:property [ sh:path ex:q ; sh:node ex:Inner ] .
ex:Direct a sh:NodeShape ; sh:targetClass ex:C ; sh:nodeKind sh:BlankNode .
ex:Inner a sh:NodeShape ;
  sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <http://example.org/bad> ?value }" ] .
"""
CRAFTED_DATA = """@prefix ex: <http://example.org/> .
ex:two a ex:C ; ex:p ex:x, ex:y .
ex:x a ex:D . ex:y a ex:D .
ex:none a ex:C ; ex:p ex:z .
ex:one a ex:C ; ex:p ex:x ; ex:q ex:i, ex:fine .
ex:i <http://example.org/bad> "1" .
"""


def test_qualified_counts_and_a_nested_sparql_rule_give_pyshacls_report() -> None:
    """Too many (ex:two), too few (ex:none), exactly one (ex:one), a failing sh:node, and a
    rule right on a targeted node shape (sh:nodeKind), not inside a property shape."""
    import pyshacl
    from pyshacl.shapes_graph import ShapesGraph

    shapes = Graph().parse(data=PREFIXES + CRAFTED_SHAPES, format="turtle")
    data = Graph().parse(data=CRAFTED_DATA, format="turtle")
    compiled = compile_shapes(ShapesGraph(shapes))
    assert compiled is not None
    conforms, report = compiled.validate(prepared_data_graph(data))
    expected_conforms, expected, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none"
    )
    _assert_same(report, expected)
    assert conforms is expected_conforms is False
    components = sorted(
        str(c).rsplit("#", 1)[1] for c in report.objects(None, SH.sourceConstraintComponent)
    )
    assert components == [
        "NodeConstraintComponent",
        "NodeKindConstraintComponent",
        "NodeKindConstraintComponent",
        "NodeKindConstraintComponent",
        "QualifiedMaxCountConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "SPARQLConstraintComponent",  # the detail of the sh:node result
    ]
