"""No human page speaks RDF (#15): a crawl from the home page, plus every named-query page and
one page of each kind, fails when a page's visible text shows a language tag (``@en``) or a
datatype (``xsd:…``, ``^^``). The RDF stays one click away: each resource page links to it.

The crawl (two links deep from the home page, query strings dropped) runs once, in a module
fixture, when a test needs it, and fetches each page once: it used to run at collection, so
every xdist worker and every ``pytest`` run that merely collected this module paid for it, and
each page was then fetched a second time by its own test case (#16). The SPARQL editor
(``/sparql``) and a named query's own SPARQL text (folded away on its page) are left out: there
the reader asked for SPARQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.queries import QueryLibrary
from tests.helpers import QUERIES, RDF_IN_TEXT, visible_text

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


@dataclass(frozen=True)
class Page:
    """One crawled URL as it answered."""

    status: int
    mimetype: str
    text: str


def crawl(client: FlaskClient) -> dict[str, Page]:
    """The seeds and every page up to two links from the home page, each fetched once."""
    found: dict[str, Page] = {}
    frontier = list(SEEDS)
    for depth in range(CRAWL_DEPTH + 1):
        following: list[str] = []
        for url in frontier:
            response = client.get(url, follow_redirects=True)
            page = Page(response.status_code, response.mimetype, response.get_data(as_text=True))
            found[url] = page
            if depth == CRAWL_DEPTH or page.mimetype != "text/html" or page.status != 200:
                continue
            if url != "/" and depth == 0:
                continue  # a seed other than the home page is checked, not followed
            for href in _links(page.text):
                if href not in found and href not in following and href not in frontier:
                    following.append(href)
        frontier = following
    return found


@pytest.fixture(scope="module")
def pages(app: Flask) -> dict[str, Page]:
    """The crawl, done once for the module."""
    return crawl(app.test_client())


def test_the_crawl_reaches_every_kind_of_page(pages: dict[str, Page]) -> None:
    """The crawl itself is checked: it must reach lists and pages of each kind."""
    for prefix in ("/case-study/", "/source/", "/concept/", "/tool/", "/queries/"):
        assert sum(url.startswith(prefix) for url in pages) >= 5, prefix
    assert len(pages) >= 100


def test_every_linked_page_answers_as_a_page(pages: dict[str, Page]) -> None:
    broken = {url: (p.status, p.mimetype) for url, p in pages.items()}
    broken = {url: got for url, got in broken.items() if got != (200, "text/html")}
    assert broken == {}, "linked as pages but answering otherwise"


def test_no_page_shows_a_language_tag_or_datatype(pages: dict[str, Page]) -> None:
    shown = {}
    for url, page in pages.items():
        if page.mimetype == "text/html":
            text = visible_text(page.text)
            found = [m.group(0) for m in RDF_IN_TEXT.finditer(text)]
            if found:
                shown[url] = f"{found[:5]} in: …{_around(text, found[0])}…"
    assert shown == {}, "pages showing RDF syntax"


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
