"""Dumps of the published knowledge base, or a selection of it, in every RDF format we support.

:func:`plan_export` checks everything a request names (format, graphs, class, query) before a
byte is written, so a face can refuse bad input with a clear message; :func:`write_export` then
streams. Graph dumps of the embedded store go through pyoxigraph's own writer; other selections
are streamed quad by quad. Nothing is held in memory beyond one node (JSON-LD) or the writer's
buffer, so memory does not grow with the dump.

>>> from lhs_kg import KnowledgeBase, Settings
>>> import io
>>> with KnowledgeBase(Settings(store="memory")) as kb:
...     kb.load_bytes(b'<https://example.org/a> <https://example.org/p> "x" .', "ttl",
...                   graph="https://w3id.org/lhs-kg/graph/data/example")
...     out = io.BytesIO()
...     _ = write_export(plan_export(kb.store, kb.settings, Selection(), "nt"), out)
...     out.getvalue()
b'<https://example.org/a> <https://example.org/p> "x" .\\n'
"""

from __future__ import annotations

import gzip as gzip_module
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, cast

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.errors import InputError, QueryError
from lhs_kg.export.jsonld import compaction_context, write_jsonld
from lhs_kg.formats import RDF_FORMATS, Format, names, ox_rdf, rdf_format
from lhs_kg.graphs import published_graphs
from lhs_kg.namespaces import PREFIXES
from lhs_kg.sparql_text import query_form
from lhs_kg.store import EmbeddedStore, GraphInfo, Store

ExportProgress = Callable[[int, int], None]
"""Called with (quads written so far, quads expected) while a dump is written."""

EXPORT_FORMATS = tuple(names(RDF_FORMATS))
"""A dump may be written in every RDF format of the table."""

_INSTANCES = sparql.text("export/instances-of-class")
_REMOTE_DESCRIPTION = sparql.text("export/description-on-remote")
_PROGRESS_EVERY = 20_000


@dataclass(frozen=True)
class Selection:
    """What to export: graphs (default: the published view), or instances of a class with their
    descriptions, or the result of a named CONSTRUCT query (run over the chosen graphs)."""

    graphs: tuple[str, ...] = ()
    class_iri: str | None = None
    query: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ExportPlan:
    """A checked export: the store, the graphs in scope, the format and how to get the quads."""

    store: Store
    settings: Settings
    fmt: Format
    graphs: list[str]
    selection: Selection
    query_text: str | None = None
    bindings: dict[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)
    _expected: int | None = None

    @property
    def expected(self) -> int:
        """Quads the export will hold when known in advance (counted once, on first use: the
        count scans the graphs, so it is only asked for when progress is shown), else 0."""
        if self._expected is None:
            if not self.whole_graphs:
                self._expected = 0
            else:
                counts = {info.iri: info.triples for info in self.store.graphs()}
                self._expected = sum(counts.get(g, 0) for g in self.graphs)
        return self._expected

    @property
    def whole_graphs(self) -> bool:
        """True when the export is the full content of the graphs in scope."""
        return self.selection.class_iri is None and self.selection.query is None

    def file_name(self, gzip: bool = False) -> str:
        """A sensible file name for the download (``lhs-kg.ttl``, ``lhs-kg-casestudy.nq.gz`` …)."""
        stem = "lhs-kg"
        if self.selection.query:
            stem += f"-{self.selection.query}"
        elif self.selection.class_iri:
            stem += "-" + _slug(self.selection.class_iri)
        elif self.selection.graphs and len(self.graphs) == 1:
            stem += "-" + _slug(self.graphs[0])
        return f"{stem}{self.fmt.extensions[0]}" + (".gz" if gzip else "")


def _slug(iri: str) -> str:
    tail = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    clean = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in tail).strip("-")
    return clean.lower()[:60] or "selection"


