"""The one binder: where values go, and that no value can change the structure of the text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lhs_kg import sparql
from lhs_kg.errors import QueryRejectedError
from lhs_kg.sparql import bind, binding
from lhs_kg.store import Store

EX = "http://example.org/"
S, P = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
ECHO = "SELECT ?v WHERE { VALUES ?v { UNDEF } }"


def test_a_placeholder_is_replaced_where_the_template_put_it() -> None:
    text = "SELECT ?n WHERE { { SELECT ?s WHERE { VALUES ?r { UNDEF } ?s ?p ?r } LIMIT 5 } }"
    bound = bind(text, {"r": S})
    assert bound == (
        "SELECT ?n WHERE { { SELECT ?s WHERE { VALUES (?r) { (<http://example.org/s>) } "
        "?s ?p ?r } LIMIT 5 } }"
    )


def test_every_placeholder_declaring_a_variable_is_bound() -> None:
    text = "SELECT * { { VALUES ?r { UNDEF } ?a ?b ?r } UNION { VALUES ?r { UNDEF } ?r ?b ?a } }"
    assert bind(text, {"r": S}).count("<http://example.org/s>") == 2


def test_a_placeholder_of_several_variables_leaves_the_unbound_ones_undef() -> None:
    text = "SELECT * { VALUES (?a ?b) { (UNDEF UNDEF) } ?a ?p ?b }"
    assert "VALUES (?a ?b) { (<http://example.org/s> UNDEF) }" in bind(text, {"a": S})


def test_several_rows_bind_a_set_of_values() -> None:
    bound = bind(ECHO, [{"v": S}, {"v": P}])
    assert [row["v"] for row in ox.Store().query(bound)] == [S, P]  # type: ignore[union-attr]


def test_a_variable_no_placeholder_declares_is_refused() -> None:
    with pytest.raises(QueryRejectedError, match=r"\?x"):
        bind(ECHO, {"v": S, "x": P})


def test_without_placeholders_the_block_opens_the_outermost_where_group() -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o { SELECT ?o WHERE { ?o ?q ?x } } }"
    assert bind(text, {"x": S}).startswith("SELECT ?s WHERE { VALUES (?x)")


def test_an_update_without_placeholders_is_bound_in_each_operation() -> None:
    text = (
        "INSERT { GRAPH ?g { ?s ?p 1 } } WHERE { } ; "
        "DELETE { GRAPH ?g { ?s ?p 2 } } WHERE { GRAPH ?g { ?s ?p 2 } }"
    )
    assert bind(text, {"g": S, "s": S, "p": P}).count("VALUES (?g ?s ?p)") == 2


def test_limit_and_offset_replace_every_number_after_their_keyword() -> None:
    text = "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 10 } } LIMIT 10 OFFSET 0"
    assert bind(text, limit=3, offset=6) == (
        "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } LIMIT 3 OFFSET 6"
    )


@pytest.mark.parametrize("number", [-1, 10**12, True, 2.5, "5", "5 } DROP ALL"])
def test_limit_must_be_a_sane_whole_number(number: object) -> None:
    with pytest.raises(QueryRejectedError):
        bind("SELECT * { ?s ?p ?o } LIMIT 10", limit=number)  # type: ignore[arg-type]


def test_limit_needs_a_limit_clause_in_the_template() -> None:
    with pytest.raises(QueryRejectedError, match="no LIMIT"):
        bind("SELECT * { ?s ?p ?o }", limit=3)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "VALUES ?x { UNDEF }" } LIMIT 10',
        "SELECT * { ?s ?p ?o } # VALUES ?x { UNDEF } LIMIT 99\nLIMIT 10",
        "SELECT * { ?s <http://e/LIMIT> ?o } LIMIT 10",
        'SELECT * { ?s ?p """ LIMIT 7 """ } LIMIT 10',
    ],
)
def test_strings_comments_and_iris_of_the_template_are_never_targets(text: str) -> None:
    bound = bind(text, limit=4)
    assert bound.endswith("LIMIT 4")
    assert bound.count("4") == 1


@pytest.mark.parametrize(
    "value",
    [
        ox.BlankNode(),
        "http://example.org/a",
        '<http://e/a> } DROP ALL { "',
        5,
        ox.Triple(S, P, S),
    ],
)
def test_only_iris_and_literals_can_be_bound(value: object) -> None:
    with pytest.raises(QueryRejectedError):
        bind(ECHO, {"v": value})  # type: ignore[dict-item]


@pytest.mark.parametrize("name", ["v) } DROP ALL", "v }", "1v", "v-w", "", "v\n", "v{"], ids=repr)
def test_variable_names_must_be_plain_identifiers(name: str) -> None:
    with pytest.raises(QueryRejectedError):
        bind("SELECT * { ?s ?p ?o }", {name: S})


@pytest.mark.parametrize(
    "iri",
    [
        "http://e/a> } DROP ALL { <http://e/b",
        "http://e/a b",
        "http://e/}",
        "http://e/{",
        'http://e/"',
        "http://e/a\n",
        "http://e/a\\u003e",
        "not an iri",
    ],
    ids=repr,
)
def test_hostile_iris_cannot_even_be_made_into_terms(iri: str) -> None:
    """The binder takes NamedNodes only, and pyoxigraph refuses these at construction."""
    with pytest.raises(ValueError):
        ox.NamedNode(iri)


HOSTILE_LITERALS = [
    'x" } DROP ALL #',
    '"""',
    'a """ } ; DROP ALL ; """',
    "line\nbreak\r\n",
    "back\\slash \\",
    "'single' '''triple'''",
    "} ) ] > UNDEF LIMIT 1",
    "\\u0022 escaped quote",
    "# not a comment",
]


