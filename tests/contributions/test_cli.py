"""``lhs-kg submit`` and ``lhs-kg review``: exit codes 0/1/2 and what they print."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lhs_kg.cli import main
from tests.helpers import clean_env, example, payload


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose store is a built knowledge base in tmp_path."""
    clean = clean_env()
    clean["LHS_KG_STORE"] = str(tmp_path / "store")
    assert run(clean, "init").exit_code == 0
    return clean


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_submit_stores_and_prints_the_status_path(env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "case.json"
    file.write_bytes(payload())
    result = run(env, "submit", str(file))
    assert result.exit_code == 0, result.output
    assert "stored example-diabetes-network/v1" in result.output
    assert re.search(r"/contributions/[A-Za-z0-9_-]{40,}", result.output)
    listed = run(env, "review", "list")
    assert "example-diabetes-network/v1\tpending" in listed.output


def test_submit_takes_the_contributor_from_options(env: dict[str, str], tmp_path: Path) -> None:
    doc = example()
    del doc["contributor"]
    file = tmp_path / "case.json"
    file.write_text(json.dumps(doc))
    result = run(env, "submit", str(file), "--name", "Opt Person", "--email", "o@example.org")
    assert result.exit_code == 0, result.output


def test_an_invalid_file_exits_1_with_the_report(env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "case.json"
    file.write_bytes(payload(startYear="soon"))
    result = run(env, "submit", str(file))
    assert result.exit_code == 1
    assert "startYear" in result.output and "does not conform" in result.output
    assert "no contribution" in run(env, "review", "list").output


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        pytest.param(None, (), "no such file", id="missing"),
        pytest.param(b"{oops", (), "invalid JSON", id="malformed"),
        pytest.param(b"x" * 1_000_001, (), "over the limit", id="oversized"),
        pytest.param(b"{}", ("--name", "Only Name"), "--email", id="half-contributor"),
        pytest.param(b"{}", ("--name", "Al", "--email", "bad"), "e-mail", id="bad-email"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(
    env: dict[str, str], tmp_path: Path, content: bytes | None, args: tuple[str, ...], needle: str
) -> None:
    file = tmp_path / "case.json"
    if content is not None:
        file.write_bytes(content)
    result = run(env, "submit", str(file), *args)
    assert result.exit_code == 2
    assert needle in result.output and "Traceback" not in result.output


def test_review_show_accept_and_refusals(env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "case.json"
    file.write_bytes(payload())
    assert run(env, "submit", str(file)).exit_code == 0
    shown = run(env, "review", "show", "example-diabetes-network/v1")
    assert shown.exit_code == 0
    assert "alex@example.org" in shown.output and "+ " in shown.output
    assert run(env, "review", "reject", "example-diabetes-network/v1").exit_code == 2  # no reason
    accepted = run(env, "review", "accept", "example-diabetes-network/v1", "--as", "curator")
    assert accepted.exit_code == 0 and "published" in accepted.output
    again = run(env, "review", "accept", "example-diabetes-network/v1")
    assert again.exit_code == 1 and "published" in again.output
    assert run(env, "review", "show", "nope/v1").exit_code == 1
    assert run(env, "review", "show", "../x").exit_code == 2


def test_new_token_prints_a_token_and_its_hash(env: dict[str, str]) -> None:
    import hashlib

    result = run(env, "review", "new-token")
    token = re.search(r"token: (\S+)", result.output)
    digest = re.search(r"hash:\s+(\S+)", result.output)
    assert token and digest
    assert hashlib.sha256(token.group(1).encode()).hexdigest() == digest.group(1)
