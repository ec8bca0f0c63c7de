"""Fixtures for tests against a real ``lhs-kg serve`` process (marker ``live``).

Each test module gets its own server over a store freshly built by ``lhs-kg init`` in a temporary
folder, so a module that leaves runaway work behind cannot disturb the next. A module changes the
server's settings by overriding the ``live_env`` fixture; ``canary`` is a loopback listener that
must never be contacted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from tests.live.server import Canary, LiveServer, start_server


@pytest.fixture(scope="session", autouse=True)
def _hypothesis_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep Hypothesis's caches out of the work tree (it writes ``.hypothesis/`` in the cwd)."""
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))


@pytest.fixture(scope="module")
def live_env() -> dict[str, str | None]:
    """Extra ``LHS_KG_*`` settings for this module's server (None removes one; none by default)."""
    return {}


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, live_env: dict[str, str | None]
) -> Iterator[LiveServer]:
    """``lhs-kg serve`` on a free loopback port; stopped (TERM, then KILL) after the module,
    which then fails with the stderr of every crash seen during it."""
    try:
        server = start_server(tmp_path_factory.mktemp("live"), live_env)
    except RuntimeError as err:
        pytest.fail(str(err))
    yield server
    last = server.stop()
    crashes = [*server.crashes, *([last] if last else [])]
    if crashes:
        pytest.fail(f"the server crashed {len(crashes)} time(s) during the module:\n" + crashes[0])


@pytest.fixture(autouse=True)
def _revive_a_crashed_server(request: pytest.FixtureRequest) -> None:
    """Start the module's server again if an earlier test killed it, so that one crash fails
    the test that caused it (and the module's teardown) rather than every test after it."""
    if "live_server" in request.fixturenames:
        server: LiveServer = request.getfixturevalue("live_server")
        try:
            server.restart()
        except RuntimeError as err:
            pytest.fail(f"the server could not be started again: {err}")


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A listening socket on loopback that records every connection to it (one per test, so
    a late connection from an earlier test's abandoned query cannot be blamed on this one)."""
    listener = Canary()
    yield listener
    listener.close()
