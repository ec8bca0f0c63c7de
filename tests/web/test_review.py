"""Reviewing over HTTP: sign-in, the queue, decisions; unauthenticated or forged requests fail."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions.reviewers import hash_password, hash_token
from tests.contributions.conftest import payload
from tests.web.conftest import build_app

TOKEN = "reviewer-api-token-for-tests-0123456789abcdef"


@pytest.fixture
def app() -> Flask:
    """An app with one configured reviewer (password and API token), no development account."""
    app = build_app()
    app.config["REVIEWERS"] = {}
    from web.views.review import load_reviewers

    app.config["REVIEWERS"] = {
        "alice": {
            "password_hash": hash_password("correct horse"),
            "token_hashes": [hash_token(TOKEN)],
        }
    }
    app.extensions["lhs_kg_reviewers"] = load_reviewers(app)
    return app


def csrf(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1).decode()


def sign_in(client: FlaskClient, password: str = "correct horse") -> int:
    page = client.get("/review/login")
    answer = client.post(
        "/review/login",
        data={"csrf_token": csrf(page.data), "username": "alice", "password": password},
    )
    return answer.status_code


def submit(client: FlaskClient) -> str:
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert answer.status_code == 201
    return str(answer.get_json()["ref"])


def test_the_queue_needs_a_reviewer(client: FlaskClient) -> None:
    assert client.get("/review").status_code == 401
    assert client.get("/review/example-diabetes-network/v1").status_code == 401


def test_a_wrong_password_is_refused(client: FlaskClient) -> None:
    assert sign_in(client, "wrong") == 401
    assert client.get("/review").status_code == 401


def test_a_reviewer_sees_the_queue_with_report_and_diff_and_accepts(client: FlaskClient) -> None:
    ref = submit(client)
    assert sign_in(client) == 303
    queue = client.get("/review")
    assert queue.status_code == 200 and ref in queue.get_data(as_text=True)
    detail = client.get(f"/review/{ref}")
    html = detail.get_data(as_text=True)
    assert "Validation report" in html and "diff-added" in html and "alex@example.org" in html
    answer = client.post(f"/review/{ref}/accept", data={"csrf_token": csrf(detail.data)})
    assert answer.status_code == 303
    page = client.get("/case-study/example-diabetes-network")
    assert page.status_code == 200
    assert "Where each statement comes from" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("signed_in", "token", "status"),
    [
        pytest.param(False, None, 401, id="unauthenticated"),
        pytest.param(True, None, 403, id="no-csrf"),
        pytest.param(True, "forged", 403, id="forged-csrf"),
    ],
)
def test_unauthenticated_or_forged_decisions_are_refused(
    client: FlaskClient, signed_in: bool, token: str | None, status: int
) -> None:
    ref = submit(client)
    if signed_in:
        assert sign_in(client) == 303
    data = {"csrf_token": token} if token is not None else {}
    assert client.post(f"/review/{ref}/accept", data=data).status_code == status
    assert client.get("/case-study/example-diabetes-network").status_code == 404


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(f"Bearer {TOKEN}", 200, id="good-token"),
        pytest.param("Bearer not-a-reviewer-token", 403, id="bad-token"),
        pytest.param("Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", 401, id="basic-auth"),
    ],
)
def test_decisions_by_api_token(client: FlaskClient, header: str, status: int) -> None:
    ref = submit(client)
    answer = client.post(f"/review/{ref}/accept", headers={"Authorization": header})
    assert answer.status_code == status
    if status == 200:
        assert answer.get_json()["state"] == "published"


def test_reject_needs_a_reason_and_the_status_page_shows_it(client: FlaskClient) -> None:
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    ref, location = answer.get_json()["ref"], answer.headers["Location"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post(f"/review/{ref}/reject", headers=auth).status_code == 400
    answer = client.post(
        f"/review/{ref}/request-changes", headers=auth, json={"comment": "Cite the <b>report</b>"}
    )
    assert answer.status_code == 200
    html = client.get(location).get_data(as_text=True)
    assert "Cite the &lt;b&gt;report&lt;/b&gt;" in html
    assert (
        client.post(
            f"/review/{ref}/request-changes", headers=auth, json={"comment": "again"}
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/review/nope/v1/accept", id="unknown-version"),
        pytest.param("/review/example-diabetes-network/v1/publish", id="unknown-action"),
    ],
)
def test_unknown_targets_are_404(client: FlaskClient, path: str) -> None:
    submit(client)
    assert client.post(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_no_development_account_outside_debug_and_testing() -> None:
    from web.views.review import load_reviewers

    app = build_app()
    app.testing = False
    app.config["REVIEWERS"] = None
    assert not load_reviewers(app).current()


def test_a_clear_password_in_the_configuration_is_refused() -> None:
    from lhs_kg.contributions.reviewers import Reviewers
    from lhs_kg.errors import ConfigError

    with pytest.raises(ConfigError):
        Reviewers.from_mapping({"bob": {"password_hash": "hunter2"}})
