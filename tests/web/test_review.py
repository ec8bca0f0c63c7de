"""Reviewing over HTTP: sign-in, the queue, decisions; unauthenticated or forged requests fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions.reviewers import hash_password, hash_token
from tests.helpers import build_app, payload

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


# -- session hardening (#12) -------------------------------------------------------------------


def attempt(
    client: FlaskClient, name: str, password: str, address: str = "192.0.2.1"
) -> tuple[int, str | None]:
    """One sign-in from ``address``: the status and its Retry-After."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/review/login", environ_base=environ)
    answer = client.post(
        "/review/login",
        data={"csrf_token": csrf(page.data), "username": name, "password": password},
        environ_base=environ,
    )
    return answer.status_code, answer.headers.get("Retry-After")


class Clock:
    """A hand-moved clock for the throttle's window."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Replace the app's login throttle by one on a hand-moved clock (same limits)."""
    from web.login_throttle import LoginThrottle

    moved = Clock()
    app.extensions["lhs_kg_login_throttle"] = LoginThrottle(5, 20, 900.0, clock=moved)
    return moved


def test_thirty_wrong_passwords_in_a_row_get_429s(client: FlaskClient) -> None:
    answers = [attempt(client, "alice", f"guess-{n}") for n in range(30)]
    assert [status for status, _ in answers[:5]] == [401] * 5
    assert all(status == 429 for status, _ in answers[5:])
    assert all(wait is not None and 0 < int(wait) <= 900 for _, wait in answers[5:])


def test_a_correct_password_after_lockout_is_refused_until_the_window_passes(
    client: FlaskClient, clock: Clock
) -> None:
    for n in range(5):
        assert attempt(client, "alice", f"guess-{n}")[0] == 401
    assert attempt(client, "alice", "correct horse")[0] == 429
    clock.now += 899
    assert attempt(client, "alice", "correct horse")[0] == 429
    clock.now += 2
    assert attempt(client, "alice", "correct horse")[0] == 303


def test_a_different_account_from_the_same_address_is_limited_by_the_address_rule(
    client: FlaskClient, clock: Clock
) -> None:
    for n in range(20):  # four failures on each of five names: no account reaches its limit
        assert attempt(client, f"user{n % 5}", "wrong")[0] == 401
    assert attempt(client, "alice", "correct horse")[0] == 429
    assert attempt(client, "alice", "correct horse", address="192.0.2.99")[0] == 303


def test_a_success_clears_the_account_count_but_not_the_address_count(
    client: FlaskClient, clock: Clock
) -> None:
    for n in range(4):
        assert attempt(client, "alice", f"guess-{n}")[0] == 401
    assert attempt(client, "alice", "correct horse")[0] == 303
    for n in range(4):  # the account starts again from zero
        assert attempt(client, "alice", f"again-{n}")[0] == 401
    for n in range(12):  # the address has now 20 failures
        attempt(client, f"other{n}", "wrong")
    assert attempt(client, "alice", "correct horse")[0] == 429


def test_the_session_cookie_no_longer_works_after_logout(app: Flask) -> None:
    client = app.test_client()
    assert sign_in(client) == 303
    stolen = client.get_cookie("session")
    assert stolen is not None
    queue = client.get("/review")
    assert queue.status_code == 200
    assert client.post("/review/logout", data={"csrf_token": csrf(queue.data)}).status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", stolen.value)
    assert replay.get("/review").status_code == 401
    assert sign_in(client) == 303  # signing in again gives a working session
    assert client.get("/review").status_code == 200


def test_a_reviewer_added_to_the_file_signs_in_without_a_restart(tmp_path: Path) -> None:
    from lhs_kg.contributions.reviewers import ReviewersFile
    from web.views.review import load_reviewers

    app = build_app()
    path = tmp_path / "reviewers.json"
    app.config.update(REVIEWERS=None, REVIEWERS_FILE=str(path))
    app.extensions["lhs_kg_reviewers"] = load_reviewers(app)
    client = app.test_client()
    accounts = ReviewersFile(path)
    accounts.set_password("alice", "correct horse")
    assert sign_in(client) == 303
    assert client.get("/review").status_code == 200
    accounts.remove("alice")
    assert client.get("/review").status_code == 401


def test_review_show_as_json_has_record_report_and_diff(client: FlaskClient) -> None:
    ref = submit(client)
    answer = client.get(
        f"/review/{ref}",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
    )
    assert answer.status_code == 200
    record = answer.get_json()
    assert record["ref"] == ref and record["state"] == "pending"
    assert record["contributor_email"] == "alex@example.org"
    assert "violations" in record["report"]
    assert any(change["sign"] == "+" for change in record["changes"])
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("admin", "token", "recorded"),
    [
        pytest.param(True, "local-admin-token-0123456789", "carol (command line)", id="admin"),
        pytest.param(False, TOKEN, "alice", id="reviewer-token-ignores-the-header"),
    ],
)
def test_the_acting_reviewer_header_counts_with_the_admin_token_only(
    app: Flask, client: FlaskClient, admin: bool, token: str, recorded: str
) -> None:
    from lhs_kg.contributions import Contributions
    from lhs_kg.contributions.reviewers import ACTING_HEADER
    from web.settings import ADMIN_TOKEN_HASH

    if admin:
        app.extensions[ADMIN_TOKEN_HASH] = hash_token(token)
    ref = submit(client)
    answer = client.post(
        f"/review/{ref}/accept",
        headers={"Authorization": f"Bearer {token}", ACTING_HEADER: "carol (command line)"},
    )
    assert answer.status_code == 200
    decisions = Contributions(app.extensions["lhs_kg"]).get(ref).decisions
    assert decisions[-1].by == recorded


def test_an_admin_token_is_refused_when_the_server_installed_none(client: FlaskClient) -> None:
    ref = submit(client)
    answer = client.post(
        f"/review/{ref}/accept", headers={"Authorization": "Bearer local-admin-token-0123456789"}
    )
    assert answer.status_code == 403


HOW_TO_ADD = "lhs-kg review add-reviewer NAME"


@pytest.mark.parametrize("path", ["/review/login", "/review"])
def test_without_any_account_the_sign_in_page_says_how_to_make_one(
    tmp_path: Path, path: str
) -> None:
    """A fresh ``make run`` has no reviewer: the page a curator lands on names the command."""
    from web.views.review import load_reviewers

    app = build_app()
    app.config.update(REVIEWERS=None, REVIEWERS_FILE=str(tmp_path / "none.json"))
    app.config.update(DEV_REVIEWER=False)
    app.extensions["lhs_kg_reviewers"] = load_reviewers(app)
    page = app.test_client().get(path).get_data(as_text=True)
    assert HOW_TO_ADD in page


def test_with_an_account_the_sign_in_page_keeps_quiet_about_setup(client: FlaskClient) -> None:
    page = client.get("/review/login").get_data(as_text=True)
    assert "Reviewer name" in page
    assert HOW_TO_ADD not in page


def test_every_page_links_to_the_reviewers_sign_in(client: FlaskClient) -> None:
    assert 'href="/review/login"' in client.get("/").get_data(as_text=True)
