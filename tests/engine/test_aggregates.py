"""Dashboard answers kept per store generation equal the full queries' answers (#16).

Parametrised over every dashboard query and both engines (embedded, a real ``oxigraph serve``),
before and after a write that changes them; on a store server, a second process (another
``Aggregates`` over its own connection, sharing the instance folder) reads the first one's
answer instead of computing it again. The first answer computed a batch of case studies at a
time (:mod:`lhs_kg.per_case_study`) is the full query's too, in the ORDER BY's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from lhs_kg import per_case_study
from lhs_kg.aggregates import (
    AGGREGATE_TIMEOUT_S,
    DASHBOARD_QUERIES,
    Aggregates,
    answer_from,
    published_runner,
    published_select,
)
from lhs_kg.config import Settings
from lhs_kg.describe.dashboards import Bound, dashboard_queries, maintainers
from lhs_kg.errors import QueryTimeoutError
from lhs_kg.formats import result_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.published_changes import log_of
from lhs_kg.store import EmbeddedStore, RemoteStore
from lhs_kg.store.base import QueryResult, Term
from lhs_kg.store.results import json_binding, json_results
from tests.helpers import ROOT, OxigraphServer, new_content_kb

EXAMPLE = ROOT / "data" / "examples" / "case-study.ttl"
EXAMPLE_GRAPH = "https://w3id.org/lhs-kg/graph/data/examples/test-aggregates"
NAMES = [
    "case-study-list",
    "case-study-outcome-counts",
    *DASHBOARD_QUERIES,
    "gap-evidence-case-studies",
]
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
    found = new_content_kb(store, var_dir=tmp_path_factory.mktemp("agg-var"))
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


def batched_by(
    kb: KnowledgeBase, folder: Path | None, asked: list[str] | None = None, *, log: bool = False
) -> Aggregates:
    """As the web app keeps them: first answers computed a batch of case studies at a time;
    with ``log``, brought up to date after a write by the store's change log. The texts of the
    restricted queries go into ``asked``."""
    select = published_select(kb, AGGREGATE_TIMEOUT_S)

    def recorded(text: str, bindings: Any) -> QueryResult:
        if asked is not None:
            asked.append(text)
        return select(text, bindings)

    return Aggregates(
        lambda: kb.store.refresh_generation(),
        published_runner(kb, AGGREGATE_TIMEOUT_S),
        folder=folder,
        maintained=maintainers(kb.settings),
        changes=log_of(kb.store).since if log else None,
        select=recorded,
    )


#: The ORDER BY of the ordered dashboard queries: (variable, numeric?) per key.
ORDER_BY = {
    "complexity-profiles": (("complex", True), ("complicated", True), ("caseStudyLabel", False)),
    "loop-coverage": (("stages", True), ("caseStudyLabel", False)),
    "element-co-occurrence": (("caseStudies", True), ("first", False), ("second", False)),
}


def order_keys(name: str, rows: list[dict[str, Term]]) -> list[tuple[object, ...]]:
    """Each row's ORDER BY key, in the answer's order (ties may come in any order)."""
    return [
        tuple(
            per_case_study.number(r.get(v)) if numeric else str(r.get(v))
            for v, numeric in ORDER_BY[name]
        )
        for r in rows
    ]


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
    kb = new_content_kb(RemoteStore(oxigraph_server.endpoints), var_dir=tmp_path / "var")
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


@pytest.mark.parametrize("batch", [1, 3, 500])
@pytest.mark.parametrize("name", NAMES)
def test_answers_computed_a_batch_of_case_studies_at_a_time_are_the_full_ones(
    kb: KnowledgeBase, name: str, batch: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first computation runs the restricted query once per batch (bounded, linear, #16)."""
    monkeypatch.setattr(per_case_study, "_BATCH", batch)
    query = QUERIES[name]
    kept = batched_by(kb, tmp_path if kb.store.shares_generation else None)
    got = kept.answer(*query)
    expected = kb.query(query[0], bindings=query[1])
    assert kept.batched == 1
    assert got.variables == expected.variables
    rows = expected.rows()
    assert key(got.rows()) == key(rows)
    assert key(answer_from(got.body).rows()) == key(rows)  # the JSON says the same
    if name in ORDER_BY:
        assert order_keys(name, got.rows()) == order_keys(name, rows)


def test_a_blank_node_case_study_makes_the_full_query_run(tmp_path: Path) -> None:
    """A VALUES block cannot name a blank node: the full query answers, never a partial one."""
    with new_content_kb() as small:
        small.load_bytes(
            b"[] a <https://w3id.org/lhs-kg/ontology/CaseStudy> .", "ttl", graph=EXAMPLE_GRAPH
        )
        kept = batched_by(small, None)
        for query in QUERIES.values():
            assert key(kept.rows(*query)) == key(full(small, query))
        assert kept.batched == 0
        assert kept.computed == len(QUERIES)


def test_no_case_study_at_all_runs_the_full_query(tmp_path: Path) -> None:
    """With nothing to batch over, the projected variables come from the full query."""
    with KnowledgeBase(Settings(store=str(tmp_path / "store"))) as empty:
        kept = batched_by(empty, None)
        for query in QUERIES.values():
            answer = kept.answer(*query)
            assert answer.rows() == []
            assert answer.variables == empty.query(query[0], bindings=query[1]).variables
        assert kept.batched == 0


