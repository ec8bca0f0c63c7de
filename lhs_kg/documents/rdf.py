"""Turtle, N-Triples and RDF/XML read with pyoxigraph into rdflib (no DOCTYPE, no entities)."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from lhs_kg.documents.limits import _too_many_triples
from lhs_kg.documents.model import Document
from lhs_kg.errors import InputError, ParseError
from lhs_kg.formats import ox_rdf, rdf_format
from lhs_kg.namespaces import PREFIXES
from lhs_kg.terms import to_rdflib

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _from_rdf(
    raw: bytes, label: str, kind: str, base_iri: str, max_triples: int | None
) -> Document:
    if kind == "rdfxml" and _DOCTYPE.search(raw):
        raise InputError(
            f"{label}: RDF/XML with a DOCTYPE or ENTITY declaration is not accepted "
            "(it could read files or reach the network)"
        )
    graph = Graph()
    try:
        quads = ox.parse(raw, format=ox_rdf(rdf_format(kind)), base_iri=f"{base_iri}case-study/")
        for count, quad in enumerate(quads, 1):
            if max_triples is not None and count > max_triples:
                raise _too_many_triples(label, max_triples)
            graph.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    except SyntaxError as err:
        raise ParseError(
            str(err.msg or err), source=label, line=err.lineno, column=err.offset
        ) from None
    except ValueError as err:
        raise ParseError(str(err), source=label) from None
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return Document(graph, label, kind)


def _term(term: Any) -> Any:
    """The rdflib term (``lhs_kg.terms``); a quoted triple is refused as input."""
    try:
        return to_rdflib(term)
    except TypeError:
        raise InputError("RDF-star triples are not accepted in a submission") from None
