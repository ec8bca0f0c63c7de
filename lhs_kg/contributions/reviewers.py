"""Reviewer accounts: names with salted password hashes (scrypt) and hashed API tokens.

Accounts come from instance configuration (a mapping) or the reviewers file (JSON, in the
instance folder unless ``LHS_KG_REVIEWERS_FILE`` names another):
``{"alice": {"password_hash": "scrypt:…", "token_hashes": ["<sha256 hex>"]}}``.
``lhs-kg review add-reviewer`` and ``new-token`` edit the file (mode 0600); the web app re-reads
it when it changes. Nothing secret is stored in clear. There are no default accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lhs_kg.contributions.passwords import hash_password as hash_password  # the accounts' API
from lhs_kg.contributions.passwords import verify_password
from lhs_kg.errors import ConfigError, InputError
from lhs_kg.instance import locked, write_private

_DUMMY_HASH = hash_password(secrets.token_hex(16))
ACTING_HEADER = "X-Lhs-Kg-Reviewer"
"""Who a decision through the local administrator token (``lhs-kg serve``) is recorded as."""
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class Reviewer:
    """One reviewer account."""

    name: str
    password_hash: str = field(default="", repr=False)
    token_hashes: tuple[str, ...] = field(default=(), repr=False)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of an API token: tokens are long and random, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token."""
    return secrets.token_urlsafe(32)


class Reviewers:
    """The configured accounts; checks take constant time whether a name exists or not."""

    def __init__(self, accounts: Mapping[str, Reviewer] | None = None) -> None:
        self.accounts = dict(accounts or {})

    def __bool__(self) -> bool:
        return bool(self.accounts)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], origin: str = "configuration") -> Reviewers:
        """Accounts from ``{name: {"password_hash": …, "token_hashes": […]}}``."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{origin}: reviewers must be an object of name → account")
        accounts: dict[str, Reviewer] = {}
        for name, entry in data.items():
            if not isinstance(name, str) or not name.strip() or not isinstance(entry, Mapping):
                raise ConfigError(f"{origin}: reviewer {name!r} must map to an object")
            password = entry.get("password_hash", "")
            tokens = entry.get("token_hashes", [])
            if not isinstance(password, str) or not isinstance(tokens, list):
                raise ConfigError(f"{origin}: reviewer {name!r} has a malformed account")
            if password and not password.startswith(("scrypt:", "pbkdf2:")):
                raise ConfigError(
                    f"{origin}: reviewer {name!r}: password_hash must be a scrypt or pbkdf2 hash "
                    "(make one with `lhs-kg review hash-password`), never a clear password"
                )
            if not all(isinstance(t, str) and len(t) == 64 for t in tokens):
                raise ConfigError(f"{origin}: reviewer {name!r}: token_hashes must be SHA-256 hex")
            accounts[name] = Reviewer(name, password, tuple(tokens))
        return cls(accounts)

    @classmethod
    def from_file(cls, path: Path) -> Reviewers:
        """Accounts from a JSON file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ConfigError(f"{path}: cannot read the reviewers file: {err.strerror}") from None
        except ValueError as err:
            raise ConfigError(f"{path}: the reviewers file is not valid JSON: {err}") from None
        return cls.from_mapping(data, str(path))

    def check_password(self, name: str, password: str) -> Reviewer | None:
        """The reviewer when the name and password match, else None."""
        account = self.accounts.get(name)
        stored = account.password_hash if account and account.password_hash else _DUMMY_HASH
        ok = verify_password(stored, password)
        return account if ok and account is not None and account.password_hash else None

    def check_token(self, token: str) -> Reviewer | None:
        """The reviewer owning an API token, else None."""
        if not token:
            return None
        digest = hash_token(token)
        found = None
        for account in self.accounts.values():
            for stored in account.token_hashes:
                if hmac.compare_digest(stored, digest):
                    found = account
        return found


def check_name(name: str) -> str:
    """A reviewer name as given, or :class:`InputError` when it cannot be one."""
    if not _NAME.fullmatch(name):
        raise InputError(
            f"reviewer name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


Accounts = dict[str, dict[str, Any]]


class ReviewersFile:
    """The reviewers file: read again whenever it changes, edited under a lock, kept 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._cached = Reviewers()
        self._lock = threading.Lock()

    def current(self) -> Reviewers:
        """The accounts as the file holds them now (no file: none)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return Reviewers()
        except OSError as err:
            raise ConfigError(f"{self.path}: cannot read: {err.strerror}") from None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            if stamp != self._stamp:
                self._cached = Reviewers.from_file(self.path)
                self._stamp = stamp
            return self._cached

    def edit(self, change: Callable[[Accounts], None]) -> None:
        """Read, change and write back the accounts, holding the file's lock throughout."""
        with locked(self.path):
            data: Accounts = {}
            if self.path.exists():
                Reviewers.from_file(self.path)  # refuse to rewrite a malformed file
                data = json.loads(self.path.read_text(encoding="utf-8"))
            change(data)
            write_private(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def set_password(self, name: str, password: str) -> bool:
        """Create the account or change its password; True when it is new."""
        check_name(name)
        created = False

        def change(data: Accounts) -> None:
            nonlocal created
            created = name not in data
            data.setdefault(name, {"token_hashes": []})["password_hash"] = hash_password(password)

        self.edit(change)
        return created

    def remove(self, name: str) -> None:
        """Delete an account (its password and every token)."""

        def change(data: Accounts) -> None:
            if name not in data:
                raise InputError(f"no reviewer named {name!r} in {self.path}")
            del data[name]

        self.edit(change)

    def add_token(self, name: str) -> str:
        """A new API token for an existing account; only its hash is kept."""
        token = new_token()

        def change(data: Accounts) -> None:
            if name not in data:
                raise InputError(
                    f"no reviewer named {name!r} in {self.path}; "
                    f"run `lhs-kg review add-reviewer {name}` first"
                )
            data[name].setdefault("token_hashes", []).append(hash_token(token))

        self.edit(change)
        return token
