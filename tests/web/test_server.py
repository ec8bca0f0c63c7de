"""The production server (#6): a 304 keeps the HTTP/1.1 connection, as RFC 9112 allows."""

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
def test_revalidation_keeps_the_connection(production: LiveServer, accept: str) -> None:
    conn = connect(production)
    tag = ask(conn, {"Accept": accept}).getheader("ETag")
    assert tag
    sock = conn.sock
    for _ in range(3):  # from the view, then from the page cache
        answer = ask(conn, {"Accept": accept, "If-None-Match": tag})
        assert answer.status == 304
        assert answer.getheader("Connection") is None
        assert conn.sock is sock  # no reconnection
    assert ask(conn, {"Accept": accept}).status == 200
    assert conn.sock is sock
    conn.close()


def test_a_client_that_asks_to_close_still_gets_closed(production: LiveServer) -> None:
    conn = connect(production)
    tag = ask(conn, {}).getheader("ETag")
    assert tag
    answer = ask(conn, {"If-None-Match": tag, "Connection": "close"})
    assert answer.status == 304
    assert answer.getheader("Connection") == "close"
    conn.close()
