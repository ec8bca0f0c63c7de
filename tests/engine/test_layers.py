"""The engine's layer: nothing in ``lhs_kg`` imports the web app or its framework.

Faces depend on the engine, never the reverse (docs/DESIGN: "the engine never imports Flask").
The walk reads every module's imports, including those inside functions, so a lazy import that
would only fail at run time fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lhs_kg

ENGINE = Path(lhs_kg.__file__).resolve().parent
FORBIDDEN = ("web", "flask", "werkzeug", "waitress", "jinja2")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def forbidden_imports(path: Path) -> list[str]:
    """The imports of ``path`` that reach into a face, as ``file:line module``."""
    return [
        f"{path.relative_to(ENGINE.parent)}:{line} {module}"
        for line, module in imported_modules(path)
        if module.split(".", 1)[0] in FORBIDDEN
    ]


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=str(p.relative_to(ENGINE))) for p in sorted(ENGINE.rglob("*.py"))],
)
def test_engine_module_imports_no_face(path: Path) -> None:
    bad = forbidden_imports(path)
    assert not bad, "the engine imports a face: " + ", ".join(bad)


def test_the_walk_sees_a_lazy_import(tmp_path: Path) -> None:
    """The check itself: imports inside functions are found, relative ones are not faces."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from . import sibling\ndef f():\n    from web.server import serve\n    import flask\n",
        encoding="utf-8",
    )
    assert [module for _, module in imported_modules(probe)] == ["web.server", "flask"]
