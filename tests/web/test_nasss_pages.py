"""The NASSS heat map pages (#16): a bounded page, sorts and filters in the URL, pager links
without JavaScript, the whole table as CSV, and hostile query strings refused or clamped."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.describe import casestudies
from lhs_kg.describe.base import Reader
from lhs_kg.describe.casestudies.heatmap import MEMBERS_SHOWN, PAGE_SIZE
from lhs_kg.kb import KnowledgeBase
from tests.helpers import app_for, many_case_studies, new_content_kb

MANY = 130
GRAPH = "https://w3id.org/lhs-kg/graph/data/tests/many-case-studies"
ROW = re.compile(r'<tr><th scope="row"><a href="(/case-study/[^"]+)"')


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    """The repository's case studies plus 130 generated ones (three pages and a bit)."""
    found = new_content_kb()
    found.load_bytes(many_case_studies(MANY), "ttl", graph=GRAPH)
    yield found
    found.close()


@pytest.fixture(scope="module")
def app(kb: KnowledgeBase) -> Flask:
    return app_for(kb)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def whole(kb: KnowledgeBase) -> casestudies.HeatMap:
    """Every row of the heat map, as the read model builds it without paging."""
    return casestudies.heatmap(Reader(kb))


def shown(html: str) -> list[str]:
    """The case-study links of the table's rows, in order."""
    return ROW.findall(html[html.index("<tbody>") : html.index("</tbody>")])


def pager_links(html: str) -> dict[str, str]:
    """rel → href of the pager's links."""
    nav = html[html.index('aria-label="Pages of the heat map"') :]
    nav = nav[: nav.index("</nav>")]
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'href="([^"]+)" rel="(\w+)"', nav)
    }


def every_page(client: FlaskClient, url: str) -> list[str]:
    """The rows of every page, following the pager's next links from ``url``."""
    rows: list[str] = []
    for _ in range(50):
        response = client.get(url)
        assert response.status_code == 200
        html = response.data.decode()
        rows += shown(html)
        if "Pages of the heat map" not in html or "next" not in pager_links(html):
            return rows
        url = pager_links(html)["next"]
    raise AssertionError("the pager never ended")


def test_a_page_shows_at_most_one_page_of_case_studies(
    client: FlaskClient, whole: casestudies.HeatMap
) -> None:
    html = client.get("/nasss").data.decode()
    assert len(whole.rows) > 2 * PAGE_SIZE
    assert len(shown(html)) == PAGE_SIZE
    assert f"of {len(whole.rows)}" in html
    assert pager_links(html) == {
        "next": "/nasss?page=2",
        "last": f"/nasss?page={-(-len(whole.rows) // PAGE_SIZE)}",
    }


@pytest.mark.parametrize("sort", ["label", "complex", "domain-1", "domain-7"])
def test_the_pages_of_a_sort_hold_every_case_study_once_in_its_order(
    client: FlaskClient, whole: casestudies.HeatMap, kb: KnowledgeBase, sort: str
) -> None:
    rows = every_page(client, f"/nasss?sort={sort}")
    expected = casestudies.heatmap(Reader(kb), sort).rows
    base = kb.settings.base_iri
    assert rows == ["/" + r.iri[len(base) :] for r in expected]
    assert len(set(rows)) == len(whole.rows)


def level_in(row: casestudies.HeatRow, notation: str) -> str:
    return row.levels.get(notation, "unrated")


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        pytest.param(
            "domain=4&level=complex", lambda r: level_in(r, "4") == "complex", id="complex-in-4"
        ),
        pytest.param(
            "domain=1&level=simple", lambda r: level_in(r, "1") == "simple", id="simple-in-1"
        ),
        pytest.param(
            "domain=7&level=unrated", lambda r: level_in(r, "7") == "unrated", id="unrated-7"
        ),
        pytest.param("rated=rated", lambda r: bool(r.levels), id="rated"),
        pytest.param("rated=unrated", lambda r: not r.levels, id="unrated"),
        pytest.param("complex=2", lambda r: r.complex_count == 2, id="two-complex"),
        pytest.param(
            "sort=complex&domain=2&level=complicated&rated=rated",
            lambda r: level_in(r, "2") == "complicated",
            id="sorted-and-filtered",
        ),
    ],
)
def test_filters_keep_exactly_the_matching_case_studies(
    client: FlaskClient, whole: casestudies.HeatMap, kb: KnowledgeBase, query: str, keep: object
) -> None:
    assert callable(keep)
    base = kb.settings.base_iri
    expected = {"/" + r.iri[len(base) :] for r in whole.rows if keep(r)}
    assert 0 < len(expected) < len(whole.rows)  # the filter has something to keep and to drop
    rows = every_page(client, f"/nasss?{query}")
    assert sorted(rows) == sorted(expected)


