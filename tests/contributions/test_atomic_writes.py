"""One review decision, one transaction (#16): the registry state, the published graph and the
generation change together, on the embedded store and on each real SPARQL server.

Virtuoso 7 keeps the operations of a request that ran before a failing one (measured: an
update whose last operation fails leaves the first two applied, with every ``sql:log-enable``
setting), so there the upkeep is a second request (``EngineProfile.atomic_updates``) and the
tests that need one transaction are strict xfails: they pass the day that changes.
"""

from __future__ import annotations

import threading

import pytest

import lhs_kg.layout
from lhs_kg.contributions import Contributions
from lhs_kg.errors import LhsKgError
from lhs_kg.graphs import published_graph, published_graphs, registry_graph, update_graph
from lhs_kg.kb import KnowledgeBase
from lhs_kg.protocol import run_update
from lhs_kg.store import Store
from tests.helpers import payload, union_of

G1, G2 = "http://e/atomic/g1", "http://e/atomic/g2"
FAILING = "DROP GRAPH <http://e/atomic/missing>"
"""An operation that fails when it runs (not when it parses): the graph does not exist."""
VIRTUOSO_KEEPS_PARTS = pytest.mark.xfail(
    reason="Virtuoso 7 keeps the operations before a failing one of the same request",
    strict=True,
)


TWO_STEPS_ON_VIRTUOSO = pytest.mark.xfail(
    reason="on Virtuoso 7 (atomic_updates=False) the published graph is kept by a second request",
    strict=True,
)


def engine_of(store: Store) -> str:
    """'embedded', or the profile name of a remote store's engine."""
    profile = getattr(store, "profile", None)
    return profile.name if profile is not None else "embedded"


def mark_virtuoso(
    request: pytest.FixtureRequest, store: Store, mark: pytest.MarkDecorator = VIRTUOSO_KEEPS_PARTS
) -> None:
    if engine_of(store) == "virtuoso":
        request.applymarker(mark)


def graph_content(store: Store) -> set[tuple[str, str]]:
    rows = store.query(
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }", union=False, named_graphs=[G1, G2]
    ).rows()
    return {(row["g"].value, row["s"].value) for row in rows}


def test_a_request_whose_last_operation_fails_changes_nothing(
    store: Store, request: pytest.FixtureRequest
) -> None:
    mark_virtuoso(request, store)
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <http://e/a> <http://e/p> 1 }} }}")
    before, generation = graph_content(store), store.refresh_generation()
    with pytest.raises(LhsKgError):
        store.update_all(
            [
                (f"INSERT DATA {{ GRAPH <{G2}> {{ <http://e/b> <http://e/p> 2 }} }}", None),
                (f"DELETE DATA {{ GRAPH <{G1}> {{ <http://e/a> <http://e/p> 1 }} }}", None),
                (FAILING, None),
            ]
        )
    assert graph_content(store) == before == {(G1, "http://e/a")}
    if store.shares_generation:  # written in the same request, so undone with it
        assert store.refresh_generation() == generation


def submit(contributions: Contributions, i: int) -> str:
    out = contributions.submit(
        payload(id=f"atomic-{i}", title=f"Atomic case study number {i}"), "json"
    )
    assert out.version is not None, out.report.to_text()
    return out.version.ref


def disagreements(kb: KnowledgeBase) -> list[str]:
    """Versions whose registry state and presence in the published graph disagree, read in ONE
    query (one snapshot): published but not shown, or shown but not published."""
    registry, published = registry_graph(kb.settings), published_graph(kb.settings)
    rows = kb.store.query(
        f"""SELECT ?v ?state ?t ?shown WHERE {{
          GRAPH <{registry}> {{
            ?v <https://w3id.org/lhs-kg/ontology/reviewState> ?state ;
               <http://xmlns.com/foaf/0.1/primaryTopic> ?s ; <http://purl.org/dc/terms/title> ?t }}
          OPTIONAL {{ GRAPH <{published}> {{ ?s <http://purl.org/dc/terms/title> ?shown }} }}
        }}""",
        union=False,
        named_graphs=[registry, published],
    ).rows()
    state = f"{kb.settings.base_iri}concept/review-state/published"
    versions = {row["v"].value: row["state"].value == state for row in rows}
    shown = {row["v"].value for row in rows if "shown" in row and row["shown"] == row["t"]}
    return sorted(
        f"{v}: published={p}, shown={v in shown}" for v, p in versions.items() if p != (v in shown)
    )


