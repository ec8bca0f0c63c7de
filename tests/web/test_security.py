"""The guards every writing view shares (``web.security``): key check, rate limiter."""

from __future__ import annotations

import pytest
from flask import Flask

from web.security import RateLimiter, limiter, production_secret_missing
from web.settings import DEV_SECRET


@pytest.mark.parametrize(
    ("key", "missing"),
    [
        pytest.param(None, True, id="none"),
        pytest.param(DEV_SECRET, True, id="placeholder"),
        pytest.param("short", True, id="short"),
        pytest.param("a-real-secret-key-of-enough-length", False, id="configured"),
    ],
)
def test_production_needs_a_real_secret_key(key: str | None, missing: bool) -> None:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = key
    assert production_secret_missing(app) is missing
    app.testing = True
    assert production_secret_missing(app) is False


def test_the_limiter_allows_the_limit_then_says_how_long_to_wait() -> None:
    limits = RateLimiter(2, 60.0)
    assert limits.hit("a") == 0.0 and limits.hit("a") == 0.0
    assert 59.0 < limits.hit("a") <= 60.0
    assert limits.hit("b") == 0.0  # per address


def test_one_limiter_per_purpose_sized_by_app_config() -> None:
    app = Flask(__name__)
    app.config.update(VALIDATE_RATE_LIMIT=3, VALIDATE_RATE_WINDOW_S=5)
    with app.app_context():
        first = limiter("validate", 60, 60.0)
        assert (first.limit, first.window_s) == (3, 5.0)
        assert limiter("validate", 60, 60.0) is first
        assert limiter("contribution", 20, 60.0).limit == 20
