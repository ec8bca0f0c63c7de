"""The full-text index behind search: the thing before its fragments, authors, typos, snippets
with the match marked (and escaped), FTS5 syntax taken as text, and one index per generation."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions import Contributions
from lhs_kg.describe import Reader
from lhs_kg.describe.search import KINDS, corrections, index_for, search
from lhs_kg.describe.search import engine as search_engine
from lhs_kg.describe.search import index as search_index
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import RemoteStore, Store
from tests.helpers import (
    BROWSE_FIXTURE,
    OxigraphServer,
    build_app,
    new_content_kb,
    payload,
    serve,
)

SEPSIS = "https://w3id.org/lhs-kg/case-study/kaiser-sepsis"
PREFIXES = """PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The repository content plus the hostile fixture; the index goes to a temporary folder."""
    instance = tmp_path_factory.mktemp("instance")
    flask_app = build_app(instance_dir=instance)
    flask_app.extensions["lhs_kg"].load(
        BROWSE_FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/browse-fixture"
    )
    return flask_app


@pytest.fixture
def reader(app: Flask) -> Reader:
    return Reader(app.extensions["lhs_kg"])


def select(app: Flask, where: str, var: str = "s") -> set[str]:
    """Independent SPARQL over the test KB: the values of ``?var``."""
    rows = (
        app.extensions["lhs_kg"]
        .store.query(f"{PREFIXES}SELECT DISTINCT ?{var} WHERE {{ {where} }}", union=True)
        .rows()
    )
    return {r[var].value for r in rows}


@pytest.mark.parametrize("query", ["sepsis", "Sepsis", "SEPSIS programme"])
def test_sepsis_puts_the_kaiser_case_study_first(reader: Reader, query: str) -> None:
    hits = search(reader, query)
    assert hits[0].iri == SEPSIS


@pytest.mark.parametrize(
    "typo",
    [
        pytest.param("sepsys", id="substitution"),
        pytest.param("sespis", id="swap"),
        pytest.param("sepis", id="deletion"),
        pytest.param("kaizer sepsis", id="one-word-of-two"),
    ],
)
def test_a_typo_still_finds_the_case_study(reader: Reader, typo: str) -> None:
    assert SEPSIS in [h.iri for h in search(reader, typo)[:3]]


@pytest.mark.parametrize("surname", ["Greenhalgh", "Michie", "Horwitz", "Friedman"])
def test_an_authors_surname_finds_their_sources(app: Flask, reader: Reader, surname: str) -> None:
    written = select(
        app,
        "?s a lhs:Source ; bibo:authorList ?l . ?l rdf:rest*/rdf:first/foaf:name ?n . "
        f'FILTER(STRSTARTS(?n, "{surname} "))',
    )
    assert written
    found = {h.iri for h in search(reader, surname, limit=500)}
    assert written <= found


@pytest.mark.parametrize(
    ("where", "word_count"),
    [
        pytest.param("?p lhs:hasOutcome ?s . ?s rdfs:label ?text", 3, id="outcome-label"),
        pytest.param(
            "?r lhs:ratesDomain ?d ; lhs:justification ?text . BIND(?r AS ?s)", 4, id="rating"
        ),
    ],
)
def test_a_fragment_leads_to_its_parent_once(
    app: Flask, reader: Reader, where: str, word_count: int
) -> None:
    rows = (
        app.extensions["lhs_kg"]
        .store.query(
            f"{PREFIXES}SELECT ?s ?text WHERE {{ {where} . "
            'FILTER(STRSTARTS(STR(?s), "https://w3id.org/lhs-kg/case-study/kaiser-sepsis/")) } '
            "ORDER BY ?s LIMIT 1",
            union=True,
        )
        .rows()
    )
    fragment, text = rows[0]["s"].value, rows[0]["text"].value
    words = " ".join(re.findall(r"\w+", text)[:word_count])
    iris = [h.iri for h in search(reader, words, limit=500)]
    assert SEPSIS in iris
    assert fragment not in iris
    assert len(iris) == len(set(iris))


@pytest.mark.parametrize("query", ["sepsis", "outcome", "rating", "justification", "learning"])
def test_hits_are_things_people_look_for_not_fragments(
    app: Flask, reader: Reader, query: str
) -> None:
    documents = select(
        app,
        "VALUES ?t { lhs:CaseStudy lhs:Source lhs:Tool lhs:Organisation skos:Concept "
        "skos:ConceptScheme } ?s a ?t",
    )
    hits = search(reader, query, limit=500)
    assert hits
    fragments = [
        h.iri
        for h in hits
        if h.iri not in documents and any(h.iri.startswith(d + "/") for d in documents)
    ]
    assert fragments == []


@pytest.mark.parametrize("query", ["assessment", "rating", "case study"])
def test_other_resources_come_after_the_things_people_look_for(reader: Reader, query: str) -> None:
    kinds = [h.kind for h in search(reader, query, limit=500)]
    assert "other" in kinds  # ontology terms match these words …
    assert kinds[kinds.index("other") :] == ["other"] * (len(kinds) - kinds.index("other"))
    assert kinds[0] != "other"  # … and come last


def test_snippet_marks_the_match_and_escapes_markup(client: FlaskClient) -> None:
    html = client.get("/search?q=zanzibarfixture").data.decode()
    snippet = re.search(r'<small class="snippet">(.*?)</small>', html, re.S)
    assert snippet is not None
    assert "<mark>Zanzibarfixture</mark>" in snippet.group(1)
    assert "&lt;b&gt;markup&lt;/b&gt;" in snippet.group(1)
    assert "<b>" not in snippet.group(1)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("NEAR(", id="near-open"),
        pytest.param("NEAR(sepsis kaiser, 2)", id="near"),
        pytest.param('"', id="lone-quote"),
        pytest.param('"sepsis', id="open-quote"),
        pytest.param("*", id="star"),
        pytest.param("sepsis*", id="trailing-star"),
        pytest.param("sepsis OR", id="dangling-or"),
        pytest.param("AND sepsis NOT", id="operators"),
        pytest.param("title: sepsis", id="column-filter"),
        pytest.param("{title names}: sepsis", id="column-set"),
        pytest.param("^sepsis", id="initial-token"),
        pytest.param("sep\x00sis", id="nul"),
        pytest.param("(((((", id="brackets"),
        pytest.param("s" * 1_000_000, id="huge"),
        pytest.param("' OR 1=1 --", id="sql"),
        pytest.param("\x02\x03", id="snippet-markers"),
    ],
)
def test_fts5_syntax_is_only_text(client: FlaskClient, reader: Reader, query: str) -> None:
    assert isinstance(search(reader, query), list)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "Traceback" not in response.data.decode()
    assert client.get("/api/autocomplete", query_string={"q": query}).status_code == 200


@pytest.mark.parametrize("query", ['"sepsis', "sepsis*", "sepsis)", "(sepsis)", "-sepsis-"])
def test_syntax_around_a_word_still_finds_it(reader: Reader, query: str) -> None:
    assert search(reader, query)[0].iri == SEPSIS


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_page_offers_every_kind_as_a_filter(client: FlaskClient, kind: str) -> None:
    html = client.get("/search?q=learning").data.decode()
    assert f'name="type" value="{kind}"' in html


def test_glossary_terms_are_their_own_kind(reader: Reader) -> None:
    hits = search(reader, "learning health system", types=["glossary"])
    assert hits
    assert {h.kind for h in hits} == {"glossary"}
    assert all("/concept/glossary/" in h.iri for h in hits)


def test_index_is_rebuilt_for_a_new_generation_and_the_old_file_removed(tmp_path: Path) -> None:
    app = build_app(instance_dir=tmp_path)
    kb = app.extensions["lhs_kg"]
    reader = Reader(kb)
    assert search(reader, "quuxfixtureword") == []
    first = index_for(reader).path
    assert first.parent == tmp_path / "cache" / "search"
    kb.load_bytes(
        b"<https://w3id.org/lhs-kg/tool/quux> a <https://w3id.org/lhs-kg/ontology/Tool> ; "
        b'<http://www.w3.org/2000/01/rdf-schema#label> "Quuxfixtureword tool" .',
        "ttl",
        graph="https://w3id.org/lhs-kg/graph/data/tests/quux",
    )
    hits = search(reader, "quuxfixtureword")
    assert [h.iri for h in hits] == ["https://w3id.org/lhs-kg/tool/quux"]
    second = index_for(reader).path
    assert second != first
    gc.collect()
    assert sorted((tmp_path / "cache" / "search").iterdir()) == [second]


def test_index_stays_for_the_same_generation(reader: Reader) -> None:
    search(reader, "sepsis")
    assert index_for(reader) is index_for(Reader(reader.kb))


QUUX = (
    b"<https://w3id.org/lhs-kg/tool/quux> a <https://w3id.org/lhs-kg/ontology/Tool> ; "
    b'<http://www.w3.org/2000/01/rdf-schema#label> "Quuxfixtureword tool" .'
)


def test_each_store_finds_what_is_written_through_it(store: Store, tmp_path: Path) -> None:
    """Embedded and remote alike: the index follows the store's own writes at once."""
    kb = new_content_kb(store, instance_dir=tmp_path)
    reader = Reader(kb)
    assert search(reader, "sepsis")[0].iri == SEPSIS
    assert search(reader, "quuxfixtureword") == []
    kb.load_bytes(QUUX, "ttl", graph="https://w3id.org/lhs-kg/graph/data/tests/quux")
    assert [h.iri for h in search(reader, "quuxfixtureword")] == [
        "https://w3id.org/lhs-kg/tool/quux"
    ]


