"""The dataset description (``/dataset``, ``/.well-known/void``) and the downloads (``/export``).

The description is HTML for browsers and VoID/DCAT in Turtle, JSON-LD, N-Triples or RDF/XML by
content negotiation (``Vary: Accept``). ``/export`` streams a dump of the published view; every
parameter is checked before the first byte, so a bad request gets a 400 with a readable message.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, render_template, request

from lhs_kg.cache import Background, Derived, Latest
from lhs_kg.errors import InputError
from lhs_kg.export import EXPORT_FORMATS, Selection, plan_export, write_export
from lhs_kg.export.case_studies_csv import write_case_studies_csv
from lhs_kg.export.describe_dataset import DatasetDescription, describe_dataset
from lhs_kg.export.stream import stream
from lhs_kg.formats import GRAPH_FORMATS, GZIP, PAGE, rdf_format, result_format
from web.engine import get_kb, get_settings
from web.errors import error_response
from web.negotiation import choose, offered_types
from web.views.public_urls import public_root

bp = Blueprint("export", __name__)

#: The app extension holding the dataset description, made per store generation (#16).
DESCRIPTION_KEY = "lhs_kg_dataset_description"
#: How long a request waits for the description being counted before a 503 (a small store's
#: is ready by then).
DESCRIPTION_WAIT_S = 2.0
#: How long it waits when the last one counted can be served meanwhile (said to be so).
OLDER_DESCRIPTION_WAIT_S = 0.2
#: The app extension holding the case studies as CSV, made per store generation.
CASE_STUDIES_CSV_KEY = "lhs_kg_case_studies_csv"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def dataset_description(app: Flask) -> Latest[DatasetDescription] | None:
    """The published view's VoID/DCAT description: of the data as it is now, or, while that
    is being counted, the last one counted (marked so); None before any was counted.

    Its counts read every published triple (7-9 s at 1M triples, minutes at 10M, #16): they
    are made on a background thread once per store generation, and a request waits at most
    :data:`DESCRIPTION_WAIT_S` (:data:`OLDER_DESCRIPTION_WAIT_S` when the last one counted
    can be served meanwhile). Answering 503 until the count ended made every write take the
    description away from harvesters for that long.
    """
    found = app.extensions.get(DESCRIPTION_KEY)
    if not isinstance(found, Background):
        kb = get_kb()
        settings, root = get_settings(), public_root()
        made: Background[DatasetDescription] = Background(
            kb.store,
            lambda: describe_dataset(kb.store, settings, server_url=root),
            name="dataset description",
        )
        found = app.extensions.setdefault(DESCRIPTION_KEY, made)
    latest: Latest[DatasetDescription] | None = found.latest(
        DESCRIPTION_WAIT_S, older_wait_s=OLDER_DESCRIPTION_WAIT_S
    )
    return latest


def _description(html_first: bool) -> Response:
    offers = (PAGE, *GRAPH_FORMATS) if html_first else (*GRAPH_FORMATS, PAGE)
    chosen = choose(offers)
    if chosen is None:
        response = error_response(
            406, "Not Acceptable", "This description is available as " + offered_types(offers)
        )
        response.headers["Vary"] = "Accept"
        return response
    latest = dataset_description(current_app)
    if latest is None:  # counted in the background: no request waits minutes (#16)
        response = error_response(
            503,
            "Being counted",
            "The dataset description counts every published triple; it is being counted for "
            "this version of the data. Please ask again in a little while.",
        )
        response.headers["Retry-After"] = "10"
        response.headers["Vary"] = "Accept"
        return response
    description = latest.value
    # the last description counted, while the data's latest change is counted: said so
    recount = None if latest.current else counted_before(latest.made_at)
    if chosen == PAGE:
        response = Response(
            render_template(
                "dataset.html",
                d=description,
                recount=recount,
                formats=EXPORT_FORMATS,
                graph_formats=GRAPH_FORMATS,
            ),
            mimetype=PAGE.media_type,
        )
    else:
        body = description.serialize(chosen, get_settings(), note=recount)
        response = Response(body, mimetype=chosen.media_type)
    if recount is not None:
        response.headers["Cache-Control"] = "no-cache"  # the current counts follow shortly
    response.headers["Vary"] = "Accept"
    return response


def counted_before(made_at: datetime) -> str:
    """What a description counted before the data's latest change says of itself."""
    return (
        f"These figures count the published data as it was at {made_at:%Y-%m-%d %H:%M:%S} "
        "UTC, before its latest change; they are being counted again. Ask again in a little "
        "while for the current figures."
    )


@bp.get("/dataset")
def dataset() -> Response:
    """The dataset description: HTML for people, VoID/DCAT for machines."""
    return _description(html_first=True)


@bp.get("/.well-known/void")
def well_known_void() -> Response:
    """The VoID description at its well-known location (RDF preferred, RFC 8615)."""
    return _description(html_first=False)


def _flag(name: str) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InputError(f"{name} must be true or false, got {raw!r}")


@bp.get("/export")
def export() -> Response:
    """A streamed dump: ?format=nq|trig|ttl|nt|jsonld|rdfxml &graph=IRI… &class=IRI
    &query=NAME &gzip=1."""
    fmt_name = request.args.get("format", "nq").strip() or "nq"
    fmt = rdf_format(fmt_name)
    if fmt.name not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt_name!r}")
    gzip = _flag("gzip")
    params = {
        key[len("param.") :]: value
        for key, value in request.args.items()
        if key.startswith("param.")
    }
    selection = Selection(
        tuple(request.args.getlist("graph")),
        request.args.get("class") or None,
        request.args.get("query") or None,
        params,
    )
    kb = get_kb()
    plan = plan_export(kb.store, get_settings(), selection, fmt.name)
    name = plan.file_name(gzip)
    body = stream(lambda out: write_export(plan, out, gzip=gzip))
    response = Response(body, mimetype=GZIP.media_type if gzip else fmt.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/export/case-studies.csv")
def case_studies_csv() -> Response:
    """The case studies and their NASSS ratings as a spreadsheet-friendly CSV, made once per
    store generation: at 1M triples it took 27 s, so each download asked for again (or by
    several people at once) would hold a worker that long; they wait for the one being made."""
    found = current_app.extensions.get(CASE_STUDIES_CSV_KEY)
    if not isinstance(found, Derived):
        kb, settings = get_kb(), get_settings()
        made: Derived[bytes] = Derived(
            kb.store, lambda: write_case_studies_csv(kb.store, settings).encode("utf-8")
        )
        found = current_app.extensions.setdefault(CASE_STUDIES_CSV_KEY, made)
    body: bytes = found.get()
    csv = result_format("csv").media_type
    response = Response(body, mimetype=csv)
    response.headers["Content-Type"] = f"{csv}; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = 'attachment; filename="lhs-kg-case-studies.csv"'
    return response
