"""The queries behind the dashboards, which :mod:`lhs_kg.aggregates` keeps per generation (#16)."""

from __future__ import annotations

import pyoxigraph as ox

from lhs_kg.aggregates import DASHBOARD_QUERIES
from lhs_kg.config import Settings
from lhs_kg.describe.casestudies.heatmap import OUTCOME_COUNTS
from lhs_kg.describe.casestudies.listing import LIST
from lhs_kg.queries import QueryLibrary

Bound = dict[str, ox.NamedNode | ox.Literal] | None


def dashboard_queries(settings: Settings) -> list[tuple[str, Bound]]:
    """(text, bindings) of every aggregate a dashboard shows, named queries with their defaults.

    What a write makes stale and the web app warms: the case-study list, the outcome counts and
    the heat map of ``/nasss``, and the named dashboard queries as their pages first run them.
    """
    library = QueryLibrary.from_settings(settings)
    named: list[tuple[str, Bound]] = []
    for name in DASHBOARD_QUERIES:
        query = library.get(name)
        named.append((query.text, query.bind({}) or None))
    return [(LIST, None), (OUTCOME_COUNTS, None), *named]
