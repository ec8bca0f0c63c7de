"""A liveness probe for deployments and the test fixtures that start the server."""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, jsonify

from web.engine import get_kb
from web.store_generation import EXTENSION
from web.views.reading import graph_names

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 with the number of graphs and the store's generation, which worker process
    answered, and whether it is warming its dashboards and search index (and how many times
    it did), when the store answers. No triple is counted: milliseconds at any size (#16)."""
    kb = get_kb()
    check = current_app.extensions[EXTENSION]
    return jsonify(
        {
            "status": "ok",
            "graphs": len(graph_names(current_app, kb)),
            "generation": kb.store.generation,
            "worker": os.getpid(),
            "warming": check.warming(),
            "warm_ups": check.warm_ups,
        }
    )
