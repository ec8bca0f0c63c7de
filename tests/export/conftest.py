"""Fixtures for the export tests: a knowledge base on a temporary embedded store holding the
repository's content, awkward extra data, and contributions in two review states."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg import KnowledgeBase
from tests.helpers import ROOT, fill_with_contributions, settings_for


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The repository's content plus extras and contributions, on an embedded store (read only:
    shared by the tests of a module)."""
    base = KnowledgeBase(settings_for(tmp_path_factory.mktemp("kb")))
    fill_with_contributions(base)
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
