"""Fixtures for the web app: the repository's content in a memory store, a test client, and the
same app served by a real waitress server on a free loopback port (for real HTTP clients).

The app is built once per test module (loading the content takes ~0.1 s); tests that change
the store build their own. ``LHS_KG_TEST_WEB_ENGINE=oxigraph`` (or ``virtuoso``) builds it on
that real SPARQL server instead of the memory store, to run the page tests on an engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.store import RemoteStore
from tests.helpers import (
    ENGINES,
    LiveServer,
    SparqlServer,
    app_for,
    build_app,
    new_content_kb,
    serve,
)


@pytest.fixture(scope="module")
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app with the repository content loaded, shared by the tests of one module."""
    engine = os.environ.get("LHS_KG_TEST_WEB_ENGINE", "").strip() or "embedded"
    if engine == "embedded":
        yield build_app()
        return
    if engine not in ENGINES:
        raise pytest.UsageError(f"LHS_KG_TEST_WEB_ENGINE={engine!r}; known: {', '.join(ENGINES)}")
    server: SparqlServer = request.getfixturevalue(f"{engine}_server")
    server.clear()
    var = request.getfixturevalue("tmp_path_factory").mktemp("var")  # kept caches: not in the tree
    kb = new_content_kb(RemoteStore(server.endpoints), var_dir=var, instance_dir=var / "instance")
    yield app_for(kb)
    kb.close()
    server.clear()


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
