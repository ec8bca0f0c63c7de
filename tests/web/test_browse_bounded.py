"""Regression (#6, #7): no page reads work proportional to the store; pages read their resource.

The case-study page once read every label and every ``dcterms:source`` of the knowledge base for
its per-claim provenance (3.4 s at 1M triples), and the case-study and source lists read every
row. Here the same pages are served over a store holding the repository content plus N and then
2N unrelated sources (each labelled, titled and citing another); the rows every page fetches
from the store must not change with N, and the pages about curated resources must not change at
all. The count is structural (rows handed out by the store), so it holds on a loaded machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox
import pytest
from flask import Flask

from lhs_kg.store.base import QueryResult
from lhs_kg.store.embedded import EmbeddedStore
from lhs_kg.store.results import json_binding, json_results
from tests.helpers import app_for, new_content_kb
from web.views.reading import PUBLISHED_VIEW_KEY

BASE = "https://w3id.org/lhs-kg/"
PAGES = [
    pytest.param("/case-study/improvecarenow", id="case-study"),
    pytest.param("/concept/nasss/1", id="concept"),
    pytest.param("/concept/framework", id="scheme"),
    pytest.param("/source/foley-vale-2022", id="source"),
    pytest.param("/case-study/", id="case-study-list"),
    pytest.param("/source/", id="source-list"),
    pytest.param("/source/?page=2", id="source-list-page-2"),
    pytest.param("/", id="home"),
]
SAME_HTML = {"/case-study/improvecarenow", "/concept/framework", "/source/foley-vale-2022"}


class CountingStore(EmbeddedStore):
    """A real in-memory pyoxigraph store that counts the rows and triples it hands out."""

    def __init__(self) -> None:
        super().__init__(None)
        self.fetched = 0

    def query(self, text: str, **kwargs: Any) -> QueryResult:
        result = super().query(text, **kwargs)
        if result.kind == "ask":
            return result
        return QueryResult(result.kind, _Counted(self, result._payload))


class _Counted:
    def __init__(self, store: CountingStore, payload: Any) -> None:
        self.store, self.payload = store, payload
        self.variables = getattr(payload, "variables", [])

    def __iter__(self) -> Iterator[Any]:
        for item in self.payload:
            self.store.fetched += 1
            yield item

    def serialize(self, output: IO[bytes] | None, fmt: Any) -> bytes | None:
        """A SELECT answer written whole (the dashboards keep theirs as JSON): every row counted."""
        assert fmt == ox.QueryResultsFormat.JSON, fmt
        names = [v.value for v in self.variables]
        body = json_results(names, (json_binding(names, s) for s in self))
        if output is None:
            return body
        output.write(body)
        return None


def unrelated(n: int) -> bytes:
    """``n`` sources that nothing of the repository mentions, each citing the next."""
    lines = []
    for i in range(n):
        s = f"<{BASE}source/unrelated-{i}>"
        lines += [
            f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BASE}ontology/Source> .",
            f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "Unrelated {i}"@en .',
            f'{s} <http://purl.org/dc/terms/title> "An unrelated paper {i}" .',
            f'{s} <http://purl.org/dc/terms/issued> "2001" .',
            f"{s} <http://purl.org/dc/terms/source> <{BASE}source/unrelated-{i + 1}> .",
        ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def apps() -> dict[int, tuple[Flask, CountingStore]]:
    """The app over the repository content plus 2,500 and 5,000 unrelated sources.

    Both sizes are above ``SORT_ALL_MAX`` (2,000), so the lists are paged by the store.
    """
    built = {}
    for n in (2500, 5000):
        store = CountingStore()
        kb = new_content_kb(store, page_cache_mb=0)  # count every page's own reads
        kb.load_bytes(unrelated(n), "nt", graph=f"{BASE}graph/data/unrelated")
        built[n] = (
            app_for(kb),
            store,
        )
    return built


def fetch(app: Flask, store: CountingStore, path: str) -> tuple[int, str]:
    """Rows fetched and HTML of one request, with the shared read models of a fresh view."""
    app.extensions.pop(PUBLISHED_VIEW_KEY, None)
    store.fetched = 0
    response = app.test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return store.fetched, response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_rows_fetched_do_not_grow_with_unrelated_data(
    apps: dict[int, tuple[Flask, CountingStore]], path: str
) -> None:
    small, small_html = fetch(*apps[2500], path)
    large, large_html = fetch(*apps[5000], path)
    assert small == large, f"{path} fetched {small} rows with 2,500 sources, {large} with 5,000"
    assert large < 1500, f"{path} fetched {large} rows"
    if path in SAME_HTML:
        assert small_html == large_html


def test_the_case_study_page_still_shows_each_claims_provenance(
    apps: dict[int, tuple[Flask, CountingStore]],
) -> None:
    _, html = fetch(*apps[5000], "/case-study/improvecarenow")
    assert "Where each statement comes from" in html
    assert "curated file data/case-studies/improvecarenow" in html
    assert "unrelated" not in html


@pytest.mark.parametrize(
    ("path", "prev", "next_"),
    [
        pytest.param("/source/", False, True, id="first"),
        pytest.param("/source/?page=2", True, True, id="middle"),
        pytest.param("/source/?page=999999", True, False, id="past-the-end-is-the-last"),
        pytest.param("/source/?page=<script>", False, True, id="hostile-is-the-first"),
    ],
)
def test_long_lists_are_paged_with_links_that_work_without_js(
    apps: dict[int, tuple[Flask, CountingStore]], path: str, prev: bool, next_: bool
) -> None:
    _, html = fetch(*apps[2500], path)
    assert ('rel="prev"' in html) is prev
    assert ('rel="next"' in html) is next_
    assert 1 < html.count("<tr>") <= 51  # the header row and at most one page of 50
    assert "<script>" not in html.split("</header>", 1)[-1]


def test_every_source_appears_on_exactly_one_page(
    apps: dict[int, tuple[Flask, CountingStore]],
) -> None:
    app, store = apps[2500]
    seen: list[str] = []
    page = 1
    while True:
        _, html = fetch(app, store, f"/source/?page={page}")
        links = [part.split('"', 1)[0] for part in html.split('<a href="/source/')[1:]]
        seen += [slug for slug in links if slug]  # '' is the site menu's link to the list
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(seen) == len(set(seen))
    assert {f"unrelated-{i}" for i in range(2500)} <= set(seen)
