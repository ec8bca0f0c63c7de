"""Reviewing: sign-in, the queue, one contribution with its report and diff, and the decisions.

Reviewer accounts come from ``REVIEWERS`` (a mapping in the instance folder's config.py) or the
reviewers file (``REVIEWERS_FILE``, by default ``reviewers.json`` in the instance folder, made by
``lhs-kg review add-reviewer``), read again whenever it changes. In debug or testing mode only,
and only when none is configured, a development account ``dev``/``dev`` exists and a warning
says so; production has no default account. Decisions are POSTs that need either a signed-in
session and the form's CSRF token, or ``Authorization: Bearer <API token>``.

Sessions are hardened: sign-in is throttled per account and per address (429 with
``Retry-After``), and signing out ends every session of that reviewer on the server side (the
session carries the reviewer's epoch, which sign-out moves on). ``lhs-kg serve`` also installs
a local administrator token so the command line can review through the running server.
"""

from __future__ import annotations

import hmac
from pathlib import Path
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

from lhs_kg.contributions import ACTIONS, ContributionError, Contributions, NotFoundError
from lhs_kg.contributions.history import current_published, diff, history, provenance
from lhs_kg.contributions.record import summary, version_record
from lhs_kg.contributions.reviewers import (
    ACTING_HEADER,
    Reviewer,
    Reviewers,
    ReviewersFile,
    hash_password,
    hash_token,
)
from lhs_kg.contributions.session_epochs import SessionEpochs
from lhs_kg.errors import InputError
from lhs_kg.formats import JSON, PAGE
from web.engine import get_kb
from web.login_throttle import LoginThrottle
from web.negotiation import choose
from web.security import check_csrf, require_secret
from web.settings import ADMIN_TOKEN_HASH
from web.views.reading import get_reader

bp = Blueprint("review", __name__)
_SESSION_KEY = "lhs_kg_reviewer"
_EPOCH_KEY = "lhs_kg_epoch"
_EXT = "lhs_kg_reviewers"
_EPOCHS = "lhs_kg_session_epochs"
_THROTTLE = "lhs_kg_login_throttle"


class ReviewerSource:
    """Where accounts come from: a fixed mapping, or the reviewers file read when it changes."""

    def __init__(
        self, fixed: Reviewers | None, file: ReviewersFile | None, fallback: Reviewers
    ) -> None:
        self.fixed, self.file, self.fallback = fixed, file, fallback

    def current(self) -> Reviewers:
        """The accounts now (the development fallback only while none is configured)."""
        if self.fixed:
            return self.fixed
        found = self.file.current() if self.file is not None else Reviewers()
        return found or self.fallback


