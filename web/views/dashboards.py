"""Dashboards: the NASSS heat map (case studies × domains, `/nasss`) and evidence gaps (`/gaps`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from lhs_kg.contributions.form import build_form, prefill_for
from lhs_kg.describe import casestudies, gaps
from web.conditional import public_page
from web.engine import get_kb
from web.views.reading import get_reader

bp = Blueprint("dashboards", __name__)


@bp.get("/nasss")
@public_page()
def nasss() -> str:
    """The heat map, sortable with ``?sort=label|complex|domain-<n>`` (links work without JS)."""
    heat = casestudies.heatmap(get_reader(), request.args.get("sort", "label")[:32])
    return render_template("nasss.html", heat=heat)


@bp.get("/gaps")
@public_page()
def evidence_gaps() -> str:
    """The framework's, the loop's and NASSS's concepts with what addresses them, each with a
    link to the contribution form pre-filled for it."""
    reader = get_reader()
    found = gaps.gaps(reader)
    form = build_form(get_kb(), reader.graphs)
    contribute = {
        g.iri: url_for("contribute.contribute_form", **prefill_for(form, g.iri, g.broader))
        for g in found.concepts
    }
    return render_template(
        "gaps.html",
        gaps=found,
        contribute=contribute,
        empty=sum(1 for g in found.concepts if g.empty),
        total=len(found.concepts),
    )
