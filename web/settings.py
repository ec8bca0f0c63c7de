"""The web app's configuration chain, the same for ``lhs-kg serve``, ``make run`` and WSGI.

In order: defaults here; ``config.py`` in the instance folder (``Settings.instance_dir``, by
default ``var/instance``); ``LHS_KG_WEB_*`` variables (``LHS_KG_WEB_SECRET_KEY`` sets
``SECRET_KEY``; values are read as JSON when they parse, so ``true``/``20`` are a bool/number);
then the engine's Settings from ``LHS_KG_*``. Tests pass a mapping instead of the instance file
and the variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from lhs_kg.config import Settings
from lhs_kg.instance import generated_secret_key

ADMIN_TOKEN_HASH = "lhs_kg_admin_token_hash"
"""``app.extensions`` key of the SHA-256 of the local administrator token (``lhs-kg serve``)."""
MIN_KEY_LENGTH = 16
"""The forms refuse a shorter key (see ``web.security.production_secret_missing``)."""
DEV_SECRET = "dev-only-change-me"
"""The placeholder key: with it (or none) the forms refuse to work outside debug/testing."""


def public_base_url(settings: Settings) -> str:
    """The public base URL (``LHS_KG_PUBLIC_URL``, read by Settings) when configured, else ''."""
    return settings.public_url or ""


def configure(
    app: Flask, settings: Settings, test_config: Mapping[str, Any] | None, *, loopback: bool
) -> None:
    """Fill ``app.config`` through the chain, then settle the secret key."""
    app.config.from_mapping(
        SECRET_KEY=DEV_SECRET,
        MAX_CONTENT_LENGTH=None,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=public_base_url(settings).startswith("https://"),
        LOGIN_MAX_FAILURES_PER_ACCOUNT=5,
        LOGIN_MAX_FAILURES_PER_ADDRESS=20,
        LOGIN_WINDOW_S=900,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(prefix="LHS_KG_WEB")
        app.config.setdefault("REVIEWERS_FILE", str(settings.reviewers_file))
        app.config.setdefault("SESSIONS_FILE", str(settings.instance_dir / "sessions.json"))
        app.config.setdefault(  # shared by every worker process of this machine (#16)
            "LOGIN_THROTTLE_FILE", str(settings.instance_dir / "login-failures.sqlite3")
        )
    else:
        app.config.from_mapping(test_config)
    app.config["LHS_KG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"] or (
        settings.max_upload_bytes + 64 * 1024
    )
    _settle_secret_key(app, settings, loopback=loopback)


def _settle_secret_key(app: Flask, settings: Settings, *, loopback: bool) -> None:
    """Keep a configured key; on loopback only, fall back to the instance's generated key.

    ``SECRET_KEY_SOURCE`` records which: ``configured``, ``generated`` or ``none`` (then the
    forms answer 503 outside debug/testing, and a warning says why).
    """
    key = app.config.get("SECRET_KEY")
    if key is not None and not isinstance(key, str | bytes):
        key = app.config["SECRET_KEY"] = str(key)  # a numeric LHS_KG_WEB_SECRET_KEY read as JSON
    if key and key != DEV_SECRET:
        app.config["SECRET_KEY_SOURCE"] = "configured" if len(key) >= MIN_KEY_LENGTH else "none"
        if len(key) < MIN_KEY_LENGTH and not (app.testing or app.debug):
            app.logger.warning(
                "the configured SECRET_KEY is shorter than %d characters: the contribution form "
                "and the review pages are disabled (503)",
                MIN_KEY_LENGTH,
            )
        return
    if loopback and not app.testing:
        app.config["SECRET_KEY"] = generated_secret_key(settings.instance_dir)
        app.config["SECRET_KEY_SOURCE"] = "generated"
        return
    app.config["SECRET_KEY_SOURCE"] = "none"
    if not (app.testing or app.debug):
        app.logger.warning("%s", no_key_message(settings))


def no_key_message(settings: Settings) -> str:
    """What an operator reads when a public server has no secret key."""
    return (
        "the contribution form and the review pages are disabled (503): no secret key is "
        "configured for a server reachable beyond this machine; set LHS_KG_WEB_SECRET_KEY "
        f"or SECRET_KEY in {settings.instance_dir / 'config.py'} (read-only pages work)"
    )
