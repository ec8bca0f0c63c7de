"""Shared fixtures: settings on temporary folders, and stores of both kinds (no mocks).

The remote store is a real ``oxigraph serve`` (PyPI package ``oxigraph``) started on a free
loopback port for the test session and stopped after it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lhs_kg.config import RemoteEndpoints, Settings
from lhs_kg.store import EmbeddedStore, RemoteStore, Store

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable installed beside this interpreter."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server is not installed: run `make install`")
    return found


class OxigraphServer:
    """A real ``oxigraph serve`` process on loopback."""

    def __init__(self, location: Path, *, timeout_s: float = 10.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                # the engine's own time limit, equal to the default query timeout (#12)
                "--timeout-s",
                str(max(1, round(timeout_s))),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        pytest.fail("oxigraph serve did not start within 30 s")

    @property
    def endpoints(self) -> RemoteEndpoints:
        return RemoteEndpoints(f"{self.url}/query", f"{self.url}/update", f"{self.url}/store")

    def clear(self) -> None:
        requests.post(f"{self.url}/update", data={"update": "CLEAR ALL"}, timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One real SPARQL server per test worker."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose store lives in a temporary folder and whose content is the repository's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
    env["LHS_KG_VAR_DIR"] = str(tmp_path / "var")
    return Settings.from_env(env)


@pytest.fixture(params=["embedded", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store test runs on the embedded store and on a real oxigraph server."""
    if request.param == "embedded":
        embedded = EmbeddedStore(tmp_path / "store")
        yield embedded
        embedded.close()
    else:
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        server.clear()
        remote = RemoteStore(server.endpoints)
        yield remote
        remote.close()
        server.clear()
