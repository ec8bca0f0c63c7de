"""One resource as a page and as linked data: its description, its links out and the links in.

The RDF description of a resource is its Concise Bounded Description (the triples it is the
subject of, following blank nodes; SPARQL DESCRIBE on Oxigraph) plus the labels of every resource
and property it links to, so a client can show it without a second request.

Both come from one query (``describe/resource.rq``; #16: each store round trip costs about a
millisecond on a store server): the CBD as far as blank nodes usually go, the labels, and up to
:data:`INCOMING_COUNT_AHEAD` links in with what the page shows of them. Only a resource whose
blank nodes go deeper is asked for again with DESCRIBE, and only one with more links in is
counted per property. An RDF document needs no links in: it is read with the shorter
``describe/document.rq`` (blank nodes one level deep), which the engine plans in half the time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import (
    DCT,
    RDF,
    SKOS,
    LabelBook,
    Reader,
    TermView,
    iri_or_none,
    value,
)
from lhs_kg.namespaces import LHS
from lhs_kg.store.base import Term

DESCRIBE = sparql.text("describe/describe")
RESOURCE = sparql.text("describe/resource")
DOCUMENT = sparql.text("describe/document")

#: Incoming links are counted exactly up to this many beyond the current page's start; a larger
#: group is shown as "more than" that. Counting every link would read all of them (0.1–0.3 s for
#: a concept that 25,000–60,000 ratings point at in a 1M-triple store) to show one page of 50.
INCOMING_COUNT_AHEAD = 250

INCOMING_COUNTS = sparql.text("describe/incoming-counts")
INCOMING_COUNTS_OF_PROPERTY = sparql.text("describe/incoming-counts-of-property")
INCOMING_PROPERTIES = sparql.text("describe/incoming-properties")
INCOMING_PAGE = sparql.text("describe/incoming-page")

UNCONFIRMED = "https://w3id.org/lhs-kg/concept/verification/unconfirmed"
_KINDS = (
    (SKOS + "ConceptScheme", "scheme"),
    (SKOS + "Concept", "concept"),
    (str(LHS.CaseStudy), "case-study"),
    (str(LHS.Tool), "tool"),
    (str(LHS.Source), "source"),
    (str(LHS.Organisation), "organisation"),
)
_HEADER_PROPS = {
    "definition": SKOS + "definition",
    "notation": SKOS + "notation",
    "source": DCT + "source",
    "note": SKOS + "editorialNote",
}
_MAX_BLANK_DEPTH = 12

#: A triple without RDF-star terms: subject, predicate IRI, object.
Edge = tuple[Term, str, Term]


def edges(triples: list[ox.Triple]) -> list[Edge]:
    """Triples as plain edges, leaving out any with a quoted triple as a term."""
    return [
        (t.subject, t.predicate.value, t.object)
        for t in triples
        if not isinstance(t.subject, ox.Triple) and not isinstance(t.object, ox.Triple)
    ]


@dataclass
class ValueView:
    """One object of a link: a term; a blank node's own links; or an rdf:List's members."""

    term: TermView
    groups: list[LinkGroup] = field(default_factory=list)
    items: list[ValueView] | None = None


@dataclass
class LinkGroup:
    """The values of one property, in a stable order."""

    property: TermView
    values: list[ValueView]


@dataclass
class IncomingGroup:
    """Resources that point at this one through ``property`` (the current page of them)."""

    property: TermView
    subjects: list[TermView]
    total: int
    #: True when ``total`` is a floor: there are more than that many (see INCOMING_COUNT_AHEAD).
    more: bool = False


@dataclass
class Description:
    """Everything the resource page shows, whatever the kind of resource."""

    iri: str
    label: str
    kind: str
    types: list[TermView]
    definition: str
    notations: list[str]
    sources: list[TermView]
    groups: list[LinkGroup]
    incoming: list[IncomingGroup]
    incoming_total: int
    page: int
    pages: int
    unconfirmed: bool
    editorial_notes: list[str]
    #: True when some incoming group was not counted to its end: totals and pages are floors.
    incoming_more: bool = False
    #: What the one read found (read models of a kind of resource use it instead of asking).
    facts: ResourceFacts | None = None


@dataclass
class ResourceFacts:
    """What one read of ``describe/resource.rq`` found about a resource.

    ``own``: its CBD; ``labels``: label triples of the properties and IRI objects of its own
    triples; ``incoming``: (property, subject) of the links in, complete when ``incoming_complete``
    (at most :data:`INCOMING_COUNT_AHEAD` of them), with the subjects' labels and types and the
    properties' labels.
    """

    own: list[ox.Triple]
    labels: list[ox.Triple]
    incoming: list[tuple[str, str]] = field(default_factory=list)
    incoming_complete: bool = True
    incoming_labels: list[ox.Triple] = field(default_factory=list)
    incoming_types: dict[str, set[str]] = field(default_factory=dict)
    property_labels: list[ox.Triple] = field(default_factory=list)

    def document(self) -> list[ox.Triple]:
        """The RDF description: the CBD, then the labels it does not hold already."""
        return list(dict.fromkeys([*self.own, *self.labels]))


def resource_facts(reader: Reader, iri: str, *, incoming: bool = True) -> ResourceFacts | None:
    """One read of what a page (``incoming``) or a document shows of ``iri``; None when the
    knowledge base does not describe it.

    Blank nodes deeper than the query follows (or without triples of their own) are checked
    here: then the CBD is asked for again with DESCRIBE, so it is always complete.
    """
    node = iri_or_none(iri)
    if node is None:
        return None
    rows = (
        reader.select(RESOURCE, limit=INCOMING_COUNT_AHEAD + 1, r=node)
        if incoming
        else reader.select(DOCUMENT, r=node)  # the shorter read of a document (#16)
    )
    parts: dict[str, list[ox.Triple]] = {}
    for row in rows:
        s, p, o = row.get("s"), row.get("p"), row.get("o")
        if s is None or p is None or o is None or not isinstance(p, ox.NamedNode):
            continue
        if isinstance(s, ox.Literal):
            continue
        parts.setdefault(value(row, "k"), []).append(ox.Triple(s, p, o))
    own, complete = _bounded_description(node, parts.get("own", []))
    if not complete:
        own = reader.triples(DESCRIBE, r=node)
    if not own:
        return None
    links = list(
        dict.fromkeys(  # an IRI subject: Virtuoso's isIRI() holds for its blank nodes too
            (p, s.value) for s, p, _ in edges(parts.get("in", [])) if _is_iri(s)
        )
    )
    types: dict[str, set[str]] = {}
    for s, _, o in edges(parts.get("in-type", [])):
        types.setdefault(s.value, set()).add(o.value)
    return ResourceFacts(
        own=own,
        labels=sorted(set(parts.get("label", [])), key=str),
        incoming=links,
        incoming_complete=len(links) <= INCOMING_COUNT_AHEAD,
        incoming_labels=parts.get("in-label", []),
        incoming_types=types,
        property_labels=parts.get("in-prop-label", []),
    )


def _bounded_description(
    node: ox.NamedNode, triples: list[ox.Triple]
) -> tuple[list[ox.Triple], bool]:
    """The CBD of ``node`` within ``triples`` (sorted: an engine may send rows in any order, and
    the same data should give the same document), and whether it is complete.

    The query sends every triple of each blank node it follows; a blank node reached here that
    none of them is about was not followed (deeper than the query goes), or has no triples:
    either way only DESCRIBE can say, so the answer is incomplete.
    """
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    reached: set[object] = {node}
    stack: list[object] = [node]
    complete = True
    while stack:
        followed = by_subject.get(stack.pop())
        if followed is None:
            complete = False
            continue
        for t in followed:
            if isinstance(t.object, ox.BlankNode) and t.object not in reached:
                reached.add(t.object)
                stack.append(t.object)
    return sorted({t for t in triples if t.subject in reached}, key=str), complete


def rdf_description(reader: Reader, iri: str) -> list[ox.Triple]:
    """The resource's CBD plus labels of what it links to; empty when it is not described."""
    facts = resource_facts(reader, iri, incoming=False)
    return facts.document() if facts is not None else []


