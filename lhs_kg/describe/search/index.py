"""The full-text index: an SQLite FTS5 document per thing people look for, kept per generation.

A document is a case study, concept, glossary term, scheme, source, tool or organisation. Text of
a fragment (an outcome, an assessment, a rating: any resource whose IRI lies under a document's
IRI) goes into its parent's body, so a match in an outcome finds the case study, once. A source's
authors and editors are indexed with its other names. Columns: ``title`` (its labels), ``names``
(alternative labels, notations, authors) and ``body`` (definitions, descriptions, fragments).

The index is a file in the instance folder's ``cache/search`` (never in the repository), built on
first use and made again when the store's generation moves on (on a store server the generation
lives in the store, so a write through any process counts, #16); the file of an index no longer
used is removed. After a write the published graph's change log accounts for
(:mod:`lhs_kg.published_changes`), the previous file is copied and only the documents of the
changed subjects (their parents, and what shows their names) are written again; a table
``nodes`` records which document each subject's text went into. Otherwise, a full build.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import itertools
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.search.fields import GLOSSARY, NAME_FIELDS, TITLE_FIELDS, TYPES, fields
from lhs_kg.graphs import published_graph
from lhs_kg.kb import KnowledgeBase
from lhs_kg.published_changes import log_of
from lhs_kg.store.base import Term

TEXT = sparql.text("describe/search-text")
KINDS_QUERY = sparql.text("describe/search-kinds")
AUTHORS = sparql.text("describe/search-authors")
CREATORS = sparql.text("describe/search-creators")
CONTEXT = sparql.text("describe/search-context")
TEXT_OF = sparql.text("describe/search-text-of")
KINDS_OF = sparql.text("describe/search-kinds-of")
DEPENDENTS = sparql.text("describe/search-dependents")

log = logging.getLogger(__name__)
BUILDS: Counter[str] = Counter()
"""Index builds in this process: "full", "incremental" (after a write), "unchanged" (a write
that touched no triple of the published graph) and "shared" (a file another worker built):
tests and benchmarks count them."""
MAX_REINDEXED = 5000
"""Above this many subjects to read again after a write, the index is built in full."""
MAX_DEPENDENTS = 2000
"""The LIMIT of the dependents query (less one): more, and the index is built in full."""
_BATCH = 500
_NODES = (
    "CREATE TABLE nodes(iri TEXT PRIMARY KEY, doc TEXT NOT NULL, typed INTEGER NOT NULL, "
    "id INTEGER) WITHOUT ROWID"
)
"""Every subject whose text is indexed (and every document): its document, whether it is of a
searchable kind, and its document's row: what a write of its triples re-indexes."""
_NODES_BY_DOC = "CREATE INDEX nodes_by_doc ON nodes(doc)"

SEPARATOR = "\x1f"
"""Joins the scheme and broader labels kept with a document."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCHEMA = (
    "CREATE VIRTUAL TABLE docs USING fts5(title, names, body, iri UNINDEXED, kind UNINDEXED, "
    "label UNINDEXED, schemes UNINDEXED, broader UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)
_counter = itertools.count()
Row = dict[str, Term]
"""One solution of a query."""


@dataclass
class _Doc:
    kind: str
    titles: list[tuple[int, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    own: list[tuple[int, str]] = field(default_factory=list)
    fragments: list[tuple[str, int, str]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    schemes: set[str] = field(default_factory=set)
    broader: set[str] = field(default_factory=set)

    def label(self, iri: str) -> str:
        return min(self.titles)[1] if self.titles else iri

    def row(self, iri: str) -> tuple[str, ...]:
        """The document's columns, each text in a fixed order (so a document re-indexed after
        a write is the very document a full build writes: same snippets, same scores)."""
        body = [t for _, t in sorted(self.own)] + [t for _, _, t in sorted(self.fragments)]
        return (
            " · ".join(t for _, t in sorted(self.titles)),
            " · ".join(sorted(self.names) + sorted(self.people)),
            " · ".join(body),
            iri,
            self.kind,
            self.label(iri),
            SEPARATOR.join(sorted(self.schemes)),
            SEPARATOR.join(sorted(self.broader)),
        )


class Index:
    """A built index: its file, one read-only connection per thread, and its terms (for typos)."""

    def __init__(
        self,
        path: Path,
        terms: dict[str, list[tuple[str, int]]],
        seconds: float,
        owned: bool = True,
    ):
        self.path = path
        self.terms = terms
        self.build_seconds = seconds
        self._local = threading.local()
        if owned:  # a file shared with other processes is removed by a newer one (_shared)
            weakref.finalize(self, _remove, path)

    @classmethod
    def shared(cls, path: Path) -> Index:
        """An index file another process (or this one) built, read as it is."""
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            terms = _terms(connection)
        finally:
            connection.close()
        return cls(path, terms, 0.0, owned=False)

    def connect(self) -> sqlite3.Connection:
        """This thread's read-only connection to the index."""
        found: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if found is None:
            found = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.connection = found
        return found


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _kind(iri: str, types: set[str], glossary: str) -> str:
    for name, cls in TYPES.items():
        if cls in types:
            return GLOSSARY if name == "concept" and iri.startswith(glossary) else name
    return "other"


