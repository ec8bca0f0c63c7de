"""Public queries in killable, network-less worker processes over a snapshot of the store (#12).

Why processes: pyoxigraph 0.5 cannot cancel a query and evaluates ``SERVICE`` over HTTP
itself. A thread that gave up waiting left the evaluation running (8 runaway ``COUNT`` queries
kept every slot busy for minutes) and only the text guard stood between a query and the
network. A worker process can be killed (SIGKILL at the deadline: its CPU stops at once and a
fresh worker takes the slot) and sandboxed (:mod:`lhs_kg.sandbox`: no socket but Unix ones).

Why snapshots: a worker must not open the live store (the web process holds its lock, and
``Store.read_only`` beside a writer is undefined behaviour per pyoxigraph). So
:class:`Snapshots` makes a RocksDB checkpoint (``Store.backup``: hard links, cheap) once per
store generation, when a query arrives after a write; workers open it read-only. A snapshot
is removed once it is no longer current and no query uses it. Snapshots live beside the store
(``<store>.snapshots/``) so the hard links stay on one file system.

Each worker parses the query with the full guard (:func:`lhs_kg.sparql_text.check_query`
with the parse, under a high recursion limit on a large stack: a deep query costs the worker,
not the web process), evaluates it with the dataset arguments of the request, writes the
answer in the requested format within the row limit and sends back bytes.

Workers are started with ``forkserver`` (never a fork of the threaded web process), preloaded
with this module, so a replacement starts in milliseconds. The in-memory store cannot be
snapshotted; it keeps the in-process path of :class:`lhs_kg.protocol.QueryRunner`.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import math
import multiprocessing
import os
import shutil
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from lhs_kg.errors import QueryError, QueryRejectedError, QueryTimeoutError
from lhs_kg.formats import Format

log = logging.getLogger(__name__)
WORKER_STACK_BYTES = 512 * 1024 * 1024
WORKER_RECURSION_LIMIT = 100_000
_CONTEXT_LOCK = threading.Lock()
_SANDBOX_WARNED = False
_START_TIMEOUT_S = 60.0
CHECK_TIMEOUT_S = 30.0
"""How long a worker may take to run the parse-based guard before the query's own time limit
starts. The operator bound keeps the slowest parse near 1.5 s on an idle core; under load it
took 4 s, which ate a 5 s limit meant for the evaluation (a 1,900-term sum answered 503)."""


def _context() -> Any:
    """The forkserver context, preloaded with this module (spawn where forkserver is missing)."""
    with _CONTEXT_LOCK:
        try:
            ctx = multiprocessing.get_context("forkserver")
        except ValueError:  # pragma: no cover - platforms without fork
            return multiprocessing.get_context("spawn")
        # everything a worker imports, so that a fresh worker is ready in milliseconds; and the
        # CLI: each worker runs the main script (``lhs-kg``) again, as CPython 3.11's forkserver
        # never preloads ``__main__``. Unloaded, that import took 3.5 s per worker under load.
        ctx.set_forkserver_preload(
            ["lhs_kg.query_workers", "lhs_kg.protocol", "lhs_kg.sparql_text", "lhs_kg.cli"]
        )
        return ctx


class ServerBusyError(QueryTimeoutError):
    """Every query slot is taken; try again shortly."""


class ResultTooLargeError(QueryRejectedError):
    """A query whose answer has more rows or triples than the configured limit."""


_ERRORS: dict[str, type[QueryError]] = {
    "QueryRejectedError": QueryRejectedError,
    "ResultTooLargeError": ResultTooLargeError,
    "QueryTimeoutError": QueryTimeoutError,
    "QueryError": QueryError,
}


@dataclass(frozen=True)
class Job:
    """One query for a worker: text, dataset, output format and limits (all picklable)."""

    text: str
    snapshot: str
    fmt: Format | None
    use_union: bool
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    max_rows: int
    max_chars: int
    max_depth: int
    allow_service: bool
    guard: bool = True
    """False only in tests that prove the sandbox holds when the guard is bypassed."""
    check_only: bool = False
    """Only run the guard and answer the query's form (remote stores: the server evaluates)."""


@dataclass
class Reply:
    """A worker's answer: kind, variables, boolean and the serialised body."""

    kind: str
    variables: list[str] = field(default_factory=list)
    boolean: bool = False
    body: bytes = b""
    sandboxed: bool = True


# -- snapshots --------------------------------------------------------------------------------


