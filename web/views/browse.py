"""A page for every resource: every IRI under the base IRI is served at the same path.

One URL answers with HTML or RDF (Turtle, JSON-LD, RDF/XML, N-Triples) chosen by ``Accept``
(q-values honoured, ``Vary: Accept``), by a suffix (``.ttl .jsonld .rdf .nt``) or by
``?format=``; sources also as BibTeX (``.bib``) and CSL-JSON (``.csl.json``). Listings live
at ``/case-study/``, ``/source/`` and ``/concept/``.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import rdflib
from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup, escape

from lhs_kg.describe import (
    casestudies,
    concepts,
    describe,
    rdf_description,
    sources,
    toolkit,
)
from lhs_kg.describe.base import TermView
from lhs_kg.describe.resource import ValueView
from lhs_kg.errors import UnknownFormatError
from lhs_kg.formats import (
    CITATION_FORMATS,
    GRAPH_FORMATS,
    PAGE,
    Format,
    named,
    names,
    ox_rdf,
    rdf_format,
)
from lhs_kg.namespaces import PREFIXES
from lhs_kg.plain import XSD, literal_text
from web.conditional import public, public_page
from web.negotiation import choose
from web.views import diagrams
from web.views.reading import base_iri, get_reader, href, iri_for_path

bp = Blueprint("browse", __name__)

MAX_PATH_CHARS = 1024
PAGE_SIZE = 50
HTML = PAGE.media_type
XSD_INTEGER = XSD + "integer"
#: What a resource URL can be served as by ``Accept``, in the server's order of preference.
OFFERS: tuple[Format, ...] = (PAGE, *GRAPH_FORMATS)
#: Suffixes that ask for a format: the first extension of each graph and citation format.
SUFFIXES = {fmt.extensions[0]: fmt.name for fmt in (*GRAPH_FORMATS, *CITATION_FORMATS)}
RDF_NAMES = tuple(names(GRAPH_FORMATS))


@bp.app_template_global("href")
def href_global(iri: str) -> str | None:
    """Templates ask where a link to an IRI goes (None: do not link it)."""
    return href(iri)


@bp.app_template_global("link")
def link(iri: str, label: object) -> Markup:
    """``label`` as a link to ``iri`` (local path, or external), or as plain text when the IRI
    has no address. The ``link`` of ``_macros.html``: written here, a page of many terms
    spent a third of its rendering time calling the Jinja macro (#16). Every value goes
    through ``escape``, as Jinja's autoescaping did."""
    url = href(iri)
    if url and url.startswith("/"):
        return Markup(f'<a href="{escape(url)}">{escape(label)}</a>')
    if url:
        return Markup(f'<a href="{escape(url)}" rel="external noopener">{escape(label)}</a>')
    return Markup(f'<span class="iri">{escape(label)}</span>')


@bp.app_template_global("term")
def term(t: TermView, prop: str = "") -> Markup:
    """One term as the pages show it: a link, a literal (a link out for an identifier), or an
    unnamed node (the ``term`` of ``_macros.html``, #16)."""
    if t.kind == "iri":
        return link(t.value, t.label or t.value)
    if t.kind == "literal":
        out = external_id_url(prop, t.value) if prop else None
        if out:
            return Markup(f'<a href="{escape(out)}" rel="external noopener">{escape(t.value)}</a>')
        text = escape(plain_literal(t))
        if t.language:
            return Markup(f'<span class="literal" lang="{escape(t.language)}">{text}</span>')
        return Markup(f'<span class="literal">{text}</span>')
    return Markup('<span class="bnode">(unnamed node)</span>')


@bp.app_template_global("value_view")
def value_view(v: ValueView, prop: str) -> Markup:
    """One value of a property: a term, a blank node's own links (a definition list, followed
    as deep as the description goes) or an rdf:List's members (the ``value_view`` of
    ``_macros.html``, #16)."""
    if v.items is not None:
        items = "".join(f"<li>{value_view(item, prop)}</li>" for item in v.items)
        return Markup(f'<ol class="rdf-list">{items}</ol>')
    if v.groups:
        groups = "".join(
            f"<dt>{escape(g.property.label)}</dt>"
            + "".join(f"<dd>{value_view(w, g.property.value)}</dd>" for w in g.values)
            for g in v.groups
        )
        return Markup(f'<dl class="bnode-links">{groups}</dl>')
    return term(v.term, prop)


@bp.app_template_global("external_id_url")
def external_id_url(prop: str, text: str) -> str | None:
    """A link out for identifiers held as literals (DOI, ORCID, PubMed ID)."""
    tail = prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    if tail == "doi" and text.startswith("10."):
        return f"https://doi.org/{text}"
    if tail == "orcid" or (len(text) == 19 and text.count("-") == 3 and text[:4].isdigit()):
        return f"https://orcid.org/{text.rsplit('/', 1)[-1]}"
    if tail == "pmid" and text.isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{text}/"
    return None


def _prefixes() -> dict[str, str]:
    base = base_iri()
    found = {
        "cs": base + "case-study/",
        "src": base + "source/",
        "org": base + "organisation/",
        "lhsc": base + "concept/",
    }
    found.update(PREFIXES)
    return found


def serialize(triples: list[ox.Triple], name: str) -> bytes:
    """Triples in one of the four RDF formats; JSON-LD compacted with our prefixes as context."""
    if name == "jsonld":
        graph = rdflib.Graph()
        graph.parse(data=ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b"", format="nt")
        text = graph.serialize(format="json-ld", context=_prefixes(), auto_compact=True)
        return text.encode("utf-8")
    fmt = rdf_format(name)
    if name in ("ttl", "rdfxml"):
        data = ox.serialize(triples, None, ox_rdf(fmt), prefixes=_prefixes())
    else:
        data = ox.serialize(triples, None, ox_rdf(fmt))
    return data or b""


def _requested(path: str) -> tuple[str, str | None]:
    """The resource path and the format a suffix or ``?format=`` asks for (None: negotiate)."""
    asked = request.args.get("format")
    if asked is not None:
        key = asked.strip().lower()
        other = named(key, (PAGE, *CITATION_FORMATS))
        if other is not None:
            return path, other.name
        try:
            fmt = rdf_format(key)
        except UnknownFormatError:
            abort(400, f"unknown format {asked[:80]!r}; use html, {', '.join(RDF_NAMES)}")
        if fmt.name not in RDF_NAMES:
            abort(400, f"a resource is served as {', '.join(RDF_NAMES)}, not {fmt.name}")
        return path, fmt.name
    for suffix, name in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], name
    return path, None


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/<path:path>")
def resource(path: str) -> Response:
    """Serve the resource whose IRI is ``<base><path>`` as a page, RDF or a citation."""
    if len(path) > MAX_PATH_CHARS:
        abort(414)
    reader = get_reader()
    target, wanted = _requested(path)
    iri = iri_for_path(target)
    if wanted is not None and target != path:
        probe = iri_for_path(path)
        if rdf_description(reader, probe):  # an IRI that really ends in a suffix wins
            iri, wanted = probe, None
    if wanted is None:
        chosen = choose(OFFERS)
        if chosen is None:
            labels = ", ".join(fmt.label for fmt in OFFERS)
            abort(406, f"this resource is available as {labels}; the Accept header allows none")
        wanted = chosen.name
    current = public(wanted, vary_accept=True)
    if current is not None:
        return current  # the client's copy is current: nothing to render
    if wanted in names(CITATION_FORMATS):
        return _citation(reader, iri, wanted)
    if wanted != "html":
        triples = rdf_description(reader, iri)
        if not triples:
            abort(404, "nothing is known about this resource")
        fmt: Format = rdf_format(wanted)
        response = Response(
            serialize(triples, wanted), content_type=f"{fmt.media_type}; charset=utf-8"
        )
        return _vary(response)
    return _vary(Response(_page(reader, iri), mimetype=HTML))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def _page(reader: Any, iri: str) -> str:
    """The resource page, with the parts that depend on what the resource is."""
    description = describe(reader, iri, page=_page_number(), page_size=PAGE_SIZE)
    if description is None:
        abort(404, "nothing is known about this resource")
    context: dict[str, Any] = {"d": description, "alternates": _alternates(iri)}
    if description.kind in ("concept", "scheme"):
        if description.kind == "concept":
            links = [g.property.value for g in description.incoming]
            place, cases, more = concepts.concept_page(reader, iri, links=links)
            context["hierarchy"] = place
            context["branch"] = concepts.branch(place.tree, iri)
            context["case_studies"], context["case_studies_more"] = cases, more
            context["guidance"] = toolkit.guidance(reader, iri, description.facts)
        else:
            context["scheme_nodes"] = concepts.scheme_tree(reader, iri)
    if description.kind == "case-study":
        study, context["evidence"] = casestudies.case_study_with_evidence(reader, iri)
        context["cs"] = study
        context["loop_shapes"] = diagrams.loop(concepts.loop(reader), study.stages)
        context["radar"] = diagrams.radar(casestudies.domains(reader), study.ratings)
        context["domains"] = casestudies.domains(reader)
    if description.kind == "source":
        context["citation"] = sources.citation(reader, iri, description.facts)
        context["cited_by"] = sources.cited_by(reader, iri, description.facts)
    return render_template("resource.html", **context)


