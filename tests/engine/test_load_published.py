"""A large load writes the published copy in the same pass (#16), and stays all or nothing.

Each case loads a file of over a megabyte (the batched bulk path) through ``load_file`` into a
store with the published layout, then asks the layout to check itself (``lhs-kg migrate-layout
--check``) and counts what the sync after the load copied again: nothing of the loaded file.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lhs_kg.cli import main
from lhs_kg.config import Settings
from lhs_kg.errors import ParseError
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import (
    contribution_graph,
    published_graph,
    published_record_graph,
    registry_graph,
    state_iri,
)
from lhs_kg.layout import PublishedLayout
from lhs_kg.loader import load_file, rebuild
from lhs_kg.store import EmbeddedStore
from tests.helpers import clean_env

LINES = 15_000
CONTENT = "https://w3id.org/lhs-kg/graph/data/case-studies/one"  # a content file's graph
NEW = "https://w3id.org/lhs-kg/graph/data/big"
PAD = "of a big file, padded to make it over a megabyte"


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A miniature project: one ontology file, one case-study file; its store on disk."""
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "data" / "case-studies").mkdir(parents=True)
    (root / "ontology" / "lhs.ttl").write_bytes(b"<https://e.org/a> <https://e.org/p> 1 .")
    (root / "data" / "case-studies" / "one.ttl").write_bytes(
        b"<https://e.org/x> <https://e.org/p> 1 ."
    )
    return Settings.from_env({"LHS_KG_ROOT": str(root), "LHS_KG_STORE": str(tmp_path / "store")})


def _big(folder: Path, name: str, graphs: list[str | None], *, broken: bool = False) -> Path:
    """Over a megabyte of statements spread over ``graphs`` (None: the file's default graph);
    one blank node recurs throughout; ``broken`` ends the file with an incomplete statement."""
    lines = []
    for i in range(LINES):
        subject = "_:shared" if i % 100 == 0 else f"<https://e.org/s{i}>"
        graph = graphs[i % len(graphs)]
        where = f" <{graph}>" if graph else ""
        lines.append(f'{subject} <https://e.org/p> "statement {i} {PAD}"{where} .\n')
    if broken:
        lines.append("<https://e.org/oops> <https://e.org/p> .\n")
    path = folder / name
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size > 1_000_000, "the file must take the bulk path"
    return path


def _store(settings: Settings, pending: str) -> EmbeddedStore:
    """The project loaded (layout in place) and a contribution version recorded as pending; the
    bulk loader writes 5,000 quads at a time, so a failure comes after several batches."""
    store = EmbeddedStore(settings.store_path, bulk_batch_quads=5_000)
    rebuild(store, settings)
    state = "<https://w3id.org/lhs-kg/ontology/reviewState>"
    record = f"<{pending}> {state} <{state_iri(settings, 'pending')}> ."
    store.load(record.encode(), rdf_format("nt"), registry_graph(settings))
    return store


