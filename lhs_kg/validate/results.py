"""pySHACL's results made readable: the field, value and focus a person knows, and the graph."""

from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from lhs_kg.documents import Document, prefixed
from lhs_kg.validate.report import Report

_LABELS = (
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://xmlns.com/foaf/0.1/name"),
    RDFS.label,
    SKOS.prefLabel,
)


def _id_field(document: Document, focus: Node) -> str:
    """Where the contributor wrote a node's id: ``id``, ``sources[1].id``; ``IRI`` in RDF."""
    path = document.path_of(focus)
    if path is None:
        return "id" if document.keyed else "IRI"
    return f"{path}.id" if path else "id"


def _short(shape: Node | None) -> str:
    if shape is None:
        return ""
    text = str(shape)
    return text.rsplit("/", 1)[-1] if isinstance(shape, URIRef) else ""


_MAX_SHOWN = 200
"""Values longer than this are shortened in reports (a 5,000-digit literal stays readable)."""


def _show(raw: Any, value: Node | None) -> str | None:
    if raw is not None and not isinstance(raw, dict | list):
        return _shortened(raw if isinstance(raw, str) else json.dumps(raw))
    if value is None or isinstance(value, BNode):
        return None
    return _shortened(str(value))


def _shortened(text: str) -> str:
    if len(text) <= _MAX_SHOWN:
        return text
    return f"{text[: _MAX_SHOWN - 20]}… ({len(text):,} characters)"


def _focus_label(document: Document, focus: Node, kind: str) -> str:
    label = next((str(o) for p in _LABELS for o in document.graph.objects(focus, p)), None)
    where = document.path_of(focus)
    if where is not None:
        place = where or "the top level"
    elif isinstance(focus, BNode):
        place = "an unnamed node"
    else:
        place = prefixed(focus)
    text = f"{kind} " if kind else ""
    if label:
        return f'{text}"{label}" ({place})'
    return f"{text}at {place}" if where is not None else f"{text}{place}"


def _report_graph(results: Graph, report: Report, subjects: set[Node]) -> Graph:
    """A SHACL validation report holding only the results about the submission, and the notes."""
    graph = Graph()
    for prefix, namespace in results.namespaces():
        graph.bind(prefix, namespace)
    graph.bind("sh", SH)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    kept = [
        r for r in results.objects(None, SH.result) if results.value(r, SH.focusNode) in subjects
    ]
    for result in kept:
        graph.add((node, SH.result, result))
        _copy_description(results, graph, result)
    conforms = not any(results.value(r, SH.resultSeverity) == SH.Violation for r in kept)
    conforms = conforms and not any(n.severity == "violation" for n in report.issues)
    graph.add((node, SH.conforms, Literal(conforms)))
    return graph


def _copy_description(source: Graph, target: Graph, node: Node) -> None:
    stack = [node]
    seen: set[Node] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode):
                stack.append(o)
