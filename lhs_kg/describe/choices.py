"""What a named query's parameter may be set to, read from the knowledge base (#15).

A query page offers its parameters as lists of labelled things (concepts of a scheme, case
studies, sources, schemes, kinds of source) rather than asking for IRIs. Each choice carries the
short value the parameter accepts (an id such as ``1A`` or ``swedeheart``) and the label shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import SKOS, Reader, fallback_label, value
from lhs_kg.namespaces import LHS
from lhs_kg.queries import RESOURCE_TYPES, Parameter
from lhs_kg.sparql.binding import Row

OF_CLASS = sparql.text("describe/choices-of-class")
CONCEPTS = sparql.text("describe/choices-concepts")
SOURCE_KINDS = sparql.text("describe/choices-source-kinds")
_CLASSES = {
    "case-study": str(LHS.CaseStudy),
    "source": str(LHS.Source),
    "scheme": SKOS + "ConceptScheme",
}
_BIBO = "http://purl.org/ontology/bibo/"


@dataclass(frozen=True)
class Choice:
    """One value a parameter may take: what goes in the query string, and what people read."""

    value: str
    label: str
    group: str = ""


def choices(reader: Reader, param: Parameter) -> list[Choice]:
    """The values to offer for ``param``, by label; empty for free text, numbers and dates."""
    found = reader.memo(("param-choices", param.type), lambda: _choices(reader, param.type))
    return list(found)


def _choices(reader: Reader, kind: str) -> tuple[Choice, ...]:
    """The choices of a parameter type, computed once per published view."""
    base = reader.base_iri
    if kind.startswith("concept"):
        scheme = kind.partition(":")[2]
        bound: list[Row] = [{"scheme": ox.NamedNode(f"{base}concept/{scheme}")}] if scheme else []
        out = []
        namespace = base + "concept/"
        rows = reader.select(CONCEPTS, bound)
        # a concept in two schemes is listed once, under the scheme its IRI names (kept last)
        rows.sort(key=lambda r: value(r, "concept").startswith(value(r, "scheme") + "/"))
        for row in rows:
            iri = value(row, "concept")
            if not iri.startswith(namespace):
                continue
            local = iri[len(namespace) :]
            short = local.partition("/")[2] if scheme else local
            if not short or (scheme and "/" in short):
                continue
            label = value(row, "label")
            notation = value(row, "notation")
            shown = f"{notation} · {label}" if notation and notation != label else label
            out.append(Choice(short, shown, "" if scheme else value(row, "schemeLabel")))
        return _sorted(out)
    if kind in RESOURCE_TYPES:
        namespace = base + RESOURCE_TYPES[kind]
        rows = reader.select(OF_CLASS, [{"class": ox.NamedNode(_CLASSES[kind])}])
        out = [
            Choice(iri[len(namespace) :], value(row, "label") or iri[len(namespace) :])
            for row in rows
            if (iri := value(row, "item")).startswith(namespace) and len(iri) > len(namespace)
        ]
        return _sorted(out)
    if kind == "source-kind":
        kinds = (value(row, "kind") for row in reader.select(SOURCE_KINDS))
        return _sorted(
            Choice("bibo:" + iri[len(_BIBO) :], _capital(fallback_label(iri))) for iri in kinds
        )
    return ()


def _sorted(items: Iterable[Choice]) -> tuple[Choice, ...]:
    """One choice per value, grouped, then by label."""
    unique = {c.value: c for c in items}
    return tuple(sorted(unique.values(), key=lambda c: (c.group.lower(), c.label.lower())))


def _capital(text: str) -> str:
    """A label from the table of reused terms, capitalised for a list."""
    return text[:1].upper() + text[1:]
