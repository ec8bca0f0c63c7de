"""The contribution model as data: each kind (case study, source, …) and its ordered fields.

A :class:`Kind` is a SHACL node shape of ``shapes/data`` that targets a class or the objects of
a property; a :class:`Property` merges the property shapes of that kind with one ``sh:path``,
and carries the JSON key the context gives the path. Forms, pages, search, CSV and docs read
these instead of keeping their own lists of fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TEXT_TYPES = frozenset({XSD + "string", RDF + "langString"})
INTEGER_TYPES = frozenset({XSD + "integer", XSD + "nonNegativeInteger", XSD + "positiveInteger"})


@dataclass(frozen=True)
class Property:
    """One field of a kind: what the shapes and the context say about one property path."""

    kind: str
    key: str
    """The JSON key of the plain contribution format ('' when the context has none)."""
    iri: str
    shapes: tuple[str, ...]
    name: str
    description: str
    datatypes: frozenset[str]
    node_kind: str
    """``IRI``, ``BlankNodeOrIRI``, ``Literal``… (the local name of ``sh:nodeKind``) or ''."""
    min_count: int
    max_count: int | None
    required: bool
    """The shapes refuse a value of this kind without the field (a violation, not a warning)."""
    scheme: str | None
    """The concept scheme values come from (``…/concept/loop``), when the field is a choice."""
    allowed: tuple[str, ...]
    classes: tuple[str, ...]
    group: str
    group_label: str
    group_order: float
    order: float
    editor: str
    """A form hint of the shapes (``dash:editor``'s local name, e.g. ``TextAreaEditor``)."""
    target: str = ""
    """The kind the values are described by (``Outcome`` for ``lhs:hasOutcome``), if any."""

    @property
    def label(self) -> str:
        """The name people read (``sh:name``, else the key)."""
        return self.name or self.key or self.iri.rsplit("/", 1)[-1]

    @property
    def repeatable(self) -> bool:
        """True when the field takes more than one value."""
        return self.max_count is None or self.max_count > 1

    @property
    def value_type(self) -> str:
        """What a value is: text, year, date, integer, concept, resource (a node of its own) or
        literal."""
        if self.datatypes and self.datatypes <= TEXT_TYPES:
            return "text"
        if XSD + "gYear" in self.datatypes:
            return "year"
        if XSD + "date" in self.datatypes:
            return "date"
        if self.datatypes and self.datatypes <= INTEGER_TYPES:
            return "integer"
        if self.scheme is not None or self.allowed:
            return "concept"
        if self.target or self.node_kind in ("IRI", "BlankNodeOrIRI", "BlankNode"):
            return "resource"
        return "literal"

    @property
    def is_text(self) -> bool:
        """True for free text (a string, language tag allowed)."""
        return self.value_type == "text"


@dataclass(frozen=True)
class Kind:
    """A kind of thing contributions describe, with its fields in form order."""

    name: str
    shape: str
    label: str
    target_class: str | None
    target_objects_of: tuple[str, ...]
    properties: tuple[Property, ...]

    def __iter__(self) -> Iterator[Property]:
        return iter(self.properties)

    def get(self, key: str) -> Property:
        """The field with JSON key ``key`` (KeyError names the kind when there is none)."""
        for prop in self.properties:
            if prop.key == key:
                return prop
        raise KeyError(f"{self.name} has no field {key!r}")

    def by_iri(self, iri: str) -> Property | None:
        """The field whose path is ``iri``, if any."""
        return next((p for p in self.properties if p.iri == iri), None)

    def json_keys(self) -> list[str]:
        """The JSON keys of the fields, in order (fields without a key left out)."""
        return [p.key for p in self.properties if p.key]

    def of_type(self, *types: str) -> list[Property]:
        """The fields whose :attr:`Property.value_type` is one of ``types``, in order."""
        return [p for p in self.properties if p.value_type in types]


@dataclass(frozen=True, eq=False)
class Model:
    """Every kind of the shapes, by name (``CaseStudy``, ``Source``, ``Outcome`` …).

    Hashed by identity: a model is read once per process, so derived tables can be cached on it.
    """

    kinds: dict[str, Kind]

    def __getitem__(self, name: str) -> Kind:
        try:
            return self.kinds[name]
        except KeyError:
            known = ", ".join(sorted(self.kinds))
            raise KeyError(f"no kind {name!r} in the shapes (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.kinds

    def of_class(self, iri: str) -> list[Kind]:
        """The kinds that describe instances of the class ``iri`` (several shapes may)."""
        return [k for k in self.kinds.values() if k.target_class == iri]
