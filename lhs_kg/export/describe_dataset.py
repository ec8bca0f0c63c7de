"""The dataset description in VoID and DCAT, computed from the store so it is always current.

Statistics are counted over the published view (the one published graph of #16: the union of
the graphs of ``published_graphs``): ``void:triples`` is the number of distinct triples,
``void:entities`` the number of distinct IRI subjects; each published named graph is a
``void:subset`` with its own ``void:triples``.
Descriptions are cached per (graphs and their triple counts, server, version), so a change of
content gives a new description and an unchanged store costs one count query per request.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from lhs_kg import __version__, sparql
from lhs_kg.config import Settings
from lhs_kg.export.jsonld import compaction_context
from lhs_kg.formats import RDF_FORMATS, Format
from lhs_kg.graphs import published_graphs
from lhs_kg.layout import PublishedLayout
from lhs_kg.loader import content_files
from lhs_kg.namespaces import PREFIXES
from lhs_kg.store import Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "LHS knowledge graph"
DESCRIPTION = (
    "Linked data about Learning Health Systems: the framework of rationales, strategic "
    "considerations, the Better Care Loop and technical building blocks as SKOS concept schemes; "
    "curated case studies of learning health system initiatives with their NASSS complexity "
    "assessments and outcomes; and the literature they rest on."
)
PUBLISHER = "lhs-kg developers"
IANA = "https://www.iana.org/assignments/media-types/"

_SPO = sparql.text("export/dataset-counts")
_ENTITIES = sparql.text("export/dataset-entities")
_CLASSES = sparql.text("export/dataset-classes")
_PROPERTIES = sparql.text("export/dataset-properties")
_EXAMPLES = sparql.text("export/dataset-examples")
_ANY_EXAMPLES = sparql.text("export/dataset-any-examples")
_REGISTRY_TIMES = sparql.text("export/dataset-modified")
DUMP_FORMATS = ("nq", "trig", "ttl", "nt", "jsonld", "rdfxml")


@dataclass(frozen=True)
class Distribution:
    """One downloadable form of the dataset."""

    fmt: Format
    url: str


@dataclass(frozen=True)
class DatasetDescription:
    """Everything VoID and DCAT say about the published dataset; :meth:`to_graph` gives the RDF."""

    iri: str
    title: str
    description: str
    license: str
    publisher: str
    version: str
    issued: dt.date
    modified: dt.date
    sparql_endpoint: str
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    graphs: list[tuple[str, int]]
    classes: list[tuple[str, int]]
    property_partitions: list[tuple[str, int]]
    vocabularies: list[str]
    examples: list[str]
    distributions: list[Distribution] = field(default_factory=list)

    @property
    def class_count(self) -> int:
        """Distinct classes (objects of rdf:type)."""
        return len(self.classes)

    def subset_iri(self, graph: str) -> str:
        """The IRI of the void:subset that describes one named graph."""
        return f"{self.iri}/graph/{quote(graph, safe='')}"

    def to_graph(self) -> Graph:
        """The description as an RDF graph (VoID + DCAT + DCTerms)."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        g.bind("sd", SD)
        ds = URIRef(self.iri)
        g.add((ds, RDF.type, VOID.Dataset))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.title, Literal(self.title, lang="en")))
        g.add((ds, DCTERMS.description, Literal(self.description, lang="en")))
        g.add((ds, DCTERMS.license, URIRef(self.license)))
        publisher = BNode()
        g.add((ds, DCTERMS.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Organization))
        g.add((publisher, FOAF.name, Literal(self.publisher)))
        g.add((ds, URIRef(str(DCAT) + "version"), Literal(self.version)))
        g.add((ds, OWL.versionInfo, Literal(self.version)))
        g.add((ds, DCTERMS.issued, Literal(self.issued.isoformat(), datatype=XSD.date)))
        g.add((ds, DCTERMS.modified, Literal(self.modified.isoformat(), datatype=XSD.date)))
        g.add((ds, VOID.sparqlEndpoint, URIRef(self.sparql_endpoint)))
        for name, value in (
            ("triples", self.triples),
            ("entities", self.entities),
            ("classes", self.class_count),
            ("properties", self.properties),
            ("distinctSubjects", self.distinct_subjects),
            ("distinctObjects", self.distinct_objects),
        ):
            g.add((ds, VOID[name], Literal(value, datatype=XSD.integer)))
        for vocabulary in self.vocabularies:
            g.add((ds, VOID.vocabulary, URIRef(vocabulary)))
        for example in self.examples:
            g.add((ds, VOID.exampleResource, URIRef(example)))
        for graph, count in self.graphs:
            subset = URIRef(self.subset_iri(graph))
            g.add((ds, VOID.subset, subset))
            g.add((subset, RDF.type, VOID.Dataset))
            g.add((subset, SD.name, URIRef(graph)))
            g.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
        for cls, count in self.classes:
            part = BNode()
            g.add((ds, VOID.classPartition, part))
            g.add((part, VOID["class"], URIRef(cls)))
            g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
        for prop, count in self.property_partitions:
            part = BNode()
            g.add((ds, VOID.propertyPartition, part))
            g.add((part, VOID.property, URIRef(prop)))
            g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))
        for dist in self.distributions:
            node = URIRef(f"{self.iri}/distribution/{dist.fmt.name}")
            g.add((ds, DCAT.distribution, node))
            g.add((node, RDF.type, DCAT.Distribution))
            g.add((node, DCTERMS.title, Literal(f"{self.title} ({dist.fmt.name})", lang="en")))
            g.add((node, DCAT.downloadURL, URIRef(dist.url)))
            g.add((node, DCAT.accessURL, URIRef(dist.url)))
            g.add((node, DCAT.mediaType, URIRef(IANA + dist.fmt.media_type)))
            g.add((node, DCTERMS.license, URIRef(self.license)))
            if dist.fmt.name == "nq":
                g.add((ds, VOID.dataDump, URIRef(dist.url)))
        g.add((ds, RDFS.label, Literal(self.title, lang="en")))
        return g

    def serialize(self, fmt: Format, settings: Settings, *, note: str | None = None) -> bytes:
        """The description in an RDF format (JSON-LD compacted with our context); ``note``, a
        caveat on its figures (counted before the data's latest change), as an rdfs:comment
        of the dataset, so a harvester that reads the RDF alone reads it too."""
        graph = self.to_graph()
        if note is not None:
            graph.add((URIRef(self.iri), RDFS.comment, Literal(note, lang="en")))
        if fmt.name == "jsonld":
            context = compaction_context(settings.context_file)
            return graph.serialize(
                format="json-ld", context=context, auto_compact=True, encoding="utf-8"
            )
        if fmt.name in ("nq", "trig"):
            fmt = RDF_FORMATS[0]
        assert fmt.rdflib_name is not None
        return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")


