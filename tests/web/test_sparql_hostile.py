"""Hostile queries and parameters against the real server process (``lhs-kg serve``), because a
query that overflows Oxigraph's stack would take a whole process down, test runner included.

Each answer must be a 4xx (or a 200, or a 503 for queries that are legal but slow), never a crash
or a 500, and the server must still answer afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
LHS_KG = str(Path(sys.executable).parent / "lhs-kg")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lhs-kg serve` on a free port over a store built by `lhs-kg init`; 2 s query limit."""
    folder = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
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
