"""The query scanner: guards against oversized, deep and federated queries; parameter binding."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from lhs_kg.errors import QueryRejectedError
from lhs_kg.sparql_text import check_query, inject_values, nesting_depth, query_form, uses_service

LIMITS = {"max_chars": 10_000, "max_depth": 64, "allow_service": False}


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("PREFIX ex: <http://e/> ASK { ex:a ?p ?o }", "ask"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://e/x>", "describe"),
        ("# SELECT in a comment\nINSERT DATA { <http://a> <http://b> 'SELECT' }", "update"),
        ("DROP ALL", "update"),
        ("hello", "unknown"),
    ],
)
def test_query_form_reads_the_first_deciding_keyword(text: str, form: str) -> None:
    assert query_form(text) == form


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", 1),
        ("SELECT * WHERE { { ?s ?p ?o } UNION { ?s ?p ?x FILTER(?x > (1 + 2)) } }", 4),
        ('SELECT * WHERE { ?s ?p "{{{{ (((( " }', 1),
        ("SELECT * WHERE { ?s <http://e/((((> ?o } # {{{{", 1),
        ("SELECT * WHERE { ?s ?p '''\n{{\n''' }", 1),
    ],
)
def test_nesting_ignores_brackets_in_strings_iris_and_comments(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_a_query_nested_a_thousand_levels_is_rejected_before_any_store_sees_it() -> None:
    deep = "SELECT * WHERE " + "{" * 1000 + " ?s ?p ?o " + "}" * 1000
    with pytest.raises(QueryRejectedError, match="nests 1000 levels"):
        check_query(deep, **LIMITS)


def test_an_overlong_query_is_rejected_with_its_length() -> None:
    text = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 20_000
    with pytest.raises(QueryRejectedError, match="characters long"):
        check_query(text, **LIMITS)


def test_an_empty_query_is_rejected() -> None:
    with pytest.raises(QueryRejectedError, match="empty"):
        check_query("   \n", **LIMITS)


def test_service_is_refused_unless_allowed() -> None:
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert uses_service(text)
    with pytest.raises(QueryRejectedError, match="SERVICE"):
        check_query(text, **LIMITS)
    assert check_query(text, max_chars=10_000, max_depth=64, allow_service=True) == "select"


def test_the_word_service_inside_a_string_is_not_federation() -> None:
    assert not uses_service('SELECT * WHERE { ?s ?p "SERVICE" }')


def test_inject_values_binds_at_the_start_of_the_where_group() -> None:
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = ?x) }"
    bound = inject_values(text, {"x": ox.NamedNode("http://e/a")})
    assert bound == (
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?x) { (<http://e/a>) }  ?s ?p ?o FILTER(?s = ?x) }"
    )


def test_inject_values_escapes_hostile_literals() -> None:
    bound = inject_values("SELECT * { ?s ?p ?o }", {"o": ox.Literal('x" } DROP ALL #')})
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal('x" } DROP ALL #')
        )
    )
    assert len(list(store.query(bound))) == 1  # the literal matched as data, not as syntax


def test_inject_values_refuses_blank_nodes_and_odd_names() -> None:
    with pytest.raises(QueryRejectedError):
        inject_values("SELECT * { ?s ?p ?o }", {"s": ox.BlankNode()})  # type: ignore[dict-item]
    with pytest.raises(QueryRejectedError):
        inject_values("SELECT * { ?s ?p ?o }", {"s) } DROP ALL": ox.Literal("x")})


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }",
        "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 5_000) + " ?o }",
    ],
    ids=["negation-chain", "long-path"],
)
def test_operator_chains_that_overflow_the_parser_are_rejected(text: str) -> None:
    with pytest.raises(QueryRejectedError, match="path or negation operators"):
        check_query(text, max_chars=1_000_000, max_depth=64, allow_service=False)


def test_ordinary_paths_and_negations_pass() -> None:
    text = "SELECT * WHERE { ?s ^<http://e/p>/<http://e/q>|<http://e/r> ?o FILTER(!BOUND(?x)) }"
    assert check_query(text, **LIMITS) == "select"
