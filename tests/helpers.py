"""What the tests share: repository paths, test tools, store servers, the app factory, the content
knowledge base and the example contribution.

Fixtures stay in the ``conftest.py`` files and build on these; a test module imports from here,
never from a conftest, and never works out a path from its own ``__file__``
(``tests/test_helpers.py`` fails on either). Paths are anchored here, not on the working directory.
"""

from __future__ import annotations

import copy
import html
import io
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import requests
import waitress
from flask import Flask

from lhs_kg.config import RemoteEndpoints, Settings
from lhs_kg.contributions import Contributions
from lhs_kg.formats import rdf_format
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


ENGINES = ("embedded", "oxigraph", "virtuoso")


def selected_engines(*, remote_only: bool = False) -> list[str]:
    """The engines chosen by ``LHS_KG_TEST_ENGINES`` (comma-separated; default: all)."""
    raw = os.environ.get("LHS_KG_TEST_ENGINES", "").strip()
    chosen = [name.strip() for name in raw.split(",") if name.strip()] if raw else list(ENGINES)
    unknown = sorted(set(chosen) - set(ENGINES))
    if unknown:
        raise pytest.UsageError(
            f"LHS_KG_TEST_ENGINES names unknown engines {unknown}; known: {', '.join(ENGINES)}"
        )
    return [name for name in chosen if not (remote_only and name == "embedded")]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sparql_request(handler: BaseHTTPRequestHandler) -> tuple[str, dict[str, list[str]]]:
    """The path and the fields of a SPARQL Protocol request a test server got, wherever they
    came: in the URL, in a form body, or the query as the body (``application/sparql-query``)."""
    path, _, url_query = handler.path.partition("?")
    fields = parse_qs(url_query)
    length = int(handler.headers.get("Content-Length", "0"))
    body = handler.rfile.read(length).decode() if length else ""
    if handler.headers.get("Content-Type", "").startswith("application/sparql-query"):
        fields.setdefault("query", []).append(body)
    else:
        for name, values in parse_qs(body).items():
            fields.setdefault(name, []).extend(values)
    return path, fields


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

    engine = "oxigraph"

    def __init__(
        self, location: Path, *, timeout_s: float = 10.0, union_default_graph: bool = False
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.union_default_graph = union_default_graph
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
                *(["--union-default-graph"] if union_default_graph else []),
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
        union = "server" if self.union_default_graph else "list"
        return RemoteEndpoints(
            f"{self.url}/query", f"{self.url}/update", f"{self.url}/store", union=union
        )

    def env(self) -> dict[str, str]:
        """The ``LHS_KG_STORE*`` settings that point lhs-kg at this server."""
        union = {"LHS_KG_STORE_UNION": "server"} if self.union_default_graph else {}
        return {"LHS_KG_STORE": self.url, **union}

    def clear(self) -> None:
        requests.post(f"{self.url}/update", data={"update": "CLEAR ALL"}, timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


VIRTUOSO_INSTALL = "make virtuoso (apt-get install virtuoso-opensource)"
TEST_GRAPH_PREFIXES = (
    "https://w3id.org/lhs-kg/",
    "https://example.org/",
    "http://example.org/",
    "http://e/",
)
"""The graphs the tests write; on Virtuoso the store lists only these (its own graphs stay out)."""


def virtuoso_binaries() -> tuple[str, str]:
    """Debian's ``virtuoso-t`` server and its ``isql-vt`` client."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql:
        missing_tool("Virtuoso open source (virtuoso-t, isql-vt)", VIRTUOSO_INSTALL)
    return server, isql


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 0
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = {dir}
ThreadsPerQuery = 2
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = {row_limit}
MaxQueryExecutionTime = {timeout_s}
"""
"""Our own database folder and loopback ports; the engine's time limit equals the default query
timeout (as oxigraph's --timeout-s); the row limit is Virtuoso's default (10,000)."""


class VirtuosoServer:
    """A real Virtuoso open source server (``virtuoso-t``) on loopback, with its own database.

    The anonymous ``/sparql`` endpoint only reads; writes go to ``/sparql-auth`` and the
    authenticated Graph Store endpoint as a user granted SPARQL_UPDATE, with Digest auth. The
    DBA password is changed from Debian's default at start.
    """

    engine = "virtuoso"
    user = "lhs-kg"
    row_limit = 10_000

    def __init__(self, location: Path, *, timeout_s: float = 10.0) -> None:
        server, self._isql = virtuoso_binaries()
        self.location = location
        self.sql_port, self.port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = "p" + secrets.token_hex(12)
        self._dba_password = "p" + secrets.token_hex(12)
        ini = location / "virtuoso.ini"
        ini.write_text(
            _VIRTUOSO_INI.format(
                dir=location,
                sql_port=self.sql_port,
                http_port=self.port,
                row_limit=self.row_limit,
                timeout_s=max(1, round(timeout_s)),
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                requests.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            self.stop()
            pytest.fail(f"virtuoso-t did not start within 60 s; see {location}/virtuoso.log")
        self._sql(
            "dba",
            f"DB.DBA.USER_CREATE('{self.user}', '{self.password}');\n"
            f'GRANT SPARQL_UPDATE TO "{self.user}";\n'
            f"set password dba {self._dba_password};\n",
        )

    def _sql(self, password: str, script: str) -> None:
        """Run SQL as the DBA through isql (on stdin, so no password of the user is in argv)."""
        done = subprocess.run(
            [self._isql, f"127.0.0.1:{self.sql_port}", "dba", password],
            input=script,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            self.stop()
            pytest.fail(f"configuring Virtuoso failed: {done.stdout[-500:]} {done.stderr[-500:]}")

    @property
    def endpoints(self) -> RemoteEndpoints:
        return RemoteEndpoints(
            f"{self.url}/sparql",
            f"{self.url}/sparql-auth",
            f"{self.url}/sparql-graph-crud-auth",
            user=self.user,
            password=self.password,
            engine="virtuoso",
            auth="digest",
            row_limit=self.row_limit,
            graph_prefixes=TEST_GRAPH_PREFIXES,
        )

    def env(self) -> dict[str, str]:
        """The ``LHS_KG_STORE*`` settings that point lhs-kg at this server."""
        return {
            "LHS_KG_STORE": self.url,
            "LHS_KG_STORE_ENGINE": "virtuoso",
            "LHS_KG_STORE_USER": self.user,
            "LHS_KG_STORE_PASSWORD": self.password,
        }

    def clear(self) -> None:
        """Drop every graph the tests may have written, the generation's too (Virtuoso's own
        graphs stay); sent as one plain update, so that it writes no new generation."""
        from lhs_kg.store import RemoteStore

        with RemoteStore(self.endpoints) as store:
            names = [*store.graph_names(), store.meta_graph]
        update = " ; ".join(f"DROP SILENT GRAPH <{name}>" for name in names)
        requests.post(
            f"{self.url}/sparql-auth",
            data={"update": update},
            auth=requests.auth.HTTPDigestAuth(self.user, self.password),
            timeout=60,
        ).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


SparqlServer = OxigraphServer | VirtuosoServer
"""A real SPARQL server process the tests started."""


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
    store, with these settings changed (the caller closes it). A ``var_dir`` given brings its
    own instance folder, as ``LHS_KG_VAR_DIR`` does, so nothing lands in the checkout's."""
    if "var_dir" in settings_changes and "instance_dir" not in settings_changes:
        settings_changes["instance_dir"] = Path(settings_changes["var_dir"]) / "instance"
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


def union_of(store: Store, graphs: list[str]) -> set[ox.Triple]:
    """The triples of the union of ``graphs`` (a set), read graph by graph through the store's
    dump: complete on an engine with a row limit too (Virtuoso cuts one CONSTRUCT at 10,000)."""
    found: set[ox.Triple] = set()
    for graph in graphs:
        buffer = io.BytesIO()
        store.dump(buffer, rdf_format("nt"), graph=graph)
        found.update(q.triple for q in ox.parse(buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES))
    return found


def axe_violations(page: Any, axe: Path) -> list[str]:
    """Serious and critical axe-core violations of the page, one readable line each."""
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def multiset_difference(got: Counter[Hashable], expected: Counter[Hashable]) -> dict[str, object]:
    """What ``got`` lacks and adds against ``expected``: counts and at most ten of each, sorted.

    Compare ``multiset_difference(a, b) == SAME_MULTISET`` instead of ``a == b`` for large
    answers (dumps, documents): under ``CI=true`` pytest prints a failing comparison in full, and
    its diff of two 10,000-quad Counters ran past the test timeout and crashed the xdist worker.
    """
    missing, extra = expected - got, got - expected
    return {
        "missing": sum(missing.values()),
        "extra": sum(extra.values()),
        "missing, first ten": sorted(map(repr, missing))[:10],
        "extra, first ten": sorted(map(repr, extra))[:10],
    }


SAME_MULTISET = multiset_difference(Counter(), Counter())
"""The difference of two equal multisets."""


# -- many case studies (paged dashboards, #16) ---------------------------------------------------

_CONCEPT = "https://w3id.org/lhs-kg/concept/"


def many_case_studies(n: int, seed: int = 16, prefix: str = "many") -> bytes:
    """Turtle of ``n`` rated case studies, varied by ``seed``: every level in every domain,
    unrated domains, some case studies with no rating at all, loop stages, elements, outcomes."""
    rng = random.Random(seed)
    levels = ("simple", "complicated", "complex")
    stages = ("practice-to-data", "data-to-knowledge", "knowledge-to-practice")
    elements = ("strategy/culture", "strategy/workforce", "rationale/better-value")
    lines = [
        "@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    for i in range(n):
        cs = f"<https://w3id.org/lhs-kg/case-study/{prefix}-{i:04d}>"
        lines.append(
            f'{cs} a lhs:CaseStudy ; rdfs:label "{prefix.title()} initiative {i:04d}"@en .'
        )
        for stage in rng.sample(stages, rng.randint(0, 3)):
            lines.append(f"{cs} lhs:showsLoopStage <{_CONCEPT}loop/{stage}> .")
        for element in rng.sample(elements, rng.randint(0, 3)):
            kind = "addressesRationale" if element.startswith("rationale") else "appliesElement"
            lines.append(f"{cs} lhs:{kind} <{_CONCEPT}{element}> .")
        for k in range(rng.randint(0, 2)):
            lines.append(f"{cs} lhs:hasOutcome <{cs[1:-1]}/outcome/{k}> .")
        if i % 9 == 4:
            continue  # no assessment: every domain not rated
        assessment = f"<{cs[1:-1]}/assessment>"
        lines.append(f"{cs} lhs:hasAssessment {assessment} .")
        for domain in range(1, 8):
            if rng.random() < 0.25:
                continue  # this domain not rated
            rating = f"<{cs[1:-1]}/rating/{domain}>"
            lines.append(
                f"{assessment} lhs:hasRating {rating} . {rating} a lhs:DomainRating ; "
                f"lhs:ratesDomain <{_CONCEPT}nasss/{domain}> ; "
                f"lhs:level <{_CONCEPT}complexity-level/{rng.choice(levels)}> ."
            )
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- writes that change the published view (what incremental caches must follow) -----------------

Write = Callable[["Contributions", KnowledgeBase], None]
"""One write to the knowledge base, through the contribution workflow or straight to it."""


def submit_example(contributions: Contributions, **changes: Any) -> str:
    """Submit :func:`example` with ``changes``; the new version's reference."""
    out = contributions.submit(payload(**changes), "json")
    assert out.version is not None, out.report.to_text()
    return out.version.ref


def accept_example(contributions: Contributions, **changes: Any) -> str:
    """Submit and accept :func:`example` with ``changes``; the version's reference."""
    ref = submit_example(contributions, **changes)
    contributions.decide(ref, "accept", "r")
    return ref


def published_writes(
    many: str, direct: str, edition: dict[str, Any] | None = None
) -> dict[str, Write]:
    """The writes the kept dashboards and the search index are tested after, by name (test ids).

    ``many`` is a graph of :func:`many_case_studies` the caller loaded, ``direct`` a graph name
    still free; ``edition`` changes the second edition of the example as well as its title.
    """

    def accept_new(contributions: Contributions, kb: KnowledgeBase) -> None:
        accept_example(contributions)

    def accept_new_edition(contributions: Contributions, kb: KnowledgeBase) -> None:
        accept_example(contributions)
        accept_example(contributions, title="Example: second edition", **(edition or {}))

    def accept_over_a_curated_file(contributions: Contributions, kb: KnowledgeBase) -> None:
        accept_example(contributions, id="improvecarenow", title="ImproveCareNow, updated")

    def reject(contributions: Contributions, kb: KnowledgeBase) -> None:
        contributions.decide(submit_example(contributions), "reject", "r", "off topic")

    def withdraw_published(contributions: Contributions, kb: KnowledgeBase) -> None:
        contributions.decide(accept_example(contributions), "withdraw", "r", "retracted")

    def direct_load(contributions: Contributions, kb: KnowledgeBase) -> None:
        kb.load_bytes(many_case_studies(6, seed=7, prefix="direct"), "ttl", graph=direct)

    def direct_load_into_a_published_graph(contributions: Contributions, kb: KnowledgeBase) -> None:
        more = many_case_studies(3, seed=8, prefix="many")  # new ratings of many-0000…0002
        kb.load_bytes(more.replace(b"/rating/", b"/rating-b/"), "ttl", graph=many)

    def drop_a_graph(contributions: Contributions, kb: KnowledgeBase) -> None:
        kb.drop_graph(many)

    writes = (
        accept_new,
        accept_new_edition,
        accept_over_a_curated_file,
        reject,
        withdraw_published,
        direct_load,
        direct_load_into_a_published_graph,
        drop_a_graph,
    )
    return {write.__name__: write for write in writes}


def two_workers(
    server: OxigraphServer, var: Path, graph: str
) -> tuple[KnowledgeBase, KnowledgeBase]:
    """Two knowledge bases on one store server (emptied first), as two worker processes of one
    machine: the writer holds the repository's content and 40 generated case studies in
    ``graph``; the reader has its own connection and has read the generation."""
    from lhs_kg.store import RemoteStore

    server.clear()
    writer = new_content_kb(RemoteStore(server.endpoints), var_dir=var)
    writer.load_bytes(many_case_studies(40, seed=3), "ttl", graph=graph)
    reader = KnowledgeBase(writer.settings, store=RemoteStore(server.endpoints))
    reader.store.refresh_generation()
    return writer, reader
