"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, and the query editor browsers see there.

- query by GET (``?query=``), by POST form-encoded, or by POST ``application/sparql-query``;
- ``default-graph-uri`` / ``named-graph-uri`` pick the dataset; without them the default graph
  is the union of every named graph (said in the service description);
- results as SPARQL JSON, XML, CSV, TSV (SELECT/ASK) or Turtle, N-Triples, JSON-LD, RDF/XML
  (CONSTRUCT/DESCRIBE) chosen by ``Accept`` (q-values) or a ``format`` parameter; HTML for
  browsers (the editor page with a results table);
- without a query: the service description (Turtle, JSON-LD…), or the editor for browsers;
- read-only: updates get 403 unless ``LHS_KG_SPARQL_UPDATE_TOKEN`` is set and sent as a bearer
  token. The time and size limits are enforced by :class:`lhs_kg.protocol.QueryRunner`, which
  runs public queries of an on-disk store in killable, network-less worker processes (#12);
- bodies must be UTF-8 (another declared charset is 415) and a POST without ``query`` or
  ``update`` is 400.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from lhs_kg import sparql
from lhs_kg.errors import LhsKgError
from lhs_kg.formats import (
    GRAPH_FORMATS,
    PAGE,
    PLAIN_TEXT,
    RESULT_FORMATS,
    SPARQL_REQUEST_FORMATS,
    Format,
    for_media_type,
    media_types,
    named,
    names,
    ox_rdf,
)
from lhs_kg.namespaces import PREFIXES
from lhs_kg.protocol import Answer, Dataset, QueryRunner, run_update, service_description
from lhs_kg.queries import QueryLibrary
from lhs_kg.sparql_text import inject_values
from web.engine import get_kb, get_settings
from web.errors import public_message, status_for
from web.negotiation import choose, offered_types
from web.views.public_urls import absolute_url
from web.views.reading import graph_infos, graph_names, published_view

bp = Blueprint("sparql", __name__)

HTML = PAGE.media_type
#: ``format`` spellings SPARQLWrapper sends for CONSTRUCT/DESCRIBE ("n3": Turtle is N3's subset).
_SPARQLWRAPPER_GRAPH_NAMES = {"json": "jsonld", "n3": "ttl"}
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
    "Access-Control-Max-Age": "86400",
}
_RUNNER_LOCK = threading.Lock()


def get_runner(app: Flask | None = None) -> QueryRunner:
    """The app's query runner (one per process, so the slot limit is process-wide)."""
    # the real app, not the request-bound proxy: the scope is read on a query worker thread
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    runner: QueryRunner | None = app.extensions.get("lhs_kg_runner")
    if runner is None:
        with _RUNNER_LOCK:
            runner = app.extensions.get("lhs_kg_runner")
            if runner is None:
                # public queries read the published view only (#7: no pending contributions,
                # no private registry): the same view, per store generation, as the pages
                kb = app.extensions["lhs_kg"]
                runner = QueryRunner(
                    kb,
                    scope=lambda: published_view(app, kb).get().scope,
                    names=kb.published_names,  # the sources behind the published graph (#16)
                )
                app.extensions["lhs_kg_runner"] = runner
    return runner


class ProtocolError(LhsKgError):
    """A request that breaks the SPARQL Protocol; carries its HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class ProtocolRequest:
    """What a request asks for, after the protocol's rules were checked."""

    query: str | None
    update: str | None
    dataset: Dataset
    format: str | None


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"the request has {len(values)} '{name}' parameters; send one")
    return values[0] if values else None