def check_iri(text: str, what: str) -> ox.NamedNode:
    """A syntactically valid absolute IRI, or :class:`InputError` naming what it was for."""
    try:
        node = ox.NamedNode(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a valid absolute IRI") from None
    if ":" not in node.value:
        raise InputError(f"{what} {text!r} is not an absolute IRI")
    return node


def plan_export(
    store: Store, settings: Settings, selection: Selection, fmt: str = "nq"
) -> ExportPlan:
    """Check a request and resolve its scope; raises :class:`InputError` for anything unknown."""
    if selection.class_iri and selection.query:
        raise InputError("choose either a class or a query, not both")
    chosen = rdf_format(fmt)
    published = _published(store, settings)
    if selection.graphs:
        scope: list[str] = []
        public = set(published)
        for raw in selection.graphs:
            iri = check_iri(raw, "graph").value
            if iri not in public:
                raise InputError(f"graph <{iri}> is not part of the published knowledge base")
            if iri not in scope:
                scope.append(iri)
    else:
        scope = published
    plan = ExportPlan(store, settings, chosen, scope, selection)
    if selection.class_iri:
        plan.bindings = {"class": check_iri(selection.class_iri, "class")}
    elif selection.query:
        from lhs_kg.queries import QueryLibrary

        named = QueryLibrary.from_settings(settings).get(selection.query)
        if query_form(named.text) != "construct":
            raise QueryError(
                f"query {selection.query!r} is not a CONSTRUCT query; only "
                "CONSTRUCT queries can be exported as RDF"
            )
        plan.query_text = named.text
        plan.bindings = dict(named.bind(dict(selection.params)))
    elif selection.params:
        raise InputError("query parameters were given without a query")
    return plan


class _GraphNames:
    """An embedded store seen through graph names only, so that ``published_graphs`` does not
    count every graph's triples (a full scan) just to choose which graphs to export."""

    def __init__(self, store: EmbeddedStore) -> None:
        self._store = store

    def graphs(self) -> list[GraphInfo]:
        names = (g.value for g in self._store.raw.named_graphs() if isinstance(g, ox.NamedNode))
        return [GraphInfo(name, 0) for name in sorted(names)]

    def graph_names(self) -> list[str]:
        return [info.iri for info in self.graphs()]

    def query(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.query(*args, **kwargs)


def _published(store: Store, settings: Settings) -> list[str]:
    """The published graphs, without counting triples on an embedded store."""
    if isinstance(store, EmbeddedStore):
        return published_graphs(cast(Store, _GraphNames(store)), settings)
    return published_graphs(store, settings)


def iter_quads(plan: ExportPlan) -> Iterator[ox.Quad]:
    """Every quad of the export, graph by graph (CONSTRUCT results in the default graph)."""
    if plan.query_text is not None:
        if not plan.graphs:
            return
        result = plan.store.query(
            plan.query_text,
            bindings=plan.bindings,
            default_graphs=plan.graphs,
            named_graphs=plan.graphs,
        )
        for triple in result:
            yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
        return
    if plan.selection.class_iri:
        yield from _class_quads(plan)
        return
    for graph in plan.graphs:
        yield from graph_quads(plan.store, graph)


def graph_quads(store: Store, graph: str) -> Iterator[ox.Quad]:
    """The quads of one named graph, streamed (a remote graph is spooled to a temporary file)."""
    name = ox.NamedNode(graph)
    if isinstance(store, EmbeddedStore):
        yield from store.raw.quads_for_pattern(None, None, None, name)
        return
    with tempfile.TemporaryFile() as spool:
        store.dump(spool, rdf_format("nt"), graph)
        spool.seek(0)
        for quad in ox.parse(spool, format=ox.RdfFormat.N_TRIPLES):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, name)


def _class_quads(plan: ExportPlan) -> Iterator[ox.Quad]:
    """Instances of the class (subclasses included) with their concise bounded descriptions."""
    if not plan.graphs:
        return
    instances = plan.store.query(
        _INSTANCES, bindings=plan.bindings, default_graphs=plan.graphs
    ).rows()
    roots = [row["s"] for row in instances if isinstance(row.get("s"), ox.NamedNode)]
    named_roots = [root for root in roots if isinstance(root, ox.NamedNode)]
    if isinstance(plan.store, EmbeddedStore):
        raw = plan.store.raw
        scope = {ox.NamedNode(g) for g in plan.graphs}
        for root in roots:
            seen: set[Any] = {root}
            todo: list[Any] = [root]
            while todo:
                subject = todo.pop()
                for quad in raw.quads_for_pattern(subject, None, None, None):
                    if quad.graph_name not in scope:
                        continue
                    yield quad
                    if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                        seen.add(quad.object)
                        todo.append(quad.object)
        return
    for root in named_roots:  # a remote store cannot be asked about one blank node: use a path
        rows = plan.store.query(
            _REMOTE_DESCRIPTION, bindings={"root": root}, union=False, named_graphs=plan.graphs
        )
        for solution in rows:
            yield ox.Quad(solution["s"], solution["p"], solution["o"], solution["g"])


class _Counting:
    """Reports progress as quads flow past."""

    def __init__(
        self, quads: Iterator[ox.Quad], progress: ExportProgress | None, expected: int
    ) -> None:
        self.quads = quads
        self.progress = progress
        self.expected = expected
        self.count = 0

    def __iter__(self) -> Iterator[ox.Quad]:
        for quad in self.quads:
            self.count += 1
            if self.progress and self.count % _PROGRESS_EVERY == 0:
                self.progress(self.count, self.expected)
            yield quad


def write_export(
    plan: ExportPlan,
    output: IO[bytes],
    *,
    gzip: bool = False,
    progress: ExportProgress | None = None,
) -> int | None:
    """Stream the export to ``output`` (gzip-compressed on request); return the quads written
    (None when pyoxigraph's own writer did the work and no progress was asked for)."""
    if gzip:
        with gzip_module.GzipFile(fileobj=output, mode="wb", mtime=0) as packed:
            return _write(plan, packed, progress)  # type: ignore[arg-type]
    return _write(plan, output, progress)


def _write(plan: ExportPlan, output: IO[bytes], progress: ExportProgress | None) -> int | None:
    written: int | None
    fmt = plan.fmt
    if fmt.name == "jsonld":
        context = compaction_context(plan.settings.context_file)
        counter = _Counting(iter_quads(plan), progress, plan.expected)
        write_jsonld(counter, output, context)
        written = counter.count
    elif (
        plan.whole_graphs
        and isinstance(plan.store, EmbeddedStore)
        and (fmt.name in ("nt", "ttl") or (fmt.name == "rdfxml" and len(plan.graphs) == 1))
    ):
        written = _native_per_graph(plan, output, progress)
    elif fmt.name in ("nq", "trig") and _is_whole_store(plan):
        assert isinstance(plan.store, EmbeddedStore)
        prefixes = PREFIXES if fmt.name == "trig" else None
        plan.store.raw.dump(output, ox_rdf(fmt), prefixes=prefixes)
        written = plan.expected if progress else None
    else:
        counter = _Counting(iter_quads(plan), progress, plan.expected)
        target = ox_rdf(fmt)
        items: Any = counter if target.supports_datasets else (q.triple for q in counter)
        prefixes = PREFIXES if fmt.name in ("ttl", "trig", "rdfxml") else None
        ox.serialize(items, output, target, prefixes=prefixes)
        written = counter.count
    if progress and written is not None:
        progress(written, max(written, plan.expected))
    return written


def _is_whole_store(plan: ExportPlan) -> bool:
    """True when the export is every quad of an embedded store (so its native dump is exact)."""
    if not plan.whole_graphs or not isinstance(plan.store, EmbeddedStore):
        return False
    raw = plan.store.raw
    if next(iter(raw.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return False
    return {g.value for g in raw.named_graphs() if isinstance(g, ox.NamedNode)} == set(plan.graphs)


def _native_per_graph(
    plan: ExportPlan, output: IO[bytes], progress: ExportProgress | None
) -> int | None:
    """pyoxigraph's own writer, one graph after the other: the fastest path for triple formats.

    Concatenating per-graph N-Triples or Turtle documents gives one valid document (Turtle
    prefixes may be declared again; blank nodes keep their store labels across graphs).
    """
    assert isinstance(plan.store, EmbeddedStore)
    raw = plan.store.raw
    counts = {info.iri: info.triples for info in plan.store.graphs()} if progress else {}
    done = 0
    target = ox_rdf(plan.fmt)
    for graph in plan.graphs:
        prefixes = PREFIXES if plan.fmt.name in ("ttl", "rdfxml") else None
        raw.dump(output, target, from_graph=ox.NamedNode(graph), prefixes=prefixes)
        done += counts.get(graph, 0)
        if progress:
            progress(done, plan.expected)
    return done if progress else None


def export_bytes(store: Store, settings: Settings, selection: Selection, fmt: str) -> bytes:
    """A (small) export held in memory, for tests and the release of small files."""
    import io

    buffer = io.BytesIO()
    write_export(plan_export(store, settings, selection, fmt), buffer)
    return buffer.getvalue()
