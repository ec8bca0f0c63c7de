"""The home page: the framework wheel and the Better Care Loop as linked diagrams; entry points."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from lhs_kg.describe import casestudies, concepts, sources
from web.conditional import public_page
from web.views import diagrams
from web.views.reading import get_reader

bp = Blueprint("home", __name__)


@bp.get("/")
@public_page()
def index() -> str:
    """The wheel, the loop, and the ways into the knowledge graph."""
    reader = get_reader()

    def context() -> dict[str, Any]:
        rings = concepts.wheel(reader)
        return {
            "rings": rings,
            "wheel": diagrams.wheel(rings),
            "loop_shapes": diagrams.loop(concepts.loop(reader)),
            "schemes": concepts.schemes(reader),
            "n_case_studies": casestudies.count(reader),
            "n_sources": sources.count(reader),
        }

    # the same for every visitor until the published view changes
    return render_template("home.html", **reader.memo("home-page", context))
