"""The materialised published graph (#16): after every kind of write it holds exactly what the
old definition of the published view (the union of every published graph) holds, on the
embedded store and on a real oxigraph server; pending content never enters it."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest

from lhs_kg.contributions import Contributions
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import published_graph, published_graphs, registry_graph
from lhs_kg.kb import KnowledgeBase
from lhs_kg.protocol import run_update
from lhs_kg.store import RemoteStore
from tests.helpers import OxigraphServer, new_content_kb, payload, union_of

BASE = "https://w3id.org/lhs-kg/"
SUBJECT = BASE + "case-study/example-diabetes-network"
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
EX = "https://example.org/layout/"
TTL = rdf_format("ttl")


def triples_of(kb: KnowledgeBase, graphs: list[str]) -> set[ox.Triple]:
    """The triples of the union of ``graphs`` (as a set: the view is a set of triples)."""
    return union_of(kb.store, graphs)


def old_view(kb: KnowledgeBase) -> set[ox.Triple]:
    """The published view as defined before #16: the union of every published graph."""
    return triples_of(kb, published_graphs(kb.store, kb.settings))


def new_view(kb: KnowledgeBase) -> set[ox.Triple]:
    """The one graph public queries read now."""
    return triples_of(kb, [published_graph(kb.settings)])


def submit(contributions: Contributions, **changes: str) -> str:
    out = contributions.submit(payload(**changes), "json")
    assert out.version is not None, out.report.to_text()
    return out.version.ref


def accept(contributions: Contributions, **changes: str) -> str:
    ref = submit(contributions, **changes)
    contributions.decide(ref, "accept", "r")
    return ref


def withdraw_published(contributions: Contributions, kb: KnowledgeBase) -> None:
    contributions.decide(accept(contributions), "withdraw", "r", "retracted")


def supersede(contributions: Contributions, kb: KnowledgeBase) -> None:
    accept(contributions)
    accept(contributions, title="Example: second edition")


def resubmit_pending(contributions: Contributions, kb: KnowledgeBase) -> None:
    accept(contributions)
    submit(contributions, title="Example: an edition still under review")


def reject_and_request_changes(contributions: Contributions, kb: KnowledgeBase) -> None:
    contributions.decide(submit(contributions), "reject", "r", "off topic")
    contributions.decide(submit(contributions), "request-changes", "r", "cite it")


def supersede_curated_file(contributions: Contributions, kb: KnowledgeBase) -> None:
    accept(contributions, id="improvecarenow", title="ImproveCareNow, updated")


def accept_withdraw_accept_again(contributions: Contributions, kb: KnowledgeBase) -> None:
    contributions.decide(accept(contributions), "withdraw", "r", "wrong")
    accept(contributions, title="Example: corrected")


def update_default_graph(contributions: Contributions, kb: KnowledgeBase) -> None:
    accept(contributions)
    run_update(kb, f'INSERT DATA {{ <{EX}a> <{EX}p> "x" , [ <{EX}q> "blank" ] }}')
    run_update(kb, f'DELETE DATA {{ <{EX}a> <{EX}p> "x" }}')


def update_deletes_what_a_file_also_says(contributions: Contributions, kb: KnowledgeBase) -> None:
    """A triple both a content file and the update graph hold stays after the update drops it."""
    held = f"<{SUBJECT.replace('example-diabetes-network', 'improvecarenow')}>"
    run_update(kb, f"INSERT {{ {held} ?p ?o }} WHERE {{ GRAPH ?g {{ {held} ?p ?o }} }}")
    run_update(kb, f"DELETE WHERE {{ {held} ?p ?o }}")


def update_names_graphs(contributions: Contributions, kb: KnowledgeBase) -> None:
    accept(contributions)
    run_update(kb, f'INSERT DATA {{ GRAPH <{BASE}graph/data/extra> {{ <{EX}b> <{EX}p> "y" }} }}')
    run_update(kb, f"DELETE WHERE {{ GRAPH <{BASE}graph/data/extra> {{ ?s ?p ?o }} }}")
    run_update(kb, f"INSERT DATA {{ GRAPH <{BASE}graph/data/extra> {{ <{EX}c> <{EX}p> _:z }} }}")


def reload_content(contributions: Contributions, kb: KnowledgeBase) -> None:
    accept(contributions, id="improvecarenow", title="ImproveCareNow, updated")
    kb.rebuild()


def replace_blank_nodes(contributions: Contributions, kb: KnowledgeBase) -> None:
    """Blank nodes survive the copy, and a replacement takes the old ones out (the reasoner
    and ``lhs-kg init`` replace graphs this way)."""
    graph = f"{BASE}graph/data/blanks"
    kb.load_bytes(f"<{EX}s> <{EX}p> [ <{EX}q> [ <{EX}r> 1 ] ] .".encode(), "ttl", graph=graph)
    kb.load_bytes(f"<{EX}s> <{EX}p> [ <{EX}q> 2 ] .".encode(), "ttl", graph=graph)
    with kb.layout.replacing(graph):
        kb.store.replace_graph(graph, f"<{EX}s> <{EX}p> [ <{EX}q> 3 ] .".encode(), TTL)


