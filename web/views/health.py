"""A liveness probe for deployments and the test fixtures that start the server."""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, jsonify

from web.engine import get_kb
from web.views.reading import graph_infos

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 with the number of graphs (counted once per store generation, not per probe) and
    which worker process answered, when the store answers."""
    graphs = graph_infos(current_app, get_kb())
    return jsonify({"status": "ok", "graphs": len(graphs), "worker": os.getpid()})
