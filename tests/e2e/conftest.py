"""Fixtures for end-to-end tests in Debian's headless Chromium driven by Playwright.

Chromium comes from the Debian package and axe-core from npm (``make test`` installs both).
Without one of them, or without Playwright, the tests fail under ``make test`` and ``CI=true``
and skip on a bare ``pytest``, each time naming the missing tool and its install command.
The app runs on waitress on a free loopback port; screenshots go to ``tests/artifacts/``
(gitignored) so a failing run can be looked at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.helpers import ARTIFACTS, AXE, BROWSE_FIXTURE, LiveServer, build_app, missing_tool, serve

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def e2e_app() -> Flask:
    """The repository content plus the fixture case study."""
    app = build_app()
    app.extensions["lhs_kg"].load(
        BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture"
    )
    return app


@pytest.fixture(scope="module")
def e2e_server(e2e_app: Flask) -> Iterator[LiveServer]:
    """The app on waitress on a free loopback port."""
    running = serve(e2e_app)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script for the accessibility scans (npm, pinned in package-lock.json)."""
    if not AXE.exists():
        missing_tool("axe-core (npm)", "make axe-core (runs npm ci)")
    return AXE


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright; missing either fails under make test."""
    executable = chromium_path()
    if executable is None:
        missing_tool("Debian chromium", "make chromium (runs apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        missing_tool("Playwright for Python", "make install (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, e2e_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page (CSP bypassed only so axe-core can be injected); screenshot at the end."""
    context = browser.new_context(
        base_url=e2e_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda err: errors.append(str(err)))
    opened.js_errors = errors
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    opened.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)
    context.close()
