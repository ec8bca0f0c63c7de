"""Under ``make test`` and CI a missing test tool fails the run; a bare ``pytest`` skips with why.

Each case runs a small generated test file in a child pytest with ``tests.conftest`` loaded as a
plugin, once as ``make test`` runs it (``LHS_KG_REQUIRE_TOOLS=1``), once with ``CI=true`` and once
as a developer's bare ``pytest``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.helpers import ROOT

CHILD_TESTS = """
import pytest
from tests.helpers import missing_tool

def test_needs_a_tool():
    missing_tool("the frobnicator", "apt-get install frobnicator")

def test_skips_for_no_listed_reason():
    pytest.skip("not today")

def test_skips_as_root_only():
    pytest.skip("root can read any file")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
"""


def _child(tmp_path: Path, **env: str) -> dict[str, str]:
    """Run the child tests; the outcome of each by name, with the output and the exit code."""
    (tmp_path / "test_child.py").write_text(CHILD_TESTS, encoding="utf-8")
    junit = tmp_path / "junit.xml"
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "LHS_KG_REQUIRE_TOOLS")}
    done = subprocess.run(
        [
            *(
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "tests.conftest",
                "-p",
                "no:cacheprovider",
                "-rA",
            ),
            *(f"--junitxml={junit}", "--rootdir", str(tmp_path), str(tmp_path / "test_child.py")),
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outcomes = {"output": done.stdout + done.stderr, "rc": str(done.returncode)}
    for case in ElementTree.parse(junit).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        skipped = case.find("skipped")
        if skipped is not None and skipped.get("type") == "pytest.xfail":
            kinds = ["xfail"]
        outcomes[case.get("name", "")] = kinds[0] if kinds else "passed"
    return outcomes


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"LHS_KG_REQUIRE_TOOLS": "1"}, id="make-test"),
        pytest.param({"CI": "true"}, id="ci"),
    ],
)
def test_a_missing_tool_fails_under_make_test_and_ci(tmp_path: Path, env: dict[str, str]) -> None:
    out = _child(tmp_path, **env)
    assert out.get("test_needs_a_tool") == "failure", out["output"]
    assert "the frobnicator is missing" in out["output"]
    assert "apt-get install frobnicator" in out["output"]
    assert out["rc"] == "1"


def test_any_unlisted_skip_fails_under_make_test(tmp_path: Path) -> None:
    out = _child(tmp_path, LHS_KG_REQUIRE_TOOLS="1")
    assert out.get("test_skips_for_no_listed_reason") == "failure", out["output"]
    assert "nothing may skip: not today" in out["output"]
    assert out.get("test_expected_failure") == "xfail", out["output"]


def test_the_root_only_skip_is_allowed_only_as_root(tmp_path: Path) -> None:
    out = _child(tmp_path, LHS_KG_REQUIRE_TOOLS="1")
    expected = "skipped" if os.geteuid() == 0 else "failure"
    assert out.get("test_skips_as_root_only") == expected, out["output"]


def test_a_bare_pytest_skips_a_missing_tool_naming_the_install_command(tmp_path: Path) -> None:
    out = _child(tmp_path)
    assert out.get("test_needs_a_tool") == "skipped", out["output"]
    assert out.get("test_skips_for_no_listed_reason") == "skipped", out["output"]
    assert "install it with: apt-get install frobnicator" in out["output"]
    assert out["rc"] == "0"
