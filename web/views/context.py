"""Our JSON-LD context over HTTP, at the IRIs contributions and exports name it by.

JSON-LD processors elsewhere fetch a context from its IRI; lhs-kg itself never does (it reads the
file), but partners' tools will, so the file is served as it is, cacheable and open to CORS.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from lhs_kg.formats import rdf_format
from web.engine import get_settings

bp = Blueprint("context", __name__)


@bp.get("/context.jsonld")
@bp.get("/ontology/context.jsonld")
def context() -> Response:
    """The context file with the JSON-LD media type."""
    path = get_settings().context_file
    response = current_app.response_class(
        path.read_bytes(), mimetype=rdf_format("jsonld").media_type
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
