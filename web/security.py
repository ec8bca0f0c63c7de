"""What guards the forms and the write APIs: the secret-key check, CSRF tokens, rate limits.

Every view that changes something uses these, so they live here rather than in one view:

- :func:`require_secret`: in production (neither debug nor testing) a form refuses to work
  (503) while SECRET_KEY is the development placeholder, missing or short, because the signed
  session cookie that carries the CSRF token could then be forged;
- :func:`csrf_token` / :func:`check_csrf`: a token bound to the signed session, in every form
  (templates call ``csrf_token()``), checked on every form post (403);
- :func:`rate_limit`: at most N events per window per client address, in memory (429 with
  ``Retry-After``), one limiter per app and purpose, sized by app config.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

from flask import Flask, abort, current_app, request, session

from web.errors import error_response
from web.settings import DEV_SECRET, MIN_KEY_LENGTH

_CSRF_KEY = "lhs_kg_csrf"


def production_secret_missing(app: Flask) -> bool:
    """True when forms must not work: production with the development SECRET_KEY (or none)."""
    if app.debug or app.testing:
        return False
    key = app.config.get("SECRET_KEY")
    return not key or key == DEV_SECRET or len(str(key)) < MIN_KEY_LENGTH


def require_secret() -> None:
    """Refuse (503) to serve a form while the session cannot be trusted."""
    if production_secret_missing(current_app):
        abort(
            503,
            "Forms are disabled: this server is reachable beyond this machine and has no "
            "secret key. Set LHS_KG_WEB_SECRET_KEY (16+ random characters) or SECRET_KEY in "
            "var/instance/config.py, then restart.",
        )


def csrf_token() -> str:
    """The CSRF token of this session (created on first use), for hidden form inputs."""
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


def check_csrf() -> None:
    """Refuse (403) a form post whose CSRF token is missing or not this session's."""
    sent = request.form.get("csrf_token", "")
    expected = session.get(_CSRF_KEY)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent, expected):
        abort(403, "The form's security token is missing or out of date; reload and try again.")


class RateLimiter:
    """At most ``limit`` events per ``window_s`` seconds per key, in memory (one process)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record an event; 0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return max(0.001, events[0] + self.window_s - now)
            events.append(now)
            if len(self._events) > 10_000:  # forget idle addresses
                for idle in [k for k, v in self._events.items() if not v]:
                    del self._events[idle]
            return 0.0


def limiter(purpose: str, default_limit: int, default_window_s: float) -> RateLimiter:
    """The app's limiter for ``purpose``, sized by ``<PURPOSE>_RATE_LIMIT``/``_RATE_WINDOW_S``."""
    key = f"lhs_kg_{purpose}_limiter"
    found = current_app.extensions.get(key)
    if found is None:
        prefix = purpose.upper()
        made = RateLimiter(
            int(current_app.config.get(f"{prefix}_RATE_LIMIT", default_limit)),
            float(current_app.config.get(f"{prefix}_RATE_WINDOW_S", default_window_s)),
        )
        found = current_app.extensions.setdefault(key, made)
    assert isinstance(found, RateLimiter)
    return found


def rate_limit(purpose: str, default_limit: int, default_window_s: float, what: str) -> None:
    """Refuse (429 with Retry-After) an address that did ``what`` more often than allowed."""
    wait = limiter(purpose, default_limit, default_window_s).hit(request.remote_addr or "unknown")
    if wait:
        seconds = int(wait) + 1
        response = error_response(
            429,
            "Too Many Requests",
            f"Too many {what} from your address; try again in {seconds} s.",
        )
        response.headers["Retry-After"] = str(seconds)
        abort(response)


def init_app(app: Flask) -> None:
    """Offer ``csrf_token()`` to every template."""

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"csrf_token": csrf_token}
