"""Content negotiation (``web.negotiation``): Werkzeug's Accept parsing and matching, our offers.

The cases were written for the negotiator lhs-kg had before it used Werkzeug's ``MIMEAccept``
(RFC 9110 §12.5.1: q-values, the most specific range decides, ``q=0`` excludes, the server's
order breaks ties); Werkzeug gives the same answer to every one. Where the two differ, the
difference is pinned below with the reason it is acceptable.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from lhs_kg.formats import GRAPH_FORMATS, JSON, PAGE, Format, rdf_format
from web.negotiation import best, choose, offers


def accept(header: str | None) -> MIMEAccept:
    """The Accept header as Flask's request parses it."""
    return parse_accept_header(header, MIMEAccept)


TURTLE, JSONLD, HTML = "text/turtle", "application/ld+json", "text/html"


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        pytest.param(None, [HTML, TURTLE], HTML, id="no-header-server-order"),
        pytest.param("*/*", [TURTLE, HTML], TURTLE, id="anything-server-order"),
        pytest.param(TURTLE, [HTML, TURTLE], TURTLE, id="exact"),
        pytest.param("TEXT/Turtle", [HTML, TURTLE], TURTLE, id="exact-any-case"),
        pytest.param("application/*", [HTML, JSONLD], JSONLD, id="type-wildcard"),
        pytest.param("text/*;q=0.5, */*;q=0.1", [JSONLD, HTML], HTML, id="wildcard-beats-any"),
        pytest.param(f"{HTML};q=0.4, {TURTLE};q=0.8", [HTML, TURTLE], TURTLE, id="higher-q"),
        pytest.param(f"{HTML};q=0.8, {TURTLE};q=0.4", [TURTLE, HTML], HTML, id="higher-q-2"),
        pytest.param(f"{HTML}, {TURTLE}", [TURTLE, HTML], TURTLE, id="tie-server-order"),
        pytest.param(f"{HTML}, {TURTLE}", [HTML, TURTLE], HTML, id="tie-server-order-2"),
        pytest.param(f"{HTML};q=0", [HTML], None, id="q-zero-excludes"),
        pytest.param(f"*/*, {HTML};q=0", [HTML, TURTLE], TURTLE, id="q-zero-beats-wildcard"),
        pytest.param(f"text/*, {HTML};q=0", [HTML, TURTLE], TURTLE, id="q-zero-beats-type"),
        pytest.param("text/*;q=0, */*", [HTML, JSONLD], JSONLD, id="type-q-zero"),
        pytest.param(
            f"{HTML};q=0.1, text/*", [HTML, TURTLE], TURTLE, id="most-specific-range-decides"
        ),
        pytest.param(
            "*/*;q=0.9, text/*;q=0.2", [HTML, JSONLD], JSONLD, id="type-range-decides-over-any"
        ),
        pytest.param("text/*;q=0.2, */*;q=0.9", [HTML, JSONLD], JSONLD, id="order-does-not-matter"),
        pytest.param(
            f"{HTML};q=0.3, */*;q=0.9", [HTML, TURTLE], TURTLE, id="exact-decides-over-any"
        ),
        pytest.param(
            f"{TURTLE};q=0.001, {HTML};q=0", [HTML, TURTLE], TURTLE, id="tiny-q-still-acceptable"
        ),
        pytest.param(
            f"{HTML};q=0.5, {HTML};q=0.9, {TURTLE};q=0.7",
            [TURTLE, HTML],
            HTML,
            id="a-range-given-twice-counts-with-its-best-q",
        ),
        pytest.param("a/*", [HTML, "a/b/c"], "a/b/c", id="main-type-is-before-the-first-slash"),
        pytest.param("image/png", [HTML, TURTLE], None, id="nothing-acceptable"),
        pytest.param("text/*", [JSONLD], None, id="other-type-not-acceptable"),
        pytest.param("text", [HTML], None, id="malformed-header-accepts-nothing"),
        pytest.param(HTML, [], None, id="no-offers"),
        pytest.param("text/html-x", [HTML], None, id="no-prefix-match"),
        pytest.param("text/htm", [HTML], None, id="no-prefix-match-2"),
        pytest.param("*/html", [HTML], None, id="subtype-wildcard-is-not-a-range"),
    ],
)
def test_best(header: str | None, offers: list[str], expected: str | None) -> None:
    assert best(accept(header), offers) == expected


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        pytest.param(
            f"*/*, {TURTLE}", [HTML, TURTLE], TURTLE, id="a-tie-goes-to-the-range-that-names-it"
        ),
        pytest.param(
            f"{HTML};q=abc, */*;q=0.1", [HTML, TURTLE], HTML, id="a-malformed-q-drops-the-item"
        ),
        pytest.param(f"{TURTLE};q=2, {HTML};q=0.5", [TURTLE, HTML], HTML, id="q-above-1-dropped"),
    ],
)
def test_where_werkzeug_answers_differently(header: str, offers: list[str], expected: str) -> None:
    """Before: the server's order, q=0, q=1. Werkzeug's answers follow what the client named,
    and malformed items are ignored (RFC 9110 gives them no meaning)."""
    assert best(accept(header), offers) == expected


PAGES_AND_GRAPHS: tuple[Format, ...] = (PAGE, *GRAPH_FORMATS)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, "html", id="no-accept-first-offer"),
        pytest.param("text/plain", "nt", id="an-alias-type-of-n-triples"),
        pytest.param("application/xml", "rdfxml", id="an-alias-type-of-rdf-xml"),
        pytest.param("application/xhtml+xml", "html", id="an-alias-type-of-a-page"),
        pytest.param("text/html;q=0, */*;q=0.1", "ttl", id="canonical-types-before-aliases"),
        pytest.param("image/png", None, id="none"),
    ],
)
def test_choose_offers_every_type_of_the_table(header: str | None, expected: str | None) -> None:
    app = Flask(__name__)
    headers = {"Accept": header} if header else {}
    with app.test_request_context(headers=headers):
        chosen = choose(PAGES_AND_GRAPHS)
    assert (chosen.name if chosen else None) == expected


def test_offers_lists_canonical_types_first() -> None:
    listed = offers((PAGE, JSON, rdf_format("ttl")))
    assert listed[:3] == ["text/html", "application/json", "text/turtle"]
    assert set(listed[3:]) == {"application/xhtml+xml", "application/x-turtle"}
