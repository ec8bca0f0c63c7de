"""SKOS read models: schemes, a scheme's concept tree, a concept's place in it, the framework wheel.

The wheel follows the framework scheme: its top concepts are the four rings and each ring's
narrower concepts are its elements (the Better Care Loop stages form the hub).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import (
    LabelBook,
    Reader,
    TermView,
    iri_or_none,
    value,
)
from lhs_kg.namespaces import LHS
from lhs_kg.store.base import Term

SCHEMES = sparql.text("describe/schemes")

SCHEME_TREE = sparql.text("describe/scheme-tree")

#: A concept's place and its case studies, in one request (the page's second, after its read).
CONCEPT_PAGE = sparql.text("describe/concept-page")

WHEEL = sparql.text("describe/framework-wheel")

LOOP = sparql.text("describe/loop")

#: Bound to a link property that nothing uses when no property left can point from a case study.
NO_LINK = ox.NamedNode("urn:lhs-kg:no-link")

#: Every declared domain of every property (the ontology's, a few hundred rows at most).
PROPERTY_DOMAINS = sparql.text("describe/property-domains")
#: lhs:CaseStudy and every class above it.
CASE_STUDY_CLASSES = sparql.text("describe/case-study-classes")

#: How many case studies a concept page lists (sorted by label; a note says when there are more).
CASE_STUDIES_SHOWN = 100

#: The rings of the wheel from the outside in (ids under concept/framework/).
RING_ORDER = ("rationale", "strategic-considerations", "complexity", "technical-building-blocks")


@dataclass
class TreeNode:
    """A concept in a scheme tree with its narrower concepts."""

    iri: str
    label: str
    notation: str
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class SchemeSummary:
    """A concept scheme and how many concepts it holds."""

    iri: str
    label: str
    definition: str
    concepts: int


@dataclass
class Hierarchy:
    """A concept's place: its ancestors from the top, broader, narrower, schemes and the tree."""

    ancestors: list[TermView]
    broader: list[TermView]
    narrower: list[TermView]
    schemes: list[TermView]
    home_scheme: str
    tree: list[TreeNode]


@dataclass
class Element:
    """One segment of a ring of the wheel, or one stage of the loop."""

    iri: str
    label: str
    notation: str
    order: int


@dataclass
class Ring:
    """One ring of the framework wheel with its elements."""

    iri: str
    label: str
    elements: list[Element]