_cache: dict[tuple[object, ...], DatasetDescription] = {}
_cache_lock = threading.Lock()
#: Descriptions of each store's current generation, by what was asked (server, version, …).
_by_generation: weakref.WeakKeyDictionary[
    Store, tuple[int, dict[tuple[object, ...], DatasetDescription]]
] = weakref.WeakKeyDictionary()


def describe_dataset(
    store: Store,
    settings: Settings,
    *,
    server_url: str | None = None,
    version: str | None = None,
    issued: dt.date | None = None,
    dump_url: str | None = None,
) -> DatasetDescription:
    """Count and describe the published view; ``server_url`` is where /sparql and /export live."""
    server = (server_url or settings.base_iri).rstrip("/")
    asked = (server, version, issued, dump_url, settings.base_iri)
    generation = store.generation  # before the data: see lhs_kg.cache
    if generation is not None:  # the counts hold for the whole generation: no scan per request
        with _cache_lock:
            found = _by_generation.get(store)
        if found is not None and found[0] == generation and asked in found[1]:
            return found[1][asked]
    layout = PublishedLayout(store, settings)
    if layout.ready():  # the published graph (#16): counts read the published graphs only
        counts = layout.source_counts()
        graphs, view = sorted(counts), [layout.graph]
    else:
        graphs = view = published_graphs(store, settings)
        counts = {info.iri: info.triples for info in store.graphs()}
    per_graph = [(g, counts.get(g, 0)) for g in graphs]
    key = (tuple(per_graph), *asked)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is None:
        cached = _compute(store, settings, server, view, per_graph, version, issued, dump_url)
        with _cache_lock:
            if len(_cache) > 16:
                _cache.clear()
            _cache[key] = cached
    if generation is not None:
        with _cache_lock:
            found = _by_generation.get(store)
            if found is None or found[0] != generation:
                found = (generation, {})
                _by_generation[store] = found
            found[1][asked] = cached
    return cached


