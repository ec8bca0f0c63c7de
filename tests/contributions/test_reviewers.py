"""The reviewers file: accounts edited under a lock, stored hashed (0600), re-read on change."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from lhs_kg.contributions.reviewers import ReviewersFile, check_name
from lhs_kg.contributions.session_epochs import SessionEpochs
from lhs_kg.errors import InputError


def test_an_account_is_stored_hashed_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "reviewers.json"
    accounts = ReviewersFile(path)
    assert accounts.set_password("alice", "correct horse") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "correct horse" not in text
    assert json.loads(text)["alice"]["password_hash"].startswith("scrypt:")
    assert accounts.current().check_password("alice", "correct horse") is not None
    assert accounts.current().check_password("alice", "wrong") is None


def test_a_new_password_replaces_the_old_and_keeps_the_tokens(tmp_path: Path) -> None:
    accounts = ReviewersFile(tmp_path / "reviewers.json")
    accounts.set_password("alice", "first password")
    token = accounts.add_token("alice")
    assert accounts.set_password("alice", "second password") is False
    current = accounts.current()
    assert current.check_password("alice", "first password") is None
    assert current.check_password("alice", "second password") is not None
    assert current.check_token(token) is not None


def test_a_token_is_stored_as_its_hash_and_belongs_to_its_reviewer(tmp_path: Path) -> None:
    path = tmp_path / "reviewers.json"
    accounts = ReviewersFile(path)
    accounts.set_password("alice", "correct horse")
    token = accounts.add_token("alice")
    assert token not in path.read_text()
    found = accounts.current().check_token(token)
    assert found is not None and found.name == "alice"


@pytest.mark.parametrize(
    ("action", "needle"),
    [
        pytest.param(lambda a: a.remove("bob"), "no reviewer named 'bob'", id="remove-unknown"),
        pytest.param(lambda a: a.add_token("bob"), "add-reviewer bob", id="token-for-unknown"),
    ],
)
def test_editing_an_unknown_account_names_it(tmp_path: Path, action, needle: str) -> None:  # type: ignore[no-untyped-def]
    accounts = ReviewersFile(tmp_path / "reviewers.json")
    accounts.set_password("alice", "correct horse")
    with pytest.raises(InputError, match=needle):
        action(accounts)


def test_removing_an_account_removes_its_sign_in(tmp_path: Path) -> None:
    accounts = ReviewersFile(tmp_path / "reviewers.json")
    accounts.set_password("alice", "correct horse")
    accounts.remove("alice")
    assert not accounts.current()


@pytest.mark.parametrize("name", ["", " alice", "al ice", "-alice", "a" * 65, "al/ice", "é"])
def test_names_that_cannot_be_accounts_are_refused(name: str) -> None:
    with pytest.raises(InputError):
        check_name(name)


def test_no_file_means_no_account(tmp_path: Path) -> None:
    assert not ReviewersFile(tmp_path / "missing.json").current()


def test_session_epochs_move_on_and_persist_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    epochs = SessionEpochs(path)
    before = epochs.current("alice")
    epochs.end_sessions("alice")
    after = epochs.current("alice")
    assert after != before
    assert SessionEpochs(path).current("alice") == after  # another worker or a restart agrees
    assert SessionEpochs(path).current("bob") == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
