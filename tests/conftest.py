"""Shared fixtures: settings on temporary folders, stores of both kinds (no mocks) and the content
knowledge base. What they build on (paths, servers, the app factory) is in ``tests/helpers.py``.

Remote stores are real servers started on free loopback ports for the test session and stopped
after it: ``oxigraph serve`` (PyPI package ``oxigraph``) and Virtuoso open source (Debian's
``virtuoso-opensource``). ``LHS_KG_TEST_ENGINES`` (comma-separated, default
``embedded,oxigraph,virtuoso``) chooses the engines the parametrised fixtures run on.

Missing tools: under ``make test`` (``LHS_KG_REQUIRE_TOOLS=1``) or ``CI=true`` a test whose tool
(chromium, Playwright, axe-core, Java, oxigraph) is missing FAILS with the install command, and any
other skip fails too unless it is listed in :data:`ALLOWED_SKIPS`; a bare ``pytest`` on a developer
machine skips such tests with the same message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import EmbeddedStore, RemoteStore, Store
from tests.helpers import (
    OxigraphServer,
    SparqlServer,
    VirtuosoServer,
    clean_env,
    new_content_kb,
    selected_engines,
    tools_required,
)

ALLOWED_SKIPS: dict[str, Callable[[], bool]] = {
    # chmod 0 does not stop root from reading a file, so the test cannot be arranged as root.
    "root can read any file": lambda: os.geteuid() == 0,
}
"""Skip reasons that stay skips under ``make test`` and CI, with the condition allowing each."""


def _allowed_skip(reason: str) -> bool:
    return any(reason.startswith(key) and allowed() for key, allowed in ALLOWED_SKIPS.items())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under ``make test`` and CI a skip is a failure, unless :data:`ALLOWED_SKIPS` allows it."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail") or not tools_required():
        return
    longrepr = report.longrepr
    reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
    reason = reason.removeprefix("Skipped: ")
    if _allowed_skip(reason):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under make test / CI=true, where nothing may skip: {reason} "
        "(install the missing tool, or list a legitimate skip in tests/conftest.py ALLOWED_SKIPS)"
    )


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One real SPARQL server per test worker."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def store_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphServer]:
    """A store server of the module's own, so that its writes, which may run on across its
    tests (two workers sharing it), meet no other module's (xdist mixes modules on a worker)."""
    server = OxigraphServer(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def oxigraph_union_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real oxigraph server whose default graph is the union (``--union-default-graph``)."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-union"), union_default_graph=True)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One real Virtuoso server per test worker, with its own database folder."""
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(params=selected_engines(remote_only=True))
def sparql_server(request: pytest.FixtureRequest) -> Iterator[SparqlServer]:
    """Each remote test runs on every selected SPARQL server, emptied before and after."""
    server: SparqlServer = request.getfixturevalue(f"{request.param}_server")
    server.clear()
    yield server
    server.clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose store lives in a temporary folder and whose content is the repository's."""
    env = clean_env()
    env["LHS_KG_VAR_DIR"] = str(tmp_path / "var")
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def content_kb() -> Iterator[KnowledgeBase]:
    """ontology/ and data/ in a memory store, built once per session: only for tests that read."""
    kb = new_content_kb()
    yield kb
    kb.close()


@pytest.fixture(params=selected_engines())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store test runs on the embedded store and on every selected SPARQL server."""
    if request.param == "embedded":
        embedded = EmbeddedStore(tmp_path / "store")
        yield embedded
        embedded.close()
    else:
        server: SparqlServer = request.getfixturevalue(f"{request.param}_server")
        server.clear()
        remote = RemoteStore(server.endpoints)
        yield remote
        remote.close()
        server.clear()
