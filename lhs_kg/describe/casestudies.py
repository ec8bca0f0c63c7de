"""Case-study read models: the case-study page, the list, the NASSS heat map and its aggregates.

A domain's level comes from the domain-level rating of a case study's assessment (a rating that
also names a subdomain is a finer reading and is left out of the domain view).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg.describe.base import (
    DCT,
    LABEL_PROPERTIES,
    LHS,
    SKOS,
    SORT_ALL_MAX,
    LabelBook,
    Page,
    Reader,
    TermView,
    best_label_pattern,
    page_bounds,
    value,
)
from lhs_kg.describe.concepts import natural_key
from lhs_kg.store.base import Term

PROV = "http://www.w3.org/ns/prov#"

CASE_STUDY_FIELDS = f"""
SELECT ?p ?v WHERE {{
  VALUES ?p {{ <{DCT}title> <{DCT}description> <{LHS}aim> <{LHS}setting> <{LHS}startYear>
              <{LHS}endYear> }}
  ?r ?p ?v .
}}
"""

CASE_STUDY_LINKS = f"""
SELECT ?p ?o ?label WHERE {{
  VALUES ?p {{ <{LHS}organisation> <{LHS}country> <{LHS}scale> <{LHS}showsLoopStage>
              <{LHS}addressesRationale> <{LHS}appliesElement> <{DCT}source> <{DCT}contributor> }}
  ?r ?p ?o .
  {best_label_pattern("o", "label")}
}}
"""

ASSESSMENT = f"""
SELECT ?a ?basis ?basisLabel ?note ?date ?by ?byLabel WHERE {{
  ?r <{LHS}hasAssessment> ?a .
  OPTIONAL {{ ?a <{LHS}assessmentBasis> ?basis . {best_label_pattern("basis", "basisLabel")} }}
  OPTIONAL {{ ?a <{LHS}coverageNote> ?note }}
  OPTIONAL {{ ?a <{DCT}date> ?date }}
  OPTIONAL {{ ?a <{PROV}wasAttributedTo> ?by . {best_label_pattern("by", "byLabel")} }}
}}
"""

RATINGS = f"""
SELECT ?rating ?domain ?level ?levelLabel ?rank ?justification WHERE {{
  ?r <{LHS}hasAssessment>/<{LHS}hasRating> ?rating .
  ?rating <{LHS}ratesDomain> ?domain ; <{LHS}level> ?level .
  FILTER NOT EXISTS {{ ?rating <{LHS}ratesSubdomain> ?sub }}
  {best_label_pattern("level", "levelLabel")}
  OPTIONAL {{ ?level <{LHS}levelRank> ?rank }}
  OPTIONAL {{ ?rating <{LHS}justification> ?justification }}
}}
"""

OUTCOMES = f"""
SELECT ?o ?label ?metric ?before ?after ?description WHERE {{
  ?r <{LHS}hasOutcome> ?o .
  {best_label_pattern("o", "label")}
  OPTIONAL {{ ?o <{LHS}metric> ?metric }}
  OPTIONAL {{ ?o <{LHS}valueBefore> ?before }}
  OPTIONAL {{ ?o <{LHS}valueAfter> ?after }}
  OPTIONAL {{ ?o <{DCT}description> ?description }}
}}
ORDER BY ?o
"""

VERSIONS = f"""
SELECT DISTINCT ?g ?state ?time WHERE {{
  GRAPH ?g {{ ?r ?p ?o }}
  FILTER(STRSTARTS(STR(?g), STR(?prefix)))
  OPTIONAL {{ GRAPH ?reg {{ ?g <{LHS}reviewState> ?state }} }}
  OPTIONAL {{ GRAPH ?reg2 {{ ?g <{PROV}generatedAtTime> ?time }} }}
}}
"""

DOMAINS = f"""
SELECT ?d ?label ?notation WHERE {{
  ?d a <{LHS}NasssDomain> .
  {best_label_pattern("d", "label")}
  OPTIONAL {{ ?d <{SKOS}notation> ?notation }}
}}
"""

_LIST_FIELDS = f"""
  {best_label_pattern("cs", "label")}
  OPTIONAL {{ ?cs <{DCT}title> ?title }}
  OPTIONAL {{ ?cs <{LHS}country> ?country . {best_label_pattern("country", "countryLabel")} }}
  OPTIONAL {{ ?cs <{LHS}startYear> ?start }}
  OPTIONAL {{ ?cs <{LHS}endYear> ?end }}
