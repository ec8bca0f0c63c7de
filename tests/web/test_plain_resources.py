"""Resource pages in plain language (#15): readable property labels, formatted values, a
concept's own branch of its scheme, counts in good English, and the RDF one click away."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.helpers import visible_text


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_concept_page_shows_its_own_branch_only(client: FlaskClient) -> None:
    page = _page(client, "/concept/nasss/1A")
    tree = page.split('<details class="scheme-tree"', 1)[1].split("</details>", 1)[0]
    assert 'href="/concept/nasss/1B"' in tree  # a sibling in the same branch
    assert 'href="/concept/nasss/1"' in tree  # the branch's top concept
    assert 'href="/concept/nasss/2A"' not in tree  # another domain's subdomain: not expanded
    assert 'href="/concept/nasss">See the whole scheme</a>' in tree


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        pytest.param("/concept/nasss/1A", "One link points here.", id="one"),
        pytest.param("/organisation/swedeheart", "One link points here.", id="one-org"),
        pytest.param("/concept/framework", "32 links point here.", id="many"),
    ],
)
def test_incoming_count_in_good_english(client: FlaskClient, url: str, sentence: str) -> None:
    text = visible_text(_page(client, url))
    assert sentence in text
    assert "1 link point here" not in text


@pytest.mark.parametrize(
    ("url", "label"),
    [
        pytest.param("/tool/nasss-framework", "rights", id="reused-dcterms"),
        pytest.param("/ontology/stageOrder", "whole number", id="xsd-range"),
        pytest.param("/ontology/stageOrder", "applies to", id="rdfs-domain"),
        pytest.param("/concept/nasss/1A", "simple anchor", id="ontology-rdfs-label"),
        pytest.param("/organisation/learning-healthcare-project", "funder", id="schema"),
        pytest.param("/source/canonical-lhs-literature", "organisation", id="foaf-class"),
    ],
)
def test_properties_and_types_have_readable_labels(
    client: FlaskClient, url: str, label: str
) -> None:
    text = visible_text(_page(client, url))
    assert label in text
    assert not re.search(r"\b(?:dcterms|rdfs|xsd|owl):", text)


def test_rdf_stays_one_click_away(client: FlaskClient) -> None:
    page = _page(client, "/case-study/swedeheart")
    for suffix in (".ttl", ".jsonld", ".nt", ".rdf"):
        assert f'href="/case-study/swedeheart{suffix}"' in page
    assert client.get("/case-study/swedeheart.ttl").mimetype == "text/turtle"


def test_source_year_is_a_year(client: FlaskClient) -> None:
    text = visible_text(_page(client, "/source/greenhalgh-2017"))
    assert "issued 2017 " in text and "2,017" not in text


def test_licence_is_named_not_shown_as_an_address(client: FlaskClient) -> None:
    text = visible_text(_page(client, "/case-study/swedeheart"))
    assert "Licence CC BY 4.0 (Creative Commons Attribution)" in text
    assert "creativecommons.org" not in text
