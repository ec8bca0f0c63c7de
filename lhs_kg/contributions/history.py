"""Versions of a case study, readable diffs between two of them, and per-claim provenance.

A case study's history is its curated file (if any) followed by its contribution versions. A diff
compares two version graphs triple by triple (blank nodes matched by rdflib's canonical labelling)
and renders each triple with labels. Claim provenance says, for each statement of the published
case study, which graph holds it and what the registry records about that graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.term import Node

from lhs_kg import sparql
from lhs_kg.contributions.engine import Contributions
from lhs_kg.contributions.model import DCT, PUBLISHED, Version
from lhs_kg.describe.base import (
    LABEL_PROPERTIES,
    LabelBook,
    Reader,
    fallback_label,
    published_scope,
)
from lhs_kg.graphs import graph_prefix, is_published
from lhs_kg.terms import to_rdflib

_CLAIMS = sparql.text("contributions/claims-about")
#: The graphs that say something about one resource, with their registry state.
_HOLDERS = sparql.text("contributions/graphs-about")
_PUBLISHED_HOLDERS = sparql.text("contributions/published-graphs-about")
_STATE = sparql.text("contributions/review-state-of")
#: History and claims of one case study in one read, when the published graphs are known (#16).
_PROVENANCE = sparql.text("contributions/case-study-provenance")
_SOURCE = DCT + "source"
_UNSET: Any = object()


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


def history(
    contributions: Contributions, subject: str, *, versions: Sequence[Version] | None = None
) -> list[Entry]:
    """The curated file (if any) then every contribution version of a case study, oldest first.

    ``versions`` may pass the case study's versions when the caller already knows them.
    """
    entries: list[Entry] = []
    curated = contributions.curated_graph(subject)
    if curated:
        rel = curated[len(graph_prefix(contributions.settings)) :]
        state = _registry_state(contributions, curated) or PUBLISHED
        entries.append(Entry(curated, f"curated file {rel}", state, "", "curators"))
    if versions is None:
        versions = contributions.versions(subject=subject)
    return entries + _version_entries(versions)


def _version_entries(versions: Iterable[Version]) -> list[Entry]:
    return [
        Entry(v.graph, f"version {v.number}", v.state, v.submitted, v.contributor_name, v)
        for v in versions
    ]


def _registry_state(contributions: Contributions, graph: str) -> str:
    rows = contributions.kb.store.query(
        _STATE,
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
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def diff(
    contributions: Contributions,
    old: str | None,
    new: str,
    *,
    scope: Sequence[str] | None = _UNSET,
) -> Diff:
    """Triples removed and added from graph ``old`` (None: nothing) to graph ``new``.

    Labels come from the published view (``scope``: its graphs, None for the union; computed
    when not given) for the IRIs of the two versions only.
    """
    before = _rdflib(contributions.content(old)) if old else Graph()
    after = _rdflib(contributions.content(new))
    _both, removed, added = graph_diff(to_isomorphic(before), to_isomorphic(after))
    labels = _labels(contributions, [before, after], scope)
    result = Diff(old or "", new)
    result.removed = _changes("-", removed, labels)
    result.added = _changes("+", added, labels)
    return result


def _labels(
    contributions: Contributions, graphs: Iterable[Graph], scope: Sequence[str] | None
) -> LabelBook:
    """Labels for the IRIs of ``graphs``: their own labels first, the published view's next.

    Only the IRIs the graphs mention are looked up (bound as VALUES), so the cost follows the
    versions being shown, never the size of the store.
    """
    book = LabelBook()
    iris: set[str] = set()
    for graph in graphs:
        for triple in graph:
            iris.update(str(t) for t in triple if isinstance(t, URIRef))
        for prop in LABEL_PROPERTIES:
            for s, o in graph.subject_objects(URIRef(prop)):
                if isinstance(s, URIRef) and isinstance(o, Literal):
                    lit = (
                        ox.Literal(str(o), language=o.language)
                        if o.language
                        else ox.Literal(str(o))
                    )
                    book.offer(str(s), prop, lit)
    return _reader(contributions, scope).labels(iris, book)


def _reader(contributions: Contributions, scope: Sequence[str] | None) -> Reader:
    """A reader over the published view (``_UNSET``: work the view out now)."""
    if scope is _UNSET:
        scope = published_scope(contributions.kb)
    return Reader(contributions.kb, scope)


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


def _published_holders(contributions: Contributions, node: ox.NamedNode) -> list[str]:
    """The published graphs that say something about ``node``: only the published graphs are
    read when the knowledge base knows them (#16), so a case study's kept history costs nothing."""
    kb = contributions.kb
    names = kb.published_names()
    if names is not None:
        if not names:
            return []
        rows: list[dict[str, ox.NamedNode | ox.Literal]] = [{"subject": node}]
        rows += [{"g": ox.NamedNode(g)} for g in names]
        found = kb.store.query(_PUBLISHED_HOLDERS, bindings=rows, union=False).rows()
        return sorted({row["g"].value for row in found})
    holders = kb.store.query(
        _HOLDERS,
        bindings={"subject": node, "registry": ox.NamedNode(contributions.registry)},
        union=False,
    ).rows()
    return sorted(
        {
            row["g"].value
            for row in holders
            if is_published(
                contributions.settings,
                row["g"].value,
                row["state"].value if "state" in row else None,
            )
        }
    )


def claims(
    contributions: Contributions,
    subject: str,
    *,
    scope: Sequence[str] | None = _UNSET,
    versions: Sequence[Version] | None = None,
    reader: Reader | None = None,
) -> list[Claim]:
    """Every published statement about a case study and its parts, with its provenance.

    Reads only the graphs that describe ``subject`` (and their registry states); labels are
    looked up for the IRIs of the claims alone in the published view (``scope``: its graphs,
    None for the union; worked out when not given). ``versions`` may pass the case study's
    versions when the caller already has them; ``reader``, a reader over the published view
    (used instead of ``scope``), lets labels come from its shared read models.
    """
    kb = contributions.kb
    node = ox.NamedNode(subject)
    graphs = _published_holders(contributions, node)
    if not graphs:
        return []
    rows = kb.store.query(
        _CLAIMS, bindings={"subject": node}, union=False, named_graphs=graphs
    ).rows()
    return _claims_of(
        contributions, subject, rows, versions, reader or _reader(contributions, scope)
    )


def _claims_of(
    contributions: Contributions,
    subject: str,
    rows: Sequence[dict[str, Any]],
    versions: Sequence[Version] | None,
    reader: Reader,
) -> list[Claim]:
    """The claims of ``rows`` (?g ?s ?p ?o of the published graphs), labelled and sorted."""
    if not rows:
        return []
    if versions is None:
        versions = contributions.versions(subject=subject)
    by_graph = {v.graph: v for v in versions}
    sources: dict[tuple[str, str], list[str]] = {}
    iris: set[str] = set()
    for row in rows:
        g, s, p, o = row["g"].value, row["s"], row["p"], row["o"]
        iris.update(t.value for t in (s, p, o) if isinstance(t, ox.NamedNode))
        if p.value == _SOURCE and isinstance(o, ox.NamedNode):
            sources.setdefault((g, s.value), []).append(o.value)
    labels = reader.labels(iris)
    prefix = graph_prefix(contributions.settings)
    out: list[Claim] = []
    for row in rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"].value
        version = by_graph.get(g)
        if version is not None:
            origin = f"version {version.number}"
            who, when, state = version.contributor_name, version.submitted, version.state
        else:
            origin, who, when, state = f"curated file {g[len(prefix) :]}", "curators", "", PUBLISHED
        cited = sources.get((g, s.value)) or sources.get((g, subject), [])
        s_iri, s_label, _ = _show(to_rdflib(s), labels)
        p_iri, p_label, _ = _show(to_rdflib(p), labels)
        o_val, o_label, _lit = _show(to_rdflib(o), labels)
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
                tuple(sorted(set(cited))),
            )
        )
    out.sort(key=lambda c: (c.subject != subject, c.subject, c.predicate_label, c.object_label))
    return out


