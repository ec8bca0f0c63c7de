"""The browser's window on the engine: a Reader over the published view, and IRI ↔ path mapping.

The published scope is cached for a few seconds and refreshed by one thread at a time; when
every graph is published the reader uses the plain union, which is the fastest path.
This module registers no blueprint; the browse, home, search and dashboard views share it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import current_app

from lhs_kg.describe import Reader
from lhs_kg.describe.base import published_scope
from web.engine import get_kb, get_settings

PUBLISHED_TTL_S = 10.0
#: The app extension holding the published view; the contribution views pop it on every
#: submission and decision, which drops the scope and every shared read model with it.
_CACHE_KEY = "lhs_kg_published"
_REFRESH = threading.Lock()
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


@dataclass
class PublishedView:
    """The published scope and the read models shared by every page, until ``expires``."""

    expires: float
    scope: list[str] | None
    shared: dict[Hashable, Any] = field(default_factory=dict)


def get_reader() -> Reader:
    """A reader over the published view of the app's knowledge base, with its shared cache.

    The view lives ``PUBLISHED_TTL_S`` seconds (writes by other means, e.g. a SPARQL update,
    show after that) or until a contribution is submitted or decided (the contribution views
    drop it at once).
    """
    kb = get_kb()
    cached = current_app.extensions.get(_CACHE_KEY)
    now = time.monotonic()
    if not isinstance(cached, PublishedView):
        cached = PublishedView(now + PUBLISHED_TTL_S, published_scope(kb))
        current_app.extensions[_CACHE_KEY] = cached
    elif cached.expires < now and _REFRESH.acquire(blocking=False):
        try:  # one thread refreshes; the others keep reading the previous view meanwhile
            cached = PublishedView(now + PUBLISHED_TTL_S, published_scope(kb))
            current_app.extensions[_CACHE_KEY] = cached
        finally:
            _REFRESH.release()
    return Reader(kb, cached.scope, cached.shared)


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
