"""A submitted document made the content graph of a version: envelope, stable IRIs, quads."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from lhs_kg.contribution_kinds import subject_classes
from lhs_kg.contributions.model import (
    CC_BY_4,
    DCT,
    FOAF,
    OWL,
    RDF,
    RDFS,
    Contributor,
)
from lhs_kg.documents import Document
from lhs_kg.errors import InputError
from lhs_kg.namespaces import LHS
from lhs_kg.terms import to_oxigraph


class _Person:
    def __init__(
        self, iri: str, name: str, email: str, orcid: str, licence: str, node: Node | None
    ) -> None:
        self.iri, self.name, self.email, self.orcid = iri, name, email, orcid
        self.licence, self.node = licence, node


def _case_studies(graph: Graph) -> list[Node]:
    """The subjects a contribution describes: case studies, tools, source lists (#14)."""
    kinds = subject_classes()
    return sorted({s for k in kinds for s in graph.subjects(URIRef(RDF + "type"), k)}, key=str)


def _fill_envelope(
    graph: Graph, subject: Node, contributor: Contributor | None, licence: str | None
) -> None:
    """Add the contributor and the licence given beside the document, unless it has its own."""
    if contributor is not None and (subject, URIRef(DCT + "contributor"), None) not in graph:
        person = BNode()
        graph.add((subject, URIRef(DCT + "contributor"), person))
        graph.add((person, URIRef(FOAF + "name"), Literal(contributor.name)))
        graph.add((person, URIRef(FOAF + "mbox"), URIRef(f"mailto:{contributor.email}")))
        if contributor.orcid:
            graph.add((person, URIRef(OWL + "sameAs"), URIRef(contributor.orcid)))
    if licence and (subject, URIRef(DCT + "license"), None) not in graph:
        graph.add((subject, URIRef(DCT + "license"), URIRef(licence)))


def _skolemise(document: Document, subject: Node, iri: str, base: str) -> Graph:
    """Give the case study, its assessment, ratings, outcomes and contributor stable IRIs.

    Names follow docs/MODEL.md (``<case>/assessment``, ``<case>/rating/<domain>``,
    ``<case>/outcome/<n>``) so versions of a case study line up in diffs and per-claim provenance.
    """
    graph = document.graph
    names: dict[Node, URIRef] = {subject: URIRef(iri)}

    def bnode_objects(node: Node, prop: str) -> list[Node]:
        found = [o for o in graph.objects(node, LHS[prop]) if isinstance(o, BNode)]
        return sorted(found, key=lambda o: _path_key(document.path_of(o), o))

    for assessment in bnode_objects(subject, "hasAssessment")[:1]:
        names[assessment] = URIRef(f"{iri}/assessment")
        used: set[str] = set()
        for rating in bnode_objects(assessment, "hasRating"):
            domain = graph.value(rating, LHS.ratesSubdomain) or graph.value(rating, LHS.ratesDomain)
            key = str(domain).rsplit("/", 1)[-1] if domain is not None else "rating"
            key = re.sub(r"[^A-Za-z0-9-]", "", key) or "rating"
            candidate, count = key, 1
            while candidate in used:
                count += 1
                candidate = f"{key}-{count}"
            used.add(candidate)
            names[rating] = URIRef(f"{iri}/rating/{candidate}")
    for index, outcome in enumerate(bnode_objects(subject, "hasOutcome"), 1):
        names[outcome] = URIRef(f"{iri}/outcome/{index}")
    out = Graph()
    mbox = URIRef(FOAF + "mbox")
    for s, p, o in graph:
        if p == mbox:
            continue  # e-mail addresses stay in the registry, out of the public content
        out.add((names.get(s, s), p, names.get(o, o)))
    label = URIRef(RDFS + "label")
    for node in set(out.subjects()):  # MODEL.md: resources carry an rdfs:label
        if isinstance(node, URIRef) and (node, label, None) not in out:
            for prop in (DCT + "title", FOAF + "name"):
                name = out.value(node, URIRef(prop))
                if name is not None:
                    out.add((node, label, name))
                    break
    _label_assessment(out, URIRef(iri), names)
    return out


def _label_assessment(out: Graph, case: URIRef, names: dict[Node, URIRef]) -> None:
    """Name the assessment and its ratings as the curated case studies do (MODEL.md: every
    resource carries an rdfs:label), so a page never shows a contributed rating as a bare IRI."""
    label = URIRef(RDFS + "label")
    title = out.value(case, label)
    if title is None:
        return
    language = title.language if isinstance(title, Literal) else None
    for node in set(names.values()):
        if node == case or (node, label, None) in out:
            continue
        if (case, LHS.hasAssessment, node) in out:
            text = f"NASSS complexity assessment of {title}"
        elif (None, LHS.hasRating, node) in out:
            text = f"{title}: {_rated(out, node)}"
        else:
            continue
        out.add((node, label, Literal(text, lang=language)))


def _rated(out: Graph, rating: URIRef) -> str:
    """What a rating rates, in words: "NASSS domain 2", "NASSS subdomain 1A" or "NASSS rating"."""
    for prop, word in ((LHS.ratesSubdomain, "subdomain"), (LHS.ratesDomain, "domain")):
        rated = out.value(rating, prop)
        if rated is not None:
            key = re.sub(r"[^A-Za-z0-9-]", "", str(rated).rsplit("/", 1)[-1])
            if key:
                return f"NASSS {word} {key}"
    return "NASSS rating"


def _path_key(path: str | None, node: Node) -> tuple[list[Any], str]:
    parts: list[Any] = [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", path or "")]
    return parts, str(node)


def _person(graph: Graph, subject: Node, base: str) -> _Person:
    """The contributor named in the document, with a stable IRI (ORCID-based, else random)."""
    node = graph.value(subject, URIRef(DCT + "contributor"))
    licence = str(graph.value(subject, URIRef(DCT + "license")) or CC_BY_4)

    def first(prop: str) -> str:
        return str(graph.value(node, URIRef(prop)) or "") if node is not None else ""

    orcid = first(OWL + "sameAs")
    if orcid:
        iri = f"{base}person/orcid-{orcid.rsplit('/', 1)[-1]}"
    else:
        iri = f"{base}person/{secrets.token_hex(8)}"
    email = first(FOAF + "mbox").removeprefix("mailto:")
    return _Person(iri, first(FOAF + "name"), email, orcid, licence, node)


def _rename(graph: Graph, node: Node | None, iri: URIRef) -> None:
    """Replace a node by an IRI everywhere in a graph."""
    if node is None or node == iri:
        return
    for s, p, o in list(graph.triples((node, None, None))):
        graph.remove((s, p, o))
        graph.add((iri, p, o))
    for s, p, o in list(graph.triples((None, None, node))):
        graph.remove((s, p, o))
        graph.add((s, p, iri))


def _content_quads(graph: Graph, target: str) -> list[ox.Quad]:
    name = ox.NamedNode(target)
    bnodes: dict[BNode, ox.BlankNode] = {}

    def term(node: Node) -> Any:
        return to_oxigraph(node, bnodes)

    try:
        return [ox.Quad(term(s), term(p), term(o), name) for s, p, o in graph]
    except TypeError as err:
        raise InputError(f"unsupported term in a submission: {err}") from None
    except ValueError as err:
        raise InputError(f"the submission holds an invalid IRI or literal: {err}") from None
