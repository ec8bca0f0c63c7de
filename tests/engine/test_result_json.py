"""SELECT answers written as SPARQL JSON by the store's result, one writer for every caller (#16).

A result with a deadline or a row limit is written row by row, so both still hold while it is
written; what it writes reads back as the same terms, for every kind of term.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from lhs_kg.errors import QueryTimeoutError
from lhs_kg.formats import result_format
from lhs_kg.store import EmbeddedStore
from lhs_kg.store.results import binding_texts, json_binding, json_results

JSON = result_format("json")
G = "https://example.org/g"
XSD = "http://www.w3.org/2001/XMLSchema#"

TERMS = [
    pytest.param(ox.NamedNode("https://example.org/a"), id="iri"),
    pytest.param(ox.BlankNode("b0"), id="blank-node"),
    pytest.param(ox.Literal("plain"), id="plain-literal"),
    pytest.param(ox.Literal('Grüße "quoted"\n', language="de"), id="language-literal"),
    pytest.param(ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")), id="typed-literal"),
    pytest.param(
        ox.Triple(ox.NamedNode("https://e/s"), ox.NamedNode("https://e/p"), ox.Literal("o")),
        id="quoted-triple",
    ),
]


@pytest.mark.parametrize("term", TERMS)
def test_each_kind_of_term_reads_back_as_itself(term: object) -> None:
    body = json_results(["x"], [json_binding(["x"], {"x": term}), json_binding(["x"], {})])
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [s["x"] for s in solutions] == [term, None]


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    found = EmbeddedStore()
    found.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:p> 1 , 2 , 3 }} }}")
    return found


QUERY = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"


def test_a_guarded_answer_is_written_as_the_unguarded_one(store: EmbeddedStore) -> None:
    guarded = store.query(QUERY, max_rows=10).serialize(JSON)
    plain = store.query(QUERY).serialize(JSON)
    assert guarded is not None and plain is not None
    read = [
        [s["o"] for s in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)]  # type: ignore[union-attr]
        for body in (guarded, plain)
    ]
    assert read[0] == read[1]
    assert len(read[0]) == 3


def test_the_row_limit_holds_while_the_answer_is_written(store: EmbeddedStore) -> None:
    with pytest.raises(QueryTimeoutError, match="more than 2"):
        store.query(QUERY, max_rows=2).serialize(JSON)


def _pyoxigraph_json(variables: list[str], rows: list[dict[str, object]]) -> bytes:
    """The answer as pyoxigraph's own JSON writer lays it out (the store's and oxigraph's)."""
    ours = json_results(variables, [json_binding(variables, row) for row in rows])
    solutions = ox.parse_query_results(ours, format=ox.QueryResultsFormat.JSON)
    body = solutions.serialize(None, ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
    assert body is not None
    return body


CS = [ox.NamedNode(f"https://w3id.org/lhs-kg/case-study/c{i}") for i in range(3)]
ROWS: list[dict[str, object]] = [
    {"cs": CS[0], "bindings": ox.Literal('"bindings":[{"cs":1}]', language="en")},
    {"cs": CS[1]},
    {"bindings": ox.Literal("no case study")},
    {"cs": CS[0], "bindings": ox.Triple(CS[2], ox.NamedNode("urn:p"), ox.Literal("o"))},
]
BODIES = {
    "ours": json_results(["cs", "bindings"], [json_binding(["cs", "bindings"], r) for r in ROWS]),
    "pyoxigraph": _pyoxigraph_json(["cs", "bindings"], ROWS),
    "spaced, results first": (
        b'{ "results" : { "bindings" : [ {"cs": {"type":"uri","value":"urn:c"}} ,\n'
        b'  {"bindings": {"type":"literal","value":"x"}} ] } ,\n'
        b' "head" : {"vars":["cs","bindings"], "link": ["urn:l"]} }'
    ),
    "no rows": b'{"head":{"vars":["cs"]},"results":{"bindings":[]}}',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES)
def test_each_binding_is_cut_from_the_body_as_it_is(body: bytes) -> None:
    """A variable named "bindings" and a literal holding that word change nothing."""
    texts = binding_texts(body, "cs")
    expected = json.loads(body)["results"]["bindings"]
    assert [json.loads(text) for _, text in texts] == expected
    assert [cs for cs, _ in texts] == [b.get("cs", {}).get("value") for b in expected]


@pytest.mark.parametrize(
    "body",
    [
        b'{"head":{"vars":["cs"]},"results":{"bindings":[{"cs":{"type":"uri","value":"urn:c"}}',
        b'{"head":{"vars":["cs"]},"results":{"bindings":{"cs":1}}}',
        b'{"head":{"vars":["cs"]},"results":{"bindings":[1, 2]}}',
        b'{"head":{"vars":["cs"]},"results":{"bindings":[{}] "x"}}',
        b'["head"]',
        b"\xff",
        b"",
        b'{"head":{"vars":["cs"]},"results":{"bindings":[]}} {"x":1}',
        b'{"head":{"vars":["cs"]},"results":{"bindings":[],"bindings":[]}}',
        b'{"head":{},"boolean":true}',
    ],
    ids=[
        *("cut", "not-an-array", "not-objects", "no-comma", "not-an-object", "not-utf8", "empty"),
        *("bytes-after", "two-arrays", "no-bindings"),
    ],
)
def test_a_body_laid_out_otherwise_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError):
        binding_texts(body, "cs")
