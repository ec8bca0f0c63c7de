"""Fixtures for the web app: the repository's content in a memory store, a test client, and the
same app served by a real waitress server on a free loopback port (for real HTTP clients).

The app is built once per test module (loading the content takes ~0.1 s); tests that change
the store build their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import LiveServer, build_app, serve


@pytest.fixture(scope="module")
def app() -> Flask:
    """The app with the repository content loaded, shared by the tests of one module."""
    return build_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for ``app``."""
    return app.test_client()


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[LiveServer]:
    """``app`` served over real HTTP by waitress, for SPARQLWrapper, rdflib, browsers."""
    running = serve(app)
    yield running
    running.stop()