"""

LIST = f"""
SELECT ?cs ?label ?title ?country ?countryLabel ?start ?end WHERE {{
  ?cs a <{LHS}CaseStudy> .
  {_LIST_FIELDS}
}}
"""

#: One page of the list: its keys in the store's index order (stable; an ORDER BY would decode
#: every IRI first); their fields come next from ``Reader.fields``.
LIST_KEYS = f"""
SELECT DISTINCT ?cs WHERE {{ ?cs a <{LHS}CaseStudy> }} LIMIT %(limit)d OFFSET %(offset)d
"""

HEATMAP = f"""
SELECT ?cs ?domain ?level ?rank WHERE {{
  ?cs a <{LHS}CaseStudy> ; <{LHS}hasAssessment>/<{LHS}hasRating> ?rating .
  ?rating <{LHS}ratesDomain> ?domain ; <{LHS}level> ?level .
  FILTER NOT EXISTS {{ ?rating <{LHS}ratesSubdomain> ?sub }}
  OPTIONAL {{ ?level <{LHS}levelRank> ?rank }}
}}
"""

OUTCOME_COUNTS = f"""
SELECT ?cs (COUNT(DISTINCT ?o) AS ?n) WHERE {{
  ?cs a <{LHS}CaseStudy> . OPTIONAL {{ ?cs <{LHS}hasOutcome> ?o }}
}} GROUP BY ?cs
"""

COUNT = f"SELECT (COUNT(DISTINCT ?cs) AS ?n) WHERE {{ ?cs a <{LHS}CaseStudy> }}"

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
    versions: list[Version]


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


def case_study(reader: Reader, iri: str) -> CaseStudy:
    """The case-study page model of ``iri`` (fields absent from the data are empty)."""
    node = ox.NamedNode(iri)
    fields: dict[str, list[ox.Literal]] = {}
    for row in reader.select(CASE_STUDY_FIELDS, r=node):
        term = row.get("v")
        if isinstance(term, ox.Literal):
            fields.setdefault(value(row, "p"), []).append(term)
    links: dict[str, list[TermView]] = {}
    for row in reader.select(CASE_STUDY_LINKS, r=node):
        key = value(row, "p").rsplit("/", 1)[-1]
        obj = value(row, "o")
        view = TermView("iri", obj, value(row, "label") or obj, local=reader.is_local(obj))
        if view not in links.setdefault(key, []):
            links[key].append(view)
    for views in links.values():
        views.sort(key=lambda t: t.label.lower())
    all_domains = domains(reader)
    names = {d[0]: (d[1], d[2]) for d in all_domains}
    ratings: dict[str, Rating] = {}
    for row in reader.select(RATINGS, r=node):
        domain = value(row, "domain")
        notation, label = names.get(domain, ("", domain))
        rank = value(row, "rank")
        ratings.setdefault(
            domain,
            Rating(
                domain,
                label,
                notation,
                value(row, "level"),
                level_id(value(row, "level")),
                value(row, "levelLabel") or level_id(value(row, "level")),
                int(rank) if rank.isdigit() else 0,
                value(row, "justification"),
            ),
        )
    assessment = reader.select(ASSESSMENT, r=node)
    outcomes: dict[str, Outcome] = {}
    for row in reader.select(OUTCOMES, r=node):
        outcomes.setdefault(
            value(row, "o"),
            Outcome(
                value(row, "o"),
                value(row, "label") or value(row, "o"),
                value(row, "metric"),
                value(row, "before"),
                value(row, "after"),
                value(row, "description"),
            ),
        )
    start = _english_first(fields.get(LHS + "startYear", []))
    end = _english_first(fields.get(LHS + "endYear", []))
    return CaseStudy(
        iri=iri,
        title=_english_first(fields.get(DCT + "title", [])),
        description=_english_first(fields.get(DCT + "description", [])),
        aim=_english_first(fields.get(LHS + "aim", [])),
        setting=_english_first(fields.get(LHS + "setting", [])),
        period=f"{start}–{end}" if start and end else (f"since {start}" if start else end),
        links=links,
        stages={t.value for t in links.get("showsLoopStage", [])},
        ratings=sorted(ratings.values(), key=lambda r: natural_key(r.notation)),
        unrated=[d for d in all_domains if d[0] not in ratings],
        assessment_basis=next(
            (value(r, "basisLabel") for r in assessment if "basisLabel" in r), ""
        ),
        coverage_note=next((value(r, "note") for r in assessment if "note" in r), ""),
        assessed_by=sorted(
            {value(r, "byLabel") or value(r, "by") for r in assessment if "by" in r}
        ),
        assessed_on=next((value(r, "date") for r in assessment if "date" in r), ""),
        outcomes=list(outcomes.values()),
        versions=versions(reader, iri),
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
        keys, (DCT + "title", LHS + "country", LHS + "startYear", LHS + "endYear")
    )
    countries = reader.labels(
        o.value
        for f in found.values()
        for o in f.get(LHS + "country", [])
        if isinstance(o, ox.NamedNode)
    )
    rows = []
    for iri, f in found.items():
        book = LabelBook()
        for prop in LABEL_PROPERTIES:
            for literal in f.get(prop, []):
                book.offer(iri, prop, literal)

        def first(prop: str, f: dict[str, list[Term]] = f) -> str:
            return _english_first([o for o in f.get(prop, []) if isinstance(o, ox.Literal)])

        start, end = first(LHS + "startYear"), first(LHS + "endYear")
        country = sorted(countries.get(o.value) for o in f.get(LHS + "country", []))
        rows.append(
            CaseStudyRow(
                iri,
                book.get(iri) if iri in book else iri,
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
    for r in reader.select(HEATMAP):
        notation = notation_of.get(value(r, "domain"))
        if notation and value(r, "cs") in levels:
            levels[value(r, "cs")].setdefault(notation, level_id(value(r, "level")))
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
    rank = {name: i + 1 for i, name in enumerate(LEVELS)}
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