@dataclass
class LoopStage:
    """A stage of the Better Care Loop and the stage that follows it."""

    iri: str
    label: str
    notation: str
    order: int
    next: str


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort '2' before '10' and '1A' before '1B'."""
    return tuple(
        (0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.findall(r"\d+|\D+", text)
    )


def schemes(reader: Reader) -> list[SchemeSummary]:
    """Every concept scheme with its label, definition and size (shared by every page)."""
    return reader.memo("schemes", lambda: _schemes(reader))


def _schemes(reader: Reader) -> list[SchemeSummary]:
    return [
        SchemeSummary(
            value(r, "s"),
            value(r, "label") or value(r, "s"),
            value(r, "definition"),
            int(value(r, "n", "0")),
        )
        for r in reader.select(SCHEMES)
    ]


def scheme_tree(reader: Reader, scheme: str) -> list[TreeNode]:
    """The concepts of ``scheme`` as a forest: roots are those with no broader in the scheme.

    Kept with the reader's shared read models: every concept page of the scheme shows it.
    """
    return reader.memo(("scheme-tree", scheme), lambda: _scheme_tree(reader, scheme))


def _scheme_tree(reader: Reader, scheme: str) -> list[TreeNode]:
    rows = reader.select(SCHEME_TREE, scheme=ox.NamedNode(scheme))
    nodes: dict[str, TreeNode] = {}
    parents: dict[str, set[str]] = {}
    order: dict[str, int] = {}
    for row in rows:
        iri = value(row, "c")
        node = nodes.setdefault(
            iri, TreeNode(iri, value(row, "label") or iri, value(row, "notation"))
        )
        node.notation = node.notation or value(row, "notation")
        if value(row, "broader"):
            parents.setdefault(iri, set()).add(value(row, "broader"))
        if value(row, "order").isdigit():
            order[iri] = int(value(row, "order"))

    def key(node: TreeNode) -> tuple[int, tuple[tuple[int, int | str], ...], str]:
        return order.get(node.iri, 0), natural_key(node.notation), node.label.lower()

    roots = []
    for iri, node in nodes.items():
        ups = [p for p in parents.get(iri, ()) if p in nodes and p != iri]
        if not ups:
            roots.append(node)
        for up in ups:
            nodes[up].children.append(node)
    for node in nodes.values():
        node.children.sort(key=key)
    roots.sort(key=key)
    return _break_cycles(roots)


def _break_cycles(roots: list[TreeNode]) -> list[TreeNode]:
    """Copy the forest, cutting any branch that revisits a concept (data may be wrong)."""

    def copy(node: TreeNode, path: frozenset[str]) -> TreeNode:
        return TreeNode(
            node.iri,
            node.label,
            node.notation,
            [copy(c, path | {c.iri}) for c in node.children if c.iri not in path],
        )

    return [copy(r, frozenset({r.iri})) for r in roots]


def concept_page(
    reader: Reader,
    iri: str,
    links: Iterable[str] | None = None,
    limit: int = CASE_STUDIES_SHOWN,
) -> tuple[Hierarchy, list[tuple[TermView, str]], bool]:
    """Where a concept sits, and its case studies (see :func:`case_studies_for`), from one query.

    ``links``, the properties that point at the concept when the caller has them, lets the
    store look only where case studies can be.
    """
    node = ox.NamedNode(iri)
    bindings: list[dict[str, ox.NamedNode | ox.Literal]] = [{"r": node}]
    if links is not None:
        skip = not_case_study_links(reader)
        props = [p for p in sorted(set(links)) if p not in skip and iri_or_none(p) is not None]
        bindings = [{"r": node, "link": ox.NamedNode(p)} for p in props or [NO_LINK.value]]
    rows = reader.select(CONCEPT_PAGE, bindings, limit=limit + 1)
    context = [row for row in rows if value(row, "part") == "context"]
    cases = [row for row in rows if value(row, "part") == "case-study"]
    return (hierarchy(reader, iri, context), *case_studies_for(reader, cases, limit))


def hierarchy(reader: Reader, iri: str, rows: list[dict[str, Term]]) -> Hierarchy:
    """Where a concept sits: its ancestors, broader and narrower concepts and its scheme's tree
    (``rows``: the context rows of CONCEPT_PAGE)."""
    found: dict[str, dict[str, TermView]] = {}
    up: dict[str, str] = {}
    for row in rows:
        x = value(row, "x")
        view = TermView("iri", x, value(row, "label") or x, local=reader.is_local(x))
        found.setdefault(value(row, "rel"), {})[x] = view
        if value(row, "up"):
            up.setdefault(x, value(row, "up"))
    broader = sorted(found.get("broader", {}).values(), key=lambda t: t.label.lower())
    narrower = sorted(found.get("narrower", {}).values(), key=lambda t: natural_key(t.label))
    in_schemes = sorted(found.get("scheme", {}).values(), key=lambda t: t.value)
    home = next(
        (s.value for s in in_schemes if iri.startswith(s.value + "/")),
        in_schemes[0].value if in_schemes else "",
    )
    ancestors: list[TermView] = []
    anc = found.get("ancestor", {})
    step = broader[0].value if broader else ""
    while step in anc and all(a.value != step for a in ancestors):
        ancestors.insert(0, anc[step])
        step = up.get(step, "")
    return Hierarchy(
        ancestors, broader, narrower, in_schemes, home, scheme_tree(reader, home) if home else []
    )


def branch(tree: list[TreeNode], iri: str) -> list[TreeNode]:
    """The top-level subtree that holds ``iri``: a concept page shows its own branch, not the
    whole scheme (#15). Empty when the concept is not in the tree.

    >>> leaf = TreeNode("x/1A", "Nature", "1A")
    >>> tree = [TreeNode("x/1", "Condition", "1", [leaf]), TreeNode("x/2", "Technology", "2")]
    >>> [n.notation for n in branch(tree, "x/1A")], branch(tree, "x/9")
    (['1'], [])
    """

    def holds(node: TreeNode, seen: frozenset[str]) -> bool:
        if node.iri == iri:
            return True
        if node.iri in seen:  # a cycle in broader/narrower: stop
            return False
        return any(holds(child, seen | {node.iri}) for child in node.children)

    return [root for root in tree if holds(root, frozenset())][:1]


def not_case_study_links(reader: Reader) -> frozenset[str]:
    """Properties whose declared domains leave out case studies (a rating's ``lhs:level``).

    A case study cannot be the subject of such a link in valid data, so a concept's case studies
    are not looked for among the tens of thousands of ratings that point at it that way. A
    property with a domain we cannot read (a class expression) is kept. Shared by every page.
    """

    def compute() -> frozenset[str]:
        mine = {value(r, "c") for r in reader.select(CASE_STUDY_CLASSES)} | {str(LHS.CaseStudy)}
        domains: dict[str, list[Term]] = {}
        for row in reader.select(PROPERTY_DOMAINS):
            domains.setdefault(value(row, "p"), []).append(row["d"])
        return frozenset(
            prop
            for prop, found in domains.items()
            if all(isinstance(d, ox.NamedNode) and d.value not in mine for d in found)
        )

    return reader.memo("not-case-study-links", compute)


def case_studies_for(
    reader: Reader, rows: list[dict[str, Term]], limit: int = CASE_STUDIES_SHOWN
) -> tuple[list[tuple[TermView, str]], bool]:
    """Case studies that link to the concept or rate it, with the level they rate it at.

    At most ``limit`` of them, sorted by label, and whether there are more (every link stays
    listed, paged, under the page's incoming links); ``rows``: the case-study rows of
    CONCEPT_PAGE.
    """
    levels = reader.labels({value(row, "lv") for row in rows if "lv" in row})
    names = reader.labels({value(row, "cs") for row in rows}, LabelBook(english=True))
    found: dict[str, tuple[TermView, str]] = {}
    for row in rows:
        cs = value(row, "cs")
        view = TermView("iri", cs, names.get(cs) if cs in names else cs, local=reader.is_local(cs))
        level = levels.get(value(row, "lv")) if "lv" in row else ""
        if cs not in found or level:
            found[cs] = (view, level)
    first = [found[cs] for cs in sorted(found)[:limit]]
    return sorted(first, key=lambda item: item[0].label.lower()), len(found) > limit


def wheel(reader: Reader) -> list[Ring]:
    """The framework wheel's rings, outside in, each with its elements in order (shared)."""
    return reader.memo("wheel", lambda: _wheel(reader))


def _wheel(reader: Reader) -> list[Ring]:
    scheme = ox.NamedNode(reader.base_iri + "concept/framework")
    rings: dict[str, Ring] = {}
    for row in reader.select(WHEEL, scheme=scheme):
        ring = rings.setdefault(
            value(row, "ring"), Ring(value(row, "ring"), value(row, "ringLabel"), [])
        )
        el = value(row, "el")
        if el and all(e.iri != el for e in ring.elements):
            order = value(row, "order")
            ring.elements.append(
                Element(
                    el,
                    value(row, "elLabel") or el,
                    value(row, "notation"),
                    int(order) if order.isdigit() else 0,
                )
            )
    for ring in rings.values():
        ring.elements.sort(key=lambda e: (e.order, natural_key(e.notation), e.label.lower()))

    def position(ring: Ring) -> tuple[int, str]:
        tail = ring.iri.rsplit("/", 1)[-1]
        return (RING_ORDER.index(tail) if tail in RING_ORDER else len(RING_ORDER)), ring.label

    return sorted(rings.values(), key=position)


def loop(reader: Reader) -> list[LoopStage]:
    """The Better Care Loop's stages in order (shared by every page)."""
    return reader.memo("loop", lambda: _loop(reader))


def _loop(reader: Reader) -> list[LoopStage]:
    stages: dict[str, LoopStage] = {}
    for row in reader.select(LOOP):
        order = value(row, "order")
        stages.setdefault(
            value(row, "stage"),
            LoopStage(
                value(row, "stage"),
                value(row, "label") or value(row, "stage"),
                value(row, "notation"),
                int(order) if order.isdigit() else 0,
                value(row, "next"),
            ),
        )
    return sorted(stages.values(), key=lambda s: (s.order, s.label))
