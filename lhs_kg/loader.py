"""Loading content files into the store, one named graph per file.

A file's graph IRI is derived from its path (``data/case-studies/x.ttl`` →
``<base>graph/data/case-studies/x``), so rebuilding is idempotent and a graph always says which
file it came from. Only graphs under ``graph/ontology/`` and ``graph/data/`` belong to files;
contributions and inferences live elsewhere and a rebuild leaves them alone. Every load keeps
the materialised published graph right (:mod:`lhs_kg.layout`, #16).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from lhs_kg.config import Settings
from lhs_kg.errors import InputError, ParseError
from lhs_kg.formats import RDF_FORMATS, Format, ox_rdf, rdf_format_for_path
from lhs_kg.layout import PublishedLayout
from lhs_kg.store import Store

Progress = Callable[[int, int, Path], None]
"""Called after each file with (bytes done, bytes in all, the file) so a face can show progress."""

_CONTENT_EXTENSIONS = {ext for fmt in RDF_FORMATS for ext in fmt.extensions} - {
    ".json",
    ".jsonld",
    ".xml",
}
_SKIPPED_FOLDERS = {"examples"}


@dataclass(frozen=True)
class LoadSummary:
    """What a load did: graphs written, triples now in them, graphs dropped, seconds taken."""

    graphs: int
    triples: int
    dropped: int
    seconds: float


def graph_iri_for(path: Path, settings: Settings) -> str:
    """The named graph of a content file, from its path relative to the project root."""
    try:
        relative = path.resolve().relative_to(settings.root)
    except ValueError:
        relative = Path(path.name)
    stem = relative.with_suffix("").as_posix()
    return f"{settings.base_iri}graph/{stem}"


def content_files(settings: Settings) -> list[Path]:
    """The RDF files of ``ontology/`` and ``data/`` (examples of contributions excluded)."""
    files: list[Path] = []
    for folder in (settings.ontology_dir, settings.data_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and path.suffix.lower() in _CONTENT_EXTENSIONS
                and not _SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts[:-1])
            ):
                files.append(path)
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
) -> str:
    """Load one file into its graph (derived from the path unless named); return the graph IRI."""
    detected = check_file(path, settings)
    fmt = fmt or detected
    target = graph or graph_iri_for(path, settings)
    layout = PublishedLayout(store, settings)
    if replace:
        with layout.replacing(target):
            store.replace_graph(target, path, fmt)
    else:
        store.load(path, fmt, target)
        layout.sync(changed=[target])
    return target


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
) -> LoadSummary:
    """Make the store's content graphs equal to the files: replace each, drop the orphans.

    Every file is checked (existence, size, syntax) before the first write, so one bad file
    leaves the store exactly as it was.
    """
    started = time.perf_counter()
    paths = list(files) if files is not None else content_files(settings)
    formats = {path: check_file(path, settings) for path in paths}
    _check_syntax(paths, formats)
    total = sum(p.stat().st_size for p in paths)
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
    for info in store.graphs():
        if is_content_graph(info.iri, settings) and info.iri not in wanted:
            store.drop_graph(info.iri)
            dropped += 1
    PublishedLayout(store, settings).rebuild()  # every content graph changed: copy them again
    triples = sum(g.triples for g in store.graphs() if g.iri in wanted)
    return LoadSummary(len(wanted), triples, dropped, time.perf_counter() - started)


def _check_syntax(paths: list[Path], formats: dict[Path, Format]) -> None:
    """Parse every file once so a syntax error is reported before the store changes."""
    for path in paths:
        try:
            for _ in ox.parse(path=str(path), format=ox_rdf(formats[path])):
                pass
        except SyntaxError as err:
            raise ParseError(
                str(err.msg or err), source=str(path), line=err.lineno, column=err.offset
            ) from None
