"""Reviewer accounts and their checks (``lhs_kg.contributions.reviewers``), rule by rule.

These guard who may accept contributions: an account file that is malformed or holds a clear
password is refused with a message naming the account, and only the exact password or API token
of an account signs in as that account.
"""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from lhs_kg.contributions.reviewers import (
    Reviewer,
    Reviewers,
    hash_password,
    hash_token,
    new_token,
)
from lhs_kg.errors import ConfigError

ALICE_PASSWORD = "correct horse battery staple"
ALICE_TOKEN = "alice-api-token-0123456789abcdefghijklmnop"
BOB_TOKEN = "bob-api-token-0123456789abcdefghijklmnopqr"
HASH = generate_password_hash(ALICE_PASSWORD, method="scrypt")
DIGEST = "0" * 64


@pytest.fixture(scope="module")
def reviewers() -> Reviewers:
    """alice (password and token), bob (token only), carol (password only, pbkdf2)."""
    return Reviewers.from_mapping(
        {
            "alice": {"password_hash": HASH, "token_hashes": [hash_token(ALICE_TOKEN)]},
            "bob": {"token_hashes": [hash_token("old-token"), hash_token(BOB_TOKEN)]},
            "carol": {"password_hash": generate_password_hash("carol-pw", method="pbkdf2")},
        }
    )


# -- hashes and tokens ------------------------------------------------------------------------


def test_password_hash_is_salted_scrypt() -> None:
    first, second = hash_password("pw"), hash_password("pw")
    assert first.startswith("scrypt:") and second.startswith("scrypt:")
    assert first != second
    assert check_password_hash(first, "pw") and not check_password_hash(first, "pw ")


@pytest.mark.parametrize("token", ["abc", "", "é-token"])
def test_token_hash_is_sha256_hex_of_utf8(token: str) -> None:
    assert hash_token(token) == hashlib.sha256(token.encode("utf-8")).hexdigest()


