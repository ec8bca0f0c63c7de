"""``lhs-kg import-sources``: a reference file as a contribution, refused whole when malformed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from tests.helpers import ROOT, TEST_DATA

DATA = TEST_DATA / "literature"
WHO = ("--name", "Alex Example", "--email", "alex@example.org")


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A store built from the repository for one test (imports write to it)."""
    built = {"LHS_KG_STORE": str(tmp_path / "store"), "LHS_KG_ROOT": str(ROOT)}
    assert run(built, "init").exit_code == 0
    yield built


def pending(env: dict[str, str]) -> str:
    return run(env, "review", "list").output


def test_a_file_is_stored_for_review_and_a_second_import_adds_nothing(
    env: dict[str, str],
) -> None:
    first = run(env, "import-sources", str(DATA / "refs.bib"), *WHO)
    assert first.exit_code == 0, first.output
    assert "1 new, 1 already known" in first.output
    assert "stored source-list.refs-" in first.output
    assert "skipped foleyvale: already known as" in first.output
    second = run(env, "import-sources", str(DATA / "refs.bib"), *WHO)
    assert second.exit_code == 0, second.output
    assert "0 new, 2 already known" in second.output
    assert "stored" not in second.output
    assert pending(env).count("source-list.refs-") == 1


EXPECTED: dict[str, str] = json.loads((DATA / "invalid" / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", ["bibtex-unclosed-brace.bib", "ris-doi-as-resolver-url.ris"])
def test_a_malformed_file_exits_2_naming_entry_and_field_and_stores_nothing(
    env: dict[str, str], name: str
) -> None:
    result = run(env, "import-sources", str(DATA / "invalid" / name), *WHO)
    assert result.exit_code == 2
    assert EXPECTED[name] in result.output
    assert "source-list." not in pending(env)


def test_a_dry_run_stores_nothing(env: dict[str, str]) -> None:
    result = run(env, "import-sources", str(DATA / "refs.ris"), *WHO, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "new     example2024: https://w3id.org/lhs-kg/source/example-2024" in result.output
    assert "source-list." not in pending(env)