def _copied_by_sync(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every graph the store is asked to copy from now on."""
    copied: list[str] = []
    real = store.copy_graphs

    def spy(sources: list[str], target: str) -> None:
        copied.extend(sources)
        real(sources, target)

    monkeypatch.setattr(store, "copy_graphs", spy)
    return copied


CASES = {
    "a new graph": ("big.nt", [None], NEW, {NEW}),
    "a published graph that exists": ("big.ttl", [None], CONTENT, {CONTENT}),
    "a dataset with a pending version": ("big.nq", [NEW, "pending", None], CONTENT, {NEW, CONTENT}),
}


@pytest.mark.parametrize(("name", "graphs", "target", "public"), CASES.values(), ids=CASES)
def test_a_large_load_publishes_in_the_same_pass_and_checks_clean(
    project: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    graphs: list[str | None],
    target: str,
    public: set[str],
) -> None:
    pending = contribution_graph(project, "c1", 1)
    store = _store(project, pending)
    copied = _copied_by_sync(store, monkeypatch)
    path = _big(tmp_path, name, [pending if g == "pending" else g for g in graphs])
    load_file(store, path, project, graph=target)
    layout = PublishedLayout(store, project)
    assert layout.check().ok
    assert copied == []
    assert public <= set(layout.sources())
    visible = store.raw.quads_for_pattern(None, None, None, ox.NamedNode(published_graph(project)))
    loaded_public = sum(1 for i in range(LINES) if graphs[i % len(graphs)] != "pending")
    assert sum(1 for _ in visible) == 2 + loaded_public  # the two content files' triples too
    line_one = {"o": ox.Literal(f"statement 1 {PAD}")}  # the pending version's, if any
    shown = store.query("ASK { ?s ?p ?o }", bindings=line_one, default_graphs=[layout.graph])
    assert shown.boolean is (graphs[1 % len(graphs)] != "pending")


@pytest.mark.parametrize(("name", "graphs", "target", "public"), CASES.values(), ids=CASES)
def test_a_large_load_with_a_bad_last_line_leaves_the_store_and_its_published_graph(
    project: Settings,
    tmp_path: Path,
    name: str,
    graphs: list[str | None],
    target: str,
    public: set[str],
) -> None:
    pending = contribution_graph(project, "c1", 1)
    store = _store(project, pending)
    before = set(store.raw), set(store.raw.named_graphs())
    path = _big(tmp_path, name, [pending if g == "pending" else g for g in graphs], broken=True)
    with pytest.raises(ParseError):
        load_file(store, path, project, graph=target)
    assert (set(store.raw), set(store.raw.named_graphs())) == before
    assert PublishedLayout(store, project).check().ok


def test_migrate_layout_check_is_clean_after_a_large_load_by_the_cli(
    project: Settings, tmp_path: Path
) -> None:
    env = {**clean_env(), "LHS_KG_ROOT": str(project.root), "LHS_KG_STORE": str(project.store)}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    path = _big(tmp_path, "big.nq", [NEW, None])
    loaded = runner.invoke(main, ["load", str(path)], env=env)
    assert loaded.exit_code == 0, loaded.output
    checked = runner.invoke(main, ["migrate-layout", "--check"], env=env)
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_a_small_dataset_file_adding_to_a_published_graph_reaches_the_published_view(
    project: Settings, tmp_path: Path, suffix: str
) -> None:
    """Regression (#16): a small N-Quads file adding to an existing graph was not copied to the
    published graph (only the graph named after the file was synced)."""
    added = "<https://e.org/added> <https://e.org/p> <https://e.org/o>"
    text = f"{added} <{CONTENT}> .\n" if suffix == "nq" else f"<{CONTENT}> {{ {added} . }}\n"
    small = tmp_path / f"small.{suffix}"
    small.write_text(text, encoding="utf-8")
    with EmbeddedStore(Path(project.store)) as store:
        rebuild(store, project)
        PublishedLayout(store, project).rebuild()
        load_file(store, small, project)
        ask = f"ASK {{ GRAPH ?g {{ {added} }} }}"
        seen = store.query(ask, union=False, named_graphs=[published_graph(project)])
        assert seen.boolean is True


BLANK_GRAPH_FILES = {
    "nq": '<https://e.org/a> <https://e.org/p> "named" <{g}> .\n'
    '<https://e.org/b> <https://e.org/p> "blank" _:g1 .\n',
    "trig": '<{g}> {{ <https://e.org/a> <https://e.org/p> "named" . }}\n'
    '_:g1 {{ <https://e.org/b> <https://e.org/p> "blank" . }}\n',
}


@pytest.mark.parametrize("suffix", sorted(BLANK_GRAPH_FILES))
def test_a_dataset_file_naming_a_graph_by_a_blank_node_is_refused_before_any_write(
    project: Settings, tmp_path: Path, suffix: str
) -> None:
    """Regression (#16, walk): such a load wrote its graphs, failed in the sync after it (exit
    2) and left a blank-named graph on which every later load and migrate-layout failed."""
    path = tmp_path / f"blank.{suffix}"
    path.write_text(BLANK_GRAPH_FILES[suffix].format(g=NEW), encoding="utf-8")
    env = {**clean_env(), "LHS_KG_ROOT": str(project.root), "LHS_KG_STORE": str(project.store)}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    before = runner.invoke(main, ["graphs", "--names"], env=env).output
    loaded = runner.invoke(main, ["load", str(path)], env=env)
    assert loaded.exit_code == 2
    assert "a blank node names a graph" in loaded.output
    assert "Traceback" not in loaded.output
    assert runner.invoke(main, ["graphs", "--names"], env=env).output == before
    assert runner.invoke(main, ["migrate-layout", "--check"], env=env).exit_code == 0


def test_a_graph_named_by_a_blank_node_already_in_the_store_does_not_break_loads(
    project: Settings, tmp_path: Path
) -> None:
    """The embedded store lists IRI-named graphs only, as the SPARQL stores do: a blank-named
    graph (written before the check above) made every sync fail on its name."""
    with EmbeddedStore(Path(project.store)) as store:
        rebuild(store, project)
        blank = ox.Quad(
            ox.NamedNode("https://e.org/b"),
            ox.NamedNode("https://e.org/p"),
            ox.Literal("blank"),
            ox.BlankNode("g1"),
        )
        store.raw.add(blank)
        assert ox.BlankNode("g1") in set(store.raw.named_graphs())
        names = store.graph_names()
        assert all(name.startswith("https://") for name in names)
        assert [g.iri for g in store.graphs()] == names
        small = tmp_path / "small.nq"
        small.write_text(f'<https://e.org/a> <https://e.org/p> "1" <{NEW}> .\n', encoding="utf-8")
        load_file(store, small, project)
        layout = PublishedLayout(store, project)
        assert NEW in layout.sources()
        assert layout.check().ok


INTO_KEPT_GRAPHS = {
    # a whole dump loaded back writes the published graph and its record too
    "published graph in a dataset": ("nq", "published", None),
    "record graph in a dataset": ("trig", "published-sources", None),
    "published graph as the target": ("ttl", None, "published"),
}


@pytest.mark.parametrize(
    ("suffix", "named", "target"), INTO_KEPT_GRAPHS.values(), ids=INTO_KEPT_GRAPHS
)
def test_a_load_into_the_graphs_the_layout_keeps_leaves_the_published_view_to_its_sources(
    project: Settings, tmp_path: Path, suffix: str, named: str | None, target: str | None
) -> None:
    """Regression (#16, walk): ``lhs-kg load`` of quads naming ``graph/published`` put them
    straight into the published view (no source, no review) and migrate-layout --check failed;
    a load touching a kept graph is now followed by a rebuild of the layout."""
    kept = {
        "published": published_graph(project),
        "published-sources": published_record_graph(project),
    }
    injected = '<https://e.org/injected> <https://e.org/p> "not from any source"'
    sourced = '<https://e.org/sourced> <https://e.org/p> "from a source"'
    if suffix == "nq":
        text = f"{injected} <{kept[named]}> .\n{sourced} <{NEW}> .\n"
    elif suffix == "trig":
        published = f"<{published_graph(project)}>"
        text = (
            f"<{kept[named]}> {{ {published} <http://www.w3.org/ns/prov#wasDerivedFrom> "
            f"<https://e.org/lie> . }}\n<{NEW}> {{ {sourced} . }}\n"
        )
    else:
        text = f"{injected} .\n"
    path = tmp_path / f"kept.{suffix}"
    path.write_text(text, encoding="utf-8")
    with EmbeddedStore(Path(project.store)) as store:
        rebuild(store, project)
        load_file(store, path, project, graph=kept[target] if target else None)
        layout = PublishedLayout(store, project)
        assert layout.check().ok
        assert "https://e.org/lie" not in layout.sources()
        view = [published_graph(project)]
        assert store.query(f"ASK {{ {injected} }}", default_graphs=view).boolean is False
        has_source = suffix != "ttl"
        assert store.query(f"ASK {{ {sourced} }}", default_graphs=view).boolean is has_source