def provenance(
    contributions: Contributions,
    subject: str,
    *,
    reader: Reader,
    versions: Sequence[Version] | None = None,
) -> tuple[list[Entry], list[Claim]]:
    """:func:`history` and :func:`claims` of a case study, in one store read when the knowledge
    base knows its published graphs (#16); ``reader`` is a reader over the published view."""
    names = contributions.kb.published_names()
    if not names:  # the registry decides what is published, or nothing is: the separate reads
        past = history(contributions, subject, versions=versions)
        if versions is None:
            versions = [e.version for e in past if e.version is not None]
        return past, claims(contributions, subject, versions=versions, reader=reader)
    settings = contributions.settings
    first: dict[str, ox.NamedNode | ox.Literal] = {
        "subject": ox.NamedNode(subject),
        "prefix": ox.Literal(graph_prefix(settings) + "data/"),
        "registry": ox.NamedNode(contributions.registry),
    }
    graphs: list[dict[str, ox.NamedNode | ox.Literal]] = [{"g": ox.NamedNode(g)} for g in names]
    bindings = [first, *graphs]
    rows = contributions.kb.store.query(_PROVENANCE, bindings=bindings, union=False).rows()
    curated = sorted(
        (row["g"].value, row["state"].value if "state" in row else "")
        for row in rows
        if row["k"].value == "curated"
    )
    entries: list[Entry] = []
    if curated:
        graph, state = curated[0]
        rel = graph[len(graph_prefix(settings)) :]
        entries.append(
            Entry(
                graph, f"curated file {rel}", state.rsplit("/", 1)[-1] or PUBLISHED, "", "curators"
            )
        )
    if versions is None:
        versions = contributions.versions(subject=subject)
    entries += _version_entries(versions)
    claim_rows = [row for row in rows if row["k"].value == "claim"]
    return entries, _claims_of(contributions, subject, claim_rows, versions, reader)
