"""Query worker processes (#12): snapshots, the network sandbox, runaway queries really stopped.

One on-disk knowledge base and one runner (one worker pool) per module keep the suite fast.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lhs_kg import sparql_guard
from lhs_kg.config import Settings
from lhs_kg.errors import QueryError, QueryRejectedError, QueryTimeoutError
from lhs_kg.formats import result_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.protocol import Dataset, QueryRunner, ServerBusyError
from lhs_kg.query_workers import WORKER_RECURSION_LIMIT, Job, Snapshots, WorkerPool
from lhs_kg.sparql_text import check_query
from lhs_kg.store import RemoteStore
from tests.engine.service_spellings import Listener, service_query
from tests.helpers import OxigraphServer

TIMEOUT_S = 1.0
LIMITS = {"max_chars": 100_000, "max_depth": 64, "allow_service": False}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LONG_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?s " + "/".join(["a*"] * 200) + " ?o }"
"""A 200-step property path: each step multiplies the solutions (under the guard's 256 steps)."""
CLK_TCK = os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The repository's content in an on-disk store, with a short query limit."""
    folder = tmp_path_factory.mktemp("workers")
    env = {"LHS_KG_STORE": str(folder / "store"), "LHS_KG_VAR_DIR": str(folder / "var")}
    settings = Settings.from_env(env).with_overrides(query_timeout_s=TIMEOUT_S)
    with KnowledgeBase(settings) as base:
        base.rebuild()
        yield base


@pytest.fixture(scope="module")
def runner(kb: KnowledgeBase) -> Iterator[QueryRunner]:
    """A runner over the on-disk store: its queries run in worker processes."""
    made = QueryRunner(kb)
    yield made
    made.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback socket that counts connections."""
    opened = Listener()
    yield opened
    opened.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    if fields[0] == "Z":
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def test_a_runner_over_an_on_disk_store_uses_worker_processes(runner: QueryRunner) -> None:
    answer = runner.run("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert runner.isolated and runner.worker_pids()
    assert os.getpid() not in runner.worker_pids()
    assert len(answer.rows) == 3 and all(isinstance(r["s"], ox.NamedNode) for r in answer.rows)


@pytest.mark.parametrize(
    ("query", "fmt", "kind"),
    [
        ("SELECT ?s WHERE { ?s a ?c } LIMIT 2", "json", "select"),
        ("ASK { ?s ?p ?o }", "xml", "ask"),
        ("CONSTRUCT WHERE { ?s a ?c } LIMIT 2", None, "graph"),
    ],
)
def test_worker_answers_match_the_in_process_path(
    runner: QueryRunner, kb: KnowledgeBase, query: str, fmt: str | None, kind: str
) -> None:
    chosen = result_format(fmt) if fmt else None
    in_worker = runner.run(query, fmt=chosen)
    in_process = QueryRunner(kb)
    in_process.isolated = False
    here = in_process.run(query, fmt=chosen)
    assert in_worker.kind == here.kind == kind
    assert in_worker.body == here.body
    assert len(in_worker.triples) == len(here.triples)


def test_the_dataset_of_the_request_is_applied_in_the_worker(runner: QueryRunner) -> None:
    nowhere = Dataset(default_graphs=("urn:lhs-kg:no-such-graph",))
    assert not runner.run("ASK { ?s ?p ?o }", dataset=nowhere).boolean
    assert runner.run("ASK { ?s ?p ?o }").boolean


def test_a_write_is_seen_by_the_next_query_and_old_snapshots_go(
    runner: QueryRunner, kb: KnowledgeBase
) -> None:
    ask = "ASK { <urn:test:fresh> ?p ?o }"
    assert not runner.run(ask).boolean
    kb.load_bytes(b'<urn:test:fresh> <urn:test:p> "1" .', "nt", graph="urn:test:g")
    assert runner.run(ask).boolean
    assert kb.store.path is not None
    (folder,) = (kb.store.path.parent / f"{kb.store.path.name}.snapshots").iterdir()
    assert len(list(folder.iterdir())) == 1  # the stale one was removed once unused


def test_the_parse_based_guard_runs_in_the_worker(runner: QueryRunner) -> None:
    with pytest.raises(QueryRejectedError, match="SPARQL syntax error"):
        runner.run("PREFIX s: <http://127.0.0.1:1/> SELECT * WHERE { SERVICEs:x { ?a ?b ?c } }")


SLOW_TO_CHECK = "SELECT ?x WHERE { BIND(" + " + ".join(["1"] * 1_999) + " AS ?x) }"
"""Just under the operator bound: our parse takes seconds under load, Oxigraph's evaluation
about a twentieth of that (the live fuzzer's 1,900-term sum once answered 503 at a 5 s limit)."""


@pytest.fixture(scope="module")
def check_seconds() -> float:
    """What the parse-based guard takes for SLOW_TO_CHECK here and now (the machine's pace)."""
    sparql_guard.parse("ASK {}")  # the grammar's first use prepares it
    started = time.monotonic()
    with _recursion_limit(WORKER_RECURSION_LIMIT):
        sparql_guard.parse(SLOW_TO_CHECK)
    return time.monotonic() - started


@contextlib.contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def test_the_time_limit_counts_from_when_the_guard_has_checked_the_query(
    runner: QueryRunner, check_seconds: float
) -> None:
    """A limit of half the check's time: the evaluation alone fits, check + evaluation not."""
    answer = runner.run(SLOW_TO_CHECK, timeout_s=check_seconds / 2)
    assert [str(row["x"].value) for row in answer.rows] == ["1999"]


def test_the_guard_has_its_own_time_allowance(kb: KnowledgeBase, check_seconds: float) -> None:
    assert kb.store.path is not None
    snapshots = Snapshots(kb.store, kb.store.path.parent / "check-allowance.snapshots")
    pool = WorkerPool(1)
    try:
        job = Job(
            SLOW_TO_CHECK, str(snapshots.acquire()), None, True, (), (), 10, 100_000, 64, False
        )
        with pytest.raises(QueryTimeoutError):
            pool.run(job, 60.0, check_timeout_s=check_seconds / 10)
        assert pool.run(job, 60.0).kind == "select"  # a replacement worker, given the time
    finally:
        pool.close()
        snapshots.close()


def test_runaway_queries_are_killed_cpu_stops_and_a_cheap_query_answers(
    runner: QueryRunner,
) -> None:
    """8 cartesian COUNTs and a 200-step path past a 1 s limit: killed, slots free again."""
    errors: list[BaseException] = []
    pids: set[int] = set()

    def run(text: str) -> None:
        try:
            runner.run(text)
        except (QueryTimeoutError, QueryError) as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(RUNAWAY,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(TIMEOUT_S / 2)
    pids.update(runner.worker_pids())
    busy = pytest.raises(ServerBusyError)
    with busy:  # all 8 slots are taken by the runaways meanwhile
        runner.run("ASK {}")
    for thread in threads:
        thread.join(timeout=30)
    run(LONG_PATH)
    assert len(errors) == 9
    assert all(type(e) is QueryTimeoutError for e in errors), [str(e)[:80] for e in errors]
    pids.update(runner.worker_pids())
    time.sleep(0.5)
    before = sum(cpu_seconds(pid) for pid in pids)
    time.sleep(2.0)
    after = sum(cpu_seconds(pid) for pid in pids)
    assert after - before < 0.3, (
        f"workers kept burning {after - before:.2f} CPU-s after the deadline"
    )
    assert len(runner.worker_pids()) <= runner.max_running  # killed workers were replaced
    started = time.monotonic()
    assert runner.run("ASK { ?s ?p ?o }").boolean
    assert time.monotonic() - started < 5


def test_a_worker_cannot_open_a_tcp_connection_even_without_the_guard(
    kb: KnowledgeBase, listener: Listener
) -> None:
    """The guard is bypassed on purpose: only the seccomp sandbox stands in the way."""
    text = f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.endpoint}> {{ ?x ?y ?z }} }}"
    unsandboxed = ox.Store()
    unsandboxed.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))
    with pytest.raises(OSError):
        list(unsandboxed.query(text))  # type: ignore[arg-type]
    assert listener.connections == 1  # the same query, outside a worker, does connect
    with run_unguarded(kb) as send, pytest.raises(QueryError, match="failed"):
        send(text)
    assert listener.connections == 1


