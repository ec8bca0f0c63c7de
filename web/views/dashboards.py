"""Dashboards: the NASSS heat map (case studies × domains, `/nasss`) and evidence gaps (`/gaps`)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from lhs_kg.contributions.form import prefill_for
from lhs_kg.describe import casestudies, gaps
from lhs_kg.describe.casestudies.heatmap import MEMBERS_SHOWN, UNRATED
from lhs_kg.formats import result_format
from web.conditional import public_page
from web.views.reading import contribution_form, get_reader

bp = Blueprint("dashboards", __name__)


@bp.get("/nasss")
@public_page()
def nasss() -> str:
    """One page of the heat map: ``?sort=label|complex|domain-<n>``, filters ``domain`` with
    ``level``, ``rated`` and ``complex``, and ``page`` (links and a form, no JS needed)."""
    reader = get_reader()
    notations = {d[1] for d in casestudies.domains(reader)}
    view = casestudies.parse_filter(request.args, notations)
    found = casestudies.heat_page(reader, view, casestudies.parse_page(request.args.get("page")))

    def here(**changes: object) -> str:
        """This view's URL with ``changes`` (page 1 unless a page is given)."""
        page = changes.pop("page", 1)
        args = found.view.args(**changes)
        return url_for("dashboards.nasss", **args, **({"page": page} if page != 1 else {}))

    return render_template(
        "nasss.html",
        heat=found.map,
        found=found,
        here=here,
        levels=(*casestudies.LEVELS, UNRATED),
        data_links=_data_links(),
        members_shown=MEMBERS_SHOWN,
    )


@bp.get("/nasss.csv")
@public_page("csv")
def nasss_csv() -> Response:
    """The whole heat map as CSV, one case study a line, streamed (researchers' download)."""
    heat = casestudies.heatmap(get_reader())
    response = Response(
        casestudies.heat_csv(heat), content_type=f"{result_format('csv').media_type}; charset=utf-8"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="nasss-heatmap.csv"'
    return response


def _data_links() -> list[tuple[str, str]]:
    """(label, URL) of the whole table as data: the wide CSV and the named query's answers."""
    api = "queries.api_query"
    return [
        ("CSV, one case study a line", url_for("dashboards.nasss_csv")),
        ("SPARQL JSON results", url_for(api, name="nasss-heatmap", format="json")),
        ("SPARQL CSV, one cell a line", url_for(api, name="nasss-heatmap", format="csv")),
    ]


@bp.get("/gaps")
@public_page()
def evidence_gaps() -> str:
    """The framework's, the loop's and NASSS's concepts with what addresses them, each with a
    link to the contribution form pre-filled for it."""
    reader = get_reader()
    found = gaps.gaps(reader)
    form = contribution_form(reader)
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
