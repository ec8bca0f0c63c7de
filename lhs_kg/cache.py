"""A value derived from the store, kept exactly as long as the store's data holds.

``Store.generation`` moves on after every write made through lhs-kg, so a value computed under
one generation stays right until the number changes: no time-to-live guess is needed. On the
embedded store the number lives in the process that holds the store's lock; on a shared store
server it lives in the store itself (:mod:`lhs_kg.store.generation`), read once per unit of
work, so a write made by any process reaches every process's values at once. A store that
offers no generation at all (None) gets no caching: its value is built on every call.

:class:`Derived` holds one value (the published view, say) and rebuilds it when the
generation moves on. (The web's cache of finished pages, which holds many values of one
generation, is ``web.generation_lru``.)

The generation must be read *before* the data a value is built from: whatever was built while
a write ran is then filed under the old number, which never comes back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

from lhs_kg.store.base import Store

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Held(Generic[T]):
    generation: int
    value: T
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Latest(Generic[T]):
    """The newest value a :class:`Background` built, and whether it is of the data as it is
    now (``current``) or of the data before a later write, ``made_at`` (UTC)."""

    value: T
    current: bool
    made_at: datetime


class Derived(Generic[T]):
    """One value built from the store, rebuilt when the store's generation changes.

    One thread builds at a time; the others wait for its answer rather than use an old one.
    """

    def __init__(self, store: Store, build: Callable[[], T]) -> None:
        self._store = store
        self._build = build
        self._held: _Held[T] | None = None
        self._lock = threading.Lock()

    def _kept(self) -> _Held[T] | None:
        held = self._held
        if held is not None and held.generation == self._store.generation:
            return held
        return None

    def get(self) -> T:
        """The value for the store as it is now."""
        held = self._kept()
        if held is not None:
            return held.value
        with self._lock:
            held = self._kept()
            if held is not None:
                return held.value
            generation = self._store.generation  # before the data: see the module's note
            value = self._build()
            if generation is not None:
                self._held = _Held(generation, value)
            return value

    def invalidate(self) -> None:
        """Forget the value (the next :meth:`get` builds it again)."""
        with self._lock:
            self._held = None


class Background(Generic[T]):
    """A value too costly to build while someone waits (a count of every triple: 29–57 s at
    10M, #16): built on a background thread once per generation; a caller waits a little for
    it and otherwise learns that it is not ready: :meth:`get` says None, never handing out an
    older one; :meth:`latest` hands out the older one, marked as such.
    """

    def __init__(self, store: Store, build: Callable[[], T], *, name: str = "lhs-kg-count") -> None:
        self._store = store
        self._build = build
        self._name = name
        self._held: _Held[T] | None = None
        self._lock = threading.Lock()
        self._running: threading.Thread | None = None
        self._done = threading.Event()
        self.builds = 0
        """Builds run to their end (tests count them)."""

    def _kept(self, generation: int | None) -> _Held[T] | None:
        held = self._held
        if held is not None and generation is not None and held.generation == generation:
            return held
        return None

    def get(self, wait_s: float = 0.0) -> T | None:
        """The value for the store as it is now, or None when it is still being built after
        ``wait_s`` seconds (the build goes on, for the next caller)."""
        generation = self._store.generation
        held = self._kept(generation)
        if held is not None:
            return held.value
        done = self.start()
        if wait_s > 0:
            done.wait(wait_s)
        held = self._kept(generation)
        return held.value if held is not None else None

    def latest(self, wait_s: float = 0.0, *, older_wait_s: float = 0.0) -> Latest[T] | None:
        """The value for the store as it is now if it is ready in time, else the newest one
        built before (marked not current; the new one's build goes on), else None. The wait
        is ``wait_s`` when there is nothing older to give, ``older_wait_s`` when there is.

        For values whose last version, named as such, serves better than none: a dataset
        description's counts were 503 for 7-9 s after every write at 1M triples (#16).
        """
        held = self._kept(self._store.generation)
        if held is None:
            done = self.start()
            wait = wait_s if self._held is None else min(wait_s, older_wait_s)
            if wait > 0:
                done.wait(wait)
            held = self._held
        if held is None:
            return None
        return Latest(held.value, held.generation == self._store.generation, held.made_at)

    def start(self) -> threading.Event:
        """Start a build unless one runs or the value is current; an event set when it ends."""
        with self._lock:
            if self._running is not None or self._kept(self._store.generation) is not None:
                return self._done
            self._done = threading.Event()
            self._running = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._running.start()
            return self._done

    def _run(self) -> None:
        done = self._done
        try:
            generation = self._store.generation  # before the data: see the module's note
            started = datetime.now(UTC)  # the data it counts is the data as of now
            value = self._build()
            if generation is not None:
                self._held = _Held(generation, value, started)
            self.builds += 1
        except Exception as err:  # no value kept: the next get starts another build
            log.warning("building %s in the background failed: %s", self._name, err)
        finally:
            with self._lock:
                self._running = None
            done.set()
