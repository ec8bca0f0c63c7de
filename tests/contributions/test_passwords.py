"""Password hashes with the standard library (``lhs_kg.contributions.passwords``).

Reviewers files written while the engine used Werkzeug must keep signing in: hashes are made here
with Werkzeug (which the web layer still installs) and checked by the engine, and the other way.
"""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from lhs_kg.contributions.passwords import hash_password, verify_password

PASSWORD = "correct horse battery staple é"


@pytest.mark.parametrize(
    "method",
    [
        "scrypt",
        "scrypt:16384:8:1",
        "pbkdf2",
        "pbkdf2:sha256:1000",
        "pbkdf2:sha512:2000",
        "pbkdf2:sha1:1000",
    ],
)
def test_a_hash_werkzeug_wrote_still_verifies(method: str) -> None:
    stored = generate_password_hash(PASSWORD, method=method)
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + " ")
    assert not verify_password(stored, "")


def test_our_hash_is_salted_scrypt_in_the_same_layout() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt:32768:8:1$") and first != second
    assert check_password_hash(first, PASSWORD)  # a Werkzeug-based tool reads it too
    assert verify_password(first, PASSWORD) and not verify_password(first, "wrong")


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("", id="empty"),
        pytest.param("hunter2", id="clear-password"),
        pytest.param("scrypt:32768:8:1$salt", id="no-digest"),
        pytest.param("md5$salt$00", id="unknown-method"),
        pytest.param("scrypt:abc:8:1$salt$00", id="non-numeric"),
        pytest.param("scrypt:30000:8:1$salt$00", id="n-not-a-power-of-two"),
        pytest.param("scrypt:1073741824:8:1$salt$00", id="scrypt-memory-bomb"),
        pytest.param("pbkdf2:sha256:999999999$salt$00", id="pbkdf2-iteration-bomb"),
        pytest.param("pbkdf2:whirlpool:1000$salt$00", id="unknown-digest"),
    ],
)
def test_a_malformed_or_unbounded_hash_verifies_nothing(stored: str) -> None:
    assert verify_password(stored, "hunter2") is False
