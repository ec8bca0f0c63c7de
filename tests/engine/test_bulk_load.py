"""Large files (> 1 MB) load in batches, one parse pass, with the promises of a small load.

The store writes 1,000 quads at a time here (the default is far larger) so every file of a few
thousand quads crosses several batch boundaries. Each test compares with what pyoxigraph's own
transactional ``Store.load`` does with the same file, the path small files take.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from lhs_kg.errors import ParseError, StoreError
from lhs_kg.formats import ox_rdf, rdf_format
from lhs_kg.store import EmbeddedStore
from lhs_kg.store.mirror import Mirror

BATCH = 1_000
QUADS = 5_000
TARGET = "https://example.org/graph/target"
OLD = "https://example.org/graph/old"  # exists before the load in the "graphs exist" cases
NEW = "https://example.org/graph/new"  # never exists before
FORMATS = ["nt", "ttl", "rdfxml", "jsonld", "nq", "trig"]
SHARED = ox.BlankNode("shared")
BEFORE = (
    b'<https://example.org/s1> <https://example.org/p> "before" . _:b <https://example.org/p> 1 .'
)
PAD = " padding so that a few thousand statements make more than a megabyte" * 3


def _quads(dataset: bool) -> list[ox.Quad]:
    """Padded statements; one blank node recurs in every batch; datasets spread over graphs."""
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    if dataset:
        graphs += [ox.NamedNode(OLD), ox.NamedNode(NEW), ox.NamedNode(TARGET)]
    out = []
    for i in range(QUADS):
        subject = SHARED if i % 100 == 0 else ox.NamedNode(f"https://example.org/s{i}")
        obj = ox.Literal(f"statement {i}{PAD}")
        out.append(
            ox.Quad(
                subject, ox.NamedNode("https://example.org/p"), obj, graphs[i % 4 % len(graphs)]
            )
        )
    return out


def _write(folder: Path, fmt: str, *, broken: bool = False) -> Path:
    """A file of ``_quads`` over 1 MB; ``broken`` loses its last non-blank byte (a syntax error)."""
    rdf = ox_rdf(rdf_format(fmt))
    quads = _quads(rdf.supports_datasets)
    data = ox.serialize(quads if rdf.supports_datasets else [q.triple for q in quads], None, rdf)
    assert data is not None
    if broken:
        data = data.rstrip()[:-1]
    path = folder / f"{'bad' if broken else 'good'}.{fmt}"
    path.write_bytes(data)
    assert path.stat().st_size > 1_000_000, "the file must take the bulk path"
    return path


def _prepare(store: ox.Store, prior: str) -> None:
    """The store before the load: empty, or with the target and one named graph already there."""
    if prior == "graphs exist":
        for graph in (TARGET, OLD):
            store.load(BEFORE, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))


def _shape(quads: Iterable[ox.Quad]) -> tuple[Counter[str], int]:
    """Quads with blank nodes made anonymous, and how many distinct blank nodes there were."""
    blanks: set[object] = set()

    def term(t: object) -> str:
        if isinstance(t, ox.BlankNode):
            blanks.add(t)
            return "_:"
        return str(t)

    rows = Counter(
        " ".join(term(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in quads
    )
    return rows, len(blanks)


def _snapshot(store: EmbeddedStore) -> tuple[set[ox.Quad], set[object]]:
    """Every quad (blank node ids included) and every graph name: "exactly as before"."""
    return set(store.raw), set(store.raw.named_graphs())


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    return EmbeddedStore(tmp_path / "store", bulk_batch_quads=BATCH)


PRIORS = ["empty store", "graphs exist"]


@pytest.mark.parametrize("prior", PRIORS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_large_file_loads_as_a_small_load_would(
    store: EmbeddedStore, tmp_path: Path, fmt: str, prior: str
) -> None:
    path = _write(tmp_path, fmt)
    _prepare(store.raw, prior)
    store.load(path, rdf_format(fmt), TARGET)
    reference = ox.Store()
    _prepare(reference, prior)
    reference.load(path=str(path), format=ox_rdf(rdf_format(fmt)), to_graph=ox.NamedNode(TARGET))
    assert _shape(store.raw) == _shape(reference)
    assert set(store.raw.named_graphs()) == set(reference.named_graphs())  # no staging left


@pytest.mark.parametrize("batch", [BATCH, 10 * QUADS], ids=["copied in batches", "one update"])
@pytest.mark.parametrize("fmt", ["ttl", "nq"])
def test_adding_to_an_existing_graph_gives_the_same_graph_either_way(
    tmp_path: Path, fmt: str, batch: int
) -> None:
    """Staging graphs over one batch are copied a batch at a time, smaller ones in one update."""
    store = EmbeddedStore(tmp_path / "store", bulk_batch_quads=batch)
    path = _write(tmp_path, fmt)
    _prepare(store.raw, "graphs exist")
    store.load(path, rdf_format(fmt), TARGET)
    reference = ox.Store()
    _prepare(reference, "graphs exist")
    reference.load(path=str(path), format=ox_rdf(rdf_format(fmt)), to_graph=ox.NamedNode(TARGET))
    assert _shape(store.raw) == _shape(reference)
    assert set(store.raw.named_graphs()) == set(reference.named_graphs())


def test_a_dataset_default_graph_goes_to_the_named_graph_as_in_a_small_load(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    store.load(_write(tmp_path, "nq"), rdf_format("nq"), TARGET)
    assert not list(store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    counts = {g.iri: g.triples for g in store.graphs()}
    assert counts == {TARGET: QUADS // 2, OLD: QUADS // 4, NEW: QUADS // 4}


@pytest.mark.parametrize("prior", PRIORS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_syntax_error_after_several_batches_leaves_the_store_as_it_was(
    store: EmbeddedStore, tmp_path: Path, fmt: str, prior: str
) -> None:
    path = _write(tmp_path, fmt, broken=True)
    parsed = 0
    with pytest.raises(SyntaxError):
        for _ in ox.parse(path=str(path), format=ox_rdf(rdf_format(fmt))):
            parsed += 1
    assert parsed >= 3 * BATCH, "the error must come after batches were written"
    _prepare(store.raw, prior)
    before = _snapshot(store)
    with pytest.raises(ParseError) as caught:
        store.load(path, rdf_format(fmt), TARGET)
    assert str(caught.value).startswith(f"{path}:")
    assert _snapshot(store) == before


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl", "trig"])
def test_a_line_format_error_names_the_line_and_column(
    store: EmbeddedStore, tmp_path: Path, fmt: str
) -> None:
    path = _write(tmp_path, fmt, broken=True)
    last_line = path.read_bytes().count(b"\n") + 1
    with pytest.raises(ParseError) as caught:
        store.load(path, rdf_format(fmt), TARGET)
    assert caught.value.line == last_line
    assert caught.value.column is not None
    assert str(caught.value).startswith(f"{path}:{last_line}:{caught.value.column}: ")


def test_nquads_naming_existing_and_new_graphs_fails_as_a_whole(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    _prepare(store.raw, "graphs exist")
    good = _write(tmp_path, "nq")
    bad = tmp_path / "several.nq"
    bad.write_bytes(good.read_bytes() + b"<https://example.org/x> <https://example.org/p> .\n")
    before = _snapshot(store)
    with pytest.raises(ParseError, match=rf"several\.nq:{QUADS + 1}:"):
        store.load(bad, rdf_format("nq"), TARGET)
    assert _snapshot(store) == before
    store.load(good, rdf_format("nq"), TARGET)  # and the same data without the error loads
    counts = {g.iri: g.triples for g in store.graphs()}
    assert counts == {TARGET: QUADS // 2 + 2, OLD: QUADS // 4 + 2, NEW: QUADS // 4}


@pytest.mark.parametrize("fmt", ["ttl", "nq", "jsonld"])
def test_a_blank_node_shared_across_batches_stays_one_node(
    store: EmbeddedStore, tmp_path: Path, fmt: str
) -> None:
    store.load(_write(tmp_path, fmt), rdf_format(fmt), TARGET)
    subjects = {q.subject for q in store.raw if isinstance(q.subject, ox.BlankNode)}
    assert len(subjects) == 1
    assert len(list(store.raw.quads_for_pattern(next(iter(subjects)), None, None))) == QUADS // 100


@pytest.mark.parametrize("size", ["small", "large"])
def test_loading_a_file_twice_gives_distinct_blank_nodes(
    store: EmbeddedStore, tmp_path: Path, size: str
) -> None:
    """RDF merge: two loads of the same file never share a blank node, whatever the file size."""
    path = _write(tmp_path, "ttl")
    if size == "small":
        path.write_bytes(b"_:shared <https://example.org/p> 1 , 2 .")
    for _ in range(2):
        store.load(path, rdf_format("ttl"), TARGET)
    subjects = {q.subject for q in store.raw if isinstance(q.subject, ox.BlankNode)}
    assert len(subjects) == 2


def test_replace_graph_with_a_large_file_swaps_or_keeps_the_old_content(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    _prepare(store.raw, "graphs exist")
    with pytest.raises(ParseError):
        store.replace_graph(TARGET, _write(tmp_path, "ttl", broken=True), rdf_format("ttl"))
    assert {g.iri: g.triples for g in store.graphs()} == {TARGET: 2, OLD: 2}
    store.replace_graph(TARGET, _write(tmp_path, "ttl"), rdf_format("ttl"))
    assert {g.iri: g.triples for g in store.graphs()} == {TARGET: QUADS, OLD: 2}


@pytest.mark.parametrize("broken", [False, True], ids=["loaded", "failed"])
def test_a_large_load_moves_the_generation_on(
    store: EmbeddedStore, tmp_path: Path, broken: bool
) -> None:
    path = _write(tmp_path, "nt", broken=broken)
    before = store.generation
    with pytest.raises(ParseError) if broken else contextlib.nullcontext():
        store.load(path, rdf_format("nt"), TARGET)
    assert store.generation != before


def test_a_missing_file_is_a_store_error_not_a_traceback(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    with pytest.raises(StoreError, match=r"gone\.nt: cannot load"):
        store.load(tmp_path / "gone.nt", rdf_format("nt"), TARGET)


def test_a_batch_size_below_one_is_refused(tmp_path: Path) -> None:
    store = EmbeddedStore(bulk_batch_quads=0)
    with pytest.raises(ValueError, match="batch_quads must be positive"):
        store.load(_write(tmp_path, "nt"), rdf_format("nt"), TARGET)


# -- the mirror: the published copy written in the same pass (#16) ---------------------------------

MIRROR = "https://example.org/graph/published"
PRIVATE = "https://example.org/graph/private"  # a graph the mirror does not want


def _mirror(keepers: Iterable[str] = ()) -> Mirror:
    """Wants every graph but ``PRIVATE`` (and itself), as the published view wants its sources."""
    return Mirror(MIRROR, lambda g: g not in (PRIVATE, MIRROR), frozenset(keepers))


def _prepare_published(store: ox.Store, prior: str) -> frozenset[str]:
    """``_prepare``, plus a mirror that already unites the graphs that exist (its keepers)."""
    _prepare(store, prior)
    keepers = frozenset({TARGET, OLD} if prior == "graphs exist" else ())
    for graph in keepers:
        store.update(f"ADD GRAPH <{graph}> TO GRAPH <{MIRROR}>")
    return keepers


@pytest.mark.parametrize("prior", PRIORS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_mirrored_load_leaves_the_mirror_as_a_copy_afterwards_would(
    store: EmbeddedStore, tmp_path: Path, fmt: str, prior: str
) -> None:
    path = _write(tmp_path, fmt)
    mirror = _mirror(_prepare_published(store.raw, prior))
    store.load(path, rdf_format(fmt), TARGET, mirror=mirror)
    reference = EmbeddedStore()
    _prepare_published(reference.raw, prior)
    reference.load(path, rdf_format(fmt), TARGET)
    reference.copy_graphs(sorted(mirror.copied), MIRROR)
    expected = {TARGET, NEW, OLD} if ox_rdf(rdf_format(fmt)).supports_datasets else {TARGET}
    assert mirror.copied == expected
    assert _shape(store.raw) == _shape(reference.raw)
    blank = [q for q in store.raw if isinstance(q.subject, ox.BlankNode)]
    copies = {q.subject for q in blank if q.graph_name == ox.NamedNode(MIRROR)}
    assert copies == {q.subject for q in blank}, "the mirror holds the loaded blank nodes"


def test_a_mirror_skips_graphs_it_does_not_want_and_existing_graphs_it_does_not_unite(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    """An existing graph not united yet is left to a whole copy afterwards (its old triples
    too); a graph the mirror does not want never reaches it."""
    _prepare(store.raw, "graphs exist")  # TARGET and OLD exist; the mirror unites neither
    mirror = Mirror(MIRROR, lambda g: g != NEW, frozenset())
    store.load(_write(tmp_path, "nq"), rdf_format("nq"), TARGET, mirror=mirror)
    assert mirror.copied == set()
    assert not store.raw.contains_named_graph(ox.NamedNode(MIRROR))


def test_a_small_load_is_not_mirrored(store: EmbeddedStore) -> None:
    """Under a megabyte a file is one transaction, not mirrored: the layout copies it after."""
    mirror = _mirror()
    store.load(BEFORE, rdf_format("ttl"), TARGET, mirror=mirror)
    assert mirror.copied == set()
    assert not store.raw.contains_named_graph(ox.NamedNode(MIRROR))


@pytest.mark.parametrize("prior", PRIORS)
@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl", "trig"])
def test_a_syntax_error_in_a_mirrored_load_leaves_the_store_and_the_mirror_as_they_were(
    store: EmbeddedStore, tmp_path: Path, fmt: str, prior: str
) -> None:
    """The file's first statements are already in the mirror through a keeper: they stay."""
    _prepare(store.raw, prior)
    keepers = {g.value for g in store.raw.named_graphs()}
    for graph in keepers:  # the file's first statements, held by each keeper and so the mirror
        store.raw.extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))
            for q in _quads(False)[:10]
        )
        store.raw.update(f"ADD GRAPH <{graph}> TO GRAPH <{MIRROR}>")
    before = _snapshot(store)
    mirror = _mirror(keepers)
    with pytest.raises(ParseError):
        store.load(_write(tmp_path, fmt, broken=True), rdf_format(fmt), TARGET, mirror=mirror)
    assert _snapshot(store) == before
    assert mirror.copied == set()