@pytest.mark.slow
def test_a_reader_never_sees_the_registry_and_the_published_graph_disagree(
    any_kb: KnowledgeBase, request: pytest.FixtureRequest
) -> None:
    """A reader thread reads while 50 versions are accepted, one after another."""
    mark_virtuoso(request, any_kb.store, TWO_STEPS_ON_VIRTUOSO)
    contributions = Contributions(any_kb)
    refs = [submit(contributions, i) for i in range(50)]
    done = threading.Event()
    seen: list[str] = []
    reads = 0

    def read() -> None:
        nonlocal reads
        while not done.is_set():
            seen.extend(disagreements(any_kb))
            reads += 1

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for ref in refs:
            if seen:  # one disagreement is enough to fail (and keeps the Virtuoso xfail short)
                break
            contributions.decide(ref, "accept", "reviewer")
    finally:
        done.set()
        reader.join()
    assert reads >= 10, f"the reader read only {reads} times"
    assert seen == []
    assert disagreements(any_kb) == []
    # compared by dumps, not layout.check(): its one query ran past a loaded server's 10 s
    published = union_of(any_kb.store, [published_graph(any_kb.settings)])
    sources = union_of(any_kb.store, published_graphs(any_kb.store, any_kb.settings))
    assert (len(published - sources), len(sources - published)) == (0, 0)


def view_size(kb: KnowledgeBase) -> int:
    """Triples in the published graph."""
    graph = published_graph(kb.settings)
    rows = kb.store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
        union=False,
        named_graphs=[graph],
    ).rows()
    return int(rows[0]["n"].value)


def test_an_accept_whose_upkeep_fails_leaves_the_registry_and_the_view_unchanged(
    any_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    mark_virtuoso(request, any_kb.store, TWO_STEPS_ON_VIRTUOSO)
    contributions = Contributions(any_kb)
    ref = submit(contributions, 1)
    size = view_size(any_kb)
    monkeypatch.setattr(lhs_kg.layout, "KEEP_UPDATE", f"{lhs_kg.layout.KEEP_UPDATE} ;\n{FAILING}")
    with pytest.raises(LhsKgError):
        contributions.decide(ref, "accept", "reviewer")
    assert contributions.get(ref).state == "pending"
    assert view_size(any_kb) == size
    assert any_kb.layout.check().ok


def _updates_sent(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The update requests the store is sent from now on, in order (each still runs)."""
    calls: list[str] = []
    original = kb.store.update

    def counted(text: str, **kwargs: object) -> None:
        calls.append(text)
        original(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kb.store, "update", counted)
    return calls


@pytest.mark.parametrize(
    ("actions", "state"),
    [
        pytest.param(["accept"], "published", id="accept"),
        pytest.param(["accept", "withdraw"], "withdrawn", id="withdraw-published"),
        pytest.param(["reject"], "rejected", id="reject"),
        pytest.param(["withdraw"], "withdrawn", id="withdraw-pending"),
    ],
)
def test_each_decision_is_one_update_that_reports_what_it_changed(
    kb: KnowledgeBase, actions: list[str], state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contributions = Contributions(kb)
    ref = submit(contributions, 2)
    calls = _updates_sent(kb, monkeypatch)
    for action in actions:
        contributions.decide(ref, action, "reviewer", "a reason")
    assert len(calls) == len(actions)
    assert contributions.get(ref).state == state
    report = contributions.last_write
    assert report is not None and report.atomic, report
    assert {registry_graph(kb.settings), published_graph(kb.settings)} <= set(report.changed)
    assert contributions.get(ref).graph in report.sources
    assert kb.layout.check().ok


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            'INSERT DATA { <http://e/u> <http://e/p> "u" , [ <http://e/q> 1 ] }', id="insert"
        ),
        pytest.param(
            "DELETE WHERE { ?s <https://w3id.org/lhs-kg/ontology/partOf> ?o }", id="delete-nothing"
        ),
    ],
)
def test_a_token_update_and_its_upkeep_are_one_request(
    kb: KnowledgeBase, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's update (default graph: ``<base>graph/update``) and the published graph's
    upkeep go to the store as one update, so one transaction."""
    calls = _updates_sent(kb, monkeypatch)
    run_update(kb, text)
    assert len(calls) == 1
    report = kb.layout.last_write
    assert report is not None and report.atomic
    assert update_graph(kb.settings) in report.changed
    assert kb.layout.check().ok
