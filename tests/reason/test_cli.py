"""``lhs-kg reason`` run as a user would, on stores in temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import owlready2
import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from tests.helpers import REASON_EXAMPLES, ROOT, MakeRoot

pytestmark = pytest.mark.slow

INFERRED = "https://w3id.org/lhs-kg/graph/inferred/owl"


def run(root: Path, store: Path, *args: str, **env: str) -> Result:
    """Run the CLI with the content of ``root`` and the store folder ``store``."""
    variables = {"LHS_KG_ROOT": str(root), "LHS_KG_STORE": str(store), **env}
    return CliRunner().invoke(main, list(args), env=variables, catch_exceptions=False)


def built(root: Path, store: Path) -> None:
    result = run(root, store, "init")
    assert result.exit_code == 0, result.output


def graphs(root: Path, store: Path) -> str:
    return run(root, store, "graphs").output


@pytest.fixture
def healthtracker(make_root: MakeRoot, tmp_path: Path) -> tuple[Path, Path]:
    """A store holding the ontology and one case study rated complex in four domains."""
    root = make_root(ROOT / "data" / "case-studies" / "healthtracker.ttl")
    store = tmp_path / "store"
    built(root, store)
    return root, store


def test_reason_reports_consistency_and_members_and_writes_the_graph(
    healthtracker: tuple[Path, Path],
) -> None:
    root, store = healthtracker
    result = run(root, store, "reason")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("consistent")
    assert "wrote" in result.output and INFERRED in result.output
    assert "lhs:HighComplexityCaseStudy: 1 members" in result.output
    assert "HealthTracker" in result.output
    assert "<https://w3id.org/lhs-kg/case-study/healthtracker>" in result.output
    assert INFERRED in graphs(root, store)


def test_dry_run_reports_without_writing(healthtracker: tuple[Path, Path]) -> None:
    root, store = healthtracker
    result = run(root, store, "reason", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would write" in result.output and "HealthTracker" in result.output
    assert INFERRED not in graphs(root, store)


def test_an_inconsistency_is_listed_with_exit_1(make_root: MakeRoot, tmp_path: Path) -> None:
    root = make_root(REASON_EXAMPLES / "rating-of-a-source.ttl")
    store = tmp_path / "store"
    built(root, store)
    result = run(root, store, "reason")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("inconsistent\n")
    assert "https://w3id.org/lhs-kg/source/broken" in result.output
    assert "ratesDomain" in result.output
    assert "Traceback" not in result.output
    assert INFERRED not in graphs(root, store)


def test_a_class_that_can_have_no_members_exits_1(make_root: MakeRoot, tmp_path: Path) -> None:
    root = make_root(REASON_EXAMPLES / "impossible-class.ttl")
    store = tmp_path / "store"
    built(root, store)
    result = run(root, store, "reason")
    assert result.exit_code == 1, result.output
    assert "<https://example.org/Impossible>" in result.output
    assert "unsatisfiable" in result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(("--timeout", "0"), {}, "--timeout", id="zero-timeout"),
        pytest.param(("--timeout", "soon"), {}, "--timeout", id="word-timeout"),
        pytest.param((), {"LHS_KG_REASON_TIMEOUT": "-5"}, "--timeout", id="negative-env"),
        pytest.param(("--timeout", "0.01"), {}, "did not finish within 0.01 s", id="too-short"),
    ],
)
def test_bad_or_short_time_limits_exit_2_with_a_message(
    healthtracker: tuple[Path, Path], args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    root, store = healthtracker
    result = run(root, store, "reason", *args, **env)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert INFERRED not in graphs(root, store)


def test_an_empty_store_exits_2_asking_for_init(tmp_path: Path) -> None:
    result = run(ROOT, tmp_path / "store", "reason")
    assert result.exit_code == 2
    assert "lhs-kg init" in result.output


def test_without_java_on_path_exit_2_says_java_is_needed(
    healthtracker: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root, store = healthtracker
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setattr(owlready2, "JAVA_EXE", "java")
    result = run(root, store, "reason", PATH=str(empty), JAVA_HOME=str(tmp_path / "no-jdk"))
    assert result.exit_code == 2
    assert "Java 11 or newer is needed" in result.output
    assert "Traceback" not in result.output
    assert os.environ.get("PATH") != str(empty), "the test must not leak its PATH"
    assert INFERRED not in graphs(root, store)