def _count(
    store: Store, text: str, graphs: list[str]
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    if not graphs:
        return []
    return store.query(text, default_graphs=graphs, union=False).rows()


def _int(row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal], name: str) -> int:
    value = row.get(name)
    return int(value.value) if value is not None else 0


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def _compute(
    store: Store,
    settings: Settings,
    server: str,
    graphs: list[str],
    per_graph: list[tuple[str, int]],
    version: str | None,
    issued: dt.date | None,
    dump_url: str | None,
) -> DatasetDescription:
    spo = _count(store, _SPO, graphs)
    totals = spo[0] if spo else {}
    entities = _count(store, _ENTITIES, graphs)
    classes = [
        (row["c"].value, _int(row, "n"))
        for row in _count(store, _CLASSES, graphs)
        if isinstance(row.get("c"), ox.NamedNode)
    ]
    properties = [(row["p"].value, _int(row, "n")) for row in _count(store, _PROPERTIES, graphs)]
    examples = [row["s"].value for row in _count(store, _EXAMPLES, graphs)] or [
        row["s"].value for row in _count(store, _ANY_EXAMPLES, graphs)
    ]
    vocabularies = sorted({_namespace(iri) for iri, _ in classes + properties})
    first, last = _content_dates(settings)
    latest = _registry_date(store, settings)
    modified = (
        max(d for d in (last, latest) if d is not None) if (last or latest) else (dt.date.today())
    )
    base_dump = dump_url or f"{server}/export"
    distributions = [
        Distribution(fmt, f"{base_dump}?format={fmt.name}")
        for fmt in RDF_FORMATS
        if fmt.name in DUMP_FORMATS
    ]
    return DatasetDescription(
        iri=f"{settings.base_iri}dataset",
        title=TITLE,
        description=DESCRIPTION,
        license=LICENSE,
        publisher=PUBLISHER,
        version=version or __version__,
        issued=issued or first or modified,
        modified=modified,
        sparql_endpoint=f"{server}/sparql",
        triples=_int(totals, "triples"),
        entities=_int(entities[0], "n") if entities else 0,
        distinct_subjects=_int(totals, "subjects"),
        distinct_objects=_int(totals, "objects"),
        properties=_int(totals, "properties"),
        graphs=per_graph,
        classes=classes,
        property_partitions=properties,
        vocabularies=vocabularies,
        examples=examples,
        distributions=distributions,
    )


def _content_dates(settings: Settings) -> tuple[dt.date | None, dt.date | None]:
    """The oldest and newest modification dates of the content files."""
    stamps: list[float] = []
    for path in content_files(settings):
        try:
            stamps.append(Path(path).stat().st_mtime)
        except OSError:
            continue
    if not stamps:
        return None, None
    as_date = [dt.datetime.fromtimestamp(s, tz=dt.UTC).date() for s in (min(stamps), max(stamps))]
    return as_date[0], as_date[1]


def _registry_date(store: Store, settings: Settings) -> dt.date | None:
    """The newest provenance time recorded for a contribution, if any."""
    from lhs_kg.graphs import registry_graph

    registry = registry_graph(settings)
    rows = store.query(_REGISTRY_TIMES, default_graphs=[registry], union=False).rows()
    value = rows[0].get("latest") if rows else None
    if not isinstance(value, ox.Literal):
        return None
    try:
        return dt.datetime.fromisoformat(value.value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value.value[:10])
        except ValueError:
            return None
