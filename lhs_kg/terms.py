"""RDF terms between pyoxigraph (the store) and rdflib (parsing, pySHACL), converted in one place.

A literal typed ``xsd:string`` becomes rdflib's plain literal (RDF 1.1 makes them the same), so a
term read back from the store equals the one rdflib parsed. Quoted (RDF-star) triples have no rdflib
counterpart: converting one raises ``TypeError``.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = str(XSD.string)


def to_rdflib(term: object) -> URIRef | BNode | Literal:
    """The rdflib term for an Oxigraph IRI, blank node or literal (blank node labels kept).

    >>> to_rdflib(ox.Literal("fika", language="sv"))
    rdflib.term.Literal('fika', lang='sv')
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot copy {term!r} to rdflib")


def to_oxigraph(node: Node, bnodes: dict[BNode, ox.BlankNode] | None = None) -> OxTerm:
    """The Oxigraph term for an rdflib IRI, blank node or literal.

    With ``bnodes``, each rdflib blank node gets a fresh label (``b0``, ``b1``, …) kept in that
    map, so one graph's blank nodes stay distinct and stable; without it the label is kept.
    An invalid IRI or literal raises ``ValueError`` (from pyoxigraph).

    >>> to_oxigraph(URIRef("https://w3id.org/lhs-kg/ontology/aim"))
    <NamedNode value=https://w3id.org/lhs-kg/ontology/aim>
    """
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        if bnodes is None:
            return ox.BlankNode(str(node))
        if node not in bnodes:
            bnodes[node] = ox.BlankNode(f"b{len(bnodes)}")
        return bnodes[node]
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot copy {node!r} to Oxigraph")
