"""The page cache: finished public pages answered before Flask routes the request.

WSGI middleware around the Flask app. A GET or HEAD without a cookie or credentials is looked
up by (host, path, query string, ``Accept``) in a :class:`web.generation_lru.GenerationLRU` of the
store's current generation; a hit costs a dict lookup and answers 200 or, when
``If-None-Match`` names the page's ETag, 304, without entering Flask at all. A miss goes
through the app; its answer is kept only when all of these hold:

- the request was a GET without ``Cookie`` or ``Authorization``;
- the view declared the answer public (:func:`web.conditional.public`, which puts the ETag in
  the environ), so forms with CSRF tokens, the SPARQL endpoint, review and status pages and
  anything else never declared public are never kept;
- the status is 200, there is no ``Set-Cookie``, ``Vary`` names nothing but ``Accept``, and
  ``Cache-Control`` says ``public``.

The key holds the raw ``Accept`` header, as a shared HTTP cache honouring ``Vary: Accept``
would, so a Turtle answer is never handed to a browser. Writes make the store's generation move
on, which empties the cache: the next request renders the new data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask

from lhs_kg.store.base import Store
from web.conditional import PUBLIC_ENVIRON, etag_matches
from web.generation_lru import GenerationLRU

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_SAFE = ("GET", "HEAD")
#: Headers a 304 repeats from its 200 (RFC 9110 §15.4.5).
_REVALIDATION_HEADERS = ("etag", "cache-control", "vary", "expires", "content-location")
#: Bytes counted for an entry beyond its body, headers and key (objects, dict slots).
_OVERHEAD = 512
EXTENSION = "lhs_kg_page_cache"

Key = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A finished 200: its status line, headers, body, ETag and the headers of its 304."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    revalidated: list[tuple[str, str]]


class PageCache:
    """WSGI middleware serving public pages of the current store generation from memory."""

    def __init__(self, app: WSGIApplication, store: Store, max_bytes: int) -> None:
        self.app = app
        self.store = store
        self.pages: GenerationLRU[Key, CachedPage] = GenerationLRU(max_bytes)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in _SAFE or "HTTP_COOKIE" in environ or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        generation = self.store.generation  # before any data is read
        if generation is None:
            return self.app(environ, start_response)
        key: Key = (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            environ.get("SCRIPT_NAME"),
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
            environ.get("HTTP_ACCEPT"),
        )
        page = self.pages.get(key, generation)
        if page is not None:
            if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), page.etag, star=True):
                start_response("304 Not Modified", page.revalidated)
                return []
            start_response(page.status, page.headers)
            return [] if method == "HEAD" else [page.body]
        if method != "GET":
            return self.app(environ, start_response)
        return self._fill(environ, start_response, key, generation)

    def _fill(
        self, environ: WSGIEnvironment, start_response: StartResponse, key: Key, generation: int
    ) -> Iterable[bytes]:
        """Run the app and keep its answer when it may be shared."""
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        if not captured or PUBLIC_ENVIRON not in environ:
            return body
        status, headers = captured
        etag = _shareable(status, headers)
        if etag is None:
            return body
        data = _drain(body)
        page = CachedPage(
            status,
            list(headers),
            data,
            etag,
            [(n, v) for n, v in headers if n.lower() in _REVALIDATION_HEADERS],
        )
        size = (
            len(data)
            + sum(len(n) + len(v) for n, v in headers)
            + sum(len(part) for part in key if part)
            + _OVERHEAD
        )
        self.pages.put(key, page, size, generation)
        return [data]


def _shareable(status: str, headers: list[tuple[str, str]]) -> str | None:
    """The ETag of an answer anyone may be given, or None when it must not be kept."""
    if not status.startswith("200 "):
        return None
    etag = None
    public = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return None
        if lowered == "vary" and any(part.strip().lower() != "accept" for part in value.split(",")):
            return None
        if lowered == "cache-control":
            directives = {part.strip().lower() for part in value.split(",")}
            if "private" in directives or "no-store" in directives:
                return None
            public = public or "public" in directives
        if lowered == "etag":
            etag = value
    return etag if public else None


def _drain(body: Iterable[bytes]) -> bytes:
    """The whole body of an answer, closing its iterable as WSGI requires."""
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def init_app(app: Flask) -> None:
    """Put the page cache in front of the app, unless ``LHS_KG_PAGE_CACHE_MB`` is 0."""
    settings = app.config["LHS_KG_SETTINGS"]
    if settings.page_cache_bytes <= 0:
        return
    cache = PageCache(app.wsgi_app, app.extensions["lhs_kg"].store, settings.page_cache_bytes)
    app.wsgi_app = cache  # type: ignore[method-assign]
    app.extensions[EXTENSION] = cache
