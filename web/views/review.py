"""Reviewing: sign-in, the queue, one contribution with its report and diff, and the decisions.

Reviewer accounts come from ``REVIEWERS`` (a mapping in instance/config.py), ``REVIEWERS_FILE``
or ``LHS_KG_REVIEWERS_FILE`` (JSON; see ``lhs_kg.contributions.reviewers``). In debug or testing
mode only, and only when none is configured, a development account ``dev``/``dev`` exists and a
warning says so; production has no default account. Decisions are POSTs that need either a
signed-in session and the form's CSRF token, or ``Authorization: Bearer <API token>``.
"""

from __future__ import annotations

import os
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
from lhs_kg.contributions.history import claims, current_published, diff, history
from lhs_kg.contributions.reviewers import Reviewer, Reviewers, hash_password
from lhs_kg.errors import InputError
from web.engine import get_kb
from web.views.contribute import check_csrf, published_view_changed, require_secret
from web.views.reading import get_reader

bp = Blueprint("review", __name__)
_SESSION_KEY = "lhs_kg_reviewer"
_EXT = "lhs_kg_reviewers"


@bp.record_once
def _setup(state: Any) -> None:
    app: Flask = state.app
    app.extensions[_EXT] = load_reviewers(app)


def load_reviewers(app: Flask) -> Reviewers:
    """The configured accounts, or the logged development account in debug/testing mode."""
    reviewers = Reviewers()
    configured = app.config.get("REVIEWERS")
    path = app.config.get("REVIEWERS_FILE") or os.environ.get("LHS_KG_REVIEWERS_FILE")
    if configured:
        reviewers = Reviewers.from_mapping(configured, "REVIEWERS")
    elif path:
        reviewers = Reviewers.from_file(Path(path))
    if not reviewers and (app.debug or app.testing) and app.config.get("DEV_REVIEWER", True):
        app.logger.warning(
            "no reviewers configured: development reviewer 'dev' with password 'dev' enabled "
            "(debug/testing mode only)"
        )
        reviewers = Reviewers(
            {"dev": Reviewer("dev", hash_password("dev"))}  # development only, logged above
        )
    elif not reviewers:
        app.logger.warning("no reviewers configured: the review pages accept no sign-in")
    return reviewers


def _reviewers() -> Reviewers:
    found = current_app.extensions.get(_EXT)
    assert isinstance(found, Reviewers)
    return found


def current_reviewer() -> str | None:
    """The reviewer of this request: by API token, else by signed-in session."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        account = _reviewers().check_token(header[7:].strip())
        return account.name if account else None
    name = session.get(_SESSION_KEY)
    if isinstance(name, str) and name in _reviewers().accounts:
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
            mimetype="text/html",
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="lhs-kg review"'
        abort(response)
    return name


@bp.route("/review/login", methods=["GET", "POST"])
def login() -> Response:
    """Sign in with a reviewer account."""
    require_secret()
    if request.method == "GET":
        return Response(render_template("review_login.html", next="/review"), mimetype="text/html")
    check_csrf()
    name = request.form.get("username", "")[:200]
    password = request.form.get("password", "")[:1000]
    account = _reviewers().check_password(name, password) if _reviewers() else None
    if account is None:
        html = render_template(
            "review_login.html",
            error="Unknown reviewer or wrong password."
            if _reviewers()
            else "No reviewer account is configured on this server.",
            next="/review",
        )
        return Response(html, status=401, mimetype="text/html")
    session.clear()
    session[_SESSION_KEY] = account.name
    target = request.form.get("next", "/review")
    if not target.startswith("/review") or "//" in target:
        target = "/review"
    return redirect(target, code=303)


@bp.post("/review/logout")
def logout() -> Response:
    """Sign out."""
    check_csrf()
    session.clear()
    return redirect(url_for("review.login"), code=303)


@bp.get("/review")
def queue() -> Response:
    """Contributions waiting for a decision, oldest first, and the latest decided ones."""
    reviewer = _require_reviewer()
    flow = Contributions(get_kb())
    waiting = flow.versions(states=("pending", "changes-requested"))
    decided = [v for v in flow.versions() if v.state not in ("pending", "changes-requested")]
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    ):
        return jsonify([_summary(v) for v in waiting])
    html = render_template(
        "review.html", reviewer=reviewer, waiting=waiting, decided=decided[-20:][::-1]
    )
    return _private(Response(html, mimetype="text/html"))


def _summary(v: Any) -> dict[str, Any]:
    return {
        "ref": v.ref,
        "state": v.state,
        "title": v.title,
        "case_study": v.subject,
        "submitted": v.submitted,
        "contributor": v.contributor_name,
    }


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
    return _private(Response(html, mimetype="text/html"))


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
    published_view_changed()
    if bearer:
        return jsonify(_summary(version))
    return redirect(url_for("review.detail", cid=cid, number=number), code=303)


@bp.app_context_processor
def _provenance() -> dict[str, Any]:
    def contribution_provenance(iri: str) -> dict[str, Any]:
        """History and per-claim provenance of a case study, for its resource page."""
        flow = Contributions(get_kb())
        reader = get_reader()  # the browser's cached published view and its shared labels
        scope = reader.graphs
        contributed = reader.memo("contributed-subjects", flow.subjects)
        entries = history(flow, iri, versions=None if iri in contributed else [])
        a, b = request.args.get("from"), request.args.get("to")
        graphs = {e.graph for e in entries}
        changes = None
        if a in graphs and b in graphs and a and b:
            visible = {e.graph for e in entries if e.state in ("published", "superseded")}
            if a in visible and b in visible:
                changes = diff(flow, a, b, scope=scope)
        public = [e for e in entries if e.state in ("published", "superseded")]
        versions = [e.version for e in entries if e.version is not None]
        found = claims(flow, iri, versions=versions, reader=reader)
        return {"entries": public, "claims": found, "changes": changes}

    return {"contribution_provenance": contribution_provenance}
