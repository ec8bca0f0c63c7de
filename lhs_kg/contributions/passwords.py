"""Salted password hashes for reviewer accounts, with the standard library only.

The stored text is ``METHOD:PARAMS$SALT$HEX``, the layout the reviewers files already hold
(Werkzeug wrote them before the engine stopped depending on it), so existing accounts keep
working: ``scrypt:N:R:P$salt$hex`` (what :func:`hash_password` writes) and
``pbkdf2:HASH:ITERATIONS$salt$hex``. The salt is used as its UTF-8 text, as it was written.

Parameters come from the curator's own reviewers file, yet they are bounded: a mistyped
``scrypt:10000000000:…`` must not take the server's memory on every login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_SALT_ALPHABET = string.ascii_letters + string.digits
_SALT_CHARS = 16
_MAX_SCRYPT_MEMORY = 256 * 1024 * 1024  # bytes: 128·N·R·P, far above the default's 32 MiB
_MAX_PBKDF2_ITERATIONS = 10_000_000
_PBKDF2_HASHES = ("sha1", "sha256", "sha384", "sha512")


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``: ``scrypt:32768:8:1$salt$hex``."""
    salt = "".join(secrets.choice(_SALT_ALPHABET) for _ in range(_SALT_CHARS))
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}${salt}${digest}"


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` hashes to ``stored``; False for a wrong or malformed hash."""
    method, sep1, rest = stored.partition("$")
    salt, sep2, expected = rest.partition("$")
    if not (sep1 and sep2 and salt and expected):
        return False
    try:
        actual = _derive(method, salt, password)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected.lower())


def _derive(method: str, salt: str, password: str) -> str:
    name, args = _parameters(method)
    if name == "scrypt":
        n, r, p = (int(a) for a in args)
        return _scrypt(password, salt, n, r, p)
    return hashlib.pbkdf2_hmac(
        args[0], password.encode("utf-8"), salt.encode("utf-8"), int(args[1])
    ).hex()


def _parameters(method: str) -> tuple[str, tuple[str, ...]]:
    """The method's name and its parameters, checked and bounded (ValueError otherwise)."""
    name, *args = method.split(":")
    if name == "scrypt" and len(args) == 3:
        n, r, p = (int(a) for a in args)
        if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * n * r * p > _MAX_SCRYPT_MEMORY:
            raise ValueError("scrypt parameters out of bounds")
        return name, tuple(args)
    if name == "pbkdf2" and len(args) == 2 and args[0] in _PBKDF2_HASHES:
        if not 1 <= int(args[1]) <= _MAX_PBKDF2_ITERATIONS:
            raise ValueError("pbkdf2 iterations out of bounds")
        return name, tuple(args)
    raise ValueError(f"unknown password hash method {method!r}")


def _scrypt(password: str, salt: str, n: int, r: int, p: int) -> str:
    memory = 132 * n * r * p  # a little above scrypt's 128·N·R·P, which OpenSSL needs
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt.encode("utf-8"), n=n, r=r, p=p, maxmem=memory
    ).hex()
