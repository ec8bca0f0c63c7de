"""The NASSS heat map: case studies × domains with their levels, sorted, and its aggregates.

A domain's level comes from the domain-level rating of a case study's assessment (a rating that
also names a subdomain is a finer reading and is left out of the domain view).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.casestudies.listing import case_studies
from lhs_kg.describe.casestudies.nasss import LEVELS, domains, level_id
from lhs_kg.describe.concepts import natural_key
from lhs_kg.queries import QueryLibrary

#: The heat map's one definition is the named query of that name (its cells: a case study's
#: domain rating per domain, subdomain ratings left out), read by the page too (#13).
HEATMAP_QUERY = "nasss-heatmap"

OUTCOME_COUNTS = sparql.text("describe/case-study-outcome-counts")


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


def heatmap(reader: Reader, sort: str = "label") -> HeatMap:
    """Case studies × NASSS domains with their levels, sorted; plus the aggregates.

    ``sort`` is 'label', 'complex' (most complex domains first) or 'domain-<notation>'
    (most complex in that domain first); anything else sorts by label.
    """
    all_domains = domains(reader)
    notation_of = {d[0]: d[1] for d in all_domains}
    labels = {row.iri: row.label for row in case_studies(reader)}
    outcome_counts = {
        value(r, "cs"): int(value(r, "n", "0")) for r in reader.aggregate(OUTCOME_COUNTS)
    }
    levels: dict[str, dict[str, str]] = {iri: {} for iri in labels}
    rank = {name: i + 1 for i, name in enumerate(LEVELS)}
    library = QueryLibrary.from_settings(reader.kb.settings)
    for r in reader.aggregate(library.get(HEATMAP_QUERY).text):
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