def drop_a_graph(contributions: Contributions, kb: KnowledgeBase) -> None:
    """A dropped graph's triples leave the view, except those another graph also holds."""
    kb.load_bytes(f"<{EX}kept> <{EX}p> <{EX}o> .".encode(), "nt", graph=f"{BASE}graph/data/x")
    kb.load_bytes(f"<{EX}kept> <{EX}p> <{EX}o> .".encode(), "nt", graph=f"{BASE}graph/data/y")
    kb.drop_graph(f"{BASE}graph/data/x")
    kb.drop_graph(f"{BASE}graph/data/organisations")


Step = Callable[[Contributions, KnowledgeBase], None]
SCENARIOS: list[Step] = [
    withdraw_published,
    supersede,
    resubmit_pending,
    reject_and_request_changes,
    supersede_curated_file,
    accept_withdraw_accept_again,
    update_default_graph,
    update_deletes_what_a_file_also_says,
    update_names_graphs,
    reload_content,
    replace_blank_nodes,
    drop_a_graph,
]


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.__name__) for s in SCENARIOS])
def test_the_published_graph_equals_the_union_of_the_published_graphs(
    any_kb: KnowledgeBase, scenario: Step
) -> None:
    scenario(Contributions(any_kb), any_kb)
    expected = old_view(any_kb)
    assert expected, "the scenario left nothing published"
    assert new_view(any_kb) == expected
    assert any_kb.layout.check().ok, any_kb.layout.check()
    assert any_kb.published_scope() == [published_graph(any_kb.settings)]


def test_the_view_is_right_after_each_step_of_a_long_history(any_kb: KnowledgeBase) -> None:
    contributions = Contributions(any_kb)
    for step in SCENARIOS[:6]:
        step(contributions, any_kb)
        assert new_view(any_kb) == old_view(any_kb), step.__name__


def titles(kb: KnowledgeBase) -> set[str]:
    rows = kb.query(
        "SELECT ?t WHERE { ?s ?title ?t }", bindings={"s": ox.NamedNode(SUBJECT), "title": TITLE}
    )
    return {row["t"].value for row in rows.rows()}


@pytest.mark.parametrize(("lost", "strays"), [(1, 1), (3, 2)])
def test_the_check_counts_triples_added_to_and_taken_from_the_published_graph(
    any_kb: KnowledgeBase, lost: int, strays: int
) -> None:
    """The check must not be trivially clean (on Virtuoso its NOT EXISTS form called every
    triple extra): each stray triple is one extra, each lost triple one missing (#16: one count
    of the matched triples now serves both)."""
    graph = published_graph(any_kb.settings)
    kept = any_kb.store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER(isIRI(?s) && isIRI(?o)) }} ORDER BY ?s ?p ?o LIMIT {max(lost, 1)}",
        union=False,
        named_graphs=[graph],
    ).rows()[:lost]
    gone = " . ".join(" ".join(f"<{row[name].value}>" for name in ("s", "p", "o")) for row in kept)
    added = " . ".join(f'<{EX}stray-{i}> <{EX}p> "stray"' for i in range(strays))
    parts = [f"DELETE DATA {{ GRAPH <{graph}> {{ {gone} }} }}"] if gone else []
    parts += [f"INSERT DATA {{ GRAPH <{graph}> {{ {added} }} }}"] if added else []
    any_kb.store.update(" ; ".join(parts))  # Virtuoso refuses an empty DATA block
    check = any_kb.layout.check()
    assert (check.missing_triples, check.extra_triples) == (lost, strays)
    assert check.ok is False


def test_pending_content_is_never_in_the_published_graph(any_kb: KnowledgeBase) -> None:
    contributions = Contributions(any_kb)
    accept(contributions, title="Example: the published edition")
    pending = submit(contributions, title="Example: a pending edition")
    assert titles(any_kb) == {"Example: the published edition"}
    graph = contributions.get(pending).graph
    named = any_kb.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows()
    seen = {row["g"].value for row in named}
    assert graph not in seen and registry_graph(any_kb.settings) not in seen
    assert seen == set(published_graphs(any_kb.store, any_kb.settings))
    everything = any_kb.query(
        "SELECT ?t WHERE { ?s ?title ?t }",
        scope="all",
        bindings={"s": ox.NamedNode(SUBJECT), "title": TITLE},
    )
    assert {row["t"].value for row in everything.rows()} == {
        "Example: the published edition",
        "Example: a pending edition",
    }


def test_stats_count_each_stored_triple_once(kb: KnowledgeBase) -> None:
    stats = kb.stats()
    infos = kb.graphs()
    assert published_graph(kb.settings) in {g.iri for g in infos}
    copied = sum(g.triples for g in infos if g.iri.startswith(published_graph(kb.settings)))
    assert copied > 0 and stats.triples == sum(g.triples for g in infos) - copied
    assert stats.graphs == len(infos) - 2  # the published graph and its record


def test_another_process_sees_an_acceptance_at_once(oxigraph_server: OxigraphServer) -> None:
    """Two workers on one server: the reader's published scope is one fixed graph, so nothing it
    kept from before (a list of graphs trusted for 10 s) can hide what the writer accepted."""
    oxigraph_server.clear()
    writer = new_content_kb(RemoteStore(oxigraph_server.endpoints))
    reader = KnowledgeBase(writer.settings, store=RemoteStore(oxigraph_server.endpoints))
    try:
        assert titles(reader) == set()
        assert reader.published_scope() == [published_graph(reader.settings)]
        accept(Contributions(writer), title="Example: accepted elsewhere")
        assert titles(reader) == {"Example: accepted elsewhere"}
    finally:
        writer.close()
        reader.close()
        oxigraph_server.clear()