def _body_text() -> str:
    """The body as text: UTF-8 only, as the Protocol says (W3C test ``bad_query_non_utf8``)."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(
            415, f"the request body must be UTF-8; charset={charset[:40]!r} is not accepted"
        )
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(
            400, "the request body is not valid UTF-8, the only charset accepted"
        ) from None


def parse_request() -> ProtocolRequest:
    """Read query, update, dataset and format from a request, enforcing the protocol's rules."""
    url = request.args
    form: MultiDict[str, str] = MultiDict()
    body_query = body_update = None
    if request.method == "POST":
        mimetype = request.mimetype
        body = for_media_type(mimetype, SPARQL_REQUEST_FORMATS)
        if body is None:
            raise ProtocolError(
                415,
                f"unsupported Content-Type {mimetype or '(none)'!r}: send "
                + " or ".join(media_types(SPARQL_REQUEST_FORMATS)),
            )
        if body.name == "form":
            _body_text()  # refuses a body that is not text before the form parser sees it
            form = request.form
        elif body.name == "query":
            body_query = _body_text()
        else:
            body_update = _body_text()
    queries = url.getlist("query") + form.getlist("query")
    queries += [body_query] if body_query is not None else []
    updates = url.getlist("update") + form.getlist("update")
    updates += [body_update] if body_update is not None else []
    if url.getlist("update") and request.method == "GET":
        raise ProtocolError(405, "SPARQL updates must be sent with POST", {"Allow": "POST"})
    if url.getlist("update"):
        raise ProtocolError(400, "send the update in the request body, not in the URL")
    if queries and updates:
        raise ProtocolError(400, "the request holds both a query and an update; send one")
    query = _single(queries, "query")
    update = _single(updates, "update")
    formats = url.getlist("format") + form.getlist("format")
    dataset = Dataset(
        tuple(url.getlist("default-graph-uri") + form.getlist("default-graph-uri")),
        tuple(url.getlist("named-graph-uri") + form.getlist("named-graph-uri")),
    )
    if update is not None and (
        url.getlist("default-graph-uri")
        or url.getlist("named-graph-uri")
        or form.getlist("default-graph-uri")
    ):
        raise ProtocolError(
            400,
            "updates take using-graph-uri, not default-graph-uri; this endpoint supports neither",
        )
    for iri in (*dataset.default_graphs, *dataset.named_graphs):
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ProtocolError(400, f"not a valid graph IRI: {iri[:200]!r}") from None
        if ":" not in iri:
            raise ProtocolError(400, f"graph IRIs must be absolute: {iri[:200]!r}")
    # some clients (SPARQLWrapper) repeat format with different spellings: the first one wins
    return ProtocolRequest(query, update, dataset, formats[0] if formats else None)


def choose_format(form: str, format_param: str | None) -> Format | None:
    """The output format for a query form: ``format`` wins, then Accept; None means HTML."""
    graph = form in ("construct", "describe")
    kinds, others = (GRAPH_FORMATS, RESULT_FORMATS) if graph else (RESULT_FORMATS, GRAPH_FORMATS)
    if format_param:
        name = format_param.strip().lower()
        if named(name, (PAGE,)):
            return None
        if graph:
            name = _SPARQLWRAPPER_GRAPH_NAMES.get(name, name)
        fmt = named(name, kinds) or for_media_type(name, kinds)
        if fmt is not None:
            return fmt
        if named(name, others) is not None:
            kind = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
            raise ProtocolError(400, f"format {name} does not fit a {kind} query")
        offered = ", ".join([*names(kinds), PAGE.name])
        raise ProtocolError(400, f"unknown format {format_param[:50]!r}; use one of {offered}")
    chosen = choose((*kinds, PAGE))
    if chosen is None:
        offers = offered_types((*kinds, PAGE))
        raise ProtocolError(
            406, f"none of the media types in Accept can hold this answer; offered: {offers}"
        )
    return None if chosen == PAGE else chosen


def content_type(fmt: Format) -> str:
    """The Content-Type of a response in ``fmt`` (UTF-8 declared for text types)."""
    return f"{fmt.media_type}; charset=utf-8"


def _with_cors(response: Response) -> Response:
    response.headers.update(_CORS)
    response.vary.add("Accept")
    return response


