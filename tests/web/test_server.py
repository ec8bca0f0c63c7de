"""The production server (the waitress of ``lhs-kg serve``): conditional requests end to end."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.helpers import LiveServer
from web.server import make_server

CONCEPT = "/concept/nasss/1A"


@pytest.fixture(scope="module")
def production(app: Flask) -> Iterator[LiveServer]:
    """``app`` on the server ``lhs-kg serve`` runs."""
    server = make_server(app, host="127.0.0.1", port=0, threads=2, ident="lhs-kg-test")
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    running = LiveServer(f"http://127.0.0.1:{server.effective_port}", server, thread)
    yield running
    running.stop()


def connect(live: LiveServer) -> http.client.HTTPConnection:
    host, port = live.url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def ask(conn: http.client.HTTPConnection, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn.request("GET", CONCEPT, headers=headers)
    answer = conn.getresponse()
    answer.read()
    return answer


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_revalidation_over_the_production_server(production: LiveServer, accept: str) -> None:
    """Each revalidation is a bodiless 304 with the validator; the 200 keeps its connection.

    Waitress ends the connection after a 304 (it has no Content-Length), which the client sees
    as ``Connection: close`` and follows by reconnecting: #13 dropped the subclass of waitress's
    internals that kept it open (see ``web/server.py``).
    """
    conn = connect(production)
    first = ask(conn, {"Accept": accept})
    tag = first.getheader("ETag")
    assert first.status == 200 and tag
    assert first.getheader("Connection") is None  # a 200 with Content-Length keeps it
    for _ in range(3):  # from the view, then from the page cache
        answer = ask(conn, {"Accept": accept, "If-None-Match": tag})
        assert answer.status == 304 and answer.getheader("ETag") == tag
        assert answer.getheader("Content-Length") is None
        assert answer.getheader("Connection") == "close"
    assert ask(conn, {"Accept": accept}).status == 200
    conn.close()


def test_a_client_that_asks_to_close_still_gets_closed(production: LiveServer) -> None:
    conn = connect(production)
    tag = ask(conn, {}).getheader("ETag")
    assert tag
    answer = ask(conn, {"If-None-Match": tag, "Connection": "close"})
    assert answer.status == 304
    assert answer.getheader("Connection") == "close"
    conn.close()
