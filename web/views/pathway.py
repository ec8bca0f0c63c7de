"""The pathway through the framework (#15): an overview at ``/pathway`` and one page per step
(``/pathway/why`` …), each asking the team's questions and linking the guidance, tools and case
studies for that step, with previous/next links. The steps are content: ``ontology/pathway.ttl``.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from lhs_kg.describe import pathway
from lhs_kg.formats import rdf_format
from web.conditional import public_page
from web.views.reading import get_reader

bp = Blueprint("pathway", __name__)
MAX_STEP_ID = 64


@bp.get("/pathway")
@public_page()
def overview() -> str:
    """The steps in order, each with what it is for."""
    found = pathway.steps(get_reader())
    if not found:
        abort(404, "the pathway is not in the knowledge base (ontology/pathway.ttl)")
    return render_template("pathway.html", steps=found)


@bp.get("/pathway/<step_id>")
@public_page()
def step(step_id: str) -> str:
    """One step: its questions, the framework part it covers, tools and case studies."""
    page = pathway.step_page(get_reader(), step_id[:MAX_STEP_ID])
    if page is None:
        abort(404, "there is no such step on the pathway; the pathway page lists them")
    return render_template(
        "pathway_step.html",
        page=page,
        steps=pathway.steps(get_reader()),
        turtle=rdf_format("turtle").media_type,
    )
