"""The named queries over HTTP: a gallery, one page per query, and a JSON/CSV API.

- ``/queries``: every question of the library with its summary;
- ``/queries/<name>``: the summary, a form for the parameters, the answer as a table (labels as
  link text, resource IRIs linked to their pages here), downloads, and the SPARQL text;
- ``/api/queries`` (JSON list) and ``/api/queries/<name>``: the answer as SPARQL JSON results
  (default), CSV, TSV or XML, or as RDF for CONSTRUCT queries; ``format=`` or Accept chooses.

Query-string parameters other than ``format`` are the query's parameters; an unknown or
ill-typed one is a 400 naming it. The dashboards' aggregates (``DASHBOARD_QUERIES``) are
answered from their answers kept per store generation (:mod:`lhs_kg.aggregates`, #16).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from lhs_kg.aggregates import DASHBOARD_QUERIES
from lhs_kg.describe.choices import Choice, choices
from lhs_kg.errors import LhsKgError, ParameterError
from lhs_kg.formats import GRAPH_FORMATS, PAGE, RESULT_FORMATS, Format, for_media_type, named, names
from lhs_kg.protocol import Answer
from lhs_kg.queries import NamedQuery, Parameter, QueryLibrary
from lhs_kg.sparql_text import inject_values
from web.engine import get_kb, get_settings
from web.errors import public_message, status_for
from web.negotiation import choose
from web.views.plain_results import plain_table
from web.views.public_urls import absolute_url
from web.views.reading import aggregates, get_reader
from web.views.sparql import content_type, get_runner

bp = Blueprint("queries", __name__)

_RESERVED = ("format",)
_INPUT_TYPES = {"int": "number", "date": "date", "iri": "url", "string": "text"}


def library() -> QueryLibrary:
    """The app's query library (parsed files are cached by modification time)."""
    settings = get_settings()
    return QueryLibrary.from_settings(settings)


def run_named(
    query: NamedQuery, bindings: dict[str, ox.NamedNode | ox.Literal], fmt: Format | None = None
) -> Answer:
    """A named query's answer: a dashboard's kept per store generation, any other run now."""
    if query.name in DASHBOARD_QUERIES and query.returns == "select":
        kept = aggregates(current_app, get_kb()).answer(query.text, bindings or None)
        if fmt is None:
            return Answer("select", kept.variables, rows=kept.rows())
        return Answer("select", kept.variables, body=kept.serialize(fmt))
    return get_runner().run(query.text, fmt=fmt, bindings=bindings)


def _values() -> dict[str, str]:
    """The query's parameters from the query string: one value each, ``format`` left out."""
    values: dict[str, str] = {}
    for name in request.args:
        if name in _RESERVED:
            continue
        given = request.args.getlist(name)
        if len(given) > 1:
            raise ParameterError(f"parameter {name!r} is given {len(given)} times; give it once")
        values[name] = given[0]
    return values


#: Above this many choices a parameter is a text box with suggestions, not a drop-down list.
SELECT_MAX = 60


def _choices(param: Parameter) -> list[Choice]:
    """The values offered for a parameter (concepts, case studies…), read from the KB."""
    return choices(get_reader(), param)


@bp.get("/queries")
def gallery() -> str:
    """Every named query with its summary and parameters."""
    return render_template("queries.html", queries=library().all())


@bp.get("/queries/<name>")
def page(name: str) -> Response:
    """One named query: form, answer table, downloads and the SPARQL text."""
    named = library().get(name)
    values = _values()
    error = None
    table = answer = None
    ran = bool(values) or not any(p.required for p in named.params)
    bound_text = named.text
    status = 200
    if ran:
        try:
            bindings = named.bind(values)
            bound_text = inject_values(named.text, bindings) if bindings else named.text
            answer = run_named(named, bindings)
            table = plain_table(answer, named, get_reader())
        except LhsKgError as err:
            error, status = public_message(err), status_for(err)
    try:
        offered = {p.name: _choices(p) for p in named.params}
    except LhsKgError:
        offered = {}
    query_string = urlencode(values)
    html = render_template(
        "queries_page.html",
        query=named,
        values=values,
        table=table,
        answer=answer,
        error=error,
        ran=ran,
        choices=offered,
        select_max=SELECT_MAX,
        input_types=_INPUT_TYPES,
        csv_url=url_for("queries.api_query", name=name)
        + "?"
        + urlencode({**values, "format": "csv"}),
        json_url=url_for("queries.api_query", name=name)
        + (f"?{query_string}" if query_string else ""),
        editor_url=url_for("sparql.endpoint", example=name, **values),
        bound_text=_without_header(bound_text),
    )
    return Response(html, status=status, mimetype=PAGE.media_type)


def _without_header(text: str) -> str:
    """The SPARQL shown on a page, without the ``#+`` lines the page already says in words."""
    return "\n".join(line for line in text.split("\n") if not line.startswith("#+"))


@bp.get("/api/queries")
def api_list() -> Response:
    """The library as JSON: names, summaries, parameters and links."""
    return jsonify([_describe(q) for q in library().all()])


def _describe(named: NamedQuery) -> dict[str, object]:
    return {
        "name": named.name,
        "title": named.heading,
        "description": named.description,
        "summary": named.summary,
        "returns": named.returns,
        "params": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default}
            for p in named.params
        ],
        "api": absolute_url(url_for("queries.api_query", name=named.name)),
        "page": absolute_url(url_for("queries.page", name=named.name)),
    }


def _api_format(query: NamedQuery) -> Format:
    graph = query.returns in ("construct", "describe")
    formats = GRAPH_FORMATS if graph else RESULT_FORMATS
    wanted = request.args.get("format")
    if wanted:
        fmt = named(wanted, formats) or for_media_type(wanted, formats)
        if fmt is None:
            known = ", ".join(names(formats))
            raise ParameterError(f"format {wanted[:50]!r} is not offered for this query ({known})")
        return fmt
    return choose(formats) or formats[0]


@bp.get("/api/queries/<name>")
def api_query(name: str) -> Response:
    """A named query's answer as SPARQL results (JSON by default) or RDF, for programs."""
    named = library().get(name)
    fmt = _api_format(named)
    answer = run_named(named, named.bind(_values()), fmt)
    response = Response(answer.body, content_type=content_type(fmt))
    if fmt.name in ("csv", "tsv"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt.name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response
