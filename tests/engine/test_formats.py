"""The format table of ``lhs_kg.formats``, case by case.

Every face (CLI ``--format``, HTTP ``Content-Type``, file suffixes) looks formats up here, so
these tests pin each rule on its own: names and aliases, suffixes, media types with parameters.
Content negotiation is the web's (tests/web/test_negotiation.py).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from lhs_kg.errors import InputError, UnknownFormatError
from lhs_kg.formats import (
    CITATION_FORMATS,
    GRAPH_FORMATS,
    RDF_FORMATS,
    REPORT_FORMATS,
    RESULT_FORMATS,
    SPARQL_REQUEST_FORMATS,
    SUBMISSION_FORMATS,
    Format,
    for_media_type,
    for_suffix,
    media_types,
    names,
    ox_rdf,
    ox_results,
    rdf_format,
    rdf_format_for_media_type,
    rdf_format_for_path,
    result_format,
    submission_format,
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


# -- submissions and the other tables ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("json", "json"),
        ("YAML", "yaml"),
        ("yml", "yaml"),
        ("json-ld", "jsonld"),
        ("turtle", "ttl"),
        ("ntriples", "nt"),
        ("xml", "rdfxml"),
        ("rdf", "rdfxml"),
    ],
)
def test_submission_format_by_name_or_alias(key: str, expected: str) -> None:
    assert submission_format(key).name == expected


def test_unknown_submission_format_names_the_known_ones() -> None:
    with pytest.raises(UnknownFormatError) as caught:
        submission_format("csv")
    assert str(caught.value) == (
        "unknown submission format 'csv' (known: json, yaml, jsonld, ttl, nt, rdfxml)"
    )


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("application/json", "json"),  # plain JSON through our context, not JSON-LD
        ("application/ld+json; charset=utf-8", "jsonld"),
        ("text/yaml", "yaml"),
        ("application/x-yaml", "yaml"),
        ("application/x-turtle", "ttl"),
        ("text/xml", "rdfxml"),
        ("text/plain", None),  # a text upload is not taken for N-Triples
        ("application/sparql-results+json", None),
    ],
)
def test_submission_format_by_media_type(media_type: str, expected: str | None) -> None:
    found = for_media_type(media_type, SUBMISSION_FORMATS)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    ("name", "formats", "expected"),
    [
        ("case.yml", SUBMISSION_FORMATS, "yaml"),
        ("case.JSON", SUBMISSION_FORMATS, "json"),
        ("case.json", RDF_FORMATS, "jsonld"),
        ("case.owl", SUBMISSION_FORMATS, "rdfxml"),
        ("case.txt", SUBMISSION_FORMATS, None),
        ("case", SUBMISSION_FORMATS, None),
        ("source.bib", CITATION_FORMATS, "bibtex"),
    ],
)
def test_format_by_suffix(name: str, formats: tuple[Format, ...], expected: str | None) -> None:
    found = for_suffix(name, formats)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    "table",
    [
        pytest.param(t, id=n)
        for n, t in [
            ("rdf", RDF_FORMATS),
            ("results", RESULT_FORMATS),
            ("submissions", SUBMISSION_FORMATS),
            ("reports", REPORT_FORMATS),
            ("citations", CITATION_FORMATS),
            ("sparql-requests", SPARQL_REQUEST_FORMATS),
        ]
    ],
)
def test_a_table_names_each_format_and_media_type_once(table: tuple[Format, ...]) -> None:
    assert len(set(names(table))) == len(table)
    assert len(set(media_types(table))) == len(media_types(table))
    assert all(fmt.label for fmt in table)
    assert all(media == media.lower() and "/" in media for media in media_types(table))


def test_graph_formats_are_the_single_graph_rdf_formats() -> None:
    assert names(GRAPH_FORMATS) == ["ttl", "nt", "jsonld", "rdfxml"]
    datasets = [fmt.name for fmt in RDF_FORMATS if fmt not in GRAPH_FORMATS]
    assert all(ox_rdf(rdf_format(name)).supports_datasets for name in datasets) and datasets
