"""Dashboards: the NASSS heat map (case studies × domains, `/nasss`) and evidence gaps (`/gaps`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lhs_kg.describe import casestudies, gaps
from web.conditional import public_page
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
    """Every concept with its counts of case studies and sources, by scheme."""
    found = gaps.gaps(get_reader())
    schemes: dict[str, list[gaps.Gap]] = {}
    for gap in found:
        schemes.setdefault(gap.scheme_label, []).append(gap)
    return render_template(
        "gaps.html", schemes=schemes, empty=sum(1 for g in found if g.empty), total=len(found)
    )
