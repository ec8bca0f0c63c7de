"""Public error texts never name the internal store URL; the log (and the CLI) keep the detail.

Regression for #12: with a remote store, error pages and JSON named the store's address.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from lhs_kg.config import RemoteEndpoints, Settings
from lhs_kg.errors import StoreUnavailableError
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store.remote import STORE_DID_NOT_ANSWER, RemoteStore
from tests.helpers import free_port
from web import create_app


@pytest.fixture(scope="module")
def address() -> str:
    """A loopback address nothing listens on: the store is down."""
    return f"127.0.0.1:{free_port()}"


def _endpoints(address: str) -> RemoteEndpoints:
    base = f"http://{address}"
    return RemoteEndpoints(f"{base}/query", f"{base}/update", f"{base}/store")


@pytest.fixture(scope="module")
def down_app(address: str) -> Iterator[Flask]:
    settings = Settings(store=f"http://{address}")
    kb = KnowledgeBase(settings, store=RemoteStore(_endpoints(address), timeout_s=2))
    yield create_app({"TESTING": True, "LHS_KG_SETTINGS": settings, "LHS_KG_KB": kb})
    kb.close()


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        pytest.param("/sparql?query=ASK%7B%7D", "application/sparql-results+json", id="sparql"),
        pytest.param("/sparql?query=ASK%7B%7D", "text/html", id="sparql-editor"),
        pytest.param("/case-study/", "text/html", id="page"),
        pytest.param("/case-study/swedeheart", "text/turtle", id="document"),
        pytest.param("/api/queries/case-studies", "application/json", id="named-query-api"),
        pytest.param("/queries/case-studies", "text/html", id="named-query-page"),
        pytest.param("/dataset", "text/html", id="dataset"),
        pytest.param("/nasss", "text/html", id="dashboard-page"),
        pytest.param("/api/queries/loop-coverage", "application/json", id="dashboard-api"),
        pytest.param("/healthz", "application/json", id="healthz"),
        pytest.param("/search?q=registry", "text/html", id="search"),
        pytest.param("/export", "application/n-quads", id="export"),
    ],
)
def test_store_down_errors_do_not_name_the_store(
    down_app: Flask, address: str, path: str, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        answer = down_app.test_client().get(path, headers={"Accept": accept})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 502
    assert STORE_DID_NOT_ANSWER.split(";")[0] in body
    assert address not in body and address.split(":")[1] not in body
    assert address in caplog.text  # the operator still learns which store failed


def test_the_cli_message_keeps_the_url(address: str) -> None:
    store = RemoteStore(_endpoints(address), timeout_s=2)
    with pytest.raises(StoreUnavailableError) as caught:
        store.query("ASK {}")
    assert address in str(caught.value)
    assert caught.value.public == STORE_DID_NOT_ANSWER


def test_server_error_details_are_scrubbed_of_its_address() -> None:
    store = RemoteStore(_endpoints("10.1.2.3:7878"))
    text = "failed at http://10.1.2.3:7878/query while asking 10.1.2.3:7878"
    assert "10.1.2.3" not in store._scrub(text)
