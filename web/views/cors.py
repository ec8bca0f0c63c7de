"""CORS on every public read, decided in one place (#12), consistent with ``/sparql``.

Linked-data documents, exports, VoID and the dataset description are data other sites' scripts
may read, as they may query ``/sparql``: their GET, HEAD and preflight OPTIONS answers carry
``Access-Control-Allow-Origin: *``. Never the forms, the review pages, the contribution API or
status pages, and never a response that sets a cookie or depends on one (``Vary: Cookie``): CORS
with ``*`` sends no credentials, and those answers are for the person who holds the cookie.
This module registers no routes, only an app-wide hook.
"""

from __future__ import annotations

from flask import Blueprint, Request, Response, request

bp = Blueprint("cors", __name__)

PRIVATE_PREFIXES = ("/review", "/contribute", "/contributions/", "/api/contributions")
"""Paths whose answers are for one person (forms, reviews, status pages): no CORS."""
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def is_public_read(req: Request, response: Response) -> bool:
    """True for a read of public data whose answer is the same for everyone."""
    if req.method not in READ_METHODS or req.path.startswith(PRIVATE_PREFIXES):
        return False
    if "Set-Cookie" in response.headers:
        return False
    return "cookie" not in {item.lower() for item in response.vary}


@bp.after_app_request
def allow_cross_origin_reads(response: Response) -> Response:
    """Add the CORS headers /sparql sends to every other public read (and its preflight)."""
    if not is_public_read(request, response):
        return response
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if request.method == "OPTIONS":
        for name, value in PREFLIGHT.items():
            response.headers.setdefault(name, value)
    return response
