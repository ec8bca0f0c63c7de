"""`make run` installs what serving needs, none of the test tools; `make test` adds them (#17).

Read from `make -n` (what make would run) against a virtual environment that does not exist, so
nothing is installed or written.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, missing_tool

TEST_TOOLS = ("[test]", "playwright", "mypy", "ruff", "chromium", "npm ", "apt-get")


def planned(target: str, venv: Path) -> str:
    """The commands ``make TARGET`` would run for a fresh virtual environment."""
    if shutil.which("make") is None:
        missing_tool("make", "apt-get install make")
    done = subprocess.run(
        ["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_run_installs_the_package_without_the_test_tools(tmp_path: Path) -> None:
    commands = planned("run", tmp_path / "venv")
    assert f"{tmp_path / 'venv'}/bin/python -m pip install --quiet -e .\n" in commands
    assert f"{tmp_path / 'venv'}/bin/lhs-kg serve" in commands
    assert [tool for tool in TEST_TOOLS if tool in commands] == []


@pytest.mark.parametrize("tool", ["[test]", "chromium", "ruff check", "mypy"])
def test_make_test_adds_the_test_tools(tmp_path: Path, tool: str) -> None:
    assert tool in planned("test", tmp_path / "venv")
