"""The published view as a query scope: which graphs public queries may read, kept per write.

Public faces (``/sparql``, the named queries) must not show pending contributions nor the private
registry. ``PublishedScope`` answers the graphs of ``lhs_kg.describe.base.published_scope``, or None
when every graph is published (then the plain union is both right and fastest). The answer is
kept until the store's generation moves on (any write through it), or for ``ttl_s`` seconds on a
store without one (a remote server); :meth:`invalidate` forgets it at once, which only a
remote store needs after a decision made here.
"""

from __future__ import annotations

from lhs_kg.cache import Derived
from lhs_kg.describe.base import published_scope
from lhs_kg.kb import KnowledgeBase


class PublishedScope:
    """A callable giving the published graphs (None: all graphs are published)."""

    def __init__(self, kb: KnowledgeBase, ttl_s: float = 5.0) -> None:
        self.kb = kb
        self._scope = Derived(kb.store, lambda: published_scope(kb), ttl_s=ttl_s)

    def __call__(self) -> list[str] | None:
        """The graphs public queries may read, or None for all of them."""
        return self._scope.get()

    def invalidate(self) -> None:
        """Forget the cached answer (after a publication or withdrawal on a remote store)."""
        self._scope.invalidate()
