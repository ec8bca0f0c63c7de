"""Hostile queries and parameters against the real server process (``lhs-kg serve``), because a
query that overflows Oxigraph's stack would take a whole process down, test runner included.

Each answer must be a 4xx (or a 200, or a 503 for queries that are legal but slow), never a crash
or a 500, and the server must still answer afterwards.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.engine.service_spellings import BYPASSES, Listener, bypass
from tests.helpers import LHS_KG, ROOT, clean_env, free_port

SERVED: dict[str, int] = {}
"""The pid of the module's server process (its query workers are its descendants)."""
CLK_TCK = os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lhs-kg serve` on a free port over a store built by `lhs-kg init`; 2 s query limit."""
    folder = tmp_path_factory.mktemp("served")
    env = clean_env()
    env.update(LHS_KG_STORE=str(folder / "store"), LHS_KG_ROOT=str(ROOT), LHS_KG_QUERY_TIMEOUT="2")
    subprocess.run([LHS_KG, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [LHS_KG, "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    SERVED["pid"] = process.pid
    deadline = time.monotonic() + 120  # a loaded CI machine starts processes slowly
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/healthz", timeout=1)
            break
        except requests.RequestException:
            if process.poll() is not None:
                pytest.fail(f"lhs-kg serve exited: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def alive(url: str) -> bool:
    return requests.get(f"{url}/healthz", timeout=5).status_code == 200


HOSTILE = [
    pytest.param("SELECT * WHERE " + "{" * 1000 + "}" * 1000, (400,), id="braces-1000-deep"),
    pytest.param(
        "SELECT * WHERE { FILTER(" + "(" * 1000 + "1" + ")" * 1000 + ") }",
        (400,),
        id="parens-1000-deep",
    ),
    pytest.param(
        "SELECT * WHERE { ?s ?p [" * 1000 + "]" * 1000 + " }", (400,), id="blank-nodes-1000-deep"
    ),
    pytest.param(
        "SELECT * WHERE { FILTER(" + "!" * 99_000 + "true) }", (400,), id="unary-not-chain-99k"
    ),
    pytest.param(
        "SELECT * WHERE { BIND(" + "- " * 49_000 + "1 AS ?x) }",
        (200, 400, 503),
        id="unary-minus-chain",
    ),
    pytest.param(
        "SELECT * WHERE { ?s <p:p>" + "|<p:p>" * 16_000 + " ?o }",
        (400,),
        id="long-alternative-path",
    ),
    pytest.param("SELECT * WHERE { ?s ?p ?o } # " + "x" * 1_000_000, (400, 413), id="one-megabyte"),
    pytest.param("SELECT * WHERE { ?s ?p '\x00\ud7ff' }", (200, 400, 503), id="odd-characters"),
    pytest.param(
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", (400,), id="service"
    ),
    pytest.param("LOAD <file:///etc/passwd>", (400,), id="load-as-query"),
    pytest.param(
        "PREFIX ex: <http://e/> SELECT * WHERE { ex:a\\# ?p ?o "
        + "{" * 49_000
        + "}" * 49_000
        + "}",
        (400,),
        id="braces-49000-deep-behind-an-escape",
    ),
    pytest.param(
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        (400,),
        id="service-behind-u-escape",
    ),
]


@pytest.mark.parametrize(("query", "allowed"), HOSTILE)
def test_hostile_query_by_post_never_crashes(
    server: str, query: str, allowed: tuple[int, ...]
) -> None:
    response = requests.post(
        f"{server}/sparql",
        data=query.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert response.status_code in allowed, response.text[:300]
    assert alive(server)


def test_megabyte_query_in_the_url_is_4xx(server: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_000
    response = requests.get(f"{server}/sparql", params={"query": query}, timeout=60)
    assert 400 <= response.status_code < 500
    assert alive(server)


def test_runaway_query_gets_503_and_the_server_keeps_answering(server: str) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    started = time.monotonic()
    response = requests.get(f"{server}/sparql", params={"query": runaway}, timeout=60)
    assert response.status_code == 503
    assert time.monotonic() - started < 10  # 2 s limit, with room for a loaded machine
    quick = requests.get(f"{server}/sparql", params={"query": "ASK {}"}, timeout=5)
    assert quick.status_code == 200


HOSTILE_PARAMS = [
    {"stage": "'; DROP ALL; #"},
    {"stage": "<x> } UNION { ?s ?p ?o"},
    {"stage": "\u0000"},
    {"stage": "a" * 100_000},
    {"stage": "https://w3id.org/lhs-kg/concept/loop/../../case-study/x"},
    {"nosuch": "1"},
    {"format": "<script>"},
    {"stage": ["a", "b"]},
]


@pytest.mark.parametrize("params", HOSTILE_PARAMS, ids=lambda p: repr(p)[:40])
@pytest.mark.parametrize(
    "path", ["/api/queries/case-studies-by-loop-stage", "/queries/case-studies-by-loop-stage"]
)
def test_hostile_parameters_are_4xx(server: str, path: str, params: dict[str, object]) -> None:
    response = requests.get(f"{server}{path}", params=params, timeout=30)  # type: ignore[arg-type]
    ignored = path.startswith("/queries/") and "format" in params  # pages have one format
    assert response.status_code == 200 if ignored else 400 <= response.status_code < 500
    if response.headers["Content-Type"].startswith("text/html"):
        assert "<script>" not in response.text  # echoed values are escaped


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "%2e%2e%2fetc", "checks%2Fdangling-reference", "x" * 2000]
)
def test_hostile_query_names_are_404(server: str, name: str) -> None:
    response = requests.get(f"{server}/api/queries/{name}", timeout=30)
    assert response.status_code == 404


# -- #12: SERVICE spellings, runaway work ------------------------------------------------------


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """A loopback socket that counts connections: a SERVICE call would show up there."""
    opened = Listener()
    yield opened
    opened.close()


@pytest.mark.parametrize("name", BYPASSES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_service_bypass_spellings_reach_nothing(
    server: str, listener: Listener, name: str, method: str
) -> None:
    text = bypass(name, listener.endpoint)
    if method == "get":
        response = requests.get(f"{server}/sparql", params={"query": text}, timeout=30)
    else:
        headers = {"Content-Type": "application/sparql-query"}
        response = requests.post(
            f"{server}/sparql", data=text.encode(), headers=headers, timeout=30
        )
    assert 400 <= response.status_code < 500, response.text[:300]
    assert listener.connections == 0


def query_workers(server_pid: int) -> list[int]:
    """The server's query worker processes: its grandchildren (children of the forkserver)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    return [g for child in parents.get(server_pid, []) for g in parents.get(child, [])]


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds used so far by the live ones of ``pids``."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def test_runaway_set_is_stopped_and_a_cheap_query_answers(server: str) -> None:
    """8 cartesian COUNTs and a 200-step path (2 s limit): CPU stops, then a cheap query is 200."""
    runaways = ["SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"] * 8
    runaways.append("SELECT (COUNT(*) AS ?n) WHERE { ?s " + "/".join(["a*"] * 200) + " ?o }")
    statuses: list[int] = []

    def send(text: str) -> None:
        response = requests.post(
            f"{server}/sparql",
            data=text.encode(),
            headers={"Content-Type": "application/sparql-query"},
            timeout=120,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(text,)) for text in runaways]
    for thread in threads:
        thread.start()
    busy: set[int] = set()
    while any(thread.is_alive() for thread in threads):  # the workers that ran the runaways
        busy.update(query_workers(SERVED["pid"]))
        time.sleep(0.2)
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [503] * 9
    assert busy, "no query worker processes: the server evaluates in its own process"
    time.sleep(1.0)  # replacement workers started at the last kills finish starting up
    before = cpu_seconds(sorted(busy))
    time.sleep(2.0)
    burnt = cpu_seconds(sorted(busy)) - before
    started = time.monotonic()
    cheap = requests.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    latency = time.monotonic() - started
    print(
        f"runaway workers seen: {len(busy)}; CPU seconds they used in the 2 s after the "
        f"deadlines: {burnt:.2f}; cheap query {latency:.3f} s"
    )
    assert cheap.status_code == 200
    assert burnt < 0.3, f"the workers kept burning {burnt:.2f} CPU-s after the deadlines"
