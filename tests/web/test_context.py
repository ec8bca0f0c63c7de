"""The JSON-LD context is served at the IRIs documents name it by."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.helpers import ONTOLOGY

CONTEXT_FILE = ONTOLOGY / "context.jsonld"


@pytest.mark.parametrize("path", ["/context.jsonld", "/ontology/context.jsonld"])
def test_the_context_is_served_as_json_ld(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.data) == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
