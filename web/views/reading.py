"""The browser's window on the engine: a Reader over the published view, and IRI ↔ path mapping.

The list of published graphs is cached for a few seconds (computing it counts every graph), and
when every graph is published the reader uses the plain union, which is the fastest path.
This module registers no blueprint; the browse, home, search and dashboard views share it.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from flask import current_app

from lhs_kg.describe import Reader
from lhs_kg.graphs import published_graphs
from web.engine import get_kb, get_settings

PUBLISHED_TTL_S = 10.0
_CACHE_KEY = "lhs_kg_published"
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def get_reader() -> Reader:
    """A reader over the published view of the app's knowledge base."""
    kb = get_kb()
    cached = current_app.extensions.get(_CACHE_KEY)
    now = time.monotonic()
    if cached is None or cached[0] < now:
        published = published_graphs(kb.store, kb.settings)
        everything = sorted(info.iri for info in kb.store.graphs())
        scope = None if published == everything else published
        cached = (now + PUBLISHED_TTL_S, scope)
        current_app.extensions[_CACHE_KEY] = cached
    return Reader(kb, cached[1])


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
        return "/" + quote(iri[len(base) :], safe=_SAFE_PATH + "%")
    if iri.lower().startswith(("http://", "https://")):
        return iri
    return None