def test_a_remote_index_follows_a_write_by_another_process(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> None:
    """Another worker's write renews the shared store's generation: the index follows (#16)."""
    oxigraph_server.clear()
    kb = new_content_kb(RemoteStore(oxigraph_server.endpoints), instance_dir=tmp_path)
    other = RemoteStore(oxigraph_server.endpoints)
    try:
        reader = Reader(kb)
        assert search(reader, "quuxfixtureword") == []
        # the other worker loads through its knowledge base, which keeps the published view
        KnowledgeBase(kb.settings, store=other).load_bytes(
            QUUX, "ttl", graph="https://w3id.org/lhs-kg/graph/data/quux"
        )
        assert search(reader, "quuxfixtureword") == []  # until this process looks again
        kb.store.refresh_generation()  # what the web app does at the start of each request
        assert len(search(reader, "quuxfixtureword")) == 1
    finally:
        other.close()
        oxigraph_server.clear()


def test_files_of_processes_that_are_gone_are_removed(tmp_path: Path) -> None:
    kb = new_content_kb(instance_dir=tmp_path)
    folder = tmp_path / "cache" / "search"
    folder.mkdir(parents=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = folder / f"index-{gone.pid}-0-0.sqlite"
    orphan.write_bytes(b"left by a crash")
    alive = folder / f"index-{os.getppid()}-0-0.sqlite"  # the parent process is running
    alive.write_bytes(b"another worker's index")
    index = index_for(Reader(kb))
    assert not orphan.exists()
    assert alive.exists()
    assert index.path.exists()


def test_without_fts5_search_falls_back_to_the_sparql_scan(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_engine, "fts5_available", lambda: False)
    monkeypatch.setattr(search_engine, "index_for", None)  # the index is never touched
    hits = search(reader, "sepsis")
    assert SEPSIS in [h.iri for h in hits]


def test_this_python_has_fts5() -> None:
    """The index needs SQLite's FTS5; a build without it would only get the slower scan."""
    assert search_index.fts5_available()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("sepsys", {"sepsys": ["sepsis"]}, id="typo"),
        pytest.param("kaiser sespis", {"sespis": ["sepsis"]}, id="one-of-two"),
        pytest.param("sepsis", {}, id="no-typo"),
        pytest.param("zzzzqqqq", {}, id="nothing-near"),
        pytest.param('"NEAR(', {}, id="syntax"),
    ],
)
def test_corrections_say_what_was_searched_instead(
    reader: Reader, query: str, expected: dict[str, list[str]]
) -> None:
    assert corrections(reader, query) == expected


