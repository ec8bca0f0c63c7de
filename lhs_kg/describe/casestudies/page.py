"""The case-study page model: the summary fields from the shapes, the NASSS ratings, outcomes.

The summary lists every field of the case-study shapes (:mod:`lhs_kg.model`) in their order,
except those :data:`PLACES` puts elsewhere on the page; a field new in the shapes appears in the
summary without a change here or in the template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import (
    DCT,
    LABEL_PROPERTIES,
    WELL_KNOWN,
    Reader,
    TermView,
    is_english,
    value,
)
from lhs_kg.describe.casestudies.nasss import domains, level_id
from lhs_kg.describe.concepts import natural_key
from lhs_kg.describe.evidence import Evidence, evidence_of
from lhs_kg.model import Property, load_model
from lhs_kg.model.faces import PAGE, shown
from lhs_kg.namespaces import LHS
from lhs_kg.store.base import Term

PROV = "http://www.w3.org/ns/prov#"

CASE_STUDY_GRAPH = sparql.text("describe/case-study-statements")

CASE_STUDY_BLANKS = sparql.text("describe/case-study-blank-statements")

VERSIONS = sparql.text("describe/case-study-versions")

#: The statements, claim evidence and assessment history of one case study, in one read (#16).
CASE_STUDY_PAGE = sparql.text("describe/case-study-page")

#: Fields of the case-study shapes shown outside the summary, by JSON key, and where.
PLACES: dict[str, str] = {
    "title": "heading",
    "description": "heading",
    "startYear": "summary, as the period",
    "endYear": "summary, as the period",
    "loopStages": "the Better Care Loop section",
    "assessment": "the NASSS complexity section",
    "outcomes": "the outcomes section",
    "sources": "the sources and contributors section",
    "contributor": "the sources and contributors section",
}
#: Facts of linked terms kept with the shared read models (labels of concepts, sources and
#: organisations recur on every page); at most this many terms are kept per store generation.
TERM_FACTS_MAX = 20_000
_SHOWN_STATES = ("published", "withdrawn")


@dataclass
class Rating:
    """One NASSS domain's level in a case study's assessment."""

    domain: str
    domain_label: str
    notation: str
    level: str
    level_id: str
    level_label: str
    rank: int
    justification: str


@dataclass
class Outcome:
    """A reported result: what was measured, before and after, and the study behind it."""

    iri: str
    label: str
    metric: str
    before: str
    after: str
    description: str
    design: str = ""
    grade: str = ""
    denominator: str = ""


@dataclass
class Version:
    """A published (or withdrawn) contribution version that touched the case study."""

    graph: str
    state: str
    time: str


@dataclass
class Fact:
    """One line of the summary: a field's label and its values (texts, or linked terms)."""

    key: str
    label: str
    texts: list[str]
    terms: list[TermView]


@dataclass
class CaseStudy:
    """Everything the case-study page shows beyond the generic description."""

    iri: str
    title: str
    description: str
    period: str
    facts: list[Fact]
    links: dict[str, list[TermView]]
    stages: set[str]
    ratings: list[Rating]
    unrated: list[tuple[str, str, str]]
    assessment_basis: str
    instrument: str
    coverage_note: str
    assessed_by: list[str]
    assessed_on: str
    outcomes: list[Outcome]
    #: Reads the version history; only when a page shows it (see :attr:`versions`).
    read_versions: Callable[[], list[Version]] = field(default=list, repr=False, compare=False)

    @cached_property
    def versions(self) -> list[Version]:
        """Published or withdrawn contribution versions (read on first use: most pages show the
        contribution workflow's own history instead)."""
        return self.read_versions()


def english_first(values: list[ox.Literal]) -> str:
    """The first English (or untagged) value, else the first value ('' when none)."""
    for literal in values:
        if (literal.language or "en").lower().startswith("en"):
            return literal.value
    return values[0].value if values else ""


def _english_all(values: list[ox.Literal]) -> list[str]:
    """Every English (or untagged) value, else every value, without repeats."""
    english = [t.value for t in values if (t.language or "en").lower().startswith("en")]
    return list(dict.fromkeys(english or [t.value for t in values]))


#: A node's statements: property IRI → objects, in the order the store gave them.
Facts = dict[str, list[Term]]


def english_label(facts: Facts) -> str:
    """The first English or untagged label in MODEL.md's property order ('' when none).

    The same choice the best-label patterns of the internal queries make, on statements in hand.
    """
    for prop in LABEL_PROPERTIES:
        for term in facts.get(prop, []):
            if isinstance(term, ox.Literal) and is_english(term):
                return term.value
    return ""