@bp.record_once
def _setup(state: Any) -> None:
    app: Flask = state.app
    app.extensions[_EXT] = load_reviewers(app)
    sessions_file = app.config.get("SESSIONS_FILE")
    app.extensions[_EPOCHS] = SessionEpochs(Path(sessions_file) if sessions_file else None)
    throttle_file = app.config.get("LOGIN_THROTTLE_FILE")
    app.extensions[_THROTTLE] = LoginThrottle(
        per_account=int(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        per_address=int(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        window_s=float(app.config["LOGIN_WINDOW_S"]),
        path=Path(throttle_file) if throttle_file else None,
    )


def load_reviewers(app: Flask) -> ReviewerSource:
    """The configured accounts, or the logged development account in debug/testing mode."""
    configured = app.config.get("REVIEWERS")
    fixed = Reviewers.from_mapping(configured, "REVIEWERS") if configured else None
    path = app.config.get("REVIEWERS_FILE")
    file = ReviewersFile(Path(path)) if path and not fixed else None
    source = ReviewerSource(fixed, file, Reviewers())
    if source.current():
        return source
    if (app.debug or app.testing) and app.config.get("DEV_REVIEWER", True):
        app.logger.warning(
            "no reviewers configured: development reviewer 'dev' with password 'dev' enabled "
            "(debug/testing mode only)"
        )
        source.fallback = Reviewers(
            {"dev": Reviewer("dev", hash_password("dev"))}  # development only, logged above
        )
    else:
        app.logger.warning(
            "no reviewers configured yet: create one with `lhs-kg review add-reviewer NAME` "
            "(the server sees it without a restart)"
        )
    return source


def _reviewers() -> Reviewers:
    found = current_app.extensions.get(_EXT)
    assert isinstance(found, ReviewerSource)
    return found.current()


@bp.app_context_processor
def _accounts() -> dict[str, Any]:
    """Whether no reviewer account exists yet: the sign-in page then says how one is made."""

    def none_yet() -> bool:
        return not _reviewers()

    return {"no_reviewer_accounts": none_yet}


def _epochs() -> SessionEpochs:
    found = current_app.extensions.get(_EPOCHS)
    assert isinstance(found, SessionEpochs)
    return found


def _throttle() -> LoginThrottle:
    found = current_app.extensions.get(_THROTTLE)
    assert isinstance(found, LoginThrottle)
    return found


def _admin(token: str) -> bool:
    expected = current_app.extensions.get(ADMIN_TOKEN_HASH)
    return bool(expected) and hmac.compare_digest(str(expected), hash_token(token))


def current_reviewer() -> str | None:
    """The reviewer of this request: by API token, else by a signed-in, still valid session."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[7:].strip()
        if token and _admin(token):
            acting = " ".join(request.headers.get(ACTING_HEADER, "").split())[:200]
            return acting or "local administrator (command line)"
        account = _reviewers().check_token(token)
        return account.name if account else None
    name = session.get(_SESSION_KEY)
    if (
        isinstance(name, str)
        and name in _reviewers().accounts
        and session.get(_EPOCH_KEY) == _epochs().current(name)
    ):
        return name
    return None


def _require_reviewer() -> str:
    name = current_reviewer()
    if name is None:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            abort(403, "This API token is not a reviewer's.")
        response = Response(
            render_template("review_login.html", error="Sign in to review.", next=request.path),
            status=401,
            mimetype=PAGE.media_type,
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="lhs-kg review"'
        abort(response)
    return name


@bp.route("/review/login", methods=["GET", "POST"])
def login() -> Response:
    """Sign in with a reviewer account."""
    require_secret()
    if request.method == "GET":
        return Response(
            render_template("review_login.html", next="/review"), mimetype=PAGE.media_type
        )
    check_csrf()
    name = request.form.get("username", "")[:200]
    password = request.form.get("password", "")[:1000]
    address = request.remote_addr or "unknown"
    wait = _throttle().wait(name, address)
    if wait > 0:
        seconds = int(wait) + 1
        html = render_template(
            "review_login.html",
            error=f"Too many failed sign-ins; try again in {seconds} s.",
            next="/review",
        )
        response = Response(html, status=429, mimetype=PAGE.media_type)
        response.headers["Retry-After"] = str(seconds)
        return response
    account = _reviewers().check_password(name, password) if _reviewers() else None
    if account is None:
        _throttle().failed(name, address)
        html = render_template(
            "review_login.html",
            error="Unknown reviewer or wrong password."
            if _reviewers()
            else "No reviewer account is configured on this server.",
            next="/review",
        )
        return Response(html, status=401, mimetype=PAGE.media_type)
    _throttle().succeeded(name)
    session.clear()
    session[_SESSION_KEY] = account.name
    session[_EPOCH_KEY] = _epochs().current(account.name)
    target = request.form.get("next", "/review")
    if not target.startswith("/review") or "//" in target:
        target = "/review"
    return redirect(target, code=303)


@bp.post("/review/logout")
def logout() -> Response:
    """Sign out, here and on the server: every cookie of this reviewer stops working."""
    check_csrf()
    name = session.get(_SESSION_KEY)
    if isinstance(name, str) and session.get(_EPOCH_KEY) == _epochs().current(name):
        _epochs().end_sessions(name)  # only a still-valid session can end the others
    session.clear()
    return redirect(url_for("review.login"), code=303)


@bp.get("/review")
def queue() -> Response:
    """Contributions waiting for a decision, oldest first, and the latest decided ones."""
    reviewer = _require_reviewer()
    flow = Contributions(get_kb())
    if _wants_json():
        wanted = request.args.getlist("state") or ["pending", "changes-requested"]
        chosen = None if request.args.get("all") else tuple(wanted)
        return _private(jsonify([summary(v) for v in flow.versions(states=chosen)]))
    waiting = flow.versions(states=("pending", "changes-requested"))
    decided = [v for v in flow.versions() if v.state not in ("pending", "changes-requested")]
    html = render_template(
        "review.html", reviewer=reviewer, waiting=waiting, decided=decided[-20:][::-1]
    )
    return _private(Response(html, mimetype=PAGE.media_type))


def _wants_json() -> bool:
    return choose((PAGE, JSON)) == JSON


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/review/<cid>/v<int:number>")
def detail(cid: str, number: int) -> Response:
    """One version: who, when, how, its validation report and its diff with what is published."""
    reviewer = _require_reviewer()
    flow = Contributions(get_kb())
    try:
        version = flow.get(f"{cid}/v{number}")
    except (NotFoundError, InputError):
        abort(404, "No such contribution version.")
    if _wants_json():
        return _private(jsonify(version_record(flow, version, scope=get_reader().graphs)))
    published = current_published(flow, version.subject)
    against = request.args.get("against") or published
    entries = history(flow, version.subject)
    if against and against not in {e.graph for e in entries}:
        abort(404, "That version is not part of this case study's history.")
    changes = diff(
        flow,
        against if against != version.graph else None,
        version.graph,
        scope=get_reader().graphs,
    )
    html = render_template(
        "review_detail.html",
        reviewer=reviewer,
        v=version,
        changes=changes,
        against=against,
        entries=entries,
        actions=ACTIONS,
    )
    return _private(Response(html, mimetype=PAGE.media_type))


@bp.post("/review/<cid>/v<int:number>/<action>")
def decide(cid: str, number: int, action: str) -> Response:
    """Accept, request changes, reject or withdraw (session + CSRF, or an API token)."""
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    if not bearer:
        require_secret()
    reviewer = _require_reviewer()
    if not bearer:
        check_csrf()
    if action not in ACTIONS:
        abort(404, f"Unknown action {action!r}.")
    comment = (request.form.get("comment") or "")[:5000]
    if bearer and request.is_json:
        body = request.get_json(silent=True) or {}
        comment = str(body.get("comment", ""))[:5000] if isinstance(body, dict) else ""
    try:
        version = Contributions(get_kb()).decide(f"{cid}/v{number}", action, reviewer, comment)
    except NotFoundError:
        abort(404, "No such contribution version.")
    except (ContributionError, InputError) as err:
        abort(409 if isinstance(err, ContributionError) else 400, str(err))
    if bearer:
        return jsonify(summary(version))
    return redirect(url_for("review.detail", cid=cid, number=number), code=303)


@bp.app_context_processor
def _provenance() -> dict[str, Any]:
    def contribution_provenance(iri: str) -> dict[str, Any]:
        """History and per-claim provenance of a case study, for its resource page."""
        flow = Contributions(get_kb())
        reader = get_reader()  # the browser's cached published view and its shared labels
        scope = reader.graphs
        contributed = reader.memo("contributed-subjects", flow.subjects)
        versions = None if iri in contributed else ()
        entries, found = provenance(flow, iri, versions=versions, reader=reader)  # one read (#16)
        a, b = request.args.get("from"), request.args.get("to")
        graphs = {e.graph for e in entries}
        changes = None
        if a in graphs and b in graphs and a and b:
            visible = {e.graph for e in entries if e.state in ("published", "superseded")}
            if a in visible and b in visible:
                changes = diff(flow, a, b, scope=scope)
        public = [e for e in entries if e.state in ("published", "superseded")]
        return {"entries": public, "claims": found, "changes": changes}

    return {"contribution_provenance": contribution_provenance}
