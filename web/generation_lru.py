"""Many values of one store generation, least recently used first out, within a byte budget.

The page cache (:mod:`web.page_cache`) keeps finished pages here. Entries are bounded by the
bytes they take rather than by their number, so a few large ones cannot take more memory than
allowed, and everything filed under an older generation is dropped as soon as a newer one is
seen. The generation must be read *before* the data a value is built from (see
:mod:`lhs_kg.cache`): what was built while a write ran is then filed under a number that never
comes back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class CacheStats:
    """What a cache has done since it was made: for tests, benchmarks and operators."""

    hits: int = 0
    misses: int = 0
    stored: int = 0
    refused: int = 0
    evicted: int = 0


class GenerationLRU(Generic[K, V]):
    """Values of one store generation, least recently used first out, within ``max_bytes``.

    ``get`` and ``put`` name the generation their caller read before it read any data. A
    newer generation empties the cache; a ``put`` from a request that began under another
    generation than the cache's is refused, so nothing outlives the data it was built from.
    An entry larger than ``max_bytes / max_share`` is refused rather than flush the others.
    """

    def __init__(self, max_bytes: int, *, max_share: int = 8) -> None:
        if max_bytes <= 0:
            raise ValueError("a cache needs a positive size")
        self.max_bytes = max_bytes
        self.max_entry_bytes = max(1, max_bytes // max_share)
        self.stats = CacheStats()
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._generation: int | None = None
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """Bytes the entries take, as their owners declared them."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _enter(self, generation: int) -> bool:
        """Move to ``generation`` if it is not the cache's (caller holds the lock)."""
        if generation == self._generation:
            return True
        self._entries.clear()
        self._bytes = 0
        self._generation = generation
        return False

    def get(self, key: K, generation: int) -> V | None:
        """The value under ``key`` for ``generation``, or None."""
        with self._lock:
            found = self._entries.get(key) if self._enter(generation) else None
            if found is None:
                self.stats.misses += 1
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return found[0]

    def put(self, key: K, value: V, size: int, generation: int) -> bool:
        """Keep ``value`` (``size`` bytes) under ``key``; False when refused."""
        with self._lock:
            if generation != self._generation or size > self.max_entry_bytes:
                self.stats.refused += 1
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            self.stats.stored += 1
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
                self.stats.evicted += 1
            return True

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
