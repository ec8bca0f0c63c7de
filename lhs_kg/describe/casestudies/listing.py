"""The case-study list: every case study by label, a page at a time, and the count."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import (
    DCT,
    SORT_ALL_MAX,
    Page,
    Reader,
    page_bounds,
    value,
)
from lhs_kg.describe.casestudies.page import english_first
from lhs_kg.namespaces import LHS
from lhs_kg.store.base import Term

LIST = sparql.text("describe/case-study-list")

#: One page of the list: its keys in the store's index order (stable; an ORDER BY would decode
#: every IRI first), LIMIT and OFFSET bound per page; their fields come next from ``Reader.fields``.
LIST_KEYS = sparql.text("describe/case-study-page-keys")

COUNT = sparql.text("describe/case-study-count")


@dataclass
class CaseStudyRow:
    """A line of the case-study list."""

    iri: str
    label: str
    title: str
    country: str
    period: str


def count(reader: Reader) -> int:
    """How many case studies there are (kept with the reader's shared read models)."""

    def compute() -> int:
        rows = reader.select(COUNT)
        return int(value(rows[0], "n", "0")) if rows else 0

    return reader.memo("case-study-count", compute)


def case_studies(reader: Reader) -> list[CaseStudyRow]:
    """Every case study, by label."""
    return list_rows(reader.aggregate(LIST))


def case_study_page(reader: Reader, page: int, size: int = 50) -> Page[CaseStudyRow]:
    """One page of the case-study list, sorted by label (see ``SORT_ALL_MAX`` for long lists)."""
    total = count(reader)
    page, offset = page_bounds(total, page, size)
    if total <= SORT_ALL_MAX:
        every = reader.memo("case-study-list", lambda: case_studies(reader))
        return Page(every[offset : offset + size], total, page, size)
    keys = [value(row, "cs") for row in reader.select(LIST_KEYS, limit=size, offset=offset)]
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
            return english_first([o for o in f.get(prop, []) if isinstance(o, ox.Literal)])

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


def list_rows(found: list[dict[str, Term]]) -> list[CaseStudyRow]:
    """The rows of the list query's answer, one per case study, by label."""
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
