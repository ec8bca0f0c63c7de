"""Evidence gaps: what bears on each concept of the framework, the Better Care Loop and NASSS.

Only the schemes a team plans with count (:data:`SCHEMES`); review states, levels and other
admin vocabularies are not evidence topics. Evidence on a narrower concept counts for the broader
one (a case study addressing "improve outcomes" addresses the Rationale ring). For NASSS, a case
study *rates* a domain or subdomain when its current assessment gives it a level; the others
leave it unrated, which is a gap, not a finding of simplicity.

What each case study bears on is a dashboard answer kept per case study
(``describe/gap-evidence-case-studies.rq``, :mod:`lhs_kg.describe.dashboards`), and the counts
per concept are kept per store generation: after a write only the touched case studies' rows are
read and their counts moved (#16: the page read every case study's links, 10 s at 1M triples).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.casestudies.listing import LIST
from lhs_kg.describe.concepts import RING_ORDER, natural_key
from lhs_kg.store.base import Term

SCHEMES: tuple[str, ...] = ("framework", "rationale", "strategy", "loop", "nasss")
"""The schemes (under ``<base>concept/``) whose concepts are evidence topics, in page order."""
RATED_SCHEMES = frozenset({"nasss"})
"""Schemes whose concepts are rated in complexity assessments (rated vs unrated is shown)."""

CONCEPTS = sparql.text("describe/gap-concepts")
NARROWER = sparql.text("describe/gap-narrower")
CASE_EVIDENCE = sparql.text("describe/gap-evidence-case-studies")
OTHER_EVIDENCE = sparql.text("describe/gap-evidence-sources-tools")
#: Touched case studies per query when the counts are brought up to date after a write.
_BATCH = 250


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
    case_studies: int = 0
    """Case studies addressing it or a narrower concept (rating one counts too)."""
    rated: int = 0
    """Case studies whose current assessment rates it or a narrower concept with a level."""
    sources: int = 0
    tools: int = 0
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
        return self.total_case_studies - gap.rated

    @property
    def concepts(self) -> list[Gap]:
        """Every concept, in page order."""
        return [g for items in self.schemes.values() for g in items]


def _ancestors(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Each concept of a narrower link with every concept broader than it (and itself)."""
    broader: dict[str, set[str]] = defaultdict(set)
    for c, n in pairs:
        broader[n].add(c)
    found: dict[str, frozenset[str]] = {}
    for start in {*broader, *(c for c, _ in pairs)}:
        seen, todo = {start}, [start]
        while todo:
            for b in broader.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        found[start] = frozenset(seen)
    return found


Pair = tuple[str, str]
"""(kind, concept): "case" or "rated", and a concept's IRI."""


@dataclass
class _Tally:
    """How many case studies count for each concept, kept per store generation.

    ``evidence``: per case study, its evidence rows as (kind, concept) pairs, each pair one
    shared object (at 10M triples 330k case studies keep ~15 each); ``members``: every case
    study. Both are this tally's working state, changed in place by the next update (a tally
    is only ever updated once it is the newest); what a page reads, ``counts`` (per pair,
    broader concepts included) and ``total`` (the case studies), is made anew each time, so a
    page still reading an older tally sees its own numbers.
    """

    evidence: dict[str, tuple[Pair, ...]]
    members: set[str]
    counts: Counter[Pair]
    total: int


def _evidence(rows: Iterable[Mapping[str, Term]]) -> dict[str, tuple[Pair, ...]]:
    """Per case study, its evidence rows as (kind, concept) pairs."""
    shared: dict[Pair, Pair] = {}
    found: dict[str, list[Pair]] = defaultdict(list)
    for r in rows:
        pair = (value(r, "kind"), value(r, "x"))
        found[value(r, "caseStudy")].append(shared.setdefault(pair, pair))
    return {cs: tuple(pairs) for cs, pairs in found.items()}


