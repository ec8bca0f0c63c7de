"""The NASSS heat map: case studies × domains with their levels, sorted, and its aggregates.

A domain's level comes from the domain-level rating of a case study's assessment (a rating that
also names a subdomain is a finer reading and is left out of the domain view).

At a million triples every case study as a row made a 15 MB page (#16), so the page shows one
bounded slice (:func:`heat_page`): the whole map is built once per store generation, each sort
order once per generation, and a request filters and slices. The whole table stays available
as data (:func:`heat_csv`, and the named query ``nasss-heatmap``).
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, page_bounds, value
from lhs_kg.describe.casestudies.listing import LIST, case_studies, list_rows
from lhs_kg.describe.casestudies.nasss import LEVELS, domains, level_id
from lhs_kg.describe.concepts import natural_key
from lhs_kg.errors import InputError
from lhs_kg.queries import QueryLibrary
from lhs_kg.store.base import Term

#: The heat map's one definition is the named query of that name (its cells: a case study's
#: domain rating per domain, subdomain ratings left out), read by the page too (#13).
HEATMAP_QUERY = "nasss-heatmap"

OUTCOME_COUNTS = sparql.text("describe/case-study-outcome-counts")

#: Case studies per page of the heat map (a page of 50 rows is ~60 kB of HTML).
PAGE_SIZE = 50
#: The filter word for a domain with no rating (never a level: #14).
UNRATED = "unrated"
#: Sorts by name; the others are 'complex' and 'domain-<notation>'.
DEFAULT_SORT = "label"
RATED_CHOICES = ("all", "rated", "unrated")
#: Members named per line of the "outcomes by number of complex domains" table; more are a link.
MEMBERS_SHOWN = 12
#: Longest query-string value read (a longer one is not a choice of this page).
_MAX_ARG = 40
_MAX_PAGE_DIGITS = 18


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
    sorted_views: dict[str, list[HeatRow]] = field(default_factory=dict, compare=False)
    """The rows in the other sorts asked for so far, kept with the map they sort."""


@dataclass(frozen=True)
class HeatFilter:
    """What one view of the heat map shows: its order and which case studies.

    ``domain`` with ``level`` keeps the case studies at that level in that domain ('unrated':
    no rating there); ``rated`` keeps those with at least one rated domain or none;
    ``complex`` keeps those with that many complex domains.
    """

    sort: str = DEFAULT_SORT
    domain: str = ""
    level: str = ""
    rated: str = "all"
    complex: int | None = None

    def keeps(self, row: HeatRow) -> bool:
        """Whether ``row`` is in this view."""
        if self.domain and row.levels.get(self.domain, UNRATED) != self.level:
            return False
        if self.rated != "all" and bool(row.levels) != (self.rated == "rated"):
            return False
        return self.complex is None or row.complex_count == self.complex

    @property
    def filtered(self) -> bool:
        """True when some case studies may be left out."""
        return bool(self.domain) or self.rated != "all" or self.complex is not None

    def args(self, **changes: object) -> dict[str, str]:
        """The query-string arguments that give this view (defaults left out), with changes."""
        view = replace(self, **changes)  # type: ignore[arg-type]
        found = {
            "sort": view.sort if view.sort != DEFAULT_SORT else "",
            "domain": view.domain,
            "level": view.level if view.domain else "",
            "rated": view.rated if view.rated != "all" else "",
            "complex": "" if view.complex is None else str(view.complex),
        }
        return {k: v for k, v in found.items() if v}


@dataclass
class HeatPage:
    """One page of the heat map, the view it shows, and the whole map's aggregates."""

    map: HeatMap
    view: HeatFilter
    rows: list[HeatRow]
    total: int
    page: int
    pages: int
    size: int


def parse_filter(args: Mapping[str, str], notations: set[str]) -> HeatFilter:
    """The view a query string asks for; an InputError naming the first bad argument.

    An unknown ``sort`` falls back to the name order (a sort link from an older page still
    shows the table); a filter that cannot be applied is an error, never ignored.
    """
    for name in ("sort", "domain", "level", "rated", "complex"):
        if len(args.get(name, "")) > _MAX_ARG:
            raise InputError(f"the value of {name!r} is too long for a choice of this page")
    sort = args.get("sort", DEFAULT_SORT) or DEFAULT_SORT
    if sort != "complex" and not (sort.startswith("domain-") and sort[7:] in notations):
        sort = DEFAULT_SORT
    domain, level = args.get("domain", ""), args.get("level", "")
    if domain and domain not in notations:
        known = ", ".join(sorted(notations, key=natural_key))
        raise InputError(f"there is no NASSS domain {domain!r} (the domains are {known})")
    if bool(domain) != bool(level):
        raise InputError("choose a domain and a level together to filter by level")
    if level and level not in (*LEVELS, UNRATED):
        raise InputError(f"level must be one of {', '.join((*LEVELS, UNRATED))}, not {level!r}")
    rated = args.get("rated", "all") or "all"
    if rated not in RATED_CHOICES:
        raise InputError(f"rated must be one of {', '.join(RATED_CHOICES)}, not {rated!r}")
    raw = args.get("complex", "")
    if raw and not (raw.isascii() and raw.isdigit() and int(raw) <= len(notations)):
        raise InputError(f"complex must be a number of domains from 0 to {len(notations)}")
    return HeatFilter(sort, domain, level, rated, int(raw) if raw else None)


