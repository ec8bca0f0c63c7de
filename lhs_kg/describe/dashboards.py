"""The queries behind the dashboards, which :mod:`lhs_kg.aggregates` keeps per generation (#16)."""

from __future__ import annotations

import pyoxigraph as ox

from lhs_kg.aggregates import DASHBOARD_QUERIES, key_of
from lhs_kg.config import Settings
from lhs_kg.describe.casestudies.heatmap import OUTCOME_COUNTS
from lhs_kg.describe.casestudies.listing import LIST
from lhs_kg.describe.gaps import CASE_EVIDENCE
from lhs_kg.per_case_study import CoOccurrence, Maintainer, PerCaseStudy, Row, number, sparql_order
from lhs_kg.queries import QueryLibrary

Bound = dict[str, ox.NamedNode | ox.Literal] | None


def dashboard_queries(settings: Settings) -> list[tuple[str, Bound]]:
    """(text, bindings) of every aggregate a dashboard shows, named queries with their defaults.

    What a write makes stale and the web app warms: the case-study list, the outcome counts and
    the heat map of ``/nasss``, what each case study bears on for ``/gaps`` (its sources and tools,
    a small answer not kept per case study, are read once per generation by the page), and
    the named dashboard queries as their pages first run them.
    """
    library = QueryLibrary.from_settings(settings)
    named: list[tuple[str, Bound]] = []
    for name in DASHBOARD_QUERIES:
        query = library.get(name)
        named.append((query.text, query.bind({}) or None))
    return [(LIST, None), (OUTCOME_COUNTS, None), *named, (CASE_EVIDENCE, None)]


def _profile_order(row: Row) -> tuple[float, float, tuple[int, str, str]]:
    """complexity-profiles' ORDER BY DESC(?complex) DESC(?complicated) ?caseStudyLabel."""
    return (-number(row.get("complex")), -number(row.get("complicated")), _label(row))


def _loop_order(row: Row) -> tuple[float, tuple[int, str, str]]:
    """loop-coverage's ORDER BY DESC(?stages) ?caseStudyLabel."""
    return (-number(row.get("stages")), _label(row))


def _label(row: Row) -> tuple[int, str, str]:
    return sparql_order(row.get("caseStudyLabel"))


#: How each dashboard query's answer is kept per case study: (variable naming the case study,
#: the ORDER BY as a key), or None for element co-occurrence (counts over pairs).
_KEPT_AS = {
    "nasss-heatmap": ("caseStudy", None),
    "complexity-profiles": ("caseStudy", _profile_order),
    "loop-coverage": ("caseStudy", _loop_order),
    "element-co-occurrence": None,
}


def maintainers(settings: Settings) -> dict[str, Maintainer]:
    """How to keep each dashboard answer of :func:`dashboard_queries` per case study, by the
    key :mod:`lhs_kg.aggregates` files it under."""
    library = QueryLibrary.from_settings(settings)
    found: dict[str, Maintainer] = {
        key_of(LIST, None): PerCaseStudy(LIST, "cs"),
        key_of(OUTCOME_COUNTS, None): PerCaseStudy(OUTCOME_COUNTS, "cs"),
        key_of(CASE_EVIDENCE, None): PerCaseStudy(CASE_EVIDENCE, "caseStudy"),
    }
    for name, how in _KEPT_AS.items():
        query = library.get(name)
        bindings = query.bind({}) or None
        if how is None:
            min_cases = bindings.get("minCases") if bindings else None
            found[key_of(query.text, bindings)] = CoOccurrence(int(number(min_cases)) or 1)
        else:
            var, order = how
            found[key_of(query.text, bindings)] = PerCaseStudy(query.text, var, order, bindings)
    return found
