"""Contributing: the form generated from the shapes, the JSON/Turtle API and the status page.

- ``GET /contribute``: the form (works without JavaScript), pre-filled from the query string
  (``?rationales=improve-outcomes``: input names as posted, choices checked, else 400);
  ``POST /contribute`` validates and either shows the messages next to the fields (422) or
  redirects to the status page (303); an "Add another …" button (``add=<group>``) shows the
  form again with one more row (200), and a post the page could not have produced (unknown
  input, value sent twice, absurd row number) is refused whole (400);
- ``POST /api/contributions``: the body is the document, its Content-Type says the format
  (any of :data:`lhs_kg.formats.SUBMISSION_FORMATS`: JSON, YAML, JSON-LD, Turtle, N-Triples,
  RDF/XML, the same as ``/api/validate``); the contributor is in the document or in
  ``X-Contributor-Name``/``-Email``/``-Orcid`` headers;
  sending implies accepting CC BY 4.0 unless the document names its licence. 201 with
  ``Location`` of the status page, 422 with the JSON report, 413 too large, 415 unknown type,
  429 (with ``Retry-After``) when one address sends too much;
- ``GET /contributions/<token>``: the status page, at an address only the contributor knows.

Forms carry a CSRF token and refuse to work in production without a real secret key; the
rate limits, the token and the key check are :mod:`web.security`'s.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
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
    check_prefill,
    check_structure,
    errors_by_field,
    layout,
    to_document,
)
from lhs_kg.contributions.form.carried import CARRIED, carried_history
from lhs_kg.errors import InputError
from lhs_kg.formats import (
    JSON,
    PAGE,
    SPARQL_REQUEST_FORMATS,
    SUBMISSION_FORMATS,
    for_media_type,
    media_types,
)
from lhs_kg.validate import validate
from web.engine import get_kb, get_settings
from web.negotiation import choose
from web.security import check_csrf, rate_limit, require_secret

bp = Blueprint("contribute", __name__)


def _size_limit() -> None:
    limit = get_settings().max_upload_bytes
    if request.content_length is not None and request.content_length > limit:
        abort(_json_or_page(413, "Too Large", f"Submissions are limited to {limit:,} bytes."))


def _json_or_page(status: int, title: str, message: str) -> Response:
    from web.errors import error_response

    return error_response(status, title, message)


# -- the form ----------------------------------------------------------------------------------


def _build_form() -> ContributionForm:
    from web.views.reading import contribution_form, get_reader

    return contribution_form(get_reader())


def _form_page(
    form: ContributionForm,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, list[str]] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    add: str | None = None,
) -> Response:
    sections = layout(form, values or {}, add)
    given = values or {}
    carried = [(n, given[n][0]) for n in CARRIED if len(given.get(n, ())) == 1]
    html = render_template(
        "contribute.html",
        carried=carried,
        history=carried_history(given),
        sections=sections,
        datalists=form.datalists,
        values=values or {},
        errors=errors or {},
        general=general or [],
        focus=_new_row_input(sections, add),
        max_bytes=get_settings().max_upload_bytes,
    )
    return Response(html, status=status, mimetype=PAGE.media_type)


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


def prefilled_form(values: dict[str, list[str]]) -> Response:
    """The contribution form pre-filled as ``GET /contribute?…`` would, for a page that hands
    over more than a link can carry (the self-assessment's notes, #15); nothing is stored."""
    require_secret()
    form = _build_form()
    problems = check_prefill(form, values)
    if problems:
        abort(_json_or_page(400, "Bad Request", " ".join(problems)))
    return _form_page(form, values)


@bp.get("/contribute")
def contribute_form() -> Response:
    """The contribution form, generated from the SHACL shapes; query parameters pre-fill it
    (``?loopStages=P2D``, the same input names a post uses), checked like a post (400)."""
    require_secret()
    form = _build_form()
    values = {k: list(vs) for k, vs in request.args.lists()}
    problems = check_prefill(form, values)
    if problems:
        abort(
            _json_or_page(
                400,
                "Bad Request",
                "This link cannot pre-fill the contribution form: " + " ".join(problems),
            )
        )
    return _form_page(form, values)


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
    rate_limit("contribution", 20, 60.0, "submissions")
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
        media_type=SPARQL_REQUEST_FORMATS[0].media_type,  # an HTML form's body
    )
    if not outcome.stored:
        errors, general = errors_by_field(outcome.report, conversion, form)
        return _form_page(form, values, errors, general, status=422)
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
    """Submit a document (any of the submission formats): 201 stored, 422 with the report."""
    _size_limit()
    mimetype = request.mimetype
    fmt = for_media_type(mimetype, SUBMISSION_FORMATS)
    if fmt is None:
        known = ", ".join(media_types(SUBMISSION_FORMATS))
        abort(_json_or_page(415, "Unsupported Media Type", f"Send one of: {known}."))
    rate_limit("contribution", 20, 60.0, "submissions")
    data = request.get_data(cache=False)
    outcome = Contributions(get_kb()).submit(
        data,
        fmt.name,
        contributor=_contributor_from_headers(),
        channel="api",
        name="(request body)",
        media_type=mimetype,
    )
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
    if choose((PAGE, JSON)) == JSON:
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
    response = Response(html, mimetype=PAGE.media_type)
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
    return redirect(url_for("contribute.status", token=token), code=303)
