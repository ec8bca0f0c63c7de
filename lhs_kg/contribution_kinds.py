"""The kinds of thing a contribution may describe, each with its class and its IRI folder.

A contribution describes one case study, one tool or one list of sources (#14); all travel
the same validated, reviewed path. Adding a kind here, with its shape and context terms,
makes it contributable.

>>> folder_of("https://w3id.org/lhs-kg/ontology/Tool")
'tool'
>>> folder_of("https://w3id.org/lhs-kg/ontology/Source") is None
True
"""

from __future__ import annotations

from rdflib import URIRef

from lhs_kg.namespaces import LHS

KINDS: dict[URIRef, tuple[str, str]] = {
    LHS.CaseStudy: ("case-study", "case study"),
    LHS.Tool: ("tool", "tool"),
    LHS.SourceList: ("source-list", "source list"),
}
"""Class of a contribution's subject → (IRI folder under the base, name for messages)."""


def folder_of(cls: str) -> str | None:
    """The IRI folder of contributions of class ``cls`` (None: not a contribution kind)."""
    kind = KINDS.get(URIRef(cls))
    return kind[0] if kind else None


def subject_classes() -> list[URIRef]:
    """The classes a contribution's one subject may have."""
    return list(KINDS)


__all__ = ["KINDS", "folder_of", "subject_classes"]
