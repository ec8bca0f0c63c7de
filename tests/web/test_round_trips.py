"""Store round trips per page on a real ``oxigraph serve`` (#16): the ceilings of the main kinds.

Each round trip to a store server costs about a millisecond before the engine does any work, so
a cold page's time on a remote store grew with the number of queries it asked (10 for a source
or case-study page, 3 for a Turtle document). Here every request the app's store sends (queries
and any other) is counted by a wrapper around the real remote store's HTTP layer (no mock
server), with the page cache off; the read models every page shares (scheme trees, labels) are
warmed first by one request of the same page, as they are in a running server. The count
includes the per-request read of the store's generation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from lhs_kg.store import RemoteStore
from tests.helpers import OxigraphServer, app_for, new_content_kb

pytestmark = pytest.mark.remote


class CountingHttp:
    """The remote store's own HTTP layer, counting the requests that go through it."""

    def __init__(self, http: Any) -> None:
        self.http = http
        self.sent: list[str] = []

    def send(self, method: str, url: str, **kwargs: Any) -> Any:
        self.sent.append(f"{method} {kwargs.get('what')} {url}")
        return self.http.send(method, url, **kwargs)

    def query(self, url: str, text: str, *args: Any) -> Any:
        summary = next((ln for ln in text.splitlines() if ln.startswith("#+ summary")), text)
        self.sent.append(f"query: {summary[:100]}")
        return self.http.query(url, text, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.http, name)


@pytest.fixture(scope="module")
def counted(
    oxigraph_server: OxigraphServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, CountingHttp]]:
    """The app on the repository content in a real oxigraph server, page cache off."""
    oxigraph_server.clear()
    var = tmp_path_factory.mktemp("var")
    store = RemoteStore(oxigraph_server.endpoints)
    kb = new_content_kb(store, var_dir=var, instance_dir=var / "instance", page_cache_mb=0)
    counter = CountingHttp(store._http)
    store._http = counter  # type: ignore[assignment]
    yield app_for(kb), counter
    kb.close()
    oxigraph_server.clear()


#: (path, Accept, most round trips allowed). Before #16's folding: 10, 8, 3; a case-study page 9.
PAGES = [
    pytest.param("/source/foley-vale-2022", "text/html", 2, id="source-html"),
    pytest.param("/concept/framework", "text/html", 2, id="scheme-html"),
    pytest.param("/concept/nasss/1A", "text/html", 3, id="concept-html"),
    pytest.param("/case-study/swedeheart", "text/html", 4, id="case-study-html"),
    pytest.param("/case-study/swedeheart", "text/turtle", 2, id="case-study-turtle"),
    # a document's read follows blank nodes one level (#16: the engine plans it in half the
    # time); an author list goes deeper, so DESCRIBE is asked too
    pytest.param("/source/foley-vale-2022", "application/n-triples", 3, id="source-ntriples"),
    pytest.param("/source/lhp-nasss", "application/n-triples", 2, id="flat-source-ntriples"),
    pytest.param("/concept/nasss/1A", "application/ld+json", 2, id="concept-jsonld"),
]


@pytest.mark.parametrize(("path", "accept", "ceiling"), PAGES)
def test_a_page_makes_at_most_its_round_trips(
    counted: tuple[Flask, CountingHttp], path: str, accept: str, ceiling: int
) -> None:
    app, http = counted
    client = app.test_client()
    warm = client.get(path, headers={"Accept": accept})
    assert warm.status_code == 200, warm.get_data(as_text=True)[:300]
    http.sent.clear()
    again = client.get(path, headers={"Accept": accept})
    assert again.status_code == 200
    assert again.get_data() == warm.get_data()
    assert len(http.sent) <= ceiling, "\n".join(http.sent)
    assert http.sent[0].startswith("query: #+ summary: The store's generation")
