"""Reference files (BibTeX, RIS, CSL-JSON) as contributions, from the web page and the API (#14).

``/import-sources`` (a form) and ``POST /api/sources/import`` take the steps of
``lhs-kg import-sources``: entries checked (422 naming entry key and field, nothing stored),
sources already known left out, the rest stored as one source list pending review (the status
page, or 201), or nothing to add (200).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from lhs_kg.contributions import Contributions, Contributor
from lhs_kg.errors import InputError
from lhs_kg.formats import REFERENCE_FORMATS, for_media_type, media_types
from lhs_kg.literature.entries import FORMATS, LiteratureError, read_entries
from lhs_kg.literature.intake import plan
from web.engine import get_kb
from web.security import check_csrf, rate_limit, require_secret
from web.views.contribute import (
    _api_answer,
    _contributor_from_headers,
    _json_or_page,
    _size_limit,
)

bp = Blueprint("literature", __name__)


@bp.post("/api/sources/import")
def import_sources() -> Response:
    """Import the references in the request body as a source list waiting for review."""
    _size_limit()
    typed = for_media_type(request.mimetype, REFERENCE_FORMATS)
    fmt = request.args.get("format") or (typed.name if typed else None)
    if fmt not in FORMATS:
        known = ", ".join(media_types(REFERENCE_FORMATS))
        return _json_or_page(
            415,
            "Unsupported Media Type",
            f"Send a reference file as one of {known}, or name it with ?format= "
            f"({', '.join(FORMATS)}).",
        )
    contributor = _contributor_from_headers()
    if contributor is None:
        return _json_or_page(
            400, "Bad Request", "Say who you are with X-Contributor-Name and X-Contributor-Email."
        )
    rate_limit("contribution", 20, 60.0, "submissions")
    data = request.get_data(cache=False)
    name = request.args.get("name") or "(request body)"
    try:
        entries = read_entries(data, name, fmt)
    except LiteratureError as err:
        response = jsonify(
            {
                "stored": False,
                "problems": [
                    {"key": p.key, "field": p.field, "message": p.message} for p in err.problems
                ],
            }
        )
        response.status_code = 422
        return response
    except InputError as err:
        return _json_or_page(400, "Bad Request", str(err))
    kb = get_kb()
    intake = plan(kb, entries, name, data)
    found = {
        "added": [{"key": k, "source": iri} for k, iri in intake.added],
        "duplicates": [{"key": k, "of": iri} for k, iri in intake.duplicates],
    }
    if intake.subject is None:
        return jsonify({"stored": False, **found})
    payload = intake.graph.serialize(format="nt").encode("utf-8")
    outcome = Contributions(kb).submit(
        payload,
        "nt",
        contributor=contributor,
        channel="api",
        name=name,
        media_type=request.mimetype,
    )
    response = _api_answer(outcome)
    if response.status_code == 201:
        body = response.get_json() or {}
        body.update(found)
        response.set_data(jsonify(body).get_data())
    return response


@bp.get("/import-sources")
def import_page() -> str:
    """The form for sending a reference file."""
    require_secret()
    return render_template("import_sources.html", formats=FORMATS, values={})


@bp.post("/import-sources")
def import_post() -> Response | tuple[str, int]:
    """Check and store the uploaded file; problems come back on the page, nothing stored."""
    require_secret()
    _size_limit()
    check_csrf()
    values = {k: request.form.get(k, "").strip() for k in ("name", "email", "orcid", "format")}
    upload = request.files.get("file")

    def again(problems: list[str], status: int = 422) -> tuple[str, int]:
        page = render_template(
            "import_sources.html", formats=FORMATS, values=values, problems=problems
        )
        return page, status

    if upload is None or not upload.filename:
        return again(["Choose a reference file to send."], 400)
    if request.form.get("licence") != "CC-BY-4.0":
        return again(["Accept the licence: contributions are published under CC BY 4.0."], 400)
    try:
        who = Contributor.parse(values["name"], values["email"], values["orcid"] or None)
        data = upload.read(get_kb().settings.max_upload_bytes + 1)
        entries = read_entries(data, upload.filename, values["format"] or None)
    except LiteratureError as err:
        return again([str(problem) for problem in err.problems])
    except InputError as err:
        return again([str(err)], 400)
    rate_limit("contribution", 20, 60.0, "submissions")
    kb = get_kb()
    intake = plan(kb, entries, upload.filename, data)
    if intake.subject is None:
        return render_template(
            "import_sources.html", formats=FORMATS, values=values, intake=intake
        ), 200
    payload = intake.graph.serialize(format="nt").encode("utf-8")
    outcome = Contributions(kb).submit(
        payload, "nt", contributor=who, channel="web", name=upload.filename
    )
    if not outcome.stored:
        return again([issue.message for issue in outcome.report.issues])
    return redirect(url_for("contribute.status", token=outcome.token), code=303)


__all__ = ["bp"]
