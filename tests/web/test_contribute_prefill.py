"""GET /contribute?…: a link pre-fills the form with the inputs a post would send; anything the
form could not have produced is refused (400) with a readable message and nothing shown filled."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("loopStages=XX", "is not one of the choices", id="unknown-choice"),
        pytest.param("scale=nowhere", "is not one of the choices", id="unknown-select"),
        pytest.param("nope=1", "Unknown field", id="unknown-input"),
        pytest.param("NEAR(=1", "Unknown field", id="syntax-as-name"),
        pytest.param("%00=1", "Unknown field", id="nul-name"),
        pytest.param("add=outcomes", "cannot be pre-filled", id="add-button"),
        pytest.param("csrf_token=x", "cannot be pre-filled", id="csrf-token"),
        pytest.param("scale=team&scale=national", "sent 2 times", id="twice"),
        pytest.param("assessment-ratings-999-domain=1", "over the limit", id="absurd-row"),
        pytest.param("outcomes-007-label=x", "without leading zeros", id="leading-zero"),
        pytest.param("title=a%00b", "control character", id="nul-value"),
        pytest.param("title=" + "x" * 20_001, "longer than", id="huge-value"),
        pytest.param(
            "assessment-ratings-0-subdomain=%3Cscript%3E", "is not one of", id="markup-choice"
        ),
    ],
)
def test_hostile_prefill_is_refused_readably(client: FlaskClient, query: str, message: str) -> None:
    response = client.get("/contribute?" + query)
    assert response.status_code == 400
    body = response.data.decode()
    assert "cannot pre-fill the contribution form" in body
    assert message in body
    assert "Traceback" not in body
    assert "<script>" not in body


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="no-prefill"),
        pytest.param("loopStages=P2D&loopStages=K2P", id="two-stages"),
        pytest.param("assessment-ratings-6-domain=7", id="last-domain-row-alone"),
        pytest.param("title=%3Cb%3Ebold%3C%2Fb%3E", id="markup-text-escaped"),
    ],
)
def test_valid_prefill_shows_the_form(client: FlaskClient, query: str) -> None:
    response = client.get("/contribute?" + query)
    assert response.status_code == 200
    body = response.data.decode()
    assert 'name="csrf_token"' in body
    assert "<b>bold</b>" not in body
