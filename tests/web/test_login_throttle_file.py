"""The login throttle's counts in a SQLite file shared by processes (#16).

Two throttles on one file stand for two worker processes (the real two processes are in
tests/live/test_workers.py); a hand-moved wall clock replaces waiting out the window.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from web.login_throttle import LoginThrottle


class Clock:
    """Wall-clock seconds moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A fresh hand-moved clock."""
    return Clock()


def on_file(path: Path, clock: Clock) -> LoginThrottle:
    """A throttle on ``path`` with the default limits (5 per account, 20 per address, 900 s)."""
    return LoginThrottle(5, 20, 900.0, clock=clock, path=path)


def test_failures_counted_by_one_process_stop_the_other(tmp_path: Path, clock: Clock) -> None:
    first, second = (on_file(tmp_path / "t.sqlite3", clock) for _ in range(2))
    for n in range(5):
        (first if n % 2 else second).failed("alice", f"192.0.2.{n}")
    assert first.wait("alice", "198.51.100.1") == 900.0
    assert second.wait("alice", "198.51.100.1") == 900.0


def test_the_wait_ends_when_the_limiting_failure_leaves_the_window(
    tmp_path: Path, clock: Clock
) -> None:
    throttle = on_file(tmp_path / "t.sqlite3", clock)
    for _ in range(5):
        throttle.failed("alice", "192.0.2.1")
        clock.now += 10
    assert throttle.wait("alice", "192.0.2.9") == pytest.approx(900 - 50)
    clock.now += 900 - 50  # the first failure leaves the window: four left, under the limit
    assert throttle.wait("alice", "192.0.2.9") == 0.0
    throttle.failed("alice", "192.0.2.9")  # five again: until the second one leaves
    assert throttle.wait("alice", "192.0.2.9") == pytest.approx(10)


def test_a_restart_forgets_no_failure_within_the_window(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "t.sqlite3"
    for _ in range(5):
        on_file(path, clock).failed("Alice ", "192.0.2.1")
    assert on_file(path, clock).wait("alice", "192.0.2.2") > 0


def test_a_success_in_one_process_clears_the_account_for_all(tmp_path: Path, clock: Clock) -> None:
    first, second = (on_file(tmp_path / "t.sqlite3", clock) for _ in range(2))
    for _ in range(5):
        first.failed("alice", "192.0.2.1")
    second.succeeded("alice")
    assert first.wait("alice", "192.0.2.2") == 0.0
    for n in range(15):  # the address keeps its five failures: 20 in all
        second.failed(f"other{n}", "192.0.2.1")
    assert first.wait("alice", "192.0.2.1") > 0


def test_the_file_is_private_and_in_wal_mode(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "instance" / "t.sqlite3"
    on_file(path, clock).failed("alice", "192.0.2.1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        db.close()


def test_a_corrupt_file_falls_back_to_counting_in_memory(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "t.sqlite3"
    path.write_bytes(b"not a database, " * 512)
    throttle = on_file(path, clock)
    assert "unusable" in caplog.text
    for _ in range(5):
        throttle.failed("alice", "192.0.2.1")
    assert throttle.wait("alice", "192.0.2.1") > 0
    assert path.read_bytes() == b"not a database, " * 512


def test_a_spray_of_names_is_bounded(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.login_throttle.MAX_ROWS", 10)
    throttle = on_file(tmp_path / "t.sqlite3", clock)
    for n in range(12):
        clock.now += 1
        throttle.failed(f"name{n}", f"192.0.2.{n}")
    with throttle._db() as db:
        (count,) = db.execute("SELECT COUNT(*) FROM failures").fetchone()
        kept = {key for (key,) in db.execute("SELECT key FROM failures")}
    assert count <= 10
    assert "account:name11" in kept  # the oldest go first
    assert "account:name0" not in kept
