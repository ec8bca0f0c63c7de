"""One store test-suite, run on the embedded store and on a real oxigraph server."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from lhs_kg.config import RemoteEndpoints
from lhs_kg.errors import ParseError, QueryError, StoreError, StoreUnavailableError
from lhs_kg.formats import rdf_format, result_format
from lhs_kg.store import RemoteStore, Store

G1 = "https://example.org/graph/one"
G2 = "https://example.org/graph/two"
DATA = b"""@prefix ex: <https://example.org/> .
ex:a a ex:Thing ; ex:name "A" ; ex:knows ex:b .
ex:b a ex:Thing ; ex:name "B\\u00e9" .
_:x ex:about ex:a .
"""
TTL = rdf_format("ttl")


def test_load_then_query_over_the_union_of_graphs(store: Store) -> None:
    store.load(DATA, TTL, G1)
    store.load(b"<https://example.org/c> a <https://example.org/Thing> .", TTL, G2)
    rows = store.query("SELECT ?s WHERE { ?s a <https://example.org/Thing> } ORDER BY ?s").rows()
    assert [r["s"].value for r in rows] == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/c",
    ]


def test_query_without_union_sees_only_the_default_graph(store: Store) -> None:
    store.load(DATA, TTL, G1)
    assert store.query("ASK { ?s ?p ?o }", union=False).boolean is False
    assert store.query("ASK { ?s ?p ?o }").boolean is True


def test_bound_parameters_select_the_matching_rows(store: Store) -> None:
    store.load(DATA, TTL, G1)
    rows = store.query(
        "SELECT ?name WHERE { ?s <https://example.org/name> ?name }",
        bindings={"s": ox.NamedNode("https://example.org/b")},
    ).rows()
    assert [r["name"].value for r in rows] == ["Bé"]


def test_bound_literal_with_quotes_is_not_injected_as_text(store: Store) -> None:
    store.load(DATA, TTL, G1)
    hostile = ox.Literal('A" } ; DROP ALL ; #')
    rows = store.query(
        "SELECT ?s WHERE { ?s <https://example.org/name> ?name }", bindings={"name": hostile}
    ).rows()
    assert rows == []
    assert store.graphs()[0].triples == 6


def test_graphs_lists_each_named_graph_with_its_count(store: Store) -> None:
    store.load(DATA, TTL, G1)
    store.load(b"<https://example.org/c> a <https://example.org/Thing> .", TTL, G2)
    assert [(g.iri, g.triples) for g in store.graphs()] == [(G1, 6), (G2, 1)]


def test_replace_graph_swaps_content_and_leaves_other_graphs(store: Store) -> None:
    store.load(DATA, TTL, G1)
    store.load(b"<https://example.org/c> a <https://example.org/Thing> .", TTL, G2)
    store.replace_graph(G1, b"<https://example.org/z> a <https://example.org/Thing> .", TTL)
    assert {(g.iri, g.triples) for g in store.graphs()} == {(G1, 1), (G2, 1)}


def test_a_syntax_error_leaves_the_store_exactly_as_it_was(store: Store) -> None:
    store.load(DATA, TTL, G1)
    bad = DATA + b'<https://example.org/q> <https://example.org/p> "unterminated .\n'
    with pytest.raises(ParseError) as caught:
        store.replace_graph(G1, bad, TTL)
    assert caught.value.line is not None
    with pytest.raises(ParseError):
        store.load(bad, TTL, G2)
    assert [(g.iri, g.triples) for g in store.graphs()] == [(G1, 6)]


def test_update_inserts_and_drop_graph_removes(store: Store) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <https://e.org/s> <https://e.org/p> 1 }} }}")
    assert [g.iri for g in store.graphs()] == [G2]
    store.drop_graph(G2)
    store.drop_graph(G2)  # dropping a missing graph is not an error
    assert store.graphs() == []


def test_syntax_error_in_a_query_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError):
        store.query("SELECT * WHERE { ?s ?p }")


@pytest.mark.parametrize("fmt", ["ttl", "nt", "rdfxml", "jsonld"])
def test_dump_of_a_graph_is_isomorphic_to_what_was_loaded(store: Store, fmt: str) -> None:
    store.load(DATA, TTL, G1)
    out = io.BytesIO()
    store.dump(out, rdf_format(fmt), G1)
    expected = rdflib.Graph().parse(data=DATA, format="turtle")
    got = rdflib.Graph().parse(data=out.getvalue(), format=rdf_format(fmt).rdflib_name)
    assert isomorphic(expected, got)


def test_dump_of_the_dataset_keeps_graph_names(store: Store) -> None:
    store.load(DATA, TTL, G1)
    store.load(b"<https://example.org/c> a <https://example.org/Thing> .", TTL, G2)
    out = io.BytesIO()
    store.dump(out, rdf_format("nq"))
    graphs = {q.graph_name.value for q in ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {G1, G2}


def test_dump_of_the_dataset_in_a_triples_format_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="one graph only"):
        store.dump(io.BytesIO(), rdf_format("ttl"))


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_results_serialise_in_every_results_format(store: Store, fmt: str) -> None:
    store.load(DATA, TTL, G1)
    result = store.query("SELECT ?s ?name WHERE { ?s <https://example.org/name> ?name }")
    body = result.serialize(result_format(fmt))
    assert body is not None
    assert "Bé" in body.decode("utf-8")


def test_construct_returns_triples(store: Store) -> None:
    store.load(DATA, TTL, G1)
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples()
    assert len(triples) == 6


def test_add_quads_is_one_transaction_into_named_graphs(store: Store) -> None:
    quad = ox.Quad(
        ox.NamedNode("https://e.org/s"),
        ox.NamedNode("https://e.org/p"),
        ox.Literal("v"),
        ox.NamedNode(G2),
    )
    store.add_quads([quad])
    assert [(g.iri, g.triples) for g in store.graphs()] == [(G2, 1)]


def test_embedded_store_persists_across_restarts(tmp_path: Path) -> None:
    from lhs_kg.store import EmbeddedStore

    first = EmbeddedStore(tmp_path / "s")
    first.load(DATA, TTL, G1)
    first.close()
    second = EmbeddedStore(tmp_path / "s")
    assert [(g.iri, g.triples) for g in second.graphs()] == [(G1, 6)]
    second.close()


def test_a_store_folder_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]);"
            " print('ready', flush=True); time.sleep(60)",
            str(tmp_path / "s"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        from lhs_kg.store import EmbeddedStore

        with pytest.raises(StoreError, match="in use by another process"):
            EmbeddedStore(tmp_path / "s")
    finally:
        holder.kill()
        holder.wait()


def test_an_unreachable_remote_store_names_its_url() -> None:
    from tests.helpers import free_port

    url = f"http://127.0.0.1:{free_port()}"
    remote = RemoteStore(
        RemoteEndpoints(f"{url}/query", f"{url}/update", f"{url}/store"), timeout_s=2
    )
    with pytest.raises(StoreUnavailableError, match=url):
        remote.query("ASK {}")
    with pytest.raises(StoreUnavailableError, match=url):
        remote.load(DATA, TTL, G1)


BAD_GRAPH_OPERATIONS = {
    "load": lambda store, graph: store.load(DATA, TTL, graph),
    "replace": lambda store, graph: store.replace_graph(graph, DATA, TTL),
    "drop": lambda store, graph: store.drop_graph(graph),
    "dump": lambda store, graph: store.dump(io.BytesIO(), TTL, graph),
}


@pytest.mark.parametrize("operation", sorted(BAD_GRAPH_OPERATIONS))
@pytest.mark.parametrize("graph", ["not an iri", "https://e.org/g> } DROP ALL {", ""])
def test_a_malformed_graph_name_is_refused(store: Store, operation: str, graph: str) -> None:
    store.load(DATA, TTL, G1)
    with pytest.raises(StoreError, match="not a valid graph IRI"):
        BAD_GRAPH_OPERATIONS[operation](store, graph)
    assert [(g.iri, g.triples) for g in store.graphs()] == [(G1, 6)]


DATASET = {
    "nq": (
        f'<https://example.org/a> <https://example.org/p> "1" <{G1}> .\n'
        f'<https://example.org/b> <https://example.org/p> "2" <{G2}> .\n'
        '<https://example.org/d> <https://example.org/p> "4" .\n'
    ).encode(),
    "trig": (
        "@prefix ex: <https://example.org/> .\n"
        f'<{G1}> {{ ex:a ex:p "1" . }}\n<{G2}> {{ ex:b ex:p "2" . }}\nex:d ex:p "4" .\n'
    ).encode(),
}
G3 = "https://example.org/graph/three"


@pytest.mark.parametrize("fmt", sorted(DATASET))
def test_a_dataset_file_writes_the_graphs_it_names(store: Store, fmt: str) -> None:
    """Regression (#16): a store server got an N-Quads or TriG file flattened into one graph."""
    store.load(DATASET[fmt], rdf_format(fmt), G3)
    rows = store.query(
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s <https://example.org/p> ?o } } ORDER BY ?s",
        union=False,
        named_graphs=[G1, G2, G3],
    ).rows()
    assert [(r["g"].value, r["s"].value.rsplit("/", 1)[1]) for r in rows] == [
        (G1, "a"),
        (G2, "b"),
        (G3, "d"),  # the file's default graph goes to the graph the load names
    ]


def test_a_dataset_file_that_does_not_parse_writes_nothing(store: Store) -> None:
    bad = DATASET["nq"] + b"<https://example.org/x> <https://example.org/p> .\n"
    with pytest.raises(ParseError) as caught:
        store.load(bad, rdf_format("nq"), G3)
    assert caught.value.line == 4
    assert store.graph_names() == []