def _term_facts(reader: Reader, iris: set[str]) -> dict[str, tuple[str, str]]:
    """(English label, level rank) of linked IRIs; one query for those not already known.

    Kept with the shared read models, up to ``TERM_FACTS_MAX`` terms: the concepts, sources and
    organisations a case study links to recur across pages.
    """
    known: dict[str, tuple[str, str]] = reader.memo("case-study-term-facts", dict)
    out = {i: known[i] for i in iris if i in known}
    missing = sorted(iris - out.keys())
    if missing:
        found = reader.fields(missing, (str(LHS.levelRank),))
        for iri in missing:
            facts = found.get(iri, {})
            rank = next((t.value for t in facts.get(str(LHS.levelRank), [])), "")
            out[iri] = (english_label(facts), rank)
            if len(known) < TERM_FACTS_MAX:
                known[iri] = out[iri]
    return out


def _first(terms: list[Term]) -> str:
    return terms[0].value if terms else ""


def _summary(
    fields: list[Property], own: Facts, links: dict[str, list[TermView]], period: str
) -> list[Fact]:
    """The summary lines: every field not placed elsewhere, in the shapes' order, with values."""
    out: list[Fact] = []
    for prop in fields:
        if prop.key in ("startYear",) and period:
            out.append(Fact("period", "Period", [period], []))
        if prop.key in PLACES:
            continue
        literals = [t for t in own.get(prop.iri, []) if isinstance(t, ox.Literal)]
        terms = links.get(prop.iri, [])
        if literals or terms:
            label = prop.label[:1].upper() + prop.label[1:]
            out.append(Fact(prop.key, label, _english_all(literals), terms))
    return out


def case_study(
    reader: Reader, iri: str, statements: Sequence[Mapping[str, Term]] | None = None
) -> CaseStudy:
    """The case-study page model of ``iri`` (fields absent from the data are empty).

    Two queries: the statements of the case study and its parts (assessment, ratings,
    outcomes), unless ``statements`` holds their rows already, then the labels and ranks of
    what they link to that no earlier page looked up.
    """
    node = ox.NamedNode(iri)
    by_node: dict[Term, Facts] = {}
    seen: set[tuple[Term, str, Term]] = set()

    def read(rows: Sequence[Mapping[str, Term]]) -> None:
        for row in rows:
            key = (row["s"], value(row, "p"), row["o"])
            if key not in seen:
                seen.add(key)
                by_node.setdefault(key[0], {}).setdefault(key[1], []).append(key[2])

    read(reader.select(CASE_STUDY_GRAPH, r=node) if statements is None else statements)
    own = by_node.get(node, {})
    assessments = [a for a in own.get(str(LHS.hasAssessment), []) if a in by_node]
    pointed = [
        o for n in (node, *assessments) for objs in by_node.get(n, {}).values() for o in objs
    ]
    if any(isinstance(o, ox.BlankNode) and o not in by_node for o in pointed):
        read(reader.select(CASE_STUDY_BLANKS, r=node))
    ratings_of = [
        r for a in assessments for r in by_node[a].get(str(LHS.hasRating), []) if r in by_node
    ]
    fields = shown(load_model(reader.kb.settings), PAGE)
    linking = [p.iri for p in fields if p.value_type in ("concept", "resource")]
    linked = {t.value for prop in linking for t in own.get(prop, []) if isinstance(t, ox.NamedNode)}
    for a in assessments:
        for prop in (str(LHS.assessmentBasis), str(LHS.instrument), PROV + "wasAttributedTo"):
            linked.update(t.value for t in by_node[a].get(prop, []) if isinstance(t, ox.NamedNode))
    for r in ratings_of:
        linked.update(
            t.value for t in by_node[r].get(str(LHS.level), []) if isinstance(t, ox.NamedNode)
        )
    for o in own.get(str(LHS.hasOutcome), []):
        for prop in (str(LHS.studyDesign), str(LHS.evidenceGrade)):
            linked.update(
                t.value for t in by_node.get(o, {}).get(prop, []) if isinstance(t, ox.NamedNode)
            )
    known = _term_facts(reader, linked)

    def label(term: Term) -> str:
        """English label of a linked term: looked up for IRIs, from its statements for others."""
        if isinstance(term, ox.NamedNode):
            return known.get(term.value, ("", ""))[0]
        return english_label(by_node.get(term, {}))

    links: dict[str, list[TermView]] = {}
    for prop in linking:
        views: list[TermView] = []
        for obj in own.get(prop, []):
            if isinstance(obj, ox.Literal):
                continue
            named = label(obj) or WELL_KNOWN.get(obj.value, obj.value)  # a licence, say (#15)
            view = TermView("iri", obj.value, named, local=reader.is_local(obj.value))
            if view not in views:
                views.append(view)
        if views:
            links[prop] = sorted(views, key=lambda t: t.label.lower())
    all_domains = domains(reader)
    names = {d[0]: (d[1], d[2]) for d in all_domains}
    ratings: dict[str, Rating] = {}
    for r in ratings_of:
        facts = by_node[r]
        if facts.get(str(LHS.ratesSubdomain)):
            continue
        for domain in facts.get(str(LHS.ratesDomain), []):
            for level in facts.get(str(LHS.level), []):
                notation, domain_label = names.get(domain.value, ("", domain.value))
                rank = (
                    known.get(level.value, ("", ""))[1] if isinstance(level, ox.NamedNode) else ""
                )
                ratings.setdefault(
                    domain.value,
                    Rating(
                        domain.value,
                        domain_label,
                        notation,
                        level.value,
                        level_id(level.value),
                        label(level) or level_id(level.value),
                        int(rank) if rank.isdigit() else 0,
                        _first(facts.get(str(LHS.justification), [])),
                    ),
                )
    basis = [b for a in assessments for b in by_node[a].get(str(LHS.assessmentBasis), [])]
    instruments = [i for a in assessments for i in by_node[a].get(str(LHS.instrument), [])]
    assessors = [b for a in assessments for b in by_node[a].get(PROV + "wasAttributedTo", [])]
    outcome_nodes = list(own.get(str(LHS.hasOutcome), []))
    outcome_nodes.sort(key=lambda o: (isinstance(o, ox.NamedNode), o.value))
    outcomes: dict[str, Outcome] = {}
    for o in outcome_nodes:
        facts = by_node.get(o, {})
        outcomes.setdefault(
            o.value,
            Outcome(
                o.value,
                english_label(facts) or o.value,
                _first(facts.get(str(LHS.metric), [])),
                _first(facts.get(str(LHS.valueBefore), [])),
                _first(facts.get(str(LHS.valueAfter), [])),
                _first(facts.get(DCT + "description", [])),
                ", ".join(label(t) or t.value for t in facts.get(str(LHS.studyDesign), [])),
                ", ".join(label(t) or t.value for t in facts.get(str(LHS.evidenceGrade), [])),
                _first(facts.get(str(LHS.denominator), [])),
            ),
        )

    def literals(prop: str) -> list[ox.Literal]:
        return [t for t in own.get(prop, []) if isinstance(t, ox.Literal)]

    start = english_first(literals(str(LHS.startYear)))
    end = english_first(literals(str(LHS.endYear)))
    period = f"{start}–{end}" if start and end else (f"since {start}" if start else end)
    by_local = {prop.rsplit("/", 1)[-1]: views for prop, views in links.items()}
    return CaseStudy(
        iri=iri,
        title=english_first(literals(DCT + "title")),
        description=english_first(literals(DCT + "description")),
        period=period,
        facts=_summary(fields, own, links, period),
        links=by_local,
        stages={t.value for t in by_local.get("showsLoopStage", [])},
        ratings=sorted(ratings.values(), key=lambda r: natural_key(r.notation)),
        unrated=[d for d in all_domains if d[0] not in ratings],
        assessment_basis=next((label(b) for b in basis if label(b)), ""),
        instrument=next((label(i) or i.value for i in instruments), ""),
        coverage_note=_first(
            [t for a in assessments for t in by_node[a].get(str(LHS.coverageNote), [])]
        ),
        assessed_by=sorted({label(b) or b.value for b in assessors}),
        assessed_on=_first([t for a in assessments for t in by_node[a].get(DCT + "date", [])]),
        outcomes=list(outcomes.values()),
        read_versions=lambda: versions(reader, iri),
    )


