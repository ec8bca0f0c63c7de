"""Answering SPARQL Protocol requests safely: time limit, result-size limit, service description.

Two ways to run a public query (#12):

- **On-disk embedded store** (what ``lhs-kg serve`` uses): in a worker process over a snapshot
  of the store (:mod:`lhs_kg.query_workers`). At the deadline the worker is killed, so the
  evaluation really stops and its slot is free again; the worker has no network (seccomp,
  :mod:`lhs_kg.sandbox`), so SERVICE cannot reach anything even past the guard; and the costly
  parse-based guard runs there, not in the web process.
- **Remote store**: the parse-based guard runs in a worker process too (deep or long queries
  cost a worker, not the web process); the request to the server is sent from this process
  with the query's time limit, which the server is asked to enforce (:mod:`lhs_kg.store.remote`).
- **In-memory store** (tests): guard and evaluation in this process, on a pool of
  ``max_running`` threads; the caller waits only until the deadline. An abandoned computation
  is not killed (pyoxigraph cannot cancel) and keeps its slot until it ends. At most
  ``max_running`` queries run at once; beyond that a new query gets 503 at once.

Thread workers get a large stack (256 MiB of address space, touched only as needed) as a second
line of defence behind the nesting-depth guard of :func:`lhs_kg.sparql_text.check_query`.
"""

from __future__ import annotations

import atexit
import io
import logging
import queue
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyoxigraph as ox

from lhs_kg.errors import LhsKgError, QueryError, QueryRejectedError, QueryTimeoutError
from lhs_kg.formats import Format, ox_rdf, ox_results, result_format
from lhs_kg.graphs import update_graph
from lhs_kg.kb import KnowledgeBase
from lhs_kg.layout import reads_by_name
from lhs_kg.query_workers import Job, ResultTooLargeError, ServerBusyError, Snapshots, WorkerPool
from lhs_kg.sparql_text import check_query, inject_values
from lhs_kg.store.base import Bindings, GraphInfo, QueryResult, Term
from lhs_kg.store.embedded import EmbeddedStore
from lhs_kg.store.remote import RemoteStore

__all__ = ["Answer", "Dataset", "QueryRunner", "ResultTooLargeError", "ServerBusyError"]

WORKER_STACK_BYTES = 256 * 1024 * 1024
_STACK_LOCK = threading.Lock()
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a request (``default-graph-uri``, ``named-graph-uri``).

    Empty means "not given": the default graph is then the union of every named graph.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        """True when the request named its own dataset."""
        return bool(self.default_graphs or self.named_graphs)


