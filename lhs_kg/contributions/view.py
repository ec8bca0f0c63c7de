"""The published view as a query scope: which graphs public queries may read, cached briefly.

Public faces (``/sparql``, the named queries) must not show pending contributions nor the private
registry. ``PublishedScope`` answers the graphs of ``lhs_kg.describe.base.published_scope``, or None
when every graph is published (then the plain union is both right and fastest). The answer is
cached for ``ttl_s`` seconds; the contribution views call :meth:`invalidate` after a decision.
"""

from __future__ import annotations

import threading
import time

from lhs_kg.describe.base import published_scope
from lhs_kg.kb import KnowledgeBase


class PublishedScope:
    """A callable giving the published graphs (None: all graphs are published)."""

    def __init__(self, kb: KnowledgeBase, ttl_s: float = 5.0) -> None:
        self.kb = kb
        self.ttl_s = ttl_s
        self._cached: tuple[float, list[str] | None] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> list[str] | None:
        """The graphs public queries may read, or None for all of them."""
        now = time.monotonic()
        with self._lock:
            if self._cached is not None and self._cached[0] > now:
                return self._cached[1]
        scope = published_scope(self.kb)
        with self._lock:
            self._cached = (now + self.ttl_s, scope)
        return scope

    def invalidate(self) -> None:
        """Forget the cached answer (after a publication or withdrawal)."""
        with self._lock:
            self._cached = None
