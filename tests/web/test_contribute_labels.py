"""The contribution form labels a field "(required)" only when leaving it out stops the
contribution, and "(recommended)" when a shape only warns (#16): the labels come from the same
model as the docs (a minimum count with warning severity is advice), and a post proves each."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import build_app

COMPLETE = {
    "title": "Labels test network",
    "description": "Care homes and community teams test one change to prevent falls each month.",
    "organisation-0-id": "improvecarenow",
    "country-0": "GB",
    "loopStages": "P2D",
    "sources": "foley-vale-2022",
    "assessment-basis": "curator-reading",
    "assessment-coverageNote": "Only the condition is rated: the sources say nothing more.",
    "assessment-ratings-0-domain": "1",
    "assessment-ratings-0-level": "complex",
    "assessment-ratings-0-justification": "Several conditions at once.",
    "contributor-name": "Team Lead",
    "contributor-email": "lead@example.org",
    "licence": "CC-BY-4.0",
}


@pytest.fixture(scope="module")
def writable() -> Iterator[Flask]:
    """An app of its own: the posts that succeed are stored."""
    yield build_app()


def label(page: str, name: str) -> str:
    """The word in parentheses after an input's label ('' when none)."""
    found = re.search(rf'<label for="f-{name}">[^<]*(?:<span class="req">\((\w+)\)</span>)?', page)
    assert found, f"no label for {name}"
    return found.group(1) or ""


def post_without(client: FlaskClient, name: str, slug: str) -> int:
    """The status of a complete contribution sent without ``name``."""
    page = client.get("/contribute").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    values = {k: v for k, v in COMPLETE.items() if k != name}
    answer = client.post("/contribute", data={**values, "id": slug, "csrf_token": token.group(1)})
    return answer.status_code


@pytest.mark.parametrize(
    ("name", "word", "status"),
    [
        pytest.param("title", "required", 422, id="title"),
        pytest.param("country-0", "required", 422, id="country"),
        pytest.param("contributor-email", "required", 422, id="email"),
        pytest.param("description", "recommended", 303, id="description"),
        pytest.param("assessment-ratings-0-justification", "recommended", 303, id="justification"),
    ],
)
def test_a_label_says_what_leaving_the_field_out_does(
    writable: Flask, name: str, word: str, status: int
) -> None:
    client = writable.test_client()
    assert label(client.get("/contribute").get_data(as_text=True), name) == word
    assert post_without(client, name, f"labels-{name.replace('-', '')}") == status


def test_the_complete_contribution_is_accepted_for_review(writable: Flask) -> None:
    """The baseline the cases above take one field from."""
    assert post_without(writable.test_client(), "", "labels-complete") == 303