def test_pager_and_sort_links_keep_the_filter(client: FlaskClient) -> None:
    html = client.get("/nasss?sort=domain-3&rated=rated&page=2").data.decode()
    links = pager_links(html)
    assert links["prev"] == "/nasss?sort=domain-3&rated=rated"
    assert links["next"] == "/nasss?sort=domain-3&rated=rated&page=3"
    assert 'href="/nasss?sort=complex&amp;rated=rated"' in html  # a new sort starts at page 1
    assert 'aria-current="page">Page 2 of' in html


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        pytest.param("page=-1", 400, "page must be a whole number", id="negative-page"),
        pytest.param("page=0", 400, "page must be a whole number", id="page-zero"),
        pytest.param("page=two", 400, "page must be a whole number", id="words-page"),
        pytest.param("page=1e3", 400, "page must be a whole number", id="float-page"),
        pytest.param("page=%EF%BC%92", 400, "page must be a whole number", id="fullwidth-digit"),
        pytest.param("page=" + "9" * 40, 400, "page must be a whole number", id="huge-page"),
        pytest.param("sort=" + "x" * 500, 400, "too long", id="huge-sort"),
        pytest.param("domain=99&level=complex", 400, "no NASSS domain", id="unknown-domain"),
        pytest.param("domain=4", 400, "a domain and a level together", id="domain-alone"),
        pytest.param("level=complex", 400, "a domain and a level together", id="level-alone"),
        pytest.param("domain=4&level=hard", 400, "level must be one of", id="unknown-level"),
        pytest.param("rated=maybe", 400, "rated must be one of", id="unknown-rated"),
        pytest.param("complex=8", 400, "complex must be a number", id="too-many-complex"),
        pytest.param("complex=-1", 400, "complex must be a number", id="negative-complex"),
        pytest.param(
            "domain=%3Cscript%3E&level=complex", 400, "no NASSS domain", id="script-domain"
        ),
    ],
)
def test_hostile_query_strings_get_a_readable_400(
    client: FlaskClient, query: str, status: int, says: str
) -> None:
    response = client.get(f"/nasss?{query}")
    assert response.status_code == status
    text = response.data.decode()
    assert says in text
    assert "Traceback" not in text
    assert "<script>" not in text


@pytest.mark.parametrize(
    ("query", "caption"),
    [
        pytest.param("page=1000000000", "page 3 of 3", id="page-past-the-end-shows-the-last"),
        pytest.param("sort=nonsense", "sorted by name", id="unknown-sort-by-name"),
        pytest.param("sort=domain-99", "sorted by name", id="unknown-domain-sort-by-name"),
    ],
)
def test_out_of_range_choices_are_clamped(client: FlaskClient, query: str, caption: str) -> None:
    response = client.get(f"/nasss?{query}")
    assert response.status_code == 200
    assert caption in response.data.decode()


def test_an_empty_filter_says_so(client: FlaskClient, kb: KnowledgeBase) -> None:
    kb_rows = casestudies.heatmap(Reader(kb)).rows
    assert not [r for r in kb_rows if r.complex_count == 7]
    html = client.get("/nasss?complex=7").data.decode()
    assert "No case study matches" in html
    assert shown(html) == []


def test_the_whole_table_is_one_csv_line_per_case_study(
    client: FlaskClient, whole: casestudies.HeatMap
) -> None:
    response = client.get("/nasss.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.data.decode())))
    assert table[0][:2] == ["case study", "label"]
    assert len(table) == 1 + len(whole.rows)
    by_iri = {line[0]: line for line in table[1:]}
    for row in whole.rows:
        line = by_iri[row.iri]
        levels = [row.levels.get(n, "not rated") for _, n, _ in whole.domains]
        assert line[2:9] == levels
        assert int(line[9]) == row.complex_count


def test_the_page_links_the_whole_table_as_data(client: FlaskClient) -> None:
    html = client.get("/nasss").data.decode()
    assert 'href="/nasss.csv"' in html
    assert 'href="/api/queries/nasss-heatmap?format=json"' in html
    answer = client.get("/api/queries/nasss-heatmap?format=json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/sparql-results+json"


def test_outcome_groups_name_a_few_and_link_the_rest(
    client: FlaskClient, whole: casestudies.HeatMap
) -> None:
    html = client.get("/nasss").data.decode()
    table = html[html.index('id="h-agg2"') :]
    biggest = max(whole.by_complex_count, key=lambda g: len(g[1]))
    n, members = biggest[0], biggest[1]
    assert len(members) > MEMBERS_SHOWN
    assert f'href="/nasss?complex={n}">{len(members) - MEMBERS_SHOWN} more</a>' in table
    assert table.count('href="/case-study/') <= MEMBERS_SHOWN * len(whole.by_complex_count)
