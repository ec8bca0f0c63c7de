"""The query scanner: guards against oversized, deep and federated queries; parameter binding."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lhs_kg import sparql, sparql_guard
from lhs_kg.errors import QueryRejectedError
from lhs_kg.sparql_text import (
    check_query,
    inject_values,
    nesting_depth,
    query_form,
    shape,
    uses_service,
)
from tests.engine.service_spellings import BYPASSES, Listener, bypass, service_query
from tests.helpers import QUERIES

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


def _every_query_text() -> Iterator[object]:
    for name in sparql.names():
        yield pytest.param(sparql.text(name), id=f"lhs_kg/sparql/{name}")
    for path in sorted(QUERIES.rglob("*.rq")):
        yield pytest.param(path.read_text(encoding="utf-8"), id=str(path.relative_to(QUERIES)))


@pytest.mark.parametrize("text", list(_every_query_text()))
def test_query_form_stops_at_the_keyword_the_whole_scan_reads(text: str) -> None:
    """The early stop (#16) gives what the full scan does, for every query we ship."""
    assert query_form(text) == shape(text).form != "unknown"


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
    with pytest.raises(QueryRejectedError, match="operators"):
        check_query(text, max_chars=1_000_000, max_depth=64, allow_service=False)


def test_ordinary_paths_and_negations_pass() -> None:
    text = "SELECT * WHERE { ?s ^<http://e/p>/<http://e/q>|<http://e/r> ?o FILTER(!BOUND(?x)) }"
    assert check_query(text, **LIMITS) == "select"


# -- #12: the guard decides on the parse, as the engine reads the query ---------------------------


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback socket that counts connections (a SERVICE call shows up there)."""
    opened = Listener()
    yield opened
    opened.close()


def engine_connects(text: str, listener: Listener) -> bool:
    """Run ``text`` unguarded in pyoxigraph over a little data: did it call the listener?"""
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode("http://e/a#"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o"))
    )
    store.add(
        ox.Quad(ox.NamedNode("http://e/a'"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o"))
    )
    before = listener.connections
    try:
        if query_form(text) == "update" or text.lstrip().upper().startswith(("INSERT", "DELETE")):
            store.update(text)
        else:
            result = store.query(text)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.connections > before


@pytest.mark.parametrize("name", BYPASSES)
def test_service_bypasses_seen_in_the_hostile_pass_are_refused(name: str) -> None:
    with pytest.raises(QueryRejectedError):
        check_query(bypass(name, "http://127.0.0.1:9/sparql"), **LIMITS)


@pytest.mark.parametrize("name", ["glued-pname", "glued-silent", "comment-glued"])
def test_the_bypass_spellings_really_reach_the_network_without_the_guard(
    name: str, listener: Listener
) -> None:
    """The regression inputs are live: pyoxigraph itself calls the address they name."""
    assert engine_connects(bypass(name, listener.endpoint), listener)


def test_deep_nesting_behind_an_escaped_prefixed_name_is_refused() -> None:
    """49,000 braces behind ``ex:a\\#`` were accepted while the limit was 64."""
    text = (
        "PREFIX ex: <http://e/> SELECT * WHERE { ex:a\\# ?p ?o " + "{" * 49_000 + "}" * 49_000 + "}"
    )
    with pytest.raises(QueryRejectedError, match="nests 49001 levels"):
        check_query(text, max_chars=200_000, max_depth=64, allow_service=False)


def test_closing_brackets_in_strings_cannot_hide_depth() -> None:
    """A fake ``)`` per real ``(`` fools a bracket count; the parse still refuses the query."""
    text = "SELECT * WHERE { FILTER(" + '( ")" ' * 3_000 + "1" + ")" * 3_000 + ") }"
    with pytest.raises(QueryRejectedError):
        check_query(text, max_chars=200_000, max_depth=64, allow_service=False)


@pytest.mark.parametrize(
    "text",
    [
        'PREFIX ex: <http://e/> SELECT * WHERE { ex:a\\# ?p "caf\\u00E9" }',
        "SELECT ?service WHERE { ?service <http://e/serviceType> ?o }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s <http://e/service> ?o } # SERVICE <http://x/> {}",
    ],
    ids=["escapes", "service-as-a-name", "service-in-a-string", "service-in-a-comment"],
)
def test_ordinary_queries_that_mention_service_pass(text: str) -> None:
    assert check_query(text, **LIMITS) == "select"


def test_allow_service_lets_a_parsed_service_through() -> None:
    text = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/> { ?s ?p ?o } }"
    assert check_query(text, max_chars=10_000, max_depth=64, allow_service=True) == "select"


