"""``lhs-kg queries``, ``lhs-kg check`` and named queries through ``lhs-kg query``, run as a user
would against a real on-disk store in a temporary folder."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from tests.helpers import BROKEN_ONTOLOGY, ROOT


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A store built from the repository with `lhs-kg init`, shared by the module."""
    env = {"LHS_KG_STORE": str(tmp_path_factory.mktemp("cli") / "store"), "LHS_KG_ROOT": str(ROOT)}
    result = run(env, "init")
    assert result.exit_code == 0, result.output
    yield env


def test_queries_lists_every_name_with_its_summary(built: dict[str, str]) -> None:
    result = run(built, "queries")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(list((ROOT / "queries").glob("*.rq")))
    assert any(
        line.startswith("case-studies-by-loop-stage ") and "Better Care Loop" in line
        for line in lines
    )


def test_queries_verbose_shows_parameters(built: dict[str, str]) -> None:
    result = run(built, "queries", "-v")
    assert "params: stage:concept:loop?" in result.output
    assert "params: minComplex:int=3" in result.output


def test_check_passes_on_the_repository_content(built: dict[str, str]) -> None:
    result = run(built, "check")
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert result.output.strip().endswith("checks passed")


def test_check_reports_rows_and_exits_1(built: dict[str, str], tmp_path: Path) -> None:
    env = {**built, "LHS_KG_STORE": str(tmp_path / "store")}
    assert run(env, "init").exit_code == 0
    # loaded as a data graph, so it is part of the published view `check` reads (#11)
    graph = "https://w3id.org/lhs-kg/graph/data/broken"
    loaded = run(env, "load", str(BROKEN_ONTOLOGY / "dangling-reference.ttl"), "--graph", graph)
    assert loaded.exit_code == 0
    result = run(env, "check")
    assert result.exit_code == 1
    assert "FAIL dangling-reference" in result.output
    assert "nowhere-2099" in result.output  # the finding itself is printed
    assert "ok   concept-outside-scheme" in result.output


@pytest.mark.parametrize(
    ("broken", "finding"),
    [
        ("tool-without-source", "unsourced-checklist"),
        ("framework-element-without-guidance", "unguided-reason"),
    ],
)
def test_toolkit_checks_fail_through_the_cli(
    built: dict[str, str], tmp_path: Path, broken: str, finding: str
) -> None:
    """A tool without a source, a framework element without guidance: `check` exits 1 (#14)."""
    env = {**built, "LHS_KG_STORE": str(tmp_path / "store")}
    assert run(env, "init").exit_code == 0
    graph = "https://w3id.org/lhs-kg/graph/data/broken"
    assert run(env, "load", str(BROKEN_ONTOLOGY / f"{broken}.ttl"), "--graph", graph).exit_code == 0
    result = run(env, "check")
    assert result.exit_code == 1
    assert f"FAIL {broken}" in result.output
    assert finding in result.output


def test_check_only_one_and_unknown_check(built: dict[str, str]) -> None:
    assert run(built, "check", "--only", "dangling-reference").exit_code == 0
    result = run(built, "check", "--only", "no-such-check")
    assert result.exit_code == 2
    assert "no query named 'no-such-check'" in result.output


def test_named_query_with_parameter_as_json(built: dict[str, str]) -> None:
    result = run(
        built, "query", "case-studies-by-country", "--param", "country=SE", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.output)["results"]["bindings"]
    assert {b["caseStudy"]["value"].rsplit("/", 1)[1] for b in bindings} == {
        "swedeheart",
        "swedish-rheumatology-registry",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("case-studies-by-contry",), "did you mean case-studies-by-country", id="typo-in-name"
        ),
        pytest.param(
            ("case-studies-by-country", "-p", "land=SE"), "no parameter 'land'", id="unknown-param"
        ),
        pytest.param(("changed-since",), "needs parameter 'since'", id="missing-param"),
        pytest.param(("changed-since", "-p", "since=last week"), "YYYY-MM-DD", id="ill-typed"),
        pytest.param(
            ("case-study-graph", "-p", "caseStudy=<x> } DROP ALL"), "IRI", id="injection-attempt"
        ),
    ],
)
def test_named_query_errors_are_one_line_exit_2(
    built: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    result = run(built, "query", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


FIDELITY_CHECKS = [
    "rating-without-basis",
    "default-looking-rating",
    "verified-with-unverified-claim",
    "assessment-history-out-of-order",
]


@pytest.fixture(scope="module")
def broken_fidelity(
    built: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The repository plus the broken example of every fidelity check (#14), one graph each."""
    env = {**built, "LHS_KG_STORE": str(tmp_path_factory.mktemp("fidelity") / "store")}
    assert run(env, "init").exit_code == 0
    for name in FIDELITY_CHECKS:
        graph = f"https://w3id.org/lhs-kg/graph/data/broken-{name}"
        loaded = run(env, "load", str(BROKEN_ONTOLOGY / f"{name}.ttl"), "--graph", graph)
        assert loaded.exit_code == 0, loaded.output
    return env


@pytest.mark.parametrize("name", FIDELITY_CHECKS)
def test_fidelity_check_fails_the_command_on_its_broken_example(
    broken_fidelity: dict[str, str], name: str
) -> None:
    # The previous case's exit 1 left its traceback (and with it the open store) in its Result;
    # collect it so that this in-process run can take the store's lock.
    gc.collect()
    result = run(broken_fidelity, "check", "--only", name)
    assert result.exit_code == 1, result.output
    assert f"FAIL {name}" in result.output
    assert "case-study/broken-" in result.output or "cs:broken-" in result.output