@pytest.fixture
def two_processes(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> Iterator[tuple[KnowledgeBase, KnowledgeBase]]:
    """Two knowledge bases (as two worker processes) over one store server, cleared."""
    oxigraph_server.clear()
    kb = new_content_kb(RemoteStore(oxigraph_server.endpoints), var_dir=tmp_path / "var")
    other = KnowledgeBase(kb.settings, store=RemoteStore(oxigraph_server.endpoints))
    yield kb, other
    other.close()
    kb.close()
    oxigraph_server.clear()


@pytest.mark.parametrize("torn", [False, True], ids=["as saved", "a torn file"])
def test_a_second_process_keeps_the_first_ones_answers_per_case_study_without_computing(
    two_processes: tuple[KnowledgeBase, KnowledgeBase], tmp_path: Path, torn: bool
) -> None:
    """It reads the answers and what keeping them needs (each case study's elements) from the
    folder; after a write through the first, it brings them up to date (#16)."""
    kb, other = two_processes
    first = batched_by(kb, tmp_path, log=True)
    for query in QUERIES.values():
        first.rows(*query)
    assert first.batched == len(QUERIES)
    saved = list(tmp_path.rglob("*.kept"))
    assert len(saved) == 1  # element co-occurrence's elements per case study
    if torn:
        saved[0].write_bytes(b'{"https://w3id.org/lhs-kg/case-study/a": ["x", 3')
    asked: list[str] = []
    second = batched_by(other, tmp_path, asked, log=True)
    for query in QUERIES.values():
        assert key(second.rows(*query)) == key(first.rows(*query))
    assert second.computed == 0
    assert (per_case_study.ELEMENTS in asked) is torn  # read again only when not readable
    kb.load(EXAMPLE, graph=EXAMPLE_GRAPH)  # through the first process
    for name, query in QUERIES.items():
        assert key(second.rows(*query)) == key(full(other, query)), name
    assert second.computed == 0
    assert second.updated == len(QUERIES)


def test_a_generation_s_first_answers_read_the_case_study_list_once(
    content_kb: KnowledgeBase,
) -> None:
    """Every answer kept per case study is computed over the same list of case studies: it is
    read once for all of them, not once per answer."""
    from lhs_kg.per_case_study import CASE_STUDIES

    asked: list[str] = []
    kept = batched_by(content_kb, None, asked)
    kept.warm(dashboard_queries(content_kb.settings))
    assert kept.batched == len(maintainers(content_kb.settings))
    assert asked.count(CASE_STUDIES) == 1


def test_an_answer_kept_per_case_study_cuts_its_parts_from_its_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read from a file or the store, its bindings are not encoded again (7 s of a restart's
    14 at 1M triples, #16): each case study's part is its bindings as the body has them."""
    rows = [
        {"cs": ox.NamedNode(f"urn:cs{i % 2}"), "n": ox.Literal(str(i), language="en")}
        for i in range(5)
    ]
    body = json_results(["cs", "n"], [json_binding(["cs", "n"], row) for row in rows])
    encoded: list[object] = []
    monkeypatch.setattr(per_case_study, "json_binding", lambda *a: encoded.append(a) or b"")
    kept = per_case_study.PerCaseStudy("SELECT", "cs").start(answer_from(body), 1, _no_select)
    assert encoded == []
    assert kept.parts == {
        cs: b",".join(json_binding(["cs", "n"], row) for row in rows if row["cs"].value == cs)
        for cs in ("urn:cs0", "urn:cs1")
    }
    again = per_case_study.PerCaseStudy("SELECT", "cs").answer(kept)
    assert answer_from(again.body).rows() == sorted(rows, key=lambda r: r["cs"].value)


def _no_select(text: str, bound: Any) -> QueryResult:
    raise AssertionError("nothing is queried to keep an answer")


def test_an_answer_s_rows_leave_out_unbound_variables() -> None:
    rows = [{"a": ox.NamedNode("urn:a"), "b": ox.Literal("1")}, {"b": ox.Literal("2")}, {}]
    body = json_results(["a", "b"], [json_binding(["a", "b"], row) for row in rows])
    assert answer_from(body).rows() == rows


def test_an_answer_computed_while_a_write_ran_is_kept_in_memory_only(tmp_path: Path) -> None:
    """Its number can come back after a restart (a store closed at it, #16); the data it read
    half-written cannot: it goes to no file, and is asked again once the number moved on."""
    generation = [5]
    body = json_results(["x"], [json_binding(["x"], {"x": ox.Literal("1")})])
    writes = iter([6])  # the first computation crosses a write; later ones do not

    def run(text: str, bindings: Any) -> bytes:
        generation[0] = next(writes, generation[0])
        return body

    kept = Aggregates(lambda: generation[0], run, folder=tmp_path)
    answer = kept.answer("SELECT ?x WHERE { ?s ?p ?x }")
    assert answer.body == body
    assert list(tmp_path.rglob("*.srj")) == []  # under no number, the old or the new
    assert kept.save() == 0  # nor when the process stops
    generation[0] = 7
    kept.answer("SELECT ?x WHERE { ?s ?p ?x }")
    assert len(list(tmp_path.glob("g7/*.srj"))) == 1  # computed while nothing wrote: on disk
