"""Loading content files into the store, one named graph per file.

A file's graph IRI is derived from its path (``data/case-studies/x.ttl`` →
``<base>graph/data/case-studies/x``), so rebuilding is idempotent and a graph always says which
file it came from. Only graphs under ``graph/ontology/`` and ``graph/data/`` belong to files;
contributions and inferences live elsewhere and a rebuild leaves them alone. Every load keeps
the materialised published graph right (:mod:`lhs_kg.layout`, #16).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.errors import InputError, ParseError
from lhs_kg.formats import RDF_FORMATS, Format, ox_rdf, rdf_format_for_path
from lhs_kg.layout import PublishedLayout
from lhs_kg.store import Store

Progress = Callable[[int, int, Path], None]
"""Called with (bytes done, bytes in all, the file) so a face can show progress: while files
are checked, as their bytes are read; while they are loaded, after each file."""
_REPORT_BYTES = 1 << 20
"""How often (in bytes read) the syntax check reports its progress."""

_CONTENT_EXTENSIONS = {ext for fmt in RDF_FORMATS for ext in fmt.extensions} - {
    ".json",
    ".jsonld",
    ".xml",
}
_SKIPPED_FOLDERS = {"examples"}


@dataclass(frozen=True)
class FileLoad:
    """What loading one file did: the graph, how many triples it gained, seconds taken, and
    every graph the file writes (an N-Quads or TriG file names its own graphs)."""

    graph: str
    triples: int
    seconds: float
    graphs: tuple[str, ...] = ()


def graphs_named_in(path: Path, fmt: Format) -> set[str]:
    """The named graphs an N-Quads or TriG file writes to (none for a triples format).

    One streaming parse that keeps names only; a file that does not parse names none here and
    fails with its line number when it is loaded. A blank node naming a graph is refused before
    anything is written: such a graph cannot be named in SPARQL, so the published view could
    never copy it, and every later load failed on it.
    """
    if not ox_rdf(fmt).supports_datasets:
        return set()
    names: set[str] = set()
    try:
        for quad in ox.parse(path=str(path), format=ox_rdf(fmt)):
            if isinstance(quad.graph_name, ox.NamedNode):
                names.add(quad.graph_name.value)
            elif isinstance(quad.graph_name, ox.BlankNode):
                raise InputError(
                    f"{path}: a blank node names a graph; lhs-kg names every graph with an IRI "
                    "(give that graph one, or leave the statements in the default graph)"
                )
    except (SyntaxError, OSError):
        return set()
    return names


@dataclass(frozen=True)
class LoadSummary:
    """What a load did: graphs written, triples now in them, graphs dropped, seconds taken."""

    graphs: int
    triples: int
    dropped: int
    seconds: float


def graph_iri_for(path: Path, settings: Settings) -> str:
    """The named graph of a content file, from its path relative to its content root (a
    partner overlay's file has the graph of the shipped file at the same path, #17)."""
    resolved = path.resolve()
    relative = Path(path.name)
    for root in settings.content_roots():
        if resolved.is_relative_to(root):
            relative = resolved.relative_to(root)
            break
    stem = relative.with_suffix("").as_posix()
    return f"{settings.base_iri}graph/{stem}"


def content_files(settings: Settings) -> list[Path]:
    """The RDF files of ``ontology/`` and ``data/`` (examples of contributions excluded); a
    partner overlay's file replaces the shipped file of the same path."""
    files: dict[str, Path] = {}
    for folder in (*settings.content_dirs("ontology"), *settings.content_dirs("data")):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and path.suffix.lower() in _CONTENT_EXTENSIONS
                and not _SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts[:-1])
            ):
                files[graph_iri_for(path, settings)] = path
    return list(files.values())


def required_content_files(settings: Settings) -> list[Path]:
    """:func:`content_files`, refusing a missing content folder or no file at all, so a wrong
    setting or an empty install is an error naming the folder, never an empty store (#17)."""
    for folder in (settings.ontology_dir, settings.data_dir):
        if not folder.is_dir():
            raise InputError(f"{folder}: no such content folder (check LHS_KG_ROOT/LHS_KG_CONTENT)")
    files = content_files(settings)
    if not files:
        folders = " or ".join(
            str(f) for f in (*settings.content_dirs("ontology"), *settings.content_dirs("data"))
        )
        kinds = ", ".join(sorted(_CONTENT_EXTENSIONS))
        raise InputError(f"no content files ({kinds}) in {folders}")
    return files