def _order(term: Term | None) -> tuple[int, str]:
    """SPARQL's ORDER BY rank of a term: unbound, blank nodes, IRIs, then literals."""
    if term is None:
        return (0, "")
    rank = 1 if isinstance(term, ox.BlankNode) else 2 if isinstance(term, ox.NamedNode) else 3
    return (rank, term.value)


def case_study_with_evidence(reader: Reader, iri: str) -> tuple[CaseStudy, Evidence]:
    """The page model and the claim evidence of ``iri`` from one read (``case-study-page``).

    Its claim and history rows are sorted as the named queries ``claim-evidence`` and
    ``assessment-history`` sort theirs, so :func:`evidence_of` sees them in the same order.
    """
    parts: dict[str, list[dict[str, Term]]] = {"statement": [], "claim": [], "history": []}
    for row in reader.select(CASE_STUDY_PAGE, r=ox.NamedNode(iri)):
        parts[value(row, "part")].append(row)
    claims = sorted(
        parts["claim"], key=lambda r: [_order(r.get(n)) for n in ("kind", "claim", "source")]
    )
    past = sorted(parts["history"], key=lambda r: _order(r.get("domainNotation")))
    past.sort(key=lambda r: _order(r.get("date")), reverse=True)
    study = case_study(reader, iri, statements=parts["statement"])
    return study, evidence_of(reader, claims, past)


def versions(reader: Reader, iri: str) -> list[Version]:
    """Published or withdrawn contribution versions whose graph describes ``iri``."""
    prefix = ox.Literal(reader.base_iri + "graph/contribution/")
    out = []
    for row in reader.select(VERSIONS, r=ox.NamedNode(iri), prefix=prefix):
        state = level_id(value(row, "state")) if value(row, "state") else ""
        if state in _SHOWN_STATES:
            out.append(Version(value(row, "g"), state, value(row, "time")))
    return sorted(out, key=lambda v: natural_key(v.graph))
