"""The embedded store's generation, kept from one process to the next on the same data (#16).

The embedded store counts its own writes (one process holds its lock), so a new process used to
start from a number that said nothing about the data, and every dashboard answer was computed
again after a restart (17 s for ``/nasss`` and 19 s for ``/gaps`` at 1M triples). Now the
number the store closed on is written into the store's folder with a fingerprint of the folder
as it was left: the name, size and modification time of every file. The next process trusts
the number only when the folder is still exactly so, checked before the store is opened (the
database itself writes files as it opens); any write in between, by any program, at least
appends to the database's write-ahead log, so it changes the fingerprint and a new number is
drawn. A process that did not close cleanly leaves no record (it is removed on open), so its
successor draws a new number too. Numbers are drawn at random, so answers kept under one in the
instance folder are never mistaken for another store's (a copy of the folder keeps its number
while its data is the same, and parts ways at its first write).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from lhs_kg.errors import StoreError
from lhs_kg.instance import locked, write_private

log = logging.getLogger(__name__)

RECORD = "lhs-kg-generation.json"
"""The file, in the store's folder, holding the number the store closed on."""
GUARD = RECORD + ".lock"
"""The file whose lock lhs-kg processes hold from the check to the open, and from the close to
the record: none opens the store in between (:func:`lhs_kg.instance.locked` names it)."""

Fingerprint = list[tuple[str, int, int]]


def drawn() -> int:
    """A new generation: random, with room below 2**62 for the writes of a process."""
    return secrets.randbits(48) + 1


def next_writes(start: int) -> int:
    """Where a process's write numbers begin after ``start``: a random step up, so two copies
    of one folder that both start from ``start`` part ways at their first write (numbers
    stay apart unless the steps differ by less than the writes made: 1 in 2**44 per 16
    writes). Python's integers have no ceiling; some 2**14 restarts stay below 2**62."""
    return start + secrets.randbits(48) + 1


def fingerprint(folder: Path) -> Fingerprint:
    """Every file under ``folder`` but the record: relative name, size, modification time."""
    found: Fingerprint = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.parent == folder and name in (RECORD, GUARD):
                continue
            info = path.stat()
            found.append((str(path.relative_to(folder)), info.st_size, info.st_mtime_ns))
    return sorted(found)


@contextlib.contextmanager
def guarded(folder: Path) -> Iterator[None]:
    """Hold the folder's generation lock (an flock, so it goes with a process that dies). A
    lock file that cannot be used is a :class:`StoreError` of its own: the store's "in use by
    another process" is for the database's lock."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(locked(folder / RECORD))
        except OSError as err:
            raise StoreError(f"cannot use the store's generation lock in {folder}: {err}") from None
        yield


def recorded(folder: Path) -> int | None:
    """The number the store in ``folder`` closed on, if the folder is as that close left it;
    read before the store is opened. None: no record, a damaged one, or a changed folder."""
    path = folder / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        generation, files = data["generation"], data["files"]
        if not isinstance(generation, int) or isinstance(generation, bool) or generation < 1:
            raise ValueError(f"not a generation: {generation!r}")
        left = [(str(name), int(size), int(mtime)) for name, size, mtime in files]
        now = fingerprint(folder)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("ignoring the store's generation record %s: %s", path, err)
        return None
    return generation if left == now else None


def forget(folder: Path) -> None:
    """Remove the record once the store is open: from here on the folder changes, and a
    process that ends without closing the store must leave no number behind."""
    with contextlib.suppress(FileNotFoundError):
        (folder / RECORD).unlink()


def record(folder: Path, generation: int) -> None:
    """Write the number the store closed on, with the folder's fingerprint (after the close:
    the database writes its last files as it closes)."""
    try:
        files = fingerprint(folder)
        write_private(folder / RECORD, json.dumps({"generation": generation, "files": files}))
    except OSError as err:  # the next process draws a new number: slower, never wrong
        log.warning("cannot record the store's generation in %s: %s", folder, err)
