"""Fixtures for the reasoning tests: a project root in a temporary folder with chosen data."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLES = HERE / "data"

MakeRoot = Callable[..., Path]


@pytest.fixture
def make_root(tmp_path: Path) -> MakeRoot:
    """Build ``tmp/root`` holding the repository's ontology and the given data files only."""

    def build(*data_files: Path) -> Path:
        root = tmp_path / "root"
        shutil.copytree(ROOT / "ontology", root / "ontology", ignore=_only_turtle)
        (root / "data").mkdir()
        for path in data_files:
            shutil.copy(path, root / "data" / path.name)
        return root

    return build


def _only_turtle(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if not name.endswith(".ttl")]
