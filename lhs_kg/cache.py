"""A value derived from the store, kept exactly as long as the store's data holds.

``Store.generation`` moves on after every write made through the embedded store, so a value
computed under one generation stays right until the number changes: no time-to-live guess is
needed. A store without a generation (a shared remote server, written behind our back) gets a
short time-to-live instead, and loses the value at once after a write made through it.

:class:`Derived` holds one value (the published view, say) and rebuilds it when the
generation moves on. (The web's cache of finished pages, which holds many values of one
generation, is ``web.generation_lru``.)

The generation must be read *before* the data a value is built from: whatever was built while
a write ran is then filed under the old number, which never comes back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from lhs_kg.store.base import Store

T = TypeVar("T")


@dataclass(frozen=True)
class _Held(Generic[T]):
    generation: int | None
    writes: int
    expires: float
    value: T


class Derived(Generic[T]):
    """One value built from the store, rebuilt when the store's generation changes.

    With a store that has no generation, the value is rebuilt after ``ttl_s`` seconds.
    One thread builds at a time; the others wait for its answer rather than use an old one.
    """

    def __init__(self, store: Store, build: Callable[[], T], *, ttl_s: float) -> None:
        self._store = store
        self._build = build
        self._ttl_s = ttl_s
        self._held: _Held[T] | None = None
        self._lock = threading.Lock()

    def _fresh(self, held: _Held[T] | None) -> bool:
        if held is None:
            return False
        generation = self._store.generation
        if generation is None:
            return (
                held.generation is None
                and held.writes == self._store.writes
                and held.expires > time.monotonic()
            )
        return held.generation == generation

    def get(self) -> T:
        """The value for the store as it is now."""
        held = self._held
        if self._fresh(held):
            assert held is not None
            return held.value
        with self._lock:
            held = self._held
            if self._fresh(held):
                assert held is not None
                return held.value
            generation = self._store.generation  # before the data: see the module's note
            writes = self._store.writes
            value = self._build()
            self._held = _Held(generation, writes, time.monotonic() + self._ttl_s, value)
            return value

    def invalidate(self) -> None:
        """Forget the value (needed only for stores without a generation)."""
        with self._lock:
            self._held = None