def describe(reader: Reader, iri: str, *, page: int = 1, page_size: int = 50) -> Description | None:
    """The page model of ``iri``, or None when the knowledge base does not describe it."""
    facts = resource_facts(reader, iri)
    if facts is None:
        return None
    node = ox.NamedNode(iri)
    by_subject: dict[Term, list[Edge]] = {}
    for edge in edges(facts.own):
        by_subject.setdefault(edge[0], []).append(edge)
    own = by_subject.get(node, [])
    labels = label_book(facts.labels)
    for _, p, o in own:
        labels.offer(iri, p, o)
    reader.remember_labels(
        labels, {p for _, p, _ in own} | {o.value for _, _, o in own if _is_iri(o)}
    )

    def objects(prop: str) -> list[Term]:
        return [o for _, p, o in own if p == prop]

    types = [reader.view(t, labels) for t in objects(RDF + "type")]
    type_iris = {t.value for t in types}
    kind = next((k for cls, k in _KINDS if cls in type_iris), "other")
    groups = _groups(reader, own, by_subject, labels, depth=0)
    definition = _english(objects(_HEADER_PROPS["definition"]))
    page = max(1, page)
    if facts.incoming_complete:
        incoming, total = _incoming_read(reader, facts, page, page_size)
    else:
        incoming, total = _incoming(reader, node, page, page_size)
    more = any(g.more for g in incoming)
    longest = max((g.total + g.more for g in incoming), default=0)
    pages = max(1, -(-longest // page_size))
    return Description(
        iri=iri,
        label=labels.get(iri),
        kind=kind,
        types=types,
        definition=definition,
        notations=sorted(o.value for o in objects(_HEADER_PROPS["notation"])),
        sources=sorted(
            (reader.view(o, labels) for o in objects(_HEADER_PROPS["source"])),
            key=lambda t: t.label.lower(),
        ),
        groups=groups,
        incoming=incoming,
        incoming_total=total,
        page=page,
        pages=pages,
        unconfirmed=any(o.value == UNCONFIRMED for o in objects(str(LHS.verification))),
        editorial_notes=[o.value for o in objects(_HEADER_PROPS["note"])],
        incoming_more=more,
        facts=facts,
    )


def label_book(triples: list[ox.Triple], *, english: bool = False) -> LabelBook:
    """The best labels that label triples (``x label-property literal``) give their subjects."""
    book = LabelBook(english=english)
    for s, p, o in edges(triples):
        book.offer(s.value, p, o)
    return book


def _is_iri(term: Term) -> bool:
    return isinstance(term, ox.NamedNode)


def _english(terms: list[Term]) -> str:
    """The English (or untagged) literal among ``terms``, else any, else ''."""
    literals = [t for t in terms if isinstance(t, ox.Literal)]
    for literal in literals:
        if (literal.language or "en").lower().startswith("en"):
            return literal.value
    return literals[0].value if literals else ""


def _sort_key(view: ValueView) -> tuple[int, str]:
    order = {"iri": 0, "literal": 1, "bnode": 2}[view.term.kind]
    return order, view.term.label.lower()


def _groups(
    reader: Reader,
    edges: list[Edge],
    by_subject: dict[Term, list[Edge]],
    labels: LabelBook,
    depth: int,
) -> list[LinkGroup]:
    """Links grouped by property (properties sorted by label), following blank nodes."""
    grouped: dict[str, list[ValueView]] = {}
    for _, prop, obj in edges:
        grouped.setdefault(prop, []).append(_value(reader, obj, by_subject, labels, depth))
    out = [
        LinkGroup(reader.view(ox.NamedNode(prop), labels), sorted(values, key=_sort_key))
        for prop, values in grouped.items()
    ]
    out.sort(key=lambda g: (g.property.value != RDF + "type", g.property.label.lower()))
    return out


def _value(
    reader: Reader,
    term: Term,
    by_subject: dict[Term, list[Edge]],
    labels: LabelBook,
    depth: int,
) -> ValueView:
    view = ValueView(reader.view(term, labels))
    if not isinstance(term, ox.BlankNode) or depth >= _MAX_BLANK_DEPTH:
        return view
    members = _list_members(term, by_subject)
    if members is not None:
        view.items = [_value(reader, m, by_subject, labels, depth + 1) for m in members]
    else:
        view.groups = _groups(reader, by_subject.get(term, []), by_subject, labels, depth + 1)
    return view


def _list_members(head: Term, by_subject: dict[Term, list[Edge]]) -> list[Term] | None:
    """The members of an rdf:List starting at ``head``, or None when it is not a proper list."""
    members: list[Term] = []
    node: Term = head
    seen: set[Term] = set()
    while not (isinstance(node, ox.NamedNode) and node.value == RDF + "nil"):
        if node in seen or not isinstance(node, ox.BlankNode):
            return None
        seen.add(node)
        links = {p: o for _, p, o in by_subject.get(node, [])}
        if set(links) != {RDF + "first", RDF + "rest"}:
            return None
        members.append(links[RDF + "first"])
        node = links[RDF + "rest"]
    return members


def incoming_counts(reader: Reader, node: ox.NamedNode, bound: int) -> dict[str, int]:
    """Distinct linking subjects per incoming property, each counted up to ``bound + 1``.

    One bounded query answers for almost every resource; only when it reads more than ``bound``
    links are the properties listed (kept with the shared read models: such resources are few)
    and each counted on its own, so that a large group cannot hide a small one.
    """
    rows = reader.select(INCOMING_COUNTS, r=node, limit=bound + 1)
    counts = {value(r, "p"): int(value(r, "n", "0")) for r in rows}
    if sum(counts.values()) <= bound:
        return counts
    props = reader.memo(
        ("incoming-properties", node.value),
        lambda: sorted(value(r, "p") for r in reader.select(INCOMING_PROPERTIES, r=node)),
    )
    counts = {}
    for prop in props:  # one bounded count per property: a large group cannot hide a small one
        for r in reader.select(
            INCOMING_COUNTS_OF_PROPERTY, r=node, p=ox.NamedNode(prop), limit=bound + 1
        ):
            counts[value(r, "p")] = int(value(r, "n", "0"))
    return counts


def _incoming(
    reader: Reader, node: ox.NamedNode, page: int, page_size: int
) -> tuple[list[IncomingGroup], int]:
    """Groups of incoming links on ``page`` (pages run over the largest group) and the total.

    The bounded counts, the property labels, and one page of subjects per property shown (each
    cut by the store before any label is looked up).
    A group larger than the count's bound has ``more`` set and the bound as its total.
    """
    offset = (page - 1) * page_size
    bound = offset + INCOMING_COUNT_AHEAD
    counts = incoming_counts(reader, node, bound)
    if not counts:
        return [], 0
    labels = reader.labels(counts)
    shown = [prop for prop, total in counts.items() if offset < total]
    subjects: dict[str, dict[str, TermView]] = {prop: {} for prop in shown}
    if shown:
        rows = [
            row
            for prop in shown
            for row in reader.select(
                INCOMING_PAGE, r=node, p=ox.NamedNode(prop), limit=page_size, offset=offset
            )
        ]
        names = reader.labels({value(row, "s") for row in rows}, LabelBook(english=True))
        for row in rows:
            s = value(row, "s")
            label = names.get(s) if s in names else labels.get(s)
            subjects[value(row, "p")][s] = TermView("iri", s, label, local=reader.is_local(s))
    groups: list[IncomingGroup] = []
    for prop, total in counts.items():
        page_views = sorted(subjects.get(prop, {}).values(), key=lambda t: t.value)
        groups.append(
            IncomingGroup(
                reader.view(ox.NamedNode(prop), labels),
                page_views,
                min(total, bound),
                more=total > bound,
            )
        )
    groups.sort(key=lambda g: g.property.label.lower())
    return groups, sum(g.total for g in groups)


def _incoming_read(
    reader: Reader, facts: ResourceFacts, page: int, page_size: int
) -> tuple[list[IncomingGroup], int]:
    """Groups of incoming links on ``page`` from a complete read of them (no query).

    Each group's subjects are in IRI order, so pages do not depend on the engine's index order.
    """
    offset = (page - 1) * page_size
    by_prop: dict[str, list[str]] = {}
    for prop, subject in facts.incoming:
        by_prop.setdefault(prop, []).append(subject)
    labels = label_book(facts.property_labels)
    names = label_book(facts.incoming_labels, english=True)
    groups: list[IncomingGroup] = []
    for prop, subjects in by_prop.items():
        shown = sorted(subjects)[offset : offset + page_size]
        views = [
            TermView(
                "iri", s, names.get(s) if s in names else labels.get(s), local=reader.is_local(s)
            )
            for s in shown
        ]
        groups.append(IncomingGroup(reader.view(ox.NamedNode(prop), labels), views, len(subjects)))
    groups.sort(key=lambda g: g.property.label.lower())
    return groups, sum(g.total for g in groups)
