"""Server-side sign-out: each reviewer has a session epoch that a signed cookie must match.

Signing out (or an administrator's ``remove-reviewer``) moves the epoch on, so every cookie
issued before it stops working, even a copy kept by someone else. Epochs are kept in
``sessions.json`` in the instance folder (0600), so they hold across restarts and workers.
"""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path

from lhs_kg.instance import locked, write_private


def _read_epochs(path: Path) -> dict[str, str]:
    """The file's epochs; a missing, unreadable or damaged file counts as no epochs (all "0")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


class SessionEpochs:
    """Current epoch per reviewer; ``path=None`` keeps them in memory (tests)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: dict[str, str] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        if self.path is None:
            return self._memory
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            if stamp != self._stamp:
                self._memory = _read_epochs(self.path)
                self._stamp = stamp
            return self._memory

    def current(self, name: str) -> str:
        """The epoch a session of ``name`` must carry to be valid."""
        return self._load().get(name, "0")

    def end_sessions(self, name: str) -> None:
        """Invalidate every session of ``name`` issued so far."""
        fresh = secrets.token_hex(8)
        if self.path is None:
            with self._lock:
                self._memory[name] = fresh
            return
        with locked(self.path):
            data = _read_epochs(self.path)
            data[name] = fresh
            write_private(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
