"""Reviewer accounts from the terminal: add, list, remove, API tokens (no store needed)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from lhs_kg.contributions.reviewers import ReviewersFile
from tests.helpers import clean_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No LHS_KG_* variable but a var folder in tmp_path."""
    clean = clean_env()
    clean["LHS_KG_VAR_DIR"] = str(tmp_path / "var")
    return clean


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def reviewers(tmp_path: Path) -> ReviewersFile:
    return ReviewersFile(tmp_path / "var" / "instance" / "reviewers.json")


def test_add_reviewer_asks_twice_and_stores_a_hash(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "review", "add-reviewer", "alice", stdin="correct horse\ncorrect horse\n")
    assert result.exit_code == 0, result.output
    assert "Repeat the password" in result.output
    assert "added reviewer alice" in result.output
    path = tmp_path / "var" / "instance" / "reviewers.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "correct horse" not in path.read_text()
    assert reviewers(tmp_path).current().check_password("alice", "correct horse") is not None


def test_add_reviewer_asks_again_when_the_two_entries_differ(
    env: dict[str, str], tmp_path: Path
) -> None:
    typed = "correct horse\ncorrect hose\ncorrect horse\ncorrect horse\n"
    result = run(env, "review", "add-reviewer", "alice", stdin=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert reviewers(tmp_path).current().check_password("alice", "correct horse") is not None


def test_add_reviewer_reads_stdin_for_scripts(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "review", "add-reviewer", "bob", "--password-stdin", stdin="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert reviewers(tmp_path).current().check_password("bob", "s3cret-pass") is not None


@pytest.mark.parametrize(
    ("name", "password", "needle"),
    [
        pytest.param("alice", "short", "at least 8", id="short-password"),
        pytest.param("al ice", "long enough", "reviewer name", id="bad-name"),
    ],
)
def test_add_reviewer_refusals_exit_2(
    env: dict[str, str], tmp_path: Path, name: str, password: str, needle: str
) -> None:
    result = run(env, "review", "add-reviewer", name, "--password-stdin", stdin=password + "\n")
    assert result.exit_code == 2
    assert needle in result.output
    assert not reviewers(tmp_path).current()


def test_list_new_token_and_remove(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "review", "add-reviewer", "alice", "--password-stdin", stdin="correct horse\n")
    made = run(env, "review", "new-token", "alice")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert len(token.splitlines()) == 1 and len(token) >= 40
    assert "shown only this once" in made.stderr
    found = reviewers(tmp_path).current().check_token(token)
    assert found is not None and found.name == "alice"
    listed = run(env, "review", "list-reviewers")
    assert listed.stdout == "alice\tpassword\t1 token(s)\n"
    assert "scrypt" not in listed.output and token not in listed.output
    assert run(env, "review", "remove-reviewer", "alice").exit_code == 0
    assert not reviewers(tmp_path).current()
    assert "add-reviewer" in run(env, "review", "list-reviewers").stderr


def test_a_token_for_an_unknown_reviewer_is_refused(env: dict[str, str]) -> None:
    result = run(env, "review", "new-token", "nobody")
    assert result.exit_code == 2
    assert "lhs-kg review add-reviewer nobody" in result.output


def test_new_token_without_a_name_prints_token_and_hash(env: dict[str, str]) -> None:
    result = run(env, "review", "new-token")
    assert result.exit_code == 0
    assert result.output.startswith("token: ") and "\nhash:  " in result.output


def test_the_reviewers_file_variable_moves_the_accounts(
    env: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    env["LHS_KG_REVIEWERS_FILE"] = str(elsewhere)
    run(env, "review", "add-reviewer", "carol", "--password-stdin", stdin="long enough\n")
    assert "carol" in json.loads(elsewhere.read_text())
