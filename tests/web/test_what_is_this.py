""" "What is this" paragraphs (#15) on the home page, the framework wheel and the NASSS page, each
citing sources of data/sources.ttl, and glossary terms linked where they first occur on a page."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask.testing import FlaskClient

from tests.helpers import visible_text

GLOSSARY_LINK = re.compile(r'<a class="glossary-term" href="([^"]+)">([^<]+)</a>')


def _paragraphs(page: str) -> list[str]:
    return re.findall(r'<p class="what-is-this">(.*?)</p>', page, flags=re.S)


@pytest.mark.parametrize(
    ("url", "index", "says", "cites"),
    [
        pytest.param(
            "/",
            0,
            "Learning Health System is a health system",
            {"olsen-2007", "foley-vale-2022"},
            id="home-lhs",
        ),
        pytest.param(
            "/", 1, "wheel of four rings", {"foley-vale-2022", "lhp-2021"}, id="home-wheel"
        ),
        pytest.param("/nasss", 0, "simple", {"greenhalgh-2017", "greenhalgh-2018"}, id="nasss"),
    ],
)
def test_what_is_this_paragraph_cites_its_sources(
    client: FlaskClient, url: str, index: int, says: str, cites: set[str]
) -> None:
    paragraph = _paragraphs(client.get(url).get_data(as_text=True))[index]
    assert says in visible_text(paragraph)
    cited = set(re.findall(r'href="/source/([^"]+)"', paragraph))
    assert cited == cites
    for slug in cited:
        assert client.get(f"/source/{slug}").status_code == 200, slug


def test_nasss_paragraph_explains_the_three_levels(client: FlaskClient) -> None:
    text = visible_text(_paragraphs(client.get("/nasss").get_data(as_text=True))[0])
    for level in ("simple (", "complicated (", "complex ("):
        assert level in text


@pytest.mark.parametrize(
    ("url", "term"),
    [
        pytest.param("/", "/concept/glossary/learning-health-system", id="home"),
        pytest.param("/pathway/building-blocks", "/concept/glossary/interoperability", id="step"),
        pytest.param("/pathway/building-blocks", "/concept/glossary/data-quality", id="step-2"),
        pytest.param(
            "/case-study/swedeheart",
            "/concept/glossary/registry-based-randomised-trial",
            id="case-study-summary",
        ),
    ],
)
def test_glossary_term_is_linked_once_where_it_first_occurs(
    client: FlaskClient, url: str, term: str
) -> None:
    page = client.get(url).get_data(as_text=True)
    links = GLOSSARY_LINK.findall(page)
    assert [href for href, _ in links].count(term) == 1
    words = next(text for href, text in links if href == term)
    # the link is on the first occurrence in the page's prose (its paragraphs and list items;
    # headings and navigation are not prose): no earlier paragraph says the same words
    earlier = page.split(f'<a class="glossary-term" href="{term}">', 1)[0]
    earlier = earlier.split('<main id="main"', 1)[1]
    prose = re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", earlier, flags=re.S)
    assert not any(words.lower() in visible_text(body).lower() for _, body in prose)


@pytest.mark.parametrize(
    "url", ["/", "/nasss", "/pathway", "/pathway/building-blocks", "/case-study/swedeheart"]
)
def test_no_term_is_linked_twice_or_inside_another_link(client: FlaskClient, url: str) -> None:
    page = client.get(url).get_data(as_text=True)
    counts = Counter(href for href, _ in GLOSSARY_LINK.findall(page))
    assert all(n == 1 for n in counts.values()), counts
    assert not re.search(r"<a [^>]*>[^<]*<a class=\"glossary-term\"", page)


def test_a_term_is_not_linked_on_its_own_page(client: FlaskClient) -> None:
    page = client.get("/concept/glossary/learning-health-system").get_data(as_text=True)
    assert 'class="glossary-term" href="/concept/glossary/learning-health-system"' not in page


def test_glossary_has_a_short_address_linked_from_home(client: FlaskClient) -> None:
    assert 'href="/glossary"' in client.get("/").get_data(as_text=True)
    response = client.get("/glossary")
    assert response.status_code == 301 and response.headers["Location"] == "/concept/glossary"
    assert client.get("/concept/glossary").status_code == 200
