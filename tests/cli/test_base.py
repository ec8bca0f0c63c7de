"""A mistyped ``--store`` (or LHS_KG_STORE) is refused, never silently created as an empty store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from tests.helpers import EXAMPLE, ROOT, clean_env, free_port

SMALL = ROOT / "data" / "examples" / "case-study.ttl"


def run(tmp_path: Path, *args: str) -> Result:
    env = clean_env()
    env["LHS_KG_VAR_DIR"] = str(tmp_path / "var")
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


COMMANDS = [
    pytest.param(("graphs",), id="graphs"),
    pytest.param(("stats",), id="stats"),
    pytest.param(("query", "ASK {}"), id="query"),
    pytest.param(("dump",), id="dump"),
    pytest.param(("check",), id="check"),
    pytest.param(("export",), id="export"),
    pytest.param(("export-csv",), id="export-csv"),
    pytest.param(("submit", str(EXAMPLE)), id="submit"),
    pytest.param(("review", "list"), id="review-list"),
    pytest.param(("review", "accept", "x/v1"), id="review-accept"),
    pytest.param(("serve", "--port", str(free_port())), id="serve"),
]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_store_folder_that_does_not_exist_is_refused_and_not_created(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Regression: a mistyped --store created an empty store and the command reported success."""
    typo = tmp_path / "sotre"
    result = run(tmp_path, "--store", str(typo), *args)
    assert result.exit_code == 2, result.output
    assert f"no store at {typo}; run `lhs-kg init` first" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not typo.exists()


@pytest.mark.parametrize("args", COMMANDS[:3])
def test_a_folder_that_is_not_a_store_is_refused_and_left_alone(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run(tmp_path, "--store", str(folder), *args)
    assert result.exit_code == 2
    assert f"no store at {folder}" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_the_environment_variable_is_checked_too(tmp_path: Path) -> None:
    env = clean_env()
    env["LHS_KG_STORE"] = str(tmp_path / "nowhere")
    result = CliRunner().invoke(main, ["graphs"], env=env)
    assert result.exit_code == 2 and "no store at" in result.output


def test_init_and_load_create_a_store(tmp_path: Path) -> None:
    loaded = tmp_path / "loaded"
    assert run(tmp_path, "--store", str(loaded), "load", str(SMALL)).exit_code == 0
    assert run(tmp_path, "--store", str(loaded), "graphs").exit_code == 0
    built = tmp_path / "built"
    assert run(tmp_path, "--store", str(built), "init").exit_code == 0
    assert run(tmp_path, "--store", str(built), "stats").exit_code == 0


def test_a_memory_store_needs_no_folder(tmp_path: Path) -> None:
    assert run(tmp_path, "--store", "memory", "graphs").exit_code == 0
