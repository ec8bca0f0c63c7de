"""Fixtures for tests against a real ``lhs-kg serve`` process (marker ``live``).

Each test module gets its own server over a store freshly built by ``lhs-kg init`` in a temporary
folder, so a module that leaves runaway work behind cannot disturb the next. A module changes the
server's settings by overriding the ``live_env`` fixture; ``canary`` is a loopback listener that
must never be contacted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live.server import Canary, LiveServer, start_server


@pytest.fixture(scope="module")
def live_env() -> dict[str, str]:
    """Extra ``LHS_KG_*`` settings for this module's server (none by default)."""
    return {}


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, live_env: dict[str, str]
) -> Iterator[LiveServer]:
    """``lhs-kg serve`` on a free loopback port; stopped (TERM, then KILL) after the module."""
    try:
        server = start_server(tmp_path_factory.mktemp("live"), live_env)
    except RuntimeError as err:
        pytest.fail(str(err))
    yield server
    crash = server.stop()
    if crash:
        pytest.fail(f"the server died during the module: {crash}")


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A listening socket on loopback that records every connection to it (one per test, so
    a late connection from an earlier test's abandoned query cannot be blamed on this one)."""
    listener = Canary()
    yield listener
    listener.close()
