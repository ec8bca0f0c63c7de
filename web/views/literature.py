"""``POST /api/sources/import``: a reference file (BibTeX, RIS, CSL-JSON) as a contribution (#14).

The same steps as ``lhs-kg import-sources``: entries checked (422 naming entry key and field,
nothing stored), sources already known left out, the rest stored as one source list pending
review (201), or nothing to add (200).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from lhs_kg.contributions import Contributions
from lhs_kg.errors import InputError
from lhs_kg.literature.entries import FORMATS, LiteratureError, read_entries
from lhs_kg.literature.intake import plan
from web.engine import get_kb
from web.views.contribute import (
    _api_answer,
    _contributor_from_headers,
    _json_or_page,
    _rate_limit,
    _size_limit,
    published_view_changed,
)

bp = Blueprint("literature", __name__)

MEDIA_TYPES = {
    "application/x-bibtex": "bibtex",
    "text/x-bibtex": "bibtex",
    "application/x-research-info-systems": "ris",
    "application/vnd.citationstyles.csl+json": "csl-json",
}
"""Media types of reference files; ``?format=`` names the format for any other type."""


@bp.post("/api/sources/import")
def import_sources() -> Response:
    """Import the references in the request body as a source list waiting for review."""
    _size_limit()
    fmt = request.args.get("format") or MEDIA_TYPES.get(request.mimetype)
    if fmt not in FORMATS:
        known = ", ".join(sorted(MEDIA_TYPES))
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
    _rate_limit()
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
    if outcome.stored:
        published_view_changed()
    response = _api_answer(outcome)
    if response.status_code == 201:
        body = response.get_json() or {}
        body.update(found)
        response.set_data(jsonify(body).get_data())
    return response


__all__ = ["bp"]
