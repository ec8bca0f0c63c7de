"""The engine profile is the one place that says how a query or update is rewritten for an
engine (#16): each engine's rewrites, checked on small texts, and none for the portable ones."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from lhs_kg.engines import ENGINES, SentQuery, engine

ASK = "ASK { GRAPH <urn:g> { ?s ?p ?o } }"
DESCRIBE = "DESCRIBE <urn:a>"
SELECT = "SELECT ?s WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { <urn:a> <urn:b> [ <urn:c> 1 ] }"
GRAPH = "https://w3id.org/lhs-kg/graph/x"
PORTABLE = ("oxigraph", "generic")


@pytest.mark.parametrize("name", PORTABLE)
@pytest.mark.parametrize(
    ("text", "form"), [(ASK, "ask"), (DESCRIBE, "describe"), (SELECT, "select")]
)
def test_portable_engines_get_queries_as_written(name: str, text: str, form: str) -> None:
    assert engine(name).query_text(text, form) == SentQuery(text, rows_answer_ask=False)


def test_virtuoso_gets_an_ask_as_a_one_row_select() -> None:
    sent = engine("virtuoso").query_text(ASK, "ask")
    assert sent == SentQuery("SELECT * { GRAPH <urn:g> { ?s ?p ?o } }\nLIMIT 1\n", True)


def test_virtuoso_gets_a_describe_after_its_pragma() -> None:
    sent = engine("virtuoso").query_text(DESCRIBE, "describe")
    assert sent == SentQuery('define sql:describe-mode "CBD"\n' + DESCRIBE, False)


def test_virtuoso_gets_a_select_as_written() -> None:
    assert engine("virtuoso").query_text(SELECT, "select") == SentQuery(SELECT, False)


def test_virtuoso_gets_the_dataset_in_its_pragmas() -> None:
    """Virtuoso echoes each dataset parameter as a response header: past ~50 graphs the HTTP
    client refused the answer (over 100 headers), so the dataset goes in the text (#16)."""
    dataset = [("default-graph-uri", GRAPH), ("named-graph-uri", GRAPH + "/2")]
    assert engine("virtuoso").dataset_in_text and not engine("oxigraph").dataset_in_text
    assert engine("virtuoso").with_dataset(SELECT, dataset) == (
        f"define input:default-graph-uri <{GRAPH}>\n"
        f"define input:named-graph-uri <{GRAPH}/2>\n{SELECT}"
    )


@pytest.mark.parametrize("iri", ["urn:a> } DROP ALL #", "urn:a b", "not an iri"])
def test_a_dataset_graph_that_is_not_an_iri_is_refused(iri: str) -> None:
    with pytest.raises(ValueError):
        engine("virtuoso").with_dataset(SELECT, [("default-graph-uri", iri)])


@pytest.mark.parametrize("name", PORTABLE)
def test_portable_engines_get_data_blocks_and_values_as_written(name: str) -> None:
    profile = engine(name)
    assert profile.update_text(INSERT) == INSERT
    bound = profile.update_text(
        "INSERT { ?s <urn:p> 1 } WHERE { VALUES ?s { UNDEF } }", {"s": ox.NamedNode("urn:a")}
    )
    assert bound == "INSERT { ?s <urn:p> 1 } WHERE { VALUES (?s) { (<urn:a>) } }"


def test_virtuoso_gets_a_data_block_as_a_template_and_bindings_as_bind_groups() -> None:
    profile = engine("virtuoso")
    assert profile.update_text(INSERT) == "INSERT  { <urn:a> <urn:b> [ <urn:c> 1 ] } WHERE {}"
    bound = profile.update_text(
        "INSERT { ?s <urn:p> 1 } WHERE { VALUES ?s { UNDEF } }", {"s": ox.NamedNode("urn:a")}
    )
    assert bound == "INSERT { ?s <urn:p> 1 } WHERE { { { BIND(<urn:a> AS ?s) } } }"


def test_the_default_graph_is_named_by_virtuoso_s_pragma() -> None:
    text = engine("virtuoso").update_text("CLEAR DEFAULT", default_graph=GRAPH)
    assert text == f"define input:default-graph-uri <{GRAPH}>\nCLEAR DEFAULT"


@pytest.mark.parametrize("name", PORTABLE)
def test_portable_engines_move_the_default_graph_around_the_update(name: str) -> None:
    text = engine(name).update_text("CLEAR DEFAULT", default_graph=GRAPH)
    assert text.startswith(f"ADD SILENT GRAPH <{GRAPH}> TO DEFAULT ;")
    assert text.endswith(f"ADD SILENT DEFAULT TO GRAPH <{GRAPH}> ; DROP SILENT DEFAULT")


def test_every_profile_is_tested_here() -> None:
    """A new engine gets its rewrites checked in this file before it is added."""
    assert set(ENGINES) == {*PORTABLE, "virtuoso"}
