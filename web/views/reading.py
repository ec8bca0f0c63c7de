"""The browser's window on the engine: a Reader over the published view, and IRI ↔ path mapping.

The published scope is cached for a few seconds and refreshed by one thread at a time; when
every graph is published the reader uses the plain union, which is the fastest path.
This module registers no blueprint; the browse, home, search and dashboard views share it.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

from flask import current_app

from lhs_kg.describe import Reader
from lhs_kg.describe.base import published_scope
from web.engine import get_kb, get_settings

PUBLISHED_TTL_S = 10.0
_CACHE_KEY = "lhs_kg_published"
_REFRESH = threading.Lock()
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def get_reader() -> Reader:
    """A reader over the published view of the app's knowledge base."""
    kb = get_kb()
    cached = current_app.extensions.get(_CACHE_KEY)
    now = time.monotonic()
    if cached is None:
        cached = (now + PUBLISHED_TTL_S, published_scope(kb))
        current_app.extensions[_CACHE_KEY] = cached
    elif cached[0] < now and _REFRESH.acquire(blocking=False):
        try:  # one thread refreshes; the others keep reading the previous scope meanwhile
            cached = (now + PUBLISHED_TTL_S, published_scope(kb))
            current_app.extensions[_CACHE_KEY] = cached
        finally:
            _REFRESH.release()
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
