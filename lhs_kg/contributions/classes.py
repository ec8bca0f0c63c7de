"""Typing what a contribution describes, so accepted content reads exactly like curated content.

Contributors seldom write a type on a nested object (``"organisation": {"name": …}``), and a new
source carries its bibo kind but not ``lhs:Source``. The data shapes already say which class a
node described at a given place belongs to: a node shape with ``sh:targetClass C`` and
``sh:targetObjectsOf p`` means "what ``p`` points to is a ``C``". Those pairs are read from the
shapes (not listed here) and applied to every node the submission describes. Members of an
author or editor list without a type are ``foaf:Person`` (docs/MODEL.md).
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, RDF, SH

from lhs_kg.namespaces import BIBO

_PEOPLE_LISTS = (BIBO.authorList, BIBO.editorList)


def typing_rules(shapes: Graph) -> list[tuple[URIRef, URIRef]]:
    """(predicate, class) pairs: a node shape targeting the class and the predicate's objects."""
    rules: set[tuple[URIRef, URIRef]] = set()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        classes = [c for c in shapes.objects(shape, SH.targetClass) if isinstance(c, URIRef)]
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            if isinstance(predicate, URIRef):
                rules.update((predicate, cls) for cls in classes)
    return sorted(rules)


def add_types(graph: Graph, rules: list[tuple[URIRef, URIRef]]) -> int:
    """Type every described node the rules place; returns how many types were added."""
    described = {s for s, p, _o in graph if p != RDF.type}
    added = 0
    for predicate, cls in rules:
        for node in list(graph.objects(None, predicate)):
            if node in described and (node, RDF.type, cls) not in graph:
                graph.add((node, RDF.type, cls))
                added += 1
    for predicate in _PEOPLE_LISTS:
        for head in list(graph.objects(None, predicate)):
            if not isinstance(head, BNode | URIRef):
                continue
            for member in Collection(graph, head):
                if member in described and (member, RDF.type, None) not in graph:
                    graph.add((member, RDF.type, FOAF.Person))
                    added += 1
    return added