def _cover(pairs: Iterable[Pair], up: Mapping[str, frozenset[str]]) -> set[Pair]:
    """What one case study counts for: each concept of its evidence and the broader ones, as
    addressed ("case", which rating implies) and, for a rating, as rated."""
    found: set[Pair] = set()
    for kind, x in pairs:
        for concept in up.get(x, (x,)):
            found.add(("case", concept))
            if kind == "rated":
                found.add(("rated", concept))
    return found


def _tally(reader: Reader, hierarchy: frozenset[Pair]) -> _Tally:
    up = _ancestors(hierarchy)
    evidence = _evidence(reader.aggregate(CASE_EVIDENCE))
    counts: Counter[Pair] = Counter()
    for pairs in evidence.values():
        counts.update(_cover(pairs, up))
    members = {value(r, "cs") for r in reader.aggregate(LIST)}
    return _Tally(evidence, members, counts, len(members))


def _tally_updated(
    reader: Reader, old: _Tally, touched: frozenset[str], hierarchy: frozenset[Pair]
) -> _Tally:
    """``old`` with the rows of ``touched`` read again."""
    keys = [ox.NamedNode(iri) for iri in sorted(touched)]
    rows: list[dict[str, Term]] = []
    present: set[str] = set()
    for i in range(0, len(keys), _BATCH):
        batch = keys[i : i + _BATCH]
        rows += reader.select(CASE_EVIDENCE, [{"caseStudy": k} for k in batch])
        present |= {value(r, "cs") for r in reader.select(LIST, [{"cs": k} for k in batch])}
    fresh = _evidence(rows)
    up = _ancestors(hierarchy)
    counts = Counter(old.counts)
    for cs in touched:
        counts.subtract(_cover(old.evidence.pop(cs, ()), up))
        counts.update(_cover(fresh.get(cs, ()), up))
    old.evidence.update(fresh)
    old.members.difference_update(touched)
    old.members.update(present)
    return _Tally(old.evidence, old.members, +counts, len(old.members))


def _counts(reader: Reader, hierarchy: frozenset[Pair]) -> _Tally:
    """The tally of this generation: kept by the reader's dashboard answers where it has them
    (brought up to date after a write), else counted from the full queries."""
    if reader.aggregates is None:
        return _tally(reader, hierarchy)
    return reader.aggregates.derived(
        "evidence-gaps",
        lambda: _tally(reader, hierarchy),
        # a write about a concept (its type, its place in the hierarchy) counts as touching
        # every case study in the change log (layout/touched-case-studies.rq): built again
        lambda old, touched: _tally_updated(reader, old, touched, hierarchy),
    )


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
    pairs = frozenset((value(r, "c"), value(r, "n")) for r in reader.select(NARROWER))
    broader: dict[str, set[str]] = defaultdict(set)
    for c, n in pairs:
        broader[n].add(c)
    tally = _counts(reader, pairs)
    others: dict[tuple[str, str], set[str]] = defaultdict(set)
    up = _ancestors(pairs)
    # a small answer (692 rows at 1M triples, 40 ms), read once per generation and process
    for r in reader.memo("gap-evidence-sources-tools", lambda: reader.select(OTHER_EVIDENCE)):
        x = value(r, "x")
        for concept in up.get(x, (x,)):
            others[(value(r, "kind"), concept)].add(value(r, "thing"))
    for gap in found.values():
        gap.case_studies = tally.counts[("case", gap.iri)]
        gap.rated = tally.counts[("rated", gap.iri)]
        gap.sources = len(others[("source", gap.iri)])
        gap.tools = len(others[("tool", gap.iri)])
    for gap in found.values():
        gap.broader = sorted(broader.get(gap.iri, ()))
        parents = [found[b] for b in gap.broader if b in found]
        if gap.rated_scheme and parents and parents[0].rated_scheme:
            gap.broader_rated = parents[0].rated
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
    return Gaps(grouped, tally.total)
