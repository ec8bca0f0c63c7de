"""Prefixes we use everywhere, and the terms of our ontology as a closed namespace (typos fail).

``LHS`` is generated from ``ontology/lhs.ttl`` (``lhs_kg.ontology_terms``); a test keeps them equal.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
)

from lhs_kg.ontology_terms import LHS as LHS  # re-exported: the one name code uses

BASE = "https://w3id.org/lhs-kg/"
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("https://schema.org/")


PREFIXES: dict[str, str] = {
    "lhs": str(LHS._NS),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "bibo": str(BIBO),
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sh": str(SH),
}


DISPLAY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "cs": BASE + "case-study/",
    "src": BASE + "source/",
    "org": BASE + "organisation/",
    "lhsc": BASE + "concept/",
    "graph": BASE + "graph/",
}
"""For showing IRIs to people only: ``lhsc:nasss/4`` is readable but not valid Turtle."""
