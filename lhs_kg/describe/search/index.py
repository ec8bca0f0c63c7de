"""The full-text index: an SQLite FTS5 document per thing people look for, kept per generation.

A document is a case study, concept, glossary term, scheme, source, tool or organisation. Text of
a fragment (an outcome, an assessment, a rating: any resource whose IRI lies under a document's
IRI) goes into its parent's body, so a match in an outcome finds the case study, once. A source's
authors and editors are indexed with its other names. Columns: ``title`` (its labels), ``names``
(alternative labels, notations, authors) and ``body`` (definitions, descriptions, fragments).

The index is a file in the instance folder's ``cache/search`` (never in the repository), built on
first use and rebuilt when the store's generation moves on (:class:`lhs_kg.cache.Derived`; on a
store server the generation lives in the store, so a write through any process counts, #16);
the file of an index no longer used is removed.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import sqlite3
import tempfile
import threading
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.cache import Derived
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.search.fields import GLOSSARY, NAME_FIELDS, TITLE_FIELDS, TYPES, fields
from lhs_kg.kb import KnowledgeBase

TEXT = sparql.text("describe/search-text")
KINDS_QUERY = sparql.text("describe/search-kinds")
AUTHORS = sparql.text("describe/search-authors")
CREATORS = sparql.text("describe/search-creators")
CONTEXT = sparql.text("describe/search-context")

SEPARATOR = "\x1f"
"""Joins the scheme and broader labels kept with a document."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCHEMA = (
    "CREATE VIRTUAL TABLE docs USING fts5(title, names, body, iri UNINDEXED, kind UNINDEXED, "
    "label UNINDEXED, schemes UNINDEXED, broader UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)
_counter = itertools.count()


@dataclass
class _Doc:
    kind: str
    titles: list[tuple[int, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    schemes: set[str] = field(default_factory=set)
    broader: set[str] = field(default_factory=set)

    def label(self, iri: str) -> str:
        return min(self.titles)[1] if self.titles else iri


class Index:
    """A built index: its file, one read-only connection per thread, and its terms (for typos)."""

    def __init__(self, path: Path, terms: dict[str, list[tuple[str, int]]], seconds: float):
        self.path = path
        self.terms = terms
        self.build_seconds = seconds
        self._local = threading.local()
        weakref.finalize(self, _remove, path)

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


def _parent(iri: str, docs: dict[str, _Doc]) -> str | None:
    """The nearest document whose IRI lies above ``iri`` (``…/case-study/x/outcome/1`` → x)."""
    head = iri
    while "/" in head:
        head = head.rsplit("/", 1)[0]
        if head in docs:
            return head
    return None


def _documents(reader: Reader) -> dict[str, _Doc]:
    """Every document with its texts, read with five queries."""
    glossary = reader.base_iri + "concept/glossary/"
    types: dict[str, set[str]] = defaultdict(set)
    for r in reader.select(KINDS_QUERY, [{"type": ox.NamedNode(t)} for t in TYPES.values()]):
        types[value(r, "s")].add(value(r, "type"))
    docs = {iri: _Doc(_kind(iri, t, glossary)) for iri, t in types.items()}
    rank = {p: i for i, p in enumerate(TITLE_FIELDS)}
    searched = fields(reader.kb.settings)
    rows = reader.select(TEXT, [{"p": ox.NamedNode(p)} for p in searched])
    for r in rows:
        iri, prop, term = value(r, "s"), value(r, "p"), r["text"]
        text = _clean(term.value)
        doc = docs.get(iri)
        if doc is None:
            parent = _parent(iri, docs)
            if parent is None:
                doc = docs[iri] = _Doc("other")
            else:
                docs[parent].body.append(text)
                continue
        if prop in rank:
            language = term.language if isinstance(term, ox.Literal) else None
            english = language is None or language.lower().startswith("en")
            doc.titles.append((rank[prop] + (0 if english else 100), text))
        elif prop in NAME_FIELDS:
            doc.names.append(text)
        else:
            doc.body.append(text)
    for r in [*reader.select(AUTHORS), *reader.select(CREATORS)]:
        doc = docs.get(value(r, "s"))
        if doc is not None:
            doc.names.append(_clean(value(r, "name")))
    for r in reader.select(CONTEXT):
        doc = docs.get(value(r, "s"))
        if doc is not None:
            kept = doc.schemes if value(r, "context") == "scheme" else doc.broader
            kept.add(_clean(value(r, "label")))
    return docs


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


def build_index(reader: Reader, folder: Path | None = None) -> Index:
    """Read the documents from the store and write them into a new index file."""
    started = time.perf_counter()
    docs = _documents(reader)
    folder = folder or cache_folder(reader.kb)
    remove_orphans(folder)
    path = folder / f"index-{os.getpid()}-{next(_counter)}-{time.time_ns()}.sqlite"
    partial = path.with_suffix(".partial")
    connection = sqlite3.connect(partial)
    try:
        connection.execute(_SCHEMA)
        connection.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    " · ".join(t for _, t in sorted(d.titles)),
                    " · ".join(d.names),
                    " · ".join(d.body),
                    iri,
                    d.kind,
                    d.label(iri),
                    SEPARATOR.join(sorted(d.schemes)),
                    SEPARATOR.join(sorted(d.broader)),
                )
                for iri, d in docs.items()
            ),
        )
        connection.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        connection.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row')")
        terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for term, count in connection.execute("SELECT term, doc FROM vocab"):
            terms[term[:1]].append((term, count))
        connection.commit()
    except BaseException:
        connection.close()
        _remove(partial)
        raise
    connection.close()
    partial.replace(path)
    return Index(path, dict(terms), time.perf_counter() - started)


_INDEXES: weakref.WeakKeyDictionary[KnowledgeBase, dict[object, Derived[Index]]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()
_SCOPES_KEPT = 4


def index_for(reader: Reader) -> Index:
    """The index of the reader's view of the store, built once per store generation."""
    kb, graphs = reader.kb, reader.graphs
    key = tuple(graphs) if graphs is not None else None
    with _LOCK:
        per_kb = _INDEXES.setdefault(kb, {})
        derived = per_kb.get(key)
        if derived is None:
            while len(per_kb) >= _SCOPES_KEPT:
                per_kb.pop(next(iter(per_kb)))
            owner = weakref.ref(kb)

            def build() -> Index:
                alive = owner()
                if alive is None:  # pragma: no cover - the caller holds the knowledge base
                    raise RuntimeError("the knowledge base was closed while searching")
                return build_index(Reader(alive, graphs))

            derived = per_kb[key] = Derived(kb.store, build)
    return derived.get()
