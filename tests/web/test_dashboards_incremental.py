"""After a write, the dashboards recompute only the case studies it touched (#16).

Each dashboard answer is kept as rows per case study; a write reports which case studies it
touched, and only their rows are computed again. The full query is the oracle: after an accept,
a reject, a withdrawal, a direct load and the other writes below, the answer kept this way is
the full query's answer (same rows; the same ORDER BY keys in the same order), and no full
query ran. A write the log cannot account for falls back to the full query.
"""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from lhs_kg import sparql
from lhs_kg.aggregates import Aggregates, Answer
from lhs_kg.contributions import Contributions
from lhs_kg.describe import casestudies, gaps
from lhs_kg.describe.base import Reader
from lhs_kg.describe.dashboards import dashboard_queries
from lhs_kg.errors import LhsKgError
from lhs_kg.formats import rdf_format, result_format
from lhs_kg.graphs import published_graph
from lhs_kg.kb import KnowledgeBase
from lhs_kg.per_case_study import Row, number
from lhs_kg.published_changes import ChangeLog, log_of, touched_case_studies
from lhs_kg.store import EmbeddedStore
from lhs_kg.store.generation import CHANGE_LOG, changes_since
from tests.helpers import (
    SAME_MULTISET,
    OxigraphServer,
    app_for,
    many_case_studies,
    multiset_difference,
    new_content_kb,
    published_writes,
    submit_example,
    two_workers,
)
from web.views.reading import aggregates

BASE = "https://w3id.org/lhs-kg/"
MANY = BASE + "graph/data/tests/incremental-many"
DIRECT = BASE + "graph/data/tests/incremental-direct"
JSON = result_format("json")
#: The ORDER BY of the ordered dashboard queries, as the variables of its keys.
ORDER_BY = {
    "complexity-profiles": ("complex", "complicated", "caseStudyLabel"),
    "loop-coverage": ("stages", "caseStudyLabel"),
    "element-co-occurrence": ("caseStudies", "first", "second"),
}


RATED = {
    "basis": "curator-reading",
    "coverageNote": "Two domains only, for this test.",
    "ratings": [
        {"domain": "1", "level": "complex", "justification": "Changed on purpose."},
        {"domain": "3", "level": "complex", "justification": "Changed on purpose."},
    ],
}


#: The module (the package's ``heatmap`` is its function of that name).
heatmap_module = importlib.import_module("lhs_kg.describe.casestudies.heatmap")

WRITES = published_writes(MANY, DIRECT, edition={"assessment": RATED})


def withdraw_pending(contributions: Contributions, kb: KnowledgeBase) -> None:
    contributions.decide(submit_example(contributions), "withdraw", "r", "not now")


SCENARIOS = [
    *list(WRITES.values())[:5],
    withdraw_pending,
    *list(WRITES.values())[5:],
]


@pytest.fixture(params=SCENARIOS, ids=lambda s: s.__name__)
def scenario(request: pytest.FixtureRequest) -> Callable[[Contributions, KnowledgeBase], None]:
    """Each write a test runs after (one test per write)."""
    found: Callable[[Contributions, KnowledgeBase], None] = request.param
    return found


@pytest.fixture
def kb() -> Iterator[KnowledgeBase]:
    """The repository's content and 40 generated case studies (no contribution yet)."""
    found = new_content_kb()
    found.load_bytes(many_case_studies(40, seed=3), "ttl", graph=MANY)
    yield found
    found.close()


@pytest.fixture
def kept(kb: KnowledgeBase) -> Aggregates:
    """The web app's dashboard answers over ``kb``, each asked for once (so kept)."""
    found = aggregates(app_for(kb), kb)
    for text, bindings in dashboard_queries(kb.settings):
        found.answer(text, bindings)
    return found


def bindings_of(answer_body: bytes) -> list[str]:
    data: dict[str, Any] = json.loads(answer_body)
    return [json.dumps(b, sort_keys=True) for b in data["results"]["bindings"]]


def full_body(kb: KnowledgeBase, text: str, bindings: Any) -> bytes:
    body = kb.query(text, bindings=bindings).serialize(JSON)
    assert body is not None
    return body