@pytest.mark.parametrize("text", HOSTILE_LITERALS, ids=repr)
def test_hostile_literals_come_back_unchanged(text: str) -> None:
    for literal in (ox.Literal(text), ox.Literal(text, language="en")):
        rows = list(ox.Store().query(bind(ECHO, {"v": literal})))  # type: ignore[union-attr]
        assert [row["v"] for row in rows] == [literal]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_string_literal_is_data_not_syntax(text: str) -> None:
    literal = ox.Literal(text)
    rows = list(ox.Store().query(bind(ECHO, {"v": literal})))  # type: ignore[union-attr]
    assert [row["v"] for row in rows] == [literal]


@pytest.mark.parametrize("text", HOSTILE_LITERALS, ids=repr)
def test_an_update_binds_hostile_literals_as_data(store: Store, text: str) -> None:
    """The same binder for updates, on both stores: the literal lands in the graph unchanged."""
    graph = ox.NamedNode(EX + "g")
    store.update(
        "INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { }",
        bindings={"g": graph, "s": S, "p": P, "o": ox.Literal(text)},
    )
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", union=False).rows()
    assert [row["o"] for row in rows] == [ox.Literal(text)]
    assert [g.iri for g in store.graphs()] == [graph.value]


def test_an_update_binds_several_rows_in_one_transaction(store: Store) -> None:
    rows = [{"g": ox.NamedNode(f"{EX}g{i}"), "o": ox.Literal(str(i))} for i in range(3)]
    store.update("INSERT { GRAPH ?g { <http://e/s> <http://e/p> ?o } } WHERE { }", bindings=rows)
    assert [g.iri for g in store.graphs()] == [f"{EX}g{i}" for i in range(3)]


@pytest.mark.parametrize(
    "block",
    [
        '(?p ?c) { (<http://e/p> "x") }',
        "(?p ?c) { (<http://e/p> UNDEF) }",
        "?p { <http://e/p> }",
        '?p { "UNDEF" }',
        "?p { UNDEF UNDEF }",
        "(?p ?c) { (UNDEF UNDEF) (UNDEF UNDEF) }",
        "(?p ?c) { (UNDEF) }",
    ],
)
def test_values_blocks_with_data_are_not_placeholders(block: str) -> None:
    """Regression: rows of prefixed names and strings (which the lexer skips) read as all-UNDEF."""
    text = f"SELECT * WHERE {{ VALUES {block} ?s ?p ?since }}"
    assert bind(text, {"since": S}) == text.replace(
        "WHERE { ", "WHERE { VALUES (?since) { (<http://example.org/s>) }  "
    )


def test_a_template_bound_again_gets_the_new_values_not_the_first_ones() -> None:
    """The analysis of a template is kept (#16); what is written into it never is."""
    text = "SELECT ?v WHERE { VALUES ?v { UNDEF } } LIMIT 10"
    first = bind(text, {"v": S}, limit=1)
    second = bind(text, {"v": P}, limit=2)
    assert (first, second) == (
        f"SELECT ?v WHERE {{ VALUES (?v) {{ (<{EX}s>) }} }} LIMIT 1",
        f"SELECT ?v WHERE {{ VALUES (?v) {{ (<{EX}p>) }} }} LIMIT 2",
    )


@pytest.mark.parametrize("name", sparql.names())
def test_every_internal_query_binds_the_same_with_its_analysis_kept(name: str) -> None:
    """The kept analysis of each of the package's templates places values and numbers exactly
    where a fresh one does (a long text, analysed each time, is the reference)."""
    text = sparql.text(name)
    names = sorted({p.variables for p in binding._analyse(text).places})
    rows = [{v: ox.NamedNode(f"{EX}{v}") for v in variables} for variables in names]
    numbers = {k.lower(): 7 for k, v in binding._analyse(text).slots.items() if v}
    padded = text + "\n" + "#" * binding._KEPT_TEXT_CHARS  # too long to be kept
    assert bind(text, rows, **numbers) + "\n" + "#" * binding._KEPT_TEXT_CHARS == bind(
        padded, rows, **numbers
    )
