"""Reading the model from the shapes (``shapes/data/*.shapes.ttl``) and the JSON-LD context.

One pass over the shapes graph: a node shape with ``sh:property`` and a target is a kind; its
property shapes are grouped by ``sh:path`` (two shapes of one path, a rule and a reminder, make
one field), ordered by ``sh:order`` and then by shape IRI so the order never depends on parsing.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from lhs_kg.config import Settings
from lhs_kg.documents import Context, load_context
from lhs_kg.model.kinds import Kind, Model, Property

DASH = "http://datashapes.org/dash#"
CONCEPT_PATH = "/concept/"


def _number(node: Node | None, default: float = 0) -> float:
    """A numeric literal of the shapes as a number (``default`` when absent or not a number)."""
    try:
        return float(str(node)) if node is not None else default
    except ValueError:
        return default


def _text(graph: Graph, node: Node, prop: URIRef) -> str:
    """The English (or untagged) text of ``prop`` on ``node``; '' when there is none."""
    values = list(graph.objects(node, prop))
    for value in values:
        if getattr(value, "language", None) in (None, "en"):
            return str(value)
    return str(values[0]) if values else ""


def _members(graph: Graph, head: Node | None) -> list[str]:
    """The members of an RDF list (``sh:in``), as strings."""
    out: list[str] = []
    while head is not None and head != RDF.nil and len(out) < 10_000:
        first = graph.value(head, RDF.first)
        if first is not None:
            out.append(str(first))
        head = graph.value(head, RDF.rest)
    return out


def _scheme(graph: Graph, shape: Node) -> str | None:
    """The concept scheme a property's values come from: its value shape's ``skos:inScheme``
    value, or else the scheme of the first member of the value shape's ``sh:in`` list."""
    for helper in graph.objects(shape, SH.node):
        for inner in graph.objects(helper, SH.property):
            if graph.value(inner, SH.path) == SKOS.inScheme:
                value = graph.value(inner, SH.hasValue)
                if value is not None:
                    return str(value)
        schemes = {m.rsplit("/", 1)[0] for m in _members(graph, graph.value(helper, SH["in"]))}
        if len(schemes) == 1 and CONCEPT_PATH in next(iter(schemes)) + "/":
            return schemes.pop()  # one scheme's members; a list across schemes names none
    return None


def _allowed(graph: Graph, shape: Node) -> tuple[str, ...]:
    """The closed list of values a property shape names itself (``sh:in``, also qualified)."""
    found = _members(graph, graph.value(shape, SH["in"]))
    for qualified in graph.objects(shape, SH.qualifiedValueShape):
        found += _members(graph, graph.value(qualified, SH["in"]))
    return tuple(dict.fromkeys(found))


def _datatypes(graph: Graph, shape: Node) -> frozenset[str]:
    """``sh:datatype`` of the shape, or the datatypes of an ``sh:or`` of datatype shapes."""
    found = {str(d) for d in graph.objects(shape, SH.datatype)}
    for alternatives in graph.objects(shape, SH["or"]):
        head: Node | None = alternatives
        while head is not None and head != RDF.nil:
            member = graph.value(head, RDF.first)
            if member is not None:
                found |= {str(d) for d in graph.objects(member, SH.datatype)}
            head = graph.value(head, RDF.rest)
    return frozenset(found)


def _local(node: Node | None) -> str:
    text = str(node) if node is not None else ""
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _type_alias(context: Context) -> str:
    """The key the context gives ``@type`` (``type``): the JSON key of an ``rdf:type`` path."""
    raw = context.data.get("@context", {})
    return next((k for k, v in raw.items() if v == "@type"), "")