def _protocol_error(err: ProtocolError | LhsKgError) -> Response:
    """A plain-text error body: SPARQL clients show it to their users as it is."""
    status = err.status if isinstance(err, ProtocolError) else status_for(err)
    text = public_message(err) if isinstance(err, LhsKgError) else str(err)  # no store URL (#12)
    response = Response(f"{text}\n", status=status, mimetype=PLAIN_TEXT.media_type)
    if isinstance(err, ProtocolError):
        response.headers.update(err.headers)
    return _with_cors(response)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol endpoint (see the module docstring)."""
    if request.method == "OPTIONS":
        return _with_cors(Response(status=204))
    html_wanted = choose((RESULT_FORMATS[0], PAGE)) == PAGE
    try:
        req = parse_request()
        if req.update is not None:
            return _update(req.update)
        if req.query is None:
            if request.method == "POST":
                raise ProtocolError(
                    400, "the POST holds no 'query' or 'update' parameter: nothing to run"
                )
            if html_wanted and req.format is None:
                return _with_cors(_editor_page())
            return _with_cors(_service_description(req.format))
        form = get_runner().check(req.query)
        if form == "update":
            raise ProtocolError(
                400, "this is a SPARQL update: send it as 'update' with POST, not as 'query'"
            )
        fmt = choose_format(form, req.format)
        answer = get_runner().run(req.query, fmt=fmt, dataset=req.dataset)
    except (ProtocolError, LhsKgError) as err:
        if html_wanted and req_is_editor():
            error = public_message(err) if isinstance(err, LhsKgError) else str(err)
            response = _editor_page(query=_raw_query(), error=error)
            response.status_code = getattr(err, "status", None) or status_for(err)
            return _with_cors(response)
        return _protocol_error(err)
    if fmt is None:
        return _with_cors(_editor_page(query=req.query, answer=answer))
    response = Response(answer.body, content_type=content_type(fmt))
    response.headers["X-Query-Seconds"] = f"{answer.seconds:.4f}"
    return _with_cors(response)


def req_is_editor() -> bool:
    """True when the request came from the editor's form (a browser wants a page back)."""
    return request.method == "GET" or request.mimetype == SPARQL_REQUEST_FORMATS[0].media_type


def _raw_query() -> str:
    values = request.values.getlist("query")
    return values[0] if len(values) == 1 else ""


def _update(text: str) -> Response:
    token = get_settings().sparql_update_token
    if not token:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are disabled")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise ProtocolError(
            401,
            "updates need the bearer token configured on this server",
            {"WWW-Authenticate": 'Bearer realm="lhs-kg sparql"'},
        )
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ProtocolError(403, "the bearer token is not the one configured for updates")
    run_update(get_kb(), text)
    return _with_cors(Response(status=204))


def _service_description(format_param: str | None) -> Response:
    if format_param:
        found = named(format_param, GRAPH_FORMATS)
        if found is None:
            raise ProtocolError(
                400,
                f"the service description is RDF; format "
                f"{format_param[:50]!r} is not an RDF format",
            )
        fmt = found
    else:
        chosen = choose(GRAPH_FORMATS)
        if chosen is None:
            raise ProtocolError(
                406, f"the service description is offered as {offered_types(GRAPH_FORMATS)}"
            )
        fmt = chosen
    endpoint_url = absolute_url(request.path)  # configured, never the Host header (#12)
    kb = get_kb()
    counted = graph_infos(current_app, kb)  # None while counted in the background (#16)
    triples = service_description(
        endpoint_url,
        kb,
        update_enabled=bool(get_settings().sparql_update_token),
        visible=get_runner().visible_names(),
        graphs=counted,
        uncounted=graph_names(current_app, kb) if counted is None else None,
    )
    body = (
        ox.serialize(
            triples,
            None,
            ox_rdf(fmt),
            prefixes={
                "sd": "http://www.w3.org/ns/sparql-service-description#",
                "void": "http://rdfs.org/ns/void#",
                "dcterms": "http://purl.org/dc/terms/",
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            },
        )
        if fmt.name == "ttl"
        else ox.serialize(triples, None, ox_rdf(fmt))
    )
    return Response(body, content_type=content_type(fmt))


