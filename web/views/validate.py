"""POST /api/validate: check a contribution without submitting it; the answer is the report.

The body is the submission (JSON, YAML, JSON-LD, Turtle, RDF/XML or N-Triples, told apart by
Content-Type or sniffed); the report comes back as JSON, the SHACL report as Turtle, or an HTML
fragment, by Accept. A readable submission gets 200 whether it conforms or not; unreadable input is
a 400 (or 413 when too large) from the shared error handlers.

Bounded (#12): at most ``VALIDATE_RATE_LIMIT`` requests per ``VALIDATE_RATE_WINDOW_S`` seconds
per client address (429 with Retry-After), the body by ``LHS_KG_MAX_UPLOAD_BYTES``, the parsed
graph by ``LHS_KG_MAX_SUBMISSION_TRIPLES`` and the validator's own bounds (413), and the wait for
the validator by ``LHS_KG_QUERY_TIMEOUT`` (503).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from lhs_kg.formats import negotiate
from lhs_kg.validate import validate
from web.engine import get_kb, get_settings
from web.security import rate_limit

bp = Blueprint("validate", __name__)

_FORMATS = {
    "application/json": "json",
    "application/ld+json": "jsonld",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/turtle": "ttl",
    "application/rdf+xml": "rdfxml",
    "application/n-triples": "nt",
}
_RENDERINGS = {"application/json": "json", "text/turtle": "ttl", "text/html": "html"}


@bp.post("/api/validate")
def api_validate() -> Response:
    """Validate the request body and answer with the report in the format the client accepts."""
    rate_limit("validate", 60, 60.0, "validations")
    media = (request.mimetype or "").lower()
    fmt = _FORMATS.get(media)
    data = request.get_data(cache=False)
    report = validate(
        data,
        kb=get_kb(),
        settings=get_settings(),
        fmt=fmt,
        name="submission",
        contribution=request.args.get("content") != "true",
    )
    chosen = negotiate(request.headers.get("Accept"), list(_RENDERINGS)) or "application/json"
    rendering = _RENDERINGS[chosen]
    mimetype = "text/html" if rendering == "html" else chosen
    response = Response(report.render(rendering), mimetype=mimetype)
    response.headers["Vary"] = "Accept"
    return response