def _property(graph: Graph, context: Context, kind: str, shapes: list[Node]) -> Property:
    """One field from the property shapes of one path, the first (by order) naming it."""
    first = shapes[0]
    path = str(graph.value(first, SH.path))
    group = graph.value(first, SH.group)
    max_counts = [int(_number(m)) for s in shapes for m in graph.objects(s, SH.maxCount)]
    datatypes: frozenset[str] = frozenset().union(*(_datatypes(graph, s) for s in shapes))
    scheme = next((x for x in (_scheme(graph, s) for s in shapes) if x), None)
    return Property(
        kind=kind,
        key=context.by_iri.get(path, "") or (_type_alias(context) if path == str(RDF.type) else ""),
        iri=path,
        shapes=tuple(str(s) for s in shapes),
        name=_text(graph, first, SH.name),
        description=_text(graph, first, SH.description),
        datatypes=datatypes,
        node_kind=next((_local(n) for s in shapes for n in graph.objects(s, SH.nodeKind)), "")
        or (
            "IRI"
            if any(isinstance(v, URIRef) for s in shapes for v in graph.objects(s, SH.hasValue))
            else ""
        ),
        min_count=int(_number(graph.value(first, SH.minCount))),
        max_count=min(max_counts) if max_counts else None,
        required=any(
            _number(graph.value(s, SH.minCount)) > 0
            and graph.value(s, SH.severity) in (None, SH.Violation)
            for s in shapes
        ),
        scheme=scheme,
        allowed=tuple(dict.fromkeys(a for s in shapes for a in _allowed(graph, s))),
        classes=tuple(dict.fromkeys(str(c) for s in shapes for c in graph.objects(s, SH["class"]))),
        group=str(group) if group is not None else "",
        group_label=_text(graph, group, RDFS.label) if group is not None else "",
        group_order=_number(graph.value(group, SH.order), 99.0) if group is not None else 99.0,
        order=_number(graph.value(first, SH.order)),
        editor=next(
            (_local(e) for s in shapes for e in graph.objects(s, URIRef(DASH + "editor"))), ""
        ),
    )


def model_from_graph(graph: Graph, context: Context) -> Model:
    """The kinds of a parsed shapes graph, their fields keyed by ``context``."""
    kinds: dict[str, Kind] = {}
    for node in sorted(set(graph.subjects(SH.property)), key=str):
        target_class = graph.value(node, SH.targetClass)
        objects_of = tuple(sorted(str(p) for p in graph.objects(node, SH.targetObjectsOf)))
        if not isinstance(node, URIRef) or (target_class is None and not objects_of):
            continue  # a value shape (``shd:in-loop-scheme``), not a kind
        name = _local(node)
        by_path: dict[str, list[Node]] = {}
        members = sorted(
            graph.objects(node, SH.property),
            key=lambda s: (_number(graph.value(s, SH.order)), str(s)),
        )
        for shape in members:
            path = graph.value(shape, SH.path)
            if isinstance(path, URIRef):  # simple paths only: the format has no other
                by_path.setdefault(str(path), []).append(shape)
        kinds[name] = Kind(
            name=name,
            shape=str(node),
            label=_text(graph, node, RDFS.label) or name,
            target_class=str(target_class) if target_class is not None else None,
            target_objects_of=objects_of,
            properties=tuple(
                sorted(
                    (_property(graph, context, name, s) for s in by_path.values()),
                    key=lambda p: (p.group_order, p.order, p.shapes[0]),
                )
            ),
        )
    return Model(_link_targets(kinds))


def _link_targets(kinds: dict[str, Kind]) -> dict[str, Kind]:
    """Each field's :attr:`Property.target`: the kind describing the values it points at."""
    by_path = {p: k.name for k in kinds.values() for p in k.target_objects_of}
    by_class = {k.target_class: k.name for k in kinds.values() if k.target_class}
    out: dict[str, Kind] = {}
    for name, kind in kinds.items():
        props = []
        for prop in kind.properties:
            target = by_path.get(prop.iri) or next(
                (by_class[c] for c in prop.classes if c in by_class), ""
            )
            props.append(replace(prop, target=target))
        out[name] = Kind(
            kind.name,
            kind.shape,
            kind.label,
            kind.target_class,
            kind.target_objects_of,
            tuple(props),
        )
    return out


@functools.cache
def _load(shapes_dirs: tuple[Path, ...], context_path: Path) -> Model:
    graph = Graph()
    for path in (p for folder in shapes_dirs for p in sorted(folder.glob("*.shapes.ttl"))):
        graph.parse(path, format="turtle")
    return model_from_graph(graph, load_context(context_path))


def load_model(settings: Settings | None = None) -> Model:
    """The model of the configured shapes (``shapes/data``) and context, read once per process."""
    settings = settings or Settings()
    shapes = tuple(folder / "data" for folder in settings.content_dirs("shapes"))
    return _load(shapes, settings.context_file)