def test_operators_who_allow_service_get_workers_with_network(
    kb: KnowledgeBase, listener: Listener
) -> None:
    allowing = QueryRunner(kb)
    allowing.settings = kb.settings.with_overrides(allow_service=True)
    text = f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.endpoint}> {{ ?x ?y ?z }} }} LIMIT 1"
    try:
        with pytest.raises(QueryError, match="failed"):
            allowing.run(text)
    finally:
        allowing.close()
    assert listener.connections == 1


class run_unguarded:
    """A worker pool and snapshot of ``kb`` that runs jobs with the guard switched off."""

    def __init__(self, kb: KnowledgeBase) -> None:
        assert kb.store.path is not None
        self.snapshots = Snapshots(kb.store, kb.store.path.parent / "unguarded.snapshots")
        self.pool = WorkerPool(1)

    def __enter__(self) -> object:
        path = self.snapshots.acquire()

        def send(text: str) -> object:
            job = Job(text, str(path), None, True, (), (), 100, 100_000, 64, False, guard=False)
            reply = self.pool.run(job, 10.0)
            assert reply.sandboxed
            return reply

        return send

    def __exit__(self, *exc: object) -> None:
        self.pool.close()
        self.snapshots.close()


@pytest.fixture(scope="module")
def unguarded(kb: KnowledgeBase) -> Iterator[object]:
    """One unguarded pool for the whole fuzz run."""
    with run_unguarded(kb) as send:
        yield send


