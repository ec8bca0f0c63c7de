"""The other hostile inputs of issue #12, sent over HTTP to a live ``lhs-kg serve``.

Huge integers, case-study ids outside our namespace, a large Turtle list for validation, the
protocol's charset and empty-form cases, CORS on every public read, no ``Host`` reflection,
SPARQL Update visibility while a contribution waits, and login throttling. Statuses are checked
by class where the exact code is the implementer's choice.
"""

from __future__ import annotations

import html
import json
import re
import time

import pytest
import requests
import yaml

from lhs_kg.contributions.reviewers import hash_password, hash_token
from tests.live.fuzz import ACCEPT
from tests.live.server import ROOT, UPDATE_TOKEN, LiveServer

pytestmark = pytest.mark.live

EXAMPLE = ROOT / "data" / "examples" / "case-study.json"
REVIEWER, PASSWORD, REVIEWER_TOKEN = "curator", "correct horse battery staple", "rt-" + "x" * 40
HUGE = "9" * 5000
EVIL_HOST = "evil.example"


@pytest.fixture(scope="module")
def live_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A reviewer account (password and API token) the module signs in with."""
    folder = tmp_path_factory.mktemp("reviewers")
    accounts = {
        REVIEWER: {
            "password_hash": hash_password(PASSWORD),
            "token_hashes": [hash_token(REVIEWER_TOKEN)],
        }
    }
    path = folder / "reviewers.json"
    path.write_text(json.dumps(accounts))
    return {"LHS_KG_REVIEWERS_FILE": str(path)}


def document(**changes: object) -> dict[str, object]:
    """The example contribution with some fields changed."""
    data: dict[str, object] = json.loads(EXAMPLE.read_text())
    data.update(changes)
    return data


def as_json_with_huge_year(data: dict[str, object]) -> tuple[str, bytes]:
    """(media type, body): JSON whose ``startYear`` is a 5,000-digit integer."""
    text = json.dumps({**data, "startYear": 2019})
    return "application/json", text.replace('"startYear": 2019', f'"startYear": {HUGE}').encode()


def as_yaml_with_huge_year(data: dict[str, object]) -> tuple[str, bytes]:
    """(media type, body): YAML whose ``startYear`` is a 5,000-digit integer."""
    text = yaml.safe_dump({**data, "startYear": 2019}, sort_keys=False)
    return "application/yaml", text.replace("startYear: 2019", f"startYear: {HUGE}").encode()


def waiting(server: LiveServer) -> list[dict[str, object]]:
    """The review queue (pending contributions), read with the reviewer's API token."""
    response = server.get(
        "/review",
        headers={"Accept": "application/json", "Authorization": f"Bearer {REVIEWER_TOKEN}"},
    )
    assert response.status_code == 200, response.text[:300]
    queue: list[dict[str, object]] = response.json()
    return queue


def ask(server: LiveServer, query: str) -> bool:
    """The boolean answer of an ASK query on the public endpoint."""
    response = server.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text[:300]
    return bool(response.json()["boolean"])


# -- numbers and ids -------------------------------------------------------------------------------


@pytest.mark.parametrize("encode", [as_json_with_huge_year, as_yaml_with_huge_year])
@pytest.mark.parametrize("path", ["/api/validate", "/api/contributions"])
def test_huge_integer_is_400_naming_the_field(
    live_server: LiveServer, path: str, encode: object
) -> None:
    media_type, body = encode(document(id="live-huge-integer"))  # type: ignore[operator]
    response = live_server.post(path, data=body, headers={"Content-Type": media_type})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "startYear" in response.text


