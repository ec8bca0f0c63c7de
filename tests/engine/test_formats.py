"""The format table and content negotiation of ``lhs_kg.formats``, case by case.

Every face (CLI ``--format``, HTTP ``Accept``, file suffixes) looks formats up here, so these
tests pin each rule on its own: names and aliases, suffixes, media types with parameters, Accept
q-values (RFC 9110 §12.5.1) and the server's order breaking ties.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from lhs_kg.errors import InputError, UnknownFormatError
from lhs_kg.formats import (
    RDF_FORMATS,
    RESULT_FORMATS,
    Format,
    negotiate,
    ox_rdf,
    ox_results,
    parse_accept,
    rdf_format,
    rdf_format_for_media_type,
    rdf_format_for_path,
    result_format,
)

# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ttl", "ttl"),
        ("turtle", "ttl"),
        ("TURTLE", "ttl"),
        ("Ttl", "ttl"),
        ("nt", "nt"),
        ("ntriples", "nt"),
        ("n-triples", "nt"),
        ("N-Triples", "nt"),
        ("jsonld", "jsonld"),
        ("json-ld", "jsonld"),
        ("JSON-LD", "jsonld"),
        ("rdfxml", "rdfxml"),
        ("xml", "rdfxml"),
        ("rdf", "rdfxml"),
        ("rdf/xml", "rdfxml"),
        ("owl", "rdfxml"),
        ("RDF/XML", "rdfxml"),
        ("nq", "nq"),
        ("nquads", "nq"),
        ("n-quads", "nq"),
        ("trig", "trig"),
        ("TriG", "trig"),
    ],
)
def test_rdf_format_by_name_or_alias(name: str, expected: str) -> None:
    assert rdf_format(name).name == expected


@pytest.mark.parametrize("name", ["json", "csv", "turtle2", "", "n3", "tsv"])
def test_unknown_rdf_format_names_the_known_ones(name: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        rdf_format(name)
    assert str(caught.value) == (
        f"unknown RDF format {name!r} (known: ttl, nt, jsonld, rdfxml, nq, trig)"
    )
    assert isinstance(caught.value, InputError)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("json", "json"), ("JSON", "json"), ("xml", "xml"), ("Csv", "csv"), ("tsv", "tsv")],
)
def test_result_format_by_name(name: str, expected: str) -> None:
    assert result_format(name).name == expected


@pytest.mark.parametrize("name", ["ttl", "srj", "", "sparql-json"])
def test_unknown_result_format_names_the_known_ones(name: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        result_format(name)
    assert str(caught.value) == (
        f"unknown SPARQL results format {name!r} (known: json, xml, csv, tsv)"
    )


def test_canonical_media_type_is_the_first() -> None:
    fmt = Format("x", ("a/b", "c/d"), (".x",))
    assert fmt.media_type == "a/b"
    assert [f.media_type for f in RDF_FORMATS] == [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-quads",
        "application/trig",
    ]
    assert [f.media_type for f in RESULT_FORMATS] == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]


@pytest.mark.parametrize(
    ("name", "rdflib_name"),
    [
        ("ttl", "turtle"),
        ("nt", "nt"),
        ("jsonld", "json-ld"),
        ("rdfxml", "xml"),
        ("nq", "nquads"),
        ("trig", "trig"),
    ],
)
def test_rdflib_names(name: str, rdflib_name: str) -> None:
    assert rdf_format(name).rdflib_name == rdflib_name


# -- files and media types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("a.ttl", "ttl"),
        ("dir.x/a.TTL", "ttl"),
        ("a.nt", "nt"),
        ("a.jsonld", "jsonld"),
        ("a.json", "jsonld"),
        ("a.rdf", "rdfxml"),
        ("a.owl", "rdfxml"),
        ("a.xml", "rdfxml"),
        ("a.nq", "nq"),
        ("a.trig", "trig"),
        ("a.b.Trig", "trig"),
    ],
)
def test_rdf_format_for_path(file: str, expected: str) -> None:
    assert rdf_format_for_path(Path(file)).name == expected


@pytest.mark.parametrize(
    ("file", "shown"),
    [("notes.txt", "'.txt'"), ("README", "'(none)'"), ("a.ttl.bak", "'.bak'")],
)
def test_unknown_suffix_is_named(file: str, shown: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        rdf_format_for_path(Path(file))
    assert str(caught.value) == (
        f"{file}: cannot tell the RDF format from the extension {shown}; "
        "use .ttl, .nt, .nq, .trig, .jsonld or .rdf, or name the format"
    )


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/turtle", "ttl"),
        ("text/turtle; charset=utf-8", "ttl"),
        ("  Text/Turtle ;charset=UTF-8", "ttl"),
        ("application/x-turtle", "ttl"),
        ("application/n-triples", "nt"),
        ("text/plain", "nt"),
        ("application/ld+json", "jsonld"),
        ("application/json;profile=x", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("application/xml", "rdfxml"),
        ("text/xml", "rdfxml"),
        ("application/n-quads", "nq"),
        ("application/trig", "trig"),
        ("text/turtle;charset=utf-8;version=1", "ttl"),
    ],
)
def test_rdf_format_for_media_type(media_type: str, expected: str) -> None:
    assert rdf_format_for_media_type(media_type).name == expected


@pytest.mark.parametrize(
    ("media_type", "bare"),
    [("text/html", "text/html"), ("TEXT/CSV; q=1", "text/csv"), ("", ""), (";x", "")],
)
def test_unsupported_media_type_is_named_bare(media_type: str, bare: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        rdf_format_for_media_type(media_type)
    assert str(caught.value) == f"unsupported RDF media type {bare!r}"


def test_pyoxigraph_constants() -> None:
    assert [ox_rdf(f) for f in RDF_FORMATS] == [
        ox.RdfFormat.TURTLE,
        ox.RdfFormat.N_TRIPLES,
        ox.RdfFormat.JSON_LD,
        ox.RdfFormat.RDF_XML,
        ox.RdfFormat.N_QUADS,
        ox.RdfFormat.TRIG,
    ]
    assert [ox_results(f) for f in RESULT_FORMATS] == [
        ox.QueryResultsFormat.JSON,
        ox.QueryResultsFormat.XML,
        ox.QueryResultsFormat.CSV,
        ox.QueryResultsFormat.TSV,
    ]


# -- Accept -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, [("*/*", 1.0)], id="no-header"),
        pytest.param("", [("*/*", 1.0)], id="empty"),
        pytest.param("  ", [("*/*", 1.0)], id="blank"),
        pytest.param("text/html", [("text/html", 1.0)], id="one"),
        pytest.param("Text/HTML", [("text/html", 1.0)], id="lower-cased"),
        pytest.param(
            "text/html;q=0.5, text/turtle",
            [("text/turtle", 1.0), ("text/html", 0.5)],
            id="by-q",
        ),
        pytest.param(
            "*/*, text/*, text/html",
            [("text/html", 1.0), ("text/*", 1.0), ("*/*", 1.0)],
            id="same-q-more-specific-first",
        ),
        pytest.param(
            "a/b, c/d, e/f", [("a/b", 1.0), ("c/d", 1.0), ("e/f", 1.0)], id="ties-keep-order"
        ),
        pytest.param("a/b;q=2", [("a/b", 1.0)], id="q-above-one-is-one"),
        pytest.param("a/b;q=-1", [("a/b", 0.0)], id="negative-q-is-zero"),
        pytest.param("a/b;q=abc", [("a/b", 0.0)], id="malformed-q-is-zero"),
        pytest.param("a/b;Q=0.3", [("a/b", 0.3)], id="q-key-any-case"),
        pytest.param("a/b;q=0.5=1", [("a/b", 0.0)], id="q-with-a-second-equals-is-malformed"),
        pytest.param("a/b ; level=1 ; q = 0.7", [("a/b", 0.7)], id="other-params-and-spaces"),
        pytest.param("a/b;q=0.2;x=1", [("a/b", 0.2)], id="q-then-other-param"),
        pytest.param("a/b;level=1", [("a/b", 1.0)], id="no-q-is-one"),
        pytest.param("html, a/b", [("a/b", 1.0)], id="not-a-media-range-dropped"),
        pytest.param(",,a/b,", [("a/b", 1.0)], id="empty-items-dropped"),
        pytest.param("junk", [], id="nothing-usable"),
        pytest.param(
            "a/*;q=0.5, */*;q=0.5, a/b;q=0.5, c/d;q=0.9",
            [("c/d", 0.9), ("a/b", 0.5), ("a/*", 0.5), ("*/*", 0.5)],
            id="q-then-specificity-then-position",
        ),
    ],
)
def test_parse_accept(header: str | None, expected: list[tuple[str, float]]) -> None:
    assert parse_accept(header) == expected


TURTLE, JSONLD, HTML = "text/turtle", "application/ld+json", "text/html"


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        pytest.param(None, [HTML, TURTLE], HTML, id="no-header-server-order"),
        pytest.param("*/*", [TURTLE, HTML], TURTLE, id="anything-server-order"),
        pytest.param(TURTLE, [HTML, TURTLE], TURTLE, id="exact"),
        pytest.param("TEXT/Turtle", [HTML, TURTLE], TURTLE, id="exact-any-case"),
        pytest.param("application/*", [HTML, JSONLD], JSONLD, id="type-wildcard"),
        pytest.param("text/*;q=0.5, */*;q=0.1", [JSONLD, HTML], HTML, id="wildcard-beats-any"),
        pytest.param(f"{HTML};q=0.4, {TURTLE};q=0.8", [HTML, TURTLE], TURTLE, id="higher-q"),
        pytest.param(f"{HTML};q=0.8, {TURTLE};q=0.4", [TURTLE, HTML], HTML, id="higher-q-2"),
        pytest.param(f"{HTML}, {TURTLE}", [TURTLE, HTML], TURTLE, id="tie-server-order"),
        pytest.param(f"{HTML}, {TURTLE}", [HTML, TURTLE], HTML, id="tie-server-order-2"),
        pytest.param(f"{HTML};q=0", [HTML], None, id="q-zero-excludes"),
        pytest.param(f"*/*, {HTML};q=0", [HTML, TURTLE], TURTLE, id="q-zero-beats-wildcard"),
        pytest.param(f"text/*, {HTML};q=0", [HTML, TURTLE], TURTLE, id="q-zero-beats-type"),
        pytest.param("text/*;q=0, */*", [HTML, JSONLD], JSONLD, id="type-q-zero"),
        pytest.param(
            f"{HTML};q=0.1, text/*", [HTML, TURTLE], TURTLE, id="most-specific-range-decides"
        ),
        pytest.param(
            "*/*;q=0.9, text/*;q=0.2", [HTML, JSONLD], JSONLD, id="type-range-decides-over-any"
        ),
        pytest.param("text/*;q=0.2, */*;q=0.9", [HTML, JSONLD], JSONLD, id="order-does-not-matter"),
        pytest.param(
            f"{HTML};q=0.3, */*;q=0.9", [HTML, TURTLE], TURTLE, id="exact-decides-over-any"
        ),
        pytest.param(
            f"{TURTLE};q=0.001, {HTML};q=0", [HTML, TURTLE], TURTLE, id="tiny-q-still-acceptable"
        ),
        pytest.param(
            f"{HTML};q=0.5, {HTML};q=0.9, {TURTLE};q=0.7",
            [TURTLE, HTML],
            HTML,
            id="a-range-given-twice-counts-with-its-best-q",
        ),
        pytest.param("a/*", [HTML, "a/b/c"], "a/b/c", id="main-type-is-before-the-first-slash"),
        pytest.param("image/png", [HTML, TURTLE], None, id="nothing-acceptable"),
        pytest.param("text/*", [JSONLD], None, id="other-type-not-acceptable"),
        pytest.param("text", [HTML], None, id="malformed-header-accepts-nothing"),
        pytest.param(HTML, [], None, id="no-offers"),
        pytest.param("text/html-x", [HTML], None, id="no-prefix-match"),
        pytest.param("text/htm", [HTML], None, id="no-prefix-match-2"),
        pytest.param("*/html", [HTML], None, id="subtype-wildcard-is-not-a-range"),
    ],
)
def test_negotiate(header: str | None, offers: list[str], expected: str | None) -> None:
    assert negotiate(header, offers) == expected
