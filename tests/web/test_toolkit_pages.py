"""Toolkit pages (#14): guidance on every framework element, tools on their own pages and listed."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from tests.helpers import ONTOLOGY

FRAMEWORK = URIRef("https://w3id.org/lhs-kg/concept/framework")
BASE = "https://w3id.org/lhs-kg/"


def framework_elements() -> list[str]:
    """Paths of the concepts of the framework scheme (rings, elements, loop stages, domains)."""
    graph = Graph().parse(ONTOLOGY / "framework.ttl", format="turtle")
    return sorted(str(c)[len(BASE) - 1 :] for c in graph.subjects(SKOS.inScheme, FRAMEWORK))


@pytest.mark.parametrize("path", framework_elements())
def test_every_framework_element_page_shows_its_guidance(client: FlaskClient, path: str) -> None:
    """The concept page carries the guidance section with questions to ask."""
    page = client.get(path).get_data(as_text=True)
    assert 'id="h-guidance"' in page
    assert "Questions to ask" in page
    assert "Guidance based on:" in page


def test_an_element_page_links_the_tools_that_serve_it(client: FlaskClient) -> None:
    page = client.get("/concept/strategy/behaviour-change").get_data(as_text=True)
    assert "Tools that help" in page
    assert 'href="/tool/behaviour-change-wheel"' in page
    assert 'href="/tool/com-b-model"' in page


def test_a_tool_has_its_own_page_with_source_and_elements(client: FlaskClient) -> None:
    response = client.get("/tool/learning-network-maturity-grid")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "resource-tool" in page
    assert 'href="/source/lannon-2021"' in page
    assert 'href="/concept/strategy/evaluation-and-maturity"' in page
    assert 'href="/concept/effort/medium"' in page


def test_the_tool_list_shows_every_tool(client: FlaskClient) -> None:
    page = client.get("/tool/").get_data(as_text=True)
    assert page.count('href="/tool/') >= 40
    assert "Maturity model" in page


def test_an_unconfirmed_tool_says_so_on_its_page(client: FlaskClient) -> None:
    page = client.get("/tool/cfir").get_data(as_text=True)
    assert "Unconfirmed." in page