def order_keys(name: str, rows: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    """The ORDER BY key of each row, in the answer's order (ties may come in any order)."""
    keys = ORDER_BY[name]
    return [
        tuple(
            number(r.get(k))
            if k in ("complex", "complicated", "stages", "caseStudies")
            else (r[k].value if k in r else "")
            for k in keys
        )
        for r in rows
    ]


def named(kb: KnowledgeBase) -> dict[str, str]:
    """Query text → name of the named dashboard queries."""
    from lhs_kg.queries import QueryLibrary

    library = QueryLibrary.from_settings(kb.settings)
    return {library.get(n).text: n for n in ORDER_BY | {"nasss-heatmap": ()}}


def assert_same_as_full(kb: KnowledgeBase, kept: Aggregates) -> None:
    names = named(kb)
    for text, bindings in dashboard_queries(kb.settings):
        got: Answer = kept.answer(text, bindings)
        full = full_body(kb, text, bindings)
        difference = multiset_difference(Counter(bindings_of(got.body)), Counter(bindings_of(full)))
        assert difference == SAME_MULTISET, names.get(text, text[:80])
        parsed = [json.dumps({k: str(v) for k, v in r.items()}, sort_keys=True) for r in got.rows()]
        again = Answer(got.variables, got.body).rows()
        assert parsed == [
            json.dumps({k: str(v) for k, v in r.items()}, sort_keys=True) for r in again
        ]
        name = names.get(text)
        if name in ORDER_BY:
            expected = Answer(got.variables, full).rows()
            assert order_keys(name, got.rows()) == order_keys(name, expected), name


def heat_model(
    kb: KnowledgeBase, kept: Aggregates | None, sort: str = "label"
) -> casestudies.HeatMap:
    """The /nasss page's model, kept by ``kept`` (None: built anew from full queries)."""
    reader = Reader(kb)
    reader.aggregates = kept
    return casestudies.heatmap(reader, sort)


SORTS = ["complex", "domain-4"]


def test_after_a_write_the_kept_answers_and_page_model_are_the_full_ones(
    kb: KnowledgeBase,
    kept: Aggregates,
    scenario: Callable[[Contributions, KnowledgeBase], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for sort in ["label", *SORTS]:  # the page's models kept too, so the write can move them
        heat_model(kb, kept, sort)
    computed = kept.computed
    built = counting(monkeypatch, heatmap_module, "_built")
    resorted = counting(monkeypatch, heatmap_module, "_sorted")
    scenario(Contributions(kb), kb)
    assert_same_as_full(kb, kept)
    updated = heat_model(kb, kept)
    views = {sort: heat_model(kb, kept, sort) for sort in SORTS}
    assert kept.computed == computed  # not one full query ran after the write
    assert built == []  # the map's rows and aggregates adjusted, not made again
    assert resorted == []  # nor its sorted views sorted again
    monkeypatch.undo()
    assert heat_summary(updated) == heat_summary(heat_model(kb, None))
    for sort, view in views.items():
        assert heat_summary(view) == heat_summary(heat_model(kb, None, sort)), sort
    labels = [r.label.lower() for r in updated.rows]
    assert labels == sorted(labels)


def gaps_model(kb: KnowledgeBase, kept: Aggregates | None) -> list[tuple[object, ...]]:
    """What the /gaps page shows per concept, and the total (``kept`` None: full queries)."""
    reader = Reader(kb)
    reader.aggregates = kept
    found = gaps.gaps(reader)
    rows: list[tuple[object, ...]] = [
        (g.iri, g.case_studies, g.rated, g.sources, g.tools, g.broader_rated)
        for g in found.concepts
    ]
    return [*rows, ("total", found.total_case_studies)]


def test_after_a_write_the_gaps_counts_are_moved_not_counted_again(
    kb: KnowledgeBase,
    kept: Aggregates,
    scenario: Callable[[Contributions, KnowledgeBase], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gaps_model(kb, kept)  # the page's counts kept, so the write can move them
    built = counting(monkeypatch, gaps, "_tally")
    scenario(Contributions(kb), kb)
    got = gaps_model(kb, kept)
    assert built == []  # the touched case studies' counts moved, nothing counted again
    monkeypatch.undo()
    assert got == gaps_model(kb, None)


def test_gaps_counts_handed_out_before_a_write_keep_what_they_said(
    kb: KnowledgeBase, kept: Aggregates
) -> None:
    """A page still reading the tally a write replaced sees its counts and total, not the new
    ones (the tally's working state is changed in place by the update)."""
    before = gaps_model(kb, kept)
    old = kept._derived["evidence-gaps"][1]
    total, counts = old.total, dict(old.counts)
    WRITES["direct_load"](Contributions(kb), kb)  # six new case studies
    after = gaps_model(kb, kept)
    assert after[-1][1] == before[-1][1] + 6
    assert kept._derived["evidence-gaps"][1] is not old
    assert (old.total, dict(old.counts)) == (total, counts)


def test_a_change_of_the_concept_hierarchy_alone_counts_the_gaps_again(
    kb: KnowledgeBase, kept: Aggregates
) -> None:
    """A framework part given a narrower concept: no case study links to the part itself, yet
    the case studies addressing that concept now count for it. The change log says such a
    write (about a concept) may touch every case study, and the counts are made again."""
    before = gaps_model(kb, kept)
    link = f"<{BASE}concept/framework/complexity> <http://www.w3.org/2004/02/skos/core#narrower> "
    link += f"<{BASE}concept/rationale/improve-outcomes> ."
    generation = kb.store.generation
    kb.load_bytes(link.encode(), "nt", graph=BASE + "graph/data/tests/hierarchy")
    assert log_of(kb.store).since(generation) is None  # a concept: every case study, maybe
    got = gaps_model(kb, kept)
    assert got == gaps_model(kb, None)
    complexity = f"{BASE}concept/framework/complexity"
    assert [r for r in got if r[0] == complexity] != [r for r in before if r[0] == complexity]


def test_a_heat_map_handed_out_before_a_write_keeps_what_it_showed(
    kb: KnowledgeBase, kept: Aggregates
) -> None:
    """A page still rendering the old map sees the old rows, counts and groups."""
    old = heat_model(kb, kept)
    then = heat_summary(old)
    WRITES["direct_load"](Contributions(kb), kb)
    WRITES["withdraw_published"](Contributions(kb), kb)
    assert heat_summary(heat_model(kb, kept)) != then
    assert heat_summary(old) == then


def counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[object]:
    """Calls of ``module.name`` from now on (the function still runs)."""
    calls: list[object] = []
    real = getattr(module, name)

    def counted(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_write_that_changes_what_every_case_study_shows_runs_the_full_queries(
    kb: KnowledgeBase, kept: Aggregates
) -> None:
    computed = kept.computed
    stage = f"<{BASE}concept/loop/practice-to-data>"
    label = f'{stage} <http://www.w3.org/2004/02/skos/core#prefLabel> "Stage one"@en-GB .'
    kb.load_bytes(label.encode(), "nt", graph=BASE + "graph/data/tests/relabel")
    assert_same_as_full(kb, kept)
    assert kept.computed > computed  # a loop stage's label: every answer was computed again


def test_the_answers_stay_right_over_a_history_of_writes(
    kb: KnowledgeBase, kept: Aggregates
) -> None:
    contributions = Contributions(kb)
    for scenario in SCENARIOS[:-1]:
        scenario(contributions, kb)
        assert_same_as_full(kb, kept)


# -- the change log ---------------------------------------------------------------------------


WRITE = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"


def test_the_log_cannot_tell_while_a_change_runs() -> None:
    store = EmbeddedStore()
    log = ChangeLog(store)
    with log.change(lambda: frozenset({"a"})):
        store.update(WRITE)
        assert log.since(0) is None
    assert log.since(0) == frozenset({"a"})
    assert log.since(store.generation) == frozenset()  # an answer made after it has it


def test_the_log_says_everything_once_it_forgot_a_change() -> None:
    store = EmbeddedStore()
    log = ChangeLog(store, keep=2)
    after = []  # the generation after each write
    for name in "abc":
        with log.change(lambda name=name: frozenset({name})):
            store.update(WRITE)
        after.append(store.generation)
    assert log.since(after[1]) == frozenset({"c"})
    assert log.since(after[0]) == frozenset({"b", "c"})
    assert log.since(0) is None  # the change of "a" was forgotten


def test_a_change_inside_a_rebuild_touches_everything() -> None:
    store = EmbeddedStore()
    log = log_of(store)
    asked: list[int] = []
    with log.change(None), log.change(lambda: asked.append(1) or frozenset()):
        store.update(WRITE)
    assert log.since(0) is None
    assert asked == []  # nothing to look up: the rebuild touched everything anyway


def test_on_a_shared_store_the_touched_case_studies_are_read_before_the_write() -> None:
    """They go into the write's own request (the store's change log), so they are read first."""
    store = EmbeddedStore()
    log = ChangeLog(store)
    store.shares_generation = True
    seen: list[int] = []
    count = "SELECT * WHERE { ?s ?p ?o }"
    with log.change(lambda: seen.append(len(store.query(count).rows())) or frozenset({"a"})):
        store.update(WRITE)
    assert seen == [0]
    assert log.since(0) is None  # this store keeps no change log of its own


def test_an_answer_handed_out_before_a_write_keeps_what_it_said(
    kb: KnowledgeBase, kept: Aggregates
) -> None:
    text, bindings = dashboard_queries(kb.settings)[2]  # the heat map's cells
    WRITES["direct_load"](Contributions(kb), kb)
    handed_out = kept.answer(text, bindings)  # made lazily from the kept rows
    then = Counter(bindings_of(full_body(kb, text, bindings)))
    WRITES["drop_a_graph"](
        Contributions(kb), kb
    )  # 40 case studies leave: their kept rows are dropped
    assert kept.answer(text, bindings) is not handed_out
    assert multiset_difference(Counter(bindings_of(handed_out.body)), then) == SAME_MULTISET
    assert len(handed_out.rows()) == sum(then.values())


def heat_summary(heat: casestudies.HeatMap) -> tuple[object, ...]:
    """Everything the map shows, in its order (by label, then IRI)."""
    rows = [
        (r.iri, r.label, sorted(r.levels.items()), r.complex_count, r.outcomes) for r in heat.rows
    ]
    groups = [
        (n, [m.iri for m in members], outcomes) for n, members, outcomes in heat.by_complex_count
    ]
    return rows, list(heat.complex_by_domain), groups


TOUCHED_BY = {
    "a case study": ("case-study/transform", "case-study/transform"),
    "a rating (through its assessment)": ("case-study/transform/rating/7", "case-study/transform"),
    "an assessment": ("case-study/transform/assessment", "case-study/transform"),
}
"""A graph holding one statement about a subject, and the case study it touches."""


@pytest.mark.parametrize(("subject", "case_study"), TOUCHED_BY.values(), ids=TOUCHED_BY.keys())
def test_a_graph_about_a_part_of_a_case_study_touches_that_case_study(
    subject: str, case_study: str
) -> None:
    """Each branch of the touched-case-studies queries (the rating one is a query of its own)."""
    kb = new_content_kb()
    base = kb.settings.base_iri
    graph = f"{base}graph/data/touch-test"
    kb.store.load(
        f'<{base}{subject}> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .'.encode(),
        rdf_format("nt"),
        graph,
    )
    found = touched_case_studies(kb.store, published_graph(kb.settings), [graph])
    assert found == frozenset({base + case_study})


# -- the change log shared through the store (several workers on a store server) -------------

G = [11, 22, 33, 44]


def entry(generation: int, after: int | None, *touched: str, everything: bool = False) -> list[Row]:
    """The rows of one change log entry, as ``store/change-log`` gives them."""
    base: Row = {"generation": ox.Literal(str(generation))}
    if after is not None:
        base["after"] = ox.Literal(str(after))
    if everything:
        base["everything"] = ox.Literal("true")
    return [{**base, "touched": ox.NamedNode(t)} for t in touched] or [base]


CHAINS = {
    "nothing since": ([*entry(G[1], G[0], "urn:a")], G[1], G[1], frozenset()),
    "one write": ([*entry(G[1], G[0], "urn:a", "urn:b")], G[1], G[0], {"urn:a", "urn:b"}),
    "three writes, one touching none": (
        [*entry(G[1], G[0], "urn:a"), *entry(G[2], G[1]), *entry(G[3], G[2], "urn:c")],
        G[3],
        G[0],
        {"urn:a", "urn:c"},
    ),
    "only the later writes": (
        [*entry(G[1], G[0], "urn:a"), *entry(G[2], G[1], "urn:b")],
        G[2],
        G[1],
        {"urn:b"},
    ),
    "an entry missing": ([*entry(G[1], G[0], "urn:a"), *entry(G[3], G[2])], G[3], G[0], None),
    "a write touching everything": (
        [*entry(G[1], G[0], "urn:a"), *entry(G[2], G[1], everything=True)],
        G[2],
        G[0],
        None,
    ),
    "the first write (nothing before it)": ([*entry(G[1], None, "urn:a")], G[1], G[0], None),
    "a loop": ([*entry(G[1], G[2]), *entry(G[2], G[1])], G[2], G[0], None),
    "a generation never written": ([*entry(G[1], G[0])], G[3], G[0], None),
}


@pytest.mark.parametrize(("rows", "current", "since", "expected"), CHAINS.values(), ids=CHAINS)
def test_the_shared_log_is_walked_back_from_the_current_generation(
    rows: list[Row], current: int, since: int, expected: set[str] | None
) -> None:
    found = changes_since(rows, current, since)[0]
    assert found == (None if expected is None else frozenset(expected))


@pytest.fixture(scope="module")
def workers(
    store_server: OxigraphServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[KnowledgeBase, KnowledgeBase, Aggregates]]:
    """Two workers on one store server: one writes, the other keeps its dashboards (as its web
    app does, each answer asked once); each has its own connection and in-process state. Made
    once for the module: each test's write follows the previous ones (any order holds)."""
    writer, reader = two_workers(store_server, tmp_path_factory.mktemp("workers") / "var", MANY)
    found = aggregates(app_for(reader), reader)
    for text, bindings in dashboard_queries(reader.settings):
        found.answer(text, bindings)
    yield writer, reader, found
    reader.close()
    writer.close()


SHARED = ["accept_new", "accept_new_edition", "reject", "withdraw_published", "direct_load"]
SHARED += ["drop_a_graph"]


@pytest.mark.parametrize("name", SHARED)
def test_another_worker_s_write_is_brought_into_the_kept_answers_not_computed_again(
    workers: tuple[KnowledgeBase, KnowledgeBase, Aggregates], name: str
) -> None:
    writer, reader, kept = workers
    computed, updated = kept.computed, kept.updated
    before = reader.store.generation
    WRITES[name](Contributions(writer), writer)
    assert reader.store.refresh_generation() != before  # as the reader's next request does
    assert_same_as_full(reader, kept)
    assert kept.computed == computed  # not one full (or batched) computation ran
    assert kept.updated > updated


def test_an_operator_s_update_on_a_store_server_counts_as_touching_everything(
    workers: tuple[KnowledgeBase, KnowledgeBase, Aggregates],
) -> None:
    """Its case studies cannot be read before it runs: the full queries run, never a guess."""
    writer, reader, kept = workers
    computed = kept.computed
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    writer.layout.update(
        f'INSERT DATA {{ <{BASE}case-study/many-0001> {label} "Relabelled" }}', MANY
    )
    reader.store.refresh_generation()
    assert_same_as_full(reader, kept)
    assert kept.computed > computed


def test_a_write_that_fails_records_no_change(
    workers: tuple[KnowledgeBase, KnowledgeBase, Aggregates],
) -> None:
    """The entry is part of the write's one request: the engine refuses it whole."""
    writer, _, _ = workers
    log_text = sparql.bind(CHANGE_LOG, [{"meta": ox.NamedNode(writer.store.meta_graph)}])
    entries = len(writer.store.query(log_text, union=False, named_graphs=[]).rows())
    generation = writer.store.refresh_generation()
    with pytest.raises(LhsKgError):
        writer.store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> } ; LOAD <urn:nowhere:at-all>")
    assert len(writer.store.query(log_text, union=False, named_graphs=[]).rows()) == entries
    assert writer.store.refresh_generation() == generation


def listed(generation: int, after: int, *subjects: str) -> list[Row]:
    """The rows of an entry that lists the subjects of the triples it changed."""
    base: Row = {"generation": ox.Literal(str(generation)), "after": ox.Literal(str(after))}
    return [{**base, "listed": ox.Literal("true")}] + [
        {**base, "subject": ox.NamedNode(s)} for s in subjects
    ]


SUBJECT_CHAINS = {
    "two writes listing theirs": (
        [*listed(G[1], G[0], "urn:s1"), *listed(G[2], G[1], "urn:s2")],
        G[2],
        G[0],
        {"urn:s1", "urn:s2"},
        set(),
    ),
    "a write listing none": ([*listed(G[1], G[0])], G[1], G[0], set(), set()),
    "a write that did not list its subjects": (
        [*listed(G[1], G[0], "urn:s1"), *entry(G[2], G[1], "urn:cs")],
        G[2],
        G[0],
        None,
        {"urn:cs"},
    ),
    "only the later writes": (
        [*entry(G[1], G[0], "urn:cs"), *listed(G[2], G[1], "urn:s2")],
        G[2],
        G[1],
        {"urn:s2"},
        set(),
    ),
    "a write touching everything": (
        [*listed(G[1], G[0], "urn:s1"), *entry(G[1], G[0], everything=True)],
        G[1],
        G[0],
        None,
        None,
    ),
}


@pytest.mark.parametrize(
    ("rows", "current", "since", "expected", "case_studies"),
    SUBJECT_CHAINS.values(),
    ids=SUBJECT_CHAINS,
)
def test_the_shared_log_names_changed_subjects_only_when_every_write_listed_them(
    rows: list[Row],
    current: int,
    since: int,
    expected: set[str] | None,
    case_studies: set[str] | None,
) -> None:
    touched, subjects = changes_since(rows, current, since)
    assert subjects == (None if expected is None else frozenset(expected))
    assert touched == (None if case_studies is None else frozenset(case_studies))


def _damaged(row: Row, **values: ox.NamedNode | ox.Literal) -> Row:
    return {**row, **values}


DAMAGED = {
    "an 'after' that is not a number": [
        *entry(G[1], G[0], "urn:a"),
        _damaged(entry(G[2], G[1], "urn:b")[0], after=ox.Literal("twenty-two")),
    ],
    "a touched case study given as text": [
        *entry(G[1], G[0], "urn:a"),
        _damaged(entry(G[2], G[1])[0], touched=ox.Literal("urn:b")),
    ],
    "a subject given as text": [
        *listed(G[1], G[0], "urn:s1"),
        _damaged(listed(G[2], G[1])[0], subject=ox.Literal("urn:s2")),
    ],
    "two 'after' values for one write": [
        *entry(G[1], G[0], "urn:a"),
        *entry(G[2], G[1], "urn:b"),
        *entry(G[2], G[3], "urn:b"),
    ],
    "a row whose generation is not a number": [
        *entry(G[1], G[0], "urn:a"),
        *entry(G[2], G[1], "urn:b"),
        _damaged(entry(G[3], G[2])[0], generation=ox.Literal("")),
    ],
}


@pytest.mark.parametrize("rows", DAMAGED.values(), ids=DAMAGED)
def test_a_damaged_change_log_says_it_cannot_tell(rows: list[Row]) -> None:
    """Rows another client wrote into the meta graph, or a bug wrote wrong, never give a
    shorter list than the writes made: either answer is None (everything computed again)."""
    for order in (rows, rows[::-1]):
        assert changes_since(order, G[2], G[0]) == (None, None)
