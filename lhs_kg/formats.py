"""Every media type, file extension and format name lhs-kg reads or writes, in one table.

Each face (CLI ``--format``, HTTP ``Accept`` and ``Content-Type``, file suffixes, the OpenAPI
document) takes its formats from the tuples here, so a format is added once and understood
everywhere. What each face does with them, decided once:

- :data:`RDF_FORMATS`: loaded and dumped by the engine and the CLI (all six); a page, a
  CONSTRUCT/DESCRIBE answer and the dataset description are single graphs, served in
  :data:`GRAPH_FORMATS` (by ``Accept``, suffix or ``?format=``);
- :data:`RESULT_FORMATS`: SELECT/ASK answers, on ``/sparql``, ``/api/queries`` and the CLI;
  :data:`SPARQL_REQUEST_FORMATS`: the bodies a ``POST /sparql`` may carry;
- :data:`SUBMISSION_FORMATS`: what a contribution may be written in, the same for
  ``lhs-kg validate``/``submit``, ``POST /api/validate`` and ``POST /api/contributions``
  (``application/json`` is plain JSON read through our JSON-LD context here);
- :data:`REPORT_FORMATS`: a validation report, for the CLI and ``/api/validate`` alike;
- :data:`PAGE`, :data:`JSON` and :data:`CITATION_FORMATS`: what the web serves besides RDF.

Content negotiation itself (``Accept`` with q-values) belongs to the web and lives in
``web.negotiation``; this module only answers "which format is this name, suffix or type".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from lhs_kg.errors import UnknownFormatError


@dataclass(frozen=True)
class Format:
    """One serialisation: its short name, media types (first is canonical) and extensions.

    ``aliases`` are other names it answers to (``turtle`` for ``ttl``); ``label`` is its name
    for people (links, option help).
    """

    name: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    rdflib_name: str | None = None
    aliases: tuple[str, ...] = ()
    label: str = ""

    @property
    def media_type(self) -> str:
        """The canonical media type, used in Content-Type headers."""
        return self.media_types[0]

    def called(self, key: str) -> bool:
        """True when ``key`` (any case) is this format's name or one of its aliases."""
        key = key.strip().lower()
        return key == self.name or key in self.aliases


JSON = Format("json", ("application/json",), (".json",), label="JSON")
"""Plain JSON: API answers, error bodies, a JSON submission, a JSON report."""

_TURTLE = Format(
    "ttl", ("text/turtle", "application/x-turtle"), (".ttl",), "turtle", ("turtle",), "Turtle"
)
_NTRIPLES = Format(
    "nt",
    ("application/n-triples", "text/plain"),
    (".nt",),
    "nt",
    ("ntriples", "n-triples"),
    "N-Triples",
)
_JSON_LD = Format(
    "jsonld",
    ("application/ld+json", "application/json"),
    (".jsonld", ".json"),
    "json-ld",
    ("json-ld",),
    "JSON-LD",
)
_RDF_XML = Format(
    "rdfxml",
    ("application/rdf+xml", "application/xml", "text/xml"),
    (".rdf", ".owl", ".xml"),
    "xml",
    ("xml", "rdf", "rdf/xml", "rdf+xml", "owl"),
    "RDF/XML",
)

RDF_FORMATS: tuple[Format, ...] = (
    _TURTLE,
    _NTRIPLES,
    _JSON_LD,
    _RDF_XML,
    Format("nq", ("application/n-quads",), (".nq",), "nquads", ("nquads", "n-quads"), "N-Quads"),
    Format("trig", ("application/trig",), (".trig",), "trig", (), "TriG"),
)
"""RDF serialisations; the first four hold one graph, the last two a dataset."""

GRAPH_FORMATS: tuple[Format, ...] = RDF_FORMATS[:4]
"""The RDF formats of a single graph: pages, CONSTRUCT/DESCRIBE answers, descriptions."""

RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        ("application/sparql-results+json", "application/json"),
        (".srj", ".json"),
        label="SPARQL results JSON",
    ),
    Format(
        "xml",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        (".srx", ".xml"),
        label="SPARQL results XML",
    ),
    Format("csv", ("text/csv",), (".csv",), label="CSV"),
    Format("tsv", ("text/tab-separated-values",), (".tsv",), label="TSV"),
)
"""SPARQL SELECT/ASK results."""

SUBMISSION_FORMATS: tuple[Format, ...] = (
    JSON,
    Format(
        "yaml",
        ("application/yaml", "application/x-yaml", "text/yaml"),
        (".yaml", ".yml"),
        aliases=("yml",),
        label="YAML",
    ),
    Format("jsonld", ("application/ld+json",), (".jsonld",), "json-ld", ("json-ld",), "JSON-LD"),
    _TURTLE,
    Format(
        "nt", ("application/n-triples",), (".nt",), "nt", ("ntriples", "n-triples"), "N-Triples"
    ),
    _RDF_XML,
)
"""What a contribution may be written in: plain JSON or YAML (read through our JSON-LD context),
JSON-LD, Turtle, N-Triples or RDF/XML, accepted alike by every face that takes submissions.
Unlike :data:`RDF_FORMATS`, ``application/json`` here is plain JSON and ``text/plain`` is not
N-Triples (a text upload is not taken for RDF)."""

PAGE = Format("html", ("text/html", "application/xhtml+xml"), (".html",), label="HTML")
"""A page for people."""

