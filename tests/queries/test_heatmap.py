"""The NASSS heat map is defined once, by the named query ``nasss-heatmap``, and the page reads it.

Regression (#13): the page's own query left subdomain ratings out and the named query counted
them, so a case study rating domain 7 simple and subdomain 7A complex was "complex in 7" for the
named query and "simple in 7" on the page. The decision: a cell is the level of the case study's
*domain* rating; a subdomain rating (which names its domain too) is not a second domain rating.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lhs_kg.describe import casestudies
from lhs_kg.describe.base import Reader
from lhs_kg.kb import KnowledgeBase
from tests.helpers import TESTS, new_content_kb

FIXTURE = TESTS / "queries" / "data" / "heatmap-subdomain.ttl"
CS = "https://w3id.org/lhs-kg/case-study/"


@pytest.fixture(scope="module")
def kb() -> Iterator[KnowledgeBase]:
    """The repository content plus a case study that rates a domain and one of its subdomains."""
    with new_content_kb() as base:
        base.load(FIXTURE, graph="https://w3id.org/lhs-kg/graph/data/tests/heatmap-subdomain")
        yield base


def cells(kb: KnowledgeBase) -> dict[str, dict[str, str]]:
    """The named query's cells: case study slug → domain notation → level id."""
    found: dict[str, dict[str, str]] = {}
    for row in kb.query_named("nasss-heatmap").rows():
        levels = found.setdefault(row["caseStudy"].value[len(CS) :], {})
        levels[row["domainNotation"].value] = row["level"].value.rsplit("/", 1)[1]
    return found


def test_heatmap_counts_a_domain_rating_not_its_subdomain_ratings(kb: KnowledgeBase) -> None:
    rows = [
        r
        for r in kb.query_named("nasss-heatmap").rows()
        if r["caseStudy"].value == CS + "heatmap-fixture"
    ]
    assert [(r["domainNotation"].value, r["level"].value.rsplit("/", 1)[1]) for r in rows] == [
        ("7", "simple")
    ]


def test_the_page_shows_the_cells_of_the_named_query(kb: KnowledgeBase) -> None:
    page = casestudies.heatmap(Reader(kb))
    shown = {row.iri[len(CS) :]: row.levels for row in page.rows if row.levels}
    assert shown == cells(kb)
    assert shown["heatmap-fixture"] == {"7": "simple"}