def test_token_hash_known_value() -> None:
    assert hash_token("abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_new_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20
    allowed = set(string.ascii_letters + string.digits + "-_")
    for token in tokens:
        assert len(token) == 43  # 32 random bytes in URL-safe base64
        assert set(token) <= allowed


# -- accounts from configuration --------------------------------------------------------------


def test_accounts_are_read_with_their_hashes(reviewers: Reviewers) -> None:
    assert sorted(reviewers.accounts) == ["alice", "bob", "carol"]
    assert reviewers.accounts["alice"] == Reviewer("alice", HASH, (hash_token(ALICE_TOKEN),))
    assert reviewers.accounts["bob"].password_hash == ""
    assert len(reviewers.accounts["bob"].token_hashes) == 2
    assert reviewers.accounts["carol"].token_hashes == ()


def test_no_accounts_is_false_and_some_is_true(reviewers: Reviewers) -> None:
    assert not Reviewers()
    assert not Reviewers({})
    assert not Reviewers.from_mapping({})
    assert reviewers
    assert Reviewers({"x": Reviewer("x")})


def test_secrets_are_not_in_the_repr() -> None:
    text = repr(Reviewer("alice", HASH, (DIGEST,)))
    assert "alice" in text
    assert HASH not in text and DIGEST not in text


BAD_MAPPINGS = [
    pytest.param(["alice"], "origin: reviewers must be an object of name → account", id="a-list"),
    pytest.param({"": {}}, "origin: reviewer '' must map to an object", id="empty-name"),
    pytest.param({"  ": {}}, "origin: reviewer '  ' must map to an object", id="blank-name"),
    pytest.param({5: {}}, "origin: reviewer 5 must map to an object", id="number-name"),
    pytest.param({"al": "pw"}, "origin: reviewer 'al' must map to an object", id="entry-a-string"),
    pytest.param(
        {"al": {"password_hash": 5}},
        "origin: reviewer 'al' has a malformed account",
        id="password-not-text",
    ),
    pytest.param(
        {"al": {"token_hashes": DIGEST}},
        "origin: reviewer 'al' has a malformed account",
        id="tokens-not-a-list",
    ),
    pytest.param(
        {"al": {"password_hash": "hunter2"}},
        "origin: reviewer 'al': password_hash must be a scrypt or pbkdf2 hash "
        "(make one with `lhs-kg review hash-password`), never a clear password",
        id="clear-password",
    ),
    pytest.param(
        {"al": {"password_hash": "xscrypt:abc"}},
        "origin: reviewer 'al': password_hash must be a scrypt or pbkdf2 hash "
        "(make one with `lhs-kg review hash-password`), never a clear password",
        id="scrypt-not-at-the-start",
    ),
    pytest.param(
        {"al": {"token_hashes": ["0" * 63]}},
        "origin: reviewer 'al': token_hashes must be SHA-256 hex",
        id="short-token-hash",
    ),
    pytest.param(
        {"al": {"token_hashes": [DIGEST, "0" * 65]}},
        "origin: reviewer 'al': token_hashes must be SHA-256 hex",
        id="second-token-hash-long",
    ),
    pytest.param(
        {"al": {"token_hashes": [64]}},
        "origin: reviewer 'al': token_hashes must be SHA-256 hex",
        id="token-hash-a-number",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_MAPPINGS)
def test_malformed_accounts_are_refused_naming_them(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Reviewers.from_mapping(data, "origin")  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_the_default_origin_is_configuration() -> None:
    with pytest.raises(ConfigError, match=r"^configuration: reviewer 'al' must map"):
        Reviewers.from_mapping({"al": None})


@pytest.mark.parametrize("prefix", ["scrypt:", "pbkdf2:"])
def test_both_hash_methods_are_accepted(prefix: str) -> None:
    found = Reviewers.from_mapping({"al": {"password_hash": prefix + "x"}})
    assert found.accounts["al"].password_hash == prefix + "x"


def test_accounts_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "reviewers.json"
    path.write_text(json.dumps({"alice": {"token_hashes": [DIGEST]}}), encoding="utf-8")
    found = Reviewers.from_file(path)
    assert found.accounts == {"alice": Reviewer("alice", "", (DIGEST,))}


def test_a_bad_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "reviewers.json"
    path.write_text(json.dumps({"al": {"password_hash": "hunter2"}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}: reviewer 'al': password_hash must be"):
        Reviewers.from_file(path)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(ConfigError) as caught:
        Reviewers.from_file(path)
    assert str(caught.value) == (
        f"{path}: cannot read the reviewers file: No such file or directory"
    )


def test_a_file_that_is_not_json_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "reviewers.json"
    path.write_text("{alice", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}: the reviewers file is not valid JSON: "):
        Reviewers.from_file(path)


# -- checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "password", "expected"),
    [
        pytest.param("alice", ALICE_PASSWORD, "alice", id="right"),
        pytest.param("carol", "carol-pw", "carol", id="right-pbkdf2"),
        pytest.param("alice", ALICE_PASSWORD[:-1], None, id="prefix"),
        pytest.param("alice", ALICE_PASSWORD + " ", None, id="suffix"),
        pytest.param("alice", "", None, id="empty"),
        pytest.param("alice", "carol-pw", None, id="another-accounts-password"),
        pytest.param("carol", ALICE_PASSWORD, None, id="another-accounts-password-2"),
        pytest.param("Alice", ALICE_PASSWORD, None, id="name-in-other-case"),
        pytest.param("mallory", ALICE_PASSWORD, None, id="unknown-name"),
        pytest.param("bob", "", None, id="token-only-account-empty-password"),
        pytest.param("bob", "anything", None, id="token-only-account"),
    ],
)
def test_check_password(
    reviewers: Reviewers, name: str, password: str, expected: str | None
) -> None:
    found = reviewers.check_password(name, password)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param(ALICE_TOKEN, "alice", id="alice"),
        pytest.param(BOB_TOKEN, "bob", id="bob-second-token"),
        pytest.param("old-token", "bob", id="bob-first-token"),
        pytest.param("", None, id="empty"),
        pytest.param(ALICE_TOKEN[:-1], None, id="prefix"),
        pytest.param(ALICE_TOKEN + "x", None, id="suffix"),
        pytest.param(ALICE_TOKEN[:-1] + "q", None, id="last-character-differs"),
        pytest.param(hash_token(ALICE_TOKEN), None, id="the-stored-hash-itself"),
        pytest.param(ALICE_PASSWORD, None, id="a-password"),
    ],
)
def test_check_token(reviewers: Reviewers, token: str, expected: str | None) -> None:
    found = reviewers.check_token(token)
    assert (found.name if found else None) == expected


def test_no_account_has_no_token() -> None:
    assert Reviewers().check_token(ALICE_TOKEN) is None
    assert Reviewers().check_password("alice", ALICE_PASSWORD) is None


def test_an_empty_token_matches_no_account_holding_the_hash_of_empty() -> None:
    """Even an account whose stored hash is that of the empty string: empty is never a token."""
    odd = Reviewers.from_mapping({"eve": {"token_hashes": [hash_token("")]}})
    assert odd.check_token("") is None