@pytest.mark.parametrize(
    ("case_id", "trace"),
    [("../../../etc/passwd", "passwd"), ("https://evil.example/cs", "evil.example")],
)
def test_case_study_id_outside_our_namespace_is_refused_and_not_stored(
    live_server: LiveServer, case_id: str, trace: str
) -> None:
    before = waiting(live_server)
    response = live_server.post(
        "/api/contributions",
        data=json.dumps(document(id=case_id)).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    after = waiting(live_server)
    assert len(after) == len(before)
    assert not [v for v in after if trace in str(v.get("case_study"))]


# -- the SPARQL protocol ---------------------------------------------------------------------------


def test_query_declared_utf16_is_4xx(live_server: LiveServer) -> None:
    response = live_server.post(
        "/sparql",
        data="ASK { }".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=utf-16", "Accept": ACCEPT},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


@pytest.mark.parametrize("body", [b"", b"format=json"], ids=["empty", "format-only"])
def test_form_post_without_query_is_400(live_server: LiveServer, body: bytes) -> None:
    response = live_server.post(
        "/sparql",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
    )
    assert response.status_code == 400, (response.status_code, response.text[:300])


# -- headers on public reads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/concept/nasss/1A", "text/turtle"),
        ("/export", "*/*"),
        ("/.well-known/void", "text/turtle"),
    ],
)
def test_public_reads_carry_the_same_cors_header_as_sparql(
    live_server: LiveServer, path: str, accept: str
) -> None:
    sparql = live_server.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": ACCEPT})
    expected = sparql.headers["Access-Control-Allow-Origin"]
    with live_server.get(path, headers={"Accept": accept}, stream=True) as response:
        assert response.status_code == 200, response.status_code
        assert response.headers.get("Access-Control-Allow-Origin") == expected


@pytest.mark.parametrize(
    ("path", "accept"),
    [("/sparql", "text/turtle"), ("/dataset", "text/turtle"), ("/api/queries", "application/json")],
)
def test_host_header_is_not_reflected(live_server: LiveServer, path: str, accept: str) -> None:
    response = live_server.get(path, headers={"Accept": accept, "Host": EVIL_HOST})
    assert response.status_code < 500, response.text[:300]
    assert EVIL_HOST not in response.text
    assert EVIL_HOST not in response.headers.get("Location", "")


# -- updates and contributions ---------------------------------------------------------------------


def test_update_by_token_is_visible_to_the_next_query_while_a_contribution_is_pending(
    live_server: LiveServer,
) -> None:
    insert = 'INSERT DATA { <https://w3id.org/lhs-kg/test/live-a> <urn:p> "inserted" }'
    check = 'ASK { <https://w3id.org/lhs-kg/test/live-a> <urn:p> "inserted" }'
    submitted = live_server.post(
        "/api/contributions",
        data=json.dumps(document(id="live-pending-while-updating")).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert submitted.status_code == 201, submitted.text[:500]
    assert waiting(live_server), "the test needs a pending contribution"
    response = live_server.post(
        "/sparql",
        data=insert.encode(),
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {UPDATE_TOKEN}",
        },
    )
    assert response.status_code == 204, response.text[:300]
    assert ask(live_server, check)


# -- slow paths last -------------------------------------------------------------------------------


def test_validating_a_600kB_turtle_list_is_refused_in_bounded_time(live_server: LiveServer) -> None:
    items = " ".join(str(i) for i in range(110_000))
    body = f"@prefix ex: <urn:ex:> .\nex:s ex:p ( {items} ) .\n".encode()
    assert 600_000 <= len(body) < 1_000_000  # under the 1 MB upload limit, as observed
    started = time.monotonic()
    try:
        response = requests.post(
            f"{live_server.url}/api/validate",
            data=body,
            headers={"Content-Type": "text/turtle"},
            timeout=90,
        )
    except requests.Timeout:
        pytest.fail("no answer within 90 s")
    seconds = time.monotonic() - started
    print(f"600 kB Turtle list: {response.status_code} in {seconds:.1f} s")
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert seconds < 20
    assert live_server.alive(), live_server.crashed()


# -- the self-assessment handed to the contribution form (#16) ------------------------------

