"""Warming at server start: no first visitor waits for what every visitor needs (#16).

At a million triples the six dashboard answers take ~17 s and the search index ~10 s to make
the first time. When ``lhs-kg serve`` starts (one process, or each gunicorn worker), a
background thread makes them for the store's current generation: the dashboards and the /nasss
heat map, then the search index. Requests are never held up by it (/healthz answers at once); a
visitor who comes first waits for the one computation under way rather than starting another.
Worker processes share the work through the instance cache: answers in ``cache/aggregates``
and one search index file per generation in ``cache/search``, made by the first worker that
gets there. After a write, the same warmers bring both up to date (see :mod:`web.
store_generation`).
"""

from __future__ import annotations

import threading

from flask import Flask

from lhs_kg.describe import Reader
from lhs_kg.describe.search.index import fts5_available, index_for, is_kept
from lhs_kg.kb import KnowledgeBase
from web.store_generation import EXTENSION, GenerationCheck
from web.views.reading import aggregates, published_view

#: The app extension saying the search index is wanted even if nobody searched yet.
SEARCH_WANTED = "lhs_kg_search_wanted"


def _reader(app: Flask) -> Reader:
    kb: KnowledgeBase = app.extensions["lhs_kg"]
    view = published_view(app, kb).get()
    return Reader(kb, view.scope, view.shared)


def warm_search(app: Flask) -> None:
    """Make the published view's search index for the current generation, if it is wanted
    (at start) or was made before (after a write: brought up to date, #16)."""
    if not fts5_available():
        return
    reader = _reader(app)
    if app.extensions.get(SEARCH_WANTED) or is_kept(reader):
        index_for(reader)


def warm_at_start(app: Flask) -> threading.Thread | None:
    """Start making the dashboards, the heat map and the search index in the background."""
    aggregates(app, app.extensions["lhs_kg"]).asked = True  # then warm_dashboards makes them
    app.extensions[SEARCH_WANTED] = True
    check: GenerationCheck = app.extensions[EXTENSION]
    return check.warm_soon()
