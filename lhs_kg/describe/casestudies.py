"""Case-study read models: the case-study page, the list, the NASSS heat map and its aggregates.

A domain's level comes from the domain-level rating of a case study's assessment (a rating that
also names a subdomain is a finer reading and is left out of the domain view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from lhs_kg.describe.base import (
    DCT,
    LABEL_PROPERTIES,
    SKOS,
    SORT_ALL_MAX,
    Page,
    Reader,
    TermView,
    best_label_pattern,
    is_english,
    page_bounds,
    value,
)
from lhs_kg.describe.concepts import natural_key
from lhs_kg.namespaces import LHS
from lhs_kg.queries import QueryLibrary
from lhs_kg.store.base import Term

PROV = "http://www.w3.org/ns/prov#"

#: The case study's own statements and those of its assessment, its ratings and its outcomes, in
#: one read: every pattern starts from a bound node, so the store walks that node's own triples
#: (~40 rows at 1M triples, never a scan).
CASE_STUDY_GRAPH = f"""
SELECT ?s ?p ?o WHERE {{
  {{ ?r ?p ?o BIND(?r AS ?s) }}
  UNION {{ ?r <{LHS.hasAssessment}> ?s . ?s ?p ?o }}
  UNION {{ ?r <{LHS.hasAssessment}>/<{LHS.hasRating}> ?s . ?s ?p ?o }}
  UNION {{ ?r <{LHS.hasOutcome}> ?s . ?s ?p ?o }}
}}
"""

#: The statements of blank nodes the case study or its assessment points at (a contributor or
#: assessor without an IRI, say), read only when there are some: the test on every object
#: would double the cost of the read above.
CASE_STUDY_BLANKS = f"""
SELECT ?s ?p ?o WHERE {{
  {{ ?r ?q ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ ?r <{LHS.hasAssessment}> ?a . ?a ?q ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
}}
"""

#: What the page shows of the case study itself (literals, English first).
_FIELDS = (DCT + "title", DCT + "description", str(LHS.aim), str(LHS.setting))
#: Links shown in the summary and the sources section, by the key the template uses.
_LINKS = (
    str(LHS.organisation),
    str(LHS.country),
    str(LHS.scale),
    str(LHS.showsLoopStage),
    str(LHS.addressesRationale),
    str(LHS.appliesElement),
    DCT + "source",
    DCT + "contributor",
)
#: Facts of linked terms kept with the shared read models (labels of concepts, sources and
#: organisations recur on every page); at most this many terms are kept per store generation.
TERM_FACTS_MAX = 20_000

VERSIONS = f"""
SELECT DISTINCT ?g ?state ?time WHERE {{
  GRAPH ?g {{ ?r ?p ?o }}
  FILTER(STRSTARTS(STR(?g), STR(?prefix)))
  OPTIONAL {{ GRAPH ?reg {{ ?g <{LHS.reviewState}> ?state }} }}
  OPTIONAL {{ GRAPH ?reg2 {{ ?g <{PROV}generatedAtTime> ?time }} }}
}}
"""

DOMAINS = f"""
SELECT ?d ?label ?notation WHERE {{
  ?d a <{LHS.NasssDomain}> .
  {best_label_pattern("d", "label")}
  OPTIONAL {{ ?d <{SKOS}notation> ?notation }}
}}
"""

_LIST_FIELDS = f"""
  {best_label_pattern("cs", "label")}
  OPTIONAL {{ ?cs <{DCT}title> ?title }}
  OPTIONAL {{ ?cs <{LHS.country}> ?country . {best_label_pattern("country", "countryLabel")} }}
  OPTIONAL {{ ?cs <{LHS.startYear}> ?start }}
  OPTIONAL {{ ?cs <{LHS.endYear}> ?end }}
"""

LIST = f"""
SELECT ?cs ?label ?title ?country ?countryLabel ?start ?end WHERE {{
  ?cs a <{LHS.CaseStudy}> .
  {_LIST_FIELDS}
}}
"""

#: One page of the list: its keys in the store's index order (stable; an ORDER BY would decode
#: every IRI first); their fields come next from ``Reader.fields``.
LIST_KEYS = f"""
SELECT DISTINCT ?cs WHERE {{ ?cs a <{LHS.CaseStudy}> }} LIMIT %(limit)d OFFSET %(offset)d
"""

#: The heat map's one definition is the named query of that name (its cells: a case study's
#: domain rating per domain, subdomain ratings left out), read by the page too (#13).
HEATMAP_QUERY = "nasss-heatmap"

OUTCOME_COUNTS = f"""
SELECT ?cs (COUNT(DISTINCT ?o) AS ?n) WHERE {{
  ?cs a <{LHS.CaseStudy}> . OPTIONAL {{ ?cs <{LHS.hasOutcome}> ?o }}
}} GROUP BY ?cs
"""

COUNT = f"SELECT (COUNT(DISTINCT ?cs) AS ?n) WHERE {{ ?cs a <{LHS.CaseStudy}> }}"

#: Names of the complexity levels (ids under concept/complexity-level/), lowest first.
LEVELS = ("simple", "complicated", "complex")
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
    """A reported result: what was measured, before and after."""

    iri: str
    label: str
    metric: str
    before: str
    after: str
    description: str


@dataclass
class Version:
    """A published (or withdrawn) contribution version that touched the case study."""

    graph: str
    state: str
    time: str


@dataclass
class CaseStudy:
    """Everything the case-study page shows beyond the generic description."""

    iri: str
    title: str
    description: str
    aim: str
    setting: str
    period: str
    links: dict[str, list[TermView]]
    stages: set[str]
    ratings: list[Rating]
    unrated: list[tuple[str, str, str]]
    assessment_basis: str
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


@dataclass
class CaseStudyRow:
    """A line of the case-study list."""

    iri: str
    label: str
    title: str
    country: str
    period: str


@dataclass
class HeatRow:
    """One case study across the seven NASSS domains (level id per domain notation)."""

    iri: str
    label: str
    levels: dict[str, str]
    complex_count: int
    outcomes: int


@dataclass
class HeatMap:
    """The NASSS heat map and its aggregates."""

    domains: list[tuple[str, str, str]]
    rows: list[HeatRow]
    sort: str
    complex_by_domain: list[tuple[str, str, int, int]]
    by_complex_count: list[tuple[int, list[HeatRow], int]] = field(default_factory=list)


def level_id(iri: str) -> str:
    """'complex' for …/complexity-level/complex."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def domains(reader: Reader) -> list[tuple[str, str, str]]:
    """The NASSS domains as (iri, notation, label), in notation order (shared by every page)."""
    return reader.memo("nasss-domains", lambda: _domains(reader))


def _domains(reader: Reader) -> list[tuple[str, str, str]]:
    found = {
        value(r, "d"): (value(r, "d"), value(r, "notation"), value(r, "label") or value(r, "d"))
        for r in reader.select(DOMAINS)
    }
    return sorted(found.values(), key=lambda d: natural_key(d[1]))


def _english_first(values: list[ox.Literal]) -> str:
    for literal in values:
        if (literal.language or "en").lower().startswith("en"):
            return literal.value
    return values[0].value if values else ""


#: A node's statements: property IRI → objects, in the order the store gave them.
Facts = dict[str, list[Term]]


def english_label(facts: Facts) -> str:
    """The first English or untagged label in MODEL.md's property order ('' when none).

    The same choice the SPARQL of :func:`best_label_pattern` makes, made on statements in hand.
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


def case_study(reader: Reader, iri: str) -> CaseStudy:
    """The case-study page model of ``iri`` (fields absent from the data are empty).

    Two queries: the statements of the case study and its parts (assessment, ratings,
    outcomes), then the labels and ranks of what they link to that no earlier page looked up.
    """
    node = ox.NamedNode(iri)
    by_node: dict[Term, Facts] = {}
    seen: set[tuple[Term, str, Term]] = set()

    def read(text: str) -> None:
        for row in reader.select(text, r=node):
            key = (row["s"], value(row, "p"), row["o"])
            if key not in seen:
                seen.add(key)
                by_node.setdefault(key[0], {}).setdefault(key[1], []).append(key[2])

    read(CASE_STUDY_GRAPH)
    own = by_node.get(node, {})
    assessments = [a for a in own.get(str(LHS.hasAssessment), []) if a in by_node]
    pointed = [
        o for n in (node, *assessments) for objs in by_node.get(n, {}).values() for o in objs
    ]
    if any(isinstance(o, ox.BlankNode) and o not in by_node for o in pointed):
        read(CASE_STUDY_BLANKS)
    ratings_of = [
        r for a in assessments for r in by_node[a].get(str(LHS.hasRating), []) if r in by_node
    ]
    linked = {t.value for prop in _LINKS for t in own.get(prop, []) if isinstance(t, ox.NamedNode)}
    for a in assessments:
        for prop in (str(LHS.assessmentBasis), PROV + "wasAttributedTo"):
            linked.update(t.value for t in by_node[a].get(prop, []) if isinstance(t, ox.NamedNode))
    for r in ratings_of:
        linked.update(
            t.value for t in by_node[r].get(str(LHS.level), []) if isinstance(t, ox.NamedNode)
        )
    known = _term_facts(reader, linked)

    def label(term: Term) -> str:
        """English label of a linked term: looked up for IRIs, from its statements for others."""
        if isinstance(term, ox.NamedNode):
            return known.get(term.value, ("", ""))[0]
        return english_label(by_node.get(term, {}))

    links: dict[str, list[TermView]] = {}
    for prop in _LINKS:
        views: list[TermView] = []
        for obj in own.get(prop, []):
            view = TermView(
                "iri", obj.value, label(obj) or obj.value, local=reader.is_local(obj.value)
            )
            if view not in views:
                views.append(view)
        if views:
            links[prop.rsplit("/", 1)[-1]] = sorted(views, key=lambda t: t.label.lower())
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
            ),
        )

    def literals(prop: str) -> list[ox.Literal]:
        return [t for t in own.get(prop, []) if isinstance(t, ox.Literal)]

    start = _english_first(literals(str(LHS.startYear)))
    end = _english_first(literals(str(LHS.endYear)))
    title, description, aim, setting = (_english_first(literals(p)) for p in _FIELDS)
    return CaseStudy(
        iri=iri,
        title=title,
        description=description,
        aim=aim,
        setting=setting,
        period=f"{start}–{end}" if start and end else (f"since {start}" if start else end),
        links=links,
        stages={t.value for t in links.get("showsLoopStage", [])},
        ratings=sorted(ratings.values(), key=lambda r: natural_key(r.notation)),
        unrated=[d for d in all_domains if d[0] not in ratings],
        assessment_basis=next((label(b) for b in basis if label(b)), ""),
        coverage_note=_first(
            [t for a in assessments for t in by_node[a].get(str(LHS.coverageNote), [])]
        ),
        assessed_by=sorted({label(b) or b.value for b in assessors}),
        assessed_on=_first([t for a in assessments for t in by_node[a].get(DCT + "date", [])]),
        outcomes=list(outcomes.values()),
        read_versions=lambda: versions(reader, iri),
    )


def versions(reader: Reader, iri: str) -> list[Version]:
    """Published or withdrawn contribution versions whose graph describes ``iri``."""
    prefix = ox.Literal(reader.base_iri + "graph/contribution/")
    out = []
    for row in reader.select(VERSIONS, r=ox.NamedNode(iri), prefix=prefix):
        state = level_id(value(row, "state")) if value(row, "state") else ""
        if state in _SHOWN_STATES:
            out.append(Version(value(row, "g"), state, value(row, "time")))
    return sorted(out, key=lambda v: natural_key(v.graph))


def count(reader: Reader) -> int:
    """How many case studies there are (kept with the reader's shared read models)."""

    def compute() -> int:
        rows = reader.select(COUNT)
        return int(value(rows[0], "n", "0")) if rows else 0

    return reader.memo("case-study-count", compute)


def case_studies(reader: Reader) -> list[CaseStudyRow]:
    """Every case study, by label."""
    return _list_rows(reader.select(LIST))


def case_study_page(reader: Reader, page: int, size: int = 50) -> Page[CaseStudyRow]:
    """One page of the case-study list, sorted by label (see ``SORT_ALL_MAX`` for long lists)."""
    total = count(reader)
    page, offset = page_bounds(total, page, size)
    if total <= SORT_ALL_MAX:
        every = reader.memo("case-study-list", lambda: case_studies(reader))
        return Page(every[offset : offset + size], total, page, size)
    keys = [
        value(row, "cs") for row in reader.select(LIST_KEYS % {"limit": size, "offset": offset})
    ]
    found = reader.fields(
        keys, (DCT + "title", str(LHS.country), str(LHS.startYear), str(LHS.endYear))
    )
    countries = reader.labels(
        o.value
        for f in found.values()
        for o in f.get(str(LHS.country), [])
        if isinstance(o, ox.NamedNode)
    )
    rows = []
    for iri, f in found.items():

        def first(prop: str, f: dict[str, list[Term]] = f) -> str:
            return _english_first([o for o in f.get(prop, []) if isinstance(o, ox.Literal)])

        start, end = first(str(LHS.startYear)), first(str(LHS.endYear))
        country = sorted(countries.get(o.value) for o in f.get(str(LHS.country), []))
        rows.append(
            CaseStudyRow(
                iri,
                reader.label_in(iri, f),
                first(DCT + "title"),
                country[0] if country else "",
                f"{start}–{end}" if start and end else start,
            )
        )
    return Page(sorted(rows, key=lambda r: r.label.lower()), total, page, size)


def _list_rows(found: list[dict[str, Term]]) -> list[CaseStudyRow]:
    rows: dict[str, CaseStudyRow] = {}
    for r in found:
        start, end = value(r, "start"), value(r, "end")
        rows.setdefault(
            value(r, "cs"),
            CaseStudyRow(
                value(r, "cs"),
                value(r, "label") or value(r, "cs"),
                value(r, "title"),
                value(r, "countryLabel"),
                f"{start}–{end}" if start and end else start,
            ),
        )
    return sorted(rows.values(), key=lambda r: r.label.lower())


def heatmap(reader: Reader, sort: str = "label") -> HeatMap:
    """Case studies × NASSS domains with their levels, sorted; plus the aggregates.

    ``sort`` is 'label', 'complex' (most complex domains first) or 'domain-<notation>'
    (most complex in that domain first); anything else sorts by label.
    """
    all_domains = domains(reader)
    notation_of = {d[0]: d[1] for d in all_domains}
    labels = {row.iri: row.label for row in case_studies(reader)}
    outcome_counts = {
        value(r, "cs"): int(value(r, "n", "0")) for r in reader.select(OUTCOME_COUNTS)
    }
    levels: dict[str, dict[str, str]] = {iri: {} for iri in labels}
    rank = {name: i + 1 for i, name in enumerate(LEVELS)}
    library = QueryLibrary.from_settings(reader.kb.settings)
    for r in reader.select(library.get(HEATMAP_QUERY).text):
        notation = notation_of.get(value(r, "domain"))
        cs, level = value(r, "caseStudy"), level_id(value(r, "level"))
        if notation and cs in levels:  # two domain ratings (two assessments): the higher shows
            shown = levels[cs].get(notation)
            if shown is None or rank.get(level, 0) > rank.get(shown, 0):
                levels[cs][notation] = level
    rows = [
        HeatRow(
            iri,
            labels[iri],
            lv,
            sum(1 for x in lv.values() if x == "complex"),
            outcome_counts.get(iri, 0),
        )
        for iri, lv in levels.items()
    ]
    notations = {d[1] for d in all_domains}
    if sort == "complex":
        rows.sort(key=lambda r: (-r.complex_count, r.label.lower()))
    elif sort.startswith("domain-") and sort[7:] in notations:
        rows.sort(key=lambda r: (-rank.get(r.levels.get(sort[7:], ""), 0), r.label.lower()))
    else:
        sort = "label"
        rows.sort(key=lambda r: r.label.lower())
    complex_by_domain = [
        (
            notation,
            label,
            sum(1 for r in rows if r.levels.get(notation) == "complex"),
            sum(1 for r in rows if notation in r.levels),
        )
        for _, notation, label in all_domains
    ]
    complex_by_domain.sort(key=lambda d: (-d[2], natural_key(d[0])))
    groups: dict[int, list[HeatRow]] = {}
    for row in rows:
        groups.setdefault(row.complex_count, []).append(row)
    by_count = [
        (n, members, sum(m.outcomes for m in members)) for n, members in sorted(groups.items())
    ]
    return HeatMap(all_domains, rows, sort, complex_by_domain, by_count)