class Snapshots:
    """Checkpoints of an on-disk pyoxigraph store, one per generation, removed when unused.

    Each instance keeps its own subfolder ``<base>/<pid>-<n>`` of ``base``; subfolders left by
    processes that are gone (a server that was killed) are removed on start.
    """

    _instances = itertools.count()

    def __init__(self, store: Any, base: Path) -> None:
        self._store = store  # lhs_kg.store.embedded.EmbeddedStore
        self.folder = base / f"{os.getpid()}-{next(self._instances)}"
        self._lock = threading.Lock()
        self._current: tuple[int, Path] | None = None
        self._users: dict[Path, int] = {}
        self._names = itertools.count()
        _remove_leftovers(base)

    def acquire(self) -> Path:
        """The snapshot of the store as it is now (made if a write happened since the last)."""
        with self._lock:
            generation = self._store.generation
            if self._current is None or self._current[0] != generation:
                path = self.folder / f"g{generation}-{os.getpid()}-{next(self._names)}"
                self.folder.mkdir(parents=True, exist_ok=True)
                self._store.raw.backup(str(path))
                previous = self._current
                self._current = (generation, path)
                if previous is not None and not self._users.get(previous[1]):
                    self._remove(previous[1])
            path = self._current[1]
            self._users[path] = self._users.get(path, 0) + 1
            return path

    def release(self, path: Path) -> None:
        """A query is done with ``path``; remove it when it is stale and nobody else uses it."""
        with self._lock:
            self._users[path] -= 1
            if not self._users[path] and (self._current is None or self._current[1] != path):
                self._remove(path)

    def _remove(self, path: Path) -> None:
        self._users.pop(path, None)
        shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        """Remove every snapshot of this instance (workers are stopped first)."""
        with self._lock:
            self._current = None
            self._users.clear()
            shutil.rmtree(self.folder, ignore_errors=True)