def parse_page(raw: str | None) -> int:
    """The page number asked for (1 when none); beyond the last page is clamped later."""
    if raw is None or raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= _MAX_PAGE_DIGITS) or int(raw) < 1:
        raise InputError("page must be a whole number from 1")
    return int(raw)


def heatmap(reader: Reader, sort: str = DEFAULT_SORT) -> HeatMap:
    """Case studies × NASSS domains with their levels, sorted; plus the aggregates.

    ``sort`` is 'label', 'complex' (most complex domains first) or 'domain-<notation>'
    (most complex in that domain first); anything else sorts by label. Built once per sort
    and store generation (the reader's shared models).
    """
    whole = reader.memo("nasss-heat-map", lambda: _whole(reader))
    notations = {d[1] for d in whole.domains}
    if sort != "complex" and not (sort.startswith("domain-") and sort[7:] in notations):
        sort = DEFAULT_SORT
    if sort == DEFAULT_SORT:
        return whole
    rows = whole.sorted_views.get(sort)
    if rows is None:  # kept with the map: a write moves its touched rows (see _replaced)
        rows = whole.sorted_views.setdefault(sort, _sorted(whole.rows, sort))
    return replace(whole, rows=rows, sort=sort, sorted_views={})


def heat_page(reader: Reader, view: HeatFilter, page: int, size: int = PAGE_SIZE) -> HeatPage:
    """One page of the heat map in ``view`` (a page past the last one shows the last)."""
    whole = heatmap(reader, view.sort)
    view = replace(view, sort=whole.sort)
    kept = [r for r in whole.rows if view.keeps(r)] if view.filtered else whole.rows
    page, offset = page_bounds(len(kept), page, size)
    pages = max(1, -(-len(kept) // size))
    return HeatPage(whole, view, kept[offset : offset + size], len(kept), page, pages, size)


def heat_csv(heat: HeatMap) -> Iterator[str]:
    """The whole heat map as CSV, one case study a line, written as it is read (streamed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    names = [f"{notation}. {label}" for _, notation, label in heat.domains]
    writer.writerow(["case study", "label", *names, "complex domains", "outcomes"])
    for i, row in enumerate(heat.rows):
        levels = [row.levels.get(notation, "not rated") for _, notation, _ in heat.domains]
        writer.writerow([row.iri, row.label, *levels, row.complex_count, row.outcomes])
        if i % 500 == 499:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _rank(level: str) -> int:
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def _sort_key(sort: str) -> Callable[[HeatRow], tuple[int, str, str]]:
    """The order of a sort: most complex first, then the map's own order (label, IRI)."""
    if sort == "complex":
        return lambda r: (-r.complex_count, r.label.lower(), r.iri)
    notation = sort[7:]
    return lambda r: (-_rank(r.levels.get(notation, "")), r.label.lower(), r.iri)


def _sorted(rows: list[HeatRow], sort: str) -> list[HeatRow]:
    return sorted(rows, key=_sort_key(sort))


def _resorted(
    old: list[HeatRow], touched: frozenset[str], fresh: list[HeatRow], sort: str
) -> list[HeatRow]:
    """``old`` (the previous map's order) with the touched case studies' rows taken out and
    their ``fresh`` rows put in place (#16: sorting every row took 243 ms at 10M triples)."""
    key = _sort_key(sort)
    rows = [row for row in old if row.iri not in touched]
    for row in fresh:
        bisect.insort(rows, row, key=key)
    return rows


def _whole(reader: Reader) -> HeatMap:
    """Every case study's row, by label, and the aggregates over all of them; after a write,
    the previous map with the rows of the touched case studies made again (#16)."""
    if reader.aggregates is None:
        return _built(reader)
    return reader.aggregates.derived(
        "nasss-heat-map",
        lambda: _built(reader),
        lambda old, touched: _updated(reader, old, touched),
    )


def _built(reader: Reader) -> HeatMap:
    all_domains = domains(reader)
    labels = {row.iri: row.label for row in case_studies(reader)}
    outcome_counts = _outcomes(reader.aggregate(OUTCOME_COUNTS))
    library = QueryLibrary.from_settings(reader.kb.settings)
    cells = reader.aggregate(library.get(HEATMAP_QUERY).text)
    return _assembled(all_domains, _rows(all_domains, labels, outcome_counts, cells))


def _updated(reader: Reader, old: HeatMap, touched: frozenset[str]) -> HeatMap:
    """``old`` with the rows of ``touched`` read again (three small queries)."""
    keys = [ox.NamedNode(iri) for iri in sorted(touched)]
    labels = {
        row.iri: row.label for row in list_rows(reader.select(LIST, [{"cs": k} for k in keys]))
    }
    outcome_counts = _outcomes(reader.select(OUTCOME_COUNTS, [{"cs": k} for k in keys]))
    library = QueryLibrary.from_settings(reader.kb.settings)
    text = library.get(HEATMAP_QUERY).text
    cells = reader.select(text, [{"caseStudy": k} for k in keys])
    return _replaced(old, touched, _rows(old.domains, labels, outcome_counts, cells))


def _replaced(old: HeatMap, touched: frozenset[str], fresh: list[HeatRow]) -> HeatMap:
    """``old`` with the rows of ``touched`` replaced by ``fresh`` (a touched case study absent
    from ``fresh`` left the map), its aggregates adjusted by the rows that went and came rather
    than counted again: the work grows with the write, not the map (#16: counting every row
    took 120 ms at 1M triples). ``old`` is left as it was (a page may still be showing it)."""
    gone = [row for row in old.rows if row.iri in touched]
    rows = [row for row in old.rows if row.iri not in touched]
    for row in fresh:
        bisect.insort(rows, row, key=_label_key)
    complex_by_domain = [
        (
            notation,
            label,
            complex_n + _count(fresh, notation, "complex") - _count(gone, notation, "complex"),
            rated + _count(fresh, notation) - _count(gone, notation),
        )
        for notation, label, complex_n, rated in old.complex_by_domain
    ]
    complex_by_domain.sort(key=lambda d: (-d[2], natural_key(d[0])))
    groups = {n: (members, total) for n, members, total in old.by_complex_count}
    copied: set[int] = set()

    def group(n: int) -> tuple[list[HeatRow], int]:
        """Group ``n``, copied once (the old map's groups stay as they were)."""
        members, total = groups.get(n, ([], 0))
        if n not in copied:
            copied.add(n)
            members = list(members)
        return members, total

    for row in gone:
        members, total = group(row.complex_count)
        del members[_position(members, row)]
        groups[row.complex_count] = (members, total - row.outcomes)
    for row in fresh:
        members, total = group(row.complex_count)
        bisect.insort(members, row, key=_label_key)
        groups[row.complex_count] = (members, total + row.outcomes)
    by_count = [(n, members, total) for n, (members, total) in sorted(groups.items()) if members]
    made = HeatMap(old.domains, rows, DEFAULT_SORT, complex_by_domain, by_count)
    for sort, view in dict(old.sorted_views).items():  # the sorts asked before, moved too
        made.sorted_views[sort] = _resorted(view, touched, fresh, sort)
    return made


def _label_key(row: HeatRow) -> tuple[str, str]:
    """The map's order: by label, then IRI (two case studies may share a label)."""
    return row.label.lower(), row.iri


def _position(members: list[HeatRow], row: HeatRow) -> int:
    """Where ``row`` itself is in ``members`` (in :func:`_label_key` order)."""
    at = bisect.bisect_left(members, _label_key(row), key=_label_key)
    while members[at] is not row:  # rows with the same label and IRI: not in one map
        at += 1
    return at


def _count(rows: list[HeatRow], notation: str, level: str | None = None) -> int:
    """How many of ``rows`` are rated in the domain (at ``level``, when given)."""
    return sum(
        1 for r in rows if (r.levels.get(notation) == level if level else notation in r.levels)
    )


def _outcomes(found: list[dict[str, Term]]) -> dict[str, int]:
    return {value(r, "cs"): int(value(r, "n", "0")) for r in found}


def _rows(
    all_domains: list[tuple[str, str, str]],
    labels: dict[str, str],
    outcome_counts: dict[str, int],
    cells: list[dict[str, Term]],
) -> list[HeatRow]:
    """One row per case study of ``labels`` from the heat map query's ``cells``."""
    notation_of = {d[0]: d[1] for d in all_domains}
    levels: dict[str, dict[str, str]] = {iri: {} for iri in labels}
    for r in cells:
        notation = notation_of.get(value(r, "domain"))
        cs, level = value(r, "caseStudy"), level_id(value(r, "level"))
        if notation and cs in levels:  # two domain ratings (two assessments): the higher shows
            shown = levels[cs].get(notation)
            if shown is None or _rank(level) > _rank(shown):
                levels[cs][notation] = level
    return [
        HeatRow(
            iri,
            labels[iri],
            lv,
            sum(1 for x in lv.values() if x == "complex"),
            outcome_counts.get(iri, 0),
        )
        for iri, lv in levels.items()
    ]


def _assembled(all_domains: list[tuple[str, str, str]], rows: list[HeatRow]) -> HeatMap:
    """The map of ``rows`` by label, with the aggregates over them."""
    rows.sort(key=_label_key)
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
    return HeatMap(all_domains, rows, DEFAULT_SORT, complex_by_domain, by_count)
