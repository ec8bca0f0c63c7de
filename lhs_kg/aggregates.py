"""Dashboard answers that do not scan the knowledge base on every request (#16).

The NASSS heat map, the complexity profiles, loop coverage, element co-occurrence and the
case-study list behind them are aggregates over every case study: at 1M triples each takes
seconds. Their answers change only when the data does, so they are kept per store generation:
in memory, and, on a store server shared by several worker processes, in one file per
generation and query under the instance folder, so the first process that computes an answer
spares the others (a file lock lets one compute while the others wait for its file). After a
write the web app warms them on a background thread (:meth:`Aggregates.warm`), so the first
visitor of the new generation finds them ready.

An answer is the SELECT's SPARQL JSON results, exactly as the full query gives them: the
cache changes when they are computed, never what they say.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.formats import Format, ox_results, result_format
from lhs_kg.store.base import Term

if TYPE_CHECKING:
    from lhs_kg.kb import KnowledgeBase

Run = Callable[[str, Mapping[str, ox.NamedNode | ox.Literal] | None], bytes]
"""Runs a query (text, bindings) over the published view; its answer as SPARQL JSON results."""

log = logging.getLogger(__name__)

#: The named queries of ``queries/`` whose answers the dashboards show (kept per generation).
DASHBOARD_QUERIES = (
    "nasss-heatmap",
    "complexity-profiles",
    "loop-coverage",
    "element-co-occurrence",
)
#: Time an aggregate may take: it is computed once per generation for everyone (mostly on a
#: background thread after a write), so it may take longer than a visitor's own query.
AGGREGATE_TIMEOUT_S = 300.0
#: Generations whose files stay beside the newest (workers may still be a request behind).
_KEEP_GENERATIONS = 2
_JSON = result_format("json")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Answer:
    """One SELECT's answer: its variables and its SPARQL JSON results."""

    variables: list[str]
    body: bytes

    def rows(self) -> list[dict[str, Term]]:
        """The solutions as dicts of bound variables (unbound ones left out).

        Parsed once per answer and shared by every caller, who must not change them (at 1M
        triples the heat map's inputs took 3 s to parse on every page).
        """
        return self._rows

    @functools.cached_property
    def _rows(self) -> list[dict[str, Term]]:
        solutions = ox.parse_query_results(self.body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        return [{n: t for n in self.variables if (t := s[n]) is not None} for s in solutions]

    def serialize(self, fmt: Format) -> bytes:
        """The answer in another SPARQL results format (JSON is kept as it came)."""
        if fmt.name == _JSON.name:
            return self.body
        solutions = ox.parse_query_results(self.body, format=ox.QueryResultsFormat.JSON)
        out = solutions.serialize(None, ox_results(fmt))
        assert out is not None
        return out


def answer_from(body: bytes) -> Answer:
    """An :class:`Answer` from SPARQL JSON results (the variables are read from its head)."""
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if not isinstance(solutions, ox.QuerySolutions):
        raise ValueError("only SELECT answers are kept")
    return Answer([v.value for v in solutions.variables], body)


def key_of(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None) -> str:
    """A file-safe key for a query text with its bound values."""
    bound = sparql.bind(text, [dict(bindings)]) if bindings else text
    return hashlib.sha256(bound.encode("utf-8")).hexdigest()[:32]


class Aggregates:
    """Answers of costly SELECTs, per store generation, in memory and optionally in ``folder``.

    ``generation()`` reads the store's generation as this unit of work saw it; ``run`` computes
    an answer. ``folder`` (one per store, shared by the worker processes of one machine) is
    None for a store whose generation lives in one process (the embedded store).
    """

    def __init__(
        self, generation: Callable[[], int | None], run: Run, folder: Path | None = None
    ) -> None:
        self._generation = generation
        self._run = run
        self.folder = folder
        self._held: dict[str, Answer] = {}
        self._held_generation: int | None = None
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.computed = 0
        """How many answers this process computed (tests and benchmarks read it)."""
        self.asked = False
        """True once anyone asked for an answer: only then is warming after a write worth it."""

    def answer(
        self, text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None
    ) -> Answer:
        """The answer of ``text`` (with ``bindings``) for the store's current generation."""
        self.asked = True
        generation = self._generation()  # before the data: see lhs_kg.cache
        if generation is None:
            return answer_from(self._run(text, bindings))
        key = key_of(text, bindings)
        found = self._from_memory(generation, key)
        if found is not None:
            return found
        with self._key_lock(key):
            found = self._from_memory(generation, key)
            if found is None:
                found = self._shared(
                    generation, key, lambda: answer_from(self._run(text, bindings))
                )
                self._keep(generation, key, found)
            return found

    def rows(
        self, text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None
    ) -> list[dict[str, Term]]:
        """The answer's solutions as dicts (see :meth:`answer`)."""
        return self.answer(text, bindings).rows()

    def warm(
        self, queries: Iterable[tuple[str, Mapping[str, ox.NamedNode | ox.Literal] | None]]
    ) -> int:
        """Compute (or fetch) every answer for the current generation; how many there were."""
        count = 0
        self.asked = True
        for text, bindings in queries:
            self.answer(text, bindings)
            count += 1
        return count

    # -- the tiers -----------------------------------------------------------------------------

    def _from_memory(self, generation: int, key: str) -> Answer | None:
        with self._lock:
            if self._held_generation != generation:
                return None
            return self._held.get(key)

    def _keep(self, generation: int, key: str, answer: Answer) -> None:
        with self._lock:
            if self._held_generation != generation:
                self._held = {}
                self._held_generation = generation
            self._held[key] = answer

    @contextlib.contextmanager
    def _key_lock(self, key: str) -> Iterator[None]:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield

    def _shared(self, generation: int, key: str, compute: Callable[[], Answer]) -> Answer:
        """The answer from this generation's file, or computed once for every process.

        The files only spare work: when the folder cannot be used (removed by a newer
        generation's clean-up, a full disk), the answer is computed here all the same.
        """
        if self.folder is None:
            self.computed += 1
            return compute()
        folder = self.folder / f"g{generation}"
        path = folder / f"{key}.srj"
        found = _read(path)
        if found is not None:
            return found
        try:
            folder.mkdir(parents=True, exist_ok=True)
            held = (folder / f"{key}.lock").open("a")
        except OSError as err:
            log.warning("aggregates folder %s not usable: %s", folder, err)
            self.computed += 1
            return compute()
        with held:
            fcntl.flock(held, fcntl.LOCK_EX)  # another process may be computing it right now
            found = _read(path)
            if found is not None:
                return found
            self.computed += 1
            started = time.monotonic()
            answer = compute()
            log.info(
                "aggregate %s of generation %s computed in %.1f s",
                key[:8],
                generation,
                time.monotonic() - started,
            )
            try:
                partial = folder / f".{key}.{os.getpid()}.tmp"
                partial.write_bytes(answer.body)
                os.replace(partial, path)  # readers see the whole file or none
            except OSError as err:
                log.warning("cannot keep an aggregate in %s: %s", folder, err)
        self._prune(folder)
        return answer

    def _prune(self, current: Path) -> None:
        """Remove the files of generations older than the newest few."""
        assert self.folder is not None
        try:
            others = sorted(
                (p for p in self.folder.iterdir() if p.is_dir() and p != current),
                key=_modified,
                reverse=True,
            )
        except OSError:
            return
        for old in others[_KEEP_GENERATIONS - 1 :]:
            shutil.rmtree(old, ignore_errors=True)


def _modified(path: Path) -> float:
    """When ``path`` last changed (0 when it is already gone)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read(path: Path) -> Answer | None:
    """The answer kept in ``path``, or None when there is none (or not a whole one)."""
    try:
        return answer_from(path.read_bytes())
    except (OSError, ValueError, SyntaxError):
        return None


def published_runner(kb: KnowledgeBase, timeout_s: float) -> Run:
    """Runs a SELECT over the knowledge base's published view, as the pages read it."""

    def run(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None) -> bytes:
        result = kb.query(text, bindings=bindings, timeout_s=timeout_s)
        return solutions_json(result.variables, result)

    return run


def solutions_json(variables: list[str], solutions: Iterable[ox.QuerySolution]) -> bytes:
    """SPARQL JSON results of SELECT solutions, read one by one through the store's result.

    Iterating (rather than handing the payload to pyoxigraph's writer) keeps the result's
    deadline and row limit, and every row is read as every other page reads it (#16).
    """
    bindings = [{n: _json_term(t) for n in variables if (t := s[n]) is not None} for s in solutions]
    head = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_term(term: object) -> dict[str, object]:
    """One RDF term in the SPARQL 1.1 JSON results format (RDF-star triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        found: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            found["datatype"] = term.datatype.value
        return found
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    raise TypeError(f"not an RDF term: {term!r}")