PLAIN_TEXT = Format("text", ("text/plain",), (".txt",), label="plain text")
"""Plain text: error bodies SPARQL clients show as they are, a text report."""

REPORT_FORMATS: tuple[Format, ...] = (
    JSON,
    Format("ttl", ("text/turtle",), (".ttl",), "turtle", ("turtle",), "SHACL report (Turtle)"),
    Format("html", ("text/html",), (".html",), label="HTML fragment"),
    PLAIN_TEXT,
)
"""A validation report: JSON, the SHACL report in Turtle, an HTML fragment, or plain text."""

CITATION_FORMATS: tuple[Format, ...] = (
    Format("bibtex", ("application/x-bibtex",), (".bib",), label="BibTeX"),
    Format(
        "csl-json",
        ("application/vnd.citationstyles.csl+json",),
        (".csl.json",),
        label="CSL-JSON",
    ),
)
"""A source as a reference manager reads it."""

REFERENCE_FORMATS: tuple[Format, ...] = (
    Format(
        "bibtex", ("application/x-bibtex", "text/x-bibtex"), (".bib", ".bibtex"), label="BibTeX"
    ),
    Format("ris", ("application/x-research-info-systems",), (".ris",), label="RIS"),
    Format(
        "csl-json",
        ("application/vnd.citationstyles.csl+json",),
        (".json", ".csl.json"),
        label="CSL-JSON",
    ),
)
"""A researcher's reference file, imported as sources (``lhs-kg import-sources``, #14)."""

SPARQL_REQUEST_FORMATS: tuple[Format, ...] = (
    Format("form", ("application/x-www-form-urlencoded",), (), label="HTML form"),
    Format("query", ("application/sparql-query",), (".rq",), label="SPARQL query"),
    Format("update", ("application/sparql-update",), (".ru",), label="SPARQL update"),
)
"""How a SPARQL 1.1 Protocol request body may come: form-encoded, or the bare query/update."""

GZIP = Format("gzip", ("application/gzip",), (".gz",), label="gzip")
"""A compressed download (a dump with ``gzip=1``)."""

_OX_RDF = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
_OX_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def named(key: str, formats: Iterable[Format]) -> Format | None:
    """The format of ``formats`` called ``key`` (name or alias, any case), or None."""
    return next((fmt for fmt in formats if fmt.called(key)), None)


def for_media_type(media_type: str, formats: Iterable[Format]) -> Format | None:
    """The format of ``formats`` with this Content-Type (parameters ignored), or None."""
    bare = bare_media_type(media_type)
    return next((fmt for fmt in formats if bare in fmt.media_types), None)


def for_suffix(name: str, formats: Iterable[Format]) -> Format | None:
    """The format of ``formats`` a file name's extension says, or None."""
    suffix = Path(name).suffix.lower()
    return next((fmt for fmt in formats if suffix and suffix in fmt.extensions), None)


def bare_media_type(media_type: str) -> str:
    """A Content-Type value without its parameters, lower case."""
    return media_type.split(";", 1)[0].strip().lower()


def names(formats: Iterable[Format]) -> list[str]:
    """The formats' short names, in table order (for option choices and messages)."""
    return [fmt.name for fmt in formats]


def media_types(formats: Iterable[Format]) -> list[str]:
    """Every media type the formats are known by, canonical ones first within each format."""
    return [media for fmt in formats for media in fmt.media_types]


def _required(name: str, formats: tuple[Format, ...], kind: str) -> Format:
    """The format of ``formats`` called ``name``; an error naming the known ones otherwise."""
    found = named(name, formats)
    if found is None:
        known = ", ".join(names(formats))
        raise UnknownFormatError(f"unknown {kind} format {name!r} (known: {known})")
    return found


def rdf_format(name: str) -> Format:
    """The RDF format called ``name`` (aliases such as 'turtle' accepted)."""
    return _required(name, RDF_FORMATS, "RDF")


def result_format(name: str) -> Format:
    """The SPARQL results format called ``name``."""
    return _required(name, RESULT_FORMATS, "SPARQL results")


def submission_format(name: str) -> Format:
    """The submission format called ``name`` (aliases such as 'yml' or 'turtle' accepted)."""
    return _required(name, SUBMISSION_FORMATS, "submission")


def rdf_format_for_path(path: Path) -> Format:
    """Guess an RDF format from a file name (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``…)."""
    found = for_suffix(path.name, RDF_FORMATS)
    if found is None:
        suffix = path.suffix.lower()
        raise UnknownFormatError(
            f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
            "use .ttl, .nt, .nq, .trig, .jsonld or .rdf, or name the format"
        )
    return found


def rdf_format_for_media_type(media_type: str) -> Format:
    """The RDF format of a Content-Type header value (parameters ignored)."""
    found = for_media_type(media_type, RDF_FORMATS)
    if found is None:
        raise UnknownFormatError(f"unsupported RDF media type {bare_media_type(media_type)!r}")
    return found


def ox_rdf(fmt: Format) -> ox.RdfFormat:
    """The pyoxigraph constant of an RDF format."""
    return _OX_RDF[fmt.name]


def ox_results(fmt: Format) -> ox.QueryResultsFormat:
    """The pyoxigraph constant of a SPARQL results format."""
    return _OX_RESULTS[fmt.name]
