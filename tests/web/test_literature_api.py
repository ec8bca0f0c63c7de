"""``POST /api/sources/import``: reference files through the API, checked and deduplicated."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions import Contributions
from tests.helpers import TEST_DATA, build_app
from web.engine import get_kb

DATA = TEST_DATA / "literature"
WHO = {"X-Contributor-Name": "Alex Example", "X-Contributor-Email": "alex@example.org"}
EXPECTED: dict[str, str] = json.loads((DATA / "invalid" / "expected.json").read_text("utf-8"))


@pytest.fixture
def app() -> Flask:
    """An app of its own: these tests store contributions."""
    return build_app()


@pytest.fixture
def writer(app: Flask) -> FlaskClient:
    return app.test_client()


def stored(app: Flask) -> int:
    """How many contribution versions the app's store holds."""
    with app.app_context():
        return len(Contributions(get_kb()).versions())


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("refs.bib", "application/x-bibtex"),
        ("refs.ris", "application/x-research-info-systems"),
        ("refs.json", "application/vnd.citationstyles.csl+json"),
    ],
)
def test_a_reference_file_is_stored_for_review_without_known_sources(
    app: Flask, writer: FlaskClient, name: str, media_type: str
) -> None:
    body = (DATA / name).read_bytes()
    first = writer.post("/api/sources/import", data=body, content_type=media_type, headers=WHO)
    assert first.status_code == 201, first.get_data(as_text=True)
    answer = first.get_json()
    assert answer["ref"].startswith("source-list.")
    assert [a["key"] for a in answer["added"]] == ["example2024"]
    assert [d["key"] for d in answer["duplicates"]] == ["foleyvale"]
    again = writer.post("/api/sources/import", data=body, content_type=media_type, headers=WHO)
    assert again.status_code == 200
    assert again.get_json()["stored"] is False
    assert again.get_json()["added"] == []
    assert stored(app) == 1


@pytest.mark.parametrize("name", ["bibtex-unclosed-brace.bib", "csl-doi-with-prefix.json"])
def test_a_malformed_file_is_refused_naming_entry_and_field(
    app: Flask, writer: FlaskClient, name: str
) -> None:
    body = (DATA / "invalid" / name).read_bytes()
    fmt = "bibtex" if name.endswith(".bib") else "csl-json"
    answer = writer.post(
        f"/api/sources/import?format={fmt}", data=body, content_type="text/plain", headers=WHO
    )
    assert answer.status_code == 422
    problems = answer.get_json()["problems"]
    named = {f"entry {p['key']}, field {p['field']}" for p in problems}
    assert EXPECTED[name] in named
    assert stored(app) == 0


def test_an_unknown_format_and_an_anonymous_import_are_refused(writer: FlaskClient) -> None:
    body = (DATA / "refs.bib").read_bytes()
    unknown = writer.post("/api/sources/import", data=body, content_type="text/plain", headers=WHO)
    assert unknown.status_code == 415
    anonymous = writer.post("/api/sources/import", data=body, content_type="application/x-bibtex")
    assert anonymous.status_code == 400


def _form(client: FlaskClient) -> str:
    """The CSRF token the import page hands out."""
    page = client.get("/import-sources").get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_the_import_page_stores_a_file_and_shows_a_malformed_one(
    app: Flask, writer: FlaskClient
) -> None:
    """The web form: a malformed file lists entry and field and stores nothing; a good one
    goes to review and the contributor lands on its status page."""
    token = _form(writer)
    fields = {"csrf_token": token, "name": "Alex Example", "email": "alex@example.org"}
    bad = (DATA / "invalid" / "bibtex-doi-as-resolver-url.bib").read_bytes()
    sent = writer.post(
        "/import-sources",
        data={**fields, "licence": "CC-BY-4.0", "file": (io.BytesIO(bad), "refs.bib")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 422
    assert EXPECTED["bibtex-doi-as-resolver-url.bib"] in sent.get_data(as_text=True)
    assert stored(app) == 0
    good = (DATA / "refs.bib").read_bytes()
    sent = writer.post(
        "/import-sources",
        data={**fields, "licence": "CC-BY-4.0", "file": (io.BytesIO(good), "refs.bib")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    assert "/contributions/" in sent.headers["Location"]
    assert stored(app) == 1
