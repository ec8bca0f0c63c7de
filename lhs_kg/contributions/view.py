"""The published view as a query scope: which graphs public queries may read, cached briefly.

Public faces (``/sparql``, the named queries) must not show pending contributions nor the private
registry. ``PublishedScope`` answers the graphs of ``lhs_kg.graphs.published_graphs``, or None
when every graph is published (then the plain union is both right and fastest). The answer is
cached for ``ttl_s`` seconds; the contribution views call :meth:`invalidate` after a decision.
"""

from __future__ import annotations

import threading
import time

from lhs_kg.graphs import published_graphs
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
        published = published_graphs(self.kb.store, self.kb.settings)
        everything = sorted(info.iri for info in self.kb.store.graphs())
        scope = None if published == everything else published
        with self._lock:
            self._cached = (now + self.ttl_s, scope)
        return scope

    def invalidate(self) -> None:
        """Forget the cached answer (after a publication or withdrawal)."""
        with self._lock:
            self._cached = None
