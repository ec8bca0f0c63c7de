"""Login throttling: failed sign-ins counted per account and per client address.

With ``path`` the counts live in a SQLite file in the instance folder (WAL, so readers never wait
for a writer), which every worker process of the machine opens: ``--workers N`` gives an
attacker the configured number of attempts, not N times it, and a restart forgets nothing
within the window. Why a file and not the store: failures are private (names, addresses) and
frequent under attack; they belong beside ``sessions.json``, not in a graph that is backed up,
pushed to a store server on every guess and moves no page's generation. Without ``path``
(tests) the same table is kept in memory, per process.

A success clears the account's count, never the address's, so a valid account cannot be used to
reset an address that is guessing other people's passwords.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

MAX_ROWS = 100_000
"""Bound on the table under a spray of names: beyond it the oldest failures are dropped."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS failures_key_at ON failures (key, at)",
    "CREATE INDEX IF NOT EXISTS failures_at ON failures (at)",
)


class LoginThrottle:
    """At most ``per_account`` failures per account and ``per_address`` per address per window.

    ``clock`` is wall-clock seconds: the file is shared by processes (and outlives them), where
    a monotonic clock means nothing.
    """

    def __init__(
        self,
        per_account: int = 5,
        per_address: int = 20,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.time,
        path: Path | None = None,
    ) -> None:
        self.per_account, self.per_address, self.window_s = per_account, per_address, window_s
        self.clock = clock
        self.path = path
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if path is not None:
            try:
                self._create_file(path)
            except (OSError, sqlite3.Error) as err:  # a broken file must not stop sign-ins
                log.warning(
                    "login throttle file %s unusable (%s): counting failures per process", path, err
                )
                self.path = None
        if self.path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            for statement in _SCHEMA:
                self._memory.execute(statement)

    @staticmethod
    def _create_file(path: Path) -> None:
        """The database file, private (mode 0600: it holds names and addresses), in WAL mode."""
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        with _closing(sqlite3.connect(path, timeout=5.0)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                for statement in _SCHEMA:
                    db.execute(statement)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction: a fresh one on the file (safe across fork and
        threads), or the one in-memory database under a lock."""
        if self._memory is not None:
            with self._lock, self._memory:
                yield self._memory
            return
        assert self.path is not None
        with _closing(sqlite3.connect(self.path, timeout=5.0)) as db:
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash loses no more than a count
            with db:
                yield db

    def wait(self, account: str, address: str) -> float:
        """Seconds before this account may try again from this address (0: go ahead)."""
        now = self.clock()
        since = now - self.window_s
        waits = [0.0]
        rules = ((_account(account), self.per_account), (_addr(address), self.per_address))
        with self._db() as db:
            for key, limit in rules:
                # the limit-th most recent failure in the window: while it is in the window,
                # the key has reached its limit, until that failure leaves the window
                row = db.execute(
                    "SELECT at FROM failures WHERE key = ? AND at > ? "
                    "ORDER BY at DESC LIMIT 1 OFFSET ?",
                    (key, since, limit - 1),
                ).fetchone()
                if row is not None:
                    waits.append(float(row[0]) + self.window_s - now)
        return max(waits)

    def failed(self, account: str, address: str) -> None:
        """Count one failed sign-in against both the account and the address."""
        now = self.clock()
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE at <= ?", (now - self.window_s,))
            db.executemany(
                "INSERT INTO failures (key, at) VALUES (?, ?)",
                ((_account(account), now), (_addr(address), now)),
            )
            (count,) = db.execute("SELECT COUNT(*) FROM failures").fetchone()
            if count > MAX_ROWS:
                db.execute(
                    "DELETE FROM failures WHERE rowid IN "
                    "(SELECT rowid FROM failures ORDER BY at LIMIT ?)",
                    (count - MAX_ROWS // 2,),
                )

    def succeeded(self, account: str) -> None:
        """Forget the account's failures after a correct password."""
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (_account(account),))


@contextmanager
def _closing(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Close the connection after use (``with sqlite3.connect()`` only ends the transaction)."""
    try:
        yield db
    finally:
        db.close()


def _account(name: str) -> str:
    return "account:" + name.strip().casefold()


def _addr(address: str) -> str:
    return "address:" + address