HANDED_RATINGS = [
    {"domain": "1", "level": "complex", "justification": "Several conditions at once."},
    {"domain": "2", "level": "complicated", "justification": "Two record systems."},
]
HANDED = {
    "basis": "self-assessment",
    "date": "2026-12-01",
    "coverageNote": "Only the condition and the technology are rated.",
    "ratings": HANDED_RATINGS,
    "previousAssessment": {
        "basis": "self-assessment",
        "date": "2025-06-01",
        "coverageNote": "Only the condition was rated then.",
        "ratings": [{"domain": "1", "level": "simple", "justification": "One clear diagnosis."}],
        "previousAssessment": {"basis": "self-assessment", "date": "2024-05-01", "ratings": []},
    },
}
CARRIED = "assessment-previousAssessment"


def handed_over_form(server: LiveServer, slug: str) -> tuple[dict[str, str], str]:
    """(the inputs a team sends after the hand-over, the carried history as the page holds it)."""
    page = server.post(
        "/assess/contribute", data={"assessment": json.dumps(HANDED), "initiative": slug}
    )
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    carried = re.search(rf'name="{CARRIED}" value="([^"]*)"', page.text)
    assert token and carried, "the form lost the CSRF token or the carried history"
    typed = {
        "csrf_token": token.group(1),
        "id": slug,
        "title": "Falls prevention handed over with its history",
        "description": "Care homes and community teams test one change to prevent falls.",
        "organisation-0-id": "improvecarenow",
        "country-0": "GB",
        "loopStages": "P2D",
        "sources": "foley-vale-2022",
        "contributor-name": "Team Lead",
        "contributor-email": "lead@example.org",
        "licence": "CC-BY-4.0",
        "assessment-basis": "self-assessment",
        "assessment-date": "2026-12-01",
        "assessment-coverageNote": "Only the condition and the technology are rated.",
    }
    for row, rating in enumerate(HANDED_RATINGS):
        for key in ("domain", "level", "justification"):
            typed[f"assessment-ratings-{row}-{key}"] = rating[key]
    return typed, html.unescape(carried.group(1))


def test_a_tampered_history_is_refused_and_the_genuine_one_survives_review(
    live_server: LiveServer,
) -> None:
    slug = "handed-over-with-history"
    typed, carried = handed_over_form(live_server, slug)
    before = len(waiting(live_server))
    tampered = live_server.post(
        "/contribute", data={**typed, CARRIED: "{oops"}, allow_redirects=False
    )
    assert tampered.status_code == 400, tampered.text[:300]
    assert "does not hold a JSON object" in tampered.text
    assert "Traceback" not in tampered.text
    assert len(waiting(live_server)) == before
    sent = live_server.post("/contribute", data={**typed, CARRIED: carried}, allow_redirects=False)
    assert sent.status_code == 303, re.findall(r"<li>[^<]*</li>", sent.text)[:8]
    decided = live_server.post(
        f"/review/{slug}/v1/accept",
        json={"comment": "history kept"},
        headers={"Authorization": f"Bearer {REVIEWER_TOKEN}"},
    )
    assert decided.status_code == 200, decided.text[:300]
    lhs = "https://w3id.org/lhs-kg/ontology/"
    assert ask(
        live_server,
        f"ASK {{ <https://w3id.org/lhs-kg/case-study/{slug}> <{lhs}hasAssessment>"
        f"/<{lhs}previousAssessment>/<{lhs}previousAssessment> ?a . "
        '?a <http://purl.org/dc/terms/date> ?d FILTER(STR(?d) = "2024-05-01") }',
    )


def test_login_is_throttled_after_repeated_wrong_passwords(live_server: LiveServer) -> None:
    session = requests.Session()
    page = session.get(f"{live_server.url}/review/login", timeout=30)
    assert page.status_code == 200, (page.status_code, page.text[:300])
    found = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    assert found, "the login form carries no CSRF token"
    statuses = []
    for attempt in range(30):
        answer = session.post(
            f"{live_server.url}/review/login",
            data={
                "csrf_token": found.group(1),
                "username": REVIEWER,
                "password": f"wrong-{attempt}",
                "next": "/review",
            },
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(answer.status_code)
    assert statuses[0] == 401, statuses
    assert 429 in statuses, statuses
    assert all(s in (401, 429) for s in statuses), statuses


def test_the_server_survived_the_module(live_server: LiveServer) -> None:
    assert live_server.alive(), live_server.crashed()
