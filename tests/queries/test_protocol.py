"""The query runner behind /sparql: deadline, busy slots, row limit, service description."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from lhs_kg.errors import QueryRejectedError, QueryTimeoutError
from lhs_kg.formats import result_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.protocol import QueryRunner, ResultTooLargeError, ServerBusyError, service_description
from tests.helpers import new_content_kb

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    """A time limit no ordinary query here nears, even on a loaded CI machine (a 0.3 s one
    stopped a LIMIT 50 query once there, beside another test's abandoned runaway)."""
    with new_content_kb(query_timeout_s=30.0, max_result_rows=50) as base:
        yield base


@pytest.fixture(scope="module")
def tight_kb() -> Iterator[KnowledgeBase]:
    """A time limit a runaway query reaches at once."""
    with new_content_kb(query_timeout_s=0.3, max_result_rows=50) as base:
        yield base


def test_all_slots_busy_is_refused_at_once(tight_kb: KnowledgeBase) -> None:
    runner = QueryRunner(tight_kb, max_running=1)
    with pytest.raises(QueryTimeoutError, match="abandoned"):
        runner.run(RUNAWAY)
    with pytest.raises(ServerBusyError, match="all 1 query slots are busy"):
        runner.run("ASK {}")


def test_row_limit(kb: KnowledgeBase) -> None:
    with pytest.raises(ResultTooLargeError, match="more than 50 rows"):
        QueryRunner(kb).run("SELECT * WHERE { ?s ?p ?o }", fmt=result_format("json"))
    answer = QueryRunner(kb).run("SELECT * WHERE { ?s ?p ?o } LIMIT 50")
    assert len(answer.rows) == 50


def test_updates_are_not_queries(kb: KnowledgeBase) -> None:
    with pytest.raises(QueryRejectedError, match="update"):
        QueryRunner(kb).run("DROP ALL")


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_results_keep_every_kind_of_term(kb: KnowledgeBase, fmt: str) -> None:
    """Languages, datatypes, blank nodes, tabs and newlines survive the TSV-based writers."""
    query = (
        'SELECT ?a ?b ?c ?d ?e WHERE { BIND("x\\ty\\nz"@en AS ?a) BIND(42 AS ?b) '
        "BIND(BNODE() AS ?c) BIND(<https://example.org/é> AS ?d) }"
    )
    body = QueryRunner(kb).run(query, fmt=result_format(fmt)).body
    if fmt in ("json", "xml", "tsv"):
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.from_extension(fmt))
        (row,) = list(parsed)  # type: ignore[arg-type]
        assert row["a"] == ox.Literal("x\ty\nz", language="en")
        assert row["b"] == ox.Literal(
            "42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        )
        assert isinstance(row["c"], ox.BlankNode)
        assert row["d"] == ox.NamedNode("https://example.org/é")
        assert row["e"] is None
    else:
        assert body.decode().splitlines()[0] == "a,b,c,d,e"


def test_service_description_lists_graphs_and_limits(tight_kb: KnowledgeBase) -> None:
    triples = service_description("http://localhost/sparql", tight_kb)
    text = " ".join(t.object.value for t in triples if isinstance(t.object, ox.Literal))
    assert "0.3 seconds" in text and "50 rows" in text and "read-only" in text