# -- the editor page ------------------------------------------------------------------------


def _library() -> QueryLibrary:
    settings = get_settings()
    return QueryLibrary.from_settings(settings)


def default_query() -> str:
    """The text the editor starts with (``lhs_kg/sparql/examples/editor.rq``, header left out)."""
    lines = sparql.text("examples/editor").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#+"))


def _editor_page(
    query: str | None = None, answer: Answer | None = None, error: str | None = None
) -> Response:
    library = _library()
    examples = []
    try:
        examples = library.all()
    except LhsKgError:
        current_app.logger.warning("the query library cannot be read", exc_info=True)
    text = query
    example = request.args.get("example")
    if text is None and example:
        try:
            named = library.get(example)
            values = {k: v for k, v in request.args.items() if k not in ("example", "format")}
            text = inject_values(named.text, named.bind(values)) if values else named.text
        except LhsKgError as err:
            error = str(err)
    html = render_template(
        "sparql.html",
        query=text if text is not None else default_query(),
        answer=answer,
        table=result_table(answer) if answer else None,
        error=error,
        examples=examples,
        formats=[
            ("html", "HTML table"),
            *((f.name, f.media_type) for f in RESULT_FORMATS),
            *((f.name, f.media_type) for f in GRAPH_FORMATS),
        ],
        prefixes=PREFIXES,
    )
    return Response(html, mimetype=HTML)


# -- turning terms into table cells (shared with the named-query pages) ----------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: the text shown, an optional link, and a hint (datatype or language)."""

    text: str
    href: str | None = None
    hint: str = ""
    kind: str = "literal"


def local_path(iri: str) -> str | None:
    """The server path of an IRI under the base IRI (``…/case-study/x`` → ``/case-study/x``)."""
    base = get_settings().base_iri
    if iri.startswith(base) and len(iri) > len(base):
        return "/" + quote(iri[len(base) :], safe="/:@!$&'()*+,;=-._~%#")
    return None


def cell(term: Any, label: Any = None) -> Cell:
    """A table cell for a term, labelled when a label term is given."""
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        shown = label.value if label is not None else compact_iri(term.value)
        href = local_path(term.value)
        if href is None and term.value.startswith(("http://", "https://")):
            href = term.value
        return Cell(shown, href, term.value if label is not None else "", "iri")
    if isinstance(term, ox.Literal):
        hint = f"@{term.language}" if term.language else ""
        if not hint and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            hint = compact_iri(term.datatype.value)
        return Cell(term.value, None, hint)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", None, "", "bnode")
    return Cell(str(term))


def compact_iri(iri: str) -> str:
    """A prefixed name when a known prefix fits, else the IRI itself."""
    base = get_settings().base_iri
    for prefix, ns in (
        *PREFIXES.items(),
        ("cs", base + "case-study/"),
        ("src", base + "source/"),
        ("org", base + "organisation/"),
    ):
        if iri.startswith(ns) and "/" not in iri[len(ns) :]:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


@dataclass
class Table:
    """An answer laid out for HTML: column names, rows of cells, or a yes/no."""

    columns: list[str]
    rows: list[list[Cell]]
    boolean: bool | None = None


def result_table(answer: Answer, *, labels: bool = True) -> Table:
    """Columns and cells of an answer; a column ``xLabel`` becomes the link text of column ``x``."""
    if answer.kind == "ask":
        return Table([], [], answer.boolean)
    if answer.kind == "graph":
        return Table(
            ["subject", "predicate", "object"],
            [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in answer.triples],
        )
    names = answer.variables
    folded = {n for n in names if labels and n.endswith("Label") and n[:-5] in names}
    columns = [n for n in names if n not in folded]
    rows = [
        [cell(row.get(n), row.get(f"{n}Label") if f"{n}Label" in folded else None) for n in columns]
        for row in answer.rows
    ]
    return Table(columns, rows)