def check_file(path: Path, settings: Settings) -> Format:
    """Refuse a missing, unreadable, empty or oversized file before anything is written."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    if size > settings.max_load_bytes:
        raise InputError(
            f"{path}: {size:,} bytes is over the limit of {settings.max_load_bytes:,} "
            "(LHS_KG_MAX_LOAD_BYTES)"
        )
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    return rdf_format_for_path(path)


def load_file(
    store: Store,
    path: Path,
    settings: Settings,
    *,
    graph: str | None = None,
    fmt: Format | None = None,
    replace: bool = False,
    named: set[str] | None = None,
) -> str:
    """Load one file into its graph (derived from the path unless named); return the graph IRI.

    An N-Quads or TriG file also writes the graphs it names (``named``, read from the file when
    None): the published view takes what they gained too (#16).
    """
    detected = check_file(path, settings)
    fmt = fmt or detected
    target = graph or graph_iri_for(path, settings)
    layout = PublishedLayout(store, settings)
    if replace:
        with layout.replacing(target):
            store.replace_graph(target, path, fmt)
    else:  # the published copy is written in the same pass where the store can (#16)
        also = sorted(graphs_named_in(path, fmt) if named is None else named)
        with layout.loading(target, also) as mirror:
            store.load(path, fmt, target, mirror=mirror)
    return target


def triples_in(store: Store, graph: str) -> int:
    """One graph's size, counted in that graph alone (``store.graphs()`` counts every graph of
    the store: minutes at 10M triples)."""
    rows = store.query(
        sparql.text("store/graph-size"), bindings={"g": ox.NamedNode(graph)}, union=False
    ).rows()
    return int(rows[0]["n"].value) if rows else 0


def is_content_graph(iri: str, settings: Settings) -> bool:
    """True for graphs that mirror a file of ``ontology/`` or ``data/``."""
    prefix = f"{settings.base_iri}graph/"
    return iri.startswith(prefix + "ontology/") or iri.startswith(prefix + "data/")


def rebuild(
    store: Store,
    settings: Settings,
    *,
    files: Iterable[Path] | None = None,
    progress: Progress | None = None,
    checking: Progress | None = None,
) -> LoadSummary:
    """Make the store's content graphs equal to the files: replace each, drop the orphans.

    Every file is checked (existence, size, syntax) before the first write, so one bad file
    leaves the store exactly as it was. ``checking`` hears of the check, ``progress`` of the load.
    """
    started = time.perf_counter()
    paths = list(files) if files is not None else required_content_files(settings)
    formats = {path: check_file(path, settings) for path in paths}
    total = sum(p.stat().st_size for p in paths)
    _check_syntax(paths, formats, checking, total)
    done = 0
    wanted = set()
    for path in paths:
        target = graph_iri_for(path, settings)
        store.replace_graph(target, path, formats[path])
        wanted.add(target)
        done += path.stat().st_size
        if progress:
            progress(done, total, path)
    dropped = 0
    for name in store.graph_names():  # names only: counting every graph scans the store (#16)
        if is_content_graph(name, settings) and name not in wanted:
            store.drop_graph(name)
            dropped += 1
    PublishedLayout(store, settings).rebuild()  # every content graph changed: copy them again
    triples = sum(triples_in(store, graph) for graph in wanted)
    return LoadSummary(len(wanted), triples, dropped, time.perf_counter() - started)


class _Counting(io.RawIOBase):
    """A file read through, telling ``report`` how many bytes have gone by (every MiB)."""

    def __init__(self, handle: io.BufferedIOBase, report: Callable[[int], None]) -> None:
        self._handle = handle
        self._report = report
        self.count = 0
        self._next = _REPORT_BYTES

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n: int = self._handle.readinto(buffer)
        self.count += n
        if self.count >= self._next:
            self._next = self.count + _REPORT_BYTES
            self._report(self.count)
        return n


def _check_syntax(
    paths: list[Path],
    formats: dict[Path, Format],
    progress: Progress | None = None,
    total: int = 0,
) -> None:
    """Parse every file once so a syntax error is reported before the store changes."""
    done = 0
    for path in paths:
        try:
            if progress is None:
                for _ in ox.parse(path=str(path), format=ox_rdf(formats[path])):
                    pass
            else:
                with path.open("rb") as raw:

                    def report(n: int, before: int = done, path: Path = path) -> None:
                        progress(before + n, total, path)

                    counted = _Counting(raw, report)
                    for _ in ox.parse(io.BufferedReader(counted), format=ox_rdf(formats[path])):
                        pass
                done += path.stat().st_size
                progress(done, total, path)
        except SyntaxError as err:
            raise ParseError(
                str(err.msg or err), source=str(path), line=err.lineno, column=err.offset
            ) from None
