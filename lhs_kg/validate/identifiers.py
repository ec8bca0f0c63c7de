"""The id rule of the contribution engine: what a submission describes is named under our base IRI.

The same rule is in ``shapes/data/identifiers.shapes.ttl`` so any SHACL engine refuses such a
document; it is applied again here, with the configured base IRI, so a fork that edits the shapes
(or runs under another base) cannot store a case study at ``../../etc/passwd`` or at another
site's address.

>>> base = "https://w3id.org/lhs-kg/"
>>> slug_problem(base + "case-study/my-network", base, "case-study")
>>> slug_problem("https://evil.example/cs", base, "case-study")
'is not under https://w3id.org/lhs-kg/case-study/'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from lhs_kg.documents import Document
from lhs_kg.namespaces import BIBO, LHS
from lhs_kg.validate.report import Issue

MAX_SLUG_CHARS = 80
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")
_SOURCE_TYPES = {
    LHS.Source,
    BIBO.AcademicArticle,
    BIBO.Book,
    BIBO.BookSection,
    BIBO.Report,
    BIBO.Webpage,
}
_KINDS = (
    ("case-study", "case study", "my-initiative"),
    ("tool", "tool", "my-tool"),
    ("source-list", "source list", "my-references"),
    ("source", "source", "smith-2023"),
    ("organisation", "organisation", "my-hospital"),
)


def slug_problem(iri: str, base: str, kind: str) -> str | None:
    """Why ``iri`` is not ``<base><kind>/<slug>`` (None when it is)."""
    namespace = f"{base}{kind}/"
    if not iri.startswith(namespace):
        return f"is not under {namespace}"
    slug = iri[len(namespace) :]
    if len(slug) > MAX_SLUG_CHARS:
        return f"is longer than {MAX_SLUG_CHARS} characters"
    if not SLUG.fullmatch(slug):
        return "is not a short name of lower-case letters, digits and hyphens"
    return None


def _described(document: Document, node: Node) -> bool:
    return any(p != RDF.type for p in document.graph.predicates(node, None))


def _kind_of(document: Document, node: URIRef) -> str | None:
    graph = document.graph
    types = set(graph.objects(node, RDF.type))
    if LHS.CaseStudy in types:
        return "case-study"
    if LHS.SourceList in types:
        return "source-list"
    if LHS.Tool in types or (None, LHS.usesTool, node) in graph:
        return "tool"
    if types & _SOURCE_TYPES or (None, _DCT_SOURCE, node) in graph:
        return "source"
    if LHS.Organisation in types or (None, LHS.organisation, node) in graph:
        return "organisation"
    return None


def _field(document: Document, node: Node) -> str:
    path = document.path_of(node)
    if path is None:
        return "id" if document.keyed else "IRI"
    return f"{path}.id" if path else "id"


def identifier_issues(document: Document, base: str, known: Iterable[Issue] = ()) -> list[Issue]:
    """A violation for every described case study, source or organisation named outside its slug,
    and for anything else the document describes outside the base IRI.

    Issues the shapes already reported for the same field are not repeated.
    """
    reported = {(issue.field, issue.focus_node) for issue in known if issue.severity == "violation"}
    issues: list[Issue] = []
    for node in sorted(set(document.graph.subjects()), key=str):
        if isinstance(node, BNode) or not isinstance(node, URIRef):
            continue
        kind = _kind_of(document, node)
        where = _field(document, node)
        if kind is None:
            if _described(document, node) and not str(node).startswith(base):
                issues.append(_elsewhere(node, where, base))
            continue
        if kind not in ("case-study", "tool", "source-list") and not _described(document, node):
            continue
        problem = slug_problem(str(node), base, kind)
        if problem is None or (where, str(node)) in reported:
            continue
        label = next(text for name, text, _ in _KINDS if name == kind)
        example = next(ex for name, _, ex in _KINDS if name == kind)
        issues.append(
            Issue(
                "violation",
                f"{label} {node}",
                where,
                f"The {label}'s id {problem}: an id must be a short name of lower-case letters, "
                f"digits and hyphens (at most {MAX_SLUG_CHARS} characters) under {base}{kind}/.",
                value=str(node),
                hint=f'For example "id": "{example}".',
                constraint="identifier",
                focus_node=str(node),
            )
        )
    return issues


def _elsewhere(node: URIRef, where: str, base: str) -> Issue:
    return Issue(
        "violation",
        str(node),
        where,
        f"A contribution describes its case study and what belongs to it, all under {base}; "
        f"it cannot say things about {node}.",
        value=str(node),
        hint="Leave this resource out, or refer to it from a field such as a source's url.",
        constraint="identifier",
        focus_node=str(node),
    )


__all__ = ["MAX_SLUG_CHARS", "SLUG", "identifier_issues", "slug_problem"]
