"""Dumps of the published view: every format round-trips, selections, and hostile requests."""

from __future__ import annotations

import gzip
import io
import json
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from lhs_kg import KnowledgeBase
from lhs_kg.errors import InputError, LhsKgError, QueryError, UnknownFormatError
from lhs_kg.export import EXPORT_FORMATS, Selection, export_bytes, plan_export, write_export
from lhs_kg.export.jsonld import Compactor, compaction_context, write_jsonld
from lhs_kg.formats import ox_rdf, rdf_format
from lhs_kg.graphs import published_graphs
from lhs_kg.store import RemoteStore
from tests.helpers import PENDING_TEXT, PUBLISHED_TEXT, OxigraphServer

DATASET_FORMATS = ("nq", "trig", "jsonld")


def source_graphs(kb: KnowledgeBase) -> dict[str, Graph]:
    """Each published graph as rdflib sees it, read through the store's own N-Triples dump."""
    graphs = {}
    for iri in published_graphs(kb.store, kb.settings):
        buffer = io.BytesIO()
        kb.store.dump(buffer, rdf_format("nt"), iri)
        graphs[iri] = Graph().parse(data=buffer.getvalue(), format="nt")
    return graphs


def parse_dataset(data: bytes, fmt: str) -> dict[str, Graph]:
    """A dataset parsed by pyoxigraph, each named graph handed to rdflib as N-Triples."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(data, format=ox_rdf(rdf_format(fmt))):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(name, []).append(quad.triple)
    return {
        iri: Graph().parse(data=ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES), format="nt")
        for iri, triples in by_graph.items()
    }


def canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """A dataset with canonical blank-node labels: equal datasets are isomorphic ones."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def published_quads(kb: KnowledgeBase, as_triples: bool = False) -> Iterator[ox.Quad]:
    for graph in published_graphs(kb.store, kb.settings):
        for quad in kb.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield ox.Quad(quad.subject, quad.predicate, quad.object) if as_triples else quad


@pytest.mark.parametrize("fmt", [pytest.param(f, id=f) for f in EXPORT_FORMATS])
def test_every_format_round_trips_to_an_isomorphic_copy(kb: KnowledgeBase, fmt: str) -> None:
    """Export, load into a fresh store, compare with blank nodes canonicalised (RDFC-1.0)."""
    data = export_bytes(kb.store, kb.settings, Selection(), fmt)
    fresh = ox.Store()
    if fmt in DATASET_FORMATS:
        fresh.load(data, ox_rdf(rdf_format(fmt)))
    else:
        fresh.load(data, ox_rdf(rdf_format(fmt)), to_graph=ox.DefaultGraph())
    got = canonical(fresh.quads_for_pattern(None, None, None, None))
    expected = canonical(published_quads(kb, as_triples=fmt not in DATASET_FORMATS))
    assert len(expected) > 4000
    assert got == expected


def test_the_jsonld_dump_reads_back_in_rdflib_too(kb: KnowledgeBase) -> None:
    iri = f"{kb.settings.base_iri}graph/data/extras"
    data = export_bytes(kb.store, kb.settings, Selection(graphs=(iri,)), "jsonld")
    with warnings.catch_warnings():  # rdflib 7.6's Dataset.parse uses its own deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset()
        dataset.parse(data=data, format="json-ld")
    graph = Graph()
    for s, p, o, g in dataset.quads():
        assert str(g) == iri
        graph.add((s, p, o))
    assert isomorphic(graph, source_graphs(kb)[iri])


def test_gzip_output_decompresses_to_the_plain_dump(kb: KnowledgeBase) -> None:
    plan = plan_export(kb.store, kb.settings, Selection(), "nq")
    packed = io.BytesIO()
    write_export(plan, packed, gzip=True)
    assert gzip.decompress(packed.getvalue()) == export_bytes(
        kb.store, kb.settings, Selection(), "nq"
    )


@pytest.mark.parametrize("fmt", [pytest.param(f, id=f) for f in EXPORT_FORMATS])
def test_unpublished_contributions_never_leave(kb: KnowledgeBase, fmt: str) -> None:
    data = export_bytes(kb.store, kb.settings, Selection(), fmt)
    assert b"not yet reviewed" not in data
    assert b"reviewed and published" in data
    assert b"graph/registry" not in data
    assert PENDING_TEXT and PUBLISHED_TEXT