@settings(
    max_examples=int(os.environ.get("LHS_KG_FUZZ_WORKER_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_service_spelling_connects_from_a_worker(
    data: st.DataObject, unguarded: object, listener: Listener
) -> None:
    """The fuzzed SERVICE spellings, guard off, through real workers: zero connections."""
    text = data.draw(service_query(listener.endpoint))
    with contextlib.suppress(QueryError):
        unguarded(text)  # type: ignore[operator]
    assert listener.connections == 0, text


def test_the_sandbox_refuses_inet_sockets_and_keeps_unix_ones() -> None:
    code = (
        "import socket\n"
        "from lhs_kg.sandbox import deny_network\n"
        "deny_network()\n"
        "socket.socketpair()\n"
        "for family in (socket.AF_INET, socket.AF_INET6):\n"
        "    try:\n"
        "        socket.socket(family)\n"
        "    except PermissionError:\n"
        "        print('denied', family.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split("\n")[:2] == ["denied AF_INET", "denied AF_INET6"]
    with socket.socket() as unconfined:  # this process stays unconfined
        unconfined.bind(("127.0.0.1", 0))


def test_a_store_that_cannot_be_snapshotted_falls_back_to_the_guarded_in_process_path(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "store.snapshots").write_text("a file where the snapshot folder would go")
    with KnowledgeBase(Settings(store=str(tmp_path / "store"))) as small:
        small.load_bytes(b"<urn:a> <urn:b> <urn:c> .", "nt", graph="urn:g")
        fallback = QueryRunner(small)
        try:
            assert fallback.run("ASK { <urn:a> ?p ?o }").boolean
            assert not fallback.isolated and not fallback.worker_pids()
            with pytest.raises(QueryRejectedError, match="SERVICE"):
                fallback.run("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
        finally:
            fallback.close()
    assert "query workers disabled" in caplog.text


@pytest.fixture
def remote_runner(oxigraph_server: OxigraphServer) -> Iterator[QueryRunner]:
    """A runner over the test oxigraph server: the guard runs in a worker."""
    oxigraph_server.clear()
    store = RemoteStore(oxigraph_server.endpoints)
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    made = QueryRunner(KnowledgeBase(Settings(store="memory"), store=store))
    yield made
    made.close()
    store.close()
    oxigraph_server.clear()


def test_a_remote_store_checks_queries_in_a_worker(remote_runner: QueryRunner) -> None:
    """A long query the web process could not parse passes the worker's guard; SERVICE not."""
    long = "SELECT * WHERE { " + " . ".join(f"<urn:a> <urn:p{n}> ?o{n}" for n in range(150)) + " }"
    with (
        ThreadPoolExecutor(1) as server_thread,
        pytest.raises(QueryRejectedError, match="too long"),
    ):
        server_thread.submit(check_query, long, **LIMITS).result()  # as a web server's thread
    assert remote_runner.run(long).rows == []
    assert remote_runner.run("ASK { <urn:a> ?p ?o }").boolean
    assert remote_runner.worker_pids()
    with pytest.raises(QueryRejectedError, match="SPARQL syntax error"):
        remote_runner.run("SELECT * WHERE { SERVICESILENT<http://127.0.0.1:1/> { ?s ?p ?o } }")


OWNER_SCRIPT = """
import os, sys, threading, time
from lhs_kg.config import Settings
from lhs_kg.kb import KnowledgeBase
from lhs_kg.protocol import QueryRunner

if __name__ == "__main__":
    kb = KnowledgeBase(Settings(store=sys.argv[1]).with_overrides(query_timeout_s=60))
    data = b"\\n".join(b"<urn:s%d> <urn:p> <urn:o> ." % n for n in range(300))
    kb.load_bytes(data, "nt", graph="urn:g")
    runner = QueryRunner(kb)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    threading.Thread(target=runner.run, args=(runaway,), daemon=True).start()
    deadline = time.monotonic() + 60  # a loaded machine starts a worker in seconds, not ms
    while not runner.worker_pids(busy=True) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    print(" ".join(map(str, runner.worker_pids())), flush=True)
    os._exit(0)  # the server dies without any clean-up while its worker is busy
"""


def test_workers_end_when_the_server_dies_during_a_runaway(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(OWNER_SCRIPT)
    owner = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "store")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert owner.stdout is not None
    pids = [int(pid) for pid in owner.stdout.readline().split()]
    owner.stdout.close()
    assert pids  # the owner is now dead but not reaped: a zombie, as under a slow supervisor
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(cpu_seconds(pid) for pid in pids):
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists() and cpu_seconds(pid)]
    owner.wait(timeout=30)


def test_a_worker_that_dies_mid_query_is_a_clear_error_and_is_replaced(
    runner: QueryRunner,
) -> None:
    """A crash (here: SIGKILL from outside, as a stack overflow would end it) is a 400."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            runner.run(RUNAWAY, timeout_s=30)
        except QueryError as err:
            outcome.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.worker_pids(busy=True) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    (busy,) = runner.worker_pids(busy=True)
    os.kill(busy, signal.SIGKILL)
    thread.join(timeout=30)
    assert outcome and isinstance(outcome[0], QueryRejectedError), outcome
    assert "crashed" in str(outcome[0])
    assert runner.run("ASK { ?s ?p ?o }").boolean