def _prefixes(iri: str) -> Iterator[str]:
    """Every IRI above ``iri``, nearest first (``…/case-study/x/outcome/1`` → ``…/x/outcome``…)."""
    head = iri
    while "/" in head:
        head = head.rsplit("/", 1)[0]
        yield head


def _parent(iri: str, is_typed: Callable[[str], bool]) -> str | None:
    """The nearest document of a searchable kind whose IRI lies above ``iri``."""
    return next((head for head in _prefixes(iri) if is_typed(head)), None)


class _Outside(Exception):
    """A text belongs to a document the re-indexing did not read (then: a full build)."""


def _typed_docs(reader: Reader, rows: Iterable[Row]) -> dict[str, _Doc]:
    glossary = reader.base_iri + "concept/glossary/"
    classes = set(TYPES.values())
    types: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if value(r, "type") in classes:
            types[value(r, "s")].add(value(r, "type"))
    return {iri: _Doc(_kind(iri, t, glossary)) for iri, t in types.items()}


def _fill(
    reader: Reader, docs: dict[str, _Doc], rows: Iterable[Row], is_typed: Callable[[str], bool]
) -> dict[str, str]:
    """Put each text of ``rows`` into its document (a fragment's into its parent's body, a
    text of no document into a new document of kind "other"); every subject → its document."""
    rank = {p: i for i, p in enumerate(TITLE_FIELDS)}
    order = {p: i for i, p in enumerate(fields(reader.kb.settings))}
    nodes = {iri: iri for iri in docs}
    for r in rows:
        iri, prop, term = value(r, "s"), value(r, "p"), r["text"]
        if prop not in order:
            continue
        text = _clean(term.value)
        doc = docs.get(iri)
        if doc is None:
            parent = _parent(iri, is_typed)
            if parent is None:
                doc = docs[iri] = _Doc("other")
                nodes[iri] = iri
            elif parent not in docs:
                raise _Outside(parent)
            else:
                docs[parent].fragments.append((iri, order[prop], text))
                nodes[iri] = parent
                continue
        if prop in rank:
            language = term.language if isinstance(term, ox.Literal) else None
            english = language is None or language.lower().startswith("en")
            doc.titles.append((rank[prop] + (0 if english else 100), text))
        elif prop in NAME_FIELDS:
            doc.names.append(text)
        else:
            doc.own.append((order[prop], text))
    return nodes


def _people_and_context(
    docs: dict[str, _Doc], people: Iterable[Row], context: Iterable[Row]
) -> None:
    for r in people:
        doc = docs.get(value(r, "s"))
        if doc is not None:
            doc.people.append(_clean(value(r, "name")))
    for r in context:
        doc = docs.get(value(r, "s"))
        if doc is not None:
            kept = doc.schemes if value(r, "context") == "scheme" else doc.broader
            kept.add(_clean(value(r, "label")))


def _documents(reader: Reader) -> tuple[dict[str, _Doc], dict[str, str]]:
    """Every document with its texts, read with five queries; every subject → its document."""
    kinds = reader.select(KINDS_QUERY, [{"type": ox.NamedNode(t)} for t in TYPES.values()])
    docs = _typed_docs(reader, kinds)
    typed = set(docs)
    searched = fields(reader.kb.settings)
    rows = reader.select(TEXT, [{"p": ox.NamedNode(p)} for p in searched])
    nodes = _fill(reader, docs, rows, typed.__contains__)
    people = [*reader.select(AUTHORS), *reader.select(CREATORS)]
    _people_and_context(docs, people, reader.select(CONTEXT))
    return docs, nodes


