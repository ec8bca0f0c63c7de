"""What the tests share: repository paths, test tools, store servers, the app factory, the content
knowledge base and the example contribution.

Fixtures stay in the ``conftest.py`` files and build on these; a test module imports from here,
never from a conftest, and never works out a path from its own ``__file__``
(``tests/test_helpers.py`` fails on either). Paths are anchored here, not on the working directory.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import requests
import waitress
from flask import Flask

from lhs_kg.config import RemoteEndpoints, Settings
from lhs_kg.graphs import contribution_graph, registry_graph, state_iri
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import Store
from web import create_app

# -- paths ---------------------------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent
"""The tests folder."""
ROOT = TESTS.parent
"""The repository: the content folders the engine reads by default."""
DATA = ROOT / "data"
EXAMPLES = DATA / "examples"
EXAMPLE = EXAMPLES / "case-study.json"
"""The example case-study contribution (JSON)."""
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
TEST_DATA = TESTS / "data"
VALID = TEST_DATA / "valid"
INVALID = TEST_DATA / "invalid"
BROKEN_ONTOLOGY = TEST_DATA / "broken-ontology"
BROWSE_FIXTURE = TESTS / "web" / "data" / "browse-fixture.ttl"
GAPS_FIXTURE = TESTS / "web" / "data" / "gaps-fixture.ttl"
"""A case study with awkward values (markup, long text) added to the content by browse tests."""
REASON_EXAMPLES = TESTS / "reason" / "data"
EXPORT_EXTRAS = TESTS / "export" / "data" / "extras.ttl"
ARTIFACTS = TESTS / "artifacts"
"""Screenshots of the browser tests (gitignored)."""
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LHS_KG = str(Path(sys.executable).parent / "lhs-kg")
"""The ``lhs-kg`` console script of this interpreter's environment, as an operator runs it."""

# -- test tools ----------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}


def tools_required() -> bool:
    """True under ``make test`` and CI, where a missing test tool must fail the run."""
    return any(
        os.environ.get(name, "").strip().lower() in _TRUE for name in ("LHS_KG_REQUIRE_TOOLS", "CI")
    )


def missing_tool(tool: str, install: str) -> NoReturn:
    """Fail (``make test``, CI) or skip (bare ``pytest``) a test whose tool is not installed."""
    message = f"{tool} is missing, so this test cannot run; install it with: {install}"
    if tools_required():
        pytest.fail(f"{message} (required under make test and CI=true)", pytrace=False)
    pytest.skip(message)


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
        missing_tool("the oxigraph server (PyPI package oxigraph)", "make install")
    return found


# -- servers -------------------------------------------------------------------------------------


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


# -- settings, knowledge bases and the app -------------------------------------------------------


def clean_env() -> dict[str, str]:
    """This process's environment without any ``LHS_KG_*`` setting, so tests ignore the shell's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}


def settings_for(tmp_path: Path, root: Path = ROOT, **env: str) -> Settings:
    """Settings with the var folder (and default store) in ``tmp_path`` and content from ``root``;
    ``env`` adds ``LHS_KG_*`` variables."""
    variables = clean_env()
    variables.update({"LHS_KG_ROOT": str(root), "LHS_KG_VAR_DIR": str(tmp_path / "var"), **env})
    return Settings.from_env(variables)


def new_content_kb(store: Store | None = None, **settings_changes: Any) -> KnowledgeBase:
    """A knowledge base holding the repository's ontology and data, on ``store`` or a memory
    store, with these settings changed (the caller closes it)."""
    kb = KnowledgeBase(Settings(store="memory").with_overrides(**settings_changes), store=store)
    kb.rebuild()
    return kb


def app_for(kb: KnowledgeBase, **config: Any) -> Flask:
    """The web app for tests over ``kb`` and its settings; ``config`` adds Flask config keys."""
    return create_app({"TESTING": True, "LHS_KG_SETTINGS": kb.settings, "LHS_KG_KB": kb, **config})


def build_app(**settings_changes: Any) -> Flask:
    """The web app for tests over a fresh :func:`new_content_kb` with these settings changed."""
    return app_for(new_content_kb(**settings_changes))


# -- contributions -------------------------------------------------------------------------------


def example(**changes: Any) -> dict[str, Any]:
    """The example case study, self-contained (no source left undescribed), with changes."""
    doc: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    for outcome in doc.get("outcomes", []):
        outcome.pop("sources", None)
    doc["sources"] = ["foley-vale-2022"]
    doc.update(changes)
    return doc


def payload(**changes: Any) -> bytes:
    """:func:`example` as JSON bytes."""
    return json.dumps(example(**changes)).encode("utf-8")


_SAYS = "<https://example.org/ns/says>"
PENDING_TEXT = f'<https://example.org/secret> {_SAYS} "not yet reviewed" .'
"""The one triple of a contribution still pending review (must never be exported)."""
PUBLISHED_TEXT = f'<https://example.org/ok> {_SAYS} "reviewed and published" .'
"""The one triple of a published contribution."""


def fill_with_contributions(kb: KnowledgeBase) -> None:
    """Content files, the export extras graph, one pending and one published contribution."""
    settings = kb.settings
    kb.rebuild()
    kb.load_bytes(EXPORT_EXTRAS.read_bytes(), "ttl", graph=f"{settings.base_iri}graph/data/extras")
    pending = contribution_graph(settings, "c1", 1)
    published = contribution_graph(settings, "c2", 1)
    kb.load_bytes(PENDING_TEXT.encode(), "nt", graph=pending)
    kb.load_bytes(PUBLISHED_TEXT.encode(), "nt", graph=published)
    state = "<https://w3id.org/lhs-kg/ontology/reviewState>"
    registry = (
        f"<{pending}> {state} <{state_iri(settings, 'pending')}> .\n"
        f"<{published}> {state} <{state_iri(settings, 'published')}> .\n"
    )
    kb.load_bytes(registry.encode(), "nt", graph=registry_graph(settings))


MakeRoot = Callable[..., Path]
"""The ``make_root`` fixture (tests/reason): a project root holding the given data files only."""


# -- pages in plain language (#15) ------------------------------------------------------------

RDF_IN_TEXT = re.compile(
    r"(?:^|(?<=[\s\"'”]))@[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*(?=[\s,;.)]|$)|\bxsd:|\^\^"
)
"""A language tag as RDF writes it after a literal, or a datatype in any spelling."""


def visible_text(page: str) -> str:
    """What a reader sees in a page's body: tags, scripts and styles removed, entities decoded.

    A named query's SPARQL, folded away under "The SPARQL behind this question", is code the
    reader opens on purpose (as on /sparql), so it is left out too.
    """
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<details class="sparql-source">.*?</details>', " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def wheel_files() -> set[str]:
    """The paths the wheel built from this checkout holds, as the build backend lists them.

    Asks hatchling itself (no build, no network), so a test of what ships reads what ships
    rather than the configuration text.
    """
    from hatchling.builders.wheel import WheelBuilder

    return {f.distribution_path for f in WheelBuilder(str(ROOT)).recurse_included_files()}