def _remove_leftovers(base: Path) -> None:
    """Remove the snapshot folders of processes that no longer run."""
    if not base.is_dir():
        return
    for folder in base.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    """True when process ``pid`` exists and is not a zombie (dead, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


# -- the pool ---------------------------------------------------------------------------------


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any, sandbox: bool) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=worker_main,
            args=(child, sandbox, os.getpid()),
            name="lhs-kg-query-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.sandboxed = False
        if not self.conn.poll(_START_TIMEOUT_S):
            self.kill()
            raise ServerBusyError("a query worker did not start; try again in a few seconds")
        _, self.sandboxed = self.conn.recv()

    def kill(self) -> None:
        """SIGKILL: the evaluation stops at once, whatever it was doing."""
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit, kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        with contextlib.suppress(OSError):
            self.conn.close()


class WorkerPool:
    """At most ``size`` worker processes; a query waits for none: no free slot is a 503.

    ``sandbox=False`` (only when operators allow SERVICE) leaves the workers their network.
    """

    def __init__(self, size: int, *, sandbox: bool = True) -> None:
        self.size = size
        self.sandbox = sandbox
        self._ctx = _context()
        self._idle: list[_Worker] = []
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._closed = False
        self._busy: set[_Worker] = set()
        _POOLS.add(self)
        self._start_spare()

    def _start_spare(self) -> None:
        """Start a worker in the background, so the next query need not wait for one."""
        threading.Thread(target=self._prestart, name="lhs-kg-worker-start", daemon=True).start()

    def _prestart(self) -> None:
        """Start one worker ahead of the first query (the forkserver's start takes a second)."""
        if not self._spares_wanted():
            return
        try:
            worker = _Worker(self._ctx, self.sandbox)
        except (QueryError, OSError):  # the next query will try again and report it
            return
        self._give_back(worker)

    def run(self, job: Job, timeout_s: float, check_timeout_s: float = CHECK_TIMEOUT_S) -> Reply:
        """Run ``job`` on a worker; after ``timeout_s`` kill it and raise QueryTimeoutError.

        The time counts from when a worker is ready and has checked the query (starting one
        and the guard's parse are not the query's fault); the check has ``check_timeout_s``.
        """
        if not self._slots.acquire(timeout=0.05):
            raise ServerBusyError(
                f"all {self.size} query slots are busy; try again in a few seconds"
            )
        worker: _Worker | None = None
        try:
            worker = self._take()
            checks = job.guard and not job.check_only  # the worker says "checked" first
            try:
                worker.conn.send(job)
                reply = _receive(worker, check_timeout_s if checks else timeout_s)
                if reply is not None and reply[0] == "checked":
                    reply = _receive(worker, timeout_s)
            except (EOFError, OSError):
                self._forget(worker)
                worker = None
                raise QueryRejectedError(
                    "the query engine crashed on this query (too deep or too complex) and was "
                    "restarted; simplify the query"
                ) from None
            if reply is None:
                self._forget(worker)
                worker = None
                self._start_spare()
                raise QueryTimeoutError(
                    "the query did not finish within its time limit and was stopped; "
                    "narrow it down (add a LIMIT or more specific patterns)"
                )
            kind, payload = reply
            if kind == "error":
                name, message = payload
                raise _ERRORS.get(name, QueryError)(message)
            _warn_unsandboxed(payload, self.sandbox)
            return payload  # type: ignore[no-any-return]
        finally:
            if worker is not None:
                self._give_back(worker)
            self._slots.release()

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise QueryError("the query workers are shut down")
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    self._busy.add(worker)
                    return worker
                worker.kill()
        worker = _Worker(self._ctx, self.sandbox)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _forget(self, worker: _Worker) -> None:
        """Kill a worker (stuck past its deadline, or crashed) and free its place."""
        worker.kill()
        with self._lock:
            self._busy.discard(worker)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            surplus = len(self._idle) + len(self._busy) >= self.size
            if not (self._closed or surplus):
                self._idle.append(worker)
                return
        worker.stop()  # outside the lock: it may wait up to 2 s for the process to exit

    def pids(self, *, busy: bool = False) -> list[int]:
        """Process ids of the workers (``busy``: only those running a query now)."""
        with self._lock:
            workers = self._busy if busy else (*self._idle, *self._busy)
            return [w.process.pid for w in workers if w.process.pid]

    def close(self) -> None:
        """Stop every worker (idle ones now, busy ones when their query ends or is killed)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def _spares_wanted(self) -> bool:
        with self._lock:
            return not self._closed and len(self._idle) + len(self._busy) < self.size


def _receive(worker: _Worker, timeout_s: float) -> Any:
    """The worker's next message, or None when it sends none within ``timeout_s``."""
    return worker.conn.recv() if worker.conn.poll(max(0.0, timeout_s)) else None


_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for pool in list(_POOLS):
        pool.close()


def _warn_unsandboxed(reply: Reply, wanted: bool) -> None:
    global _SANDBOX_WARNED
    if wanted and not reply.sandboxed and not _SANDBOX_WARNED:
        _SANDBOX_WARNED = True
        log.warning(
            "query workers run without the network sandbox (seccomp unavailable here); "
            "the SERVICE guard alone keeps queries off the network"
        )


# -- inside a worker --------------------------------------------------------------------------


def worker_main(conn: Connection, sandbox: bool = True, owner: int | None = None) -> None:
    """A worker's life: sandbox first, then answer jobs until told to stop.

    The main thread watches the process that owns the pool (``owner``): when it is gone (a
    server stopped while this worker was busy with a runaway query), the worker exits at once.
    Its real parent, the forkserver, stays alive while any worker lives, so the kernel's
    parent-death signal alone does not cover that case.
    """
    from lhs_kg.sandbox import SandboxUnavailableError, deny_network, die_with_parent

    die_with_parent()  # the forkserver, which ends when the server ends
    sandboxed = False
    if sandbox:
        try:
            deny_network()
            sandboxed = True
        except SandboxUnavailableError:
            pass
    from lhs_kg.sparql_guard import parse

    parse("ASK {}")  # warm the parser up before the first query counts its time
    sys.setrecursionlimit(WORKER_RECURSION_LIMIT)
    threading.stack_size(WORKER_STACK_BYTES)
    conn.send(("ready", sandboxed))
    thread = threading.Thread(target=_serve, args=(conn, sandboxed), name="query")
    thread.start()
    while thread.is_alive():
        thread.join(timeout=0.5)
        if owner is not None and not _running(owner):
            os._exit(0)


def _serve(conn: Connection, sandboxed: bool) -> None:
    opened: dict[str, Any] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = evaluate(job, opened, checked=lambda: conn.send(("checked", None)))
            reply.sandboxed = sandboxed
            conn.send(("ok", reply))
        except QueryError as err:
            conn.send(("error", (type(err).__name__, str(err))))
        except RecursionError:
            conn.send(("error", ("QueryRejectedError", "the query is nested too deeply")))
        except Exception as err:  # pyoxigraph's evaluation errors are plain Python errors
            conn.send(("error", ("QueryError", f"the query failed: {err}")))


def evaluate(job: Job, opened: dict[str, Any], checked: Callable[[], None] | None = None) -> Reply:
    """Check, run and serialise one job on the snapshot (kept open between jobs).

    ``checked`` is called once the guard has passed, before the evaluation starts.
    """
    import pyoxigraph as ox

    from lhs_kg.formats import ox_rdf, rdf_format, result_format
    from lhs_kg.protocol import limited, solutions_body
    from lhs_kg.sparql_text import check_query
    from lhs_kg.store.base import QueryResult

    if job.guard:
        form = check_query(
            job.text,
            max_chars=job.max_chars,
            max_depth=job.max_depth,
            allow_service=job.allow_service,
        )
        if form == "update":
            raise QueryRejectedError("this is a SPARQL update, not a query")
        if job.check_only:
            return Reply(form)
        if checked is not None:
            checked()
    store = opened.get(job.snapshot)
    if store is None:
        opened.clear()
        store = opened[job.snapshot] = ox.Store.read_only(job.snapshot)
    kwargs: dict[str, Any] = {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.use_union:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        payload = store.query(job.text, **kwargs)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from None
    if isinstance(payload, ox.QueryBoolean):
        body = QueryResult("ask", payload).serialize(job.fmt or result_format("json")) or b""
        return Reply("ask", boolean=bool(payload), body=body)
    if isinstance(payload, ox.QuerySolutions):
        variables = [v.value for v in payload.variables]
        fmt = job.fmt or result_format("tsv")
        body = solutions_body(QueryResult("select", payload), fmt, job.max_rows, math.inf)
        return Reply("select", variables=variables, body=body)
    triples = limited(payload, job.max_rows, "triples")
    body = ox.serialize(triples, None, ox_rdf(job.fmt or rdf_format("nt"))) or b""
    return Reply("graph", body=body)
