"""Search: ``/search?q=`` (ranked, with type filters and context) and ``/api/autocomplete?q=``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from lhs_kg.describe import search as engine
from web.conditional import public_page
from web.views.reading import get_reader, href

bp = Blueprint("search", __name__)

MAX_RESULTS = 100


@bp.get("/search")
@public_page()
def search() -> str:
    """Results for ``q``, filtered by ``type`` (repeatable: concept, scheme, case-study…)."""
    query = request.args.get("q", "")[: engine.MAX_QUERY_CHARS]
    types = [t for t in request.args.getlist("type") if t in engine.KINDS]
    reader = get_reader()
    hits = engine.search(reader, query, types=types, limit=MAX_RESULTS) if query else []
    return render_template(
        "search.html",
        q=query,
        hits=hits,
        corrections=engine.corrections(reader, query) if hits else {},
        types=types,
        type_names=list(engine.KINDS),
        words=engine.words_of(query),
    )


@bp.get("/api/autocomplete")
def autocomplete() -> Response:
    """Up to ten label matches as JSON: label, IRI, local URL, kind and context."""
    query = request.args.get("q", "")[: engine.MAX_QUERY_CHARS]
    hits = engine.autocomplete(get_reader(), query) if query.strip() else []
    response = jsonify(
        {
            "results": [
                {
                    "label": h.label,
                    "iri": h.iri,
                    "url": href(h.iri),
                    "kind": h.kind,
                    "context": (h.broader or h.schemes or [""])[0],
                }
                for h in hits
            ],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
