"""Shared test code lives in ``tests/helpers.py``: no test module imports from a conftest or works
out the repository's paths from its own ``__file__`` (each copy drifts, and a conftest imported as a
module is loaded twice under two names)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT, TESTS

HELPERS = TESTS / "helpers.py"
MODULES = sorted(p for p in TESTS.rglob("*.py") if p != HELPERS)


def _is_conftest(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "conftest"


def conftest_imports(tree: ast.AST) -> list[int]:
    """Line numbers of imports from a conftest module (``tests.x.conftest``, ``.conftest``)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _is_conftest(node.module):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level and not node.module:
            lines += [node.lineno for alias in node.names if alias.name == "conftest"]
        elif isinstance(node, ast.Import):
            lines += [node.lineno for alias in node.names if _is_conftest(alias.name)]
    return lines


def own_paths(tree: ast.AST) -> list[int]:
    """Line numbers where a module reads ``__file__`` (to build a ROOT, HERE or data path)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "__file__"
    ]


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in MODULES])
def test_no_module_imports_from_a_conftest(path: Path) -> None:
    lines = conftest_imports(_tree(path))
    assert not lines, f"{path.relative_to(ROOT)}:{lines}: import it from tests.helpers instead"


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in MODULES])
def test_no_module_works_out_its_own_paths(path: Path) -> None:
    lines = own_paths(_tree(path))
    assert not lines, f"{path.relative_to(ROOT)}:{lines}: use the paths of tests.helpers instead"


@pytest.mark.parametrize(
    ("source", "conftest", "paths"),
    [
        pytest.param("from tests.conftest import free_port", True, False, id="root-conftest"),
        pytest.param("from tests.web.conftest import build_app", True, False, id="area-conftest"),
        pytest.param("from .conftest import example", True, False, id="relative"),
        pytest.param("from . import conftest", True, False, id="relative-module"),
        pytest.param("import tests.conftest", True, False, id="plain-import"),
        pytest.param("ROOT = Path(__file__).resolve().parents[2]", False, True, id="own-root"),
        pytest.param("HERE = os.path.dirname(__file__)", False, True, id="os-path"),
        pytest.param("from tests.helpers import ROOT, build_app", False, False, id="helpers"),
        pytest.param("from tests.conftests_old import x", False, False, id="lookalike-name"),
    ],
)
def test_the_guard_tells_the_two_apart(source: str, conftest: bool, paths: bool) -> None:
    """The checks above flag exactly what they name (so their passing means something)."""
    tree = ast.parse(source)
    assert bool(conftest_imports(tree)) is conftest
    assert bool(own_paths(tree)) is paths
