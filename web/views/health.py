"""A liveness probe for deployments and the test fixtures that start the server."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.engine import get_kb

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 with the number of graphs when the store answers."""
    return jsonify({"status": "ok", "graphs": len(get_kb().graphs())})
