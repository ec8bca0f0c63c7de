"""Fixtures for the export tests: a knowledge base on a temporary embedded store holding the
repository's content, awkward extra data, and contributions in two review states."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg import KnowledgeBase, Settings
from lhs_kg.graphs import contribution_graph, registry_graph, state_iri

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXTRAS = HERE / "data" / "extras.ttl"
SAYS = "<https://example.org/ns/says>"
PENDING_TEXT = f'<https://example.org/secret> {SAYS} "not yet reviewed" .'
PUBLISHED_TEXT = f'<https://example.org/ok> {SAYS} "reviewed and published" .'


def make_settings(tmp_path: Path, root: Path = ROOT, **env_extra: str) -> Settings:
    """Settings with the store in ``tmp_path`` and content from ``root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LHS_KG_")}
    env.update({"LHS_KG_ROOT": str(root), "LHS_KG_VAR_DIR": str(tmp_path / "var"), **env_extra})
    return Settings.from_env(env)


def fill(kb: KnowledgeBase) -> None:
    """Content files, the extras graph, one pending and one published contribution."""
    settings = kb.settings
    kb.rebuild()
    kb.load_bytes(EXTRAS.read_bytes(), "ttl", graph=f"{settings.base_iri}graph/data/extras")
    pending = contribution_graph(settings, "c1", 1)
    published = contribution_graph(settings, "c2", 1)
    kb.load_bytes(PENDING_TEXT.encode(), "nt", graph=pending)
    kb.load_bytes(PUBLISHED_TEXT.encode(), "nt", graph=published)
    state = "<https://w3id.org/lhs-kg/ontology/reviewState>"
    registry = (
        f"<{pending}> {state} <{state_iri(settings, 'pending')}> .\n"
        f"<{published}> {state} <{state_iri(settings, 'published')}> .\n"
    )
    kb.load_bytes(registry.encode(), "nt", graph=registry_graph(settings))


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The repository's content plus extras and contributions, on an embedded store (read only:
    shared by the tests of a module)."""
    base = KnowledgeBase(make_settings(tmp_path_factory.mktemp("kb")))
    fill(base)
    yield base
    base.close()


@pytest.fixture
def small_root(tmp_path: Path) -> Path:
    """A copy of the repository's ontology and shapes with one case study: quick to validate."""
    root = tmp_path / "content"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "shapes", root / "shapes")
    (root / "data" / "case-studies").mkdir(parents=True)
    for name in ("sources.ttl", "organisations.ttl"):
        shutil.copyfile(ROOT / "data" / name, root / "data" / name)
    shutil.copyfile(
        ROOT / "data" / "case-studies" / "billings-clinic.ttl",
        root / "data" / "case-studies" / "billings-clinic.ttl",
    )
    (root / "queries").mkdir()
    return root
