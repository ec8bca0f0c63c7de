"""Every write renews what pages and the SPARQL endpoint derived, with no call from a view.

Pages and ``/sparql`` keep the published view for as long as the store's generation (counted
by the embedded store, kept in the store on a remote one, #16) stays the same. Each write path
is taken here, through the web app and beside it, on both kinds of store, and the next read must
see it. Regression: views had to remember ``published_view_changed()`` after each write
(5 call sites); a write that forgot it stayed invisible on a remote store for up to 10 s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions
from lhs_kg.contributions.reviewers import hash_token
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import Store
from tests.helpers import payload
from web import create_app

UPDATE_TOKEN = "s3cret-token-for-updates"
REVIEW_TOKEN = "reviewer-api-token-for-tests-0123456789abcdef"
CASE = "https://w3id.org/lhs-kg/case-study/example-diabetes-network"
PAGE = "/case-study/example-diabetes-network"
S, P = "https://example.org/written", "https://example.org/p"


@pytest.fixture
def app(store: Store) -> Iterator[Flask]:
    """The app over ``store`` (embedded and remote), with a reviewer and an update token."""
    settings = Settings(store="memory").with_overrides(sparql_update_token=UPDATE_TOKEN)
    kb = KnowledgeBase(settings, store=store)
    kb.rebuild()
    made = create_app(
        {
            "TESTING": True,
            "LHS_KG_SETTINGS": settings,
            "LHS_KG_KB": kb,
            "CONTRIBUTION_RATE_LIMIT": 1000,
            "REVIEWERS": {"alice": {"token_hashes": [hash_token(REVIEW_TOKEN)]}},
        }
    )
    from web.views.review import load_reviewers

    made.extensions["lhs_kg_reviewers"] = load_reviewers(made)
    yield made


def ask(client: FlaskClient, query: str) -> bool:
    answer = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return bool(answer.get_json()["boolean"])


def published(client: FlaskClient) -> bool:
    """Whether the case study is public, asked of the endpoint and of its page alike."""
    by_query = ask(client, f"ASK {{ <{CASE}> ?p ?o }}")
    status = client.get(PAGE).status_code
    assert status in (200, 404)
    assert by_query == (status == 200), "the page and the endpoint disagree"
    return by_query


def submit(client: FlaskClient) -> str:
    answer = client.post("/api/contributions", data=payload(), content_type="application/json")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return str(answer.get_json()["ref"])


def decide_over_http(client: FlaskClient, ref: str, action: str) -> None:
    answer = client.post(
        f"/review/{ref}/{action}",
        json={"comment": "checked"},
        headers={"Authorization": f"Bearer {REVIEW_TOKEN}"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def decide_beside(app: Flask, ref: str, action: str) -> None:
    Contributions(app.extensions["lhs_kg"]).decide(ref, action, "curator", "checked")


Decide = Callable[[Flask, FlaskClient, str, str], None]
DECIDERS = [
    pytest.param(lambda app, client, ref, act: decide_over_http(client, ref, act), id="review-api"),
    pytest.param(lambda app, client, ref, act: decide_beside(app, ref, act), id="engine"),
]


@pytest.mark.parametrize("decide", DECIDERS)
def test_accept_then_withdraw_shows_at_once(app: Flask, decide: Decide) -> None:
    client = app.test_client()
    assert not published(client)  # the view is now derived and kept
    ref = submit(client)
    assert not published(client)  # pending stays private
    decide(app, client, ref, "accept")
    assert published(client)
    decide(app, client, ref, "withdraw")
    assert not published(client)


@pytest.mark.parametrize("decide", DECIDERS)
def test_reject_keeps_it_private_and_renews_the_view(app: Flask, decide: Decide) -> None:
    client = app.test_client()
    ref = submit(client)
    assert not published(client)
    decide(app, client, ref, "reject")
    assert not published(client)
    second = submit(client)  # a new contribution about the same case study
    decide(app, client, second, "accept")
    assert published(client)


def test_a_sparql_update_with_the_token_shows_at_once(app: Flask) -> None:
    client = app.test_client()
    submit(client)  # the published view now names graphs rather than the union
    assert not ask(client, f"ASK {{ <{S}> <{P}> ?o }}")
    answer = client.post(
        "/sparql",
        data={"update": f"INSERT DATA {{ <{S}> <{P}> 1 }}"},
        headers={"Authorization": f"Bearer {UPDATE_TOKEN}"},
    )
    assert answer.status_code == 204, answer.get_data(as_text=True)
    assert ask(client, f"ASK {{ <{S}> <{P}> 1 }}")


def test_a_load_beside_the_app_shows_at_once(app: Flask) -> None:
    client = app.test_client()
    submit(client)
    assert not ask(client, f"ASK {{ <{S}> <{P}> ?o }}")
    kb: KnowledgeBase = app.extensions["lhs_kg"]
    kb.load_bytes(
        f"<{S}> <{P}> 2 .".encode(), "ttl", graph=kb.settings.base_iri + "graph/data/loaded"
    )
    assert ask(client, f"ASK {{ <{S}> <{P}> 2 }}")


def test_no_view_forgets_the_published_view_by_hand() -> None:
    """The one mechanism is the store's: the old hook is gone from the web package."""
    import web.views.contribute

    assert not hasattr(web.views.contribute, "published_view_changed")
