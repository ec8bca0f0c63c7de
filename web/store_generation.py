"""Once per request, before anything reads data: look at the store's generation.

On a store server shared by several worker processes the generation lives in the store
(:mod:`lhs_kg.store.generation`); reading it at the start of each request (one tiny query) is
what lets a write made through any worker renew the page cache, the published view and the
dashboards of every worker at the next request. On the embedded store the look costs nothing.

WSGI middleware outside the page cache. When the store cannot be reached, the request goes
past the page cache straight to Flask, whose error pages say so; nothing is served from a
cache whose freshness could not be checked. After a request that wrote (the generation this
process holds moved on during it), the app's warmers run on a background thread, so the
dashboards of the new generation are ready before anyone asks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask import Flask

from lhs_kg.errors import LhsKgError
from lhs_kg.store.base import Store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
EXTENSION = "lhs_kg_store_generation"
#: Paths whose answers never read the store (the app's own static files).
_NO_DATA = "/static/"


class GenerationCheck:
    """Refresh the store's generation per request; warm what a write made stale."""

    def __init__(self, app: WSGIApplication, bare: WSGIApplication, store: Store) -> None:
        self.app = app
        self.bare = bare
        """The Flask app without the caches in front: used when the store did not answer."""
        self.store = store
        self.warmers: list[Callable[[], None]] = []
        self._warming = threading.Lock()
        self.refreshes = 0
        self.warm_ups = 0
        """Warm-ups run to their end (at start, and after writes)."""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith(_NO_DATA):
            return self.app(environ, start_response)  # files of the app: no store involved
        try:
            before = self.store.refresh_generation()
            self.refreshes += 1
        except LhsKgError as err:
            log.warning("could not read the store's generation: %s", err)
            return self.bare(environ, start_response)
        body = self.app(environ, start_response)
        if self.warmers and self.store.generation != before:
            self.warm_soon()
        return body

    def warm_soon(self) -> threading.Thread | None:
        """Run the warmers on a background thread (unless a warm-up already runs)."""
        if not self._warming.acquire(blocking=False):
            return None
        thread = threading.Thread(target=self._warm, name="lhs-kg-warm", daemon=True)
        thread.start()
        return thread

    def warming(self) -> bool:
        """True while a warm-up runs (tests and benchmarks wait for it)."""
        return self._warming.locked()

    def _warm(self) -> None:
        try:
            try:  # at start, nothing read the shared store's generation yet
                self.store.refresh_generation()
            except LhsKgError as err:
                log.warning("could not read the store's generation: %s", err)
                return
            for warm in self.warmers:
                try:
                    warm()
                except Exception as err:
                    # on its page too, where the visitor gets a readable error; the log says why
                    log.warning("warming after a write failed: %s", err)
            self.warm_ups += 1
        finally:
            self._warming.release()


def init_app(app: Flask, bare: WSGIApplication) -> GenerationCheck:
    """Put the check in front of everything (``bare``: the app without the page cache)."""
    check = GenerationCheck(app.wsgi_app, bare, app.extensions["lhs_kg"].store)
    app.wsgi_app = check  # type: ignore[method-assign]
    app.extensions[EXTENSION] = check
    return check