@dataclass
class Answer:
    """A finished query: the solutions, boolean or triples, and the body in the chosen format."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool = False
    triples: list[ox.Triple] = field(default_factory=list)
    body: bytes = b""
    seconds: float = 0.0


class QueryRunner:
    """Runs queries against a knowledge base under a deadline, a row limit and a slot limit."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        max_running: int = 8,
        scope: Callable[[], list[str] | None] | None = None,
        names: Callable[[], list[str] | None] | None = None,
    ) -> None:
        self.kb = kb
        self.settings = kb.settings
        self.max_running = max_running
        self.scope = scope
        """Graphs a query may read (None: all); public endpoints pass the published view (#7)."""
        self.names = names or scope
        """Graphs a query may read by name (``GRAPH``, ``default-graph-uri``): the published
        sources behind the one published graph (#16); asked for only when a query needs them."""
        self._slots = threading.BoundedSemaphore(max_running)
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._started = False
        store = kb.store
        self.isolated = isinstance(store, EmbeddedStore) and store.path is not None
        """True: queries run in killable, sandboxed worker processes over a snapshot (#12)."""
        self.guard_in_worker = isinstance(store, RemoteStore)
        """True: the parse-based guard runs in a worker process, the server evaluates (#12)."""
        self._pool: WorkerPool | None = None
        self._snapshots: Snapshots | None = None
        self._pool_lock = threading.Lock()
        _RUNNERS.add(self)

    def check(self, text: str) -> str:
        """Apply the length, depth and SERVICE guards; return the query form.

        With worker processes, only the cheap checks run here: the parse-based guard runs in
        the worker, where a costly or deep parse can be stopped and cannot hurt the server.
        """
        return check_query(
            text,
            max_chars=self.settings.max_query_chars,
            max_depth=self.settings.max_query_depth,
            allow_service=self.settings.allow_service,
            parse=not (self.isolated or self.guard_in_worker),
        )

    def run(
        self,
        text: str,
        *,
        fmt: Format | None = None,
        dataset: Dataset | None = None,
        bindings: Bindings | None = None,
        timeout_s: float | None = None,
    ) -> Answer:
        """Run a query and serialise its answer in ``fmt`` (or keep it as rows when None)."""
        form = self.check(text)
        if form == "update":
            raise QueryRejectedError("this is a SPARQL update, not a query")
        limit = timeout_s or self.settings.query_timeout_s
        deadline = time.monotonic() + limit
        if self.isolated:
            try:
                return self._run_in_worker(text, fmt, dataset or Dataset(), bindings, deadline)
            except SnapshotError as err:  # e.g. a read-only folder: guard-only, in process
                log.warning("query workers disabled: %s", err)
                self.isolated = False
                self.check(text)  # the parse-based guard, which the worker would have run
        if self.guard_in_worker:
            self._check_in_worker(text, deadline)
        return self.call(
            lambda: self._execute(text, fmt, dataset or Dataset(), bindings, deadline), deadline
        )

    def _check_in_worker(self, text: str, deadline: float) -> None:
        """The parse-based guard in a worker: a high recursion limit, killable, off the GIL."""
        settings = self.settings
        job = Job(
            text=text,
            snapshot="",
            fmt=None,
            use_union=False,
            default_graphs=(),
            named_graphs=(),
            max_rows=0,
            max_chars=settings.max_query_chars,
            max_depth=settings.max_query_depth,
            allow_service=settings.allow_service,
            check_only=True,
        )
        self._worker_pool().run(job, max(0.001, deadline - time.monotonic()))

    def call(self, work: Callable[[], T], deadline: float) -> T:
        """Run ``work`` on a worker thread; give up waiting for it at ``deadline``."""
        if not self._slots.acquire(timeout=0.05):
            raise ServerBusyError(
                f"all {self.max_running} query slots are busy (long-running queries are still "
                "finishing); try again in a few seconds"
            )
        box: dict[str, Any] = {}
        done = threading.Event()

        def job() -> None:
            try:
                box["value"] = work()
            except BaseException as err:  # handed to the waiting thread, re-raised there
                # pyoxigraph's result iterators must be dropped on the thread that made them:
                # clear the frames the traceback keeps alive before the error changes thread.
                traceback.clear_frames(err.__traceback__)
                box["error"] = err.with_traceback(None)
            finally:
                self._slots.release()
                done.set()

        self._start_workers()
        self._jobs.put(job)
        if not done.wait(max(0.0, deadline - time.monotonic())):
            raise QueryTimeoutError(
                f"the query did not finish within {self.settings.query_timeout_s:g} s and was "
                "abandoned; narrow it down (add a LIMIT or more specific patterns)"
            )
        if "error" in box:
            raise box["error"]
        return box["value"]  # type: ignore[no-any-return]

    def _snapshot_keeper(self) -> Snapshots:
        """The store's snapshots for the workers, made on the first query."""
        with self._pool_lock:
            if self._snapshots is None:
                store = self.kb.store
                assert isinstance(store, EmbeddedStore) and store.path is not None
                base = store.path.parent / f"{store.path.name}.snapshots"
                self._snapshots = Snapshots(store, base)
            return self._snapshots

    def _worker_pool(self) -> WorkerPool:
        """The worker processes, started on the first query."""
        with self._pool_lock:
            if self._pool is None:
                # operators who allow SERVICE get workers that may use the network
                self._pool = WorkerPool(self.max_running, sandbox=not self.settings.allow_service)
            return self._pool

    def _run_in_worker(
        self,
        text: str,
        fmt: Format | None,
        dataset: Dataset,
        bindings: Bindings | None,
        deadline: float,
    ) -> Answer:
        """Evaluate in a worker process over the current snapshot (see lhs_kg.query_workers)."""
        started = time.monotonic()
        union, default_graphs, named_graphs = self._dataset(dataset, text)
        if bindings:
            text = inject_values(text, bindings)
        snapshots = self._snapshot_keeper()
        try:
            path = snapshots.acquire()
        except OSError as err:
            raise SnapshotError(
                f"cannot snapshot the store into {snapshots.folder}: {err}"
            ) from None
        pool = self._worker_pool()
        job = Job(
            text=text,
            snapshot=str(path),
            fmt=fmt,
            use_union=union,
            default_graphs=tuple(default_graphs or ()),
            named_graphs=tuple(named_graphs or ()),
            max_rows=self.settings.max_result_rows,
            max_chars=self.settings.max_query_chars + 10_000,  # room for the bound VALUES
            max_depth=self.settings.max_query_depth,
            allow_service=self.settings.allow_service,
        )
        try:
            reply = pool.run(job, max(0.001, deadline - time.monotonic()))
        finally:
            snapshots.release(path)
        answer = Answer(reply.kind, variables=reply.variables, boolean=reply.boolean)
        if fmt is not None:
            answer.body = reply.body
        elif reply.kind == "select":
            solutions = ox.parse_query_results(reply.body, ox.QueryResultsFormat.TSV)
            answer.rows = [
                {name: term for name in answer.variables if (term := row[name]) is not None}
                for row in solutions  # type: ignore[union-attr]
            ]
        elif reply.kind == "graph":
            answer.triples = [q.triple for q in ox.parse(reply.body, ox.RdfFormat.N_TRIPLES)]
        answer.seconds = time.monotonic() - started
        return answer

    def close(self) -> None:
        """Stop the worker processes and remove the snapshots (the store stays open)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
            if self._snapshots is not None:
                self._snapshots.close()
            self._pool = self._snapshots = None

    def worker_pids(self, *, busy: bool = False) -> list[int]:
        """Process ids of the query workers (empty when queries run in this process)."""
        return self._pool.pids(busy=busy) if self._pool is not None else []

    def visible_names(self) -> list[str] | None:
        """The graphs a client may name (None: all of them)."""
        return self.names() if self.names is not None else None

    def _dataset(
        self, dataset: Dataset, text: str = ""
    ) -> tuple[bool, list[str] | None, list[str] | None]:
        """The dataset to query: as requested, narrowed to the scope's graphs when there is one.

        The default graph is the scope (one graph on a store with the #16 layout); the graphs
        a query may name are listed only when it names graphs, or the request does.
        """
        default = list(dataset.default_graphs) or None
        named = list(dataset.named_graphs) or None
        visible = self.scope() if self.scope is not None else None
        if visible is None:
            return not dataset.given, default, named
        empty = ["urn:lhs-kg:no-graph"]
        if not dataset.given:
            names = self.visible_names() if reads_by_name(text) else visible
            return False, visible or empty, names or empty
        allowed = set(visible) | set(self.visible_names() or [])
        default = [g for g in default or [] if g in allowed]
        named = [g for g in named or [] if g in allowed]
        return False, default or empty, named or empty

    def _start_workers(self) -> None:
        """Start the worker threads once (one per slot, so a job with a slot never queues)."""
        if self._started:
            return
        with _STACK_LOCK:
            if self._started:
                return
            previous = threading.stack_size(WORKER_STACK_BYTES)
            try:
                for number in range(self.max_running):
                    threading.Thread(
                        target=self._work, name=f"lhs-kg-query-{number}", daemon=True
                    ).start()
            finally:
                threading.stack_size(previous)
            self._started = True

    def _work(self) -> None:
        while True:
            self._jobs.get()()

    def _execute(
        self,
        text: str,
        fmt: Format | None,
        dataset: Dataset,
        bindings: Bindings | None,
        deadline: float,
    ) -> Answer:
        started = time.monotonic()
        try:
            union, default_graphs, named_graphs = self._dataset(dataset, text)
            result = self.kb.store.query(
                text,
                bindings=bindings,
                union=union,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                timeout_s=max(0.001, deadline - time.monotonic()),
            )
        except RecursionError:
            raise QueryRejectedError("the query is nested too deeply to evaluate") from None
        limit = self.settings.max_result_rows
        answer = Answer(result.kind)
        if result.kind == "ask":
            answer.boolean = result.boolean
            if fmt is not None:
                answer.body = result.serialize(fmt) or b""
        elif result.kind == "select":
            answer.variables = result.variables
            if fmt is None:
                answer.rows = [
                    {
                        name: term
                        for name in answer.variables
                        if (term := solution[name]) is not None
                    }
                    for solution in limited(result, limit, "rows")
                ]
            else:
                answer.body = solutions_body(result, fmt, limit, deadline)
        else:
            answer.triples = limited(result, limit, "triples")
            if fmt is not None:
                answer.body = ox.serialize(answer.triples, None, ox_rdf(fmt)) or b""
        answer.seconds = time.monotonic() - started
        return answer


class SnapshotError(LhsKgError):
    """The store cannot be snapshotted for the query workers."""


_RUNNERS: weakref.WeakSet[QueryRunner] = weakref.WeakSet()


@atexit.register
def _close_runners() -> None:
    for runner in list(_RUNNERS):
        runner.close()


def limited(items: Any, limit: int, what: str) -> list[Any]:
    """Everything ``items`` yields (deadline-guarded by QueryResult), refusing past ``limit``."""
    out: list[Any] = []
    for item in items:
        if len(out) >= limit:
            raise ResultTooLargeError(
                f"the answer has more than {limit:,} {what}, the limit of this server; "
                "add a LIMIT or narrow the query down"
            )
        out.append(item)
    return out


class _RowBudget:
    """A write target for pyoxigraph's TSV writer that counts rows and watches the deadline.

    pyoxigraph writes in chunks of a few kilobytes; each chunk's line count is added up and the
    writer is stopped (the exception propagates out of ``serialize``) as soon as the answer passes
    the row limit or the deadline, so limits hold without handling rows one by one in Python.
    """

    def __init__(self, limit: int, deadline: float) -> None:
        self.buffer = io.BytesIO()
        self.limit = limit
        self.deadline = deadline
        self.lines = 0

    def write(self, chunk: bytes) -> int:
        self.lines += chunk.count(b"\n")
        if self.lines - 1 > self.limit:  # the first line is the header
            raise ResultTooLargeError(
                f"the answer has more than {self.limit:,} rows, the limit of this server; "
                "add a LIMIT or narrow the query down"
            )
        if time.monotonic() > self.deadline:
            raise QueryTimeoutError(
                "the query ran past its time limit while its answer was written"
            )
        return self.buffer.write(chunk)

    def flush(self) -> None:
        """Nothing to flush: the buffer is read once the writer is done."""


def solutions_body(result: QueryResult, fmt: Format, limit: int, deadline: float) -> bytes:
    """SELECT solutions in a results format, written by pyoxigraph's own writers.

    They are written as TSV first (every term in its N-Triples form, which pyoxigraph writes and
    reads exactly, and one line per row, so rows can be counted), then converted natively.
    """
    budget = _RowBudget(limit, deadline)
    result.serialize(result_format("tsv"), budget)  # type: ignore[arg-type]
    tsv = budget.buffer.getvalue()
    if fmt.name == "tsv":
        return tsv
    parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    out = io.BytesIO()
    parsed.serialize(out, ox_results(fmt))
    return out.getvalue()


def run_update(kb: KnowledgeBase, text: str) -> None:
    """Run a SPARQL update after the length and depth guards (callers check authorisation)."""
    if len(text) > kb.settings.max_query_chars:
        raise QueryRejectedError(
            f"the update is {len(text):,} characters long; the limit is "
            f"{kb.settings.max_query_chars:,}"
        )
    check_query(
        text,
        max_chars=kb.settings.max_query_chars,
        max_depth=kb.settings.max_query_depth,
        allow_service=kb.settings.allow_service,
    )
    try:
        # visible at once (#12), in the published graph too (#16)
        kb.layout.update(text, default_graph=update_graph(kb.settings))
    except LhsKgError:
        raise
    except Exception as err:  # pyoxigraph raises plain errors for evaluation failures
        raise QueryError(f"the update failed: {err}") from None


_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
_DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
_VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def service_description(
    endpoint: str,
    kb: KnowledgeBase,
    *,
    update_enabled: bool = False,
    visible: list[str] | None = None,
    graphs: list[GraphInfo] | None = None,
    uncounted: list[str] | None = None,
) -> list[ox.Triple]:
    """A SPARQL 1.1 Service Description of the endpoint at ``endpoint`` (sd: vocabulary).

    It states that the default graph is the union of every named graph the endpoint shows
    (``visible``, e.g. the published view; None: all) when a request names no dataset, and the
    limits (time, rows, SERVICE, updates) a client will meet. Hidden graphs are not listed.
    ``graphs``: the store's graphs with their counts when the caller keeps them (per store
    generation), so a request need not count every triple; ``uncounted``: instead, only the
    graphs' names, while their counts are being made (listed without counts, and a note says
    so: no request waits for a count of every triple, #16).
    """
    settings = kb.settings

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + name)

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=_XSD_INTEGER)

    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    shown = set(visible) if visible is not None else None
    if uncounted is not None:
        infos = [GraphInfo(name, -1) for name in uncounted]
    else:
        infos = graphs if graphs is not None else kb.graphs()
    graphs = [g for g in infos if shown is None or g.iri in shown]
    counted = uncounted is None
    notes = [
        "The default graph of a request that gives no default-graph-uri or named-graph-uri is "
        "the union of all named graphs listed here, the published view (sd:UnionDefaultGraph); "
        "each of them is also available by name.",
        f"Queries stop after {settings.query_timeout_s:g} seconds (HTTP 503) and answers are "
        f"limited to {settings.max_result_rows:,} rows or triples (HTTP 400).",
        f"Queries longer than {settings.max_query_chars:,} characters or nested deeper than "
        f"{settings.max_query_depth} levels are refused (HTTP 400).",
        "SERVICE (federated) queries are "
        + ("allowed." if settings.allow_service else "refused (HTTP 400)."),
        "Updates are "
        + (
            "accepted with the configured bearer token."
            if update_enabled
            else "refused (HTTP 403): the endpoint is read-only."
        ),
    ]
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, _DCT_TITLE, ox.Literal("lhs-kg SPARQL endpoint", language="en")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
        ox.Triple(
            default, _RDFS_COMMENT, ox.Literal("The union of all named graphs.", language="en")
        ),
    ]
    if counted:
        triples.append(ox.Triple(default, _VOID_TRIPLES, count(sum(g.triples for g in graphs))))
    else:
        notes.append(
            "The graphs' triple counts are being counted for this version of the data and are "
            "left out until they are ready; ask again in a little while."
        )
    triples += [ox.Triple(service, _RDFS_COMMENT, ox.Literal(n, language="en")) for n in notes]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS + name))
        for name in RESULT_FORMAT_IRIS
    ]
    if update_enabled:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if settings.allow_service:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for info in graphs:
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(info.iri)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, _RDF_TYPE, sd("Graph")),
        ]
        if counted:
            triples.append(ox.Triple(graph, _VOID_TRIPLES, count(info.triples)))
    return triples
