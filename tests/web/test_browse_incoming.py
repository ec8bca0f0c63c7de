"""Regression (#6): "Referenced by" counts only as far as a page needs, and finds every group.

Counting every incoming link of a concept that 25,000–60,000 ratings point at took 0.1–0.3 s at
1M triples, and looking for the concept's case studies walked every one of those ratings. Counts
now stop a bounded distance past the current page ("more than N" beyond it), a large group never
hides a small one, blank-node subjects are still left out, and the rows a concept page fetches do
not grow with the number of ratings that point at it.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lhs_kg.describe.concepts import not_case_study_links
from lhs_kg.describe.resource import INCOMING_COUNT_AHEAD
from tests.helpers import app_for, new_content_kb
from tests.web.test_browse_bounded import CountingStore, fetch
from web.views.browse import PAGE_SIZE
from web.views.reading import get_reader

BASE = "https://w3id.org/lhs-kg/"
LHS = BASE + "ontology/"
CONCEPT = BASE + "concept/nasss/3"
PAGE = "/concept/nasss/3"


def ratings(n: int, blank: int = 0) -> bytes:
    """``n`` ratings of NASSS domain 3 (IRIs) and ``blank`` more as blank nodes."""
    lines = []
    for i in range(n):
        r = f"<{BASE}rating/extra-{i}>"
        lines += [
            f"{r} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{LHS}DomainRating> .",
            f"{r} <{LHS}ratesDomain> <{CONCEPT}> .",
        ]
    lines += [f"_:b{i} <{LHS}ratesDomain> <{CONCEPT}> ." for i in range(blank)]
    return ("\n".join(lines) + "\n").encode()


def build(n: int, blank: int = 0) -> tuple[Flask, CountingStore]:
    """The app over the repository content plus ``n`` extra ratings of domain 3."""
    store = CountingStore()
    kb = new_content_kb(store, page_cache_mb=0)
    kb.load_bytes(ratings(n, blank), "nt", graph=f"{BASE}graph/data/extra")
    app = app_for(kb)
    return app, store


def distinct_iri_subjects(store: CountingStore, prop: str) -> int:
    """How many IRIs point at the concept through ``prop`` (asked of the store directly)."""
    text = (
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{prop}> <{CONCEPT}> FILTER(isIRI(?s)) }}"
    )
    return int(store.query(text).rows()[0]["n"].value)


def group_counts(html: str) -> dict[str, str]:
    """Each "as <property>" heading of the incoming section with its count text."""
    section = html.split('id="h-incoming"', 1)[1]
    found = re.findall(
        r'<h3>as <a href="[^"]*"[^>]*>([^<]*)</a> <span class="count">\(([^)]*)\)', section
    )
    return dict(found)


@pytest.fixture(scope="module")
def big() -> tuple[Flask, CountingStore]:
    """Many more ratings of domain 3 than a page counts, and some blank-node ones."""
    return build(3 * INCOMING_COUNT_AHEAD, blank=5)


def test_a_large_group_is_counted_as_more_than_the_bound(big: tuple[Flask, CountingStore]) -> None:
    _, html = fetch(*big, PAGE)
    counts = group_counts(html)
    assert counts["rates domain"] == f"more than {INCOMING_COUNT_AHEAD}"
    assert f"More than {INCOMING_COUNT_AHEAD + 1}" not in html  # the total is a floor, not a sum
    assert "Page 1 of at least" in html
    assert 'rel="next"' in html


def test_a_large_group_does_not_hide_the_small_ones(big: tuple[Flask, CountingStore]) -> None:
    _, html = fetch(*big, PAGE)
    counts = group_counts(html)
    broader = distinct_iri_subjects(big[1], "http://www.w3.org/2004/02/skos/core#broader")
    assert broader > 0
    assert counts["broader"] == str(broader)


def test_a_page_far_down_the_list_moves_the_bound_with_it(
    big: tuple[Flask, CountingStore],
) -> None:
    total = distinct_iri_subjects(big[1], LHS + "ratesDomain")  # 3 × the bound
    middle = INCOMING_COUNT_AHEAD // PAGE_SIZE + 1  # counted to twice the bound: still more
    _, html = fetch(*big, f"{PAGE}?page={middle}")
    assert group_counts(html)["rates domain"] == f"more than {2 * INCOMING_COUNT_AHEAD}"
    last = -(-total // PAGE_SIZE)
    _, html = fetch(*big, f"{PAGE}?page={last}")
    assert group_counts(html)["rates domain"] == str(total)  # counted to the end: exact again
    assert f"Page {last} of {last}" in html
    assert 'rel="next"' not in html


def test_blank_node_subjects_are_not_counted() -> None:
    app, store = build(3, blank=4)
    _, html = fetch(app, store, PAGE)
    assert group_counts(html)["rates domain"] == str(
        distinct_iri_subjects(store, LHS + "ratesDomain")
    )
    assert "More than" not in html


def test_rows_fetched_do_not_grow_with_the_ratings_of_a_concept() -> None:
    small, _ = fetch(*build(2 * INCOMING_COUNT_AHEAD), PAGE)
    large, _ = fetch(*build(4 * INCOMING_COUNT_AHEAD), PAGE)
    assert small == large, f"{PAGE} fetched {small} rows, then {large} with twice the ratings"


def test_case_studies_are_not_looked_for_among_ratings(big: tuple[Flask, CountingStore]) -> None:
    app, _ = big
    with app.test_request_context(PAGE):
        skipped = not_case_study_links(get_reader())
    assert {LHS + "ratesDomain", LHS + "level"} <= skipped
    assert LHS + "showsLoopStage" not in skipped  # its domain is lhs:CaseStudy
    assert LHS + "country" not in skipped  # a union of classes: kept


def test_a_concept_page_still_lists_its_case_studies(big: tuple[Flask, CountingStore]) -> None:
    _, html = fetch(*big, "/concept/loop/practice-to-data")
    assert 'href="/case-study/improvecarenow"' in html.split('id="h-incoming"', 1)[0]


@pytest.mark.parametrize(
    "page",
    ["99999999999999999999", "-3", "0", "1e9", "abc", "%00", "2147483648"],
)
def test_hostile_page_numbers_on_a_bounded_count_are_a_page_not_an_error(
    big: tuple[Flask, CountingStore], page: str
) -> None:
    """The count's bound is computed from the page: any page number gives a page, never a 5xx."""
    app, _ = big
    response = app.test_client().get(f"{PAGE}?page={page}")
    assert response.status_code == 200, response.status_code
    assert group_counts(response.get_data(as_text=True))  # the incoming section is still there
