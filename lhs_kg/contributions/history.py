"""Versions of a case study, readable diffs between two of them, and per-claim provenance.

A case study's history is its curated file (if any) followed by its contribution versions. A diff
compares two version graphs triple by triple (blank nodes matched by rdflib's canonical labelling)
and renders each triple with labels. Claim provenance says, for each statement of the published
case study, which graph holds it and what the registry records about that graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.term import Node

from lhs_kg.contributions.engine import Contributions
from lhs_kg.contributions.model import DCT, LHS, PUBLISHED, Version
from lhs_kg.describe.base import LABEL_PROPERTIES, LabelBook, fallback_label
from lhs_kg.graphs import graph_prefix, published_graphs

_LABELS = (
    "SELECT ?s ?lp ?l WHERE { ?s ?lp ?l . VALUES ?lp { "
    + " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    + " } }"
)
_CLAIMS = f"""
SELECT DISTINCT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{
    {{ ?subject ?p ?o . BIND(?subject AS ?s) }}
    UNION {{ ?subject ?p1 ?s . ?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?subject))) }}
    UNION {{ ?subject <{LHS}hasAssessment> ?a . ?a <{LHS}hasRating> ?s . ?s ?p ?o }}
  }}
}}
"""
_SOURCES = f"SELECT ?s ?src WHERE {{ ?s <{DCT}source> ?src }}"


@dataclass(frozen=True)
class Entry:
    """One version in a case study's history (``graph`` is what :func:`diff` compares)."""

    graph: str
    label: str
    state: str
    date: str
    contributor: str
    version: Version | None = None


@dataclass(frozen=True)
class Change:
    """One triple added or removed, with labels for reading."""

    sign: str
    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str
    is_literal: bool


@dataclass
class Diff:
    """What changed from ``old`` to ``new``: removed and added triples, with labels."""

    old: str
    new: str
    removed: list[Change] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the two versions say the same thing."""
        return not self.removed and not self.added


@dataclass(frozen=True)
class Claim:
    """One published statement and where it came from."""

    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str
    graph: str
    origin: str
    contributor: str
    date: str
    state: str
    sources: tuple[str, ...]


def history(contributions: Contributions, subject: str) -> list[Entry]:
    """The curated file (if any) then every contribution version of a case study, oldest first."""
    entries: list[Entry] = []
    curated = contributions.curated_graph(subject)
    if curated:
        rel = curated[len(graph_prefix(contributions.settings)) :]
        state = _registry_state(contributions, curated) or PUBLISHED
        entries.append(Entry(curated, f"curated file {rel}", state, "", "curators"))
    for version in contributions.versions(subject=subject):
        entries.append(
            Entry(
                version.graph,
                f"version {version.number}",
                version.state,
                version.submitted,
                version.contributor_name,
                version,
            )
        )
    return entries


def _registry_state(contributions: Contributions, graph: str) -> str:
    rows = contributions.kb.store.query(
        f"SELECT ?state WHERE {{ ?g <{LHS}reviewState> ?state }}",
        bindings={"g": ox.NamedNode(graph)},
        union=False,
        default_graphs=[contributions.registry],
    ).rows()
    return rows[0]["state"].value.rsplit("/", 1)[-1] if rows else ""


def current_published(contributions: Contributions, subject: str) -> str | None:
    """The graph that currently publishes a case study (a version or the curated file)."""
    for entry in reversed(history(contributions, subject)):
        if entry.state == PUBLISHED:
            return entry.graph
    return None


def _rdflib(triples: Iterable[ox.Triple]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((_node(t.subject), _node(t.predicate), _node(t.object)))
    return graph


def _node(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def diff(contributions: Contributions, old: str | None, new: str) -> Diff:
    """Triples removed and added from graph ``old`` (None: nothing) to graph ``new``."""
    before = _rdflib(contributions.content(old)) if old else Graph()
    after = _rdflib(contributions.content(new))
    _both, removed, added = graph_diff(to_isomorphic(before), to_isomorphic(after))
    labels = _labels(contributions, [before, after])
    result = Diff(old or "", new)
    result.removed = _changes("-", removed, labels)
    result.added = _changes("+", added, labels)
    return result


def _labels(contributions: Contributions, graphs: Iterable[Graph]) -> LabelBook:
    book = LabelBook()
    kb = contributions.kb
    scope = published_graphs(kb.store, kb.settings)
    for row in kb.store.query(_LABELS, union=False, default_graphs=scope).rows():
        book.offer(row["s"].value, row["lp"].value, row["l"])
    for graph in graphs:
        for prop in LABEL_PROPERTIES:
            for s, o in graph.subject_objects(URIRef(prop)):
                if isinstance(s, URIRef) and isinstance(o, Literal):
                    lit = (
                        ox.Literal(str(o), language=o.language)
                        if o.language
                        else ox.Literal(str(o))
                    )
                    book.offer(str(s), prop, lit)
    return book


def _show(node: Node, labels: LabelBook) -> tuple[str, str, bool]:
    if isinstance(node, URIRef):
        return (
            str(node),
            labels.get(str(node)) if str(node) in labels else fallback_label(str(node)),
            False,
        )
    if isinstance(node, BNode):
        return "", "(unnamed node)", False
    return str(node), str(node), True


def _changes(sign: str, graph: Graph, labels: LabelBook) -> list[Change]:
    out = []
    for s, p, o in graph:
        s_iri, s_label, _ = _show(s, labels)
        p_iri, p_label, _ = _show(p, labels)
        o_val, o_label, literal = _show(o, labels)
        out.append(Change(sign, s_iri, s_label, p_iri, p_label, o_val, o_label, literal))
    out.sort(key=lambda c: (c.subject_label, c.predicate_label, c.object_label))
    return out


def claims(contributions: Contributions, subject: str) -> list[Claim]:
    """Every published statement about a case study and its parts, with its provenance."""
    kb = contributions.kb
    scope = published_graphs(kb.store, kb.settings)
    rows = kb.store.query(
        _CLAIMS, bindings={"subject": ox.NamedNode(subject)}, union=False, named_graphs=scope
    ).rows()
    if not rows:
        return []
    versions = {v.graph: v for v in contributions.versions(subject=subject)}
    sources: dict[str, list[str]] = {}
    for row in kb.store.query(_SOURCES, union=False, default_graphs=scope).rows():
        sources.setdefault(row["s"].value, []).append(row["src"].value)
    graphs: list[Graph] = []
    labels = _labels(contributions, graphs)
    prefix = graph_prefix(contributions.settings)
    out: list[Claim] = []
    for row in rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"].value
        version = versions.get(g)
        if version is not None:
            origin = f"version {version.number}"
            who, when, state = version.contributor_name, version.submitted, version.state
        else:
            origin, who, when, state = f"curated file {g[len(prefix) :]}", "curators", "", PUBLISHED
        cited = sources.get(s.value) or sources.get(subject, [])
        s_iri, s_label, _ = _show(_node(s), labels)
        p_iri, p_label, _ = _show(_node(p), labels)
        o_val, o_label, _lit = _show(_node(o), labels)
        out.append(
            Claim(
                s_iri,
                s_label,
                p_iri,
                p_label,
                o_val,
                o_label,
                g,
                origin,
                who,
                when,
                state,
                tuple(sorted(cited)),
            )
        )
    out.sort(key=lambda c: (c.subject != subject, c.subject, c.predicate_label, c.object_label))
    return out


__all__ = ["Change", "Claim", "Diff", "Entry", "claims", "current_published", "diff", "history"]
