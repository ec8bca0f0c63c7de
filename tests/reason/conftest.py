"""Fixtures for the reasoning tests: a project root in a temporary folder with chosen data.

HermiT needs Java 11 or newer: without it every test here fails under ``make test`` and
``CI=true`` (``make java`` installs Debian's default-jre-headless) and skips on a bare ``pytest``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import owlready2
import pytest

from tests.helpers import ROOT, MakeRoot, missing_tool

JAVA_MIN = 11
INSTALL_JAVA = "make java (runs apt-get install default-jre-headless)"


def java_major(java: str) -> int | None:
    """The major version ``java -version`` reports (8 for "1.8.0"), or None if it does not run."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr.decode(errors="replace"))
    if done.returncode != 0 or found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


@pytest.fixture(scope="session", autouse=True)
def java_runtime() -> str:
    """The Java that owlready2 runs HermiT with, checked to be 11 or newer."""
    java = str(owlready2.JAVA_EXE)
    major = java_major(java)
    if major is None:
        missing_tool(f"Java {JAVA_MIN}+ ({java!r} does not run)", INSTALL_JAVA)
    if major < JAVA_MIN:
        missing_tool(f"Java {JAVA_MIN}+ (found Java {major} at {java!r})", INSTALL_JAVA)
    return java


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
