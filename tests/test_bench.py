"""The benchmarks run as modules (``python -m bench.store``) with lhs_kg installed: none edits
``sys.path`` to find the package (that hid a missing install and ran the wrong copy)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

BENCH = sorted((ROOT / "bench").glob("*.py"))


def path_edits(tree: ast.AST) -> list[int]:
    """Line numbers that touch ``sys.path``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "path"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    ]


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in BENCH])
def test_no_benchmark_edits_sys_path(path: Path) -> None:
    lines = path_edits(ast.parse(path.read_text(encoding="utf-8")))
    assert not lines, f"bench/{path.name}:{lines}: run it as `python -m bench.{path.stem}` instead"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("sys.path.insert(0, str(ROOT))", True),
        ("import sys\nsys.path.append('..')", True),
        ("sys.executable", False),
        ("os.path.join(a, b)", False),
    ],
)
def test_the_check_sees_sys_path(source: str, flagged: bool) -> None:
    assert bool(path_edits(ast.parse(source))) is flagged
