"""Private files of one installation: the generated secret key, accounts, the running server.

They live in the instance folder (``Settings.instance_dir``, by default ``var/instance``) or the
var folder, are written atomically with mode 0600 (owner only), and never belong in git.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from lhs_kg.config import Settings
from lhs_kg.errors import ConfigError

SECRET_KEY_FILE = "secret_key"
"""Name of the generated session key in the instance folder."""


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step; the file is readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` (``path.lock``) for a read-modify-write."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def generated_secret_key(instance_dir: Path) -> str:
    """The session key kept in the instance folder, created (random, 0600) on first use.

    Reused on every start, so signed-in sessions survive a restart.
    """
    path = instance_dir / SECRET_KEY_FILE
    with locked(path):
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) >= 32:
                if path.stat().st_mode & 0o077:
                    os.chmod(path, 0o600)
                return key
        key = secrets.token_urlsafe(48)
        write_private(path, key + "\n")
        return key


@dataclass(frozen=True)
class ServerRecord:
    """Where a running ``lhs-kg serve`` answers and the local admin token it accepts."""

    url: str
    pid: int
    store: str
    token: str

    def alive(self) -> bool:
        """True while the process that wrote the record still runs."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process reusing the number
            return False
        return True


def server_record_path(settings: Settings) -> Path:
    """The record of the server holding this store: one file per store in ``var/run``."""
    key = hashlib.sha256(settings.store.encode("utf-8")).hexdigest()[:16]
    return settings.var_dir / "run" / f"serve-{key}.json"


def write_server_record(settings: Settings, record: ServerRecord) -> Path:
    """Publish the record (0600: the admin token in it is a reviewer's power)."""
    path = server_record_path(settings)
    write_private(path, json.dumps(asdict(record)) + "\n")
    return path


def read_server_record(settings: Settings) -> ServerRecord | None:
    """The record of a live server on this store, or None (a stale record is removed)."""
    path = server_record_path(settings)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        record = ServerRecord(
            url=str(data["url"]),
            pid=int(data["pid"]),
            store=str(data["store"]),
            token=str(data["token"]),
        )
    except FileNotFoundError:
        return None
    except PermissionError:
        raise ConfigError(f"{path}: cannot read the running server's record") from None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.store != settings.store or not record.alive():
        path.unlink(missing_ok=True)
        return None
    return record


def remove_server_record(settings: Settings, pid: int) -> None:
    """Remove the record if it is still this process's."""
    path = server_record_path(settings)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        if int(json.loads(path.read_text(encoding="utf-8"))["pid"]) == pid:
            path.unlink()