def test_a_graph_selection_holds_exactly_that_graph(kb: KnowledgeBase) -> None:
    iri = f"{kb.settings.base_iri}graph/data/extras"
    got = parse_dataset(
        export_bytes(kb.store, kb.settings, Selection(graphs=(iri,)), "trig"), "trig"
    )
    assert list(got) == [iri]
    assert isomorphic(got[iri], source_graphs(kb)[iri])


def test_a_class_selection_holds_instances_with_their_blank_node_descriptions(
    kb: KnowledgeBase,
) -> None:
    data = export_bytes(
        kb.store, kb.settings, Selection(class_iri="https://example.org/ns/Widget"), "nt"
    )
    graph = Graph().parse(data=data, format="nt")
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert subjects == {URIRef("https://example.org/ns/thing")}
    names = {str(o) for o in graph.objects(None, URIRef("https://example.org/ns/name"))}
    assert names == {"inner", "deepest", "in a list", "shared blank node"}


def test_a_class_selection_includes_instances_of_subclasses(kb: KnowledgeBase) -> None:
    data = export_bytes(
        kb.store, kb.settings, Selection(class_iri="http://purl.org/ontology/bibo/Document"), "nt"
    )
    graph = Graph().parse(data=data, format="nt")
    assert (None, None, URIRef("https://w3id.org/lhs-kg/ontology/Source")) in graph


def test_a_named_construct_query_is_exported(kb: KnowledgeBase) -> None:
    selection = Selection(
        query="case-study-graph", params={"caseStudy": "https://w3id.org/lhs-kg/case-study/cyphp"}
    )
    graph = Graph().parse(
        data=export_bytes(kb.store, kb.settings, selection, "ttl"), format="turtle"
    )
    assert (URIRef("https://w3id.org/lhs-kg/case-study/cyphp"), None, None) in graph


@pytest.mark.parametrize(
    ("selection", "fmt", "error", "words"),
    [
        pytest.param(Selection(), "yaml", UnknownFormatError, "unknown RDF format", id="format"),
        pytest.param(
            Selection(graphs=("not an iri",)), "nq", InputError, "not a valid", id="bad-graph-iri"
        ),
        pytest.param(
            Selection(graphs=("../../etc/passwd",)),
            "nq",
            InputError,
            "IRI",
            id="graph-path-traversal",
        ),
        pytest.param(
            Selection(graphs=("https://w3id.org/lhs-kg/graph/registry",)),
            "nq",
            InputError,
            "not part of the published",
            id="registry-graph",
        ),
        pytest.param(
            Selection(graphs=("https://w3id.org/lhs-kg/graph/contribution/c1/v1",)),
            "nq",
            InputError,
            "not part of the published",
            id="pending-graph",
        ),
        pytest.param(Selection(class_iri="<x>"), "nq", InputError, "class", id="bad-class"),
        pytest.param(
            Selection(class_iri="https://e.org/C", query="case-studies"),
            "nq",
            InputError,
            "either",
            id="class-and-query",
        ),
        pytest.param(
            Selection(query="case-studies"), "nq", QueryError, "not a CONSTRUCT", id="select-query"
        ),
        pytest.param(
            Selection(query="no-such-query"), "nq", QueryError, "no-such-query", id="unknown-query"
        ),
        pytest.param(
            Selection(params={"a": "b"}),
            "nq",
            InputError,
            "without a query",
            id="params-without-query",
        ),
    ],
)
def test_hostile_requests_are_refused_before_writing(
    kb: KnowledgeBase, selection: Selection, fmt: str, error: type[LhsKgError], words: str
) -> None:
    with pytest.raises(error, match=words):
        plan_export(kb.store, kb.settings, selection, fmt)


def test_the_jsonld_dump_is_compacted_with_our_context(kb: KnowledgeBase) -> None:
    data = json.loads(export_bytes(kb.store, kb.settings, Selection(), "jsonld"))
    context = compaction_context(kb.settings.context_file)
    assert data["@context"] == context
    nodes = [node for graph in data["@graph"] for node in graph["@graph"]]
    case = next(n for n in nodes if n["@id"] == "https://w3id.org/lhs-kg/case-study/cyphp")
    assert case["@type"] == "CaseStudy"  # a term of the context
    assert any(key.startswith("lhs:") for key in case)  # compact IRIs for the rest