def test_unparseable_text_is_refused_fail_closed() -> None:
    with pytest.raises(QueryRejectedError, match="SPARQL syntax error"):
        check_query("SELECT * WHERE { ?s ?p ?o . FROBNICATE }", **LIMITS)


FUZZ_EXAMPLES = int(os.environ.get("LHS_KG_FUZZ_EXAMPLES", "2000"))


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_guard_refuses_every_service_spelling_the_engine_would_call(
    data: st.DataObject, listener: Listener
) -> None:
    """Property: whenever pyoxigraph, unguarded, calls the address, the guard refused the text."""
    text = data.draw(service_query(listener.endpoint))
    try:
        check_query(text, max_chars=10_000, max_depth=64, allow_service=False)
        refused = False
    except QueryRejectedError:
        refused = True
    event("refused" if refused else "accepted")
    if not refused:
        assert not engine_connects(text, listener), text
    elif data.draw(st.integers(0, 19)) == 0:  # now and then: the refused text was a live call
        event("engine called" if engine_connects(text, listener) else "engine did not call")


def test_concurrent_first_parses_agree() -> None:
    """Regression: the first parses of rdflib's grammar, run at once, failed with odd errors
    (400 "Expected SelectQuery" and 500 on a fresh server); run in a fresh interpreter."""
    code = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from lhs_kg.sparql_text import check_query\n"
        "texts = [f'SELECT * WHERE {{ ?s <http://e/p{n}> ?o OPTIONAL {{ ?o ?q ?r }} "
        "FILTER(?o > {n}) }} LIMIT {n + 1}' for n in range(32)]\n"
        "def check(text):\n"
        "    return check_query(text, max_chars=10_000, max_depth=64, allow_service=False)\n"
        "with ThreadPoolExecutor(max_workers=16) as pool:\n"
        "    print(sorted(set(pool.map(check, texts))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "['select']", result.stderr[-500:]


@settings(
    max_examples=FUZZ_EXAMPLES // 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_parse_alone_never_misses_a_service_the_engine_would_call(
    data: st.DataObject, listener: Listener
) -> None:
    """The same property for the parse-based layer on its own (the token scan was fooled)."""
    text = data.draw(service_query(listener.endpoint))
    try:
        missed = not sparql_guard.parse(text).uses_service
    except QueryRejectedError:
        missed = False
    event("parse missed SERVICE" if missed else "parse refused or saw SERVICE")
    if missed:
        assert not engine_connects(text, listener), text


def test_a_single_threaded_process_checks_long_queries() -> None:
    """The command line (one thread) may parse with a higher recursion limit: 1,000 patterns."""
    code = (
        "from lhs_kg.sparql_text import check_query\n"
        "body = ' . '.join(f'?s <http://e/p{n}> ?o{n}' for n in range(1000))\n"
        "text = 'SELECT * WHERE { ' + body + ' }'\n"
        "print(check_query(text, max_chars=100_000, max_depth=64, allow_service=False))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "select", result.stderr[-500:]


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>",
        "INSERT DATA { <http://a> <http://b> 1 } ;\nLOAD <http://127.0.0.1:9/x>",
    ],
)
def test_an_update_that_loads_from_a_url_is_refused_like_service(text: str) -> None:
    """Regression (live hostile pass): LOAD through the token endpoint fetched the URL."""
    with pytest.raises(QueryRejectedError, match="LOAD"):
        check_query(text, max_chars=10_000, max_depth=64, allow_service=False)
    assert check_query(text, max_chars=10_000, max_depth=64, allow_service=True) == "update"


def test_a_long_property_path_sequence_is_refused_before_it_runs() -> None:
    """Regression (live fuzz): a 1,000-step path passed the guard and ran past its deadline."""
    long_path = "PREFIX ex: <urn:ex:> SELECT * WHERE { ?s " + "/".join(["ex:p"] * 1000) + " ?o }"
    with pytest.raises(QueryRejectedError, match="steps"):
        check_query(long_path, **LIMITS)
    hidden = "PREFIX ex: <urn:ex:> SELECT * WHERE { BIND(ex:a\\# AS ?c) ?s " + long_path[40:]
    with pytest.raises(QueryRejectedError):
        check_query(hidden, **LIMITS)
    short = "SELECT * WHERE { ?s " + "/".join(["<http://a/b>"] * 50) + " ?o }"
    assert check_query(short, **LIMITS) == "select"  # slashes inside IRIs are not steps