def _batches(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _BATCH):
        yield items[i : i + _BATCH]


def _batched(reader: Reader, text: str, var: str, iris: Iterable[str]) -> list[Row]:
    """The rows of ``text`` with ``var`` bound to each of ``iris`` (in VALUES blocks of 500)."""
    found: list[Row] = []
    for batch in _batches(sorted(iris)):
        found += reader.select(text, [{var: ox.NamedNode(iri)} for iri in batch])
    return found


def cache_folder(kb: KnowledgeBase) -> Path:
    """Where index files go: ``<instance>/cache/search`` (a temporary folder if that fails)."""
    folder = kb.settings.instance_dir / "cache" / "search"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "lhs-kg-search"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


@functools.cache
def fts5_available() -> bool:
    """True when this Python's SQLite has the FTS5 module (most builds do; some minimal ones
    do not, and search then falls back to the SPARQL scan)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
    return True


def _alive(pid: int) -> bool:
    """True when a process with this id runs (perhaps another user's)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no process can have that number
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphans(folder: Path) -> list[Path]:
    """Delete index files left by processes that are gone (a crash, a killed worker)."""
    removed = []
    for path in folder.glob("index-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            _remove(path)
            removed.append(path)
    return removed


def _write(connection: sqlite3.Connection, docs: dict[str, _Doc], nodes: dict[str, str]) -> None:
    """Insert ``docs`` (new rows) and which document each subject's text went into."""
    first = connection.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM docs").fetchone()[0]
    ids = {iri: first + i for i, iri in enumerate(docs)}
    connection.executemany(
        "INSERT INTO docs(rowid, title, names, body, iri, kind, label, schemes, broader) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((ids[iri], *d.row(iri)) for iri, d in docs.items()),
    )
    connection.executemany(
        "INSERT INTO nodes VALUES (?, ?, ?, ?)",
        (
            (iri, doc, int(iri == doc and docs[doc].kind != "other"), ids.get(iri))
            for iri, doc in nodes.items()
        ),
    )


def _terms(connection: sqlite3.Connection) -> dict[str, list[tuple[str, int]]]:
    """The indexed terms by first letter, with how many documents hold each (for typos)."""
    terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for term, count in connection.execute("SELECT term, doc FROM vocab WHERE doc > 0"):
        terms[term[:1]].append((term, count))
    return dict(terms)


def _new_path(folder: Path) -> Path:
    return folder / f"index-{os.getpid()}-{next(_counter)}-{time.time_ns()}.sqlite"


def build_index(reader: Reader, folder: Path | None = None, path: Path | None = None) -> Index:
    """Read the documents from the store and write them into a new index file (``path``: a
    file of that name, which other processes may read too)."""
    started = time.perf_counter()
    BUILDS["full"] += 1
    docs, nodes = _documents(reader)
    folder = folder or cache_folder(reader.kb)
    remove_orphans(folder)
    owned = path is None
    path = path or _new_path(folder)
    with _written(path) as connection:
        connection.execute(_SCHEMA)
        connection.execute(_NODES)
        connection.execute(_NODES_BY_DOC)
        _write(connection, docs, nodes)
        connection.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        connection.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row')")
        terms = _terms(connection)
    return Index(path, terms, time.perf_counter() - started, owned=owned)


class _Abandoned(Exception):
    """Raised inside :func:`_written` to leave no file behind and give up without an error."""


@contextlib.contextmanager
def _written(path: Path, start_from: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A connection to ``path``'s partial file (a copy of ``start_from`` if given), moved to
    ``path`` once the block is done and committed; on any failure the partial file is removed,
    so a reader never opens a half-written index."""
    partial = path.with_suffix(".partial")
    if start_from is not None:
        shutil.copyfile(start_from, partial)
    connection = sqlite3.connect(partial)
    try:
        yield connection
        connection.commit()
    except BaseException:
        connection.close()
        _remove(partial)
        raise
    connection.close()
    partial.replace(path)


def _reindexed(
    reader: Reader, connection: sqlite3.Connection, subjects: frozenset[str]
) -> tuple[set[str], dict[str, _Doc], dict[str, str]] | None:
    """What a write of the triples of ``subjects`` changed: the subjects whose rows go, and the
    documents (with their subjects) written instead; None when that is too much to tell."""

    def one(sql: str, *args: str) -> list[str]:
        return [row[0] for row in connection.execute(sql, args)]

    def was_doc(iri: str) -> bool:
        return bool(one("SELECT iri FROM nodes WHERE iri = ? AND doc = iri", iri))

    def was_typed(iri: str) -> bool:
        return bool(one("SELECT iri FROM nodes WHERE iri = ? AND doc = iri AND typed", iri))

    affected = set(subjects)
    for batch in _batches(sorted(subjects)):
        rows = reader.select(DEPENDENTS, [{"o": ox.NamedNode(iri)} for iri in batch])
        if len(rows) > MAX_DEPENDENTS:  # the query stopped at its LIMIT: too many to tell
            return None
        affected.update(value(r, "s") for r in rows)
    if len(affected) > MAX_REINDEXED:
        return None
    affected |= {head for iri in list(affected) for head in _prefixes(iri) if was_doc(head)}
    pool = set(affected)
    for doc in affected:
        pool.update(one("SELECT iri FROM nodes WHERE doc = ?", doc))
        if doc in subjects:  # may have become a parent: documents of kind "other" under it
            pool.update(
                one(
                    "SELECT iri FROM nodes WHERE iri > ? AND iri < ? AND doc = iri AND NOT typed",
                    doc + "/",
                    doc + "0",
                )
            )
    if len(pool) > MAX_REINDEXED:
        return None
    docs = _typed_docs(reader, _batched(reader, KINDS_OF, "s", pool))
    texts = _batched(reader, TEXT_OF, "s", pool)
    try:
        nodes = _fill(
            reader, docs, texts, lambda iri: iri in docs if iri in pool else was_typed(iri)
        )
    except _Outside:  # pragma: no cover - every parent above a changed subject is in the pool
        return None
    people = [*_batched(reader, AUTHORS, "s", docs), *_batched(reader, CREATORS, "s", docs)]
    _people_and_context(docs, people, _batched(reader, CONTEXT, "s", docs))
    return pool, docs, nodes


def update_index(
    old: Index,
    reader: Reader,
    subjects: frozenset[str],
    folder: Path | None = None,
    path: Path | None = None,
) -> Index | None:
    """A copy of ``old`` with the documents of ``subjects`` (and of what shows their names)
    read again, instead of a full build after a write; None when that cannot be done.
    ``path``: a file of that name, which other processes may read too."""
    started = time.perf_counter()
    folder = folder or cache_folder(reader.kb)
    owned = path is None
    path = path or _new_path(folder)
    try:
        with _written(path, start_from=old.path) as connection:
            found = _reindexed(reader, connection, subjects)
            if found is None:
                raise _Abandoned
            gone, docs, nodes = found
            for iri in sorted(gone):
                for (rowid,) in connection.execute(
                    "SELECT id FROM nodes WHERE iri = ? AND id IS NOT NULL", (iri,)
                ).fetchall():
                    connection.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
                connection.execute("DELETE FROM nodes WHERE iri = ?", (iri,))
            _write(connection, docs, nodes)
            terms = _terms(connection)
    except _Abandoned:
        return None
    BUILDS["incremental"] += 1
    return Index(path, terms, time.perf_counter() - started, owned=owned)


class _Kept:
    """The index of one scope, kept per store generation; after a write the change log can
    account for (#16), brought up to date from the previous one instead of built again."""

    def __init__(self, kb: KnowledgeBase, graphs: list[str] | None) -> None:
        self._kb = weakref.ref(kb)
        self._graphs = graphs
        self._held: tuple[int, Index] | None = None
        self._lock = threading.Lock()

    def get(self) -> Index:
        kb = self._kb()
        if kb is None:  # pragma: no cover - the caller holds the knowledge base
            raise RuntimeError("the knowledge base was closed while searching")
        held = self._held
        if held is not None and held[0] == kb.store.generation:
            return held[1]
        with self._lock:
            held = self._held
            generation = kb.store.generation  # before the data (see lhs_kg.cache)
            if held is not None and held[0] == generation:
                return held[1]
            reader = Reader(kb, self._graphs)
            if generation is not None and kb.store.shares_generation:
                shared = self._shared(kb, reader, generation)
                self._held = (generation, shared)
                return shared
            updated = self._updated(kb, reader, held) if generation is not None else None
            index = updated if updated is not None else build_index(reader)
            if generation is not None:
                self._held = (generation, index)
            return index

    @property
    def held(self) -> bool:
        """True once an index was made."""
        return self._held is not None

    def _shared(self, kb: KnowledgeBase, reader: Reader, generation: int) -> Index:
        """On a store whose generation the worker processes share: one index file per
        generation in the instance cache, made by the first worker that needs it (the others
        wait for it and read it), so N workers do not make it N times. It is an older file
        brought up to date where the store's change log names what changed since (#16), else
        a full build."""
        folder = cache_folder(kb)
        scope = hashlib.sha256(repr(self._graphs).encode()).hexdigest()[:16]
        path = folder / f"shared-{scope}-g{generation}.sqlite"
        with (folder / f"shared-{scope}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists():
                BUILDS["shared"] += 1
                return Index.shared(path)
            older = _shared_files(folder, scope)
            index = self._shared_update(kb, reader, older, path)
            if index is None:
                index = build_index(reader, folder, path)
            # generations are random numbers, not counts: the newest files by time stay, as
            # a request in another worker may be about to open the one before this
            for old in older[_SHARED_KEPT:]:
                _remove(old)
            return index

    def _shared_update(
        self, kb: KnowledgeBase, reader: Reader, older: list[Path], path: Path
    ) -> Index | None:
        """The newest shared file (or this worker's own index) brought up to date as ``path``
        from the subjects the store's change log names; None: build in full."""
        if self._graphs != [published_graph(kb.settings)]:
            return None  # the change log knows changes of the published graph only
        held = self._held
        start: tuple[int, Index] | None = None
        if held is not None and held[1].path.exists():
            start = held
        elif older:
            number = older[0].stem.rsplit("-g", 1)[1]
            if number.isdigit():
                try:
                    start = (int(number), Index.shared(older[0]))
                except sqlite3.Error:
                    start = None
        if start is None:
            return None
        subjects = log_of(kb.store).subjects_since(start[0])
        if subjects is None:
            return None
        try:
            return update_index(start[1], reader, subjects, path.parent, path)
        except Exception as err:  # built in full instead: slower, never wrong
            log.warning("bringing the shared search index up to date failed: %s", err)
            return None

    def _updated(
        self, kb: KnowledgeBase, reader: Reader, held: tuple[int, Index] | None
    ) -> Index | None:
        """The held index brought up to date, or None (then a full build)."""
        # the change log knows changes of the published graph only: the scope must be it
        if held is None or self._graphs != [published_graph(kb.settings)]:
            return None
        subjects = log_of(kb.store).subjects_since(held[0])
        if subjects is None:
            return None
        if not subjects:
            BUILDS["unchanged"] += 1
            return held[1]
        try:
            return update_index(held[1], reader, subjects)
        except Exception as err:  # built in full instead: slower, never wrong
            log.warning("bringing the search index up to date failed: %s", err)
            return None


_SHARED_KEPT = 2
"""Shared index files kept besides the current one (the newest by time)."""


def _shared_files(folder: Path, scope: str) -> list[Path]:
    """The shared index files of ``scope``, newest first."""

    def made(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            return 0.0

    return sorted(folder.glob(f"shared-{scope}-g*.sqlite"), key=made, reverse=True)


_INDEXES: weakref.WeakKeyDictionary[KnowledgeBase, dict[object, _Kept]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()
_SCOPES_KEPT = 4


def is_kept(reader: Reader) -> bool:
    """True when an index of the reader's scope was made in this process (worth keeping up
    to date after a write)."""
    key = tuple(reader.graphs) if reader.graphs is not None else None
    with _LOCK:
        kept = _INDEXES.get(reader.kb, {}).get(key)
    return kept is not None and kept.held


def index_for(reader: Reader) -> Index:
    """The index of the reader's view of the store, made once per store generation."""
    kb, graphs = reader.kb, reader.graphs
    key = tuple(graphs) if graphs is not None else None
    with _LOCK:
        per_kb = _INDEXES.setdefault(kb, {})
        kept = per_kb.get(key)
        if kept is None:
            while len(per_kb) >= _SCOPES_KEPT:
                per_kb.pop(next(iter(per_kb)))
            kept = per_kb[key] = _Kept(kb, graphs)
    return kept.get()