def test_the_page_says_which_word_it_searched_instead(client: FlaskClient) -> None:
    html = client.get("/search?q=sepsys").data.decode()
    assert "Nothing has <q>sepsys</q>; showing matches for <q>sepsis</q> instead." in html
    assert 'class="corrections"' not in client.get("/search?q=sepsis").data.decode()


def test_search_never_shows_a_pending_contribution(tmp_path: Path) -> None:
    flask_app = build_app(instance_dir=tmp_path)
    kb = flask_app.extensions["lhs_kg"]
    outcome = Contributions(kb).submit(
        payload(id="pending-x", title="Quixotically pending"), "json"
    )
    assert outcome.stored
    assert kb.query(
        'ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Quixotically")) }', scope="all"
    ).boolean  # stored, waiting for review
    html = flask_app.test_client().get("/search?q=quixotically").data.decode()
    assert "0 results for" in html


def test_concurrent_searches_over_real_http(tmp_path: Path) -> None:
    """Waitress answers from several threads at once: each reads the index on its own
    connection, and a write in the middle brings a fresh index without any failed answer."""
    app = build_app(instance_dir=tmp_path)
    running = serve(app, threads=4)
    words = ["sepsis", "sepsys", "greenhalgh", "co-design", "learning health", "NEAR("]
    failures: list[str] = []

    def ask(n: int) -> None:
        for i in range(12):
            q = words[(n + i) % len(words)]
            answer = requests.get(f"{running.url}/search", params={"q": q}, timeout=30)
            if answer.status_code != 200:
                failures.append(f"{q}: {answer.status_code}")

    try:
        threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        app.extensions["lhs_kg"].load_bytes(
            QUUX, "ttl", graph="https://w3id.org/lhs-kg/graph/data/tests/quux-http"
        )
        for t in threads:
            t.join()
        found = requests.get(f"{running.url}/search", params={"q": "quuxfixtureword"}, timeout=30)
    finally:
        running.stop()
    assert failures == []
    assert "/tool/quux" in found.text
