"""The browser's window on the engine: a Reader over the published view, and IRI ↔ path mapping.

The published scope and the read models every page shares are kept for one store generation
(:class:`lhs_kg.cache.Derived`): any write made through the store, whether a contribution, a
SPARQL update or a load, brings a fresh view on the next request, exactly, in every worker
process: a shared store's generation is read from the store once per request. The reader reads
the one published graph (#16), so a page costs the same however many versions are kept.
This module registers no blueprint; the browse, home, search and dashboard views share it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app

from lhs_kg.aggregates import (
    AGGREGATE_TIMEOUT_S,
    Aggregates,
    published_runner,
    published_select,
)
from lhs_kg.cache import Background, Derived
from lhs_kg.contributions.form import ContributionForm, build_form
from lhs_kg.describe import Reader, casestudies, gaps
from lhs_kg.describe.base import published_scope
from lhs_kg.describe.dashboards import dashboard_queries, maintainers
from lhs_kg.kb import KnowledgeBase
from lhs_kg.published_changes import log_of
from lhs_kg.store import GraphInfo
from web.engine import get_kb, get_settings

#: The app extension holding the published view. No view needs to forget it after a write: the
#: store's own counters (``generation``, or ``writes`` on a remote store) say when it is stale.
PUBLISHED_VIEW_KEY = "lhs_kg_published"
#: The app extension holding the dashboards' answers per store generation (#16).
AGGREGATES_KEY = "lhs_kg_aggregates"
GRAPH_INFOS_KEY = "lhs_kg_graph_infos"
GRAPH_NAMES_KEY = "lhs_kg_graph_names"
#: How long a public request waits for counts being made in the background before it answers
#: without them (a small store's counts are ready by then; a large one's are not, #16).
COUNT_WAIT_S = 1.0
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


@dataclass
class PublishedView:
    """The published scope and the read models shared by every page of one store generation."""

    scope: list[str] | None
    shared: dict[Hashable, Any] = field(default_factory=dict)


def published_view(app: Flask, kb: KnowledgeBase) -> Derived[PublishedView]:
    """The app's one published view: pages read it and so does the SPARQL endpoint's scope."""
    found = app.extensions.get(PUBLISHED_VIEW_KEY)
    if isinstance(found, Derived):
        return found
    made: Derived[PublishedView] = Derived(kb.store, lambda: PublishedView(published_scope(kb)))
    kept: Derived[PublishedView] = app.extensions.setdefault(PUBLISHED_VIEW_KEY, made)
    return kept


def aggregates(app: Flask, kb: KnowledgeBase) -> Aggregates:
    """The app's dashboard answers: per generation, in a shared folder on a store server."""
    found = app.extensions.get(AGGREGATES_KEY)
    if isinstance(found, Aggregates):
        return found
    store = kb.store
    # on disk where the number outlasts the process: shared by a store server's workers, read
    # again after a restart of the embedded store on unchanged data (#16)
    folder = kb.settings.instance_dir / "cache" / "aggregates" if store.lasting_generation else None
    # after a write, answers are brought up to date per case study (#16): the embedded store's
    # one process sees every change of its published graph; on a store server every write
    # records what it touched in the store's meta graph, read by every worker
    made = Aggregates(
        lambda: store.generation,
        published_runner(kb, AGGREGATE_TIMEOUT_S),
        folder=folder,
        maintained=maintainers(kb.settings),  # computed a batch of case studies at a time
        changes=log_of(store).since,
        select=published_select(kb, AGGREGATE_TIMEOUT_S),
    )
    kept: Aggregates = app.extensions.setdefault(AGGREGATES_KEY, made)
    return kept


def keep_answers(app: Flask) -> int:
    """Write the dashboard answers this process holds for the store's current generation to
    the instance folder (those brought up to date after a write had none), so the next process
    on the same data reads them instead of computing them (at 1M triples, 17 s for /nasss);
    how many were written. For the end of a server's life."""
    kept = app.extensions.get(AGGREGATES_KEY)
    return kept.save() if isinstance(kept, Aggregates) else 0


