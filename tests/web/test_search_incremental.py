"""After a write, the search index re-indexes only what the write touched (#16).

The previous generation's index file is copied and the documents of the changed subjects (with
their parents, and the documents that show their names) are written again. A fresh full build
is the oracle: after each write below, every query of a fixed list gets the same ranked hits,
snippets, corrections and suggestions from both, and no full build ran. A write the change
log cannot account for falls back to a full build.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lhs_kg.contributions import Contributions
from lhs_kg.describe.base import Reader
from lhs_kg.describe.search import autocomplete, corrections, search
from lhs_kg.describe.search import engine as search_engine
from lhs_kg.describe.search import index as search_index
from lhs_kg.kb import KnowledgeBase
from lhs_kg.published_changes import ChangeLog
from lhs_kg.store import EmbeddedStore, RemoteStore
from tests.helpers import (
    OxigraphServer,
    many_case_studies,
    new_content_kb,
    published_writes,
    two_workers,
)

BASE = "https://w3id.org/lhs-kg/"
MANY = BASE + "graph/data/tests/search-many"
DIRECT = BASE + "graph/data/tests/search-direct"
RELABEL = BASE + "graph/data/tests/search-relabel"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: Words that find what the writes below add, change or take away (and some they do not).
QUERIES = [
    "example",
    "second edition",
    "initiative",
    "many 0003",
    "direct initiative",
    "improvecarenow",
    "updated",
    "outcome",
    "sepsys",
    "learning health",
    "zebra",
    "considerations",
    "culture",
    "foley",
    "wrkforce",
    "remission",
    "zebra network",
]


WRITES = published_writes(MANY, DIRECT)


def relabel_a_scheme(contributions: Contributions, kb: KnowledgeBase) -> None:
    """A scheme's new name: every concept of it shows the name next to its hit."""
    triple = f'<{BASE}concept/strategy> <{SKOS}prefLabel> "Zebra considerations" .'
    kb.load_bytes(triple.encode(), "nt", graph=RELABEL)


def rename_a_curated_case_study(contributions: Contributions, kb: KnowledgeBase) -> None:
    """A new name from another graph: the case study's outcomes (untouched) stay in its body."""
    triple = f'<{BASE}case-study/improvecarenow> <{SKOS}altLabel> "Zebra network" .'
    kb.load_bytes(triple.encode(), "nt", graph=RELABEL)


def outcome_text_from_another_graph(contributions: Contributions, kb: KnowledgeBase) -> None:
    """A fragment's new text: its parent case study is re-indexed with all its fragments."""
    outcome = f"<{BASE}case-study/improvecarenow/outcome/2>"
    triple = f'{outcome} <http://purl.org/dc/terms/description> "Zebra remission figures" .'
    kb.load_bytes(triple.encode(), "nt", graph=RELABEL)


SCENARIOS = [
    *WRITES.values(),
    relabel_a_scheme,
    rename_a_curated_case_study,
    outcome_text_from_another_graph,
]

Answers = list[tuple[str, object]]


@pytest.fixture
def kb() -> Iterator[KnowledgeBase]:
    """The repository's content and 40 generated case studies, searched once (index built)."""
    found = new_content_kb()
    found.load_bytes(many_case_studies(40, seed=3), "ttl", graph=MANY)
    search(Reader(found), "initiative")
    yield found
    found.close()


def answers(reader: Reader) -> Answers:
    """What every query of :data:`QUERIES` gets: ranked hits (with snippets and scores),
    corrections and suggestions."""
    found: Answers = []
    for query in QUERIES:
        hits = [
            (h.iri, h.label, h.kind, round(h.score, 9), h.parts, h.schemes, h.broader)
            for h in search(reader, query)
        ]
        found.append((query, hits))
        found.append((query + " (corrections)", corrections(reader, query)))
        found.append((query + " (suggestions)", [h.iri for h in autocomplete(reader, query)]))
    return found


