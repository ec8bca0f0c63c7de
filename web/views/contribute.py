"""Contributing: the form generated from the shapes, the JSON/Turtle API and the status page.

- ``GET /contribute``: the form (works without JavaScript); ``POST /contribute`` validates and
  either shows the messages next to the fields (422) or redirects to the status page (303); an
  "Add another …" button (``add=<group>``) shows the form again with one more row (200), and a
  post the page could not have produced (unknown input, value sent twice, absurd row number) is
  refused whole (400);
- ``POST /api/contributions``: the body is the document, its Content-Type says the format
  (``application/json``, ``application/yaml``, ``application/ld+json``, ``text/turtle``); the
  contributor is in the document or in ``X-Contributor-Name``/``-Email``/``-Orcid`` headers;
  sending implies accepting CC BY 4.0 unless the document names its licence. 201 with
  ``Location`` of the status page, 422 with the JSON report, 413 too large, 415 unknown type,
  429 (with ``Retry-After``) when one address sends too much;
- ``GET /contributions/<token>``: the status page, at an address only the contributor knows.

Forms carry a CSRF token bound to the signed session cookie. In production (neither debug nor
testing) the forms refuse to work while SECRET_KEY is the development default.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from lhs_kg.contributions import (
    ContributionError,
    Contributions,
    Contributor,
    NotFoundError,
    SubmitOutcome,
)
from lhs_kg.contributions.form import (
    ContributionForm,
    Input,
    Repeat,
    build_form,
    check_structure,
    errors_by_field,
    layout,
    to_document,
)
from lhs_kg.errors import InputError
from lhs_kg.validate import validate
from web.engine import get_kb, get_settings
from web.views.reading import PUBLISHED_VIEW_KEY

bp = Blueprint("contribute", __name__)

DEV_SECRET = "dev-only-change-me"
_CSRF_KEY = "lhs_kg_csrf"
MEDIA_TYPES = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "application/ld+json": "jsonld",
    "text/turtle": "ttl",
    "application/n-triples": "nt",
}


# -- shared with the review views ---------------------------------------------------------------


def production_secret_missing(app: Flask) -> bool:
    """True when forms must not work: production with the development SECRET_KEY (or none)."""
    if app.debug or app.testing:
        return False
    key = app.config.get("SECRET_KEY")
    return not key or key == DEV_SECRET or len(str(key)) < 16


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


def published_view_changed() -> None:
    """Forget the published view (pages and the SPARQL endpoint share it) after a write here.

    The embedded store needs none of this (the write moved its generation on, which renews the
    view and empties the page cache); a remote store has no generation, only a time-to-live.
    """
    current_app.extensions.pop(PUBLISHED_VIEW_KEY, None)


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


# -- rate limit --------------------------------------------------------------------------------


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


def _limiter() -> RateLimiter:
    limiter = current_app.extensions.get("lhs_kg_submit_limiter")
    if limiter is None:
        limit = int(current_app.config.get("CONTRIBUTION_RATE_LIMIT", 20))
        window = float(current_app.config.get("CONTRIBUTION_RATE_WINDOW_S", 60))
        limiter = RateLimiter(limit, window)
        current_app.extensions["lhs_kg_submit_limiter"] = limiter
    assert isinstance(limiter, RateLimiter)
    return limiter


def _rate_limit() -> None:
    wait = _limiter().hit(request.remote_addr or "unknown")
    if wait:
        response = _json_or_page(
            429,
            "Too Many Requests",
            f"Too many submissions from your address; try again in {int(wait) + 1} s.",
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        abort(response)


def _size_limit() -> None:
    limit = get_settings().max_upload_bytes
    if request.content_length is not None and request.content_length > limit:
        abort(_json_or_page(413, "Too Large", f"Submissions are limited to {limit:,} bytes."))


def _json_or_page(status: int, title: str, message: str) -> Response:
    from web.errors import error_response

    return error_response(status, title, message)


# -- the form ----------------------------------------------------------------------------------


def _build_form() -> ContributionForm:
    from web.views.reading import get_reader

    return build_form(get_kb(), get_reader().graphs)


def _form_page(
    form: ContributionForm,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, list[str]] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    add: str | None = None,
) -> Response:
    sections = layout(form, values or {}, add)
    html = render_template(
        "contribute.html",
        sections=sections,
        datalists=form.datalists,
        values=values or {},
        errors=errors or {},
        general=general or [],
        focus=_new_row_input(sections, add),
        max_bytes=get_settings().max_upload_bytes,
    )
    return Response(html, status=status, mimetype="text/html")


def _new_row_input(sections: list[tuple[Any, list[Input | Repeat]]], add: str | None) -> str:
    """The first input of the row just added, to put the focus there ('' when none)."""

    def find(items: list[Input | Repeat]) -> str:
        for item in items:
            if isinstance(item, Repeat):
                if item.name == add and item.rows:
                    first = item.rows[-1].items[0]
                    return first.name if isinstance(first, Input) else ""
                for row in item.rows:
                    found = find(row.items)
                    if found:
                        return found
        return ""

    if add is None:
        return ""
    return next((n for _, items in sections if (n := find(items))), "")


@bp.get("/contribute")
def contribute_form() -> Response:
    """The contribution form, generated from the SHACL shapes."""
    require_secret()
    return _form_page(_build_form())


@bp.post("/contribute")
def contribute_post() -> Response:
    """Validate the posted form; messages go back next to their fields, or on to the status.

    "Add another …" buttons (``add=<group>``) show the form again with everything kept and one
    more row; a post the form could not have produced is refused (400) with what is wrong.
    """
    require_secret()
    _size_limit()
    check_csrf()
    values = {k: list(vs) for k, vs in request.form.lists() if k != "csrf_token"}
    adds = values.pop("add", [])
    form = _build_form()
    problems = check_structure(form, values, adds[0] if adds else None)
    if len(adds) > 1:
        problems.append("Only one 'Add another' button can be pressed at a time.")
    if problems:
        abort(
            _json_or_page(
                400,
                "Bad Request",
                "This form was not sent as the page made it, so nothing was stored: "
                + " ".join(problems),
            )
        )
    if adds:
        return _form_page(form, values, add=adds[0])
    _rate_limit()
    conversion = to_document(form, values)
    payload = json.dumps(conversion.document).encode("utf-8")
    if conversion.errors:  # a row could not become part of the document: never store without it
        report = validate(payload, kb=get_kb(), fmt="json", name="the form")
        errors, general = errors_by_field(report, conversion, form)
        for name, messages in conversion.errors.items():
            errors.setdefault(name, []).extend(messages)
        return _form_page(form, values, errors, general, status=422)
    outcome = Contributions(get_kb()).submit(
        payload,
        "json",
        licence=None,
        channel="web",
        name="the form",
        media_type="application/x-www-form-urlencoded",
    )
    if not outcome.stored:
        errors, general = errors_by_field(outcome.report, conversion, form)
        return _form_page(form, values, errors, general, status=422)
    published_view_changed()  # a cached "everything is published" no longer holds
    return redirect(url_for("contribute.status", token=outcome.token), code=303)


# -- the API -----------------------------------------------------------------------------------


def _contributor_from_headers() -> Contributor | None:
    name = request.headers.get("X-Contributor-Name", "").strip()
    email = request.headers.get("X-Contributor-Email", "").strip()
    orcid = request.headers.get("X-Contributor-Orcid", "").strip() or None
    if not (name or email or orcid):
        return None
    return Contributor.parse(name, email, orcid)


def _api_answer(outcome: SubmitOutcome) -> Response:
    if not outcome.stored or outcome.version is None:
        response = jsonify(outcome.report.as_dict())
        response.status_code = 422
        return response
    v = outcome.version
    location = url_for("contribute.status", token=outcome.token)
    response = jsonify(
        {
            "id": v.contribution_id,
            "version": v.number,
            "ref": v.ref,
            "state": v.state,
            "case_study": v.subject,
            "status_url": location,
            "report": outcome.report.as_dict(),
        }
    )
    response.status_code = 201
    response.headers["Location"] = location
    return response


@bp.post("/api/contributions")
def api_submit() -> Response:
    """Submit a document (JSON, YAML, JSON-LD, Turtle): 201 stored, 422 with the report."""
    _size_limit()
    mimetype = request.mimetype
    fmt = MEDIA_TYPES.get(mimetype)
    if fmt is None:
        known = ", ".join(sorted(MEDIA_TYPES))
        abort(_json_or_page(415, "Unsupported Media Type", f"Send one of: {known}."))
    _rate_limit()
    data = request.get_data(cache=False)
    outcome = Contributions(get_kb()).submit(
        data,
        fmt,
        contributor=_contributor_from_headers(),
        channel="api",
        name="(request body)",
        media_type=mimetype,
    )
    if outcome.stored:
        published_view_changed()  # a cached "everything is published" no longer holds
    return _api_answer(outcome)


# -- the status page ---------------------------------------------------------------------------


def _version_for(token: str) -> Any:
    try:
        return Contributions(get_kb()).by_token(token)
    except NotFoundError:
        abort(404, "No contribution has this status address.")


@bp.get("/contributions/<token>")
def status(token: str) -> Response:
    """Where a contribution stands, with the reviewers' comments."""
    version = _version_for(token)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    ):
        return jsonify(
            {
                "ref": version.ref,
                "state": version.state,
                "case_study": version.subject,
                "submitted": version.submitted,
                "decisions": [d.__dict__ for d in version.decisions],
            }
        )
    html = render_template("status.html", v=version, token=token)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/contributions/<token>/withdraw")
def status_withdraw(token: str) -> Response:
    """The contributor withdraws their own contribution."""
    require_secret()
    check_csrf()
    _version_for(token)
    try:
        Contributions(get_kb()).withdraw_by_token(token, request.form.get("comment", "")[:2000])
    except (InputError, ContributionError) as err:
        abort(409, str(err))
    published_view_changed()
    return redirect(url_for("contribute.status", token=token), code=303)
