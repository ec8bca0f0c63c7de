"""Curators' commands through a running ``lhs-kg serve``, which holds the embedded store's lock.

``lhs-kg serve`` leaves a record (URL, pid, a local administrator token; mode 0600) in
``var/run``. When a live one names this store, ``submit`` and ``review`` send their operation to
that server's HTTP API instead of opening the store, and print what the direct path prints.
"""

from __future__ import annotations

from typing import Any, NoReturn

import requests

from lhs_kg.config import Settings
from lhs_kg.contributions import ContributionError, NotFoundError
from lhs_kg.errors import ConfigError, InputError, LhsKgError, StoreError
from lhs_kg.formats import JSON
from lhs_kg.instance import ServerRecord, read_server_record, server_record_path


class ServerClient:
    """HTTP calls to the running server, with its administrator token."""

    def __init__(self, record: ServerRecord) -> None:
        self.record = record

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201),
        **options: Any,
    ) -> requests.Response:
        """Send one request; an answer outside ``ok`` becomes the engine's matching error."""
        sent = {
            "Authorization": f"Bearer {self.record.token}",
            "Accept": JSON.media_type,
            **(headers or {}),
        }
        url = self.record.url.rstrip("/") + path
        try:
            answer = requests.request(method, url, headers=sent, timeout=300, **options)
        except requests.RequestException as err:
            raise StoreError(
                f"the store is held by `lhs-kg serve` (pid {self.record.pid}) but it did not "
                f"answer at {self.record.url}: {type(err).__name__}"
            ) from None
        if answer.status_code not in ok:
            _raise_for(answer, self.record)
        return answer


def _raise_for(answer: requests.Response, record: ServerRecord) -> NoReturn:
    try:
        body = answer.json()
        message = str(body.get("message") or body.get("error") or answer.reason)
    except (ValueError, AttributeError):
        message = answer.text.strip()[:300] or answer.reason
    status = answer.status_code
    if status == 404:
        raise NotFoundError(message)
    if status == 409:
        raise ContributionError(message)
    if status in (401, 403):
        raise ConfigError(
            f"the running server (pid {record.pid}) refused the local administrator token; "
            "restart `lhs-kg serve`"
        )
    if status == 429:
        wait = answer.headers.get("Retry-After", "a few")
        raise InputError(f"the running server is rate limiting: try again in {wait} s")
    if 400 <= status < 500:
        raise InputError(message)
    error: LhsKgError = StoreError(f"the server at {record.url} failed ({status}): {message}")
    raise error


def running_server(settings: Settings) -> ServerClient | None:
    """A client for the live ``lhs-kg serve`` on this embedded store, or None."""
    if settings.store_path is None:
        return None
    record = read_server_record(settings)
    return ServerClient(record) if record is not None else None


def locked_store_advice(settings: Settings, err: StoreError) -> StoreError:
    """The lock error with what to do when no ``lhs-kg serve`` record explains the lock."""
    if "in use by another process" not in str(err):
        return err
    return StoreError(
        f"the store at {settings.store_path} is locked by another process, and no running "
        f"`lhs-kg serve` on it left a record ({server_record_path(settings)}): wait for that "
        "process to finish or stop it; to work while serving, start the server with "
        "`lhs-kg serve` (same LHS_KG_STORE and LHS_KG_VAR_DIR) and run this command again"
    )
