"""Facts precomputed once from ``ontology/``: the subclass closure and each concept's facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node


@dataclass
class Ontology:
    """Facts precomputed from ``ontology/``: closure of subclasses, concept facts, labels."""

    superclasses: dict[Node, set[Node]] = field(default_factory=dict)
    facts: dict[Node, list[tuple[Node, Node, Node]]] = field(default_factory=dict)
    members: dict[Node, list[Node]] = field(default_factory=dict)

    def types_with_supers(self, classes: Iterable[Node]) -> set[Node]:
        """The classes and all their superclasses."""
        out: set[Node] = set()
        for cls in classes:
            out.add(cls)
            out |= self.superclasses.get(cls, set())
        return out


def _load_ontology(ontology_dirs: tuple[Path, ...]) -> Ontology:
    graph = Graph()
    for path in (p for folder in ontology_dirs for p in sorted(folder.glob("*.ttl"))):
        graph.parse(path, format="turtle")
    direct: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct[sub].add(sup)
    onto = Ontology()
    for cls in list(direct):
        seen: set[Node] = set()
        stack = list(direct[cls])
        while stack:
            sup = stack.pop()
            if sup not in seen:
                seen.add(sup)
                stack.extend(direct.get(sup, ()))
        onto.superclasses[cls] = seen
    facts: dict[Node, set[tuple[Node, Node, Node]]] = defaultdict(set)
    for subject in set(graph.subjects(SKOS.inScheme)) | set(graph.subjects(SKOS.topConceptOf)):
        schemes = set(graph.objects(subject, SKOS.inScheme))
        schemes |= set(graph.objects(subject, SKOS.topConceptOf))
        for scheme in schemes:
            facts[subject].add((subject, SKOS.inScheme, scheme))
            onto.members.setdefault(scheme, []).append(subject)
        for broader in graph.objects(subject, SKOS.broader):
            facts[subject].add((subject, SKOS.broader, broader))
        for cls in onto.types_with_supers(graph.objects(subject, RDF.type)):
            facts[subject].add((subject, RDF.type, cls))
    onto.facts = {node: sorted(triples) for node, triples in facts.items()}
    for members in onto.members.values():
        members.sort(key=str)
    return onto