def _alternates(iri: str) -> list[tuple[str, str, str]]:
    """(label, media type, URL) of the page's RDF: its address and each format's suffix."""
    local = href(iri) or ""
    return [(fmt.label, fmt.media_type, local + fmt.extensions[0]) for fmt in GRAPH_FORMATS]


def _citation(reader: Any, iri: str, wanted: str) -> Response:
    """A source as a BibTeX or CSL-JSON download."""
    description = describe(reader, iri, page=1, page_size=1)
    if description is None:
        abort(404, "nothing is known about this resource")
    if description.kind != "source":
        abort(404, "citations are available for sources only")
    cite = sources.citation(reader, iri, description.facts)
    citation = named(wanted, CITATION_FORMATS)
    assert citation is not None
    media, suffix = citation.media_type, citation.extensions[0]
    body = (
        sources.bibtex(cite)
        if wanted == "bibtex"
        else json.dumps(sources.csl_json(cite), ensure_ascii=False, indent=2) + "\n"
    )
    response = Response(body, content_type=f"{media}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{cite.key}{suffix}"'
    return _vary(response)


@bp.get("/case-study/")
@public_page()
def case_study_list() -> str:
    """The case studies, a page at a time (``?page=``), by label."""
    found = casestudies.case_study_page(get_reader(), _page_number(), PAGE_SIZE)
    return render_template("case_studies.html", rows=found.items, listing=found)


@bp.get("/tool/")
@public_page()
def tool_list() -> str:
    """The toolkit's tools, by kind, with the framework elements each one serves (#14)."""
    return render_template("tools.html", rows=toolkit.tools(get_reader()))


@bp.get("/source/")
@public_page()
def source_list() -> str:
    """The sources, a page at a time (``?page=``), by label."""
    found = sources.source_page(get_reader(), _page_number(), PAGE_SIZE)
    return render_template("sources.html", rows=found.items, listing=found)


@bp.get("/concept/")
@public_page()
def scheme_list() -> str:
    """Every concept scheme."""
    return render_template("schemes.html", schemes=concepts.schemes(get_reader()))


@bp.app_template_filter("term_text")
def term_text(term: TermView) -> str:
    """A term's display text: an IRI's label, a literal's value as people read it (#15)."""
    if term.kind == "literal":
        return literal_text(term.value, term.datatype)
    return term.label or term.value


@bp.app_template_filter("thousands")
def thousands(number: int) -> str:
    """A count as people read it (``12,345``), the same rule as literal values."""
    return literal_text(str(number), XSD_INTEGER)


@bp.app_template_filter("plain_literal")
def plain_literal(term: TermView) -> str:
    """A literal's value formatted by its datatype (no tag or datatype is ever shown)."""
    return literal_text(term.value, term.datatype)
