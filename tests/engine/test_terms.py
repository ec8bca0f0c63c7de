"""The one pyoxigraph <-> rdflib term converter (#13): terms survive the round trip both ways."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from lhs_kg.terms import to_oxigraph, to_rdflib

IRI = "https://w3id.org/lhs-kg/case-study/swedeheart"


@pytest.mark.parametrize(
    ("rdflib_term", "ox_term"),
    [
        pytest.param(URIRef(IRI), ox.NamedNode(IRI), id="iri"),
        pytest.param(BNode("n1"), ox.BlankNode("n1"), id="blank-node"),
        pytest.param(Literal("plain"), ox.Literal("plain"), id="plain-literal"),
        pytest.param(
            Literal("fika", lang="sv"), ox.Literal("fika", language="sv"), id="language-literal"
        ),
        pytest.param(
            Literal("2021", datatype=XSD.gYear),
            ox.Literal("2021", datatype=ox.NamedNode(str(XSD.gYear))),
            id="typed-literal",
        ),
        pytest.param(
            Literal('{"a": 1}', datatype=RDF.JSON),
            ox.Literal('{"a": 1}', datatype=ox.NamedNode(str(RDF.JSON))),
            id="json-literal",
        ),
        pytest.param(
            Literal("42", datatype=XSD.integer),
            ox.Literal("42", datatype=ox.NamedNode(str(XSD.integer))),
            id="integer-literal",
        ),
    ],
)
def test_round_trip(rdflib_term: URIRef | BNode | Literal, ox_term: ox.Literal) -> None:
    assert to_oxigraph(rdflib_term) == ox_term
    assert to_rdflib(ox_term) == rdflib_term
    assert to_rdflib(to_oxigraph(rdflib_term)) == rdflib_term
    assert to_oxigraph(to_rdflib(ox_term)) == ox_term


def test_xsd_string_from_the_store_equals_the_parsed_plain_literal() -> None:
    """Oxigraph types every simple literal ``xsd:string``; rdflib's parser leaves it untyped."""
    stored = ox.Literal("title", datatype=ox.NamedNode(str(XSD.string)))
    assert to_rdflib(stored) == Literal("title")


def test_blank_nodes_get_fresh_stable_labels_within_one_map() -> None:
    bnodes: dict[BNode, ox.BlankNode] = {}
    first, second = BNode(), BNode()
    assert to_oxigraph(first, bnodes) == ox.BlankNode("b0")
    assert to_oxigraph(second, bnodes) == ox.BlankNode("b1")
    assert to_oxigraph(first, bnodes) == ox.BlankNode("b0")


def test_quoted_triples_are_not_converted() -> None:
    """rdflib has no RDF-star term: a quoted triple raises, never turns into another term."""
    quoted = ox.Triple(ox.NamedNode(IRI), ox.NamedNode(str(RDF.type)), ox.NamedNode(IRI))
    with pytest.raises(TypeError):
        to_rdflib(quoted)


def test_an_invalid_iri_is_refused_by_oxigraph() -> None:
    with pytest.raises(ValueError):
        to_oxigraph(URIRef("not an iri"))