def graph_infos(
    app: Flask, kb: KnowledgeBase, wait_s: float | None = None
) -> list[GraphInfo] | None:
    """The store's graphs with their triple counts, or None while they are being counted.

    For the service description: counting every triple took ~1 s at 1M triples and 29–57 s
    at 10M (#16), so it runs on a background thread once per store generation and a request
    waits at most ``wait_s`` (default :data:`COUNT_WAIT_S`) for it.
    """
    found = app.extensions.get(GRAPH_INFOS_KEY)
    if not isinstance(found, Background):
        made: Background[list[GraphInfo]] = Background(kb.store, kb.graphs, name="graph counts")
        found = app.extensions.setdefault(GRAPH_INFOS_KEY, made)
    infos: list[GraphInfo] | None = found.get(COUNT_WAIT_S if wait_s is None else wait_s)
    return infos


def graph_names(app: Flask, kb: KnowledgeBase) -> list[str]:
    """The store's graph names, read once per store generation (no triple is read: cheap at
    any size, so /healthz answers in milliseconds)."""
    found = app.extensions.get(GRAPH_NAMES_KEY)
    if not isinstance(found, Derived):
        made: Derived[list[str]] = Derived(kb.store, kb.store.graph_names)
        found = app.extensions.setdefault(GRAPH_NAMES_KEY, made)
    names: list[str] = found.get()
    return names


def warm_dashboards(app: Flask) -> None:
    """After a write: compute the dashboards' answers of the new generation, if ever asked for."""
    kb: KnowledgeBase = app.extensions["lhs_kg"]
    kept = aggregates(app, kb)
    if kept.asked:
        kept.warm(dashboard_queries(kb.settings))
        view = published_view(app, kb).get()
        reader = Reader(kb, view.scope, view.shared)
        reader.aggregates = kept
        casestudies.heatmap(reader)  # the /nasss page's model too (brought up to date, #16)
        gaps.gaps(reader)  # and the /gaps page's counts
        contribution_form(reader)  # whose rows link to the form
    for kept in list(app.extensions.values()):
        if isinstance(kept, Background):  # counts asked for before: start the new generation's
            kept.start()


def get_reader() -> Reader:
    """A reader over the published view of the app's knowledge base, with its shared cache."""
    kb = get_kb()
    view = published_view(current_app, kb).get()
    reader = Reader(kb, view.scope, view.shared)
    reader.aggregates = aggregates(current_app, kb)
    return reader


def contribution_form(reader: Reader) -> ContributionForm:
    """The contribution form with its choices from the reader's view, made once per store
    generation: its lists of sources and organisations took 0.2 s to read at 1M triples, on
    every form and every /gaps page (which links each concept to the form pre-filled)."""
    return reader.memo(
        ("contribution-form", tuple(reader.graphs or ())),
        lambda: build_form(reader.kb, reader.graphs),
    )


def base_iri() -> str:
    """The base IRI whose paths this server answers."""
    return get_settings().base_iri


def iri_for_path(path: str) -> str:
    """The IRI a request path stands for (``/concept/nasss/1A`` → ``<base>concept/nasss/1A``)."""
    return base_iri() + path.lstrip("/")


def href(iri: str) -> str | None:
    """Where a link to ``iri`` goes: a local path for our IRIs, the IRI for http(s), else None."""
    base = base_iri()
    if iri.startswith(base):
        return _local_path(iri[len(base) :])
    if iri.lower().startswith(("http://", "https://")):
        return iri
    return None


@lru_cache(maxsize=32_768)
def _local_path(tail: str) -> str:
    """The path of an IRI under the base: kept, a page links the same concepts many times and
    ``quote`` works a byte at a time (#16)."""
    return "/" + quote(tail, safe=_SAFE_PATH + "%")
