"""Dashboards, /healthz and the service description read kept answers, renewed by writes (#16).

The named dashboard queries answer through the API exactly as the full query does, before and
after a write; /healthz counts no triple; the counts of the service description and the
dataset description are made once per store generation, in the background.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask

from lhs_kg.aggregates import DASHBOARD_QUERIES
from lhs_kg.export.describe_dataset import describe_dataset
from lhs_kg.formats import result_format
from lhs_kg.kb import KnowledgeBase
from lhs_kg.queries import QueryLibrary
from lhs_kg.store import EmbeddedStore
from tests.helpers import ROOT, app_for, new_content_kb
from web.store_generation import EXTENSION as CHECK
from web.views import export as export_view
from web.views import reading
from web.views.reading import AGGREGATES_KEY, keep_answers, published_view

EXAMPLE = ROOT / "data" / "examples" / "case-study.ttl"
GRAPH = "https://w3id.org/lhs-kg/graph/data/examples/test-dashboards-kept"
RESULTS = {"Accept": "application/sparql-results+json"}
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
GRAPH_OF_SWEDEHEART = "https://w3id.org/lhs-kg/graph/data/case-studies/swedeheart"


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """The content in memory, with an instance folder of its own (what it writes is its own)."""
    found = new_content_kb(var_dir=tmp_path / "var")
    yield found
    found.close()


@pytest.fixture
def app(kb: KnowledgeBase) -> Flask:
    return app_for(kb)


def rows_of(body: bytes | str) -> list[str]:
    """SPARQL JSON results as sorted, comparable rows."""
    data: dict[str, Any] = json.loads(body)
    return sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])


def full(kb: KnowledgeBase, name: str) -> list[str]:
    """The named query's answer, run now, in the same form."""
    query = QueryLibrary.from_settings(kb.settings).get(name)
    body = kb.query(query.text, bindings=query.bind({})).serialize(result_format("json"))
    assert body is not None
    return rows_of(body)


@pytest.mark.parametrize("name", DASHBOARD_QUERIES)
def test_the_api_answer_is_the_full_query_before_and_after_a_write(
    app: Flask, kb: KnowledgeBase, name: str
) -> None:
    client = app.test_client()
    before = client.get(f"/api/queries/{name}", headers=RESULTS)
    assert before.status_code == 200
    assert rows_of(before.data) == full(kb, name)
    kb.load(EXAMPLE, graph=GRAPH)  # a case study with ratings, loop stages and elements
    after = client.get(f"/api/queries/{name}", headers=RESULTS)
    assert rows_of(after.data) == full(kb, name)


def test_a_write_changes_what_the_dashboards_say(app: Flask, kb: KnowledgeBase) -> None:
    client = app.test_client()
    path = "/api/queries/complexity-profiles"
    before = rows_of(client.get(path, headers=RESULTS).data)
    kb.load(EXAMPLE, graph=GRAPH)
    after = rows_of(client.get(path, headers=RESULTS).data)
    assert len(after) == len(before) + 1


