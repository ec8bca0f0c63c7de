"""No human page speaks RDF (#15): a crawl from the home page, plus every named-query page and
one page of each kind, fails when a page's visible text shows a language tag (``@en``) or a
datatype (``xsd:…``, ``^^``). The RDF stays one click away: each resource page links to it.

The crawl runs once at collection (two links deep from the home page, query strings dropped)
so that each page is its own test case. The SPARQL editor (``/sparql``) and a named query's own
SPARQL text (folded away on its page) are left out: there the reader asked for SPARQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from flask.testing import FlaskClient

from lhs_kg.queries import QueryLibrary
from tests.helpers import QUERIES, RDF_IN_TEXT, build_app, visible_text

#: Not human pages: machine formats, the SPARQL editor, the API, the curators' pages.
_SKIP = re.compile(
    r"^/(?:static|api|sparql|review|export|\.well-known)\b|\.(?:ttl|jsonld|rdf|nt|bib|csl\.json|json|csv)$"
)
_HREF = re.compile(r'href="(/[^"#?]*)')
CRAWL_DEPTH = 2
#: Pages a crawl of two links may not reach, named so each kind is always covered.
SEEDS = (
    "/",
    "/case-study/swedeheart",
    "/source/greenhalgh-2017",
    "/tool/nasss-framework",
    "/concept/nasss/1A",
    "/concept/glossary",
    "/concept/glossary/learning-health-system",
    "/organisation/swedeheart",
    "/queries/complexity-profiles?caseStudy=swedeheart",
    "/queries/changed-since?since=2000-01-01",
    "/queries/sources-for-concept?concept=nasss/1",
    *(f"/queries/{name}" for name in QueryLibrary(QUERIES).names()),
)


def _links(page: str) -> Iterable[str]:
    for href in _HREF.findall(page):
        if not _SKIP.search(href):
            yield href


def human_pages() -> list[str]:
    """The seeds and every HTML page two links from the home page, sorted."""
    client = build_app().test_client()
    found = dict.fromkeys(SEEDS)
    frontier = ["/"]
    for _ in range(CRAWL_DEPTH):
        following: list[str] = []
        for url in frontier:
            response = client.get(url, follow_redirects=True)
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            for href in _links(response.get_data(as_text=True)):
                if href not in found:
                    found[href] = None
                    following.append(href)
        frontier = following
    return sorted(found)


PAGES = human_pages()


def test_the_crawl_reaches_every_kind_of_page() -> None:
    """The crawl itself is checked: it must reach lists and pages of each kind."""
    for prefix in ("/case-study/", "/source/", "/concept/", "/tool/", "/queries/"):
        assert sum(url.startswith(prefix) for url in PAGES) >= 5, prefix
    assert len(PAGES) >= 100


@pytest.mark.parametrize("url", PAGES)
def test_page_shows_no_language_tag_or_datatype(client: FlaskClient, url: str) -> None:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, (
        f"{url} is linked from a page but answers {response.status_code}"
    )
    if response.mimetype != "text/html":
        pytest.fail(f"{url} is linked as a page but answers {response.mimetype}")
    text = visible_text(response.get_data(as_text=True))
    shown = [m.group(0) for m in RDF_IN_TEXT.finditer(text)]
    assert not shown, f"{url} shows RDF syntax {shown[:5]} in: …{_around(text, shown[0])}…"


def _around(text: str, found: str) -> str:
    at = text.find(found)
    return text[max(0, at - 80) : at + 40]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        pytest.param("Nature of the condition @en definition", True, id="lang-tag"),
        pytest.param("issued 2017 xsd:gYear label", True, id="datatype"),
        pytest.param('"2017"^^<http://www.w3.org/2001/XMLSchema#gYear>', True, id="typed"),
        pytest.param("Ask @en-GB.", True, id="region-tag"),
        pytest.param("write to team@example.org", False, id="email"),
        pytest.param("see @enterprise", False, id="handle"),
    ],
)
def test_the_detector_flags_rdf_syntax_only(text: str, flagged: bool) -> None:
    assert bool(RDF_IN_TEXT.search(text)) is flagged
