"""The configuration chain as a WSGI server meets it: ``create_app()`` with no arguments reads the
instance folder's config.py, then ``LHS_KG_WEB_*``, then ``LHS_KG_*`` (no testing mapping here)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask

from web import create_app
from web.settings import DEV_SECRET

KEY = "a-configured-secret-key-of-enough-length"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean LHS_KG_* environment over a memory store; returns the instance folder."""
    for name in list(os.environ):
        if name.startswith("LHS_KG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LHS_KG_STORE", "memory")
    monkeypatch.setenv("LHS_KG_VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var" / "instance"


def status(app: Flask, path: str) -> int:
    return app.test_client().get(path).status_code


def test_wsgi_create_app_reads_the_secret_key_from_the_environment(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: LHS_KG_WEB_SECRET_KEY was ignored and /contribute answered 503."""
    monkeypatch.setenv("LHS_KG_WEB_SECRET_KEY", KEY)
    app = create_app()
    assert app.config["SECRET_KEY"] == KEY
    assert app.config["SECRET_KEY_SOURCE"] == "configured"
    assert (status(app, "/contribute"), status(app, "/review/login")) == (200, 200)


def test_the_instance_folder_is_under_the_var_dir_and_its_config_is_read(env: Path) -> None:
    env.mkdir(parents=True)
    (env / "config.py").write_text(
        f"SECRET_KEY = {KEY!r}\nLOGIN_MAX_FAILURES_PER_ACCOUNT = 3\nCONTRIBUTION_RATE_LIMIT = 7\n"
    )
    app = create_app()
    assert Path(app.instance_path) == env
    assert app.config["SECRET_KEY"] == KEY
    assert app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 3
    assert status(app, "/contribute") == 200


def test_variables_override_the_instance_file(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env.mkdir(parents=True)
    (env / "config.py").write_text("CONTRIBUTION_RATE_LIMIT = 7\nLOGIN_WINDOW_S = 60\n")
    monkeypatch.setenv("LHS_KG_WEB_CONTRIBUTION_RATE_LIMIT", "9")
    app = create_app()
    assert (app.config["CONTRIBUTION_RATE_LIMIT"], app.config["LOGIN_WINDOW_S"]) == (9, 60)


def test_engine_settings_come_from_lhs_kg_variables(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LHS_KG_MAX_UPLOAD_BYTES", "12345")
    app = create_app()
    assert app.config["LHS_KG_SETTINGS"].max_upload_bytes == 12345
    assert app.config["LHS_KG_SETTINGS"].instance_dir == env


def test_without_a_key_a_wsgi_app_keeps_forms_off_and_pages_on(env: Path) -> None:
    app = create_app()
    assert app.config["SECRET_KEY_SOURCE"] == "none"
    assert app.config["SECRET_KEY"] == DEV_SECRET
    assert status(app, "/contribute") == 503
    assert status(app, "/review/login") == 503
    assert status(app, "/healthz") == 200
    assert not (env / "secret_key").exists()  # nothing generated for a server of unknown reach


def test_on_loopback_a_key_is_generated_once_kept_0600_and_reused(env: Path) -> None:
    first = create_app(loopback=True)
    path = env / "secret_key"
    assert first.config["SECRET_KEY_SOURCE"] == "generated"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert status(first, "/contribute") == 200
    second = create_app(loopback=True)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive restarts


def test_a_configured_key_wins_over_the_generated_one(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_app(loopback=True)
    monkeypatch.setenv("LHS_KG_WEB_SECRET_KEY", KEY)
    assert create_app(loopback=True).config["SECRET_KEY"] == KEY


@pytest.mark.parametrize(
    ("variables", "secure"),
    [
        pytest.param({}, False, id="plain-http-default"),
        pytest.param({"LHS_KG_WEB_SESSION_COOKIE_SECURE": "true"}, True, id="explicit-on"),
        pytest.param({"LHS_KG_PUBLIC_URL": "https://kg.example.org/"}, True, id="https-public"),
        pytest.param(
            {
                "LHS_KG_PUBLIC_URL": "https://kg.example.org/",
                "LHS_KG_WEB_SESSION_COOKIE_SECURE": "false",
            },
            False,
            id="explicit-off-wins",
        ),
    ],
)
def test_session_cookie_flags(
    env: Path, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], secure: bool
) -> None:
    monkeypatch.setenv("LHS_KG_WEB_SECRET_KEY", KEY)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    attributes = app.test_client().get("/contribute").headers["Set-Cookie"].split("; ")[1:]
    assert "SameSite=Lax" in attributes and "HttpOnly" in attributes
    assert ("Secure" in attributes) is secure


def test_a_short_key_is_reported_and_keeps_the_forms_off(
    env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LHS_KG_WEB_SECRET_KEY", "short")
    app = create_app(loopback=True)
    assert app.config["SECRET_KEY_SOURCE"] == "none"
    assert "shorter than 16" in caplog.text
    assert status(app, "/contribute") == 503


def test_public_url_comes_from_the_settings_not_the_process_environment(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (#13): the web layer read LHS_KG_PUBLIC_URL from os.environ behind the
    Settings it was given, so a caller's Settings (``lhs-kg serve``, tests) did not decide."""
    from lhs_kg.config import Settings

    monkeypatch.setenv("LHS_KG_WEB_SECRET_KEY", KEY)
    monkeypatch.setenv("LHS_KG_PUBLIC_URL", "https://kg.example.org/")
    given = Settings.from_env({"LHS_KG_STORE": "memory", "LHS_KG_VAR_DIR": str(env.parent)})
    assert given.public_url is None
    app = create_app(settings=given)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    chosen = given.with_overrides(public_url="https://kg.example.org/")
    assert create_app(settings=chosen).config["SESSION_COOKIE_SECURE"] is True
