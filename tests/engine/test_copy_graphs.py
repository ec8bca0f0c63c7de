"""Store.copy_graphs (#16): the published graph is filled by copies made inside the store, so a
blank node stays the same term in the copy, whether the graph is copied in one update or, on the
embedded store, a batch at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from lhs_kg.formats import rdf_format
from lhs_kg.store import EmbeddedStore, Store

EX = "https://example.org/copy/"
DATA = "\n".join(
    f'<{EX}s{i}> <{EX}p> [ <{EX}q> [ <{EX}r> {i} ] ] ; <{EX}label> "thing {i}" .' for i in range(5)
).encode()
TRIPLES = 20  # four a subject: two blank nodes deep, and a label
ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def triples(store: Store, graph: str) -> set[object]:
    return set(store.query(ALL, union=False, default_graphs=[graph]).triples())


def test_a_copy_holds_the_same_terms_on_each_engine(store: Store) -> None:
    store.load(DATA, rdf_format("ttl"), EX + "a")
    store.load(
        b'<https://example.org/copy/x> <https://example.org/copy/p> "1" .',
        rdf_format("nt"),
        EX + "b",
    )
    store.copy_graphs([EX + "a", EX + "b"], EX + "target")
    copied = triples(store, EX + "target")
    assert copied == triples(store, EX + "a") | triples(store, EX + "b")
    assert len(copied) == TRIPLES + 1


@pytest.mark.parametrize(
    "batch", [pytest.param(4, id="over-a-batch"), pytest.param(1000, id="one-update")]
)
def test_the_embedded_store_copies_a_large_graph_in_batches_keeping_blank_nodes(
    tmp_path: Path, batch: int
) -> None:
    with EmbeddedStore(tmp_path / "store", bulk_batch_quads=batch) as store:
        store.load(DATA, rdf_format("ttl"), EX + "a")
        store.copy_graphs([EX + "a"], EX + "target")
        assert triples(store, EX + "target") == triples(store, EX + "a")
        assert len(triples(store, EX + "target")) == TRIPLES


def test_copying_nothing_changes_nothing(store: Store) -> None:
    store.load(DATA, rdf_format("ttl"), EX + "a")
    store.copy_graphs([], EX + "target")
    assert [g.iri for g in store.graphs()] == [EX + "a"]
