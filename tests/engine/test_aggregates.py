"""Dashboard answers kept per store generation equal the full queries' answers (#16).

Parametrised over every dashboard query and both engines (embedded, a real ``oxigraph serve``),
before and after a write that changes them; on a store server, a second process (another
``Aggregates`` over its own connection, sharing the instance folder) reads the first one's
answer instead of computing it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lhs_kg.aggregates import (
    AGGREGATE_TIMEOUT_S,
    DASHBOARD_QUERIES,
    Aggregates,
    answer_from,
    published_runner,
)
from lhs_kg.config import Settings
from lhs_kg.describe.dashboards import Bound, dashboard_queries
from lhs_kg.errors import QueryTimeoutError
from lhs_kg.formats import result_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import EmbeddedStore, RemoteStore
from lhs_kg.store.base import Term
from tests.helpers import ROOT, OxigraphServer, new_content_kb

EXAMPLE = ROOT / "data" / "examples" / "case-study.ttl"
EXAMPLE_GRAPH = "https://w3id.org/lhs-kg/graph/data/examples/test-aggregates"
NAMES = ["case-study-list", "case-study-outcome-counts", *DASHBOARD_QUERIES]
QUERIES = dict(zip(NAMES, dashboard_queries(Settings()), strict=True))


@pytest.fixture(scope="module", params=["embedded", "remote"])
def kb(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KnowledgeBase]:
    """The repository's content on each engine, loaded once per engine for the module."""
    if request.param == "embedded":
        store: EmbeddedStore | RemoteStore = EmbeddedStore(tmp_path_factory.mktemp("agg") / "s")
    else:
        server = OxigraphServer(tmp_path_factory.mktemp("agg-oxigraph"))
        request.addfinalizer(server.stop)
        store = RemoteStore(server.endpoints)
    found = new_content_kb(store)
    yield found
    found.close()


def full(kb: KnowledgeBase, query: tuple[str, Bound]) -> list[dict[str, Term]]:
    """The query's answer, run now over the published view."""
    text, bindings = query
    return kb.query(text, bindings=bindings).rows()


def kept_by(kb: KnowledgeBase, folder: Path | None) -> Aggregates:
    return Aggregates(
        lambda: kb.store.refresh_generation(),
        published_runner(kb, AGGREGATE_TIMEOUT_S),
        folder=folder,
    )


def key(rows: list[dict[str, Term]]) -> list[str]:
    """Rows in a comparable, order-free form."""
    return sorted(repr(sorted((k, str(v)) for k, v in row.items())) for row in rows)


@pytest.mark.parametrize("name", NAMES)
def test_kept_answers_equal_the_full_query_before_and_after_a_write(
    kb: KnowledgeBase, name: str, tmp_path: Path
) -> None:
    query = QUERIES[name]
    kept = kept_by(kb, tmp_path if kb.store.shares_generation else None)
    before = kept.rows(*query)
    assert key(before) == key(full(kb, query))
    assert key(kept.rows(*query)) == key(before)
    assert kept.computed == 1  # the second answer came from the cache
    kb.load(EXAMPLE, graph=EXAMPLE_GRAPH)  # a new case study with ratings, loop and elements
    try:
        after = kept.rows(*query)
        assert kept.computed == 2  # the write made the kept answer stale
        assert key(after) == key(full(kb, query))
    finally:
        kb.drop_graph(EXAMPLE_GRAPH)  # and from the published view
    assert key(kept.rows(*query)) == key(before)


def test_the_written_case_study_reaches_the_kept_list(kb: KnowledgeBase, tmp_path: Path) -> None:
    kept = kept_by(kb, tmp_path if kb.store.shares_generation else None)
    listed = QUERIES["case-study-list"]
    assert not any("example" in str(row.get("cs")) for row in kept.rows(*listed))
    kb.load(EXAMPLE, graph=EXAMPLE_GRAPH)
    try:
        assert any("example" in str(row.get("cs")) for row in kept.rows(*listed))
    finally:
        kb.drop_graph(EXAMPLE_GRAPH)  # and from the published view


def test_a_second_process_reads_the_first_ones_answer(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> None:
    oxigraph_server.clear()
    kb = new_content_kb(RemoteStore(oxigraph_server.endpoints))
    other = KnowledgeBase(kb.settings, store=RemoteStore(oxigraph_server.endpoints))
    try:
        first, second = kept_by(kb, tmp_path), kept_by(other, tmp_path)
        for query in QUERIES.values():
            computed = first.rows(*query)
            assert key(second.rows(*query)) == key(computed)
        assert first.computed == len(QUERIES)
        assert second.computed == 0
    finally:
        other.close()
        kb.close()
        oxigraph_server.clear()


@pytest.fixture(scope="module")
def memory_kb() -> Iterator[KnowledgeBase]:
    found = new_content_kb()
    yield found
    found.close()


def test_a_folder_that_cannot_be_used_only_costs_the_sharing(
    memory_kb: KnowledgeBase, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    kept = kept_by(memory_kb, blocked)
    query = QUERIES["loop-coverage"]
    assert key(kept.rows(*query)) == key(full(memory_kb, query))
    assert kept.computed == 1


def test_a_torn_file_is_computed_again_not_believed(
    memory_kb: KnowledgeBase, tmp_path: Path
) -> None:
    query = QUERIES["loop-coverage"]
    first = kept_by(memory_kb, tmp_path)
    expected = key(first.rows(*query))
    for path in tmp_path.rglob("*.srj"):
        path.write_bytes(b'{"head": {"vars": ["caseStudy"]}, "results": {"bindi')
    second = kept_by(memory_kb, tmp_path)
    assert key(second.rows(*query)) == expected
    assert second.computed == 1


def test_the_case_study_list_has_one_row_per_case_study_even_over_a_bag(
    kb: KnowledgeBase,
) -> None:
    """The store's own union holds the published copy and its sources: every triple twice.

    Each OPTIONAL once multiplied the rows by its matches there (63k rows for 497 case studies).
    """
    text, _ = QUERIES["case-study-list"]
    rows = kb.store.query(text).rows()
    case_studies = {row["cs"] for row in rows}
    assert len(case_studies) > 1
    assert len(rows) == len(case_studies)


@pytest.mark.parametrize("name", NAMES)
def test_the_runners_json_reads_as_the_stores_own(kb: KnowledgeBase, name: str) -> None:
    """The runner writes SPARQL JSON from the rows it iterates: pyoxigraph's own solutions."""
    text, bindings = QUERIES[name]
    ours = answer_from(published_runner(kb, AGGREGATE_TIMEOUT_S)(text, bindings))
    theirs = answer_from(kb.query(text, bindings=bindings).serialize(result_format("json")) or b"")
    assert ours.variables == theirs.variables
    assert key(ours.rows()) == key(theirs.rows())


def test_an_aggregate_past_its_time_limit_stops_on_the_embedded_store(tmp_path: Path) -> None:
    """The runner reads rows through the store's result, so its deadline holds (#16)."""
    with KnowledgeBase(Settings(store=str(tmp_path / "store"))) as small:
        small.load(EXAMPLE, graph=EXAMPLE_GRAPH)
        text, bindings = QUERIES["case-study-list"]
        assert published_runner(small, AGGREGATE_TIMEOUT_S)(text, bindings)
        with pytest.raises(QueryTimeoutError, match="time limit"):
            published_runner(small, 1e-9)(text, bindings)