def fresh_answers(kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Answers:
    """The answers of an index built in full from the store as it is now (the oracle)."""
    reader = Reader(kb)
    fresh = search_index.build_index(reader, tmp_path)
    with monkeypatch.context() as patched:
        patched.setattr(search_engine, "index_for", lambda _: fresh)
        return answers(reader)


def assert_same(got: Answers, expected: Answers) -> None:
    assert [q for q, _ in got] == [q for q, _ in expected]
    for (query, mine), (_, theirs) in zip(got, expected, strict=True):
        assert mine == theirs, query


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.__name__) for s in SCENARIOS])
def test_after_a_write_the_index_answers_as_a_full_build_and_none_ran(
    kb: KnowledgeBase,
    scenario: Callable[[Contributions, KnowledgeBase], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = search_index.BUILDS["full"]
    kept = search_index.BUILDS["incremental"] + search_index.BUILDS["unchanged"]
    scenario(Contributions(kb), kb)
    got = answers(Reader(kb))
    assert search_index.BUILDS["full"] == full  # not one full build after the write
    assert search_index.BUILDS["incremental"] + search_index.BUILDS["unchanged"] > kept
    assert_same(got, fresh_answers(kb, tmp_path, monkeypatch))


def test_the_writes_show_in_the_answers(kb: KnowledgeBase) -> None:
    """The scenarios change what the queries find (so the comparison above compares news)."""
    reader = Reader(kb)
    before = {q: [h.iri for h in search(reader, q)] for q in ("direct initiative", "zebra")}
    WRITES["direct_load"](Contributions(kb), kb)
    relabel_a_scheme(Contributions(kb), kb)
    assert before == {"direct initiative": [], "zebra": []}
    rename_a_curated_case_study(Contributions(kb), kb)
    outcome_text_from_another_graph(Contributions(kb), kb)
    assert len(search(reader, "direct initiative")) == 6
    assert any("Zebra considerations" in h.schemes for h in search(reader, "culture"))
    zebra = {h.iri for h in search(reader, "zebra")}
    assert BASE + "case-study/improvecarenow" in zebra
    remission = [h for h in search(reader, "zebra remission") if h.kind == "case-study"]
    assert [h.iri for h in remission] == [BASE + "case-study/improvecarenow"]


def test_the_answers_stay_right_over_a_history_of_writes(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = search_index.BUILDS["full"]
    contributions = Contributions(kb)
    for scenario in SCENARIOS:
        scenario(contributions, kb)
        answers(Reader(kb))  # brought up to date after each write
    assert search_index.BUILDS["full"] == full
    assert_same(answers(Reader(kb)), fresh_answers(kb, tmp_path, monkeypatch))


def test_a_write_the_log_cannot_account_for_builds_the_index_in_full(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = search_index.BUILDS["full"]
    kb.layout.rebuild()  # touches everything: the log says it cannot tell
    WRITES["direct_load"](Contributions(kb), kb)
    got = answers(Reader(kb))
    assert search_index.BUILDS["full"] == full + 1
    assert_same(got, fresh_answers(kb, tmp_path, monkeypatch))


def test_too_many_documents_to_read_again_builds_the_index_in_full(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "MAX_REINDEXED", 3)
    full = search_index.BUILDS["full"]
    WRITES["direct_load"](Contributions(kb), kb)  # six case studies: more than three
    assert len(search(Reader(kb), "direct initiative")) == 6
    assert search_index.BUILDS["full"] == full + 1


def test_a_failed_update_leaves_no_partial_file_and_builds_in_full(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = search_index.cache_folder(kb)

    def broken(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(search_index, "_reindexed", broken)
    full = search_index.BUILDS["full"]
    WRITES["direct_load"](Contributions(kb), kb)
    assert len(search(Reader(kb), "direct initiative")) == 6
    assert search_index.BUILDS["full"] == full + 1
    assert [p.name for p in folder.iterdir() if p.suffix == ".partial"] == []


def test_the_log_says_which_subjects_changed_and_nothing_it_was_not_told() -> None:
    store = EmbeddedStore()
    log = ChangeLog(store)
    write = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    with log.change(lambda: frozenset({"cs"}), lambda: frozenset({"s1", "s2"})):
        store.update(write)
        assert log.subjects_since(0) is None  # still running: cannot tell
    assert log.subjects_since(0) == frozenset({"s1", "s2"})
    assert log.since(0) == frozenset({"cs"})
    with log.change(lambda: frozenset()):  # a change that did not say its subjects
        store.update(write)
    assert log.subjects_since(0) is None
    assert log.since(0) == frozenset({"cs"})


# On a store server (#16): a write made through one worker reaches another worker's search
# index through the change log in the store's meta graph, which names the subjects it changed.


@pytest.fixture(scope="module")
def workers(
    store_server: OxigraphServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[KnowledgeBase, KnowledgeBase]]:
    """Two workers on one store server sharing an instance folder (as ``--workers N`` on one
    machine): one writes, the other searches (its index of the first generation made). Made
    once for the module: each test's write follows the previous ones (any order holds)."""
    writer, reader = two_workers(store_server, tmp_path_factory.mktemp("search") / "var", MANY)
    search(Reader(reader), "initiative")
    yield writer, reader
    reader.close()
    writer.close()


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.__name__) for s in SCENARIOS])
def test_another_worker_s_write_is_brought_into_the_shared_index_not_built_again(
    workers: tuple[KnowledgeBase, KnowledgeBase],
    scenario: Callable[[Contributions, KnowledgeBase], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer, reader = workers
    full, incremental = search_index.BUILDS["full"], search_index.BUILDS["incremental"]
    before = reader.store.generation
    scenario(Contributions(writer), writer)
    assert reader.store.refresh_generation() != before  # as the reader's next request does
    got = answers(Reader(reader))
    assert search_index.BUILDS["full"] == full  # not one full build after the write
    assert search_index.BUILDS["incremental"] == incremental + 1
    assert_same(got, fresh_answers(reader, tmp_path, monkeypatch))


def test_a_worker_without_an_index_starts_from_the_newest_shared_file(
    workers: tuple[KnowledgeBase, KnowledgeBase], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that has not searched yet (just started) brings the file another worker made
    up to date, rather than building its own in full."""
    writer, reader = workers
    search(Reader(reader), "initiative")  # the current generation's file exists
    WRITES["direct_load"](Contributions(writer), writer)
    fresh = KnowledgeBase(writer.settings, store=RemoteStore(writer.store.endpoints))
    try:
        fresh.store.refresh_generation()
        full, incremental = search_index.BUILDS["full"], search_index.BUILDS["incremental"]
        got = answers(Reader(fresh))
        assert search_index.BUILDS["full"] == full
        assert search_index.BUILDS["incremental"] == incremental + 1
        assert_same(got, fresh_answers(fresh, tmp_path, monkeypatch))
    finally:
        fresh.close()


def test_an_operator_s_update_on_a_store_server_builds_the_index_in_full(
    workers: tuple[KnowledgeBase, KnowledgeBase], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its subjects cannot be read before it runs: the log says it cannot tell, never a guess."""
    writer, reader = workers
    search(Reader(reader), "initiative")
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    writer.layout.update(f'INSERT DATA {{ <{BASE}case-study/many-0001> {label} "Zebra" }}', MANY)
    reader.store.refresh_generation()
    full = search_index.BUILDS["full"]
    got = answers(Reader(reader))
    assert search_index.BUILDS["full"] == full + 1
    assert_same(got, fresh_answers(reader, tmp_path, monkeypatch))


def test_the_newest_shared_files_stay_and_older_ones_go(
    workers: tuple[KnowledgeBase, KnowledgeBase],
) -> None:
    """Generations are random numbers: which files stay is decided by when they were made,
    so the current file and the one before it (a request may be opening it) are both kept."""
    writer, reader = workers
    folder = search_index.cache_folder(reader)
    made = []
    for i in range(4):
        writer.load_bytes(
            f'<{BASE}case-study/many-0002> <{SKOS}altLabel> "Zebra {i}" .'.encode(),
            "nt",
            graph=f"{RELABEL}-{i}",
        )
        reader.store.refresh_generation()
        search(Reader(reader), "zebra")
        made.append(f"-g{reader.store.generation}.sqlite")
    names = [p.name for p in folder.glob("shared-*.sqlite")]
    assert len(names) == 1 + search_index._SHARED_KEPT
    for suffix in made[-1 - search_index._SHARED_KEPT :]:
        assert any(name.endswith(suffix) for name in names), suffix