@pytest.mark.parametrize(
    "context",
    [
        pytest.param({"@vocab": "https://example.org/ns/", "@language": "de"}, id="vocab-lang"),
        pytest.param(
            {
                "name": {"@id": "https://example.org/ns/name", "@type": "@id"},
                "label": {"@id": "http://www.w3.org/2000/01/rdf-schema#label", "@language": "en"},
                "count": {
                    "@id": "https://example.org/ns/count",
                    "@type": "http://www.w3.org/2001/XMLSchema#integer",
                },
                "list": {"@id": "https://example.org/ns/list", "@container": "@list"},
                "part": {"@reverse": "https://example.org/ns/part"},
                "ex": "https://example.org/ns/",
                "thing": "https://example.org/x",
            },
            id="coercions-and-traps",
        ),
        pytest.param(
            {"@direction": "rtl", "ex": {"@id": "https://example.org/ns/", "@prefix": True}},
            id="direction-prefix",
        ),
    ],
)
def test_any_context_gives_back_the_same_triples(kb: KnowledgeBase, context: dict) -> None:  # type: ignore[type-arg]
    iri = f"{kb.settings.base_iri}graph/data/extras"
    plan = plan_export(kb.store, kb.settings, Selection(graphs=(iri,)), "jsonld")
    from lhs_kg.export import iter_quads

    buffer = io.BytesIO()
    write_jsonld(iter_quads(plan), buffer, context)
    got = parse_dataset(buffer.getvalue(), "jsonld")
    assert isomorphic(got[iri], source_graphs(kb)[iri])


def test_a_context_redefining_a_uri_scheme_is_refused() -> None:
    with pytest.raises(InputError, match="https"):
        Compactor({"https": "https://evil.example/"})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("{not json", "not a readable", id="malformed"),
        pytest.param(
            '{"@context": "https://remote.example/context.jsonld"}', "no local", id="remote-only"
        ),
    ],
)
def test_a_bad_context_file_is_refused_without_fetching(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "context.jsonld"
    path.write_text(text)
    with pytest.raises(InputError, match=words):
        compaction_context(path)


def test_remote_parts_of_a_context_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "context.jsonld"
    path.write_text(
        json.dumps(
            {
                "@context": [
                    "https://remote.example/c.jsonld",
                    {"@import": "https://remote.example/i", "ex": "https://example.org/"},
                ]
            }
        )
    )
    assert compaction_context(path) == {"ex": "https://example.org/"}


@pytest.mark.remote
@pytest.mark.parametrize("fmt", [pytest.param(f, id=f) for f in ("nq", "jsonld", "ttl")])
def test_a_remote_store_exports_the_same_graphs(
    kb: KnowledgeBase, oxigraph_server: OxigraphServer, fmt: str
) -> None:
    """The same export code runs on a SPARQL server reached over HTTP (Graph Store Protocol)."""
    oxigraph_server.clear()
    remote = RemoteStore(oxigraph_server.endpoints)
    try:
        extras = f"{kb.settings.base_iri}graph/data/extras"
        remote.load(
            export_bytes(kb.store, kb.settings, Selection(graphs=(extras,)), "nt"),
            rdf_format("nt"),
            extras,
        )
        data = export_bytes(remote, kb.settings, Selection(), fmt)
        fresh = ox.Store()
        target = {} if fmt != "ttl" else {"to_graph": ox.NamedNode(extras)}
        fresh.load(data, ox_rdf(rdf_format(fmt)), **target)
        mine = [q for q in published_quads(kb) if q.graph_name == ox.NamedNode(extras)]
        assert canonical(fresh.quads_for_pattern(None, None, None, None)) == canonical(mine)
        widgets = export_bytes(
            remote, kb.settings, Selection(class_iri="https://example.org/ns/Widget"), "nt"
        )
        assert b"deepest" in widgets and b"Gadget" not in widgets
    finally:
        remote.close()
        oxigraph_server.clear()