@pytest.fixture
def counted(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per time the knowledge base counts its graphs (a scan of every triple)."""
    calls: list[int] = []
    original = kb.graphs

    def graphs() -> Any:
        calls.append(1)
        return original()

    monkeypatch.setattr(kb, "graphs", graphs)
    return calls


def test_healthz_counts_no_triple(app: Flask, kb: KnowledgeBase, counted: list[int]) -> None:
    """At 10M triples a count took 29–57 s: the probe reads graph names only (#16)."""
    client = app.test_client()
    first = client.get("/healthz").get_json()
    assert first["graphs"] == len(kb.store.graph_names())
    assert first["generation"] == kb.store.generation
    kb.load(EXAMPLE, graph=GRAPH)
    after = client.get("/healthz").get_json()
    assert after["graphs"] == first["graphs"] + 1
    assert after["generation"] != first["generation"]
    assert counted == []


@pytest.fixture
def slow_counts(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Counting the graphs waits until the test sets the event (a store of 10M triples)."""
    release = threading.Event()
    original = kb.graphs

    def graphs() -> Any:
        release.wait(30)
        return original()

    monkeypatch.setattr(kb, "graphs", graphs)
    monkeypatch.setattr(reading, "COUNT_WAIT_S", 0.05)
    yield release
    release.set()


def test_the_service_description_answers_without_counts_while_they_are_counted(
    app: Flask, kb: KnowledgeBase, slow_counts: threading.Event
) -> None:
    client = app.test_client()
    turtle = {"Accept": "text/turtle"}
    waiting = client.get("/sparql", headers=turtle)
    assert waiting.status_code == 200
    triples = list(ox.parse(waiting.data, ox.RdfFormat.TURTLE))
    names = {t.object.value for t in triples if t.predicate.value == SD + "name"}
    assert GRAPH_OF_SWEDEHEART in names  # the graphs are listed…
    assert not [t for t in triples if t.predicate.value == VOID_TRIPLES]  # …without counts
    assert "being counted" in " ".join(t.object.value for t in triples)
    slow_counts.set()
    deadline = time.monotonic() + 30
    ready = waiting
    while VOID_TRIPLES.encode() not in ready.data and time.monotonic() < deadline:
        ready = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert VOID_TRIPLES.encode() in ready.data
    assert b"being counted" not in ready.data


def hold_descriptions(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """From now on, a dataset description is counted once the event is set (a big store),
    and a request waits 0.05 s for it."""
    release = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return describe_dataset(*args, **kwargs)

    monkeypatch.setattr(export_view, "describe_dataset", slow)
    monkeypatch.setattr(export_view, "DESCRIPTION_WAIT_S", 0.05)
    return release


def test_the_dataset_description_is_503_until_it_is_first_counted(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_descriptions(monkeypatch)
    client = app.test_client()
    try:
        for path, accept in [("/dataset", "text/html"), ("/.well-known/void", "text/turtle")]:
            waiting = client.get(path, headers={"Accept": accept})
            assert waiting.status_code == 503
            assert waiting.headers["Retry-After"] == "10"
            text = waiting.get_data(as_text=True)
            assert "being counted" in text and "Traceback" not in text
    finally:
        release.set()
    monkeypatch.setattr(export_view, "DESCRIPTION_WAIT_S", 30.0)
    ready = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert ready.status_code == 200
    parsed = ox.parse(ready.data, ox.RdfFormat.TURTLE)
    assert [t for t in parsed if t.predicate.value == VOID_TRIPLES]


RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
RECOUNTED = "before its latest change"


def counts_and_notes(turtle: bytes) -> tuple[list[int], list[str]]:
    """The void:triples figures of a description, and its comments that name a recount."""
    triples = list(ox.parse(turtle, ox.RdfFormat.TURTLE))
    figures = sorted(int(t.object.value) for t in triples if t.predicate.value == VOID_TRIPLES)
    notes = [
        t.object.value
        for t in triples
        if t.predicate.value == RDFS_COMMENT and RECOUNTED in t.object.value
    ]
    return figures, notes


def test_after_a_write_the_last_description_is_served_and_said_to_be_recounted(
    app: Flask, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 1M triples counting took 7-9 s after every write, answered 503 meanwhile (#16)."""
    client = app.test_client()
    turtle = {"Accept": "text/turtle"}
    monkeypatch.setattr(export_view, "DESCRIPTION_WAIT_S", 30.0)
    first = client.get("/.well-known/void", headers=turtle)
    assert first.status_code == 200 and "Cache-Control" not in first.headers
    before, notes = counts_and_notes(first.data)
    assert before and notes == []
    release = hold_descriptions(monkeypatch)
    kb.load(EXAMPLE, graph=GRAPH)
    try:
        page = client.get("/dataset", headers={"Accept": "text/html"})
        stale = client.get("/.well-known/void", headers=turtle)
    finally:
        release.set()
    assert page.status_code == stale.status_code == 200
    assert RECOUNTED in page.get_data(as_text=True)
    assert stale.headers["Cache-Control"] == "no-cache"
    figures, notes = counts_and_notes(stale.data)
    assert figures == before and len(notes) == 1  # the old figures, said to be so
    monkeypatch.setattr(export_view, "DESCRIPTION_WAIT_S", 30.0)
    monkeypatch.setattr(export_view, "OLDER_DESCRIPTION_WAIT_S", 30.0)
    fresh = client.get("/.well-known/void", headers=turtle)
    figures, notes = counts_and_notes(fresh.data)
    assert figures != before and notes == []
    assert RECOUNTED not in client.get("/dataset").get_data(as_text=True)


def test_the_service_description_counts_once_per_generation(
    app: Flask, kb: KnowledgeBase, counted: list[int]
) -> None:
    client = app.test_client()
    turtle = {"Accept": "text/turtle"}
    first = client.get("/sparql", headers=turtle)
    assert first.status_code == 200
    assert client.get("/sparql", headers=turtle).status_code == 200
    assert len(counted) == 1
    kb.load(EXAMPLE, graph=GRAPH)
    after = client.get("/sparql", headers=turtle)
    assert GRAPH.encode() in after.data
    assert len(counted) == 2


def test_nothing_is_written_into_the_instance_folder_for_an_in_memory_store(
    app: Flask, kb: KnowledgeBase
) -> None:
    """Its generation ends with the process (one on disk keeps its answers: see below)."""
    app.test_client().get("/nasss")
    cache = Path(kb.settings.instance_dir) / "cache" / "aggregates"
    assert not cache.exists()


TOKEN = "dashboards-kept-update-token-0123456789"


def test_a_write_through_the_app_warms_the_dashboards_in_the_background() -> None:
    kb = new_content_kb(sparql_update_token=TOKEN)
    try:
        app = app_for(kb)
        client = app.test_client()
        path = "/api/queries/loop-coverage"
        assert client.get(path, headers=RESULTS).status_code == 200  # asked for once
        kept = app.extensions[AGGREGATES_KEY]
        check = app.extensions[CHECK]
        before = kept.computed
        wrote = client.post(
            "/sparql",
            data={"update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:a> <urn:b> 1 }} }}"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert wrote.status_code < 300, wrote.data[:300]
        deadline = time.monotonic() + 60
        while check.warming() and time.monotonic() < deadline:
            time.sleep(0.05)
        warmed = kept.computed
        assert warmed > before  # computed after the write, with no request asking
        assert rows_of(client.get(path, headers=RESULTS).data) == full(kb, "loop-coverage")
        assert kept.computed == warmed  # the visitor found it ready
    finally:
        kb.close()


def test_after_a_write_through_the_app_the_heat_map_is_brought_up_to_date_in_the_background() -> (
    None
):
    kb = new_content_kb(sparql_update_token=TOKEN)
    try:
        app = app_for(kb)
        client = app.test_client()
        assert client.get("/nasss").status_code == 200
        assert client.get("/gaps").status_code == 200
        for name in DASHBOARD_QUERIES:  # every aggregate asked for once
            assert client.get(f"/api/queries/{name}", headers=RESULTS).status_code == 200
        kept = app.extensions[AGGREGATES_KEY]
        check = app.extensions[CHECK]
        computed, updated = kept.computed, kept.updated
        cs = "https://w3id.org/lhs-kg/case-study/warmed-up"
        update = (
            "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f'INSERT DATA {{ <{cs}> a lhs:CaseStudy ; rdfs:label "Warmed up"@en ; '
            f"lhs:hasAssessment <{cs}/a> . <{cs}/a> lhs:hasRating <{cs}/r> . "
            f"<{cs}/r> lhs:ratesDomain <https://w3id.org/lhs-kg/concept/nasss/2> ; "
            "lhs:level <https://w3id.org/lhs-kg/concept/complexity-level/complex> . }"
        )
        wrote = client.post(
            "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert wrote.status_code < 300, wrote.data[:300]
        deadline = time.monotonic() + 60
        while check.warming() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kept.updated > updated  # brought up to date per case study…
        assert kept.computed == computed  # …with no full query
        view = published_view(app, kb).get()
        assert "nasss-heat-map" in view.shared  # the page's model is ready too
        page = client.get("/nasss?domain=2&level=complex").data.decode()
        assert 'href="/case-study/warmed-up"' in page
    finally:
        kb.close()


def _dashboards(app: Flask) -> dict[str, list[str]]:
    client = app.test_client()
    return {
        name: rows_of(client.get(f"/api/queries/{name}", headers=RESULTS).data)
        for name in DASHBOARD_QUERIES
    }


@pytest.mark.parametrize("changed_behind", [False, True], ids=["untouched", "changed-behind"])
def test_a_restart_reads_the_dashboards_kept_on_disk_while_the_data_is_unchanged(
    tmp_path: Path, changed_behind: bool
) -> None:
    """At 1M triples the first /nasss after a restart took 17 s: the answers were computed
    again though the data had not changed (#16). Kept when the server stops (those brought up
    to date after a write too), they are read back when the store opens on the same data, and
    computed again when anything changed it meanwhile."""
    path, var = tmp_path / "store", tmp_path / "var"
    kb = new_content_kb(EmbeddedStore(path), var_dir=var)
    app = app_for(kb)
    _dashboards(app)
    kb.load(EXAMPLE, graph=GRAPH)  # brought up to date per case study: no file of their own
    before_stop = _dashboards(app)
    assert keep_answers(app) > 0
    settings = kb.settings
    kb.close()
    if changed_behind:  # another program (pyoxigraph itself) writes while lhs-kg is stopped
        other = ox.Store(str(path))
        other.update("DELETE WHERE { GRAPH ?g { ?s a ?type } }")  # every typed thing untyped
        del other
        gc.collect()
    again = KnowledgeBase(settings, store=EmbeddedStore(path))
    try:
        restarted = app_for(again)
        answers = _dashboards(restarted)
        computed = restarted.extensions[AGGREGATES_KEY].computed
        assert answers == {name: full(again, name) for name in DASHBOARD_QUERIES}
        if changed_behind:
            assert computed > 0 and answers != before_stop
        else:
            assert computed == 0 and answers == before_stop
    finally:
        again.close()
