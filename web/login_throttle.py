"""Login throttling: failed sign-ins counted per account and per client address.

Counts live in memory, per process (several workers each keep their own; a restart forgets
them). A success clears the account's count, never the address's, so a valid account cannot be
used to reset an address that is guessing other people's passwords.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    """At most ``per_account`` failures per account and ``per_address`` per address per window."""

    def __init__(
        self,
        per_account: int = 5,
        per_address: int = 20,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_account, self.per_address, self.window_s = per_account, per_address, window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._failures.get(key)
        if events is None:
            return deque()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if not events:
            del self._failures[key]
        return events

    def wait(self, account: str, address: str) -> float:
        """Seconds before this account may try again from this address (0: go ahead)."""
        now = self.clock()
        waits = [0.0]
        with self._lock:
            rules = ((_account(account), self.per_account), (_addr(address), self.per_address))
            for key, limit in rules:
                events = self._recent(key, now)
                if len(events) >= limit:
                    waits.append(events[-limit] + self.window_s - now)
        return max(waits)

    def failed(self, account: str, address: str) -> None:
        """Count one failed sign-in against both the account and the address."""
        now = self.clock()
        with self._lock:
            for key in (_account(account), _addr(address)):
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 50_000:  # bound memory under a spray of names
                oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
                for key in oldest[: len(oldest) // 2]:
                    del self._failures[key]

    def succeeded(self, account: str) -> None:
        """Forget the account's failures after a correct password."""
        with self._lock:
            self._failures.pop(_account(account), None)


def _account(name: str) -> str:
    return "account:" + name.strip().casefold()


def _addr(address: str) -> str:
    return "address:" + address
