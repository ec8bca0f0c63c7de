"""Media types, file extensions and format names of RDF and SPARQL results, in one table.

Every place that negotiates (CLI ``--format``, HTTP ``Accept``, file suffixes) looks formats up
here, so a format is added once and understood everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from lhs_kg.errors import UnknownFormatError


@dataclass(frozen=True)
class Format:
    """One serialisation: its short name, media types (first is canonical) and extensions."""

    name: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    rdflib_name: str | None = None

    @property
    def media_type(self) -> str:
        """The canonical media type, used in Content-Type headers."""
        return self.media_types[0]


RDF_FORMATS: tuple[Format, ...] = (
    Format("ttl", ("text/turtle", "application/x-turtle"), (".ttl",), "turtle"),
    Format("nt", ("application/n-triples", "text/plain"), (".nt",), "nt"),
    Format("jsonld", ("application/ld+json", "application/json"), (".jsonld", ".json"), "json-ld"),
    Format(
        "rdfxml",
        ("application/rdf+xml", "application/xml", "text/xml"),
        (".rdf", ".owl", ".xml"),
        "xml",
    ),
    Format("nq", ("application/n-quads",), (".nq",), "nquads"),
    Format("trig", ("application/trig",), (".trig",), "trig"),
)

RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", ("application/sparql-results+json", "application/json"), (".srj", ".json")),
    Format(
        "xml", ("application/sparql-results+xml", "application/xml", "text/xml"), (".srx", ".xml")
    ),
    Format("csv", ("text/csv",), (".csv",)),
    Format("tsv", ("text/tab-separated-values",), (".tsv",)),
)

_ALIASES = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "rdf/xml": "rdfxml",
    "owl": "rdfxml",
    "nquads": "nq",
    "n-quads": "nq",
}

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


def rdf_format(name: str) -> Format:
    """The RDF format called ``name`` (aliases such as 'turtle' accepted)."""
    key = _ALIASES.get(name.lower(), name.lower())
    for fmt in RDF_FORMATS:
        if fmt.name == key:
            return fmt
    known = ", ".join(f.name for f in RDF_FORMATS)
    raise UnknownFormatError(f"unknown RDF format {name!r} (known: {known})")


def result_format(name: str) -> Format:
    """The SPARQL results format called ``name``."""
    for fmt in RESULT_FORMATS:
        if fmt.name == name.lower():
            return fmt
    known = ", ".join(f.name for f in RESULT_FORMATS)
    raise UnknownFormatError(f"unknown SPARQL results format {name!r} (known: {known})")


def rdf_format_for_path(path: Path) -> Format:
    """Guess an RDF format from a file name (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``…)."""
    suffix = path.suffix.lower()
    for fmt in RDF_FORMATS:
        if suffix in fmt.extensions:
            return fmt
    raise UnknownFormatError(
        f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
        "use .ttl, .nt, .nq, .trig, .jsonld or .rdf, or name the format"
    )


def rdf_format_for_media_type(media_type: str) -> Format:
    """The RDF format of a Content-Type header value (parameters ignored)."""
    bare = media_type.split(";", 1)[0].strip().lower()
    for fmt in RDF_FORMATS:
        if bare in fmt.media_types:
            return fmt
    raise UnknownFormatError(f"unsupported RDF media type {bare!r}")


def ox_rdf(fmt: Format) -> ox.RdfFormat:
    """The pyoxigraph constant of an RDF format."""
    return _OX_RDF[fmt.name]


def ox_results(fmt: Format) -> ox.QueryResultsFormat:
    """The pyoxigraph constant of a SPARQL results format."""
    return _OX_RESULTS[fmt.name]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (RFC 9110 §12.5.1)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int, int]] = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, specificity, position))
    ranges.sort(key=lambda r: (-r[1], -r[2], r[3]))
    return [(media, q) for media, q, _, _ in ranges]


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """Pick the offered media type the client prefers, or None when none is acceptable.

    Ties go to the order of ``offers`` (the server's preference); ``q=0`` excludes a type.
    """
    ranges = parse_accept(header)

    def quality(offer: str) -> tuple[float, int]:
        best: tuple[float, int] = (-1.0, -1)
        main = offer.split("/", 1)[0]
        for media, q in ranges:
            if media == offer:
                spec = 2
            elif media == f"{main}/*":
                spec = 1
            elif media == "*/*":
                spec = 0
            else:
                continue
            if spec > best[1]:
                best = (q, spec)
        return best

    scored = [(quality(offer)[0], -index, offer) for index, offer in enumerate(offers)]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    scored.sort(reverse=True)
    return scored[0][2]
