"""POST /api/validate: check a contribution without submitting it; the answer is the report.

The body is the submission, in any of the formats ``/api/contributions`` takes
(:data:`lhs_kg.formats.SUBMISSION_FORMATS`), told apart by Content-Type or, for another type,
by its content (a checker may guess; ``/api/contributions`` stores nothing it has to guess and
answers 415). The report comes back as JSON, the SHACL report as Turtle, an HTML fragment or
plain text, by Accept (:data:`lhs_kg.formats.REPORT_FORMATS`). A readable submission gets 200
whether it conforms or not; unreadable input is a 400 (or 413 when too large) from the shared
error handlers.

Bounded (#12): at most ``VALIDATE_RATE_LIMIT`` requests per ``VALIDATE_RATE_WINDOW_S`` seconds
per client address (429 with Retry-After), the body by ``LHS_KG_MAX_UPLOAD_BYTES``, the parsed
graph by ``LHS_KG_MAX_SUBMISSION_TRIPLES`` and the validator's own bounds (413), and the wait for
the validator by ``LHS_KG_QUERY_TIMEOUT`` (503).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from lhs_kg.formats import REPORT_FORMATS, SUBMISSION_FORMATS, for_media_type
from lhs_kg.validate import validate
from web.engine import get_kb, get_settings
from web.negotiation import choose
from web.security import rate_limit

bp = Blueprint("validate", __name__)


@bp.post("/api/validate")
def api_validate() -> Response:
    """Validate the request body and answer with the report in the format the client accepts."""
    rate_limit("validate", 60, 60.0, "validations")
    fmt = for_media_type(request.mimetype or "", SUBMISSION_FORMATS)
    data = request.get_data(cache=False)
    report = validate(
        data,
        kb=get_kb(),
        settings=get_settings(),
        fmt=fmt.name if fmt else None,  # another type: told apart by its content
        name="submission",
        contribution=request.args.get("content") != "true",
    )
    rendering = choose(REPORT_FORMATS) or REPORT_FORMATS[0]
    response = Response(report.render(rendering.name), mimetype=rendering.media_type)
    response.headers["Vary"] = "Accept"
    return response
