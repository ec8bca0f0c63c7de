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
cache changes when they are computed, never what they say. Answers made of rows per case study
are kept a third way (:mod:`lhs_kg.per_case_study`): after a write, only the rows of the case
studies it touched are computed again (``maintained``), when the store's change log can tell
which those are (:mod:`lhs_kg.published_changes`); otherwise the full query runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.formats import Format, ox_results, result_format
from lhs_kg.store.base import QueryResult, Term

if TYPE_CHECKING:
    from lhs_kg.kb import KnowledgeBase
    from lhs_kg.per_case_study import Kept, Maintainer

Bound = Mapping[str, ox.NamedNode | ox.Literal] | Sequence[Mapping[str, ox.NamedNode | ox.Literal]]
Select = Callable[[str, Bound | None], QueryResult]
"""Runs a query with bindings (one row or several) over the published view: its solutions."""
Changes = Callable[[int], frozenset[str] | None]
"""The case studies touched since a generation (None: cannot tell; compute everything)."""
Run = Callable[[str, Mapping[str, ox.NamedNode | ox.Literal] | None], bytes]
"""Runs a query (text, bindings) over the published view; its answer as SPARQL JSON results."""

log = logging.getLogger(__name__)
T = TypeVar("T")

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


class Answer:
    """One SELECT's answer: its variables, its SPARQL JSON results and its solutions.

    Either is made from the other when first asked for: an answer read from the store comes
    as JSON, one kept per case study (:mod:`lhs_kg.per_case_study`) as rows and JSON parts.
    """

    def __init__(
        self,
        variables: list[str],
        body: bytes | None = None,
        *,
        rows: Callable[[], list[dict[str, Term]]] | None = None,
        body_of: Callable[[], bytes] | None = None,
    ) -> None:
        if body is None and (rows is None or body_of is None):
            raise ValueError("an answer needs its JSON or a way to make it and its rows")
        self.variables = variables
        self._body = body
        self._rows_of = rows
        self._body_of = body_of
        self._rows: list[dict[str, Term]] | None = None
        self._lock = threading.Lock()

    @property
    def body(self) -> bytes:
        """The SPARQL JSON results."""
        if self._body is None:
            with self._lock:
                if self._body is None:
                    assert self._body_of is not None
                    self._body = self._body_of()
        return self._body

    def rows(self) -> list[dict[str, Term]]:
        """The solutions as dicts of bound variables (unbound ones left out).

        Made once per answer and shared by every caller, who must not change them (at 1M
        triples the heat map's inputs took 3 s to parse on every page).
        """
        if self._rows is None:
            with self._lock:
                if self._rows is None:
                    self._rows = self._rows_of() if self._rows_of is not None else self._parse()
        return self._rows

    def _parse(self) -> list[dict[str, Term]]:
        solutions = ox.parse_query_results(self.body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        if names != self.variables:
            return [{n: t for n in self.variables if (t := s[n]) is not None} for s in solutions]
        # a solution iterates its values in the order of the variables: twice as fast as
        # looking each up by name (605k rows at 1M triples, #16)
        return [_bound(dict(zip(names, s, strict=True))) for s in solutions]

    def serialize(self, fmt: Format) -> bytes:
        """The answer in another SPARQL results format (JSON is kept as it came)."""
        if fmt.name == _JSON.name:
            return self.body
        solutions = ox.parse_query_results(self.body, format=ox.QueryResultsFormat.JSON)
        out = solutions.serialize(None, ox_results(fmt))
        assert out is not None
        return out


def _bound(row: dict[str, Term | None]) -> dict[str, Term]:
    """The row without its unbound variables."""
    if None in row.values():
        return {n: t for n, t in row.items() if t is not None}
    return row  # type: ignore[return-value]


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
    an answer. ``folder`` (one per store, shared by the worker processes of one machine) holds
    answers per generation where the number outlasts the process (:attr:`lhs_kg.store.Store.
    lasting_generation`); None for an in-memory store.
    """

    def __init__(
        self,
        generation: Callable[[], int | None],
        run: Run,
        folder: Path | None = None,
        *,
        maintained: Mapping[str, Maintainer] | None = None,
        changes: Changes | None = None,
        select: Select | None = None,
    ) -> None:
        self._generation = generation
        self._run = run
        self.folder = folder
        self._maintained = dict(maintained or {}) if select else {}
        self._changes = changes
        self._select = select
        self._kept: dict[str, Kept] = {}
        self._derived: dict[str, tuple[int, Any]] = {}
        self._studies: tuple[int, list[str] | None] | None = None
        self.updated = 0
        """How many answers were brought up to date per case study (tests and benchmarks)."""
        self.batched = 0
        """How many answers were computed a batch of case studies at a time."""
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
                found = self._brought_up_to_date(generation, key)
            if found is None:
                found = self._shared(
                    generation, key, lambda: self._computed(generation, key, text, bindings)
                )
                self._start_keeping(generation, key, found)
            self._keep(generation, key, found)
            return found

    def _brought_up_to_date(self, generation: int, key: str) -> Answer | None:
        """The answer kept per case study, with the rows of the case studies touched since
        it was made computed again; None when there is none or the changes are unknown."""
        kept, maintainer = self._kept.get(key), self._maintained.get(key)
        if kept is None or maintainer is None or self._changes is None or self._select is None:
            return None
        touched = self._changes(kept.generation) if kept.generation != generation else frozenset()
        if touched is None:
            del self._kept[key]
            return None
        try:
            if touched:
                maintainer.update(kept, touched, self._select)
                self.updated += 1
        except Exception as err:  # the full query is the fallback, and says what is wrong
            log.warning("keeping an aggregate per case study failed: %s", err)
            del self._kept[key]
            return None
        kept.generation = generation
        return maintainer.answer(kept)

    def _computed(
        self,
        generation: int,
        key: str,
        text: str,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None,
    ) -> Answer:
        """A generation's first answer: a batch of case studies at a time when it is kept per
        case study (bounded, linear; kept so at once), else by the full query."""
        maintainer = self._maintained.get(key)
        select = self._select
        if maintainer is not None and select is not None:
            from lhs_kg.per_case_study import case_studies, compute  # it imports this module

            studies = self._case_studies(generation, lambda: case_studies(select))
            kept = compute(maintainer, generation, select, studies) if studies else None
            if kept is not None:
                self.batched += 1
                self._kept[key] = kept
                return maintainer.answer(kept)
        return answer_from(self._run(text, bindings))

    def _case_studies(
        self, generation: int, read: Callable[[], list[str] | None]
    ) -> list[str] | None:
        """The case studies a generation's first answers are computed over, read once for all
        of them (each maintained answer read the whole list again: 330k IRIs at 10M)."""
        held = self._studies
        if held is None or held[0] != generation:
            held = self._studies = (generation, read())
        return held[1]

    def _start_keeping(self, generation: int, key: str, answer: Answer) -> None:
        """Keep a full answer per case study, so the next write recomputes only its part."""
        maintainer = self._maintained.get(key)
        held = self._kept.get(key)
        if held is not None and held.generation == generation:
            return  # computed per case study just now
        if maintainer is None or self._select is None or self._changes is None:
            self._kept.pop(key, None)
            return
        try:
            saved = _read_bytes(self._saved_path(generation, key))
            self._kept[key] = maintainer.start(answer, generation, self._select, saved)
        except Exception as err:
            log.warning("cannot keep an aggregate per case study: %s", err)
            self._kept.pop(key, None)

    def derived(
        self,
        name: str,
        build: Callable[[], T],
        update: Callable[[T, frozenset[str]], T],
    ) -> T:
        """A value built from the answers (a read model), kept per generation; after a write
        the change log can account for, ``update(old, touched)`` brings the old value up to
        date, else ``build()`` makes it again."""
        generation = self._generation()
        if generation is None:
            return build()
        with self._key_lock("derived " + name):
            held = self._derived.get(name)
            if held is not None and held[0] == generation:
                return held[1]  # type: ignore[no-any-return]
            touched = None
            if held is not None and self._changes is not None and self._maintained:
                touched = self._changes(held[0])
            value: T | None = None
            if held is not None and touched is not None:
                try:
                    value = update(held[1], touched) if touched else held[1]
                except Exception as err:  # built again from the answers: slower, never wrong
                    log.warning("bringing %s up to date failed: %s", name, err)
            if value is None:
                value = build()
            self._derived[name] = (generation, value)
            return value

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
            if self._generation() != generation:  # a write ran meanwhile: memory only (its
                return answer  # number may come back after a restart, the data it read not)
            try:
                self._write_answer(folder, key, answer, generation)
            except OSError as err:
                log.warning("cannot keep an aggregate in %s: %s", folder, err)
        self._prune(folder)
        return answer

    def save(self) -> int:
        """Write the answers held for the current generation that have no file yet (those
        brought up to date after a write), with what keeping them per case study needs, so a
        process started later on the same generation reads them; how many were written."""
        generation = self._generation()
        with self._lock:
            if self.folder is None or generation is None or self._held_generation != generation:
                return 0
            held = dict(self._held)
        folder = self.folder / f"g{generation}"
        written = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for key, answer in held.items():
                path = folder / f"{key}.srj"
                if path.exists():
                    continue
                self._write_answer(folder, key, answer, generation)
                written += 1
        except OSError as err:  # the next process computes them: slower, never wrong
            log.warning("cannot keep the aggregates in %s: %s", folder, err)
        self._prune(folder)
        return written

    def _write_answer(self, folder: Path, key: str, answer: Answer, generation: int) -> None:
        """Write one answer into its generation's folder, after what keeping it per case study
        needs beside it (a reader of the answer then finds that too)."""
        kept, maintainer = self._kept.get(key), self._maintained.get(key)
        if kept is not None and maintainer is not None and kept.generation == generation:
            saved = maintainer.saved(kept)
            if saved is not None:
                _write(folder / f"{key}.kept", saved)
        _write(folder / f"{key}.srj", answer.body)

    def _saved_path(self, generation: int, key: str) -> Path | None:
        """Where a process that computed an answer per case study saved what keeping it
        needs beyond the answer (:meth:`lhs_kg.per_case_study.Maintainer.saved`)."""
        return None if self.folder is None else self.folder / f"g{generation}" / f"{key}.kept"

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


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` so that readers see the whole file or none."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)


def _read_bytes(path: Path | None) -> bytes | None:
    """A saved file's bytes (None: no such file)."""
    try:
        return None if path is None else path.read_bytes()
    except OSError:
        return None


def _read(path: Path) -> Answer | None:
    """The answer kept in ``path``, or None when there is none (or not a whole one)."""
    try:
        return answer_from(path.read_bytes())
    except (OSError, ValueError, SyntaxError):
        return None


def published_runner(kb: KnowledgeBase, timeout_s: float) -> Run:
    """Runs a SELECT over the knowledge base's published view, as the pages read it; its
    answer as SPARQL JSON, written by the store's result (row by row, deadline kept)."""

    def run(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None) -> bytes:
        body = kb.query(text, bindings=bindings, timeout_s=timeout_s).serialize(_JSON)
        assert body is not None
        return body

    return run


def published_select(kb: KnowledgeBase, timeout_s: float) -> Select:
    """Runs a SELECT (bound to one row or several) over the published view: its solutions."""

    def select(text: str, bindings: Bound | None) -> QueryResult:
        return kb.query(text, bindings=bindings, timeout_s=timeout_s)

    return select
