"""A parsed submission (:class:`Document`), its notes, and the map back to the keys written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from lhs_kg.documents.context import Context, TermDef, expand_value
from lhs_kg.namespaces import PREFIXES


@dataclass(frozen=True)
class Note:
    """Something wrong with the document itself (an unknown key, a value JSON-LD would drop)."""

    severity: str
    path: str
    message: str
    value: str | None = None
    hint: str = ""


@dataclass
class Document:
    """A parsed submission: its triples and, for JSON/YAML input, where each node came from."""

    graph: Graph
    name: str
    format: str
    notes: list[Note] = field(default_factory=list)
    node_paths: dict[Node, str] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)
    context: Context | None = field(default=None, repr=False, compare=False)
    """The JSON-LD context a JSON/YAML submission was read with (the configured one)."""

    @property
    def keyed(self) -> bool:
        """True when fields can be named by the JSON key paths the contributor wrote."""
        return self.format in ("json", "yaml", "jsonld")

    def subjects(self) -> set[Node]:
        """Every node the submission says something about."""
        return set(self.graph.subjects())

    def path_of(self, node: Node) -> str | None:
        """The JSON key path of the object that became ``node`` ('' for the top object)."""
        return self.node_paths.get(node)

    def field_of(
        self, focus: Node, predicate: URIRef | None, value: Node | None
    ) -> tuple[str, Any]:
        """The field as the contributor wrote it, and the raw value they wrote (when found)."""
        if predicate is None:
            path = self.node_paths.get(focus)
            return (path if path else "(top)") if path is not None else "", None
        context = self.context
        if not self.keyed or focus not in self.node_paths or context is None:
            return prefixed(predicate), None
        base_path = self.node_paths[focus]
        obj = self.objects.get(base_path, {})
        key = (
            "type"
            if predicate == RDF.type
            else next((k for k in obj if context.expand(k) == str(predicate)), None)
        )
        if key is None:
            key = context.by_iri.get(str(predicate), prefixed(predicate))
        path = f"{base_path}.{key}" if base_path else key
        raw = obj.get(key)
        if value is None or raw is None:
            return path, raw
        items = raw if isinstance(raw, list) else [raw]
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]" if isinstance(raw, list) else path
            term = context.terms.get(key)
            if self._matches(item, item_path, term, value, self.bases.get(base_path, "")):
                return item_path, item
        return path, None

    def _matches(
        self, item: Any, item_path: str, term: TermDef | None, value: Node, base: str
    ) -> bool:
        if isinstance(item, dict):
            return self.node_paths.get(value) == item_path
        if isinstance(value, URIRef) and term is not None:
            return expand_value(term, item, base) == str(value)
        if isinstance(value, Literal):
            return _lexical(item) == str(value)
        return False


def prefixed(iri: Node) -> str:
    """A short form of an IRI with our prefixes ('dcterms:title'), or the IRI in angle brackets."""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and "/" not in text[len(namespace) :]:
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def _lexical(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)
