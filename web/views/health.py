"""A liveness probe for deployments and the test fixtures that start the server."""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, jsonify

from web.engine import get_kb
from web.store_generation import EXTENSION
from web.views.reading import graph_infos

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 with the number of graphs (counted once per store generation, not per probe),
    which worker process answered, and whether it is warming its dashboards and search index
    (and how many times it did), when the store answers."""
    graphs = graph_infos(current_app, get_kb())
    check = current_app.extensions[EXTENSION]
    return jsonify(
        {
            "status": "ok",
            "graphs": len(graphs),
            "worker": os.getpid(),
            "warming": check.warming(),
            "warm_ups": check.warm_ups,
        }
    )
