"""The version is written once, in pyproject.toml; the package reads its metadata (#13)."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner

import lhs_kg
from lhs_kg.cli import main
from tests.helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_package_version_is_the_pyproject_version() -> None:
    assert lhs_kg.__version__ == PYPROJECT["project"]["version"]


def test_cli_reports_the_pyproject_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert PYPROJECT["project"]["version"] in result.output


def test_no_module_writes_the_version_itself() -> None:
    """Only pyproject.toml holds the version string among the package's sources."""
    written = f'"{PYPROJECT["project"]["version"]}"'
    found = [
        str(path.relative_to(ROOT))
        for folder in ("lhs_kg", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if written in path.read_text(encoding="utf-8")
    ]
    assert found == []
