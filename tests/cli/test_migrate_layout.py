"""``lhs-kg migrate-layout`` (#16): a store built the old way (every published graph named by
each query) gets its one published graph; the command is idempotent and says what it did."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from lhs_kg.config import Settings
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import (
    contribution_graph,
    published_graph,
    published_graphs,
    registry_graph,
    state_iri,
)
from lhs_kg.kb import KnowledgeBase
from lhs_kg.loader import check_file, content_files, graph_iri_for
from lhs_kg.store import EmbeddedStore, Store
from tests.helpers import PENDING_TEXT, PUBLISHED_TEXT, ROOT, clean_env, union_of

SECRET = ox.NamedNode("https://example.org/secret")


def build_old_store(store: Store, settings: Settings) -> None:
    """Content files, one pending and one published contribution, written straight to the
    store as the code before #16 left them: no published graph."""
    for path in content_files(settings):
        store.load(path, check_file(path, settings), graph_iri_for(path, settings))
    pending = contribution_graph(settings, "c1", 1)
    published = contribution_graph(settings, "c2", 1)
    store.load(PENDING_TEXT.encode(), rdf_format("nt"), pending)
    store.load(PUBLISHED_TEXT.encode(), rdf_format("nt"), published)
    state = "<https://w3id.org/lhs-kg/ontology/reviewState>"
    registry = (
        f"<{pending}> {state} <{state_iri(settings, 'pending')}> .\n"
        f"<{published}> {state} <{state_iri(settings, 'published')}> .\n"
    )
    store.load(registry.encode(), rdf_format("nt"), registry_graph(settings))


def union(kb: KnowledgeBase, graphs: list[str]) -> set[ox.Triple]:
    return union_of(kb.store, graphs)


def secret_visible(kb: KnowledgeBase) -> bool:
    return kb.query("ASK { ?s ?p ?o }", bindings={"s": SECRET}).boolean


def test_an_old_store_is_read_correctly_then_migrated_on_each_engine(store: Store) -> None:
    settings = Settings(store="memory")
    build_old_store(store, settings)
    kb = KnowledgeBase(settings, store=store)
    assert not kb.layout.ready()
    legacy = kb.published_scope()
    assert legacy is not None and contribution_graph(settings, "c2", 1) in legacy
    assert not secret_visible(kb) and kb.query("ASK { ?s ?p ?o }", scope="all").boolean
    kb.layout.rebuild()
    fresh = KnowledgeBase(settings, store=store)  # a process started after the migration
    assert fresh.published_scope() == [published_graph(settings)]
    assert union(fresh, [published_graph(settings)]) == union(
        fresh, published_graphs(store, settings)
    )
    assert not secret_visible(fresh)
    assert fresh.layout.check().ok


@pytest.fixture
def old_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI run over an on-disk store built the old way."""
    env = {**clean_env(), "LHS_KG_STORE": str(tmp_path / "store"), "LHS_KG_ROOT": str(ROOT)}
    settings = Settings.from_env(env)
    with EmbeddedStore(tmp_path / "store") as store:
        build_old_store(store, settings)
    return env


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_migrate_layout_builds_the_graph_once_and_says_so(old_env: dict[str, str]) -> None:
    checked = run(old_env, "migrate-layout", "--check")
    assert checked.exit_code == 1, checked.output
    assert "no published graph yet" in checked.output
    migrated = run(old_env, "migrate-layout")
    assert migrated.exit_code == 0, migrated.output
    assert "built <https://w3id.org/lhs-kg/graph/published> from" in migrated.output
    again = run(old_env, "migrate-layout")
    assert again.exit_code == 0, again.output
    assert "nothing to do" in again.output
    assert run(old_env, "migrate-layout", "--check").exit_code == 0
    settings = Settings.from_env(old_env)
    with KnowledgeBase(settings) as kb:
        assert union(kb, [published_graph(settings)]) == union(
            kb, published_graphs(kb.store, settings)
        )
        assert not secret_visible(kb)
        every_graph = {g.iri for g in kb.graphs()}
        assert contribution_graph(settings, "c1", 1) in every_graph  # history kept


def test_migrate_layout_repairs_a_damaged_graph(old_env: dict[str, str]) -> None:
    assert run(old_env, "migrate-layout").exit_code == 0
    settings = Settings.from_env(old_env)
    with EmbeddedStore(settings.store_path) as store:
        store.load(PENDING_TEXT.encode(), rdf_format("nt"), published_graph(settings))
    checked = run(old_env, "migrate-layout", "--check")
    assert checked.exit_code == 1
    assert "1 triples in the graph that no published graph holds" in checked.output
    assert run(old_env, "migrate-layout").exit_code == 0
    assert run(old_env, "migrate-layout", "--check").exit_code == 0


@pytest.mark.parametrize(
    ("store", "args", "message"),
    [
        pytest.param("missing", ["migrate-layout"], "no store at", id="no-store"),
        pytest.param(
            "missing", ["migrate-layout", "--bogus"], "no such option", id="unknown-option"
        ),
        pytest.param(
            "http://127.0.0.1:9/",
            ["migrate-layout", "--check"],
            "cannot reach the sparql server",
            id="server-down",
        ),
    ],
)
def test_migrate_layout_usage_and_store_errors_exit_2(
    tmp_path: Path, store: str, args: list[str], message: str
) -> None:
    where = store if "://" in store else str(tmp_path / store)
    env = {**clean_env(), "LHS_KG_STORE": where, "LHS_KG_ROOT": str(ROOT)}
    result = run(env, *args)
    assert result.exit_code == 2
    assert message in result.output.lower()
    assert "Traceback" not in result.output
