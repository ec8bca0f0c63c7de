"""Fixtures for the web app: the repository's content in a memory store, a test client, and the
same app served by a real waitress server on a free loopback port (for real HTTP clients).

The app is built once per test module (loading the content takes ~0.1 s); tests that change
the store build their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import waitress
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase
from web import create_app


def build_app(**settings_changes: Any) -> Flask:
    """An app over a memory store holding the repository's ontology and data."""
    settings = Settings(store="memory").with_overrides(**settings_changes)
    kb = KnowledgeBase(settings)
    kb.rebuild()
    return create_app({"TESTING": True, "LHS_KG_SETTINGS": settings, "LHS_KG_KB": kb})


@pytest.fixture(scope="module")
def app() -> Flask:
    """The app with the repository content loaded, shared by the tests of one module."""
    return build_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for ``app``."""
    return app.test_client()


@dataclass
class LiveServer:
    """A running waitress server; ``url`` has no trailing slash."""

    url: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        """Let in-flight requests finish, then close every socket from the loop's own thread.

        Closing from this thread instead races the loop: a socket (or waitress's wake-up pipe)
        closed under ``select`` or under a request still being answered raises
        ``OSError: Bad file descriptor`` in waitress's threads.
        """
        self.server.task_dispatcher.shutdown(timeout=10)
        server = self.server

        def close_everything() -> None:
            for dispatcher in list(server._map.values()):
                dispatcher.close()

        server.trigger.pull_trigger(close_everything)
        self.thread.join(timeout=10)


def serve(app: Flask, threads: int = 4) -> LiveServer:
    """Start ``app`` on waitress on a free loopback port and wait until it answers."""
    server = waitress.create_server(
        app, host="127.0.0.1", port=0, threads=threads, ident="lhs-kg-test"
    )
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/healthz", timeout=1)
            return LiveServer(url, server, thread)
        except requests.RequestException:
            time.sleep(0.05)
    pytest.fail("the waitress test server did not start within 10 s")


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[LiveServer]:
    """``app`` served over real HTTP by waitress, for SPARQLWrapper, rdflib, browsers."""
    running = serve(app)
    yield running
    running.stop()
