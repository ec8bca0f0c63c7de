"""Evidence gaps: what bears on each concept of the framework, the Better Care Loop and NASSS.

Only the schemes a team plans with count (:data:`SCHEMES`); review states, levels and other
admin vocabularies are not evidence topics. Evidence on a narrower concept counts for the broader
one (a case study addressing "improve outcomes" addresses the Rationale ring). For NASSS, a case
study *rates* a domain or subdomain when its current assessment gives it a level; the others
leave it unrated, which is a gap, not a finding of simplicity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.concepts import RING_ORDER, natural_key

SCHEMES: tuple[str, ...] = ("framework", "rationale", "strategy", "loop", "nasss")
"""The schemes (under ``<base>concept/``) whose concepts are evidence topics, in page order."""
RATED_SCHEMES = frozenset({"nasss"})
"""Schemes whose concepts are rated in complexity assessments (rated vs unrated is shown)."""

CONCEPTS = sparql.text("describe/gap-concepts")
NARROWER = sparql.text("describe/gap-narrower")
EVIDENCE = sparql.text("describe/gap-evidence")
CASE_STUDY_COUNT = sparql.text("describe/case-study-count")


@dataclass
class Gap:
    """A concept with what bears on it: case studies, ratings, sources and tools (IRIs)."""

    iri: str
    label: str
    notation: str
    scheme: str
    scheme_label: str
    rated_scheme: bool
    order: int
    """Its place where the framework gives one (rings outside in, loop stages in turn), else 0."""
    case_studies: set[str] = field(default_factory=set)
    rated: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    tools: set[str] = field(default_factory=set)
    broader: list[str] = field(default_factory=list)
    broader_rated: int | None = None
    """For a NASSS subdomain: how many case studies rate its domain (None elsewhere)."""

    @property
    def key(self) -> str:
        """A short stable name for the page's anchors: scheme and concept ('nasss-1A')."""
        scheme = self.scheme.rsplit("/", 1)[-1]
        return scheme + "-" + self.iri[len(self.scheme) + 1 :].replace("/", "-")

    @property
    def empty(self) -> bool:
        """True when no case study addresses it (for NASSS: none rates it): a gap."""
        return not (self.rated if self.rated_scheme else self.case_studies)


@dataclass
class Gaps:
    """The gaps page: concepts grouped by scheme, and how many case studies there are in all."""

    schemes: dict[str, list[Gap]]
    total_case_studies: int

    def unrated(self, gap: Gap) -> int:
        """Case studies that leave a NASSS concept unrated (all those that do not rate it)."""
        return self.total_case_studies - len(gap.rated)

    @property
    def concepts(self) -> list[Gap]:
        """Every concept, in page order."""
        return [g for items in self.schemes.values() for g in items]


def _descendants(narrower: dict[str, set[str]], iri: str) -> set[str]:
    seen, todo = {iri}, [iri]
    while todo:
        for n in narrower.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def gaps(reader: Reader) -> Gaps:
    """The concepts of :data:`SCHEMES` with their evidence, in scheme then notation order."""
    rows = [{"scheme": ox.NamedNode(f"{reader.base_iri}concept/{s}")} for s in SCHEMES]
    found: dict[str, Gap] = {}
    for r in reader.select(CONCEPTS, rows):
        iri = value(r, "c")
        if iri in found:
            continue
        scheme = value(r, "scheme")
        tail = iri.rsplit("/", 1)[-1]
        ring = RING_ORDER.index(tail) + 1 if tail in RING_ORDER else 0
        stage = value(r, "order")
        found[iri] = Gap(
            iri,
            value(r, "label") or iri,
            value(r, "notation"),
            scheme,
            value(r, "schemeLabel") or scheme,
            scheme.rsplit("/", 1)[-1] in RATED_SCHEMES,
            int(stage) if stage.isdigit() else ring,
        )
    narrower: dict[str, set[str]] = defaultdict(set)
    broader: dict[str, set[str]] = defaultdict(set)
    for r in reader.select(NARROWER):
        narrower[value(r, "c")].add(value(r, "n"))
        broader[value(r, "n")].add(value(r, "c"))
    evidence: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in reader.select(EVIDENCE):
        evidence[value(r, "x")][value(r, "kind")].add(value(r, "thing"))
    for gap in found.values():
        for x in _descendants(narrower, gap.iri):
            kinds = evidence.get(x, {})
            gap.case_studies |= kinds.get("case", set()) | kinds.get("rated", set())
            gap.rated |= kinds.get("rated", set())
            gap.sources |= kinds.get("source", set())
            gap.tools |= kinds.get("tool", set())
    for gap in found.values():
        gap.broader = sorted(broader.get(gap.iri, ()))
        parents = [found[b] for b in gap.broader if b in found]
        if gap.rated_scheme and parents and parents[0].rated_scheme:
            gap.broader_rated = len(parents[0].rated)
    order = {f"{reader.base_iri}concept/{s}": i for i, s in enumerate(SCHEMES)}
    grouped: dict[str, list[Gap]] = {}

    def place(g: Gap) -> tuple[object, ...]:
        """Scheme, the framework's own order, then notation; a concept without a notation
        right after its broader concept."""
        parent = next((found[b].notation for b in g.broader if b in found), "")
        notation = g.notation or parent
        return (
            order.get(g.scheme, 99),
            g.order,
            natural_key(notation),
            not g.notation,
            g.label.lower(),
        )

    for gap in sorted(found.values(), key=place):
        grouped.setdefault(gap.scheme_label, []).append(gap)
    total = reader.select(CASE_STUDY_COUNT)
    return Gaps(grouped, int(value(total[0], "n", "0")) if total else 0)
